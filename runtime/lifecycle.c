/*
 * lifecycle: the commands that act on an existing container through its
 * state record: start, state, kill, delete, pause, resume, ps, update,
 * events — and spec, which writes a bundle's config.json.
 */
#include "runtime.h"

#include "config.h"
#include "hooks.h"
#include "setup.h"
#include "state.h"

#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

const char *rt_default_root(void)
{
	static char buf[512];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		return "/run/husk";
	if (xdg && *xdg) {
		snprintf(buf, sizeof(buf), "%s/husk", xdg);
		return buf;
	}
	/* No login session (su, a CI runner's build user): the user's
	 * /run/user directory if one exists, else a private one in /tmp
	 * (the state code refuses it unless it is ours and mode 0700). */
	snprintf(buf, sizeof(buf), "/run/user/%u", (unsigned)geteuid());
	if (access(buf, W_OK) == 0)
		strcat(buf, "/husk");
	else
		snprintf(buf, sizeof(buf), "/tmp/husk-%u",
			 (unsigned)geteuid());
	return buf;
}

/* An open, locked container: its state dir and record. */
struct handle {
	int dirfd;
	struct st_record r;
	enum st_status status;
};

static int handle_open(struct handle *h, const char *root, const char *id,
		       struct herr *e)
{
	h->dirfd = -1;
	if (st_open(root, id, &h->dirfd, e) < 0)
		return -1;
	if (st_read(h->dirfd, &h->r, e) < 0) {
		base_closep(&h->dirfd);
		return herr_wrap(e, "container '%s'", id);
	}
	h->status = st_status(h->dirfd, &h->r);
	return 0;
}

static void handle_close(struct handle *h)
{
	st_record_free(&h->r);
	base_closep(&h->dirfd);
}

/* A rootless container without a delegated cgroup has none (create warned
 * about it): the commands that need one say so and how to get one. */
static int no_cgroup(const struct handle *h, const char *what, struct herr *e)
{
	herr_set(e, ENOTSUP, "container '%s' has no cgroup of its own: %s",
		 h->r.id, what);
	if (geteuid() != 0)
		herr_hint(e,
			  "rootless: husk could not create a cgroup for it; "
			  "run husk in a cgroup delegated to uid %u, e.g. "
			  "from a systemd user session: systemd-run --user "
			  "--scope -p Delegate=yes husk ...",
			  (unsigned)geteuid());
	return -1;
}

/* The container's cgroup, reopened from the saved path; without one,
 * what (the reason the command needs it) goes into the error. */
static int open_cgroup(const struct handle *h, const char *what,
		       struct cg **cg, struct herr *e)
{
	*cg = NULL;
	if (!h->r.cgroup || !h->r.cgroup[0])
		return no_cgroup(h, what, e);
	return cg_open(cg, h->r.cgroup, e);
}

/* A pidfd for the recorded init, or -1 when it is gone (or the pid now
 * names another process: the start time differs). */
static int open_init(const struct st_record *r)
{
	int fd = (int)syscall(SYS_pidfd_open, r->pid, 0);

	if (fd < 0)
		return -1;
	if (st_proc_start_time(r->pid) != r->start_time) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Run the hooks of kind k from the config saved at create.  Failures of
 * poststart and poststop are warnings (runtime-spec). */
static void saved_hooks(struct handle *h, enum rt_hook_kind k,
			enum st_status s)
{
	_cleanup_free_ char *json = NULL, *state = NULL;
	struct rt_config cfg;
	struct herr e;
	size_t len;

	json = base_read_file_at(h->dirfd, "config.json", &len);
	if (!json || rt_config_parse(&cfg, json, len, "config.json",
				     h->r.bundle, &e) < 0)
		return;
	if (cfg.nhooks[k]) {
		state = st_to_oci_json(&h->r, s);
		if (rt_hooks_run(&cfg, k, state, &e) < 0)
			base_warn("%s", e.msg);
	}
	rt_config_free(&cfg);
}

int rt_start(const char *root, const char *id, struct herr *e)
{
	struct handle h;
	int rc;

	if (handle_open(&h, root, id, e) < 0)
		return -1;
	switch (h.status) {
	case ST_CREATED:
		rc = setup_start(h.dirfd, e);
		if (rc == 0)
			saved_hooks(&h, RT_HOOK_POSTSTART, ST_RUNNING);
		break;
	case ST_STOPPED:
		rc = herr_set(e, EINVAL,
			      "cannot start a container that has stopped");
		break;
	default:
		rc = herr_set(e, EINVAL, "cannot start an already %s container",
			      st_status_name(h.status));
	}
	handle_close(&h);
	return rc;
}

int rt_state(const char *root, const char *id, char **json, struct herr *e)
{
	struct handle h;

	if (handle_open(&h, root, id, e) < 0)
		return -1;
	*json = st_to_oci_json(&h.r, h.status);
	handle_close(&h);
	return 0;
}

int rt_kill(const char *root, const char *id, int sig, bool all,
	    struct herr *e)
{
	_cleanup_fd_ int pidfd = -1;
	struct handle h;
	struct cg *cg = NULL;
	int rc = 0;

	if (handle_open(&h, root, id, e) < 0)
		return -1;
	pidfd = h.status == ST_STOPPED ? -1 : open_init(&h.r);
	if (pidfd < 0 && !all) {
		handle_close(&h);
		return herr_set(e, ESRCH, "container not running");
	}
	if (all && h.r.cgroup[0]) {
		rc = open_cgroup(&h, "signalling all its processes needs one", &cg, e);
		if (rc == 0)
			rc = cg_signal_all(cg, sig, e);
	} else {
		base_debug("pidfd_send_signal(%d, %d)", (int)h.r.pid, sig);
		if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
			rc = herr_sys(e, errno, "kill %d", (int)h.r.pid);
	}
	/* A frozen process dies only once thawed (runc does the same); other
	 * signals stay pending until resume. */
	if (rc == 0 && sig == SIGKILL && h.status == ST_PAUSED &&
	    (cg || open_cgroup(&h, "thawing it needs one", &cg, e) == 0))
		rc = cg_freeze(cg, false, e);
	cg_free(cg);
	handle_close(&h);
	return rc;
}

/* Wait (up to 10 s) for a process that is not our child to exit. */
static int wait_gone(int pidfd, struct herr *e)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, 10000);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return herr_set(e, ETIMEDOUT, "the init did not exit after "
					      "SIGKILL");
	return 0;
}

int rt_delete(const char *root, const char *id, bool force, struct herr *e)
{
	_cleanup_fd_ int pidfd = -1;
	struct handle h;
	struct cg *cg = NULL;
	int rc = -1;

	if (handle_open(&h, root, id, e) < 0) {
		/* --force on a missing id is quiet success, as in runc. */
		return (force && e->err == ENOENT) ? 0 : -1;
	}
	if (h.status != ST_STOPPED && h.status != ST_CREATED && !force) {
		herr_set(e, EBUSY,
			 "cannot delete container '%s' that is not stopped: %s",
			 id, st_status_name(h.status));
		goto out;
	}
	pidfd = h.status == ST_STOPPED ? -1 : open_init(&h.r);
	if (h.r.cgroup[0] && cg_open(&cg, h.r.cgroup, e) < 0)
		cg = NULL; /* already gone: nothing to remove */
	if (pidfd >= 0) {
		base_debug("pidfd_send_signal(%d, SIGKILL)", (int)h.r.pid);
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		/* Killed, but a frozen process only dies once thawed. */
		if (h.status == ST_PAUSED && cg && cg_freeze(cg, false, e) < 0)
			goto out;
		if (wait_gone(pidfd, e) < 0)
			goto out;
	}
	if (cg_destroy(take_ptr(cg), e) < 0)
		goto out;
	saved_hooks(&h, RT_HOOK_POSTSTOP, ST_STOPPED);
	rc = st_remove(root, id, h.dirfd, e);
out:
	cg_free(cg);
	handle_close(&h);
	return rc;
}

static int freeze(const char *root, const char *id, bool frozen, struct herr *e)
{
	struct handle h;
	struct cg *cg = NULL;
	int rc = -1;

	if (handle_open(&h, root, id, e) < 0)
		return -1;
	/* runc's rules: a created container can be paused too. */
	if (frozen && h.status != ST_RUNNING && h.status != ST_CREATED)
		herr_set(e, EINVAL, "container not running");
	else if (!frozen && h.status != ST_PAUSED)
		herr_set(e, EINVAL, "container not paused");
	else if (open_cgroup(&h,
			     "pausing needs the freezer of one (cgroup.freeze "
			     "on cgroup v2, the freezer hierarchy on v1)",
			     &cg, e) == 0)
		rc = cg_freeze(cg, frozen, e);
	cg_free(cg);
	handle_close(&h);
	return rc;
}

int rt_pause(const char *root, const char *id, struct herr *e)
{
	return freeze(root, id, true, e);
}

int rt_resume(const char *root, const char *id, struct herr *e)
{
	return freeze(root, id, false, e);
}

int rt_ps(const char *root, const char *id, pid_t **pids, size_t *n,
	  struct herr *e)
{
	struct handle h;
	struct cg *cg = NULL;
	int rc = -1;

	if (handle_open(&h, root, id, e) < 0)
		return -1;
	if (h.r.cgroup[0]) {
		if (open_cgroup(&h, "listing its processes needs one", &cg, e) == 0)
			rc = cg_pids(cg, pids, n, e);
	} else {
		/* No cgroup (rootless, not delegated): its pid namespace
		 * tells its processes, as long as the init is alive. */
		_cleanup_fd_ int pidfd =
		    h.status == ST_STOPPED ? -1 : open_init(&h.r);

		*pids = NULL;
		*n = 0;
		rc = 0;
		if (pidfd >= 0 &&
		    ns_pidns_members(h.r.pid, h.r.pid_ns, pids, n, e) < 0) {
			char why[HERR_MSG_MAX + 64];

			snprintf(why, sizeof(why),
				 "its processes cannot be told apart "
				 "without one, as %s",
				 e->msg);
			rc = no_cgroup(&h, why, e);
		}
	}
	cg_free(cg);
	handle_close(&h);
	return rc;
}

int rt_update(const char *root, const char *id,
	      const struct rt_update_doc *docs, size_t n, struct herr *e)
{
	_cleanup_free_ char *config = NULL, *merged = NULL;
	struct cg_resources old, now;
	struct handle h;
	struct cg *cg = NULL;
	char dir[64];
	size_t len;
	int rc = -1;

	if (handle_open(&h, root, id, e) < 0)
		return -1;
	if (h.status == ST_STOPPED) {
		handle_close(&h);
		return herr_set(e, ESRCH, "container not running");
	}
	config = base_read_file_at(h.dirfd, "config.json", &len);
	if (!config) {
		handle_close(&h);
		return herr_sys(e, errno, "reading the saved config of '%s'",
				id);
	}
	if (rt_resources_update(config, len, docs, n, &old, &now, &merged, e) <
	    0) {
		handle_close(&h);
		return -1;
	}
	/* Device rules are not resources one updates (runc skips them too):
	 * rewriting them would briefly deny every device. */
	old.ndevices = now.ndevices = 0;
	if (open_cgroup(&h, "updating its limits needs one", &cg, e) < 0)
		goto out;
	if (cg_update(cg, &now, e) < 0) {
		struct herr ignored;

		/* Put back what the kernel may have taken already. */
		(void)cg_update(cg, &old, &ignored);
		goto out;
	}
	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", h.dirfd);
	if (base_write_file_atomic(dir, "config.json", merged, strlen(merged),
				   0600) < 0) {
		herr_sys(e, errno, "saving the new resources of '%s'", id);
		goto out;
	}
	rc = 0;
out:
	cg_free(cg);
	rt_resources_free(&old);
	rt_resources_free(&now);
	handle_close(&h);
	return rc;
}

/* A counter in runc's units, or nothing when the cgroup lacks it. */
static void set_num(json_t *o, const char *key, int64_t v, int64_t scale)
{
	if (v >= 0)
		json_object_set_new(
		    o, key, json_integer(v == INT64_MAX ? v : v * scale));
}

/* runc's types.Stats: cpu in ns, memory in bytes, unlimited as 0 for pids
 * and as the largest value for memory. */
static json_t *stats_json(const struct cg_stats *s)
{
	json_t *cpu = json_object(), *usage = json_object();
	json_t *thr = json_object(), *mem = json_object();
	json_t *mu = json_object(), *swap = json_object();
	json_t *pids = json_object(), *io = json_array();

	set_num(usage, "total", s->cpu_usage_usec, 1000);
	set_num(usage, "user", s->cpu_user_usec, 1000);
	set_num(usage, "kernel", s->cpu_system_usec, 1000);
	set_num(thr, "throttled_periods", s->cpu_nr_throttled, 1);
	set_num(thr, "throttled_time", s->cpu_throttled_usec, 1000);
	json_object_set_new(cpu, "usage", usage);
	json_object_set_new(cpu, "throttling", thr);
	set_num(mu, "usage", s->memory_current, 1);
	set_num(mu, "max", s->memory_peak, 1);
	set_num(mu, "limit", s->memory_limit, 1);
	set_num(swap, "usage", s->memory_swap_current, 1);
	json_object_set_new(mem, "usage", mu);
	json_object_set_new(mem, "swap", swap);
	set_num(pids, "current", s->pids_current, 1);
	if (s->pids_limit >= 0)
		set_num(pids, "limit",
			s->pids_limit == INT64_MAX ? 0 : s->pids_limit, 1);
	/* Totals over every device: husk does not split them by device. */
	if (s->io_read_bytes >= 0)
		json_array_append_new(
		    io, json_pack("{s:s, s:I}", "op", "Read", "value",
				  (json_int_t)s->io_read_bytes));
	if (s->io_write_bytes >= 0)
		json_array_append_new(
		    io, json_pack("{s:s, s:I}", "op", "Write", "value",
				  (json_int_t)s->io_write_bytes));
	return json_pack("{s:o, s:o, s:o, s:{s:o}}", "cpu", cpu, "memory", mem,
			 "pids", pids, "blkio", "ioServiceBytesRecursive", io);
}

int rt_stats(const char *root, const char *id, char **json, int64_t *oom_kills,
	     struct herr *e)
{
	struct handle h;
	struct cg *cg = NULL;
	struct cg_stats s;
	int rc = -1;

	if (handle_open(&h, root, id, e) < 0)
		return -1;
	if (h.status == ST_STOPPED)
		herr_set(e, ESRCH, "container not running");
	else if (open_cgroup(&h, "its statistics come from one", &cg, e) ==
		     0 &&
		 cg_stats(cg, &s, e) == 0) {
		json_t *o = json_pack("{s:s, s:s, s:o}", "type", "stats", "id",
				      id, "data", stats_json(&s));

		*json = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		*oom_kills = s.oom_kills;
		rc = 0;
	}
	cg_free(cg);
	handle_close(&h);
	return rc;
}

int rt_list(const char *root, bool want_json, struct rt_list_item **items,
	    size_t *n, struct herr *e)
{
	_cleanup_fd_ int rootfd = -1;
	char **ids;
	size_t cap = 0;

	*items = NULL;
	*n = 0;
	if (st_list(root, &ids, e) < 0)
		return -1;
	if (ids[0])
		rootfd =
		    openat(AT_FDCWD, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (char **id = ids; *id; id++) {
		struct st_record r;
		enum st_status s = ST_STOPPED;
		struct rt_list_item *it;

		if (rootfd < 0 || st_read_in(rootfd, *id, &r) < 0)
			continue; /* being created or deleted right now */
		/* A stopped container costs no more than its state.json and
		 * one kill(pid, 0); a live one also its directory. */
		if (!st_gone(&r)) {
			_cleanup_fd_ int fd = openat(
			    rootfd, *id,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

			if (fd >= 0)
				s = st_live_status(fd, &r);
		}
		if (*n == cap)
			*items = xrealloc(*items,
					  (cap = cap ? cap * 2 : 64) *
					      sizeof(**items));
		it = &(*items)[(*n)++];
		*it = (struct rt_list_item){
		    .id = xstrdup(r.id),
		    .bundle = xstrdup(r.bundle),
		    .created = xstrdup(r.created),
		    .status = st_status_name(s),
		    .pid = s == ST_STOPPED ? 0 : r.pid,
		    .owner = (unsigned)r.owner,
		    .json = want_json ? st_to_oci_json(&r, s) : NULL,
		};
		st_record_free(&r);
	}
	for (char **id = ids; *id; id++)
		free(*id);
	free(ids);
	return 0;
}

void rt_list_free(struct rt_list_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].id);
		free(items[i].bundle);
		free(items[i].created);
		free(items[i].json);
	}
	free(items);
}

int rt_spec(const char *bundle, bool rootless, struct herr *e)
{
	_cleanup_free_ char *json = rt_spec_default(rootless);
	_cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
	_cleanup_fd_ int fd = -1;

	fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return herr_set(e, EEXIST, "file '%s' already exists",
					path);
		return herr_sys(e, errno, "writing '%s'", path);
	}
	if (base_write_all(fd, json, strlen(json)) < 0 ||
	    base_write_all(fd, "\n", 1) < 0)
		return herr_sys(e, errno, "writing '%s'", path);
	return 0;
}
