/*
 * base: the small core every husk module may include.
 *
 * - One error idiom.  A fallible function returns 0 on success or -1 on
 *   failure and fills a caller's `struct herr`: the errno and a message
 *   formatted where the failure happened.  The message lives in a fixed
 *   buffer, so making an error never allocates and a `struct herr` can cross
 *   the parent/child sync socket byte for byte.  Callers add context on the
 *   way up with herr_wrap() ("mounting '/proc': ...").  Only cli/ prints.
 * - Narration.  base_debug() prints one line per kernel operation when
 *   --debug is on; the same call sites run with and without it, so the
 *   narration cannot drift from what the code does.
 * - Cleanup attributes for locals: an fd is -1 when there is none; a
 *   variable marked _cleanup_fd_ or _cleanup_free_ is released when it goes
 *   out of scope unless ownership is moved out with take_fd()/take_ptr().
 * - fd-safe file helpers that loop on EINTR and short I/O.
 *
 * Invariant: every fd husk opens is O_CLOEXEC from birth.
 */
#ifndef HUSK_BASE_H
#define HUSK_BASE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define HERR_MSG_MAX 1024

struct herr {
	int err;                 /* errno of the first failure, 0 if none */
	char msg[HERR_MSG_MAX];  /* what happened, lowercase, no full stop */
};

/* Fill e with errnum and a formatted message.  Always returns -1 so that a
 * failure site reads `return herr_set(e, errno, "opening '%s'", p);`. */
int herr_set(struct herr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like herr_set(), appending ": strerror(errnum)" to the message. */
int herr_sys(struct herr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix context to an existing message: "ctx: old message".  Returns -1. */
int herr_wrap(struct herr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append a hint on the likely cause: "old message (hint)".  Returns -1. */
int herr_hint(struct herr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Narration: on when --debug was given. */
extern bool base_debug_on;
/* Print "husk: + <text>" on stderr when --debug is on.  Never fails. */
void base_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "husk: warning: <text>" on stderr (and to the log, see cli/). */
void base_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "husk: MESSAGE": news about the container that is neither a warning nor
 * an error (it was OOM-killed). */
void base_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where warnings and debug lines go; cli/ may redirect. Default: stderr. */
extern void (*base_warn_hook)(const char *msg);

/* Cleanup attributes. */
static inline void base_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = -1;
}
static inline void base_freep(void *p)
{
	free(*(void **)p);
	*(void **)p = NULL;
}
#define _cleanup_fd_ __attribute__((cleanup(base_closep)))
#define _cleanup_free_ __attribute__((cleanup(base_freep)))
static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}
#define take_ptr(p)                                                            \
	({                                                                     \
		__typeof__(p) _t = (p);                                        \
		(p) = NULL;                                                    \
		_t;                                                            \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* From here on malloc makes no madvise(2) of its own (base/alloc.c faults
 * its arena in ahead): called before a seccomp filter that may not allow
 * it is loaded.  (mmap for a new arena remains, as with any malloc.) */
void base_alloc_confined(void);

/* Allocation that cannot fail: on ENOMEM husk prints and exits 1. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* I/O that loops on EINTR and short counts.  Return 0 or -1 with errno. */
int base_write_all(int fd, const void *buf, size_t n);
/* Read up to n bytes until EOF; returns bytes read or -1 with errno. */
ssize_t base_read_all(int fd, void *buf, size_t n);
/* Write a string to dirfd/path (O_WRONLY|O_CLOEXEC, no O_CREAT).
 * dirfd may be AT_FDCWD.  Returns 0 or -1 with errno. */
int base_write_file_at(int dirfd, const char *path, const char *s);
/* Read a whole small file (< 1 MiB) into a NUL-terminated malloc'd buffer.
 * Returns NULL with errno set on failure.  *len gets the length if given. */
char *base_read_file_at(int dirfd, const char *path, size_t *len);
/* The same from fd's current offset to its end. */
char *base_read_fd(int fd, size_t *len);
/* Write dir/name atomically: a temporary file in dir, fsync-free rename.
 * mode applies to the new file. */
int base_write_file_atomic(const char *dir, const char *name, const void *buf,
			   size_t n, mode_t mode);
/* mkdir -p with mode for each created component (absolute or relative). */
int base_mkdir_p(const char *path, mode_t mode);

/* Now as RFC 3339 in UTC with nanoseconds: "2026-11-23T14:16:40.123456789Z"
 * (what containerd's log reader and the OCI state's "created" want). */
void base_now_rfc3339(char *buf, size_t len);
/* /proc/self/mountinfo escapes blanks and backslashes as \ooo: undo it in
 * place. */
void base_mountinfo_unescape(char *s);
/* Every comma-separated item of list is an item of the comma-separated
 * opts ("rw,memory" has "memory"; "rw,memory_x" has not). */
bool base_opts_have_all(const char *opts, const char *list);

/* Signals by name: "TERM", "SIGTERM", "15" → 15.  Returns -1 if unknown. */
int base_signal_parse(const char *s);
/* "SIGTERM" for 15, or NULL. */
const char *base_signal_name(int sig);

/* Strict decimal parsers: the whole string must be a number in range. */
int base_parse_u32(const char *s, uint32_t *out);
int base_parse_i64(const char *s, int64_t *out);

#endif
