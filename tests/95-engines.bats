#!/usr/bin/env bats
# 95-engines: a real container engine drives husk the way it drives runc.
# podman (through conmon) calls create/start/state/kill/delete/exec with its
# own bundles: cgroupsPath /libpod_parent/libpod-ID, a cgroup mount, a
# seccomp profile, a deny-all device rule, --log-format json (only when the
# runtime's file name is a known one, hence the `runc` symlink).  containerd
# (through containerd-shim-runc-v2) adds --root/--log/--log-format json to
# every call and sends no --tty to exec.
#
# Nothing is left behind: podman keeps its storage, run and tmp dirs under
# this file's temporary directory (vfs driver, no registry: --rootfs), runs
# with --network none (no iptables chains) and --ulimit at the current hard
# limits (root here lacks CAP_SYS_RESOURCE, podman's defaults would EPERM).
# containerd runs privately too: its own config, root, state and sockets
# under the same directory, the CRI plugin off, containers in the namespace
# husk-test so that their cgroups are /husk-test/ID like every other test's.

load helpers

setup_file() {
	command -v podman >/dev/null 2>&1 ||
		skip "podman is missing (install it: ./tests/install-deps.sh test)"
	PM_DIR="$BATS_FILE_TMPDIR/podman"
	mkdir -p "$PM_DIR/bin"
	# podman passes --log-format json only to runtimes it knows by name.
	ln -sf "$HUSK" "$PM_DIR/bin/runc"
	PM_ROOTFS="$PM_DIR/rootfs"
	"$REPO/bundles/mkrootfs.sh" "$PM_ROOTFS" --with-probe "$PROBE"
	export PM_DIR PM_ROOTFS
	command -v containerd >/dev/null 2>&1 && start_containerd
	return 0
}

# start_containerd: a containerd of our own; CTR_PID and CTR_DIR say where.
start_containerd() {
	CTR_DIR="$BATS_FILE_TMPDIR/containerd"
	mkdir -p "$CTR_DIR"
	cat >"$CTR_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTR_DIR/root"
		state = "$CTR_DIR/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTR_DIR/containerd.sock"
		[ttrpc]
		  address = "$CTR_DIR/containerd-ttrpc.sock"
		[debug]
		  address = "$CTR_DIR/debug.sock"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTR_DIR/opt"
	EOF
	containerd --config "$CTR_DIR/config.toml" >"$CTR_DIR/log" 2>&1 3>&- &
	CTR_PID=$!
	export CTR_DIR CTR_PID
	wait_until 20 ctr_ok
}

ctr_ok() {
	ctr version >/dev/null 2>&1
}

teardown_file() {
	[ -n "${PM_DIR:-}" ] || return 0
	RUNTIME=$HUSK pm rm --all --force --time 0 >/dev/null 2>&1 || true
	# podman's per-container /dev/shm tmpfs lives under its run dir.
	grep -F " $PM_DIR/" /proc/self/mountinfo | awk '{ print $5 }' |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	if [ -n "${CTR_PID:-}" ]; then
		kill -TERM "$CTR_PID" 2>/dev/null || true
		wait "$CTR_PID" 2>/dev/null || true
	fi
	# The shim's socket directory is fixed in containerd 1.6; drop it if
	# we made it and it is empty.
	rmdir /run/containerd/s /run/containerd 2>/dev/null || true
	# conmon's own cgroup, made by podman, goes once empty.
	for h in /sys/fs/cgroup/*/libpod_parent/conmon \
		/sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/unified/libpod_parent; do
		[ -d "$h" ] && rmdir "$h" 2>/dev/null || true
	done
}

setup() {
	common_setup
	command -v podman >/dev/null 2>&1 ||
		skip "podman is missing (install it: ./tests/install-deps.sh test)"
	RUNTIME=$HUSK
	NAME="hk-$ID"
	CIDFILE="$BATS_TEST_TMPDIR/cid"
}

teardown() {
	local cid=""
	[ -s "${CIDFILE:-/nonexistent}" ] && cid=$(cat "$CIDFILE")
	pm rm --force --time 0 "$NAME" >/dev/null 2>&1 || true
	if [ -n "${CTR_PID:-}" ]; then
		ctr task kill --signal SIGKILL "$ID" >/dev/null 2>&1 || true
		ctr task rm --force "$ID" >/dev/null 2>&1 || true
		ctr container rm "$ID" >/dev/null 2>&1 || true
	fi
	# The container's cgroup is husk's to remove; if it is not, say so,
	# after removing it so that later tests start clean.
	if [ -n "$cid" ]; then
		local left=() d
		for d in /sys/fs/cgroup/*/libpod_parent/libpod-"$cid" \
			/sys/fs/cgroup/unified/libpod_parent/libpod-"$cid"; do
			[ -d "$d" ] && left+=("$d") && rmdir "$d" 2>/dev/null
		done
		[ "${#left[@]}" -eq 0 ] ||
			echo "cgroups left behind: ${left[*]}" >&3
	fi
	common_teardown
}

# pm ARGS...: podman with private storage and $RUNTIME as the runtime.
pm() {
	timeout 60 podman --root "$PM_DIR/store" --runroot "$PM_DIR/run" \
		--tmpdir "$PM_DIR/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --runtime "$RUNTIME" "$@"
}

# pm_run [RUN-FLAGS] -- ARGS...: `run` podman run on the busybox rootfs
# (network: $PM_NETWORK, default none).
pm_run() {
	local flags=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	shift
	local nofile=20000 nproc=32768
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge $nofile ] ||
		nofile=$(ulimit -Hn)
	[ "$(ulimit -Hu)" = unlimited ] || [ "$(ulimit -Hu)" -ge $nproc ] ||
		nproc=$(ulimit -Hu)
	run pm run --name "$NAME" --cidfile "$CIDFILE" --network "${PM_NETWORK:-none}" \
		--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
		"${flags[@]}" --rootfs "$PM_ROOTFS" "$@"
}

# ctr ARGS...: containerd's client on our containerd, namespace husk-test.
ctr() {
	timeout 60 "$(type -P ctr)" --address "$CTR_DIR/containerd.sock" \
		--namespace husk-test "$@"
}

# ctr_run [RUN-FLAGS] -- ARGS...: `run` ctr run of container $ID with husk
# (state under our directory) on the busybox rootfs.
ctr_run() {
	local flags=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	shift
	run ctr run --runc-binary "$HUSK" --runc-root "$CTR_DIR/runc" \
		--fifo-dir "$CTR_DIR/fifo" \
		"${flags[@]}" --rootfs "$PM_ROOTFS" "$ID" "$@"
}

require_containerd() {
	[ -n "${CTR_PID:-}" ] ||
		skip "containerd is missing (install it: ./tests/install-deps.sh test)"
}

# logs_have LINE: the container's output so far has LINE.
logs_have() {
	pm logs "$NAME" 2>/dev/null | grep -qx "$1"
}

# assert_no_cgroup: the container's cgroups are gone from every hierarchy.
assert_no_cgroup() {
	local cid d
	cid=$(cat "$CIDFILE")
	for d in /sys/fs/cgroup/*/libpod_parent/libpod-"$cid" \
		/sys/fs/cgroup/unified/libpod_parent/libpod-"$cid"; do
		[ ! -d "$d" ] || fail "cgroup '$d' left behind"
	done
}

@test "engines: podman run --rm passes the payload's exit code through (husk by path)" {
	pm_run --rm -- sh -c 'echo hello; exit 3'
	assert_equal "$status" 3
	assert_output hello
	assert_no_cgroup
	# Negative control: a clean exit is 0, so 3 above came from the payload.
	rm -f "$CIDFILE"
	pm_run --rm -- true
	assert_success
}

@test "engines: podman run --rm through a symlink named runc (JSON log flags)" {
	RUNTIME="$PM_DIR/bin/runc"
	pm_run --rm -- sh -c 'echo hello; exit 3'
	assert_equal "$status" 3
	assert_output hello
	assert_no_cgroup
}

# What a podman container reads back of its limits and network: one line
# each, the same on cgroup v1 (hybrid hosts) and v2.
LIMITS_SCRIPT='
if [ -f /sys/fs/cgroup/cpu.max ]; then
	echo "cpu=$(cat /sys/fs/cgroup/cpu.max)"
	echo "mem=$(cat /sys/fs/cgroup/memory.max)"
	echo "pids=$(cat /sys/fs/cgroup/pids.max)"
else
	echo "cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
	echo "mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
	echo "pids=$(cat /sys/fs/cgroup/pids/pids.max)"
fi
echo "net="$(ls /sys/class/net)'

@test "engines: podman --cpus, --memory, --pids-limit and --network none are read back inside" {
	RUNTIME="$PM_DIR/bin/runc"
	pm_run --rm --cpus 0.5 --memory 64m --pids-limit 32 -- sh -c "$LIMITS_SCRIPT"
	assert_success
	assert_line --regexp '^cpu=50000 100000$'
	assert_line --regexp '^mem=67108864$'
	assert_line pids=32
	assert_line net=lo
	# Control: without the flags (and on the host's network) none of it.
	rm -f "$CIDFILE"
	PM_NETWORK=host pm_run --rm -- sh -c "$LIMITS_SCRIPT"
	assert_success
	assert_line --regexp '^cpu=(-1|max) 100000$'
	refute_line mem=67108864
	refute_line pids=32
	assert_line "net=$(echo $(ls /sys/class/net))"
	refute_line net=lo
}

@test "engines: podman run -d, exec, stop and rm" {
	RUNTIME="$PM_DIR/bin/runc"
	pm_run -d -- sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	assert_success
	run pm exec "$NAME" sh -c 'echo in-exec; exit 5'
	assert_equal "$status" 5
	assert_output in-exec
	# The exec'd process is in the container's cgroup, not the caller's.
	run pm exec "$NAME" cat /proc/self/cgroup
	assert_success
	assert_line --regexp "^[0-9]+:memory:/libpod_parent/libpod-$(cat "$CIDFILE")\$"
	# The error husk logs as JSON is what podman maps to 127.
	run -127 pm exec "$NAME" no-such-command
	assert_output --partial "executable file not found"
	run pm inspect --format '{{.State.Status}}' "$NAME"
	assert_output running
	run pm stop --time 10 "$NAME"
	assert_success
	run pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$NAME"
	assert_output "exited 0"
	run pm rm "$NAME"
	assert_success
	assert_no_cgroup
	run "$HUSK" state "$(cat "$CIDFILE")"
	assert_failure
}

@test "engines: podman kill -s USR1 reaches the payload's trap" {
	RUNTIME="$PM_DIR/bin/runc"
	pm_run -d -- sh -c 'trap "echo got-usr1" USR1; trap "exit 0" TERM
		echo ready; while :; do sleep 0.1; done'
	assert_success
	wait_until 10 logs_have ready
	run pm logs "$NAME"
	refute_line got-usr1
	run pm kill --signal USR1 "$NAME"
	assert_success
	wait_until 10 logs_have got-usr1
	run pm inspect --format '{{.State.Status}}' "$NAME"
	assert_output running
}

@test "engines: podman run -t through script: the payload has a terminal, the exit code comes back" {
	RUNTIME="$PM_DIR/bin/runc"
	local nofile=20000 nproc=32768
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge $nofile ] || nofile=$(ulimit -Hn)
	[ "$(ulimit -Hu)" = unlimited ] || [ "$(ulimit -Hu)" -ge $nproc ] || nproc=$(ulimit -Hu)
	# conmon asks for the pty master over --console-socket.
	local cmd
	cmd=$(printf '%q ' podman --root "$PM_DIR/store" \
		--runroot "$PM_DIR/run" --tmpdir "$PM_DIR/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --runtime "$RUNTIME" run -t --rm \
		--name "$NAME" --cidfile "$CIDFILE" --network none \
		--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
		--rootfs "$PM_ROOTFS" sh -c 'probe tty; exit 4')
	run on_tty 60 "exec $cmd" </dev/null
	assert_equal "$status" 4
	output=$(tr -d '\r' <<<"$output")
	mapfile -t lines <<<"$output"
	assert_line --regexp '^fd0=/dev/pts/[0-9]+$'
	assert_line --regexp '^fd1=/dev/pts/[0-9]+$'
	assert_line ctty=yes
	assert_line samefs=yes
	assert_no_cgroup
	# Control: without -t the payload's stdio is conmon's pipes.
	rm -f "$CIDFILE"
	pm_run --rm -- sh -c 'probe tty; exit 4'
	assert_equal "$status" 4
	assert_line fd1=notatty
	assert_line ctty=no
}

@test "engines: podman --read-only makes the rootfs read-only" {
	RUNTIME="$PM_DIR/bin/runc"
	pm_run --rm --read-only -- sh -c 'touch /x 2>/dev/null && echo wrote || echo refused'
	assert_success
	assert_output refused
	# Negative control: without --read-only the same write works.
	rm -f "$CIDFILE"
	pm_run --rm -- sh -c 'touch /x 2>/dev/null && rm /x && echo wrote || echo refused'
	assert_output wrote
}

@test "engines: podman --cap-drop ALL leaves no effective capability" {
	RUNTIME="$PM_DIR/bin/runc"
	pm_run --rm --cap-drop ALL -- grep '^CapEff' /proc/self/status
	assert_success
	assert_output --regexp '^CapEff:[[:space:]]+0000000000000000$'
	# Negative control: podman's default set is not empty.
	rm -f "$CIDFILE"
	pm_run --rm -- grep '^CapEff' /proc/self/status
	refute_output --regexp '^CapEff:[[:space:]]+0000000000000000$'
}

@test "engines: ctr run --rm passes the payload's exit code through" {
	require_containerd
	ctr_run --rm -- sh -c 'echo hello; exit 3'
	assert_equal "$status" 3
	assert_output hello
	# The cgroup containerd asked for was used, and is gone.
	[ ! -d "$(cgroup_dir memory)" ] || fail "cgroup $(cgroup_path) left behind"
	run ctr container ls -q
	assert_success
	refute_output --partial "$ID"
}

@test "engines: ctr task exec joins a detached container, in its cgroup" {
	require_containerd
	ctr_run -d -- sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	assert_success
	run ctr task exec --fifo-dir "$CTR_DIR/fifo" --exec-id e1 "$ID" sh -c 'echo in-exec; exit 6'
	assert_equal "$status" 6
	assert_output in-exec
	run ctr task exec --fifo-dir "$CTR_DIR/fifo" --exec-id e2 "$ID" cat /proc/self/cgroup
	assert_success
	assert_line --regexp "^[0-9]+:memory:$(cgroup_path)\$"
	run ctr task kill "$ID"
	assert_success
	wait_until 10 task_stopped
	run ctr task rm "$ID"
	assert_success
	run ctr container rm "$ID"
	assert_success
	[ ! -d "$(cgroup_dir memory)" ] || fail "cgroup $(cgroup_path) left behind"
}

task_stopped() {
	ctr task ls | grep -q "^$ID .*STOPPED"
}

@test "engines: ctr run -d, task kill --signal reaches the trap, task delete -f removes a running task" {
	require_containerd
	local log="$BATS_TEST_TMPDIR/ctr.log"
	ctr_run -d --log-uri "file://$log" -- sh -c 'trap "echo got-usr1" USR1
		trap "exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	assert_success
	wait_until 10 grep -qx ready "$log"
	run ctr task ls
	assert_line --regexp "^$ID +[0-9]+ +RUNNING\$"
	run -1 grep -q got-usr1 "$log"
	run ctr task kill --signal SIGUSR1 "$ID"
	assert_success
	wait_until 10 grep -qx got-usr1 "$log"
	# USR1 is trapped: the task runs on.
	run ctr task ls
	assert_line --regexp "^$ID +[0-9]+ +RUNNING\$"
	# delete -f on a running task: killed and gone, with husk's state and
	# the container's cgroup (both there until then).
	run "$HUSK" --root "$CTR_DIR/runc/husk-test" state "$ID"
	assert_success
	[ -d "$(cgroup_dir memory)" ] || fail "no cgroup $(cgroup_path) while running"
	run ctr task delete -f "$ID"
	assert_success
	run ctr task ls
	refute_output --partial "$ID"
	run "$HUSK" --root "$CTR_DIR/runc/husk-test" state "$ID"
	assert_failure
	assert_output --partial 'does not exist'
	[ ! -d "$(cgroup_dir memory)" ] || fail "cgroup $(cgroup_path) left behind"
	run ctr container rm "$ID"
	assert_success
}
