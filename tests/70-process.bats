#!/usr/bin/env bats
# 70-process: everything in config.json's "process" object reaches the
# payload as written — args, env, cwd, user, umask, rlimits, oomScoreAdj,
# noNewPrivileges — and how the payload ends reaches husk's caller.  What the
# config does not grant (the caller's fds, husk's own PATH and environment,
# limits above what husk itself may set) must not reach the payload.

load helpers

@test "process: a relative args[0] is looked up in process.env's PATH, not husk's" {
	make_bundle
	mkdir -p "$BUNDLE/rootfs/opt/tools"
	cp "$BUNDLE/rootfs/usr/bin/probe" "$BUNDLE/rootfs/opt/tools/myprobe"
	cfg '.process.env = ["PATH=/opt/tools:/bin"]'
	cfg_args myprobe exit 7
	husk_run -7 run -b "$BUNDLE" "$ID"
	# Negative control: with /opt/tools only in husk's own PATH the name
	# is not found — husk must not search with its own environment.
	cfg '.process.env = ["PATH=/bin:/usr/bin"]'
	PATH="/opt/tools:$BUNDLE/rootfs/opt/tools:$PATH" \
		husk_run -127 run -b "$BUNDLE" "$ID-2"
	assert_output --partial "husk: exec 'myprobe'"
	assert_clean "$ID-2"
}

@test "process: env is passed exactly, nothing of husk's environment leaks" {
	make_bundle
	cfg '.process.env = ["A=1", "B=two words", "EMPTY=", "PATH=/bin"]'
	cfg_args env
	HUSK_TEST_LEAK=leaked husk_run -0 run -b "$BUNDLE" "$ID"
	assert_line 'A=1'
	assert_line 'B=two words'
	assert_line 'EMPTY='
	assert_line 'PATH=/bin'
	refute_output --partial HUSK_TEST_LEAK
	refute_output --partial leaked
	assert_equal "${#lines[@]}" 4
}

@test "process: cwd is applied" {
	make_bundle
	mkdir -p "$BUNDLE/rootfs/srv/work"
	cfg '.process.cwd = "/srv/work"'
	cfg_args sh -c 'pwd; readlink /proc/self/cwd'
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_line --index 0 /srv/work
	assert_line --index 1 /srv/work
}

@test "process: a cwd that does not exist fails clearly and leaves nothing" {
	make_bundle
	cfg '.process.cwd = "/no/such/dir"'
	cfg_args probe exit 0
	husk_run -1 run -b "$BUNDLE" "$ID"
	assert_output --partial '/no/such/dir'
	assert_output --partial 'No such file or directory'
	assert_clean
}

@test "process: user uid, gid and additionalGids are applied" {
	make_bundle
	cfg '.process.user = {uid: 1000, gid: 1001, additionalGids: [5, 6, 2000]}'
	cfg_args probe ids
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_output 'uid=1000 gid=1001 euid=1000 egid=1001 groups=5,6,2000'
	# Negative control: without additionalGids no supplementary group of
	# husk (root's) is kept.
	cfg '.process.user = {uid: 1000, gid: 1001}'
	husk_run -0 run -b "$BUNDLE" "$ID-2"
	assert_output 'uid=1000 gid=1001 euid=1000 egid=1001 groups='
}

@test "process: user.umask is applied, 0022 when absent" {
	make_bundle
	cfg_args probe umask
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_output 0022
	cfg '.process.user.umask = 63'
	husk_run -0 run -b "$BUNDLE" "$ID-2"
	assert_output 0077
}

@test "process: lowering RLIMIT_NOFILE is applied" {
	make_bundle
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200}]'
	cfg_args probe rlimit NOFILE
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_output '100 200'
}

@test "process: raising an rlimit above the hard limit fails with EPERM, leaves nothing" {
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || fail "the host's NOFILE hard limit is unlimited"
	make_bundle
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: $h, hard: $h}]' \
		--argjson h $((hard * 2))
	cfg_args probe rlimit NOFILE
	husk_run -1 run -b "$BUNDLE" "$ID"
	assert_output --partial 'RLIMIT_NOFILE'
	assert_output --partial 'Operation not permitted'
	refute_output --regexp '^[0-9]+ [0-9]+$'
	assert_clean
}

@test "process: oomScoreAdj raising works, lowering fails clearly" {
	local mine
	mine=$(cat /proc/self/oom_score_adj)
	[ "$mine" -le 500 ] || fail "this shell's oom_score_adj $mine is already high"
	make_bundle
	cfg '.process.oomScoreAdj = 500'
	cfg_args cat /proc/self/oom_score_adj
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_output 500
	cfg '.process.oomScoreAdj = $v' --argjson v $((mine - 100))
	husk_run -1 run -b "$BUNDLE" "$ID-2"
	assert_output --partial 'oom_score_adj'
	assert_output --partial 'CAP_SYS_RESOURCE'
	assert_clean "$ID-2"
}

@test "process: noNewPrivileges true sets NoNewPrivs 1, false leaves 0" {
	make_bundle
	cfg '.process.noNewPrivileges = true'
	cfg_args probe nnp
	husk_run -0 run -b "$BUNDLE" "$ID"
	assert_output 'NoNewPrivs=1'
	# Negative control.
	cfg '.process.noNewPrivileges = false'
	husk_run -0 run -b "$BUNDLE" "$ID-2"
	assert_output 'NoNewPrivs=0'
}

@test "process: exit codes 0, 3 and 255 propagate" {
	make_bundle
	local code
	for code in 0 3 255; do
		cfg_args probe exit "$code"
		husk_run "-$code" run -b "$BUNDLE" "$ID-$code"
		assert_clean "$ID-$code"
	done
}

@test "process: a missing binary exits 127 naming exec and the reason" {
	make_bundle
	cfg_args /no/such/binary
	husk_run -127 run -b "$BUNDLE" "$ID"
	assert_output --partial "husk: exec '/no/such/binary'"
	assert_output --partial 'No such file or directory'
	cfg_args no-such-binary
	husk_run -127 run -b "$BUNDLE" "$ID-2"
	assert_output --partial "husk: exec 'no-such-binary'"
	assert_output --partial 'not found'
	assert_clean "$ID-2"
}

@test "process: a non-executable file exits 126" {
	make_bundle
	cfg_args /etc/hostname
	husk_run -126 run -b "$BUNDLE" "$ID"
	assert_output --partial "husk: exec '/etc/hostname'"
	assert_output --partial 'Permission denied'
	assert_clean
}

@test "process: an executable that is no binary fails in execve itself: 127 for run, 255 for exec, the reason and the hint" {
	make_bundle
	printf 'not an ELF, no #! line\n' >"$BUNDLE/rootfs/bin/garbage"
	chmod 755 "$BUNDLE/rootfs/bin/garbage"
	# Only execve finds this out (the lookup before it sees an executable
	# file): whatever execs the payload reports it as husk would.
	cfg_args /bin/garbage
	husk_run -127 run -b "$BUNDLE" "$ID"
	assert_output --partial "husk: exec '/bin/garbage': Exec format error"
	assert_output --partial 'not a binary for this machine, or a script without a #! line'
	assert_clean
	# The same through seccomp (the filter is loaded right before the exec)
	# and through exec, whose failures are 255 as runc's.
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mknod"], action: "SCMP_ACT_ERRNO"}]}'
	cfg_args sleep 30
	husk_quiet run --detach -b "$BUNDLE" "$ID"
	husk_run -255 exec "$ID" /bin/garbage
	assert_output --partial "husk: exec '/bin/garbage': Exec format error"
	husk_run -0 exec "$ID" true
	husk_quiet delete --force "$ID"
	assert_clean
}

@test "process: the caller's fd 7 never reaches the payload; --preserve-fds passes fd 3" {
	make_bundle
	cfg_args probe fds
	run -0 bash -c 'exec 7</etc/hostname 3</etc/hostname
		ls -l /proc/self/fd/7 >/dev/null || exit 99
		exec "$HUSK" --root "$HUSK_ROOT" run -b "$1" "$2"' _ "$BUNDLE" "$ID"
	# probe lists every fd but 0-2: none at all reached the payload.
	refute_output --partial '/etc/hostname'
	assert_output ''
	# Control: the same fds with --preserve-fds 1 give the payload fd 3
	# (and still not fd 7, which is past 3+N-1).
	run -0 bash -c 'exec 7</etc/hostname 3</etc/hostname
		exec "$HUSK" --root "$HUSK_ROOT" run --preserve-fds 1 -b "$1" "$2"' \
		_ "$BUNDLE" "$ID-2"
	assert_line '3 /etc/hostname'
	refute_line --regexp '^7 '
}
