/*
 * setup: the small steps of the creation story that are neither namespace
 * nor cgroup nor process credentials: the exec fifo, the session keyring,
 * sysctls, the time namespace, the terminal, the working directory.
 * Functions named setup_* that run in the child say so.
 */
#ifndef HUSK_SETUP_H
#define HUSK_SETUP_H

#include "config.h"

#include <signal.h>

/* Parent: make STATE/exec.fifo and open both ends (O_NONBLOCK, CLOEXEC).
 * The init holds both: its read blocks until `husk start` writes a byte. */
int setup_exec_fifo(int statefd, int *rd, int *wr, struct herr *e);
/* `husk start`: write the byte the init waits for, remove the fifo. */
int setup_start(int statefd, struct herr *e);
/* Child: a signalfd for every signal (all are blocked until exec), made
 * before seccomp so the wait for start needs only poll and read. */
int setup_start_signals(struct herr *e);
/* Child: block until `husk start` (read one byte from the fifo).  A signal
 * whose default action ends a process ends the wait: returns its number,
 * and the init should exit as runc's does.  0 when started. */
int setup_wait_start(int fifo_rd, int sigfd, struct herr *e);

/* Child [2]: wait for the parent's GO; returns the code it carries. */
int setup_wait_go(int sync, struct herr *e);
/* Child in a new user namespace: become uid/gid 0 of it when 0 is mapped. */
int setup_become_root(const struct ns_idmap *u, size_t nu,
		      const struct ns_idmap *g, size_t ng, struct herr *e);
int setup_unshare(int flag, struct herr *e);
/* Child: unshare(CLONE_NEWTIME) and write timeOffsets; the payload enters
 * the new time namespace at execve. */
int setup_time_ns(const struct rt_config *cfg, struct herr *e);
/* Child: a fresh session keyring, so containers do not share the host's. */
int setup_session_keyring(const char *id, struct herr *e);
/* Child, after pivot_root: linux.sysctl through a verified procfs. */
int setup_sysctls(const struct rt_config *cfg, struct herr *e);
/* Child: a pty from the container's devpts; the master goes to the parent
 * over sync as SYNC_PTY; the slave becomes stdio and controlling tty.  Its
 * size: process.consoleSize, else (foreground: husk proxies it) that of
 * husk's own terminal on stdin. */
int setup_terminal(int sync, const struct rt_process *p, bool foreground,
		   struct herr *e);
/* Child: setsid(2). */
int setup_new_session(struct herr *e);
/* Child: chdir(cwd) and check the result lies inside the container
 * (CVE-2024-21626: a leaked host fd as cwd). */
int setup_cwd(const char *cwd, struct herr *e);
int setup_personality(const struct rt_config *cfg, struct herr *e);
/* Child: default dispositions for the signals in `ignored` (bit n-1 for
 * signal n, from setup_ignored_signals()) and the caller's original mask. */
int setup_signals(const sigset_t *old_mask, uint64_t ignored, struct herr *e);

/* Parent helpers. */
/* The signals husk's caller left ignored (SigIgn of /proc/self/status),
 * which an exec would pass on to the payload; every signal if unknown. */
uint64_t setup_ignored_signals(void);
/* runc's rule for terminals: a detached process (create, run --detach,
 * exec --detach) with a terminal needs --console-socket, and the socket is
 * refused without a terminal or when husk stays to proxy the pty itself. */
int setup_check_console(bool terminal, bool detach, const char *socket,
			const char *cmd, struct herr *e);
/* --systemd-cgroup: refuse a cgroupsPath husk cannot honour, one that
 * names a systemd unit ("slice:prefix:name") rather than a directory. */
int setup_check_systemd_cgroup(const char *cgroups_path, struct herr *e);
/* Append the standard /dev nodes and linux.devices to the device rules
 * when the config restricts devices (podman sends only a deny-all). */
void setup_default_devices(struct rt_config *cfg);
const char *setup_seccomp_cache_dir(void);
/* Whether setgroups(2) may be called in the user namespace of pid (0: our
 * own), from /proc/PID/setgroups: read it while /proc is the host's (a
 * container need not mount one). */
bool setup_setgroups_allowed(pid_t pid);
/* true when the writer of gid_map lacks CAP_SETGID in the parent user
 * namespace, so setgroups must be denied first (rootless). */
bool setup_must_deny_setgroups(void);
/* Kill and reap a half-made init (pid <= 0: nothing). */
void setup_undo_child(pid_t pid, int pidfd);
/* " (memory limit 64 MiB)" or "" for messages. */
const char *setup_describe_memory_limit(const struct rt_config *cfg);

#endif
