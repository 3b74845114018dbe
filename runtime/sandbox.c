/*
 * sandbox: `husk sandbox` options as a config.json.
 *
 * A sandbox is an ordinary container whose config was written by husk
 * instead of by the user: it starts from the default `husk spec` writes
 * and changes only what a sandboxed host command needs.  The result is
 * JSON text, run by the same code as `husk run` (rt_opts.config_json) and
 * printed as is by --print-spec, so what a user graduates to is exactly
 * what ran.
 *
 * What it changes in the default spec:
 * - root: the host's / (or --rootfs), read-only, submounts included;
 * - process: the command, the caller's uid/gid, the current directory as
 *   cwd, a small environment, docker's default capabilities, no rlimits
 *   (the caller's apply), no terminal (stdio passes through untouched);
 * - mounts: a fresh tmpfs on /tmp, --bind mounts, and the current
 *   directory bound at the same path (read-only with --ro);
 * - namespaces: pid, mount, uts, ipc, cgroup, and network unless
 *   --net host;
 * - resources: --memory, --cpus, --pids;
 * - seccomp: the default profile of `husk spec` (default_seccomp()), none,
 *   or one from a file.
 */
#include "runtime.h"

#include "config.h"

#include <jansson.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/* Docker's default capability set (moby's oci/caps/defaults.go). */
static const char *const docker_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};

/* The seccomp profile --seccomp default means: the one in the config
 * `husk spec` writes, so both always agree.  NULL when that has none. */
static json_t *default_seccomp(void)
{
	_cleanup_free_ char *text = rt_spec_default(false);
	json_t *spec = json_loads(text, 0, NULL);
	json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");

	if (sc)
		json_incref(sc);
	json_decref(spec);
	return sc;
}

/* "net_admin", "CAP_NET_ADMIN" → CAP_NET_ADMIN's number; -2 for "ALL". */
static int cap_number(const char *name)
{
	char buf[64];
	size_t i = 0;

	if (!strcasecmp(name, "ALL"))
		return -2;
	if (strncasecmp(name, "CAP_", 4) != 0)
		i = (size_t)snprintf(buf, sizeof(buf), "CAP_");
	for (const char *p = name; *p && i + 1 < sizeof(buf); p++)
		buf[i++] = (char)toupper((unsigned char)*p);
	buf[i] = '\0';
	return rt_cap_from_name(buf);
}

/* Docker's order: drop (ALL clears), then add (ALL adds every one). */
static int caps_json(const struct rt_sandbox *s, json_t **out, struct herr *e)
{
	uint64_t set = 0;
	json_t *a;

	for (const char *const *c = docker_caps; *c; c++)
		set |= 1ULL << rt_cap_from_name(*c);
	for (size_t i = 0; i < s->ncap_drop; i++) {
		int n = cap_number(s->cap_drop[i]);

		if (n == -1)
			return herr_set(e, EINVAL,
					"--cap-drop: unknown capability '%s'",
					s->cap_drop[i]);
		set &= n == -2 ? 0 : ~(1ULL << n);
	}
	for (size_t i = 0; i < s->ncap_add; i++) {
		int n = cap_number(s->cap_add[i]);

		if (n == -1)
			return herr_set(e, EINVAL,
					"--cap-add: unknown capability '%s'",
					s->cap_add[i]);
		for (int k = 0; n == -2 && rt_cap_name(k); k++)
			set |= 1ULL << k;
		if (n >= 0)
			set |= 1ULL << n;
	}
	a = json_array();
	for (int k = 0; rt_cap_name(k); k++)
		if (set & (1ULL << k))
			json_array_append_new(a, json_string(rt_cap_name(k)));
	*out = json_pack("{s:O, s:O, s:O}", "bounding", a, "effective", a,
			 "permitted", a);
	json_decref(a);
	return 0;
}

/* Set "K=V" in the env array, replacing an earlier K. */
static void env_set(json_t *env, const char *kv)
{
	size_t klen = strcspn(kv, "="), i;
	json_t *v;

	json_array_foreach(env, i, v)
	{
		const char *old = json_string_value(v);

		if (!strncmp(old, kv, klen) && old[klen] == '=') {
			json_array_set_new(env, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
}

static int env_json(const struct rt_sandbox *s, json_t *proc, struct herr *e)
{
	json_t *env = json_array();
	const char *term = getenv("TERM");

	if (s->env_inherit) {
		for (char **p = environ; *p; p++)
			if (strchr(*p, '='))
				env_set(env, *p);
	} else {
		/* The default spec's PATH; TERM as the terminal really is. */
		json_t *def = json_object_get(proc, "env");
		size_t i;
		json_t *v;

		json_array_foreach(def, i, v)
		{
			if (!strncmp(json_string_value(v), "PATH=", 5))
				env_set(env, json_string_value(v));
		}
		if (term) {
			_cleanup_free_ char *t = xasprintf("TERM=%s", term);

			env_set(env, t);
		}
	}
	for (size_t i = 0; i < s->nenv; i++) {
		const char *kv = s->env[i];

		if (!*kv || *kv == '=')
			return herr_set(e, EINVAL,
					"--env: expected KEY=VALUE or KEY, got "
					"'%s'",
					kv);
		if (strchr(kv, '=')) {
			env_set(env, kv);
		} else if (getenv(kv)) {
			/* KEY alone: the caller's value, as docker -e KEY */
			_cleanup_free_ char *t =
			    xasprintf("%s=%s", kv, getenv(kv));

			env_set(env, t);
		}
	}
	json_object_set_new(proc, "env", env);
	return 0;
}

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* Mount points are made in the rootfs when missing; in the host's own /
 * that would litter the host, so there the destination must exist (under
 * /tmp it is made in the sandbox's fresh tmpfs). */
static int check_destination(const char *rootfs, const char *dst,
			     const char *what, struct herr *e)
{
	struct stat st;

	if (strcmp(rootfs, "/") || is_under(dst, "/tmp"))
		return 0;
	if (stat(dst, &st) < 0)
		return herr_sys(e, errno, "%s: destination '%s'", what, dst);
	return 0;
}

static void add_bind(json_t *mounts, const char *src, const char *dst, bool ro)
{
	json_array_append_new(
	    mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s]}", "destination",
			      dst, "type", "bind", "source", src, "options",
			      "rbind", ro ? "ro" : "rw", "nosuid"));
}

/* --bind SRC[:DST[:ro|rw]] */
static int bind_json(const char *rootfs, const char *arg, json_t *mounts,
		     struct herr *e)
{
	_cleanup_free_ char *copy = xstrdup(arg), *src = NULL;
	char *dst = strchr(copy, ':'), *mode = NULL;
	bool ro = false;

	if (dst) {
		*dst++ = '\0';
		mode = strchr(dst, ':');
		if (mode)
			*mode++ = '\0';
	}
	if (mode && strcmp(mode, "ro") && strcmp(mode, "rw"))
		return herr_set(e, EINVAL,
				"--bind '%s': expected SRC[:DST[:ro|rw]]", arg);
	ro = mode && !strcmp(mode, "ro");
	src = realpath(copy, NULL);
	if (!src)
		return herr_sys(e, errno, "--bind '%s': source '%s'", arg,
				copy);
	if (!dst || !*dst)
		dst = src;
	if (dst[0] != '/' || strstr(dst, "/../") || !strcmp(dst, "/"))
		return herr_set(e, EINVAL,
				"--bind '%s': the destination must be an "
				"absolute path other than '/'",
				arg);
	if (check_destination(rootfs, dst, "--bind", e) < 0)
		return -1;
	add_bind(mounts, src, dst, ro);
	return 0;
}

static json_t *namespaces_json(const struct rt_sandbox *s)
{
	json_t *a = json_array();
	const char *const ns[] = {"pid",   "network", "ipc", "uts",
				  "mount", "cgroup",  "user", NULL};

	for (const char *const *n = ns; *n; n++)
		if ((strcmp(*n, "network") || s->net == RT_NET_NONE) &&
		    (strcmp(*n, "user") || s->rootless))
			json_array_append_new(a,
					      json_pack("{s:s}", "type", *n));
	return a;
}

static int seccomp_json(const struct rt_sandbox *s, json_t *lx, struct herr *e)
{
	json_t *sc = NULL;
	json_error_t je;

	switch (s->seccomp) {
	case RT_SECCOMP_DEFAULT:
		sc = default_seccomp();
		if (!sc)
			base_debug("--seccomp default: `husk spec` has no "
				   "profile, so none is loaded");
		break;
	case RT_SECCOMP_UNCONFINED:
		break;
	case RT_SECCOMP_FILE:
		sc = json_load_file(s->seccomp_file, 0, &je);
		if (!sc)
			return herr_set(e, EINVAL, "--seccomp: %s:%d:%d: %s",
					s->seccomp_file, je.line, je.column,
					je.text);
		if (!json_is_object(sc)) {
			json_decref(sc);
			return herr_set(e, EINVAL,
					"--seccomp: %s: expected an OCI "
					"linux.seccomp object",
					s->seccomp_file);
		}
		break;
	}
	if (sc)
		json_object_set_new(lx, "seccomp", sc);
	else
		json_object_del(lx, "seccomp");
	return 0;
}

static void resources_json(const struct rt_sandbox *s, json_t *lx)
{
	json_t *res = json_object_get(lx, "resources");

	if (!res) {
		res = json_object();
		json_object_set_new(lx, "resources", res);
	}
	if (s->memory >= 0)
		json_object_set_new(
		    res, "memory",
		    json_pack("{s:I}", "limit", (json_int_t)s->memory));
	if (s->cpu_quota >= 0)
		json_object_set_new(
		    res, "cpu",
		    json_pack("{s:I, s:I}", "quota", (json_int_t)s->cpu_quota,
			      "period", (json_int_t)s->cpu_period));
	if (s->pids >= 0)
		json_object_set_new(
		    res, "pids",
		    json_pack("{s:I}", "limit", (json_int_t)s->pids));
}

/* Everything but mounts and linux: the process, root and hostname. */
static int process_json(const struct rt_sandbox *s, json_t *spec,
			const char *rootfs, const char *cwd, struct herr *e)
{
	json_t *proc = json_object_get(spec, "process"), *args, *caps = NULL;

	if (!s->args || !s->args[0])
		return herr_set(e, EINVAL,
				"missing the command to run "
				"(usage: husk sandbox [OPTIONS] -- "
				"COMMAND [ARG...])");
	args = json_array();
	for (char **a = s->args; *a; a++)
		json_array_append_new(args, json_string(*a));
	json_object_set_new(proc, "args", args);
	json_object_set_new(proc, "terminal", json_false());
	json_object_set_new(proc, "cwd", json_string(cwd));
	/* Rootless, the user namespace maps the caller to 0 (as `husk spec
	 * --rootless` does): root inside, the caller's own rights outside. */
	json_object_set_new(
	    proc, "user",
	    json_pack("{s:I, s:I}", "uid",
		      (json_int_t)(s->rootless ? 0 : getuid()), "gid",
		      (json_int_t)(s->rootless ? 0 : getgid())));
	json_object_del(proc, "rlimits");
	json_object_set_new(proc, "noNewPrivileges", json_true());
	if (caps_json(s, &caps, e) < 0)
		return -1;
	json_object_set_new(proc, "capabilities", caps);
	if (env_json(s, proc, e) < 0)
		return -1;
	json_object_set_new(
	    spec, "root",
	    json_pack("{s:s, s:b}", "path", rootfs, "readonly", 1));
	json_object_set_new(spec, "hostname",
			    json_string(s->hostname ? s->hostname : "sandbox"));
	return 0;
}

static int mounts_json(const struct rt_sandbox *s, json_t *spec,
		       const char *rootfs, const char *cwd, struct herr *e)
{
	json_t *mounts = json_object_get(spec, "mounts");

	json_array_append_new(
	    mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s]}", "destination",
			      "/tmp", "type", "tmpfs", "source", "tmpfs",
			      "options", "nosuid", "nodev", "mode=1777"));
	for (size_t i = 0; i < s->nbinds; i++)
		if (bind_json(rootfs, s->binds[i], mounts, e) < 0)
			return -1;
	/* The working directory last, so it is not hidden by /tmp. */
	if (!strcmp(cwd, "/")) {
		if (!s->ro)
			return herr_set(e, EINVAL,
					"the current directory is '/', which "
					"stays read-only: run from the "
					"directory to work in, or pass --ro");
		return 0;
	}
	if (check_destination(rootfs, cwd, "the current directory", e) < 0)
		return -1;
	add_bind(mounts, cwd, cwd, s->ro);
	return 0;
}

char *rt_sandbox_spec(const struct rt_sandbox *s, struct herr *e)
{
	_cleanup_free_ char *def = rt_spec_default(s->rootless), *rootfs = NULL,
			    *cwd = NULL, *text = NULL;
	json_t *spec = json_loads(def, 0, NULL), *lx;
	struct rt_config check;
	char *out = NULL;

	if (!spec) {
		herr_set(e, EINVAL, "the default spec does not parse");
		return NULL;
	}
	lx = json_object_get(spec, "linux");
	rootfs = realpath(s->rootfs ? s->rootfs : "/", NULL);
	if (!rootfs) {
		herr_sys(e, errno, "--rootfs '%s'", s->rootfs);
		goto out;
	}
	cwd = s->cwd ? realpath(s->cwd, NULL) : getcwd(NULL, 0);
	if (!cwd) {
		herr_sys(e, errno, "the current directory");
		goto out;
	}
	if (process_json(s, spec, rootfs, cwd, e) < 0 ||
	    mounts_json(s, spec, rootfs, cwd, e) < 0 ||
	    seccomp_json(s, lx, e) < 0)
		goto out;
	json_object_set_new(lx, "namespaces", namespaces_json(s));
	resources_json(s, lx);
	if (s->cgroup_path)
		json_object_set_new(lx, "cgroupsPath",
				    json_string(s->cgroup_path));
	if (s->init)
		json_object_set_new(
		    spec, "annotations",
		    json_pack("{s:s}", RT_ANNOTATION_INIT, "true"));
	text = json_dumps(spec, JSON_INDENT(2));
	if (!text) {
		herr_set(e, ENOMEM, "formatting the sandbox spec");
		goto out;
	}
	/* Refused now, as `husk run` would refuse it, before anything is
	 * created and before --print-spec prints it. */
	if (rt_config_parse(&check, text, strlen(text), "sandbox spec", "/",
			    e) < 0)
		goto out;
	rt_config_free(&check);
	out = xasprintf("%s\n", text);
out:
	json_decref(spec);
	return out;
}
