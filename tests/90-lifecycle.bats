#!/usr/bin/env bats
# 90-lifecycle: create, start, state, kill, delete, exec, hooks and list, as
# an engine drives them.  Host only.

load helpers

# state_field KEY: one field of `husk state`, after checking the whole
# document against the OCI state schema.
state_field() {
	"$HUSK" --root "$HUSK_ROOT" state "$ID" >"$BATS_TEST_TMPDIR/state.json" || return 1
	"$REPO/tests/validate-schema.py" state "$BATS_TEST_TMPDIR/state.json" >&2 || return 1
	jq -r ".$1" "$BATS_TEST_TMPDIR/state.json"
}

status_is() {
	[ "$(state_field status 2>/dev/null)" = "$1" ]
}

# A created container running `sleep 600` (engine style).
create_sleeper() {
	make_bundle
	cfg_args /bin/sleep 600
	husk_quiet create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
	assert_success
}

@test "lifecycle: create, start, kill, delete with state at every step" {
	create_sleeper
	run -0 state_field status
	assert_output created
	local pid
	pid=$(state_field pid)
	[[ $pid =~ ^[1-9][0-9]*$ ]] || fail "state pid '$pid' is not a pid"
	# The pid file holds the digits and nothing else: no newline.
	run -0 od -An -c "$BATS_TEST_TMPDIR/pid"
	refute_output --partial '\n'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/pid")" "$pid"
	husk_quiet start "$ID"
	assert_success
	run -0 state_field status
	assert_output running
	husk_run -0 kill "$ID" KILL
	wait_until 10 status_is stopped
	husk_run -0 delete "$ID"
	assert_clean
}

@test "lifecycle: kill takes signal numbers and names, with or without SIG" {
	# The init is pid 1 of its namespace: the kernel drops signals it has
	# no handler for, so the payload traps TERM and USR1 and counts them
	# (KILL needs no handler).  Two containers: each KILL ends one.
	local sig n=0 killer out="$BATS_TEST_TMPDIR/trap.out"
	for killer in 9 SIGKILL; do
		make_bundle
		cfg_args sh -c 'trap "echo got-TERM" TERM; trap "echo got-USR1" USR1
			echo ready; while :; do sleep 1 & wait $!; done'
		"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$ID" \
			>"$out" 2>&1 </dev/null
		husk_quiet start "$ID"
		assert_success
		wait_until 10 grep -qx ready "$out"
		if [ "$killer" = 9 ]; then
			for sig in 15 TERM SIGTERM 10 USR1 SIGUSR1; do
				husk_run -0 kill "$ID" "$sig"
				n=$((n + 1))
				wait_until 10 bash -c '[ "$(grep -c "^got-" "$1")" = "$2" ]' _ "$out" "$n"
			done
			run -0 grep -c '^got-TERM$' "$out"
			assert_output 3
			run -0 grep -c '^got-USR1$' "$out"
			assert_output 3
		fi
		husk_run -0 kill "$ID" "$killer"
		wait_until 10 status_is stopped
		husk_run -0 delete "$ID"
		assert_clean
		rm -rf "$BUNDLE"
	done
	# A name that is no signal is refused, naming it.
	husk_run -1 kill "$ID" SIGNOPE
	assert_output --partial SIGNOPE
}

@test "lifecycle: kill of a created container ends it before the payload ever runs (TERM and KILL)" {
	local sig
	for sig in TERM KILL; do
		make_bundle
		cfg '.root.readonly = false'
		cfg_args /bin/touch /ran
		husk_quiet create --bundle "$BUNDLE" "$ID"
		assert_success
		run -0 state_field status
		assert_output created
		# The init waits for start with every signal blocked; as pid 1
		# it would drop a TERM it has no handler for, yet runc's init
		# dies of it, and engines stop created containers with TERM.
		husk_run -0 kill "$ID" "$sig"
		wait_until 10 status_is stopped
		assert [ ! -e "$BUNDLE/rootfs/ran" ]
		husk_run -1 start "$ID"
		assert_output --partial stopped
		husk_run -0 delete "$ID"
		assert [ ! -e "$BUNDLE/rootfs/ran" ]
		assert_clean
		rm -rf "$BUNDLE"
	done
	# Control: a signal whose default is to ignore (WINCH) leaves it
	# created, and start then runs the payload.
	make_bundle
	cfg '.root.readonly = false'
	cfg_args /bin/touch /ran
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_success
	husk_run -0 kill "$ID" WINCH
	run -0 state_field status
	assert_output created
	husk_quiet start "$ID"
	assert_success
	wait_until 10 status_is stopped
	assert [ -e "$BUNDLE/rootfs/ran" ]
	husk_run -0 delete "$ID"
	assert_clean
}

@test "lifecycle: --preserve-fds passes fds 3.. to a created container's payload and to exec" {
	make_bundle
	cfg_args /bin/sh -c 'probe fds; exec sleep 600'
	local out="$BATS_TEST_TMPDIR/init.out"
	# fd 3 and fd 4 open in the caller, only fd 3 preserved.
	bash -c 'exec 3</etc/hostname 4</etc/hostname
		exec "$HUSK" --root "$HUSK_ROOT" create --preserve-fds 1 --bundle "$1" "$2"' \
		_ "$BUNDLE" "$ID" >"$out" 2>&1 </dev/null
	husk_quiet start "$ID"
	assert_success
	wait_until 10 grep -q . "$out"
	run -0 cat "$out"
	assert_line '3 /etc/hostname'
	refute_line --regexp '^4 '
	# exec: the same for the process it starts.
	run -0 bash -c 'exec 3</etc/hostname 4</etc/hostname
		exec "$HUSK" --root "$HUSK_ROOT" exec --preserve-fds 1 "$1" probe fds' _ "$ID" </dev/null
	assert_line '3 /etc/hostname'
	refute_line --regexp '^4 '
	# Control: without the flag neither reaches the payload.
	run -0 bash -c 'exec 3</etc/hostname 4</etc/hostname
		exec "$HUSK" --root "$HUSK_ROOT" exec "$1" probe fds' _ "$ID" </dev/null
	assert_output ''
	husk_run -0 delete --force "$ID"
	make_bundle b2
	cfg_args probe fds
	bash -c 'exec 3</etc/hostname
		exec "$HUSK" --root "$HUSK_ROOT" create --bundle "$1" "$2"' \
		_ "$BUNDLE" "$ID" >"$out" 2>&1 </dev/null
	husk_quiet start "$ID"
	assert_success
	wait_until 10 status_is stopped
	run -0 cat "$out"
	assert_output ''
	husk_run -0 delete "$ID"
	assert_clean
}

@test "lifecycle: kill of a stopped container exits 1 'container not running'" {
	make_bundle
	cfg_args /bin/true
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_success
	husk_quiet start "$ID"
	assert_success
	wait_until 10 status_is stopped
	husk_run -1 kill "$ID" TERM
	assert_output --partial 'container not running'
	husk_run -0 delete "$ID"
	assert_clean
}

@test "lifecycle: delete of a running container is refused; --force works" {
	create_sleeper
	husk_quiet start "$ID"
	assert_success
	husk_run delete "$ID"
	assert_failure
	assert_output --partial running
	run -0 state_field status
	assert_output running
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "lifecycle: unknown ids: delete --force exits 0, state exits 1 'does not exist'" {
	husk_run -0 delete --force no-such-id
	husk_run -1 state no-such-id
	assert_output --partial 'does not exist'
}

@test "lifecycle: two concurrent creates of one id: one wins, the other says 'already exists'" {
	make_bundle
	cfg_args /bin/sleep 600
	"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$ID" \
		>"$BATS_TEST_TMPDIR/a.out" 2>&1 </dev/null &
	local a=$!
	track_pid $a
	"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$ID" \
		>"$BATS_TEST_TMPDIR/b.out" 2>&1 </dev/null &
	local b=$!
	track_pid $b
	local sa=0 sb=0
	wait $a || sa=$?
	wait $b || sb=$?
	if [ $sa -eq 0 ]; then
		[ $sb -ne 0 ] || fail "both creates succeeded"
		run -0 cat "$BATS_TEST_TMPDIR/b.out"
	else
		[ $sb -eq 0 ] || fail "both creates failed: $(cat "$BATS_TEST_TMPDIR"/[ab].out)"
		run -0 cat "$BATS_TEST_TMPDIR/a.out"
	fi
	assert_output --partial 'already exists'
	run -0 state_field status
	assert_output created
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "lifecycle: exec sees the container's hostname, pid namespace and cgroup" {
	make_bundle
	cfg '.hostname = "boxy"'
	cfg_args /bin/sleep 600
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_success
	husk_run -0 exec "$ID" hostname
	assert_output boxy
	# pid 1 is the init, sleep.
	husk_run -0 exec "$ID" cat /proc/1/cmdline
	assert_output --partial sleep
	husk_run -0 exec "$ID" probe pid
	refute_line pid=1
	local init
	init=$(state_field pid)
	# In the same cgroup namespace and cgroup, exec and init read the same.
	husk_run -0 exec "$ID" cat /proc/self/cgroup
	local from_exec=$output
	husk_run -0 exec "$ID" cat /proc/1/cgroup
	assert_equal "$from_exec" "$output"
	husk_run -0 exec "$ID" readlink /proc/self/ns/cgroup
	assert_output "$(readlink "/proc/$init/ns/cgroup")"
	# The exec'd process is a member of the container's cgroup on the host.
	husk_quiet exec --detach --pid-file "$BATS_TEST_TMPDIR/epid" "$ID" sleep 30
	assert_success
	local epid
	epid=$(cat "$BATS_TEST_TMPDIR/epid")
	run -0 cat "/proc/$epid/cgroup"
	assert_output --partial "$(cgroup_path)"
	run -0 readlink "/proc/$epid/ns/pid"
	assert_output "$(readlink "/proc/$init/ns/pid")"
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "lifecycle: the state keeps config.json as parsed, and exec follows it, not the bundle changed since" {
	make_bundle
	cfg '.process.env += ["HUSK_MARK=before"]'
	cfg_args /bin/sleep 600
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/parsed.json"
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_success
	# Byte for byte what was read, not a re-serialisation.
	cmp "$BATS_TEST_TMPDIR/parsed.json" "$HUSK_ROOT/$ID/config.json"
	cfg '.process.env = ["HUSK_MARK=after"]'
	husk_run -0 exec "$ID" sh -c 'echo "mark=$HUSK_MARK"'
	assert_output mark=before
	cmp "$BATS_TEST_TMPDIR/parsed.json" "$HUSK_ROOT/$ID/config.json"
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "lifecycle: exec of a missing binary exits 255; --user 1000:abc is refused" {
	create_sleeper
	husk_quiet start "$ID"
	assert_success
	husk_run -255 exec "$ID" /no/such/binary
	assert_output --partial /no/such/binary
	husk_run exec --user 1000:abc "$ID" true
	assert_failure
	assert_output --partial abc
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "lifecycle: run --detach, then state, kill and delete" {
	make_bundle
	cfg_args /bin/sleep 600
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_success
	run -0 state_field status
	assert_output running
	# sleep as pid 1 has no TERM handler: the kernel would drop TERM.
	husk_run -0 kill "$ID" KILL
	wait_until 10 status_is stopped
	husk_run -0 delete "$ID"
	assert_clean
}

@test "lifecycle: hooks get the state JSON on stdin" {
	make_bundle
	local h="$BATS_TEST_TMPDIR/hooks"
	mkdir "$h"
	local kind hooks='{}'
	for kind in prestart createRuntime poststart poststop; do
		hooks=$(jq -c --arg k "$kind" --arg f "$h/$kind.json" \
			'.[$k] = [{"path": "/bin/sh", "args": ["sh", "-c", ("cat > " + $f)]}]' <<<"$hooks")
	done
	cfg '.hooks = $h' --argjson h "$hooks"
	cfg_args /bin/true
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	for kind in prestart createRuntime poststart poststop; do
		assert [ -s "$h/$kind.json" ]
		run -0 jq -r .id "$h/$kind.json"
		assert_output "$ID"
		run -0 "$REPO/tests/validate-schema.py" state "$h/$kind.json"
	done
	run -0 jq -r .bundle "$h/createRuntime.json"
	assert_output "$BUNDLE"
	assert_clean
}

@test "lifecycle: a failing createRuntime hook aborts create and leaves nothing" {
	make_bundle
	cfg '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]'
	cfg_args /bin/sleep 600
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial createRuntime
	husk_run -1 state "$ID"
	assert_clean
}

@test "lifecycle: list shows the container" {
	create_sleeper
	local pid
	pid=$("$HUSK" --root "$HUSK_ROOT" state "$ID" | jq -r .pid)
	# The table's columns are the state's own figures, not placeholders.
	husk_run -0 list
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_line --regexp "^$ID +$pid +created +$BUNDLE +[0-9T:.-]+Z +0\$"
	husk_run -0 list -q
	assert_output "$ID"
	husk_run -0 list --format json
	run -0 jq -r --arg id "$ID" '.[] | select(.id == $id) | "\(.status) \(.pid)"' <<<"$output"
	assert_output "created $pid"
	# Once stopped: pid 0, in the table and in the document (as runc).
	husk_run -0 kill "$ID" KILL
	wait_until 5 bash -c "'$HUSK' --root '$HUSK_ROOT' state '$ID' | jq -e '.status == \"stopped\"'"
	husk_run -0 list
	assert_line --regexp "^$ID +0 +stopped "
	husk_run -0 list --format json
	run -0 jq -r --arg id "$ID" '.[] | select(.id == $id) | .pid' <<<"$output"
	assert_output 0
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "lifecycle: list reads a record of any size, never through a symlink" {
	make_bundle
	cfg_args /bin/sleep 600
	# 40 annotations of 400 bytes: a state.json of 16 KB, past list's
	# one-read buffer.
	cfg '.annotations = ([range(40)] | map({key: "k\(.)", value: ("v" * 400)}) | from_entries)'
	husk_quiet create --bundle "$BUNDLE" "$ID"
	run -0 stat -c %s "$HUSK_ROOT/$ID/state.json"
	assert [ "$output" -gt 16000 ]
	husk_run -0 list --format json
	run -0 jq -r --arg id "$ID" '.[] | select(.id == $id) | "\(.status) \(.annotations | length)"' <<<"$output"
	assert_output "created 40"
	# A record whose state.json is a symlink (to a record that is valid)
	# is not read: list stays below its root.
	mkdir "$HUSK_ROOT/$ID-link"
	sed "s/\"id\":\"$ID\"/\"id\":\"$ID-link\"/" "$HUSK_ROOT/$ID/state.json" >"$BATS_TEST_TMPDIR/elsewhere.json"
	ln -s "$BATS_TEST_TMPDIR/elsewhere.json" "$HUSK_ROOT/$ID-link/state.json"
	husk_run -0 list -q
	assert_output "$ID"
	# Negative control: the same record as a plain file is listed.
	rm "$HUSK_ROOT/$ID-link/state.json"
	cp "$BATS_TEST_TMPDIR/elsewhere.json" "$HUSK_ROOT/$ID-link/state.json"
	husk_run -0 list -q
	assert_line "$ID-link"
	rm -r "$HUSK_ROOT/$ID-link"
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "lifecycle: --log-format json writes one JSON error object per line" {
	local log="$BATS_TEST_TMPDIR/log.json"
	husk_run --log "$log" --log-format json state no-such-id
	assert_failure
	husk_run --log "$log" --log-format json kill no-such-id
	assert_failure
	run -0 wc -l <"$log"
	[ "$output" -ge 2 ] || fail "expected 2 lines in the log"
	local line
	while IFS= read -r line; do
		run -0 jq -e 'type == "object" and (.msg | type == "string")' <<<"$line"
	done <"$log"
	run -0 grep -c 'does not exist' "$log"
}

@test "lifecycle: createContainer and startContainer hooks run in the container's namespaces" {
	make_bundle
	local out="$BATS_TEST_TMPDIR/hooks"
	mkdir "$out"
	cfg '.hostname = "boxy" | .root.readonly = false
	     | .hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", ("hostname > " + $o + "/cc; jq -r .id > " + $o + "/cc.id")]}]
	     | .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "hostname > /started; cat /proc/1/cmdline > /started.pid1"]}]' \
		--arg o "$out"
	cfg_args /bin/true
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# createContainer: the container's uts namespace, the host's paths.
	assert_equal "$(cat "$out/cc")" boxy
	assert_equal "$(cat "$out/cc.id")" "$ID"
	# startContainer: inside the container, after pivot_root: its /bin/sh,
	# its /started, its pid namespace.
	assert_equal "$(cat "$BUNDLE/rootfs/started")" boxy
	assert [ -s "$BUNDLE/rootfs/started.pid1" ]
	refute [ "$(hostname)" = boxy ]
	assert_clean
}

@test "lifecycle: a hook that outlives its timeout is killed and aborts create" {
	make_bundle
	cfg '.hooks.prestart = [{path: "/bin/sleep", args: ["sleep", "60"], timeout: 1}]'
	cfg_args /bin/sleep 600
	local t0=$SECONDS
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial prestart
	assert_output --partial 'timed out after 1 s'
	# Well before the hook's own 60 s.
	[ $((SECONDS - t0)) -lt 30 ] || fail "the timeout was not honoured"
	husk_run -1 state "$ID"
	assert_clean
}
