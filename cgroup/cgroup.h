/*
 * cgroup: put a container in its own control group and write its limits.
 *
 * Kernel interfaces: cgroup v2 (one hierarchy at /sys/fs/cgroup or, on a
 * hybrid host, /sys/fs/cgroup/unified) and cgroup v1 (one hierarchy per
 * controller under /sys/fs/cgroup/<controller>).  husk uses v2 for every
 * controller that v2 offers on the host, v1 for the rest.
 *
 * Takes plain C values only; never includes runtime/ or ns/.
 *
 * Invariants:
 * - husk only ever creates, writes and removes directories it created
 *   itself (cg_create records which); it never moves another process.
 * - A cgroup can be reopened from its path alone (cg_open), so a later
 *   `husk delete` in another process can clean up what `create` made.
 * - Every directory created and every file written is narrated (--debug).
 */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include "../base/base.h"

/* A value that was not given in the config. */
#define CG_UNSET INT64_MIN

struct cg_throttle {
	int64_t major, minor;
	uint64_t rate;
};
struct cg_weight_dev {
	int64_t major, minor;
	uint16_t weight, leaf_weight; /* 0 = unset */
};
struct cg_hugepage {
	char *pagesize; /* "2MB", "1GB" */
	uint64_t limit;
};
struct cg_kv {
	char *key, *value;
};
struct cg_device_rule {
	bool allow;
	char type;          /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1 = any (*) */
	char access[4];     /* subset of "rwm" */
};

/* linux.resources, every field CG_UNSET (or NULL/0 count) when absent. */
struct cg_resources {
	int64_t memory_limit, memory_reservation, memory_swap;
	int64_t memory_swappiness;    /* v1 only */
	bool memory_disable_oom_killer;
	int64_t cpu_shares, cpu_quota, cpu_period;
	int64_t cpu_realtime_runtime, cpu_realtime_period;
	int64_t cpu_idle;
	char *cpus, *mems;
	int64_t pids_limit;
	int64_t blkio_weight, blkio_leaf_weight;
	struct cg_weight_dev *blkio_weight_devices;
	size_t nblkio_weight_devices;
	struct cg_throttle *throttle_read_bps, *throttle_write_bps;
	struct cg_throttle *throttle_read_iops, *throttle_write_iops;
	size_t nthrottle_read_bps, nthrottle_write_bps;
	size_t nthrottle_read_iops, nthrottle_write_iops;
	struct cg_hugepage *hugepages;
	size_t nhugepages;
	struct cg_kv *unified;
	size_t nunified;
	struct cg_device_rule *devices;
	size_t ndevices;
};

/* Set every field of r to "absent". */
void cg_resources_init(struct cg_resources *r);
/* Check values that can be checked without a host: a unified key must be a
 * plain file name of the form "<controller>.<knob>" (no '/', no "..", not a
 * cgroup.* core file); quota needs a period; ...  On error, e names the
 * OCI JSON path (".linux.resources.unified[\"../x\"]") and the problem. */
int cg_resources_validate(const struct cg_resources *r, struct herr *e);

/* cgroup v2 conversions (pure functions, unit-tested). */
uint64_t cg_shares_to_weight(uint64_t shares);  /* crun's formula */
uint64_t cg_blkio_weight_to_io_weight(uint64_t w);

struct cg; /* opaque: one container's cgroup(s) */

enum cg_mode { CG_MODE_V1, CG_MODE_HYBRID, CG_MODE_V2 };
/* What this host has; cached after the first call. */
enum cg_mode cg_detect(void);

/* Create the container's cgroup and write its limits, before clone.
 * path: linux.cgroupsPath — absolute → under each hierarchy's root;
 * relative or NULL → under the cgroup husk itself runs in (NULL uses
 * "husk-<id>").  On failure nothing is left behind. */
int cg_create(struct cg **out, const char *path, const char *id,
	      const struct cg_resources *r, struct herr *e);
/* Whether r asks for any limit (device rules aside): a rootless container
 * without a delegated cgroup may run only when it does not. */
bool cg_has_limits(const struct cg_resources *r);
/* The controllers those limits need, as "memory, pids" (v2 names), into
 * buf of n bytes: for an error that says which to delegate. */
void cg_limit_controllers(const struct cg_resources *r, char *buf, size_t n);
/* Reopen an existing container cgroup by the path cg_create returned from
 * cg_path() (for delete, kill --all, ps, pause, update, events). */
int cg_open(struct cg **out, const char *saved_path, struct herr *e);
/* The path to save in the container state (enough for cg_open): one
 * entry per hierarchy, joined by ';', each "<created>:<controllers>:<path>"
 * with <controllers> spelled as in /proc/self/cgroup ("" for v2) and
 * <created> the number of trailing path components husk made, e.g.
 * "2:memory:/husk-test/c1;2::/husk-test/c1".  cg_destroy removes those,
 * leaf first, and stops quietly at a parent that is no longer empty.
 * (So a cgroupsPath may not contain ';' or newlines.) */
const char *cg_path(const struct cg *cg);

/* A v2 directory fd (O_PATH) for clone3(CLONE_INTO_CGROUP), or -1 when not
 * on v2 (on a hybrid host: only when v2 offers a controller). */
int cg_clone_fd(const struct cg *cg);
/* Child, before exec: write its own pid into every hierarchy it is not
 * already in (v1 `tasks`; v2 `cgroup.procs` when clone3 could not place
 * it).  Must be called by the single-threaded child itself. */
int cg_enter_self(const struct cg *cg, struct herr *e);
/* Rewrite the limits (husk update): every value set in r is written, after
 * enabling any v2 controller it needs; nothing else is touched. */
int cg_update(struct cg *cg, const struct cg_resources *r, struct herr *e);

/* Pids of every process in the container's cgroup. */
int cg_pids(const struct cg *cg, pid_t **pids, size_t *n, struct herr *e);
/* Send sig to every process in the cgroup (kill --all). */
int cg_signal_all(const struct cg *cg, int sig, struct herr *e);
/* Freeze or thaw (pause/resume). */
int cg_freeze(const struct cg *cg, bool frozen, struct herr *e);
/* 1 frozen, 0 not, -1 unknown. */
int cg_is_frozen(const struct cg *cg);

/* Counters for reports and `events --stats`; absent values are -1, and
 * unlimited ("max") limits are INT64_MAX. */
struct cg_stats {
	int64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	int64_t cpu_throttled_usec, cpu_nr_throttled;
	int64_t memory_current, memory_peak, memory_limit;
	int64_t memory_swap_current;
	int64_t oom_kills;     /* memory.events oom_kill / v1 oom_control */
	int64_t pids_current, pids_peak, pids_limit;
	int64_t io_read_bytes, io_write_bytes;
};
int cg_stats(const struct cg *cg, struct cg_stats *s, struct herr *e);
/* Has the kernel OOM-killed anything in the cgroup since creation? */
bool cg_oom_killed(const struct cg *cg);

/* Kill what is left (cgroup.kill on v2, freeze-kill-thaw on v1), remove
 * every directory husk created, and free cg.  Safe with cg == NULL. */
int cg_destroy(struct cg *cg, struct herr *e);
/* Free the handle without touching the host. */
void cg_free(struct cg *cg);

#endif
