/*
 * state: one directory per container under the state root (--root).
 *
 *   ROOT/ID/            mode 0700, created with mkdir(2): exactly one of
 *                       two racing `create`s of one id wins
 *   ROOT/ID/state.json  husk's record, written atomically (tmp + rename)
 *   ROOT/ID/exec.fifo   exists between create and start
 *
 * Every command on a container holds flock(2) on ROOT/ID while it works, so
 * concurrent commands on one id run one after another.
 *
 * The status is never stored: it is computed from the real process.  The
 * record keeps the init's pid and its start time (field 22 of
 * /proc/PID/stat), so a pid reused by an unrelated process reads as
 * "stopped", never as the container.
 */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include "../base/base.h"
#include "../cgroup/cgroup.h"

struct st_record {
	char *oci_version;
	char *id;
	pid_t pid;
	unsigned long long start_time; /* clock ticks since boot */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339, UTC, nanoseconds */
	uid_t owner;
	char *cgroup;  /* cg_path(), for cg_open() */
	unsigned long long pid_ns; /* the init's pid namespace (inode), 0 if
				    * unknown (for ps without a cgroup) */
	struct cg_kv *annotations;
	size_t nannotations;
	bool detached; /* the init's parent is not husk */
};

enum st_status {
	ST_CREATING,
	ST_CREATED,
	ST_RUNNING,
	ST_PAUSED,
	ST_STOPPED
};

/* Make ROOT/ID and lock it.  EEXIST → "container 'ID' already exists". */
int st_create(const char *root, const char *id, int *dirfd, struct herr *e);
/* Open and lock ROOT/ID.  ENOENT → "container 'ID' does not exist". */
int st_open(const char *root, const char *id, int *dirfd, struct herr *e);
int st_write(int dirfd, const struct st_record *r, struct herr *e);
int st_read(int dirfd, struct st_record *r, struct herr *e);
/* list's reader: ROOTFD/ID/state.json opened in one openat2 that follows no
 * symlink and stays below ROOTFD; -1 (r empty) if it cannot be read. */
int st_read_in(int rootfd, const char *id, struct st_record *r);
/* The two readers st_read uses: the fast path for the files husk writes
 * (-1, r empty, for anything else) and jansson.  Exposed for the tests. */
int st_parse_fast(const char *buf, struct st_record *r);
int st_parse_json(const char *buf, struct st_record *r, struct herr *e);
/* Field by field, for the tests that hold the two readers together. */
bool st_record_equal(const struct st_record *a, const struct st_record *b);
void st_record_free(struct st_record *r);
/* Remove ROOT/ID and everything in it. */
int st_remove(const char *root, const char *id, int dirfd, struct herr *e);
/* List the ids in root (malloc'd NULL-terminated array). */
int st_list(const char *root, char ***ids, struct herr *e);

/* Is r's process gone (or its pid reused)?  Needs no state directory. */
bool st_gone(const struct st_record *r);
/* The status of a recorded container, from its process and cgroup. */
enum st_status st_status(int dirfd, const struct st_record *r);
/* The same for a process known to be there (!st_gone). */
enum st_status st_live_status(int dirfd, const struct st_record *r);
const char *st_status_name(enum st_status s);
/* The runtime-spec state document for r. */
char *st_to_oci_json(const struct st_record *r, enum st_status s);

/* Start time of pid (field 22 of /proc/PID/stat), 0 if gone. */
unsigned long long st_proc_start_time(pid_t pid);
/* Write a pid file atomically: decimal digits, no newline. */
int st_write_pid_file(const char *path, pid_t pid, struct herr *e);

#endif
