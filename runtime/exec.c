/*
 * exec: run another process inside an existing container.
 *
 * The new process must end up exactly where the container's init is: in
 * each of its namespaces, its cgroup, with the capabilities, rlimits,
 * no_new_privs and seccomp filter of the config (or of --process).  As in
 * the creation story, the parent prepares (opens the init's pidfd, compiles
 * seccomp, enters the pid and time namespaces for its children) and one
 * fork-like clone3 makes the child, which joins the rest with one
 * setns(pidfd, flags) and becomes the payload.  A failed exec exits 255, as
 * runc does.
 */
#include "runtime.h"

#include "config.h"
#include "process.h"
#include "relay.h"
#include "setup.h"
#include "state.h"
#include "sync.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define EXEC_FAILED_STATUS 255

struct xctx {
	const struct rt_exec_opts *o;
	struct rt_config cfg;     /* the container's, as created */
	struct rt_process proc;   /* what to run */
	bool own_proc;            /* proc was loaded from --process */
	struct st_record r;
	int statefd;
	int initfd;               /* pidfd of the container's init */
	int join_flags;           /* CLONE_NEW* the child joins with setns */
	struct cg *cg;
	struct rt_bpf bpf;
	bool has_bpf;
	bool in_cgroup;
	bool setgroups_ok; /* in the init's user namespace */
	sigset_t old_mask;
	uint64_t ignored; /* signals the caller left ignored */
	int sync[2];
	pid_t pid;
	int pidfd;
	int pty_master;
	int shim; /* sealed memfd of the shim that execs, or -1 */
};

/* --user UID[:GID], decimal only: "1000:abc", ":" and "1000:1000x" are
 * refused (CVE-2026-30892: a lax parser ran as root). */
static int parse_user(const char *s, struct rt_process *p, struct herr *e)
{
	char uid[32];
	const char *colon = strchr(s, ':');
	uint32_t u, g;
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n == 0 || n >= sizeof(uid))
		return herr_set(e, EINVAL, "--user: expected UID[:GID], got '%s'",
				s);
	memcpy(uid, s, n);
	uid[n] = '\0';
	if (base_parse_u32(uid, &u) < 0 ||
	    (colon && base_parse_u32(colon + 1, &g) < 0))
		return herr_set(e, EINVAL,
				"--user: expected numeric UID[:GID], got '%s'",
				s);
	p->user.uid = u;
	if (colon)
		p->user.gid = g;
	return 0;
}

/* Replace or add KEY=value in a NULL-terminated, malloc'd env. */
static void env_set(struct rt_process *p, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; i < p->nenv; i++)
		if (strncmp(p->env[i], kv, klen) == 0 &&
		    p->env[i][klen] == '=') {
			free(p->env[i]);
			p->env[i] = xstrdup(kv);
			return;
		}
	p->env = xrealloc(p->env, (p->nenv + 2) * sizeof(char *));
	p->env[p->nenv++] = xstrdup(kv);
	p->env[p->nenv] = NULL;
}

static char **strv_dup(char *const *v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

/* The process to run: --process FILE, or the container's process with
 * the command line's args and overrides. */
static int build_process(struct xctx *x, struct herr *e)
{
	const struct rt_exec_opts *o = x->o;
	struct rt_process *p = &x->proc;

	if (o->process_file) {
		if (rt_process_load(p, o->process_file, e) < 0)
			return -1;
		x->own_proc = true;
	} else {
		const struct rt_process *c = &x->cfg.process;

		if (o->nargs == 0)
			return herr_set(e, EINVAL,
					"exec: give a command or --process");
		/* A shallow copy of the container's process whose owned
		 * parts (args, env, cwd) are replaced by fresh copies. */
		*p = *c;
		p->args = strv_dup(o->args, o->nargs);
		p->nargs = o->nargs;
		p->env = strv_dup(c->env, c->nenv);
		p->cwd = xstrdup(c->cwd ? c->cwd : "/");
		p->user.additional_gids = NULL;
		p->user.nadditional_gids = 0;
		x->own_proc = true;
		if (o->tty_set)
			p->terminal = o->tty;
		else
			p->terminal = false;
	}
	if (o->tty_set)
		p->terminal = o->tty;
	if (o->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	for (size_t i = 0; i < o->nenv; i++) {
		if (!strchr(o->env[i], '='))
			return herr_set(e, EINVAL, "--env: expected KEY=VALUE, "
					"got '%s'", o->env[i]);
		env_set(p, o->env[i]);
	}
	if (o->user && parse_user(o->user, p, e) < 0)
		return -1;
	for (size_t i = 0; i < o->ncaps; i++) {
		int cap = rt_cap_from_name(o->caps[i]);

		if (cap < 0)
			return herr_set(e, EINVAL, "--cap: unknown capability "
					"'%s'", o->caps[i]);
		p->caps.present = true;
		p->caps.bounding |= 1ULL << cap;
		p->caps.effective |= 1ULL << cap;
		p->caps.permitted |= 1ULL << cap;
	}
	return 0;
}

/* The namespaces of the init that differ from ours, as CLONE_NEW* flags.
 * Joining one we are already in fails (EINVAL for a user namespace). */
static int differing_namespaces(pid_t pid)
{
	static const struct {
		const char *name;
		int flag;
	} ns[] = {
		{ "user", CLONE_NEWUSER },     { "mnt", CLONE_NEWNS },
		{ "net", CLONE_NEWNET },       { "ipc", CLONE_NEWIPC },
		{ "uts", CLONE_NEWUTS },       { "cgroup", CLONE_NEWCGROUP },
		{ "pid", CLONE_NEWPID },       { "time", 0x80 /* NEWTIME */ },
	};
	int flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		char a[64], b[64];
		struct stat sa, sb;

		snprintf(a, sizeof(a), "/proc/self/ns/%s", ns[i].name);
		snprintf(b, sizeof(b), "/proc/%d/ns/%s", (int)pid, ns[i].name);
		if (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		    sa.st_ino != sb.st_ino)
			flags |= ns[i].flag;
	}
	return flags;
}

static __attribute__((noreturn)) void xchild_fail(struct xctx *x, int type,
						  int code, struct herr *e)
{
	if (sync_send(x->sync[1], type, code, e, -1) < 0 || x->o->detach) {
		char line[HERR_MSG_MAX + 16];
		int n = snprintf(line, sizeof(line), "husk: %s\n", e->msg);

		(void)base_write_all(STDERR_FILENO, line, (size_t)n);
	}
	_exit(code);
}

#define XSTEP(call)                                                            \
	do {                                                                   \
		if ((call) < 0)                                                \
			xchild_fail(x, SYNC_ERROR, EXEC_FAILED_STATUS, &e);    \
	} while (0)

/* The exec'd process, from clone to execve.  Never returns. */
static __attribute__((noreturn)) void exec_child(struct xctx *x)
{
	const struct rt_process *p = &x->proc;
	struct herr e = { 0 };
	char exe[4096];

	base_closep(&x->sync[0]);
	/* clone3 placed us in the v2 hierarchy only: v1 ones (hybrid hosts)
	 * are joined here; cg_enter_self skips where we already are.  Before
	 * setns: the cgroup paths are the host's, and the container's mount
	 * namespace may not show them (podman mounts its own cgroup there). */
	if (x->cg)
		XSTEP(cg_enter_self(x->cg, &e));
	/* The rest of the init's namespaces, user first, in one call. */
	base_debug("setns(pidfd of %d, 0x%x)", (int)x->r.pid, x->join_flags);
	if (x->join_flags && syscall(SYS_setns, x->initfd, x->join_flags) < 0)
		XSTEP(herr_sys(&e, errno, "setns into container '%s'",
			       x->o->id));
	if (p->terminal)
		XSTEP(setup_terminal(x->sync[1], p, !x->o->detach, &e));
	else
		XSTEP(setup_new_session(&e));
	XSTEP(setup_cwd(p->cwd, &e));
	XSTEP(rt_child_set_rlimits(p, &e));
	if (rt_child_find_exec(p, exe, sizeof(exe), &e) < 0)
		xchild_fail(x, SYNC_EXEC_FAILED, EXEC_FAILED_STATUS, &e);
	/* Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a
	 * filter, so load it now, before the capabilities go (as runc does);
	 * the profile then also covers the remaining setup calls. */
	if (x->has_bpf && !p->no_new_privileges)
		XSTEP(rt_child_load_seccomp(&x->bpf, &e));
	XSTEP(rt_child_set_user(p, x->setgroups_ok, &e));
	XSTEP(rt_child_set_caps(p, &e));
	XSTEP(rt_child_set_no_new_privs(p, &e));
	XSTEP(setup_signals(&x->old_mask, x->ignored, &e));
	XSTEP(rt_child_close_fds(x->o->preserve_fds, &e));
	XSTEP(sync_send(x->sync[1], SYNC_READY, 0, NULL, -1) < 0
		      ? herr_sys(&e, errno, "sync: sending ready")
		      : 0);
	if (x->shim >= 0) {
		/* The shim loads the filter right before its execve. */
		rt_child_exec_shim(x->shim, x->sync[1],
				   x->has_bpf ? &x->bpf : NULL, p, exe, &e);
		xchild_fail(x, SYNC_ERROR, EXEC_FAILED_STATUS, &e);
	}
	if (x->has_bpf && p->no_new_privileges)
		XSTEP(rt_child_load_seccomp(&x->bpf, &e));
	rt_child_exec(p, exe, &e);
	xchild_fail(x, SYNC_EXEC_FAILED, EXEC_FAILED_STATUS, &e);
}

static int load_container(struct xctx *x, struct herr *e)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	enum st_status s;

	if (st_open(x->o->root, x->o->id, &x->statefd, e) < 0)
		return -1;
	if (st_read(x->statefd, &x->r, e) < 0)
		return -1;
	s = st_status(x->statefd, &x->r);
	if (s != ST_RUNNING && s != ST_CREATED)
		return herr_set(e, EINVAL, "cannot exec in a %s container",
				st_status_name(s));
	json = base_read_file_at(x->statefd, "config.json", &len);
	if (!json)
		return herr_sys(e, errno, "reading the saved config of '%s'",
				x->o->id);
	if (rt_config_parse(&x->cfg, json, len, "config.json", x->r.bundle,
			    e) < 0)
		return -1;
	x->initfd = (int)syscall(SYS_pidfd_open, x->r.pid, 0);
	if (x->initfd < 0 || st_proc_start_time(x->r.pid) != x->r.start_time)
		return herr_set(e, ESRCH, "container not running");
	return 0;
}

static int exec_spawn(struct xctx *x, struct herr *e)
{
	struct clone_args args;
	int pidns_flags, cgfd = -1;
	sigset_t all;

	if (load_container(x, e) < 0 || build_process(x, e) < 0)
		return -1;
	if (setup_check_console(x->proc.terminal, x->o->detach,
				x->o->console_socket, "exec --detach", e) < 0)
		return -1;
	if (x->r.cgroup[0] && cg_open(&x->cg, x->r.cgroup, e) < 0)
		return -1;
	if (x->cfg.seccomp) {
		if (rt_seccomp_compile(x->cfg.seccomp, setup_seccomp_cache_dir(),
				       &x->bpf, e) < 0)
			return -1;
		x->has_bpf = true;
	}
	x->join_flags = differing_namespaces(x->r.pid);
	/* Before joining anything: what will exec the process, so that it
	 * never runs husk's own binary (may re-execute husk). */
	if (rt_guard_self(rt_guard_needs_copy(&x->proc,
					      x->join_flags & CLONE_NEWUSER,
					      x->cfg.seccomp, false),
			  &x->shim, e) < 0)
		return -1;
	/* pid and time namespaces apply to children: enter them here. */
	pidns_flags = x->join_flags & (CLONE_NEWPID | 0x80);
	x->join_flags &= ~(CLONE_NEWPID | 0x80);
	/* Unprivileged, we may join a pid namespace only from inside the
	 * user namespace that owns it: go there first, together.  What the
	 * parent still does (relay, pid file) needs no host privilege. */
	if (pidns_flags && geteuid() != 0 && (x->join_flags & CLONE_NEWUSER)) {
		pidns_flags |= CLONE_NEWUSER;
		x->join_flags &= ~CLONE_NEWUSER;
	}
	if (pidns_flags) {
		base_debug("setns(pidfd of %d, pid/time for children)",
			   (int)x->r.pid);
		if (syscall(SYS_setns, x->initfd, pidns_flags) < 0)
			return herr_sys(e, errno, "joining the pid namespace "
					"of '%s'", x->o->id);
	}
	/* Read from the host's /proc: the container may mount none. */
	x->setgroups_ok = setup_setgroups_allowed(x->r.pid);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync) < 0)
		return herr_sys(e, errno, "socketpair");
	x->ignored = setup_ignored_signals();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &x->old_mask);
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)&x->pidfd;
	args.exit_signal = SIGCHLD;
	cgfd = x->cg ? cg_clone_fd(x->cg) : -1;
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	x->in_cgroup = cgfd >= 0;
	base_debug("clone3(CLONE_PIDFD%s)",
		   cgfd >= 0 ? "|CLONE_INTO_CGROUP" : "");
	x->pid = syscall(SYS_clone3, &args, sizeof(args));
	if (x->pid < 0 && cgfd >= 0) {
		args.flags &= ~CLONE_INTO_CGROUP;
		x->in_cgroup = false;
		x->pid = syscall(SYS_clone3, &args, sizeof(args));
	}
	if (x->pid < 0)
		return herr_sys(e, errno, "clone3");
	if (x->pid == 0)
		exec_child(x);
	base_closep(&x->sync[1]);
	return 0;
}

int rt_exec(const struct rt_exec_opts *o, int *status, struct herr *e)
{
	struct xctx x;
	struct sync_msg m;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.o = o;
	x.statefd = x.initfd = x.pidfd = x.pty_master = -1;
	x.sync[0] = x.sync[1] = -1;
	x.shim = -1;
	*status = EXEC_FAILED_STATUS;
	if (exec_spawn(&x, e) < 0)
		goto out;
	/* Other commands on this container may run while it runs. */
	base_closep(&x.statefd);
	for (;;) {
		int fd = -1, r = sync_recv(x.sync[0], &m, &fd);

		if (r < 0) {
			herr_sys(e, errno, "sync");
			goto fail;
		}
		if (r == 1 && m.type == SYNC_PTY) {
			x.pty_master = fd;
			continue;
		}
		base_closep(&fd);
		if (r == 1 && (m.type == SYNC_ERROR ||
			       m.type == SYNC_EXEC_FAILED)) {
			*e = m.err;
			goto fail;
		}
		if (r == 0)
			break; /* EOF: the payload was exec'd */
	}
	if (o->detach) {
		if (o->pid_file && st_write_pid_file(o->pid_file, x.pid, e) < 0)
			goto fail;
		/* exec_spawn checked that a terminal comes with a socket. */
		if (x.pty_master >= 0 && o->console_socket &&
		    sync_send_console(o->console_socket, x.pty_master, e) < 0)
			goto fail;
		*status = 0;
		rc = 0;
		goto out;
	}
	if (o->pid_file && st_write_pid_file(o->pid_file, x.pid, e) < 0)
		goto fail;
	rc = rt_relay(x.pid, x.pidfd, x.pty_master, NULL, status, e);
	goto out;
fail:
	setup_undo_child(x.pid, x.pidfd);
out:
	base_closep(&x.sync[0]);
	base_closep(&x.sync[1]);
	base_closep(&x.statefd);
	base_closep(&x.initfd);
	base_closep(&x.pidfd);
	base_closep(&x.pty_master);
	base_closep(&x.shim);
	if (x.has_bpf)
		rt_bpf_free(&x.bpf);
	cg_free(x.cg);
	if (x.own_proc && o->process_file)
		rt_process_free(&x.proc);
	else if (x.own_proc) {
		for (size_t i = 0; i < x.proc.nargs; i++)
			free(x.proc.args[i]);
		free(x.proc.args);
		for (size_t i = 0; i < x.proc.nenv; i++)
			free(x.proc.env[i]);
		free(x.proc.env);
		free(x.proc.cwd);
	}
	rt_config_free(&x.cfg);
	st_record_free(&x.r);
	return rc;
}
