/* state: the container records under the state root (see state.h). */
#include "state.h"

#include "../ns/syscalls.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

static int valid_id(const char *id, struct herr *e)
{
	size_t n = strlen(id);

	/* The id names a directory: no separators, no dot names. */
	if (n == 0 || n > 1024 || strchr(id, '/') || strcmp(id, ".") == 0 ||
	    strcmp(id, "..") == 0)
		return herr_set(e, EINVAL, "invalid container id '%s'", id);
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x20)
			return herr_set(e, EINVAL, "invalid container id");
	return 0;
}

static int lock_dir(int fd, const char *id, struct herr *e)
{
	base_debug("flock LOCK_EX state dir of '%s'", id);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return herr_sys(e, errno, "locking container '%s'", id);
	return 0;
}

/* A state root someone else controls (a /tmp/husk-UID made by another user,
 * a symlink) could redirect husk's writes: it must be our own directory,
 * writable by nobody else. */
static int check_root(const char *root, struct herr *e)
{
	struct stat st;

	if (lstat(root, &st) < 0)
		return herr_sys(e, errno, "state root '%s'", root);
	if (!S_ISDIR(st.st_mode))
		return herr_set(e, ENOTDIR,
				"state root '%s' is not a directory", root);
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		return herr_set(e, EPERM,
				"state root '%s' must be owned by uid %u and "
				"writable by nobody else",
				root, (unsigned)geteuid()),
		       herr_hint(e, "choose another with --root");
	return 0;
}

int st_create(const char *root, const char *id, int *dirfd, struct herr *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_fd_ int fd = -1;

	if (valid_id(id, e) < 0)
		return -1;
	if (base_mkdir_p(root, 0711) < 0)
		return herr_sys(e, errno, "creating state root '%s'", root);
	if (check_root(root, e) < 0)
		return -1;
	dir = xasprintf("%s/%s", root, id);
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return herr_set(e, EEXIST,
					"container '%s' already exists", id);
		return herr_sys(e, errno, "creating '%s'", dir);
	}
	fd = openat(AT_FDCWD, dir,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || lock_dir(fd, id, e) < 0) {
		if (fd < 0)
			herr_sys(e, errno, "opening '%s'", dir);
		rmdir(dir);
		return -1;
	}
	*dirfd = take_fd(&fd);
	return 0;
}

int st_open(const char *root, const char *id, int *dirfd, struct herr *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_fd_ int fd = -1;
	struct stat st;

	if (valid_id(id, e) < 0)
		return -1;
	dir = xasprintf("%s/%s", root, id);
	fd = openat(AT_FDCWD, dir,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return herr_set(e, ENOENT, "container '%s' does not exist",
					id);
		return herr_sys(e, errno, "opening '%s'", dir);
	}
	if (lock_dir(fd, id, e) < 0)
		return -1;
	/* A racing delete may have removed it while we waited for the lock. */
	if (fstatat(fd, "state.json", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return herr_set(e, ENOENT, "container '%s' does not exist", id);
	*dirfd = take_fd(&fd);
	return 0;
}

int st_write(int dirfd, const struct st_record *r, struct herr *e)
{
	_cleanup_free_ char *s = NULL;
	char path[64];
	json_t *o, *a;
	int rc;

	o = json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:i, s:s, s:b, s:I}",
		      "ociVersion", r->oci_version, "id", r->id, "pid",
		      (int)r->pid, "startTime", (json_int_t)r->start_time,
		      "bundle", r->bundle, "rootfs", r->rootfs, "created",
		      r->created, "owner", (int)r->owner, "cgroup",
		      r->cgroup ? r->cgroup : "", "detached", r->detached,
		      "pidNamespace", (json_int_t)r->pid_ns);
	if (!o)
		return herr_set(e, ENOMEM, "encoding state");
	a = json_object();
	for (size_t i = 0; i < r->nannotations; i++)
		json_object_set_new(a, r->annotations[i].key,
				    json_string(r->annotations[i].value));
	json_object_set_new(o, "annotations", a);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return herr_set(e, ENOMEM, "encoding state");
	/* Atomic: write a temporary file in the directory, then rename. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	rc = base_write_file_atomic(path, "state.json", s, strlen(s), 0600);
	if (rc < 0)
		return herr_sys(e, errno, "writing state of '%s'", r->id);
	return 0;
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return xstrdup(s ? s : "");
}

/*
 * state.json, the fast way.  husk wrote the file (st_write: one compact
 * object of strings, integers, booleans, and "annotations", an object of
 * strings), and `list` reads a thousand of them: jansson's general decoder
 * was 84 % of its instructions.  This reader understands exactly that
 * shape, with the escapes json_dumps uses for it except \u.  Anything
 * else -- a \u escape, a float, an array, a key twice in annotations, a
 * value of the wrong type, a file from another version -- makes it give up
 * (-1), and the jansson reader below decides, so the fast path can only be
 * faster, never different.  tests/unit/test_state.c compares the two.
 */
static void fast_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static char *fast_string(const char **p)
{
	const char *s = *p, *q;
	char *out, *o;
	size_t n = 0;

	if (*s++ != '"')
		return NULL;
	for (q = s; *q != '"'; q++, n++) {
		/* NUL (the end), a raw control character, or anything not
		 * ASCII: jansson checks UTF-8, this reader does not. */
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x80)
			return NULL;
		if (*q == '\\' && (*++q == '\0' || *q == 'u'))
			return NULL;
	}
	o = out = xmalloc(n + 1);
	for (; s < q; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		switch (*++s) {
		case '"':
		case '\\':
		case '/': *o++ = *s; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		default: free(out); return NULL;
		}
	}
	*o = '\0';
	*p = q + 1;
	return out;
}

static int fast_int(const char **p, long long *v)
{
	const char *s = *p;
	char *end;

	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1; /* not a number, or a leading zero JSON forbids */
	errno = 0;
	*v = strtoll(*p, &end, 10);
	if (errno || *end == '.' || *end == 'e' || *end == 'E')
		return -1;
	*p = end;
	return 0;
}

static int fast_annotations(const char **p, struct st_record *r)
{
	size_t cap = 0;

	if (*(*p)++ != '{')
		return -1;
	r->annotations = xcalloc(cap = 8, sizeof(*r->annotations));
	fast_ws(p);
	if (**p == '}') {
		(*p)++;
		return 0;
	}
	for (;;) {
		char *k, *v;

		fast_ws(p);
		if (!(k = fast_string(p)))
			return -1;
		fast_ws(p);
		if (*(*p)++ != ':' || (fast_ws(p), !(v = fast_string(p)))) {
			free(k);
			return -1;
		}
		for (size_t i = 0; i < r->nannotations; i++)
			if (!strcmp(r->annotations[i].key, k))
				v = (free(v), NULL); /* twice: jansson decides */
		if (!v) {
			free(k);
			return -1;
		}
		if (r->nannotations + 1 >= cap)
			r->annotations = xrealloc(r->annotations,
						  (cap *= 2) *
						      sizeof(*r->annotations));
		r->annotations[r->nannotations].key = k;
		r->annotations[r->nannotations++].value = v;
		r->annotations[r->nannotations] = (struct cg_kv){0};
		fast_ws(p);
		if (**p == '}') {
			(*p)++;
			return 0;
		}
		if (*(*p)++ != ',')
			return -1;
	}
}

/* One "key": value of the top-level object into r. */
static int fast_member(const char **p, const char *key, struct st_record *r)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
	    {"ociVersion", offsetof(struct st_record, oci_version)},
	    {"id", offsetof(struct st_record, id)},
	    {"bundle", offsetof(struct st_record, bundle)},
	    {"rootfs", offsetof(struct st_record, rootfs)},
	    {"created", offsetof(struct st_record, created)},
	    {"cgroup", offsetof(struct st_record, cgroup)},
	};
	long long v;

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		if (!strcmp(key, strs[i].key)) {
			char **field = (char **)((char *)r + strs[i].off);
			char *s = fast_string(p);

			if (!s)
				return -1;
			free(*field); /* a key twice: the last wins, as in jansson */
			*field = s;
			return 0;
		}
	if (!strcmp(key, "annotations"))
		return r->annotations ? -1 : fast_annotations(p, r);
	if (!strcmp(key, "detached")) {
		if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
			r->detached = **p == 't';
			*p += r->detached ? 4 : 5;
			return 0;
		}
		return -1;
	}
	if (!strcmp(key, "pid") || !strcmp(key, "startTime") ||
	    !strcmp(key, "owner") || !strcmp(key, "pidNamespace")) {
		if (fast_int(p, &v) < 0)
			return -1;
		if (key[0] == 'p' && key[3] == '\0')
			r->pid = (pid_t)v;
		else if (key[0] == 's')
			r->start_time = (unsigned long long)v;
		else if (key[0] == 'o')
			r->owner = (uid_t)v;
		else
			r->pid_ns = (unsigned long long)v;
		return 0;
	}
	return -1; /* a key this version does not write */
}

int st_parse_fast(const char *buf, struct st_record *r)
{
	const char *p = buf;
	char **strs[] = {&r->oci_version, &r->id,      &r->bundle,
			 &r->rootfs,      &r->created, &r->cgroup};

	memset(r, 0, sizeof(*r));
	fast_ws(&p);
	if (*p++ != '{')
		goto fail;
	fast_ws(&p);
	while (*p != '}') {
		_cleanup_free_ char *key = fast_string(&p);

		if (!key)
			goto fail;
		fast_ws(&p);
		if (*p++ != ':')
			goto fail;
		fast_ws(&p);
		if (fast_member(&p, key, r) < 0)
			goto fail;
		fast_ws(&p);
		if (*p == ',') {
			p++;
			fast_ws(&p);
			if (*p == '}')
				goto fail;
		} else if (*p != '}') {
			goto fail;
		}
	}
	p++;
	fast_ws(&p);
	if (*p)
		goto fail;
	/* What the jansson reader makes of absent members. */
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		if (!*strs[i])
			*strs[i] = xstrdup("");
	if (!r->annotations)
		r->annotations = xcalloc(1, sizeof(*r->annotations));
	return 0;
fail:
	st_record_free(r);
	return -1;
}

int st_parse_json(const char *buf, struct st_record *r, struct herr *e)
{
	json_error_t je;
	json_t *o, *a, *v;
	const char *k;

	memset(r, 0, sizeof(*r));
	o = json_loads(buf, 0, &je);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return herr_set(e, EINVAL, "state.json is corrupt: %s", je.text);
	}
	r->oci_version = dup_str(o, "ociVersion");
	r->id = dup_str(o, "id");
	r->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	r->start_time = json_integer_value(json_object_get(o, "startTime"));
	r->bundle = dup_str(o, "bundle");
	r->rootfs = dup_str(o, "rootfs");
	r->created = dup_str(o, "created");
	r->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
	r->cgroup = dup_str(o, "cgroup");
	r->detached = json_is_true(json_object_get(o, "detached"));
	r->pid_ns = (unsigned long long)json_integer_value(
	    json_object_get(o, "pidNamespace"));
	a = json_object_get(o, "annotations");
	r->annotations = xcalloc(json_object_size(a) + 1, sizeof(struct cg_kv));
	json_object_foreach(a, k, v)
	{
		r->annotations[r->nannotations].key = xstrdup(k);
		r->annotations[r->nannotations].value =
			xstrdup(json_string_value(v) ? json_string_value(v) : "");
		r->nannotations++;
	}
	json_decref(o);
	return 0;
}

/* The fast reader for what husk wrote, jansson for anything else. */
static int parse_record(const char *buf, struct st_record *r,
			struct herr *e)
{
	if (st_parse_fast(buf, r) == 0)
		return 0;
	return st_parse_json(buf, r, e);
}

int st_read(int dirfd, struct st_record *r, struct herr *e)
{
	_cleanup_free_ char *buf = base_read_file_at(dirfd, "state.json", NULL);

	memset(r, 0, sizeof(*r));
	if (!buf)
		return herr_sys(e, errno, "reading state.json");
	return parse_record(buf, r, e);
}

int st_read_in(int rootfd, const char *id, struct st_record *r)
{
	char path[NAME_MAX + sizeof("/state.json")], stackbuf[8192];
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
				.resolve = RESOLVE_BENEATH |
					   RESOLVE_NO_SYMLINKS };
	_cleanup_fd_ int fd = -1;
	_cleanup_free_ char *big = NULL;
	struct herr ignored;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (snprintf(path, sizeof(path), "%s/state.json", id) >=
	    (int)sizeof(path))
		return -1;
	fd = openat2(rootfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) { /* before Linux 5.6 */
		_cleanup_fd_ int dfd = openat(
		    rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

		if (dfd >= 0)
			fd = openat(dfd, "state.json",
				    O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return -1;
	/* One read: a regular file returns less than asked only at its
	 * end.  A record that fills the buffer (many annotations) is read
	 * again whole, from the same fd. */
	n = read(fd, stackbuf, sizeof(stackbuf));
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(stackbuf)) {
		stackbuf[n] = '\0';
		return parse_record(stackbuf, r, &ignored);
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || !(big = base_read_fd(fd, NULL)))
		return -1;
	return parse_record(big, r, &ignored);
}

bool st_gone(const struct st_record *r)
{
	/* kill(pid, 0) answers "no such process" in one syscall; a pid that
	 * exists may still be a reused one, which the start time tells. */
	if (r->pid <= 0 || (kill(r->pid, 0) < 0 && errno == ESRCH))
		return true;
	return st_proc_start_time(r->pid) != r->start_time;
}

/* Annotations compare as sets (jansson does not keep their order). */
bool st_record_equal(const struct st_record *a, const struct st_record *b)
{
	if (strcmp(a->oci_version, b->oci_version) || strcmp(a->id, b->id) ||
	    strcmp(a->bundle, b->bundle) || strcmp(a->rootfs, b->rootfs) ||
	    strcmp(a->created, b->created) || strcmp(a->cgroup, b->cgroup) ||
	    a->pid != b->pid || a->start_time != b->start_time ||
	    a->owner != b->owner || a->pid_ns != b->pid_ns ||
	    a->detached != b->detached || a->nannotations != b->nannotations)
		return false;
	for (size_t i = 0; i < a->nannotations; i++) {
		bool found = false;

		for (size_t j = 0; j < b->nannotations; j++)
			if (!strcmp(a->annotations[i].key,
				    b->annotations[j].key) &&
			    !strcmp(a->annotations[i].value,
				    b->annotations[j].value))
				found = true;
		if (!found)
			return false;
	}
	return true;
}

void st_record_free(struct st_record *r)
{
	free(r->oci_version);
	free(r->id);
	free(r->bundle);
	free(r->rootfs);
	free(r->created);
	free(r->cgroup);
	for (size_t i = 0; i < r->nannotations; i++) {
		free(r->annotations[i].key);
		free(r->annotations[i].value);
	}
	free(r->annotations);
	memset(r, 0, sizeof(*r));
}

int st_remove(const char *root, const char *id, int dirfd, struct herr *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
	static const char *const files[] = { "state.json", "exec.fifo",
					     "config.json" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (unlinkat(dirfd, files[i], 0) < 0 && errno != ENOENT)
			return herr_sys(e, errno, "removing '%s/%s'", dir,
					files[i]);
	base_debug("rmdir %s", dir);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return herr_sys(e, errno, "removing '%s'", dir);
	return 0;
}

int st_list(const char *root, char ***ids, struct herr *e)
{
	DIR *d = opendir(root);
	struct dirent *de;
	size_t n = 0, cap = 16;
	char **v;

	if (!d) {
		if (errno == ENOENT) {
			*ids = xcalloc(1, sizeof(char *));
			return 0;
		}
		return herr_sys(e, errno, "opening state root '%s'", root);
	}
	v = xmalloc(cap * sizeof(char *));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (n + 1 >= cap)
			v = xrealloc(v, (cap *= 2) * sizeof(char *));
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	v[n] = NULL;
	*ids = v;
	return 0;
}

unsigned long long st_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;
	_cleanup_fd_ int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = base_read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and ')': skip to the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* Fields after ")": 3=state … 22=starttime, i.e. the 20th token. */
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		t = strtoull(p, NULL, 10);
	/* A zombie still has its start time but is not running. */
	if (strstr(buf, ") Z ") || strstr(buf, ") X "))
		return 0;
	return t;
}

enum st_status st_status(int dirfd, const struct st_record *r)
{
	return st_gone(r) ? ST_STOPPED : st_live_status(dirfd, r);
}

enum st_status st_live_status(int dirfd, const struct st_record *r)
{
	struct stat st;

	/* Paused wins over created, as in runc: both can be frozen. */
	if (r->cgroup && *r->cgroup) {
		struct herr e;
		struct cg *cg;

		if (cg_open(&cg, r->cgroup, &e) == 0) {
			bool paused = cg_is_frozen(cg) == 1;

			cg_free(cg);
			if (paused)
				return ST_PAUSED;
		}
	}
	if (fstatat(dirfd, "exec.fifo", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return ST_CREATED;
	return ST_RUNNING;
}

const char *st_status_name(enum st_status s)
{
	static const char *const names[] = { "creating", "created", "running",
					     "paused", "stopped" };

	return names[s];
}

char *st_to_oci_json(const struct st_record *r, enum st_status s)
{
	json_t *o, *a;
	char *out;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "ociVersion",
		      r->oci_version, "id", r->id, "status", st_status_name(s),
		      "bundle", r->bundle, "rootfs", r->rootfs, "created",
		      r->created, "owner", (int)r->owner);
	/* The pid while the process exists; 0 once stopped, as runc writes
	 * it (the engines read the field unconditionally). */
	if (s != ST_STOPPED)
		json_object_set_new(o, "pid", json_integer(r->pid));
	else
		json_object_set_new(o, "pid", json_integer(0));
	a = json_object();
	for (size_t i = 0; i < r->nannotations; i++)
		json_object_set_new(a, r->annotations[i].key,
				    json_string(r->annotations[i].value));
	json_object_set_new(o, "annotations", a);
	out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (!out)
		abort();
	return out;
}

int st_write_pid_file(const char *path, pid_t pid, struct herr *e)
{
	char dir[PATH_MAX], num[32];
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;

	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(num, sizeof(num), "%d", (int)pid);
	base_debug("write pid file '%s' = %s", path, num);
	if (base_write_file_atomic(dir, name, num, strlen(num), 0644) < 0)
		return herr_sys(e, errno, "--pid-file: writing '%s'", path);
	return 0;
}
