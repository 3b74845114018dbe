#!/usr/bin/env bats
# 00-cli: the command line, before any container exists.  Engines parse
# `--version`, rely on exit statuses and on `spec` producing a valid bundle
# config; people rely on errors that say what is wrong.

load helpers

# validate_config FILE: FILE is a well-formed OCI runtime-spec config.
validate_config() {
	[ -f "$OCI_SCHEMA_DIR/config-schema.json" ] ||
		fail "no OCI schemas in '$OCI_SCHEMA_DIR' (set OCI_SCHEMA_DIR)"
	run "$REPO/tests/validate-schema.py" "$OCI_SCHEMA_DIR/config-schema.json" "$1"
	assert_success
}

@test "cli: --version prints 'husk version X.Y.Z' first, the Makefile's version" {
	run -0 "$HUSK" --version
	assert_line --index 0 --regexp '^husk version [0-9]+\.[0-9]+\.[0-9]+$'
	# The number comes from the build, not a second copy in the source.
	local version
	version=$(sed -n 's/^VERSION *:= *//p' "$REPO/Makefile")
	assert_line --index 0 "husk version $version"
	# Which libc, for a bug report: musl unless built with LIBC=glibc.
	assert_line --regexp '^libc: (musl|glibc [0-9]+\.[0-9]+)$'
}

@test "cli: global flags go before the command (--debug --version)" {
	run -0 "$HUSK" --debug --version
	assert_line --index 0 --regexp '^husk version '
}

@test "cli: help and --help print usage naming the commands" {
	local how
	for how in help --help; do
		run -0 "$HUSK" "$how"
		assert_output --regexp '[Uu]sage'
		assert_output --partial 'run'
		assert_output --partial 'spec'
	done
}

@test "cli: an unknown command exits 1 and names it" {
	run -1 "$HUSK" frobnicate
	assert_output --partial "husk: unknown command 'frobnicate'"
}

@test "cli: an unknown global flag fails and names it" {
	run "$HUSK" --no-such-flag --version
	assert_failure
	assert_output --partial 'no-such-flag'
	refute_output --partial 'husk version'
}

@test "cli: spec writes ./config.json that validates against the OCI schema" {
	cd "$BATS_TEST_TMPDIR"
	run -0 "$HUSK" spec
	assert [ -f config.json ]
	validate_config config.json
	# make_bundle and every bundle in bundles/ put the rootfs at ./rootfs.
	run -0 jq -r '.root.path' config.json
	assert_output rootfs
}

@test "cli: spec --bundle DIR writes DIR/config.json and nothing in the cwd" {
	mkdir "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	run -0 "$HUSK" spec --bundle "$BATS_TEST_TMPDIR/b"
	validate_config "$BATS_TEST_TMPDIR/b/config.json"
	assert [ ! -e config.json ]
}

@test "cli: spec refuses to overwrite an existing config.json" {
	cd "$BATS_TEST_TMPDIR"
	echo '{"mine": true}' >config.json
	run "$HUSK" spec
	assert_failure
	assert_output --partial 'config.json'
	# Negative control for the assertion below: the file is really ours.
	run -0 jq -r .mine config.json
	assert_output true
}

@test "cli: spec --rootless validates and asks for a user namespace" {
	cd "$BATS_TEST_TMPDIR"
	run -0 "$HUSK" spec --rootless
	validate_config config.json
	run -0 jq -r '[.linux.namespaces[].type] | index("user") != null' config.json
	assert_output true
	run -0 jq -r '(.linux.uidMappings | length) > 0 and (.linux.gidMappings | length) > 0' config.json
	assert_output true
}

@test "cli: run without a config.json fails naming config.json" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	husk_run -1 run --bundle "$BATS_TEST_TMPDIR/empty" "$ID"
	assert_output --partial 'config.json'
	assert [ ! -e "$HUSK_ROOT/$ID" ]

	# The bundle defaults to the current directory.
	cd "$BATS_TEST_TMPDIR/empty"
	husk_run -1 run "$ID"
	assert_output --partial 'config.json'
}

@test "cli: --log-format json writes the error as one JSON object with a time" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	local log="$BATS_TEST_TMPDIR/log.json"
	run -1 "$HUSK" --root "$HUSK_ROOT" --log "$log" --log-format json \
		run --bundle "$BATS_TEST_TMPDIR/empty" "$ID"
	# The message goes to stderr too, for people.
	assert_output --partial 'config.json'
	# podman parses the whole file as one object; containerd wants RFC 3339.
	run -0 jq -r 'select(.level == "error") | .msg' "$log"
	assert_output --partial 'config.json'
	run -0 jq -r '.time' "$log"
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
}

@test "cli: --rootless takes auto, true or false and names itself when the value is bad" {
	local v
	for v in auto true false; do
		husk_run -0 --rootless "$v" list -q
		husk_run -0 "--rootless=$v" list -q
	done
	husk_run -1 --rootless maybe list
	assert_output --partial "--rootless"
	assert_output --partial "'maybe'"
	husk_run -1 --rootless
	assert_output --partial "--rootless"
}

@test "cli: --systemd-cgroup is accepted, but a systemd cgroupsPath (slice:prefix:name) is refused and leaves nothing" {
	make_bundle
	cfg '.linux.cgroupsPath = $p' --arg p "husk-test.slice:husk:$ID"
	husk_run -1 --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	assert_output --partial 'slice:prefix:name'
	assert_output --partial "husk-test.slice:husk:$ID"
	assert_output --partial 'cgroupfs'
	assert_clean
	# The other commands take the flag as engines pass it to every call.
	husk_run -1 --systemd-cgroup state "$ID"
	assert_output --partial 'does not exist'
	# Control: with a cgroupfs path the same flag runs the container.
	cfg '.linux.cgroupsPath = $p' --arg p "$(cgroup_path)"
	cfg_args /bin/sh -c 'echo ran'
	husk_run -0 --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	assert_output ran
	assert_clean
}
