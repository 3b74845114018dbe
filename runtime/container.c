/*
 * container: how husk makes a container, told in two flat functions.
 *
 * parent_spawn() runs in husk; child_init() runs in the container's init
 * between clone and execve.  Their calls mirror the kernel steps one per
 * line.  The hand-offs over the sync socket are numbered [1]..[4] in both
 * so a reader can line them up:
 *
 *   parent                              child
 *   ------                              -----
 *   cgroup + limits, compile seccomp
 *   block signals, clone3 ───────────►  (born in new namespaces + cgroup)
 *   [1] write uid/gid maps
 *   [2] send GO ─────────────────────►  [2] wait for GO
 *                                       join namespaces, hostname, mounts
 *   [2b] prestart, createRuntime  ◄───  [2b] (only when hooks are set)
 *        hooks, then GO ─────────────►       createContainer hooks
 *                                       pivot_root, user, caps, nnp
 *   [3] receive READY ◄───────────────  [3] send READY
 *       (create: write state, exit)         (create: wait on exec.fifo)
 *                                           seccomp, execve
 *   [4] EOF = exec ok, or ◄───────────  [4] EXEC_FAILED + reason
 *   relay signals, reap, cleanup
 *
 * There is one husk process and no re-exec of itself: the init is a
 * fork-like clone3 of husk, and becomes the payload with execve.
 */
#include "runtime.h"

#include "config.h"
#include "hooks.h"
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
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

enum mode { MODE_RUN, MODE_CREATE };

/* Everything one container's creation needs, parent and child alike. */
struct ctr {
	const struct rt_opts *o;
	enum mode mode;
	struct rt_config cfg;
	struct ns_fs fs;
	struct cg *cg;
	struct rt_bpf bpf;
	bool has_bpf;
	bool new_userns;
	bool rootless;        /* husk runs as a non-root user */
	unsigned long long pid_ns; /* the init's pid namespace (inode) */
	bool in_cgroup;       /* clone3 placed the child in its v2 cgroup */
	bool init;            /* --init or the annotation: fork a PID 1 */
	sigset_t old_mask;    /* the mask to give back to the payload */
	uint64_t ignored;     /* signals the caller left ignored */
	int sync_parent;      /* husk's end of the sync socket */
	int sync_child;       /* the init's end, close-on-exec */
	int fifo_rd, fifo_wr; /* exec.fifo, create mode only */
	int statefd;          /* the locked state directory */
	pid_t pid;
	int pidfd;
	int pty_master;       /* run with a terminal: husk proxies it */
	int shim;             /* sealed memfd of the shim that execs, or -1 */
};

static void ctr_init(struct ctr *c, const struct rt_opts *o, enum mode m)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->mode = m;
	c->sync_parent = c->sync_child = -1;
	c->fifo_rd = c->fifo_wr = -1;
	c->statefd = -1;
	c->pidfd = -1;
	c->pty_master = -1;
	c->shim = -1;
}

static void ctr_free(struct ctr *c)
{
	base_closep(&c->sync_parent);
	base_closep(&c->sync_child);
	base_closep(&c->shim);
	base_closep(&c->fifo_rd);
	base_closep(&c->fifo_wr);
	base_closep(&c->statefd);
	base_closep(&c->pidfd);
	base_closep(&c->pty_master);
	if (c->has_bpf)
		rt_bpf_free(&c->bpf);
	cg_free(c->cg);
	rt_config_free(&c->cfg);
}

/* The filesystem part of the config, as ns/ wants it. */
static void fill_fs(struct ctr *c)
{
	const struct rt_config *cfg = &c->cfg;

	c->fs = (struct ns_fs){
		.rootfs = cfg->root_path,
		.readonly = cfg->root_readonly,
		.propagation = cfg->rootfs_propagation,
		.mounts = cfg->mounts,
		.nmounts = cfg->nmounts,
		.devices = cfg->devices,
		.ndevices = cfg->ndevices,
		.masked = cfg->masked_paths,
		.nmasked = cfg->nmasked_paths,
		.readonly_paths = cfg->readonly_paths,
		.nreadonly = cfg->nreadonly_paths,
		.no_pivot = c->o->no_pivot,
		.in_userns = cfg->ns[NS_USER].wanted,
		.new_netns = cfg->ns[NS_NET].wanted && !cfg->ns[NS_NET].path,
		.new_cgroupns = cfg->ns[NS_CGROUP].wanted,
	};
}

/* CLONE_NEW* for every namespace created at clone.  cgroup and time are
 * unshared by the child later: cgroup after it joined its cgroup (so that
 * becomes its root), time because clone cannot set offsets. */
static uint64_t clone_flags(const struct rt_config *cfg)
{
	uint64_t f = 0;

	for (int t = 0; t < NS__COUNT; t++)
		if (cfg->ns[t].wanted && !cfg->ns[t].path && t != NS_CGROUP &&
		    t != NS_TIME)
			f |= ns_clone_flag(t);
	return f;
}

static void describe_flags(uint64_t f, char *buf, size_t len)
{
	static const struct {
		uint64_t flag;
		const char *name;
	} names[] = {
		{ CLONE_NEWUSER, "CLONE_NEWUSER" },
		{ CLONE_NEWPID, "CLONE_NEWPID" },
		{ CLONE_NEWNET, "CLONE_NEWNET" },
		{ CLONE_NEWIPC, "CLONE_NEWIPC" },
		{ CLONE_NEWUTS, "CLONE_NEWUTS" },
		{ CLONE_NEWNS, "CLONE_NEWNS" },
		{ CLONE_PIDFD, "CLONE_PIDFD" },
		{ CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (f & names[i].flag)
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? "|" : "", names[i].name);
	if (!n)
		snprintf(buf, len, "0");
}

/* clone3(2) with fork semantics (no new stack): the child returns 0 here
 * and runs on a copy of the parent's memory.  Falls back to clone(2) on
 * kernels without clone3, and to joining the cgroup from the child when the
 * kernel refuses CLONE_INTO_CGROUP. */
static pid_t do_clone(struct ctr *c, uint64_t flags, struct herr *e)
{
	struct clone_args args;
	int cgfd = c->cg ? cg_clone_fd(c->cg) : -1;
	char desc[256];
	pid_t pid;

	memset(&args, 0, sizeof(args));
	args.flags = flags | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)&c->pidfd;
	args.exit_signal = SIGCHLD;
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	c->in_cgroup = cgfd >= 0;
	describe_flags(args.flags, desc, sizeof(desc));
	base_debug("clone3(%s)", desc);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && cgfd >= 0 && errno != ENOSYS) {
		/* e.g. EBUSY: the cgroup has controllers in subtree_control */
		base_debug("clone3 into cgroup: %s; the child will join it",
			   strerror(errno));
		args.flags &= ~CLONE_INTO_CGROUP;
		args.cgroup = 0;
		c->in_cgroup = false;
		pid = syscall(SYS_clone3, &args, sizeof(args));
	}
	if (pid < 0 && errno == ENOSYS) {
		base_debug("clone3: ENOSYS, falling back to clone(2)");
		c->in_cgroup = false;
		pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL,
			      NULL, NULL, 0);
		if (pid > 0)
			c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	}
	if (pid < 0) {
		herr_sys(e, errno, "clone3(%s)", desc);
		return ns_clone_hint(e, (int)flags);
	}
	if (pid > 0)
		base_debug("clone3 = pid %d", (int)pid);
	return pid;
}

/* The state document hooks get on stdin. */
static char *state_json(const struct ctr *c, enum st_status s)
{
	struct st_record r = {
		.oci_version = c->cfg.oci_version,
		.id = (char *)c->o->id,
		.pid = c->pid,
		.bundle = c->cfg.bundle,
		.rootfs = c->cfg.root_path,
		.created = (char *)"",
		.owner = geteuid(),
		.annotations = c->cfg.annotations,
		.nannotations = c->cfg.nannotations,
	};

	return st_to_oci_json(&r, s);
}

static int run_hooks(const struct ctr *c, enum rt_hook_kind k,
		     enum st_status s, struct herr *e)
{
	_cleanup_free_ char *json = NULL;

	if (c->cfg.nhooks[k] == 0)
		return 0;
	json = state_json(c, s);
	return rt_hooks_run(&c->cfg, k, json, e);
}

static bool has_runtime_hooks(const struct rt_config *cfg)
{
	return cfg->nhooks[RT_HOOK_PRESTART] ||
	       cfg->nhooks[RT_HOOK_CREATE_RUNTIME];
}

/* The child ends here when a step fails: the error crosses to the parent
 * and the init exits.  After `create` has returned nobody reads the socket,
 * so the reason also goes to the init's stderr. */
static __attribute__((noreturn)) void child_fail(struct ctr *c, int type,
						 int code, struct herr *e)
{
	if (sync_send(c->sync_child, type, code, e, -1) < 0 ||
	    c->mode == MODE_CREATE) {
		char line[HERR_MSG_MAX + 16];
		int n = snprintf(line, sizeof(line), "husk: %s\n", e->msg);

		(void)base_write_all(STDERR_FILENO, line, (size_t)n);
	}
	_exit(code);
}

#define STEP(call)                                                             \
	do {                                                                   \
		if ((call) < 0)                                                \
			child_fail(c, SYNC_ERROR, 1, &e);                      \
	} while (0)

/* The container's init, from clone to execve.  Never returns. */
static __attribute__((noreturn)) void child_init(struct ctr *c)
{
	const struct rt_config *cfg = &c->cfg;
	const struct rt_process *p = &cfg->process;
	char exe[4096];
	struct herr e = { 0 };
	int sigfd = -1; /* create: signals while waiting for start */
	bool setgroups_ok;

	base_closep(&c->sync_parent);
	/* Our copy of the state dir fd shares the parent's flock: holding it
	 * until execve would block `start` (and every other command) for as
	 * long as we wait on exec.fifo. */
	base_closep(&c->statefd);
	/* [2] Wait until the parent has written our id maps.  GO carries our
	 * pid as the host sees it, for the state that hooks read. */
	c->pid = setup_wait_go(c->sync_child, &e);
	if (c->pid < 0)
		child_fail(c, SYNC_ERROR, 1, &e);
	if (c->new_userns && c->rootless)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Now, while /proc is the host's: the container may mount none. */
	setgroups_ok = setup_setgroups_allowed(0);
	/* clone3 placed us in the v2 hierarchy only: v1 ones (hybrid hosts)
	 * are joined here; cg_enter_self skips where we already are.  Before
	 * becoming the mapped root, who may not write the host's files, and
	 * before joining a mount namespace that may hide /sys/fs/cgroup. */
	if (c->cg)
		STEP(cg_enter_self(c->cg, &e));
	if (c->new_userns)
		STEP(setup_become_root(cfg->uid_mappings, cfg->nuid_mappings,
				       cfg->gid_mappings, cfg->ngid_mappings,
				       &e));
	STEP(ns_child_join(cfg->ns, &e));
	/* After joining the cgroup, so that it is the namespace's root. */
	if (cfg->ns[NS_CGROUP].wanted && !cfg->ns[NS_CGROUP].path)
		STEP(setup_unshare(CLONE_NEWCGROUP, &e));
	if (cfg->ns[NS_TIME].wanted && !cfg->ns[NS_TIME].path)
		STEP(setup_time_ns(cfg, &e));
	if (cfg->ns[NS_UTS].wanted)
		STEP(ns_child_set_hostname(cfg->hostname, cfg->domainname, &e));
	if (!c->o->no_new_keyring)
		STEP(setup_session_keyring(c->o->id, &e));
	STEP(ns_child_private_mounts(&c->fs, &e));
	STEP(ns_child_mount_rootfs(&c->fs, &e));
	/* [2b] Hooks in the runtime's namespaces, then in ours. */
	if (has_runtime_hooks(cfg)) {
		STEP(sync_send(c->sync_child, SYNC_HOOKS, 0, NULL, -1) < 0
			     ? herr_sys(&e, errno, "sync: asking for hooks")
			     : 0);
		STEP(setup_wait_go(c->sync_child, &e));
	}
	STEP(run_hooks(c, RT_HOOK_CREATE_CONTAINER, ST_CREATING, &e));
	STEP(ns_child_pivot_root(&c->fs, &e));
	STEP(setup_sysctls(cfg, &e));
	STEP(ns_child_finish_rootfs(&c->fs, &e));
	/* A new session: TIOCSTI cannot reach the caller's terminal. */
	if (p->terminal)
		STEP(setup_terminal(c->sync_child, p, c->mode == MODE_RUN, &e));
	else
		STEP(setup_new_session(&e));
	STEP(setup_cwd(p->cwd, &e));
	STEP(setup_personality(cfg, &e));
	STEP(rt_child_set_rlimits(p, &e));
	STEP(rt_child_set_oom_score_adj(p, -1, &e));
	/* Found while still root, so a missing binary fails create. */
	if (rt_child_find_exec(p, exe, sizeof(exe), &e) < 0)
		child_fail(c, SYNC_EXEC_FAILED, e.err == EACCES ? 126 : 127,
			   &e);
	/* Made before seccomp: then the wait for start needs only poll. */
	if (c->mode == MODE_CREATE)
		STEP(sigfd = setup_start_signals(&e));
	/* Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a
	 * filter, so load it now, before the capabilities go (as runc does);
	 * the profile then also covers the remaining setup calls. */
	if (c->has_bpf && !p->no_new_privileges)
		STEP(rt_child_load_seccomp(&c->bpf, &e));
	STEP(rt_child_set_user(p, setgroups_ok, &e));
	STEP(rt_child_set_caps(p, &e));
	STEP(rt_child_set_no_new_privs(p, &e));
	STEP(rt_child_close_fds(c->o->preserve_fds, &e));
	/* [3] Set up.  A created container now waits for `husk start`. */
	STEP(sync_send(c->sync_child, SYNC_READY, 0, NULL, -1) < 0
		     ? herr_sys(&e, errno, "sync: sending ready")
		     : 0);
	if (c->mode == MODE_CREATE) {
		int sig = setup_wait_start(c->fifo_rd, sigfd, &e);

		if (sig < 0)
			child_fail(c, SYNC_ERROR, 1, &e);
		if (sig > 0) {
			/* Killed before it ever ran: the payload never
			 * starts, and the status says which signal. */
			base_debug("%s before start: exiting",
				   base_signal_name(sig) ? base_signal_name(sig)
							 : "signal");
			_exit(128 + sig);
		}
	}
	/* Signals stayed blocked until here so the wait could read them. */
	STEP(setup_signals(&c->old_mask, c->ignored, &e));
	STEP(run_hooks(c, RT_HOOK_START_CONTAINER, ST_RUNNING, &e));
	/* Last: from here on only what the profile allows.  (The shim loads
	 * it itself, right before its execve of the payload.) */
	if (c->has_bpf && p->no_new_privileges && c->shim < 0)
		STEP(rt_child_load_seccomp(&c->bpf, &e));
	/* PID 1 stays behind as husk's init; its child becomes the payload.
	 * After seccomp, so the init is confined as much as the payload. */
	if (c->init)
		STEP(rt_child_fork_init(p->terminal, &e));
	if (c->shim >= 0) {
		rt_child_exec_shim(c->shim, c->sync_child,
				   c->has_bpf ? &c->bpf : NULL, p, exe, &e);
		child_fail(c, SYNC_ERROR, 1, &e);
	}
	rt_child_exec(p, exe, &e);
	/* [4] The exec failed. */
	child_fail(c, SYNC_EXEC_FAILED, e.err == EACCES ? 126 : 127, &e);
}

/* Receive the child's next message; a pty master may ride along. */
static int recv_from_child(struct ctr *c, struct sync_msg *m, int *code,
			   struct herr *e)
{
	for (;;) {
		int fd = -1;
		int r = sync_recv(c->sync_parent, m, &fd);

		if (r < 0)
			return herr_sys(e, errno, "sync: reading from the init");
		if (r == 0) {
			m->type = 0; /* EOF: the init exec'd or died */
			return 0;
		}
		if (m->type == SYNC_PTY) {
			c->pty_master = fd;
			continue;
		}
		base_closep(&fd);
		if (m->type == SYNC_ERROR || m->type == SYNC_EXEC_FAILED) {
			*e = m->err;
			*code = m->code;
			return -1;
		}
		return 0;
	}
}

/* Undo what parent_spawn made, newest first: the init, the cgroup, the
 * state directory. */
static void ctr_undo(struct ctr *c)
{
	setup_undo_child(c->pid, c->pidfd);
	c->pid = 0;
	cg_destroy(take_ptr(c->cg), &(struct herr){ 0 });
	if (c->statefd >= 0)
		st_remove(c->o->root, c->o->id, c->statefd, &(struct herr){ 0 });
}

/* A detached container's pty master goes to --console-socket; husk does
 * not stay around to proxy it. */
static int hand_over_pty(struct ctr *c, struct herr *e)
{
	/* parent_spawn checked that a terminal comes with a socket. */
	if (c->pty_master < 0 || !c->o->console_socket)
		return 0;
	return sync_send_console(c->o->console_socket, c->pty_master, e);
}

/* The config asks for husk's init (engines cannot pass --init). */
static bool wants_init(const struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->nannotations; i++)
		if (!strcmp(cfg->annotations[i].key, RT_ANNOTATION_INIT))
			return !strcmp(cfg->annotations[i].value, "true");
	return false;
}

/* husk's side, from the bundle to an init that is set up (and, in run
 * mode, exec'd).  On failure everything made so far is undone. */
static int parent_spawn(struct ctr *c, int *code, struct herr *e)
{
	struct rt_config *cfg = &c->cfg;
	struct sync_msg m;
	sigset_t all;
	int sp[2];

	*code = 1;
	if (c->o->config_json) {
		if (rt_config_parse(cfg, c->o->config_json,
				    strlen(c->o->config_json), "config.json",
				    c->o->bundle, e) < 0)
			return -1;
	} else if (rt_config_load(cfg, c->o->bundle, e) < 0) {
		return -1;
	}
	if (!cfg->has_process)
		return herr_set(e, EINVAL, "%s: .process: required to run a "
					   "container", cfg->path);
	if (c->o->systemd_cgroup &&
	    setup_check_systemd_cgroup(cfg->cgroups_path, e) < 0)
		return -1;
	if (setup_check_console(cfg->process.terminal, c->mode == MODE_CREATE,
				c->o->console_socket,
				c->o->detach ? "run --detach" : "create",
				e) < 0)
		return -1;
	fill_fs(c);
	setup_default_devices(cfg);
	c->init = c->o->init || wants_init(cfg);
	c->new_userns = cfg->ns[NS_USER].wanted && !cfg->ns[NS_USER].path;
	c->rootless = geteuid() != 0;
	/* [0] Before anything exists: what will exec the payload, so that
	 * it never runs husk's own binary (may re-execute husk). */
	if (rt_guard_self(rt_guard_needs_copy(&cfg->process,
					      cfg->ns[NS_USER].wanted,
					      cfg->seccomp, c->init),
			  &c->shim, e) < 0)
		return -1;
	if (st_create(c->o->root, c->o->id, &c->statefd, e) < 0)
		return -1;
	if (c->mode == MODE_CREATE &&
	    setup_exec_fifo(c->statefd, &c->fifo_rd, &c->fifo_wr, e) < 0)
		goto undo;
	if (c->o->rootless && cfg->resources.ndevices) {
		/* Device rules need privilege (v1 devices.allow, v2 eBPF);
		 * a user namespace cannot mknod anyway. */
		base_debug("rootless: %zu device rules not applied",
			   cfg->resources.ndevices);
		cfg->resources.ndevices = 0;
	}
	if (cg_create(&c->cg, cfg->cgroups_path, c->o->id, &cfg->resources,
		      e) < 0) {
		if (!c->o->rootless ||
		    (e->err != EACCES && e->err != EPERM && e->err != EROFS))
			goto undo;
		if (cg_has_limits(&cfg->resources)) {
			char ctls[128];

			cg_limit_controllers(&cfg->resources, ctls,
					     sizeof(ctls));
			herr_hint(e, "rootless: the limits need the %s "
				     "controller%s in a cgroup delegated to "
				     "uid %u, e.g. from a systemd user "
				     "session: systemd-run --user --scope -p "
				     "Delegate=yes husk ...; or run without "
				     "them",
				  ctls, strchr(ctls, ',') ? "s" : "",
				  (unsigned)geteuid());
			goto undo;
		}
		base_warn("rootless: no cgroup of its own for container "
			  "'%s' (%s); it runs without limits",
			  c->o->id, e->msg);
		*e = (struct herr){ 0 };
	}
	/* Compiled here, in the parent: the child only loads the BPF. */
	if (cfg->seccomp) {
		if (rt_seccomp_compile(cfg->seccomp, setup_seccomp_cache_dir(),
				       &c->bpf, e) < 0)
			goto undo;
		c->has_bpf = true;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		herr_sys(e, errno, "socketpair");
		goto undo;
	}
	c->sync_parent = sp[0];
	c->sync_child = sp[1];
	/* Signals wait in the queue until the relay forwards them. */
	c->ignored = setup_ignored_signals();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &c->old_mask);
	if (cfg->ns[NS_PID].path &&
	    ns_join_pid_for_children(cfg->ns[NS_PID].path, e) < 0)
		goto undo;
	/* husk is non-dumpable (runtime/self.c), and so would the child be:
	 * its /proc files would belong to root and an unprivileged parent
	 * could not write its id maps.  So a rootless child is born dumpable
	 * (no race with the parent's writes) and drops it once mapped;
	 * nothing else is in its new user namespace until then. */
	if (c->new_userns && c->rootless)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	c->pid = do_clone(c, clone_flags(cfg), e);
	if (c->new_userns && c->rootless && c->pid != 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (c->pid < 0)
		goto undo;
	if (c->pid == 0)
		child_init(c);
	base_closep(&c->sync_child);
	base_closep(&c->fifo_rd);
	base_closep(&c->fifo_wr);
	/* [1] The child cannot write its own maps: it has no ids yet. */
	if (c->new_userns &&
	    ns_write_idmaps(c->pid, cfg->uid_mappings, cfg->nuid_mappings,
			    cfg->gid_mappings, cfg->ngid_mappings,
			    setup_must_deny_setgroups(), e) < 0)
		goto undo;
	/* Still readable now: after GO a rootless init is not dumpable, and
	 * `ps` without a cgroup needs to know it (ns/pidns.c). */
	c->pid_ns = ns_pid_ns_ino(c->pid);
	/* [2] */
	if (sync_send(c->sync_parent, SYNC_GO, c->pid, NULL, -1) < 0) {
		herr_sys(e, errno, "sync: sending go");
		goto undo;
	}
	/* [2b] */
	if (has_runtime_hooks(cfg)) {
		if (recv_from_child(c, &m, code, e) < 0)
			goto undo;
		if (m.type != SYNC_HOOKS) {
			herr_set(e, EPROTO, "the container's init died during "
					    "setup");
			goto undo;
		}
		if (run_hooks(c, RT_HOOK_PRESTART, ST_CREATED, e) < 0 ||
		    run_hooks(c, RT_HOOK_CREATE_RUNTIME, ST_CREATING, e) < 0)
			goto undo;
		if (sync_send(c->sync_parent, SYNC_GO, c->pid, NULL, -1) < 0) {
			herr_sys(e, errno, "sync: sending go");
			goto undo;
		}
	}
	/* [3] */
	if (recv_from_child(c, &m, code, e) < 0)
		goto undo;
	if (m.type != SYNC_READY) {
		herr_set(e, EPROTO, "the container's init died during setup");
		goto undo;
	}
	return 0;
undo:
	ctr_undo(c);
	return -1;
}

/* The state record of a freshly spawned container. */
static int record_state(struct ctr *c, struct herr *e)
{
	struct st_record r = {
		.oci_version = c->cfg.oci_version,
		.id = (char *)c->o->id,
		.pid = c->pid,
		.start_time = st_proc_start_time(c->pid),
		.bundle = c->cfg.bundle,
		.rootfs = c->cfg.root_path,
		.owner = geteuid(),
		.cgroup = c->cg ? (char *)cg_path(c->cg) : NULL,
		.annotations = c->cfg.annotations,
		.pid_ns = c->pid_ns,
		.nannotations = c->cfg.nannotations,
		.detached = c->mode == MODE_CREATE || c->o->detach,
	};
	/* exec reads this copy: the bundle may change after create.  It is
	 * the text that was parsed (parent_spawn: the caller's, or the
	 * file's as rt_config_load read it), never the file read again. */
	const char *text = c->o->config_json ? c->o->config_json : c->cfg.text;
	size_t len = c->o->config_json ? strlen(text) : c->cfg.text_len;
	char created[64], dir[64];

	base_now_rfc3339(created, sizeof(created));
	r.created = created;
	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", c->statefd);
	if (base_write_file_atomic(dir, "config.json", text, len, 0600) < 0)
		return herr_sys(e, errno, "saving '%s/config.json' in the state",
				c->cfg.bundle);
	if (st_write(c->statefd, &r, e) < 0)
		return -1;
	if (c->o->pid_file && st_write_pid_file(c->o->pid_file, c->pid, e) < 0)
		return -1;
	return 0;
}

int rt_create(const struct rt_opts *o, struct herr *e)
{
	struct ctr c;
	int code, rc = -1;

	ctr_init(&c, o, MODE_CREATE);
	if (parent_spawn(&c, &code, e) < 0)
		goto out;
	if (hand_over_pty(&c, e) < 0 || record_state(&c, e) < 0)
		goto undo;
	rc = 0;
	goto out;
undo:
	ctr_undo(&c);
out:
	ctr_free(&c);
	return rc;
}

static int64_t monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t tv_usec(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

/* --report: what the container used, from its cgroup's counters.  Without
 * a cgroup (rootless, nothing delegated) only the CPU time is known: the
 * kernel adds a reaped child's times, and those of the children it
 * reaped, to its parent's RUSAGE_CHILDREN; what husk's own children used
 * before the container started (`before`) is not the container's. */
static void fill_report(const struct ctr *c, int64_t started,
			const struct rusage *before, bool timed_out,
			struct rt_report *r)
{
	const struct cg_resources *res = &c->cfg.resources;
	struct cg_stats st;
	struct rusage after;
	struct herr e;

	memset(r, 0, sizeof(*r));
	r->wall_usec = monotonic_usec() - started;
	r->timed_out = timed_out;
	r->cpu_quota_usec = res->cpu_quota > 0 ? res->cpu_quota : -1;
	r->cpu_period_usec = res->cpu_period > 0 ? res->cpu_period : -1;
	if (!c->cg || cg_stats(c->cg, &st, &e) < 0) {
		r->valid = false;
		r->no_cgroup = !c->cg;
		r->cpu_user_usec = r->cpu_system_usec = -1;
		r->cpu_throttled_usec = r->memory_peak = r->memory_limit = -1;
		r->oom_kills = r->pids_peak = r->pids_limit = -1;
		r->io_read_bytes = r->io_write_bytes = -1;
		if (r->no_cgroup && getrusage(RUSAGE_CHILDREN, &after) == 0) {
			r->cpu_user_usec = tv_usec(&after.ru_utime) -
					   tv_usec(&before->ru_utime);
			r->cpu_system_usec = tv_usec(&after.ru_stime) -
					     tv_usec(&before->ru_stime);
		}
		return;
	}
	r->valid = true;
	r->cpu_user_usec = st.cpu_user_usec;
	r->cpu_system_usec = st.cpu_system_usec;
	r->cpu_throttled_usec = st.cpu_throttled_usec;
	r->memory_peak = st.memory_peak;
	r->memory_limit = st.memory_limit;
	r->oom_kills = st.oom_kills;
	r->pids_peak = st.pids_peak;
	r->pids_limit = st.pids_limit;
	r->io_read_bytes = st.io_read_bytes;
	r->io_write_bytes = st.io_write_bytes;
}

int rt_run(const struct rt_opts *o, int *status, struct herr *e)
{
	struct rt_timeout deadline = { .ms = o->timeout_ms,
				       .kill_after_ms = o->kill_after_ms };
	int64_t started = monotonic_usec();
	struct rusage before = { 0 };
	struct sync_msg m;
	struct ctr c;
	int code, rc = -1;

	*status = 1;
	if (o->report)
		getrusage(RUSAGE_CHILDREN, &before);
	ctr_init(&c, o, o->detach ? MODE_CREATE : MODE_RUN);
	/* Orphans of the payload come to us, not to the host's init. */
	if (!o->detach)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (parent_spawn(&c, &code, e) < 0) {
		*status = code;
		goto out;
	}
	if (o->detach) {
		/* run --detach is create + start. */
		if (hand_over_pty(&c, e) < 0 || record_state(&c, e) < 0 ||
		    setup_start(c.statefd, e) < 0)
			goto undo;
		*status = 0;
		rc = 0;
		goto out;
	}
	if (record_state(&c, e) < 0)
		goto undo;
	/* Let state, kill and exec in while we wait. */
	flock(c.statefd, LOCK_UN);
	/* [4] EOF means execve() succeeded. */
	if (recv_from_child(&c, &m, &code, e) < 0) {
		*status = code;
		goto undo;
	}
	if (run_hooks(&c, RT_HOOK_POSTSTART, ST_RUNNING, e) < 0)
		base_warn("%s", e->msg);
	rc = rt_relay(c.pid, c.pidfd, c.pty_master, &deadline, status, e);
	if (rc == 0 && c.cg && cg_oom_killed(c.cg)) {
		base_say("container '%s' was killed by the OOM killer%s",
			  o->id, setup_describe_memory_limit(&c.cfg));
		if (*status != 0)
			*status = 137;
	}
	if (rc == 0 && deadline.fired)
		*status = 124; /* as timeout(1) */
	/* Before cg_destroy: the counters go with the cgroup. */
	if (o->report)
		fill_report(&c, started, &before, deadline.fired, o->report);
	if (!o->keep) {
		struct herr he;

		flock(c.statefd, LOCK_EX);
		cg_destroy(take_ptr(c.cg), rc == 0 ? e : &(struct herr){ 0 });
		if (run_hooks(&c, RT_HOOK_POSTSTOP, ST_STOPPED, &he) < 0)
			base_warn("%s", he.msg);
		st_remove(o->root, o->id, c.statefd, &(struct herr){ 0 });
	}
	goto out;
undo:
	ctr_undo(&c);
out:
	ctr_free(&c);
	return rc;
}
