/*
 * cgroup-internal: what cgroup.c, v1.c, v2.c and values.c share.
 *
 * A container's cgroup is a set of directories, one per hierarchy husk
 * uses: on pure v2 one directory; on v1 one per controller hierarchy; on a
 * hybrid host the v1 directories plus one in the cgroup2 hierarchy.  Each
 * directory records how many trailing components of its path husk created,
 * because husk may only ever remove what it made: created directories are
 * always a suffix of the path (making "a" before "a/b"), so one number says
 * exactly which ones.
 */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include "cgroup.h"

/* The controllers husk writes or reads, as bit numbers. */
enum cgi_ctl {
	CGI_CPU,
	CGI_CPUACCT,
	CGI_CPUSET,
	CGI_MEMORY,
	CGI_PIDS,
	CGI_IO, /* "blkio" on v1, "io" on v2 */
	CGI_HUGETLB,
	CGI_DEVICES, /* v1 controller; v2 uses an eBPF program instead */
	CGI_FREEZER, /* v1 controller; v2 has cgroup.freeze in every cgroup */
	CGI_NCTL
};
#define CGI_BIT(c) (1u << (c))
/* Controllers that v2 provides in every cgroup without enabling. */
#define CGI_V2_CORE (CGI_BIT(CGI_DEVICES) | CGI_BIT(CGI_FREEZER))

extern const char *const cgi_v1_name[CGI_NCTL];
extern const char *const cgi_v2_name[CGI_NCTL]; /* NULL: not a v2 name */

#define CGI_MAX_DIRS 16

/* The container's directory in one hierarchy. */
struct cgi_dir {
	bool v2;
	char *key;     /* controllers, as in /proc/self/cgroup; "" on v2 */
	char *mount;   /* where the hierarchy is mounted */
	char *rel;     /* the container's path inside it: "/a/b" */
	char *path;    /* mount + rel */
	unsigned ctls; /* CGI_BIT()s this directory serves */
	int created;   /* trailing components of rel that husk created */
	bool gone;     /* its last component is removed already */
};

struct cg {
	enum cg_mode mode;
	struct cgi_dir dirs[CGI_MAX_DIRS];
	size_t ndirs;
	char *saved; /* cg_path() */
};

/* inside.c: file access inside a container directory, narrated. */
int cgi_write(const struct cgi_dir *d, const char *file, const char *val,
	      struct herr *e);
/* The same through *fd, opened on the first call and left open for more:
 * the kernel takes each write(2) as one value (v1 device rules).  The
 * caller closes *fd. */
int cgi_write_to(const struct cgi_dir *d, int *fd, const char *file,
		 const char *val, struct herr *e);
/* Read d/file; NULL with errno on failure. */
char *cgi_read(const struct cgi_dir *d, const char *file);
bool cgi_exists(const struct cgi_dir *d, const char *file);
/* A single number; "max" is INT64_MAX; -1 if absent or unreadable. */
int64_t cgi_read_num(const struct cgi_dir *d, const char *file);
/* The value of "key value" in a flat-keyed file; -1 if absent. */
int64_t cgi_read_key(const struct cgi_dir *d, const char *file,
		     const char *key);
/* The same in a file's text s (NULL: -1). */
int64_t cgi_key_num(const char *s, const char *key);

/* A number at the start of s ("max" is INT64_MAX), or -1. */
int64_t cgi_parse_num(const char *s);

/* inside.c: rmdir what husk created, leaf first (e may be NULL). */
int cgi_remove_dirs(struct cg *cg, struct herr *e);

/* values.c: pure helpers. */
/* Controllers for which r asks for a setting (unified keys excluded). */
unsigned cgi_needed(const struct cg_resources *r);
/* "max" (v2) or "-1" (v1) for negative values, else the number. */
void cgi_fmt_limit(char *buf, size_t n, int64_t v, bool v2);
/* "8:0", with "*" for a wildcard (-1) major or minor. */
void cgi_fmt_devnum(char *buf, size_t n, int64_t major, int64_t minor);
/* memory.swap.max from OCI's memory+swap: 0 with *out (-1 = max), 1 when
 * there is nothing to write, -1 with e when it cannot be expressed. */
int cgi_v2_swap(int64_t limit, int64_t swap, int64_t *out, struct herr *e);
/* The controller a unified key belongs to: "memory" for "memory.high". */
void cgi_key_controller(const char *key, char *buf, size_t n);
/* Is the word w in the space-separated list? */
bool cgi_word_in(const char *list, const char *w);

/* v1.c */
/* Make a freshly created v1 directory usable (cpuset needs cpus/mems). */
int cgi_v1_prepare(const struct cgi_dir *d, struct herr *e);
int cgi_v1_apply(const struct cgi_dir *d, const struct cg_resources *r,
		 struct herr *e);
void cgi_v1_stats(const struct cgi_dir *d, struct cg_stats *s);
/* The OOM kills counted in d (a memory directory); -1 if it has none. */
int64_t cgi_v1_oom_kills(const struct cgi_dir *d);

/* v2.c */
/* Enable the controllers named in `hard` (failure is an error) and `soft`
 * (failure is narrated and ignored) on the way down to d. */
int cgi_v2_enable(const struct cgi_dir *d, const char *hard, const char *soft,
		  struct herr *e);
int cgi_v2_apply(const struct cgi_dir *d, const struct cg_resources *r,
		 struct herr *e);
void cgi_v2_stats(const struct cgi_dir *d, struct cg_stats *s);
int64_t cgi_v2_oom_kills(const struct cgi_dir *d);

#endif
