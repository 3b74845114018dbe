/*
 * syscalls: the kernel interfaces husk uses that libc may not wrap yet.
 *
 * Each wrapper is named after its syscall, so `man 2 openat2` explains it.
 * glibc 2.36 wraps the new mount API (open_tree, move_mount, fsopen,
 * fsconfig, fsmount, mount_setattr) in <sys/mount.h>, but not openat2(2)
 * or pivot_root(2); musl 1.2.3 (Debian 12's, which husk is linked against
 * by default) wraps none of them, nor close_range(2) or statx(2).  Other
 * libcs get every wrapper from here.  Constants missing from old headers
 * get #ifndef fallbacks with the kernel's values.
 *
 * Include this instead of <sys/mount.h>; never together with
 * <linux/mount.h>, whose definitions clash with glibc's.
 */
#ifndef HUSK_NS_SYSCALLS_H
#define HUSK_NS_SYSCALLS_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h> /* struct open_how, RESOLVE_* */

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#if defined(__GLIBC__)
#define HUSK_GLIBC_PREREQ(maj, min) __GLIBC_PREREQ(maj, min)
#else
#define HUSK_GLIBC_PREREQ(maj, min) 0
#endif

/* The new mount API: glibc has it since 2.36. */
#if !HUSK_GLIBC_PREREQ(2, 36)
#define OPEN_TREE_CLONE		1
#define OPEN_TREE_CLOEXEC	O_CLOEXEC
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#define FSOPEN_CLOEXEC		0x00000001
#define FSMOUNT_CLOEXEC		0x00000001
#define FSCONFIG_SET_FLAG	0
#define FSCONFIG_SET_STRING	1
#define FSCONFIG_CMD_CREATE	6
#define MOUNT_ATTR_RDONLY	0x00000001
#define MOUNT_ATTR_NOSUID	0x00000002
#define MOUNT_ATTR_NODEV	0x00000004
#define MOUNT_ATTR_NOEXEC	0x00000008
#define MOUNT_ATTR__ATIME	0x00000070
#define MOUNT_ATTR_RELATIME	0x00000000
#define MOUNT_ATTR_NOATIME	0x00000010
#define MOUNT_ATTR_STRICTATIME	0x00000020
#define MOUNT_ATTR_NODIRATIME	0x00000080
#define MOUNT_ATTR_NOSYMFOLLOW	0x00200000
struct mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

static inline int open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}
static inline int move_mount(int from_dfd, const char *from_path, int to_dfd,
			     const char *to_path, unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from_path, to_dfd,
			    to_path, flags);
}
static inline int fsopen(const char *fsname, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}
static inline int fsconfig(int fd, unsigned int cmd, const char *key,
			   const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
static inline int fsmount(int fd, unsigned int flags, unsigned int attrs)
{
	return (int)syscall(SYS_fsmount, fd, flags, attrs);
}
static inline int mount_setattr(int dfd, const char *path, unsigned int flags,
				struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}
#endif

/* close_range(2): glibc since 2.34. */
#if !HUSK_GLIBC_PREREQ(2, 34)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
static inline int close_range(unsigned int first, unsigned int last,
			      unsigned int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}
#endif

/* statx(2): glibc since 2.28.  Elsewhere, the kernel's struct up to the one
 * field husk reads (the mount id), padded to its full 256 bytes. */
#if !HUSK_GLIBC_PREREQ(2, 28)
#define STATX_MNT_ID 0x00001000U
#define STATX_ATTR_MOUNT_ROOT 0x00002000
struct statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, stx_pad0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	uint64_t stx_times[8]; /* atime, btime, ctime, mtime: 16 bytes each */
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint64_t stx_spare[13];
};
_Static_assert(offsetof(struct statx, stx_mnt_id) == 144 &&
		       sizeof(struct statx) == 256,
	       "struct statx as the kernel lays it out");
static inline int statx(int dfd, const char *path, int flags,
			unsigned int mask, struct statx *st)
{
	return (int)syscall(SYS_statx, dfd, path, flags, mask, st);
}
#endif

/* No libc wraps these two. */
static inline int openat2(int dfd, const char *path, struct open_how *how,
			  size_t size)
{
	return (int)syscall(SYS_openat2, dfd, path, how, size);
}
static inline int pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* The identity calls, raw.  libc's change every thread of the process and
 * so stop them all first (musl always: three rt_sigprocmask per call);
 * the processes husk calls them in have a single thread. */
static inline int sys_setgroups(size_t n, const gid_t *list)
{
	return (int)syscall(SYS_setgroups, n, list);
}
static inline int sys_setresgid(gid_t r, gid_t e, gid_t s)
{
	return (int)syscall(SYS_setresgid, r, e, s);
}
static inline int sys_setresuid(uid_t r, uid_t e, uid_t s)
{
	return (int)syscall(SYS_setresuid, r, e, s);
}

#endif
