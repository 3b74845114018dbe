/* sync: the parent <-> child channel across clone (see sync.h). */
#include "sync.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static int send_fd_msg(int sock, const void *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		ssize_t r = sendmsg(sock, &mh, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -1 : 0;
	}
}

int sync_send(int sock, int type, int code, const struct herr *err, int fd)
{
	struct sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.code = code;
	if (err)
		m.err = *err;
	return send_fd_msg(sock, &m, sizeof(m), fd);
}

int sync_recv(int sock, struct sync_msg *m, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t r;

	if (fd)
		*fd = -1;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return (int)r;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd)
				*fd = got;
			else
				close(got);
		}
	if ((size_t)r != sizeof(*m)) {
		errno = EPROTO;
		return -1;
	}
	m->err.msg[sizeof(m->err.msg) - 1] = '\0';
	if (m->type & SYNC_RAW) {
		char what[sizeof(m->err.msg)], hint[sizeof(m->err.msg)];
		size_t n = strlen(m->err.msg);

		memcpy(what, m->err.msg, n + 1);
		hint[0] = '\0';
		if (n + 1 < sizeof(m->err.msg))
			memcpy(hint, m->err.msg + n + 1,
			       strnlen(m->err.msg + n + 1,
				       sizeof(m->err.msg) - n - 2) +
				   1);
		herr_sys(&m->err, m->err.err, "%s", what);
		if (hint[0])
			herr_hint(&m->err, "%s", hint);
		m->type &= ~SYNC_RAW;
	}
	return 1;
}

int sync_send_console(const char *path, int fd, struct herr *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_fd_ int s = -1;
	static const char name[] = "/dev/ptmx";

	if (strlen(path) >= sizeof(sa.sun_path))
		return herr_set(e, ENAMETOOLONG,
				"--console-socket: path '%s' is too long", path);
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return herr_sys(e, errno, "--console-socket: socket");
	base_debug("connect console socket '%s'", path);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return herr_sys(e, errno, "--console-socket: connecting to '%s'",
				path);
	base_debug("sendmsg pty master fd %d over '%s' (SCM_RIGHTS)", fd, path);
	if (send_fd_msg(s, name, sizeof(name) - 1, fd) < 0)
		return herr_sys(e, errno, "--console-socket: sending to '%s'",
				path);
	return 0;
}
