/* base: errors, narration, allocation and file helpers (see base.h). */
#include "base.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

bool base_debug_on;
void (*base_warn_hook)(const char *msg);

static void vset(struct herr *e, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int herr_set(struct herr *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	e->err = errnum;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

int herr_sys(struct herr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	e->err = errnum;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	return -1;
}

int herr_wrap(struct herr *e, const char *fmt, ...)
{
	char old[HERR_MSG_MAX];
	va_list ap;
	size_t n;

	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", old);
	return -1;
}

int herr_hint(struct herr *e, const char *fmt, ...)
{
	size_t n = strlen(e->msg);
	va_list ap;

	if (n + 3 >= sizeof(e->msg))
		return -1;
	memcpy(e->msg + n, " (", 2);
	n += 2;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - n, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n + 1 < sizeof(e->msg)) {
		e->msg[n] = ')';
		e->msg[n + 1] = '\0';
	}
	return -1;
}

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	int n;

	n = snprintf(buf, sizeof(buf), "husk: %s", prefix);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (base_warn_hook) {
		base_warn_hook(buf);
		return;
	}
	n = strlen(buf);
	if ((size_t)n < sizeof(buf) - 1) {
		buf[n++] = '\n';
		buf[n] = '\0';
	}
	/* One write(2) per line so narration from parent and child interleaves
	 * by whole lines. */
	(void)base_write_all(STDERR_FILENO, buf, n);
}

void base_debug(const char *fmt, ...)
{
	va_list ap;

	if (!base_debug_on)
		return;
	va_start(ap, fmt);
	emit("+ ", fmt, ap);
	va_end(ap);
}

void base_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void base_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

static void *oom(void)
{
	static const char m[] = "husk: out of memory\n";

	(void)!write(STDERR_FILENO, m, sizeof(m) - 1);
	_exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom();
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	return p ? p : oom();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : oom();
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	return r < 0 ? oom() : p;
}

int base_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

ssize_t base_read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

int base_write_file_at(int dirfd, const char *path, const char *s)
{
	_cleanup_fd_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	/* A cgroup or /proc file takes the value in one write(2). */
	for (;;) {
		ssize_t w = write(fd, s, strlen(s));

		if (w < 0 && errno == EINTR)
			continue;
		return w < 0 ? -1 : 0;
	}
}

char *base_read_file_at(int dirfd, const char *path, size_t *len)
{
	_cleanup_fd_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? NULL : base_read_fd(fd, len);
}

char *base_read_fd(int fd, size_t *len)
{
	size_t cap = 4096, got = 0;
	char *buf;

	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (got + 1 >= cap) {
			if (cap >= (1u << 20)) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + got, cap - got - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		got += r;
	}
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

int base_write_file_atomic(const char *dir, const char *name, const void *buf,
			   size_t n, mode_t mode)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	_cleanup_fd_ int fd = -1;

	snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, name, (int)getpid());
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	fd =
	    openat(AT_FDCWD, tmp,
		   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	if (base_write_all(fd, buf, n) < 0 || rename(tmp, dst) < 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

int base_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* RTMIN and RTMAX as runc, crun and kill(1) on glibc number them: 34 and
 * 64.  Not libc's SIGRTMIN, which depends on how many real-time signals
 * the libc keeps for itself (glibc 2, musl 3): `husk kill ID RTMIN+1`
 * must send the signal `runc kill ID RTMIN+1` sends. */
#define HUSK_SIGRTMIN 34
#define HUSK_SIGRTMAX 64

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },	   { "INT", SIGINT },	  { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },	   { "TRAP", SIGTRAP },	  { "ABRT", SIGABRT },
	{ "IOT", SIGIOT },	   { "BUS", SIGBUS },	  { "FPE", SIGFPE },
	{ "KILL", SIGKILL },	   { "USR1", SIGUSR1 },	  { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },	   { "PIPE", SIGPIPE },	  { "ALRM", SIGALRM },
	{ "TERM", SIGTERM },	   { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT },	   { "STOP", SIGSTOP },	  { "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN },	   { "TTOU", SIGTTOU },	  { "URG", SIGURG },
	{ "XCPU", SIGXCPU },	   { "XFSZ", SIGXFSZ },	  { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },	   { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL },	   { "PWR", SIGPWR },	  { "SYS", SIGSYS },
};

int base_signal_parse(const char *s)
{
	uint32_t n;

	if (base_parse_u32(s, &n) == 0)
		return (n >= 1 && n < (uint32_t)_NSIG) ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		int64_t off = 0;
		bool min = strncasecmp(s, "RTMIN", 5) == 0;
		int sig;

		if (s[5] && (s[5] != (min ? '+' : '-') ||
			     base_parse_i64(s + 6, &off) < 0))
			return -1;
		sig = min ? HUSK_SIGRTMIN + (int)off : HUSK_SIGRTMAX - (int)off;
		return (sig >= HUSK_SIGRTMIN && sig <= HUSK_SIGRTMAX) ? sig : -1;
	}
	return -1;
}

const char *base_signal_name(int sig)
{
	static char buf[16];

	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (signals[i].sig == sig) {
			snprintf(buf, sizeof(buf), "SIG%s", signals[i].name);
			return buf;
		}
	return NULL;
}

int base_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 0;
}

int base_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

void base_now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char tmp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", tmp, ts.tv_nsec);
}

void base_mountinfo_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] &&
		    s[3]) {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Whether the comma-separated opts hold the token tok[0..n) exactly. */
static bool opts_have(const char *opts, const char *tok, size_t n)
{
	for (const char *o = opts; *o;) {
		size_t m = strcspn(o, ",");

		if (m == n && memcmp(o, tok, n) == 0)
			return true;
		o += m + (o[m] == ',');
	}
	return false;
}

bool base_opts_have_all(const char *opts, const char *list)
{
	/* No allocation, no printf: the cgroup code calls this for every
	 * hierarchy and controller, on every run. */
	for (const char *k = list; *k;) {
		size_t n = strcspn(k, ",");

		if (n && !opts_have(opts, k, n))
			return false;
		k += n + (k[n] == ',');
	}
	return true;
}
