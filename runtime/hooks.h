/*
 * hooks: the OCI lifecycle hooks (prestart, createRuntime,
 * createContainer, startContainer, poststart, poststop).
 *
 * Each hook is a program run with the container's state JSON on its
 * stdin, its own args and env (nothing inherited), and an optional timeout
 * after which it is killed.  Where a hook runs decides which namespaces it
 * sees; the callers in container.c and lifecycle.c place each kind where
 * the runtime-spec says.
 */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include "config.h"

/* Run the hooks of one kind in order; stop at the first failure
 * ("createRuntime hook '/bin/x' exited with status 3"). */
int rt_hooks_run(const struct rt_config *cfg, enum rt_hook_kind kind,
		 const char *state_json, struct herr *e);
/* "prestart", "createRuntime", … */
const char *rt_hook_name(enum rt_hook_kind kind);

#endif
