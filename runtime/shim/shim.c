/*
 * shim: the last step of a container's process, and all it does.
 *
 *   husk-shim SYNCFD BPFFD FLAGS PATH ARGV0 ARGS...      (envp: the payload's)
 *
 * husk's child sets up everything, then execs this tiny program from a
 * sealed memfd instead of exec'ing the payload itself; the shim loads the
 * seccomp filter (read from BPFFD, -1 for none) and execs PATH.  Why: the
 * process that execs the payload must not be running husk's own binary
 * from the host (CVE-2019-5736, see self.c).  The alternative, a sealed
 * copy of all of husk re-executed on every start, costs a copy and an exec
 * of the binary, about 3 ms here for the 1.3 MB glibc build; this program
 * is under 2 KB, without libc, and its exec costs a fraction of that.
 *
 * SYNCFD is the child's end of the sync socket: it is made close-on-exec
 * here, so its EOF still tells husk that the payload's execve succeeded,
 * and a failed execve is reported through it as husk's child would.
 *
 * Built freestanding (no libc, no startup code): x86_64 and aarch64.  On
 * other architectures the Makefile embeds an empty shim and husk always
 * re-executes a sealed copy of itself.
 */
#include "../sync.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call shim_main\n"
	"	hlt\n");
#elif defined(__aarch64__)
static long sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2)
			 : "memory");
	return x0;
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x0, sp\n"
	"	bl shim_main\n"
	"	brk #0\n");
#else
#error "no shim for this architecture"
#endif

/* The compiler may emit calls to these for struct copies and zeroing. */
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

void *memset(void *d, int c, unsigned long n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static __attribute__((noreturn)) void die(long code)
{
	for (;;)
		sys3(SYS_exit_group, code, 0, 0);
}

static long num(const char *s)
{
	long v = 0, sign = 1;

	if (*s == '-') {
		sign = -1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v * sign;
}

static void append(struct herr *e, const char *s)
{
	unsigned long n = 0;

	while (e->msg[n])
		n++;
	while (*s && n + 1 < sizeof(e->msg))
		e->msg[n++] = *s++;
	e->msg[n] = '\0';
}

/* Report as husk's child would (SYNC_ERROR or SYNC_EXEC_FAILED, or'ed
 * with SYNC_RAW: husk's side adds strerror's words and the hint, see
 * sync.h) and exit with code. */
static __attribute__((noreturn)) void fail(long sync, int type, int code,
					   int err, const char *what,
					   const char *path, const char *hint)
{
	static struct sync_msg m;
	unsigned long n;

	m.type = type | SYNC_RAW;
	m.code = code;
	m.err.err = err;
	append(&m.err, what);
	if (path) {
		append(&m.err, " '");
		append(&m.err, path);
		append(&m.err, "'");
	}
	for (n = 0; m.err.msg[n]; n++)
		;
	/* The hint after the message's NUL, if it fits whole. */
	for (const char *h = hint; h && n + 2 < sizeof(m.err.msg); h++) {
		m.err.msg[++n] = *h;
		if (!*h)
			break;
	}
	m.err.msg[sizeof(m.err.msg) - 1] = '\0';
	sys3(SYS_write, sync, (long)&m, sizeof(m));
	die(code);
}

static struct sock_filter prog[BPF_MAXINSNS];

__attribute__((used, noreturn)) void shim_main(long *sp);
__attribute__((used, noreturn)) void shim_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	long sync, bpf, r;
	unsigned long got = 0;

	if (argc < 6)
		die(255);
	sync = num(argv[1]);
	bpf = num(argv[2]);
	/* Closed by the payload's execve, as husk's child had it. */
	if (sys3(SYS_fcntl, sync, F_SETFD, FD_CLOEXEC) < 0)
		die(255);
	if (bpf >= 0) {
		struct sock_fprog fp = { .filter = prog };

		while (got < sizeof(prog)) {
			r = sys3(SYS_read, bpf, (long)((char *)prog + got),
				 (long)(sizeof(prog) - got));
			if (r == -EINTR)
				continue;
			if (r <= 0)
				break;
			got += (unsigned long)r;
		}
		sys3(SYS_close, bpf, 0, 0);
		if (got == 0 || got % sizeof(prog[0]))
			fail(sync, SYNC_ERROR, 1, EINVAL,
			     "seccomp: no valid compiled filter to load", 0, 0);
		fp.len = (unsigned short)(got / sizeof(prog[0]));
		r = sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, num(argv[3]),
			 (long)&fp);
		if (r < 0)
			fail(sync, SYNC_ERROR, 1, (int)-r,
			     "loading the seccomp filter", 0, 0);
	}
	r = sys3(SYS_execve, (long)argv[4], (long)(argv + 5), (long)envp);
	/* The same words as rt_child_exec (process.c). */
	fail(sync, SYNC_EXEC_FAILED, r == -EACCES ? 126 : 127, (int)-r, "exec",
	     argv[4],
	     r == -ENOEXEC  ? SYNC_HINT_ENOEXEC
	     : r == -ENOENT ? SYNC_HINT_NO_INTERPRETER
			    : 0);
}
