/*
 * rootfs: the container's filesystem, built in its new mount namespace.
 *
 * The steps, in the order runtime/container.c calls them:
 * 1. private mounts: every mount we inherited is still a peer of the
 *    host's; make them all slaves (rslave, as runc does, unless
 *    rootfsPropagation says otherwise) so nothing we mount or unmount
 *    from here on reaches the host, while host mounts still reach us;
 * 2. bind the rootfs onto itself (pivot_root needs a mount point), apply
 *    mounts[] inside it, create /dev;
 * 3. pivot_root into it and detach the old root, so the host's filesystem
 *    is no longer reachable at all -- a chroot(2) alone can be escaped by
 *    a process with CAP_SYS_CHROOT (chroot into a subdir, then "..");
 * 4. read-only paths, masked paths, and a read-only root.
 */
#include "internal.h"
#include "syscalls.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

static uint64_t mount_id(const char *path)
{
	struct statx st;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &st) < 0 ||
	    !(st.stx_mask & STATX_MNT_ID))
		return 0;
	return st.stx_mnt_id;
}

/* pivot_root(2) refuses a new root whose parent mount is shared, and a
 * shared parent would also copy our rootfs bind to its peers: make the
 * mount that holds the rootfs private.  Its mount point is the highest
 * directory above the rootfs that is still on the same mount. */
static int make_parent_private(const char *rootfs, struct herr *e)
{
	_cleanup_free_ char *mp = xstrdup(rootfs);
	uint64_t id = mount_id(rootfs);
	char *slash;

	if (!id)
		return herr_sys(e, errno, "statx '%s'", rootfs);
	while ((slash = strrchr(mp, '/')) && slash != mp) {
		*slash = '\0';
		if (mount_id(mp) != id) {
			*slash = '/';
			break;
		}
	}
	if (slash == mp && mount_id("/") == id)
		mp[1] = '\0';
	base_debug("mount none on %s flags private", mp);
	if (mount(NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
		return herr_sys(e, errno, "making '%s' private", mp);
	return 0;
}

int ns_child_private_mounts(const struct ns_fs *fs, struct herr *e)
{
	unsigned long prop =
	    fs->propagation ? fs->propagation : MS_SLAVE | MS_REC;
	char fl[NS_FLAGS_STR_MAX];

	base_debug("mount none on / flags %s",
		   ns_flags_str(prop, fl, sizeof(fl)));
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return herr_sys(e, errno,
				"setting the propagation of '/' to "
				"'%s'",
				fl);
	if (prop & MS_SHARED)
		return make_parent_private(fs->rootfs, e);
	return 0;
}

/* The path that reaches a mount just stacked on path.  A lookup never
 * crosses mounts stacked on the root it starts from, so for "/" (husk
 * sandbox runs the host's root) the stacked bind is reached through
 * "/..": at the root, ".." stays there and then follows the mounts on
 * it. */
static const char *stacked_path(const char *path)
{
	return strcmp(path, "/") == 0 ? "/.." : path;
}

/* root.readonly covers the filesystems mounted below the rootfs too (the
 * host's /boot, /home … when the rootfs is the host's /): the rbind copied
 * them writable.  Every mount of the tree is made read-only, then the top
 * one writable again until ns_child_finish_rootfs, as mounts[] may still
 * need mount points made in it. */
static int readonly_submounts(int rootfd, struct herr *e)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY};
	struct statvfs sv;
	bool top_ro = fstatvfs(rootfd, &sv) == 0 && (sv.f_flag & ST_RDONLY);

	base_debug("mount_setattr rootfs set ro, recursive");
	if (mount_setattr(rootfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro,
			  sizeof(ro)) < 0)
		return herr_sys(e, errno,
				"making the rootfs's submounts read-only "
				"(root.readonly)");
	if (top_ro)
		return 0;
	if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &rw, sizeof(rw)) < 0)
		return herr_sys(e, errno,
				"making the rootfs writable until "
				"its mounts are made");
	return 0;
}

int ns_child_mount_rootfs(const struct ns_fs *fs, struct herr *e)
{
	_cleanup_fd_ int rootfd = -1;
	size_t i;

	base_debug("mount %s on %s type rbind flags none", fs->rootfs,
		   fs->rootfs);
	if (mount(fs->rootfs, fs->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return herr_sys(e, errno, "binding the rootfs '%s' onto itself",
				fs->rootfs);
	/* Opened after the bind: the fd must be on the new mount, so that
	 * what we mount below it ends up in the container. */
	rootfd = openat(AT_FDCWD, stacked_path(fs->rootfs),
			O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return herr_sys(e, errno, "opening the rootfs '%s'",
				fs->rootfs);
	if (fs->readonly && readonly_submounts(rootfd, e) < 0)
		return -1;

	for (i = 0; i < fs->nmounts; i++)
		if (ns_mount_apply(rootfd, fs, &fs->mounts[i], e) < 0)
			return herr_wrap(e, "mounts[%zu]", i);
	return ns_dev_setup(rootfd, fs, e);
}

/* --no-pivot: for a rootfs on a ramdisk (initramfs cannot be pivoted). */
static int move_root(const struct ns_fs *fs, struct herr *e)
{
	base_debug("mount %s on / flags move, chroot", fs->rootfs);
	if (chdir(fs->rootfs) < 0)
		return herr_sys(e, errno, "chdir '%s'", fs->rootfs);
	if (mount(fs->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return herr_sys(e, errno, "moving '%s' onto '/'", fs->rootfs);
	if (chroot(".") < 0)
		return herr_sys(e, errno, "chroot '%s'", fs->rootfs);
	if (chdir("/") < 0)
		return herr_sys(e, errno, "chdir '/'");
	return 0;
}

static int pivot(const struct ns_fs *fs, struct herr *e)
{
	_cleanup_fd_ int oldroot = -1, newroot = -1;

	oldroot = openat(AT_FDCWD, "/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	newroot = openat(AT_FDCWD, stacked_path(fs->rootfs),
			 O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0)
		return herr_sys(e, errno, "opening '/' and '%s'", fs->rootfs);
	if (fchdir(newroot) < 0)
		return herr_sys(e, errno, "chdir '%s'", fs->rootfs);

	/* pivot_root(".", "."): the old root ends up stacked on top of the
	 * new one, so no directory is needed to hold it. */
	base_debug("pivot_root into %s", fs->rootfs);
	if (pivot_root(".", ".") < 0) {
		herr_sys(e, errno, "pivot_root into '%s'", fs->rootfs);
		/* EBUSY: the new root is on the current root mount. */
		if (errno == EINVAL || errno == EBUSY)
			herr_hint(e, "the new root must be a mount point whose "
				     "parent is not shared; a rootfs in an "
				     "initramfs needs --no-pivot");
		return -1;
	}
	if (fchdir(oldroot) < 0)
		return herr_sys(e, errno, "chdir to the old root");
	/* If the old root were still a peer of the host's, unmounting it
	 * would unmount the host's mounts too. */
	base_debug("mount none on old root flags slave,rec");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return herr_sys(e, errno, "making the old root rslave");
	base_debug("umount2 old root MNT_DETACH");
	if (umount2(".", MNT_DETACH) < 0)
		return herr_sys(e, errno, "detaching the old root");
	if (chdir("/") < 0)
		return herr_sys(e, errno, "chdir '/'");
	return 0;
}

int ns_child_pivot_root(const struct ns_fs *fs, struct herr *e)
{
	char fl[NS_FLAGS_STR_MAX];

	if ((fs->no_pivot ? move_root(fs, e) : pivot(fs, e)) < 0)
		return -1;
	if (!fs->propagation)
		return 0;
	/* As runc: rootfsPropagation is for the container's "/", which only
	 * now is the rootfs. */
	base_debug("mount none on / flags %s",
		   ns_flags_str(fs->propagation, fl, sizeof(fl)));
	if (mount(NULL, "/", NULL, fs->propagation, NULL) < 0)
		return herr_sys(e, errno, "setting rootfsPropagation '%s'", fl);
	return 0;
}

static int readonly_path(int rootfd, const char *path, struct herr *e)
{
	_cleanup_fd_ int fd = -1, mnt = -1;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};

	fd = ns_open_in_root(rootfd, path, false, false);
	if (fd < 0 && errno == ENOENT) {
		base_debug("readonly %s: does not exist, skipped", path);
		return 0;
	}
	if (fd < 0)
		return herr_sys(e, errno, "resolving '%s'", path);
	base_debug("mount %s on %s type rbind flags ro", path, path);
	mnt = open_tree(fd, "",
			OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
			    AT_EMPTY_PATH);
	if (mnt < 0)
		return herr_sys(e, errno, "open_tree '%s'", path);
	if (mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &a,
			  sizeof(a)) < 0)
		return herr_sys(e, errno, "making '%s' read-only", path);
	return ns_attach(mnt, fd, path, e);
}

/* The node bound over masked files.  Checked first: if the image (or a
 * racing container, CVE-2025-31133) put anything else at /dev/null, say
 * a symlink to /proc/sys/kernel/core_pattern, binding it "over" a masked
 * path would expose a writable host file instead of hiding one.  The fd we
 * checked is the one we bind from. */
static int open_dev_null(int rootfd, struct herr *e)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
	};
	_cleanup_fd_ int fd = openat2(rootfd, "/dev/null", &how, sizeof(how));
	struct stat st;

	if (fd < 0 && errno == ELOOP)
		return herr_set(e, ELOOP,
				"'/dev/null' is a symlink: refusing to bind "
				"it over masked paths (CVE-2025-31133)");
	if (fd < 0 || fstat(fd, &st) < 0)
		return herr_sys(e, errno, "opening '/dev/null' to mask paths");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return herr_set(e, EPERM,
				"'/dev/null' is not the character "
				"device 1:3: refusing to bind it "
				"over masked paths (CVE-2025-31133)");
	return take_fd(&fd);
}

static int mask_path(int rootfd, int *nullfd, const char *path, struct herr *e)
{
	_cleanup_fd_ int fd = -1, mnt = -1;
	struct stat st;

	fd = ns_open_in_root(rootfd, path, false, false);
	if (fd < 0 && errno == ENOENT) {
		base_debug("mask %s: does not exist, skipped", path);
		return 0;
	}
	if (fd < 0 || fstat(fd, &st) < 0)
		return herr_sys(e, errno, "resolving '%s'", path);

	if (S_ISDIR(st.st_mode)) {
		/* An empty read-only tmpfs hides a directory. */
		base_debug("mount tmpfs on %s type tmpfs flags ro", path);
		mnt = ns_fs_create("tmpfs", "tmpfs", NULL, MS_RDONLY, e);
	} else {
		if (*nullfd < 0 && (*nullfd = open_dev_null(rootfd, e)) < 0)
			return -1;
		base_debug("mount /dev/null on %s type bind flags none", path);
		mnt = open_tree(*nullfd, "",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				    AT_EMPTY_PATH);
		if (mnt < 0)
			return herr_sys(e, errno, "open_tree '/dev/null'");
	}
	if (mnt < 0)
		return -1;
	return ns_attach(mnt, fd, path, e);
}

int ns_child_finish_rootfs(const struct ns_fs *fs, struct herr *e)
{
	_cleanup_fd_ int rootfd = -1, nullfd = -1;
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	size_t i;

	rootfd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return herr_sys(e, errno, "opening '/'");
	for (i = 0; i < fs->nreadonly; i++)
		if (readonly_path(rootfd, fs->readonly_paths[i], e) < 0)
			return herr_wrap(e, "readonlyPaths[%zu]", i);
	for (i = 0; i < fs->nmasked; i++)
		if (mask_path(rootfd, &nullfd, fs->masked[i], e) < 0)
			return herr_wrap(e, "maskedPaths[%zu]", i);
	if (!fs->readonly)
		return 0;

	/* Only the root mount: /proc, /dev, /tmp ... keep their own flags.
	 * mount_setattr changes ro alone, leaving nosuid etc. as they are. */
	base_debug("mount_setattr / set ro");
	if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return herr_sys(e, errno,
				"making '/' read-only (root.readonly)");
	return 0;
}
