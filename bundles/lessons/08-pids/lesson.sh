# Lesson 08: pids.max, and fork bombs that hit it.
# cgroup v2 has the pids files at the top of /sys/fs/cgroup; v1 in pids/.
# Only shell builtins from here on (read, echo, kill, [): they need no
# fork, so they work even when the cgroup has no pids left.
cg=/sys/fs/cgroup/pids
[ -r /sys/fs/cgroup/pids.max ] && cg=/sys/fs/cgroup
read -r max <$cg/pids.max
read -r current <$cg/pids.current
echo "pids.max: $max; pids.current: $current (just me)"

echo "-- probe forks children that stay alive, until fork() fails:"
probe forkbomb 1000

# Every copy forks copies of itself for ever.  (busybox sh gives up when a
# fork fails, so each copy loops: one that dies leaves a free pid to others.)
echo "-- a shell fork bomb: bomb() { while :; do bomb & done; }; bomb"
# In the background: we watch it grow (its first copy dies at the limit).
(bomb() { while :; do bomb & done; }; bomb) 2>/dev/null &
i=0
while [ "$current" -lt "$max" ] && [ $i -lt 2000000 ]; do
	read -r current <$cg/pids.current
	i=$((i + 1))
done
echo "pids.current: $current: the bomb has every pid it may have, and no more"
while read -r key value; do echo "pids.events: $key $value"; done <$cg/pids.events
# kill -1 signals every process in my pid namespace but me.
while [ "$current" -gt 1 ] && [ $i -lt 4000000 ]; do
	kill -KILL -1 2>/dev/null
	read -r current <$cg/pids.current
	i=$((i + 1))
done
echo "after kill -KILL -1: pids.current: $current"
