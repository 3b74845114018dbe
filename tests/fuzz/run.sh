#!/bin/sh
# Build the bundle-parser fuzzer and run it for N seconds (default 60).
#
#   tests/fuzz/run.sh [SECONDS]
#
# Needs clang with libFuzzer.  The binary and the growing corpus live in
# $FUZZ_OUT (default /tmp/husk-fuzz) so the seed corpus in
# tests/fuzz/corpus/ stays as committed; a crash leaves its input there as
# crash-* and makes the script exit non-zero.
set -eu

secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_OUT:-/tmp/husk-fuzz}
mkdir -p "$out/corpus"

cd "$top"
# Only what the parser needs: base, the cgroup value checks, the bundle.
clang -std=gnu11 -g -O1 -D_GNU_SOURCE -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-o "$out/fuzz_bundle" tests/fuzz/fuzz_bundle.c base/base.c \
	cgroup/values.c runtime/bundle*.c runtime/spec.c runtime/seccomp.c \
	-ljansson -lseccomp

cp "$here"/corpus/* "$out/corpus/"
echo "fuzzing rt_config_parse for ${secs}s (corpus and artifacts in $out)"
exec "$out/fuzz_bundle" -max_total_time="$secs" -max_len=65536 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-dict="$here/bundle.dict" -artifact_prefix="$out/" "$out/corpus"
