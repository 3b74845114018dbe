#!/bin/sh
# run.sh NN [RUN-FLAGS...] — run lesson NN with `husk --debug run`.
#
#   bundles/lessons/run.sh 01              a process and its pid namespace
#   bundles/lessons/run.sh 02 --no-pivot   RUN-FLAGS go to `husk run`
#
# The first time, it builds ./husk and the probe (make) and the lessons'
# shared root filesystem, bundles/lessons/rootfs (busybox + /usr/bin/probe,
# by bundles/mkrootfs.sh; not committed); later runs only check them.  Then
# it runs, from the lesson's directory (its bundle), exactly
#
#   husk --debug run [RUN-FLAGS...] lesson-NN
#
# Every lesson is read-only and small: its config.json bind-mounts the
# lesson's directory at /lesson, and runs /lesson/lesson.sh.
#
# Environment (the bats suite uses these; you need none of them):
#   HUSK, PROBE     the binaries (default: ./husk, tests/probe/probe)
#   HUSK_ROOT       husk's state directory (--root; default husk's own)
#   LESSON_ID       the container id (default lesson-NN)
set -eu

prog=run.sh
die() {
	echo "$prog: $*" >&2
	exit 1
}

[ $# -ge 1 ] || die "usage: run.sh NN [RUN-FLAGS...] (lessons: $(
	cd "$(dirname "$0")" && echo [0-9][0-9]-* | sed 's/-[^ ]*//g'
))"
nn=$1
shift

lessons=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$lessons/../.." && pwd)
case $nn in
[0-9][0-9]) ;;
[0-9]) nn=0$nn ;;
*) die "'$nn' is not a lesson number (01, 02, ...)" ;;
esac
dir=$(cd "$lessons" && echo "$nn"-*)
[ -d "$lessons/$dir" ] || die "there is no lesson $nn in $lessons"
[ "$(id -u)" = 0 ] ||
	die "lessons create namespaces and cgroups: run them as root"

husk=${HUSK:-}
probe=${PROBE:-}
if [ -z "$husk" ] || [ -z "$probe" ]; then
	# make knows when they are up to date; quiet unless it builds.
	make -s -C "$repo" husk tests/probe/probe >&2 ||
		die "building husk and the probe failed (make -C $repo)"
	husk=${husk:-$repo/husk}
	probe=${probe:-$repo/tests/probe/probe}
fi
[ -x "$husk" ] || die "'$husk' not found"

# Cheap when it is already built: mkrootfs.sh only checks.
"$repo/bundles/mkrootfs.sh" "$lessons/rootfs" --with-probe "$probe" ||
	die "building $lessons/rootfs failed"
# Where each lesson's directory is mounted.  Made here, as the rootfs's
# owner: in lesson 04 husk mounts as the user namespace's root, who may not
# write to a rootfs the host's root owns.
mkdir -p "$lessons/rootfs/lesson"

cd "$lessons/$dir"
id=${LESSON_ID:-lesson-$nn}
echo "$prog: cd bundles/lessons/$dir && husk --debug run${*:+ $*} $id" >&2
if [ -n "${HUSK_ROOT:-}" ]; then
	exec "$husk" --root "$HUSK_ROOT" --debug run "$@" "$id"
fi
exec "$husk" --debug run "$@" "$id"
