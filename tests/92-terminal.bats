#!/usr/bin/env bats
# 92-terminal: process.terminal.  husk makes the pty inside the container,
# from the container's own devpts, and either sends the master over
# --console-socket (create, run --detach, exec --detach: what conmon and
# containerd's shim do) or, in the foreground, proxies it itself.
#
# tests/probe/recvtty plays the engine: it listens on the socket, counts
# the descriptors that arrive and then talks to the pty.  A foreground run
# needs a terminal of its own: script(1) gives it one.  Host only.

load helpers

RECVTTY=$REPO/tests/probe/recvtty

setup() {
	common_setup
	[ -x "$RECVTTY" ] || fail "'$RECVTTY' is missing (build it: make tests/probe/recvtty)"
	SOCK="$BATS_TEST_TMPDIR/console.sock"
	RECV_OUT="$BATS_TEST_TMPDIR/recvtty.out"
}

# recv_start [RECVTTY-OPTIONS]: the receiver listening on $SOCK, its
# output in $RECV_OUT (with the pty's CRs), its pid in RECV_PID.
recv_start() {
	rm -f "$SOCK"
	"$RECVTTY" "$@" "$SOCK" >"$RECV_OUT" 2>&1 </dev/null &
	RECV_PID=$!
	track_pid "$RECV_PID"
	wait_until 5 test -S "$SOCK"
}

# recv_wait: the receiver has seen every slave close; output = what it
# printed, CRs gone; status = its exit status.
recv_wait() {
	status=0
	wait "$RECV_PID" || status=$?
	output=$(tr -d '\r' <"$RECV_OUT")
	lines=()
	mapfile -t lines <<<"$output"
}

received_master() {
	grep -qx -- --- "$RECV_OUT"
}

# "MAJ:MIN" of the file system a path lives on (for devpts instances).
fs_dev() {
	stat -c '%Hd:%Ld' "$1"
}

status_is() {
	[ "$("$HUSK" --root "$HUSK_ROOT" state "$ID" 2>/dev/null | jq -r .status)" = "$1" ]
}

@test "terminal: create --console-socket sends one pty master; the payload's tty is the container's devpts" {
	make_bundle
	cfg '.process.terminal = true'
	cfg_args probe tty
	recv_start
	husk_quiet create --bundle "$BUNDLE" --console-socket "$SOCK" "$ID"
	assert_success
	assert_output ''
	# The master arrived before create returned ... (recvtty prints ---
	# once it has read the connection to its end).
	wait_until 5 received_master
	husk_quiet start "$ID"
	assert_success
	recv_wait
	assert_success
	# ... in one message carrying exactly one descriptor, a pty master.
	assert_line fds=1
	assert_line fd_messages=1
	assert_line master=yes
	assert_line fstype=devpts
	# The payload has the slave on 0, 1 and 2 as its controlling tty.
	assert_line fd0=/dev/pts/0
	assert_line fd1=/dev/pts/0
	assert_line fd2=/dev/pts/0
	assert_line ctty=yes
	assert_line leader=yes
	# The slave lives on the devpts mounted at the container's /dev/pts,
	# the master on that same instance, and it is not the host's.
	assert_line samefs=yes
	local inside
	inside=$(sed -n 's/^ptsfs=//p' <<<"$output")
	assert_line "fsdev=$inside"
	[ "$inside" != "$(fs_dev /dev/pts)" ] ||
		fail "the container's devpts ($inside) is the host's /dev/pts"
	wait_until 10 status_is stopped
	husk_run -0 delete "$ID"
	assert_clean
}

@test "terminal: control: without process.terminal the payload has no tty" {
	make_bundle
	cfg_args probe tty
	husk_run -0 run --bundle "$BUNDLE" "$ID" </dev/null
	assert_line fd0=notatty
	assert_line fd1=notatty
	assert_line ctty=no
	assert_line samefs=no
	assert_clean
}

@test "terminal: control: recvtty reports a second descriptor or none at all" {
	# What `fds=1 fd_messages=1` above would look like if a runtime sent
	# two fds in one message, or a message with none.
	recv_start
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
socket.send_fds(s, [b"x"], [0, 1])' "$SOCK" </dev/null >/dev/null
	recv_wait
	assert_equal "$status" 3
	assert_line fds=2
	recv_start
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.send(b"x")' "$SOCK"
	recv_wait
	assert_equal "$status" 3
	assert_line fds=0
}

@test "terminal: input and the window size set on the received master reach the payload" {
	make_bundle
	cfg '.process.terminal = true'
	cfg_args sh -c 'stty size; read line; echo "got:$line"; exit 4'
	recv_start --size 40x100 --input 'hello\n'
	husk_quiet create --bundle "$BUNDLE" --console-socket "$SOCK" "$ID"
	assert_success
	wait_until 5 received_master
	husk_quiet start "$ID"
	assert_success
	recv_wait
	assert_success
	assert_line '40 100'
	assert_line got:hello
	wait_until 10 status_is stopped
	husk_run -0 delete "$ID"
	assert_clean
}

@test "terminal: exec --tty --detach --console-socket, and a --process with terminal true (containerd sends no --tty)" {
	make_bundle
	cfg_args sleep 600
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_success
	local init
	init=$("$HUSK" --root "$HUSK_ROOT" state "$ID" | jq -r .pid)
	recv_start
	husk_quiet exec --detach --tty --console-socket "$SOCK" \
		--pid-file "$BATS_TEST_TMPDIR/epid" "$ID" probe tty
	assert_success
	assert_output ''
	recv_wait
	assert_success
	assert_line fds=1
	assert_line fd_messages=1
	assert_line master=yes
	assert_line fd0=/dev/pts/0
	assert_line fd2=/dev/pts/0
	assert_line ctty=yes
	assert_line samefs=yes
	# The devpts is the container's: the one its init sees.
	local inside
	inside=$(sed -n 's/^ptsfs=//p' <<<"$output")
	assert_line "fsdev=$inside"
	assert_equal "$inside" "$(fs_dev "/proc/$init/root/dev/pts")"
	[ "$inside" != "$(fs_dev /dev/pts)" ] || fail "the host's devpts was used"
	run -0 cat "$BATS_TEST_TMPDIR/epid"
	assert_output --regexp '^[1-9][0-9]*$'

	# containerd: the terminal comes from the process JSON.
	"$HUSK" --root "$HUSK_ROOT" state "$ID" >/dev/null
	jq '.process | .terminal = true | .args = ["probe", "tty"]' \
		"$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
	recv_start
	husk_quiet exec --detach --process "$BATS_TEST_TMPDIR/process.json" \
		--console-socket "$SOCK" "$ID"
	assert_success
	recv_wait
	assert_success
	assert_line fds=1
	assert_line fd0=/dev/pts/0
	assert_line ctty=yes

	# Control: exec without a terminal has none.
	husk_run -0 exec "$ID" probe tty </dev/null
	assert_line fd0=notatty
	assert_line ctty=no
	husk_run -0 delete --force "$ID"
	assert_clean
}

@test "terminal: a foreground run proxies the pty: input, output and the exit status" {
	make_bundle
	cfg '.process.terminal = true'
	cfg_args sh -c 'probe tty; read line; echo "got:$line"; exit 3'
	# script gives husk a terminal on 0, 1, 2 and feeds it our stdin.
	run on_tty 20 "$(printf '%q ' "$HUSK" --root "$HUSK_ROOT" run --bundle "$BUNDLE" "$ID")" \
		< <(printf 'hello\n')
	assert_equal "$status" 3
	output=$(tr -d '\r' <<<"$output")
	mapfile -t lines <<<"$output"
	assert_line fd0=/dev/pts/0
	assert_line ctty=yes
	assert_line samefs=yes
	assert_line got:hello
	assert_clean
}

@test "terminal: the outer terminal's resize (SIGWINCH) reaches the payload's pty" {
	make_bundle
	cfg '.process.terminal = true | .root.readonly = false'
	# The payload notes its size, then waits for it to change.
	cfg_args sh -c 'trap "echo winch" WINCH; stty size >/before
		while [ "$(stty size)" = "24 80" ]; do sleep 0.05; done
		echo "after: $(stty size)"; exit 3'
	# Inside script: start husk with the terminal as stdin (a background
	# job would get /dev/null), wait for the payload, resize the terminal.
	local inner
	inner="stty rows 24 cols 80; exec 3<&0
		$(printf '%q ' "$HUSK" --root "$HUSK_ROOT" run --bundle "$BUNDLE" "$ID") <&3 3<&- &
		pid=\$!
		until [ -s $(printf '%q' "$BUNDLE/rootfs/before") ]; do sleep 0.05; done
		stty rows 40 cols 100
		wait \$pid"
	run on_tty 20 "$inner" </dev/null
	assert_equal "$status" 3
	output=$(tr -d '\r' <<<"$output")
	mapfile -t lines <<<"$output"
	assert_line 'after: 40 100'
	# The payload's own SIGWINCH too.  (script turns the end of its stdin
	# into a byte the container's pty echoes as ^@.)
	assert_line --regexp '^(\^@)?winch$'
	# Control: the payload started at the old size, so it had to change.
	run -0 cat "$BUNDLE/rootfs/before"
	assert_output '24 80'
	assert_clean
}

@test "terminal: --console-socket without a terminal, or in the foreground, is refused as runc refuses it; leaves nothing" {
	make_bundle
	cfg_args sleep 600
	recv_start
	# terminal false: there is nothing to send.
	husk_quiet create --bundle "$BUNDLE" --console-socket "$SOCK" "$ID"
	assert_failure
	assert_output --partial 'process.terminal is false'
	assert_clean
	# A foreground run proxies the pty itself.
	cfg '.process.terminal = true'
	husk_quiet run --bundle "$BUNDLE" --console-socket "$SOCK" "$ID"
	assert_failure
	assert_output --partial 'only for a detached process'
	assert_clean
	# A detached terminal needs the socket: nobody would hold the master.
	husk_quiet create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial '--console-socket is required'
	assert_clean
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial '--console-socket is required'
	assert_clean
	# None of them connected: the receiver is still waiting.
	kill -0 "$RECV_PID" || fail "recvtty got a connection"
	run -0 cat "$RECV_OUT"
	assert_output ''

	# exec: the same rules, with --tty or the process JSON's terminal.
	cfg '.process.terminal = false'
	husk_quiet run --detach --bundle "$BUNDLE" "$ID"
	assert_success
	husk_quiet exec --detach --console-socket "$SOCK" "$ID" true
	assert_failure
	assert_output --partial 'process.terminal is false'
	husk_quiet exec --tty --console-socket "$SOCK" "$ID" true
	assert_failure
	assert_output --partial 'only for a detached process'
	husk_quiet exec --detach --tty "$ID" true
	assert_failure
	assert_output --partial '--console-socket is required'
	kill -0 "$RECV_PID" || fail "recvtty got a connection"
	# Control: the one good combination connects.
	husk_quiet exec --detach --tty --console-socket "$SOCK" "$ID" true
	assert_success
	recv_wait
	assert_success
	assert_line fds=1
	husk_run -0 delete --force "$ID"
	assert_clean
}
