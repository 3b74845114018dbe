/*
 * process: the last steps of the container's init before it becomes the
 * payload — rlimits, oom_score_adj, user and groups, capabilities,
 * no_new_privs, seccomp, fd hygiene and exec — and the seccomp compiler.
 *
 * Kernel interfaces: setrlimit(2), /proc/self/oom_score_adj (through a
 * verified procfs fd), setgroups/setresgid/setresuid(2), capset(2) and
 * prctl(PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_KEEPCAPS,
 * PR_SET_NO_NEW_PRIVS) through libcap, seccomp(2) through libseccomp,
 * close_range(2), execve(2).
 *
 * Invariants:
 * - Capability sets are applied exactly as given: nothing inheritable or
 *   ambient that the config did not list.
 * - The seccomp filter is compiled in the parent (rt_seccomp_compile) and
 *   only loaded in the child (rt_child_load_seccomp), last before exec.
 * - Functions named rt_child_* run in the container's init.
 */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include "config.h"

/* Child, in this order (see runtime/container.c): */
int rt_child_set_rlimits(const struct rt_process *p, struct herr *e);
/* procfd: an fd on a procfs husk mounted and verified, or -1 to open
 * /proc itself (after verifying it with fstatfs PROC_SUPER_MAGIC). */
int rt_child_set_oom_score_adj(const struct rt_process *p, int procfd,
			       struct herr *e);
/* setgroups (unless setgroups is denied and no additionalGids), setresgid,
 * setresuid — keeping the capabilities across the uid change — and umask. */
int rt_child_set_user(const struct rt_process *p, bool setgroups_allowed,
		      struct herr *e);
/* Bounding set first, then effective/permitted/inheritable, then ambient.
 * With !p->caps.present, every capability is dropped (runc does the same
 * for a process without a capabilities object).  Capabilities newer than
 * the running kernel are skipped with a warning. */
int rt_child_set_caps(const struct rt_process *p, struct herr *e);
int rt_child_set_no_new_privs(const struct rt_process *p, struct herr *e);
/* Mark every fd >= 3 close-on-exec except [3, 3 + preserve_fds). */
int rt_child_close_fds(int preserve_fds, struct herr *e);

/* --init (runtime/init.c): fork.  Returns 0 in the child, which goes on
 * to exec the payload; the parent stays PID 1, forwards every signal to
 * the payload, reaps every child and exits with the payload's status, and
 * never returns.  Signals stay blocked in it; the child gets the mask back.
 * terminal: put the payload's process group in the foreground. */
int rt_child_fork_init(bool terminal, struct herr *e);

/* The path that exec will run: args[0] if it has a '/', else the first
 * match in the PATH of p->env (default
 * /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin), resolved
 * in the current root.  Checked for existence and execute permission, so a
 * missing binary fails `create` (as in runc) rather than `start`.
 * e->err is ENOENT (exit 127) or EACCES (exit 126). */
int rt_child_find_exec(const struct rt_process *p, char *out, size_t outlen,
		       struct herr *e);
/* execve(path, args, env); returns only on failure, e filled
 * ("exec '/bin/nope': No such file or directory"). */
int rt_child_exec(const struct rt_process *p, const char *path,
		  struct herr *e);

/* A compiled seccomp filter: a BPF program ready for seccomp(2). */
struct rt_bpf {
	void *insns;     /* struct sock_filter[] */
	size_t ninsns;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* to load with */
	bool notify;        /* has SCMP_ACT_NOTIFY rules */
};
/* Parent: compile s for the native architecture (and those listed).
 * Names libseccomp does not know are skipped (narrated).  cache_dir, if
 * not NULL, holds compiled filters keyed by a hash of the profile: a hit
 * skips libseccomp entirely.  The cache dir must be owned by the caller's
 * euid and not writable by group or others, or it is not used. */
int rt_seccomp_compile(const struct rt_seccomp *s, const char *cache_dir,
		       struct rt_bpf *out, struct herr *e);
void rt_bpf_free(struct rt_bpf *b);
/* Does this kernel take the filter flag "SECCOMP_FILTER_FLAG_..."? */
bool rt_seccomp_flag_supported(const char *name);
/* Child: seccomp(SECCOMP_SET_MODE_FILTER) with the compiled program.
 * Returns the notify fd (>= 0) when b->notify, 0 otherwise, -1 on error. */
int rt_child_load_seccomp(const struct rt_bpf *b, struct herr *e);

/* SHA-256 (FIPS 180-4), the seccomp cache key; public for its unit test. */
struct rt_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};
void rt_sha256_init(struct rt_sha256 *c);
void rt_sha256_update(struct rt_sha256 *c, const void *data, size_t n);
void rt_sha256_final(struct rt_sha256 *c, uint8_t out[32]);
/* Use the CPU's SHA instructions if it has them (the default) or not (for
 * the unit test, which checks both).  Returns whether it has them. */
bool rt_sha256_accelerate(bool on);

/*
 * husk's binary out of the payload's reach (self.c, CVE-2019-5736).  The
 * payload is exec'd either directly by a husk that runs from a sealed copy
 * of itself (or from a read-only mount), or through a tiny shim exec'd from
 * a sealed memfd (shim.c).  rt_guard_needs_copy says when the shim is not
 * enough; rt_guard_self, called after the config is read and before
 * anything is created, then re-executes a sealed copy of husk (and does
 * not return), else gives the shim's fd (-1: exec directly).
 */
bool rt_guard_needs_copy(const struct rt_process *p, bool new_userns,
			 const struct rt_seccomp *sc, bool init);
int rt_guard_self(bool needs_copy, int *shimfd, struct herr *e);
/* Child: exec path through the shim, which loads bpf (NULL: none) and
 * reports a failed execve on syncfd.  Returns only on failure. */
int rt_child_exec_shim(int shimfd, int syncfd, const struct rt_bpf *bpf,
		       const struct rt_process *p, const char *path,
		       struct herr *e);

#endif
