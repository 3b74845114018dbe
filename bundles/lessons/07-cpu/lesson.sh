# Lesson 07: a CPU quota, and the throttling that enforces it.
# cgroup v2 keeps quota and period in cpu.max; v1 in two cpu.cfs_* files.
if [ -r /sys/fs/cgroup/cpu.max ]; then
	cg=/sys/fs/cgroup
	echo "cpu.max: $(cat $cg/cpu.max)"
else
	cg=/sys/fs/cgroup/cpu
	echo "cpu.cfs_quota_us: $(cat $cg/cpu.cfs_quota_us), cpu.cfs_period_us: $(cat $cg/cpu.cfs_period_us)"
fi
echo "-- probe spins for 1 s of wall-clock time:"
out=$(probe burn 1)
echo "$out"
echo "$out" | awk -F'[= ]' '{ printf "share of one CPU: %d%%\n", 100 * $4 / $2 }'
echo "-- what the kernel counted (cpu.stat):"
while read -r key value; do
	case $key in nr_periods | nr_throttled | throttled_*) echo "$key $value" ;; esac
done <$cg/cpu.stat
