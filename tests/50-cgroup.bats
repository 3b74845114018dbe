#!/usr/bin/env bats
# 50-cgroup: the container's cgroup and its limits.  Every test must pass on
# a hybrid host (v1 memory/pids/cpu controllers) and on pure cgroup v2 (the
# VM: tests/vm/run.sh -- ./tests/run-bats.sh tests/50-cgroup.bats), so each
# one reads the file names of whichever version carries the controller.

load helpers

setup() {
	common_setup
	# Relative placement lands under husk's own cgroup: remember what is
	# there now, so teardown removes only what this test made.
	REL_NAME="husk-rel-$ID"
}

teardown() {
	local d
	# A relative cgroupsPath goes under the cgroup husk runs in, which
	# on this host may be the supervisor's: remove only our own name.
	for d in $(_rel_dirs); do
		_kill_cgroup "$d"
		_rmdir_cgroup "$d"
	done
	common_teardown
}

# v2 CONTROLLER: the controller is handled by cgroup v2 on this host.
v2() {
	local d m
	d=$(cgroup_dir "$1") || return 2
	m=$(_cgroup_hierarchies | awk '$2 == "cgroup2" { print $1 }')
	[ -n "$m" ] && [ "$d" = "$m$(cgroup_path)" ]
}

# The directory husk's own cgroup has in the hierarchy of CONTROLLER, for
# relative placement ("" controller name for v2).
_own_dir() {
	local m type opts want=$1 rel
	while read -r m type opts; do
		if [ "$type" = cgroup2 ]; then
			[ -z "$want" ] || continue
			rel=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
		else
			[[ -n $want && ",$opts," == *",$want,"* ]] || continue
			rel=$(awk -F: -v c="$want" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
		fi
		echo "$m${rel%/}"
		return 0
	done < <(_cgroup_hierarchies)
}

# Every directory named $REL_NAME anywhere a relative cgroup could land.
_rel_dirs() {
	local m
	[ -n "${REL_NAME:-}" ] || return 0
	for m in $(_cgroup_mounts); do
		find "$m" -maxdepth 6 -type d -name "$REL_NAME" 2>/dev/null
	done
}

# limit_file CONTROLLER: the file holding its main limit on the host.
limit_file() {
	case $1 in
	memory) v2 memory && echo memory.max || echo memory.limit_in_bytes ;;
	pids) echo pids.max ;;
	esac
}

# The CPU time (microseconds) the container's cgroup has used so far.
cpu_usage_usec() {
	local d
	if v2 cpu; then
		d=$(cgroup_dir cpu)
		awk '$1 == "usage_usec" { print $2 }' "$d/cpu.stat"
	else
		d=$(cgroup_dir cpuacct)
		echo $(($(cat "$d/cpuacct.usage") / 1000))
	fi
}

@test "cgroup: memory, pids and cpu limits are written to the container's cgroup" {
	require_kernel_feature cgroup-memory
	require_kernel_feature cgroup-pids
	require_kernel_feature cgroup-cpu
	make_bundle
	cfg '.linux.resources.memory.limit = 67108864
	     | .linux.resources.pids.limit = 50
	     | .linux.resources.cpu.quota = 20000
	     | .linux.resources.cpu.period = 100000'
	cfg_args /bin/sleep 60
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_success
	local mem pids cpu
	mem=$(cgroup_dir memory)
	pids=$(cgroup_dir pids)
	cpu=$(cgroup_dir cpu)
	run -0 cat "$mem/$(limit_file memory)"
	assert_output 67108864
	run -0 cat "$pids/pids.max"
	assert_output 50
	if v2 cpu; then
		run -0 cat "$cpu/cpu.max"
		assert_output '20000 100000'
	else
		run -0 cat "$cpu/cpu.cfs_quota_us"
		assert_output 20000
		run -0 cat "$cpu/cpu.cfs_period_us"
		assert_output 100000
	fi
	# The init is a member of every one of those cgroups (v1: it joined
	# each hierarchy, not only the one it was cloned into).
	local pid
	pid=$(jq -r .pid <<<"$("$HUSK" --root "$HUSK_ROOT" state "$ID")")
	[[ $pid =~ ^[0-9]+$ ]] || fail "no pid in state"
	run -0 cat "$mem/cgroup.procs"
	assert_line "$pid"
	run -0 cat "$pids/cgroup.procs"
	assert_line "$pid"
	run -0 cat "$cpu/cgroup.procs"
	assert_line "$pid"
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "cgroup: without a cgroup namespace /proc/self/cgroup names /husk-test/ID" {
	require_kernel_feature cgroup-memory
	require_kernel_feature cgroup-pids
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))
	     | .linux.resources.memory.limit = 67108864
	     | .linux.resources.pids.limit = 50'
	cfg_args cat /proc/self/cgroup
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	if v2 memory; then
		assert_line "0::$(cgroup_path)"
	else
		assert_line --regexp "^[0-9]+:memory:$(cgroup_path)\$"
		assert_line --regexp "^[0-9]+:pids:$(cgroup_path)\$"
	fi
	assert_clean
}

@test "cgroup: with a cgroup namespace and mount the limits are readable inside" {
	require_kernel_feature cgroupns
	require_kernel_feature cgroup-memory
	require_kernel_feature cgroup-pids
	make_bundle
	cfg '.linux.resources.memory.limit = 67108864
	     | .linux.resources.pids.limit = 42'
	local memf pidsf
	if v2 memory; then
		memf=/sys/fs/cgroup/memory.max
	else
		memf=/sys/fs/cgroup/memory/memory.limit_in_bytes
	fi
	if v2 pids; then
		pidsf=/sys/fs/cgroup/pids.max
	else
		pidsf=/sys/fs/cgroup/pids/pids.max
	fi
	cfg_args sh -c "cat /proc/self/cgroup; echo mem=\$(cat $memf); echo pids=\$(cat $pidsf)"
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# The namespace is rooted at the container's cgroup.
	if v2 memory; then
		assert_line '0::/'
	else
		assert_line --regexp '^[0-9]+:memory:/$'
	fi
	refute_output --partial "$(cgroup_path)"
	assert_line mem=67108864
	assert_line pids=42
	assert_clean
}

@test "cgroup: a memory hog past 32 MiB is OOM-killed; husk exits 137 and says so" {
	require_kernel_feature cgroup-memory
	make_bundle
	# No swap either, or the hog would page out instead of dying.
	cfg '.linux.resources.memory.limit = 33554432
	     | .linux.resources.memory.swap = 33554432'
	cfg_args probe memhog 256
	husk_run -137 --separate-stderr run --bundle "$BUNDLE" "$ID"
	refute_output --partial 'touched=256'
	# The exact line, a plain notice (not "warning:" or "error:").
	[[ $stderr == *"husk: container '$ID' was killed by the OOM killer (memory limit 32 MiB)"* ]] ||
		fail "stderr does not name the OOM killer and the limit: $stderr"
	# The host is fine: husk itself was not killed, its cgroup is gone.
	assert_clean
}

@test "cgroup: a fork bomb stops at pids.max with EAGAIN" {
	require_kernel_feature cgroup-pids
	make_bundle
	cfg '.linux.resources.pids.limit = 20'
	cfg_args probe forkbomb 200
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line --regexp '^forked=[0-9]+ errno=EAGAIN$'
	local forked
	forked=$(sed -n 's/^forked=\([0-9]*\) .*/\1/p' <<<"$output")
	# The probe itself counts, so fewer than 20 children got through.
	[ "$forked" -lt 20 ] || fail "forked $forked children past pids.max 20"
	[ "$forked" -gt 0 ] || fail "not even one child could be forked"
	assert_clean
}

@test "cgroup: a 20% cpu quota gives about 0.2 s of cpu per second" {
	require_kernel_feature cgroup-cpu
	make_bundle
	cfg '.linux.resources.cpu.quota = 20000
	     | .linux.resources.cpu.period = 100000'
	cfg_args probe burn 30
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_success
	wait_until 5 test -n "$(cpu_usage_usec)"
	local u0 u1 t0 t1
	# Let it settle, then measure over two seconds of wall time.
	wait_until 5 test "$(cpu_usage_usec)" -gt 0
	u0=$(cpu_usage_usec)
	t0=${EPOCHREALTIME/[.,]/}
	# wait_until is for conditions; here the interval itself is the point.
	wait_until 10 _elapsed_since "$t0" 2000000
	u1=$(cpu_usage_usec)
	t1=${EPOCHREALTIME/[.,]/}
	local per_mille=$(((u1 - u0) * 1000 / (t1 - t0)))
	echo "cpu ${u0}->${u1} usec over $((t1 - t0)) usec: ${per_mille}/1000" >&2
	# 0.2 s per second, within ±50%.
	[ "$per_mille" -ge 100 ] && [ "$per_mille" -le 300 ] ||
		fail "cpu use ${per_mille}/1000 of a cpu, wanted 200 ±50%"
	husk_run -0 kill "$ID" KILL
	wait_until 10 _state_is stopped
	husk_run -0 delete "$ID"
	assert_clean
}

_elapsed_since() {
	local now=${EPOCHREALTIME/[.,]/}
	[ $((now - $1)) -ge "$2" ]
}

_state_is() {
	"$HUSK" --root "$HUSK_ROOT" state "$ID" 2>/dev/null | jq -e --arg s "$1" '.status == $s' >/dev/null
}

@test "cgroup: bad resource values are refused with their JSON path, nothing created" {
	local bad
	make_bundle
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
	for bad in '.linux.resources.memory.limit = -5|.linux.resources.memory.limit' \
		'.linux.resources.cpu.quota = 20000|.linux.resources.cpu' \
		'.linux.resources.unified = {"../../x": "1"}|.linux.resources.unified'; do
		cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
		cfg "${bad%|*}"
		husk_quiet create --bundle "$BUNDLE" "$ID"
		assert_failure
		assert_output --partial "${bad#*|}"
		assert_clean
	done
	# Negative control: the same bundle with sane values is accepted.
	cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
	cfg '.linux.resources.memory.limit = 67108864'
	cfg_args /bin/true
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_clean
}

@test "cgroup: a relative cgroupsPath goes under husk's own cgroup and is removed" {
	require_kernel_feature cgroup-pids
	make_bundle
	cfg '.linux.cgroupsPath = $p | .linux.resources.pids.limit = 33' --arg p "$REL_NAME"
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))'
	cfg_args sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null; true'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	local own
	if v2 pids; then
		own=$(_own_dir "")
		assert_line "0::${own#"$(_cgroup_hierarchies | awk '$2 == "cgroup2" { print $1 }')"}/$REL_NAME"
	else
		own=$(_own_dir pids)
		assert_line --regexp "^[0-9]+:pids:${own#/sys/fs/cgroup/pids}/$REL_NAME\$"
	fi
	run -0 _rel_dirs
	assert_output ''
	assert_clean
}

@test "cgroup: a relative cgroup is removed even when the container fails to start" {
	make_bundle
	cfg '.linux.cgroupsPath = $p' --arg p "$REL_NAME"
	cfg_args /no/such/binary
	husk_run -127 run --bundle "$BUNDLE" "$ID"
	assert_output --partial /no/such/binary
	run -0 _rel_dirs
	assert_output ''
	assert_clean
}

@test "cgroup: without a cgroupsPath husk makes husk-ID under its own cgroup, removed after" {
	require_kernel_feature cgroup-pids
	make_bundle
	cfg 'del(.linux.cgroupsPath) | del(.linux.namespaces[] | select(.type == "cgroup"))'
	REL_NAME="husk-$ID"
	cfg_args cat /proc/self/cgroup
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output --regexp "/husk-$ID"
	run -0 _rel_dirs
	assert_output ''
	assert_clean
}

# in_job_cgroup CMD...: run CMD from a shell moved into every hierarchy's
# /husk-test/$ID, which also holds a `sleep` (the CI job's other process).
in_job_cgroup() {
	local m
	for m in $(_cgroup_mounts); do
		echo "$JOB_SLEEP" >"$m/husk-test/$ID/cgroup.procs" || return 1
	done
	# The subshell below moves itself, then becomes husk.
	bash -c 'for m in $MOUNTS; do echo $BASHPID >"$m/husk-test/$ID/cgroup.procs" || exit 90; done; exec "$@"' \
		bash "$@"
}

@test "cgroup: nested: run from a non-root cgroup that holds a process" {
	require_kernel_feature cgroup-pids
	local m v2m
	v2m=$(_cgroup_hierarchies | awk '$2 == "cgroup2" { print $1 }')
	# The "job" cgroup: on v2 its parent delegates pids, as a CI runner's
	# would; it is a leaf holding a process, like a CI job's container.
	local d f
	for m in $(_cgroup_mounts); do
		mkdir -p "$m/husk-test/$ID"
		# v1 cpuset: a new cgroup has no cpus or mems until given some.
		[ "$m" = "$v2m" ] && continue
		for d in "$m/husk-test" "$m/husk-test/$ID"; do
			for f in cpuset.cpus cpuset.mems; do
				[ -f "$d/$f" ] && [ -z "$(cat "$d/$f")" ] &&
					cat "$(dirname "$d")/$f" >"$d/$f"
			done
		done
	done
	if v2 pids; then
		echo +pids >"$v2m/cgroup.subtree_control"
		echo +pids >"$v2m/husk-test/cgroup.subtree_control"
	fi
	sleep 600 &
	JOB_SLEEP=$!
	track_pid "$JOB_SLEEP"
	export MOUNTS=$(_cgroup_mounts | tr '\n' ' ')
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))'
	cfg_args cat /proc/self/cgroup

	# 1. No limits: a child cgroup needs no controller, so it works on
	#    v1 and v2 alike, and is removed after.
	cfg '.linux.cgroupsPath = "ctr"'
	run in_job_cgroup "$HUSK" --root "$HUSK_ROOT" run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --regexp ":/husk-test/$ID/ctr\$"
	for m in $(_cgroup_mounts); do
		assert [ ! -e "$m/husk-test/$ID/ctr" ]
	done

	# 2. A pids limit.  v1: works.  v2: the job's cgroup holds processes, so
	#    the kernel forbids enabling pids for a child ("no internal
	#    processes"); husk says so, names the fix, and leaves nothing.
	cfg '.linux.resources.pids.limit = 33'
	cfg_args sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null; true'
	run in_job_cgroup "$HUSK" --root "$HUSK_ROOT" run --bundle "$BUNDLE" "$ID"
	if v2 pids; then
		assert_failure 1
		assert_output --partial 'no internal processes'
		assert_output --partial "husk-test/$ID"
		assert_output --partial 'leaf'
	else
		assert_success
		assert_line 33
	fi
	for m in $(_cgroup_mounts); do
		assert [ ! -e "$m/husk-test/$ID/ctr" ]
	done
	# The job's own process was left where it was.
	for m in $(_cgroup_mounts); do
		grep -qx "$JOB_SLEEP" "$m/husk-test/$ID/cgroup.procs" ||
			fail "the job's sleep left $m/husk-test/$ID"
	done
	run -1 "$HUSK" --root "$HUSK_ROOT" state "$ID"
}

@test "cgroup: reservation, swap, shares, cpuset, hugepages and unified keys reach their files" {
	require_kernel_feature cgroup-memory
	require_kernel_feature cgroup-cpu
	make_bundle
	# hugetlb sits on v2 both here (hybrid: the unified mount) and in the
	# VM, so these two have the same file names everywhere.
	cfg '.linux.resources.memory = {limit: 67108864, reservation: 33554432, swap: 134217728}
	     | .linux.resources.cpu = {shares: 512, cpus: "0", mems: "0"}
	     | .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]
	     | .linux.resources.unified = {"hugetlb.2MB.rsvd.max": "8388608"}'
	cfg_args /bin/sleep 60
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_success
	local mem cpu cpuset huge
	mem=$(cgroup_dir memory)
	cpu=$(cgroup_dir cpu)
	cpuset=$(cgroup_dir cpuset)
	huge=$(cgroup_dir hugetlb)
	if v2 memory; then
		assert_equal "$(cat "$mem/memory.low")" 33554432
		# OCI swap is memory+swap; v2 wants the swap alone.
		assert_equal "$(cat "$mem/memory.swap.max")" 67108864
	else
		assert_equal "$(cat "$mem/memory.soft_limit_in_bytes")" 33554432
		assert_equal "$(cat "$mem/memory.memsw.limit_in_bytes")" 134217728
	fi
	if v2 cpu; then
		# crun's conversion: 512 shares are weight 59 (1024 -> 100).
		assert_equal "$(cat "$cpu/cpu.weight")" 59
	else
		assert_equal "$(cat "$cpu/cpu.shares")" 512
	fi
	assert_equal "$(cat "$cpuset/cpuset.cpus")" 0
	assert_equal "$(cat "$cpuset/cpuset.mems")" 0
	assert_equal "$(cat "$huge/hugetlb.2MB.max")" 4194304
	assert_equal "$(cat "$huge/hugetlb.2MB.rsvd.max")" 8388608
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "cgroup: a process left behind and a cgroup made below the container's are killed and removed at exit" {
	make_bundle
	# No pid namespace: the payload's exit does not take the daemon along.
	cfg 'del(.linux.namespaces[] | select(.type == "pid" or .type == "cgroup"))'
	cfg_args sh -c 'setsid sleep 600 </dev/null >/dev/null 2>&1 & echo "daemon $!"; while [ ! -e /go ]; do sleep 0.1; done'
	husk_bg run -b "$BUNDLE" "$ID"
	wait_until 10 grep -q '^daemon ' "$BG_OUT"
	local daemon m d f n=0
	daemon=$(sed -n 's/^daemon //p' "$BG_OUT")
	assert [ -d "/proc/$daemon" ]
	# The daemon goes into a cgroup below the container's, in every
	# hierarchy (v1 cpuset: a new cgroup has no cpus or mems until given).
	for m in $(_cgroup_mounts); do
		d=$m/husk-test/$ID
		[ -d "$d" ] || continue
		mkdir "$d/sub"
		for f in cpuset.cpus cpuset.mems; do
			[ -f "$d/sub/$f" ] && cat "$d/$f" >"$d/sub/$f"
		done
		echo "$daemon" >"$d/sub/cgroup.procs"
		n=$((n + 1))
	done
	assert [ "$n" -gt 0 ]
	: >"$BUNDLE/rootfs/go"
	wait "$BG_PID"
	wait_until 5 bash -c '! [ -e "/proc/$1" ] || grep -q "^State:.*Z" "/proc/$1/status"' _ "$daemon"
	assert_clean
}

@test "cgroup: --debug narrates each directory made and each file written" {
	require_kernel_feature cgroup-pids
	make_bundle
	cfg '.linux.resources.pids.limit = 77'
	husk_run -0 --separate-stderr --debug run --bundle "$BUNDLE" "$ID"
	local d
	d=$(cgroup_dir pids)
	[[ $stderr == *"husk: + mkdir $d"* ]] || fail "no mkdir narrated: $stderr"
	[[ $stderr == *"husk: + write 77 > $d/pids.max"* ]] || fail "no write narrated: $stderr"
	[[ $stderr == *"husk: + rmdir $d"* ]] || fail "no rmdir narrated: $stderr"
	assert_clean
}

@test "cgroup: device rules are enforced (v1 devices.deny/allow, v2 eBPF)" {
	make_bundle
	# The payload may mknod any node (as runc allows: "c *:* m"), but
	# opening one the rules do not allow is refused by the cgroup.  1:11
	# is /dev/kmsg: opening it write-only needs no capability.
	cfg '.process.capabilities.bounding += ["CAP_MKNOD"]
	     | .process.capabilities.effective += ["CAP_MKNOD"]
	     | .process.capabilities.permitted += ["CAP_MKNOD"]
	     | .linux.resources.devices = [{allow: false, access: "rwm"}]'
	cfg_args sh -c 'mknod /dev/k c 1 11 && echo made; (: >/dev/k) && echo opened; echo x >/dev/null && echo null-ok'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line made
	assert_output --partial 'Operation not permitted'
	refute_line opened
	# The standard nodes stay usable (podman sends exactly this deny-all).
	assert_line null-ok
	# Negative control: with an allow rule for 1:11 the same open works.
	cfg '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "w"}]'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line opened
	assert_clean
}
