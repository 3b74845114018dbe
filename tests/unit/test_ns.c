/*
 * ns/ unit and integration tests.
 *
 * Pure functions first (names, id-map formatting, flag names), then the
 * real thing: a forked child builds a tiny busybox rootfs in a new mount
 * namespace -- once as real root, once in a user namespace whose maps the
 * parent writes -- pivots into it and checks from inside what it sees.  The
 * child reports the number of failed checks through its exit status.
 *
 * Needs root.  ./tests/unit/test_ns -v narrates every kernel operation.
 */
#include "../../ns/internal.h"
#include "../../ns/syscalls.h"
#include "unit.h"

#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

static void test_names(void)
{
	int t;

	CHECK(ns_type_from_name("pid") == NS_PID);
	CHECK(ns_type_from_name("network") == NS_NET);
	CHECK(ns_type_from_name("mount") == NS_MNT);
	CHECK(ns_type_from_name("net") == -1); /* OCI names only */
	CHECK(ns_type_from_name("bogus") == -1);
	CHECK(ns_type_from_name(NULL) == -1);
	CHECK_STR(ns_name(NS_USER), "user");
	CHECK_STR(ns_name(NS_TIME), "time");
	CHECK(ns_clone_flag(NS_USER) == CLONE_NEWUSER);
	CHECK(ns_clone_flag(NS_MNT) == CLONE_NEWNS);
	CHECK(ns_clone_flag(NS_CGROUP) == CLONE_NEWCGROUP);
	for (t = 0; t < NS__COUNT; t++)
		CHECK(ns_type_from_name(ns_name((enum ns_type)t)) == t);
}

static void test_idmap_format(void)
{
	struct ns_idmap m[] = {{0, 100000, 65536}, {65536, 1000, 1}};
	struct ns_idmap zero = {0, 0, 0}, wrap = {1, 0, UINT32_MAX};
	char buf[64], tiny[8];

	CHECK(ns_idmap_format(m, 1, buf, sizeof(buf)) == 15);
	CHECK_STR(buf, "0 100000 65536\n");
	CHECK(ns_idmap_format(m, 2, buf, sizeof(buf)) == 28);
	CHECK_STR(buf, "0 100000 65536\n65536 1000 1\n");
	CHECK(ns_idmap_format(m, 0, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "");
	errno = 0;
	CHECK(ns_idmap_format(&zero, 1, buf, sizeof(buf)) == -1 &&
	      errno == EINVAL);
	errno = 0;
	CHECK(ns_idmap_format(&wrap, 1, buf, sizeof(buf)) == -1 &&
	      errno == EINVAL);
	errno = 0;
	CHECK(ns_idmap_format(m, 1, tiny, sizeof(tiny)) == -1 &&
	      errno == ENOSPC);
}

static void test_flags_str(void)
{
	char b[NS_FLAGS_STR_MAX];

	CHECK_STR(ns_flags_str(0, b, sizeof(b)), "none");
	CHECK_STR(ns_flags_str(MS_NOSUID | MS_NODEV | MS_NOEXEC, b, sizeof(b)),
		  "nosuid,nodev,noexec");
	CHECK_STR(ns_flags_str(MS_SLAVE | MS_REC, b, sizeof(b)), "rec,slave");
}

/* Two processes: A makes a uts namespace and names it, B joins it by path
 * with ns_child_join and must see A's hostname. */
static void test_join(void)
{
	int ready[2], done[2], status;
	pid_t a, b;
	char c;

	CHECK(pipe2(ready, O_CLOEXEC) == 0 && pipe2(done, O_CLOEXEC) == 0);
	a = fork();
	if (a == 0) {
		struct herr e = {0};

		if (unshare(CLONE_NEWUTS) < 0 ||
		    ns_child_set_hostname("husk-joined", NULL, &e) < 0)
			_exit(1);
		(void)!write(ready[1], "x", 1);
		(void)!read(done[0], &c, 1);
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1);
	b = fork();
	if (b == 0) {
		struct ns_spec ns[NS__COUNT] = {0};
		struct herr e = {0};
		char path[64], name[64] = "";

		snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)a);
		ns[NS_UTS] = (struct ns_spec){.wanted = true, .path = path};
		ns[NS_PID] = (struct ns_spec){.wanted = true, .path = path};
		if (ns_child_join(ns, &e) < 0) {
			fprintf(stderr, "join: %s\n", e.msg);
			_exit(1);
		}
		gethostname(name, sizeof(name));
		_exit(strcmp(name, "husk-joined") ? 2 : 0);
	}
	CHECK(waitpid(b, &status, 0) == b && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	(void)!write(done[1], "x", 1);
	CHECK(waitpid(a, &status, 0) == a && status == 0);
	close(ready[0]), close(ready[1]), close(done[0]), close(done[1]);
}

struct fixture {
	char dir[64]; /* /var/tmp/husk-ns-XXXXXX */
	char rootfs[96];
	char hostdata[96]; /* bound read-only on /data */
	char hostfile[96]; /* bound read-only on /etc/hfile */
	char victim[96];   /* where the image's /evil symlink points */
};

static int put(const char *dir, const char *name, const char *text)
{
	char p[256];
	int fd, r;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	r = base_write_all(fd, text, strlen(text));
	close(fd);
	return r;
}

static int copy_busybox(const char *rootfs)
{
	_cleanup_fd_ int in = -1, out = -1;
	char p[256], buf[65536];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/bin/busybox", rootfs);
	in = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
	out = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (base_write_all(out, buf, (size_t)n) < 0)
			return -1;
	return (int)n;
}

static int setup_fixture(struct fixture *f)
{
	char p[256];

	strcpy(f->dir, "/var/tmp/husk-ns-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->dir);
	snprintf(f->hostdata, sizeof(f->hostdata), "%s/hostdata", f->dir);
	snprintf(f->hostfile, sizeof(f->hostfile), "%s/hostfile", f->dir);
	snprintf(f->victim, sizeof(f->victim), "%s/victim", f->dir);
	snprintf(p, sizeof(p), "%s/seeded/sub", f->rootfs);
	if (base_mkdir_p(p, 0755) < 0 || base_mkdir_p(f->hostdata, 0755) < 0 ||
	    mkdir(f->victim, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/bin", f->rootfs);
	if (mkdir(p, 0755) < 0 || put(f->rootfs, "seeded/seed", "seed\n") ||
	    put(f->rootfs, "seeded/sub/deep", "deep\n") ||
	    put(f->hostdata, "marker", "host\n") ||
	    put(f->dir, "hostfile", "hostfile\n"))
		return -1;
	/* The attack: an image whose mount destinations are symlinks to
	 * host paths, absolute and relative with "..". */
	snprintf(p, sizeof(p), "%s/evil", f->rootfs);
	if (symlink(f->victim, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/rel", f->rootfs);
	if (symlink("../../../made", p) < 0)
		return -1;
	return copy_busybox(f->rootfs);
}

static int rm_entry(const char *p, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(p);
}

static int fails;
#define EXPECT(cond, what)                                                     \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fails++;                                               \
			fprintf(stderr, "container: %s: %s failed (%m)\n",     \
				what, #cond);                                  \
		}                                                              \
	} while (0)

static bool is_mount_root(const char *p)
{
	struct statx st;

	return statx(AT_FDCWD, p, 0, 0, &st) == 0 &&
	       (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static bool fs_is(const char *p, long magic)
{
	struct statfs s;

	return statfs(p, &s) == 0 && (unsigned long)s.f_type == (unsigned long)magic;
}

static bool is_ro(const char *p)
{
	struct statvfs s;

	return statvfs(p, &s) == 0 && (s.f_flag & ST_RDONLY);
}

static bool is_node(const char *p, mode_t fmt, unsigned ma, unsigned mi)
{
	struct stat st;

	return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == fmt &&
	       st.st_rdev == makedev(ma, mi);
}

static bool has_text(const char *p, const char *text)
{
	_cleanup_free_ char *s = base_read_file_at(AT_FDCWD, p, NULL);

	return s && strstr(s, text);
}

/* True if a mount point (field 5 of mountinfo) contains text. */
static bool mount_point_has(const char *text)
{
	FILE *mi = fopen("/proc/self/mountinfo", "re");
	char mp[512];
	bool found = false;

	while (mi && fscanf(mi, "%*d %*d %*s %*s %511s %*[^\n]", mp) == 1)
		found |= strstr(mp, text) != NULL;
	if (mi)
		fclose(mi);
	return found;
}

/* Before pivot_root, while the host is still visible. */
static void host_side_checks(const struct fixture *f)
{
	char p[256];
	struct stat a, b;

	/* Negative control: plain path lookup through the image's symlink
	 * does reach the host directory, so the checks below would catch
	 * a mount that followed it. */
	snprintf(p, sizeof(p), "%s/evil", f->rootfs);
	EXPECT(stat(p, &a) == 0 && stat(f->victim, &b) == 0 &&
		   a.st_ino == b.st_ino,
	       "negative control: /evil reaches the host path");
	EXPECT(!is_mount_root(f->victim), "host victim got no mount");
	EXPECT(!is_mount_root(f->dir), "host dir got no mount");
	snprintf(p, sizeof(p), "%s%s", f->rootfs, f->victim);
	EXPECT(is_mount_root(p), "/evil's tmpfs landed inside the rootfs");
	snprintf(p, sizeof(p), "%s/made", f->rootfs);
	EXPECT(is_mount_root(p), "/rel's tmpfs landed at /made");
}

static void container_checks(const struct fixture *f, bool userns)
{
	char buf[64] = "";
	struct stat st;
	int fd, status;
	pid_t pid;

	EXPECT(access("/bin/busybox", X_OK) == 0, "busybox in the new root");
	EXPECT(access(f->rootfs, F_OK) < 0, "the host is out of reach");
	EXPECT(!mount_point_has("/rootfs"), "the old root is detached");
	EXPECT(fs_is("/proc", PROC_SUPER_MAGIC), "/proc is proc");
	EXPECT(stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777,
	       "/tmp mode 1777");
	EXPECT(fs_is("/tmp", TMPFS_MAGIC) && !is_ro("/tmp"), "/tmp rw tmpfs");
	fd = open("/tmp/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	EXPECT(fd >= 0, "/tmp is writable");
	if (fd >= 0)
		close(fd);
	EXPECT(has_text("/data/marker", "host"), "/data bound from the host");
	EXPECT(is_ro("/data"), "/data read-only");
	EXPECT(open("/data/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) < 0 &&
		   errno == EROFS,
	       "/data refuses writes");
	EXPECT(has_text("/etc/hfile", "hostfile") && is_ro("/etc/hfile"),
	       "file bind on a created file");
	EXPECT(fs_is(f->victim, TMPFS_MAGIC), "/evil's target is a tmpfs");
	EXPECT(fs_is("/made", TMPFS_MAGIC), "/rel's target is a tmpfs");
	EXPECT(fs_is("/seeded", TMPFS_MAGIC) &&
		   has_text("/seeded/seed", "seed") &&
		   has_text("/seeded/sub/deep", "deep"),
	       "tmpcopyup seeded the tmpfs");
	EXPECT(is_node("/dev/null", S_IFCHR, 1, 3), "/dev/null");
	EXPECT(is_node("/dev/urandom", S_IFCHR, 1, 9), "/dev/urandom");
	EXPECT(is_node("/dev/tty", S_IFCHR, 5, 0), "/dev/tty");
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	EXPECT(fd >= 0 && read(fd, buf, 4) == 4 && buf[3] == 0,
	       "/dev/zero reads zeros");
	if (fd >= 0)
		close(fd);
	EXPECT(readlink("/dev/fd", buf, sizeof(buf)) == 13 &&
		   !memcmp(buf, "/proc/self/fd", 13),
	       "/dev/fd link");
	EXPECT(readlink("/dev/ptmx", buf, sizeof(buf)) == 8 &&
		   !memcmp(buf, "pts/ptmx", 8),
	       "/dev/ptmx link");
	EXPECT(stat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode),
	       "/dev/ptmx reaches our devpts");
	EXPECT(stat("/dev/husk-fifo", &st) == 0 && S_ISFIFO(st.st_mode) &&
		   (st.st_mode & 0777) == 0600,
	       "linux.devices fifo");
	if (!userns)
		EXPECT(stat("/dev/husk-null", &st) == 0 &&
			   st.st_rdev == makedev(1, 3) &&
			   (st.st_mode & 0777) == 0640 && st.st_uid == 1000 &&
			   st.st_gid == 1001,
		       "linux.devices node with mode and owner");
	EXPECT(fs_is("/dev/mqueue", MQUEUE_MAGIC), "/dev/mqueue");
	EXPECT(is_ro("/sys") && fs_is("/sys", SYSFS_MAGIC), "/sys ro sysfs");
	EXPECT(fs_is("/sys/fs/cgroup", TMPFS_MAGIC) ||
		   fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC),
	       "/sys/fs/cgroup mounted");
	EXPECT(is_ro("/sys/fs/cgroup"), "/sys/fs/cgroup read-only");
	EXPECT(access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) ==
		       0 ||
		   access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0,
	       "cgroup files visible");
	EXPECT(is_node("/proc/keys", S_IFCHR, 1, 3), "/proc/keys masked");
	EXPECT(fs_is("/proc/acpi", TMPFS_MAGIC) && is_ro("/proc/acpi"),
	       "/proc/acpi masked by a read-only tmpfs");
	EXPECT(access("/proc/kcore", F_OK) < 0 ||
		   is_node("/proc/kcore", S_IFCHR, 1, 3),
	       "/proc/kcore masked or absent");
	EXPECT(is_ro("/proc/sys") && !is_ro("/proc"), "/proc/sys read-only");
	EXPECT(is_ro("/"), "root read-only");
	EXPECT(open("/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) < 0 &&
		   errno == EROFS,
	       "root refuses writes");
	if (userns) {
		gethostname(buf, sizeof(buf));
		EXPECT(!strcmp(buf, "husk-ns"), "hostname");
	}
	pid = fork();
	if (pid == 0) {
		execl("/bin/busybox", "busybox", "true", (char *)NULL);
		_exit(127);
	}
	EXPECT(waitpid(pid, &status, 0) == pid && status == 0,
	       "exec busybox in the new root");
}

/* The child's side of runtime/container.c, in the same order. */
static int build_and_check(const struct fixture *f, bool userns)
{
	const unsigned long nsx = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct ns_mount mounts[] = {
	    {"/proc", "proc", "proc", nsx, 0, 0, 0, 0, 0, NULL},
	    {"/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, 0, 0, 0, 0,
	     0, "mode=755,size=65536k"},
	    {"/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, 0, 0, 0, 0,
	     0, "newinstance,ptmxmode=0666,mode=0620"},
	    {"/dev/mqueue", "mqueue", "mqueue", nsx, 0, 0, 0, 0, 0, NULL},
	    {"/sys", "sysfs", "sysfs", nsx | MS_RDONLY, 0, 0, 0, 0, 0, NULL},
	    {"/sys/fs/cgroup", "cgroup", "cgroup", nsx | MS_RELATIME, 0, 0, 0,
	     0, 0, NULL},
	    {"/tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, 0, 0, 0, 0, 0,
	     "mode=1777"},
	    {"/data", "bind", (char *)f->hostdata, MS_RDONLY, 0, MS_PRIVATE,
	     true, true, 0, NULL},
	    {"/etc/hfile", NULL, (char *)f->hostfile, MS_RDONLY, 0, 0, true,
	     false, 0, NULL},
	    {"/evil", "tmpfs", "tmpfs", 0, 0, 0, 0, 0, 0, NULL},
	    {"/rel", "tmpfs", "tmpfs", 0, 0, 0, 0, 0, 0, NULL},
	    {"/seeded", "tmpfs", "tmpfs", 0, 0, 0, 0, 0, true, NULL},
	};
	struct ns_device devs[] = {
	    {"/dev/husk-fifo", 'p', 0, 0, 0600, 0, 0},
	    {"/dev/husk-null", 'c', 1, 3, 0640, 1000, 1001},
	};
	/* /proc/kcore is absent on some kernels: then it is skipped. */
	char *masked[] = {"/proc/keys", "/proc/acpi", "/proc/kcore",
			  "/proc/nonexistent"};
	char *ro[] = {"/proc/sys", "/proc/nonexistent"};
	struct ns_fs fs = {
	    .rootfs = f->rootfs,
	    .readonly = true,
	    .mounts = mounts,
	    .nmounts = ARRAY_SIZE(mounts),
	    .devices = devs,
	    .ndevices = userns ? 1 : 2,
	    .masked = masked,
	    .nmasked = ARRAY_SIZE(masked),
	    .readonly_paths = ro,
	    .nreadonly = ARRAY_SIZE(ro),
	    .in_userns = userns,
	    .new_netns = userns,
	};
	struct herr e = {0};

	if ((userns && ns_child_set_hostname("husk-ns", NULL, &e) < 0) ||
	    ns_child_private_mounts(&fs, &e) < 0 ||
	    ns_child_mount_rootfs(&fs, &e) < 0) {
		fprintf(stderr, "container: %s\n", e.msg);
		return 100;
	}
	host_side_checks(f);
	if (ns_child_pivot_root(&fs, &e) < 0 ||
	    ns_child_finish_rootfs(&fs, &e) < 0) {
		fprintf(stderr, "container: %s\n", e.msg);
		return 101;
	}
	container_checks(f, userns);
	return fails > 99 ? 99 : fails;
}

static int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_rootfs_as_root(const struct fixture *f)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) < 0 ? 102
					       : build_and_check(f, false));
	CHECK(wait_status(pid) == 0);
}

static void test_rootfs_in_userns(const struct fixture *f)
{
	struct ns_idmap map = {0, 0, 65536};
	int go[2], ready[2];
	struct herr e = {0};
	pid_t pid;
	char c;

	CHECK(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pid_t init;

		if (unshare(CLONE_NEWUSER) < 0)
			_exit(102);
		(void)!write(ready[1], "u", 1);
		if (read(go[0], &c, 1) != 1)
			_exit(103);
		/* proc needs a pid namespace of the user namespace's own,
		 * sysfs a network one, mqueue an ipc one. */
		if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
			    CLONE_NEWIPC | CLONE_NEWUTS) < 0)
			_exit(104);
		init = fork();
		if (init == 0)
			_exit(build_and_check(f, true));
		_exit(wait_status(init));
	}
	CHECK(read(ready[0], &c, 1) == 1);
	CHECK(ns_write_idmaps(pid, &map, 1, &map, 1, false, &e) == 0);
	/* The kernel takes each map once; the message names the file. */
	CHECK(ns_write_idmaps(pid, &map, 1, &map, 1, false, &e) == -1);
	CHECK(e.err == EPERM && strstr(e.msg, "uid_map") &&
	      strstr(e.msg, "only once"));
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(wait_status(pid) == 0);
	close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
}

/* pivot_root into a directory that is not a mount point fails, and the
 * message says why: EINVAL below another mount, EBUSY on the root mount. */
static int pivot_fails_with_hint(const char *dir, int err)
{
	struct ns_fs fs = {.rootfs = dir};
	struct herr e = {0};

	if (ns_child_pivot_root(&fs, &e) == 0)
		return 2;
	return e.err == err && strstr(e.msg, "must be a mount point") ? 0 : 3;
}

static void test_pivot_hint(const struct fixture *f)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct ns_fs fs = {.rootfs = f->hostdata};
		struct herr e = {0};
		char sub[160];
		int r;

		snprintf(sub, sizeof(sub), "%s/sub", f->victim);
		if (unshare(CLONE_NEWNS) < 0 ||
		    ns_child_private_mounts(&fs, &e) < 0 ||
		    mount("tmpfs", f->victim, "tmpfs", 0, NULL) < 0 ||
		    mkdir(sub, 0755) < 0)
			_exit(1);
		r = pivot_fails_with_hint(f->hostdata, EBUSY);
		_exit(r ? r : pivot_fails_with_hint(sub, EINVAL));
	}
	CHECK(wait_status(pid) == 0);
}

/* The mountinfo helpers cgroup/ and ns/ share (base/). */
static void test_mountinfo_helpers(void)
{
	char p[] = "/a\\040b\\011c\\134d";

	base_mountinfo_unescape(p);
	CHECK(strcmp(p, "/a b\tc\\d") == 0);
	CHECK(base_opts_have_all("rw,nosuid,cpu,cpuacct", "cpuacct,cpu"));
	CHECK(base_opts_have_all("rw,memory", "memory"));
	/* Negative: a prefix or a suffix of an item is not the item. */
	CHECK(!base_opts_have_all("rw,memory_x", "memory"));
	CHECK(!base_opts_have_all("rw,cpuacct", "cpu"));
	CHECK(!base_opts_have_all("rw,cpu", "cpu,pids"));
	CHECK(!base_opts_have_all("rw,xcpu", "cpu"));
	CHECK(!base_opts_have_all("", "cpu"));
	CHECK(base_opts_have_all("rw", ""));
	CHECK(base_opts_have_all("cpu", "cpu,,cpu"));
}

int main(int argc, char **argv)
{
	_cleanup_free_ char *before = NULL, *after = NULL;
	struct fixture f;

	base_debug_on = argc > 1 && !strcmp(argv[1], "-v");
	test_mountinfo_helpers();
	test_names();
	test_idmap_format();
	test_flags_str();
	if (geteuid() != 0) {
		fprintf(stderr, "test_ns: not root, namespace tests skipped\n");
		return unit_done("test_ns");
	}
	test_join();

	CHECK(setup_fixture(&f) == 0);
	before = base_read_file_at(AT_FDCWD, "/proc/self/mountinfo", NULL);
	test_rootfs_as_root(&f);
	test_rootfs_in_userns(&f);
	test_pivot_hint(&f);
	after = base_read_file_at(AT_FDCWD, "/proc/self/mountinfo", NULL);
	/* Nothing the containers mounted reached the host. */
	CHECK(before && after && !strstr(after, f.dir));
	CHECK(nftw(f.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
	return unit_done("test_ns");
}
