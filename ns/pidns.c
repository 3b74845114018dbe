/*
 * pidns: the processes of a container told by its pid namespace, for `ps`
 * when the container has no cgroup to list them (rootless without a
 * delegated one).
 *
 * A process belongs to the container when its pid namespace
 * (/proc/PID/ns/pid) is the init's, or a namespace nested in it: the walk
 * up with ioctl(NS_GET_PARENT) meets the init's.  That holds only when the
 * init made the namespace (it is pid 1 there): a namespace that was joined
 * or shared holds other processes too, and then the answer is an error,
 * never a guess.
 */
#include "ns.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

struct ns_id {
	dev_t dev;
	ino_t ino;
};

static bool same_ns(const struct stat *st, const struct ns_id *id)
{
	return st->st_dev == id->dev && st->st_ino == id->ino;
}

/* The last field of "NSpid:" in /proc/PID/status: the pid in its own
 * namespace; -1 if unknown. */
static long own_ns_pid(pid_t pid)
{
	char path[64], line[256];
	long last = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = line + 6;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			last = v;
		}
		break;
	}
	fclose(f);
	return last;
}

/* Is the pid namespace of fd the init's, or nested in it?  Consumes fd
 * (-1: no). */
static bool in_ns(int fd, const struct ns_id *init)
{
	struct stat st;

	/* Nesting is at most 32 deep; NS_GET_PARENT fails with EPERM once the
	 * walk would leave husk's own pid namespace. */
	for (int depth = 0; fd >= 0 && depth <= 32; depth++) {
		int parent;

		if (fstat(fd, &st) == 0 && same_ns(&st, init)) {
			close(fd);
			return true;
		}
		parent = ioctl(fd, NS_GET_PARENT);
		close(fd);
		fd = parent;
	}
	base_closep(&fd);
	return false;
}

unsigned long long ns_pid_ns_ino(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) < 0 ? 0 : (unsigned long long)st.st_ino;
}

int ns_pidns_members(pid_t init, unsigned long long ns_ino, pid_t **pids,
		     size_t *n, struct herr *e)
{
	struct stat st, self;
	struct ns_id id;
	char path[64];
	size_t cap = 16;
	struct dirent *d;
	DIR *dir;

	*pids = NULL;
	*n = 0;
	if (stat("/proc/self/ns/pid", &self) < 0)
		return herr_sys(e, errno, "reading '/proc/self/ns/pid'");
	/* Every namespace file is on the one nsfs: the same st_dev.  A
	 * created init is not dumpable yet, so its own link is unreadable
	 * to an unprivileged husk: create recorded it. */
	if (!ns_ino) {
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init);
		if (stat(path, &st) < 0)
			return herr_sys(e, errno, "reading '%s'", path);
		ns_ino = (unsigned long long)st.st_ino;
	}
	id = (struct ns_id){.dev = self.st_dev, .ino = (ino_t)ns_ino};
	if (same_ns(&self, &id))
		return herr_set(e, ESRCH,
				"the init %d shares the host's pid namespace",
				(int)init);
	if (own_ns_pid(init) != 1)
		return herr_set(e, ESRCH,
				"the init %d joined a pid namespace it did not "
				"make (it is not pid 1 there)",
				(int)init);
	base_debug("listing the processes of pid namespace %s:[%lu]", "pid",
		   (unsigned long)id.ino);
	dir = opendir("/proc");
	if (!dir)
		return herr_sys(e, errno, "opening '/proc'");
	*pids = xcalloc(cap, sizeof(**pids));
	while ((d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);
		bool member;
		int fd;

		if (*end || end == d->d_name || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%ld/ns/pid", pid);
		/* Another user's process (EACCES) or one that just exited.
		 * (The init is a member whether its link is readable or not:
		 * a created one is not dumpable.) */
		fd = openat(dirfd(dir), path, O_RDONLY | O_CLOEXEC);
		member =
		    pid == init ? (base_closep(&fd), true) : in_ns(fd, &id);
		if (!member)
			continue;
		if (*n == cap)
			*pids = xrealloc(*pids, (cap *= 2) * sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)pid;
	}
	closedir(dir);
	return 0;
}
