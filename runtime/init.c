/*
 * init: husk's own PID 1 for a container (--init), so that no second
 * binary (tini, catatonit) has to be in the image.
 *
 * The container's init, at the very end of its setup, forks.  The child
 * becomes the payload with execve as usual; the parent stays behind as
 * PID 1 of the pid namespace and does the three things a PID 1 must do
 * that an ordinary program does not:
 *
 * - Signals.  The kernel drops a signal sent to a namespace's init unless
 *   the init handles it, so `husk kill ID TERM` against a shell as PID 1
 *   does nothing.  This init blocks every signal and reads them from a
 *   signalfd (tini's design: no asynchronous handlers), then forwards each
 *   one but SIGCHLD to the payload, where the default actions apply.
 * - Orphans.  A process whose parent dies is reparented to PID 1, and stays
 *   a zombie until PID 1 waits for it.  This init reaps every child with
 *   waitpid(-1, WNOHANG) on each SIGCHLD.
 * - Exit status.  When the payload exits, the init exits with its status
 *   (128+N when a signal N killed it); the kernel then kills whatever is
 *   left in the namespace.
 */
#include "process.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Reap every child that has exited; note the payload's status. */
static void reap(pid_t payload, int *ws, bool *done)
{
	pid_t p;
	int s;

	while ((p = waitpid(-1, &s, WNOHANG)) > 0) {
		if (p == payload) {
			*ws = s;
			*done = true;
		} else {
			base_debug("init: reaped orphan %d", (int)p);
		}
	}
}

static __attribute__((noreturn)) void init_loop(pid_t payload, int sfd)
{
	bool done = false;
	int ws = 0;

	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(si)) {
			/* Cannot happen with a valid signalfd; do not leave
			 * the payload without an init that waits for it. */
			(void)!write(STDERR_FILENO,
				     "husk init: reading signals failed\n", 35);
			kill(payload, SIGKILL);
			while (!done && waitpid(-1, &ws, 0) > 0)
				;
			_exit(1);
		}
		if (si.ssi_signo == SIGCHLD) {
			reap(payload, &ws, &done);
			if (done)
				break;
			continue;
		}
		/* Forwarded as sent: the payload decides what it means. */
		kill(payload, (int)si.ssi_signo);
	}
	if (WIFSIGNALED(ws))
		_exit(128 + WTERMSIG(ws));
	_exit(WEXITSTATUS(ws));
}

int rt_child_fork_init(bool terminal, struct herr *e)
{
	sigset_t all, mask;
	pid_t pid;
	int sfd;

	/* Blocked before the fork, so no signal is lost in between; the
	 * payload gets the mask back. */
	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &mask) < 0)
		return herr_sys(e, errno, "--init: sigprocmask");
	base_debug("--init: fork; PID 1 relays signals and reaps, the child "
		   "execs the payload");
	pid = fork();
	if (pid < 0)
		return herr_sys(e, errno, "--init: fork");
	if (pid == 0) {
		/* With a terminal, the payload's own process group is in the
		 * foreground, so ^C and job control reach it. */
		if (terminal && setpgid(0, 0) == 0)
			(void)tcsetpgrp(STDIN_FILENO, getpid());
		if (sigprocmask(SIG_SETMASK, &mask, NULL) < 0)
			return herr_sys(e, errno, "--init: sigprocmask");
		return 0;
	}
	/* PID 1 keeps only stdio: the sync socket must close when the payload
	 * execs, and preserved fds are the payload's. */
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	}
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0) {
		(void)!write(STDERR_FILENO, "husk init: signalfd failed\n", 27);
		kill(pid, SIGKILL);
		_exit(1);
	}
	init_loop(pid, sfd);
}
