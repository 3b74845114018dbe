/*
 * internal: helpers shared by the files of ns/, not part of its API.
 */
#ifndef HUSK_NS_INTERNAL_H
#define HUSK_NS_INTERNAL_H

#include "ns.h"

/* Big enough for every MS_* name ns_flags_str() knows, comma separated. */
#define NS_FLAGS_STR_MAX 256

/* "nosuid,nodev,noexec" for narration; "none" for 0.  Returns buf. */
const char *ns_flags_str(unsigned long flags, char *buf, size_t len);

/* A new, detached filesystem mount (fsopen/fsconfig/fsmount): type with
 * source and comma-separated data, mount flags MS_* from flags.  Returns
 * the mount fd, or -1 with e filled. */
int ns_fs_create(const char *type, const char *source, const char *data,
		 unsigned long flags, struct herr *e);
/* Attach the detached mount mntfd onto the resolved target fd
 * (move_mount); dest is only for messages. */
int ns_attach(int mntfd, int targetfd, const char *dest, struct herr *e);
/* Apply one mounts[] entry inside the rootfs open at rootfd. */
int ns_mount_one(int rootfd, const struct ns_fs *fs, const struct ns_mount *m,
		 bool bind, struct herr *e);
/* The same, for config entries: special types, context in errors. */
int ns_mount_apply(int rootfd, const struct ns_fs *fs, const struct ns_mount *m,
		   struct herr *e);
/* Type "cgroup": cgroup2, or a tmpfs with one mount per v1 hierarchy. */
int ns_mount_cgroup(int rootfd, const struct ns_fs *fs,
		    const struct ns_mount *m, struct herr *e);
/* Copy the tree below the directory srcfd into dstfd (tmpcopyup). */
int ns_copy_tree(int srcfd, int dstfd, const char *what, struct herr *e);
/* /dev: standard nodes and links, then linux.devices. */
int ns_dev_setup(int rootfd, const struct ns_fs *fs, struct herr *e);
/* True when mounts[] binds something over /dev itself. */
bool ns_dev_is_bound(const struct ns_fs *fs);

#endif
