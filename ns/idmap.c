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
#include <sys/wait.h>
#include <unistd.h>

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

/* An unprivileged writer may map only its own id, once: anything more goes
 * through the setuid helpers of the uidmap package, which check the ranges
 * against /etc/subuid and /etc/subgid. */
static bool needs_helper(const struct ns_idmap *m, size_t n, uint32_t own)
{
	return geteuid() != 0 &&
	       !(n == 1 && m[0].host_id == own && m[0].size == 1);
}

/* What file (/etc/subuid or /etc/subgid) gives the user: its "start+count"
 * ranges, comma-separated, into buf ("" when none).  Lines are
 * "name:start:count" or "uid:start:count" (subuid(5)). */
static void subid_ranges(const char *file, const char *name, uid_t uid,
			 char *buf, size_t len)
{
	char line[512], num[16];
	size_t used = 0;
	FILE *f = fopen(file, "re");

	buf[0] = '\0';
	if (!f)
		return;
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	while (fgets(line, sizeof(line), f) && used < len) {
		char *start = strchr(line, ':'), *count;

		if (!start)
			continue;
		*start++ = '\0';
		count = strchr(start, ':');
		if (!count ||
		    (strcmp(line, num) && (!name || strcmp(line, name))))
			continue;
		*count++ = '\0';
		count[strcspn(count, "\n")] = '\0';
		used += (size_t)snprintf(buf + used, len - used, "%s%s+%s",
					 used ? ", " : "", start, count);
	}
	fclose(f);
}

/* The name /etc/passwd gives uid, or NULL.  Not getpwuid(): husk is
 * linked statically, and a static glibc's NSS would dlopen the libraries
 * of the glibc it was built with (musl has no NSS and reads /etc/passwd
 * too).  A user only a directory service knows is matched in /etc/subuid
 * by number, as newuidmap falls back to doing. */
static char *passwd_name(uid_t uid)
{
	_cleanup_free_ char *text = base_read_file_at(AT_FDCWD, "/etc/passwd",
						     NULL);
	char *line, *save = NULL;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *name = line, *pass = strchr(line, ':'), *id, *end;

		if (!pass || !(id = strchr(pass + 1, ':')))
			continue;
		*pass = '\0';
		errno = 0;
		if (strtoul(++id, &end, 10) == uid && end != id && *end == ':' &&
		    !errno)
			return xstrdup(name);
	}
	return NULL;
}

/* Why newuidmap/newgidmap refused: the user has no range at all (the fix
 * is to add one), or has ranges that do not cover the maps asked for. */
static int helper_hint(const char *tool, struct herr *e)
{
	bool uid = strcmp(tool, "newuidmap") == 0;
	const char *file = uid ? "/etc/subuid" : "/etc/subgid";
	_cleanup_free_ char *name = passwd_name(geteuid());
	char ranges[256];

	subid_ranges(file, name, geteuid(), ranges, sizeof(ranges));
	if (!ranges[0])
		return herr_hint(e,
				 "uid %u%s%s%s has no range in %s: as root, "
				 "give it one, e.g. usermod --add-sub%cids "
				 "100000-165535 %s (a range no other user has)",
				 (unsigned)geteuid(), name ? " (" : "",
				 name ? name : "", name ? ")" : "", file,
				 uid ? 'u' : 'g', name ? name : "USER");
	return herr_hint(e,
			 "the ranges must be allowed for this user in %s, "
			 "which gives it %s (start+count)",
			 file, ranges);
}

static int run_helper(const char *tool, pid_t pid, const struct ns_idmap *m,
		      size_t n, struct herr *e)
{
	char *argv[3 + 3 * 340 + 1], (*num)[3][12], msg[512] = "";
	int pfd[2], ws, rc = -1;
	size_t k = 0;
	ssize_t got;
	pid_t child;

	if (n > 340)
		return herr_set(e, EINVAL, "%s: more than 340 ranges", tool);
	num = xcalloc(n ? n : 1, sizeof(*num));
	argv[k++] = (char *)tool;
	argv[k++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		snprintf(num[i][0], 12, "%" PRIu32, m[i].container_id);
		snprintf(num[i][1], 12, "%" PRIu32, m[i].host_id);
		snprintf(num[i][2], 12, "%" PRIu32, m[i].size);
		for (int j = 0; j < 3; j++)
			argv[k++] = num[i][j];
		base_debug("%s %" PRIu32 " %" PRIu32 " %" PRIu32 " (via %s)",
			   strcmp(tool, "newuidmap") ? "gid_map" : "uid_map",
			   m[i].container_id, m[i].host_id, m[i].size, tool);
	}
	argv[k] = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		herr_sys(e, errno, "pipe for %s", tool);
		goto out;
	}
	child = fork();
	if (child == 0) {
		dup2(pfd[1], STDERR_FILENO);
		execvp(tool, argv);
		dprintf(STDERR_FILENO, "%s", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	got = child < 0 ? -1 : read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	if (child < 0) {
		herr_sys(e, errno, "fork for %s", tool);
		goto out;
	}
	msg[got > 0 ? got : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
		rc = 0;
		goto out;
	}
	herr_set(e, EPERM, "%s %d: %s", tool, (int)pid,
		 msg[0] ? msg : "failed");
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
		herr_hint(e, "install the uidmap package, or map only your "
			     "own id");
	else
		helper_hint(tool, e);
out:
	free(argv[1]);
	free(num);
	return rc;
}

int ns_write_idmaps(pid_t pid, const struct ns_idmap *uids, size_t nuids,
		    const struct ns_idmap *gids, size_t ngids,
		    bool deny_setgroups, struct herr *e)
{
	bool uid_helper = nuids && needs_helper(uids, nuids, geteuid());
	bool gid_helper = ngids && needs_helper(gids, ngids, getegid());

	/* newgidmap decides about setgroups itself (it must stay allowed
	 * for the additional gids it maps to be usable). */
	if (deny_setgroups && !gid_helper) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		base_debug("setgroups deny");
		if (base_write_file_at(AT_FDCWD, path, "deny") < 0)
			return herr_sys(e, errno, "writing '%s'", path);
	}
	if (nuids && (uid_helper ? run_helper("newuidmap", pid, uids, nuids, e)
				 : write_map(pid, "uid_map", uids, nuids, e)) < 0)
		return -1;
	if (ngids && (gid_helper ? run_helper("newgidmap", pid, gids, ngids, e)
				 : write_map(pid, "gid_map", gids, ngids, e)) < 0)
		return -1;
	return 0;
}
