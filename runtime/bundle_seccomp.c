/*
 * bundle_seccomp: linux.seccomp of config.json, translated to libseccomp's
 * action and operator values.  Nothing is compiled here (that is
 * runtime/seccomp.c, in the parent): names of system calls are kept as
 * given, since one libseccomp does not know is skipped there, as engines
 * expect.
 */
#include "bundle.h"
#include "process.h"

#include <seccomp.h>
#include <string.h>

/* ---- seccomp
 * ----------------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t action;
} seccomp_actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
};

static const char *const seccomp_ops[] = {
    [SCMP_CMP_NE] = "SCMP_CMP_NE",
    [SCMP_CMP_LT] = "SCMP_CMP_LT",
    [SCMP_CMP_LE] = "SCMP_CMP_LE",
    [SCMP_CMP_EQ] = "SCMP_CMP_EQ",
    [SCMP_CMP_GE] = "SCMP_CMP_GE",
    [SCMP_CMP_GT] = "SCMP_CMP_GT",
    [SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* The architectures and flags of the runtime-spec's schema. */
static const char *const seccomp_arches[] = {
    "SCMP_ARCH_X86",	     "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",	     "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",	     "SCMP_ARCH_MIPS",	  "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",	  "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",	  "SCMP_ARCH_S390X",
    "SCMP_ARCH_SH",	     "SCMP_ARCH_SHEB",	  "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64",
};
static const char *const seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static json_t *names(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		if (v[i])
			json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *bp_features_seccomp(void)
{
	json_t *actions = json_array(), *supported = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_actions); i++)
		json_array_append_new(actions,
				      json_string(seccomp_actions[i].name));
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_flags); i++)
		if (rt_seccomp_flag_supported(seccomp_flags[i]))
			json_array_append_new(supported,
					      json_string(seccomp_flags[i]));
	return json_pack(
	    "{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", true, "actions",
	    actions, "operators", names(seccomp_ops, ARRAY_SIZE(seccomp_ops)),
	    "archs", names(seccomp_arches, ARRAY_SIZE(seccomp_arches)),
	    "knownFlags", names(seccomp_flags, ARRAY_SIZE(seccomp_flags)),
	    "supportedFlags", supported);
}

/* An action and its optional errno ("errnoRet"/"defaultErrnoRet"). */
static int seccomp_action(struct bp *p, json_t *o, const char *key,
			  const char *errno_key, uint32_t *action,
			  bool *has_errno, uint32_t *errno_ret)
{
	_cleanup_free_ char *name = NULL;
	uint64_t ret = 0; /* absent errnoRet: 0, so the cache key is stable */
	size_t i;
	int r;

	if (bp_string(p, o, key, BP_REQUIRED, &name) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(seccomp_actions); i++)
		if (strcmp(name, seccomp_actions[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(seccomp_actions))
		return bp_fail_at(p, key, "unknown action '%s'", name);
	*action = seccomp_actions[i].action;
	/* The kernel keeps 16 bits of SECCOMP_RET_DATA. */
	if ((r = bp_u64(p, o, errno_key, 0, 0xffff, &ret)) < 0)
		return -1;
	if (r > 0 && *action != SCMP_ACT_ERRNO(0) &&
	    *action != SCMP_ACT_TRACE(0))
		return bp_fail_at(p, errno_key,
				  "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE "
				  "take an errno, not %s",
				  name);
	*has_errno = r > 0;
	*errno_ret = (uint32_t)ret;
	return 0;
}

static int seccomp_arg_entry(struct bp *p, json_t *o, void *elem)
{
	struct rt_seccomp_arg *a = elem;
	_cleanup_free_ char *op = NULL;

	if (bp_u32(p, o, "index", BP_REQUIRED, &a->index) < 0 ||
	    bp_u64(p, o, "value", BP_REQUIRED, UINT64_MAX, &a->value) < 0 ||
	    bp_u64(p, o, "valueTwo", 0, UINT64_MAX, &a->value_two) < 0 ||
	    bp_string(p, o, "op", BP_REQUIRED, &op) < 0)
		return -1;
	if (a->index > 5)
		return bp_fail_at(p, "index",
				  "a system call has 6 arguments (0 to 5), "
				  "got %u",
				  a->index);
	a->op = bp_find_name(seccomp_ops, ARRAY_SIZE(seccomp_ops), op);
	if (a->op < 0)
		return bp_fail_at(p, "op", "unknown operator '%s'", op);
	return 0;
}

static int seccomp_rule_entry(struct bp *p, json_t *o, void *elem)
{
	struct rt_seccomp_rule *r = elem;

	/* Names are not checked here: a name this libseccomp does not know
	 * is skipped when the filter is compiled, as engines expect. */
	if (bp_strings(p, o, "names", BP_REQUIRED | BP_NONEMPTY, &r->names,
		       &r->nnames) < 0 ||
	    seccomp_action(p, o, "action", "errnoRet", &r->action,
			   &r->has_errno_ret, &r->errno_ret) < 0 ||
	    bp_objects(p, o, "args", 0, sizeof(*r->args), (void **)&r->args,
		       &r->nargs, seccomp_arg_entry) < 0)
		return -1;
	return 0;
}

/* Every entry of a string array must be in table t. */
static int check_names(struct bp *p, const char *key, char **v, size_t n,
		       const char *const *t, size_t tn, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (bp_find_name(t, tn, v[i]) < 0) {
			bp_push_key(p, key);
			bp_push_index(p, i);
			return bp_fail(p, "unknown %s '%s'", what, v[i]);
		}
	return 0;
}

int bp_seccomp(struct bp *p, json_t *lx, struct rt_config *c)
{
	struct rt_seccomp *s;
	json_t *o;
	size_t saved;
	int r = bp_object(p, lx, "seccomp", 0, &o);

	if (r <= 0)
		return r;
	s = c->seccomp = xcalloc(1, sizeof(*s));
	saved = bp_push_key(p, "seccomp");
	if (seccomp_action(p, o, "defaultAction", "defaultErrnoRet",
			   &s->default_action, &s->has_default_errno_ret,
			   &s->default_errno_ret) < 0 ||
	    bp_strings(p, o, "architectures", 0, &s->architectures,
		       &s->narchitectures) < 0 ||
	    check_names(p, "architectures", s->architectures, s->narchitectures,
			seccomp_arches, ARRAY_SIZE(seccomp_arches),
			"architecture") < 0 ||
	    bp_strings(p, o, "flags", 0, &s->flags, &s->nflags) < 0 ||
	    check_names(p, "flags", s->flags, s->nflags, seccomp_flags,
			ARRAY_SIZE(seccomp_flags), "flag") < 0 ||
	    bp_string(p, o, "listenerPath", BP_ABSOLUTE, &s->listener_path) <
		0 ||
	    bp_string(p, o, "listenerMetadata", 0, &s->listener_metadata) < 0 ||
	    bp_objects(p, o, "syscalls", 0, sizeof(*s->rules),
		       (void **)&s->rules, &s->nrules, seccomp_rule_entry) < 0)
		return -1;
	/* A notify default would hand every syscall to the agent, including
	 * the ones the runtime itself makes before exec (runc refuses too). */
	if (s->default_action == SCMP_ACT_NOTIFY)
		return bp_fail_at(p, "defaultAction",
				  "SCMP_ACT_NOTIFY cannot be the default");
	for (size_t i = 0; i < s->nrules && !s->listener_path; i++)
		if (s->rules[i].action == SCMP_ACT_NOTIFY)
			return bp_fail_at(p, "listenerPath",
					  "required: syscalls[%zu] uses "
					  "SCMP_ACT_NOTIFY",
					  i);
	bp_pop(p, saved);
	return 0;
}

void bp_free_seccomp(struct rt_seccomp *s)
{
	if (!s)
		return;
	bp_free_strv(s->architectures, s->narchitectures);
	bp_free_strv(s->flags, s->nflags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->rules && i < s->nrules; i++) {
		bp_free_strv(s->rules[i].names, s->rules[i].nnames);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s);
}
