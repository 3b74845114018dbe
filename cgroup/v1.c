/*
 * v1: linux.resources in cgroup v1 files, one hierarchy per controller.
 *
 * The OCI resources were designed for v1, so most values are written as
 * given.  Two things need care: cpuset directories start with empty
 * cpus/mems (no task can join until they are filled in), and the memory
 * limits must keep memory+swap >= memory at every moment, so the order of
 * the two writes depends on whether the limits go up or down.
 */
#include "cgroup-internal.h"

#include <stdio.h>
#include <string.h>

/* v1 prints "unlimited" as the largest page-aligned value. */
#define V1_UNLIMITED 0x7ffffffffffff000LL

static int write_num(const struct cgi_dir *d, const char *file, int64_t v,
		     struct herr *e)
{
	char buf[32];

	cgi_fmt_limit(buf, sizeof(buf), v, false);
	return cgi_write(d, file, buf, e);
}

/* Copy cpuset.cpus/mems down into each directory husk just made, top
 * first: a new v1 cpuset is empty, and joining it would fail ENOSPC. */
int cgi_v1_prepare(const struct cgi_dir *d, struct herr *e)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	char *paths[64];
	int n = 0, rc = 0;

	if (!(d->ctls & CGI_BIT(CGI_CPUSET)))
		return 0;
	paths[0] = xstrdup(d->path);
	for (n = 1; n < d->created && n < (int)ARRAY_SIZE(paths); n++) {
		paths[n] = xstrdup(paths[n - 1]);
		*strrchr(paths[n], '/') = '\0';
	}
	for (int i = n - 1; i >= 0 && rc == 0; i--) {
		struct cgi_dir here = {.path = paths[i]};
		_cleanup_free_ char *parent_path = xstrdup(paths[i]);
		struct cgi_dir parent = {.path = parent_path};

		*strrchr(parent_path, '/') = '\0';
		for (size_t f = 0; f < ARRAY_SIZE(files) && rc == 0; f++) {
			_cleanup_free_ char *cur = cgi_read(&here, files[f]);
			_cleanup_free_ char *up = cgi_read(&parent, files[f]);

			if (!cur || !up) {
				rc = herr_sys(e, errno, "reading '%s' in '%s'",
					      files[f],
					      cur ? parent_path : paths[i]);
				break;
			}
			up[strcspn(up, "\n")] = '\0';
			if (cur[strspn(cur, " \n")] == '\0')
				rc = cgi_write(&here, files[f], up, e);
		}
	}
	for (int i = 0; i < n; i++)
		free(paths[i]);
	return rc;
}

static int memory(const struct cgi_dir *d, const struct cg_resources *r,
		  struct herr *e)
{
	const char *memsw = "memory.memsw.limit_in_bytes";
	bool has_memsw = cgi_exists(d, memsw), swap_first = false;
	bool swap = r->memory_swap != CG_UNSET && r->memory_swap != 0;

	if (swap && !has_memsw && r->memory_swap != -1)
		return herr_set(e, ENOENT,
				"'%s/%s' does not exist, so "
				".linux.resources.memory.swap cannot be set",
				d->path, memsw),
		       herr_hint(e, "swap accounting is off; boot with "
				    "swapaccount=1");
	if (swap && has_memsw) {
		/* memsw >= limit must hold after each write: if the new
		 * memsw is at least the current limit it can go first, else
		 * the (lower) limit must go first. */
		int64_t cur = cgi_read_num(d, "memory.limit_in_bytes");

		swap_first = r->memory_swap < 0 || r->memory_swap >= cur;
	}
	if (swap && has_memsw && swap_first &&
	    write_num(d, memsw, r->memory_swap, e) < 0)
		return -1;
	if (r->memory_limit != CG_UNSET &&
	    write_num(d, "memory.limit_in_bytes", r->memory_limit, e) < 0)
		return -1;
	if (swap && has_memsw && !swap_first &&
	    write_num(d, memsw, r->memory_swap, e) < 0)
		return -1;
	if (r->memory_reservation != CG_UNSET &&
	    write_num(d, "memory.soft_limit_in_bytes", r->memory_reservation,
		      e) < 0)
		return -1;
	if (r->memory_swappiness != CG_UNSET &&
	    write_num(d, "memory.swappiness", r->memory_swappiness, e) < 0)
		return -1;
	if (r->memory_disable_oom_killer &&
	    cgi_write(d, "memory.oom_control", "1", e) < 0)
		return -1;
	return 0;
}

static int cpu(const struct cgi_dir *d, const struct cg_resources *r,
	       struct herr *e)
{
	const struct {
		const char *file;
		int64_t v;
	} w[] = {
	    {"cpu.shares", r->cpu_shares > 0 ? r->cpu_shares : CG_UNSET},
	    /* The period first: the kernel checks quota against it. */
	    {"cpu.cfs_period_us", r->cpu_period},
	    {"cpu.cfs_quota_us", r->cpu_quota},
	    {"cpu.rt_period_us", r->cpu_realtime_period},
	    {"cpu.rt_runtime_us", r->cpu_realtime_runtime},
	    {"cpu.idle", r->cpu_idle},
	};

	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		if (w[i].v != CG_UNSET &&
		    write_num(d, w[i].file, w[i].v, e) < 0)
			return -1;
	return 0;
}

static int throttles(const struct cgi_dir *d, const char *file,
		     const struct cg_throttle *t, size_t n, struct herr *e)
{
	for (size_t i = 0; i < n; i++) {
		char dev[48], buf[80];

		cgi_fmt_devnum(dev, sizeof(dev), t[i].major, t[i].minor);
		snprintf(buf, sizeof(buf), "%s %llu", dev,
			 (unsigned long long)t[i].rate);
		if (cgi_write(d, file, buf, e) < 0)
			return -1;
	}
	return 0;
}

static int blkio(const struct cgi_dir *d, const struct cg_resources *r,
		 struct herr *e)
{
	/* Kernels without CFQ (5.0+) only have BFQ's files. */
	bool bfq =
	    !cgi_exists(d, "blkio.weight") && cgi_exists(d, "blkio.bfq.weight");

	if (r->blkio_weight != CG_UNSET &&
	    write_num(d, bfq ? "blkio.bfq.weight" : "blkio.weight",
		      r->blkio_weight, e) < 0)
		return -1;
	if (r->blkio_leaf_weight != CG_UNSET &&
	    write_num(d, "blkio.leaf_weight", r->blkio_leaf_weight, e) < 0)
		return -1;
	for (size_t i = 0; i < r->nblkio_weight_devices; i++) {
		const struct cg_weight_dev *w = &r->blkio_weight_devices[i];
		char dev[48], buf[80];

		cgi_fmt_devnum(dev, sizeof(dev), w->major, w->minor);
		snprintf(buf, sizeof(buf), "%s %u", dev, w->weight);
		if (w->weight && cgi_write(d,
					   bfq ? "blkio.bfq.weight_device"
					       : "blkio.weight_device",
					   buf, e) < 0)
			return -1;
		snprintf(buf, sizeof(buf), "%s %u", dev, w->leaf_weight);
		if (w->leaf_weight &&
		    cgi_write(d, "blkio.leaf_weight_device", buf, e) < 0)
			return -1;
	}
	return throttles(d, "blkio.throttle.read_bps_device",
			 r->throttle_read_bps, r->nthrottle_read_bps, e) ||
		       throttles(d, "blkio.throttle.write_bps_device",
				 r->throttle_write_bps, r->nthrottle_write_bps,
				 e) ||
		       throttles(d, "blkio.throttle.read_iops_device",
				 r->throttle_read_iops, r->nthrottle_read_iops,
				 e) ||
		       throttles(d, "blkio.throttle.write_iops_device",
				 r->throttle_write_iops,
				 r->nthrottle_write_iops, e)
		   ? -1
		   : 0;
}

/* Device rules in order; the kernel keeps the last matching one. */
static int devices(const struct cgi_dir *d, const struct cg_resources *r,
		   struct herr *e)
{
	/* One open of each file for all the rules: each write is a rule. */
	_cleanup_fd_ int allow = -1, deny = -1;

	for (size_t i = 0; i < r->ndevices; i++) {
		const struct cg_device_rule *dv = &r->devices[i];
		char dev[48], buf[80];

		cgi_fmt_devnum(dev, sizeof(dev), dv->major, dv->minor);
		snprintf(buf, sizeof(buf), "%c %s %s", dv->type, dev,
			 dv->access[0] ? dv->access : "rwm");
		if (cgi_write_to(d, dv->allow ? &allow : &deny,
				 dv->allow ? "devices.allow" : "devices.deny",
				 buf, e) < 0)
			return -1;
	}
	return 0;
}

int cgi_v1_apply(const struct cgi_dir *d, const struct cg_resources *r,
		 struct herr *e)
{
	unsigned c = d->ctls;

	if ((c & CGI_BIT(CGI_MEMORY)) && memory(d, r, e) < 0)
		return -1;
	if ((c & CGI_BIT(CGI_CPU)) && cpu(d, r, e) < 0)
		return -1;
	if ((c & CGI_BIT(CGI_CPUSET)) &&
	    ((r->cpus && cgi_write(d, "cpuset.cpus", r->cpus, e) < 0) ||
	     (r->mems && cgi_write(d, "cpuset.mems", r->mems, e) < 0)))
		return -1;
	if ((c & CGI_BIT(CGI_PIDS)) && r->pids_limit != CG_UNSET) {
		char buf[32] = "max"; /* OCI: 0 and -1 both mean no limit */

		if (r->pids_limit > 0)
			snprintf(buf, sizeof(buf), "%lld",
				 (long long)r->pids_limit);
		if (cgi_write(d, "pids.max", buf, e) < 0)
			return -1;
	}
	if ((c & CGI_BIT(CGI_IO)) && blkio(d, r, e) < 0)
		return -1;
	for (size_t i = 0; (c & CGI_BIT(CGI_HUGETLB)) && i < r->nhugepages;
	     i++) {
		_cleanup_free_ char *f = xasprintf("hugetlb.%s.limit_in_bytes",
						   r->hugepages[i].pagesize);

		if (write_num(d, f, (int64_t)r->hugepages[i].limit, e) < 0)
			return -1;
	}
	if ((c & CGI_BIT(CGI_DEVICES)) && devices(d, r, e) < 0)
		return -1;
	return 0;
}

/* Sum the "Read" and "Write" lines of blkio.throttle.io_service_bytes. */
static void io_bytes(const struct cgi_dir *d, struct cg_stats *s)
{
	_cleanup_free_ char *t = cgi_read(d, "blkio.throttle.io_service_bytes");
	unsigned long long v;
	char op[16];

	if (!t)
		return;
	s->io_read_bytes = s->io_write_bytes = 0;
	for (char *l = t; *l;
	     l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
		if (sscanf(l, "%*s %15s %llu", op, &v) == 2) {
			if (strcmp(op, "Read") == 0)
				s->io_read_bytes += (int64_t)v;
			else if (strcmp(op, "Write") == 0)
				s->io_write_bytes += (int64_t)v;
		}
}

static int64_t usec(int64_t ns)
{
	return ns < 0 ? -1 : ns / 1000;
}

static int64_t bytes(int64_t v)
{
	return v >= V1_UNLIMITED ? INT64_MAX : v;
}

int64_t cgi_v1_oom_kills(const struct cgi_dir *d)
{
	_cleanup_free_ char *s = NULL;
	int64_t v;

	if (!(d->ctls & CGI_BIT(CGI_MEMORY)) ||
	    !(s = cgi_read(d, "memory.oom_control")))
		return -1;
	/* "oom_kill" needs 4.13; older kernels only say under_oom. */
	v = cgi_key_num(s, "oom_kill");
	return v >= 0 ? v : cgi_key_num(s, "under_oom");
}

void cgi_v1_stats(const struct cgi_dir *d, struct cg_stats *s)
{
	unsigned c = d->ctls;

	if (c & CGI_BIT(CGI_CPUACCT)) {
		s->cpu_usage_usec = usec(cgi_read_num(d, "cpuacct.usage"));
		s->cpu_user_usec = usec(cgi_read_num(d, "cpuacct.usage_user"));
		s->cpu_system_usec = usec(cgi_read_num(d, "cpuacct.usage_sys"));
	}
	if (c & CGI_BIT(CGI_CPU)) {
		s->cpu_nr_throttled =
		    cgi_read_key(d, "cpu.stat", "nr_throttled");
		s->cpu_throttled_usec =
		    usec(cgi_read_key(d, "cpu.stat", "throttled_time"));
	}
	if (c & CGI_BIT(CGI_MEMORY)) {
		int64_t sw = cgi_read_num(d, "memory.memsw.usage_in_bytes");

		s->memory_current = cgi_read_num(d, "memory.usage_in_bytes");
		s->memory_peak = cgi_read_num(d, "memory.max_usage_in_bytes");
		s->memory_limit =
		    bytes(cgi_read_num(d, "memory.limit_in_bytes"));
		if (sw >= 0 && s->memory_current >= 0)
			s->memory_swap_current = sw - s->memory_current;
		s->oom_kills = cgi_v1_oom_kills(d);
	}
	if (c & CGI_BIT(CGI_PIDS)) {
		s->pids_current = cgi_read_num(d, "pids.current");
		s->pids_peak = cgi_read_num(d, "pids.peak");
		s->pids_limit = cgi_read_num(d, "pids.max");
	}
	if (c & CGI_BIT(CGI_IO))
		io_bytes(d, s);
}
