# Lesson 04: the user namespace.  I am root in here; out there I am
# uid 100000, which owns nothing.
echo "id: $(id)"
echo "uid_map: $(cat /proc/self/uid_map)"
echo "gid_map: $(cat /proc/self/gid_map)"
echo "-- files of the rootfs belong to the host's root, uid 0 out there,"
echo "   which is not mapped in here: they show as the overflow id 65534"
ls -ldn /bin/busybox /root
echo "-- so my root powers do not apply to them:"
ls /root 2>&1
echo "-- but over what this user namespace owns, root is root: this config"
echo "   grants CAP_SYS_ADMIN, and the uts namespace is mine (compare lesson 03)"
hostname renamed && echo "hostname: $(hostname)"
