# Lesson 06: a memory limit, and what happens past it.
# My cgroup is the root of my cgroup namespace, so my limit is at the top
# of /sys/fs/cgroup: memory.max on cgroup v2, memory.limit_in_bytes on v1.
for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
	[ -r "$f" ] && echo "my memory limit: $(($(cat "$f") / 1048576)) MiB ($f)"
done
echo "-- probe allocates and touches 16 MiB: it fits"
probe memhog 16
echo "-- now 64 MiB, twice the limit (exec: probe becomes pid 1)"
exec probe memhog 64
