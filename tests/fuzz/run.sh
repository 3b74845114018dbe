#!/bin/sh
# Build the fuzzers and run them: the bundle parser for N seconds (default
# 60), then state.json's fast reader against jansson for N/4.
#
#   tests/fuzz/run.sh [SECONDS]
#
# Needs clang with libFuzzer.  The binaries and the growing corpora live in
# $FUZZ_OUT (default /tmp/husk-fuzz) so the seed corpora in tests/fuzz/
# stay as committed; a crash leaves its input there as crash-* and makes
# the script exit non-zero.
set -eu

secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_OUT:-/tmp/husk-fuzz}
mkdir -p "$out/corpus" "$out/state-corpus"

cd "$top"
fuzz_cc() {
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all "$@"
}
# Only what each target needs: base, the cgroup value checks, the bundle
# reader and the seccomp compiler; state.c (which opens cgroups for a
# container's status).
fuzz_cc -o "$out/fuzz_bundle" tests/fuzz/fuzz_bundle.c base/base.c \
	base/alloc.c cgroup/values.c runtime/bundle*.c runtime/spec.c \
	runtime/seccomp.c -ljansson -lseccomp
fuzz_cc -o "$out/fuzz_state" tests/fuzz/fuzz_state.c base/base.c \
	runtime/state.c cgroup/*.c -ljansson

run_target() { # NAME CORPUS SECONDS [LIBFUZZER FLAGS]
	name=$1 corpus=$2 t=$3
	shift 3
	cp "$here/$corpus"/* "$out/$corpus/"
	echo "fuzzing $name for ${t}s (corpus and artifacts in $out)"
	"$out/$name" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/$name-" "$@" \
		"$out/$corpus"
}
run_target fuzz_bundle corpus "$secs" -max_len=65536 -dict="$here/bundle.dict"
run_target fuzz_state state-corpus $((secs / 4 > 0 ? secs / 4 : 1)) -max_len=4096 \
	-dict="$here/state.dict"
