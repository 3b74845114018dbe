#!/bin/bash
# run.sh — time husk against crun and runc on the same busybox bundle.
#
#   ./bench/run.sh                  scenarios 1 2 3 4 5 6 9, BENCH_N runs each
#   BENCH_SCENARIOS="1 2 3 4 5 6 7 8 9" ./bench/run.sh  also the 100/20
#                                   bursts and `list` of 1000 containers
#   BENCH_N=20 BENCH_WARMUP=3 ./bench/run.sh
#   BENCH_SCENARIOS="1 5 9" ./bench/run.sh
#
# See bench/README.md for what each scenario measures.  Results are printed
# as one table and written to bench/results.json (raw samples included).
#
# Runtimes take turns (husk crun runc husk crun runc ...) so that a drift in
# machine load hits all three alike; the husk/crun and husk/runc ratios are
# taken per turn and then their median is reported.
#
# The host is never changed: on a hybrid cgroup host the whole bench runs in
# a private mount namespace with /sys/fs/cgroup/unified unmounted, because
# crun 1.8.1 refuses the hybrid layout; all three runtimes then see the same
# pure v1 layout.  Every container gets a cgroup under /husk-bench/ and is
# deleted with --force afterwards; cgroup directories left under /husk-bench
# are removed at the end (only those, never anything else).
set -euo pipefail

prog=bench
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
N=${BENCH_N:-10}
WARMUP=${BENCH_WARMUP:-2}
# 7 and 8 are left out by default: they take minutes each here.
SCENARIOS=${BENCH_SCENARIOS:-"1 2 3 4 5 6 9"}
SEQ=${BENCH_SEQ:-100}   # scenario 7: sequential runs in one sample
PAR=${BENCH_PAR:-20}    # scenario 7: parallel runs in one sample
BURST_N=${BENCH_BURST_N:-1}
LIST_N=${BENCH_LIST_N:-1000} # scenario 8: containers in each state dir
# scenario 4: docker's default profile as podman ships it (containers-common)
SECCOMP_PROFILE=${BENCH_SECCOMP_PROFILE:-/usr/share/containers/seccomp.json}
RUNTIMES=${BENCH_RUNTIMES:-"husk crun runc"}
LIMIT=${BENCH_LIMIT:-1}
HUSK=${HUSK:-$top/husk}
OUT=${BENCH_OUT:-$here/results.json}

die() {
	echo "$prog: $*" >&2
	exit 1
}
[[ $LIST_N =~ ^[1-9][0-9]*$ ]] || die "BENCH_LIST_N: not a count: '$LIST_N'"

[ "$(id -u)" = 0 ] || die "must run as root (containers with cgroups)"
# A no-op when everything is there (prints and installs nothing).
[ -n "${HUSK_BENCH_INNER:-}" ] || "$top/tests/install-deps.sh" bench
[ -x "$HUSK" ] || die "'$HUSK' not found: run 'make husk' first"
for t in crun runc jq python3 unshare /usr/bin/time; do
	command -v "$t" >/dev/null ||
		die "'$t' not found: run ./tests/install-deps.sh bench"
done

if [[ " $SCENARIOS " == *" 4 "* ]] && [ ! -r "$SECCOMP_PROFILE" ]; then
	die "scenario 4: no seccomp profile '$SECCOMP_PROFILE': run" \
		"./tests/install-deps.sh bench (golang-github-containers-common)" \
		"or set BENCH_SECCOMP_PROFILE to docker's default.json"
fi

# Re-enter in a private mount namespace if the host is hybrid (see above).
if [ -z "${HUSK_BENCH_INNER:-}" ]; then
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		echo "$prog: hybrid cgroups: running in a private mount namespace" \
			"without /sys/fs/cgroup/unified (crun 1.8.1 refuses hybrid)"
		HUSK_BENCH_INNER=1 exec unshare -m --propagation private \
			"$0" "$@"
	fi
else
	umount /sys/fs/cgroup/unified || die "cannot unmount /sys/fs/cgroup/unified"
	# crun still makes <path>/cgroup.procs under unified/: give it a
	# private tmpfs that goes away with this namespace, not the host's.
	# Each such file takes a 4 KiB page (256 per MiB) while its container
	# exists; scenario 8 keeps LIST_N of them.
	mount -t tmpfs -o size=$((LIST_N / 256 + 2))m husk-bench \
		/sys/fs/cgroup/unified ||
		die "cannot mount a tmpfs on /sys/fs/cgroup/unified"
fi

work=$(mktemp -d /tmp/husk-bench.XXXXXX)
# The user-namespace scenario's mapped root must reach its rootfs.
chmod 755 "$work"
samples=$work/samples.tsv
errors=$work/errors.log
: >"$samples"
: >"$errors"
echo null >"$work/seccomp.json" # scenario 4 fills it in

declare -A RT_BIN=([husk]=$HUSK [crun]=crun [runc]=runc)

cleanup() {
	local rt d
	for rt in $RUNTIMES; do
		# Anything still registered in our private state dirs.
		if [ -d "$work/state/$rt" ]; then
			for d in "$work/state/$rt"/*/; do
				[ -d "$d" ] || continue
				"${RT_BIN[$rt]}" --root "$work/state/$rt" delete --force \
					"$(basename "$d")" >/dev/null 2>&1 || true
			done
		fi
	done
	# Only the cgroups we made: /husk-bench/* in each hierarchy.
	for d in /sys/fs/cgroup/*/husk-bench/*/ /sys/fs/cgroup/*/husk-bench/; do
		if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
	done
	rm -rf "$work"
}
trap cleanup EXIT

echo "$prog: building the busybox bundle in $work"
"$top/bundles/mkrootfs.sh" "$work/rootfs" >/dev/null
cc -static -nostdlib -O2 -o "$work/rootfs/bin/exit0" "$top/bench/exit0.c" ||
	die "cannot build bench/exit0.c"
# The limit (bench/limit.c): the default spec's kernel work and nothing
# else, timed beside the runtimes in scenarios 1 and 4 (BENCH_LIMIT=0: not).
# Built by the Makefile, as husk is.
if [ "$LIMIT" = 1 ]; then
	make -C "$top" -s bench/limit >/dev/null || die "cannot build bench/limit"
fi
# The user-namespace scenario needs a rootfs owned by the mapped root.
cp -a "$work/rootfs" "$work/rootfs-userns"
chown -hR 100000:100000 "$work/rootfs-userns"
(cd "$work" && runc spec) # writes $work/config.json
jq --arg root "$work/rootfs" \
	'.process.args = ["/bin/true"] | .process.terminal = false |
	 .root.path = $root' "$work/config.json" >"$work/plain.json"
# `runc spec` lists ambient capabilities that are not inheritable, which the
# kernel cannot grant; every runtime skips them (husk with a warning).  Check
# once that each runtime runs the unchanged config, then time that config.
cp "$work/plain.json" "$work/base.json"
compat=""
for r in $RUNTIMES; do
	mkdir -p "$work/b/compat-$r"
	jq '.linux.cgroupsPath = "/husk-bench/compat-'"$r"'"' "$work/plain.json" \
		>"$work/b/compat-$r/config.json"
	if out=$("${RT_BIN[$r]}" --root "$work/state/$r" run \
		--bundle "$work/b/compat-$r" compat 2>&1 </dev/null); then
		compat="$compat$r=ok "
	else
		compat="$compat$r=FAIL "
		echo "$prog: $r refuses the unchanged 'runc spec' config: $out" >&2
	fi
	"${RT_BIN[$r]}" --root "$work/state/$r" delete --force compat \
		>/dev/null 2>&1 || true
	rmdir /sys/fs/cgroup/*/husk-bench/compat-"$r" 2>/dev/null || true
done
echo "$prog: unchanged runc spec: $compat"

# Per-scenario changes to the default spec (jq filters: $uroot is jq's).
# shellcheck disable=SC2016
scen_jq() {
	case $1 in
	limits) # added to the default's resources (its device rules stay)
		echo '.linux.resources += {
			memory: {limit: 268435456},
			cpu: {quota: 50000, period: 100000},
			pids: {limit: 64}}'
		;;
	userns)
		echo '.root.path = $uroot |
			.linux.namespaces += [{type: "user"}] |
			.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
			.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
		;;
	exec)
		echo '.process.args = ["/bin/sleep", "3600"]'
		;;
	seccomp)
		echo '.linux.seccomp = $sec[0]'
		;;
	exit0)
		echo '.process.args = ["/bin/exit0"]'
		;;
	*) echo . ;;
	esac
}

seq_no=0
# bundle SCEN RT — write a fresh bundle for the next container; sets $bundle,
# $cid and $cgpath (absolute, under /husk-bench/).
bundle() {
	local scen=$1 r=$2 filter
	seq_no=$((seq_no + 1))
	cid=$scen-$seq_no
	cgpath=/husk-bench/$r-$seq_no
	bundle=$work/b/$r-$seq_no
	mkdir -p "$bundle"
	filter=$(scen_jq "$scen")
	jq --arg uroot "$work/rootfs-userns" --arg cg "$cgpath" \
		--slurpfile sec "$work/seccomp.json" \
		"$filter | .linux.cgroupsPath = \$cg" "$work/base.json" \
		>"$bundle/config.json"
}

# rt RUNTIME ARGS... — call a runtime with its private state directory.
rt() {
	local r=$1
	shift
	"${RT_BIN[$r]}" --root "$work/state/$r" "$@"
}

# forget RT — remove the last container and its cgroup, whatever happened.
forget() {
	local r=$1 d
	# `run` deletes its container itself; calling delete anyway would
	# cost a runtime start (100 ms for runc) per container.
	if [ -e "$work/state/$r/$cid" ]; then
		rt "$r" delete --force "$cid" >/dev/null 2>&1 || true
	fi
	for d in /sys/fs/cgroup/*"$cgpath"/; do
		if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
	done
	rm -rf "$bundle"
}

# Children's user and system CPU of this shell, as `times` prints them
# (1m2.345s; a builtin, so no fork is counted).  Sets $cu $cs.  Converted
# only after the second snapshot: a conversion's own subshells would
# otherwise be counted as the runtime's CPU.
child_cpu() {
	times >"$work/times"
	{
		read -r _
		read -r cu cs
	} <"$work/times"
}

# timed SCEN RT IDX CMD... — run CMD once, append a sample line:
# scen rt idx wall_s cpu_s rc.  Output of CMD goes to the error log.
timed() {
	local scen=$1 r=$2 idx=$3 t0 t1 u0 s0 rc=0
	shift 3
	child_cpu
	u0=$cu s0=$cs
	t0=$EPOCHREALTIME
	"$@" >>"$errors" 2>&1 </dev/null || rc=$?
	t1=$EPOCHREALTIME
	child_cpu
	if [ "$rc" != 0 ]; then
		echo "[$scen $r #$idx] exit $rc: $*" >>"$errors"
	fi
	[ "$idx" -ge 0 ] || return 0 # warm-up: not recorded
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$r" "$idx" \
		"$t0" "$t1" "$u0" "$s0" "$cu $cs" "$rc" >>"$work/raw.tsv"
}

# One run of each scenario for runtime R, sample number I (negative: warm-up).
one_run() { # run of /bin/true, default or modified spec
	local scen=$1 r=$2 i=$3
	bundle "$scen" "$r"
	if [ "$r" = limit ]; then # the same cgroup path; no bundle, no state
		timed "$scen" limit "$i" "$top/bench/limit" "$work/rootfs" "$cgpath" \
			${LIMIT_BPF[$scen]:+"${LIMIT_BPF[$scen]}"}
	else
		timed "$scen" "$r" "$i" rt "$r" run --bundle "$bundle" "$cid"
	fi
	forget "$r"
}
# with_limit SCEN — sets $rts: the runtimes of scenario SCEN, and the
# limit where it has the same work to do: the default spec, and scenario 4
# with husk's compiled filter (the issue's "precompiled seccomp filter").
declare -A LIMIT_BPF=([default]="")
LIMIT_RAN=0
with_limit() {
	rts=$RUNTIMES
	if [ "$LIMIT" = 1 ] && [ -n "${LIMIT_BPF[$1]+set}" ]; then
		LIMIT_RAN=1
		rts="$RUNTIMES limit"
	fi
}

# Scenario 4: docker's default seccomp profile.  The profile on disk is in
# docker's format (rules for every architecture and capability set); it is
# converted to the OCI linux.seccomp that docker or podman would write for
# this machine and the bundle's bounding set, and put into every runtime's
# config alike.  husk caches the compiled BPF in a file named after the
# profile's digest (runtime/seccomp.c, under /run/husk/seccomp-cache as
# root); which file is learned from one `husk --debug run`, and only that
# file is removed before each cold sample.
HUSK_BPF=""
seccomp_setup() {
	local r out
	python3 "$here/seccomp-oci.py" "$SECCOMP_PROFILE" "$work/base.json" \
		>"$work/seccomp.json" || die "cannot convert $SECCOMP_PROFILE"
	# Check once that each runtime really loads a filter from it.
	for r in $RUNTIMES; do
		bundle seccomp "$r"
		jq '.process.args = ["/bin/grep", "^Seccomp:", "/proc/self/status"]' \
			"$bundle/config.json" >"$work/check.json"
		mv "$work/check.json" "$bundle/config.json"
		if [ "$r" = husk ]; then
			out=$(rt husk --debug run --bundle "$bundle" "$cid" 2>&1 </dev/null) || true
		else
			out=$(rt "$r" run --bundle "$bundle" "$cid" 2>&1 </dev/null) || true
		fi
		forget "$r"
		grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$out" ||
			die "$r did not run under the converted profile's filter: $out"
		[ "$r" = husk ] || continue
		HUSK_BPF=$(sed -n -E \
			's#^.*seccomp: (cached|cache hit) (/[^ ]*/[0-9a-f]{64}\.bpf).*$#\2#p' \
			<<<"$out" | head -n 1)
		[ -f "$HUSK_BPF" ] ||
			die "husk's BPF cache file not found in its --debug output"
		# The instructions for the limit: husk's cache entry without
		# its 80-byte header (runtime/seccomp.c, struct cache_hdr, which
		# asserts this layout), whose ninsns (bytes 72-75) must match
		# what is left.
		tail -c +81 "$HUSK_BPF" >"$work/seccomp.bpf"
		[ "$(od -An -tu4 -j72 -N4 "$HUSK_BPF" | tr -d ' ')" = \
			"$(($(stat -c %s "$work/seccomp.bpf") / 8))" ] ||
			die "$HUSK_BPF: not the cache format bench/run.sh knows"
		LIMIT_BPF[seccomp]=$work/seccomp.bpf
	done
}
one_seccomp() {
	local r=$1 i=$2
	if [ "$r" = husk ]; then
		rm -f "$HUSK_BPF"
		bundle seccomp husk
		timed seccomp-cold husk "$i" rt husk run --bundle "$bundle" "$cid"
		forget husk
		# It must have cached it again, else the warm sample is not warm.
		[ -f "$HUSK_BPF" ] ||
			echo "[seccomp-cold husk #$i] $HUSK_BPF not rewritten" >>"$errors"
	fi
	one_run seccomp "$r" "$i" # warm for husk: the file is there now
}

# create, start, wait until stopped, delete — four commands, timed together.
# The status is matched in bash, not with jq: a jq per poll (a fork and an
# exec, ~4 ms here) was timed as the runtimes' own and made up a quarter of
# husk's figure.
csd() {
	local r=$1 b=$2 id=$3 st=
	local stopped='"status"[[:space:]]*:[[:space:]]*"stopped"'
	rt "$r" create --bundle "$b" "$id" || return 1
	rt "$r" start "$id" || return 1
	for _ in $(seq 1 1000); do
		st=$(rt "$r" state "$id") || return 1
		[[ $st =~ $stopped ]] && break
	done
	[[ $st =~ $stopped ]] || return 1
	rt "$r" delete "$id"
}
one_csd() {
	local r=$1 i=$2
	bundle default "$r"
	timed create-start-delete "$r" "$i" csd "$r" "$bundle" "$cid"
	forget "$r"
}

# exec /bin/true in a running container (sleep 3600), one container per
# runtime, reused for every sample.
declare -A EXEC_ID EXEC_BUNDLE EXEC_CG
exec_setup() {
	local r=$1
	bundle exec "$r"
	EXEC_ID[$r]=$cid EXEC_BUNDLE[$r]=$bundle EXEC_CG[$r]=$cgpath
	rt "$r" run --detach --bundle "$bundle" "$cid" >>"$errors" 2>&1 </dev/null ||
		echo "[exec $r] setup failed" >>"$errors"
}
one_exec() {
	local r=$1 i=$2
	timed exec "$r" "$i" rt "$r" exec "${EXEC_ID[$r]}" /bin/true
}
exec_teardown() {
	local r=$1
	cid=${EXEC_ID[$r]} bundle=${EXEC_BUNDLE[$r]} cgpath=${EXEC_CG[$r]}
	forget "$r"
}

# Peak RSS (kB) of the runtime for one `run` (GNU time: the largest of the
# runtime process and the children it waited for).  The payload is
# bench/exit0.c, a few pages: with busybox's /bin/true, its own RSS was the
# largest, and every runtime measured the same 1.3 MB.
one_rss() {
	local r=$1 i=$2 kb
	bundle exit0 "$r"
	if /usr/bin/time -f %M -o "$work/rss" "${RT_BIN[$r]}" \
		--root "$work/state/$r" run --bundle "$bundle" "$cid" \
		>>"$errors" 2>&1 </dev/null; then
		kb=$(tail -n 1 "$work/rss")
		[ "$i" -lt 0 ] || printf 'rss\t%s\t%s\t%s\n' "$r" "$i" "$kb" \
			>>"$work/rss.tsv"
	else
		echo "[rss $r #$i] failed" >>"$errors"
	fi
	forget "$r"
}

# COUNT containers (default spec), all run one after the other (seq) or all
# at once (par); one sample is the whole burst.  Bundles are written first.
burst_go() {
	local mode=$1 r=$2 j
	shift 2
	for j in "$@"; do
		if [ "$mode" = seq ]; then
			rt "$r" run --bundle "$work/b/$r-$j" "default-$j" || return 1
		else
			rt "$r" run --bundle "$work/b/$r-$j" "default-$j" &
		fi
	done
	[ "$mode" = seq ] && return 0
	local rc=0
	for j in $(jobs -p); do wait "$j" || rc=1; done
	return $rc
}
one_burst() {
	local mode=$1 count=$2 r=$3 i=$4 k nums=()
	for k in $(seq "$count"); do
		bundle default "$r"
		nums+=("$seq_no")
	done
	timed "$mode$count" "$r" "$i" burst_go "$mode" "$r" "${nums[@]}"
	for k in "${nums[@]}"; do
		cid=default-$k cgpath=/husk-bench/$r-$k bundle=$work/b/$r-$k
		forget "$r"
	done
}

# Scenario 8: `list` with LIST_N containers in each runtime's state dir.
# Each runtime creates LIST_N real containers (default spec, a cgroup each)
# and the bench SIGKILLs each one's init, by the pid from --pid-file, right
# after its create: the state dir then holds LIST_N stopped containers (as
# after payloads that ended or a crash) and no process is left waiting.
# Creates and deletes run LIST_JOBS at a time (untimed; mostly waiting).
LIST_JOBS=8
declare -A LIST_FIRST LIST_LAST
list_create() {
	local r=$1 k=$2 pid
	if rt "$r" create --pid-file "$work/b/$r-$k/pid" \
		--bundle "$work/b/$r-$k" "default-$k" >>"$errors" 2>&1 </dev/null; then
		pid=$(<"$work/b/$r-$k/pid")
		[[ $pid =~ ^[1-9][0-9]*$ ]] && kill -KILL "$pid"
	else
		echo "[list $r] create default-$k failed" >>"$errors"
	fi
}
list_delete() {
	local r=$1 k=$2
	cid=default-$k cgpath=/husk-bench/$r-$k bundle=$work/b/$r-$k
	forget "$r"
}
# in_parallel FUNC RT — FUNC RT K for every K of RT's list containers,
# LIST_JOBS at a time.
in_parallel() {
	local f=$1 r=$2 k running=0
	for k in $(seq "${LIST_FIRST[$r]}" "${LIST_LAST[$r]}"); do
		if [ "$running" -ge "$LIST_JOBS" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		"$f" "$r" "$k" &
		running=$((running + 1))
	done
	wait
}
# The bundles differ only in cgroupsPath: one jq for a template, then
# written by the shell itself (no process per container).
list_fill() {
	local r=$1 k tmpl dirs=()
	LIST_FIRST[$r]=$((seq_no + 1))
	LIST_LAST[$r]=$((seq_no + LIST_N))
	seq_no=${LIST_LAST[$r]}
	tmpl=$(jq '.linux.cgroupsPath = "@CGPATH@"' "$work/base.json")
	for k in $(seq "${LIST_FIRST[$r]}" "$seq_no"); do
		dirs+=("$work/b/$r-$k")
	done
	mkdir -p "${dirs[@]}"
	for k in $(seq "${LIST_FIRST[$r]}" "$seq_no"); do
		printf '%s\n' "${tmpl//@CGPATH@//husk-bench/$r-$k}" \
			>"$work/b/$r-$k/config.json"
	done
	in_parallel list_create "$r"
}
# list_check RT — LIST_N containers listed, all stopped (give the kernel a
# moment to finish the killed inits).
list_check() {
	local r=$1 n=0 stopped=0
	for _ in $(seq 50); do
		n=$(rt "$r" list -q | wc -l) || n="?"
		stopped=$(rt "$r" list --format json |
			jq '[.[] | select(.status == "stopped")] | length') ||
			stopped="?"
		[ "$n" = "$LIST_N" ] && [ "$stopped" = "$LIST_N" ] && return 0
		sleep 0.1
	done
	# A figure for fewer containers than asked for would mislead.
	die "8: $r lists $n containers, $stopped stopped; want $LIST_N" \
		"(first errors: $(grep -v warning "$errors" | head -n 4))"
}
quiet() { "$@" >/dev/null; }
one_list() {
	local r=$1 i=$2
	timed list "$r" "$i" quiet rt "$r" list
	timed list-json "$r" "$i" quiet rt "$r" list --format json
}
list_empty() { in_parallel list_delete "$1"; }

# alternate FUNC ARGS... — warm-up then N samples, runtimes taking turns.
alternate() {
	local f=$1 i r
	shift
	for i in $(seq "$WARMUP"); do
		for r in $RUNTIMES; do "$f" "$@" "$r" "-$i"; done
	done
	for i in $(seq 0 $((N - 1))); do
		for r in $RUNTIMES; do "$f" "$@" "$r" "$i"; done
	done
}
# argument order shims (runtime and index come last from alternate)
s_run() { one_run "$1" "$2" "$3"; }
s_csd() { one_csd "$1" "$2"; }
s_exec() { one_exec "$1" "$2"; }
s_rss() { one_rss "$1" "$2"; }

: >"$work/rss.tsv"
ran=""
start=$EPOCHREALTIME
for s in $SCENARIOS; do
	case $s in
	1) echo "$prog: 1 run /bin/true (default spec)"
		with_limit default
		RUNTIMES=$rts alternate s_run default ;;
	2) echo "$prog: 2 run with limits (memory 256M, cpu 50000/100000, pids 64)"
		alternate s_run limits ;;
	3) echo "$prog: 3 run in a user namespace (0 -> 100000, 65536)"
		alternate s_run userns ;;
	4) echo "$prog: 4 run with docker's default seccomp profile" \
			"($SECCOMP_PROFILE; husk: cold and warm BPF cache)"
		seccomp_setup
		with_limit seccomp
		RUNTIMES=$rts alternate one_seccomp ;;
	5) echo "$prog: 5 create + start + wait stopped + delete"
		alternate s_csd ;;
	6) echo "$prog: 6 exec /bin/true in a running container"
		for r in $RUNTIMES; do exec_setup "$r"; done
		alternate s_exec
		for r in $RUNTIMES; do exec_teardown "$r"; done ;;
	7) echo "$prog: 7 $SEQ runs one after the other, $PAR at once"
		N=$BURST_N WARMUP=0 alternate one_burst seq "$SEQ"
		N=$BURST_N WARMUP=0 alternate one_burst par "$PAR" ;;
	8) echo "$prog: 8 list with $LIST_N stopped containers in the state dir"
		t8=$EPOCHREALTIME
		for r in $RUNTIMES; do list_fill "$r"; done
		for r in $RUNTIMES; do list_check "$r"; done
		t8f=$EPOCHREALTIME
		alternate one_list
		t8l=$EPOCHREALTIME
		for r in $RUNTIMES; do list_empty "$r"; done
		awk -v a="$t8" -v b="$t8f" -v c="$t8l" -v d="$EPOCHREALTIME" \
			'BEGIN { printf "%.1f\t%.1f\t%.1f\n", b - a, c - b, d - c }' \
			>"$work/list-took"
		IFS=$'\t' read -r fill8 list8 del8 <"$work/list-took"
		echo "$prog: 8 took ${fill8}s to create, ${list8}s to list, ${del8}s to delete" ;;
	9) echo "$prog: 9 peak RSS of one run"
		alternate s_rss ;;
	*) die "unknown scenario '$s' (have 1 2 3 4 5 6 7 8 9)" ;;
	esac
	ran="$ran $s"
done
# wall = t1 - t0; cpu = children's (user + sys) after - before
[ -s "$work/raw.tsv" ] && awk -F'\t' -v OFS='\t' '
	function secs(t,  m, s) { m = t; sub(/m.*/, "", m); s = t
		sub(/.*m/, "", s); sub(/s$/, "", s); return m * 60 + s }
	{ split($8, a, " ")
	  printf "%s\t%s\t%s\t%.6f\t%.3f\t%s\n", $1, $2, $3, $5 - $4,
	    secs(a[1]) - secs($6) + secs(a[2]) - secs($7), $9 }' \
	"$work/raw.tsv" >"$samples"
total=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b - a}')

python3 "$here/report.py" "$samples" "$work/rss.tsv" "$errors" "$OUT" \
	"$HUSK" "$N" "$WARMUP" "$total" \
	"$RUNTIMES$([ "$LIMIT_RAN" = 1 ] && echo " limit")" "${ran# }" "${compat% }" \
	"$LIST_N" "$work/list-took"
