/* Unit tests for runtime/process.c and runtime/caps.c.  Everything that
 * changes the process (ids, capabilities, limits, fds) runs in a forked
 * child, whose CHECK counts come back to the parent through a pipe. */
#include "../../runtime/process.h"
#include "unit.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* ---- narration capture ---- */

static char logbuf[1 << 14];
static size_t loglen;

static void capture(const char *msg)
{
	size_t n = strlen(msg);

	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, msg, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
}

static bool logged(const char *s)
{
	return strstr(logbuf, s) != NULL;
}

/* Run fn in a child and add its CHECK counts to ours. */
static void in_child(const char *name, void (*fn)(void))
{
	int counts[2] = {0, 0}, p[2], st = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		CHECK(!"pipe2");
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* Out of the way of the fds the tests play with. */
		p[1] = fcntl(p[1], F_DUPFD_CLOEXEC, 200);
		close(p[0]);
		unit_pass = unit_fail = 0;
		loglen = 0;
		logbuf[0] = '\0';
		fn();
		counts[0] = unit_pass;
		counts[1] = unit_fail;
		(void)!write(p[1], counts, sizeof(counts));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], counts, sizeof(counts)) != sizeof(counts))
		fprintf(stderr, "%s: child reported nothing\n", name);
	close(p[0]);
	waitpid(pid, &st, 0);
	unit_pass += counts[0];
	unit_fail += counts[1];
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0 && counts[0] > 0))
		fprintf(stderr, "%s: child status 0x%x\n", name, st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && counts[0] > 0);
}

/* The "CapEff:" etc. mask of this process. */
static uint64_t status_caps(const char *key)
{
	_cleanup_free_ char *s =
	    base_read_file_at(AT_FDCWD, "/proc/self/status", NULL);
	char *at = s ? strstr(s, key) : NULL;

	return at ? strtoull(at + strlen(key) + 1, NULL, 16) : ~0ULL;
}

#define B(c) (1ULL << (c))

/* ---- find_exec and exec ---- */

static char tmp[64];
static char *const no_path_env[] = {"HOME=/", NULL};

static void put(const char *name, const char *body, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	CHECK(fd >= 0 &&
	      write(fd, body, strlen(body)) == (ssize_t)strlen(body));
	close(fd);
	CHECK(chmod(path, mode) == 0);
}

static int find(const char *arg0, char *const *env, char *out, size_t n,
		struct herr *e)
{
	char *args[] = {(char *)arg0, NULL};
	struct rt_process p = {.args = args, .nargs = 1, .env = (char **)env};

	memset(e, 0, sizeof(*e));
	return rt_child_find_exec(&p, out, n, e);
}

static void test_find_exec(void)
{
	char out[PATH_MAX], want[512], path1[300], path2[300], path3[300];
	char *env1[] = {path1, NULL}, *env2[] = {path2, NULL};
	char *env3[] = {path3, NULL};
	char *nopath[] = {"PATH=/nonexistent", NULL};
	_cleanup_free_ char *saved = NULL;
	struct herr e;

	snprintf(tmp, sizeof(tmp), "/tmp/husk-test-process-XXXXXX");
	CHECK(mkdtemp(tmp) != NULL);
	put("tool", "#!/bin/sh\nexit 7\n", 0755);
	put("noexec", "#!/bin/sh\nexit 0\n", 0644);
	snprintf(want, sizeof(want), "%s/d1", tmp);
	CHECK(mkdir(want, 0755) == 0);
	snprintf(want, sizeof(want), "%s/d1/thing", tmp);
	CHECK(mkdir(want, 0755) == 0);
	snprintf(want, sizeof(want), "%s/d2", tmp);
	CHECK(mkdir(want, 0755) == 0);
	put("d2/thing", "#!/bin/sh\nexit 0\n", 0755);
	snprintf(path1, sizeof(path1), "PATH=/nonexistent:%s", tmp);
	snprintf(path2, sizeof(path2), "PATH=%s/d1:%s/d2", tmp, tmp);
	snprintf(path3, sizeof(path3), "PATH=%s/d1", tmp);

	/* found through the container's PATH */
	CHECK(find("tool", env1, out, sizeof(out), &e) == 0);
	snprintf(want, sizeof(want), "%s/tool", tmp);
	CHECK_STR(out, want);

	/* not found: the wording engines map to 127 */
	CHECK(find("nope", env1, out, sizeof(out), &e) == -1);
	CHECK(e.err == ENOENT);
	CHECK_STR(e.msg, "exec 'nope': executable file not found in $PATH");

	/* husk's own PATH plays no part */
	saved = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", tmp, 1);
	CHECK(find("tool", nopath, out, sizeof(out), &e) == -1);
	CHECK(e.err == ENOENT);
	setenv("PATH", saved, 1);

	/* default PATH when the container sets none */
	CHECK(find("sh", no_path_env, out, sizeof(out), &e) == 0);
	CHECK(strcmp(out, "/usr/bin/sh") == 0 || strcmp(out, "/bin/sh") == 0);

	/* with a slash: checked as given */
	CHECK(find("/bin/nope", env1, out, sizeof(out), &e) == -1);
	CHECK(e.err == ENOENT);
	CHECK_STR(e.msg, "exec '/bin/nope': No such file or directory");
	CHECK(find("/etc/passwd", env1, out, sizeof(out), &e) == -1);
	CHECK(e.err == EACCES);
	CHECK_STR(e.msg, "exec '/etc/passwd': Permission denied");
	CHECK(find("/usr/bin", env1, out, sizeof(out), &e) == -1);
	CHECK(e.err == EACCES);
	CHECK_STR(e.msg, "exec '/usr/bin': Permission denied (is a directory)");

	/* a match we may not run: EACCES (126), unless a later one runs */
	CHECK(find("noexec", env1, out, sizeof(out), &e) == -1);
	CHECK(e.err == EACCES);
	snprintf(want, sizeof(want), "exec '%s/noexec': Permission denied",
		 tmp);
	CHECK_STR(e.msg, want);
	CHECK(find("thing", env2, out, sizeof(out), &e) == 0);
	snprintf(want, sizeof(want), "%s/d2/thing", tmp);
	CHECK_STR(out, want);
	CHECK(find("thing", env3, out, sizeof(out), &e) == -1);
	CHECK(e.err == EACCES);
	CHECK(strstr(e.msg, "(is a directory)") != NULL);

	/* too small a buffer */
	CHECK(find("tool", env1, out, 8, &e) == -1);
	CHECK(e.err == ENAMETOOLONG);
}

static void child_empty_path_entry(void)
{
	char *env[] = {"PATH=/nonexistent:", NULL};
	char out[PATH_MAX];
	struct herr e;

	/* An empty PATH entry is the current directory. */
	CHECK(chdir(tmp) == 0);
	CHECK(find("tool", env, out, sizeof(out), &e) == 0);
	CHECK_STR(out, "./tool");
}

static void child_exec(void)
{
	char path[300];
	char *args[] = {"tool", NULL};
	struct rt_process p = {
	    .args = args, .nargs = 1, .env = (char **)no_path_env};
	struct herr e = {0};
	pid_t pid;
	int st;

	CHECK(rt_child_exec(&p, "/bin/nope", &e) == -1);
	CHECK_STR(e.msg, "exec '/bin/nope': No such file or directory");
	snprintf(path, sizeof(path), "%s/tool", tmp);
	pid = fork();
	if (pid == 0) {
		rt_child_exec(&p, path, &e);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 7);
}

/* ---- capabilities ---- */

static void set_caps(uint64_t bnd, uint64_t eff, uint64_t prm, uint64_t inh,
		     uint64_t amb, struct herr *e)
{
	struct rt_process p = {.caps = {.present = true,
					.bounding = bnd,
					.effective = eff,
					.permitted = prm,
					.inheritable = inh,
					.ambient = amb}};

	memset(e, 0, sizeof(*e));
	(void)rt_child_set_caps(&p, e); /* callers check e->err */
}

static void child_caps_exact(void)
{
	uint64_t bnd = B(CAP_CHOWN) | B(CAP_KILL) | B(CAP_SETPCAP) |
		       B(CAP_NET_BIND_SERVICE) | B(CAP_SYS_ADMIN);
	uint64_t eff = B(CAP_KILL) | B(CAP_NET_BIND_SERVICE);
	uint64_t prm = eff | B(CAP_CHOWN);
	uint64_t inh = B(CAP_NET_BIND_SERVICE);
	struct herr e;

	set_caps(bnd, eff, prm, inh, inh, &e);
	CHECK(e.err == 0);
	CHECK(status_caps("CapBnd:") == bnd);
	CHECK(status_caps("CapEff:") == eff);
	CHECK(status_caps("CapPrm:") == prm);
	CHECK(status_caps("CapInh:") == inh);
	CHECK(status_caps("CapAmb:") == inh);
	CHECK(logged("capabilities: bounding=cap_chown,cap_kill,cap_setpcap,"
		     "cap_net_bind_service,cap_sys_admin "
		     "effective=cap_kill,cap_net_bind_service "
		     "permitted=cap_chown,cap_kill,cap_net_bind_service "
		     "inheritable=cap_net_bind_service "
		     "ambient=cap_net_bind_service"));
}

static void child_caps_absent(void)
{
	struct rt_process p = {0};
	struct herr e = {0};

	CHECK(rt_child_set_caps(&p, &e) == 0);
	CHECK(status_caps("CapBnd:") == 0);
	CHECK(status_caps("CapEff:") == 0);
	CHECK(status_caps("CapPrm:") == 0);
	CHECK(status_caps("CapInh:") == 0);
	CHECK(status_caps("CapAmb:") == 0);
	CHECK(logged("bounding=(none) effective=(none) permitted=(none) "
		     "inheritable=(none) ambient=(none)"));
}

static void child_caps_newer_than_kernel(void)
{
	uint64_t keep = B(CAP_KILL) | B(CAP_SETPCAP);
	struct herr e;

	set_caps(keep | B(63), keep, keep | B(62), 0, 0, &e);
	CHECK(e.err == 0);
	CHECK(status_caps("CapBnd:") == keep);
	CHECK(status_caps("CapPrm:") == keep);
	CHECK(logged("warning: capabilities 62,63 are newer than the running "
		     "kernel"));
}

static void child_caps_ambient_needs_inheritable(void)
{
	struct herr e;

	/* As `runc spec` writes: ambient but not inheritable.  Skipped with a
	 * warning (runtime spec), never made inheritable behind the user's
	 * back. */
	set_caps(B(CAP_KILL) | B(CAP_CHOWN), B(CAP_KILL) | B(CAP_CHOWN),
		 B(CAP_KILL) | B(CAP_CHOWN), B(CAP_CHOWN),
		 B(CAP_KILL) | B(CAP_CHOWN), &e);
	CHECK(e.err == 0);
	CHECK(status_caps("CapInh:") == B(CAP_CHOWN));
	CHECK(status_caps("CapAmb:") == B(CAP_CHOWN));
	CHECK(logged("warning: ambient capabilities cap_kill are skipped: an "
		     "ambient capability must also be permitted and "
		     "inheritable"));
}

/* ---- user and groups ---- */

static void child_user(void)
{
	gid_t extra[] = {27};
	struct rt_process p = {.user = {.uid = 1000,
					.gid = 1000,
					.additional_gids = extra,
					.nadditional_gids = 1,
					.has_umask = true,
					.umask = 027}};
	uint64_t prm = status_caps("CapPrm:");
	uid_t r, ef, s;
	gid_t gr, ge, gs, groups[8];
	struct herr e = {0};

	CHECK(rt_child_set_user(&p, true, &e) == 0);
	CHECK(getresuid(&r, &ef, &s) == 0 && r == 1000 && ef == 1000 &&
	      s == 1000);
	CHECK(getresgid(&gr, &ge, &gs) == 0 && gr == 1000 && ge == 1000 &&
	      gs == 1000);
	CHECK(getgroups(8, groups) == 1 && groups[0] == 27);
	CHECK(umask(0) == 027);
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
	/* Permitted survived the uid change; effective did not. */
	CHECK(status_caps("CapPrm:") == prm);
	CHECK(status_caps("CapEff:") == 0);

	/* ...so the capabilities can still be set afterwards. */
	memset(&e, 0, sizeof(e));
	set_caps(B(CAP_KILL), B(CAP_KILL), B(CAP_KILL), 0, 0, &e);
	CHECK(e.err == 0);
	CHECK(status_caps("CapEff:") == B(CAP_KILL));
	CHECK(status_caps("CapPrm:") == B(CAP_KILL));
	CHECK(status_caps("CapBnd:") == B(CAP_KILL));
}

static void child_user_setgroups_denied(void)
{
	gid_t extra[] = {27, 100};
	struct rt_process p = {.user = {.uid = 1000,
					.gid = 1000,
					.additional_gids = extra,
					.nadditional_gids = 2}};
	struct herr e = {0};
	uid_t r, ef, s;

	CHECK(rt_child_set_user(&p, false, &e) == -1);
	CHECK(e.err == EPERM);
	CHECK(strstr(e.msg, "cannot set additionalGids [27,100]: setgroups "
			    "is 'deny'") == e.msg);
	/* nothing changed */
	CHECK(getresuid(&r, &ef, &s) == 0 && r == 0 && ef == 0);
}

static void child_user_unmapped(void)
{
	struct rt_process p = {.user = {.uid = 0, .gid = 0}};
	struct herr e = {0};

	if (unshare(CLONE_NEWUSER) < 0) {
		printf("skip: unmapped ids need a user namespace: %s\n",
		       strerror(errno));
		CHECK(true);
		return;
	}
	/* A fresh user namespace has no mappings at all. */
	CHECK(rt_child_set_user(&p, false, &e) == -1);
	CHECK(e.err == EINVAL);
	CHECK_STR(e.msg, "setresgid 0: Invalid argument (gid 0 is not mapped "
			 "in the container's user namespace)");
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
}

/* ---- rlimits, oom_score_adj, no_new_privs ---- */

static void child_rlimits(void)
{
	struct rt_rlimit lower = {RLIMIT_NOFILE, 256, 512};
	struct rt_rlimit raise = {RLIMIT_NOFILE, 2048, 4096};
	struct rt_rlimit inverted = {RLIMIT_NOFILE, 300, 200};
	struct rt_process p = {.rlimits = &lower, .nrlimits = 1};
	struct herr e = {0};
	struct rlimit rl;

	CHECK(rt_child_set_rlimits(&p, &e) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 256 &&
	      rl.rlim_max == 512);
	CHECK(logged("setrlimit RLIMIT_NOFILE 256:512"));

	/* Root here lacks CAP_SYS_RESOURCE: a hard limit cannot go back up. */
	p.rlimits = &raise;
	CHECK(rt_child_set_rlimits(&p, &e) == -1);
	CHECK(e.err == EPERM);
	CHECK_STR(e.msg, "setting RLIMIT_NOFILE to 2048:4096: Operation not "
			 "permitted (raising a hard limit needs "
			 "CAP_SYS_RESOURCE)");
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max == 512);

	p.rlimits = &inverted;
	CHECK(rt_child_set_rlimits(&p, &e) == -1);
	CHECK(e.err == EINVAL);
	CHECK(strstr(e.msg, "(the soft limit is above the hard limit)"));
}

static void child_oom(void)
{
	struct rt_process p = {.has_oom_score_adj = true, .oom_score_adj = 500};
	_cleanup_free_ char *v = NULL;
	_cleanup_fd_ int notproc = open("/tmp", O_PATH | O_CLOEXEC);
	struct herr e = {0};

	CHECK(rt_child_set_oom_score_adj(&p, -1, &e) == 0);
	v = base_read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", NULL);
	CHECK_STR(v, "500\n");

	/* Lowering below where we started needs CAP_SYS_RESOURCE. */
	p.oom_score_adj = -500;
	CHECK(rt_child_set_oom_score_adj(&p, -1, &e) == -1);
	CHECK(e.err == EACCES || e.err == EPERM);
	CHECK(strstr(e.msg, "writing -500 to '/proc/self/oom_score_adj': ") ==
	      e.msg);
	CHECK(strstr(e.msg, "(lowering oom_score_adj (now 500) needs "
			    "CAP_SYS_RESOURCE)"));

	/* Writes never go through something that is not procfs. */
	p.oom_score_adj = 600;
	CHECK(rt_child_set_oom_score_adj(&p, notproc, &e) == -1);
	CHECK(strstr(e.msg, "'/proc' is not on a procfs") == e.msg);

	/* Not asked: not touched. */
	p.has_oom_score_adj = false;
	CHECK(rt_child_set_oom_score_adj(&p, -1, &e) == 0);
	free(v);
	v = base_read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", NULL);
	CHECK_STR(v, "500\n");
}

static void child_nnp(void)
{
	struct rt_process p = {0};
	struct herr e = {0};

	CHECK(rt_child_set_no_new_privs(&p, &e) == 0);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	p.no_new_privileges = true;
	CHECK(rt_child_set_no_new_privs(&p, &e) == 0);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
}

/* ---- fds ---- */

static bool cloexec(int fd)
{
	return fcntl(fd, F_GETFD) & FD_CLOEXEC;
}

static void child_close_fds(void)
{
	int std[3], p[2];
	struct herr e = {0};

	for (int i = 0; i < 3; i++)
		std[i] = fcntl(i, F_GETFD);
	CHECK(pipe(p) == 0);
	CHECK(dup2(p[0], 3) == 3 && dup2(p[1], 4) == 4 && dup2(p[0], 40) == 40);
	CHECK(!cloexec(3) && !cloexec(4) && !cloexec(40));

	CHECK(rt_child_close_fds(1, &e) == 0);
	CHECK(!cloexec(3));
	CHECK(cloexec(4) && cloexec(40));
	/* marked, not closed */
	CHECK(fcntl(4, F_GETFD) >= 0 && fcntl(40, F_GETFD) >= 0);
	for (int i = 0; i < 3; i++)
		CHECK(fcntl(i, F_GETFD) == std[i]);

	CHECK(rt_child_close_fds(0, &e) == 0);
	CHECK(cloexec(3));
	CHECK(rt_child_close_fds(-1, &e) == -1 && e.err == EINVAL);
}

static void rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0);
}

/* Signal names as `husk kill` takes them: the real-time ones numbered as
 * runc and crun (glibc) number them, whatever husk's own libc reserves. */
static void test_signal_names(void)
{
	CHECK(base_signal_parse("TERM") == SIGTERM);
	CHECK(base_signal_parse("SIGKILL") == SIGKILL);
	CHECK(base_signal_parse("9") == 9);
	CHECK(base_signal_parse("0") == -1);
	CHECK(base_signal_parse("65") == -1);
	CHECK(base_signal_parse("RTMIN") == 34);
	CHECK(base_signal_parse("SIGRTMIN+2") == 36);
	CHECK(base_signal_parse("RTMAX") == 64);
	CHECK(base_signal_parse("RTMAX-3") == 61);
	CHECK(base_signal_parse("RTMIN+30") == 64);
	CHECK(base_signal_parse("RTMIN+31") == -1);
	CHECK(base_signal_parse("RTMAX-31") == -1);
	CHECK(base_signal_parse("RTMIN-1") == -1);
	CHECK(base_signal_parse("NOPE") == -1);
	CHECK_STR(base_signal_name(SIGUSR1), "SIGUSR1");
}

int main(void)
{
	base_debug_on = true;
	base_warn_hook = capture;
	test_signal_names();
	test_find_exec();
	in_child("empty PATH entry", child_empty_path_entry);
	in_child("exec", child_exec);
	in_child("caps exact", child_caps_exact);
	in_child("caps absent", child_caps_absent);
	in_child("caps newer than kernel", child_caps_newer_than_kernel);
	in_child("ambient needs inheritable",
		 child_caps_ambient_needs_inheritable);
	in_child("user", child_user);
	in_child("setgroups denied", child_user_setgroups_denied);
	in_child("unmapped ids", child_user_unmapped);
	in_child("rlimits", child_rlimits);
	in_child("oom_score_adj", child_oom);
	in_child("no_new_privs", child_nnp);
	in_child("close fds", child_close_fds);
	rm_tmp();
	return unit_done("test_process");
}
