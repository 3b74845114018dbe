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
	bool detach;  /* run --detach */
	bool keep;    /* run --keep: no delete after the container exits */
	bool report;  /* reserved for --report */
};

/* The default state root for this user: /run/husk for root, else
 * $XDG_RUNTIME_DIR/husk. */
const char *rt_default_root(void);

/* `husk run`: create, start, and (unless detached) relay signals, wait,
 * and delete.  *status gets the payload's exit status (128+N for signal
 * N), or 0 when detached. */
int rt_run(const struct rt_opts *o, int *status, struct herr *e);
/* `husk create`: the init set up and waiting for start. */
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

/* `husk list`: *json gets an array of state documents (malloc'd).  Reads
 * without taking the containers' locks: state.json is replaced atomically,
 * so a reader sees the old or the new record, never half of one. */
int rt_list(const char *root, char **json, struct herr *e);

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

/* For the commands that put a process into a container, first thing:
 * re-execute husk from a sealed memfd copy unless its binary is on a
 * read-only mount (CVE-2019-5736), then make husk non-dumpable so that no
 * container can open its /proc/PID files or ptrace it (CVE-2016-9962).
 * argv is main's, for the re-exec; returns only when no re-exec was due. */
int rt_protect_self(char **argv, struct herr *e);

/* `husk spec`: write a default config.json into bundle. */
int rt_spec(const char *bundle, bool rootless, struct herr *e);

#endif
