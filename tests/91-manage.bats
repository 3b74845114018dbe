#!/usr/bin/env bats
# 91-manage: managing a running container — pause/resume (the freezer),
# ps, update (limits changed in place), events (cgroup stats) — and the
# features document.  Host (hybrid cgroups) and pure cgroup v2 (the VM:
# tests/vm/run.sh -- ./tests/run-bats.sh tests/91-manage.bats): each test
# reads the files of whichever cgroup version carries the controller.

load helpers

status_is() {
	[ "$("$HUSK" --root "$HUSK_ROOT" state "$ID" | jq -r .status)" = "$1" ]
}

init_pid() {
	"$HUSK" --root "$HUSK_ROOT" state "$ID" | jq -r .pid
}

# v2 CONTROLLER: the controller is handled by cgroup v2 on this host.
v2() {
	local d m
	d=$(cgroup_dir "$1") || return 2
	m=$(_cgroup_hierarchies | awk '$2 == "cgroup2" { print $1 }')
	[ -n "$m" ] && [ "$d" = "$m$(cgroup_path)" ]
}

# The freezer as the kernel reports it: FROZEN or THAWED.
freezer_state() {
	local d
	d=$(cgroup_dir freezer)
	if [ -e "$d/freezer.state" ]; then
		cat "$d/freezer.state"
	elif grep -qx 'frozen 1' "$d/cgroup.events"; then
		echo FROZEN
	else
		echo THAWED
	fi
}

# A running container whose init is `probe trap TERM` (output in $OUT), so a
# test can tell whether the init got to run its handler.
start_trapper() {
	make_bundle
	cfg_args probe trap TERM
	OUT="$BATS_TEST_TMPDIR/trap.out"
	"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$ID" >"$OUT" 2>&1 </dev/null
	husk_quiet start "$ID"
	assert_success
	wait_until 10 grep -qx ready "$OUT"
}

# A running container: sh with two sleeping children.
start_sleepers() {
	make_bundle
	cfg_args sh -c 'sleep 600 & sleep 600 & wait'
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_success
	wait_until 10 sh -c "[ \$(pgrep -c -P $(init_pid) sleep) -eq 2 ]"
}

# ---------------------------------------------------------------- pause

@test "pause: the freezer stops the container until resume; state says paused" {
	start_trapper
	assert_equal "$(freezer_state)" THAWED
	husk_run -0 pause "$ID"
	assert_equal "$(freezer_state)" FROZEN
	run -0 status_is paused
	# A frozen init cannot run its handler: TERM stays pending.
	husk_run -0 kill "$ID" TERM
	sleep 0.3
	run -1 grep 'got SIG' "$OUT"
	run -0 status_is paused
	husk_run -0 resume "$ID"
	assert_equal "$(freezer_state)" THAWED
	# Thawed, it handles the pending TERM and exits.
	wait_until 10 grep -qx 'got SIGTERM' "$OUT"
	wait_until 10 status_is stopped
	husk_run -0 delete "$ID"
	assert_clean
}

@test "pause: refused unless running or created, resume unless paused, as runc" {
	start_trapper
	husk_run -1 resume "$ID"
	assert_output "husk: container not paused"
	husk_run -0 pause "$ID"
	husk_run -1 pause "$ID"
	assert_output "husk: container not running"
	husk_run -0 resume "$ID"
	husk_run -0 kill "$ID" KILL
	wait_until 10 status_is stopped
	husk_run -1 pause "$ID"
	assert_output "husk: container not running"
	husk_run -1 resume "$ID"
	assert_output "husk: container not paused"
	husk_run -1 pause nosuch-$ID
	assert_output "husk: container 'nosuch-$ID' does not exist"
	husk_run -0 delete "$ID"
	assert_clean
}

@test "pause: a created container can be paused (runc), and start waits for resume" {
	make_bundle
	cfg_args /bin/sleep 600
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_success
	husk_run -0 pause "$ID"
	run -0 status_is paused
	husk_run -1 start "$ID"
	assert_output --partial "paused"
	husk_run -0 resume "$ID"
	run -0 status_is created
	husk_quiet start "$ID"
	assert_success
	run -0 status_is running
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "pause: kill KILL of a paused container thaws it so it dies" {
	start_sleepers
	husk_run -0 pause "$ID"
	husk_run -0 kill "$ID" KILL
	wait_until 10 status_is stopped
	assert_equal "$(freezer_state)" THAWED
	husk_run -0 delete "$ID"
	assert_clean
}

@test "pause: kill --all KILL of a paused container kills every process" {
	start_sleepers
	husk_run -0 pause "$ID"
	husk_run -0 kill --all "$ID" KILL
	wait_until 10 status_is stopped
	husk_run -0 ps --format json "$ID"
	assert_output "[]"
	husk_run -0 delete "$ID"
	assert_clean
}

@test "pause: delete --force removes a paused container" {
	start_sleepers
	husk_run -0 pause "$ID"
	husk_run -1 delete "$ID"
	assert_output --partial "not stopped: paused"
	husk_run -0 delete --force "$ID"
	assert_clean
}

# ---------------------------------------------------------------- ps

@test "ps: --format json lists the host pids of the container's cgroup" {
	start_sleepers
	local pid p
	pid=$(init_pid)
	husk_run -0 ps --format json "$ID"
	local pids=$output
	run -0 jq -e 'type == "array" and length == 3' <<<"$pids"
	run -0 jq -e --argjson p "$pid" 'index($p) != null' <<<"$pids"
	for p in $(jq -r '.[]' <<<"$pids"); do
		grep -q "husk-test/$ID" "/proc/$p/cgroup" ||
			fail "pid $p is not in the container's cgroup"
	done
	# Negative control: this shell is not the container's.
	run -0 jq -e --argjson p "$$" 'index($p) == null' <<<"$pids"
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "ps: the table is the host's ps filtered to the container, with ps args" {
	start_sleepers
	local pid
	pid=$(init_pid)
	husk_run -0 ps "$ID"
	assert_line --index 0 --regexp '^UID +PID +PPID'
	assert_line --regexp "^[^ ]+ +$pid +[0-9]+ .*sh -c sleep 600"
	[ "${#lines[@]}" -eq 4 ] || fail "expected a header and 3 processes"
	refute_line --regexp "^[^ ]+ +$$ "
	husk_run -0 ps "$ID" -- -o pid,comm
	assert_line --index 0 --regexp '^ *PID COMMAND$'
	assert_line --regexp "^ *$pid sh$"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c ' sleep$')" -eq 2 ]
	# Without a PID column there is nothing to filter on.
	husk_run -1 ps "$ID" -o comm
	assert_output --partial "no PID column"
	husk_run -1 ps --format json "$ID" -o pid
	assert_output --partial "only go with --format table"
	husk_run -1 ps --format yaml "$ID"
	assert_output --partial "expected table or json"
	husk_run -1 ps "nosuch-$ID"
	assert_output --partial "does not exist"
	husk_run -0 delete --force "$ID"
	assert_clean
}

# ---------------------------------------------------------------- update

# limit CONTROLLER: the value of its main limit file in the container.
limit() {
	local d
	d=$(cgroup_dir "$1")
	case $1 in
	memory) v2 memory && cat "$d/memory.max" || cat "$d/memory.limit_in_bytes" ;;
	pids) cat "$d/pids.max" ;;
	cpu) v2 cpu && cat "$d/cpu.max" ||
		echo "$(cat "$d/cpu.cfs_quota_us") $(cat "$d/cpu.cfs_period_us")" ;;
	esac
}

saved() {
	jq -c "$1" "$HUSK_ROOT/$ID/config.json"
}

@test "update: memory, pids and cpu flags change the cgroup and the saved config" {
	require_kernel_feature cgroup-memory
	require_kernel_feature cgroup-pids
	require_kernel_feature cgroup-cpu
	start_sleepers
	husk_run -0 update --memory 64m --pids-limit 42 "$ID"
	assert_equal "$(limit memory)" 67108864
	assert_equal "$(limit pids)" 42
	assert_equal "$(saved .linux.resources.memory.limit)" 67108864
	assert_equal "$(saved .linux.resources.pids.limit)" 42
	# The period recorded by one update is there for the next.
	husk_run -0 update --cpu-period 100000 "$ID"
	husk_run -0 update --cpu-quota 25000 "$ID"
	assert_equal "$(limit cpu)" "25000 100000"
	assert_equal "$(saved .linux.resources.cpu)" '{"period":100000,"quota":25000}'
	# -1 is unlimited; the other limits stay as they were.
	husk_run -0 update --pids-limit -1 "$ID"
	assert_equal "$(limit pids)" max
	assert_equal "$(limit memory)" 67108864
	# The rest of the saved config is untouched.
	assert_equal "$(saved .process.args)" "$(jq -c .process.args "$BUNDLE/config.json")"
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "update: --resources FILE and - (stdin), flags applied over the file" {
	require_kernel_feature cgroup-pids
	require_kernel_feature cgroup-memory
	start_sleepers
	echo '{"pids": {"limit": 77}}' >"$BATS_TEST_TMPDIR/r.json"
	husk_run -0 update --resources "$BATS_TEST_TMPDIR/r.json" "$ID"
	assert_equal "$(limit pids)" 77
	run -0 "$HUSK" --root "$HUSK_ROOT" update -r - "$ID" <<<'{"pids": {"limit": 78}, "memory": {"limit": 33554432}}'
	assert_equal "$(limit pids)" 78
	assert_equal "$(limit memory)" 33554432
	husk_run -0 update --resources "$BATS_TEST_TMPDIR/r.json" --pids-limit 79 "$ID"
	assert_equal "$(limit pids)" 79
	assert_equal "$(saved .linux.resources.pids.limit)" 79
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "update: bad values name the flag or the JSON path and change nothing" {
	require_kernel_feature cgroup-pids
	start_sleepers
	husk_run -0 update --pids-limit 50 "$ID"
	cp "$HUSK_ROOT/$ID/config.json" "$BATS_TEST_TMPDIR/before.json"
	husk_run -1 update --memory lots "$ID"
	assert_output --partial "--memory: expected bytes"
	husk_run -1 update --pids-limit 60 --cpu-shares -5 "$ID"
	assert_output --partial "--cpu-shares: expected a non-negative number"
	husk_run -1 update --pids-limit 60 --cpu-period 10 "$ID"
	assert_output --partial "--pids-limit, --cpu-period: .linux.resources.cpu.period: must be between 1000 and 1000000"
	husk_run -1 update --pids-limit 60 --cpuset-cpus 'zero' "$ID"
	assert_output --partial ".linux.resources.cpu.cpus"
	echo '{"pids": {"limit": 60}, "memory": {"limit": "1g"}}' >"$BATS_TEST_TMPDIR/bad.json"
	husk_run -1 update --resources "$BATS_TEST_TMPDIR/bad.json" "$ID"
	assert_output "husk: --resources $BATS_TEST_TMPDIR/bad.json: .memory.limit: expected an integer, got a string"
	echo '{"pids": ' >"$BATS_TEST_TMPDIR/bad.json"
	husk_run -1 update --resources "$BATS_TEST_TMPDIR/bad.json" "$ID"
	assert_output --partial "invalid JSON"
	husk_run -1 update --resources "$BATS_TEST_TMPDIR/missing.json" "$ID"
	assert_output --partial "missing.json"
	husk_run -1 update "$ID"
	assert_output --partial "nothing to update"
	# Nothing changed: not the kernel's value, not the record.
	assert_equal "$(limit pids)" 50
	cmp "$BATS_TEST_TMPDIR/before.json" "$HUSK_ROOT/$ID/config.json"
	husk_run -0 kill "$ID" KILL
	wait_until 10 status_is stopped
	husk_run -1 update --pids-limit 60 "$ID"
	assert_output "husk: container not running"
	husk_run -0 delete "$ID"
	assert_clean
}

# ---------------------------------------------------------------- events

@test "events --stats: one runc-style stats event from the cgroup" {
	require_kernel_feature cgroup-memory
	require_kernel_feature cgroup-pids
	start_sleepers
	husk_run -0 events --stats "$ID"
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line"
	local ev=$output
	run -0 jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$ev"
	run -0 jq -e '.data.pids.current == 3' <<<"$ev"
	run -0 jq -e '.data.memory.usage.usage > 0' <<<"$ev"
	run -0 jq -e '.data.cpu.usage.total > 0' <<<"$ev"
	run -0 jq -e '.data.blkio.ioServiceBytesRecursive | type == "array"' <<<"$ev"
	# A limit set by update shows up in the next event.
	husk_run -0 update --pids-limit 9 --memory 48m "$ID"
	husk_run -0 events --stats "$ID"
	ev=$output
	run -0 jq -e '.data.pids.limit == 9 and .data.memory.usage.limit == 50331648' <<<"$ev"
	husk_run -1 events --interval 0s "$ID"
	assert_output --partial "--interval: expected a duration"
	husk_run -1 events --interval soon "$ID"
	husk_run -0 delete --force "$ID"
	husk_run -1 events --stats "$ID"
	assert_output --partial "does not exist"
	assert_clean
}

@test "events: a stats event every interval until the container stops" {
	start_trapper
	"$HUSK" --root "$HUSK_ROOT" events --interval 100ms "$ID" >"$BATS_TEST_TMPDIR/ev" 2>&1 &
	local ev=$!
	track_pid "$ev"
	wait_until 10 sh -c "[ \$(wc -l <'$BATS_TEST_TMPDIR/ev') -ge 3 ]"
	run -0 kill -0 "$ev"
	husk_run -0 kill "$ID" TERM
	wait_until 10 status_is stopped
	# It notices the stop on its next tick and exits 0.
	# (wait in this shell: `run` would wait from a subshell, whose child
	# events is not.)
	local st=0
	wait "$ev" || st=$?
	[ "$st" = 0 ] || fail "events exited $st: $(tail -n 3 "$BATS_TEST_TMPDIR/ev")"
	run -0 jq -se 'length >= 3 and all(.type == "stats")' "$BATS_TEST_TMPDIR/ev"
	husk_run -1 events "$ID"
	assert_output "husk: container not running"
	husk_run -0 delete "$ID"
	assert_clean
}

@test "events: an oom event when the kernel OOM-kills in the container" {
	require_kernel_feature cgroup-memory
	make_bundle
	cfg '.linux.resources.memory.limit = 33554432 | .linux.resources.memory.swap = 33554432'
	# The init survives; a child is the one the kernel kills.
	cfg_args sh -c 'read x; probe memhog 200; sleep 600'
	mkfifo "$BATS_TEST_TMPDIR/go"
	"$HUSK" --root "$HUSK_ROOT" run --detach --bundle "$BUNDLE" "$ID" \
		<"$BATS_TEST_TMPDIR/go" >/dev/null 2>&1 &
	exec 7>"$BATS_TEST_TMPDIR/go"
	wait_until 10 status_is running
	"$HUSK" --root "$HUSK_ROOT" events --interval 100ms "$ID" >"$BATS_TEST_TMPDIR/ev" 2>&1 &
	track_pid $!
	wait_until 10 test -s "$BATS_TEST_TMPDIR/ev"
	run -1 grep -q '"oom"' "$BATS_TEST_TMPDIR/ev"
	echo go >&7
	exec 7>&-
	wait_until 20 grep -q "{\"type\":\"oom\",\"id\":\"$ID\"}" "$BATS_TEST_TMPDIR/ev"
	husk_run -0 delete --force "$ID"
	assert_clean
}

# ---------------------------------------------------------------- features

@test "features: a valid runtime-spec features document" {
	husk_run -0 features
	echo "$output" >"$BATS_TEST_TMPDIR/f.json"
	run -0 "$REPO/tests/validate-schema.py" features "$BATS_TEST_TMPDIR/f.json"
	# Negative control: the schema does catch a wrong document.
	jq '.linux.cgroup.v2 = "yes"' "$BATS_TEST_TMPDIR/f.json" >"$BATS_TEST_TMPDIR/bad.json"
	run -1 "$REPO/tests/validate-schema.py" features "$BATS_TEST_TMPDIR/bad.json"
	run -0 jq -e '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.2.1"' "$BATS_TEST_TMPDIR/f.json"
	run -0 jq -e '.hooks == ["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' "$BATS_TEST_TMPDIR/f.json"
	run -0 jq -e '.linux.namespaces | sort == ["cgroup","ipc","mount","network","pid","time","user","uts"]' "$BATS_TEST_TMPDIR/f.json"
	run -0 jq -e '.linux.cgroup == {"v1":true,"v2":true,"systemd":false,"systemdUser":false,"rdma":false}' "$BATS_TEST_TMPDIR/f.json"
	run -0 jq -e '.linux.apparmor.enabled == false and .linux.selinux.enabled == false' "$BATS_TEST_TMPDIR/f.json"
	run -0 jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO")) and (.linux.seccomp.operators | length == 7)' "$BATS_TEST_TMPDIR/f.json"
	run -0 jq -e '.mountOptions | index("rbind") and index("nosuid") and index("rprivate")' "$BATS_TEST_TMPDIR/f.json"
	run -0 jq -e '.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")' "$BATS_TEST_TMPDIR/f.json"
	husk_run -1 features extra
}

@test "features: what it lists, a config may use" {
	local f="$BATS_TEST_TMPDIR/f.json" caps opts
	"$HUSK" features >"$f"
	# Every capability, in the bounding set of one container.
	caps=$(jq -c .linux.capabilities "$f")
	run -0 jq -e 'index("CAP_SYS_ADMIN") and index("CAP_CHOWN")' <<<"$caps"
	make_bundle
	cfg '.process.capabilities = {"bounding": $c}' --argjson c "$caps"
	cfg_args /bin/true
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# Every mount option, each on a tmpfs (flags) that husk accepts.
	opts=$(jq -c '[.mountOptions[] | select(. != "bind" and . != "rbind" and . != "remount" and . != "tmpcopyup")]' "$f")
	cfg '.mounts += [$o[] | {destination: "/mnt", type: "tmpfs", source: "tmpfs", options: [.]}]' --argjson o "$opts"
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# Negative control: an option husk does not know goes to the
	# filesystem, which refuses it.
	cfg '.mounts += [{destination: "/mnt", type: "tmpfs", source: "tmpfs", options: ["nosuchoption"]}]'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_clean
}
