#!/bin/sh
# mkrootfs.sh DIR [--with-probe PROBE] — make a tiny busybox root filesystem.
#
# Everything comes from this machine: Debian's busybox-static provides
# /bin/busybox, a single statically linked binary, so the rootfs needs no
# shared libraries and nothing is downloaded.  Layout:
#   bin/busybox, bin/<applet> -> busybox for every applet it was built with
#   proc sys dev tmp etc root run var/tmp usr/bin home/user
#   etc/passwd (root, nobody, user 1000), etc/group, etc/hostname
# With --with-probe, PROBE (the static test helper) is copied to
# usr/bin/probe.
#
# Idempotent and fast: running it again on a finished rootfs only checks
# that every piece is there, so tests can call it freely.
set -eu

prog=mkrootfs
die() {
	echo "$prog: $*" >&2
	exit 1
}

dir=""
probe=""
while [ $# -gt 0 ]; do
	case $1 in
	--with-probe)
		[ $# -ge 2 ] || die "--with-probe needs a file"
		probe=$2
		shift 2
		;;
	-h | --help)
		echo "usage: mkrootfs.sh DIR [--with-probe PROBE]"
		exit 0
		;;
	-*) die "unknown option '$1'" ;;
	*)
		[ -z "$dir" ] || die "only one DIR may be given"
		dir=$1
		shift
		;;
	esac
done
[ -n "$dir" ] || die "usage: mkrootfs.sh DIR [--with-probe PROBE]"

busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] ||
	die "'$busybox' not found (install busybox-static: ./tests/install-deps.sh build)"
# A dynamically linked busybox (Debian's plain "busybox" package) would need
# the host's libc inside the rootfs; refuse it rather than build a rootfs
# whose every command fails with "not found".
if ldd "$busybox" >/dev/null 2>&1; then
	die "'$busybox' is dynamically linked (install busybox-static, not busybox)"
fi

if [ -n "$probe" ]; then
	[ -f "$probe" ] || die "probe '$probe' not found (build it: make tests/probe/probe)"
	case $probe in /*) ;; *) probe=$PWD/$probe ;; esac
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin proc sys dev etc root run usr/bin var/tmp tmp home/user
chmod 1777 tmp var/tmp
chmod 0700 root

if ! cmp -s "$busybox" bin/busybox; then
	cp "$busybox" bin/busybox.new
	chmod 0755 bin/busybox.new
	mv -f bin/busybox.new bin/busybox
fi

# Relative links, so they resolve the same inside the container and when
# the rootfs is inspected from the host.
# One symlink per applet.  As root, busybox makes them all in one process
# (a loop of `ln` costs seconds on a loaded machine); it links to the
# absolute /bin/busybox, which inside the chroot is the rootfs's own.
if [ "$(id -u)" = 0 ] && chroot . /bin/busybox --install -s /bin 2>/dev/null; then
	:
else
	for applet in $(bin/busybox --list); do
		[ "$applet" = busybox ] && continue
		[ -L "bin/$applet" ] || ln -sf busybox "bin/$applet"
	done
fi

# write_file PATH CONTENT: (re)write PATH only when its content differs, so
# a second run leaves timestamps alone.
write_file() {
	if [ "$(cat "$1" 2>/dev/null)" != "$2" ]; then
		printf '%s\n' "$2" >"$1"
	fi
}

write_file etc/passwd "root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh"
write_file etc/group "root:x:0:
nogroup:x:65534:
user:x:1000:"
write_file etc/hostname "husk"
chown 1000:1000 home/user 2>/dev/null || true

if [ -n "$probe" ]; then
	if ! cmp -s "$probe" usr/bin/probe; then
		cp "$probe" usr/bin/probe.new
		chmod 0755 usr/bin/probe.new
		mv -f usr/bin/probe.new usr/bin/probe
	fi
fi
