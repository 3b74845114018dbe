/*
 * runtime: what cli/ calls.  Reads the bundle, tells the creation story
 * (runtime/container.c), owns the container state on disk, the parent/child
 * sync channel, signal relay and the security steps.
 *
 * Invariants:
 * - A failed operation leaves the system as if it had never been tried: no
 *   state directory, cgroup, mount or process.
 * - Only cli/ prints errors: every function here returns 0 or -1 with e set.
 */
#ifndef HUSK_RUNTIME_H
#define HUSK_RUNTIME_H

#include "../base/base.h"

/* Options common to the commands that make a container. */
struct rt_opts {
	const char *root;           /* state root: /run/husk by default */
	const char *id;
	const char *bundle;         /* "." when not given */
	const char *pid_file;       /* NULL = none */
	const char *console_socket; /* NULL = none */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool systemd_cgroup; /* --systemd-cgroup: accepted, see rt_create */
	bool detach;  /* run --detach */
	bool keep;    /* run --keep: no delete after the container exits */
	bool rootless; /* --rootless (auto: not root): cgroups only where
			* delegated, no device rules */
	bool init;    /* --init: husk's own init as PID 1 (runtime/init.c) */
	/* The config as JSON text, used instead of BUNDLE/config.json (husk
	 * sandbox); saved in the state like a bundle's.  NULL = the bundle. */
	const char *config_json;
	/* run: SIGTERM the init after timeout_ms, SIGKILL it kill_after_ms
	 * later (0 = no timeout).  *status is then 124, as timeout(1). */
	int64_t timeout_ms, kill_after_ms;
	/* run: filled when the container ends, from its cgroup's counters
	 * read just before the cgroup is removed.  NULL = no report. */
	struct rt_report *report;
};

/* What a container used (--report).  -1 = not known on this host;
 * INT64_MAX = no limit. */
struct rt_report {
	bool valid;        /* the cgroup could be read */
	/* The container had no cgroup of its own (rootless, nothing
	 * delegated): the CPU times come from wait4(2)'s rusage of the
	 * processes reaped, the rest is not known. */
	bool no_cgroup;
	bool timed_out;
	int64_t wall_usec;
	int64_t cpu_user_usec, cpu_system_usec, cpu_throttled_usec;
	int64_t cpu_quota_usec, cpu_period_usec; /* the limit, -1 = none */
	int64_t memory_peak, memory_limit;
	int64_t oom_kills;
	int64_t pids_peak, pids_limit;
	int64_t io_read_bytes, io_write_bytes;
};

/* The annotation that asks for --init from a config.json (for engines,
 * which cannot pass husk's own flags). */
#define RT_ANNOTATION_INIT "run.oci.husk.init"

/* The default state root for this user: /run/husk for root, else
 * $XDG_RUNTIME_DIR/husk, /run/user/UID/husk or /tmp/husk-UID. */
const char *rt_default_root(void);

/* `husk run`: create, start, and (unless detached) relay signals, wait,
 * and delete.  *status gets the payload's exit status (128+N for signal
 * N), or 0 when detached. */
int rt_run(const struct rt_opts *o, int *status, struct herr *e);
/* `husk create`: the init set up and waiting for start.  husk has no
 * systemd cgroup driver: with --systemd-cgroup, a systemd cgroupsPath
 * ("slice:prefix:name") is refused; a plain path is made with cgroupfs. */
int rt_create(const struct rt_opts *o, struct herr *e);
/* `husk start`. */
int rt_start(const char *root, const char *id, struct herr *e);
/* `husk state`: *json gets the runtime-spec state document (malloc'd). */
int rt_state(const char *root, const char *id, char **json, struct herr *e);
/* `husk kill`: signal the init, or every process of the container. */
int rt_kill(const char *root, const char *id, int sig, bool all,
	    struct herr *e);
/* `husk delete`: a stopped container, or with force any. */
int rt_delete(const char *root, const char *id, bool force, struct herr *e);

/* `husk pause` / `husk resume`: freeze or thaw every process of the
 * container (its cgroup's freezer), waiting until the kernel is done.
 * pause takes a running or created container, resume a paused one;
 * otherwise "container not running" / "container not paused". */
int rt_pause(const char *root, const char *id, struct herr *e);
int rt_resume(const char *root, const char *id, struct herr *e);
/* `husk ps`: the host pids of every process in the container's cgroup
 * (malloc'd). */
int rt_ps(const char *root, const char *id, pid_t **pids, size_t *n,
	  struct herr *e);
/* `husk update`: merge LinuxResources documents, in order, into the
 * container's resources, write them to its cgroup and record them in the
 * saved config.  Bad input changes nothing. */
struct rt_update_doc {
	const char *json;
	const char *name; /* in messages: "--resources FILE", "--memory" */
};
int rt_update(const char *root, const char *id,
	      const struct rt_update_doc *docs, size_t n, struct herr *e);
/* `husk events`: *json gets one runc-style stats event (malloc'd) and
 * *oom_kills the cgroup's OOM kill count so far (-1 unknown).  A stopped
 * container fails with ESRCH ("container not running"). */
int rt_stats(const char *root, const char *id, char **json, int64_t *oom_kills,
	     struct herr *e);
/* `husk features`: the runtime-spec features document (malloc'd). */
char *rt_features(void);

/* `husk list`: one item per container in the state root.  Reads without
 * taking the containers' locks: state.json is replaced atomically, so a
 * reader sees the old or the new record, never half of one.  With
 * want_json, each item also carries its runtime-spec state document (the
 * table needs only the fields, and building 1000 documents is most of the
 * work). */
struct rt_list_item {
	char *id, *bundle, *created;
	const char *status;
	long long pid; /* 0 once stopped */
	unsigned owner;
	char *json; /* NULL unless want_json */
};
int rt_list(const char *root, bool want_json, struct rt_list_item **items,
	    size_t *n, struct herr *e);
void rt_list_free(struct rt_list_item *items, size_t n);

/* `husk exec`: what to run in an existing container. */
struct rt_exec_opts {
	const char *root, *id;
	const char *process_file; /* --process: an OCI process JSON */
	char **args;              /* the command, when no --process */
	size_t nargs;
	bool tty, tty_set;        /* --tty given; else process.terminal */
	bool detach;
	const char *pid_file, *console_socket, *cwd;
	char **env;               /* --env K=V, repeated */
	size_t nenv;
	const char *user;         /* --user UID[:GID] */
	char **caps;              /* --cap CAP, repeated */
	size_t ncaps;
	int preserve_fds;
};
/* *status gets the process's exit status, 255 when it could not be
 * executed (as runc), 0 when detached. */
int rt_exec(const struct rt_exec_opts *o, int *status, struct herr *e);

/* For the commands that put a process into a container, first thing: make
 * husk non-dumpable so that no container can open its /proc/PID files or
 * ptrace it (CVE-2016-9962), and note whether husk already runs from a
 * sealed copy or a read-only mount.  argv is main's, kept for the re-exec
 * that rt_guard_self may do once the config is read (CVE-2019-5736). */
int rt_protect_self(char **argv, struct herr *e);

/* `husk spec`: write a default config.json into bundle. */
int rt_spec(const char *bundle, bool rootless, struct herr *e);

/* `husk sandbox`: a host command in a container without a bundle.  The
 * options become a config.json (rt_sandbox_spec), which `husk run` code
 * runs unchanged (rt_opts.config_json). */
enum rt_sandbox_net { RT_NET_NONE, RT_NET_HOST };
enum rt_sandbox_seccomp {
	RT_SECCOMP_DEFAULT,    /* the profile `husk spec` writes, if any */
	RT_SECCOMP_UNCONFINED, /* no filter */
	RT_SECCOMP_FILE,       /* an OCI linux.seccomp object from a file */
};
struct rt_sandbox {
	char **args;            /* the command, NULL-terminated */
	const char *rootfs;     /* --rootfs; NULL = the host's / */
	const char *cwd;        /* NULL = the current directory */
	bool ro;                /* --ro: the current directory read-only */
	enum rt_sandbox_net net;
	int64_t memory;         /* bytes, -1 = no limit */
	int64_t cpu_quota, cpu_period; /* usec, -1 = no limit */
	int64_t pids;           /* -1 = no limit */
	char **env;             /* --env K=V or K (from the caller), repeated */
	size_t nenv;
	bool env_inherit;       /* --env-inherit: the caller's environment */
	char **binds;           /* --bind SRC[:DST[:ro]], repeated */
	size_t nbinds;
	const char *hostname;   /* NULL = "sandbox" */
	char **cap_add, **cap_drop; /* "NET_ADMIN", "CAP_NET_ADMIN", "ALL" */
	size_t ncap_add, ncap_drop;
	enum rt_sandbox_seccomp seccomp;
	const char *seccomp_file;
	const char *cgroup_path; /* --cgroup-path; NULL = relative */
	bool init;               /* recorded as RT_ANNOTATION_INIT */
	bool rootless;           /* a user namespace maps the caller to root */
};
/* The config.json for s (malloc'd, pretty-printed).  Every option is
 * checked here, so a bad one is refused before anything is created. */
char *rt_sandbox_spec(const struct rt_sandbox *s, struct herr *e);

#endif
