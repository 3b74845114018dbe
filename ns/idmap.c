/*
 * idmap: user-namespace id maps, /proc/PID/{uid,gid}_map and setgroups.
 *
 * The kernel accepts each map once, in a single write(2) of whole lines
 * "container-id host-id size", and only from a process with the right
 * capabilities over the parent namespace; user_namespaces(7) has the rules.
 */
#include "ns.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int ns_idmap_format(const struct ns_idmap *m, size_t n, char *buf, size_t len)
{
	size_t used = 0, i;

	if (!len) {
		errno = ENOSPC;
		return -1;
	}
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w;

		/* The kernel refuses empty ranges and ranges that wrap. */
		if (!m[i].size || m[i].container_id > UINT32_MAX - m[i].size ||
		    m[i].host_id > UINT32_MAX - m[i].size) {
			errno = EINVAL;
			return -1;
		}
		w = snprintf(buf + used, len - used,
			     "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
			     m[i].container_id, m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= len - used) {
			errno = ENOSPC;
			return -1;
		}
		used += (size_t)w;
	}
	return (int)used;
}

static int write_map(pid_t pid, const char *file, const struct ns_idmap *m,
		     size_t n, struct herr *e)
{
	char path[64], buf[4096];
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (ns_idmap_format(m, n, buf, sizeof(buf)) < 0) {
		herr_sys(e, errno, "formatting '%s'", path);
		if (errno == EINVAL)
			herr_hint(e, "a range is empty or wraps past 2^32");
		return -1;
	}
	for (i = 0; i < n; i++)
		base_debug("%s %" PRIu32 " %" PRIu32 " %" PRIu32, file,
			   m[i].container_id, m[i].host_id, m[i].size);
	if (base_write_file_at(AT_FDCWD, path, buf) == 0)
		return 0;

	herr_sys(e, errno, "writing '%s'", path);
	if (errno == EPERM && !strcmp(file, "gid_map"))
		return herr_hint(e, "setgroups must be 'deny' first when the "
				    "writer lacks CAP_SETGID; a map can be "
				    "written only once");
	if (errno == EPERM)
		return herr_hint(e, "a map can be written only once, and an "
				    "unprivileged writer may only map its own "
				    "id: more ranges need newuidmap(1)");
	if (errno == EINVAL)
		return herr_hint(e, "ranges overlap or there are more than "
				    "340 of them");
	return -1;
}

int ns_write_idmaps(pid_t pid, const struct ns_idmap *uids, size_t nuids,
		    const struct ns_idmap *gids, size_t ngids,
		    bool deny_setgroups, struct herr *e)
{
	if (deny_setgroups) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		base_debug("setgroups deny");
		if (base_write_file_at(AT_FDCWD, path, "deny") < 0)
			return herr_sys(e, errno, "writing '%s'", path);
	}
	if (nuids && write_map(pid, "uid_map", uids, nuids, e) < 0)
		return -1;
	if (ngids && write_map(pid, "gid_map", gids, ngids, e) < 0)
		return -1;
	return 0;
}
