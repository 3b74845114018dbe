/*
 * cli: the command table and what every command shares.  cli/ is the only
 * module that prints errors and chooses exit statuses.
 */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include "../runtime/runtime.h"

struct cli_global {
	const char *root;       /* --root */
	const char *log;        /* --log */
	const char *log_format; /* --log-format: text or json */
	const char *rootless;   /* --rootless: auto, true, false */
	bool systemd_cgroup;
};
extern struct cli_global cli_g;

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command's name */
	const char *help;
};

/* --rootless resolved: true, false, or (auto) whether we are not root. */
bool cli_rootless(void);

/* Print "husk: <msg>" (and log it); returns 1, the runtime-error status. */
int cli_error(const struct herr *e);
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --report[=json FILE] on run and sandbox. */
struct cli_report {
	bool on;
	const char *json_file; /* NULL: one line on stderr */
};
/* Parse --report's optional "=json" (arg) and the FILE after it, taken
 * from argv[optind]; returns 0 or 1 (usage error printed). */
int cli_report_option(const char *arg, int argc, char **argv,
		      struct cli_report *r);
/* Print or write r as c asks; 1 when the file cannot be written. */
int cli_report_emit(const struct cli_report *c, const char *id, int status,
		    const struct rt_report *r);

int cmd_run(int argc, char **argv);
int cmd_sandbox(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
