/*
 * inside: reading and writing a container's cgroup files (every write
 * narrated), joining the cgroup, and what is in it once it runs: its
 * processes, signals to all of them, the freezer, counters, and finally removal
 * (kill what is left, then rmdir exactly the directories husk made).
 */
#include "cgroup-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- file access, narrated -------------------------------------------- */

static int write_failed(const char *p, const char *file, const char *val,
			struct herr *e)
{
	char ctl[32];

	herr_sys(e, errno, "writing '%s' to '%s'", val, p);
	cgi_key_controller(file, ctl, sizeof(ctl));
	if (e->err == ENOENT)
		herr_hint(e,
			  "the '%s' controller is not enabled for this "
			  "cgroup, or the kernel lacks this file",
			  ctl);
	else if (e->err == EINVAL || e->err == ERANGE)
		herr_hint(e, "the kernel refused the value");
	return -1;
}

int cgi_write(const struct cgi_dir *d, const char *file, const char *val,
	      struct herr *e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", d->path, file);

	base_debug("write %s > %s", val, p);
	if (base_write_file_at(AT_FDCWD, p, val) == 0)
		return 0;
	return write_failed(p, file, val, e);
}

int cgi_write_to(const struct cgi_dir *d, int *fd, const char *file,
		 const char *val, struct herr *e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", d->path, file);
	size_t n = strlen(val);

	base_debug("write %s > %s", val, p);
	if (*fd < 0)
		*fd = openat(AT_FDCWD, p, O_WRONLY | O_CLOEXEC);
	if (*fd >= 0) {
		ssize_t w = write(*fd, val, n);

		if (w == (ssize_t)n)
			return 0;
		if (w >= 0)
			errno = EIO; /* a short write */
	}
	return write_failed(p, file, val, e);
}

char *cgi_read(const struct cgi_dir *d, const char *file)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", d->path, file);

	return base_read_file_at(AT_FDCWD, p, NULL);
}

bool cgi_exists(const struct cgi_dir *d, const char *file)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", d->path, file);

	return access(p, F_OK) == 0;
}

int64_t cgi_parse_num(const char *s)
{
	int64_t v;
	char buf[32];
	size_t n = strcspn(s, " \t\n");

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcmp(buf, "max") == 0)
		return INT64_MAX;
	return base_parse_i64(buf, &v) == 0 ? v : -1;
}

int64_t cgi_read_num(const struct cgi_dir *d, const char *file)
{
	_cleanup_free_ char *s = cgi_read(d, file);

	return s ? cgi_parse_num(s) : -1;
}

int64_t cgi_key_num(const char *s, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = s; l && *l;
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return cgi_parse_num(l + n + 1);
	return -1;
}

int64_t cgi_read_key(const struct cgi_dir *d, const char *file, const char *key)
{
	_cleanup_free_ char *s = cgi_read(d, file);

	return cgi_key_num(s, key);
}

/* ---- joining ---------------------------------------------------------- */

int cg_clone_fd(const struct cg *cg)
{
	for (size_t i = 0; i < cg->ndirs; i++)
		if (cg->dirs[i].v2 && (cg->mode == CG_MODE_V2 ||
				       (cg->dirs[i].ctls & ~CGI_V2_CORE)))
			return openat(AT_FDCWD, cg->dirs[i].path,
				      O_PATH | O_DIRECTORY | O_CLOEXEC);
	return -1;
}

/* The child's own v2 cgroup, as the v2 directory's rel would spell it. */
static bool self_in_v2(const struct cgi_dir *d)
{
	_cleanup_free_ char *pc =
	    base_read_file_at(AT_FDCWD, "/proc/self/cgroup", NULL);
	char *l = pc ? strstr(pc, "0::") : NULL;

	if (!l || (l != pc && l[-1] != '\n'))
		return false;
	l += 3;
	l[strcspn(l, "\n")] = '\0';
	return strcmp(l, d->rel) == 0;
}

int cg_enter_self(const struct cg *cg, struct herr *e)
{
	/* "0" means "the writer" to the kernel, which is right even when
	 * the child already sees itself as pid 1 of a new pid namespace. */
	for (size_t i = 0; i < cg->ndirs; i++) {
		const struct cgi_dir *d = &cg->dirs[i];

		if (d->v2 && self_in_v2(d))
			continue;
		if (cgi_write(d, d->v2 ? "cgroup.procs" : "tasks", "0", e) < 0)
			return herr_wrap(e, "joining the container's cgroup");
	}
	return 0;
}

/* ---- what is inside -------------------------------------------------- */

static void collect(const char *dir, pid_t **pids, size_t *n, size_t *cap)
{
	_cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
	_cleanup_free_ char *procs = base_read_file_at(AT_FDCWD, p, NULL);
	DIR *dh;
	struct dirent *de;

	for (char *l = procs; l && *l;
	     l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		int64_t v = cgi_parse_num(l);
		size_t i;

		for (i = 0; i < *n && (*pids)[i] != (pid_t)v; i++)
			;
		if (v <= 0 || i < *n)
			continue;
		if (*n == *cap)
			*pids = xrealloc(*pids, (*cap = *cap * 2 + 16) *
						    sizeof(pid_t));
		(*pids)[(*n)++] = (pid_t)v;
	}
	/* The container may have made cgroups of its own below ours. */
	dh = opendir(dir);
	while (dh && (de = readdir(dh)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") &&
		    strcmp(de->d_name, "..")) {
			_cleanup_free_ char *sub =
			    xasprintf("%s/%s", dir, de->d_name);

			collect(sub, pids, n, cap);
		}
	if (dh)
		closedir(dh);
}

int cg_pids(const struct cg *cg, pid_t **pids, size_t *n, struct herr *e)
{
	size_t cap = 0;
	const char *any = NULL;

	*pids = NULL;
	*n = 0;
	for (size_t i = 0; i < cg->ndirs; i++)
		if (!cg->dirs[i].gone) {
			collect(cg->dirs[i].path, pids, n, &cap);
			any = any ? any : cg->dirs[i].path;
		}
	if (*n == 0 && any && access(any, F_OK) < 0)
		return herr_sys(e, errno, "reading cgroup '%s'", any);
	return 0;
}

int cg_signal_all(const struct cg *cg, int sig, struct herr *e)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n;

	if (cg_pids(cg, &pids, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		base_debug("kill %d %s", (int)pids[i], base_signal_name(sig));
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return herr_sys(e, errno, "sending %s to pid %d",
					base_signal_name(sig), (int)pids[i]);
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The v1 freezer directory if there is one, else the v2 directory. */
static const struct cgi_dir *freezer_dir(const struct cg *cg)
{
	for (size_t i = 0; i < cg->ndirs; i++)
		if (!cg->dirs[i].v2 && !cg->dirs[i].gone &&
		    (cg->dirs[i].ctls & CGI_BIT(CGI_FREEZER)))
			return &cg->dirs[i];
	for (size_t i = 0; i < cg->ndirs; i++)
		if (cg->dirs[i].v2 && !cg->dirs[i].gone)
			return &cg->dirs[i];
	return NULL;
}

int cg_is_frozen(const struct cg *cg)
{
	const struct cgi_dir *d = freezer_dir(cg);
	_cleanup_free_ char *st = NULL;

	if (!d)
		return -1;
	if (d->v2) {
		int64_t v = cgi_read_key(d, "cgroup.events", "frozen");

		return v < 0 ? -1 : v > 0;
	}
	st = cgi_read(d, "freezer.state");
	return st ? strncmp(st, "FROZEN", 6) == 0 : -1;
}

int cg_freeze(const struct cg *cg, bool frozen, struct herr *e)
{
	const struct cgi_dir *d = freezer_dir(cg);
	const char *file, *val;

	if (!d)
		return herr_set(e, ENOTSUP,
				"cannot freeze: no v1 freezer "
				"hierarchy and no cgroup v2");
	file = d->v2 ? "cgroup.freeze" : "freezer.state";
	val = d->v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
	/* Both freezers work in the background: poll until the state is
	 * reached (v1 sits in FREEZING meanwhile; rewriting nudges it). */
	for (int i = 0; i < 500; i++) {
		if ((i == 0 || !d->v2) && cgi_write(d, file, val, e) < 0)
			return -1;
		if (cg_is_frozen(cg) == frozen)
			return 0;
		sleep_ms(i < 10 ? 1 : 10);
	}
	return herr_set(e, ETIMEDOUT, "%s '%s' did not finish within 5 s",
			frozen ? "freezing" : "thawing", d->path);
}

int cg_stats(const struct cg *cg, struct cg_stats *s, struct herr *e)
{
	memset(s, 0xff, sizeof(*s)); /* every int64_t becomes -1 */
	if (access(cg->dirs[0].path, F_OK) < 0)
		return herr_sys(e, errno, "reading cgroup '%s'",
				cg->dirs[0].path);
	for (size_t i = 0; i < cg->ndirs; i++) {
		if (cg->dirs[i].v2)
			cgi_v2_stats(&cg->dirs[i], s);
		else
			cgi_v1_stats(&cg->dirs[i], s);
	}
	return 0;
}

bool cg_oom_killed(const struct cg *cg)
{
	/* Only the memory directory: cg_stats() reads a dozen files. */
	for (size_t i = 0; i < cg->ndirs; i++) {
		const struct cgi_dir *d = &cg->dirs[i];

		if ((d->v2 ? cgi_v2_oom_kills(d) : cgi_v1_oom_kills(d)) > 0)
			return true;
	}
	return false;
}

/* ---- removal ---------------------------------------------------------- */

/* SIGKILL everything and wait (at most 2 s) until the cgroup is empty. */
static void kill_all(const struct cg *cg)
{
	const struct cgi_dir *v2 = NULL;
	struct herr e;
	bool frozen = false;
	_cleanup_free_ pid_t *left = NULL;
	size_t nleft = 0;

	/* The usual case: the payload is gone and took its children along.
	 * An empty cgroup has nothing to freeze, and freezing is not free:
	 * on v1 every freeze and thaw toggles a kernel static key, which
	 * patches the kernel's text on every CPU. */
	if (cg_pids(cg, &left, &nleft, &e) == 0 && nleft == 0)
		return;
	for (size_t i = 0; i < cg->ndirs; i++)
		if (cg->dirs[i].v2 && !cg->dirs[i].gone &&
		    cgi_exists(&cg->dirs[i], "cgroup.kill"))
			v2 = &cg->dirs[i];
	/* cgroup.kill (5.14) kills the whole subtree atomically; without it,
	 * freeze first so nothing can fork between reading and killing. */
	if (!v2 || cgi_write(v2, "cgroup.kill", "1", &e) < 0) {
		v2 = NULL;
		frozen = freezer_dir(cg) && cg_freeze(cg, true, &e) == 0;
	}
	for (int i = 0; i < 200; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;

		if (cg_pids(cg, &pids, &n, &e) < 0 || n == 0)
			break;
		if (!v2 && (i == 0 || i % 10 == 9))
			(void)cg_signal_all(cg, SIGKILL, &e);
		/* A frozen process dies only once thawed. */
		if (frozen) {
			(void)cg_freeze(cg, false, &e);
			frozen = false;
		}
		sleep_ms(10);
	}
	if (frozen)
		(void)cg_freeze(cg, false, &e);
}

static int rmdir_retry(const char *p)
{
	base_debug("rmdir %s", p);
	/* A cgroup whose last process just died may stay busy briefly. */
	for (int i = 0; i < 100; i++) {
		if (rmdir(p) == 0)
			return 0;
		if (errno != EBUSY)
			return -1;
		sleep_ms(10);
	}
	return -1;
}

/* Remove cgroups the container made below its own, deepest first. */
static void remove_subdirs(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;

	while (dh && (de = readdir(dh)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") &&
		    strcmp(de->d_name, "..")) {
			_cleanup_free_ char *sub =
			    xasprintf("%s/%s", dir, de->d_name);

			remove_subdirs(sub);
			(void)rmdir_retry(sub);
		}
	if (dh)
		closedir(dh);
}

/* The usual end: the payload is gone and took its children along, and
 * made no cgroups below ours.  Then the rmdir of each of our directories
 * succeeds, and there is nothing to look for or kill.  False as soon as
 * one fails (a task or a cgroup is left in it: EBUSY; or it is busy for a
 * moment after its last task died), or if a directory is not ours to
 * remove (an existing cgroupsPath, whose tasks kill_all() still kills). */
static bool remove_leaves(struct cg *cg)
{
	for (size_t i = 0; i < cg->ndirs; i++)
		if (cg->dirs[i].created <= 0)
			return false;
	for (size_t i = 0; i < cg->ndirs; i++) {
		struct cgi_dir *d = &cg->dirs[i];

		base_debug("rmdir %s", d->path);
		if (rmdir(d->path) < 0)
			return false;
		d->gone = true;
	}
	return true;
}

int cgi_remove_dirs(struct cg *cg, struct herr *e)
{
	int rc = 0;

	for (size_t i = 0; i < cg->ndirs; i++) {
		struct cgi_dir *d = &cg->dirs[i];
		_cleanup_free_ char *p = xstrdup(d->path);
		int k = 0;

		/* Most containers made no cgroups of their own: try the
		 * rmdir before reading the directory for subgroups. */
		if (d->created > 0 && !d->gone) {
			base_debug("rmdir %s", p);
			if (rmdir(p) == 0)
				d->gone = true;
			else
				remove_subdirs(p);
		}
		if (d->gone) {
			k = 1;
			*strrchr(p, '/') = '\0';
		}
		for (; k < d->created; k++) {
			if (rmdir_retry(p) < 0 && errno != ENOENT) {
				/* A parent still holding another container's
				 * cgroup is shared now: leave it. */
				if (k > 0 &&
				    (errno == ENOTEMPTY || errno == EBUSY))
					break;
				if (rc == 0 && e)
					herr_sys(e, errno,
						 "removing cgroup '%s'", p);
				rc = -1;
				break;
			}
			*strrchr(p, '/') = '\0';
		}
	}
	return rc;
}

int cg_destroy(struct cg *cg, struct herr *e)
{
	int rc;

	if (!cg)
		return 0;
	if (!remove_leaves(cg))
		kill_all(cg);
	rc = cgi_remove_dirs(cg, e);
	cg_free(cg);
	return rc;
}
