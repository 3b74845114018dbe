#!/bin/busybox sh
# Stage 1 of the husk test VM: the /init of the initramfs built by prepare.sh.
#
# The initramfs holds only a static busybox and the virtio, 9p and overlay
# modules.  This script builds the VM's root file system out of the host's:
#
#   /newroot  = overlay( lower: host / over 9p (read-only),
#                        upper: tmpfs )
#
# so the guest sees every file of the host at the same path and may write
# anywhere, while its writes stay in guest memory.  It then mounts the
# per-run share (tag "huskvm", a writable host temp dir holding the command
# to run) at /run/husk-vm and hands over to stage 2, guest-init.sh, with
# switch_root (a chroot would leave the initramfs as the real root, and the
# kernel refuses to create user namespaces for a chrooted process).
#
# Any failure powers the VM off; run.sh then reports that no exit status came
# back and shows the end of the kernel console.

export PATH=/bin
busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

fail() {
	echo "husk-vm stage 1: $*"
	busybox poweroff -f
}

busybox mount -t proc -o nosuid,nodev,noexec proc /proc
busybox mount -t sysfs -o nosuid,nodev,noexec sysfs /sys

# Order matters: insmod does not resolve dependencies.  Modules that this
# kernel has built in are simply not in the image (prepare.sh skipped them).
for m in $(busybox cat /modules.order); do
	busybox insmod "/modules/$m.ko" || fail "insmod $m failed"
done

# cache=loose: the lower layer never changes under the guest (read-only, and
# the host tree is not expected to change during a test run), and caching
# dentries and pages makes 9p several times faster.  A large msize cuts the
# number of round trips for big reads (binaries, the repo); 512000 is the
# most the virtio transport takes.
opts=trans=virtio,version=9p2000.L,cache=loose,msize=512000
busybox mkdir -p /lower /upper /newroot
busybox mount -t 9p -o "ro,$opts" hostroot /lower || fail "mount hostroot (9p) failed"
busybox mount -t tmpfs -o mode=0755 upper /upper || fail "mount tmpfs failed"
busybox mkdir -p /upper/data /upper/work
busybox mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work \
	overlay /newroot || fail "mount overlay on 9p failed"

busybox mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run || fail "mount /run failed"
busybox mkdir -p /newroot/run/husk-vm
busybox mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,msize=512000 \
	huskvm /newroot/run/husk-vm || fail "mount huskvm share (9p) failed"
[ -r /newroot/run/husk-vm/guest-init.sh ] || fail "no guest-init.sh in the huskvm share"

# Stage 2 runs under this same static busybox, whose shell runs its applets
# without a PATH search or dynamic linking: under TCG every exec of a
# host binary over 9p costs tens of milliseconds.
busybox mkdir -p /newroot/run/husk-vm-bin
busybox cp /bin/busybox /newroot/run/husk-vm-bin/busybox || fail "copy busybox failed"

# /proc must be the guest's before stage 2 runs anything: busybox re-executes
# itself through /proc/self/exe, and the lower layer's /proc is the host's as
# qemu's 9p server sees it, where /proc/self/exe is qemu.
busybox mount --move /dev /newroot/dev || fail "move /dev failed"
busybox mount --move /proc /newroot/proc || fail "move /proc failed"
busybox mount --move /sys /newroot/sys || fail "move /sys failed"
exec busybox switch_root /newroot /run/husk-vm-bin/busybox sh /run/husk-vm/guest-init.sh
