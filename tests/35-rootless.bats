#!/usr/bin/env bats
# 35-rootless: an ordinary user runs containers with husk, no root and no
# setuid bit on husk.  The user namespace maps the user to root inside;
# newuidmap/newgidmap map more from /etc/subuid and /etc/subgid; the state
# lives in the user's own directory; limits need a delegated cgroup.
#
# The tests create the user "husk-rootless" (and subordinate id ranges for
# it) once and leave it: a user account is not something a container left.

load helpers

RL_USER=$ROOTLESS_USER

setup_file() {
	ensure_rootless_user
}

setup() {
	common_setup
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	SUB_START=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid)
	# A directory the user can reach ($BATS_TEST_TMPDIR is root's, 0700).
	RL_DIR=$(mktemp -d /tmp/husk-rootless-test.XXXXXX)
	chmod 0755 "$RL_DIR"
	chown "$RL_UID:$RL_GID" "$RL_DIR"
	RL_STATE="$RL_DIR/xdg/husk"
}

teardown() {
	local p
	restore_sysctls
	# Whatever the user's husk left running in this test's directory.
	while read -r p; do
		p=${p#/proc/}
		kill -KILL "${p%%/*}" 2>/dev/null || true
	done < <(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$RL_DIR*" 2>/dev/null)
	as_user "$HUSK" delete --force "$ID" >/dev/null 2>&1 || true
	common_teardown
	_mounts_under "$RL_DIR" | sort -r | while read -r p; do umount -l "$p"; done
	rm -rf "$RL_DIR"
}

# as_user CMD...: CMD as the ordinary user, in a fresh environment with its
# own XDG_RUNTIME_DIR (or none when RL_NO_XDG=1), from $RL_DIR.
as_user() {
	local xdg=()
	[ "${RL_NO_XDG:-0}" = 1 ] || xdg=("XDG_RUNTIME_DIR=$RL_DIR/xdg")
	mkdir -p "$RL_DIR/xdg" && chown "$RL_UID:$RL_GID" "$RL_DIR/xdg" && chmod 0700 "$RL_DIR/xdg"
	(cd "$RL_DIR" && setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_DIR" "${xdg[@]}" "${SAN_ENV[@]}" "$@")
}

# user_bundle [CHOWN-TO]: $BUNDLE in the user's directory, made by
# `husk spec --rootless` run as the user; the rootfs owned by CHOWN-TO
# (default: the user).
user_bundle() {
	local base
	base=$(base_rootfs) || return 1
	BUNDLE="$RL_DIR/bundle"
	mkdir -p "$BUNDLE"
	cp -a "$base" "$BUNDLE/rootfs"
	chown -R "${1:-$RL_UID:$RL_GID}" "$BUNDLE/rootfs"
	chown "$RL_UID:$RL_GID" "$BUNDLE"
	as_user "$HUSK" spec --rootless --bundle "$BUNDLE" || { fail "husk spec --rootless failed"; return 1; }
	cfg '.process.terminal = false | .root.readonly = false'
}

# Like assert_clean, and the user's state root is empty.
assert_clean_user() {
	# (seccomp-cache: compiled filters, kept on purpose, not a container)
	run -0 find "$RL_STATE" -mindepth 1 -maxdepth 1 ! -name seccomp-cache
	assert_output ''
	assert_clean
}

@test "rootless: 1 spec --rootless runs as an ordinary user: root inside, the user outside" {
	user_bundle
	# The unchanged spec validates, and asks for a user namespace.
	run -0 "$REPO/tests/validate-schema.py" config "$BUNDLE/config.json"
	run -0 jq -r '.linux.namespaces[].type' "$BUNDLE/config.json"
	assert_line user
	cfg_args sh -c 'id -u; id -g; cat /proc/self/uid_map; touch /tmp/made-inside; echo done'
	run -0 --separate-stderr as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_line --index 0 0
	assert_line --index 1 0
	assert_line --regexp "^ +0 +$RL_UID +1\$"
	assert_line done
	# Owned by the user on the host, not by root.
	run -0 stat -c '%u:%g' "$BUNDLE/rootfs/tmp/made-inside"
	assert_output "$RL_UID:$RL_GID"
	# Negative control: husk really ran unprivileged (the same bundle as
	# root would map nothing wider; here root's uid 0 is not mapped).
	refute_line --regexp '^ +0 +0 '
	assert_clean_user
}

@test "rootless: 2 state is in XDG_RUNTIME_DIR, else /tmp/husk-UID; never /run/husk" {
	user_bundle
	cfg_args sleep 600
	as_user "$HUSK" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
	assert [ -d "$RL_STATE/$ID" ]
	assert [ ! -e "/run/husk/$ID" ]
	run -0 as_user "$HUSK" delete --force "$ID"
	assert [ ! -e "$RL_STATE/$ID" ]
	# Without a session directory: a private one in /tmp, mode 0700.
	RL_NO_XDG=1 as_user "$HUSK" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
	assert [ -d "/tmp/husk-$RL_UID/$ID" ]
	run -0 stat -c '%u %a' "/tmp/husk-$RL_UID"
	assert_output "$RL_UID 711"
	RL_NO_XDG=1 run -0 as_user "$HUSK" delete --force "$ID"
	assert [ ! -e "/tmp/husk-$RL_UID/$ID" ]
	assert_clean
}

@test "rootless: 3 a state root that is not the user's own is refused" {
	user_bundle
	cfg_args true
	# Writable by others: another user could plant a symlink in it.
	mkdir -p "$RL_DIR/shared-root"
	chown "$RL_UID:$RL_GID" "$RL_DIR/shared-root"
	chmod 0777 "$RL_DIR/shared-root"
	run -1 as_user "$HUSK" --root "$RL_DIR/shared-root" run --bundle "$BUNDLE" "$ID"
	assert_output --partial "state root '$RL_DIR/shared-root' must be owned by uid $RL_UID and writable by nobody else"
	assert [ ! -e "$RL_DIR/shared-root/$ID" ]
	assert_clean
}

@test "rootless: 4 create, start, state, exec, kill and delete of a detached container" {
	user_bundle
	cfg_args sleep 600
	as_user "$HUSK" create --bundle "$BUNDLE" --pid-file "$RL_DIR/pid" "$ID" >/dev/null 2>&1 </dev/null
	run -0 as_user "$HUSK" state "$ID"
	run -0 jq -r .status <<<"$output"
	assert_output created
	run -0 as_user "$HUSK" start "$ID"
	run -0 as_user "$HUSK" state "$ID"
	run -0 jq -r '.status, .pid' <<<"$output"
	assert_line --index 0 running
	local pid=${lines[1]}
	assert_equal "$(cat "$RL_DIR/pid")" "$pid"
	# The init runs as the user on the host.
	run -0 stat -c %u "/proc/$pid"
	assert_output "$RL_UID"
	# exec joins the container: its pid namespace, uid 0 inside.
	run -0 as_user "$HUSK" exec "$ID" sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
	assert_line --index 0 0
	assert_line --index 1 --partial 'sleep 600'
	run -0 as_user "$HUSK" list --format json
	run -0 jq -r '.[0].id' <<<"$output"
	assert_output "$ID"
	run -0 as_user "$HUSK" kill "$ID" KILL
	wait_until 10 bash -c "! kill -0 $pid 2>/dev/null"
	run -0 as_user "$HUSK" delete "$ID"
	assert_clean_user
}

@test "rootless: 5 newuidmap and newgidmap map 65536 ids from /etc/subuid" {
	user_bundle "$SUB_START:$SUB_START"
	cfg '.linux.uidMappings = [{containerID: 0, hostID: $h, size: 65536}]
	     | .linux.gidMappings = [{containerID: 0, hostID: $h, size: 65536}]' --argjson h "$SUB_START"
	cfg_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f; echo done'
	run -0 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_line --regexp "^ +0 +$SUB_START +65536\$"
	[ "$(grep -cE "^ +0 +$SUB_START +65536\$" <<<"$output")" = 2 ] || fail "uid and gid maps differ"
	run -0 stat -c '%u:%g' "$BUNDLE/rootfs/tmp/f"
	assert_output "$SUB_START:$SUB_START"
	assert_clean
}

@test "rootless: 6 a range the user was not given is refused naming /etc/subuid" {
	user_bundle
	# Host ids 0..65535: root's, never the user's to map.
	cfg '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}]
	     | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]' --argjson g "$RL_GID"
	run -1 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output --partial newuidmap
	# What the user was given, to compare with what was asked.
	assert_output --partial "allowed for this user in /etc/subuid, which gives it $SUB_START+65536"
	assert_clean_user
}

@test "rootless: 7 limits without a delegated cgroup are refused; defaults alone give one warning" {
	user_bundle
	cfg_args true
	# Defaults only (no limits): runs, with one warning naming the cgroup.
	run -0 --separate-stderr as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	[ "$(grep -c 'warning: rootless: no cgroup' <<<"$stderr")" = 1 ] ||
		fail "expected one warning, got: $stderr"
	# A limit: refused, naming the cgroup it could not make, with the fix.
	cfg '.linux.resources.pids.limit = 50'
	run -1 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output --regexp "creating cgroup '[^']+': Permission denied"
	assert_output --partial 'delegated'
	assert_clean_user
}

@test "rootless: 8 /sys/fs/cgroup is read-only inside without a cgroup namespace (CVE-2023-25809)" {
	user_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))'
	cfg_args sh -c 'grep " /sys/fs/cgroup" /proc/self/mountinfo | head -n1; mkdir /sys/fs/cgroup/x 2>&1; echo end'
	run -0 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output --partial 'Read-only file system'
	assert_line --regexp ' /sys/fs/cgroup ro[, ]'
	assert_clean
}

@test "rootless: 9 the user cannot see or touch root's containers" {
	make_bundle
	cfg_args sleep 600
	"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
	chmod 0755 "$BATS_TEST_TMPDIR"
	run -1 as_user "$HUSK" --root "$HUSK_ROOT" list
	assert_output --partial 'Permission denied'
	run -1 as_user "$HUSK" --root "$HUSK_ROOT" kill "$ID" KILL
	run -1 as_user "$HUSK" --root "$HUSK_ROOT" delete --force "$ID"
	# Still there and still created, as root sees it.
	run -0 "$HUSK" --root "$HUSK_ROOT" state "$ID"
	run -0 jq -r .status <<<"$output"
	assert_output created
	run -0 "$HUSK" --root "$HUSK_ROOT" delete --force "$ID"
	assert_clean
}

# delegate: give the user /husk-test/$ID in every hierarchy, the way systemd
# delegates user@UID.service: the directory is the user's, the user's shell
# sits in its leaf "shell", and on v2 the parents pass memory and pids on.
delegate() {
	local m d f v2m
	v2m=$(_cgroup_hierarchies | awk '$2 == "cgroup2" { print $1 }')
	for m in $(_cgroup_mounts); do
		mkdir -p "$m/husk-test/$ID/shell"
		if [ "$m" != "$v2m" ]; then
			for d in "$m/husk-test" "$m/husk-test/$ID" "$m/husk-test/$ID/shell"; do
				for f in cpuset.cpus cpuset.mems; do
					[ -f "$d/$f" ] && [ -z "$(cat "$d/$f")" ] &&
						cat "$(dirname "$d")/$f" >"$d/$f"
				done
			done
		fi
		chown -R "$RL_UID:$RL_GID" "$m/husk-test/$ID"
	done
	if [ -n "$v2m" ] && grep -qw memory "$v2m/cgroup.controllers"; then
		echo "+memory +pids" >"$v2m/cgroup.subtree_control"
		echo "+memory +pids" >"$v2m/husk-test/cgroup.subtree_control"
	fi
	export MOUNTS=$(_cgroup_mounts | tr '\n' ' ')
}

# in_shell_leaf CMD...: CMD from the delegated leaf of every hierarchy.
in_shell_leaf() {
	(
		for m in $MOUNTS; do
			echo "$BASHPID" >"$m/husk-test/$ID/shell/cgroup.procs" || exit 90
		done
		"$@"
	)
}

@test "rootless: 10 in a delegated cgroup the memory and pids limits hold" {
	require_kernel_feature cgroup-memory
	require_kernel_feature cgroup-pids
	delegate
	user_bundle
	cfg '.linux.cgroupsPath = $p
	     | .linux.resources.memory = {limit: 33554432, swap: 33554432}
	     | .linux.resources.pids.limit = 42' --arg p "/husk-test/$ID/ctr"
	cfg_args sh -c 'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null; probe memhog 256'
	run -137 --separate-stderr in_shell_leaf as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_line 42
	refute_output --partial 'touched=256'
	[[ $stderr == *"husk: container '$ID' was killed by the OOM killer (memory limit 32 MiB)"* ]] ||
		fail "no OOM report: $stderr"
	# husk removed what it made and nothing else.
	local m
	for m in $(_cgroup_mounts); do
		assert [ ! -e "$m/husk-test/$ID/ctr" ]
		assert [ -d "$m/husk-test/$ID/shell" ]
	done
	# (/husk-test/$ID itself is the test's; teardown removes it.)
	run -0 find "$RL_STATE" -mindepth 1 -maxdepth 1 ! -name seccomp-cache
	assert_output ''
}


# pids_of ID: the container's pids (husk ps --format json), one a line.
pids_of() {
	as_user "$HUSK" ps --format json "$1" | jq -r '.[]'
}

# A container that counts as fast as it can, one byte a turn appended to
# /tmp/tick, beside a sleeping child: frozen, the count stands still.
COUNTER='sleep 600 & while :; do echo >>/tmp/tick; done'

# tick: the count now (the size of the file; it only grows).
tick() {
	stat -c %s "$BUNDLE/rootfs/tmp/tick" 2>/dev/null || echo none
}

# counting: the count moves (polled: no timing assumed).
counting() {
	local t0
	t0=$(tick)
	wait_until 10 bash -c "[ \"\$(stat -c %s '$BUNDLE/rootfs/tmp/tick' 2>/dev/null)\" != '$t0' ]" ||
		{ ls -la "$BUNDLE/rootfs/tmp" >&2; return 1; }
}

@test "rootless: 11 without a delegated cgroup ps lists by pid namespace and pause is refused naming the freezer" {
	user_bundle
	cfg_args sh -c "$COUNTER"
	as_user "$HUSK" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
	run -0 as_user "$HUSK" state "$ID"
	local pid outside want
	pid=$(jq -r .pid <<<"$output")
	# Created: the init alone (it is not dumpable yet, so its namespace
	# is known from create's record, not read now).
	run -0 pids_of "$ID"
	assert_output "$pid"
	run -0 as_user "$HUSK" start "$ID"
	as_user "$HUSK" exec --detach "$ID" sleep 500 >/dev/null 2>&1 </dev/null
	# The user's own process outside the container: same uid, not listed.
	as_user sleep 700 >/dev/null 2>&1 </dev/null 3>&- &
	outside=$!
	track_pid "$outside"
	wait_until 10 pgrep -u "$RL_UID" -x -f 'sleep 700'
	# ps: the init, its sleep 600 and the exec'd sleep 500, nothing else.
	wait_until 10 pgrep -u "$RL_UID" -x -f 'sleep 600'
	want=$( (echo "$pid"; pgrep -u "$RL_UID" -x -f 'sleep (600|500)') | sort -n | tr '\n' ' ')
	[ "$(wc -w <<<"$want")" = 3 ] || fail "expected the init, sleep 600 and sleep 500: $want"
	run -0 --separate-stderr pids_of "$ID"
	assert_equal "$(sort -n <<<"$output" | tr '\n' ' ')" "$want"
	refute_line "$(pgrep -u "$RL_UID" -x -f 'sleep 700')"
	run -0 as_user "$HUSK" ps "$ID"
	assert_line --partial 'sleep 600'
	assert_line --partial 'sleep 500'
	refute_line --partial 'sleep 700'
	# pause: no freezer without a cgroup; refused, with the fix, and the
	# container keeps running.
	run -1 as_user "$HUSK" pause "$ID"
	assert_output --partial "container '$ID' has no cgroup of its own: pausing needs the freezer"
	assert_output --partial 'cgroup.freeze'
	assert_output --partial "delegated to uid $RL_UID"
	assert_output --partial 'systemd-run --user --scope -p Delegate=yes'
	run -0 as_user "$HUSK" state "$ID"
	run -0 jq -r .status <<<"$output"
	assert_output running
	counting
	run -1 as_user "$HUSK" resume "$ID"
	assert_output --partial 'container not paused'
	run -0 as_user "$HUSK" delete --force "$ID"
	kill "$outside"
	assert_clean_user
}

@test "rootless: 12 ps without a cgroup or a pid namespace of its own fails, naming why" {
	user_bundle
	# Without a pid namespace there is no proc of its own to mount either.
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))
	     | .mounts |= map(select(.destination != "/proc"))
	     | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
	cfg_args sleep 600
	as_user "$HUSK" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
	run -0 as_user "$HUSK" state "$ID"
	local pid
	pid=$(jq -r .pid <<<"$output")
	run -1 as_user "$HUSK" ps --format json "$ID"
	assert_output --partial "container '$ID' has no cgroup of its own: its processes cannot be told apart without one, as the init $pid shares the host's pid namespace"
	assert_output --partial "delegated to uid $RL_UID"
	run -0 as_user "$HUSK" delete --force "$ID"
	assert_clean_user
}

@test "rootless: 13 in a delegated cgroup pause freezes every process and resume thaws them" {
	delegate
	user_bundle
	cfg '.linux.cgroupsPath = $p' --arg p "/husk-test/$ID/ctr"
	cfg_args sh -c "$COUNTER"
	in_shell_leaf as_user "$HUSK" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
	run -0 as_user "$HUSK" start "$ID"
	# The freezer husk uses: v1's where there is one, else cgroup v2's.
	local fz v2m file frozen thawed pids t
	fz=$(cgroup_dir freezer)/ctr
	v2m=$(_cgroup_hierarchies | awk '$2 == "cgroup2" { print $1 }')
	if [ "$fz" = "$v2m/husk-test/$ID/ctr" ]; then
		file=cgroup.events frozen='frozen 1' thawed='frozen 0'
	else
		file=freezer.state frozen=FROZEN thawed=THAWED
	fi
	wait_until 10 bash -c "[ \$(wc -l <'$fz/cgroup.procs') = 2 ]"
	pids=$(pids_of "$ID")
	assert_equal "$(sort -n <<<"$pids")" "$(sort -n "$fz/cgroup.procs")"
	# Negative control: running, thawed, counting.
	run -0 cat "$fz/$file"
	assert_line "$thawed"
	counting

	run -0 as_user "$HUSK" pause "$ID"
	run -0 as_user "$HUSK" state "$ID"
	run -0 jq -r .status <<<"$output"
	assert_output paused
	run -0 cat "$fz/$file"
	assert_line "$frozen"
	[ "$file" = freezer.state ] || assert_equal "$(cat "$fz/cgroup.freeze")" 1
	# Stands still across the commands below, which a counter that runs
	# would not (it counts thousands a millisecond).
	t=$(tick)
	run -0 pids_of "$ID"
	assert_equal "$output" "$pids"
	run -0 as_user "$HUSK" state "$ID"
	assert_equal "$(tick)" "$t"
	# (/proc/PID/stat says little: v1 shows D in __refrigerator or in the
	# sleep it was frozen in, v2 S in get_signal; hence the count.)

	run -0 as_user "$HUSK" resume "$ID"
	run -0 as_user "$HUSK" state "$ID"
	run -0 jq -r .status <<<"$output"
	assert_output running
	run -0 cat "$fz/$file"
	assert_line "$thawed"
	counting
	run -0 as_user "$HUSK" delete --force "$ID"
	local m
	for m in $(_cgroup_mounts); do
		assert [ ! -e "$m/husk-test/$ID/ctr" ]
	done
}

# in_own_userns LIMIT CMD...: CMD (a command or a function of this file) as
# root of a throwaway user namespace of the test's own, ids 0-65535 mapped
# to themselves, whose user.max_user_namespaces is LIMIT.  That sysctl is
# per user namespace and binds every namespace created below it, so the
# husk inside meets the same ENOSPC as on a host where it is 0, while the
# host's own value stays as it is.
in_own_userns() {
	local limit=$1 host_ns go="$RL_DIR/userns.go" pid rc
	shift
	host_ns=$(readlink /proc/self/ns/user)
	mkfifo "$go"
	export -f as_user _own_userns_root
	export RL_DIR RL_UID RL_GID
	# unshare makes the namespace and execs bash: one pid, $!.  That bash
	# waits for its maps, then execs again as the mapped root: only an
	# execve after the mapping gives it the capabilities in there.
	unshare --user bash -c 'read -r _ <"$1" &&
		exec timeout 60 bash -c "_own_userns_root \"\$@\"" _ "${@:2}"' \
		_ "$go" "$host_ns" "$limit" "$@" 3>&- &
	pid=$!
	track_pid "$pid"
	wait_until 10 bash -c "[ \"\$(readlink /proc/$pid/ns/user)\" != '$host_ns' ]"
	echo '0 0 65536' >"/proc/$pid/uid_map"
	echo '0 0 65536' >"/proc/$pid/gid_map"
	echo go >"$go"
	wait "$pid"
	rc=$?
	rm -f "$go"
	return $rc
}

# _own_userns_root HOST-NS LIMIT CMD...: in_own_userns's inside.
_own_userns_root() {
	# Never the host's sysctl: only in a namespace of our own.
	[ "$(readlink /proc/self/ns/user)" != "$1" ] || exit 91
	echo "$2" >/proc/sys/user/max_user_namespaces || exit 92
	shift 2
	"$@"
}

@test "rootless: 14 a user namespace limit of 0 (max_user_namespaces) is named with the fix" {
	user_bundle
	cfg_args echo inside
	local before
	before=$(cat /proc/sys/user/max_user_namespaces)
	# Negative control: the same user namespace with room for one more.
	run -0 --separate-stderr in_own_userns 1 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output inside
	run -1 in_own_userns 0 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output --regexp "clone3\([^)]*CLONE_NEWUSER[^)]*\): No space left on device"
	assert_output --partial 'user namespaces are disabled: /proc/sys/user/max_user_namespaces is 0'
	assert_output --partial 'as root: sysctl -w user.max_user_namespaces=15000'
	# Not the other switch: it is not the cause (and upstream lacks it).
	refute_output --partial unprivileged_userns_clone
	# The host's limit is untouched.
	assert_equal "$(cat /proc/sys/user/max_user_namespaces)" "$before"
	assert_clean_user
}

# in_test_vm: this is the throwaway VM of tests/vm (whose kernel command
# line and hostname it sets), not a machine whose sysctls matter.
in_test_vm() {
	[ "${HUSK_VM:-}" = 1 ] && [ "$(hostname)" = husk-vm ] &&
		grep -qw 'rdinit=/init' /proc/cmdline
}

# set_sysctl FILE VALUE: in the VM only; teardown puts the old value back
# (later tests in the same VM need user namespaces).
set_sysctl() {
	in_test_vm || { fail "refusing to change '$1' outside the test VM"; return 1; }
	echo "$1 $(cat "$1")" >>"$BATS_TEST_TMPDIR/sysctls"
	echo "$2" >"$1"
}

restore_sysctls() {
	local f v
	[ -f "$BATS_TEST_TMPDIR/sysctls" ] || return 0
	tac "$BATS_TEST_TMPDIR/sysctls" | while read -r f v; do echo "$v" >"$f"; done
	rm -f "$BATS_TEST_TMPDIR/sysctls"
}

# The system-wide switches can only be thrown on a machine that is thrown
# away: tagged vm-only, run-bats.sh leaves this test out elsewhere (and says
# so), and check-vm runs it.  Test 14 covers the same ENOSPC on any host.
# bats test_tags=vm-only
@test "rootless: 15 (VM only) user namespaces disabled system-wide: the error names the switch and the fix" {
	in_test_vm || fail "changes system-wide sysctls: runs only in the test VM (make check-vm)"
	user_bundle
	cfg_args echo inside
	local max=/proc/sys/user/max_user_namespaces clone=/proc/sys/kernel/unprivileged_userns_clone
	set_sysctl "$max" 0
	run -1 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	restore_sysctls
	assert_output --regexp "clone3\([^)]*CLONE_NEWUSER[^)]*\): No space left on device"
	assert_output --partial "user namespaces are disabled: $max is 0"
	assert_output --partial 'sysctl -w user.max_user_namespaces=15000'
	assert_clean_user
	# Negative control: put back, the same bundle runs.
	run -0 --separate-stderr as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output inside
	# Debian's and Ubuntu's kernels (the VM's is Debian's) have a switch
	# of their own; upstream kernels do not.
	[ -e "$clone" ] || fail "the VM's kernel has no $clone"
	set_sysctl "$clone" 0
	run -1 as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	restore_sysctls
	assert_output --regexp "clone3\([^)]*CLONE_NEWUSER[^)]*\): Operation not permitted"
	assert_output --partial "unprivileged user namespaces are disabled: $clone is 0"
	assert_output --partial "($max is $(cat "$max"))"
	assert_output --partial 'sysctl -w kernel.unprivileged_userns_clone=1'
	assert_clean_user
	run -0 --separate-stderr as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output inside
}

# without_subuid CMD...: CMD where /etc/subuid lists nobody: an empty file
# bound over it in a mount namespace of its own (newuidmap, setuid root,
# reads it there).  The host's file is untouched.
without_subuid() {
	: >"$RL_DIR/subuid.empty"
	export -f as_user
	export RL_DIR RL_UID RL_GID
	timeout 60 unshare --mount --propagation private bash -c \
		'mount --bind "$1" /etc/subuid && shift && "$@"' _ "$RL_DIR/subuid.empty" "$@"
}

@test "rootless: 16 a user without an /etc/subuid range who asks for 65536 ids is told to add one" {
	user_bundle "$SUB_START:$SUB_START"
	cfg '.linux.uidMappings = [{containerID: 0, hostID: $h, size: 65536}]
	     | .linux.gidMappings = [{containerID: 0, hostID: $h, size: 65536}]' --argjson h "$SUB_START"
	cfg_args cat /proc/self/uid_map
	# Negative control: with the user's range, the same bundle runs.
	run -0 --separate-stderr as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_line --regexp "^ +0 +$SUB_START +65536\$"
	run -1 without_subuid as_user "$HUSK" run --bundle "$BUNDLE" "$ID"
	assert_output --partial "newuidmap "
	assert_output --partial "uid $RL_UID ($RL_USER) has no range in /etc/subuid"
	assert_output --partial "usermod --add-subuids 100000-165535 $RL_USER"
	assert_clean_user
	# The host's file still has the range.
	run -0 grep "^$RL_USER:$SUB_START:65536\$" /etc/subuid
}
