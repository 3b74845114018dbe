#!/usr/bin/env bats
# 10-bundle: husk reads config.json strictly.  A bad config is refused
# before anything exists — exit status 1, a message naming config.json and
# the JSON path of the offending field, and nothing left behind (no state,
# cgroup, mount or process).  Good configs of every supported version run.

load helpers

# bad_config 'JQ-FILTER' JSON-PATH [MESSAGE-PART]: with FILTER applied to a
# fresh bundle's config, `husk run` fails cleanly naming JSON-PATH.
bad_config() {
	_NBAD=$((${_NBAD:-0} + 1))
	make_bundle "bundle$_NBAD"
	cfg "$1"
	husk_run -1 --separate-stderr run --bundle "$BUNDLE" "$ID"
	assert_equal "$output" ""
	output=$stderr assert_output --partial 'config.json'
	output=$stderr assert_output --partial "$2"
	[ -z "${3:-}" ] || output=$stderr assert_output --partial "$3"
	assert_clean
}

@test "bundle: 1 a missing ociVersion is refused" {
	bad_config 'del(.ociVersion)' '.ociVersion' 'missing'
}

@test "bundle: 2 an unsupported ociVersion is refused" {
	bad_config '.ociVersion = "2.0.0"' '.ociVersion' '2.0.0'
	bad_config '.ociVersion = "banana"' '.ociVersion' 'banana'
}

@test "bundle: 3 empty process.args is refused" {
	bad_config '.process.args = []' '.process.args'
}

@test "bundle: 4 process.args that are not strings are refused" {
	bad_config '.process.args = ["/bin/true", 1]' '.process.args[1]' 'string'
}

@test "bundle: 5 a relative process.cwd is refused" {
	bad_config '.process.cwd = "tmp"' '.process.cwd' 'absolute'
}

@test "bundle: 6 a relative mount destination is refused" {
	bad_config '.mounts += [{"destination": "mnt", "type": "tmpfs", "source": "tmpfs"}]' \
		'.mounts[' 'absolute'
	output=$stderr assert_output --partial '.destination'
}

@test "bundle: 7 an unknown namespace type is refused" {
	bad_config '.linux.namespaces += [{"type": "bogus"}]' '.linux.namespaces[' 'bogus'
}

@test "bundle: 8 an unknown capability is refused" {
	bad_config '.process.capabilities.bounding += ["CAP_BOGUS"]' \
		'.process.capabilities.bounding[' 'CAP_BOGUS'
}

@test "bundle: 9 an unknown rlimit is refused" {
	bad_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]' \
		'.process.rlimits[0].type' 'RLIMIT_BOGUS'
}

@test "bundle: 10 memory.limit -5 is refused (only -1 means unlimited)" {
	bad_config '.linux.resources.memory.limit = -5' '.linux.resources.memory.limit' '-5'
}

@test "bundle: 11 a cpu quota without a period is refused" {
	bad_config '.linux.resources.cpu = {"quota": 1000}' '.linux.resources.cpu.quota' 'period'
}

@test "bundle: 12 a unified key that is a path (../../x) is refused" {
	bad_config '.linux.resources.unified = {"../../x": "1"}' '.linux.resources.unified' '../../x'
	# Negative check: nothing named x was written next to the cgroups.
	local m
	for m in $(_cgroup_mounts); do
		assert [ ! -e "$m/x" ]
	done
}

@test "bundle: 13 a missing root.path directory is refused" {
	bad_config '.root.path = "no-such-rootfs"' '.root.path' 'no-such-rootfs'
}

@test "bundle: 14 a hostname without a uts namespace is refused" {
	bad_config '.hostname = "box" | .linux.namespaces |= map(select(.type != "uts"))' \
		'.hostname' 'uts'
}

@test "bundle: 15 invalid JSON is refused with its position" {
	make_bundle
	printf '{"ociVersion": "1.0.2",\n  "process": {' >"$BUNDLE/config.json"
	husk_run -1 --separate-stderr run --bundle "$BUNDLE" "$ID"
	output=$stderr assert_output --partial 'config.json'
	output=$stderr assert_output --regexp 'line [0-9]+'
	assert_clean
}

@test "bundle: 16 a config that is not an object is refused" {
	bad_config '.process = "sh"' '.process'
}

@test "bundle: 17 ociVersion 1.0.2 and 1.2.0 are accepted" {
	local v
	make_bundle
	for v in 1.0.2 1.2.0; do
		cfg '.ociVersion = $v' --arg v "$v"
		cfg_args /bin/echo "ran $v"
		husk_run -0 run --bundle "$BUNDLE" "$ID"
		assert_output "ran $v"
		assert_clean
	done
}

@test "bundle: 18 unknown fields are ignored, at the top and nested" {
	make_bundle
	cfg '.futureThing = {"a": 1} | .process.futureFlag = true
	     | .linux.someNewKnob = [1, 2] | .root.extra = "x"'
	cfg_args /bin/echo ok
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output ok
	assert_clean
}

@test "bundle: 19 a relative root.path is resolved against the bundle" {
	make_bundle
	mv "$BUNDLE/rootfs" "$BUNDLE/other-root"
	echo marker-in-rootfs >"$BUNDLE/other-root/marker"
	cfg '.root.path = "other-root"'
	cfg_args /bin/cat /marker
	# From an unrelated cwd: the path is relative to the bundle, not to us.
	cd "$BATS_TEST_TMPDIR"
	mkdir elsewhere && cd elsewhere
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output marker-in-rootfs
	assert_clean
}
