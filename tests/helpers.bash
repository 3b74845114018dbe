# helpers.bash — shared by every tests/NN-*.bats file: `load helpers`.
#
# What a test gets:
#   $HUSK, $PROBE, $REPO      the binaries under test and the source tree
#   $ID                       a container id unique to this test
#   $HUSK_ROOT                a state directory private to this test
#   make_bundle [NAME]        $BUNDLE = a fresh bundle (busybox + probe rootfs,
#                             config.json from `husk spec`, non-terminal,
#                             cgroupsPath /husk-test/$ID)
#   cfg 'JQ-FILTER'           edit $BUNDLE/config.json in place
#   cfg_args ARG...           set process.args
#   husk_run [RUN-FLAGS] ARGS...   `run husk --root $HUSK_ROOT ARGS...`
#   husk_quiet ARGS...        husk with stdio to a file (create, run -d)
#   husk_bg ARGS...           start husk in the background (output in
#                             $BG_OUT); its pid is recorded for teardown
#   track_pid PID             have teardown kill PID too
#   on_tty SECONDS 'BASH-CMD' run BASH-CMD on a fresh pseudo-terminal
#                             (script(1)), killed after SECONDS
#   cgroup_path               /husk-test/$ID
#   cgroup_dir CONTROLLER     where that cgroup is on the host for CONTROLLER
#                             (v1 hierarchy, or the cgroup2 mount)
#   assert_clean [ID]         nothing of the container is left behind
#   wait_until TIMEOUT CMD... poll CMD until it succeeds (never a bare sleep)
#   require_kernel_feature NAME [CHECK-CMD...]   skip when the kernel lacks
#                             NAME; with MUST_WORK=1 fail instead
#   ensure_rootless_user      the ordinary user $ROOTLESS_USER exists, with
#                             subordinate ids in /etc/subuid and /etc/subgid
#
# A file that defines its own setup/teardown must call common_setup /
# common_teardown from them.
#
# Hygiene: teardown kills only processes this test started (recorded pids
# and the members of this test's own cgroup), and removes only the
# /husk-test/$ID cgroups.  Nothing else on the machine is touched.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
HUSK=${HUSK:-$REPO/husk}
PROBE=${PROBE:-$REPO/tests/probe/probe}
# The OCI schemas: a copy in the tree if there is one, else the shared one.
if [ -z "${OCI_SCHEMA_DIR:-}" ]; then
	OCI_SCHEMA_DIR=$REPO/tests/oci-schema
	[ -d "$OCI_SCHEMA_DIR" ] || OCI_SCHEMA_DIR=/work/shared/oci-schema
fi
export REPO HUSK PROBE OCI_SCHEMA_DIR

_bats_lib() {
	if [ -f "/usr/lib/bats/$1/load.bash" ]; then
		load "/usr/lib/bats/$1/load"
	else
		bats_load_library "$1"
	fi
}
_bats_lib bats-support
_bats_lib bats-assert

# ---------------------------------------------------------------- setup

# The sanitizer settings run-bats.sh exports, for the tests that start a
# command in an empty environment (env -i, as an ordinary user): a husk
# built with SANITIZE= and started without them would run LeakSanitizer at
# exit, which spins forever in a non-dumpable process.
SAN_ENV=()
[ -z "${ASAN_OPTIONS:-}" ] || SAN_ENV+=("ASAN_OPTIONS=$ASAN_OPTIONS")
[ -z "${UBSAN_OPTIONS:-}" ] || SAN_ENV+=("UBSAN_OPTIONS=$UBSAN_OPTIONS")

setup() { common_setup; }
teardown() { common_teardown; }

common_setup() {
	ID="ht${BATS_SUITE_TEST_NUMBER}-$$"
	HUSK_ROOT="$BATS_TEST_TMPDIR/state"
	BUNDLE=""
	BG_OUT="$BATS_TEST_TMPDIR/bg.out"
	_TRACKED_PIDS=()
	export ID HUSK_ROOT
}

common_teardown() {
	local pid d
	# Processes this test started itself, then everything in its cgroup
	# (which only this test's container can have joined).
	for pid in "${_TRACKED_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for d in $(_test_cgroup_dirs); do
		_kill_cgroup "$d"
	done
	if [ -x "$HUSK" ] && [ -d "$HUSK_ROOT" ]; then
		"$HUSK" --root "$HUSK_ROOT" delete --force "$ID" >/dev/null 2>&1 || true
	fi
	for pid in "${_TRACKED_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# Mounts left under the bundle would keep bats from removing its
	# temporary directory and fail every later test; detach them.
	if [ -n "$BUNDLE" ]; then
		_mounts_under "$BUNDLE" | sort -r | while read -r d; do
			umount -l "$d" 2>/dev/null || true
		done
	fi
	for d in $(_test_cgroup_dirs | sort -r); do
		_rmdir_cgroup "$d"
	done
}

# ---------------------------------------------------------------- bundles

# The base rootfs (busybox + /usr/bin/probe) is built once per bats run and
# copied into each bundle, so a test may change its copy freely.
base_rootfs() {
	local base="$BATS_RUN_TMPDIR/rootfs"
	if [ ! -e "$base.done" ]; then
		[ -x "$PROBE" ] || { fail "'$PROBE' is missing (build it: make tests/probe/probe)"; return 1; }
		(
			flock 9
			if [ ! -e "$base.done" ]; then
				"$REPO/bundles/mkrootfs.sh" "$base" --with-probe "$PROBE" &&
					touch "$base.done"
			fi
		) 9>"$base.lock" || { fail "building the base rootfs failed"; return 1; }
	fi
	echo "$base"
}

make_bundle() {
	local base
	base=$(base_rootfs) || return 1
	BUNDLE="$BATS_TEST_TMPDIR/${1:-bundle}"
	mkdir -p "$BUNDLE"
	cp -a --reflink=auto "$base" "$BUNDLE/rootfs"
	"$HUSK" spec --bundle "$BUNDLE" ||
		{ fail "'husk spec --bundle $BUNDLE' failed"; return 1; }
	cfg ".process.terminal = false
	     | .process.args = [\"/bin/true\"]
	     | .linux.cgroupsPath = \"$(cgroup_path)\""
}

# cfg 'JQ-FILTER' [JQ-OPTIONS...]: edit $BUNDLE/config.json in place, e.g.
#   cfg '.hostname = $h' --arg h box
cfg() {
	local f="$BUNDLE/config.json"
	[ -f "$f" ] || { fail "cfg: no '$f' (call make_bundle first)"; return 1; }
	jq "$1" "${@:2}" <"$f" >"$f.new" || { fail "cfg: jq filter '$1' failed"; return 1; }
	mv "$f.new" "$f"
}

# cfg_args ARG...: set process.args, each argument one array element (after
# "--", so arguments like "-c" are not taken for jq's own options).
cfg_args() {
	local json
	json=$(jq -nc '$ARGS.positional' --args -- "$@") || { fail "cfg_args: jq failed"; return 1; }
	cfg '.process.args = $a' --argjson a "$json"
}

# ---------------------------------------------------------------- running

# husk_run [bats run flags like -0, -127, !, --separate-stderr] ARGS...
husk_run() {
	local flags=()
	while [ $# -gt 0 ]; do
		case $1 in
		-[0-9]* | ! | --separate-stderr | --keep-empty-lines) flags+=("$1") ;;
		*) break ;;
		esac
		shift
	done
	run "${flags[@]}" "$HUSK" --root "$HUSK_ROOT" "$@"
}

# husk_quiet ARGS...: husk for commands that leave a container running
# (create, run --detach, exec --detach): its stdio must not be bats' pipes,
# or `run` would wait for the container to close them.  Sets status and
# output like `run`.
husk_quiet() {
	status=0
	"$HUSK" --root "$HUSK_ROOT" "$@" >"$BATS_TEST_TMPDIR/quiet.out" 2>&1 </dev/null || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/quiet.out")
}

# husk_bg ARGS...: start husk in the background; stdout and stderr go to
# $BG_OUT.  Sets BG_PID.
husk_bg() {
	"$HUSK" --root "$HUSK_ROOT" "$@" >"$BG_OUT" 2>&1 </dev/null &
	BG_PID=$!
	track_pid "$BG_PID"
}

# rootfs_to_mapped_root: give $BUNDLE/rootfs to host uid/gid 100000, the
# root of the 0 -> 100000 maps the user-namespace tests use, as an engine
# would prepare it.  bats makes its run directory 0700: the mapped root
# could not reach the rootfs through it, as with any engine whose bundle
# path is private.  Let it search (not read) the way down.
rootfs_to_mapped_root() {
	chown -R 100000:100000 "$BUNDLE/rootfs"
	local d=$BUNDLE
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		chmod o+x "$d"
	done
}

track_pid() {
	_TRACKED_PIDS+=("$1")
}

# on_tty SECONDS 'BASH-CMD': run BASH-CMD under script(1), which gives it a
# new session whose controlling terminal is a fresh pty; stdin is this
# shell's.  script starts "$SHELL -c BASH-CMD", so SHELL is pinned to bash:
# a CI job may have no SHELL (script then uses sh, which is dash: no $'..'
# quoting, and it forks a single command where bash execs it -- so the
# command is no longer in the terminal's foreground process group).  The
# timeout wraps script, never the command inside: timeout(1) moves its
# child to a process group of its own, and a background job that touches
# its terminal is stopped by SIGTTOU, forever.
on_tty() {
	local seconds=$1
	SHELL=/bin/bash timeout -k 5 "$seconds" script -qec "$2" /dev/null
}

# ---------------------------------------------------------------- rootless

# The ordinary user the rootless tests run husk as.  Made once and left: a
# user account is not something a container left behind.
ROOTLESS_USER=husk-rootless

ensure_rootless_user() {
	if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
		useradd --system --create-home --shell /bin/sh "$ROOTLESS_USER"
	fi
	grep -q "^$ROOTLESS_USER:" /etc/subuid ||
		usermod --add-subuids 300000-365535 "$ROOTLESS_USER"
	grep -q "^$ROOTLESS_USER:" /etc/subgid ||
		usermod --add-subgids 300000-365535 "$ROOTLESS_USER"
}

# ---------------------------------------------------------------- cgroups

cgroup_path() {
	echo "/husk-test/$ID"
}

# "MOUNTPOINT FSTYPE SUPER-OPTIONS" of every cgroup hierarchy (v1 and v2).
_cgroup_hierarchies() {
	# mountinfo: id parent maj:min root mountpoint opts [tags] - fstype src super
	awk '{ for (i = 7; $i != "-"; i++);
	       if ($(i+1) ~ /^cgroup2?$/) print $5, $(i+1), $(i+3) }' /proc/self/mountinfo
}

_cgroup_mounts() {
	_cgroup_hierarchies | cut -d' ' -f1
}

_test_cgroup_dirs() {
	local m
	[ -n "${ID:-}" ] || return 0
	for m in $(_cgroup_mounts); do
		[ -d "$m/husk-test/$ID" ] && find "$m/husk-test/$ID" -type d
	done
	return 0
}

# cgroup_dir CONTROLLER: the host directory of this test's cgroup for
# CONTROLLER: its v1 hierarchy if it has one, else the cgroup2 mount.
cgroup_dir() {
	local m type opts v2=""
	while read -r m type opts; do
		if [ "$type" = cgroup2 ]; then
			v2=$m
		elif [[ ",$opts," == *",$1,"* || ",$opts," == *",name=$1,"* ]]; then
			echo "$m$(cgroup_path)"
			return 0
		fi
	done < <(_cgroup_hierarchies)
	[ -n "$v2" ] || { fail "cgroup_dir: no hierarchy has controller '$1'"; return 1; }
	echo "$v2$(cgroup_path)"
}

_kill_cgroup() {
	local pid
	[ -r "$1/cgroup.procs" ] || return 0
	while read -r pid; do
		kill -KILL "$pid" 2>/dev/null || true
	done <"$1/cgroup.procs"
}

# rmdir fails while a killed member is still exiting: retry briefly.
_rmdir_cgroup() {
	for _ in $(seq 50); do
		rmdir "$1" 2>/dev/null && return 0
		[ -d "$1" ] || return 0
		_kill_cgroup "$1"
		sleep 0.05
	done
	echo "teardown: could not remove cgroup '$1'" >&2
}

# ---------------------------------------------------------------- checks

_mounts_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}

# assert_clean [ID]: husk left nothing of the container behind: no cgroup,
# no mount under the bundle, no process living in the bundle, no state.
assert_clean() {
	local id=${1:-$ID} m p link problems=()
	for m in $(_cgroup_mounts); do
		[ -d "$m/husk-test/$id" ] && problems+=("cgroup '$m/husk-test/$id' still exists")
	done
	if [ -n "$BUNDLE" ]; then
		while read -r m; do
			problems+=("mount '$m' is still there")
		done < <(_mounts_under "$BUNDLE")
		# One find, not two readlinks per process: this runs after
		# nearly every test.
		while read -r p; do
			link=${p##*/}
			p=${p%/*}
			problems+=("process ${p#/proc/} has its $link in the bundle")
		done < <(find /proc -mindepth 2 -maxdepth 2 \( -name cwd -o -name root \) \
			\( -lname "$BUNDLE" -o -lname "$BUNDLE/*" \) 2>/dev/null)
	fi
	[ -e "$HUSK_ROOT/$id" ] && problems+=("state '$HUSK_ROOT/$id' still exists")
	if [ ${#problems[@]} -gt 0 ]; then
		printf '%s\n' "${problems[@]}" |
			batslib_decorate "container '$id' left things behind" | fail
		return 1
	fi
}

# wait_until TIMEOUT CMD...: run CMD every 50 ms until it succeeds; fail the
# test when TIMEOUT seconds (may be fractional) pass first.
wait_until() {
	local timeout=$1 start now
	shift
	start=${EPOCHREALTIME/[.,]/}
	until "$@"; do
		now=${EPOCHREALTIME/[.,]/}
		if [ $((now - start)) -ge "$(_usec "$timeout")" ]; then
			fail "timed out after ${timeout}s waiting for: $*"
			return 1
		fi
		sleep 0.05
	done
}

_usec() {
	awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 }'
}

# require_kernel_feature NAME [CHECK-CMD...]: skip the test when the kernel
# lacks NAME — the only reason a test may skip.  With MUST_WORK=1 (CI) the
# test fails instead, so a missing feature is never silently untested.
# Known names: userns, cgroup2, cgroup1, seccomp, timens, cgroupns,
# pidfd_open, clone3, and cgroup-CONTROLLER (e.g. cgroup-memory: some
# hierarchy, v1 or v2, has that controller).  Other names need a CHECK-CMD.
require_kernel_feature() {
	local name=$1
	shift
	if [ $# -eq 0 ]; then
		case $name in
		userns) set -- _have_userns ;;
		cgroup2) set -- _have_fstype cgroup2 ;;
		cgroup1) set -- _have_fstype cgroup ;;
		seccomp) set -- grep -q '^Seccomp:' /proc/self/status ;;
		timens) set -- test -e /proc/self/ns/time ;;
		cgroupns) set -- test -e /proc/self/ns/cgroup ;;
		pidfd_open | clone3) set -- _kernel_at_least 5 3 ;;
		cgroup-*) set -- _have_controller "${name#cgroup-}" ;;
		*)
			fail "require_kernel_feature: '$name' is unknown; give a check command"
			return 1
			;;
		esac
	fi
	"$@" && return 0
	if [ "${MUST_WORK:-0}" = 1 ]; then
		fail "kernel feature '$name' is missing and MUST_WORK=1"
		return 1
	fi
	skip "kernel lacks $name"
}

_have_userns() {
	[ -e /proc/self/ns/user ] &&
		[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" -gt 0 ]
}

_have_fstype() {
	_cgroup_hierarchies | cut -d' ' -f2 | grep -qx "$1"
}

_have_controller() {
	local m type opts
	while read -r m type opts; do
		if [ "$type" = cgroup2 ]; then
			grep -qw "$1" "$m/cgroup.controllers" 2>/dev/null && return 0
		elif [[ ",$opts," == *",$1,"* ]]; then
			return 0
		fi
	done < <(_cgroup_hierarchies)
	return 1
}

_kernel_at_least() {
	local major minor
	IFS=. read -r major minor _ < <(uname -r)
	[ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "${minor%%[!0-9]*}" -ge "$2" ]; }
}
