#!/usr/bin/env bats
# 85-sandbox: `husk sandbox` runs a host command in a container written by
# husk itself: the host's / read-only, the current directory writable, a
# fresh /tmp, its own pid/mount/uts/ipc/cgroup/network namespaces, docker's
# capabilities.  Also --report (what a job used, from its cgroup) and
# --init (husk's own PID 1), which `run` has too.

load helpers

setup() {
	common_setup
	WORK="$BATS_TEST_TMPDIR/work"
	mkdir -p "$WORK"
	cd "$WORK"
	# The sandbox's /tmp is its own tmpfs: a probe in a tree under /tmp
	# would be hidden.  The working directory is always bound, so the
	# probe goes there.
	cp "$PROBE" "$WORK/.probe"
	SB_PROBE="$WORK/.probe"
	HOSTMNT=""
	UDIR=""
}

teardown() {
	local p
	cd /
	if [ -n "$UDIR" ]; then
		# Whatever the user's husk left running from the user's directory.
		while read -r p; do
			p=${p#/proc/}
			kill -KILL "${p%%/*}" 2>/dev/null || true
		done < <(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$UDIR*" 2>/dev/null)
		_mounts_under "$UDIR" | sort -r | while read -r p; do umount -l "$p"; done
		rm -rf "$UDIR"
	fi
	if [ -n "$HOSTMNT" ]; then
		umount "$HOSTMNT" 2>/dev/null || true
		rmdir "$HOSTMNT" 2>/dev/null || true
	fi
	common_teardown
}

# sb [bats run flags] ARGS...: husk sandbox in this test's cgroup.
sb() {
	_sb husk_run "$@"
}

# _sb RUNNER [bats run flags] ARGS...: `husk sandbox ARGS` in this test's
# cgroup path, through RUNNER: husk_run (as root) or sb_user's.
_sb() {
	local runner=$1 flags=()
	shift
	while [[ $# -gt 0 && ( $1 == -[0-9]* || $1 == ! || $1 == --separate-stderr ) ]]; do
		flags+=("$1")
		shift
	done
	"$runner" "${flags[@]}" sandbox --cgroup-path "$(cgroup_path)" "$@"
}

# check_timeout SB: --timeout through SB (sb or sb_user).  sleep as PID 1
# ignores SIGTERM, so only the SIGKILL after the grace ends it; with --init
# SIGTERM reaches sleep and suffices; negative control: a job that ends in
# time keeps its own status.
check_timeout() {
	local sb=$1
	"$sb" --timeout 0.5s --kill-after 0.2s -- sleep 60
	assert_failure 124
	assert_output --partial "sending SIGKILL"
	"$sb" --init --timeout 0.5s --kill-after 30s -- sleep 60
	assert_failure 124
	refute_output --partial "sending SIGKILL"
	"$sb" --timeout 30s -- sh -c 'exit 3'
	assert_failure 3
}

# No state, no cgroup: the generated id is sandbox-<pid>, so look for any.
assert_sandbox_clean() {
	assert_clean
	[ ! -d "$HUSK_ROOT" ] || {
		run find "$HUSK_ROOT" -mindepth 1 -maxdepth 1 -name 'sandbox-*'
		assert_output ""
	}
}

# ---------------------------------------------------------------- the CI case

@test "sandbox: a CI job can read /, cannot write it, and writes its directory" {
	sb --separate-stderr -- sh -c 'make -v >/dev/null 2>&1; ls /; touch /etc/x'
	assert_failure
	assert_line usr
	assert_line etc
	[[ $stderr == *"Read-only file system"* ]]
	[ ! -e /etc/x ]

	sb -- sh -c 'touch ./built && pwd'
	assert_success
	assert_output "$WORK"
	# The write went to the caller's directory, on the host.
	[ -f "$WORK/built" ]
	assert_sandbox_clean
}

@test "sandbox: the host's submounts are read-only too; the host can still write them" {
	HOSTMNT=$(mktemp -d -p /var/tmp husk-sbx.XXXXXX)
	mount -t tmpfs husk-sbx "$HOSTMNT"
	# Negative control: writable from the host.
	touch "$HOSTMNT/from-host"
	sb --separate-stderr -- touch "$HOSTMNT/from-sandbox"
	assert_failure
	[[ $stderr == *"Read-only file system"* ]]
	[ ! -e "$HOSTMNT/from-sandbox" ]
	sb -- cat /proc/self/mountinfo
	assert_success
	# Nothing of the container is left mounted on the host.
	run grep -c " $HOSTMNT " /proc/self/mountinfo
	assert_output 1
}

@test "sandbox: a working directory on the root filesystem itself" {
	HOSTMNT=""
	local dir
	dir=$(mktemp -d -p /var/tmp husk-sbx-cwd.XXXXXX)
	cd "$dir"
	sb -- sh -c 'echo made > out; touch /var/tmp/elsewhere-$$'
	local rc=$status
	cd /
	run cat "$dir/out"
	rm -rf "$dir"
	assert_output made
	[ "$rc" -ne 0 ] # /var/tmp itself stays read-only
}

@test "sandbox: --ro makes the current directory read-only" {
	sb --separate-stderr --ro -- touch ./x
	assert_failure
	[[ $stderr == *"Read-only file system"* ]]
	[ ! -e "$WORK/x" ]
	# Reading still works.
	echo hello >"$WORK/in"
	sb --ro -- cat ./in
	assert_output hello
}

@test "sandbox: /tmp is a fresh tmpfs" {
	local f
	f=$(mktemp /tmp/husk-sbx-host.XXXXXX)
	sb -- sh -c "test -e '$f' && echo visible; awk '\$2 == \"/tmp\" { print \$3 }' /proc/mounts; touch /tmp/mine"
	rm -f "$f"
	assert_success
	assert_output tmpfs
	[ ! -e /tmp/mine ]
}

# ---------------------------------------------------------------- isolation

@test "sandbox: own pid, uts, ipc, mount, cgroup namespaces; pid 1" {
	sb -- "$SB_PROBE" pid
	assert_output "pid=1 ppid=0"
	for ns in pid uts ipc mnt cgroup net; do
		sb -- readlink "/proc/self/ns/$ns"
		assert_success
		refute_output "$(readlink "/proc/self/ns/$ns")"
	done
	sb -- hostname
	assert_output sandbox
	sb --hostname ci-box -- hostname
	assert_output ci-box
}

@test "sandbox: --net none (default) has only lo; --net host has the host's interfaces" {
	sb -- sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"
	assert_output lo
	local host
	host=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
	sb --net host -- sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' '"
	assert_output "$host"
	sb --net host -- readlink /proc/self/ns/net
	assert_output "$(readlink /proc/self/ns/net)"
	sb ! --net bogus -- true
	assert_output --partial "--net: expected none or host"
}

@test "sandbox: docker's default capabilities, no_new_privs; --cap-add and --cap-drop" {
	sb -- "$SB_PROBE" caps
	assert_line CapEff=00000000a80425fb
	assert_line CapBnd=00000000a80425fb
	assert_line CapInh=0000000000000000
	sb -- "$SB_PROBE" nnp
	assert_line NoNewPrivs=1
	# CAP_NET_ADMIN (bit 12) added, CAP_NET_RAW (bit 13) dropped.
	sb --cap-add net_admin --cap-drop CAP_NET_RAW -- "$SB_PROBE" caps
	assert_line CapEff=00000000a80415fb
	sb --cap-drop ALL --cap-add CHOWN -- "$SB_PROBE" caps
	assert_line CapEff=0000000000000001
	sb ! --cap-add CAP_NOPE -- true
	assert_output --partial "--cap-add: unknown capability 'CAP_NOPE'"
	assert_sandbox_clean
}

@test "sandbox: the environment is small; --env, --env K, --env-inherit" {
	export HUSK_SBX_SECRET=from-host HUSK_SBX_KEPT=from-host
	sb -- env
	assert_line --regexp '^PATH='
	refute_line --partial HUSK_SBX_SECRET
	refute_line --partial HUSK_SBX_KEPT
	sb --env A=1 --env HUSK_SBX_SECRET --env UNSET_HUSK_VAR -- env
	assert_line A=1
	assert_line HUSK_SBX_SECRET=from-host
	refute_line --partial UNSET_HUSK_VAR
	sb --env-inherit --env HUSK_SBX_SECRET=over -- env
	assert_line HUSK_SBX_SECRET=over
	# The whole caller's environment (not HOME: a CI job may have none).
	assert_line HUSK_SBX_KEPT=from-host
}

@test "sandbox: --bind SRC:DST[:ro]" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	echo in >"$BATS_TEST_TMPDIR/data/f"
	sb --bind "$BATS_TEST_TMPDIR/data:/mnt" -- sh -c 'cat /mnt/f; echo out > /mnt/g'
	assert_success
	assert_output in
	[ "$(cat "$BATS_TEST_TMPDIR/data/g")" = out ]
	sb --bind "$BATS_TEST_TMPDIR/data:/mnt:ro" -- sh -c 'echo x > /mnt/h'
	assert_failure
	[ ! -e "$BATS_TEST_TMPDIR/data/h" ]
	# A destination missing from the host's / is refused, not created there.
	sb ! --bind "$BATS_TEST_TMPDIR/data:/husk-sbx-nope" -- true
	assert_output --partial "destination '/husk-sbx-nope'"
	[ ! -e /husk-sbx-nope ]
	sb ! --bind /nonexistent-husk -- true
	assert_output --partial "source"
	assert_sandbox_clean
}

# ---------------------------------------------------------------- limits

@test "sandbox: --memory kills a job over the limit (137); under it, it runs" {
	require_kernel_feature cgroup-memory
	sb --memory 32M -- "$SB_PROBE" memhog 8
	assert_success
	sb --memory 32M -- "$SB_PROBE" memhog 128
	assert_failure 137
	assert_output --partial "OOM killer"
	assert_sandbox_clean
}

@test "sandbox: --pids limits forks; --cpus sets the quota" {
	require_kernel_feature cgroup-pids
	sb --pids 10 -- "$SB_PROBE" forkbomb 50
	assert_success
	[[ $output =~ forked=([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -lt 10 ]
	sb -- "$SB_PROBE" forkbomb 50
	assert_line --partial forked=50
	sb --cpus 1.5 --print-spec -- true
	[ "$(jq -c .linux.resources.cpu <<<"$output")" = '{"quota":150000,"period":100000}' ]
	sb ! --memory lots -- true
	assert_output --partial "--memory: expected a size"
	sb ! --cpus 0 -- true
	assert_sandbox_clean
}

# ---------------------------------------------------------------- exit status

@test "sandbox: --timeout: SIGTERM, then SIGKILL after the grace; exit 124" {
	check_timeout sb
	sb ! --timeout soon -- true
	assert_output --partial "--timeout: expected a duration"
	assert_sandbox_clean
}

@test "sandbox: exit status is the command's, 128+N for a signal; stdio passes through" {
	sb -- sh -c 'exit 5'
	assert_failure 5
	sb --init -- sh -c 'kill -TERM $$'
	assert_failure 143
	run -0 bash -c "echo piped | '$HUSK' --root '$HUSK_ROOT' sandbox --cgroup-path '$(cgroup_path)' -- sh -c 'cat; echo err >&2' 2>'$BATS_TEST_TMPDIR/err'"
	assert_output piped
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = err ]
	sb -127 -- /no/such/command
	assert_sandbox_clean
}

# ---------------------------------------------------------------- the spec

@test "sandbox: --print-spec is a valid config.json that husk run runs the same" {
	sb --print-spec --memory 64M --pids 20 --hostname grad --env A=b -- sh -c 'hostname; echo $A'
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/config.json"
	run python3 "$REPO/tests/validate-schema.py" config "$BATS_TEST_TMPDIR/config.json"
	assert_success
	[ "$(jq -r .root.path "$BATS_TEST_TMPDIR/config.json")" = / ]
	[ "$(jq -r .root.readonly "$BATS_TEST_TMPDIR/config.json")" = true ]
	[ "$(jq -r .linux.cgroupsPath "$BATS_TEST_TMPDIR/config.json")" = "$(cgroup_path)" ]
	# Graduate: the same config as a bundle.
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	mkdir -p "$BUNDLE"
	cp "$BATS_TEST_TMPDIR/config.json" "$BUNDLE/"
	husk_run run -b "$BUNDLE" "$ID"
	assert_success
	assert_output $'grad\nb'
	assert_clean
}

@test "sandbox: --seccomp default is husk spec's profile; FILE and unconfined" {
	require_kernel_feature seccomp
	sb --print-spec -- true
	local mine theirs
	mine=$(jq -c '.linux.seccomp' <<<"$output")
	theirs=$("$HUSK" spec --bundle "$BATS_TEST_TMPDIR" && jq -c '.linux.seccomp' "$BATS_TEST_TMPDIR/config.json")
	assert_equal "$mine" "$theirs"
	cat >"$BATS_TEST_TMPDIR/deny-mkdir.json" <<-'EOF'
	{ "defaultAction": "SCMP_ACT_ALLOW",
	  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ] }
	EOF
	sb --seccomp "$BATS_TEST_TMPDIR/deny-mkdir.json" -- mkdir ./d
	assert_failure
	assert_output --partial "Operation not permitted"
	sb --seccomp unconfined -- sh -c 'mkdir ./d && grep ^Seccomp: /proc/self/status'
	assert_success
	assert_line --regexp '^Seccomp:.0'
	sb ! --seccomp "$BATS_TEST_TMPDIR/missing.json" -- true
	assert_sandbox_clean
}

@test "sandbox: bad options leave nothing behind" {
	sb ! --bogus -- true
	assert_output --partial "unknown option"
	sb ! --
	assert_output --partial "missing the command"
	sb ! --report=xml -- true
	sb ! --report=json
	assert_sandbox_clean
}

# ---------------------------------------------------------------- --report

@test "report: a 64 MiB allocation shows a peak of at least 64 MiB (negative control: 1 MiB)" {
	require_kernel_feature cgroup-memory
	sb --memory 256M --report=json "$BATS_TEST_TMPDIR/r.json" -- "$SB_PROBE" memhog 64
	assert_success
	local peak
	peak=$(jq .memory.peak_bytes "$BATS_TEST_TMPDIR/r.json")
	[ "$peak" -ge $((64 << 20)) ]
	[ "$(jq .memory.limit_bytes "$BATS_TEST_TMPDIR/r.json")" -eq $((256 << 20)) ]
	[ "$(jq .memory.oom_kills "$BATS_TEST_TMPDIR/r.json")" -eq 0 ]
	[ "$(jq .exit_status "$BATS_TEST_TMPDIR/r.json")" -eq 0 ]
	sb --report=json "$BATS_TEST_TMPDIR/r1.json" -- "$SB_PROBE" memhog 1
	peak=$(jq .memory.peak_bytes "$BATS_TEST_TMPDIR/r1.json")
	[ "$peak" -lt $((64 << 20)) ]
	assert_sandbox_clean
}

@test "report: a 0.5 s busy loop shows its CPU time" {
	sb --report=json "$BATS_TEST_TMPDIR/r.json" -- "$SB_PROBE" burn 0.5
	assert_success
	# The probe's own CPU clock: on a busy machine it may get less than
	# 0.5 s of CPU in 0.5 s; the cgroup must account at least what it got.
	[[ $output =~ cpu=([0-9.]+) ]]
	local probe_cpu=${BASH_REMATCH[1]} cg_cpu
	cg_cpu=$(jq '(.cpu.user_usec + .cpu.system_usec) / 1e6' "$BATS_TEST_TMPDIR/r.json")
	awk -v c="$cg_cpu" -v p="$probe_cpu" 'BEGIN { exit !(c >= p - 0.05) }'
	if awk -v p="$probe_cpu" 'BEGIN { exit !(p >= 0.45) }'; then
		awk -v c="$cg_cpu" 'BEGIN { exit !(c >= 0.4) }'
	fi
	# Negative control: sleeping as long is not CPU (setting the container
	# up is charged to both, which on a slow VM is not small).
	sb --report=json "$BATS_TEST_TMPDIR/r0.json" -- sleep 0.5
	local idle
	idle=$(jq '(.cpu.user_usec + .cpu.system_usec) / 1e6' "$BATS_TEST_TMPDIR/r0.json")
	awk -v i="$idle" -v c="$cg_cpu" -v p="$probe_cpu" 'BEGIN { exit !(i + p / 2 < c) }'
}

@test "report: one human line on stderr; the limits that were hit" {
	sb --separate-stderr --memory 32M --pids 50 --report -- "$SB_PROBE" memhog 128
	assert_failure 137
	run grep -c '^husk: report: ' <<<"$stderr"
	assert_output 1
	[[ $stderr =~ "memory peak "[0-9.]+" MiB of 32.0 MiB" ]]
	[[ $stderr == *"oom kills 1"* || $stderr == *"oom kills 2"* ]]
	[[ $stderr == *"of 50"* ]]
	[[ $stderr == *"hit: memory (OOM kill)"* ]]
	assert_sandbox_clean
}

@test "report: --report on run; none without it" {
	make_bundle
	cfg_args probe memhog 16
	husk_run --separate-stderr run --report -b "$BUNDLE" "$ID"
	assert_success
	[[ $stderr =~ "husk: report: $ID: wall "[0-9.]+"s, cpu user" ]]
	[[ $stderr =~ "pids peak "([0-9]+|n/a)" of " ]]
	refute [ -z "$stderr" ]
	# Negative control: no --report, no line.
	husk_run --separate-stderr run -b "$BUNDLE" "$ID"
	assert_equal "$stderr" ""
	assert_clean
}

# ---------------------------------------------------------------- --init

# zombies: how many zombie processes `ps` in the container shows.
zombies() {
	"$HUSK" --root "$HUSK_ROOT" exec "$ID" ps -o stat= | grep -c '^Z' || true
}

# start_orphans [--init]: a payload that leaves 3 orphans to PID 1, then
# sleeps (sleep never waits for children it did not make).
start_orphans() {
	make_bundle
	cfg_args sh -c 'probe orphans 3; exec sleep 30'
	husk_bg run "$@" -b "$BUNDLE" "$ID"
	wait_until 10 count_is 3 grep -c orphan "$BG_OUT"
}

# count_is N CMD...: CMD prints N (for wait_until, which must re-run it).
count_is() {
	[ "$("${@:2}")" -eq "$1" ]
}

# in_ctr CMD...: run CMD in the container.
in_ctr() {
	"$HUSK" --root "$HUSK_ROOT" exec "$ID" "$@"
}

processes() {
	in_ctr ps -o pid= | wc -l
}

@test "init: without --init the orphans stay zombies (negative control)" {
	start_orphans
	wait_until 10 count_is 3 zombies
	run "$HUSK" --root "$HUSK_ROOT" exec "$ID" ps -o pid=,comm=
	assert_line --regexp '^ *1 sleep$'
}

@test "init: with --init PID 1 is husk and reaps every orphan" {
	start_orphans --init
	run "$HUSK" --root "$HUSK_ROOT" exec "$ID" ps -o pid=,comm=
	assert_line --regexp '^ *1 husk$'
	# Each orphan lives 0.2 s; then it must vanish, not turn into a zombie.
	# husk, sleep and ps: the 3 orphans are gone.
	wait_until 10 count_is 3 processes
	assert_equal "$(zombies)" 0
}

@test "init: signals reach the payload through the init; the annotation turns it on" {
	make_bundle
	cfg_args sh -c 'echo ready; sleep 30'
	cfg '.annotations["run.oci.husk.init"] = "true"'
	husk_bg run -b "$BUNDLE" "$ID"
	wait_until 10 grep -qx ready "$BG_OUT"
	"$HUSK" --root "$HUSK_ROOT" kill "$ID" TERM
	local rc=0
	wait "$BG_PID" || rc=$?
	# sh as PID 2 has SIGTERM's default action: 128+15.
	assert_equal "$rc" 143
	assert_clean
}

@test "init: without an init, PID 1 ignores SIGTERM (negative control)" {
	make_bundle
	cfg_args sh -c 'echo ready; sleep 30'
	husk_bg run -b "$BUNDLE" "$ID"
	wait_until 10 grep -qx ready "$BG_OUT"
	"$HUSK" --root "$HUSK_ROOT" kill "$ID" TERM
	# Still running: the state says so after the signal was delivered.
	run "$HUSK" --root "$HUSK_ROOT" state "$ID"
	assert_output --partial '"status": "running"'
	"$HUSK" --root "$HUSK_ROOT" kill "$ID" KILL
	local rc=0
	wait "$BG_PID" || rc=$?
	assert_equal "$rc" 137
}

# ---------------------------------------------------------------- as an ordinary user
#
# The same options, run by an ordinary user: husk adds a user namespace
# mapping the user to root inside.  Nothing is delegated to the user on this
# host's cgroups, so the sandbox runs without a cgroup of its own: limits
# are refused naming the controller, and --report says what it cannot know.

# user_dir: $UDIR, the user's own directory (bats' are root's, mode 0700),
# the current directory of sb_user, with the probe in it.
user_dir() {
	ensure_rootless_user
	U_UID=$(id -u "$ROOTLESS_USER")
	U_GID=$(id -g "$ROOTLESS_USER")
	UDIR=$(mktemp -d /tmp/husk-sbx-user.XXXXXX)
	chmod 0755 "$UDIR"
	mkdir -m 0700 "$UDIR/xdg"
	cp "$PROBE" "$UDIR/.probe"
	chown -R "$U_UID:$U_GID" "$UDIR"
	U_ENV=()
}

# as_sb_user CMD...: CMD as the user, from $UDIR, in a fresh environment
# (plus U_ENV) with the user's own XDG_RUNTIME_DIR.
as_sb_user() {
	(cd "$UDIR" && exec setpriv --reuid="$U_UID" --regid="$U_GID" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$UDIR" \
		XDG_RUNTIME_DIR="$UDIR/xdg" "${SAN_ENV[@]}" "${U_ENV[@]}" "$@") </dev/null
}

# sb_user [bats run flags] ARGS...: husk sandbox ARGS as the user, in this
# test's cgroup path (which the user cannot create).
sb_user() {
	_sb _run_as_sb_user "$@"
}

_run_as_sb_user() {
	local flags=()
	while [[ $# -gt 0 && $1 != sandbox ]]; do
		flags+=("$1")
		shift
	done
	run "${flags[@]}" as_sb_user "$HUSK" "$@"
}

# Nothing left: no cgroup, no container in the user's state root.
assert_user_clean() {
	assert_clean
	if [ -d "$UDIR/xdg/husk" ]; then
		run -0 find "$UDIR/xdg/husk" -mindepth 1 -maxdepth 1 ! -name seccomp-cache
		assert_output ''
	fi
}

@test "sandbox as a user: root inside, the user outside; / read-only, the directory writable, --ro" {
	user_dir
	sb_user --separate-stderr -- sh -c 'id -u; cat /proc/self/uid_map; touch /etc/x 2>/dev/null || echo root-ro; touch made && echo made'
	assert_success
	assert_line --index 0 0
	assert_line --regexp "^ +0 +$U_UID +1\$"
	assert_line root-ro
	assert_line made
	[ ! -e /etc/x ]
	run -0 stat -c '%u:%g' "$UDIR/made"
	assert_output "$U_UID:$U_GID"
	# Without a delegated cgroup: one warning, naming the cgroup.
	[ "$(grep -c "warning: rootless: no cgroup of its own .*creating cgroup '/sys/fs/cgroup/[^']*husk-test[^']*': Permission denied" <<<"$stderr")" = 1 ] ||
		fail "stderr: $stderr"
	# Root inside is nobody to the host's files: root's stay closed.
	sb_user -- cat /etc/shadow
	assert_failure
	assert_output --partial 'Permission denied'
	# --ro: the directory too is read-only (negative control: above).
	sb_user --ro -- sh -c 'cat made >/dev/null && echo read; touch made2'
	assert_failure
	assert_line read
	assert_output --partial 'Read-only file system'
	[ ! -e "$UDIR/made2" ]
	assert_user_clean
}

@test "sandbox as a user: --rootfs and --bind SRC:DST[:ro]" {
	user_dir
	local base
	base=$(base_rootfs)
	cp -a "$base" "$UDIR/rootfs"
	echo mine >"$UDIR/rootfs/marker"
	mkdir "$UDIR/data"
	echo in >"$UDIR/data/f"
	chown -R "$U_UID:$U_GID" "$UDIR/rootfs" "$UDIR/data"
	sb_user --rootfs "$UDIR/rootfs" -- sh -c 'cat /marker; test -e /usr/bin/probe && echo probe; touch /x'
	assert_failure
	assert_line mine
	assert_line probe
	assert_output --partial 'Read-only file system'
	# Negative control: the host's / has no marker.
	sb_user -- cat /marker
	assert_failure
	sb_user --bind "$UDIR/data:/srv" -- sh -c 'cat /srv/f; echo out >/srv/g'
	assert_success
	assert_output --partial in
	[ "$(cat "$UDIR/data/g")" = out ]
	sb_user --bind "$UDIR/data:/srv:ro" -- sh -c 'echo x >/srv/h'
	assert_failure
	[ ! -e "$UDIR/data/h" ]
	# A directory of root's, bound: still root's, not the user's.
	sb_user --bind /root:/srv -- ls /srv
	assert_failure
	assert_output --partial 'Permission denied'
	assert_user_clean
}

@test "sandbox as a user: --env, --env-inherit, --hostname" {
	user_dir
	U_ENV=(HUSK_SBX_SECRET=from-user)
	sb_user -- env
	assert_success
	refute_line --partial HUSK_SBX_SECRET
	sb_user --env A=1 --env HUSK_SBX_SECRET -- env
	assert_line A=1
	assert_line HUSK_SBX_SECRET=from-user
	sb_user --env-inherit -- env
	assert_line HUSK_SBX_SECRET=from-user
	assert_line "HOME=$UDIR"
	sb_user --separate-stderr -- hostname
	assert_output sandbox
	sb_user --separate-stderr --hostname ci-box -- sh -c 'hostname; readlink /proc/self/ns/uts'
	assert_line --index 0 ci-box
	refute_line "$(readlink /proc/self/ns/uts)"
	[ "$(hostname)" != ci-box ]
}

@test "sandbox as a user: --net none has only lo; --net host is the host's network" {
	user_dir
	sb_user --separate-stderr -- sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; readlink /proc/self/ns/net"
	assert_success
	assert_line --index 0 lo
	refute_line "$(readlink /proc/self/ns/net)"
	local host
	host=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
	sb_user --separate-stderr --net host -- sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' '"
	assert_output "$host"
	sb_user --separate-stderr --net host -- readlink /proc/self/ns/net
	assert_output "$(readlink /proc/self/ns/net)"
	# The host's network, but not its privilege over it: no CAP_NET_ADMIN
	# in the user namespace that owns it.
	sb_user --net host --cap-add NET_ADMIN -- ip link set lo mtu 1280
	assert_failure
	assert_output --partial 'Operation not permitted'
	[ "$(cat /sys/class/net/lo/mtu)" != 1280 ]
	# Negative control: in its own network namespace it may.
	sb_user --separate-stderr --cap-add NET_ADMIN -- sh -c 'ip link set lo mtu 1280 && ip link show lo'
	assert_success
	assert_output --partial 'mtu 1280'
	assert_user_clean
}

@test "sandbox as a user: --cap-add, --cap-drop and --seccomp" {
	require_kernel_feature seccomp
	user_dir
	sb_user -- ./.probe caps
	assert_line CapEff=00000000a80425fb
	sb_user --cap-drop ALL --cap-add CHOWN -- ./.probe caps
	assert_line CapEff=0000000000000001
	assert_line CapBnd=0000000000000001
	# Dropped means gone: root inside reads a mode 000 file only with
	# CAP_DAC_OVERRIDE (negative control: the default set has it).
	sb_user --separate-stderr -- sh -c 'echo secret >/tmp/f; chmod 000 /tmp/f; cat /tmp/f'
	assert_success
	assert_output secret
	sb_user --cap-drop DAC_OVERRIDE -- sh -c 'echo secret >/tmp/f; chmod 000 /tmp/f; cat /tmp/f'
	assert_failure
	assert_output --partial 'Permission denied'
	refute_line secret
	sb_user ! --cap-add CAP_NOPE -- true
	assert_output --partial "--cap-add: unknown capability 'CAP_NOPE'"
	cat >"$UDIR/deny-mkdir.json" <<-'EOF'
	{ "defaultAction": "SCMP_ACT_ALLOW",
	  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ] }
	EOF
	chown "$U_UID:$U_GID" "$UDIR/deny-mkdir.json"
	sb_user -- grep ^Seccomp: /proc/self/status
	assert_line --regexp '^Seccomp:.2'
	sb_user --seccomp "$UDIR/deny-mkdir.json" -- mkdir ./d
	assert_failure
	assert_output --partial 'Operation not permitted'
	[ ! -e "$UDIR/d" ]
	sb_user --seccomp unconfined -- sh -c 'mkdir ./d && grep ^Seccomp: /proc/self/status'
	assert_success
	assert_line --regexp '^Seccomp:.0'
	assert_user_clean
}

@test "sandbox as a user: --timeout gives 124; --init is PID 1 and passes SIGTERM on" {
	user_dir
	check_timeout sb_user
	sb_user --separate-stderr --init -- ./.probe pid
	assert_output 'pid=2 ppid=1'
	sb_user --separate-stderr --init -- ps -o pid=,comm=
	assert_line --index 0 --regexp '^ *1 husk$'
	# Negative control: without --init the command is PID 1.
	sb_user --separate-stderr -- ./.probe pid
	assert_output 'pid=1 ppid=0'
	assert_user_clean
}

@test "sandbox as a user: --print-spec is a rootless config the user can run" {
	user_dir
	sb_user --separate-stderr --print-spec --hostname grad --env A=b -- sh -c 'hostname; echo $A; id -u'
	assert_success
	mkdir "$UDIR/bundle"
	echo "$output" >"$UDIR/bundle/config.json"
	chown -R "$U_UID:$U_GID" "$UDIR/bundle"
	run -0 python3 "$REPO/tests/validate-schema.py" config "$UDIR/bundle/config.json"
	run -0 jq -c '[.linux.namespaces[].type | select(. == "user")], .linux.uidMappings, .process.user' "$UDIR/bundle/config.json"
	assert_line '["user"]'
	assert_line "[{\"containerID\":0,\"hostID\":$U_UID,\"size\":1}]"
	assert_line '{"uid":0,"gid":0}'
	# Negative control: root's spec maps nothing, and runs as root's uid.
	sb --print-spec -- true
	run -0 jq -c '[.linux.namespaces[].type | select(. == "user")]' <<<"$output"
	assert_output '[]'
	# Graduate: the user runs the same config as a bundle.
	run -0 --separate-stderr as_sb_user "$HUSK" run -b "$UDIR/bundle" "$ID"
	assert_output $'grad\nb\n0'
	assert_user_clean
}

@test "sandbox as a user: --report says what it knows without a cgroup: wall and CPU time" {
	user_dir
	sb_user --separate-stderr --report -- ./.probe burn 0.3
	assert_success
	run grep -c '^husk: report: ' <<<"$stderr"
	assert_output 1
	[[ $stderr =~ "husk: report: sandbox-"[0-9]+": wall "[0-9.]+"s, cpu user "[0-9.]+"s system "[0-9.]+"s (from wait4); memory, pids and io unknown: the container had no cgroup of its own (none delegated to uid $U_UID)" ]] ||
		fail "stderr: $stderr"
	sb_user --report=json "$UDIR/r.json" -- ./.probe burn 0.5
	assert_success
	[[ $output =~ cpu=([0-9.]+) ]]
	local probe_cpu=${BASH_REMATCH[1]} cpu idle
	run -0 jq -c '[.source, .counters_read, .memory.peak_bytes, .pids.peak, .io.read_bytes, .exit_status]' "$UDIR/r.json"
	assert_output '["wait4",false,null,null,null,0]'
	# At least the CPU time the probe itself counted.
	cpu=$(jq '(.cpu.user_usec + .cpu.system_usec) / 1e6' "$UDIR/r.json")
	awk -v c="$cpu" -v p="$probe_cpu" 'BEGIN { exit !(c >= p - 0.05) }' || fail "cpu $cpu < probe's $probe_cpu"
	# Negative control: sleeping is not CPU time.
	sb_user --report=json "$UDIR/r0.json" -- sleep 0.5
	idle=$(jq '(.cpu.user_usec + .cpu.system_usec) / 1e6' "$UDIR/r0.json")
	awk -v i="$idle" -v p="$probe_cpu" 'BEGIN { exit !(i < p / 2) }' || fail "idle $idle, busy $probe_cpu"
	assert_user_clean
}

@test "sandbox as a user: --memory, --cpus, --pids are refused without delegation, naming the cgroup and the fix" {
	user_dir
	local opt ctl
	for opt in "--memory 64M:memory" "--cpus 1.5:cpu" "--pids 50:pids" "--memory 64M --pids 50:memory, pids"; do
		ctl=${opt#*:}
		# shellcheck disable=SC2086 # the option and its value are words
		sb_user ${opt%%:*} -- touch ./ran
		assert_failure 1
		assert_output --regexp "creating cgroup '/sys/fs/cgroup/[^']*husk-test[^']*': Permission denied"
		assert_output --partial "the limits need the $ctl controller"
		assert_output --partial "delegated to uid $U_UID"
		assert_output --partial 'systemd-run --user --scope -p Delegate=yes'
		# Refused before the command ran; nothing left.
		[ ! -e "$UDIR/ran" ]
		assert_user_clean
	done
	# Negative control: without the limit it runs.
	sb_user -- touch ./ran
	assert_success
	[ -e "$UDIR/ran" ]
}
