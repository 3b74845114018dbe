/* relay: signals to the init, pty proxy, reaping (see relay.h). */
#include "relay.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

int rt_wait_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

struct tty {
	int master;
	bool raw;            /* stdin's attributes were changed */
	struct termios saved;
	bool stdin_open;
};

static void tty_begin(struct tty *t)
{
	struct termios raw;
	struct winsize ws;

	if (t->master < 0)
		return;
	t->stdin_open = true;
	/* Never block on the master: orphans may hold the slave open. */
	fcntl(t->master, F_SETFL, O_NONBLOCK);
	if (tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		raw = t->saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			t->raw = true;
	}
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

static void tty_end(struct tty *t)
{
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
}

/* Copy what is readable from 'from' to 'to': 1 when something was copied,
 * -1 when nothing is there now, 0 on EOF or error. */
static int copy_some(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR ? 1 : errno == EAGAIN ? -1 : 0;
	if (n == 0)
		return 0;
	(void)base_write_all(to, buf, (size_t)n);
	return 1;
}

/* Reap orphans reparented to us (PR_SET_CHILD_SUBREAPER).  The SIGCHLD of
 * the init itself can be read before its pidfd turns readable, so this may
 * reap the init too: its wait status is kept in *init_ws for the pidfd
 * branch, which would otherwise find no child to wait for. */
static void reap_others(pid_t init, int *init_ws, bool *init_reaped)
{
	pid_t p;
	int ws;

	while ((p = waitpid(-1, &ws, WNOHANG | __WNOTHREAD)) > 0)
		if (p == init) {
			*init_ws = ws;
			*init_reaped = true;
		}
}

static int epoll_add(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Arm the timerfd to fire once, ms from now. */
static int arm(int tfd, int64_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000 },
	};

	if (ms <= 0)
		its.it_value.tv_nsec = 1; /* 0 would disarm it */
	return timerfd_settime(tfd, 0, &its, NULL);
}

/* The deadline passed: SIGTERM first, SIGKILL when it fires again. */
static void on_deadline(int tfd, int pidfd, pid_t pid, struct rt_timeout *t)
{
	uint64_t n;

	(void)!read(tfd, &n, sizeof(n));
	if (!t->fired) {
		t->fired = true;
		base_say("timed out after %.3gs: sending SIGTERM to the init "
			 "%d, SIGKILL in %.3gs",
			 (double)t->ms / 1000, (int)pid,
			 (double)t->kill_after_ms / 1000);
		syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
		arm(tfd, t->kill_after_ms);
		return;
	}
	base_say("still running %.3gs after SIGTERM: sending SIGKILL",
		 (double)t->kill_after_ms / 1000);
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

int rt_relay(pid_t pid, int pidfd, int pty_master, struct rt_timeout *t,
	     int *status, struct herr *e)
{
	_cleanup_fd_ int ep = -1, sfd = -1, tfd = -1;
	struct tty tt = { .master = pty_master };
	sigset_t all;
	int rc = -1, init_ws = 0;
	bool init_reaped = false;

	sigfillset(&all);
	sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0 || epoll_add(ep, sfd) < 0 ||
	    epoll_add(ep, pidfd) < 0)
		return herr_sys(e, errno, "setting up the signal relay");
	if (t && t->ms > 0) {
		base_debug("timerfd_create: deadline in %lld ms",
			   (long long)t->ms);
		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (tfd < 0 || arm(tfd, t->ms) < 0 || epoll_add(ep, tfd) < 0)
			return herr_sys(e, errno, "setting up --timeout");
	}
	tty_begin(&tt);
	if (tt.master >= 0 &&
	    (epoll_add(ep, tt.master) < 0 ||
	     (epoll_add(ep, STDIN_FILENO) < 0 && errno != EPERM)))
		tt.stdin_open = false;
	for (;;) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, ARRAY_SIZE(evs), -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			herr_sys(e, errno, "epoll_wait");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == tfd) {
				on_deadline(tfd, pidfd, pid, t);
			} else if (fd == sfd) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					int sig = (int)si.ssi_signo;

					if (sig == SIGCHLD) {
						reap_others(pid, &init_ws,
							    &init_reaped);
						continue;
					}
					if (sig == SIGWINCH && tt.master >= 0) {
						struct winsize ws;

						if (ioctl(STDIN_FILENO, TIOCGWINSZ,
							  &ws) == 0)
							ioctl(tt.master,
							      TIOCSWINSZ, &ws);
						continue;
					}
					base_debug("forward %s to the init %d",
						   base_signal_name(sig)
							   ? base_signal_name(sig)
							   : "signal",
						   (int)pid);
					syscall(SYS_pidfd_send_signal, pidfd,
						sig, NULL, 0);
				}
			} else if (fd == pidfd) {
				siginfo_t si;
				int ws;

				memset(&si, 0, sizeof(si));
				/* Drain what the payload wrote last. */
				while (tt.master >= 0 &&
				       copy_some(tt.master, STDOUT_FILENO) == 1)
					;
				ws = init_ws;
				while (!init_reaped &&
				       waitpid(pid, &ws, 0) < 0) {
					if (errno != EINTR) {
						herr_sys(e, errno, "waitpid");
						goto out;
					}
				}
				*status = rt_wait_status(ws);
				base_debug("init %d exited: status %d",
					   (int)pid, *status);
				reap_others(pid, &init_ws, &init_reaped);
				rc = 0;
				goto out;
			} else if (fd == tt.master) {
				if (copy_some(tt.master, STDOUT_FILENO) == 0) {
					/* EIO: every slave fd closed. */
					epoll_ctl(ep, EPOLL_CTL_DEL, tt.master,
						  NULL);
				}
			} else if (fd == STDIN_FILENO) {
				if (copy_some(STDIN_FILENO, tt.master) == 0) {
					/* Pass the end of input on as ^D. */
					char eof = 4;

					epoll_ctl(ep, EPOLL_CTL_DEL,
						  STDIN_FILENO, NULL);
					(void)!write(tt.master, &eof, 1);
				}
			}
		}
	}
out:
	tty_end(&tt);
	return rc;
}
