/*
 * process: the container init's last steps before exec — resource limits,
 * oom_score_adj, user and groups, no_new_privs, fd hygiene, finding the
 * executable and exec itself (see process.h).  Capabilities are in caps.c,
 * seccomp in seccomp.c.
 */
#include "process.h"
#include "../ns/syscalls.h"
#include "sync.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>

static const char *const rlimit_names[] = {
    [RLIMIT_CPU] = "RLIMIT_CPU",
    [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
    [RLIMIT_DATA] = "RLIMIT_DATA",
    [RLIMIT_STACK] = "RLIMIT_STACK",
    [RLIMIT_CORE] = "RLIMIT_CORE",
    [RLIMIT_RSS] = "RLIMIT_RSS",
    [RLIMIT_NPROC] = "RLIMIT_NPROC",
    [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
    [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
    [RLIMIT_AS] = "RLIMIT_AS",
    [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
    [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
    [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
    [RLIMIT_NICE] = "RLIMIT_NICE",
    [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
    [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

static const char *rlimit_name(int r, char *buf, size_t n)
{
	if (r >= 0 && (size_t)r < ARRAY_SIZE(rlimit_names) && rlimit_names[r])
		return rlimit_names[r];
	snprintf(buf, n, "rlimit %d", r);
	return buf;
}

static const char *rlim_str(uint64_t v, char *buf, size_t n)
{
	if (v == (uint64_t)RLIM_INFINITY)
		return "unlimited";
	snprintf(buf, n, "%llu", (unsigned long long)v);
	return buf;
}

int rt_child_set_rlimits(const struct rt_process *p, struct herr *e)
{
	for (size_t i = 0; i < p->nrlimits; i++) {
		const struct rt_rlimit *l = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = l->soft, .rlim_max = l->hard};
		char nb[32], sb[32], hb[32];
		const char *name = rlimit_name(l->resource, nb, sizeof(nb));
		const char *soft = rlim_str(l->soft, sb, sizeof(sb));
		const char *hard = rlim_str(l->hard, hb, sizeof(hb));
		struct rlimit cur;
		int err;

		base_debug("setrlimit %s %s:%s", name, soft, hard);
		if (setrlimit(l->resource, &rl) == 0)
			continue;
		err = errno;
		herr_sys(e, err, "setting %s to %s:%s", name, soft, hard);
		if (err == EPERM && getrlimit(l->resource, &cur) == 0 &&
		    l->hard > cur.rlim_max)
			herr_hint(e, "raising a hard limit needs "
				     "CAP_SYS_RESOURCE");
		else if (err == EINVAL && l->soft > l->hard)
			herr_hint(e, "the soft limit is above the hard limit");
		else if (err == EPERM && l->resource == RLIMIT_NOFILE)
			herr_hint(e, "it may exceed fs.nr_open");
		return -1;
	}
	return 0;
}

/* A write to a file under /proc is only as safe as the /proc it goes
 * through: a container image that gets a file mounted over /proc/self/...
 * would receive the write instead (the CVE-2019-16884 class).  So both the
 * procfs root and the opened file itself must be on a real procfs. */
static int check_procfs(int fd, const char *what, struct herr *e)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return herr_sys(e, errno, "fstatfs on '%s'", what);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return herr_set(e, EXDEV,
				"'%s' is not on a procfs (filesystem type "
				"0x%lx): refusing to write through it",
				what, (unsigned long)sfs.f_type);
	return 0;
}

int rt_child_set_oom_score_adj(const struct rt_process *p, int procfd,
			       struct herr *e)
{
	static const char file[] = "self/oom_score_adj";
	_cleanup_fd_ int own = -1, fd = -1;
	_cleanup_free_ char *now = NULL;
	char val[16];
	int err;

	if (!p->has_oom_score_adj)
		return 0;
	if (procfd < 0) {
		own =
		    openat(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (own < 0)
			return herr_sys(e, errno, "opening '/proc'");
		procfd = own;
	}
	if (check_procfs(procfd, "/proc", e) < 0)
		return -1;
	fd = openat(procfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return herr_sys(e, errno, "opening '/proc/%s'", file);
	if (check_procfs(fd, "/proc/self/oom_score_adj", e) < 0)
		return -1;
	snprintf(val, sizeof(val), "%d", p->oom_score_adj);
	base_debug("write %s to /proc/%s", val, file);
	if (base_write_all(fd, val, strlen(val)) == 0)
		return 0;
	err = errno;
	herr_sys(e, err, "writing %s to '/proc/%s'", val, file);
	now = base_read_file_at(procfd, file, NULL);
	if (now)
		now[strcspn(now, "\n")] = '\0';
	if (err == EACCES || err == EPERM)
		herr_hint(e,
			  "lowering oom_score_adj (now %s) needs "
			  "CAP_SYS_RESOURCE",
			  now ? now : "unknown");
	else if (err == EINVAL)
		herr_hint(e, "the range is -1000 to 1000");
	return -1;
}

static void gids_str(const struct rt_user *u, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->nadditional_gids && off < n; i++)
		off += snprintf(buf + off, n - off, "%s%u", i ? "," : "",
				(unsigned)u->additional_gids[i]);
}

/* Identity, in the only order that works: groups while we are still root
 * (setgroups needs CAP_SETGID), then gid, then uid last.  Changing the uid
 * away from 0 clears the permitted set unless PR_SET_KEEPCAPS is on, and
 * rt_child_set_caps() still needs those to set the configured sets. */
int rt_child_set_user(const struct rt_process *p, bool setgroups_allowed,
		      struct herr *e)
{
	const struct rt_user *u = &p->user;
	char gids[256];
	int r = -1;

	gids_str(u, gids, sizeof(gids));
	if (setgroups_allowed) {
		base_debug("setgroups [%s]", gids);
		if (sys_setgroups(u->nadditional_gids, u->additional_gids) < 0) {
			herr_sys(e, errno, "setgroups [%s]", gids);
			if (e->err == EINVAL)
				herr_hint(e, "a gid is not mapped in the "
					     "container's user namespace");
			return -1;
		}
	} else if (u->nadditional_gids > 0) {
		return herr_set(e, EPERM,
				"cannot set additionalGids [%s]: setgroups is "
				"'deny' in the container's user namespace (a "
				"gid map written without CAP_SETGID)",
				gids);
	} else {
		base_debug("setgroups skipped: 'deny' in the user namespace");
	}

	base_debug("prctl(PR_SET_KEEPCAPS, 1)");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return herr_sys(e, errno, "prctl(PR_SET_KEEPCAPS)");
	base_debug("setresgid %u", (unsigned)u->gid);
	if (sys_setresgid(u->gid, u->gid, u->gid) < 0) {
		herr_sys(e, errno, "setresgid %u", (unsigned)u->gid);
		if (e->err == EINVAL)
			herr_hint(e,
				  "gid %u is not mapped in the container's "
				  "user namespace",
				  (unsigned)u->gid);
		goto out;
	}
	base_debug("setresuid %u", (unsigned)u->uid);
	if (sys_setresuid(u->uid, u->uid, u->uid) < 0) {
		herr_sys(e, errno, "setresuid %u", (unsigned)u->uid);
		if (e->err == EINVAL)
			herr_hint(e,
				  "uid %u is not mapped in the container's "
				  "user namespace",
				  (unsigned)u->uid);
		goto out;
	}
	r = 0;
out:
	/* KEEPCAPS would otherwise survive into the payload's own setuid. */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 && r == 0)
		return herr_sys(e, errno, "prctl(PR_SET_KEEPCAPS, 0)");
	if (r == 0 && u->has_umask) {
		base_debug("umask %04o", (unsigned)u->umask);
		umask(u->umask);
	}
	return r;
}

int rt_child_set_no_new_privs(const struct rt_process *p, struct herr *e)
{
	if (!p->no_new_privileges)
		return 0;
	base_debug("prctl(PR_SET_NO_NEW_PRIVS, 1)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return herr_sys(e, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

/* Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: walk /proc/self/fd. */
static int cloexec_from_proc(int first, struct herr *e)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return herr_sys(e, errno, "opening '/proc/self/fd'");
	while ((de = readdir(d))) {
		int fd, fl;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd < first || fd == dirfd(d))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC) &&
		    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) {
			int err = errno;

			closedir(d);
			return herr_sys(e, err, "marking fd %d close-on-exec",
					fd);
		}
	}
	closedir(d);
	return 0;
}

/* Close-on-exec rather than close: the sync socket to the parent is
 * already CLOEXEC and must stay open until exec, so that a failing execve
 * can still be reported through it. */
int rt_child_close_fds(int preserve_fds, struct herr *e)
{
	unsigned int first;

	if (preserve_fds < 0 || preserve_fds > INT_MAX - 3)
		return herr_set(e, EINVAL, "bad preserve-fds %d", preserve_fds);
	first = 3 + preserve_fds;
	base_debug("close_range(%u, ~0, CLOSE_RANGE_CLOEXEC)", first);
	if (close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return herr_sys(e, errno, "close_range(%u)", first);
	return cloexec_from_proc(first, e);
}

static const char *env_get(char **env, const char *key)
{
	size_t n = strlen(key);

	for (; env && *env; env++)
		if (strncmp(*env, key, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* 0 if path is something execve could run, else -1 with errno; a
 * directory is EACCES as execve(2) would say.  AT_EACCESS: the check is
 * for the ids the payload will run as, set by now. */
static int check_exec(const char *path, bool *isdir)
{
	struct stat st;

	*isdir = false;
	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		*isdir = true;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS);
}

static int put_path(char *out, size_t outlen, const char *path, struct herr *e)
{
	if (strlen(path) >= outlen)
		return herr_set(e, ENAMETOOLONG, "exec '%s': path too long",
				path);
	strcpy(out, path);
	return 0;
}

int rt_child_find_exec(const struct rt_process *p, char *out, size_t outlen,
		       struct herr *e)
{
	const char *name = p->args ? p->args[0] : NULL;
	const char *path, *dir, *end;
	char cand[PATH_MAX], denied[PATH_MAX] = "";
	bool isdir, denied_isdir = false;

	if (!name || !*name)
		return herr_set(e, ENOENT, "exec '': no program given");
	if (strchr(name, '/')) {
		if (check_exec(name, &isdir) < 0) {
			herr_sys(e, errno, "exec '%s'", name);
			if (isdir)
				herr_hint(e, "is a directory");
			return -1;
		}
		return put_path(out, outlen, name, e);
	}
	/* The container's PATH, not husk's: the payload is looked up the way
	 * a shell inside the container would look it up. */
	path = env_get(p->env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		       "/sbin:/bin";
	for (dir = path;; dir = end + 1) {
		size_t n;

		end = strchrnul(dir, ':');
		n = end - dir;
		/* An empty PATH entry means the current directory. */
		if (snprintf(cand, sizeof(cand), "%.*s/%s", n ? (int)n : 1,
			     n ? dir : ".", name) < (int)sizeof(cand)) {
			if (check_exec(cand, &isdir) == 0) {
				base_debug("exec: '%s' found as '%s'", name,
					   cand);
				return put_path(out, outlen, cand, e);
			}
			/* Like execvp: a match we may not run is reported
			 * only if nothing later in PATH is runnable. */
			if (errno == EACCES && !denied[0]) {
				strcpy(denied, cand);
				denied_isdir = isdir;
			}
		}
		if (!*end)
			break;
	}
	if (denied[0]) {
		herr_sys(e, EACCES, "exec '%s'", denied);
		if (denied_isdir)
			herr_hint(e, "is a directory");
		return -1;
	}
	/* This wording is what podman and docker map to exit status 127. */
	return herr_set(e, ENOENT,
			"exec '%s': executable file not found in $PATH", name);
}

int rt_child_exec(const struct rt_process *p, const char *path, struct herr *e)
{
	static char *const no_env[] = {NULL};
	int err;

	base_debug("execve '%s' (%zu args, %zu env)", path, p->nargs, p->nenv);
	execve(path, p->args, p->env ? p->env : no_env);
	err = errno;
	herr_sys(e, err, "exec '%s'", path);
	if (err == ENOEXEC)
		herr_hint(e, SYNC_HINT_ENOEXEC);
	else if (err == ENOENT && access(path, F_OK) == 0)
		herr_hint(e, SYNC_HINT_NO_INTERPRETER);
	return -1;
}
