#!/bin/sh
# install-deps.sh MODE [--dry-run] — install what husk needs on Debian/Ubuntu.
#
#   build  compile husk and the static test probe
#   test   build + everything `make check` uses (bats, jq, schema validator,
#          clang's libFuzzer, qemu for the VM suite, newuidmap, ip, unshare,
#          and the engines 95-engines drives husk from: podman, containerd)
#   bench  build + the runtimes and the timer `make bench` compares against,
#          and docker's default seccomp profile (containers-common)
#
# Only packages that are missing are installed, so on a prepared machine this
# prints nothing and touches nothing (and does not need root).  `apt-get
# update` runs only when something has to be installed.  --dry-run (or
# INSTALL_DEPS_DRY_RUN=1) prints what would be installed and stops.
set -eu

prog=install-deps
mode=${1:-}
dry=${INSTALL_DEPS_DRY_RUN:-0}
[ "${2:-}" = "--dry-run" ] && dry=1

die() {
	echo "$prog: $*" >&2
	exit 1
}

# libc6-dev is listed although gcc normally brings it: it is only a
# Recommends of gcc, and the probe links statically against libc.a.
# musl-tools, dpkg-dev, cmake, gperf and xz-utils build husk's libraries for
# musl from Debian's source packages (tools/musl-deps.sh); the -dev
# packages are for LIBC=glibc builds, the sanitizers and the fuzzers.
build_pkgs="gcc make pkg-config libc6-dev libseccomp-dev libcap-dev libjansson-dev busybox-static
	musl-tools dpkg-dev cmake gperf xz-utils"

case $mode in
build) want=$build_pkgs ;;
test) want="$build_pkgs bats bats-assert bats-support jq python3 python3-jsonschema
	qemu-system-x86 uidmap clang iproute2 util-linux podman conmon containerd" ;;
# golang-github-containers-common ships /usr/share/containers/seccomp.json,
# docker's default seccomp profile as podman keeps it (bench scenario 4).
bench) want="$build_pkgs crun runc hyperfine jq python3 time util-linux
	golang-github-containers-common" ;;
*) die "usage: install-deps.sh build|test|bench [--dry-run]" ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	# Not our packaging system: say what is needed and let the build find out.
	echo "$prog: not a Debian/Ubuntu system; make sure the equivalents of these are installed:" >&2
	# shellcheck disable=SC2086 # split the list onto one line
	printf ' %s' $want >&2
	echo >&2
	exit 0
fi

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# clang's -fsanitize=fuzzer needs libFuzzer, which Debian ships apart from
# clang in libclang-rt-N-dev (N = clang's major version).  Find N from the
# installed clang, or else from the version the clang package would pull in.
fuzzer_pkg() {
	if command -v clang >/dev/null 2>&1; then
		v=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
	else
		v=$(apt-cache depends clang 2>/dev/null |
			sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	fi
	[ -n "$v" ] && echo "libclang-rt-$v-dev"
	return 0
}

missing=""
for p in $want; do
	installed "$p" || missing="$missing $p"
done
if [ "$mode" = test ]; then
	fp=$(fuzzer_pkg)
	if [ -n "$fp" ] && ! installed "$fp"; then
		missing="$missing $fp"
	fi
fi
missing=${missing# }
[ -z "$missing" ] && exit 0

echo "$prog: installing $missing"
[ "$dry" = 1 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	die "missing packages: $missing; run as root: sudo ./tests/install-deps.sh $mode"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || die "apt-get update failed"
# The fuzzer package's name may only be known now that the lists are fresh.
if [ "$mode" = test ] && ! echo " $missing " | grep -q ' libclang-rt-'; then
	fp=$(fuzzer_pkg)
	[ -n "$fp" ] && ! installed "$fp" && missing="$missing $fp"
fi
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y -qq --no-install-recommends $missing </dev/null ||
	die "apt-get install failed for: $missing"
