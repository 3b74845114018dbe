/*
 * mount: resolve paths inside the rootfs and apply one mounts[] entry.
 *
 * Every mount is built the same way with the new mount API:
 *   1. resolve the destination inside the rootfs (openat2 RESOLVE_IN_ROOT),
 *      creating it if missing -- a symlink in the image cannot send us out;
 *   2. make a detached mount: open_tree(OPEN_TREE_CLONE) for a bind,
 *      fsopen/fsconfig/fsmount for a new filesystem;
 *   3. set its attributes (ro, nosuid, ...) with mount_setattr(2), which
 *      only touches the bits asked for, so flags the host locked on a bind
 *      source stay as they are instead of failing with EPERM;
 *   4. attach it onto the resolved fd with move_mount(MOVE_MOUNT_T_EMPTY_PATH)
 *      and only then change its propagation.
 * The destination is never looked up by path again after step 1.
 */
#include "internal.h"
#include "syscalls.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Symlinks followed while creating a path, as the kernel's MAXSYMLINKS. */
#define NS_MAX_HOPS 40

static int open_path_in_root(int rootfd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd, tries = 0;

	if (!*path)
		path = "/";
	/* EAGAIN: a concurrent rename made ".." resolution unsafe; retry. */
	do
		fd = openat2(rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 16);
	return fd;
}

/* One component of a path being created: `comp` in the directory `parent`
 * (reached as `prefix`), `next` the rest of the path after it.  Returns 1
 * when comp exists and is not a dangling symlink (go on to the next), 0
 * when the caller should resolve the path again (comp was created, or
 * *path rewritten to go through a dangling symlink's target, which is then
 * resolved inside the root like everything else), -1 with errno. */
static int create_step(int rootfd, int parent, char *prefix, const char *comp,
		       const char *next, bool want_dir, char **path)
{
	struct stat st;

	if (fstatat(parent, comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		_cleanup_fd_ int probe = -1;
		char target[4096];
		ssize_t n;

		strcat(strcat(prefix, "/"), comp);
		if (!S_ISLNK(st.st_mode))
			return 1;
		probe = open_path_in_root(rootfd, prefix);
		if (probe >= 0)
			return 1;
		if (errno != ENOENT)
			return -1;
		/* Dangling: create what it points to, in the root. */
		n = readlinkat(parent, comp, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = '\0';
		*strrchr(prefix, '/') = '\0';
		free(*path);
		*path = xasprintf("%s%s%s%s%s", target[0] == '/' ? "" : prefix,
				  target[0] == '/' ? "" : "/", target,
				  *next ? "/" : "", next);
		return 0;
	}
	if (errno != ENOENT)
		return -1;
	if (!*next && !want_dir) {
		int fd = openat(parent, comp,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
				0644);
		if (fd < 0 && errno != EEXIST)
			return -1;
		if (fd >= 0)
			close(fd);
	} else if (mkdirat(parent, comp, 0755) < 0 && errno != EEXIST) {
		return -1;
	}
	return 0;
}

/* Create the first missing component of *path (see create_step).  Returns
 * 0 when the caller should try again, -1 with errno on failure. */
static int create_first_missing(int rootfd, char **path, bool want_dir)
{
	_cleanup_free_ char *copy = xstrdup(*path);
	_cleanup_free_ char *prefix = xcalloc(1, strlen(*path) + 2);
	char *comp, *next, *last;
	int r;

	/* Usually only the last component is missing (a mount point under
	 * /dev or /sys/fs/cgroup): try its parent before walking down from
	 * the root, one openat2 instead of one per component. */
	while ((last = strrchr(copy, '/')) && last != copy && !last[1])
		*last = '\0'; /* trailing slashes */
	if (last && last[1]) {
		_cleanup_fd_ int parent = -1;

		*last = '\0';
		parent = open_path_in_root(rootfd, copy);
		if (parent >= 0) {
			strcpy(prefix, copy);
			r = create_step(rootfd, parent, prefix, last + 1, "",
					want_dir, path);
			return r == 1 ? 0 : r; /* 1: exists now, a race */
		}
		if (errno != ENOENT)
			return -1;
		strcpy(copy, *path);
	}

	for (comp = copy; *comp; comp = next) {
		_cleanup_fd_ int parent = -1;

		while (*comp == '/')
			comp++;
		if (!*comp)
			break;
		next = strchrnul(comp, '/');
		if (*next)
			*next++ = '\0';
		while (*next == '/')
			next++;

		parent = open_path_in_root(rootfd, prefix);
		if (parent < 0)
			return -1;
		r = create_step(rootfd, parent, prefix, comp, next, want_dir,
				path);
		if (r <= 0)
			return r;
	}
	return 0; /* everything exists now: a race, try again */
}

int ns_open_in_root(int rootfd, const char *path, bool create, bool want_dir)
{
	_cleanup_free_ char *p = xstrdup(path);
	int hops;

	for (hops = 0; hops < NS_MAX_HOPS; hops++) {
		int fd = open_path_in_root(rootfd, p);

		if (fd >= 0 || errno != ENOENT || !create)
			return fd;
		if (create_first_missing(rootfd, &p, want_dir) < 0)
			return -1;
	}
	errno = ELOOP;
	return -1;
}

static const struct {
	unsigned long flag;
	const char *name;
} ms_names[] = {
    {MS_RDONLY, "ro"},	       {MS_NOSUID, "nosuid"},
    {MS_NODEV, "nodev"},       {MS_NOEXEC, "noexec"},
    {MS_SYNCHRONOUS, "sync"},  {MS_DIRSYNC, "dirsync"},
    {MS_NOATIME, "noatime"},   {MS_NODIRATIME, "nodiratime"},
    {MS_RELATIME, "relatime"}, {MS_STRICTATIME, "strictatime"},
    {MS_LAZYTIME, "lazytime"}, {MS_NOSYMFOLLOW, "nosymfollow"},
    {MS_BIND, "bind"},	       {MS_MOVE, "move"},
    {MS_REMOUNT, "remount"},   {MS_REC, "rec"},
    {MS_SHARED, "shared"},     {MS_SLAVE, "slave"},
    {MS_PRIVATE, "private"},   {MS_UNBINDABLE, "unbindable"},
};

const char *ns_flags_str(unsigned long flags, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(ms_names); i++) {
		if (!(flags & ms_names[i].flag) || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", ms_names[i].name);
	}
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}

/* The MOUNT_ATTR_* to set and clear for the MS_* flags of a mount.  An
 * explicitly cleared atime flag ("atime", "norelatime", ...) puts the mount
 * back to the kernel's default, relatime. */
static void attrs_from_flags(unsigned long set, unsigned long clear,
			     struct mount_attr *a)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
	    {MS_RDONLY, MOUNT_ATTR_RDONLY},
	    {MS_NOSUID, MOUNT_ATTR_NOSUID},
	    {MS_NODEV, MOUNT_ATTR_NODEV},
	    {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
	    {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
	    {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	};
	const unsigned long atime = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (set & map[i].ms)
			a->attr_set |= map[i].attr;
		else if (clear & map[i].ms)
			a->attr_clr |= map[i].attr;
	}
	if (set & atime || clear & atime)
		a->attr_clr |= MOUNT_ATTR__ATIME;
	if (set & MS_NOATIME)
		a->attr_set |= MOUNT_ATTR_NOATIME;
	else if (set & MS_STRICTATIME)
		a->attr_set |= MOUNT_ATTR_STRICTATIME;
}

/* Append the kernel's own explanation from the fs context, if any. */
static int fs_context_hint(int fsfd, struct herr *e)
{
	char log[512];
	ssize_t n = read(fsfd, log, sizeof(log) - 1);

	if (n <= 2)
		return -1;
	log[n] = '\0';
	log[strcspn(log, "\n")] = '\0';
	return herr_hint(e, "kernel says: %s", log + 2); /* skip "e " */
}

int ns_fs_create(const char *type, const char *source, const char *data,
		 unsigned long flags, struct herr *e)
{
	static const struct {
		unsigned long ms;
		const char *key;
	} sb_flags[] = {
	    {MS_SYNCHRONOUS, "sync"},
	    {MS_DIRSYNC, "dirsync"},
	    {MS_LAZYTIME, "lazytime"},
	};
	_cleanup_fd_ int fsfd = -1;
	_cleanup_free_ char *opts = xstrdup(data ? data : "");
	struct mount_attr a;
	char *opt, *save = NULL;
	size_t i;
	int mnt;

	fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		herr_sys(e, errno, "fsopen '%s'", type);
		if (errno == ENODEV)
			herr_hint(e,
				  "the kernel does not know this filesystem");
		else if (errno == ENOSYS)
			herr_hint(e,
				  "husk needs the new mount API, Linux 5.2+");
		return -1;
	}
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source",
		     source ? source : type, 0) < 0) {
		herr_sys(e, errno, "fsconfig '%s' source '%s'", type,
			 source ? source : type);
		return fs_context_hint(fsfd, e);
	}
	for (opt = strtok_r(opts, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int r;

		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0) {
			herr_sys(e, errno, "fsconfig '%s' option '%s%s%s'",
				 type, opt, eq ? "=" : "", eq ? eq + 1 : "");
			return fs_context_hint(fsfd, e);
		}
	}
	for (i = 0; i < ARRAY_SIZE(sb_flags); i++) {
		if ((flags & sb_flags[i].ms) &&
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].key, NULL,
			     0) < 0) {
			herr_sys(e, errno, "fsconfig '%s' option '%s'", type,
				 sb_flags[i].key);
			return fs_context_hint(fsfd, e);
		}
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		herr_sys(e, errno, "creating a '%s' filesystem", type);
		return fs_context_hint(fsfd, e);
	}
	attrs_from_flags(flags, 0, &a);
	mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)a.attr_set);
	if (mnt < 0)
		return herr_sys(e, errno, "fsmount '%s'", type);
	return mnt;
}

int ns_attach(int mntfd, int targetfd, const char *dest, struct herr *e)
{
	if (move_mount(mntfd, "", targetfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		herr_sys(e, errno, "move_mount onto '%s'", dest);
		if (errno == ENOTDIR || errno == EISDIR)
			herr_hint(e, "a directory and a file cannot be mounted "
				     "over each other");
		return -1;
	}
	return 0;
}

/* Step 2 for a bind: a detached copy of the source tree with its
 * attributes set (recursively for rbind). */
static int clone_tree(const struct ns_mount *m, struct herr *e)
{
	_cleanup_fd_ int mnt = -1;
	unsigned int rec = m->recursive ? AT_RECURSIVE : 0;
	struct mount_attr a;

	mnt = open_tree(AT_FDCWD, m->source,
			OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
	if (mnt < 0) {
		herr_sys(e, errno, "open_tree '%s'", m->source);
		if (errno == EINVAL && !rec)
			herr_hint(e, "in a user namespace a tree with locked "
				     "submounts needs rbind");
		return -1;
	}
	attrs_from_flags(m->flags, m->clear_flags, &a);
	if ((a.attr_set || a.attr_clr) &&
	    mount_setattr(mnt, "", AT_EMPTY_PATH | rec, &a, sizeof(a)) < 0) {
		herr_sys(e, errno, "mount_setattr '%s'", m->source);
		if (errno == EPERM)
			herr_hint(e, "flags the host set on the source (ro, "
				     "nosuid, nodev, noexec, atime) cannot be "
				     "cleared in a user namespace");
		return -1;
	}
	return take_fd(&mnt);
}

static int copy_file(int src, int dst, const char *name)
{
	_cleanup_fd_ int in = -1, out = -1;
	char buf[16384];
	ssize_t n;

	in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out =
	    openat(dst, name,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || base_write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

static int copy_entry(int src, int dst, const char *name, const struct stat *st,
		      const char *what, struct herr *e)
{
	char target[4096];
	ssize_t n;
	int r;

	switch (st->st_mode & S_IFMT) {
	case S_IFDIR: {
		_cleanup_fd_ int s = -1, d = -1;
		_cleanup_free_ char *sub = xasprintf("%s/%s", what, name);

		if (mkdirat(dst, name, 0700) < 0)
			return herr_sys(e, errno, "mkdir '%s'", sub);
		s = openat(src, name,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dst, name,
			   O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return herr_sys(e, errno, "opening '%s'", sub);
		if (ns_copy_tree(s, d, sub, e) < 0)
			return -1;
		r = 0;
		break;
	}
	case S_IFREG:
		r = copy_file(src, dst, name);
		break;
	case S_IFLNK:
		n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n >= 0)
			target[n] = '\0';
		r = n < 0 ? -1 : symlinkat(target, dst, name);
		break;
	default: /* fifos, sockets, device nodes */
		r = mknodat(dst, name, st->st_mode, st->st_rdev);
	}
	if (r < 0)
		return herr_sys(e, errno, "copying '%s/%s'", what, name);
	if (fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) <
		0 ||
	    (!S_ISLNK(st->st_mode) &&
	     fchmodat(dst, name, st->st_mode & 07777, 0) < 0))
		return herr_sys(e, errno, "setting owner and mode of '%s/%s'",
				what, name);
	return 0;
}

int ns_copy_tree(int srcfd, int dstfd, const char *what, struct herr *e)
{
	struct dirent *de;
	int dupfd, r = 0;
	DIR *d;

	dupfd = fcntl(srcfd, F_DUPFD_CLOEXEC, 3);
	if (dupfd < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		return herr_sys(e, errno, "reading directory '%s'", what);
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(srcfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = herr_sys(e, errno, "stat '%s/%s'", what,
				     de->d_name);
			break;
		}
		r = copy_entry(srcfd, dstfd, de->d_name, &st, what, e);
		if (r < 0)
			break;
	}
	if (!de && errno)
		r = herr_sys(e, errno, "reading directory '%s'", what);
	closedir(d);
	return r;
}

/* A bind mount standing in for a filesystem the kernel refuses us. */
static int fallback_bind(int rootfd, const struct ns_fs *fs,
			 const struct ns_mount *m, const char *source,
			 struct herr *e)
{
	struct ns_mount b = *m;

	base_debug("%s refused: bind-mounting the host's '%s' instead", m->type,
		   source);
	b.type = "bind";
	b.source = (char *)source;
	b.bind = b.recursive = true;
	b.data = NULL;
	b.tmpcopyup = false;
	return ns_mount_one(rootfd, fs, &b, true, e);
}

/* proc, sysfs and cgroup show the kernel's own files, and husk writes
 * some of them later (sysctls, oom_score_adj).  Mounted through a symlink
 * in the image -- /proc -> / or /proc -> a directory a later mount covers
 * -- they land where the image chose, and /proc or /sys is left to
 * whatever the image put there (CVE-2019-19921, CVE-2023-27561,
 * CVE-2023-28642).  runc and crun refuse such a destination; so does husk.
 */
static bool is_kernel_fs(const char *type)
{
	return type && (!strcmp(type, "proc") || !strcmp(type, "sysfs") ||
			!strcmp(type, "cgroup") || !strcmp(type, "cgroup2"));
}

static int symlink_error(const struct ns_mount *m, struct herr *e)
{
	return herr_set(e, ELOOP,
			"'%s' in the rootfs is or goes through a symlink: "
			"refusing to mount %s there (CVE-2019-19921)",
			m->destination, m->type);
}

/* The path inside the root with no symlink anywhere on it: ELOOP if some
 * component is one (dangling ones too), before anything is created. */
static int open_no_symlinks(int rootfd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
	};

	return openat2(rootfd, path, &how, sizeof(how));
}

static int check_no_symlink(int rootfd, const struct ns_mount *m,
			    struct herr *e)
{
	_cleanup_fd_ int fd = open_no_symlinks(rootfd, m->destination);

	if (fd < 0 && errno == ELOOP)
		return symlink_error(m, e);
	return 0;
}

/* Where a kernel filesystem goes: the destination as reached without a
 * single symlink (CVE-2019-19921), made first if it is missing.  Making it
 * may follow a symlink the container planted, or swaps in while we work:
 * the second resolution then fails with ELOOP, and we refuse. */
static int open_kernel_fs_dest(int rootfd, const struct ns_mount *m,
			       struct herr *e)
{
	int fd = open_no_symlinks(rootfd, m->destination);

	if (fd < 0 && errno == ENOENT) {
		int made = ns_open_in_root(rootfd, m->destination, true, true);

		if (made < 0)
			return herr_sys(e, errno, "resolving '%s' in the rootfs",
					m->destination);
		close(made);
		fd = open_no_symlinks(rootfd, m->destination);
	}
	if (fd < 0 && errno == ELOOP)
		return symlink_error(m, e);
	if (fd < 0)
		return herr_sys(e, errno, "resolving '%s' in the rootfs",
				m->destination);
	return fd;
}

static bool is_root(int rootfd, int fd)
{
	struct stat a, b;

	return fstat(rootfd, &a) == 0 && fstat(fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ns_mount_one(int rootfd, const struct ns_fs *fs, const struct ns_mount *m,
		 bool bind, struct herr *e)
{
	_cleanup_fd_ int dest = -1, mnt = -1;
	char fl[NS_FLAGS_STR_MAX];
	bool want_dir = true;
	struct stat st;

	if (bind) {
		if (!m->source)
			return herr_set(e, EINVAL,
					"a bind mount needs a source");
		if (stat(m->source, &st) < 0)
			return herr_sys(e, errno, "bind source '%s'",
					m->source);
		want_dir = S_ISDIR(st.st_mode);
	}
	if (!bind && is_kernel_fs(m->type)) {
		dest = open_kernel_fs_dest(rootfd, m, e);
		if (dest < 0)
			return -1;
	} else {
		dest = ns_open_in_root(rootfd, m->destination, true, want_dir);
		if (dest < 0)
			return herr_sys(e, errno,
					"resolving '%s' in the rootfs",
					m->destination);
	}
	if (is_root(rootfd, dest))
		return herr_set(e, EINVAL,
				"mounting over the rootfs itself "
				"is not supported");

	base_debug("mount %s on %s type %s flags %s%s%s",
		   m->source ? m->source : "none", m->destination,
		   bind ? (m->recursive ? "rbind" : "bind") : m->type,
		   ns_flags_str(m->flags, fl, sizeof(fl)),
		   m->data && *m->data ? " data " : "", m->data ? m->data : "");
	if (bind) {
		mnt = clone_tree(m, e);
	} else {
		mnt = ns_fs_create(m->type, m->source, m->data, m->flags, e);
		if (mnt < 0 && e->err == EPERM && !strcmp(m->type, "mqueue"))
			return fallback_bind(rootfd, fs, m, "/dev/mqueue", e);
	}
	if (mnt < 0)
		return -1;

	if (m->tmpcopyup && !bind) {
		_cleanup_fd_ int below = -1;

		below = openat(dest, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (below < 0)
			return herr_sys(e, errno, "tmpcopyup: opening '%s'",
					m->destination);
		base_debug("tmpcopyup %s", m->destination);
		if (ns_copy_tree(below, mnt, m->destination, e) < 0)
			return herr_wrap(e, "tmpcopyup '%s'", m->destination);
	}
	if (ns_attach(mnt, dest, m->destination, e) < 0)
		return -1;

	if (m->propagation) {
		struct mount_attr a = {
		    .propagation = m->propagation & ~(unsigned long)MS_REC,
		};
		unsigned int rec = m->propagation & MS_REC ? AT_RECURSIVE : 0;

		base_debug("mount_setattr %s propagation %s", m->destination,
			   ns_flags_str(m->propagation, fl, sizeof(fl)));
		if (mount_setattr(mnt, "", AT_EMPTY_PATH | rec, &a, sizeof(a)) <
		    0)
			return herr_sys(e, errno, "setting propagation of '%s'",
					m->destination);
	}
	return 0;
}

int ns_mount_apply(int rootfd, const struct ns_fs *fs, const struct ns_mount *m,
		   struct herr *e)
{
	const char *type = m->type ? m->type : "bind";
	bool bind = m->bind || !strcmp(type, "bind");
	int r;

	if (!m->destination || m->destination[0] != '/')
		return herr_set(e, EINVAL,
				"mount destination '%s' is not an "
				"absolute path",
				m->destination ? m->destination : "");
	/* A kernel filesystem goes only onto a path without symlinks:
	 * ns_mount_one checks for itself, before it creates anything; the
	 * cgroup mount and the sysfs bind are checked here first. */
	if (!bind && !strcmp(type, "cgroup"))
		r = check_no_symlink(rootfd, m, e) < 0
			? -1
			: ns_mount_cgroup(rootfd, fs, m, e);
	else if (!bind && !strcmp(type, "sysfs") && !fs->new_netns)
		/* sysfs shows the network devices of the mounter's netns;
		 * the kernel only lets us mount it in a netns of our own. */
		r = check_no_symlink(rootfd, m, e) < 0
			? -1
			: fallback_bind(rootfd, fs, m, "/sys", e);
	else
		r = ns_mount_one(rootfd, fs, m, bind, e);
	if (r < 0)
		return herr_wrap(e, "mounting '%s'", m->destination);
	return 0;
}
