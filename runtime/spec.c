/*
 * spec: capability names, and the default config.json `husk spec` writes.
 *
 * The default is runc's (`runc spec`, runc 1.1) with two deliberate
 * differences: no ambient capabilities (an unprivileged payload should not
 * keep privileges across exec by default), and a cgroup namespace, so the
 * container does not see the host's cgroup paths.  The rootless variant
 * follows `runc spec --rootless`: a user namespace mapping root to the
 * caller, no network namespace (an unprivileged user cannot configure
 * one), /sys bind-mounted from the host (sysfs can only be mounted with a
 * network namespace of one's own), no uid=/gid= mount options (those ids
 * are not mapped), and no resources (no cgroup to write them to).
 */
#include "config.h"

#include <jansson.h>
#include <linux/capability.h>
#include <string.h>

#define CAP(name) [name] = #name
static const char *const cap_names[] = {
    CAP(CAP_CHOWN),
    CAP(CAP_DAC_OVERRIDE),
    CAP(CAP_DAC_READ_SEARCH),
    CAP(CAP_FOWNER),
    CAP(CAP_FSETID),
    CAP(CAP_KILL),
    CAP(CAP_SETGID),
    CAP(CAP_SETUID),
    CAP(CAP_SETPCAP),
    CAP(CAP_LINUX_IMMUTABLE),
    CAP(CAP_NET_BIND_SERVICE),
    CAP(CAP_NET_BROADCAST),
    CAP(CAP_NET_ADMIN),
    CAP(CAP_NET_RAW),
    CAP(CAP_IPC_LOCK),
    CAP(CAP_IPC_OWNER),
    CAP(CAP_SYS_MODULE),
    CAP(CAP_SYS_RAWIO),
    CAP(CAP_SYS_CHROOT),
    CAP(CAP_SYS_PTRACE),
    CAP(CAP_SYS_PACCT),
    CAP(CAP_SYS_ADMIN),
    CAP(CAP_SYS_BOOT),
    CAP(CAP_SYS_NICE),
    CAP(CAP_SYS_RESOURCE),
    CAP(CAP_SYS_TIME),
    CAP(CAP_SYS_TTY_CONFIG),
    CAP(CAP_MKNOD),
    CAP(CAP_LEASE),
    CAP(CAP_AUDIT_WRITE),
    CAP(CAP_AUDIT_CONTROL),
    CAP(CAP_SETFCAP),
    CAP(CAP_MAC_OVERRIDE),
    CAP(CAP_MAC_ADMIN),
    CAP(CAP_SYSLOG),
    CAP(CAP_WAKE_ALARM),
    CAP(CAP_BLOCK_SUSPEND),
    CAP(CAP_AUDIT_READ),
    CAP(CAP_PERFMON),
    CAP(CAP_BPF),
    CAP(CAP_CHECKPOINT_RESTORE),
};
#undef CAP

_Static_assert(ARRAY_SIZE(cap_names) == CAP_CHECKPOINT_RESTORE + 1,
	       "a capability number without a name");

int rt_cap_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *rt_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

/* ---- the default config.json ----------------------------------------------
 */

/* A JSON array of the strings in v, which ends with NULL. */
static json_t *strings(const char *const *v)
{
	json_t *a = json_array();

	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *spec_process(void)
{
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
	    "/bin",
	    "TERM=xterm", NULL};
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL",
					   "CAP_NET_BIND_SERVICE", NULL};
	static const char *const args[] = {"sh", NULL};

	return json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:o, s:o, s:o},"
			 " s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1, "user", "uid", 0, "gid", 0, "args",
			 strings(args), "env", strings(env), "cwd", "/",
			 "capabilities", "bounding", strings(caps), "effective",
			 strings(caps), "permitted", strings(caps), "rlimits",
			 "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1);
}

static void add_mount(json_t *mounts, const char *dest, const char *type,
		      const char *src, const char *const *opts)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", dest, "type",
			      type, "source", src);

	if (opts)
		json_object_set_new(m, "options", strings(opts));
	json_array_append_new(mounts, m);
}

static json_t *spec_mounts(bool rootless)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755",
					  "size=65536k", NULL};
	static const char *const pts[] = {
	    "nosuid",	 "noexec", "newinstance", "ptmxmode=0666",
	    "mode=0620", "gid=5",  NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const char *const mqueue[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro",
					  NULL};
	static const char *const sys_bind[] = {"rbind", "nosuid", "noexec",
					       "nodev", "ro",	  NULL};
	static const char *const cgroup[] = {"nosuid",	 "noexec", "nodev",
					     "relatime", "ro",	   NULL};
	json_t *m = json_array();
	/* Without "gid=5": group 5 is not mapped in a rootless container. */
	static const char *const pts_rootless[] = {
	    "nosuid",	     "noexec",	  "newinstance",
	    "ptmxmode=0666", "mode=0620", NULL};

	add_mount(m, "/proc", "proc", "proc", NULL);
	add_mount(m, "/dev", "tmpfs", "tmpfs", dev);
	add_mount(m, "/dev/pts", "devpts", "devpts",
		  rootless ? pts_rootless : pts);
	add_mount(m, "/dev/shm", "tmpfs", "shm", shm);
	add_mount(m, "/dev/mqueue", "mqueue", "mqueue", mqueue);
	if (rootless)
		add_mount(m, "/sys", "none", "/sys", sys_bind);
	else
		add_mount(m, "/sys", "sysfs", "sysfs", sys);
	add_mount(m, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup);
	return m;
}

/*
 * The default seccomp profile: the same effect as docker's default for a
 * container without CAP_SYS_ADMIN and the other capabilities docker keys
 * its exceptions on (husk spec grants none of them).  Written as a deny
 * list over an ALLOW default, not docker's 350-name allow list: what is
 * refused is exactly docker's set -- kernel keyrings, bpf, perf, module,
 * clock, reboot, swap and quota calls, mounts and the new mount API,
 * namespaces (unshare, setns, clone with any CLONE_NEW* flag), NUMA
 * policy, cross-process memory access, userfaultfd, io_uring, handle-based
 * opens -- and clone3 answers ENOSYS, so that libc falls back to clone,
 * whose flags a filter can see.  The trade-off, stated: a syscall added to
 * a future kernel is allowed until it is listed here, where docker's list
 * would refuse it.  A config that needs any of these (a container given
 * CAP_SYS_ADMIN to mount, say) must edit or drop linux.seccomp.
 */
static json_t *spec_seccomp(void)
{
	static const char *const denied[] = {
	    "acct", "add_key", "bpf", "clock_adjtime", "clock_settime",
	    "create_module", "delete_module", "finit_module", "fsconfig",
	    "fsmount", "fsopen", "fspick", "get_kernel_syms", "get_mempolicy",
	    "init_module", "io_uring_enter", "io_uring_register",
	    "io_uring_setup", "ioperm", "iopl", "kcmp", "kexec_file_load",
	    "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount",
	    "mount_setattr", "move_mount", "move_pages", "name_to_handle_at",
	    "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open",
	    "pivot_root", "process_vm_readv", "process_vm_writev",
	    "query_module", "quotactl", "quotactl_fd", "reboot", "request_key",
	    "set_mempolicy", "set_mempolicy_home_node", "setns",
	    "settimeofday", "stime", "swapoff", "swapon", "sysfs", "_sysctl",
	    "syslog", "umount", "umount2", "unshare", "uselib", "userfaultfd",
	    "ustat", "vm86", "vm86old", NULL};
	/* CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET */
	static const json_int_t ns_flags[] = {0x20000,	 0x2000000,  0x4000000,
					      0x8000000,  0x10000000, 0x20000000,
					      0x40000000};
	json_t *rules = json_array();

	json_array_append_new(rules, json_pack("{s:o, s:s, s:i}", "names",
					       strings(denied), "action",
					       "SCMP_ACT_ERRNO", "errnoRet", 1));
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		json_array_append_new(
		    rules,
		    json_pack("{s:[s], s:s, s:i, s:[{s:i, s:I, s:I, s:s}]}",
			      "names", "clone", "action", "SCMP_ACT_ERRNO",
			      "errnoRet", 1, "args", "index", 0, "value",
			      ns_flags[i], "valueTwo", ns_flags[i], "op",
			      "SCMP_CMP_MASKED_EQ"));
	json_array_append_new(rules,
			      json_pack("{s:[s], s:s, s:i}", "names", "clone3",
					"action", "SCMP_ACT_ERRNO", "errnoRet",
					38 /* ENOSYS */));
	return json_pack("{s:s, s:[s, s, s], s:o}", "defaultAction",
			 "SCMP_ACT_ALLOW", "architectures", "SCMP_ARCH_X86_64",
			 "SCMP_ARCH_X86", "SCMP_ARCH_X32", "syscalls", rules);
}

static json_t *spec_linux(bool rootless)
{
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     NULL};
	static const char *const readonly[] = {
	    "/proc/bus",	   "/proc/fs", "/proc/irq", "/proc/sys",
	    "/proc/sysrq-trigger", NULL};
	static const char *const ns[] = {"pid",	  "network", "ipc",  "uts",
					 "mount", "cgroup",  "user", NULL};
	json_t *lx = json_object(), *nss = json_array();

	if (rootless) {
		json_object_set_new(lx, "uidMappings",
				    json_pack("[{s:i, s:I, s:i}]",
					      "containerID", 0, "hostID",
					      (json_int_t)getuid(), "size", 1));
		json_object_set_new(lx, "gidMappings",
				    json_pack("[{s:i, s:I, s:i}]",
					      "containerID", 0, "hostID",
					      (json_int_t)getgid(), "size", 1));
	} else {
		json_object_set_new(lx, "resources",
				    json_pack("{s:[{s:b, s:s}]}", "devices",
					      "allow", 0, "access", "rwm"));
	}
	for (const char *const *n = ns; *n; n++) {
		bool net = strcmp(*n, "network") == 0;
		bool user = strcmp(*n, "user") == 0;

		if ((rootless && net) || (!rootless && user))
			continue;
		json_array_append_new(nss, json_pack("{s:s}", "type", *n));
	}
	json_object_set_new(lx, "namespaces", nss);
	json_object_set_new(lx, "maskedPaths", strings(masked));
	json_object_set_new(lx, "readonlyPaths", strings(readonly));
	json_object_set_new(lx, "seccomp", spec_seccomp());
	return lx;
}

char *rt_spec_default(bool rootless)
{
	json_t *spec;
	char *text, *out;

	spec =
	    json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion",
		      "1.0.2-dev", "process", spec_process(), "root", "path",
		      "rootfs", "readonly", 1, "hostname", "husk", "mounts",
		      spec_mounts(rootless), "linux", spec_linux(rootless));
	text = spec ? json_dumps(spec, JSON_INDENT(2)) : NULL;
	json_decref(spec);
	/* The formats are fixed, so only ENOMEM can get here: die like
	 * xmalloc() does. */
	if (!text) {
		base_warn("out of memory");
		exit(1);
	}
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}
