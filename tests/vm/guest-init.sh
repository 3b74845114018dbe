#!/run/husk-vm-bin/busybox sh
# Stage 2 of the husk test VM: PID 1 after switch_root (see initramfs-init.sh).
#
# run.sh copies this file into the per-run share, mounted here at
# /run/husk-vm, next to:
#   command.sh  sends its output to the two ports given as arguments, sets
#               the environment, changes to the caller's directory and execs
#               the command (written by run.sh, words single-quoted)
#   cwd         the caller's directory
#   modules     kernel modules directory of this kernel, on the host (path)
# and reads back:
#   status      the command's exit status, written when it has finished
#
# The root is the host's / under a tmpfs overlay.  This script runs under the
# static busybox that stage 1 copied to /run/husk-vm-bin: its shell runs its
# own applets (mount, ip, ...) in preference to the host's binaries, which
# are slow to load over 9p under TCG.
#
# The command's stdout and stderr go to two virtio serial ports that run.sh
# streams to its own stdout and stderr; the kernel console (ttyS0) is kept
# apart, so no kernel message can mix into the output.
share=/run/husk-vm
export PATH=/run/husk-vm-bin:/usr/sbin:/usr/bin:/sbin:/bin

say() {
	echo "husk-vm stage 2: $*" >/dev/console
}

# mount FSTYPE WHERE OPTIONS: one mount, loud on failure.
mnt() {
	mkdir -p "$2"
	mount -t "$1" -o "$3" "$1" "$2" || say "mount $1 on $2 failed"
}

# /proc, /sys and /dev come mounted from stage 1.
# Pure cgroup v2, the way systemd sets it up: nsdelegate makes cgroup
# namespaces delegation boundaries, as on real hosts.
mnt cgroup2 /sys/fs/cgroup nosuid,nodev,noexec,nsdelegate

# /tmp is a fresh tmpfs, as on a booted system.  If the caller works in the
# host's /tmp, keep that one directory: bind its overlay view over the same
# path in the new tmpfs.
cwd=$(cat "$share/cwd" 2>/dev/null)
case $cwd in
/tmp/?*)
	mkdir -p /run/host-tmp
	mount --bind /tmp /run/host-tmp
	mnt tmpfs /tmp mode=1777,nosuid,nodev
	mkdir -p "$cwd"
	mount --bind "/run/host-tmp/${cwd#/tmp/}" "$cwd" ||
		say "cannot recreate the working directory '$cwd'"
	;;
*)
	mnt tmpfs /tmp mode=1777,nosuid,nodev
	;;
esac
mnt devpts /dev/pts newinstance,ptmxmode=0666,mode=0620,gid=5
mnt tmpfs /dev/shm mode=1777,nosuid,nodev
mnt mqueue /dev/mqueue nosuid,nodev,noexec
# devtmpfs has the device nodes only; these links come from udev/systemd on
# a booted system, and bash's <(...) needs /dev/fd.
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr

# Enable every controller for the children of the root, as systemd does.
# Writing them one at a time keeps one unavailable controller from
# failing the others.
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control ||
		say "cannot enable cgroup controller '$c'"
done

# Loopback only: the VM has no network card.
ip link set lo up || say "cannot bring up lo"
hostname husk-vm

# The host has no modules for the guest's kernel; lay the ones prepare.sh
# unpacked over /lib/modules/<release> so `busybox modprobe NAME` works, and
# load what the caller asked for in HUSK_VM_MODULES.
release=$(uname -r)
modules=$(cat "$share/modules" 2>/dev/null)
if [ -n "$modules" ] && [ -d "$modules" ]; then
	mkdir -p "/lib/modules/$release"
	mount --bind "$modules" "/lib/modules/$release" ||
		say "cannot bind $modules on /lib/modules/$release"
fi
for m in $(cat "$share/preload" 2>/dev/null); do
	modprobe "$m" || say "modprobe $m failed"
done

# The output ports, found by the names run.sh gave them.
port() {
	for d in /sys/class/virtio-ports/*; do
		if [ "$(cat "$d/name" 2>/dev/null)" = "$1" ]; then
			echo "/dev/${d##*/}"
			return
		fi
	done
	echo /dev/console
}
out=$(port husk.stdout)
err=$(port husk.stderr)

# The command runs in a child so that PID 1 stays this shell and can report
# the status; setsid gives it a session of its own, like a login would, and
# env -i the environment command.sh sets and nothing of the kernel's.
cat /proc/uptime >"$share/started"
# command.sh redirects its own output to the ports named in its arguments:
# a redirection here would also catch what this shell says about the child
# (such as "Killed").
setsid env -i /bin/sh "$share/command.sh" "$out" "$err" </dev/null >/dev/console 2>&1
echo $? >"$share/status.tmp" && mv "$share/status.tmp" "$share/status"
sync
# If even this fails, PID 1 exits, the kernel panics and panic=-1 with
# qemu's -no-reboot ends the VM all the same.
poweroff -f || echo o >/proc/sysrq-trigger
