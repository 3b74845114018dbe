/*
 * mount_cgroup: the "cgroup" mount type, read-only unless "rw" is given.
 *
 * - cgroup v2 host: a fresh cgroup2 mount.  In a cgroup namespace of its
 *   own the container sees its cgroup as the root.  If the kernel refuses
 *   (a user namespace without a cgroup namespace), bind the container's own
 *   cgroup directory instead, like runc.
 * - v1 or hybrid host: a tmpfs with one mount per hierarchy found under
 *   /sys/fs/cgroup in /proc/self/mountinfo: with a cgroup namespace, a
 *   fresh mount of the same controllers (the kernel roots it at the
 *   namespace); without, a bind of the container's own cgroup in it, whose
 *   path comes from /proc/self/cgroup.
 * ns/ never asks cgroup/: the kernel's own files tell us everything.
 */
#include "internal.h"
#include "syscalls.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>

#define CGROUP_DIR "/sys/fs/cgroup"

struct hierarchy {
	char *mountpoint;  /* /sys/fs/cgroup/cpu */
	char *root;	   /* the mount's root inside the hierarchy */
	char *fstype;	   /* "cgroup" or "cgroup2" */
	char *superopts;   /* "rw,cpu" */
	char *controllers; /* from /proc/self/cgroup: "cpu", "name=systemd" */
	char *path;	   /* our cgroup in this hierarchy */
};

static void hierarchy_free(struct hierarchy *h)
{
	free(h->mountpoint);
	free(h->root);
	free(h->fstype);
	free(h->superopts);
	free(h->controllers);
	free(h->path);
}

static char *read_self_cgroup(void)
{
	return base_read_file_at(AT_FDCWD, "/proc/self/cgroup", NULL);
}

/* Fill controllers and path of h from self_cgroup, the text of
 * /proc/self/cgroup (read once for every hierarchy). */
static int match_self_cgroup(struct hierarchy *h, const char *self_cgroup)
{
	_cleanup_free_ char *text = self_cgroup ? xstrdup(self_cgroup) : NULL;
	char *line, *save = NULL;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *path;
		bool v2;

		if (!ctrls || !(path = strchr(++ctrls, ':')))
			continue;
		*path++ = '\0';
		v2 = !*ctrls;
		if (v2 != !strcmp(h->fstype, "cgroup2"))
			continue;
		if (!v2 && !base_opts_have_all(h->superopts, ctrls))
			continue;
		h->controllers = xstrdup(ctrls);
		h->path = xstrdup(path);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* Only /sys/fs/cgroup/NAME: other cgroup mounts in our copy of the host's
 * mount table belong to other containers. */
static bool directly_below_cgroup_dir(const char *mountpoint)
{
	size_t n = strlen(CGROUP_DIR "/");

	return !strncmp(mountpoint, CGROUP_DIR "/", n) && mountpoint[n] &&
	       !strchr(mountpoint + n, '/');
}

/* The cgroup hierarchies mounted at /sys/fs/cgroup/NAME. */
static int find_hierarchies(struct hierarchy **out, size_t *n, struct herr *e)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL, *self_cgroup = read_self_cgroup();
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!f)
		return herr_sys(e, errno, "opening '/proc/self/mountinfo'");
	while (getline(&line, &cap, f) > 0) {
		struct hierarchy h = {0};
		char *sep = strstr(line, " - ");

		if (!sep ||
		    sscanf(line, "%*d %*d %*s %ms %ms", &h.root,
			   &h.mountpoint) != 2 ||
		    sscanf(sep + 3, "%ms %*s %ms", &h.fstype, &h.superopts) !=
			2) {
			hierarchy_free(&h);
			continue;
		}
		base_mountinfo_unescape(h.mountpoint);
		base_mountinfo_unescape(h.root);
		if ((strcmp(h.fstype, "cgroup") &&
		     strcmp(h.fstype, "cgroup2")) ||
		    !directly_below_cgroup_dir(h.mountpoint) ||
		    match_self_cgroup(&h, self_cgroup) < 0) {
			hierarchy_free(&h);
			continue;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = h;
	}
	fclose(f);
	return 0;
}

/* The host path of our own cgroup in h: mountpoint + path below root. */
static char *own_cgroup_dir(const struct hierarchy *h)
{
	size_t r = strcmp(h->root, "/") ? strlen(h->root) : 0;

	const char *below = h->path + r;

	if (strncmp(h->path, h->root, r) || (*below && *below != '/') ||
	    !strcmp(below, "/"))
		return xstrdup(h->mountpoint);
	return xasprintf("%s%s", h->mountpoint, below);
}

static int mount_hierarchy(int rootfd, const struct ns_fs *fs,
			   const struct ns_mount *m, const struct hierarchy *h,
			   unsigned long flags, struct herr *e)
{
	const char *name = strrchr(h->mountpoint, '/') + 1;
	_cleanup_free_ char *dest = xasprintf("%s/%s", m->destination, name);
	_cleanup_free_ char *src = NULL;
	struct ns_mount c = {.destination = dest, .flags = flags};

	if (fs->new_cgroupns) {
		c.type = h->fstype;
		c.source = "cgroup";
		c.data = strcmp(h->fstype, "cgroup2") ? h->controllers : NULL;
		if (ns_mount_one(rootfd, fs, &c, false, e) < 0)
			return herr_wrap(e, "mounting '%s'", dest);
	} else {
		c.source = src = own_cgroup_dir(h);
		c.bind = c.recursive = true;
		if (ns_mount_one(rootfd, fs, &c, true, e) < 0)
			return herr_wrap(e, "mounting '%s'", dest);
	}
	/* A co-mounted hierarchy ("cpu,cpuacct") is also reachable by the
	 * name of each of its controllers, as on the host. */
	if (strchr(name, ',')) {
		_cleanup_free_ char *names = xstrdup(name);
		_cleanup_fd_ int dir = -1;
		char *tok, *save = NULL;

		dir = ns_open_in_root(rootfd, m->destination, false, true);
		if (dir < 0)
			return herr_sys(e, errno, "opening '%s'",
					m->destination);
		for (tok = strtok_r(names, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			base_debug("symlink %s/%s -> %s", m->destination, tok,
				   name);
			if (symlinkat(name, dir, tok) < 0 && errno != EEXIST)
				return herr_sys(e, errno, "symlink '%s/%s'",
						m->destination, tok);
		}
	}
	return 0;
}

static int mount_v1(int rootfd, const struct ns_fs *fs,
		    const struct ns_mount *m, unsigned long flags,
		    struct herr *e)
{
	struct ns_mount t = {
	    .destination = m->destination,
	    .type = "tmpfs",
	    .source = "tmpfs",
	    .flags = flags & ~(unsigned long)MS_RDONLY,
	    .data = "mode=755",
	};
	struct hierarchy *hs = NULL;
	_cleanup_fd_ int top = -1;
	size_t i, n;
	int r = 0;

	if (find_hierarchies(&hs, &n, e) < 0)
		return -1;
	if (ns_mount_one(rootfd, fs, &t, false, e) < 0)
		r = -1;
	for (i = 0; i < n; i++) {
		if (r == 0)
			r = mount_hierarchy(rootfd, fs, m, &hs[i], flags, e);
		hierarchy_free(&hs[i]);
	}
	free(hs);
	if (r < 0 || !(flags & MS_RDONLY))
		return r;

	/* Only now: the hierarchies' mount points had to be created. */
	top = ns_open_in_root(rootfd, m->destination, false, true);
	base_debug("mount_setattr %s set ro", m->destination);
	if (top < 0 ||
	    mount_setattr(top, "", AT_EMPTY_PATH,
			  &(struct mount_attr){.attr_set = MOUNT_ATTR_RDONLY},
			  sizeof(struct mount_attr)) < 0)
		return herr_sys(e, errno, "making '%s' read-only",
				m->destination);
	return 0;
}

static int mount_v2(int rootfd, const struct ns_fs *fs,
		    const struct ns_mount *m, unsigned long flags,
		    struct herr *e)
{
	struct ns_mount c = *m;
	struct hierarchy h = {
	    .mountpoint = xstrdup(CGROUP_DIR),
	    .root = xstrdup("/"),
	    .fstype = xstrdup("cgroup2"),
	    .superopts = xstrdup(""),
	};
	_cleanup_free_ char *self_cgroup = NULL;
	int r;

	c.type = "cgroup2";
	c.source = "cgroup2";
	c.flags = flags;
	r = ns_mount_one(rootfd, fs, &c, false, e);
	if (r < 0 && !fs->new_cgroupns &&
	    (e->err == EPERM || e->err == EBUSY) &&
	    match_self_cgroup(&h, self_cgroup = read_self_cgroup()) == 0) {
		_cleanup_free_ char *own = own_cgroup_dir(&h);

		base_debug("cgroup2 refused: bind-mounting '%s' instead", own);
		c.source = own;
		c.bind = c.recursive = true;
		c.data = NULL;
		r = ns_mount_one(rootfd, fs, &c, true, e);
	}
	hierarchy_free(&h);
	return r;
}

int ns_mount_cgroup(int rootfd, const struct ns_fs *fs,
		    const struct ns_mount *m, struct herr *e)
{
	unsigned long flags = m->flags;
	struct statfs st;

	if (!(m->clear_flags & MS_RDONLY))
		flags |= MS_RDONLY;
	if (statfs(CGROUP_DIR, &st) < 0)
		return herr_sys(e, errno, "statfs '%s'", CGROUP_DIR);
	if (st.f_type == CGROUP2_SUPER_MAGIC)
		return mount_v2(rootfd, fs, m, flags, e);
	return mount_v1(rootfd, fs, m, flags, e);
}
