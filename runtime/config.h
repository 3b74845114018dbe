/*
 * config: an OCI bundle's config.json as plain C structs.
 *
 * runtime/bundle*.c is the only code that reads config JSON (jansson).
 * It checks every field it reads and refuses the whole config with the
 * file and the JSON path of the first problem, before anything is created:
 *   "config.json: .process.args: expected a non-empty array of strings"
 * Unknown fields are ignored, as the runtime-spec asks.
 *
 * Invariants of a parsed struct rt_config:
 * - every string is malloc'd and NUL-terminated; arrays of strings are
 *   NULL-terminated as well as counted;
 * - root_path is absolute (a relative root.path is resolved against the
 *   bundle directory);
 * - capability sets are bitmasks of CAP_* numbers (all known to libcap);
 * - rt_config_free() releases everything.
 */
#ifndef HUSK_CONFIG_H
#define HUSK_CONFIG_H

#include "../base/base.h"
#include "../cgroup/cgroup.h"
#include "../ns/ns.h"

#include <sys/resource.h>

struct rt_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct rt_caps {
	bool present; /* process.capabilities was given */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct rt_user {
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t nadditional_gids;
	bool has_umask;
	mode_t umask;
};

struct rt_process {
	bool terminal;
	uint32_t console_height, console_width; /* 0 = unset */
	char **args;  /* NULL-terminated, nargs >= 1 */
	size_t nargs;
	char **env;   /* NULL-terminated */
	size_t nenv;
	char *cwd;    /* absolute */
	struct rt_user user;
	struct rt_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	struct rt_caps caps;
	char *apparmor_profile; /* accepted, not applied (no AppArmor here) */
	char *selinux_label;    /* accepted, not applied */
};

/* seccomp, translated but not compiled (runtime/seccomp.c compiles). */
struct rt_seccomp_arg {
	uint32_t index;
	uint64_t value, value_two;
	int op; /* SCMP_CMP_* from <seccomp.h> values: NE=1,LT,LE,EQ,GE,GT,MASKED_EQ=7 */
};
struct rt_seccomp_rule {
	char **names; /* NULL-terminated */
	size_t nnames;
	uint32_t action;    /* SCMP_ACT_* without errno */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct rt_seccomp_arg *args;
	size_t nargs;
};
struct rt_seccomp {
	uint32_t default_action; /* SCMP_ACT_* base */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", …, NULL-terminated */
	size_t narchitectures;
	char **flags;         /* "SECCOMP_FILTER_FLAG_LOG", … */
	size_t nflags;
	char *listener_path, *listener_metadata;
	struct rt_seccomp_rule *rules;
	size_t nrules;
};

/* A hook: prestart, createRuntime, … */
struct rt_hook {
	char *path;
	char **args; /* NULL-terminated, may be NULL */
	char **env;  /* NULL-terminated, may be NULL */
	int timeout; /* seconds, 0 = none */
};
enum rt_hook_kind {
	RT_HOOK_PRESTART,
	RT_HOOK_CREATE_RUNTIME,
	RT_HOOK_CREATE_CONTAINER,
	RT_HOOK_START_CONTAINER,
	RT_HOOK_POSTSTART,
	RT_HOOK_POSTSTOP,
	RT_HOOK__COUNT
};

struct rt_sysctl {
	char *key, *value;
};

struct rt_config {
	char *path;       /* the config.json path, for error messages */
	char *text;       /* its bytes, as parsed (rt_config_load only) */
	size_t text_len;
	char *bundle;     /* absolute bundle directory */
	char *oci_version;
	char *root_path;  /* absolute */
	bool root_readonly;
	char *hostname, *domainname;
	struct rt_process process;
	bool has_process;
	struct ns_mount *mounts;
	size_t nmounts;
	struct rt_hook *hooks[RT_HOOK__COUNT];
	size_t nhooks[RT_HOOK__COUNT];
	struct cg_kv *annotations;
	size_t nannotations;

	/* linux */
	struct ns_spec ns[NS__COUNT];
	struct ns_idmap *uid_mappings, *gid_mappings;
	size_t nuid_mappings, ngid_mappings;
	struct ns_device *devices;
	size_t ndevices;
	char *cgroups_path;
	struct cg_resources resources;
	bool has_resources;
	unsigned long rootfs_propagation; /* 0 = unset: rslave, as runc */
	char **masked_paths;
	size_t nmasked_paths;
	char **readonly_paths;
	size_t nreadonly_paths;
	struct rt_sysctl *sysctls;
	size_t nsysctls;
	struct rt_seccomp *seccomp; /* NULL = none */
	int64_t time_offsets_monotonic_secs, time_offsets_boottime_secs;
	uint32_t time_offsets_monotonic_nanosecs, time_offsets_boottime_nanosecs;
	bool has_time_offsets;
	char *mount_label;
	char *personality_domain; /* "LINUX" or "LINUX32", NULL = unset */
};

/* Read BUNDLE/config.json.  On error e->msg reads
 * "<file>: <json path>: <problem>" and nothing is allocated. */
int rt_config_load(struct rt_config *c, const char *bundle, struct herr *e);
/* Parse from a buffer; name is used in messages ("config.json"). */
int rt_config_parse(struct rt_config *c, const char *json, size_t len,
		    const char *name, const char *bundle, struct herr *e);
void rt_config_free(struct rt_config *c);

/* Parse a LinuxResources object alone (husk update --resources): types
 * and ranges only, since a part makes sense only merged into the whole
 * (cg_resources_validate then).  name is used in messages ("--resources:
 * .memory.limit: ...").  On error nothing is allocated. */
int rt_resources_parse(struct cg_resources *r, const char *json, size_t len,
		       const char *name, struct herr *e);
void rt_resources_free(struct cg_resources *r);
/* Merge the LinuxResources documents (runtime.h), in order, into
 * .linux.resources of the config text (objects key by key, other values
 * replaced): *old gets the resources before, *now after (checked as a
 * whole), *new_config the merged config (malloc'd).  On error nothing is
 * allocated. */
struct rt_update_doc;
int rt_resources_update(const char *config, size_t len,
			const struct rt_update_doc *docs, size_t n,
			struct cg_resources *old, struct cg_resources *now,
			char **new_config, struct herr *e);

/* Parse an OCI process object alone (husk exec --process FILE). */
int rt_process_load(struct rt_process *p, const char *file, struct herr *e);
void rt_process_free(struct rt_process *p);

/* Capability names: "CAP_SYS_ADMIN" → 21, -1 if unknown. */
int rt_cap_from_name(const char *name);
const char *rt_cap_name(int cap);

/* The default config.json that `husk spec` writes (like runc spec);
 * rootless: the variant that works unchanged for an unprivileged user.
 * Returns a malloc'd, pretty-printed JSON document. */
char *rt_spec_default(bool rootless);

#endif
