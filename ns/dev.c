/*
 * dev: the container's /dev -- the standard nodes every program expects,
 * the /proc/self/fd links, and the nodes listed in linux.devices.
 *
 * Nodes are made with mknod(2).  In a user namespace the kernel forbids
 * that, so the host's node is bind-mounted over an empty file instead.
 * Everything is created through fds resolved inside the rootfs.
 *
 * Nothing is created when the config binds something over /dev itself:
 * that /dev is the host's (or someone's) and must not be written to.
 * /dev/pts, /dev/shm and /dev/mqueue come from mounts[] as with runc.
 */
#include "internal.h"
#include "syscalls.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static const struct ns_device std_devices[] = {
    {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
    {.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
    {.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
    {.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
    {.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
    {.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static const struct {
	const char *name, *target;
} std_links[] = {
    {"fd", "/proc/self/fd"},	   {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
    {"ptmx", "pts/ptmx"}, /* the devpts instance of this container */
};

/* "/dev", "//dev/", "/dev/." ... */
static bool is_dev_dir(const char *p)
{
	while (*p == '/')
		p++;
	if (strncmp(p, "dev", 3))
		return false;
	for (p += 3; *p; p++)
		if (*p != '/' && !(*p == '.' && (p[1] == '/' || !p[1])))
			return false;
	return true;
}

bool ns_dev_is_bound(const struct ns_fs *fs)
{
	size_t i;

	for (i = 0; i < fs->nmounts; i++) {
		const struct ns_mount *m = &fs->mounts[i];
		bool bind = m->bind || !m->type || !strcmp(m->type, "bind");

		if (bind && m->destination && is_dev_dir(m->destination))
			return true;
	}
	return false;
}

/* Something already at the node's place that is not the node itself (from
 * the image, or a symlink planted there) is removed first: /dev/null must
 * really be 1:3 for the masking in finish to be safe. */
static int clear_the_way(int parent, const char *name, const char *path,
			 mode_t fmt, dev_t dev, bool *done, struct herr *e)
{
	struct stat st;

	*done = false;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0
				       : herr_sys(e, errno, "stat '%s'", path);
	if ((st.st_mode & S_IFMT) == fmt && st.st_rdev == dev) {
		*done = true;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return herr_set(e, EEXIST, "'%s' is a directory", path);
	base_debug("unlink %s", path);
	if (unlinkat(parent, name, 0) < 0)
		return herr_sys(e, errno, "removing '%s'", path);
	return 0;
}

/* In a user namespace: bind the host's node at the same path over an
 * empty file.  Owner and mode stay the host's: changing them through the
 * bind would change the host's node. */
static int bind_host_node(int parent, const char *name, const char *path,
			  struct herr *e)
{
	_cleanup_fd_ int file = -1, target = -1, mnt = -1;

	file = openat(parent, name,
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	if (file < 0)
		return herr_sys(e, errno, "creating '%s'", path);
	target = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return herr_sys(e, errno, "opening '%s'", path);
	base_debug("mount %s on %s type bind flags none", path, path);
	mnt = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (mnt < 0)
		return herr_sys(e, errno, "open_tree host node '%s'", path);
	return ns_attach(mnt, target, path, e);
}

static int make_node(int rootfd, const struct ns_fs *fs,
		     const struct ns_device *d, struct herr *e)
{
	_cleanup_free_ char *dir = xstrdup(d->path);
	_cleanup_fd_ int parent = -1, node = -1;
	char *slash = strrchr(dir, '/');
	const char *name = slash ? slash + 1 : dir;
	mode_t fmt = d->type == 'b'   ? S_IFBLK
		     : d->type == 'p' ? S_IFIFO
				      : S_IFCHR;
	dev_t dev = fmt == S_IFIFO ? 0 : makedev(d->major, d->minor);
	mode_t mode = (d->mode ? d->mode : 0666) & 07777;
	bool done;

	if (!slash || !*name || d->path[0] != '/')
		return herr_set(e, EINVAL, "device path '%s' is not absolute",
				d->path);
	*slash = '\0';
	parent = ns_open_in_root(rootfd, *dir ? dir : "/", true, true);
	if (parent < 0)
		return herr_sys(e, errno, "resolving '%s' in the rootfs",
				*dir ? dir : "/");
	if (clear_the_way(parent, name, d->path, fmt, dev, &done, e) < 0)
		return -1;
	if (done) {
		base_debug("%s exists", d->path);
		return 0;
	}
	if (fs->in_userns && fmt != S_IFIFO)
		return bind_host_node(parent, name, d->path, e);

	if (fmt == S_IFIFO)
		base_debug("mknod %s p", d->path);
	else
		base_debug("mknod %s %c %u:%u", d->path,
			   fmt == S_IFBLK ? 'b' : 'c', major(dev), minor(dev));
	if (mknodat(parent, name, fmt | mode, dev) < 0) {
		herr_sys(e, errno, "mknod '%s'", d->path);
		if (errno == EPERM)
			herr_hint(e, "the devices cgroup must allow 'm' for "
				     "it, and a user namespace forbids mknod");
		return -1;
	}
	node = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (node < 0)
		return herr_sys(e, errno, "opening '%s'", d->path);
	base_debug("chown %s %d:%d mode %04o", d->path, (int)d->uid,
		   (int)d->gid, (unsigned)mode);
	if (fchownat(node, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
		return herr_sys(e, errno, "chown '%s' to %d:%d", d->path,
				(int)d->uid, (int)d->gid);
	/* mknod's mode went through the umask; set it exactly.  The name was
	 * made a moment ago by us, before anything of the container runs. */
	if (fchmodat(parent, name, mode, 0) < 0)
		return herr_sys(e, errno, "chmod '%s'", d->path);
	return 0;
}

static bool in_config(const struct ns_fs *fs, const char *path)
{
	size_t i;

	for (i = 0; i < fs->ndevices; i++)
		if (fs->devices[i].path && !strcmp(fs->devices[i].path, path))
			return true;
	return false;
}

static int make_links(int rootfd, struct herr *e)
{
	_cleanup_fd_ int dev = ns_open_in_root(rootfd, "/dev", true, true);
	size_t i;

	if (dev < 0)
		return herr_sys(e, errno, "resolving '/dev' in the rootfs");
	for (i = 0; i < ARRAY_SIZE(std_links); i++) {
		const char *name = std_links[i].name;
		struct stat st;

		/* The image's own ptmx node would bypass our devpts. */
		if (!strcmp(name, "ptmx") &&
		    fstatat(dev, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
			base_debug("unlink /dev/%s", name);
			if (unlinkat(dev, name, 0) < 0)
				return herr_sys(e, errno, "removing '/dev/%s'",
						name);
		}
		base_debug("symlink /dev/%s -> %s", name, std_links[i].target);
		if (symlinkat(std_links[i].target, dev, name) < 0 &&
		    errno != EEXIST)
			return herr_sys(e, errno, "symlink '/dev/%s'", name);
	}
	return 0;
}

int ns_dev_setup(int rootfd, const struct ns_fs *fs, struct herr *e)
{
	size_t i;

	if (ns_dev_is_bound(fs)) {
		base_debug("/dev is bind-mounted by the config: no nodes made");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(std_devices); i++) {
		if (in_config(fs, std_devices[i].path))
			continue;
		if (make_node(rootfd, fs, &std_devices[i], e) < 0)
			return -1;
	}
	if (make_links(rootfd, e) < 0)
		return -1;
	for (i = 0; i < fs->ndevices; i++)
		if (make_node(rootfd, fs, &fs->devices[i], e) < 0)
			return herr_wrap(e, "linux.devices[%zu]", i);
	return 0;
}
