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
	assert_output --partial /etc/subuid
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
