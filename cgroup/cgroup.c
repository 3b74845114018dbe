/*
 * cgroup: find the hierarchies, place the container in them, and manage
 * what is inside (pids, signals, freezing, statistics, removal).
 *
 * What each limit means in which file lives in v1.c and v2.c; the pure
 * conversions in values.c.  This file is the policy: which hierarchy gets
 * which controller, where the container's directory goes, and the rule
 * that husk removes only the directories it made.
 *
 * The saved path (cg_path) is one entry per hierarchy, joined by ';':
 *     <created>:<controllers>:<path inside the hierarchy>
 * e.g. "2:memory:/husk-test/c1;2:cpu:/husk-test/c1;2::/husk-test/c1"
 * where <controllers> is spelled as in /proc/self/cgroup ("" for v2) and
 * <created> is how many trailing components husk made ("c1" and
 * "husk-test" above), which is all a later `husk delete` needs to remove
 * exactly those, leaf first, stopping at a parent that is not empty.
 */
#include "cgroup-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

/* One mounted v1 hierarchy, matched to a line of /proc/self/cgroup. */
struct hier {
	char *key;   /* "cpu,cpuacct", "memory", ... */
	char *mount; /* "/sys/fs/cgroup/memory" */
	char *self;  /* husk's own cgroup in it, relative to the mount */
	unsigned ctls;
};

static struct {
	bool done;
	enum cg_mode mode;
	char *v2_mount, *v2_self;
	char *v2_ctls_str; /* the v2 root's cgroup.controllers */
	unsigned v2_ctls;
	struct hier v1[CGI_MAX_DIRS];
	size_t nv1;
} host;

/* ---- detection ---------------------------------------------------------- */

/* Make a path from /proc/self/cgroup relative to the mount's root. */
static char *strip_root(const char *self, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") != 0 && strncmp(self, root, n) == 0 &&
	    (self[n] == '/' || self[n] == '\0'))
		self += n;
	return xstrdup(*self ? self : "/");
}

static void read_mountinfo(void)
{
	_cleanup_free_ char *mi =
	    base_read_file_at(AT_FDCWD, "/proc/self/mountinfo", NULL);
	char *save = NULL;

	for (char *l = mi ? strtok_r(mi, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char root[4096], mnt[4096], type[64], opts[1024];
		const char *sep = strstr(l, " - ");

		if (!sep ||
		    sscanf(l, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s %*s %1023s", type, opts) != 2)
			continue;
		base_mountinfo_unescape(root);
		base_mountinfo_unescape(mnt);
		if (strcmp(type, "cgroup2") == 0) {
			/* Prefer the canonical places over stray bind mounts.
			 */
			if (host.v2_mount && strcmp(mnt, "/sys/fs/cgroup") &&
			    strcmp(mnt, "/sys/fs/cgroup/unified"))
				continue;
			free(host.v2_mount);
			host.v2_mount = xstrdup(mnt);
			if (host.v2_self) {
				char *s = strip_root(host.v2_self, root);

				free(host.v2_self);
				host.v2_self = s;
			}
			continue;
		}
		if (strcmp(type, "cgroup") != 0)
			continue;
		for (size_t i = 0; i < host.nv1; i++) {
			struct hier *h = &host.v1[i];

			if (h->mount || !base_opts_have_all(opts, h->key))
				continue;
			h->mount = xstrdup(mnt);
			char *s = strip_root(h->self, root);
			free(h->self);
			h->self = s;
		}
	}
}

static void read_self_cgroup(void)
{
	_cleanup_free_ char *pc =
	    base_read_file_at(AT_FDCWD, "/proc/self/cgroup", NULL);
	char *save = NULL;

	for (char *l = pc ? strtok_r(pc, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(l, ':'),
		     *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		struct hier *h;

		if (!c2)
			continue;
		*c2 = '\0';
		if (c1[1] == '\0') {
			host.v2_self = xstrdup(c2 + 1);
			continue;
		}
		if (host.nv1 == ARRAY_SIZE(host.v1))
			continue;
		h = &host.v1[host.nv1];
		h->key = xstrdup(c1 + 1);
		h->self = xstrdup(c2 + 1);
		for (int c = 0; c < CGI_NCTL; c++)
			if (base_opts_have_all(h->key, cgi_v1_name[c]))
				h->ctls |= CGI_BIT(c);
		/* name=systemd and friends are not ours to touch. */
		if (h->ctls)
			host.nv1++;
		else
			free(h->key), free(h->self);
	}
}

static void detect(void)
{
	struct statfs fs;
	bool any_v1 = false;

	if (host.done)
		return;
	host.done = true;
	read_self_cgroup();
	read_mountinfo();
	if (host.v2_mount) {
		struct cgi_dir root = {.path = host.v2_mount};

		host.v2_ctls_str = cgi_read(&root, "cgroup.controllers");
		for (int c = 0; c < CGI_NCTL; c++)
			if (cgi_v2_name[c] &&
			    cgi_word_in(host.v2_ctls_str, cgi_v2_name[c]))
				host.v2_ctls |= CGI_BIT(c);
	}
	for (size_t i = 0; i < host.nv1; i++)
		if (host.v1[i].mount)
			any_v1 = true;
	if (statfs("/sys/fs/cgroup", &fs) == 0 &&
	    fs.f_type == CGROUP2_SUPER_MAGIC)
		host.mode = CG_MODE_V2;
	else
		host.mode =
		    host.v2_mount && any_v1 ? CG_MODE_HYBRID : CG_MODE_V1;
	if (host.v2_ctls_str)
		host.v2_ctls_str[strcspn(host.v2_ctls_str, "\n")] = '\0';
	base_debug("cgroup mode %s, v2 at %s with controllers \"%s\"",
		   host.mode == CG_MODE_V2	 ? "v2"
		   : host.mode == CG_MODE_HYBRID ? "hybrid"
						 : "v1",
		   host.v2_mount ? host.v2_mount : "(none)",
		   host.v2_ctls_str ? host.v2_ctls_str : "");
}

enum cg_mode cg_detect(void)
{
	detect();
	return host.mode;
}

/* ---- the handle -----------------------------------------------------------
 */

/* Which controllers a directory in this hierarchy serves for husk: v1
 * hierarchies give up any controller that v2 offers. */
static unsigned v1_ctls(const struct hier *h)
{
	unsigned m = h->ctls & ~host.v2_ctls;

	if (host.v2_ctls & CGI_BIT(CGI_CPU))
		m &= ~CGI_BIT(CGI_CPUACCT);
	return m;
}

static unsigned v2_dir_ctls(void)
{
	unsigned m = host.v2_ctls | CGI_V2_CORE, v1 = 0;

	if (m & CGI_BIT(CGI_CPU))
		m |= CGI_BIT(CGI_CPUACCT);
	for (size_t i = 0; i < host.nv1; i++)
		if (host.v1[i].mount)
			v1 |= v1_ctls(&host.v1[i]);
	return m & ~v1;
}

static void add_dir(struct cg *cg, bool v2, const char *key, const char *mount,
		    const char *rel, unsigned ctls, int created)
{
	struct cgi_dir *d = &cg->dirs[cg->ndirs++];

	d->v2 = v2;
	d->key = xstrdup(key);
	d->mount = xstrdup(mount);
	d->rel = xstrdup(rel);
	d->path = xasprintf("%s%s", mount, rel);
	d->ctls = ctls;
	d->created = created;
}

static void make_saved(struct cg *cg)
{
	size_t cap = 1;

	for (size_t i = 0; i < cg->ndirs; i++)
		cap += strlen(cg->dirs[i].key) + strlen(cg->dirs[i].rel) + 16;
	free(cg->saved);
	cg->saved = xcalloc(1, cap);
	for (size_t i = 0; i < cg->ndirs; i++)
		snprintf(cg->saved + strlen(cg->saved), cap - strlen(cg->saved),
			 "%s%d:%s:%s", i ? ";" : "", cg->dirs[i].created,
			 cg->dirs[i].key, cg->dirs[i].rel);
}

void cg_free(struct cg *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->ndirs; i++) {
		free(cg->dirs[i].key);
		free(cg->dirs[i].mount);
		free(cg->dirs[i].rel);
		free(cg->dirs[i].path);
	}
	free(cg->saved);
	free(cg);
}

const char *cg_path(const struct cg *cg)
{
	return cg->saved;
}

int cg_open(struct cg **out, const char *saved, struct herr *e)
{
	struct cg *cg = xcalloc(1, sizeof(*cg));
	_cleanup_free_ char *copy = xstrdup(saved);
	char *save = NULL;

	detect();
	cg->mode = host.mode;
	for (char *ent = strtok_r(copy, ";", &save); ent;
	     ent = strtok_r(NULL, ";", &save)) {
		char *c1 = strchr(ent, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : 0;
		uint32_t created;
		size_t i;

		if (!c2 || c2[1] != '/' || cg->ndirs == CGI_MAX_DIRS)
			goto bad;
		*c1 = *c2 = '\0';
		if (base_parse_u32(ent, &created) < 0)
			goto bad;
		if (c1[1] == '\0') {
			if (!host.v2_mount) {
				herr_set(e, ENOENT,
					 "cgroup v2 is no longer "
					 "mounted");
				goto fail;
			}
			add_dir(cg, true, "", host.v2_mount, c2 + 1,
				v2_dir_ctls(), (int)created);
			continue;
		}
		for (i = 0; i < host.nv1; i++)
			if (host.v1[i].mount && !strcmp(host.v1[i].key, c1 + 1))
				break;
		if (i == host.nv1) {
			herr_set(e, ENOENT,
				 "the cgroup v1 hierarchy '%s' is not mounted",
				 c1 + 1);
			goto fail;
		}
		add_dir(cg, false, c1 + 1, host.v1[i].mount, c2 + 1,
			v1_ctls(&host.v1[i]), (int)created);
	}
	if (cg->ndirs == 0)
		goto bad;
	make_saved(cg);
	*out = cg;
	return 0;
bad:
	herr_set(e, EINVAL, "'%s' is not a cgroup path saved by husk", saved);
fail:
	cg_free(cg);
	return -1;
}

/* ---- placement -------------------------------------------------------- */

/* Check a cgroupsPath and return it without "//" and trailing '/'. */
static char *clean_path(const char *p, struct herr *e)
{
	char *out = xcalloc(1, strlen(p) + 2), *w = out;

	if (p[strcspn(p, ";\n")])
		goto bad;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");

		if ((n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)))
			goto bad;
		if (n) {
			if (w != out || p[0] == '/')
				*w++ = '/';
			memcpy(w, s, n);
			w += n;
		}
		s += n + (s[n] == '/');
	}
	if (w == out) {
		free(out);
		herr_set(e, EINVAL,
			 "cgroupsPath '%s' names a hierarchy root; a "
			 "container needs a cgroup of its own",
			 p);
		return NULL;
	}
	return out;
bad:
	free(out);
	herr_set(e, EINVAL,
		 "cgroupsPath '%s' may not contain '.' or '..' components, "
		 "';' or newlines",
		 p);
	return NULL;
}

/* mkdir every missing component of d->rel, counting what husk made. */
static int make_dirs(struct cgi_dir *d, struct herr *e)
{
	size_t base = strlen(d->mount);
	_cleanup_free_ char *p = xstrdup(d->path);

	for (char *s = p + base + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) == 0) {
			base_debug("mkdir %s", p);
			d->created++;
		} else if (errno != EEXIST || d->created) {
			return herr_sys(e, errno, "creating cgroup '%s'", p);
		}
		if (!c)
			return 0;
		*s = c;
	}
}

static bool populated(const struct cgi_dir *d)
{
	_cleanup_free_ char *procs = cgi_read(d, "cgroup.procs");

	return procs && procs[0];
}

/* The names for cgroup.subtree_control: what r needs on v2 (hard) and
 * what husk would like for statistics (soft). */
static int v2_names(const struct cg *cg, const struct cgi_dir *d,
		    const struct cg_resources *r, char *hard, char *soft,
		    size_t n, struct herr *e)
{
	unsigned need = cgi_needed(r) & d->ctls & ~CGI_V2_CORE;

	for (int c = 0; c < CGI_NCTL; c++) {
		if (cgi_v2_name[c] && (need & CGI_BIT(c)))
			snprintf(hard + strlen(hard), n - strlen(hard), "%s ",
				 cgi_v2_name[c]);
		if (cgi_v2_name[c] && (host.v2_ctls & CGI_BIT(c)) &&
		    (CGI_BIT(c) & (CGI_BIT(CGI_CPU) | CGI_BIT(CGI_MEMORY) |
				   CGI_BIT(CGI_PIDS) | CGI_BIT(CGI_IO))))
			snprintf(soft + strlen(soft), n - strlen(soft), "%s ",
				 cgi_v2_name[c]);
	}
	for (size_t i = 0; i < r->nunified; i++) {
		char ctl[64];

		cgi_key_controller(r->unified[i].key, ctl, sizeof(ctl));
		if (!cgi_word_in(host.v2_ctls_str, ctl)) {
			for (size_t j = 0; j < cg->ndirs; j++)
				if (!cg->dirs[j].v2 &&
				    base_opts_have_all(cg->dirs[j].key, ctl))
					return herr_set(
					    e, EOPNOTSUPP,
					    ".linux.resources.unified[\"%s\"]: "
					    "the '%s' controller is on cgroup "
					    "v1 on this host; unified keys "
					    "need cgroup v2",
					    r->unified[i].key, ctl);
			return herr_set(e, ENOENT,
					".linux.resources.unified[\"%s\"]: "
					"controller '%s' is not listed in "
					"'%s/cgroup.controllers'",
					r->unified[i].key, ctl, d->mount);
		}
		if (!cgi_word_in(hard, ctl))
			snprintf(hard + strlen(hard), n - strlen(hard), "%s ",
				 ctl);
	}
	return 0;
}

/* Every controller r needs must be served by some directory. */
static int check_served(const struct cg *cg, const struct cg_resources *r,
			struct herr *e)
{
	unsigned have = 0, missing;

	for (size_t i = 0; i < cg->ndirs; i++)
		have |= cg->dirs[i].ctls;
	missing = cgi_needed(r) & ~have;
	for (int c = 0; c < CGI_NCTL; c++)
		if (missing & CGI_BIT(c))
			return herr_set(e, ENOENT,
					"the config sets '%s' limits, but the "
					"controller is neither in '%s/cgroup."
					"controllers' nor mounted as cgroup v1",
					cgi_v1_name[c],
					host.v2_mount ? host.v2_mount
						      : "/sys/fs/cgroup");
	if (r->nunified && !host.v2_mount)
		return herr_set(e, EOPNOTSUPP,
				".linux.resources.unified: cgroup v2 is not "
				"mounted on this host");
	return 0;
}

static int apply(struct cg *cg, const struct cg_resources *r, struct herr *e)
{
	if (check_served(cg, r, e) < 0)
		return -1;
	for (size_t i = 0; i < cg->ndirs; i++) {
		struct cgi_dir *d = &cg->dirs[i];

		if (d->v2 ? cgi_v2_apply(d, r, e) : cgi_v1_apply(d, r, e))
			return -1;
	}
	return 0;
}

static int place(struct cg *cg, const char *path, const char *id,
		 struct herr *e)
{
	_cleanup_free_ char *name = NULL, *clean = NULL;

	if (!path) {
		if (!id || !*id || strchr(id, '/'))
			return herr_set(e, EINVAL,
					"container id '%s' cannot "
					"name a cgroup",
					id ? id : "");
		path = name = xasprintf("husk-%s", id);
	}
	clean = clean_path(path, e);
	if (!clean)
		return -1;
	for (size_t i = 0; i < host.nv1; i++) {
		const struct hier *h = &host.v1[i];
		_cleanup_free_ char *rel = NULL;

		if (!h->mount || !v1_ctls(h))
			continue;
		rel =
		    clean[0] == '/'
			? xstrdup(clean)
			: xasprintf("%s/%s",
				    strcmp(h->self, "/") ? h->self : "", clean);
		add_dir(cg, false, h->key, h->mount, rel, v1_ctls(h), 0);
	}
	if (host.v2_mount) {
		_cleanup_free_ char *rel =
		    clean[0] == '/'
			? xstrdup(clean)
			: xasprintf("%s/%s",
				    strcmp(host.v2_self, "/") ? host.v2_self
							      : "",
				    clean);

		add_dir(cg, true, "", host.v2_mount, rel, v2_dir_ctls(), 0);
	}
	if (cg->ndirs == 0)
		return herr_set(e, ENOENT,
				"no cgroup hierarchy is mounted "
				"under /sys/fs/cgroup");
	return 0;
}

int cg_create(struct cg **out, const char *path, const char *id,
	      const struct cg_resources *r, struct herr *e)
{
	struct cg *cg = xcalloc(1, sizeof(*cg));

	detect();
	cg->mode = host.mode;
	if (place(cg, path, id, e) < 0)
		goto undo;
	for (size_t i = 0; i < cg->ndirs; i++) {
		struct cgi_dir *d = &cg->dirs[i];
		char hard[512] = "", soft[128] = "";

		if (make_dirs(d, e) < 0)
			goto undo;
		if (!d->created && populated(d)) {
			herr_set(e, EBUSY,
				 "cgroup '%s' already exists and has "
				 "processes; refusing to share it",
				 d->path);
			goto undo;
		}
		if (!d->v2 && cgi_v1_prepare(d, e) < 0)
			goto undo;
		if (d->v2 && (v2_names(cg, d, r, hard, soft, sizeof(hard), e) ||
			      cgi_v2_enable(d, hard, soft, e)))
			goto undo;
	}
	make_saved(cg);
	if (apply(cg, r, e) < 0)
		goto undo;
	*out = cg;
	return 0;
undo:
	/* No process has joined yet: removing the directories is enough. */
	cgi_remove_dirs(cg, NULL);
	cg_free(cg);
	return -1;
}

int cg_update(struct cg *cg, const struct cg_resources *r, struct herr *e)
{
	/* A limit that create did not set may need its v2 controller
	 * enabled in the ancestors first (never in the container's own
	 * cgroup, which holds its processes). */
	for (size_t i = 0; i < cg->ndirs; i++) {
		const struct cgi_dir *d = &cg->dirs[i];
		char hard[512] = "", soft[128] = "";

		if (d->v2 && (v2_names(cg, d, r, hard, soft, sizeof(hard), e) ||
			      cgi_v2_enable(d, hard, "", e)))
			return -1;
	}
	return apply(cg, r, e);
}
