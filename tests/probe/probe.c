/*
 * probe: a tiny static program that runs inside test containers and reports
 * what it sees, so the bats suite can assert on the container from within.
 *
 * The test rootfs is busybox only, hence static and libc-only.  Output is
 * one fact per line, "key=value", easy to match with assert_line; errors go
 * to stderr and exit 2 so they never look like a payload's own exit status.
 *
 *   probe ids             uid= gid= euid= egid= groups=a,b
 *   probe pid             pid= ppid=
 *   probe caps            CapInh= CapPrm= CapEff= CapBnd= CapAmb= (hex)
 *   probe nnp             NoNewPrivs=
 *   probe seccomp         Seccomp=
 *   probe sigmask         SigBlk= SigIgn= (hex)
 *   probe fds             "N target" for every open fd but 0, 1, 2
 *   probe rlimit NAME     "soft hard" (NAME: NOFILE or RLIMIT_NOFILE...)
 *   probe umask           0022
 *   probe tty             fd0= fd1= fd2= (the terminal's path, or notatty),
 *                         ctty= (fd 0 is our controlling terminal), leader=
 *                         (we lead our session), samefs= (fd 0 lives on the
 *                         devpts mounted at our /dev/pts), ptsfs=MAJ:MIN
 *                         (that devpts's device, to compare with the host's)
 *   probe trap [--exit N] SIG...   handle SIGs, print "ready", wait for one,
 *                         print "got SIGxxx", exit N (default 0)
 *   probe orphans N       double-fork N grandchildren that outlive their
 *                         parent (they sleep 0.2 s), print "orphan PID" each
 *   probe memhog MiB      allocate and touch MiB mebibytes, "touched=MiB"
 *   probe forkbomb N      fork up to N children, "forked=K errno=NAME",
 *                         then kill and reap them
 *   probe burn SECONDS    busy loop for SECONDS of wall time, "wall= cpu="
 *   probe exit N          exit with status N
 *   probe ignore SIGNO... -- CMD ARGS...   set SIG_IGN for each signal number
 *                         (raw rt_sigaction, so 32 and 33 too), exec CMD
 *
 * Attacks, for tests/65-escapes.bats (each prints what it got, the test
 * decides what must have failed):
 *   probe exe-attack [--kill] [--target FILE] GOFILE   CVE-2019-5736:
 *                         watch /proc for any process not running our own
 *                         binary (or only those running FILE), hold its
 *                         /proc/PID/exe ("caught PID TARGET", or "denied
 *                         PID ERRNO"), SIGKILL it with --kill; once GOFILE
 *                         exists, reopen each held exe for writing and
 *                         append a line ("wrote PID" or "write-failed PID
 *                         ERRNO"), then "done"
 *   probe peek PID        CVE-2016-9962: what we reach of PID: exe= fdlink=
 *                         cwd= environ= ptrace= (ok or the errno name)
 *   probe syscall NAME... try keyctl, add_key, request_key, bpf,
 *                         perf_event_open, unshare-user harmlessly: NAME=ok
 *                         or NAME=ERRNO (EPERM is what seccomp says)
 */
#ifndef _GNU_SOURCE /* built alone by its own Makefile rule, without husk's    \
		       flags */
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static __attribute__((noreturn)) void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "probe: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static long number(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		die("'%s' is not a number", s);
	return v;
}

/* Print "Key=value" for each of the given /proc/self/status fields, in the
 * order asked, so tests do not depend on the kernel's field order. */
static int status_fields(const char *const *keys)
{
	char line[256];
	for (; *keys; keys++) {
		FILE *f = fopen("/proc/self/status", "re");
		size_t n = strlen(*keys);
		int found = 0;
		if (!f)
			die("opening '/proc/self/status': %s", strerror(errno));
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, *keys, n) || line[n] != ':')
				continue;
			char *v = line + n + 1;
			v += strspn(v, " \t");
			printf("%s=%s", *keys, v);
			found = 1;
			break;
		}
		fclose(f);
		if (!found)
			printf("%s=missing\n", *keys);
	}
	return 0;
}

static int cmd_ids(void)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);
	if (n < 0)
		die("getgroups: %s", strerror(errno));
	printf("uid=%u gid=%u euid=%u egid=%u groups=", getuid(), getgid(),
	       geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	putchar('\n');
	return 0;
}

static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		die("opening '/proc/self/fd': %s", strerror(errno));
	while ((e = readdir(d))) {
		char path[64], target[PATH_MAX];
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		target[len < 0 ? 0 : len] = '\0';
		printf("%d %s\n", fd, target);
	}
	closedir(d);
	return 0;
}

/* The terminal on fds 0-2 and where it comes from. */
static int cmd_tty(void)
{
	struct stat st0, pts;
	char path[64], target[PATH_MAX], stat_line[1024];
	unsigned long tty_nr = 0;
	int have0;

	for (int fd = 0; fd < 3; fd++) {
		ssize_t len = -1;
		if (isatty(fd)) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			len = readlink(path, target, sizeof(target) - 1);
		}
		target[len < 0 ? 0 : len] = '\0';
		printf("fd%d=%s\n", fd, len < 0 ? "notatty" : target);
	}
	/* Field 7 of /proc/self/stat is the controlling terminal's device;
	 * the command name (field 2) may hold spaces, so start after ')'. */
	FILE *f = fopen("/proc/self/stat", "re");
	if (f && fgets(stat_line, sizeof(stat_line), f)) {
		const char *p = strrchr(stat_line, ')');
		if (p)
			sscanf(p + 1, " %*c %*d %*d %*d %lu", &tty_nr);
	}
	if (f)
		fclose(f);
	have0 = isatty(0) && fstat(0, &st0) == 0;
	printf("ctty=%s\n",
	       have0 && tty_nr && tty_nr == st0.st_rdev ? "yes" : "no");
	printf("leader=%s\n", getsid(0) == getpid() ? "yes" : "no");
	if (stat("/dev/pts", &pts) < 0)
		die("stat '/dev/pts': %s", strerror(errno));
	printf("samefs=%s\n", have0 && st0.st_dev == pts.st_dev ? "yes" : "no");
	printf("ptsfs=%u:%u\n", major(pts.st_dev), minor(pts.st_dev));
	return 0;
}

/* clang-format off */
#define RL(n) { #n, RLIMIT_##n }
/* clang-format on */
static const struct {
	const char *name;
	int resource;
} rlimits[] = {RL(AS),	   RL(CORE),   RL(CPU),	       RL(DATA),
	       RL(FSIZE),  RL(LOCKS),  RL(MEMLOCK),    RL(MSGQUEUE),
	       RL(NICE),   RL(NOFILE), RL(NPROC),      RL(RSS),
	       RL(RTPRIO), RL(RTTIME), RL(SIGPENDING), RL(STACK)};

static void print_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

static int cmd_rlimit(const char *name)
{
	const char *n = strncasecmp(name, "RLIMIT_", 7) ? name : name + 7;
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		struct rlimit rl;
		if (strcasecmp(n, rlimits[i].name))
			continue;
		if (getrlimit(rlimits[i].resource, &rl))
			die("getrlimit: %s", strerror(errno));
		print_limit(rl.rlim_cur);
		putchar(' ');
		print_limit(rl.rlim_max);
		putchar('\n');
		return 0;
	}
	die("unknown rlimit '%s'", name);
}

static int signal_number(const char *s)
{
	const char *n = strncasecmp(s, "SIG", 3) ? s : s + 3;
	if (*n >= '0' && *n <= '9')
		return (int)number(n);
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && !strcasecmp(n, abbrev))
			return sig;
	}
	die("unknown signal '%s'", s);
}

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

static int cmd_trap(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t block, wait_mask;
	int code = 0;

	if (argc >= 2 && !strcmp(argv[0], "--exit")) {
		code = (int)number(argv[1]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 1)
		die("%s", "usage: probe trap [--exit N] SIG...");
	/* Block first, so a signal sent right after "ready" is not lost
	 * between the check and the wait. */
	sigemptyset(&block);
	for (int i = 0; i < argc; i++)
		sigaddset(&block, signal_number(argv[i]));
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	for (int i = 0; i < argc; i++)
		if (sigaction(signal_number(argv[i]), &sa, NULL))
			die("sigaction: %s", strerror(errno));
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&block, sig))
			sigdelset(&wait_mask, sig);
	printf("ready\n");
	fflush(stdout);
	while (!caught)
		sigsuspend(&wait_mask);
	printf("got SIG%s\n", sigabbrev_np(caught));
	return code;
}

/* What a caller may hand down: ignored signals survive exec. */
static int cmd_ignore(int argc, char **argv)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long long mask;
	} ign = {.handler = SIG_IGN};
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (syscall(SYS_rt_sigaction, (int)number(argv[i]), &ign, NULL,
			    sizeof(ign.mask)))
			die("rt_sigaction %s failed", argv[i]);
	if (i + 1 >= argc)
		die("%s", "usage: probe ignore SIGNO... -- CMD ARGS...");
	execvp(argv[i + 1], argv + i + 1);
	die("cannot exec %s", argv[i + 1]);
}

/* A zombie that stays: SIGCHLD back at its default (a caller may have
 * ignored it, and then the kernel reaps for us), one child that exits at
 * once, and a parent that never waits for it. */
static int cmd_zombie(long seconds)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	pid_t child;

	if (sigaction(SIGCHLD, &dfl, NULL))
		die("sigaction: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0)
		_exit(0);
	printf("zombie %d\n", (int)child);
	sleep((unsigned)seconds);
	return 0;
}

static int cmd_orphans(long n)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	for (long i = 0; i < n; i++) {
		pid_t child = fork();
		if (child < 0)
			die("fork: %s", strerror(errno));
		if (child == 0) {
			pid_t grandchild = fork();
			if (grandchild == 0) {
				close(pipefd[0]);
				close(pipefd[1]);
				struct timespec ts = {0, 200 * 1000 * 1000};
				nanosleep(&ts, NULL);
				_exit(0);
			}
			/* Report the orphan's pid to the parent, then leave it
			 * without a parent: it is reparented to the nearest
			 * subreaper, which must reap it. */
			if (write(pipefd[1], &grandchild, sizeof(grandchild)) <
			    0)
				_exit(1);
			_exit(grandchild < 0);
		}
		pid_t grandchild = -1;
		if (read(pipefd[0], &grandchild, sizeof(grandchild)) !=
			sizeof(grandchild) ||
		    grandchild < 0)
			die("%s", "could not fork a grandchild");
		waitpid(child, NULL, 0);
		printf("orphan %d\n", (int)grandchild);
	}
	return 0;
}

static int cmd_memhog(long mib)
{
	long page = sysconf(_SC_PAGESIZE);
	long done = 0;
	for (; done < mib; done++) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		/* Touch every page: untouched memory is never charged. */
		for (long off = 0; off < (1 << 20); off += page)
			p[off] = 1;
	}
	printf("touched=%ld\n", done);
	return done == mib ? 0 : 1;
}

static int cmd_forkbomb(long n)
{
	pid_t *pids = calloc(n > 0 ? n : 1, sizeof(*pids));
	pid_t parent = getpid();
	long forked = 0;
	int err = 0;
	if (!pids)
		die("%s", "out of memory");
	for (; forked < n; forked++) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			/* Die with the parent, so a killed probe leaves none.
			 */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			for (;;)
				pause();
		}
		pids[forked] = pid;
	}
	printf("forked=%ld errno=%s\n", forked,
	       err ? strerrorname_np(err) : "0");
	fflush(stdout);
	for (long i = 0; i < forked; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < forked; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
	return 0;
}

static double seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_burn(const char *arg)
{
	char *end;
	double want = strtod(arg, &end);
	if (end == arg || *end || want < 0)
		die("'%s' is not a number of seconds", arg);
	double start = seconds(CLOCK_MONOTONIC);
	double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	volatile unsigned long spin = 0;
	while (seconds(CLOCK_MONOTONIC) - start < want)
		for (int i = 0; i < 100000; i++)
			spin++;
	printf("wall=%.2f cpu=%.2f\n", seconds(CLOCK_MONOTONIC) - start,
	       seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0);
	return 0;
}

/* ---- attacks ---- */

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);
	return n ? n : "E?";
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

#define MAX_CAUGHT 256

static int cmd_exe_attack(int argc, char **argv)
{
	static char seen[1 << 16];
	int fds[MAX_CAUGHT], pids[MAX_CAUGHT], ncaught = 0, kill_it = 0;
	const char *go, *only = NULL;

	for (; argc >= 1 && argv[0][0] == '-'; argc--, argv++) {
		if (!strcmp(argv[0], "--kill"))
			kill_it = 1;
		else if (!strcmp(argv[0], "--target") && argc >= 2)
			only = (argc--, *++argv);
		else
			die("unknown option '%s'", argv[0]);
	}
	if (argc != 1)
		die("%s", "usage: probe exe-attack [--kill] [--target FILE] "
			  "GOFILE");
	go = argv[0];
	printf("ready\n");
	while (access(go, F_OK) != 0) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		if (!d)
			die("opening '/proc': %s", strerror(errno));
		while ((de = readdir(d))) {
			char exe[64], target[PATH_MAX];
			int pid = atoi(de->d_name);
			ssize_t n;

			if (pid <= 0 || pid == getpid() ||
			    pid >= (int)sizeof(seen) || seen[pid])
				continue;
			snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
			/* Our own kind (probe, busybox's sh and sleep) is not
			 * a target; kernel threads have no exe. */
			if (same_file(exe, "/proc/self/exe") ||
			    same_file(exe, "/bin/busybox") ||
			    (only && !same_file(exe, only)))
				continue;
			int fd = open(exe, O_PATH);
			if (fd < 0) {
				if (errno == ENOENT)
					continue; /* exited, or a kthread */
				seen[pid] = 1;
				printf("denied %d %s\n", pid, errname(errno));
				continue;
			}
			seen[pid] = 1;
			n = readlink(exe, target, sizeof(target) - 1);
			target[n < 0 ? 0 : n] = '\0';
			printf("caught %d %s\n", pid, target);
			if (kill_it)
				kill(pid, SIGKILL);
			if (ncaught < MAX_CAUGHT) {
				fds[ncaught] = fd;
				pids[ncaught++] = pid;
			} else {
				close(fd);
			}
		}
		closedir(d);
	}
	for (int i = 0; i < ncaught; i++) {
		char path[64];
		int w;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		w = open(path, O_WRONLY | O_APPEND);
		if (w >= 0 && write(w, "pwned by probe\n", 15) == 15) {
			printf("wrote %d\n", pids[i]);
		} else {
			printf("write-failed %d %s\n", pids[i], errname(errno));
		}
		if (w >= 0)
			close(w);
	}
	printf("done\n");
	return 0;
}

static void peek(const char *what, int ok)
{
	printf("%s=%s\n", what, ok ? "ok" : errname(errno));
}

static int cmd_peek(long pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	fd = open(path, O_PATH);
	peek("exe", fd >= 0);
	if (fd >= 0)
		close(fd);
	/* Listing the directory is allowed to its owner; following its
	 * links is what ptrace access guards. */
	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	DIR *d = opendir(path);
	int any = 0, err = d ? ENOENT : errno;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char link[64 + sizeof(de->d_name)];
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		fd = open(link, O_PATH);
		if (fd >= 0) {
			any = 1;
			close(fd);
		} else {
			err = errno;
		}
	}
	if (d)
		closedir(d);
	errno = err;
	peek("fdlink", any);
	snprintf(path, sizeof(path), "/proc/%ld/cwd", pid);
	fd = open(path, O_PATH | O_DIRECTORY);
	peek("cwd", fd >= 0);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
	fd = open(path, O_RDONLY);
	peek("environ", fd >= 0);
	if (fd >= 0)
		close(fd);
	long r = syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, pid, 0, 0);
	peek("ptrace", r == 0);
	if (r == 0) {
		waitpid((pid_t)pid, NULL, __WALL);
		syscall(SYS_ptrace, 17 /* PTRACE_DETACH */, pid, 0, 0);
	}
	return 0;
}

/* Each call is harmless and fails with its own errno when the kernel
 * itself refuses, so that EPERM means seccomp. */
static int try_syscall(const char *name)
{
	long r;

	if (!strcmp(name, "keyctl"))
		/* KEYCTL_GET_KEYRING_ID of the session keyring */
		r = syscall(SYS_keyctl, 0, -3, 0);
	else if (!strcmp(name, "add_key"))
		/* an unknown key type: ENODEV from the kernel */
		r = syscall(SYS_add_key, "probe-nope", "x", "", 0, -2);
	else if (!strcmp(name, "request_key"))
		r = syscall(SYS_request_key, "probe-nope", "x", NULL, 0);
	else if (!strcmp(name, "bpf")) {
		/* A size beyond the kernel's union with a non-zero tail:
		 * E2BIG before any capability check. */
		static char attr[8192];
		memset(attr, 1, sizeof(attr));
		r = syscall(SYS_bpf, 0, attr, sizeof(attr));
	} else if (!strcmp(name, "perf_event_open"))
		/* a NULL attr: EFAULT */
		r = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	else if (!strcmp(name, "unshare-user")) {
		pid_t pid = fork();
		int st = 0;
		if (pid == 0)
			_exit(syscall(SYS_unshare, 0x10000000 /* NEWUSER */)
				  ? errno
				  : 0);
		waitpid(pid, &st, 0);
		errno = WEXITSTATUS(st);
		r = errno ? -1 : 0;
	} else
		die("unknown syscall '%s'", name);
	printf("%s=%s\n", name, r >= 0 ? "ok" : errname(errno));
	return 0;
}

static __attribute__((noreturn)) void usage(void)
{
	fprintf(
	    stderr,
	    "usage: probe ids|pid|caps|nnp|seccomp|sigmask|fds|umask|tty\n"
	    "       probe rlimit NAME | trap [--exit N] SIG... | orphans N\n"
	    "       probe zombie SECONDS\n"
	    "       probe ignore SIGNO... -- CMD ARGS...\n"
	    "       probe memhog MiB | forkbomb N | burn SECONDS | exit N\n"
	    "       probe exe-attack [--kill] [--target F] GOFILE | peek PID\n"
	    "       probe syscall NAME...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const caps[] = {"CapInh", "CapPrm", "CapEff",
					   "CapBnd", "CapAmb", NULL};
	static const char *const nnp[] = {"NoNewPrivs", NULL};
	static const char *const seccomp[] = {"Seccomp", NULL};
	static const char *const sigmask[] = {"SigBlk", "SigIgn", NULL};

	if (argc < 2)
		usage();
	const char *cmd = argv[1];
	const char *arg = argv[2];
	/* Line-buffered even into a pipe, so "ready" and friends arrive in
	 * order with anything the test reads from stderr. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "ids"))
		return cmd_ids();
	if (!strcmp(cmd, "pid"))
		return printf("pid=%d ppid=%d\n", getpid(), getppid()) < 0;
	if (!strcmp(cmd, "caps"))
		return status_fields(caps);
	if (!strcmp(cmd, "nnp"))
		return status_fields(nnp);
	if (!strcmp(cmd, "seccomp"))
		return status_fields(seccomp);
	if (!strcmp(cmd, "sigmask"))
		return status_fields(sigmask);
	if (!strcmp(cmd, "fds"))
		return cmd_fds();
	if (!strcmp(cmd, "tty"))
		return cmd_tty();
	if (!strcmp(cmd, "umask")) {
		mode_t m = umask(0);
		umask(m);
		return printf("%04o\n", (unsigned)m) < 0;
	}
	if (!strcmp(cmd, "trap"))
		return cmd_trap(argc - 2, argv + 2);
	if (!strcmp(cmd, "ignore"))
		return cmd_ignore(argc - 2, argv + 2);
	if (!strcmp(cmd, "exe-attack"))
		return cmd_exe_attack(argc - 2, argv + 2);
	if (!strcmp(cmd, "syscall")) {
		for (int i = 2; i < argc; i++)
			try_syscall(argv[i]);
		return 0;
	}
	if (argc != 3)
		usage();
	if (!strcmp(cmd, "rlimit"))
		return cmd_rlimit(arg);
	if (!strcmp(cmd, "orphans"))
		return cmd_orphans(number(arg));
	if (!strcmp(cmd, "zombie"))
		return cmd_zombie(number(arg));
	if (!strcmp(cmd, "memhog"))
		return cmd_memhog(number(arg));
	if (!strcmp(cmd, "forkbomb"))
		return cmd_forkbomb(number(arg));
	if (!strcmp(cmd, "burn"))
		return cmd_burn(arg);
	if (!strcmp(cmd, "exit"))
		return (int)number(arg);
	if (!strcmp(cmd, "peek"))
		return cmd_peek(number(arg));
	usage();
}
