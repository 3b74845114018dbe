# Lesson 10: seccomp.  A BPF filter sees every system call I make, and
# decides before the kernel runs it.
probe seccomp
echo "-- mkdir(2) and mkdirat(2) fail with EPERM, whoever asks:"
mkdir /tmp/dir 2>&1
echo "-- other calls go through: touch uses openat(2)"
touch /tmp/file && ls /tmp
echo "-- sync(2) kills the process that calls it:"
sync
echo "sync exited with status $?"
