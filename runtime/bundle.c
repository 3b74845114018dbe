/*
 * bundle: read an OCI bundle's config.json into struct rt_config (see
 * config.h).  This file holds the platform-neutral parts of the config;
 * bundle_linux.c and bundle_seccomp.c hold "linux", and bundle_json.c the
 * JSON-walking helpers they share (bundle.h).
 *
 * Everything is checked here, before any namespace, cgroup or mount is
 * made, so a bad config fails with the JSON path of the first problem and
 * leaves nothing behind.
 */
#include "bundle.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* ---- process ----------------------------------------------------------------
 */

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int rlimit_entry(struct bp *p, json_t *o, void *elem)
{
	struct rt_rlimit *rl = elem;
	_cleanup_free_ char *type = NULL;
	size_t i;

	if (bp_string(p, o, "type", BP_REQUIRED, &type) < 0 ||
	    bp_u64(p, o, "soft", BP_REQUIRED, UINT64_MAX, &rl->soft) < 0 ||
	    bp_u64(p, o, "hard", BP_REQUIRED, UINT64_MAX, &rl->hard) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(type, rlimit_names[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(rlimit_names))
		return bp_fail_at(p, "type", "unknown rlimit '%s'", type);
	rl->resource = rlimit_names[i].resource;
	if (rl->soft > rl->hard)
		return bp_fail_at(
		    p, "soft", "soft limit %llu is above the hard limit %llu",
		    (unsigned long long)rl->soft, (unsigned long long)rl->hard);
	return 0;
}

static int rlimits(struct bp *p, json_t *o, struct rt_process *pr)
{
	if (bp_objects(p, o, "rlimits", BP_OPTIONAL, sizeof(*pr->rlimits),
		       (void **)&pr->rlimits, &pr->nrlimits, rlimit_entry) < 0)
		return -1;
	/* setrlimit(2) twice for one resource would silently keep the last. */
	for (size_t i = 0; i < pr->nrlimits; i++)
		for (size_t j = 0; j < i; j++)
			if (pr->rlimits[i].resource ==
			    pr->rlimits[j].resource) {
				bp_push_key(p, "rlimits");
				bp_push_index(p, i);
				return bp_fail_at(p, "type",
						  "duplicate rlimit (also at "
						  "index %zu)",
						  j);
			}
	return 0;
}

static int capabilities(struct bp *p, json_t *o, struct rt_caps *caps)
{
	static const char *const sets[] = {
	    "bounding", "effective", "inheritable", "permitted", "ambient"};
	uint64_t *masks[] = {&caps->bounding, &caps->effective,
			     &caps->inheritable, &caps->permitted,
			     &caps->ambient};
	json_t *obj, *arr, *v;
	size_t saved, i;
	int r = bp_object(p, o, "capabilities", BP_OPTIONAL, &obj);

	if (r <= 0)
		return r;
	caps->present = true;
	saved = bp_push_key(p, "capabilities");
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		size_t s1;

		if ((r = bp_array(p, obj, sets[s], BP_OPTIONAL, &arr)) <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		s1 = bp_push_key(p, sets[s]);
		json_array_foreach(arr, i, v)
		{
			const char *name = json_string_value(v);
			int cap = name ? rt_cap_from_name(name) : -1;
			size_t s2 = bp_push_index(p, i);

			if (!json_is_string(v))
				return bp_fail(p, "expected a string, got %s",
					       bp_kind(v));
			if (cap < 0)
				return bp_fail(p, "unknown capability '%s'",
					       name);
			*masks[s] |= UINT64_C(1) << cap;
			bp_pop(p, s2);
		}
		bp_pop(p, s1);
	}
	bp_pop(p, saved);
	return 0;
}

static int user(struct bp *p, json_t *o, struct rt_user *u)
{
	json_t *obj, *arr, *v;
	uint32_t uid = 0, gid = 0;
	uint64_t umask;
	size_t saved, i;
	int r;

	/* The spec makes user required on Linux: guessing root is unsafe. */
	if (bp_object(p, o, "user", BP_REQUIRED, &obj) < 0)
		return -1;
	saved = bp_push_key(p, "user");
	if (bp_u32(p, obj, "uid", BP_REQUIRED, &uid) < 0 ||
	    bp_u32(p, obj, "gid", BP_REQUIRED, &gid) < 0 ||
	    (r = bp_u64(p, obj, "umask", BP_OPTIONAL, 0777, &umask)) < 0 ||
	    bp_array(p, obj, "additionalGids", BP_OPTIONAL, &arr) < 0)
		return -1;
	u->uid = uid;
	u->gid = gid;
	u->has_umask = r > 0;
	u->umask = u->has_umask ? (mode_t)umask : 0;
	if (arr) {
		size_t s = bp_push_key(p, "additionalGids");

		u->nadditional_gids = json_array_size(arr);
		u->additional_gids =
		    xcalloc(u->nadditional_gids + 1, sizeof(gid_t));
		json_array_foreach(arr, i, v)
		{
			uint64_t g;
			size_t s1 = bp_push_index(p, i);

			if (bp_as_u64(p, v, UINT32_MAX, &g) < 0)
				return -1;
			u->additional_gids[i] = (gid_t)g;
			bp_pop(p, s1);
		}
		bp_pop(p, s);
	}
	bp_pop(p, saved);
	return 0;
}

static int console_size(struct bp *p, json_t *o, struct rt_process *pr)
{
	json_t *obj;
	size_t saved;
	int r = bp_object(p, o, "consoleSize", BP_OPTIONAL, &obj);

	if (r <= 0)
		return r;
	saved = bp_push_key(p, "consoleSize");
	if (bp_u32(p, obj, "height", BP_REQUIRED, &pr->console_height) < 0 ||
	    bp_u32(p, obj, "width", BP_REQUIRED, &pr->console_width) < 0)
		return -1;
	bp_pop(p, saved);
	return 0;
}

/* The process object, at the current path (".process" or "" for
 * `exec --process`). */
static int process(struct bp *p, json_t *o, struct rt_process *pr)
{
	int64_t oom;
	int r;

	if (bp_bool(p, o, "terminal", &pr->terminal) < 0 ||
	    console_size(p, o, pr) < 0 || user(p, o, &pr->user) < 0 ||
	    bp_strings(p, o, "args", BP_REQUIRED | BP_NONEMPTY, &pr->args,
		       &pr->nargs) < 0 ||
	    bp_strings(p, o, "env", BP_ENV, &pr->env, &pr->nenv) < 0 ||
	    bp_string(p, o, "cwd", BP_REQUIRED | BP_ABSOLUTE, &pr->cwd) < 0 ||
	    capabilities(p, o, &pr->caps) < 0 || rlimits(p, o, pr) < 0 ||
	    bp_bool(p, o, "noNewPrivileges", &pr->no_new_privileges) < 0 ||
	    (r = bp_i64(p, o, "oomScoreAdj", 0, -1000, 1000, &oom)) < 0 ||
	    bp_string(p, o, "apparmorProfile", 0, &pr->apparmor_profile) < 0 ||
	    bp_string(p, o, "selinuxLabel", 0, &pr->selinux_label) < 0)
		return -1;
	pr->has_oom_score_adj = r > 0;
	pr->oom_score_adj = r > 0 ? (int)oom : 0;
	if (!pr->env)
		pr->env = xcalloc(1, sizeof(char *));
	return 0;
}

/* ---- root, mounts, hooks ----------------------------------------------------
 */

static bool oci_version_ok(const char *v)
{
	/* 1.0.x, 1.1.x and 1.2.x, with any pre-release or build suffix
	 * ("1.0.2-dev"): the versions whose fields husk knows. */
	if (strncmp(v, "1.", 2) != 0 || v[2] < '0' || v[2] > '2' ||
	    v[3] != '.' || !isdigit((unsigned char)v[4]))
		return false;
	for (v += 4; isdigit((unsigned char)*v); v++)
		;
	return *v == '\0' || *v == '-' || *v == '+';
}

static int root_fs(struct bp *p, json_t *top, struct rt_config *c)
{
	_cleanup_free_ char *path = NULL, *full = NULL;
	json_t *o;
	struct stat st;

	if (bp_object(p, top, "root", BP_REQUIRED, &o) < 0)
		return -1;
	bp_push_key(p, "root");
	if (bp_string(p, o, "path", BP_REQUIRED | BP_NONEMPTY, &path) < 0 ||
	    bp_bool(p, o, "readonly", &c->root_readonly) < 0)
		return -1;
	/* containerd writes "rootfs": relative to the bundle, not our cwd. */
	full = path[0] == '/' ? xstrdup(path)
			      : xasprintf("%s/%s", p->bundle, path);
	c->root_path = realpath(full, NULL);
	if (!c->root_path) {
		int err = errno;

		bp_fail_at(p, "path", "rootfs '%s': %s", full, strerror(err));
		p->e->err = err;
		return -1;
	}
	if (stat(c->root_path, &st) < 0 || !S_ISDIR(st.st_mode))
		return bp_fail_at(p, "path", "rootfs '%s' is not a directory",
				  full);
	bp_pop(p, 0);
	return 0;
}

/* Mount options as runc reads them: a flag is set or cleared by the last
 * option that names it ("atime" clears MS_NOATIME and records it in
 * clear_flags, so a bind remount knows it was asked for). */
static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
};

static bool mount_flag(struct ns_mount *m, const char *opt)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++) {
		if (strcmp(opt, mount_flags[i].name) != 0)
			continue;
		if (mount_flags[i].clear) {
			m->flags &= ~mount_flags[i].flag;
			m->clear_flags |= mount_flags[i].flag;
		} else {
			m->flags |= mount_flags[i].flag;
			m->clear_flags &= ~mount_flags[i].flag;
		}
		return true;
	}
	return false;
}

/* Sort options into flags, propagation, bind and the fs-specific rest. */
static void mount_options(struct ns_mount *m, char **opts, size_t n)
{
	size_t datalen = 0;

	for (size_t i = 0; i < n; i++) {
		const char *o = opts[i];
		unsigned long prop = bp_propagation(o);

		if (!*o || mount_flag(m, o))
			continue;
		if (prop) {
			m->propagation = prop; /* the last one wins */
		} else if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0) {
			m->bind = true;
			m->recursive = o[0] == 'r';
		} else if (strcmp(o, "tmpcopyup") == 0) {
			m->tmpcopyup = true;
		} else {
			size_t l = strlen(o);

			m->data = xrealloc(m->data, datalen + l + 2);
			if (datalen)
				m->data[datalen++] = ',';
			memcpy(m->data + datalen, o, l + 1);
			datalen += l;
		}
	}
}

static int mount_entry(struct bp *p, json_t *o, void *elem)
{
	struct ns_mount *m = elem;
	char **opts = NULL;
	size_t nopts = 0;
	int r;

	r = bp_string(p, o, "destination", BP_REQUIRED | BP_ABSOLUTE,
		      &m->destination);
	if (r >= 0)
		r = bp_string(p, o, "type", 0, &m->type);
	if (r >= 0)
		r = bp_string(p, o, "source", 0, &m->source);
	if (r >= 0)
		r = bp_strings(p, o, "options", 0, &opts, &nopts);
	if (r >= 0)
		mount_options(m, opts, nopts);
	bp_free_strv(opts, nopts);
	if (r < 0)
		return -1;
	if (m->type && strcmp(m->type, "bind") == 0)
		m->bind = true;
	if (!m->bind && (!m->type || !*m->type))
		return bp_fail_at(p, "type",
				  "required unless the mount is a bind mount");
	if (m->bind && (!m->source || !*m->source))
		return bp_fail_at(p, "source", "a bind mount needs a source");
	/* Like root.path, a relative bind source is relative to the bundle. */
	if (m->bind && m->source[0] != '/') {
		char *abs = xasprintf("%s/%s", p->bundle, m->source);

		free(m->source);
		m->source = abs;
	}
	return 0;
}

static const char *const hook_names[RT_HOOK__COUNT] = {
    [RT_HOOK_PRESTART] = "prestart",
    [RT_HOOK_CREATE_RUNTIME] = "createRuntime",
    [RT_HOOK_CREATE_CONTAINER] = "createContainer",
    [RT_HOOK_START_CONTAINER] = "startContainer",
    [RT_HOOK_POSTSTART] = "poststart",
    [RT_HOOK_POSTSTOP] = "poststop",
};

json_t *bp_features_hooks(void)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(hook_names); i++)
		json_array_append_new(a, json_string(hook_names[i]));
	return a;
}

json_t *bp_features_mount_options(void)
{
	/* What mount_options() reads besides the flags: propagation (as
	 * bp_propagation() knows it), bind mounts and tmpfs copy-up. */
	static const char *const more[] = {
	    "private", "rprivate", "shared",	 "rshared",
	    "slave",   "rslave",   "unbindable", "runbindable",
	    "bind",    "rbind",	   "tmpcopyup"};
	json_t *a = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++)
		json_array_append_new(a, json_string(mount_flags[i].name));
	for (size_t i = 0; i < ARRAY_SIZE(more); i++)
		json_array_append_new(a, json_string(more[i]));
	return a;
}

static int hook_entry(struct bp *p, json_t *o, void *elem)
{
	struct rt_hook *h = elem;
	size_t n;
	int64_t timeout = 0;

	if (bp_string(p, o, "path", BP_REQUIRED | BP_ABSOLUTE, &h->path) < 0 ||
	    bp_strings(p, o, "args", 0, &h->args, &n) < 0 ||
	    bp_strings(p, o, "env", BP_ENV, &h->env, &n) < 0 ||
	    bp_i64(p, o, "timeout", 0, 1, INT_MAX, &timeout) < 0)
		return -1;
	h->timeout = (int)timeout;
	return 0;
}

static int hooks(struct bp *p, json_t *top, struct rt_config *c)
{
	json_t *obj;
	int r = bp_object(p, top, "hooks", BP_OPTIONAL, &obj);

	if (r <= 0)
		return r;
	bp_push_key(p, "hooks");
	for (int k = 0; k < RT_HOOK__COUNT; k++)
		if (bp_objects(p, obj, hook_names[k], 0, sizeof(struct rt_hook),
			       (void **)&c->hooks[k], &c->nhooks[k],
			       hook_entry) < 0)
			return -1;
	bp_pop(p, 0);
	return 0;
}

/* ---- the whole document
 * ------------------------------------------------------ */

static int parse_config(struct bp *p, json_t *top, struct rt_config *c)
{
	json_t *o;

	if (!json_is_object(top))
		return bp_fail(p, "expected an object, got %s", bp_kind(top));
	if (bp_string(p, top, "ociVersion", BP_REQUIRED, &c->oci_version) < 0)
		return -1;
	if (!oci_version_ok(c->oci_version))
		return bp_fail_at(p, "ociVersion",
				  "unsupported version '%s' (husk reads "
				  "1.0.x, 1.1.x and 1.2.x)",
				  c->oci_version);
	if (root_fs(p, top, c) < 0 || bp_object(p, top, "process", 0, &o) < 0)
		return -1;
	if (o) {
		c->has_process = true;
		bp_push_key(p, "process");
		if (process(p, o, &c->process) < 0)
			return -1;
		bp_pop(p, 0);
	}
	if (bp_string(p, top, "hostname", 0, &c->hostname) < 0 ||
	    bp_string(p, top, "domainname", 0, &c->domainname) < 0 ||
	    bp_objects(p, top, "mounts", 0, sizeof(struct ns_mount),
		       (void **)&c->mounts, &c->nmounts, mount_entry) < 0 ||
	    hooks(p, top, c) < 0 ||
	    bp_string_map(p, top, "annotations", &c->annotations,
			  &c->nannotations) < 0 ||
	    bp_object(p, top, "linux", 0, &o) < 0)
		return -1;
	if (o && bp_linux(p, o, c) < 0)
		return -1;
	return bp_cross_checks(p, c);
}

int rt_config_parse(struct rt_config *c, const char *json, size_t len,
		    const char *name, const char *bundle, struct herr *e)
{
	struct bp p = {.e = e, .name = name};
	json_t *top;
	int r = -1;

	memset(c, 0, sizeof(*c));
	cg_resources_init(&c->resources);
	c->path = xstrdup(name);
	c->bundle = realpath(bundle ? bundle : ".", NULL);
	if (!c->bundle) {
		herr_sys(e, errno, "%s: bundle directory '%s'", name,
			 bundle ? bundle : ".");
		goto out;
	}
	p.bundle = c->bundle;
	top = bp_load(&p, json, len);
	if (top) {
		r = parse_config(&p, top, c);
		json_decref(top);
	}
out:
	if (r < 0)
		rt_config_free(c);
	return r;
}

/* How the user would name the file: "config.json" in the bundle ".". */
static char *config_name(const char *bundle)
{
	size_t n = strlen(bundle);

	while (n > 1 && bundle[n - 1] == '/')
		n--;
	if ((n == 1 && bundle[0] == '.') || n == 0)
		return xstrdup("config.json");
	if (n == 1 && bundle[0] == '/')
		return xstrdup("/config.json");
	return xasprintf("%.*s/config.json", (int)n, bundle);
}

int rt_config_load(struct rt_config *c, const char *bundle, struct herr *e)
{
	_cleanup_free_ char *name = config_name(bundle);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	memset(c, 0, sizeof(*c));
	buf = base_read_file_at(AT_FDCWD, name, &len);
	if (!buf) {
		int err = errno;

		herr_sys(e, err, "%s", name);
		if (err == ENOENT)
			herr_hint(e,
				  "is '%s' an OCI bundle? 'husk spec' "
				  "writes a default config.json",
				  bundle);
		return -1;
	}
	if (rt_config_parse(c, buf, len, name, bundle, e) < 0)
		return -1;
	/* The state keeps a copy of exactly what was parsed. */
	c->text = take_ptr(buf);
	c->text_len = len;
	return 0;
}

/* ---- exec --process
 * ---------------------------------------------------------- */

int rt_process_load(struct rt_process *pr, const char *file, struct herr *e)
{
	struct bp p = {.e = e, .name = file, .bundle = "/"};
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	json_t *top;
	int r = -1;

	memset(pr, 0, sizeof(*pr));
	buf = base_read_file_at(AT_FDCWD, file, &len);
	if (!buf)
		return herr_sys(e, errno, "%s", file);
	top = bp_load(&p, buf, len);
	if (!top)
		return -1;
	if (!json_is_object(top))
		bp_fail(&p, "expected an object, got %s", bp_kind(top));
	else
		r = process(&p, top, pr);
	json_decref(top);
	if (r < 0)
		rt_process_free(pr);
	return r;
}

void rt_process_free(struct rt_process *pr)
{
	bp_free_strv(pr->args, pr->nargs);
	bp_free_strv(pr->env, pr->nenv);
	free(pr->cwd);
	free(pr->user.additional_gids);
	free(pr->rlimits);
	free(pr->apparmor_profile);
	free(pr->selinux_label);
	memset(pr, 0, sizeof(*pr));
}

void rt_config_free(struct rt_config *c)
{
	free(c->path);
	free(c->text);
	free(c->bundle);
	free(c->oci_version);
	free(c->root_path);
	free(c->hostname);
	free(c->domainname);
	rt_process_free(&c->process);
	for (size_t i = 0; c->mounts && i < c->nmounts; i++) {
		free(c->mounts[i].destination);
		free(c->mounts[i].type);
		free(c->mounts[i].source);
		free(c->mounts[i].data);
	}
	free(c->mounts);
	for (int k = 0; k < RT_HOOK__COUNT; k++) {
		for (size_t i = 0; c->hooks[k] && i < c->nhooks[k]; i++) {
			free(c->hooks[k][i].path);
			bp_free_strv(c->hooks[k][i].args, SIZE_MAX);
			bp_free_strv(c->hooks[k][i].env, SIZE_MAX);
		}
		free(c->hooks[k]);
	}
	bp_free_kv(c->annotations, c->nannotations);
	bp_free_linux(c);
	memset(c, 0, sizeof(*c));
}
