/*
 * bundle.h: private to runtime/bundle*.c — the helpers (bundle_json.c)
 * that walk jansson values into struct rt_config.
 *
 * A struct bp carries the JSON path of the value being read (".mounts[2]"),
 * grown and shrunk as the walk descends, so that every refusal can name
 * exactly where it is: "config.json: .mounts[2].destination: must be an
 * absolute path".
 *
 * Getters look a key up in an object and return 1 when it is present,
 * 0 when it is absent (or null, as Go's encoding/json treats it) and not
 * required, and -1 with p->e filled otherwise.  Output arrays are
 * allocated zeroed with their count set first, so rt_config_free() can
 * release a half-filled config.
 */
#ifndef HUSK_BUNDLE_H
#define HUSK_BUNDLE_H

#include "config.h"

#include <jansson.h>

struct bp {
	struct herr *e;
	const char *name;   /* "config.json", as the user would recognise it */
	const char *bundle; /* absolute bundle directory */
	char path[256];	    /* JSON path of the current value, "" = top */
	size_t len;
};

enum {
	BP_OPTIONAL = 0,
	BP_REQUIRED = 1 << 0,
	BP_NONEMPTY = 1 << 1, /* arrays: at least one element */
	BP_ENV = 1 << 2,      /* string arrays: every entry "KEY=value" */
	BP_ABSOLUTE = 1 << 3, /* strings: an absolute path */
};

/* Parse a JSON document; on error p->e names the line and column. */
json_t *bp_load(struct bp *p, const char *buf, size_t len);

/* Serialize v (pretty-printed, malloc'd), with the integers bp_load had to
 * widen written back as plain numbers. */
char *bp_dump(json_t *v);

/* Path bookkeeping: each push returns the length to restore with pop. */
size_t bp_push_key(struct bp *p, const char *key);  /* .key */
size_t bp_push_index(struct bp *p, size_t i);	    /* [i] */
size_t bp_push_mapkey(struct bp *p, const char *k); /* ["k"] */
void bp_pop(struct bp *p, size_t saved);
/* Fill p->e with "<name>: <path>: <problem>"; returns -1. */
int bp_fail(struct bp *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, at path.key. */
int bp_fail_at(struct bp *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "a string", "an object", … for messages ("expected X, got Y"). */
const char *bp_kind(json_t *v);

/* Values at the current path. */
int bp_as_string(struct bp *p, json_t *v, unsigned flags, char **out);
int bp_as_u64(struct bp *p, json_t *v, uint64_t max, uint64_t *out);
int bp_as_i64(struct bp *p, json_t *v, int64_t min, int64_t max, int64_t *out);

/* Fields of obj (obj NULL = absent). */
int bp_object(struct bp *p, json_t *obj, const char *key, unsigned flags,
	      json_t **out);
int bp_array(struct bp *p, json_t *obj, const char *key, unsigned flags,
	     json_t **out);
int bp_string(struct bp *p, json_t *obj, const char *key, unsigned flags,
	      char **out);
int bp_bool(struct bp *p, json_t *obj, const char *key, bool *out);
int bp_u64(struct bp *p, json_t *obj, const char *key, unsigned flags,
	   uint64_t max, uint64_t *out);
int bp_i64(struct bp *p, json_t *obj, const char *key, unsigned flags,
	   int64_t min, int64_t max, int64_t *out);
int bp_u32(struct bp *p, json_t *obj, const char *key, unsigned flags,
	   uint32_t *out);
/* An array of strings, NULL-terminated in *out, counted in *n. */
int bp_strings(struct bp *p, json_t *obj, const char *key, unsigned flags,
	       char ***out, size_t *n);
/* An object of string values ("annotations", "sysctl", "unified"). */
int bp_string_map(struct bp *p, json_t *obj, const char *key,
		  struct cg_kv **out, size_t *n);

/* An array of objects, each filled by fn into one zeroed element of size
 * bytes of *out.  The count is set before the first element is read, so a
 * failure leaves an array rt_config_free() can release. */
int bp_objects(struct bp *p, json_t *obj, const char *key, unsigned flags,
	       size_t size, void **out, size_t *n,
	       int (*fn)(struct bp *, json_t *, void *));

/* The index of s in the table t of n names (NULL entries skipped), or -1. */
int bp_find_name(const char *const *t, size_t n, const char *s);
/* "private", "rshared", … → MS_* (| MS_REC); 0 if unknown. */
unsigned long bp_propagation(const char *name);

/* Free the first n strings (or up to the first NULL) and the array. */
void bp_free_strv(char **v, size_t n);
void bp_free_kv(struct cg_kv *kv, size_t n);

/* For `husk features`, from the tables the parser itself uses: */
json_t *bp_features_hooks(void);	 /* bundle.c */
json_t *bp_features_mount_options(void); /* bundle.c */
json_t *bp_features_namespaces(void);	 /* bundle_linux.c */
json_t *bp_features_seccomp(void);	 /* bundle_seccomp.c */

/* bundle_linux.c: the "linux" object, and the checks that need both it
 * and the rest of the config (hostname needs a uts namespace, …). */
int bp_linux(struct bp *p, json_t *linux_obj, struct rt_config *c);
int bp_cross_checks(struct bp *p, struct rt_config *c);
void bp_free_linux(struct rt_config *c);
/* bundle_seccomp.c: "linux.seccomp". */
int bp_seccomp(struct bp *p, json_t *lx, struct rt_config *c);
void bp_free_seccomp(struct rt_seccomp *s);

#endif
