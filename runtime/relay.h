/*
 * relay: husk stays the parent of the container's init and waits for it.
 *
 * The design is tini's, with crun's plumbing: every signal was blocked
 * before clone, so none is ever handled asynchronously.  One epoll loop
 * reads a signalfd (forwarding every signal but SIGCHLD to the init
 * through its pidfd) and the pidfd itself (readable when the init exits);
 * SIGCHLD reaps any other child that was reparented to husk.  With a
 * terminal, the same loop copies stdin to the pty master and the master to
 * stdout, and turns SIGWINCH into a resize of the pty.  A deadline is a
 * timerfd in the same loop.
 */
#ifndef HUSK_RELAY_H
#define HUSK_RELAY_H

#include "../base/base.h"

/* A deadline, as timeout(1): SIGTERM the init after ms, SIGKILL it
 * kill_after_ms later.  fired tells the caller it happened. */
struct rt_timeout {
	int64_t ms, kill_after_ms;
	bool fired;
};

/* Relay until pid exits; *status gets its exit code or 128+signal.
 * pty_master is -1 without a terminal; t NULL = no deadline. */
int rt_relay(pid_t pid, int pidfd, int pty_master, struct rt_timeout *t,
	     int *status, struct herr *e);
/* Exit status as a shell reports it. */
int rt_wait_status(int wstatus);

#endif
