#!/bin/sh
# demo.sh [HUSK-GLOBAL-FLAGS...] — run the hello bundle with ./husk.
#
#   ./bundles/demo.sh            what the container sees
#   ./bundles/demo.sh --debug    also narrate every kernel operation husk makes
#
# Builds bundles/hello/rootfs from the machine's busybox the first time (and
# refreshes hello.sh in it every time), then runs it under a fresh id.
set -eu

cd "$(dirname "$0")/.."
husk=${HUSK:-./husk}
bundle=bundles/hello

die() {
	echo "demo: $*" >&2
	exit 1
}

[ -x "$husk" ] || die "'$husk' not found (build it first: make)"
[ "$(id -u)" = 0 ] ||
	die "the hello bundle creates namespaces and cgroups: run it as root (sudo make demo)"

./bundles/mkrootfs.sh "$bundle/rootfs"
cp "$bundle/hello.sh" "$bundle/rootfs/hello.sh"

echo "demo: $husk${*:+ $*} run --bundle $bundle hello-$$" >&2
exec "$husk" "$@" run --bundle "$bundle" "hello-$$"
