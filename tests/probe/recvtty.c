/*
 * recvtty: the other end of --console-socket, for the terminal tests.
 *
 *   recvtty [--size ROWSxCOLS] [--input TEXT] SOCKET
 *
 * Listens on the AF_UNIX stream socket SOCKET (created here; it must not
 * exist), accepts exactly one connection and reads it to the end, counting
 * what arrived the way an engine would see it.  Then it reports, one fact a
 * line:
 *
 *   fds=N           file descriptors received in all (SCM_RIGHTS)
 *   fd_messages=N   how many recvmsg calls carried descriptors
 *   truncated=yes   the kernel dropped descriptors (MSG_CTRUNC)
 *   master=yes|no   the (single) fd is a pty master: TIOCGPTN works
 *   fstype=devpts   the file system the master lives on (or "other")
 *   fsdev=MAJ:MIN   that devpts instance's device
 *   ---             the pty's output follows
 *
 * With exactly one fd that is a pty master, it sets the window size
 * (--size), writes TEXT to the master (--input; "\n" and "\r" are
 * understood), prints "---", and copies the master's output to stdout until
 * every slave is closed (read gives EIO).  Exit 0 after a good transfer, 3
 * when the transfer was not exactly one pty master fd, 2 on usage or system
 * errors.
 *
 * A host-side tool (never inside a container), built by the Makefile.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define DEVPTS_MAGIC 0x1cd1
#define MAX_FDS	     16

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(2);
}

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: recvtty [--size ROWSxCOLS] [--input TEXT] "
			"SOCKET\n");
	exit(2);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

/* TEXT with the escapes \n, \r and \\ turned into their bytes. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			out[n++] = *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
		} else {
			out[n++] = *s;
		}
	}
	return n;
}

/* Accept one connection on path and read it to EOF.  Returns the first fd
 * received (the others are closed) and counts them all. */
static int receive(const char *path, int *nfds, int *nmsgs, int *truncated)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ls, s, first = -1;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(sa.sun_path, path);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket");
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(ls, 1) < 0)
		die("listen");
	do
		s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	while (s < 0 && errno == EINTR);
	if (s < 0)
		die("accept");
	close(ls);
	for (;;) {
		union {
			char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
			struct cmsghdr align;
		} u;
		char data[256];
		struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = u.buf,
				    .msg_controllen = sizeof(u.buf)};
		ssize_t r = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
		int got = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("recvmsg");
		if (mh.msg_flags & MSG_CTRUNC)
			*truncated = 1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < n; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				       sizeof(int));
				if (first < 0)
					first = fd;
				else
					close(fd);
				got++;
			}
		}
		if (got) {
			*nfds += got;
			(*nmsgs)++;
		}
		if (r == 0)
			break;
	}
	close(s);
	unlink(path);
	return first;
}

int main(int argc, char **argv)
{
	const char *input = NULL, *size = NULL, *path = NULL;
	int nfds = 0, nmsgs = 0, truncated = 0, ptn, fd;
	struct statfs sfs;
	struct stat st;
	int ok;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--input") && i + 1 < argc)
			input = argv[++i];
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			size = argv[++i];
		else if (argv[i][0] == '-' || path)
			usage();
		else
			path = argv[i];
	}
	if (!path)
		usage();
	setvbuf(stdout, NULL, _IONBF, 0);
	fd = receive(path, &nfds, &nmsgs, &truncated);
	printf("fds=%d\nfd_messages=%d\n", nfds, nmsgs);
	if (truncated)
		printf("truncated=yes\n");
	ok = nfds == 1 && nmsgs == 1 && !truncated;
	if (fd < 0)
		return 3;
	ok = ok && ioctl(fd, TIOCGPTN, &ptn) == 0;
	printf("master=%s\n", ok ? "yes" : "no");
	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		die("fstat on the received fd");
	printf("fstype=%s\n",
	       (unsigned long)sfs.f_type == DEVPTS_MAGIC ? "devpts" : "other");
	printf("fsdev=%u:%u\n", major(st.st_dev), minor(st.st_dev));
	if (!ok)
		return 3;
	if (size) {
		struct winsize ws = {0};
		unsigned rows, cols;
		if (sscanf(size, "%ux%u", &rows, &cols) != 2)
			usage();
		ws.ws_row = (unsigned short)rows;
		ws.ws_col = (unsigned short)cols;
		if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
			die("TIOCSWINSZ");
	}
	printf("---\n");
	if (input) {
		char *buf = malloc(strlen(input) + 1);
		if (!buf)
			die("malloc");
		write_all(fd, buf, unescape(input, buf));
		free(buf);
	}
	for (;;) {
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* EIO: no slave is open any more */
			break;
		write_all(STDOUT_FILENO, buf, (size_t)n);
	}
	return 0;
}
