/*
 * bundle_linux: the "linux" object of config.json — namespaces, id maps,
 * devices, cgroup resources, seccomp, … — and the checks that tie it to
 * the rest of the config (a hostname needs a uts namespace, id maps need a
 * user namespace, a sysctl must not reach the host's kernel).
 */
#include "bundle.h"
#include "runtime.h"

#include <stdio.h>
#include <string.h>

/* ---- namespaces and id maps --------------------------------------------- */

/* The OCI spelling, which is not the kernel's ("network", not "net"). */
static const struct {
	const char *name;
	enum ns_type type;
} ns_names[] = {
    {"user", NS_USER},	   {"pid", NS_PID},   {"network", NS_NET},
    {"ipc", NS_IPC},	   {"uts", NS_UTS},   {"mount", NS_MNT},
    {"cgroup", NS_CGROUP}, {"time", NS_TIME},
};

json_t *bp_features_namespaces(void)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		json_array_append_new(a, json_string(ns_names[i].name));
	return a;
}

static int ns_entry(struct bp *p, json_t *o, struct rt_config *c)
{
	_cleanup_free_ char *type = NULL, *path = NULL;
	size_t i;

	if (!json_is_object(o))
		return bp_fail(p, "expected an object, got %s", bp_kind(o));
	if (bp_string(p, o, "type", BP_REQUIRED, &type) < 0 ||
	    bp_string(p, o, "path", BP_ABSOLUTE, &path) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (strcmp(type, ns_names[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(ns_names))
		return bp_fail_at(p, "type", "unknown namespace '%s'", type);
	if (c->ns[ns_names[i].type].wanted)
		return bp_fail_at(p, "type", "duplicate namespace '%s'", type);
	c->ns[ns_names[i].type].wanted = true;
	c->ns[ns_names[i].type].path = take_ptr(path);
	return 0;
}

static int namespaces(struct bp *p, json_t *lx, struct rt_config *c)
{
	json_t *arr, *v;
	size_t i, saved;
	int r = bp_array(p, lx, "namespaces", 0, &arr);

	if (r <= 0)
		return r;
	saved = bp_push_key(p, "namespaces");
	json_array_foreach(arr, i, v)
	{
		size_t s = bp_push_index(p, i);

		if (ns_entry(p, v, c) < 0)
			return -1;
		bp_pop(p, s);
	}
	bp_pop(p, saved);
	return 0;
}

static int idmap_entry(struct bp *p, json_t *o, void *elem)
{
	struct ns_idmap *m = elem;

	if (bp_u32(p, o, "containerID", BP_REQUIRED, &m->container_id) < 0 ||
	    bp_u32(p, o, "hostID", BP_REQUIRED, &m->host_id) < 0 ||
	    bp_u32(p, o, "size", BP_REQUIRED, &m->size) < 0)
		return -1;
	if (m->size == 0)
		return bp_fail_at(p, "size", "must be at least 1");
	/* The kernel refuses a range that wraps past the last id. */
	if ((uint64_t)m->container_id + m->size > UINT32_MAX ||
	    (uint64_t)m->host_id + m->size > UINT32_MAX)
		return bp_fail_at(p, "size", "range goes past id 4294967294");
	return 0;
}

static int idmaps(struct bp *p, json_t *lx, const char *key,
		  struct ns_idmap **out, size_t *n)
{
	if (bp_objects(p, lx, key, 0, sizeof(**out), (void **)out, n,
		       idmap_entry) < 0)
		return -1;
	if (*n > 340) /* the kernel's limit since Linux 4.15 */
		return bp_fail_at(p, key, "%zu ranges, the kernel takes 340",
				  *n);
	return 0;
}

/* ---- devices ------------------------------------------------------------- */

static int device_entry(struct bp *p, json_t *o, void *elem)
{
	struct ns_device *d = elem;
	_cleanup_free_ char *type = NULL;
	uint64_t mode = 0666;
	uint32_t uid = 0, gid = 0;
	unsigned numbers;

	if (bp_string(p, o, "path", BP_REQUIRED | BP_ABSOLUTE, &d->path) < 0 ||
	    bp_string(p, o, "type", BP_REQUIRED, &type) < 0)
		return -1;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return bp_fail_at(p, "type",
				  "unknown device type '%s' (expected c, b, "
				  "u or p)",
				  type);
	d->type = type[0];
	/* A fifo has no device numbers; every other node needs both. */
	numbers = d->type == 'p' ? BP_OPTIONAL : BP_REQUIRED;
	if (bp_i64(p, o, "major", numbers, 0, UINT32_MAX, &d->major) < 0 ||
	    bp_i64(p, o, "minor", numbers, 0, UINT32_MAX, &d->minor) < 0 ||
	    bp_u64(p, o, "fileMode", 0, 07777, &mode) < 0 ||
	    bp_u32(p, o, "uid", 0, &uid) < 0 ||
	    bp_u32(p, o, "gid", 0, &gid) < 0)
		return -1;
	d->mode = (mode_t)mode;
	d->uid = uid;
	d->gid = gid;
	return 0;
}

/* ---- resources -------------------------------------------------------------
 */

/* An unsigned OCI field stored in one of cg_resources' int64 slots. */
static int uint_field(struct bp *p, json_t *o, const char *key, uint64_t max,
		      int64_t *out)
{
	uint64_t v;
	int r = bp_u64(p, o, key, 0, max, &v);

	if (r > 0)
		*out = (int64_t)v;
	return r;
}

/* A limit where -1 means "unlimited". */
static int limit_field(struct bp *p, json_t *o, const char *key, int64_t *out)
{
	return bp_i64(p, o, key, 0, -1, INT64_MAX, out);
}

static int memory(struct bp *p, json_t *o, struct cg_resources *r)
{
	/* "kernel" and "kernelTCP" are deprecated and ignored (runc too). */
	if (limit_field(p, o, "limit", &r->memory_limit) < 0 ||
	    limit_field(p, o, "reservation", &r->memory_reservation) < 0 ||
	    limit_field(p, o, "swap", &r->memory_swap) < 0 ||
	    uint_field(p, o, "swappiness", 100, &r->memory_swappiness) < 0 ||
	    bp_bool(p, o, "disableOOMKiller", &r->memory_disable_oom_killer) <
		0)
		return -1;
	return 0;
}

static int cpu(struct bp *p, json_t *o, struct cg_resources *r)
{
	if (uint_field(p, o, "shares", INT64_MAX, &r->cpu_shares) < 0 ||
	    limit_field(p, o, "quota", &r->cpu_quota) < 0 ||
	    uint_field(p, o, "period", INT64_MAX, &r->cpu_period) < 0 ||
	    limit_field(p, o, "realtimeRuntime", &r->cpu_realtime_runtime) <
		0 ||
	    uint_field(p, o, "realtimePeriod", INT64_MAX,
		       &r->cpu_realtime_period) < 0 ||
	    bp_string(p, o, "cpus", 0, &r->cpus) < 0 ||
	    bp_string(p, o, "mems", 0, &r->mems) < 0 ||
	    bp_i64(p, o, "idle", 0, 0, 1, &r->cpu_idle) < 0)
		return -1;
	return 0;
}

static int pids(struct bp *p, json_t *o, struct cg_resources *r)
{
	if (bp_i64(p, o, "limit", BP_REQUIRED, -1, INT64_MAX, &r->pids_limit) <
	    0)
		return -1;
	return 0;
}

static int weight_dev_entry(struct bp *p, json_t *o, void *elem)
{
	struct cg_weight_dev *w = elem;
	int64_t weight = 0, leaf = 0;

	if (bp_i64(p, o, "major", BP_REQUIRED, 0, UINT32_MAX, &w->major) < 0 ||
	    bp_i64(p, o, "minor", BP_REQUIRED, 0, UINT32_MAX, &w->minor) < 0 ||
	    uint_field(p, o, "weight", UINT16_MAX, &weight) < 0 ||
	    uint_field(p, o, "leafWeight", UINT16_MAX, &leaf) < 0)
		return -1;
	w->weight = (uint16_t)weight;
	w->leaf_weight = (uint16_t)leaf;
	return 0;
}

static int throttle_entry(struct bp *p, json_t *o, void *elem)
{
	struct cg_throttle *t = elem;

	if (bp_i64(p, o, "major", BP_REQUIRED, 0, UINT32_MAX, &t->major) < 0 ||
	    bp_i64(p, o, "minor", BP_REQUIRED, 0, UINT32_MAX, &t->minor) < 0 ||
	    bp_u64(p, o, "rate", BP_REQUIRED, UINT64_MAX, &t->rate) < 0)
		return -1;
	return 0;
}

static int block_io(struct bp *p, json_t *o, struct cg_resources *r)
{
	static const char *const keys[] = {
	    "throttleReadBpsDevice", "throttleWriteBpsDevice",
	    "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
	struct cg_throttle **lists[] = {
	    &r->throttle_read_bps, &r->throttle_write_bps,
	    &r->throttle_read_iops, &r->throttle_write_iops};
	size_t *counts[] = {&r->nthrottle_read_bps, &r->nthrottle_write_bps,
			    &r->nthrottle_read_iops, &r->nthrottle_write_iops};

	if (uint_field(p, o, "weight", UINT16_MAX, &r->blkio_weight) < 0 ||
	    uint_field(p, o, "leafWeight", UINT16_MAX, &r->blkio_leaf_weight) <
		0 ||
	    bp_objects(p, o, "weightDevice", 0, sizeof(struct cg_weight_dev),
		       (void **)&r->blkio_weight_devices,
		       &r->nblkio_weight_devices, weight_dev_entry) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (bp_objects(p, o, keys[i], 0, sizeof(struct cg_throttle),
			       (void **)lists[i], counts[i],
			       throttle_entry) < 0)
			return -1;
	return 0;
}

static int hugepage_entry(struct bp *p, json_t *o, void *elem)
{
	struct cg_hugepage *h = elem;

	if (bp_string(p, o, "pageSize", BP_REQUIRED | BP_NONEMPTY,
		      &h->pagesize) < 0 ||
	    bp_u64(p, o, "limit", BP_REQUIRED, UINT64_MAX, &h->limit) < 0)
		return -1;
	return 0;
}

static int device_rule_entry(struct bp *p, json_t *o, void *elem)
{
	struct cg_device_rule *d = elem;
	_cleanup_free_ char *type = NULL, *access = NULL;
	int r = bp_bool(p, o, "allow", &d->allow);

	d->major = d->minor = -1; /* absent = any (*) */
	if (r == 0)
		return bp_fail_at(p, "allow", "required field is missing");
	if (r < 0 || bp_string(p, o, "type", 0, &type) < 0 ||
	    bp_i64(p, o, "major", 0, -1, UINT32_MAX, &d->major) < 0 ||
	    bp_i64(p, o, "minor", 0, -1, UINT32_MAX, &d->minor) < 0 ||
	    bp_string(p, o, "access", 0, &access) < 0)
		return -1;
	d->type = type && *type ? type[0] : 'a';
	if ((type && strlen(type) > 1) || !strchr("acb", d->type))
		return bp_fail_at(p, "type",
				  "unknown device type '%s' (expected a, c "
				  "or b)",
				  type);
	/* No access string means all of read, write and mknod. */
	snprintf(d->access, sizeof(d->access), "%s",
		 access && *access ? access : "rwm");
	if (!access)
		return 0;
	if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access) ||
	    (strchr(access, 'r') != strrchr(access, 'r')) ||
	    (strchr(access, 'w') != strrchr(access, 'w')) ||
	    (strchr(access, 'm') != strrchr(access, 'm')))
		return bp_fail_at(p, "access",
				  "expected some of 'rwm', got '%s'", access);
	return 0;
}

/* Each resources sub-object and the function that reads it. */
static const struct {
	const char *key;
	int (*fn)(struct bp *, json_t *, struct cg_resources *);
} resource_groups[] = {
    {"memory", memory},
    {"cpu", cpu},
    {"pids", pids},
    {"blockIO", block_io},
};

/* A LinuxResources object at the current path, into r. */
static int resources_obj(struct bp *p, json_t *res, struct cg_resources *r)
{
	json_t *o;
	int found;

	for (size_t i = 0; i < ARRAY_SIZE(resource_groups); i++) {
		size_t s;

		if ((found = bp_object(p, res, resource_groups[i].key, 0,
				       &o)) <= 0) {
			if (found < 0)
				return -1;
			continue;
		}
		s = bp_push_key(p, resource_groups[i].key);
		if (resource_groups[i].fn(p, o, r) < 0)
			return -1;
		bp_pop(p, s);
	}
	if (bp_objects(p, res, "hugepageLimits", 0, sizeof(struct cg_hugepage),
		       (void **)&r->hugepages, &r->nhugepages,
		       hugepage_entry) < 0 ||
	    bp_string_map(p, res, "unified", &r->unified, &r->nunified) < 0 ||
	    bp_objects(p, res, "devices", 0, sizeof(struct cg_device_rule),
		       (void **)&r->devices, &r->ndevices,
		       device_rule_entry) < 0)
		return -1;
	return 0;
}

static int resources(struct bp *p, json_t *lx, struct rt_config *c)
{
	struct cg_resources *r = &c->resources;
	json_t *res;
	size_t saved;
	int found = bp_object(p, lx, "resources", 0, &res);

	if (found <= 0)
		return found;
	c->has_resources = true;
	saved = bp_push_key(p, "resources");
	if (resources_obj(p, res, r) < 0)
		return -1;
	bp_pop(p, saved);
	/* The cgroup module's checks name the JSON path themselves. */
	if (cg_resources_validate(r, p->e) < 0)
		return herr_wrap(p->e, "%s", p->name);
	return 0;
}

int rt_resources_parse(struct cg_resources *r, const char *json, size_t len,
		       const char *name, struct herr *e)
{
	struct bp p = {.e = e, .name = name, .bundle = "/"};
	json_t *top;
	int rc = -1;

	cg_resources_init(r);
	top = bp_load(&p, json, len);
	if (!top)
		return -1;
	if (!json_is_object(top))
		bp_fail(&p, "expected an object, got %s", bp_kind(top));
	else
		rc = resources_obj(&p, top, r);
	json_decref(top);
	if (rc < 0)
		rt_resources_free(r);
	return rc;
}

/* obj[key] as an object, made empty when absent. */
static json_t *child_object(json_t *obj, const char *key)
{
	json_t *o = json_object_get(obj, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(obj, key, o);
	}
	return o;
}

int rt_resources_update(const char *config, size_t len,
			const struct rt_update_doc *docs, size_t n,
			struct cg_resources *old, struct cg_resources *now,
			char **new_config, struct herr *e)
{
	struct bp pc = {.e = e, .name = "config.json", .bundle = "/"};
	json_t *top, *res;
	char names[256] = "";
	int rc = -1;

	cg_resources_init(old);
	cg_resources_init(now);
	top = bp_load(&pc, config, len);
	if (!top)
		return -1;
	if (!json_is_object(top)) {
		bp_fail(&pc, "expected an object");
		goto out;
	}
	res = child_object(child_object(top, "linux"), "resources");
	bp_push_key(&pc, "linux");
	bp_push_key(&pc, "resources");
	if (resources_obj(&pc, res, old) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct bp pu = {.e = e, .name = docs[i].name, .bundle = "/"};
		json_t *u;

		/* Each alone first, so its mistakes name its own paths. */
		if (rt_resources_parse(now, docs[i].json, strlen(docs[i].json),
				       docs[i].name, e) < 0)
			goto out;
		rt_resources_free(now);
		u = bp_load(&pu, docs[i].json, strlen(docs[i].json));
		/* Objects merge key by key; anything else is replaced. */
		json_object_update_recursive(res, u);
		json_decref(u);
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", i ? ", " : "", docs[i].name);
	}
	if (resources_obj(&pc, res, now) < 0)
		goto out;
	if (cg_resources_validate(now, e) < 0) {
		herr_wrap(e, "%s", names);
		goto out;
	}
	*new_config = bp_dump(top);
	rc = 0;
out:
	json_decref(top);
	if (rc < 0) {
		rt_resources_free(old);
		rt_resources_free(now);
	}
	return rc;
}

/* ---- the rest of "linux"
 * ------------------------------------------------------ */

static int time_offsets(struct bp *p, json_t *lx, struct rt_config *c)
{
	json_t *o, *v;
	const char *clock;
	size_t saved;
	int r = bp_object(p, lx, "timeOffsets", 0, &o);

	if (r <= 0)
		return r;
	c->has_time_offsets = true;
	saved = bp_push_key(p, "timeOffsets");
	json_object_foreach(o, clock, v)
	{
		bool mono = strcmp(clock, "monotonic") == 0;
		size_t s = bp_push_mapkey(p, clock);

		if (!mono && strcmp(clock, "boottime") != 0)
			return bp_fail(p, "unknown clock (expected monotonic "
					  "or boottime)");
		if (!json_is_object(v))
			return bp_fail(p, "expected an object, got %s",
				       bp_kind(v));
		if (bp_i64(p, v, "secs", 0, INT64_MIN, INT64_MAX,
			   mono ? &c->time_offsets_monotonic_secs
				: &c->time_offsets_boottime_secs) < 0 ||
		    bp_u32(p, v, "nanosecs", 0,
			   mono ? &c->time_offsets_monotonic_nanosecs
				: &c->time_offsets_boottime_nanosecs) < 0)
			return -1;
		if ((mono ? c->time_offsets_monotonic_nanosecs
			  : c->time_offsets_boottime_nanosecs) >= 1000000000)
			return bp_fail_at(p, "nanosecs",
					  "must be below 1000000000");
		bp_pop(p, s);
	}
	bp_pop(p, saved);
	return 0;
}

static int personality(struct bp *p, json_t *lx, struct rt_config *c)
{
	char **flags = NULL;
	size_t n = 0, saved;
	json_t *o;
	int r = bp_object(p, lx, "personality", 0, &o);

	if (r <= 0)
		return r;
	saved = bp_push_key(p, "personality");
	if (bp_string(p, o, "domain", BP_REQUIRED, &c->personality_domain) < 0)
		return -1;
	if (strcmp(c->personality_domain, "LINUX") != 0 &&
	    strcmp(c->personality_domain, "LINUX32") != 0)
		return bp_fail_at(p, "domain",
				  "unknown domain '%s' (expected LINUX or "
				  "LINUX32)",
				  c->personality_domain);
	/* The spec defines no flags yet; their type is still checked. */
	r = bp_strings(p, o, "flags", 0, &flags, &n);
	bp_free_strv(flags, n);
	if (r < 0)
		return -1;
	bp_pop(p, saved);
	return 0;
}

static int propagation(struct bp *p, json_t *lx, struct rt_config *c)
{
	_cleanup_free_ char *s = NULL;
	int r = bp_string(p, lx, "rootfsPropagation", 0, &s);

	if (r <= 0 || !*s)
		return r < 0 ? -1 : 0;
	c->rootfs_propagation = bp_propagation(s);
	if (!c->rootfs_propagation)
		return bp_fail_at(p, "rootfsPropagation",
				  "unknown propagation '%s' (expected "
				  "[r]private, [r]shared, [r]slave or "
				  "[r]unbindable)",
				  s);
	return 0;
}

static int sysctls(struct bp *p, json_t *lx, struct rt_config *c)
{
	struct cg_kv *kv = NULL;
	size_t n = 0;
	int r = bp_string_map(p, lx, "sysctl", &kv, &n);

	if (r < 0)
		bp_free_kv(kv, n);
	if (r <= 0)
		return r;
	c->sysctls = xcalloc(n ? n : 1, sizeof(*c->sysctls));
	c->nsysctls = n;
	for (size_t i = 0; i < n; i++) {
		c->sysctls[i].key = kv[i].key;
		c->sysctls[i].value = kv[i].value;
	}
	free(kv);
	return 0;
}

int bp_linux(struct bp *p, json_t *lx, struct rt_config *c)
{
	size_t saved = bp_push_key(p, "linux");

	if (namespaces(p, lx, c) < 0 ||
	    idmaps(p, lx, "uidMappings", &c->uid_mappings, &c->nuid_mappings) <
		0 ||
	    idmaps(p, lx, "gidMappings", &c->gid_mappings, &c->ngid_mappings) <
		0 ||
	    bp_objects(p, lx, "devices", 0, sizeof(struct ns_device),
		       (void **)&c->devices, &c->ndevices, device_entry) < 0 ||
	    bp_string(p, lx, "cgroupsPath", 0, &c->cgroups_path) < 0 ||
	    resources(p, lx, c) < 0 || propagation(p, lx, c) < 0 ||
	    bp_strings(p, lx, "maskedPaths", BP_ABSOLUTE, &c->masked_paths,
		       &c->nmasked_paths) < 0 ||
	    bp_strings(p, lx, "readonlyPaths", BP_ABSOLUTE, &c->readonly_paths,
		       &c->nreadonly_paths) < 0 ||
	    sysctls(p, lx, c) < 0 || bp_seccomp(p, lx, c) < 0 ||
	    time_offsets(p, lx, c) < 0 ||
	    bp_string(p, lx, "mountLabel", 0, &c->mount_label) < 0 ||
	    personality(p, lx, c) < 0)
		return -1;
	bp_pop(p, saved);
	return 0;
}

/* ---- checks across the config -----------------------------------------------
 */

/* runc's rule: a sysctl must live in a namespace the container has, or it
 * would change the host's kernel. */
static int sysctl_check(struct bp *p, const struct rt_config *c,
			const char *key)
{
	static const char *const ipc_keys[] = {
	    "kernel.msgmax", "kernel.msgmnb",	       "kernel.msgmni",
	    "kernel.sem",    "kernel.shmall",	       "kernel.shmmax",
	    "kernel.shmmni", "kernel.shm_rmid_forced",
	};
	const char *hint = "it is not in a namespace of the container";
	size_t len = strlen(key);

	/* Keys become /proc/sys paths: no empty or ".." components. */
	if (!len || strchr("./", key[0]) || strchr("./", key[len - 1]) ||
	    strstr(key, "..") || strstr(key, "//") || strstr(key, "./") ||
	    strstr(key, "/."))
		return bp_fail(p, "invalid sysctl name");
	if (bp_find_name(ipc_keys, ARRAY_SIZE(ipc_keys), key) >= 0 ||
	    strncmp(key, "fs.mqueue.", 10) == 0) {
		if (c->ns[NS_IPC].wanted)
			return 0;
		hint = "it needs an ipc namespace";
	} else if (strncmp(key, "net.", 4) == 0 ||
		   strncmp(key, "net/", 4) == 0) {
		if (c->ns[NS_NET].wanted)
			return 0;
		hint = "it needs a network namespace";
	} else if (strcmp(key, "kernel.domainname") == 0) {
		if (c->ns[NS_UTS].wanted)
			return 0;
		hint = "it needs a uts namespace";
	} else if (strcmp(key, "kernel.hostname") == 0) {
		hint = "set the \"hostname\" field instead";
	}
	return bp_fail(p, "refused: %s", hint);
}

static void push_raw(struct bp *p, const char *path)
{
	p->len = (size_t)snprintf(p->path, sizeof(p->path), "%s", path);
}

/* Refuse the field at the full JSON path `field`. */
static int refuse(struct bp *p, const char *field, const char *problem)
{
	bp_pop(p, 0);
	push_raw(p, field);
	return bp_fail(p, "%s", problem);
}

static int needs_ns(struct bp *p, const char *field, const char *ns)
{
	char problem[128];

	snprintf(problem, sizeof(problem),
		 "needs a %s namespace (add {\"type\": \"%s\"} to "
		 ".linux.namespaces)",
		 ns, ns);
	return refuse(p, field, problem);
}

int bp_cross_checks(struct bp *p, struct rt_config *c)
{
	const struct ns_spec *user = &c->ns[NS_USER];

	/* runc's rule: a name can only be set in a uts namespace of the
	 * container's own (new or joined), never the host's. */
	if (c->hostname && *c->hostname && !c->ns[NS_UTS].wanted)
		return needs_ns(p, ".hostname", "uts");
	if (c->domainname && *c->domainname && !c->ns[NS_UTS].wanted)
		return needs_ns(p, ".domainname", "uts");
	if (c->uid_mappings && !user->wanted)
		return needs_ns(p, ".linux.uidMappings", "user");
	if (c->gid_mappings && !user->wanted)
		return needs_ns(p, ".linux.gidMappings", "user");
	if (user->wanted && !user->path &&
	    (!c->nuid_mappings || !c->ngid_mappings))
		return refuse(p,
			      !c->nuid_mappings ? ".linux.uidMappings"
						: ".linux.gidMappings",
			      "required to create a new user namespace");
	if ((c->nmasked_paths || c->nreadonly_paths) && !c->ns[NS_MNT].wanted)
		return needs_ns(p,
				c->nmasked_paths ? ".linux.maskedPaths"
						 : ".linux.readonlyPaths",
				"mount");
	/* Offsets can only be written before the first process enters. */
	if (c->has_time_offsets &&
	    (!c->ns[NS_TIME].wanted || c->ns[NS_TIME].path))
		return refuse(p, ".linux.timeOffsets",
			      "needs a new time namespace (add {\"type\": "
			      "\"time\"} without a path to .linux.namespaces)");
	for (size_t i = 0; i < c->nsysctls; i++) {
		bp_pop(p, 0);
		push_raw(p, ".linux.sysctl");
		bp_push_mapkey(p, c->sysctls[i].key);
		if (sysctl_check(p, c, c->sysctls[i].key) < 0)
			return -1;
	}
	return 0;
}

/* ---- freeing
 * ----------------------------------------------------------------- */

void rt_resources_free(struct cg_resources *r)
{
	free(r->cpus);
	free(r->mems);
	free(r->blkio_weight_devices);
	free(r->throttle_read_bps);
	free(r->throttle_write_bps);
	free(r->throttle_read_iops);
	free(r->throttle_write_iops);
	for (size_t i = 0; r->hugepages && i < r->nhugepages; i++)
		free(r->hugepages[i].pagesize);
	free(r->hugepages);
	bp_free_kv(r->unified, r->nunified);
	free(r->devices);
	cg_resources_init(r); /* so a second free is harmless */
}

void bp_free_linux(struct rt_config *c)
{
	for (int t = 0; t < NS__COUNT; t++)
		free(c->ns[t].path);
	free(c->uid_mappings);
	free(c->gid_mappings);
	for (size_t i = 0; c->devices && i < c->ndevices; i++)
		free(c->devices[i].path);
	free(c->devices);
	free(c->cgroups_path);
	rt_resources_free(&c->resources);
	bp_free_strv(c->masked_paths, c->nmasked_paths);
	bp_free_strv(c->readonly_paths, c->nreadonly_paths);
	for (size_t i = 0; c->sysctls && i < c->nsysctls; i++) {
		free(c->sysctls[i].key);
		free(c->sysctls[i].value);
	}
	free(c->sysctls);
	bp_free_seccomp(c->seccomp);
	free(c->mount_label);
	free(c->personality_domain);
}
