/*
 * ns: Linux namespaces, user-namespace id maps, and the container's
 * filesystem (mounts, /dev, pivot_root, masked and read-only paths).
 *
 * Kernel interfaces: clone3(2)/unshare(2)/setns(2), /proc/PID/{uid,gid}_map
 * and setgroups, mount(2), open_tree(2)/move_mount(2), openat2(2) with
 * RESOLVE_IN_ROOT, mknod(2), pivot_root(2), sethostname(2).
 *
 * Takes plain C values only; never includes runtime/ or cgroup/.
 *
 * Invariants:
 * - Every path inside the rootfs is resolved relative to an fd on the
 *   rootfs with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a
 *   symlink in the container image can never point a mount, mknod or chown
 *   outside of it.  Mounts are made onto the resolved fd
 *   (/proc/self/fd/N or move_mount), never onto a re-resolved path.
 * - Functions named ns_child_* run in the container's init after clone, in
 *   its new mount namespace; the others run in the parent.
 */
#ifndef HUSK_NS_H
#define HUSK_NS_H

#include "../base/base.h"

#include <sys/types.h>

/* The namespaces husk knows, in the order they must be joined/created. */
enum ns_type {
	NS_USER, /* first: it owns every other namespace created with it */
	NS_PID,
	NS_NET,
	NS_IPC,
	NS_UTS,
	NS_MNT,
	NS_CGROUP,
	NS_TIME,
	NS__COUNT
};

struct ns_spec {
	bool wanted;  /* listed in linux.namespaces */
	char *path;   /* join this one with setns(2); NULL = create a new one */
};

/* OCI names: "pid" → NS_PID, "network" → NS_NET, "mount" → NS_MNT, … ;
 * -1 if unknown.  ns_name(NS_PID) → "pid". */
int ns_type_from_name(const char *name);
const char *ns_name(enum ns_type t);
/* CLONE_NEW* flag of t. */
int ns_clone_flag(enum ns_type t);
/* After clone3/unshare with the CLONE_NEW* flags failed with e->err:
 * append why (ENOSPC/EUSERS: which /proc/sys/user/max_*_namespaces limit;
 * EPERM with CLONE_NEWUSER: /proc/sys/kernel/unprivileged_userns_clone
 * where the kernel has it, else the other usual causes) and the fix, read
 * from the sysctls as they are now.  Returns -1. */
int ns_clone_hint(struct herr *e, int flags);

struct ns_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

/* Format maps as the kernel wants them ("C H S\n" per line) into buf. */
int ns_idmap_format(const struct ns_idmap *m, size_t n, char *buf, size_t len);

/* Parent: write /proc/PID/uid_map and gid_map for the child, writing
 * "deny" to setgroups first when deny_setgroups (needed when the writer
 * lacks CAP_SETGID over the parent namespace, i.e. rootless).  Narrates
 * each line.  Errors name the file and the likely cause. */
int ns_write_idmaps(pid_t pid, const struct ns_idmap *uids, size_t nuids,
		    const struct ns_idmap *gids, size_t ngids,
		    bool deny_setgroups, struct herr *e);

/* Child: setns(2) into each wanted namespace that has a path, user first.
 * Skips NS_PID (joined by the parent before clone, see ns_join_pid). */
int ns_child_join(const struct ns_spec ns[NS__COUNT], struct herr *e);
/* Parent: setns(2) into the pid namespace at path before clone.  This only
 * changes the namespace of the parent's future children, never its own. */
int ns_join_pid_for_children(const char *path, struct herr *e);

/* The pids of every process in the pid namespace whose init is init (its
 * inode ns_ino, recorded when it could still be read; 0: read it now), and in
 * namespaces nested in it, ascending (malloc'd).  Only for a namespace init
 * made (it is pid 1 there): one it shares or joined holds other processes
 * too, and that is an error (ESRCH).  Processes of other users, which
 * cannot be inspected, are not listed. */
int ns_pidns_members(pid_t init, unsigned long long ns_ino, pid_t **pids,
		     size_t *n, struct herr *e);
/* The inode of pid's pid namespace (/proc/PID/ns/pid), 0 when it cannot be
 * read: the init's, recorded at create, for ns_pidns_members(). */
unsigned long long ns_pid_ns_ino(pid_t pid);

/* Child: sethostname/setdomainname (NULL = leave). */
int ns_child_set_hostname(const char *hostname, const char *domainname,
			  struct herr *e);

/* One entry of the OCI mounts[] array, options already parsed. */
struct ns_mount {
	char *destination; /* absolute path inside the container */
	char *type;        /* "proc", "tmpfs", "bind", … or NULL for bind */
	char *source;      /* host path for binds, fs source otherwise */
	unsigned long flags;        /* MS_RDONLY|MS_NOSUID|… to set */
	unsigned long clear_flags;  /* explicitly cleared: "rw", "suid", … */
	unsigned long propagation;  /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, |MS_REC */
	bool bind;        /* "bind" or "rbind" option or type "bind" */
	bool recursive;   /* "rbind" */
	bool tmpcopyup;   /* podman: seed the tmpfs with what was below */
	char *data;       /* remaining fs-specific options, comma separated */
};

struct ns_device {
	char *path;       /* absolute path inside the container */
	char type;        /* 'c', 'b', 'u' (= 'c') or 'p' */
	int64_t major, minor;
	mode_t mode;      /* permission bits; 0666 when not given */
	uid_t uid;
	gid_t gid;
};

/* Everything the child needs to build the container's filesystem. */
struct ns_fs {
	const char *rootfs;        /* absolute host path, already resolved */
	bool readonly;             /* root.readonly */
	unsigned long propagation; /* rootfsPropagation; 0 = MS_SLAVE|MS_REC (runc) */
	const struct ns_mount *mounts;
	size_t nmounts;
	const struct ns_device *devices;
	size_t ndevices;
	char *const *masked;
	size_t nmasked;
	char *const *readonly_paths;
	size_t nreadonly;
	bool no_pivot;       /* --no-pivot: chroot(2) instead of pivot_root */
	bool in_userns;      /* mknod is forbidden: bind device nodes instead */
	bool new_netns;      /* sysfs may only be mounted with a netns of our own */
	bool new_cgroupns;   /* for type "cgroup" mounts */
};

/* Child, steps in order (see runtime/container.c):
 * 1. make every mount private/slave so nothing propagates to the host;
 * 2. bind the rootfs onto itself, apply mounts[] in order, create /dev;
 * 3. pivot_root into it (or chroot with no_pivot) and detach the old root;
 * 4. mask and make read-only the listed paths, remount / read-only. */
int ns_child_private_mounts(const struct ns_fs *fs, struct herr *e);
int ns_child_mount_rootfs(const struct ns_fs *fs, struct herr *e);
int ns_child_pivot_root(const struct ns_fs *fs, struct herr *e);
int ns_child_finish_rootfs(const struct ns_fs *fs, struct herr *e);

/* Resolve path inside the directory rootfd without leaving it, creating
 * missing components as directories (mkdir_p) or, for the last one, as a
 * file when !want_dir.  Returns an O_PATH|O_CLOEXEC fd or -1 with errno. */
int ns_open_in_root(int rootfd, const char *path, bool create, bool want_dir);

#endif
