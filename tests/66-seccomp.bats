#!/usr/bin/env bats
# 66-seccomp: linux.seccomp as the payload meets it.  The default profile
# `husk spec` writes refuses what docker's refuses; an errnoRet is the errno
# the payload sees; KILL kills; an argument filter matches only its
# argument; names libseccomp does not know are skipped; the compiled filter
# is cached, and a cache entry that was tampered with is not used.

load helpers

# A profile that allows everything but RULES (a JSON array).
profile() {
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], syscalls: $r}' \
		--argjson r "$1"
}

@test "seccomp: husk spec's default profile refuses keyrings, bpf, perf and new user namespaces" {
	require_kernel_feature seccomp
	make_bundle
	run -0 jq -r '.linux.seccomp.defaultAction' "$BUNDLE/config.json"
	cfg_args sh -c 'probe syscall keyctl add_key request_key bpf perf_event_open unshare-user
		grep ^Seccomp: /proc/self/status; echo fork-ok; mkdir /dev/shm/d && echo mkdir-ok'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	local name
	for name in keyctl add_key request_key bpf perf_event_open unshare-user; do
		assert_line "$name=EPERM"
	done
	assert_line --regexp '^Seccomp:.2$'
	# Ordinary work goes on: the shell forked, mkdir worked.
	assert_line fork-ok
	assert_line mkdir-ok
	# Negative control: without the profile the kernel's own answers come
	# back (keyctl works; the others fail, but not with EPERM).
	cfg 'del(.linux.seccomp)'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line keyctl=ok
	assert_line unshare-user=ok
	refute_line bpf=EPERM
	refute_line perf_event_open=EPERM
	assert_line --regexp '^Seccomp:.0$'
	assert_clean
}

@test "seccomp: the default profile refuses mount, setns and clone with a namespace flag" {
	require_kernel_feature seccomp
	make_bundle
	cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
	     | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
	     | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	# Even with CAP_SYS_ADMIN: the profile is static, as docker's is for a
	# container without it.
	cfg_args sh -c 'mount -t tmpfs x /dev/shm 2>&1; unshare -n true 2>&1; nsenter -t 1 -n true 2>&1; echo end'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# (busybox mount says "permission denied" for EPERM.)
	[ "$(grep -ciE 'not permitted|permission denied' <<<"$output")" = 3 ] || fail "expected three refusals: $output"
	# Negative control: without the profile, CAP_SYS_ADMIN can mount.
	cfg 'del(.linux.seccomp)'
	cfg_args sh -c 'mount -t tmpfs x /dev/shm && echo mounted'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line mounted
	assert_clean
}

@test "seccomp: errnoRet is the errno the payload sees; KILL kills with SIGSYS" {
	require_kernel_feature seccomp
	make_bundle
	profile '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]'
	cfg_args sh -c 'mkdir /tmp/x'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial 'Permission denied'
	profile '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial 'No space left on device'
	# KILL_PROCESS: the payload dies of SIGSYS, 128 + 31.
	profile '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	husk_run -159 run --bundle "$BUNDLE" "$ID"
	assert_clean
}

@test "seccomp: an argument filter matches only its argument" {
	require_kernel_feature seccomp
	make_bundle
	cfg '.root.readonly = false'
	# chmod to 0777 refused; any other mode allowed.
	profile '[{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		   "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]},
		  {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		   "args": [{"index": 2, "value": 511, "op": "SCMP_CMP_EQ"}]}]'
	cfg_args sh -c 'touch /tmp/f; chmod 755 /tmp/f && echo 755-ok; chmod 777 /tmp/f || echo 777-refused; stat -c %a /tmp/f'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line 755-ok
	assert_line 777-refused
	assert_line 755
	assert_clean
}

@test "seccomp: an unknown syscall name is skipped and said so under --debug" {
	require_kernel_feature seccomp
	make_bundle
	# A name of this test's own: a profile compiled before (the cache is
	# shared) would not be compiled, nor narrated, again.
	local name="no_such_syscall_${ID//-/_}"
	profile "[{\"names\": [\"$name\", \"mkdirat\", \"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]"
	cfg_args sh -c 'mkdir /tmp/x 2>/dev/null || echo mkdir-refused'
	husk_run -0 --separate-stderr --debug run --bundle "$BUNDLE" "$ID"
	assert_line mkdir-refused
	[[ $stderr == *"seccomp: unknown syscall '$name' skipped"* ]] || fail "stderr: $(grep seccomp <<<"$stderr")"
	assert_clean
}

@test "seccomp: a profile that kills madvise, loaded before the capabilities go, leaves husk's remaining setup alone" {
	require_kernel_feature seccomp
	make_bundle
	# Without noNewPrivileges the filter is loaded before the user, the
	# capabilities and the hooks are set, all of which allocate; husk's
	# allocator must not madvise from then on.  This run alone does not
	# prove it: here the child happens not to need a new arena chunk after
	# the filter, so it also passes without base_alloc_confined().  The
	# switch itself is checked, with a negative control, by test_alloc.
	cfg '.process.noNewPrivileges = false'
	profile '[{"names": ["madvise"], "action": "SCMP_ACT_KILL"}]'
	cfg_args sh -c 'echo alive'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output alive
	assert_clean
}

@test "seccomp: the cache keeps 64 entries, removing the ones compiled longest ago" {
	require_kernel_feature seccomp
	make_bundle
	local dir=/run/husk/seccomp-cache i f fakes=()
	mkdir -p "$dir"
	chmod 0700 "$dir"
	# 70 entries older than any real one, each a second apart.
	for i in $(seq 1 70); do
		f=$dir/$(printf 'f%063x' "$i").bpf
		: >"$f"
		touch -d "@$((946684800 + i))" "$f"
		fakes+=("$f")
	done
	# Not entries: left alone, however old.
	: >"$dir/README"
	touch -d @946684800 "$dir/README"
	# A profile of this test's own: a cache miss, so a store.
	profile "[{\"names\": [\"mkdir\", \"husk_${ID//-/_}\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]"
	cfg_args true
	husk_run -0 --separate-stderr --debug run --bundle "$BUNDLE" "$ID"
	local entry
	entry=$(sed -n 's/.*seccomp: cached \([^ ]*\)$/\1/p' <<<"$stderr")
	[ -n "$entry" ] && [ -f "$entry" ] || fail "no cache entry: $stderr"
	run -0 bash -c 'ls "$1" | grep -cE "^[0-9a-f]{64}\.bpf$"' _ "$dir"
	assert_output 64
	assert [ ! -e "${fakes[0]}" ]
	assert [ -e "$dir/README" ]
	[[ $stderr == *"seccomp: cache full"*"removing $dir/$(basename "${fakes[0]}")"* ]] || fail "no removal said: $(grep seccomp <<<"$stderr")"
	rm -f "${fakes[@]}" "$dir/README" "$entry"
	assert_clean
}

@test "seccomp: the compiled filter is cached; a tampered cache entry is refused and recompiled" {
	require_kernel_feature seccomp
	make_bundle
	# A profile of this test's own (its id in an unknown name), so its cache
	# entry is this test's alone.
	profile "[{\"names\": [\"mkdir\", \"mkdirat\", \"husk_${ID//-/_}\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]"
	cfg_args sh -c 'mkdir /tmp/x 2>&1; true'
	husk_run -0 --separate-stderr --debug run --bundle "$BUNDLE" "$ID"
	local entry
	entry=$(sed -n 's/.*seccomp: cached \([^ ]*\)$/\1/p' <<<"$stderr")
	[ -n "$entry" ] && [ -f "$entry" ] || fail "no cache entry: $stderr"
	husk_run -0 --separate-stderr --debug run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"seccomp: cache hit $entry"* ]] || fail "no cache hit: $(grep seccomp <<<"$stderr")"
	assert_output --partial 'Permission denied'
	# Flip one byte of the last instruction: the digest no longer matches.
	printf '\x55' | dd of="$entry" bs=1 seek=$(($(stat -c %s "$entry") - 1)) conv=notrunc 2>/dev/null
	husk_run -0 --separate-stderr --debug run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"do not match their digest; recompiling"* ]] || fail "tampering not seen: $stderr"
	assert_output --partial 'Permission denied'
	# Writable by others: refused too, whatever it holds.
	chmod 0666 "$entry"
	husk_run -0 --separate-stderr --debug run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"writable by group or others; recompiling"* ]] || fail "mode not checked: $stderr"
	rm -f "$entry"
	assert_clean
}
