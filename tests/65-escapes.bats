#!/usr/bin/env bats
# 65-escapes: the known container escapes of runc, crun and youki, each
# staged for real against husk and shown to fail.  A test is named after its
# CVE.  Where the attack can be shown to work without the protection (on the
# host, or against a process that is not husk), the test does that first, so
# it cannot pass because the attack itself was broken.
#
# Covered elsewhere, not repeated here:
# - CVE-2022-29162, CVE-2022-27650 (inheritable capabilities set
#   implicitly): tests/60-caps.bats, "inheritable stays empty unless listed"
#   and "uid 1000 without ambient caps loses them at exec".
# - CVE-2021-30465 (a mount destination swapped for a symlink to the
#   host): tests/40-mounts.bats tests 1 and 2 plant the symlinks statically.
#   A racing variant is not staged: husk resolves every destination once,
#   with openat2(RESOLVE_IN_ROOT) relative to an fd of the rootfs
#   (ns/mount.c), and mounts onto that fd with move_mount; the kernel
#   resolves ".." and absolute symlinks against the rootfs fd at every step
#   and retries on a concurrent rename (EAGAIN), so a swap at any moment can
#   only change which directory *inside* the rootfs is used, never reach
#   outside it.  There is no second lookup by path to race with.
# - CVE-2025-52565 (/dev/console bound from a path the image controls):
#   husk binds nothing onto /dev/console; a terminal is the pty slave taken
#   with TIOCGPTPEER from a ptmx whose filesystem is checked to be devpts
#   (runtime/setup.c, setup_terminal), handed over as fds 0-2.

load helpers

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# A container running PROGRAM... in the background; waits until it runs.
start_bg() {
	cfg_args "$@"
	husk_bg run --bundle "$BUNDLE" "$ID"
	wait_until 10 container_running
}

container_running() {
	run "$HUSK" --root "$HUSK_ROOT" state "$ID"
	[ "$status" -eq 0 ] && [[ $output == *'"status": "running"'* ]]
}

# husk create ARGS...: the init keeps husk's stdio until it execs, so it
# must not be bats' pipe (a `run` would wait for it).
husk_create() {
	"$HUSK" --root "$HUSK_ROOT" create "$@" >"$BATS_TEST_TMPDIR/create.out" 2>&1 </dev/null 3>&- ||
		fail "husk create failed: $(cat "$BATS_TEST_TMPDIR/create.out")"
}

stop_bg() {
	"$HUSK" --root "$HUSK_ROOT" kill "$ID" KILL || true
	wait "$BG_PID" || true
}

# ------------------------------------------------------------ CVE-2019-5736

@test "escapes: CVE-2019-5736 negative control: the exe attack does overwrite a husk binary on the host" {
	# The same attack as the next test, against a writable copy of husk
	# run by hand on the host: it holds /proc/PID/exe, waits for the
	# process to die and reopens it for writing through /proc/self/fd.
	local d=$BATS_TEST_TMPDIR copy before pid
	copy=$d/husk-copy
	cp "$HUSK" "$copy"
	mkfifo "$d/fifo"
	before=$(sha "$copy")
	"$PROBE" exe-attack --kill --target "$copy" "$d/go" >"$d/attack.out" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait_until 5 grep -q ready "$d/attack.out"
	# --log opens the fifo on the error: the victim waits there.
	"$copy" --log="$d/fifo" no-such-command 2>/dev/null &
	track_pid $!
	wait_until 10 grep -q '^caught ' "$d/attack.out"
	touch "$d/go"
	wait "$pid"
	run cat "$d/attack.out"
	assert_line --regexp "^caught [0-9]+ $copy\$"
	assert_line --regexp '^wrote [0-9]+$'
	[ "$(sha "$copy")" != "$before" ]
}

@test "escapes: CVE-2019-5736 husk's processes in a container run a sealed copy that cannot be written" {
	# The strongest attacker: CAP_SYS_PTRACE in the host's user namespace
	# (no user namespace), so non-dumpability does not stop it from
	# opening /proc/PID/exe of husk's processes in the container.
	local before
	before=$(sha "$HUSK")
	make_bundle
	local r=$BUNDLE/rootfs
	cfg '.root.readonly = false
	     | .process.capabilities |= map_values(. + ["CAP_SYS_PTRACE"])'
	cfg_args probe trap TERM
	# The image's program runs husk's own binary as its interpreter when
	# husk execs it (this kernel may refuse to; it is tried all the same).
	mkfifo "$r/tmp/fifo"
	printf '#!/proc/self/exe --log=/tmp/fifo\n' >"$r/bin/victim"
	chmod 755 "$r/bin/victim"
	# The init is husk until `start`: the attacker, exec'd next to it,
	# holds its exe and that of every husk exec child it sees.
	husk_create --bundle "$BUNDLE" "$ID"
	"$HUSK" --root "$HUSK_ROOT" exec "$ID" /bin/sh -c \
		'exec probe exe-attack /tmp/go >/tmp/attack.out 2>&1' 3>&- &
	track_pid $!
	wait_until 5 grep -q '^caught 1 ' "$r/tmp/attack.out"
	for _ in 1 2 3; do
		husk_run -0 exec "$ID" /bin/true
	done
	cat "$r/tmp/fifo" >/dev/null 3>&- &
	track_pid $!
	husk_run exec "$ID" /bin/victim
	# Once the init has exec'd the payload no husk runs in the container
	# (no more ETXTBSY): the attacker tries its writes.
	husk_run -0 start "$ID"
	touch "$r/tmp/go"
	wait_until 10 grep -q '^done' "$r/tmp/attack.out"
	run cat "$r/tmp/attack.out"
	# It did get hold of husk's exe: the sealed memfd copy ...
	assert_line --regexp '^caught 1 /memfd:husk \(deleted\)$'
	refute_line --regexp '^caught [0-9]+ /work'
	refute_line --regexp "^caught [0-9]+ $HUSK"
	# ... and could write neither it nor anything else it caught.
	refute_line --regexp '^wrote '
	assert_line --regexp '^write-failed 1 EPERM$'
	[ "$(sha "$HUSK")" = "$before" ]
	husk_run delete --force "$ID"
	assert_clean
}

@test "escapes: CVE-2019-5736 without CAP_SYS_PTRACE the payload is exec'd by a sealed shim and husk's binary is never caught" {
	# The common case: no CAP_SYS_PTRACE, no user namespace.  husk does
	# not copy itself; a tiny shim from a sealed memfd execs the payload,
	# and husk's own processes stay non-dumpable until then.
	local before
	before=$(sha "$HUSK")
	make_bundle
	local r=$BUNDLE/rootfs
	cfg '.root.readonly = false'
	cfg_args probe trap TERM
	printf '#!/proc/self/exe\n' >"$r/bin/victim"
	chmod 755 "$r/bin/victim"
	husk_create --bundle "$BUNDLE" "$ID"
	"$HUSK" --root "$HUSK_ROOT" exec "$ID" /bin/sh -c \
		'exec probe exe-attack /tmp/go >/tmp/attack.out 2>&1' 3>&- &
	track_pid $!
	# The init is husk until `start`: non-dumpable, so out of reach.
	wait_until 5 grep -q '^denied 1 EACCES$' "$r/tmp/attack.out"
	husk_run -0 --debug exec "$ID" /bin/true
	assert_output --partial "shim from a sealed memfd"
	refute_output --partial "re-exec from a sealed memfd copy of husk"
	# The image's #!/proc/self/exe program gets the shim, not husk, as its
	# interpreter: the shim refuses to be one (255, silently); husk would
	# have said "unknown command '/bin/victim'".
	husk_run -255 exec "$ID" /bin/victim
	refute_output --partial 'unknown command'
	husk_run -0 start "$ID"
	touch "$r/tmp/go"
	wait_until 10 grep -q '^done' "$r/tmp/attack.out"
	run cat "$r/tmp/attack.out"
	refute_line --regexp "^caught [0-9]+ $HUSK"
	refute_line --regexp '^caught [0-9]+ /work'
	refute_line --regexp '^caught [0-9]+ /memfd:husk \(deleted\)$'
	refute_line --regexp '^wrote '
	[ "$(sha "$HUSK")" = "$before" ]
	husk_run delete --force "$ID"
	assert_clean
}

@test "escapes: CVE-2019-5736 husk copies itself exactly where the shim is not enough" {
	make_bundle
	cfg_args true
	# guard CONFIG-FILTER [RUN FLAGS]: which of the two --debug narrates.
	guard() {
		cfg "$1"
		husk_run -0 --debug run "${@:2}" -b "$BUNDLE" "$ID"
		assert_clean
		if [[ $output == *"re-exec from a sealed memfd copy of husk"* ]]; then
			echo copy
		elif [[ $output == *"shim from a sealed memfd"* ]]; then
			echo shim
		else
			echo neither
		fi
	}
	# The default spec: the shim.
	assert_equal "$(guard .)" shim
	# husk stays the container's PID 1 with --init.
	assert_equal "$(guard . --init)" copy
	# A filter without no_new_privs is loaded before the capabilities go.
	local sc='.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mknod"], action: "SCMP_ACT_ERRNO"}]}'
	assert_equal "$(guard "$sc | .process.noNewPrivileges = false")" copy
	assert_equal "$(guard ".process.noNewPrivileges = true")" shim
	# CAP_SYS_PTRACE without a user namespace reaches non-dumpable husk.
	assert_equal "$(guard 'del(.linux.seccomp) | .process.capabilities.bounding += ["CAP_SYS_PTRACE"]')" copy
	# No capabilities object means none at all, as runc: the shim.
	assert_equal "$(guard 'del(.process.capabilities)')" shim
	assert_equal "$(guard '.process.capabilities = {bounding: ["CAP_SYS_PTRACE"]}')" copy
	# ... with one, its CAP_SYS_PTRACE is not over husk's: the shim again.
	rootfs_to_mapped_root
	assert_equal "$(guard '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]')" shim
}

# ------------------------------------------------------------ CVE-2016-9962

@test "escapes: CVE-2016-9962 a created container's init is not reachable through /proc from inside" {
	local host=$BATS_TEST_TMPDIR/host-dir
	mkdir -p "$host"
	echo host-secret-9962 >"$host/secret"
	make_bundle
	cfg_args probe trap TERM
	# The caller leaks fd 7, a directory of the host, to husk.  The init
	# holds it (close-on-exec) while it waits for `start`.
	husk_create --bundle "$BUNDLE" "$ID" 7<"$host"
	husk_run -0 exec "$ID" probe peek 1
	assert_line exe=EACCES
	assert_line fdlink=EACCES
	assert_line cwd=EACCES
	assert_line environ=EACCES
	refute_line ptrace=ok
	husk_run exec "$ID" cat /proc/1/fd/7/secret
	refute_output --partial host-secret-9962
	# Negative control: once pid 1 is the payload, the same probe reaches
	# it (same uid, same capabilities, dumpable).
	husk_run -0 start "$ID"
	wait_until 5 bash -c "! grep -q '^Name:.*husk' /proc/\$(jq -r .pid <'$HUSK_ROOT/$ID/state.json' 2>/dev/null || echo 0)/status 2>/dev/null"
	husk_run -0 exec "$ID" probe peek 1
	assert_line exe=ok
	assert_line fdlink=ok
	husk_run -0 kill "$ID" KILL
	husk_run delete --force "$ID"
	assert_clean
}

# ------------------------------------------------------------ CVE-2024-21626

@test "escapes: CVE-2024-21626 no fd of husk or its caller reaches the payload, in run and exec" {
	local host=$BATS_TEST_TMPDIR/host-dir
	mkdir -p "$host"
	make_bundle
	cfg_args probe fds
	husk_run -0 run --bundle "$BUNDLE" "$ID" 7<"$host" 8</ 9>"$BATS_TEST_TMPDIR/w"
	assert_output ''
	start_bg probe trap TERM
	husk_run -0 exec "$ID" probe fds 7<"$host" 8</
	assert_output ''
	stop_bg
	assert_clean
}

@test "escapes: CVE-2024-21626 process.cwd /proc/self/fd/N never opens onto the host" {
	local host=$BATS_TEST_TMPDIR/host-dir n
	mkdir -p "$host"
	echo host-secret-21626 >"$host/secret"
	# Negative control: the leaked fd does lead to the secret on the host.
	run -0 bash -c 'cat /proc/self/fd/7/secret' 7<"$host"
	assert_output host-secret-21626
	make_bundle
	cfg_args cat secret
	for n in $(seq 3 32); do
		cfg '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		husk_run run --bundle "$BUNDLE" "$ID" 7<"$host"
		refute_output --partial host-secret-21626
	done
	assert_clean
	cfg '.process.cwd = "/"'
	start_bg probe trap TERM
	for n in $(seq 3 32); do
		husk_run exec --cwd "/proc/self/fd/$n" "$ID" cat secret 7<"$host"
		refute_output --partial host-secret-21626
	done
	stop_bg
	assert_clean
}

# ------------------------------------------- CVE-2019-16884, CVE-2025-52881

@test "escapes: CVE-2019-16884 negative control: sysctl and oom_score_adj land in the real /proc" {
	make_bundle
	cfg '.linux.sysctl = {"kernel.domainname": "sysctl-16884"}
	     | .process.oomScoreAdj = 500'
	cfg_args cat /proc/sys/kernel/domainname /proc/self/oom_score_adj
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line sysctl-16884
	assert_line 500
}

@test "escapes: CVE-2019-16884 a fake dir bound over /proc does not receive sysctl writes" {
	make_bundle
	local fake=$BATS_TEST_TMPDIR/fakeproc
	mkdir -p "$fake/sys/kernel"
	echo untouched >"$fake/sys/kernel/domainname"
	cfg '.mounts += [{destination: "/proc", type: "bind", source: $f, options: ["rbind"]}]
	     | .linux.sysctl = {"kernel.domainname": "pwned"}' --arg f "$fake"
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "'/proc' is not a procfs"
	assert_equal "$(cat "$fake/sys/kernel/domainname")" untouched
	assert_clean
}

@test "escapes: CVE-2019-16884 a fake dir bound over /proc does not receive oom_score_adj" {
	make_bundle
	local fake=$BATS_TEST_TMPDIR/fakeproc
	mkdir -p "$fake/self"
	echo untouched >"$fake/self/oom_score_adj"
	cfg '.mounts += [{destination: "/proc", type: "bind", source: $f, options: ["rbind"]}]
	     | .process.oomScoreAdj = 500' --arg f "$fake"
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "is not on a procfs"
	assert_equal "$(cat "$fake/self/oom_score_adj")" untouched
	assert_clean
}

@test "escapes: CVE-2025-52881 a file bound over a /proc/sys entry does not receive the sysctl" {
	make_bundle
	local fake=$BATS_TEST_TMPDIR/fake-domainname
	echo untouched >"$fake"
	cfg '.mounts += [{destination: "/proc/sys/kernel/domainname", type: "bind", source: $f, options: ["bind"]}]
	     | .linux.sysctl = {"kernel.domainname": "pwned"}' --arg f "$fake"
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "is not on a procfs"
	assert_equal "$(cat "$fake")" untouched
	assert_clean
}

# ------------------------- CVE-2019-19921, CVE-2023-27561, CVE-2023-28642

@test "escapes: CVE-2019-19921 a rootfs whose /proc is a symlink to / is refused" {
	make_bundle
	rmdir "$BUNDLE/rootfs/proc"
	ln -s / "$BUNDLE/rootfs/proc"
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --regexp "'/proc' in the rootfs is or goes through a symlink: refusing to mount proc"
	assert_clean
}

@test "escapes: CVE-2023-27561 a rootfs whose /proc is a symlink to a directory is refused" {
	make_bundle
	rmdir "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/elsewhere"
	ln -s /elsewhere "$BUNDLE/rootfs/proc"
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "'/proc' in the rootfs is or goes through a symlink"
	assert [ -z "$(ls -A "$BUNDLE/rootfs/elsewhere")" ]
	assert_clean
}

@test "escapes: CVE-2023-28642 a rootfs whose /sys is a symlink is refused, for sysfs and the cgroup mount under it" {
	make_bundle
	rmdir "$BUNDLE/rootfs/sys" 2>/dev/null || rm -rf "$BUNDLE/rootfs/sys"
	mkdir -p "$BUNDLE/rootfs/fake-sys/fs/cgroup"
	ln -s fake-sys "$BUNDLE/rootfs/sys"
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "'/sys' in the rootfs is or goes through a symlink: refusing to mount sysfs"
	assert_clean
	# Only the cgroup mount, under the symlinked /sys.
	cfg '.mounts |= map(select(.destination != "/sys"))'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "'/sys/fs/cgroup' in the rootfs is or goes through a symlink"
	assert_clean
}

# ------------------------------------------------------------ CVE-2025-31133

# A /dev the container binds from a directory (a shared volume another
# container could have prepared): husk makes no nodes in it, so /dev/null
# is whatever that directory holds.
bind_dev_dir() {
	cfg '.mounts |= map(select(.destination != "/dev"))
	     | .mounts = [{destination: "/dev", type: "bind", source: $d, options: ["rbind"]}] + .mounts' \
		--arg d "$1"
}

@test "escapes: CVE-2025-31133 negative control: a real 1:3 /dev/null masks /proc/timer_list" {
	make_bundle
	local dev=$BATS_TEST_TMPDIR/voldev
	mkdir -p "$dev"
	mknod -m 666 "$dev/null" c 1 3
	bind_dev_dir "$dev"
	cfg_args sh -c 'wc -c </proc/timer_list'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output 0
	assert_clean
}

@test "escapes: CVE-2025-31133 a /dev/null symlinked to core_pattern is never bound over masked paths" {
	local before
	before=$(sha /proc/sys/kernel/core_pattern)
	make_bundle
	local dev=$BATS_TEST_TMPDIR/voldev
	mkdir -p "$dev"
	ln -s /proc/sys/kernel/core_pattern "$dev/null"
	bind_dev_dir "$dev"
	cfg_args sh -c 'echo "|/tmp/pwned" >/proc/timer_list; cat /proc/timer_list'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "'/dev/null' is a symlink: refusing to bind it over masked paths"
	refute_output --partial pwned
	assert_equal "$(sha /proc/sys/kernel/core_pattern)" "$before"
	assert_clean
}

@test "escapes: CVE-2025-31133 a /dev/null that is a bind of a procfs file is refused" {
	make_bundle
	local dev=$BATS_TEST_TMPDIR/voldev
	mkdir -p "$dev"
	: >"$dev/null"
	bind_dev_dir "$dev"
	# What a racing container achieves: a host procfs file mounted where
	# /dev/null should be.
	cfg '.mounts += [{destination: "/dev/null", type: "bind", source: "/proc/sys/kernel/core_pattern", options: ["bind"]}]'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial "'/dev/null' is not the character device 1:3"
	assert_clean
}

@test "escapes: CVE-2017-5226 a non-terminal container has no controlling terminal to TIOCSTI into" {
	make_bundle
	cfg_args sh -c '(exec 3</dev/tty) 2>/dev/null && echo has-tty || echo no-tty'
	# husk itself runs on a terminal (script gives it one); the payload
	# must not share it: it gets a session of its own.
	run -0 on_tty 20 "$HUSK --root $HUSK_ROOT run --bundle $BUNDLE $ID"
	assert_output --partial no-tty
	refute_output --partial has-tty
	# Negative control: under the same script, a plain process has one.
	run -0 on_tty 20 "sh -c '(exec 3</dev/tty) && echo has-tty'"
	assert_output --partial has-tty
	assert_clean
}

@test "escapes: CVE-2026-41579 a rootfs /dev that is a symlink to a host directory gets nothing made there" {
	make_bundle
	local host_dir="$BATS_TEST_TMPDIR/host-dev"
	mkdir -p "$host_dir"
	cfg '.root.readonly = false'
	rm -rf "$BUNDLE/rootfs/dev"
	ln -s "$host_dir" "$BUNDLE/rootfs/dev"
	cfg_args sh -c 'ls /dev/null && echo ok'
	husk_run run --bundle "$BUNDLE" "$ID"
	# Whatever husk decided (refuse, or resolve /dev inside the rootfs),
	# no node, link or mount landed in the host directory.
	run -0 find "$host_dir" -mindepth 1
	assert_output ''
	run -0 awk -v d="$host_dir" '$5 == d' /proc/self/mountinfo
	assert_output ''
	assert_clean
}

@test "escapes: CVE-2026-30892 exec --user is parsed strictly" {
	make_bundle
	cfg_args /bin/sleep 600
	husk_bg run --bundle "$BUNDLE" "$ID"
	wait_until 10 container_running
	local u
	for u in : 1000: :1000 1000:abc 1000:1000x abc -1 4294967296 '1000 ' ' 1000'; do
		husk_run exec --user "$u" "$ID" /bin/true
		assert_failure
		assert_output --partial -- "--user"
	done
	# Negative control: a well-formed one works.
	husk_run -0 exec --user 1000:1000 "$ID" /usr/bin/probe ids
	assert_output --partial 'uid=1000'
	husk_run -0 delete --force "$ID"
	assert_clean
}
