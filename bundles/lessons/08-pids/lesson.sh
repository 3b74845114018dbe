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

# Seconds since boot, by a builtin: a deadline that needs no fork.
read_now() {
	read -r up _ </proc/uptime
	now=${up%%.*}
}
read_refused() {
	refused=0
	while read -r key value; do [ "$key" = max ] && refused=$value; done <$cg/pids.events
}

# Every copy forks copies of itself for ever.  busybox sh exits when a
# fork fails, so at the limit the bomb thins out, and may die out on its
# own; bash would retry.  Either way it never holds more than pids.max.
echo "-- a shell fork bomb: bomb() { while :; do bomb & done; }; bomb"
read_refused
before=$refused
(bomb() { while :; do bomb & done; }; bomb) 2>/dev/null &
# pids.events counts the forks refused at the limit: once it moves, the
# bomb has filled the cgroup.  (A deadline, not a count of reads: a slow
# machine reads slowly.)
read_now
deadline=$((now + 60))
peak=0
while [ "$refused" -le "$before" ] && [ "$now" -lt "$deadline" ]; do
	read -r current <$cg/pids.current
	[ "$current" -gt "$peak" ] && peak=$current
	read_refused
	read_now
done
if [ "$refused" -gt "$before" ]; then
	echo "the bomb reached pids.max: $((refused - before)) forks refused so far"
else
	echo "the bomb never reached pids.max in 60 s"
fi
# kill -1 signals every process in my pid namespace but me.
read_now
deadline=$((now + 60))
read -r current <$cg/pids.current
while [ "$current" -gt 1 ] && [ "$now" -lt "$deadline" ]; do
	[ "$current" -gt "$peak" ] && peak=$current
	kill -KILL -1 2>/dev/null
	read -r current <$cg/pids.current
	read_now
done
if [ "$peak" -le "$max" ]; then
	echo "pids.current never went above $max (highest seen: $peak)"
else
	echo "pids.current reached $peak, above pids.max $max"
fi
echo "after kill -KILL -1: pids.current: $current"
