/*
 * caps: the container init's capability sets, applied exactly as the
 * config lists them (see process.h), through libcap.
 *
 * Order matters.  Dropping from the bounding set needs CAP_SETPCAP in the
 * effective set, and after rt_child_set_user() moved to a non-zero uid the
 * effective set is empty (PR_SET_KEEPCAPS keeps only the permitted set).
 * So: raise effective to permitted, drop the bounding set, set
 * effective/permitted/inheritable in one capset(2), then ambient last
 * because a cap can only be ambient if it is permitted and inheritable.
 */
#include "process.h"

#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* The highest capability the running kernel knows: libcap found it before
 * main() (a binary search with PR_CAPBSET_READ), as cap_last_cap says. */
static int last_cap(void)
{
	int n = cap_max_bits();

	return n > 0 && n <= 64 ? n - 1 : CAP_LAST_CAP;
}

/* "cap_chown,cap_kill", "all" or "(none)" into buf. */
static const char *caps_str(uint64_t mask, int last, char *buf, size_t n)
{
	uint64_t all = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	size_t off = 0;

	if (mask == 0)
		return "(none)";
	if (mask == all)
		return "all";
	buf[0] = '\0';
	for (int c = 0; c < 64 && off < n; c++) {
		char *name;

		if (!(mask & (1ULL << c)))
			continue;
		name = cap_to_name(c);
		off += snprintf(buf + off, n - off, "%s%s", off ? "," : "",
				name ? name : "?");
		cap_free(name);
	}
	return buf;
}

static int set_proc(uint64_t eff, uint64_t prm, uint64_t inh, int last,
		    struct herr *e)
{
	const struct {
		cap_flag_t flag;
		uint64_t mask;
	} sets[] = {
	    {CAP_EFFECTIVE, eff}, {CAP_PERMITTED, prm}, {CAP_INHERITABLE, inh}};
	cap_t c = cap_init();
	int r = 0;

	if (!c)
		return herr_sys(e, errno, "cap_init");
	for (size_t i = 0; i < ARRAY_SIZE(sets) && r == 0; i++)
		for (cap_value_t v = 0; v <= last && r == 0; v++)
			if (sets[i].mask & (1ULL << v))
				r = cap_set_flag(c, sets[i].flag, 1, &v,
						 CAP_SET);
	if (r == 0)
		r = cap_set_proc(c);
	if (r < 0)
		herr_sys(e, errno, "capset");
	cap_free(c);
	return r;
}

/* Make every permitted capability effective (the CAP_SETPCAP we need for
 * the bounding set, in particular). */
static int raise_effective(struct herr *e)
{
	cap_t c = cap_get_proc();
	int r;

	if (!c)
		return herr_sys(e, errno, "reading our capabilities");
	r = cap_fill(c, CAP_EFFECTIVE, CAP_PERMITTED);
	if (r == 0)
		r = cap_set_proc(c);
	if (r < 0)
		herr_sys(e, errno, "raising the effective capabilities");
	cap_free(c);
	return r;
}

/* One prctl per capability to drop: dropping one the set no longer has
 * succeeds too, as long as we hold CAP_SETPCAP; without it, a capability
 * already gone is not an error. */
static int drop_bounding(uint64_t keep, int last, struct herr *e)
{
	for (cap_value_t v = 0; v <= last; v++) {
		char *name;

		if ((keep & (1ULL << v)) || cap_drop_bound(v) == 0)
			continue;
		if (errno == EPERM && cap_get_bound(v) == 0)
			continue;
		name = cap_to_name(v);
		herr_sys(e, errno, "dropping '%s' from the bounding set",
			 name ? name : "?");
		cap_free(name);
		if (e->err == EPERM)
			herr_hint(e, "it needs CAP_SETPCAP");
		return -1;
	}
	return 0;
}

static int set_ambient(uint64_t amb, int last, struct herr *e)
{
	/* Clearing fails only on kernels without ambient caps (< 4.3), which
	 * have none to clear.  One prctl: libcap's cap_reset_ambient() asks
	 * for each capability first. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && amb)
		return herr_sys(e, errno, "clearing the ambient capabilities");
	for (cap_value_t v = 0; v <= last; v++) {
		char *name;

		if (!(amb & (1ULL << v)) || cap_set_ambient(v, CAP_SET) == 0)
			continue;
		name = cap_to_name(v);
		herr_sys(e, errno, "raising ambient capability '%s'",
			 name ? name : "?");
		cap_free(name);
		if (e->err == EPERM)
			herr_hint(e, "an ambient capability must also be "
				     "permitted and inheritable");
		return -1;
	}
	return 0;
}

int rt_child_set_caps(const struct rt_process *p, struct herr *e)
{
	struct rt_caps c = p->caps;
	int last = last_cap();
	uint64_t known = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	uint64_t unknown, lost;
	char b[5][1024];

	/* No capabilities object: nothing at all, like runc. */
	if (!c.present)
		c.bounding = c.effective = c.permitted = c.inheritable =
		    c.ambient = 0;
	unknown = (c.bounding | c.effective | c.permitted | c.inheritable |
		   c.ambient) &
		  ~known;
	if (unknown) {
		char u[512];
		size_t off = 0;

		u[0] = '\0';
		for (int v = 0; v < 64; v++)
			if (unknown & (1ULL << v))
				off += snprintf(u + off, sizeof(u) - off,
						"%s%d", off ? "," : "", v);
		base_warn("capabilities %s are newer than the running kernel "
			  "(last is %d) and are skipped",
			  u, last);
		c.bounding &= known;
		c.effective &= known;
		c.permitted &= known;
		c.inheritable &= known;
		c.ambient &= known;
	}
	/* The kernel raises an ambient capability only if it is permitted and
	 * inheritable.  `runc spec` lists ambient ones that are not
	 * inheritable; the runtime spec says to warn, not fail, and husk
	 * never adds to the inheritable set to make them fit
	 * (CVE-2022-29162). */
	lost = c.ambient & ~(c.permitted & c.inheritable);
	if (lost) {
		base_warn("ambient capabilities %s are skipped: an ambient "
			  "capability must also be permitted and inheritable",
			  caps_str(lost, last, b[4], sizeof(b[4])));
		c.ambient &= ~lost;
	}
	base_debug("capabilities: bounding=%s effective=%s permitted=%s "
		   "inheritable=%s ambient=%s",
		   caps_str(c.bounding, last, b[0], sizeof(b[0])),
		   caps_str(c.effective, last, b[1], sizeof(b[1])),
		   caps_str(c.permitted, last, b[2], sizeof(b[2])),
		   caps_str(c.inheritable, last, b[3], sizeof(b[3])),
		   caps_str(c.ambient, last, b[4], sizeof(b[4])));

	if (raise_effective(e) < 0 || drop_bounding(c.bounding, last, e) < 0)
		return -1;
	if (set_proc(c.effective, c.permitted, c.inheritable, last, e) < 0) {
		if (e->err == EPERM)
			herr_hint(e, "effective must lie within permitted, "
				     "permitted can only shrink, and "
				     "inheritable must lie within bounding");
		return -1;
	}
	return set_ambient(c.ambient, last, e);
}
