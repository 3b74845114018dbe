# Lesson 03: the uts namespace (names) and the ipc namespace (queues,
# shared memory, semaphores).
echo "hostname: $(hostname); uname -n: $(uname -n); domainname: $(cat /proc/sys/kernel/domainname)"
echo "my uts namespace: $(readlink /proc/self/ns/uts)"
# Renaming takes CAP_SYS_ADMIN, which this container does not have.
hostname renamed 2>&1

echo "my ipc namespace: $(readlink /proc/self/ns/ipc)"
queues=$(ls /dev/mqueue)
echo "message queues at start: ${queues:-(none)}"
# A file made in the mqueue filesystem is a POSIX message queue.
touch /dev/mqueue/lesson03
echo "message queues now: $(ls /dev/mqueue)"
echo "/dev/mqueue/lesson03:" $(cat /dev/mqueue/lesson03)
echo "System V shared memory segments: $(($(wc -l </proc/sysvipc/shm) - 1))"
