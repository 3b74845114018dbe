#!/bin/sh
# hello.sh — runs inside the hello container and says what it sees.
# Everything here is busybox; the rootfs is read-only, so nothing is written.

echo "hello from inside a husk container"
echo
echo "  hostname   $(hostname)"
echo "  my pid     $$ (pid 1 of a new pid namespace; the host sees another number)"
echo "  my ids     $(id)"
set -- /proc/[0-9]*  # globbing in this shell itself: no helper process
echo "  processes  $# visible (only this container's)"
nets=""
for n in /sys/class/net/*; do nets="$nets${n##*/} "; done
echo "  network    $nets(a new network namespace has only lo)"

# The memory limit from config.json, read back from the cgroup.  cgroup v2
# shows it as memory.max; v1 as memory/memory.limit_in_bytes.
for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
	if [ -r "$f" ]; then
		echo "  memory     limit $(($(cat "$f") / 1048576)) MiB ($f)"
		break
	fi
done
for f in /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max; do
	if [ -r "$f" ]; then
		echo "  pids       limit $(cat "$f") ($f)"
		break
	fi
done

echo
echo "my namespaces (compare with ls -l /proc/self/ns on the host):"
for ns in cgroup ipc mnt net pid user uts; do
	printf '  %-6s %s\n' "$ns" "$(readlink /proc/self/ns/$ns)"
done

echo
echo "my mounts (the host's are out of sight after pivot_root):"
# /proc/self/mounts: device mountpoint type options ...  The cgroup
# controllers and the masked or read-only /proc and /sys paths are counted
# rather than listed, to keep this short.
hidden=0
while read -r _ where type opts _; do
	case $where in
	/proc/* | /sys/fs/cgroup/* | /sys/firmware) hidden=$((hidden + 1)) ;;
	*) printf '  %-16s %-8s %s\n' "$where" "$type" "${opts%%,*}" ;;
	esac
done </proc/self/mounts
echo "  and $hidden more: cgroup controllers, masked and read-only paths"

echo
echo "bye"
