#!/bin/bash
# run-bats.sh [FILE|NN...] — run the bats suite and say how it went.
#
#   ./tests/run-bats.sh             every tests/[0-9]*.bats, in order
#   ./tests/run-bats.sh 00 50-cgroup tests/80-signals.bats   a subset
#   ./tests/run-bats.sh -f 'memory' 50                      by test name
#
# Pretty output on a terminal, TAP otherwise; either way the last line is
# "N passed, N failed[, N skipped]" and the exit status is non-zero when
# anything failed.  With MUST_WORK=1 (CI) a skipped test counts as a failure:
# helpers.bash only skips for a missing kernel feature, and CI must have all.
#
# Tests tagged "# bats test_tags=vm-only" run only where HUSK_VM=1 (the VM
# of tests/vm); elsewhere they are left out with a line saying so.
#
# Knobs: HUSK (binary under test), MUST_WORK, BATS_TEST_TIMEOUT (seconds per
# test, default 120), RUN_BATS_TIMEOUT (seconds for the whole run, 2400).  Only bash and bats are assumed, so this runs the same
# on a workstation and inside the test VM.
set -u

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "run-bats: $*" >&2
	exit 2
}

command -v bats >/dev/null 2>&1 ||
	die "bats not found (install it: ./tests/install-deps.sh test)"

# Resolve each argument: a path, or a file name in tests/ with or without
# .bats, or just its number ("50" -> tests/50-*.bats).
files=()
bats_opts=()
args=()
while [ $# -gt 0 ]; do
	case $1 in
	-f | --filter)
		[ $# -ge 2 ] || die "$1 needs a regular expression"
		bats_opts+=(--filter "$2")
		shift 2
		;;
	-*) die "unknown option '$1' (only -f REGEX is passed to bats)" ;;
	*)
		args+=("$1")
		shift
		;;
	esac
done
if [ ${#args[@]} -eq 0 ]; then
	files=("$here"/[0-9]*.bats)
	[ -e "${files[0]}" ] || die "no tests in '$here'"
fi
for arg in "${args[@]}"; do
	if [ -f "$arg" ]; then
		files+=("$arg")
		continue
	fi
	matches=()
	for cand in "$here/$arg" "$here/$arg.bats" "$here/$arg"-*.bats; do
		[ -f "$cand" ] && matches+=("$cand")
	done
	[ ${#matches[@]} -gt 0 ] || die "no test file matches '$arg'"
	files+=("${matches[0]}")
done

# Tests tagged vm-only change the machine (a system-wide sysctl): they run
# only in the throwaway VM of tests/vm (make check-vm), which sets HUSK_VM=1.
# Elsewhere they are left out, and the run says so: not a silent skip.
if [ "${HUSK_VM:-0}" != 1 ]; then
	bats_opts+=(--filter-tags '!vm-only')
	vm_only=$(grep -h -A1 '^# bats test_tags=.*vm-only' "${files[@]}" | grep -c '^@test')
	[ "$vm_only" -gt 0 ] &&
		echo "run-bats: $vm_only test(s) tagged vm-only left to the VM (make check-vm)" >&2
fi

report=$(mktemp -d "${TMPDIR:-/tmp}/run-bats.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$report"' EXIT

export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

# A husk built with SANITIZE=address,undefined writes any report into
# $san (kept out of the tests' outputs, and counted below as a
# failure).  Leak checking is off: husk exits straight after its work, and
# LeakSanitizer cannot stop the world of a non-dumpable process.  The
# directory is open to all: some tests run husk as an ordinary user.
san=$(mktemp -d "${TMPDIR:-/tmp}/husk-san.XXXXXX") && chmod 1777 "$san" ||
	die "mktemp failed"
trap 'rm -rf "$report" "$san"' EXIT
export ASAN_OPTIONS="detect_leaks=0:log_path=$san/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$san/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
RUN_BATS_TIMEOUT=${RUN_BATS_TIMEOUT:-2400}
if [ -t 1 ]; then
	formatter=pretty
else
	formatter=tap
fi

# The live output uses the chosen formatter; the counting reads the TAP
# report bats writes alongside, so both modes count the same way.
# bats' own per-test timeout only fires once the test's foreground command
# returns, so a command stuck for good (a process stopped on its terminal,
# say) would hang the run until CI's limit.  The whole run has a bound too.
timeout -k 30 "$RUN_BATS_TIMEOUT" \
	bats --formatter "$formatter" --report-formatter tap --output "$report" \
	--print-output-on-failure "${bats_opts[@]}" "${files[@]}"
rc=$?
[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] &&
	echo "run-bats: the run took more than $RUN_BATS_TIMEOUT s and was stopped" >&2

tap="$report/report.tap"
[ -f "$tap" ] || die "bats wrote no report (exit status $rc)"

planned=0 passed=0 failed=0 skipped=0
while IFS= read -r line; do
	case $line in
	1..*) planned=${line#1..} ;;
	"not ok "*) failed=$((failed + 1)) ;;
	"ok "*" # skip"*) skipped=$((skipped + 1)) ;;
	"ok "*) passed=$((passed + 1)) ;;
	esac
done <"$tap"

# A test file that dies mid-way leaves tests unreported: count them failed.
missing=$((planned - passed - failed - skipped))
if [ "$missing" -gt 0 ]; then
	echo "run-bats: $missing planned tests never reported" >&2
	failed=$((failed + missing))
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "run-bats: bats exited with status $rc" >&2
	failed=1
fi
reports=$(find "$san" -type f | sort)
if [ -n "$reports" ]; then
	echo "run-bats: sanitizer reports:" >&2
	for f in $reports; do
		echo "--- $f" >&2
		cat "$f" >&2
	done
	failed=$((failed + $(wc -l <<<"$reports")))
fi
if [ "${MUST_WORK:-0}" = 1 ] && [ "$skipped" -gt 0 ]; then
	echo "run-bats: MUST_WORK=1: $skipped skipped tests count as failures" >&2
	failed=$((failed + skipped))
fi

# The tests' common parent /husk-test, in every hierarchy, once empty (a
# concurrent run may still use it; rmdir fails then and that is fine).
for d in /sys/fs/cgroup/husk-test /sys/fs/cgroup/*/husk-test; do
	[ -d "$d" ] && rmdir "$d" 2>/dev/null
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"

[ "$failed" -eq 0 ] && [ "$((passed + skipped))" -gt 0 ]
