/*
 * limit: the kernel work of one `run` of the bench's default spec, and
 * nothing else -- the "physical limit" issue 6 measures husk against.
 *
 *   limit ROOTFS CGPATH [BPF]
 *
 * No config to parse, no state, no checks beyond each call's result: the
 * container's cgroup (v1: one directory per hierarchy, device rules; v2:
 * one directory, entered by clone3), clone3 with the default spec's five
 * namespaces, the spec's mounts, device nodes, masked and read-only paths,
 * pivot_root, hostname, rlimit, capabilities, no_new_privs, BPF (a file of
 * struct sock_filter, e.g. husk's cache entry without its 80-byte header)
 * loaded last, execve of /bin/true; the parent waits and removes the
 * cgroup.  Error handling: print the failed step and exit 1, so a broken
 * run is a failed sample, never a fast one.
 *
 * On a hybrid host the cgroup2 mount is left out (the bench unmounts it).
 * What it leaves out, a runtime cannot: reading a config, a state
 * directory, a sync protocol with the child, signal relaying, hooks, and
 * checking each path it mounts on; also a new session and session
 * keyring (a few syscalls), and any defence against CVE-2019-5736 (husk's
 * shim: one more execve).
 * Built by bench/run.sh; not part of husk.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	fputs("limit: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(err));
	va_end(ap);
	_exit(1);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die("writing '%s' to %s", s, path);
	close(fd);
}

/* The v1 hierarchies: every directory under /sys/fs/cgroup with a
 * cgroup.procs; a symlink (cpu -> cpu,cpuacct) is its target's.  This
 * includes name=systemd, which husk leaves alone: here the limit does a
 * little more than husk. */
static char hier[16][NAME_MAX + 1];
static int nhier;

/* A hybrid host's cgroup2 mount (unified): clone3 would place the child
 * there, as husk does; the bench runs without it. */
static bool is_cgroup2(const char *name)
{
	char p[PATH_MAX];
	struct statfs sf;

	snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", name);
	return statfs(p, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static void find_hierarchies(void)
{
	DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *de;
	char p[PATH_MAX];

	if (!d)
		die("opendir /sys/fs/cgroup");
	while ((de = readdir(d)) && nhier < 16) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", de->d_name);
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue; /* cpu -> cpu,cpuacct */
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/cgroup.procs",
			 de->d_name);
		if (access(p, F_OK) == 0 && !is_cgroup2(de->d_name))
			snprintf(hier[nhier++], sizeof(hier[0]), "%s",
				 de->d_name);
	}
	closedir(d);
}

/* The default spec's device rules (runc spec: deny all), then the devices
 * every runtime allows. */
static const char *const allow[] = {
	"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
	"c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm",
	"c 136:* rwm", "c 10:200 rwm",
};

/* mkdir DIR, and for a new v1 cpuset copy its parent's cpus and mems (a
 * new cpuset has none, and no process may join it). */
static void cg_mkdir(const char *dir, bool cpuset)
{
	static const char *const keys[] = {"cpuset.cpus", "cpuset.mems"};
	char parent[PATH_MAX], f[PATH_MAX + 32], buf[256];

	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST)
			return;
		die("mkdir %s", dir);
	}
	if (!cpuset)
		return;
	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	for (int k = 0; k < 2; k++) {
		int fd;
		ssize_t n;

		snprintf(f, sizeof(f), "%s/%s", parent, keys[k]);
		fd = open(f, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (n < 0)
			die("reading %s", f);
		buf[n] = '\0';
		close(fd);
		snprintf(f, sizeof(f), "%s/%s", dir, keys[k]);
		write_file(f, buf);
	}
}

/* mkdir -p of CG (absolute) under ROOT. */
static void cg_mkdir_p(const char *root, const char *cg, bool cpuset)
{
	char p[PATH_MAX];
	size_t n = (size_t)snprintf(p, sizeof(p), "%s", root);

	for (const char *c = cg; *c;) {
		size_t len = strcspn(c + 1, "/") + 1;

		snprintf(p + n, sizeof(p) - n, "%.*s", (int)len, c);
		n += len;
		cg_mkdir(p, cpuset);
		c += len;
	}
}

static void cgroup_create(const char *cg, bool v2)
{
	char root[PATH_MAX];

	if (v2) {
		cg_mkdir_p("/sys/fs/cgroup", cg, false);
		return;
	}
	for (int i = 0; i < nhier; i++) {
		snprintf(root, sizeof(root), "/sys/fs/cgroup/%s", hier[i]);
		cg_mkdir_p(root, cg, strcmp(hier[i], "cpuset") == 0);
		if (strcmp(hier[i], "devices") == 0) {
			char f[PATH_MAX + 32];

			snprintf(f, sizeof(f), "%s%s/devices.deny", root, cg);
			write_file(f, "a");
			snprintf(f, sizeof(f), "%s%s/devices.allow", root, cg);
			for (size_t j = 0; j < sizeof(allow) / sizeof(*allow); j++)
				write_file(f, allow[j]);
		}
	}
}

static void cgroup_remove(const char *cg, bool v2)
{
	char p[PATH_MAX];

	if (v2) {
		snprintf(p, sizeof(p), "/sys/fs/cgroup%s", cg);
		if (rmdir(p) < 0)
			die("rmdir %s", p);
		return;
	}
	for (int i = 0; i < nhier; i++) {
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s%s", hier[i], cg);
		if (rmdir(p) < 0)
			die("rmdir %s", p);
	}
}

static void mnt(const char *src, const char *dst, const char *type,
		unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die("mount %s on %s", src ? src : "(none)", dst);
}

static void ro_bind(const char *path)
{
	mnt(path, path, NULL, MS_BIND | MS_REC, NULL);
	mnt(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
}

static void child(const char *rootfs, const char *cg, bool v2,
		  const struct sock_fprog *bpf)
{
	static const char *const masked[] = {
		"proc/acpi",	  "proc/asound",      "proc/kcore",
		"proc/keys",	  "proc/latency_stats", "proc/timer_list",
		"proc/timer_stats", "proc/sched_debug", "sys/firmware",
		"proc/scsi",
	};
	static const char *const ro[] = {
		"proc/bus", "proc/fs", "proc/irq", "proc/sys",
		"proc/sysrq-trigger",
	};
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = {
		{"null", 1, 3},	   {"zero", 1, 5},    {"full", 1, 7},
		{"random", 1, 8},  {"urandom", 1, 9}, {"tty", 5, 0},
	};
	static const char *const links[][2] = {
		{"/proc/self/fd", "dev/fd"},	 {"/proc/self/fd/0", "dev/stdin"},
		{"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"},
		{"pts/ptmx", "dev/ptmx"},	 {"/proc/kcore", "dev/core"},
	};
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	const uint64_t keep = 1ULL << CAP_AUDIT_WRITE | 1ULL << CAP_KILL |
			      1ULL << CAP_NET_BIND_SERVICE;
	struct rlimit nofile = {1024, 1024};
	char p[PATH_MAX];

	/* v1: join each hierarchy (one thread: cheap); v2: clone3 did. */
	for (int i = 0; !v2 && i < nhier; i++) {
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s%s/tasks", hier[i], cg);
		write_file(p, "0");
	}
	mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
	if (chdir(rootfs) < 0)
		die("chdir %s", rootfs);
	mnt("proc", "proc", "proc", 0, NULL);
	mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
	    "mode=755,size=65536k");
	mkdir("dev/pts", 0755);
	mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mkdir("dev/shm", 0755);
	mnt("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
	    "mode=1777,size=65536k");
	mkdir("dev/mqueue", 0755);
	mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV,
	    NULL);
	mnt("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY,
	    NULL);
	if (v2) {
		mnt("cgroup", "sys/fs/cgroup", "cgroup2",
		    MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
	} else {
		/* As runc on v1: a tmpfs, then each hierarchy's own cgroup
		 * bound read-only at its name. */
		mnt("tmpfs", "sys/fs/cgroup", "tmpfs",
		    MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=755");
		for (int i = 0; i < nhier; i++) {
			char src[PATH_MAX];

			snprintf(src, sizeof(src), "/sys/fs/cgroup/%s%s",
				 hier[i], cg);
			snprintf(p, sizeof(p), "sys/fs/cgroup/%s", hier[i]);
			mkdir(p, 0755);
			mnt(src, p, NULL, MS_BIND | MS_REC, NULL);
			mnt(NULL, p, NULL,
			    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
				MS_NOEXEC | MS_NODEV,
			    NULL);
		}
	}
	for (size_t i = 0; i < sizeof(nodes) / sizeof(*nodes); i++) {
		snprintf(p, sizeof(p), "dev/%s", nodes[i].name);
		if (mknod(p, S_IFCHR | 0666, makedev(nodes[i].maj,
						     nodes[i].min)) < 0)
			die("mknod %s", p);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die("symlink %s", links[i][1]);
	/* pivot_root(".", "."), then the old root is lazily unmounted. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("umount the old root");
	if (chdir("/") < 0)
		die("chdir /");
	for (size_t i = 0; i < sizeof(masked) / sizeof(*masked); i++) {
		struct stat st;

		if (stat(masked[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
		else
			mnt("/dev/null", masked[i], NULL, MS_BIND, NULL);
	}
	for (size_t i = 0; i < sizeof(ro) / sizeof(*ro); i++)
		if (access(ro[i], F_OK) == 0) /* sysrq-trigger may not be */
			ro_bind(ro[i]);
	/* root.readonly */
	mnt(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	if (sethostname("runc", 4) < 0)
		die("sethostname");
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		die("setrlimit");
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!(keep >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			die("dropping capability %d", c);
	d[0].effective = d[0].permitted = (uint32_t)keep;
	if (syscall(SYS_capset, &h, d) < 0)
		die("capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
	if (bpf && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, bpf) < 0)
		die("seccomp");
	execve("/bin/true", (char *[]){"/bin/true", NULL},
	       (char *[]){"PATH=/bin", NULL});
	die("execve /bin/true");
}

int main(int argc, char **argv)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	struct sock_fprog prog = {0};
	struct clone_args args = {0};
	struct statfs sf;
	int status, cgfd = -1;
	bool v2;
	pid_t pid;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: limit ROOTFS CGPATH [BPF]\n");
		return 2;
	}
	if (argc == 4) {
		int fd = open(argv[3], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, insns, sizeof(insns));

		if (n <= 0 || n % sizeof(*insns))
			die("reading the BPF in %s", argv[3]);
		close(fd);
		prog.len = n / sizeof(*insns);
		prog.filter = insns;
	}
	if (statfs("/sys/fs/cgroup", &sf) < 0)
		die("statfs /sys/fs/cgroup");
	v2 = sf.f_type == CGROUP2_SUPER_MAGIC;
	if (!v2)
		find_hierarchies();
	cgroup_create(argv[2], v2);
	args.flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
		     CLONE_NEWNET;
	args.exit_signal = SIGCHLD;
	if (v2) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "/sys/fs/cgroup%s", argv[2]);
		cgfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0)
			die("open %s", p);
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = cgfd;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		die("clone3");
	if (pid == 0)
		child(argv[1], argv[2], v2, argc == 4 ? &prog : NULL);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	cgroup_remove(argv[2], v2);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
