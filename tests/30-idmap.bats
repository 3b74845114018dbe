#!/usr/bin/env bats
# 30-idmap: with a user namespace and uid/gid mappings, root inside is an
# unprivileged id outside: the maps read back inside as configured, and
# files the container creates belong to the mapped ids on the host.

load helpers

# userns_bundle: a bundle whose container runs in a user namespace with
# 0 -> 100000 (65536 ids) for both uids and gids, its rootfs owned by the
# mapped root as an engine would prepare it.
userns_bundle() {
	require_kernel_feature userns
	make_bundle
	rootfs_to_mapped_root
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "idmap: 1 uid_map and gid_map inside match the config" {
	userns_bundle
	cfg_args /bin/sh -c 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_equal "${#lines[@]}" 3
	run -0 awk '{ print $1, $2, $3 }' <<<"$output"
	assert_line --index 0 '0 100000 65536'
	assert_line --index 2 '0 100000 65536'
	assert_clean
}

@test "idmap: 2 the payload is uid 0 inside, and in a new user namespace" {
	userns_bundle
	cfg_args /bin/sh -c '/usr/bin/probe ids; readlink /proc/self/ns/user'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line --regexp '^uid=0 gid=0 euid=0 egid=0'
	refute_line "$(readlink /proc/self/ns/user)"
	assert_clean
}

running() {
	[ "$("$HUSK" --root "$HUSK_ROOT" state "$ID" 2>/dev/null | jq -r .status)" = running ]
}

@test "idmap: 3 the payload is uid 100000 as seen from the host" {
	userns_bundle
	cfg_args /bin/sleep 1000
	husk_bg run --bundle "$BUNDLE" "$ID"
	local pid
	wait_until 10 running
	pid=$("$HUSK" --root "$HUSK_ROOT" state "$ID" | jq -r .pid)
	# Inside the payload it is 0 (test 2); here, the host's view.
	[ "$pid" -gt 0 ]
	run -0 awk '/^Uid:|^Gid:/ { print $1, $2, $3 }' "/proc/$pid/status"
	assert_line 'Uid: 100000 100000'
	assert_line 'Gid: 100000 100000'
}

@test "idmap: 4 a file created in a writable bind mount is owned by 100000 on the host" {
	userns_bundle
	local shared="$BATS_TEST_TMPDIR/shared"
	mkdir "$shared"
	chown 100000:100000 "$shared"
	cfg '.mounts += [{"destination": "/shared", "type": "bind", "source": $s,
	                  "options": ["rbind", "rw"]}]' --arg s "$shared"
	cfg_args /bin/sh -c 'echo hi >/shared/made-inside && stat -c "%u:%g" /shared/made-inside'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# Inside it is root's file ...
	assert_output 0:0
	# ... outside it belongs to the mapped id, never to the host's root.
	run -0 stat -c '%u:%g' "$shared/made-inside"
	assert_output 100000:100000
	assert_clean
}

@test "idmap: 5 a file created in the writable rootfs is owned by 100000 on the host" {
	userns_bundle
	cfg '.root.readonly = false'
	cfg_args /bin/sh -c 'echo hi >/tmp/in-rootfs'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	run -0 stat -c '%u:%g' "$BUNDLE/rootfs/tmp/in-rootfs"
	assert_output 100000:100000
	assert_clean
}

@test "idmap: 6 mapped root cannot write a host-root-owned bind mount (negative)" {
	userns_bundle
	local shared="$BATS_TEST_TMPDIR/rootonly"
	mkdir "$shared"
	chmod 0755 "$shared"
	cfg '.mounts += [{"destination": "/shared", "type": "bind", "source": $s,
	                  "options": ["rbind", "rw"]}]' --arg s "$shared"
	cfg_args /bin/sh -c 'echo hi >/shared/nope'
	husk_run run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'denied'
	assert [ ! -e "$shared/nope" ]
	assert_clean
}
