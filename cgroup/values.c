/*
 * values: pure conversions and checks for linux.resources.
 *
 * Nothing here touches the host, so everything here is unit-tested
 * without a cgroup file system.  The OCI config speaks cgroup v1 (shares,
 * blkio weights, memory+swap); the conversions to v2 follow crun and runc
 * so that a container gets the same numbers under every runtime.
 */
#include "cgroup-internal.h"

#include <stdio.h>
#include <string.h>

const char *const cgi_v1_name[CGI_NCTL] = {
    [CGI_CPU] = "cpu",	       [CGI_CPUACCT] = "cpuacct",
    [CGI_CPUSET] = "cpuset",   [CGI_MEMORY] = "memory",
    [CGI_PIDS] = "pids",       [CGI_IO] = "blkio",
    [CGI_HUGETLB] = "hugetlb", [CGI_DEVICES] = "devices",
    [CGI_FREEZER] = "freezer",
};
const char *const cgi_v2_name[CGI_NCTL] = {
    [CGI_CPU] = "cpu",	 [CGI_CPUSET] = "cpuset", [CGI_MEMORY] = "memory",
    [CGI_PIDS] = "pids", [CGI_IO] = "io",	  [CGI_HUGETLB] = "hugetlb",
};

void cg_resources_init(struct cg_resources *r)
{
	memset(r, 0, sizeof(*r));
	r->memory_limit = r->memory_reservation = r->memory_swap = CG_UNSET;
	r->memory_swappiness = CG_UNSET;
	r->cpu_shares = r->cpu_quota = r->cpu_period = CG_UNSET;
	r->cpu_realtime_runtime = r->cpu_realtime_period = CG_UNSET;
	r->cpu_idle = CG_UNSET;
	r->pids_limit = CG_UNSET;
	r->blkio_weight = r->blkio_leaf_weight = CG_UNSET;
}

/*
 * The math for the shares→weight curve, without libm (husk links no -lm):
 * log2 by range reduction to [1,2) and the atanh series, exp by
 * reduction to |r| <= ln2/2 and the Taylor series.  Both are accurate to
 * a few ulps, and the unit test compares all 262143 inputs with libm.
 */
#define LN2  0.69314718055994530942
#define LN10 2.30258509299404568402

/* log2(x) for x >= 1, exact for powers of two. */
static double log2_(double x)
{
	double t, t2, term, sum = 0;
	int k = 0;

	while (x >= 2) {
		x /= 2;
		k++;
	}
	while (x < 1) {
		x *= 2;
		k--;
	}
	t = (x - 1) / (x + 1);
	t2 = t * t;
	term = t;
	for (int i = 1; i < 60; i += 2) {
		sum += term / i;
		term *= t2;
	}
	return k + 2 * sum / LN2;
}

static double exp_(double y)
{
	long n = (long)(y / LN2 + (y >= 0 ? 0.5 : -0.5));
	double r = y - n * LN2, term = 1, sum = 1;

	for (int i = 1; i < 30; i++) {
		term *= r / i;
		sum += term;
	}
	for (; n > 0; n--)
		sum *= 2;
	for (; n < 0; n++)
		sum /= 2;
	return sum;
}

/*
 * crun >= 1.23 and runc >= 1.3.2 map shares [2, 262144] onto weight
 * [1, 10000] along a log-quadratic curve that sends the v1 default 1024
 * to the v2 default 100 (the older linear formula 1 + (s-2)*9999/262142
 * gave 39, starving containers next to system services):
 *   l = log2(shares); weight = ceil(10^((l^2 + 125 l) / 612 - 7/34))
 */
uint64_t cg_shares_to_weight(uint64_t shares)
{
	double l, x, w;
	uint64_t iw;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	l = log2_((double)shares);
	x = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	/* 10^x as 10^int * e^(frac ln10), so whole powers come out exact. */
	for (w = 1; x >= 1; x -= 1)
		w *= 10;
	w *= exp_(x * LN10);
	iw = (uint64_t)w;
	return (double)iw < w ? iw + 1 : iw;
}

/* blkio.weight [10, 1000] onto io.weight [1, 10000], linearly (runc and
 * crun agree). */
uint64_t cg_blkio_weight_to_io_weight(uint64_t w)
{
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	return 1 + (w - 10) * 9999 / 990;
}

unsigned cgi_needed(const struct cg_resources *r)
{
	unsigned m = 0;

	if (r->memory_limit != CG_UNSET || r->memory_reservation != CG_UNSET ||
	    r->memory_swap != CG_UNSET || r->memory_swappiness != CG_UNSET ||
	    r->memory_disable_oom_killer)
		m |= CGI_BIT(CGI_MEMORY);
	if (r->cpu_shares != CG_UNSET || r->cpu_quota != CG_UNSET ||
	    r->cpu_period != CG_UNSET || r->cpu_realtime_runtime != CG_UNSET ||
	    r->cpu_realtime_period != CG_UNSET || r->cpu_idle != CG_UNSET)
		m |= CGI_BIT(CGI_CPU);
	if (r->cpus || r->mems)
		m |= CGI_BIT(CGI_CPUSET);
	if (r->pids_limit != CG_UNSET)
		m |= CGI_BIT(CGI_PIDS);
	if (r->blkio_weight != CG_UNSET || r->blkio_leaf_weight != CG_UNSET ||
	    r->nblkio_weight_devices || r->nthrottle_read_bps ||
	    r->nthrottle_write_bps || r->nthrottle_read_iops ||
	    r->nthrottle_write_iops)
		m |= CGI_BIT(CGI_IO);
	if (r->nhugepages)
		m |= CGI_BIT(CGI_HUGETLB);
	if (r->ndevices)
		m |= CGI_BIT(CGI_DEVICES);
	return m;
}

bool cg_has_limits(const struct cg_resources *r)
{
	return (cgi_needed(r) & ~CGI_BIT(CGI_DEVICES)) || r->nunified;
}

void cg_limit_controllers(const struct cg_resources *r, char *buf, size_t n)
{
	unsigned m = cgi_needed(r) & ~CGI_BIT(CGI_DEVICES);
	size_t k = 0;

	buf[0] = '\0';
	for (int c = 0; c < CGI_NCTL && k < n; c++)
		if (m & CGI_BIT(c))
			k += (size_t)snprintf(buf + k, n - k, "%s%s",
					      k ? ", " : "",
					      cgi_v2_name[c] ? cgi_v2_name[c]
							     : cgi_v1_name[c]);
	if (r->nunified && k < n)
		snprintf(buf + k, n - k, "%sunified", k ? ", " : "");
}

void cgi_fmt_limit(char *buf, size_t n, int64_t v, bool v2)
{
	if (v < 0)
		snprintf(buf, n, "%s", v2 ? "max" : "-1");
	else
		snprintf(buf, n, "%lld", (long long)v);
}

void cgi_fmt_devnum(char *buf, size_t n, int64_t major, int64_t minor)
{
	char a[24] = "*", b[24] = "*";

	if (major >= 0)
		snprintf(a, sizeof(a), "%lld", (long long)major);
	if (minor >= 0)
		snprintf(b, sizeof(b), "%lld", (long long)minor);
	snprintf(buf, n, "%s:%s", a, b);
}

int cgi_v2_swap(int64_t limit, int64_t swap, int64_t *out, struct herr *e)
{
	if (swap == CG_UNSET || swap == 0)
		return 1;
	if (swap < 0) {
		*out = -1;
		return 0;
	}
	/* v2 counts swap alone; OCI counts memory+swap, so the split needs
	 * the memory limit. */
	if (limit == CG_UNSET || limit <= 0)
		return herr_set(e, EINVAL,
				".linux.resources.memory.swap: cgroup v2 "
				"limits swap separately, which needs "
				".linux.resources.memory.limit as well");
	if (swap < limit)
		return herr_set(e, EINVAL,
				".linux.resources.memory.swap: memory+swap "
				"(%lld) is below the memory limit (%lld)",
				(long long)swap, (long long)limit);
	*out = swap - limit;
	return 0;
}

void cgi_key_controller(const char *key, char *buf, size_t n)
{
	size_t len = strcspn(key, ".");

	if (len >= n)
		len = n - 1;
	memcpy(buf, key, len);
	buf[len] = '\0';
}

bool cgi_word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && *p;) {
		size_t len;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if (len == n && len && memcmp(p, w, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* Why a unified key is refused, or NULL when it is fine. */
static const char *unified_key_problem(const char *k)
{
	const char *dot = strchr(k, '.');

	if (strchr(k, '/'))
		return "must be a file name, not a path";
	if (strstr(k, ".."))
		return "must not contain \"..\"";
	if (!dot || dot == k || !dot[1])
		return "must be \"<controller>.<knob>\", like \"memory.high\"";
	/* Controllers are lower case; knobs may not be (hugetlb.2MB.max). */
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '.' ||
		      (p > dot && *p >= 'A' && *p <= 'Z')))
			return "may only contain a-z, 0-9, '_' and '.' (and "
			       "A-Z after the controller)";
	if (strncmp(k, "cgroup.", 7) == 0)
		return "core \"cgroup.*\" files are managed by husk";
	return NULL;
}

static bool cpulist_ok(const char *s)
{
	return s[strspn(s, "0123456789,- \n")] == '\0';
}

static bool pagesize_ok(const char *s)
{
	size_t d = strspn(s, "0123456789");

	return d > 0 && strchr("KMG", s[d]) && s[d] && s[d + 1] == 'B' &&
	       s[d + 2] == '\0';
}

static int check_weight_devices(const struct cg_resources *r, struct herr *e)
{
	for (size_t i = 0; i < r->nblkio_weight_devices; i++) {
		const struct cg_weight_dev *w = &r->blkio_weight_devices[i];

		if ((w->weight && (w->weight < 10 || w->weight > 1000)) ||
		    (w->leaf_weight &&
		     (w->leaf_weight < 10 || w->leaf_weight > 1000)))
			return herr_set(e, EINVAL,
					".linux.resources.blockIO."
					"weightDevice[%zu]: weights must be "
					"between 10 and 1000",
					i);
		if (w->major < 0 || w->minor < 0)
			return herr_set(e, EINVAL,
					".linux.resources.blockIO."
					"weightDevice[%zu]: needs a major and "
					"a minor number",
					i);
	}
	return 0;
}

static int check_memory(const struct cg_resources *r, struct herr *e)
{
	static const char *const names[] = {"limit", "reservation", "swap"};
	const int64_t v[] = {r->memory_limit, r->memory_reservation,
			     r->memory_swap};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		if (v[i] != CG_UNSET && v[i] < -1)
			return herr_set(e, EINVAL,
					".linux.resources.memory.%s: must be "
					"a number of bytes or -1 (unlimited), "
					"not %lld",
					names[i], (long long)v[i]);
	if (r->memory_swap > 0 && r->memory_limit > 0 &&
	    r->memory_swap < r->memory_limit)
		return herr_set(e, EINVAL,
				".linux.resources.memory.swap: memory+swap "
				"(%lld) must be at least the memory limit "
				"(%lld)",
				(long long)r->memory_swap,
				(long long)r->memory_limit);
	if (r->memory_swappiness != CG_UNSET &&
	    (r->memory_swappiness < 0 || r->memory_swappiness > 100))
		return herr_set(e, EINVAL,
				".linux.resources.memory.swappiness: must be "
				"between 0 and 100");
	return 0;
}

static int check_cpu(const struct cg_resources *r, struct herr *e)
{
	if (r->cpu_shares != CG_UNSET &&
	    (r->cpu_shares < 0 || r->cpu_shares > 262144))
		return herr_set(e, EINVAL,
				".linux.resources.cpu.shares: must be between "
				"2 and 262144");
	if (r->cpu_quota != CG_UNSET && r->cpu_quota != -1) {
		if (r->cpu_period == CG_UNSET)
			return herr_set(e, EINVAL,
					".linux.resources.cpu.quota: requires "
					".linux.resources.cpu.period");
		if (r->cpu_quota < 1000)
			return herr_set(e, EINVAL,
					".linux.resources.cpu.quota: must be "
					"-1 (unlimited) or at least 1000 "
					"microseconds");
	}
	if (r->cpu_period != CG_UNSET &&
	    (r->cpu_period < 1000 || r->cpu_period > 1000000))
		return herr_set(e, EINVAL,
				".linux.resources.cpu.period: must be between "
				"1000 and 1000000 microseconds");
	if (r->cpus && !cpulist_ok(r->cpus))
		return herr_set(e, EINVAL,
				".linux.resources.cpu.cpus: \"%s\" is not a "
				"cpu list like \"0-3,6\"",
				r->cpus);
	if (r->mems && !cpulist_ok(r->mems))
		return herr_set(e, EINVAL,
				".linux.resources.cpu.mems: \"%s\" is not a "
				"node list like \"0-1\"",
				r->mems);
	return 0;
}

static int check_blkio_and_pages(const struct cg_resources *r, struct herr *e)
{
	if (r->blkio_weight != CG_UNSET &&
	    (r->blkio_weight < 10 || r->blkio_weight > 1000))
		return herr_set(e, EINVAL,
				".linux.resources.blockIO.weight: must be "
				"between 10 and 1000");
	if (r->blkio_leaf_weight != CG_UNSET &&
	    (r->blkio_leaf_weight < 10 || r->blkio_leaf_weight > 1000))
		return herr_set(e, EINVAL,
				".linux.resources.blockIO.leafWeight: must be "
				"between 10 and 1000");
	if (check_weight_devices(r, e) < 0)
		return -1;
	for (size_t i = 0; i < r->nhugepages; i++)
		if (!r->hugepages[i].pagesize ||
		    !pagesize_ok(r->hugepages[i].pagesize))
			return herr_set(e, EINVAL,
					".linux.resources.hugepageLimits[%zu]."
					"pageSize: expected a size like "
					"\"2MB\" or \"1GB\"",
					i);
	return 0;
}

static int check_devices(const struct cg_resources *r, struct herr *e)
{
	for (size_t i = 0; i < r->ndevices; i++) {
		const struct cg_device_rule *d = &r->devices[i];

		if (d->type != 'a' && d->type != 'b' && d->type != 'c')
			return herr_set(e, EINVAL,
					".linux.resources.devices[%zu].type: "
					"must be \"a\", \"b\" or \"c\"",
					i);
		if (d->access[strspn(d->access, "rwm")] != '\0')
			return herr_set(e, EINVAL,
					".linux.resources.devices[%zu].access: "
					"\"%s\" is not a subset of \"rwm\"",
					i, d->access);
	}
	return 0;
}

int cg_resources_validate(const struct cg_resources *r, struct herr *e)
{
	if (check_memory(r, e) < 0 || check_cpu(r, e) < 0 ||
	    check_blkio_and_pages(r, e) < 0 || check_devices(r, e) < 0)
		return -1;
	for (size_t i = 0; i < r->nunified; i++) {
		const char *k = r->unified[i].key, *why;

		why = unified_key_problem(k);
		if (why)
			return herr_set(e, EINVAL,
					".linux.resources.unified[\"%.64s\"]: "
					"%s",
					k, why);
		if (!r->unified[i].value)
			return herr_set(e, EINVAL,
					".linux.resources.unified[\"%s\"]: "
					"needs a string value",
					k);
	}
	return 0;
}
