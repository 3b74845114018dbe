#!/usr/bin/env bats
# 40-mounts: the container's filesystem.  mounts[] applied in order with
# their options, every destination resolved inside the rootfs (a symlink
# pointing out of it lands inside), /dev made, root.readonly, maskedPaths
# and readonlyPaths.  Checked from inside (mountinfo, stat, writes) and from
# the host (nothing mounted outside the container).

load helpers

# mountinfo_opts DEST: "per-mount-options super-options" of the mount at
# DEST, read from the payload's /proc/self/mountinfo in $output.
mountinfo_opts() {
	awk -v d="$1" '$5 == d { for (i = 7; $i != "-"; i++); print $6, $(i + 3) }' <<<"$output" | tail -n1
}

@test "mounts: 1 a destination that is a symlink out of the rootfs lands inside it" {
	make_bundle
	local host_dir="$BATS_TEST_TMPDIR/host-target"
	mkdir -p "$host_dir" "$BUNDLE/rootfs/inside-target"
	# Absolute and ../ escapes: both must resolve within the rootfs.
	ln -s "$host_dir" "$BUNDLE/rootfs/abs-escape"
	ln -s ../../../../../../../../.."$host_dir" "$BUNDLE/rootfs/rel-escape"
	mkdir -p "$BUNDLE/rootfs/$host_dir"
	cfg '.mounts += [
		{destination: "/abs-escape", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		{destination: "/rel-escape/sub", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
	cfg_args /bin/sh -c 'cat /proc/self/mountinfo; touch /abs-escape/mark /rel-escape/sub/mark && echo wrote'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line wrote
	# Inside, the tmpfs sits on the rootfs's copy of the host path.
	assert_output --regexp " $host_dir rw[^ ]* .* - tmpfs "
	assert_output --regexp " $host_dir/sub rw[^ ]* .* - tmpfs "
	# On the host nothing was mounted and nothing was written.
	run -0 cat /proc/self/mountinfo
	refute_output --partial " $host_dir "
	assert [ ! -e "$host_dir/mark" ]
	assert [ ! -e "$host_dir/sub" ]
	assert_clean
}

@test "mounts: 2 a bind destination under a symlink to / is made inside the rootfs" {
	make_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	echo hello-from-host >"$src/file"
	# /etc/passwd-like escape: the destination's parent is a symlink to /.
	ln -s / "$BUNDLE/rootfs/rootlink"
	cfg '.mounts += [{destination: "/rootlink/srv/data", type: "bind", source: $s, options: ["rbind", "ro"]}]' --arg s "$src"
	cfg_args /bin/cat /srv/data/file
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output hello-from-host
	# The mount point was created inside the rootfs, not on the host.
	assert [ -d "$BUNDLE/rootfs/srv/data" ]
	assert [ ! -e /srv/data/file ]
	assert_clean
}

@test "mounts: 3 bind options ro, nosuid, nodev, noexec are applied; rw stays writable" {
	make_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src/ro" "$src/rw"
	cp "$PROBE" "$src/ro/probe"
	cfg '.mounts += [
		{destination: "/mnt/ro", type: "bind", source: ($s + "/ro"), options: ["bind", "ro", "nosuid", "nodev", "noexec"]},
		{destination: "/mnt/rw", type: "bind", source: ($s + "/rw"), options: ["bind", "rw"]}]' --arg s "$src"
	cfg_args /bin/sh -c 'cat /proc/self/mountinfo
		touch /mnt/ro/x 2>/dev/null && echo ro-writable
		touch /mnt/rw/y && echo rw-ok
		/mnt/ro/probe exit 0 2>/dev/null && echo exec-allowed
		true'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	refute_line ro-writable
	assert_line rw-ok
	refute_line exec-allowed
	run -0 mountinfo_opts /mnt/ro
	assert_output --regexp '^ro,nosuid,nodev,noexec'
	assert [ -e "$src/rw/y" ]
	assert [ ! -e "$src/ro/x" ]
	assert_clean
}

@test "mounts: 4 mounts are applied in order: a later one covers an earlier one" {
	make_bundle
	cfg '.mounts += [
		{destination: "/data", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		{destination: "/data/inner", type: "tmpfs", source: "tmpfs", options: ["size=2m", "mode=700"]},
		{destination: "/data", type: "tmpfs", source: "tmpfs", options: ["size=3m"]}]'
	cfg_args /bin/sh -c 'ls -A /data | wc -l; df -k /data | tail -n1'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	# The third mount hides the first and its /data/inner.
	assert_line 0
	assert_line --regexp '^tmpfs +3072 '
	# Missing mount points were created inside the rootfs only.
	assert [ -d "$BUNDLE/rootfs/data" ]
	assert_clean
}

@test "mounts: 5 the standard /dev nodes and links are made" {
	make_bundle
	cfg_args /bin/sh -c 'for n in null zero full random urandom tty; do
			stat -c "%n %F %t:%T %a" /dev/$n; done
		for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
		echo x >/dev/null && echo null-ok
		head -c 4 /dev/zero | od -An -tx1'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line '/dev/null character special file 1:3 666'
	assert_line '/dev/zero character special file 1:5 666'
	assert_line '/dev/full character special file 1:7 666'
	assert_line '/dev/random character special file 1:8 666'
	assert_line '/dev/urandom character special file 1:9 666'
	assert_line '/dev/tty character special file 5:0 666'
	assert_line 'fd -> /proc/self/fd'
	assert_line 'stdin -> /proc/self/fd/0'
	assert_line 'stdout -> /proc/self/fd/1'
	assert_line 'stderr -> /proc/self/fd/2'
	assert_line 'ptmx -> pts/ptmx'
	assert_line null-ok
	assert_line ' 00 00 00 00'
	assert_clean
}

@test "mounts: 6 linux.devices are created with their type, numbers, mode and owner" {
	make_bundle
	cfg '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 438, uid: 7, gid: 8}]
	     | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]'
	cfg_args /bin/sh -c 'stat -c "%n %F %t:%T %a %u:%g" /dev/mynull; echo x >/dev/mynull && echo write-ok'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line '/dev/mynull character special file 1:3 666 7:8'
	assert_line write-ok
	assert_clean
}

@test "mounts: 7 root.readonly makes / read-only; tmpfs mounts on it stay writable" {
	make_bundle
	cfg '.root.readonly = true
	     | .mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
	cfg_args /bin/sh -c 'touch /newfile 2>&1; touch /scratch/ok && echo scratch-ok'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_output --partial 'Read-only file system'
	assert_line scratch-ok
	assert [ ! -e "$BUNDLE/rootfs/newfile" ]
	# Negative control: without readonly the same write works.
	cfg '.root.readonly = false'
	cfg_args /bin/touch /newfile
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert [ -e "$BUNDLE/rootfs/newfile" ]
	assert_clean
}

@test "mounts: 8 maskedPaths hide files and directories; readonlyPaths are read-only" {
	make_bundle
	mkdir -p "$BUNDLE/rootfs/secret-dir/sub" "$BUNDLE/rootfs/ro-dir"
	echo top-secret >"$BUNDLE/rootfs/secret-file"
	echo hidden >"$BUNDLE/rootfs/secret-dir/sub/f"
	cfg '.linux.maskedPaths = ["/secret-file", "/secret-dir", "/does/not/exist"]
	     | .linux.readonlyPaths = ["/proc/sys", "/ro-dir", "/no/such/path"]
	     | .root.readonly = false'
	cfg_args /bin/sh -c 'stat -c "%F %t:%T" /secret-file; echo "bytes=$(wc -c </secret-file)"
		echo "entries=$(ls -A /secret-dir | wc -l)"; stat -f -c %T /secret-dir
		echo 1 >/proc/sys/kernel/domainname 2>/dev/null || echo sys-ro
		touch /ro-dir/x 2>/dev/null || echo dir-ro
		touch /rw-file && echo rootfs-rw'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line 'character special file 1:3'
	assert_line bytes=0
	assert_line entries=0
	assert_line tmpfs
	assert_line sys-ro
	assert_line dir-ro
	# Negative control: the rest of the rootfs is writable.
	assert_line rootfs-rw
	# The masked content is intact on the host side.
	assert_equal "$(cat "$BUNDLE/rootfs/secret-file")" top-secret
	assert_clean
}

@test "mounts: 9 a bind source that does not exist is refused naming it; nothing left" {
	make_bundle
	cfg '.mounts += [{destination: "/x", type: "bind", source: "/no/such/source", options: ["bind"]}]'
	husk_run -1 run --bundle "$BUNDLE" "$ID"
	assert_output --partial /no/such/source
	assert_clean
}

@test "mounts: 10 rootfsPropagation private: a mount made on the host later does not appear inside" {
	make_bundle
	local src="$BATS_TEST_TMPDIR/shared"
	mkdir -p "$src/sub"
	cfg '.linux.rootfsPropagation = "private"
	     | .mounts += [{destination: "/mnt/s", type: "bind", source: $s, options: ["rbind"]}]' --arg s "$src"
	cfg_args /bin/sh -c 'sleep 2; grep -c " /mnt/s/sub " /proc/self/mountinfo || true'
	husk_bg run --bundle "$BUNDLE" "$ID"
	wait_until 10 "$HUSK" --root "$HUSK_ROOT" state "$ID"
	mount -t tmpfs -o size=1m husk-test "$src/sub"
	wait "$BG_PID" || true
	umount "$src/sub"
	run -0 cat "$BG_OUT"
	assert_output 0
	assert_clean
}

@test "mounts: 11 missing destinations are made inside the rootfs, a dangling symlink where it points" {
	make_bundle
	local host_dir="$BATS_TEST_TMPDIR/host-made"
	mkdir -p "$BUNDLE/rootfs/opt"
	# The last component dangles: relative, absolute, and absolute out of
	# the rootfs (clamped to it).  Its parent exists, and one is nested.
	ln -s ../srv/made "$BUNDLE/rootfs/opt/rel"
	ln -s /var/made "$BUNDLE/rootfs/opt/abs"
	ln -s ../../../../../../../..$host_dir "$BUNDLE/rootfs/opt/out"
	cfg '.mounts += [
		{destination: "/opt/rel", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		{destination: "/opt/abs", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		{destination: "/opt/out/deeper", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		{destination: "/opt/new/proc", type: "proc", source: "proc"}]'
	cfg_args /bin/sh -c 'cat /proc/self/mountinfo; touch /opt/out/deeper/mark && echo wrote'
	husk_run -0 run --bundle "$BUNDLE" "$ID"
	assert_line wrote
	# A kernel filesystem's missing destination is made too (no symlink).
	assert_output --regexp ' /opt/new/proc rw[^ ]* .* - proc '
	assert [ -d "$BUNDLE/rootfs/opt/new/proc" ]
	assert_output --regexp ' /srv/made rw[^ ]* .* - tmpfs '
	assert_output --regexp ' /var/made rw[^ ]* .* - tmpfs '
	assert_output --regexp " $host_dir/deeper rw[^ ]* .* - tmpfs "
	# Made inside the rootfs; on the host nothing at all.
	assert [ -d "$BUNDLE/rootfs/srv/made" ]
	assert [ -d "$BUNDLE/rootfs/var/made" ]
	assert [ -d "$BUNDLE/rootfs/$host_dir/deeper" ]
	assert [ ! -e "$host_dir" ]
	assert_clean
}
