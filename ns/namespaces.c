/*
 * namespaces: names and clone flags of the namespaces, joining existing
 * ones with setns(2), and the UTS namespace's host and domain names.
 */
#include "ns.h"

#include <fcntl.h>
#include <sched.h>
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
		fds[t] = open(ns[t].path, O_RDONLY | O_CLOEXEC);
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
	_cleanup_fd_ int fd = open(path, O_RDONLY | O_CLOEXEC);

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
