#!/bin/bash
# run.sh [--timeout SECS] -- COMMAND [ARGS...]
#
# Run COMMAND as root inside a qemu VM whose kernel mounts pure cgroup v2,
# in the same directory as the caller, and exit with COMMAND's status.
# COMMAND's stdout and stderr stream to ours; stdin is /dev/null.
#
# The VM's root is the host's own / (shared read-only over 9p) under a tmpfs
# overlay, so the repo, its build products and every installed tool are there
# at the same paths, and whatever the command writes stays in the VM.  See
# tests/vm/README.md for the whole picture.
#
# Environment passed in: PATH, TERM, MUST_WORK, every variable named in
# HUSK_VM_ENV (space-separated), HOME=/root, and HUSK_VM=1.
# Knobs: HUSK_VM_DEBUG=1 (kernel console on stderr, timings),
#        HUSK_VM_CACHE=DIR (kernel cache, default <repo>/.cache/vm),
#        HUSK_VM_MODULES="veth ..." (modules to load before the command),
#        HUSK_VM_MEM (MiB, default 2048), HUSK_VM_CPUS (default 2),
#        HUSK_VM_CPU (qemu -cpu, default max), HUSK_VM_KERNEL (another
#        kernel), HUSK_VM_QEMU (default qemu-system-x86_64).
# Exit status: COMMAND's; 77 when qemu cannot run here at all (1 under
# MUST_WORK=1); 124 on timeout; 1 when the VM broke down.
set -uo pipefail

prog=husk-vm
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout=900
qemu=${HUSK_VM_QEMU:-qemu-system-x86_64}
debug=${HUSK_VM_DEBUG:-0}

usage() {
	echo "usage: tests/vm/run.sh [--timeout SECS] -- COMMAND [ARGS...]" >&2
	exit 2
}
die() {
	echo "$prog: $*" >&2
	exit 1
}
# skip: qemu cannot run here; a skip unless the caller insists it must work.
skip() {
	if [ "${MUST_WORK:-0}" = 1 ]; then
		echo "$prog: $* (MUST_WORK=1: failing instead of skipping)" >&2
		exit 1
	fi
	echo "$prog: skipped: $*" >&2
	exit 77
}

while [ $# -gt 0 ]; do
	case $1 in
	--timeout)
		[ $# -ge 2 ] || usage
		timeout=$2
		shift 2
		;;
	--timeout=*)
		timeout=${1#--timeout=}
		shift
		;;
	--)
		shift
		break
		;;
	*) usage ;;
	esac
done
[ $# -ge 1 ] || usage
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout '$timeout': not a positive number of seconds"

# --- can qemu run at all? ---------------------------------------------------
# Always TCG: /dev/kvm exists on some of our machines but hangs guests.
command -v "$qemu" >/dev/null 2>&1 ||
	skip "'$qemu' not found (install qemu-system-x86)"
probe=$(echo quit | "$qemu" -accel tcg -machine none -nodefaults -display none \
	-monitor stdio 2>&1) || skip "'$qemu' cannot start a TCG machine: $probe"

# --- kernel and initramfs (cached) -----------------------------------------
prep=$("$here/prepare.sh") || die "tests/vm/prepare.sh failed"
kernel=$(sed -n 's/^kernel=//p' <<<"$prep")
initrd=$(sed -n 's/^initrd=//p' <<<"$prep")
modules=$(sed -n 's/^modules=//p' <<<"$prep")
kernel=${HUSK_VM_KERNEL:-$kernel}
if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
	die "prepare.sh gave no kernel/initramfs"
fi

# --- the per-run share ------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/husk-vm.XXXXXX") || die "mktemp failed"
qpid=
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	# Only the qemu this script started (through timeout), by pid.
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
share=$tmp/share
mkdir "$share"
cp "$here/guest-init.sh" "$share/guest-init.sh"
echo "$modules" >"$share/modules"
echo "${HUSK_VM_MODULES:-}" >"$share/preload"

# quote WORD: WORD in single quotes, safe for any POSIX shell.
quote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

{
	echo "# written by tests/vm/run.sh; run as: sh command.sh STDOUT STDERR"
	# shellcheck disable=SC2016 # expanded by the guest's shell
	echo 'exec >"$1" 2>"$2"'
	echo "export HOME=/root HUSK_VM=1"
	for v in PATH TERM MUST_WORK ${HUSK_VM_ENV:-}; do
		[[ $v =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "HUSK_VM_ENV: '$v' is not a variable name"
		[ -n "${!v+set}" ] && echo "export $v=$(quote "${!v}")"
	done
	echo "cd $(quote "$PWD") || exit 125"
	printf 'exec'
	for a in "$@"; do
		printf ' %s' "$(quote "$a")"
	done
	echo
} >"$share/command.sh"
# The guest recreates the caller's directory if it lies in /tmp, which is a
# fresh tmpfs there (see guest-init.sh).
echo "$PWD" >"$share/cwd"

# --- output channels --------------------------------------------------------
# Named pipes that qemu writes (chardev "file") and cat drains, so output
# streams as it is produced, whatever our stdout is (tty, pipe, file).
mkfifo "$tmp/stdout" "$tmp/stderr" "$tmp/console" || die "mkfifo failed"
cat "$tmp/stdout" &
outpid=$!
cat "$tmp/stderr" >&2 &
errpid=$!
if [ "$debug" = 1 ]; then
	tee "$tmp/console.log" <"$tmp/console" >&2 &
else
	cat "$tmp/console" >"$tmp/console.log" &
fi
conpid=$!

# --- boot ---------------------------------------------------------------------
append="console=ttyS0 panic=-1 rdinit=/init"
append+=" systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all"
# TCG is slow: skip the speculative-execution mitigations nobody attacks here.
append+=" mitigations=off"
if [ "$debug" = 1 ]; then
	append+=" loglevel=7"
else
	append+=" quiet loglevel=0"
fi

# qemu option values end at a comma; a literal one is written twice.
t=${tmp//,/,,}
s=${share//,/,,}
start=$(date +%s.%N)
timeout --kill-after=10 "$timeout" "$qemu" \
	-accel tcg -cpu "${HUSK_VM_CPU:-max}" -smp "${HUSK_VM_CPUS:-2}" -m "${HUSK_VM_MEM:-2048}" \
	-bios qboot.rom -nodefaults -no-user-config -display none -monitor none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-chardev file,id=con,path="$t/console" -serial chardev:con \
	-device virtio-serial-pci,id=vser \
	-chardev file,id=out,path="$t/stdout" \
	-device virtserialport,bus=vser.0,chardev=out,name=husk.stdout \
	-chardev file,id=err,path="$t/stderr" \
	-device virtserialport,bus=vser.0,chardev=err,name=husk.stderr \
	-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
	-virtfs local,path="$s",mount_tag=huskvm,security_model=passthrough,multidevs=remap \
	</dev/null &
qpid=$!
wait "$qpid"
qrc=$?
qpid=
end=$(date +%s.%N)

# A reader still blocked in open() (qemu died before opening its end) gets
# a writer and EOF; readers already draining just finish.
for f in stdout stderr console; do
	exec 8<>"$tmp/$f"
	exec 8>&-
done
wait "$outpid" "$errpid" "$conpid"

console_tail() {
	echo "$prog: last kernel console lines (HUSK_VM_DEBUG=1 shows all):" >&2
	tail -n 30 "$tmp/console.log" | sed 's/^/  | /' >&2
}

if [ "$debug" = 1 ] && [ -f "$share/started" ]; then
	echo "$prog: command started at guest uptime $(cut -d' ' -f1 "$share/started") s;" \
		"total $(awk "BEGIN { printf \"%.1f\", $end - $start }") s" >&2
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "$prog: timed out after $timeout s; qemu stopped" >&2
	console_tail
	exit 124
fi
if [ ! -f "$share/status" ]; then
	echo "$prog: the VM stopped (qemu status $qrc) before the command finished" >&2
	console_tail
	exit 1
fi
rc=$(cat "$share/status")
[[ $rc =~ ^[0-9]+$ ]] || die "unreadable exit status '$rc' from the VM"
exit "$rc"
