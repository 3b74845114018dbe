#!/usr/bin/env bats
# 96-lessons: every lesson in bundles/lessons runs, and shows what its
# README says you will see, so the pages cannot drift from what husk does.
#
# A lesson's README holds the command in a ```sh block
# (`bundles/lessons/run.sh NN [RUN-FLAGS]`) and, after it, ```text blocks of
# lines that run prints; `...` in a line stands for any text, and a line
# that is only `...` for lines left out.  `<!-- status: N -->` gives the
# exit status when it is not 0.  Each lesson runs through a copy of run.sh
# with its cgroupsPath moved to /husk-test/$ID; the README's cgroupsPath and
# container id are translated to those before matching.

load helpers

LESSONS=$REPO/bundles/lessons

# lesson_dir NN: the lesson's directory name, e.g. 01-pid.
lesson_dir() {
	local d
	for d in "$LESSONS/$1"-*/; do
		[ -d "$d" ] && basename "$d" && return 0
	done
	fail "no lesson $1 in $LESSONS"
}

# expectations README: "FLAGS\037LINE" for every line of every ```text
# block, FLAGS being those of the last run.sh command before it.
expectations() {
	awk '
		/^```/ && block != "" { block = ""; next }
		/^```sh/ { block = "sh"; next }
		/^```text/ {
			block = "text"
			if (!seen) { print "README: a text block before any run.sh command" > "/dev/stderr"; exit 1 }
			next
		}
		/^```/ { block = "other"; next }
		block == "sh" && /run\.sh [0-9][0-9]/ {
			flags = $0
			sub(/.*run\.sh [0-9][0-9] */, "", flags)
			seen = 1
		}
		block == "text" && $0 !~ /^[[:space:]]*(\.\.\.)?[[:space:]]*$/ { print flags "\037" $0 }
	' "$1"
}

# commands README: the distinct RUN-FLAGS of its run.sh commands, one a line
# (an empty line for a plain run).
commands() {
	awk '
		/^```/ && block != "" { block = ""; next }
		/^```sh/ { block = "sh"; next }
		/^```/ { block = "other"; next }
		block == "sh" && /run\.sh [0-9][0-9]/ {
			f = $0; sub(/.*run\.sh [0-9][0-9] */, "", f)
			if (!(f in seen)) { seen[f] = 1; print f }
		}
	' "$1"
}

# to_regex LINE: an anchored ERE for LINE, `...` matching anything and
# leading or trailing blanks ignored.
to_regex() {
	local line=$1 out="" part
	line=${line#"${line%%[![:space:]]*}"}
	line=${line%"${line##*[![:space:]]}"}
	while :; do
		part=${line%%...*}
		out+=$(printf '%s' "$part" | sed 's/[][\.*^$(){}+?|/]/\\&/g')
		[ "$part" = "$line" ] && break
		out+='.*'
		line=${line#*...}
	done
	printf '^[[:space:]]*%s[[:space:]]*$' "$out"
}

# lesson_tree NN: a copy of run.sh and lesson NN next to a copy of the
# test rootfs, under $BATS_TEST_TMPDIR/bundles; sets LESSON (its bundle)
# and BUNDLE (the whole tree, for teardown and assert_clean).
lesson_tree() {
	local base dir
	dir=$(lesson_dir "$1") || return 1
	base=$(base_rootfs) || return 1
	BUNDLE=$BATS_TEST_TMPDIR/bundles
	mkdir -p "$BUNDLE/lessons"
	ln -s "$REPO/bundles/mkrootfs.sh" "$BUNDLE/mkrootfs.sh"
	cp "$LESSONS/run.sh" "$BUNDLE/lessons/"
	cp -a "$LESSONS/$dir" "$BUNDLE/lessons/"
	cp -a --reflink=auto "$base" "$BUNDLE/lessons/rootfs"
	LESSON=$BUNDLE/lessons/$dir
	jq '.linux.cgroupsPath = $p' --arg p "$(cgroup_path)" \
		<"$LESSON/config.json" >"$LESSON/config.json.new" &&
		mv "$LESSON/config.json.new" "$LESSON/config.json"
	# bats makes its directories 0700: a lesson with a user namespace runs
	# as an unprivileged host uid that must be able to search its way down.
	local d=$LESSON
	while [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# run_lesson NN [RUN-FLAGS...]: run.sh NN as a learner would, but with this
# test's husk, state root, id and cgroup.
run_lesson() {
	run env HUSK="$HUSK" PROBE="$PROBE" HUSK_ROOT="$HUSK_ROOT" LESSON_ID="$ID" \
		"$BUNDLE/lessons/run.sh" "$@"
}

# check_output README FLAGS: every expected line of the README for the run
# with FLAGS is in $output; the README's cgroupsPath and id are this test's.
check_output() {
	local readme=$1 flags=$2 nn=$3 cgpath line want re missing=() n=0
	cgpath=$(jq -r .linux.cgroupsPath "$LESSONS/$(lesson_dir "$nn")/config.json")
	while IFS=$'\037' read -r want line; do
		[ "$want" = "$flags" ] || continue
		line=${line//"$cgpath"/"$(cgroup_path)"}
		line=${line//"lesson-$nn"/"$ID"}
		re=$(to_regex "$line")
		n=$((n + 1))
		grep -Eq -- "$re" <<<"$output" || missing+=("$line")
	done < <(expectations "$readme")
	if [ "$n" -eq 0 ]; then
		fail "$readme: no expected lines for 'run.sh $nn $flags'"
		return 1
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		{
			printf 'not in the output:\n'
			printf '  %s\n' "${missing[@]}"
			printf -- '--- output:\n%s\n' "$output"
		} | batslib_decorate "lesson $nn${flags:+ $flags}: the README says more than you see" | fail
		return 1
	fi
}

# check_lesson NN: every command of the README, each checked and clean.
check_lesson() {
	local nn=$1 readme flags want
	readme=$LESSONS/$(lesson_dir "$nn")/README.md
	[ -f "$readme" ] || { fail "no $readme"; return 1; }
	want=$(sed -n 's/^<!-- status: \([0-9]*\) -->$/\1/p' "$readme")
	lesson_tree "$nn"
	while read -r flags; do
		# shellcheck disable=SC2086 # the flags are words
		run_lesson "$nn" $flags
		if [ "$status" -ne "${want:-0}" ]; then
			printf '%s\n' "$output" |
				batslib_decorate "lesson $nn: exit status $status, not ${want:-0}" | fail
			return 1
		fi
		check_output "$readme" "$flags" "$nn" || return 1
		assert_clean
	done < <(commands "$readme")
}

# The functions a README names (`name()`) are defined in husk's code.
check_functions() {
	local readme=$1 fn missing=() n=0
	while read -r fn; do
		n=$((n + 1))
		grep -Eq "^[a-z].*[ *]$fn\(" "$REPO"/{cli,runtime,ns,cgroup,base}/*.c ||
			missing+=("$fn")
	done < <(grep -o '`[a-z_0-9]*()`' "$readme" | tr -d '`()' | sort -u)
	[ "$n" -gt 0 ] || { fail "$readme names no function of husk"; return 1; }
	[ ${#missing[@]} -eq 0 ] || { fail "$readme names functions husk does not have: ${missing[*]}"; return 1; }
}

@test "lessons: every lesson has a config, a payload and a README naming real functions" {
	local d n=0
	for d in "$LESSONS"/[0-9][0-9]-*/; do
		n=$((n + 1))
		run -0 jq -e '.linux.cgroupsPath | test("^/husk-(lessons|test)/")' "$d/config.json"
		assert [ -f "$d/lesson.sh" ]
		check_functions "$d/README.md"
		# A page or less.
		assert [ "$(wc -l <"$d/README.md")" -le 80 ]
	done
	assert_equal "$n" 10
}

@test "lessons: the checker fails on a line the lesson does not print" {
	# Negative control for every test below: a README line that is not in
	# the output must fail the check.
	local readme=$BATS_TEST_TMPDIR/README.md
	sed 's/^I am pid 1; .*/I am pid 2; my parent is pid 1/' \
		"$LESSONS/01-pid/README.md" >"$readme"
	lesson_tree 01
	run_lesson 01
	assert_success
	check_output "$LESSONS/01-pid/README.md" "" 01
	run check_output "$readme" "" 01
	assert_failure
	assert_output --partial 'I am pid 2; my parent is pid 1'
	assert_clean
}

@test "lessons: 01 a process and its pid namespace" { check_lesson 01; }
@test "lessons: 02 the mount namespace and pivot_root" { check_lesson 02; }
@test "lessons: 03 uts and ipc" { check_lesson 03; }
@test "lessons: 04 the user namespace and id maps" { check_lesson 04; }
@test "lessons: 05 the network namespace" { check_lesson 05; }
@test "lessons: 06 memory limits and the OOM killer" { check_lesson 06; }
@test "lessons: 07 CPU quota and throttling" { check_lesson 07; }
@test "lessons: 08 pids.max and a fork bomb" { check_lesson 08; }
@test "lessons: 09 capabilities" { check_lesson 09; }
@test "lessons: 10 seccomp" { check_lesson 10; }

# Negative controls: the effect a lesson shows goes away with its cause.

# lesson_cfg 'JQ-FILTER': edit the copied lesson's config.json.
lesson_cfg() {
	jq "$1" <"$LESSON/config.json" >"$LESSON/config.json.new" &&
		mv "$LESSON/config.json.new" "$LESSON/config.json"
}

@test "lessons: the function check fails on a function husk does not have" {
	local readme=$BATS_TEST_TMPDIR/README.md
	sed 's/`do_clone()`/`do_clone_please()`/' "$LESSONS/01-pid/README.md" >"$readme"
	check_functions "$LESSONS/01-pid/README.md"
	run check_functions "$readme"
	assert_failure
	assert_output --partial do_clone_please
}

@test "lessons: 04 negative control: without the user namespace, root opens /root" {
	lesson_tree 04
	lesson_cfg 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(select(.type != "user"))'
	run_lesson 04
	assert_success
	assert_line --regexp '^drwx------ +2 0 +0 .* /root$'
	refute_line --partial "can't open '/root'"
	assert_clean
}

@test "lessons: 06 negative control: under a 128 MiB limit the 64 MiB survive" {
	lesson_tree 06
	lesson_cfg '.linux.resources.memory = {"limit": 134217728, "swap": 134217728}'
	run_lesson 06
	assert_success
	assert_line touched=64
	refute_line --partial 'OOM killer'
	assert_clean
}

@test "lessons: 09 negative control: with CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_MKNOD they work" {
	lesson_tree 09
	lesson_cfg '.process.capabilities |= map_values(. + ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_MKNOD"])'
	run_lesson 09
	assert_success
	assert_line secret
	refute_line --partial 'Operation not permitted'
	refute_line --partial 'Permission denied'
	assert_clean
}

@test "lessons: 10 negative control: without the profile, mkdir and sync work" {
	lesson_tree 10
	lesson_cfg 'del(.linux.seccomp)'
	run_lesson 10
	assert_success
	assert_line Seccomp=0
	refute_line --partial 'Operation not permitted'
	refute_line 'Bad system call'
	assert_line 'sync exited with status 0'
	assert_clean
}
