/*
 * self: keep the husk binary and husk's own processes out of a container's
 * reach (see runtime.h, rt_protect_self, and process.h, rt_guard_self).
 *
 * Between clone and execve, the container's init and every `husk exec`
 * child are husk: /proc/PID/exe is husk's binary, /proc/PID/fd holds host
 * fds (the state directory, cgroup directories, whatever our caller leaked
 * to us), /proc/PID/mem is husk's memory.  A process in the container can
 * see them as soon as they join its pid namespace.  Two attacks follow:
 *
 * CVE-2016-9962: the container opens /proc/PID/fd/N of husk's child (same
 * uid, so ptrace access is granted to a dumpable process) and walks out
 * through a host directory fd.  Defence: husk is non-dumpable
 * (PR_SET_DUMPABLE 0) from the start of run/create/exec, and the clone
 * inherits that, so /proc/PID/{exe,fd,cwd,root,mem,environ} and ptrace
 * need CAP_SYS_PTRACE in the user namespace husk was started in -- which
 * no unprivileged container has.  execve() of the payload makes it
 * dumpable again, as it should be.
 *
 * CVE-2019-5736: the payload itself becomes husk.  A container image whose
 * /bin/sh is "#!/proc/self/exe" makes the kernel, while husk's child
 * execs /bin/sh, run the interpreter /proc/self/exe -- husk's binary --
 * as a dumpable payload inside the container.  The container opens its
 * /proc/PID/exe (O_PATH), waits for every husk to exit (ETXTBSY until
 * then), and reopens it through /proc/self/fd/N for writing: the next time
 * root runs husk, it runs the attacker's code.  Dumpability cannot help
 * here.  Defence: the process that execs the payload must not be running a
 * writable copy of husk.  Three ways, cheapest first:
 *
 *  - husk runs from a read-only mount: a write through the magic link is
 *    then EROFS, whatever the mode bits say.  Nothing to do.
 *  - The shim (shim/shim.c): husk's child does all the setup, then execs a
 *    1.6 KB program without libc from a sealed memfd, which loads the
 *    seccomp filter and execs the payload.  "#!/proc/self/exe" then finds
 *    the shim, sealed and useless; husk's binary is only ever the exe of
 *    husk's own non-dumpable processes (CVE-2016-9962 above).  Costs a
 *    memfd of 1.6 KB and one small execve: 0.1-0.3 ms here.
 *  - A sealed memfd copy of all of husk, re-executed before anything is
 *    created: /proc/PID/exe then names a private, anonymous file that
 *    F_SEAL_WRITE makes immutable.  Costs a copy of the whole binary and
 *    one more execve of it: about 3 ms here for the 1.3 MB glibc build,
 *    less for the 440 KB musl one (runc's 60% came from copying a 10 MB Go
 *    binary).  Needed when non-dumpable is not enough or the
 *    shim cannot be last (rt_guard_needs_copy): a container that keeps
 *    CAP_SYS_PTRACE over husk's user namespace may open /proc/PID/exe of a
 *    non-dumpable husk; `--init` keeps husk as the container's PID 1; a
 *    filter loaded without no_new_privs must come before the capabilities
 *    go, so the shim could not load it; a filter with a listener hands its
 *    fd back through husk.
 *
 * A read-only mount is trusted as crun trusts it: a host administrator who
 * later remounts it read-write while a container holds a handle to the
 * binary would reopen the hole.
 */
#include "runtime.h"
#include "process.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010 /* Linux 5.1 */
#endif
#define HUSK_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW)

extern char **environ;

/* Running from our own sealed copy already (after the re-exec)?  Either
 * write seal will do: see seal_copy. */
static bool is_sealed_copy(int exe)
{
	int seals = fcntl(exe, F_GET_SEALS);

	return seals >= 0 && (seals & HUSK_SEALS) == HUSK_SEALS &&
	       (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE));
}

/*
 * F_SEAL_WRITE waits for every page of the file to have no reference but
 * the page cache's, and gives up with EBUSY after about 150 ms: under
 * memory pressure (reclaim or compaction holding a page just written) it
 * did, once in a CI run.  Nothing else holds our copy -- it is ours alone,
 * close-on-exec and never mapped -- so F_SEAL_FUTURE_WRITE, which refuses
 * every write and writable mapping from now on without that wait, protects
 * it the same.  F_SEAL_WRITE first, for kernels before 5.1.
 */
static int seal_copy(int mfd)
{
	if (fcntl(mfd, F_ADD_SEALS, HUSK_SEALS | F_SEAL_WRITE) == 0)
		return 0;
	if (errno != EBUSY)
		return -1;
	base_debug("F_SEAL_WRITE: busy; sealing with F_SEAL_FUTURE_WRITE");
	return fcntl(mfd, F_ADD_SEALS, HUSK_SEALS | F_SEAL_FUTURE_WRITE);
}

static bool on_readonly_mount(int exe)
{
	struct statvfs sv;

	return fstatvfs(exe, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/*
 * How much of the binary execve() reads: its ELF and program headers and
 * every PT_LOAD segment.  What follows (section headers, symbols, debug
 * information: half of a -g build) is never mapped, and the copy is made
 * on every container start, so it is left out.  The dynamic loader, too,
 * works from the mapped headers only.  Anything unexpected: the whole file.
 */
static off_t loaded_size(int exe, off_t file_size)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph[64];
	off_t end;

#ifdef __SANITIZE_ADDRESS__
	/* The sanitizers symbolize their reports from /proc/self/exe. */
	return file_size;
#endif
	if (pread(exe, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 ||
	    eh.e_phnum > 64)
		return file_size;
	if (pread(exe, ph, eh.e_phnum * sizeof(ph[0]), (off_t)eh.e_phoff) !=
	    (ssize_t)(eh.e_phnum * sizeof(ph[0])))
		return file_size;
	end = (off_t)(eh.e_phoff + eh.e_phnum * sizeof(ph[0]));
	for (size_t i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD &&
		    (off_t)(ph[i].p_offset + ph[i].p_filesz) > end)
			end = (off_t)(ph[i].p_offset + ph[i].p_filesz);
	return end < file_size ? end : file_size;
}

/* A sealed, close-on-exec memfd holding a copy of the binary exe (of the
 * part of it that execve() loads). */
static int sealed_copy(int exe, struct herr *e)
{
	_cleanup_fd_ int mfd = -1;
	struct stat st;
	off_t done = 0, size;

	if (fstat(exe, &st) < 0)
		return herr_sys(e, errno, "stat '/proc/self/exe'");
	size = loaded_size(exe, st.st_size);
	mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return herr_sys(e, errno, "memfd_create");
	base_debug("copying %lld of the %lld bytes of husk's binary (what "
		   "execve loads) into a sealed memfd",
		   (long long)size, (long long)st.st_size);
	while (done < size) {
		ssize_t n = sendfile(mfd, exe, &done, (size_t)(size - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return herr_sys(e, n < 0 ? errno : EIO,
					"copying husk's binary into a memfd");
	}
	if (seal_copy(mfd) < 0)
		return herr_sys(e, errno, "sealing the memfd copy of husk");
	return take_fd(&mfd);
}

/* Set by rt_protect_self: main's argv for the re-exec, and whether this
 * process's binary is already out of the container's reach. */
static char **self_argv;
static bool self_safe;

int rt_protect_self(char **argv, struct herr *e)
{
	_cleanup_fd_ int exe = -1;

	self_argv = argv;
	exe = openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return herr_sys(e, errno, "opening '/proc/self/exe'");
	if (is_sealed_copy(exe)) {
		base_debug("running from a sealed memfd copy of husk");
		/* ps would say "memfd:husk": be called husk again. */
		prctl(PR_SET_NAME, "husk", 0, 0, 0);
		self_safe = true;
	} else if (on_readonly_mount(exe)) {
		base_debug("husk's binary is on a read-only mount: no copy "
			   "needed (CVE-2019-5736)");
		self_safe = true;
	}
	/* Inherited by the clone that becomes the init or the exec'd
	 * process; reset by the kernel when it execs the payload. */
	base_debug("prctl(PR_SET_DUMPABLE, 0)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return herr_sys(e, errno, "prctl(PR_SET_DUMPABLE, 0)");
	return 0;
}

/* The shim (shim/shim.c), linked in by shim/blob.S; empty where the
 * architecture has none. */
extern const unsigned char husk_shim[], husk_shim_end[];

bool rt_guard_needs_copy(const struct rt_process *p, bool new_userns,
			 const struct rt_seccomp *sc, bool init)
{
	/* No capabilities object: none at all (rt_child_set_caps). */
	uint64_t bounding = p->caps.present ? p->caps.bounding : 0;

	/* PID 1 stays husk for the container's lifetime. */
	if (init)
		return true;
	/* The shim loads the filter right before the payload's execve, so
	 * it must be the last thing loaded and need no privilege: with
	 * no_new_privs, and without a listener fd to hand over. */
	if (sc && (!p->no_new_privileges || sc->listener_path))
		return true;
	/* Non-dumpable keeps a container away from the husk child's
	 * /proc/PID/exe between clone and exec -- unless it holds
	 * CAP_SYS_PTRACE over husk's user namespace, which a container
	 * without a user namespace of its own may be given. */
	return !new_userns && (bounding & (1ULL << CAP_SYS_PTRACE));
}

int rt_guard_self(bool needs_copy, int *shimfd, struct herr *e)
{
	_cleanup_fd_ int exe = -1, mfd = -1;
	size_t size = (size_t)(husk_shim_end - husk_shim);

	*shimfd = -1;
	if (self_safe)
		return 0; /* the payload is exec'd directly */
	if (!self_argv)
		return herr_set(e, EINVAL, "rt_guard_self without "
					   "rt_protect_self");
	if (!needs_copy && size > 0) {
		mfd = memfd_create("husk-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (mfd < 0)
			return herr_sys(e, errno, "memfd_create");
		if (base_write_all(mfd, husk_shim, size) < 0 ||
		    seal_copy(mfd) < 0)
			return herr_sys(e, errno, "sealing the shim's memfd");
		base_debug("the payload is exec'd by a %zu-byte shim from a "
			   "sealed memfd, not by husk's binary "
			   "(CVE-2019-5736)",
			   size);
		*shimfd = take_fd(&mfd);
		return 0;
	}
	exe = openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return herr_sys(e, errno, "opening '/proc/self/exe'");
	mfd = sealed_copy(exe, e);
	if (mfd < 0)
		return -1;
	base_debug("re-exec from a sealed memfd copy of husk "
		   "(CVE-2019-5736): %s",
		   size ? "the shim is not enough for this process"
			: "no shim for this architecture");
	syscall(SYS_execveat, mfd, "", self_argv, environ, AT_EMPTY_PATH);
	return herr_sys(e, errno, "re-executing husk from a memfd");
}

int rt_child_exec_shim(int shimfd, int syncfd, const struct rt_bpf *bpf,
		       const struct rt_process *p, const char *path,
		       struct herr *e)
{
	static char *const no_env[] = { NULL };
	char num[3][24];
	_cleanup_free_ char **argv = xcalloc(p->nargs + 6, sizeof(char *));
	_cleanup_fd_ int bpf_rd = -1;
	/* As rt_child_load_seccomp without a listener. */
	unsigned long flags =
	    bpf ? bpf->flags & ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV : 0;

	if (bpf) {
		size_t len = bpf->ninsns * sizeof(struct sock_filter);

		/* A memfd, not a pipe: a user over its pipe quota gets one
		 * page of buffer, and the filter can be 32 KiB. */
		bpf_rd = memfd_create("husk-bpf", 0);
		if (bpf_rd < 0 || base_write_all(bpf_rd, bpf->insns, len) < 0 ||
		    lseek(bpf_rd, 0, SEEK_SET) < 0)
			return herr_sys(e, errno, "passing the seccomp filter "
					"to the shim");
	}
	/* The shim makes it close-on-exec again before the payload's exec. */
	if (fcntl(syncfd, F_SETFD, 0) < 0)
		return herr_sys(e, errno, "fcntl");
	snprintf(num[0], sizeof(num[0]), "%d", syncfd);
	snprintf(num[1], sizeof(num[1]), "%d", bpf ? bpf_rd : -1);
	snprintf(num[2], sizeof(num[2]), "%lu", flags);
	argv[0] = "husk-shim";
	argv[1] = num[0];
	argv[2] = num[1];
	argv[3] = num[2];
	argv[4] = (char *)path;
	for (size_t i = 0; i < p->nargs; i++)
		argv[5 + i] = p->args[i];
	/* The shim cannot narrate: what it will do is told here. */
	base_debug("execveat(the shim's sealed memfd): the shim does the "
		   "next step%s",
		   bpf ? "s" : "");
	if (bpf)
		base_debug("seccomp(SECCOMP_SET_MODE_FILTER, flags 0x%lx, %zu "
			   "instructions)",
			   flags, bpf->ninsns);
	base_debug("execve '%s' (%zu args, %zu env)", path, p->nargs,
		   p->nenv);
	syscall(SYS_execveat, shimfd, "", argv, p->env ? p->env : no_env,
		AT_EMPTY_PATH);
	return herr_sys(e, errno, "exec of husk's shim");
}
