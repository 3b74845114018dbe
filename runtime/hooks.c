/* hooks: run OCI lifecycle hooks (see hooks.h). */
#include "hooks.h"

#include "relay.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

const char *rt_hook_name(enum rt_hook_kind kind)
{
	static const char *const names[] = {
		"prestart",	     "createRuntime", "createContainer",
		"startContainer", "poststart",	   "poststop",
	};

	return names[kind];
}

static int run_one(const struct rt_hook *h, const char *kind,
		   const char *state, struct herr *e)
{
	char *const empty[] = { NULL };
	char *argv0[] = { h->path, NULL };
	_cleanup_fd_ int pidfd = -1;
	int in[2], ws, timeout_ms;
	struct pollfd p;
	pid_t pid;

	base_debug("%s hook '%s'", kind, h->path);
	if (pipe2(in, O_CLOEXEC) < 0)
		return herr_sys(e, errno, "%s hook '%s': pipe", kind, h->path);
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return herr_sys(e, errno, "%s hook '%s': fork", kind, h->path);
	}
	if (pid == 0) {
		sigset_t none;

		/* husk blocks every signal; a hook must get them. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(in[0], STDIN_FILENO);
		execve(h->path, h->args ? h->args : argv0,
		       h->env ? h->env : empty);
		_exit(127);
	}
	close(in[0]);
	/* A hook that does not read its stdin must not block us: ignore
	 * EPIPE (send-style writes cannot be used on a pipe, so block it). */
	{
		sigset_t pipe_set, old;

		sigemptyset(&pipe_set);
		sigaddset(&pipe_set, SIGPIPE);
		sigprocmask(SIG_BLOCK, &pipe_set, &old);
		(void)base_write_all(in[1], state, strlen(state));
		close(in[1]);
		{
			struct timespec zero = { 0, 0 };

			/* Discard a SIGPIPE we caused before unblocking. */
			sigtimedwait(&pipe_set, NULL, &zero);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	timeout_ms = h->timeout > 0 ? h->timeout * 1000 : -1;
	p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	if (pidfd >= 0) {
		int r;

		do
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return herr_set(e, ETIMEDOUT,
					"%s hook '%s' timed out after %d s",
					kind, h->path, h->timeout);
		}
	}
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return herr_sys(e, errno, "%s hook '%s'", kind, h->path);
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return herr_set(e, ECANCELED, "%s hook '%s' %s with status %d",
				kind, h->path,
				WIFEXITED(ws) ? "exited" : "was killed",
				rt_wait_status(ws));
	return 0;
}

int rt_hooks_run(const struct rt_config *cfg, enum rt_hook_kind kind,
		 const char *state_json, struct herr *e)
{
	for (size_t i = 0; i < cfg->nhooks[kind]; i++)
		if (run_one(&cfg->hooks[kind][i], rt_hook_name(kind), state_json,
			    e) < 0)
			return -1;
	return 0;
}
