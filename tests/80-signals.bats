#!/usr/bin/env bats
# 80-signals: husk stands between the caller and the payload.  Signals sent
# to husk reach the payload, the payload's death reaches husk's exit status
# (128+N for a signal, like a shell), orphans never linger as zombies, and
# husk's own blocked signal mask never leaks into the payload.

load helpers

# start_trap SIG...: run `probe trap --exit 42 SIG...` under husk in the
# background and wait until it has its handlers installed.
start_trap() {
	make_bundle
	cfg_args probe trap --exit 42 "$@"
	husk_bg run -b "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/init.pid" "$ID"
	wait_until 10 grep -qx ready "$BG_OUT"
}

# signal_reaches_payload SIG: send SIG to husk itself; the payload's trap
# catches it and husk exits with the payload's own status.
signal_reaches_payload() {
	start_trap "$1"
	kill -"$1" "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	run cat "$BG_OUT"
	assert_line "got SIG$1"
	assert_equal "$rc" 42
	assert_clean
}

@test "signals: SIGTERM to husk reaches the payload, husk exits with its code" {
	signal_reaches_payload TERM
}

@test "signals: SIGINT to husk reaches the payload" {
	signal_reaches_payload INT
}

@test "signals: SIGUSR1 to husk reaches the payload" {
	signal_reaches_payload USR1
}

@test "signals: SIGHUP to husk reaches the payload" {
	signal_reaches_payload HUP
}

@test "signals: each signal arrives as itself (USR2 is not reported as USR1)" {
	# Negative control for the tests above: the trap really only reports
	# the signal it gets, so "got SIGTERM" was not printed regardless.
	start_trap USR1 USR2
	kill -USR2 "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	run cat "$BG_OUT"
	assert_line 'got SIGUSR2'
	refute_line 'got SIGUSR1'
	assert_equal "$rc" 42
}

@test "signals: SIGKILL of the payload from the host makes husk exit 137" {
	start_trap TERM
	local init
	init=$(cat "$BATS_TEST_TMPDIR/init.pid")
	[[ $init =~ ^[0-9]+$ ]] || fail "pid file holds '$init'"
	# The pid file names the payload, not husk.
	assert [ "$init" != "$BG_PID" ]
	run -0 grep -c '' "/proc/$init/cmdline"
	kill -KILL "$init"
	local rc=0
	wait "$BG_PID" || rc=$?
	assert_equal "$rc" 137
	run cat "$BG_OUT"
	refute_line 'got SIGTERM'
	assert_clean
}

# zombies_of PID: the pid of every zombie child of PID.  One cat and one
# awk for all processes (a process that exits meanwhile is just skipped).
zombies_of() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v p="$1" '{ pid = $1; sub(/^.*\) /, ""); if ($1 == "Z" && $2 == p) print pid }'
	return 0
}
export -f zombies_of

@test "signals: orphans reparented to husk (no pid namespace) are reaped" {
	make_bundle
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	cfg_args sh -c '(sleep 2 & echo "long $!"); probe orphans 3; sleep 30'
	husk_bg run -b "$BUNDLE" "$ID"
	wait_until 10 bash -c '[ "$(grep -c "^orphan " "$1")" = 3 ]' _ "$BG_OUT"
	local pids p long
	pids=$(sed -n 's/^orphan //p' "$BG_OUT")
	long=$(sed -n 's/^long //p' "$BG_OUT")
	# Control: they really are husk's to reap — the long-lived orphan's
	# parent is husk, the subreaper, not the host's init.
	run -0 sed 's/^.*) //' "/proc/$long/stat"
	assert_equal "$(cut -d' ' -f2 <<<"$output")" "$BG_PID"
	pids="$pids $long"
	for p in $pids; do
		wait_until 5 bash -c '! [ -e "/proc/$1" ]' _ "$p"
	done
	assert [ -d "/proc/$BG_PID" ]
	run zombies_of "$BG_PID"
	assert_output ''
	# Negative control: zombies_of does see a zombie when there is one
	# (a child that exited under a parent that never waits; probe puts
	# SIGCHLD back at its default, which a CI runner may have ignored).
	"$PROBE" zombie 60 >"$BATS_TEST_TMPDIR/zombie" &
	local keeper=$!
	track_pid "$keeper"
	wait_until 10 grep -q '^zombie ' "$BATS_TEST_TMPDIR/zombie"
	wait_until 10 bash -c '[ -n "$(zombies_of "$1")" ]' _ "$keeper"
	run zombies_of "$keeper"
	assert_output "$(sed -n 's/^zombie //p' "$BATS_TEST_TMPDIR/zombie")"
	kill -TERM "$BG_PID"
	wait "$BG_PID" || true
	assert_clean
}

@test "signals: a caller that ignores SIGCHLD still gets the exit codes of run and exec" {
	make_bundle
	# Control: an ignored SIGCHLD survives exec, so husk really is
	# started with it ignored (bit 17 of SigIgn).
	# (The caller may ignore others too: only that bit is checked.)
	run -0 "$PROBE" ignore 17 -- "$PROBE" sigmask
	local ign
	ign=$(sed -n 's/^SigIgn=//p' <<<"$output")
	assert [ $((0x$ign & 0x10000)) -ne 0 ]
	# The kernel would reap husk's children before husk waits for them.
	cfg_args probe exit 3
	run -3 "$PROBE" ignore 17 -- "$HUSK" --root "$HUSK_ROOT" run -b "$BUNDLE" "$ID"
	refute_output --partial 'No child processes'
	assert_clean
	cfg_args sleep 30
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	run -4 "$PROBE" ignore 17 -- "$HUSK" --root "$HUSK_ROOT" exec "$ID" probe exit 4
	husk_quiet delete --force "$ID"
	assert_clean
	# The payload itself gets SIGCHLD at its default again.
	cfg_args probe sigmask
	run -0 "$PROBE" ignore 17 -- "$HUSK" --root "$HUSK_ROOT" run -b "$BUNDLE" "$ID"
	assert_line 'SigIgn=0000000000000000'
	assert_clean
}

@test "signals: orphans inside a pid namespace go to its init and leave no zombie" {
	make_bundle
	# sh stays the container's init (the trailing "true" keeps it from
	# exec'ing sleep) and reaps whatever is reparented to it.
	cfg_args sh -c 'probe orphans 3; sleep 30; true'
	husk_bg run -b "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/init.pid" "$ID"
	wait_until 10 bash -c '[ "$(grep -c "^orphan " "$1")" = 3 ]' _ "$BG_OUT"
	local init
	init=$(cat "$BATS_TEST_TMPDIR/init.pid")
	# The pid file names the container's pid 1, to which orphans go.
	run -0 awk '$1 == "NSpid:" { print $NF }' "/proc/$init/status"
	assert_output 1
	# The orphans exit after 0.2 s; then no zombie child of the init or of
	# husk is left.
	wait_until 5 bash -c '[ -z "$(zombies_of "$1")" ]' _ "$init"
	run zombies_of "$BG_PID"
	assert_output ''
	kill -TERM "$BG_PID"
	wait "$BG_PID" || true
	assert_clean
}

@test "signals: the payload's signal mask is empty though husk blocks signals" {
	make_bundle
	cfg_args sh -c 'probe sigmask; sleep 30'
	# A caller that ignores signals (a CI runner did: 32 and 33, which
	# glibc's sigaction cannot even reset) must not hand that down.
	"$PROBE" ignore 13 32 33 -- "$HUSK" --root "$HUSK_ROOT" run -b "$BUNDLE" "$ID" \
		>"$BG_OUT" 2>&1 </dev/null &
	BG_PID=$!
	track_pid "$BG_PID"
	wait_until 10 grep -q '^SigBlk=' "$BG_OUT"
	run cat "$BG_OUT"
	assert_line 'SigBlk=0000000000000000'
	assert_line 'SigIgn=0000000000000000'
	# Negative control: husk itself, still running, does block signals
	# (it takes them through a signalfd), so the empty mask above is a
	# reset husk did, not an inherited default.
	run -0 awk '$1 == "SigBlk:" { print $2 }' "/proc/$BG_PID/status"
	refute_output 0000000000000000
	# exec resets them too.
	run -0 "$PROBE" ignore 13 32 33 -- "$HUSK" --root "$HUSK_ROOT" exec "$ID" probe sigmask
	assert_line 'SigBlk=0000000000000000'
	assert_line 'SigIgn=0000000000000000'
	kill -TERM "$BG_PID"
	wait "$BG_PID" || true
	assert_clean
}
