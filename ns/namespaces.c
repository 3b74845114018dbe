/*
 * namespaces: names and clone flags of the namespaces, joining existing
 * ones with setns(2), and the UTS namespace's host and domain names.
 */
#include "ns.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name; /* the OCI runtime-spec name */
	const char *proc; /* the name under /proc/PID/ns/ */
	int flag;
} ns_table[NS__COUNT] = {
    [NS_USER] = {"user", "user", CLONE_NEWUSER},
    [NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [NS_NET] = {"network", "net", CLONE_NEWNET},
    [NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [NS_MNT] = {"mount", "mnt", CLONE_NEWNS},
    [NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

int ns_type_from_name(const char *name)
{
	int t;

	for (t = 0; t < NS__COUNT; t++)
		if (name && !strcmp(name, ns_table[t].name))
			return t;
	return -1;
}

const char *ns_name(enum ns_type t)
{
	return (unsigned)t < NS__COUNT ? ns_table[t].name : "unknown";
}

int ns_clone_flag(enum ns_type t)
{
	return (unsigned)t < NS__COUNT ? ns_table[t].flag : 0;
}

static int setns_hint(struct herr *e, enum ns_type t)
{
	switch (e->err) {
	case EINVAL:
		return herr_hint(e,
				 "'%s' is not a %s namespace, or this one "
				 "cannot be joined from a multithreaded or "
				 "chrooted process",
				 ns_table[t].proc, ns_table[t].name);
	case EPERM:
		return herr_hint(e, "joining needs CAP_SYS_ADMIN in the user "
				    "namespace that owns it; join its user "
				    "namespace too");
	default:
		return -1;
	}
}

/* A sysctl's number, -1 when it does not exist or cannot be read. */
static long read_sysctl(const char *path)
{
	_cleanup_free_ char *s = base_read_file_at(AT_FDCWD, path, NULL);
	int64_t v;

	if (!s)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	return base_parse_i64(s, &v) < 0 ? -1 : (long)v;
}

#define CLONE_KNOB "/proc/sys/kernel/unprivileged_userns_clone"

int ns_clone_hint(struct herr *e, int flags)
{
	char knob[64];
	long max, clone;

	if (e->err == ENOSPC || e->err == EUSERS) {
		/* The first kind asked for whose limit is 0 is the cause. */
		for (int t = 0; t < NS__COUNT; t++) {
			if (!(flags & ns_table[t].flag))
				continue;
			snprintf(knob, sizeof(knob),
				 "/proc/sys/user/max_%s_namespaces",
				 ns_table[t].proc);
			if (read_sysctl(knob) != 0)
				continue;
			return herr_hint(e,
					 "%s namespaces are disabled: %s is 0; "
					 "to allow them, as root: sysctl -w "
					 "user.max_%s_namespaces=15000, or "
					 "any value above 0",
					 ns_table[t].name, knob,
					 ns_table[t].proc);
		}
		if (!(flags & CLONE_NEWUSER))
			return herr_hint(e, "too many namespaces: a limit in "
					    "/proc/sys/user/max_*_namespaces "
					    "is reached");
		return herr_hint(
		    e,
		    "the limit on user namespaces is reached: "
		    "/proc/sys/user/max_user_namespaces is %ld "
		    "here, an enclosing user namespace may have "
		    "a lower one, and they nest at most 32 deep; "
		    "as root, raise it: sysctl -w "
		    "user.max_user_namespaces=N",
		    read_sysctl("/proc/sys/user/max_user_namespaces"));
	}
	if (e->err != EPERM || !(flags & CLONE_NEWUSER))
		return -1;
	/* Debian's and Ubuntu's kernels have a switch of their own for
	 * unprivileged user namespaces; upstream kernels do not. */
	max = read_sysctl("/proc/sys/user/max_user_namespaces");
	clone = read_sysctl(CLONE_KNOB);
	if (clone == 0)
		return herr_hint(e,
				 "unprivileged user namespaces are disabled: "
				 "%s is 0 (/proc/sys/user/max_user_namespaces "
				 "is %ld); to allow them, as root: sysctl -w "
				 "kernel.unprivileged_userns_clone=1",
				 CLONE_KNOB, max);
	return herr_hint(e,
			 "user namespaces are refused although "
			 "/proc/sys/user/max_user_namespaces is %ld%s: husk "
			 "may run in a chroot, or under a seccomp filter or a "
			 "security module (AppArmor, SELinux) that denies "
			 "them",
			 max, clone == 1 ? " and " CLONE_KNOB " is 1" : "");
}

int ns_child_join(const struct ns_spec ns[NS__COUNT], struct herr *e)
{
	int fds[NS__COUNT];
	int t, r = 0;

	/* Open every path first: once we are in another mount or user
	 * namespace the paths may no longer resolve or be readable. */
	for (t = 0; t < NS__COUNT; t++) {
		fds[t] = -1;
		if (!ns[t].wanted || !ns[t].path || t == NS_PID || r < 0)
			continue;
		fds[t] = openat(AT_FDCWD, ns[t].path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0)
			r = herr_sys(e, errno, "opening %s namespace '%s'",
				     ns_table[t].name, ns[t].path);
	}
	/* The enum order is the join order: user first, so that we hold
	 * capabilities over everything it owns. */
	for (t = 0; t < NS__COUNT && r == 0; t++) {
		if (fds[t] < 0)
			continue;
		base_debug("setns %s %s", ns_table[t].proc, ns[t].path);
		if (setns(fds[t], ns_table[t].flag) < 0) {
			herr_sys(e, errno, "setns %s '%s'", ns_table[t].proc,
				 ns[t].path);
			r = setns_hint(e, (enum ns_type)t);
		}
	}
	for (t = 0; t < NS__COUNT; t++)
		base_closep(&fds[t]);
	return r;
}

int ns_join_pid_for_children(const char *path, struct herr *e)
{
	_cleanup_fd_ int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return herr_sys(e, errno, "opening pid namespace '%s'", path);
	base_debug("setns pid %s (for children)", path);
	if (setns(fd, CLONE_NEWPID) < 0) {
		herr_sys(e, errno, "setns pid '%s'", path);
		return setns_hint(e, NS_PID);
	}
	return 0;
}

int ns_child_set_hostname(const char *hostname, const char *domainname,
			  struct herr *e)
{
	if (hostname) {
		base_debug("sethostname '%s'", hostname);
		if (sethostname(hostname, strlen(hostname)) < 0) {
			herr_sys(e, errno, "sethostname '%s'", hostname);
			if (errno == EPERM)
				herr_hint(e,
					  "setting a hostname needs a uts "
					  "namespace of the container's own");
			return -1;
		}
	}
	if (domainname) {
		base_debug("setdomainname '%s'", domainname);
		if (setdomainname(domainname, strlen(domainname)) < 0)
			return herr_sys(e, errno, "setdomainname '%s'",
					domainname);
	}
	return 0;
}
