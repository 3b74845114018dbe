/* cli: one function per command, runc's flag spellings. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Exactly one positional argument: the container id. */
static const char *one_id(int argc, char **argv, const char *cmd)
{
	if (optind >= argc) {
		cli_usage_error("%s: missing container id (usage: husk %s "
				"[OPTIONS] ID)",
				cmd, cmd);
		return NULL;
	}
	if (optind + 1 < argc) {
		cli_usage_error("%s: unexpected argument '%s'", cmd,
				argv[optind + 1]);
		return NULL;
	}
	return argv[optind];
}

static int bad_option(const char *cmd, char **argv)
{
	return cli_usage_error("%s: unknown option '%s' (see 'husk %s --help')",
			       cmd, argv[optind - 1], cmd);
}

enum {
	O_BUNDLE = 'b',
	O_DETACH = 'd',
	O_HELP = 'h',
	O_PIDFILE = 256,
	O_CONSOLE,
	O_PRESERVE,
	O_NOPIVOT,
	O_NOKEYRING,
	O_KEEP,
	O_INIT,
	O_REPORT,
};

static const struct option create_opts[] = {
	{ "bundle", required_argument, NULL, O_BUNDLE },
	{ "pid-file", required_argument, NULL, O_PIDFILE },
	{ "console-socket", required_argument, NULL, O_CONSOLE },
	{ "preserve-fds", required_argument, NULL, O_PRESERVE },
	{ "no-pivot", no_argument, NULL, O_NOPIVOT },
	{ "no-new-keyring", no_argument, NULL, O_NOKEYRING },
	{ "detach", no_argument, NULL, O_DETACH },
	{ "keep", no_argument, NULL, O_KEEP },
	{ "init", no_argument, NULL, O_INIT },
	{ "report", optional_argument, NULL, O_REPORT },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* run and create share their options; run adds --detach and --keep. */
bool cli_rootless(void)
{
	/* auto: rootless unless we are root (of the initial user namespace
	 * or of one that maps us to root). */
	if (cli_g.rootless && strcmp(cli_g.rootless, "auto"))
		return strcmp(cli_g.rootless, "true") == 0;
	return geteuid() != 0;
}

static int parse_create(int argc, char **argv, struct rt_opts *o, bool run,
			struct cli_report *report)
{
	const char *cmd = argv[0];
	int c;

	memset(o, 0, sizeof(*o));
	o->root = cli_g.root;
	o->bundle = ".";
	o->rootless = cli_rootless();
	while ((c = getopt_long(argc, argv, run ? "+b:dh" : "+b:h", create_opts,
				NULL)) != -1) {
		switch (c) {
		case O_BUNDLE:
			o->bundle = optarg;
			break;
		case O_PIDFILE:
			o->pid_file = optarg;
			break;
		case O_CONSOLE:
			o->console_socket = optarg;
			break;
		case O_PRESERVE: {
			uint32_t n;

			if (base_parse_u32(optarg, &n) < 0 || n > 65536)
				return cli_usage_error(
					"--preserve-fds: expected a number, "
					"got '%s'",
					optarg);
			o->preserve_fds = (int)n;
			break;
		}
		case O_NOPIVOT:
			o->no_pivot = true;
			break;
		case O_NOKEYRING:
			o->no_new_keyring = true;
			break;
		case O_DETACH:
			if (!run)
				return bad_option(cmd, argv);
			o->detach = true;
			break;
		case O_KEEP:
			if (!run)
				return bad_option(cmd, argv);
			o->keep = true;
			break;
		case O_INIT:
			o->init = true;
			break;
		case O_REPORT:
			if (!run)
				return bad_option(cmd, argv);
			if (cli_report_option(optarg, argc, argv, report) != 0)
				return 1;
			break;
		case O_HELP:
			printf("usage: husk %s [OPTIONS] ID\n\n"
			       "  -b, --bundle DIR        the bundle (default .)\n"
			       "  --pid-file FILE         write the init's pid\n"
			       "  --console-socket SOCK   send the pty master there\n"
			       "  --preserve-fds N        pass fds 3..3+N-1 on\n"
			       "  --no-pivot              chroot, not pivot_root\n"
			       "  --no-new-keyring        keep the session keyring\n"
			       "  --init                  husk's init as PID 1: "
			       "forwards signals, reaps orphans\n"
			       "%s",
			       cmd,
			       run ? "  -d, --detach            do not wait\n"
				     "  --keep                  keep the state after exit\n"
				     "  --report                what it used, on stderr\n"
				     "  --report=json FILE      the same as JSON\n"
				   : "");
			exit(0);
		default:
			return bad_option(cmd, argv);
		}
	}
	o->systemd_cgroup = cli_g.systemd_cgroup;
	o->id = one_id(argc, argv, cmd);
	return o->id ? 0 : 1;
}

int cmd_run(int argc, char **argv)
{
	struct cli_report report = { 0 };
	struct rt_report r;
	struct rt_opts o;
	struct herr e = { 0 };
	int status;

	if (parse_create(argc, argv, &o, true, &report) != 0)
		return 1;
	if (report.on && o.detach)
		return cli_usage_error("run: --report needs to wait for the "
				       "container: not with --detach");
	o.report = report.on ? &r : NULL;
	if (rt_run(&o, &status, &e) < 0) {
		cli_error(&e);
		/* 127/126: the payload could not be executed. */
		return status == 126 || status == 127 ? status : 1;
	}
	if (cli_report_emit(&report, o.id, status, &r) != 0 && status == 0)
		return 1;
	return status;
}

int cmd_create(int argc, char **argv)
{
	struct rt_opts o;
	struct herr e = { 0 };

	if (parse_create(argc, argv, &o, false, &(struct cli_report){ 0 }) != 0)
		return 1;
	return rt_create(&o, &e) < 0 ? cli_error(&e) : 0;
}

/* Commands that take only an id (and --help). */
static const char *simple_id(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: husk %s %s\n", argv[0], usage);
			exit(0);
		}
		bad_option(argv[0], argv);
		return NULL;
	}
	return one_id(argc, argv, argv[0]);
}

int cmd_start(int argc, char **argv)
{
	struct herr e = { 0 };
	const char *id = simple_id(argc, argv, "ID");

	if (!id)
		return 1;
	return rt_start(cli_g.root, id, &e) < 0 ? cli_error(&e) : 0;
}

int cmd_state(int argc, char **argv)
{
	struct herr e = { 0 };
	const char *id = simple_id(argc, argv, "ID");
	char *json;

	if (!id)
		return 1;
	if (rt_state(cli_g.root, id, &json, &e) < 0)
		return cli_error(&e);
	printf("%s\n", json);
	free(json);
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct herr e = { 0 };
	bool all = false;
	int c, sig = 15;

	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'h') {
			printf("usage: husk kill [--all] ID [SIGNAL]\n");
			return 0;
		} else
			return bad_option("kill", argv);
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage_error("kill: usage: husk kill [--all] ID "
				       "[SIGNAL]");
	if (argc - optind == 2) {
		sig = base_signal_parse(argv[optind + 1]);
		if (sig < 0)
			return cli_usage_error("kill: unknown signal '%s'",
					       argv[optind + 1]);
	}
	return rt_kill(cli_g.root, argv[optind], sig, all, &e) < 0
		       ? cli_error(&e)
		       : 0;
}

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct herr e = { 0 };
	bool force = false;
	const char *id;
	int c;

	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h') {
			printf("usage: husk delete [--force] ID\n");
			return 0;
		} else
			return bad_option("delete", argv);
	}
	id = one_id(argc, argv, "delete");
	if (!id)
		return 1;
	return rt_delete(cli_g.root, id, force, &e) < 0 ? cli_error(&e) : 0;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct herr e = { 0 };
	const char *format = "table";
	bool quiet = false;
	struct rt_list_item *items;
	size_t i, n;
	int c;

	while ((c = getopt_long(argc, argv, "+f:qh", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			printf("usage: husk list [--format table|json] [-q]\n");
			return 0;
		} else
			return bad_option("list", argv);
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_usage_error("list: --format: expected table or "
				       "json, got '%s'",
				       format);
	if (rt_list(cli_g.root, strcmp(format, "json") == 0 && !quiet, &items,
		    &n, &e) < 0)
		return cli_error(&e);
	if (strcmp(format, "json") == 0 && !quiet) {
		fputc('[', stdout);
		for (i = 0; i < n; i++)
			printf("%s%s", i ? "," : "", items[i].json);
		fputs("]\n", stdout);
	} else if (quiet) {
		for (i = 0; i < n; i++)
			printf("%s\n", items[i].id);
	} else {
		printf("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID",
		       "STATUS", "BUNDLE", "CREATED", "OWNER");
		for (i = 0; i < n; i++)
			printf("%-20s %-8lld %-10s %-40s %-30s %u\n",
			       items[i].id, items[i].pid, items[i].status,
			       items[i].bundle, items[i].created,
			       items[i].owner);
	}
	rt_list_free(items, n);
	return 0;
}

int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct herr e = { 0 };
	const char *bundle = ".";
	bool rootless = false;
	int c;

	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else if (c == 'h') {
			printf("usage: husk spec [--bundle DIR] [--rootless]\n");
			return 0;
		} else
			return bad_option("spec", argv);
	}
	if (optind < argc)
		return cli_usage_error("spec: unexpected argument '%s'",
				       argv[optind]);
	return rt_spec(bundle, rootless, &e) < 0 ? cli_error(&e) : 0;
}

int cmd_exec(int argc, char **argv)
{
	enum {
		X_PROCESS = 256,
		X_TTY,
		X_DETACH,
		X_PIDFILE,
		X_CONSOLE,
		X_CWD,
		X_ENV,
		X_USER,
		X_CAP,
		X_PRESERVE,
		X_HELP,
	};
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, X_PIDFILE },
		{ "console-socket", required_argument, NULL, X_CONSOLE },
		{ "cwd", required_argument, NULL, X_CWD },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "cap", required_argument, NULL, 'c' },
		{ "preserve-fds", required_argument, NULL, X_PRESERVE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rt_exec_opts o;
	struct herr e = { 0 };
	int c, status;

	memset(&o, 0, sizeof(o));
	o.root = cli_g.root;
	o.env = xcalloc((size_t)argc + 1, sizeof(char *));
	o.caps = xcalloc((size_t)argc + 1, sizeof(char *));
	/* '+': options stop at the id; what follows is the command. */
	while ((c = getopt_long(argc, argv, "+p:tde:u:c:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			o.process_file = optarg;
			break;
		case 't':
			o.tty = o.tty_set = true;
			break;
		case 'd':
			o.detach = true;
			break;
		case X_PIDFILE:
			o.pid_file = optarg;
			break;
		case X_CONSOLE:
			o.console_socket = optarg;
			break;
		case X_CWD:
			o.cwd = optarg;
			break;
		case 'e':
			o.env[o.nenv++] = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'c':
			o.caps[o.ncaps++] = optarg;
			break;
		case X_PRESERVE: {
			uint32_t n;

			if (base_parse_u32(optarg, &n) < 0 || n > 65536)
				return cli_usage_error(
					"--preserve-fds: expected a number, "
					"got '%s'",
					optarg);
			o.preserve_fds = (int)n;
			break;
		}
		case 'h':
			printf("usage: husk exec [OPTIONS] ID [COMMAND "
			       "[ARG...]]\n\n"
			       "  -p, --process FILE      an OCI process JSON\n"
			       "  -t, --tty               allocate a terminal\n"
			       "  -d, --detach            do not wait\n"
			       "  --pid-file FILE         write the pid\n"
			       "  --console-socket SOCK   send the pty master\n"
			       "  --cwd DIR               working directory\n"
			       "  -e, --env KEY=VALUE     set a variable\n"
			       "  -u, --user UID[:GID]    run as this user\n"
			       "  -c, --cap CAP           add a capability\n"
			       "  --preserve-fds N        pass fds 3..3+N-1 on\n");
			return 0;
		default:
			cli_usage_error("exec: unknown option '%s'",
					argv[optind - 1]);
			return 255;
		}
	}
	if (optind >= argc) {
		cli_usage_error("exec: missing container id");
		return 255;
	}
	o.id = argv[optind];
	o.args = argv + optind + 1;
	o.nargs = (size_t)(argc - optind - 1);
	if (rt_exec(&o, &status, &e) < 0) {
		cli_error(&e);
		status = 255;
	}
	free(o.env);
	free(o.caps);
	return status;
}
