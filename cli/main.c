/*
 * cli: husk's command line.  Parses global options and the command's own
 * (runc's spellings), calls runtime/, and is the only place that prints an
 * error and chooses the exit status:
 *   0 success; 1 a runtime error; for `run`, the payload's status
 *   (128+N for signal N, 127/126 when the payload could not be executed).
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#include <seccomp.h>
#include <sys/capability.h>

struct cli_global cli_g = { .log_format = "text" };

/* --log: append one record per message, as containerd and podman read. */
static void log_record(const char *level, const char *msg)
{
	char ts[64];
	FILE *f;

	if (!cli_g.log)
		return;
	f = fopen(cli_g.log, "ae");
	if (!f)
		return;
	base_now_rfc3339(ts, sizeof(ts));
	if (strcmp(cli_g.log_format, "json") == 0) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg",
				      msg, "time", ts);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			fprintf(f, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level, msg);
	}
	fclose(f);
}

int cli_error(const struct herr *e)
{
	fprintf(stderr, "husk: %s\n", e->msg);
	log_record("error", e->msg);
	return 1;
}

int cli_usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "husk: %s\n", msg);
	log_record("error", msg);
	return 1;
}

static void warn_hook(const char *msg)
{
	/* msg starts with "husk: "; the log wants the message alone. */
	fprintf(stderr, "%s\n", msg);
	if (strncmp(msg, "husk: warning: ", 15) == 0)
		log_record("warning", msg + 15);
	else if (strncmp(msg, "husk: + ", 8) == 0)
		log_record("debug", msg + 8);
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("husk version %s\n", HUSK_VERSION);
	printf("spec: 1.2.1\n");
	printf("libseccomp: %u.%u.%u\n", seccomp_version()->major,
	       seccomp_version()->minor, seccomp_version()->micro);
	printf("jansson: %s\n", JANSSON_VERSION);
#ifdef __GLIBC__
	printf("libc: glibc %s\n", gnu_get_libc_version());
#else
	printf("libc: musl\n"); /* musl has no version macro or call */
#endif
	return 0;
}

static const struct cli_cmd commands[] = {
	{ "run", cmd_run, "run a container from a bundle and wait for it" },
	{ "create", cmd_create, "create a container, ready for start" },
	{ "start", cmd_start, "start a created container" },
	{ "state", cmd_state, "print the state of a container as JSON" },
	{ "kill", cmd_kill, "send a signal to a container's init" },
	{ "delete", cmd_delete, "delete a container and its resources" },
	{ "exec", cmd_exec, "run another process in a container" },
	{ "list", cmd_list, "list containers" },
	{ "pause", cmd_pause, "freeze every process of a container" },
	{ "resume", cmd_resume, "thaw a paused container" },
	{ "ps", cmd_ps, "list the processes of a container" },
	{ "update", cmd_update, "change a container's cgroup limits" },
	{ "events", cmd_events, "print a container's cgroup stats as JSON" },
	{ "features", cmd_features, "print what husk supports as JSON" },
	{ "spec", cmd_spec, "write a default config.json" },
    {"sandbox", cmd_sandbox, "run a host command in a container"},
	{ "version", cmd_version, "print husk's version" },
	{ "help", cmd_help, "show this help" },
};

int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: husk [GLOBAL OPTIONS] COMMAND [OPTIONS] [ID]\n\n"
	       "husk is a minimal, fast and secure OCI container runtime.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
	printf("\nGlobal options:\n"
	       "  --root DIR           state directory (default %s)\n"
	       "  --log FILE           append errors and warnings to FILE\n"
	       "  --log-format FORMAT  text (default) or json\n"
	       "  --debug              narrate every kernel operation\n"
	       "  --systemd-cgroup     accepted; husk still uses cgroupfs, and\n"
	       "                       refuses a systemd cgroupsPath "
	       "(slice:prefix:name)\n"
	       "  --rootless MODE      auto (default), true or false\n"
	       "  -v, --version        print the version\n"
	       "  -h, --help           show this help\n\n"
	       "Run 'husk COMMAND --help' for a command's options.\n",
	       rt_default_root());
	return 0;
}

/* Global options stop at the command name. */
static int parse_global(int argc, char **argv)
{
	enum { O_ROOT = 256, O_LOG, O_LOGFMT, O_DEBUG, O_SYSTEMD, O_ROOTLESS };
	static const struct option opts[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "log", required_argument, NULL, O_LOG },
		{ "log-format", required_argument, NULL, O_LOGFMT },
		{ "debug", no_argument, NULL, O_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, O_SYSTEMD },
		{ "rootless", required_argument, NULL, O_ROOTLESS },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case O_ROOT:
			cli_g.root = optarg;
			break;
		case O_LOG:
			cli_g.log = optarg;
			break;
		case O_LOGFMT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return cli_usage_error(
					"--log-format: expected 'text' or "
					"'json', got '%s'",
					optarg);
			cli_g.log_format = optarg;
			break;
		case O_DEBUG:
			base_debug_on = true;
			break;
		case O_SYSTEMD:
			cli_g.systemd_cgroup = true;
			break;
		case O_ROOTLESS:
			if (strcmp(optarg, "auto") && strcmp(optarg, "true") &&
			    strcmp(optarg, "false"))
				return cli_usage_error(
					"--rootless: expected auto, true or "
					"false, got '%s'",
					optarg);
			cli_g.rootless = optarg;
			break;
		case 'v':
			exit(cmd_version(0, NULL));
		case 'h':
			exit(cmd_help(0, NULL));
		default:
			return cli_usage_error("unknown global option '%s'",
					       argv[optind - 1]);
		}
	}
	return 0;
}

#ifdef __SANITIZE_ADDRESS__
/* In a SANITIZE=address build: no LeakSanitizer, whoever starts husk (an
 * engine, a test as another user) and whatever the environment says.
 * husk makes itself non-dumpable (runtime/self.c), and LeakSanitizer's
 * exit-time stop-the-world cannot attach to such a process: it spins. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

/* A caller may start us with SIGCHLD ignored (or SA_NOCLDWAIT): a
 * background job of some shells and CI runners is.  The kernel would then
 * reap our children itself, and waitpid for the container's init, an exec'd
 * process or a hook would fail with ECHILD and lose the exit status.
 * Payloads get every signal back at its default (setup_signals). */
static void own_sigchld(void)
{
	struct sigaction old, dfl = { .sa_handler = SIG_DFL };

	if (sigaction(SIGCHLD, NULL, &old) < 0)
		return;
	if (old.sa_handler != SIG_IGN && !(old.sa_flags & SA_NOCLDWAIT))
		return;
	base_debug("our caller ignored SIGCHLD: sigaction(SIGCHLD, SIG_DFL) "
		   "so the kernel leaves our children for us to wait");
	sigaction(SIGCHLD, &dfl, NULL);
}

int main(int argc, char **argv)
{
	const char *name;
	int idx;
	uint32_t seed;

	/* jansson seeds its hash tables from /dev/urandom on first use (an
	 * open, a read and a close); one getrandom(2) does the same. */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		json_object_seed(seed ? seed : 1);
	if (parse_global(argc, argv) != 0)
		return 1;
	if (cli_g.log)
		base_warn_hook = warn_hook;
	own_sigchld();
	if (!cli_g.root)
		cli_g.root = rt_default_root();
	if (optind >= argc) {
		cmd_help(0, NULL);
		return 1;
	}
	idx = optind;
	name = argv[idx];
	/* Before anything of a container exists: these commands put husk's
	 * own processes into one (see runtime/self.c). */
	if (!strcmp(name, "run") || !strcmp(name, "create") ||
	    !strcmp(name, "exec") || !strcmp(name, "sandbox")) {
		struct herr e = { 0 };

		if (rt_protect_self(argv, &e) < 0)
			return cli_error(&e);
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0) {
			/* The command sees argv from its own name on. */
			optind = 0;
			return commands[i].fn(argc - idx, argv + idx);
		}
	return cli_usage_error("unknown command '%s'", name);
}
