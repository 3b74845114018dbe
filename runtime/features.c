/*
 * features: the runtime-spec "features" document (`husk features`), which
 * tells an engine what this runtime understands before it writes a
 * config.json.  Every list comes from the table the parser itself uses,
 * so the document cannot claim what the parser refuses.
 */
#include "runtime.h"

#include "bundle.h"

#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/capability.h>

/* Every capability husk can name that this libcap knows too. */
static json_t *capabilities(void)
{
	json_t *a = json_array();

	for (int c = 0; rt_cap_name(c); c++) {
		char *lib = cap_to_name((cap_value_t)c);

		/* libcap spells capabilities it does not know as numbers. */
		if (lib && lib[0] == 'c')
			json_array_append_new(a, json_string(rt_cap_name(c)));
		cap_free(lib);
	}
	return a;
}

char *rt_features(void)
{
	char ver[32];
	json_t *o;
	char *out;

	snprintf(ver, sizeof(ver), "%u.%u.%u", seccomp_version()->major,
		 seccomp_version()->minor, seccomp_version()->micro);
	o = json_pack("{s:s, s:s, s:o, s:o,"
		      " s:{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o,"
		      "    s:{s:b}, s:{s:b}, s:{s:b}, s:{s:{s:b}}},"
		      " s:{s:s, s:s}}",
		      "ociVersionMin", "1.0.0", "ociVersionMax", "1.2.1",
		      "hooks", bp_features_hooks(), "mountOptions",
		      bp_features_mount_options(), "linux", "namespaces",
		      bp_features_namespaces(), "capabilities", capabilities(),
		      "cgroup", "v1", true, "v2", true, "systemd", false,
		      "systemdUser", false, "rdma", false, "seccomp",
		      bp_features_seccomp(), "apparmor", "enabled", false,
		      "selinux", "enabled", false, "intelRdt", "enabled", false,
		      "mountExtensions", "idmap", "enabled", false,
		      "annotations", "io.github.seccomp.libseccomp.version",
		      ver, "husk.version", HUSK_VERSION);
	if (!o)
		abort();
	out = json_dumps(o, JSON_INDENT(4));
	json_decref(o);
	if (!out)
		abort();
	return out;
}
