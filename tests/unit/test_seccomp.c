/* Unit tests for runtime/seccomp.c: SHA-256 vectors, compiling profiles
 * and loading them in forked children, and the on-disk cache (including
 * tampered entries, which must be rejected). */
#include "../../runtime/process.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

/* ---- narration capture ---- */

static char logbuf[1 << 16];
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

static void log_reset(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

static bool logged(const char *s)
{
	return strstr(logbuf, s) != NULL;
}

/* ---- SHA-256 ---- */

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha_str(const void *p, size_t n, size_t chunk, char out[65])
{
	struct rt_sha256 c;
	uint8_t d[32];

	rt_sha256_init(&c);
	for (size_t off = 0; off < n; off += chunk)
		rt_sha256_update(&c, (const char *)p + off,
				 n - off < chunk ? n - off : chunk);
	rt_sha256_final(&c, d);
	hex(d, 32, out);
}

static void test_sha256_vectors(void)
{
	static const char *abc56 =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char *abc112 =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char out[65];
	char *mil = xmalloc(1000000);

	sha_str("", 0, 1, out);
	CHECK_STR(out, "e3b0c44298fc1c149afbf4c8996fb924"
		       "27ae41e4649b934ca495991b7852b855");
	sha_str("abc", 3, 3, out);
	CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223"
		       "b00361a396177a9cb410ff61f20015ad");
	sha_str(abc56, 56, 56, out);
	CHECK_STR(out, "248d6a61d20638b8e5c026930c3e6039"
		       "a33ce45964ff2167f6ecedd419db06c1");
	sha_str(abc112, 112, 5, out);
	CHECK_STR(out, "cf5b16a778af8380036ce59e7b049237"
		       "0b249b11e8f07a51afac45037afee9d1");
	memset(mil, 'a', 1000000);
	sha_str(mil, 1000000, 1000000, out);
	CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67"
		       "f1809a48a497200e046d39ccc7112cd0");
	/* Same digest whatever the update sizes (buffering across blocks). */
	sha_str(mil, 1000000, 7, out);
	CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67"
		       "f1809a48a497200e046d39ccc7112cd0");
	free(mil);
}

static void test_sha256(void)
{
	bool have = rt_sha256_accelerate(false);
	char a[65], b[65];
	uint8_t buf[1000];

	/* The portable rounds, then the CPU's SHA instructions. */
	test_sha256_vectors();
	if (!have) {
		printf("no SHA instructions on this CPU: the accelerated "
		       "SHA-256 is not tested\n");
		return;
	}
	rt_sha256_accelerate(true);
	test_sha256_vectors();
	/* Both agree on every length around the block and padding edges,
	 * fed whole and in odd pieces. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (size_t n = 0; n <= 300; n++) {
		rt_sha256_accelerate(false);
		sha_str(buf, n, n ? n : 1, a);
		rt_sha256_accelerate(true);
		sha_str(buf, n, 3, b);
		CHECK_STR(b, a);
	}
}

/* ---- helpers ---- */

/* Run fn in a child; return its wait status. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static bool exited0(int st)
{
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return true;
	fprintf(stderr, "  child status 0x%x\n", st);
	return false;
}

static int load(const struct rt_bpf *b, bool nnp)
{
	struct herr e = {0};
	int r;

	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	r = rt_child_load_seccomp(b, &e);
	if (r < 0)
		fprintf(stderr, "  load: %s\n", e.msg);
	return r;
}

#define ERRNO_ACT SCMP_ACT_ERRNO(0)

/* ---- a small profile, loaded and exercised ---- */

static char *n_getppid[] = {"getppid", NULL};
static char *n_personality[] = {"personality", NULL};
static char *n_bogus[] = {"husk_no_such_syscall", "getppid", NULL};
static char *n_umask[] = {"umask", NULL};
static char *n_read[] = {"read", NULL};

static struct rt_seccomp_arg a_pers = {
    .index = 0, .value = 0xffffffff, .op = SCMP_CMP_EQ};
/* value is the mask, valueTwo what (arg & mask) must equal. */
static struct rt_seccomp_arg a_umask = {
    .index = 0, .value = 0xf0, .value_two = 0x70, .op = SCMP_CMP_MASKED_EQ};

static struct rt_seccomp_rule small_rules[] = {
    {.names = n_getppid,
     .nnames = 1,
     .action = ERRNO_ACT,
     .has_errno_ret = true,
     .errno_ret = 38},
    {.names = n_personality,
     .nnames = 1,
     .action = ERRNO_ACT,
     .args = &a_pers,
     .nargs = 1},
    /* the unknown name is skipped; getppid repeats rule 0 exactly */
    {.names = n_bogus,
     .nnames = 2,
     .action = ERRNO_ACT,
     .has_errno_ret = true,
     .errno_ret = 38},
    {.names = n_umask,
     .nnames = 1,
     .action = ERRNO_ACT,
     .has_errno_ret = true,
     .errno_ret = EINVAL,
     .args = &a_umask,
     .nargs = 1},
    /* equal to the default action: skipped */
    {.names = n_read, .nnames = 1, .action = SCMP_ACT_ALLOW},
};

static struct rt_seccomp small = {
    .default_action = SCMP_ACT_ALLOW,
    .rules = small_rules,
    .nrules = ARRAY_SIZE(small_rules),
};

static int child_small(void *arg)
{
	int bad = 0;
	long r;

	if (load(arg, true) < 0)
		return 100;
	errno = 0;
	r = syscall(SYS_getppid);
	if (!(r == -1 && errno == 38))
		bad |= 1;
	errno = 0;
	if (!(personality(0xffffffff) == -1 && errno == EPERM))
		bad |= 2;
	if (personality(0) == -1)
		bad |= 4;
	errno = 0; /* 0x77 & 0xf0 == 0x70: refused */
	if (!(syscall(SYS_umask, 0x77) == -1 && errno == EINVAL))
		bad |= 8;
	if (syscall(SYS_umask, 0xf0) == -1) /* 0xf0 & 0xf0 != 0x70 */
		bad |= 16;
	if (syscall(SYS_getpid) != getpid())
		bad |= 32;
	return bad;
}

static int child_nofilter(void *arg)
{
	(void)arg;
	/* Negative control: without the filter these calls all work. */
	if (syscall(SYS_getppid) < 0 || personality(0xffffffff) == -1 ||
	    syscall(SYS_umask, 0x77) == -1)
		return 1;
	return 0;
}

static void test_small(void)
{
	struct rt_bpf b;
	struct herr e = {0};
	int st;

	log_reset();
	CHECK(rt_seccomp_compile(&small, NULL, &b, &e) == 0);
	CHECK(b.ninsns > 0 && b.insns);
	CHECK(!b.notify);
	CHECK(b.flags == 0);
	CHECK(logged("seccomp: unknown syscall 'husk_no_such_syscall' "
		     "skipped"));
	CHECK(logged("seccomp: compiled 4 rules (1 names skipped) into "));
	st = in_child(child_small, &b);
	CHECK(exited0(st));
	CHECK(exited0(in_child(child_nofilter, NULL)));
	rt_bpf_free(&b);
	CHECK(b.insns == NULL && b.ninsns == 0);
}

/* ---- kill actions ---- */

static int child_call_getppid(void *arg)
{
	if (load(arg, true) < 0)
		return 100;
	syscall(SYS_getppid);
	return 0;
}

static void test_kill(void)
{
	static struct rt_seccomp_rule r = {.names = n_getppid, .nnames = 1};
	struct rt_seccomp s = {
	    .default_action = SCMP_ACT_ALLOW, .rules = &r, .nrules = 1};
	static const uint32_t acts[] = {SCMP_ACT_KILL_PROCESS,
					SCMP_ACT_KILL_THREAD};

	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		struct rt_bpf b;
		struct herr e = {0};
		int st;

		r.action = acts[i];
		CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == 0);
		st = in_child(child_call_getppid, &b);
		CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
		rt_bpf_free(&b);
	}
	/* Negative control: a profile without the rule lets it live. */
	{
		struct rt_seccomp s0 = {.default_action = SCMP_ACT_ALLOW};
		struct rt_bpf b;
		struct herr e = {0};

		CHECK(rt_seccomp_compile(&s0, NULL, &b, &e) == 0);
		CHECK(exited0(in_child(child_call_getppid, &b)));
		rt_bpf_free(&b);
	}
}

/* ---- default action with an errno: an allow list ---- */

static int child_allowlist(void *arg)
{
	int bad = 0;

	if (load(arg, true) < 0)
		return 100;
	errno = 0;
	if (!(syscall(SYS_getppid) == -1 && errno == EOPNOTSUPP))
		bad |= 1;
	if (syscall(SYS_getpid) != getpid())
		bad |= 2;
	return bad;
}

static void test_allowlist(void)
{
	/* The rest are for SANITIZE=address builds, whose runtime makes
	 * these calls on the way out. */
	static char *allow[] = {"exit_group", "exit",	     "getpid",
				"write",      "mmap",	     "munmap",
				"madvise",    "sigaltstack", NULL};
	static struct rt_seccomp_rule r = {.names = allow,
					   .nnames = ARRAY_SIZE(allow) - 1,
					   .action = SCMP_ACT_ALLOW};
	struct rt_seccomp s = {.default_action = ERRNO_ACT,
			       .has_default_errno_ret = true,
			       .default_errno_ret = EOPNOTSUPP,
			       .rules = &r,
			       .nrules = 1};
	struct rt_bpf b;
	struct herr e = {0};

	log_reset();
	CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == 0);
	CHECK(logged("seccomp: default action errno(95)"));
	CHECK(exited0(in_child(child_allowlist, &b)));
	rt_bpf_free(&b);
}

/* ---- notify, flags, architectures, errors ---- */

static int child_notify(void *arg)
{
	int fd = load(arg, true);

	if (fd <= 2)
		return 1;
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 0 : 2;
}

static int child_no_nnp(void *arg)
{
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_SYS_ADMIN;
	struct herr e = {0};

	/* Without no_new_privs and without CAP_SYS_ADMIN the kernel refuses
	 * the filter; the message must say why. */
	if (!c || cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) < 0 ||
	    cap_set_proc(c) < 0)
		return 50;
	if (rt_child_load_seccomp(arg, &e) != -1 || e.err != EACCES)
		return 1;
	if (!strstr(e.msg, "loading the seccomp filter: Permission denied") ||
	    !strstr(e.msg, "no_new_privs"))
		return 2;
	return 0;
}

static void test_misc(void)
{
	static char *flags[] = {"SECCOMP_FILTER_FLAG_LOG",
				"SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	static char *badflags[] = {"SECCOMP_FILTER_FLAG_BOGUS", NULL};
	static char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
				 "SCMP_ARCH_X32", "SCMP_ARCH_BOGUS", NULL};
	static struct rt_seccomp_rule notify = {
	    .names = n_getppid, .nnames = 1, .action = SCMP_ACT_NOTIFY};
	static struct rt_seccomp_arg badarg = {.index = 6, .op = SCMP_CMP_EQ};
	static struct rt_seccomp_rule bad = {.names = n_getppid,
					     .nnames = 1,
					     .action = ERRNO_ACT,
					     .args = &badarg,
					     .nargs = 1};
	struct rt_seccomp s = small;
	struct rt_bpf b, b1;
	struct herr e = {0};

	/* flags */
	s.flags = flags;
	s.nflags = 2;
	CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == 0);
	CHECK(b.flags ==
	      (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
	CHECK(exited0(in_child(child_small, &b)));
	rt_bpf_free(&b);
	s.flags = badflags;
	s.nflags = 1;
	CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == -1);
	CHECK_STR(e.msg, "seccomp: unknown flag 'SECCOMP_FILTER_FLAG_BOGUS'");
	CHECK(b.insns == NULL);

	/* architectures: more arches, more instructions; unknown warned */
	s = small;
	CHECK(rt_seccomp_compile(&s, NULL, &b1, &e) == 0);
	s.architectures = arches;
	s.narchitectures = 4;
	log_reset();
	CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == 0);
	CHECK(b.ninsns > b1.ninsns);
	CHECK(logged("architecture 'SCMP_ARCH_BOGUS' not known"));
	CHECK(exited0(in_child(child_small, &b)));
	rt_bpf_free(&b);
	rt_bpf_free(&b1);

	/* notify: the listener fd comes back, close-on-exec */
	s = (struct rt_seccomp){
	    .default_action = SCMP_ACT_ALLOW, .rules = &notify, .nrules = 1};
	CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == 0);
	CHECK(b.notify);
	CHECK(exited0(in_child(child_notify, &b)));
	rt_bpf_free(&b);

	/* a bad argument index is refused at compile time */
	s.rules = &bad;
	CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == -1);
	CHECK(strstr(e.msg, "bad argument (index 6") != NULL);

	/* no_new_privs or CAP_SYS_ADMIN is needed to load */
	CHECK(rt_seccomp_compile(&small, NULL, &b, &e) == 0);
	CHECK(exited0(in_child(child_no_nnp, &b)));
	rt_bpf_free(&b);
}

/* ---- the cache ---- */

static char cache_dir[64];

/* The single .bpf file for profile s in the cache dir (after a compile). */
static bool entry_path(char *out, size_t n, const char *skip)
{
	DIR *d = opendir(cache_dir);
	struct dirent *de;
	bool found = false;

	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".bpf") == 0 &&
		    (!skip || !strstr(skip, de->d_name))) {
			snprintf(out, n, "%s/%s", cache_dir, de->d_name);
			found = true;
		}
	}
	if (d)
		closedir(d);
	return found;
}

static bool same(const struct rt_bpf *a, const struct rt_bpf *b)
{
	return a->ninsns == b->ninsns && a->notify == b->notify &&
	       a->flags == b->flags &&
	       memcmp(a->insns, b->insns,
		      a->ninsns * sizeof(struct sock_filter)) == 0;
}

/* Compile with the cache; say whether it was a hit; check the program is
 * the reference one. */
static bool compile_cached(const struct rt_seccomp *s, const struct rt_bpf *ref,
			   bool *hit)
{
	struct rt_bpf b;
	struct herr e = {0};
	bool ok;

	log_reset();
	if (rt_seccomp_compile(s, cache_dir, &b, &e) < 0) {
		fprintf(stderr, "  compile: %s\n", e.msg);
		return false;
	}
	*hit = logged("seccomp: cache hit ");
	ok = same(&b, ref);
	rt_bpf_free(&b);
	return ok;
}

static void flip_last_byte(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	struct stat st;
	unsigned char c;

	if (fd < 0 || fstat(fd, &st) < 0 ||
	    pread(fd, &c, 1, st.st_size - 1) != 1) {
		CHECK(!"flip");
		return;
	}
	c ^= 0x01;
	CHECK(pwrite(fd, &c, 1, st.st_size - 1) == 1);
	close(fd);
}

static void test_cache(void)
{
	struct rt_bpf ref, ref2;
	struct herr e = {0};
	struct rt_seccomp other = small;
	char path[512], path2[512], link[600];
	struct stat st;
	bool hit;

	snprintf(cache_dir, sizeof(cache_dir), "/tmp/husk-test-seccomp-XXXXXX");
	CHECK(mkdtemp(cache_dir) != NULL);
	CHECK(rt_seccomp_compile(&small, NULL, &ref, &e) == 0);

	/* miss, then hit, same program */
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("seccomp: cache miss "));
	CHECK(entry_path(path, sizeof(path), NULL));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 &&
	      st.st_uid == geteuid());
	CHECK(st.st_size == 80 + (off_t)(ref.ninsns * 8));
	CHECK(compile_cached(&small, &ref, &hit) && hit);

	/* a different profile is a different entry */
	other.default_action = SCMP_ACT_LOG;
	CHECK(rt_seccomp_compile(&other, NULL, &ref2, &e) == 0);
	CHECK(compile_cached(&other, &ref2, &hit) && !hit);
	CHECK(entry_path(path2, sizeof(path2), path));
	CHECK(strcmp(path, path2) != 0);
	CHECK(compile_cached(&other, &ref2, &hit) && hit);

	/* tampered instructions: rejected, recompiled, rewritten */
	flip_last_byte(path);
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("do not match their digest"));
	CHECK(compile_cached(&small, &ref, &hit) && hit);

	/* group-writable file */
	CHECK(chmod(path, 0620) == 0);
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("writable by group or others"));
	CHECK(compile_cached(&small, &ref, &hit) && hit);

	/* someone else's file */
	CHECK(chown(path, 1, 1) == 0);
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("not owned by our euid"));
	CHECK(stat(path, &st) == 0 && st.st_uid == geteuid());
	CHECK(compile_cached(&small, &ref, &hit) && hit);

	/* another profile's valid entry under this profile's name */
	CHECK(rename(path2, path) == 0);
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("key mismatch"));

	/* a symlink to a valid entry is not followed */
	snprintf(link, sizeof(link), "%s.real", path);
	CHECK(rename(path, link) == 0);
	CHECK(symlink(link, path) == 0);
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("ignored"));
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(link);

	/* a group-writable cache dir is not used at all */
	CHECK(chmod(cache_dir, 0770) == 0);
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("not used"));
	CHECK(!logged("cache miss"));
	CHECK(chmod(cache_dir, 0700) == 0);
	CHECK(compile_cached(&small, &ref, &hit) && hit);

	/* truncated file */
	CHECK(truncate(path, 80 + 8) == 0);
	CHECK(compile_cached(&small, &ref, &hit) && !hit);
	CHECK(logged("bad header"));

	rt_bpf_free(&ref);
	rt_bpf_free(&ref2);
}

/* ---- timing on a Docker-sized profile ---- */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int child_big(void *arg)
{
	if (load(arg, true) < 0)
		return 100;
	errno = 0;
	/* getppid is not on the allow list */
	if (!(syscall(SYS_getppid) == -1 && errno == EPERM))
		return 1;
	return syscall(SYS_getpid) == getpid() ? 0 : 2;
}

static void test_big(void)
{
	static char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
				 "SCMP_ARCH_X32", NULL};
	char **names = xcalloc(512, sizeof(char *));
	struct rt_seccomp_rule rules[2] = {0};
	struct rt_seccomp s = {.default_action = ERRNO_ACT,
			       .architectures = arches,
			       .narchitectures = 3,
			       .rules = rules,
			       .nrules = 2};
	struct rt_bpf b, c;
	struct herr e = {0};
	size_t n = 0;
	double t0, t_compile, t_hit;
	const int reps = 20;

	for (int nr = 0; nr < 450 && n < 300; nr++) {
		char *name =
		    seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (!name)
			continue;
		if (strcmp(name, "getppid") == 0 ||
		    strcmp(name, "personality") == 0) {
			free(name);
			continue;
		}
		names[n++] = name;
	}
	rules[0] = (struct rt_seccomp_rule){
	    .names = names, .nnames = n, .action = SCMP_ACT_ALLOW};
	rules[1] = (struct rt_seccomp_rule){.names = n_personality,
					    .nnames = 1,
					    .action = SCMP_ACT_ALLOW,
					    .args = &a_pers,
					    .nargs = 1};
	base_debug_on = false;
	t0 = now_us();
	for (int i = 0; i < reps; i++) {
		CHECK(rt_seccomp_compile(&s, NULL, &b, &e) == 0);
		if (i < reps - 1)
			rt_bpf_free(&b);
	}
	t_compile = (now_us() - t0) / reps;
	CHECK(rt_seccomp_compile(&s, cache_dir, &c, &e) == 0); /* fill */
	rt_bpf_free(&c);
	t0 = now_us();
	for (int i = 0; i < reps * 10; i++) {
		CHECK(rt_seccomp_compile(&s, cache_dir, &c, &e) == 0);
		if (i < reps * 10 - 1)
			rt_bpf_free(&c);
	}
	t_hit = (now_us() - t0) / (reps * 10);
	base_debug_on = true;
	CHECK(same(&b, &c));
	printf("seccomp: %zu syscalls x 3 arches -> %zu instructions: "
	       "compile %.0f us, cache hit %.0f us\n",
	       n, b.ninsns, t_compile, t_hit);
	CHECK(t_hit < t_compile);
	CHECK(exited0(in_child(child_big, &c)));
	rt_bpf_free(&b);
	rt_bpf_free(&c);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void rm_cache_dir(void)
{
	DIR *d = opendir(cache_dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' || strlen(de->d_name) > 2)
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(cache_dir);
}

int main(void)
{
	base_debug_on = true;
	base_warn_hook = capture;
	test_sha256();
	test_small();
	test_kill();
	test_allowlist();
	test_misc();
	test_cache();
	test_big();
	rm_cache_dir();
	return unit_done("test_seccomp");
}
