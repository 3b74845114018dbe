/*
 * sync: the parent <-> child channel across clone.
 *
 * A SOCK_SEQPACKET socketpair, so each message arrives whole.  Messages are
 * fixed-size structs carrying a struct herr, so an error made in the child
 * after clone crosses to the parent byte for byte and is printed there.
 * The child's end is close-on-exec: the parent reading EOF after READY
 * means the payload's execve() succeeded.
 */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include "../base/base.h"

enum sync_type {
	SYNC_GO = 1,      /* parent → child: id maps written, go on */
	SYNC_PTY,         /* child → parent: the pty master rides along */
	SYNC_HOOKS,       /* child → parent: mounted, run createRuntime */
	SYNC_READY,       /* child → parent: set up, about to wait or exec */
	SYNC_ERROR,       /* child → parent: setup failed, err says why */
	SYNC_EXEC_FAILED, /* child → parent: execve failed, code = 126/127 */
	/* Or'ed into SYNC_ERROR or SYNC_EXEC_FAILED by a sender without libc
	 * (the shim): err.msg holds what failed, then after its NUL an
	 * optional hint; sync_recv writes the message as herr_sys and
	 * herr_hint would, and clears the flag. */
	SYNC_RAW = 0x100,
};

/* Hints for an execve that failed, shared by husk's child (process.c) and
 * the shim, which reports the payload's execve. */
#define SYNC_HINT_ENOEXEC                                                      \
	"not a binary for this machine, or a script without a #! line"
#define SYNC_HINT_NO_INTERPRETER                                               \
	"its interpreter or dynamic loader is missing"

struct sync_msg {
	int type;
	int code;
	struct herr err;
};

/* Send a message (with fd >= 0 attached as SCM_RIGHTS).  0 or -1/errno.
 * Never raises SIGPIPE. */
int sync_send(int sock, int type, int code, const struct herr *err, int fd);
/* Receive one message; *fd gets an attached fd or -1.  Returns 1 on a
 * message, 0 on EOF, -1 on error with errno. */
int sync_recv(int sock, struct sync_msg *m, int *fd);

/* Send fd over an AF_UNIX socket at path in one sendmsg with one
 * SCM_RIGHTS fd (--console-socket, as runc does). */
int sync_send_console(const char *path, int fd, struct herr *e);

#endif
