/* setup: the smaller steps of the creation story (see setup.h). */
#include "setup.h"

#include "sync.h"

#include "../ns/syscalls.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1

int setup_exec_fifo(int statefd, int *rd, int *wr, struct herr *e)
{
	base_debug("mkfifo exec.fifo in the state dir");
	if (mkfifoat(statefd, "exec.fifo", 0600) < 0)
		return herr_sys(e, errno, "creating exec.fifo");
	/* Reader first: a non-blocking writer needs one to open. */
	*rd = openat(statefd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*rd < 0)
		return herr_sys(e, errno, "opening exec.fifo");
	*wr = openat(statefd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (*wr < 0)
		return herr_sys(e, errno, "opening exec.fifo");
	return 0;
}

int setup_start(int statefd, struct herr *e)
{
	_cleanup_fd_ int fd = -1;

	fd = openat(statefd, "exec.fifo",
		    O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENXIO) /* no reader: the init is gone */
			return herr_set(e, ESRCH, "container not running");
		return herr_sys(e, errno, "opening exec.fifo");
	}
	base_debug("write exec.fifo: let the init exec the payload");
	if (write(fd, "0", 1) != 1)
		return herr_sys(e, errno, "writing exec.fifo");
	if (unlinkat(statefd, "exec.fifo", 0) < 0)
		return herr_sys(e, errno, "removing exec.fifo");
	return 0;
}

int setup_start_signals(struct herr *e)
{
	sigset_t all;
	int fd;

	sigfillset(&all);
	fd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return herr_sys(e, errno, "signalfd");
	return fd;
}

/* Signals whose default action is to ignore or to stop: they do not end a
 * created container. */
static bool default_spares(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return true;
	default:
		return false;
	}
}

int setup_wait_start(int fifo_rd, int sigfd, struct herr *e)
{
	struct pollfd p[2] = { { .fd = fifo_rd, .events = POLLIN },
			       { .fd = sigfd, .events = POLLIN } };
	struct signalfd_siginfo si;
	char b;
	ssize_t r;

	/* Every signal is blocked here, and the init of a pid namespace is
	 * spared the default action of the signals it has no handler for: so
	 * `husk kill ID TERM` on a created container is read from the
	 * signalfd and ends the wait, as it ends runc's waiting init. */
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return herr_sys(e, errno, "waiting for start: poll");
		}
		while (read(sigfd, &si, sizeof(si)) == sizeof(si))
			if (!default_spares((int)si.ssi_signo))
				return (int)si.ssi_signo;
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		r = read(fifo_rd, &b, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r != 1)
			return herr_sys(e, r < 0 ? errno : EPIPE,
					"waiting for start");
		return 0;
	}
}

int setup_check_console(bool terminal, bool detach, const char *socket,
			const char *cmd, struct herr *e)
{
	if (detach && terminal && !socket)
		return herr_set(e, EINVAL,
				"process.terminal is true: --console-socket is "
				"required with %s (nobody else will hold the "
				"pty master)",
				cmd);
	if (socket && !detach)
		return herr_set(e, EINVAL,
				"--console-socket: only for a detached process "
				"(create, run --detach, exec --detach); in the "
				"foreground husk proxies the terminal itself");
	if (socket && !terminal)
		return herr_set(e, EINVAL,
				"--console-socket: process.terminal is false, "
				"so there is no terminal to send (set it, or "
				"drop the flag)");
	return 0;
}

int setup_check_systemd_cgroup(const char *path, struct herr *e)
{
	if (path && path[0] != '/' && strchr(path, ':')) {
		herr_set(e, EINVAL,
			 "--systemd-cgroup: .linux.cgroupsPath '%s' names a "
			 "systemd unit (slice:prefix:name), and husk has no "
			 "systemd cgroup driver",
			 path);
		return herr_hint(e, "have the engine use cgroupfs (podman: "
				    "--cgroup-manager cgroupfs), which sends "
				    "a path like /libpod_parent/ID");
	}
	base_debug("--systemd-cgroup: no systemd driver; cgroupsPath '%s' "
		   "is made with cgroupfs",
		   path ? path : "(none)");
	return 0;
}

int setup_wait_go(int sync, struct herr *e)
{
	struct sync_msg m;
	int r = sync_recv(sync, &m, NULL);

	if (r <= 0 || m.type != SYNC_GO)
		return herr_set(e, EPROTO, "sync: the parent went away");
	return m.code;
}

static bool maps_zero(const struct ns_idmap *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return true;
	return false;
}

int setup_become_root(const struct ns_idmap *u, size_t nu,
		      const struct ns_idmap *g, size_t ng, struct herr *e)
{
	if (maps_zero(g, ng) && sys_setresgid(0, 0, 0) < 0)
		return herr_sys(e, errno, "setresgid(0) in the user namespace");
	if (maps_zero(u, nu) && sys_setresuid(0, 0, 0) < 0)
		return herr_sys(e, errno, "setresuid(0) in the user namespace");
	return 0;
}

int setup_unshare(int flag, struct herr *e)
{
	const char *name = flag == CLONE_NEWCGROUP ? "CLONE_NEWCGROUP"
			   : flag == CLONE_NEWTIME ? "CLONE_NEWTIME"
						   : "?";

	base_debug("unshare(%s)", name);
	if (unshare(flag) < 0)
		return herr_sys(e, errno, "unshare(%s)", name);
	return 0;
}

int setup_time_ns(const struct rt_config *cfg, struct herr *e)
{
	char buf[128];

	if (setup_unshare(CLONE_NEWTIME, e) < 0)
		return -1;
	if (!cfg->has_time_offsets)
		return 0;
	snprintf(buf, sizeof(buf), "monotonic %lld %u\nboottime %lld %u\n",
		 (long long)cfg->time_offsets_monotonic_secs,
		 cfg->time_offsets_monotonic_nanosecs,
		 (long long)cfg->time_offsets_boottime_secs,
		 cfg->time_offsets_boottime_nanosecs);
	base_debug("write /proc/self/timens_offsets: %s", buf);
	if (base_write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf) < 0)
		return herr_sys(e, errno, "writing timens_offsets");
	return 0;
}

int setup_session_keyring(const char *id, struct herr *e)
{
	char name[256];

	(void)e;
	snprintf(name, sizeof(name), "_ses.%s", id);
	base_debug("keyctl(JOIN_SESSION_KEYRING, '%s')", name);
	/* Kernels or seccomp profiles without keyrings: go on without one,
	 * as runc does. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0)
		base_debug("keyctl: %s (going on without one)", strerror(errno));
	return 0;
}

static bool on_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* An fd on the container's procfs, verified to be procfs: a rootfs that
 * put a tmpfs or a symlink at /proc must not get our writes
 * (CVE-2019-16884, CVE-2025-52881). */
static int open_procfs(struct herr *e)
{
	int fd = openat(AT_FDCWD, "/proc",
			O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return herr_sys(e, errno, "opening /proc");
	if (!on_procfs(fd)) {
		close(fd);
		return herr_set(e, EXDEV, "'/proc' is not a procfs: refusing "
					  "to write sysctls through it");
	}
	return fd;
}

int setup_sysctls(const struct rt_config *cfg, struct herr *e)
{
	_cleanup_fd_ int proc = -1;

	if (cfg->nsysctls == 0)
		return 0;
	proc = open_procfs(e);
	if (proc < 0)
		return -1;
	for (size_t i = 0; i < cfg->nsysctls; i++) {
		const char *k = cfg->sysctls[i].key;
		char path[512];
		size_t n;
		int fd;

		if (strstr(k, "..") || k[0] == '/' || k[0] == '.')
			return herr_set(e, EINVAL, "sysctl '%s': invalid name",
					k);
		n = (size_t)snprintf(path, sizeof(path), "sys/%s", k);
		for (size_t j = 4; j < n; j++)
			if (path[j] == '.')
				path[j] = '/';
		base_debug("sysctl %s = %s", k, cfg->sysctls[i].value);
		fd = openat(proc, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		/* A file bound over /proc/sys/... inside the real procfs
		 * would take the write (CVE-2019-16884 class). */
		if (fd >= 0 && !on_procfs(fd)) {
			close(fd);
			return herr_set(e, EXDEV,
					"sysctl '%s': '/proc/%s' is not on a "
					"procfs: refusing to write through it",
					k, path);
		}
		if (fd < 0 || write(fd, cfg->sysctls[i].value,
				    strlen(cfg->sysctls[i].value)) < 0) {
			herr_sys(e, errno, "sysctl '%s'", k);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

int setup_terminal(int sync, const struct rt_process *p, bool foreground,
		   struct herr *e)
{
	_cleanup_fd_ int master = -1, slave = -1;
	struct statfs sfs;
	int unlock = 0;

	/* The container's own devpts, opened after pivot_root, verified. */
	master =
	    openat(AT_FDCWD, "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return herr_sys(e, errno, "terminal: opening /dev/pts/ptmx");
	if (fstatfs(master, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
		return herr_set(e, EPERM, "terminal: /dev/pts is not a devpts");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return herr_sys(e, errno, "terminal: unlockpt");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return herr_sys(e, errno, "terminal: TIOCGPTPEER");
	if (p->console_width && p->console_height) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };

		ioctl(slave, TIOCSWINSZ, &ws);
	} else if (foreground) {
		struct winsize ws;

		/* husk will proxy its own terminal, still our stdin here: the
		 * payload must start at its size, not at 0x0 until the relay
		 * catches up. */
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
			base_debug("pty size %ux%u from husk's terminal",
				   ws.ws_row, ws.ws_col);
			ioctl(slave, TIOCSWINSZ, &ws);
		}
	}
	base_debug("pty: master to husk, slave as stdio and controlling tty");
	if (sync_send(sync, SYNC_PTY, 0, NULL, master) < 0)
		return herr_sys(e, errno, "terminal: sending the pty master");
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return herr_sys(e, errno, "terminal: TIOCSCTTY");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return herr_sys(e, errno, "terminal: dup2");
	return 0;
}

int setup_new_session(struct herr *e)
{
	base_debug("setsid()");
	if (setsid() < 0 && errno != EPERM)
		return herr_sys(e, errno, "setsid");
	return 0;
}

int setup_cwd(const char *cwd, struct herr *e)
{
	char buf[4096];

	base_debug("chdir '%s'", cwd);
	if (chdir(cwd) < 0)
		return herr_sys(e, errno, "process.cwd: chdir '%s'", cwd);
	/* getcwd(2) says "(unreachable)" for a directory outside our root,
	 * which glibc reports as ENOENT. */
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return herr_set(e, EPERM,
				"process.cwd '%s' lies outside the container",
				cwd);
	return 0;
}

int setup_personality(const struct rt_config *cfg, struct herr *e)
{
	if (!cfg->personality_domain)
		return 0;
	base_debug("personality(%s)", cfg->personality_domain);
	if (personality(strcmp(cfg->personality_domain, "LINUX32") == 0
				? PER_LINUX32
				: PER_LINUX) < 0)
		return herr_sys(e, errno, "personality");
	return 0;
}

uint64_t setup_ignored_signals(void)
{
	_cleanup_free_ char *st =
	    base_read_file_at(AT_FDCWD, "/proc/self/status", NULL);
	const char *line = st ? strstr(st, "\nSigIgn:\t") : NULL;
	char *end;
	uint64_t mask;

	if (!line)
		return ~0ULL;
	errno = 0;
	mask = strtoull(line + 9, &end, 16);
	if (errno || end == line + 9 || *end != '\n')
		return ~0ULL;
	return mask;
}

int setup_signals(const sigset_t *old_mask, uint64_t ignored, struct herr *e)
{
	/* The kernel's struct sigaction: handler, flags, restorer, mask. */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = { .handler = SIG_DFL };

	/* Handlers do not survive exec anyway; SIG_IGN would, and a payload
	 * should not inherit its caller's.  The parent read which ones are
	 * ignored before clone (one file instead of 64 calls here).  The raw
	 * call, because libc's sigaction refuses the signals it keeps for
	 * itself (glibc 32 and 33, musl 32 to 34), which a caller may still
	 * have ignored. */
	for (int sig = 1; sig < _NSIG && sig <= 64; sig++)
		if ((ignored & (1ULL << (sig - 1))) && sig != SIGKILL &&
		    sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, &dfl, NULL,
				      sizeof(dfl.mask));
	if (sigprocmask(SIG_SETMASK, old_mask, NULL) < 0)
		return herr_sys(e, errno, "sigprocmask");
	return 0;
}

const char *setup_seccomp_cache_dir(void)
{
	static char dir[256];

	if (geteuid() == 0)
		return "/run/husk/seccomp-cache";
	if (getenv("XDG_RUNTIME_DIR")) {
		snprintf(dir, sizeof(dir), "%s/husk/seccomp-cache",
			 getenv("XDG_RUNTIME_DIR"));
		return dir;
	}
	return NULL;
}

bool setup_must_deny_setgroups(void)
{
	/* Root in the initial user namespace keeps setgroups, so that
	 * additionalGids work; anyone else must deny it. */
	return geteuid() != 0;
}

bool setup_setgroups_allowed(pid_t pid)
{
	char buf[16] = "", path[64];
	_cleanup_fd_ int fd = -1;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/setgroups");
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

	/* Read in the user namespace the caller is now in: "deny" there
	 * (rootless, or a mapping written by an unprivileged parent) makes
	 * setgroups(2) fail whatever our capabilities. */
	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0)
		return strncmp(buf, "deny", 4) != 0;
	return true;
}

void setup_undo_child(pid_t pid, int pidfd)
{
	if (pid <= 0)
		return;
	base_debug("kill half-made init %d", (int)pid);
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	else
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

const char *setup_describe_memory_limit(const struct rt_config *cfg)
{
	static char buf[64];
	int64_t l = cfg->resources.memory_limit;

	if (l == CG_UNSET || l < 0)
		return "";
	if (l % (1 << 20) == 0)
		snprintf(buf, sizeof(buf), " (memory limit %lld MiB)",
			 (long long)(l >> 20));
	else
		snprintf(buf, sizeof(buf), " (memory limit %lld bytes)",
			 (long long)l);
	return buf;
}

void setup_default_devices(struct rt_config *cfg)
{
	/* What every container may use, as runc allows it: mknod of any
	 * char/block node (the cgroup still gates open), and the standard
	 * /dev nodes; appended after the config's rules so they survive its
	 * deny-all. */
	static const struct cg_device_rule defaults[] = {
		{ true, 'c', -1, -1, "m" },  { true, 'b', -1, -1, "m" },
		{ true, 'c', 1, 3, "rwm" },  { true, 'c', 1, 5, "rwm" },
		{ true, 'c', 1, 7, "rwm" },  { true, 'c', 1, 8, "rwm" },
		{ true, 'c', 1, 9, "rwm" },  { true, 'c', 5, 0, "rwm" },
		{ true, 'c', 5, 1, "rwm" },  { true, 'c', 5, 2, "rwm" },
		{ true, 'c', 136, -1, "rwm" }, { true, 'c', 10, 200, "rwm" },
	};
	struct cg_resources *r = &cfg->resources;
	size_t n = ARRAY_SIZE(defaults) + cfg->ndevices;

	if (r->ndevices == 0)
		return; /* no device rules at all: nothing is restricted */
	r->devices = xrealloc(r->devices,
			      (r->ndevices + n) * sizeof(*r->devices));
	memcpy(r->devices + r->ndevices, defaults, sizeof(defaults));
	r->ndevices += ARRAY_SIZE(defaults);
	/* linux.devices are the container's own: allow them too. */
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct ns_device *d = &cfg->devices[i];

		if (d->type == 'p')
			continue;
		r->devices[r->ndevices++] = (struct cg_device_rule){
			.allow = true,
			.type = d->type == 'u' ? 'c' : d->type,
			.major = d->major,
			.minor = d->minor,
			.access = "rwm",
		};
	}
}
