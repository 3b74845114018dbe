/*
 * v2: linux.resources in the unified hierarchy.
 *
 * Three things differ from v1 (Documentation/admin-guide/cgroup-v2.rst):
 * - A controller's files appear in a cgroup only once every ancestor has
 *   enabled it in cgroup.subtree_control, and a cgroup with processes of
 *   its own cannot do that ("no internal processes", EBUSY).
 * - Some values are converted: shares → cpu.weight, blkio weight →
 *   io.weight, memory+swap → swap alone.
 * - There is no devices controller; access to device nodes is decided by
 *   an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the
 *   cgroup, which husk generates from the device rules.
 */
#include "cgroup-internal.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

static void hint_internal(struct herr *e, const char *path)
{
	herr_hint(e,
		  "the \"no internal processes\" rule: '%s' has "
		  "processes of its own, so it cannot give "
		  "controllers to child cgroups; move them into a "
		  "leaf cgroup, or choose a cgroupsPath elsewhere",
		  path);
}

static int enable_one(const struct cgi_dir *anc, const char *ctl, bool hard,
		      struct herr *e)
{
	_cleanup_free_ char *avail = cgi_read(anc, "cgroup.controllers");
	_cleanup_free_ char *plus = xasprintf("+%s", ctl);
	_cleanup_free_ char *procs = NULL;

	if (!cgi_word_in(avail, ctl)) {
		if (!hard)
			return -1;
		return herr_set(e, ENOENT,
				"controller '%s' is not listed in "
				"'%s/cgroup.controllers'",
				ctl, anc->path),
		       herr_hint(e, "it may be bound to cgroup v1, or a "
				    "parent cgroup did not delegate it");
	}
	/* The kernel refuses domain controllers (memory, io) to a non-root
	 * cgroup that holds processes, but lets threaded ones (cpu, pids)
	 * through -- and then no child of it can take a process.  So check
	 * first, for every controller. */
	/* The real root is exempt; it alone has no cgroup.type (the root of a
	 * cgroup namespace is not, and has one). */
	if (cgi_exists(anc, "cgroup.type"))
		procs = cgi_read(anc, "cgroup.procs");
	if (procs && *procs) {
		if (!hard) {
			base_debug("not enabling %s in %s: it holds processes",
				   ctl, anc->path);
			return -1;
		}
		herr_set(e, EBUSY, "cannot enable '%s' in '%s/%s'", ctl,
			 anc->path, "cgroup.subtree_control");
		hint_internal(e, anc->path);
		return -1;
	}
	if (cgi_write(anc, "cgroup.subtree_control", plus, e) == 0)
		return 0;
	if (!hard) {
		base_debug("not enabling %s in %s: %s", ctl, anc->path, e->msg);
		return -1;
	}
	if (e->err == EBUSY)
		hint_internal(e, anc->path);
	return -1;
}

int cgi_v2_enable(const struct cgi_dir *d, const char *hard, const char *soft,
		  struct herr *e)
{
	_cleanup_free_ char *all = xasprintf("%s %s", hard, soft);
	char *save = NULL;

	for (char *w = strtok_r(all, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		bool is_hard = cgi_word_in(hard, w);
		struct herr ignored;
		size_t i = 0;

		/* Every ancestor from the hierarchy root down to d's parent
		 * must pass the controller on. */
		for (const char *next = d->rel;; i = (size_t)(next - d->rel)) {
			_cleanup_free_ char *p =
			    xasprintf("%s%.*s", d->mount, (int)i, d->rel);
			_cleanup_free_ char *sc = NULL;
			struct cgi_dir anc = {.path = p};

			sc = cgi_read(&anc, "cgroup.subtree_control");
			if (!cgi_word_in(sc, w) &&
			    enable_one(&anc, w, is_hard,
				       is_hard ? e : &ignored) < 0) {
				if (is_hard)
					return herr_wrap(e,
							 "enabling the '%s' "
							 "controller",
							 w);
				break;
			}
			next = strchr(d->rel + i + 1, '/');
			if (!next)
				break;
		}
	}
	return 0;
}

static int write_num(const struct cgi_dir *d, const char *file, int64_t v,
		     struct herr *e)
{
	char buf[32];

	cgi_fmt_limit(buf, sizeof(buf), v, true);
	return cgi_write(d, file, buf, e);
}

static int memory(const struct cgi_dir *d, const struct cg_resources *r,
		  struct herr *e)
{
	int64_t swap;
	int rc;

	if (r->memory_limit != CG_UNSET &&
	    write_num(d, "memory.max", r->memory_limit, e) < 0)
		return -1;
	if (r->memory_reservation != CG_UNSET &&
	    write_num(d, "memory.low", r->memory_reservation, e) < 0)
		return -1;
	rc = cgi_v2_swap(r->memory_limit, r->memory_swap, &swap, e);
	if (rc < 0 || (rc == 0 && write_num(d, "memory.swap.max", swap, e)))
		return -1;
	if (r->memory_swappiness != CG_UNSET || r->memory_disable_oom_killer)
		base_debug("memory swappiness and disableOOMKiller have no "
			   "cgroup v2 file; ignored");
	return 0;
}

static int cpu(const struct cgi_dir *d, const struct cg_resources *r,
	       struct herr *e)
{
	char buf[64], quota[24] = "max";
	int64_t period = 100000;

	if (r->cpu_realtime_runtime != CG_UNSET ||
	    r->cpu_realtime_period != CG_UNSET)
		return herr_set(e, EOPNOTSUPP,
				".linux.resources.cpu.realtimeRuntime: cgroup "
				"v2 has no realtime budget for cgroups");
	if (r->cpu_shares > 0) {
		snprintf(buf, sizeof(buf), "%llu",
			 (unsigned long long)cg_shares_to_weight(
			     (uint64_t)r->cpu_shares));
		if (cgi_write(d, "cpu.weight", buf, e) < 0)
			return -1;
	}
	if (r->cpu_quota != CG_UNSET || r->cpu_period != CG_UNSET) {
		/* cpu.max holds both: keep the half that is not given. */
		_cleanup_free_ char *cur = cgi_read(d, "cpu.max");

		if (cur)
			sscanf(cur, "%23s %lld", quota, (long long *)&period);
		if (r->cpu_quota != CG_UNSET)
			cgi_fmt_limit(quota, sizeof(quota), r->cpu_quota, true);
		if (r->cpu_period != CG_UNSET)
			period = r->cpu_period;
		snprintf(buf, sizeof(buf), "%s %lld", quota, (long long)period);
		if (cgi_write(d, "cpu.max", buf, e) < 0)
			return -1;
	}
	if (r->cpu_idle != CG_UNSET && write_num(d, "cpu.idle", r->cpu_idle, e))
		return -1;
	return 0;
}

static int io_max(const struct cgi_dir *d, const char *key,
		  const struct cg_throttle *t, size_t n, struct herr *e)
{
	for (size_t i = 0; i < n; i++) {
		char dev[48], buf[96];

		cgi_fmt_devnum(dev, sizeof(dev), t[i].major, t[i].minor);
		if (t[i].rate)
			snprintf(buf, sizeof(buf), "%s %s=%llu", dev, key,
				 (unsigned long long)t[i].rate);
		else /* v1's 0 removes the limit */
			snprintf(buf, sizeof(buf), "%s %s=max", dev, key);
		if (cgi_write(d, "io.max", buf, e) < 0)
			return -1;
	}
	return 0;
}

static int io(const struct cgi_dir *d, const struct cg_resources *r,
	      struct herr *e)
{
	/* BFQ takes the v1 range [1, 1000] as is; io.weight is converted. */
	bool bfq = cgi_exists(d, "io.bfq.weight");
	const char *wfile = bfq ? "io.bfq.weight" : "io.weight";
	char buf[80], dev[48];

	if (r->blkio_weight != CG_UNSET) {
		snprintf(
		    buf, sizeof(buf), "default %llu",
		    (unsigned long long)(bfq ? (uint64_t)r->blkio_weight
					     : cg_blkio_weight_to_io_weight(
						   r->blkio_weight)));
		if (cgi_write(d, wfile, buf, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->nblkio_weight_devices; i++) {
		const struct cg_weight_dev *w = &r->blkio_weight_devices[i];

		if (!w->weight)
			continue;
		cgi_fmt_devnum(dev, sizeof(dev), w->major, w->minor);
		snprintf(
		    buf, sizeof(buf), "%s %llu", dev,
		    (unsigned long long)(bfq ? w->weight
					     : cg_blkio_weight_to_io_weight(
						   w->weight)));
		if (cgi_write(d, wfile, buf, e) < 0)
			return -1;
	}
	if (r->blkio_leaf_weight != CG_UNSET)
		base_debug("blockIO.leafWeight has no cgroup v2 file; ignored");
	return io_max(d, "rbps", r->throttle_read_bps, r->nthrottle_read_bps,
		      e) ||
		       io_max(d, "wbps", r->throttle_write_bps,
			      r->nthrottle_write_bps, e) ||
		       io_max(d, "riops", r->throttle_read_iops,
			      r->nthrottle_read_iops, e) ||
		       io_max(d, "wiops", r->throttle_write_iops,
			      r->nthrottle_write_iops, e)
		   ? -1
		   : 0;
}

/* ---- devices: an eBPF program ------------------------------------------ */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm)
{
	struct bpf_insn i = {.code = code, .off = off, .imm = imm};

	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	return i;
}

/*
 * The rules are checked last to first and the first match decides, which
 * is v1's "the last matching rule wins"; no match means deny.  In the
 * program r2 is the device type, r3 the access asked for, r4/r5 the
 * major/minor (struct bpf_cgroup_dev_ctx).  An allow rule matches when
 * every access asked for is allowed; a deny rule when any of them is
 * denied, so "deny w" also refuses an open for read+write.
 */
static size_t device_prog(const struct cg_resources *r, struct bpf_insn *p)
{
	size_t n = 0;

	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
	p[n++] = insn(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	p[n++] = insn(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);
	for (size_t i = r->ndevices; i-- > 0;) {
		const struct cg_device_rule *dv = &r->devices[i];
		size_t jumps[4], nj = 0;
		int32_t acc = 0;

		for (const char *a = dv->access[0] ? dv->access : "rwm"; *a;
		     a++)
			acc |= *a == 'r'   ? BPF_DEVCG_ACC_READ
			       : *a == 'w' ? BPF_DEVCG_ACC_WRITE
					   : BPF_DEVCG_ACC_MKNOD;
		if (dv->type != 'a') {
			jumps[nj++] = n;
			p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
				      dv->type == 'b' ? BPF_DEVCG_DEV_BLOCK
						      : BPF_DEVCG_DEV_CHAR);
		}
		if (acc != 7) {
			p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 0, 3, 0, 0);
			p[n++] = insn(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0,
				      dv->allow ? ~acc & 7 : acc);
			jumps[nj++] = n;
			p[n++] = insn(
			    BPF_JMP | (dv->allow ? BPF_JNE : BPF_JEQ) | BPF_K,
			    0, 0, 0, 0);
		}
		if (dv->major >= 0) {
			jumps[nj++] = n;
			p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0,
				      (int32_t)dv->major);
		}
		if (dv->minor >= 0) {
			jumps[nj++] = n;
			p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0,
				      (int32_t)dv->minor);
		}
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0,
			      dv->allow ? 1 : 0);
		p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (size_t j = 0; j < nj; j++)
			p[jumps[j]].off = (int16_t)(n - jumps[j] - 1);
		/* A rule that matches everything decides alone: the earlier
		 * rules and the default could never run, and the verifier
		 * refuses unreachable instructions. */
		if (nj == 0)
			return n;
	}
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
}

/* Detach the programs an earlier husk update attached (all but keep). */
static void detach_old(int dirfd, int keep_id)
{
	uint32_t ids[16];
	union bpf_attr q = {0};

	q.query.target_fd = dirfd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (uintptr_t)ids;
	q.query.prog_cnt = ARRAY_SIZE(ids);
	if (sys_bpf(BPF_PROG_QUERY, &q) < 0)
		return;
	for (uint32_t i = 0; i < q.query.prog_cnt; i++) {
		union bpf_attr g = {.prog_id = ids[i]}, d = {0};
		_cleanup_fd_ int fd = -1;

		if ((int)ids[i] == keep_id)
			continue;
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (fd < 0)
			continue;
		d.target_fd = dirfd;
		d.attach_bpf_fd = fd;
		d.attach_type = BPF_CGROUP_DEVICE;
		base_debug("bpf detach old device program %u", ids[i]);
		(void)sys_bpf(BPF_PROG_DETACH, &d);
	}
}

static int devices(const struct cgi_dir *d, const struct cg_resources *r,
		   struct herr *e)
{
	size_t max = 8 + r->ndevices * 10;
	_cleanup_free_ struct bpf_insn *prog = xcalloc(max, sizeof(*prog));
	_cleanup_fd_ int dirfd = -1, progfd = -1;
	union bpf_attr a = {0};
	struct bpf_prog_info info = {0};
	char log[512] = "";
	size_t n = device_prog(r, prog);

	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)prog;
	a.insn_cnt = (uint32_t)n;
	a.license = (uintptr_t) "GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	base_debug("bpf load device program: %zu rules, %zu instructions",
		   r->ndevices, n);
	progfd = sys_bpf(BPF_PROG_LOAD, &a);
	if (progfd < 0 && errno == ENOSPC) { /* log too small; retry quiet */
		a.log_level = 0, a.log_buf = 0, a.log_size = 0;
		progfd = sys_bpf(BPF_PROG_LOAD, &a);
	}
	log[strcspn(log, "\n")] = '\0';
	if (progfd < 0)
		return herr_sys(e, errno,
				"loading the device eBPF program "
				"for '%s'",
				d->path),
		       herr_hint(e, "%s",
				 log[0] ? log
					: "cgroup v2 enforces "
					  ".linux.resources."
					  "devices with eBPF");
	dirfd = openat(AT_FDCWD, d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return herr_sys(e, errno, "opening '%s'", d->path);
	memset(&a, 0, sizeof(a));
	a.target_fd = dirfd;
	a.attach_bpf_fd = progfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	base_debug("bpf attach device program to %s", d->path);
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return herr_sys(e, errno,
				"attaching the device eBPF program "
				"to '%s'",
				d->path);
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = progfd;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0)
		detach_old(dirfd, (int)info.id);
	return 0;
}

int cgi_v2_apply(const struct cgi_dir *d, const struct cg_resources *r,
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
	if ((c & CGI_BIT(CGI_PIDS)) && r->pids_limit != CG_UNSET &&
	    write_num(d, "pids.max", r->pids_limit > 0 ? r->pids_limit : -1,
		      e) < 0)
		return -1;
	if ((c & CGI_BIT(CGI_IO)) && io(d, r, e) < 0)
		return -1;
	for (size_t i = 0; (c & CGI_BIT(CGI_HUGETLB)) && i < r->nhugepages;
	     i++) {
		_cleanup_free_ char *f =
		    xasprintf("hugetlb.%s.max", r->hugepages[i].pagesize);

		if (write_num(d, f, (int64_t)r->hugepages[i].limit, e) < 0)
			return -1;
	}
	if ((c & CGI_BIT(CGI_DEVICES)) && r->ndevices && devices(d, r, e) < 0)
		return -1;
	/* Unified keys last, so that they override the converted values. */
	for (size_t i = 0; i < r->nunified; i++)
		if (cgi_write(d, r->unified[i].key, r->unified[i].value, e) < 0)
			return herr_wrap(e, ".linux.resources.unified[\"%s\"]",
					 r->unified[i].key);
	return 0;
}

/* Sum rbytes= and wbytes= over the devices in io.stat. */
static void io_stat(const struct cgi_dir *d, struct cg_stats *s)
{
	_cleanup_free_ char *t = cgi_read(d, "io.stat");
	unsigned long long v;

	if (!t)
		return;
	s->io_read_bytes = s->io_write_bytes = 0;
	for (char *p = t; (p = strpbrk(p, "rw"));) {
		if (sscanf(p, "rbytes=%llu", &v) == 1 &&
		    (p == t || p[-1] == ' '))
			s->io_read_bytes += (int64_t)v;
		else if (sscanf(p, "wbytes=%llu", &v) == 1 &&
			 (p == t || p[-1] == ' '))
			s->io_write_bytes += (int64_t)v;
		p++;
	}
}

int64_t cgi_v2_oom_kills(const struct cgi_dir *d)
{
	if (!(d->ctls & CGI_BIT(CGI_MEMORY)))
		return -1;
	return cgi_read_key(d, "memory.events", "oom_kill");
}

void cgi_v2_stats(const struct cgi_dir *d, struct cg_stats *s)
{
	unsigned c = d->ctls;

	/* cpu.stat's usage lines exist even without the cpu controller;
	 * on a hybrid host v1's cpuacct, read first, is kept. */
	if (s->cpu_usage_usec < 0 && cgi_exists(d, "cpu.stat")) {
		s->cpu_usage_usec = cgi_read_key(d, "cpu.stat", "usage_usec");
		s->cpu_user_usec = cgi_read_key(d, "cpu.stat", "user_usec");
		s->cpu_system_usec = cgi_read_key(d, "cpu.stat", "system_usec");
		if (c & CGI_BIT(CGI_CPU)) {
			s->cpu_nr_throttled =
			    cgi_read_key(d, "cpu.stat", "nr_throttled");
			s->cpu_throttled_usec =
			    cgi_read_key(d, "cpu.stat", "throttled_usec");
		}
	}
	if ((c & CGI_BIT(CGI_MEMORY)) && cgi_exists(d, "memory.current")) {
		s->memory_current = cgi_read_num(d, "memory.current");
		s->memory_peak = cgi_read_num(d, "memory.peak");
		s->memory_limit = cgi_read_num(d, "memory.max");
		s->memory_swap_current = cgi_read_num(d, "memory.swap.current");
		s->oom_kills = cgi_v2_oom_kills(d);
	}
	if ((c & CGI_BIT(CGI_PIDS)) && cgi_exists(d, "pids.current")) {
		s->pids_current = cgi_read_num(d, "pids.current");
		s->pids_peak = cgi_read_num(d, "pids.peak");
		s->pids_limit = cgi_read_num(d, "pids.max");
	}
	if (c & CGI_BIT(CGI_IO))
		io_stat(d, s);
}
