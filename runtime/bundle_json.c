/*
 * bundle_json: the JSON-walking helpers of bundle.h — path bookkeeping,
 * typed getters that refuse with the JSON path, and loading a document
 * with jansson (including uint64 values jansson cannot hold).
 */
#include "bundle.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

/* ---- JSON path bookkeeping ---------------------------------------------- */

/* Append s[0..n) to the path; a path that does not fit is cut, never
 * overrun.  Not printf: every key and index of config.json is pushed, and
 * vsnprintf was an eighth of husk's instructions for a seccomp profile. */
static void append(struct bp *p, const char *s, size_t n)
{
	size_t room = sizeof(p->path) - 1 - p->len;

	if (n > room)
		n = room;
	memcpy(p->path + p->len, s, n);
	p->len += n;
	p->path[p->len] = '\0';
}

size_t bp_push_key(struct bp *p, const char *key)
{
	size_t saved = p->len;

	append(p, ".", 1);
	append(p, key, strlen(key));
	return saved;
}

size_t bp_push_index(struct bp *p, size_t i)
{
	char d[24];
	size_t k = sizeof(d);
	size_t saved = p->len;

	d[--k] = ']';
	do
		d[--k] = (char)('0' + i % 10);
	while (i /= 10);
	d[--k] = '[';
	append(p, d + k, sizeof(d) - k);
	return saved;
}

size_t bp_push_mapkey(struct bp *p, const char *k)
{
	size_t saved = p->len;

	append(p, "[\"", 2);
	append(p, k, strnlen(k, 64));
	append(p, "\"]", 2);
	return saved;
}

void bp_pop(struct bp *p, size_t saved)
{
	p->len = saved;
	p->path[saved] = '\0';
}

static int vfail(struct bp *p, const char *fmt, va_list ap)
{
	char problem[HERR_MSG_MAX];

	vsnprintf(problem, sizeof(problem), fmt, ap);
	return herr_set(p->e, EINVAL, "%s: %s: %s", p->name,
			p->len ? p->path : ".", problem);
}

int bp_fail(struct bp *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, fmt, ap);
	va_end(ap);
	return -1;
}

int bp_fail_at(struct bp *p, const char *key, const char *fmt, ...)
{
	va_list ap;

	bp_push_key(p, key);
	va_start(ap, fmt);
	vfail(p, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- values ---------------------------------------------------------------
 *
 * jansson keeps integers as long long, but some OCI fields are uint64 and
 * carry 2^64-1 in real configs (RLIM_INFINITY from `podman --ulimit host`).
 * widen_u64_literals() rewrites each integer literal above INT64_MAX as the
 * string "\u0000<digits>" before parsing; bp_as_u64() reads such a string
 * back, and bp_as_string() refuses strings holding a NUL byte, so the
 * marker can never be mistaken for text.
 */

#define U64_MARK "\\u0000"

static bool wide_u64(json_t *v, uint64_t *out);

const char *bp_kind(json_t *v)
{
	uint64_t u;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return wide_u64(v, &u) ? "an integer" : "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a fractional number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* Is the marker string a wide integer?  Its digits go to *out. */
static bool wide_u64(json_t *v, uint64_t *out)
{
	const char *s = json_string_value(v);
	char *end;

	if (!json_is_string(v) || s[0] != '\0' || json_string_length(v) < 2 ||
	    !isdigit((unsigned char)s[1]))
		return false;
	errno = 0;
	*out = strtoull(s + 1, &end, 10);
	return errno == 0 && end == s + json_string_length(v);
}

int bp_as_string(struct bp *p, json_t *v, unsigned flags, char **out)
{
	const char *s = json_string_value(v);

	if (!json_is_string(v) || json_string_length(v) != strlen(s))
		return bp_fail(p, "expected a string, got %s", bp_kind(v));
	if ((flags & BP_NONEMPTY) && !*s)
		return bp_fail(p, "must not be empty");
	if ((flags & BP_ABSOLUTE) && s[0] != '/')
		return bp_fail(p, "must be an absolute path, got '%s'", s);
	if ((flags & BP_ENV) && !strchr(s, '='))
		return bp_fail(p, "expected \"KEY=value\", got '%s'", s);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

int bp_as_u64(struct bp *p, json_t *v, uint64_t max, uint64_t *out)
{
	uint64_t u;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return bp_fail(p, "must not be negative, got %lld",
				       (long long)json_integer_value(v));
		u = (uint64_t)json_integer_value(v);
	} else if (!wide_u64(v, &u)) {
		return bp_fail(p, "expected an integer, got %s", bp_kind(v));
	}
	if (u > max)
		return bp_fail(p, "must be at most %llu, got %llu",
			       (unsigned long long)max, (unsigned long long)u);
	*out = u;
	return 0;
}

int bp_as_i64(struct bp *p, json_t *v, int64_t min, int64_t max, int64_t *out)
{
	uint64_t wide;
	json_int_t i;

	if (wide_u64(v, &wide))
		return bp_fail(p, "must be at most %lld, got %llu",
			       (long long)max, (unsigned long long)wide);
	if (!json_is_integer(v))
		return bp_fail(p, "expected an integer, got %s", bp_kind(v));
	i = json_integer_value(v);
	if (i < min || i > max)
		return bp_fail(p, "must be between %lld and %lld, got %lld",
			       (long long)min, (long long)max, (long long)i);
	*out = i;
	return 0;
}

/* ---- fields of an object ---------------------------------------------------
 */

/* The value of obj.key, or NULL when absent/null (an error if required). */
static int lookup(struct bp *p, json_t *obj, const char *key, unsigned flags,
		  json_t **out)
{
	*out = obj ? json_object_get(obj, key) : NULL;
	if (*out && json_is_null(*out))
		*out = NULL;
	if (!*out && (flags & BP_REQUIRED))
		return bp_fail_at(p, key, "required field is missing");
	return *out ? 1 : 0;
}

int bp_object(struct bp *p, json_t *obj, const char *key, unsigned flags,
	      json_t **out)
{
	int r = lookup(p, obj, key, flags, out);

	if (r > 0 && !json_is_object(*out))
		return bp_fail_at(p, key, "expected an object, got %s",
				  bp_kind(*out));
	return r;
}

int bp_array(struct bp *p, json_t *obj, const char *key, unsigned flags,
	     json_t **out)
{
	int r = lookup(p, obj, key, flags, out);

	if (r > 0 && !json_is_array(*out))
		return bp_fail_at(p, key, "expected an array, got %s",
				  bp_kind(*out));
	if (r > 0 && (flags & BP_NONEMPTY) && json_array_size(*out) == 0)
		return bp_fail_at(p, key, "must not be empty");
	return r;
}

int bp_string(struct bp *p, json_t *obj, const char *key, unsigned flags,
	      char **out)
{
	json_t *v;
	int r = lookup(p, obj, key, flags, &v);
	size_t saved;

	if (r <= 0)
		return r;
	saved = bp_push_key(p, key);
	if (bp_as_string(p, v, flags, out) < 0)
		return -1;
	bp_pop(p, saved);
	return 1;
}

int bp_bool(struct bp *p, json_t *obj, const char *key, bool *out)
{
	json_t *v;
	int r = lookup(p, obj, key, BP_OPTIONAL, &v);

	if (r > 0 && !json_is_boolean(v))
		return bp_fail_at(p, key, "expected true or false, got %s",
				  bp_kind(v));
	if (r > 0)
		*out = json_is_true(v);
	return r;
}

int bp_u64(struct bp *p, json_t *obj, const char *key, unsigned flags,
	   uint64_t max, uint64_t *out)
{
	json_t *v;
	int r = lookup(p, obj, key, flags, &v);
	size_t saved;

	if (r <= 0)
		return r;
	saved = bp_push_key(p, key);
	if (bp_as_u64(p, v, max, out) < 0)
		return -1;
	bp_pop(p, saved);
	return 1;
}

int bp_i64(struct bp *p, json_t *obj, const char *key, unsigned flags,
	   int64_t min, int64_t max, int64_t *out)
{
	json_t *v;
	int r = lookup(p, obj, key, flags, &v);
	size_t saved;

	if (r <= 0)
		return r;
	saved = bp_push_key(p, key);
	if (bp_as_i64(p, v, min, max, out) < 0)
		return -1;
	bp_pop(p, saved);
	return 1;
}

int bp_u32(struct bp *p, json_t *obj, const char *key, unsigned flags,
	   uint32_t *out)
{
	uint64_t v;
	int r = bp_u64(p, obj, key, flags, UINT32_MAX, &v);

	if (r > 0)
		*out = (uint32_t)v;
	return r;
}

int bp_strings(struct bp *p, json_t *obj, const char *key, unsigned flags,
	       char ***out, size_t *n)
{
	json_t *arr, *v;
	size_t i, saved;
	int r = lookup(p, obj, key, flags, &arr);

	if (r <= 0)
		return r;
	if (!json_is_array(arr) ||
	    ((flags & BP_NONEMPTY) && json_array_size(arr) == 0))
		return bp_fail_at(p, key, "expected a%s array of strings",
				  flags & BP_NONEMPTY ? " non-empty" : "n");
	*n = json_array_size(arr);
	*out = xcalloc(*n + 1, sizeof(**out));
	saved = bp_push_key(p, key);
	json_array_foreach(arr, i, v)
	{
		size_t s = bp_push_index(p, i);

		/* BP_NONEMPTY is about the array, not its strings. */
		if (bp_as_string(p, v, flags & ~BP_NONEMPTY, &(*out)[i]) < 0)
			return -1;
		bp_pop(p, s);
	}
	bp_pop(p, saved);
	return 1;
}

int bp_string_map(struct bp *p, json_t *obj, const char *key,
		  struct cg_kv **out, size_t *n)
{
	json_t *map, *v;
	const char *k;
	size_t i = 0, saved;
	int r = bp_object(p, obj, key, BP_OPTIONAL, &map);

	if (r <= 0)
		return r;
	*n = json_object_size(map);
	*out = xcalloc(*n ? *n : 1, sizeof(**out));
	saved = bp_push_key(p, key);
	json_object_foreach(map, k, v)
	{
		size_t s = bp_push_mapkey(p, k);

		(*out)[i].key = xstrdup(k);
		if (bp_as_string(p, v, BP_OPTIONAL, &(*out)[i++].value) < 0)
			return -1;
		bp_pop(p, s);
	}
	bp_pop(p, saved);
	return 1;
}

int bp_objects(struct bp *p, json_t *obj, const char *key, unsigned flags,
	       size_t size, void **out, size_t *n,
	       int (*fn)(struct bp *, json_t *, void *))
{
	json_t *arr, *v;
	size_t i, saved;
	int r = bp_array(p, obj, key, flags, &arr);

	if (r <= 0)
		return r;
	*n = json_array_size(arr);
	*out = xcalloc(*n ? *n : 1, size);
	saved = bp_push_key(p, key);
	json_array_foreach(arr, i, v)
	{
		size_t s = bp_push_index(p, i);

		if (!json_is_object(v))
			return bp_fail(p, "expected an object, got %s",
				       bp_kind(v));
		if (fn(p, v, (char *)*out + i * size) < 0)
			return -1;
		bp_pop(p, s);
	}
	bp_pop(p, saved);
	return 1;
}

int bp_find_name(const char *const *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] && strcmp(t[i], s) == 0)
			return (int)i;
	return -1;
}

unsigned long bp_propagation(const char *name)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} t[] = {
	    {"private", MS_PRIVATE},
	    {"rprivate", MS_PRIVATE | MS_REC},
	    {"shared", MS_SHARED},
	    {"rshared", MS_SHARED | MS_REC},
	    {"slave", MS_SLAVE},
	    {"rslave", MS_SLAVE | MS_REC},
	    {"unbindable", MS_UNBINDABLE},
	    {"runbindable", MS_UNBINDABLE | MS_REC},
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strcmp(name, t[i].name) == 0)
			return t[i].flags;
	return 0;
}

void bp_free_strv(char **v, size_t n)
{
	/* Stops at the first NULL too: nothing is filled after it. */
	for (size_t i = 0; v && i < n && v[i]; i++)
		free(v[i]);
	free(v);
}

void bp_free_kv(struct cg_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static bool in_number(char ch)
{
	return isdigit((unsigned char)ch) || (ch && strchr("+-.eE", ch));
}

/* Is s[0..n) a plain integer in (INT64_MAX, UINT64_MAX]?  The buffer is
 * not NUL-terminated: never look past n. */
static bool wide_literal(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (s[0] == '0')
		return false;
	if (n == 20)
		return memcmp(s, "18446744073709551615", 20) <= 0;
	return n == 19 && memcmp(s, "9223372036854775807", 19) > 0;
}

/* Whether s[0..len) has 19 digits in a row anywhere: a wide literal needs
 * them, and most configs have none, so the scan below (a tenth of husk's
 * instructions for docker's seccomp profile) can be skipped.  Nineteen
 * digits in a row cover every position modulo 19: only the positions
 * 18, 37, 56, ... are looked at, and the run measured around a digit. */
static bool has_19_digits(const char *s, size_t len)
{
	for (size_t i = 18; i < len; i += 19) {
		size_t lo = i, hi = i + 1;

		if (!isdigit((unsigned char)s[i]))
			continue;
		while (lo > 0 && isdigit((unsigned char)s[lo - 1]))
			lo--;
		while (hi < len && isdigit((unsigned char)s[hi]))
			hi++;
		if (hi - lo >= 19)
			return true;
	}
	return false;
}

/* Rewrite integer literals in (INT64_MAX, UINT64_MAX] as U64_MARK strings
 * (see above).  Returns NULL when there are none. */
static char *widen_u64_literals(const char *s, size_t len, size_t *outlen)
{
	char *out = NULL;
	size_t i = 0, o = 0, start;
	bool in_string = false;

	if (!has_19_digits(s, len))
		return NULL;
	while (i < len) {
		if (in_string ||
		    (s[i] != '-' && !isdigit((unsigned char)s[i]))) {
			if (s[i] == '\\' && in_string && i + 1 < len) {
				if (out)
					out[o++] = s[i];
				i++;
			} else if (s[i] == '"') {
				in_string = !in_string;
			}
			if (out)
				out[o++] = s[i];
			i++;
			continue;
		}
		for (start = i; i < len && in_number(s[i]);)
			i++;
		size_t n = i - start;
		bool wide = wide_literal(s + start, n);

		if (wide && !out) {
			/* Each literal (19 digits or more) grows by 8 bytes. */
			out = xmalloc(len + (len / 19 + 1) * 8 + 1);
			memcpy(out, s, start);
			o = start;
		}
		if (wide) {
			o += sprintf(out + o, "\"" U64_MARK "%.*s\"", (int)n,
				     s + start);
		} else if (out) {
			memcpy(out + o, s + start, n);
			o += n;
		}
	}
	if (out)
		*outlen = o;
	return out;
}

json_t *bp_load(struct bp *p, const char *buf, size_t len)
{
	_cleanup_free_ char *wide = NULL;
	size_t wlen = len;
	json_error_t jerr;
	json_t *v;

	wide = widen_u64_literals(buf, len, &wlen);
	/* Duplicate keys are refused: two readers of one config must never
	 * disagree on which value counts. */
	v = json_loadb(wide ? wide : buf, wlen,
		       JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!v)
		herr_set(p->e, EINVAL,
			 "%s: invalid JSON at line %d, column %d: %s", p->name,
			 jerr.line, jerr.column, jerr.text);
	return v;
}

char *bp_dump(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2)), *r, *w;
	bool in_str = false;

	if (!s)
		abort();
	/* Put widened integers back: "\u0000123" outside a string's
	 * content is a marker string, written as the bare number 123. */
	for (r = w = s; *r;) {
		if (!in_str && strncmp(r, "\"" U64_MARK, 7) == 0 &&
		    isdigit((unsigned char)r[7])) {
			size_t n = strspn(r + 7, "0123456789");

			if (r[7 + n] == '"') {
				memmove(w, r + 7, n);
				w += n;
				r += 8 + n;
				continue;
			}
		}
		if (*r == '"')
			in_str = !in_str;
		else if (in_str && *r == '\\')
			*w++ = *r++; /* the escaped character is copied next */
		*w++ = *r++;
	}
	*w = '\0';
	return s;
}
