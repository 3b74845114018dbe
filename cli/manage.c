/* cli: the commands that manage a running container — pause, resume, ps,
 * update, events — and features.  runc's flag spellings. */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

/* The id, and nothing after it unless rest is given (ps's ps-args). */
static const char *the_id(int argc, char **argv, char ***rest)
{
	if (optind >= argc) {
		cli_usage_error("%s: missing container id (see 'husk %s "
				"--help')",
				argv[0], argv[0]);
		return NULL;
	}
	if (rest) {
		*rest = argv + optind + 1;
		/* "ID -- -o pid": the "--" only separates. */
		if (**rest && strcmp(**rest, "--") == 0)
			(*rest)++;
	} else if (optind + 1 < argc) {
		cli_usage_error("%s: unexpected argument '%s'", argv[0],
				argv[optind + 1]);
		return NULL;
	}
	return argv[optind];
}

/* Options: --help only.  Returns the id or NULL (usage printed). */
static const char *id_only(int argc, char **argv, int *rc)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*rc = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: husk %s ID\n", argv[0]);
			*rc = 0;
			return NULL;
		}
		cli_usage_error("%s: unknown option '%s'", argv[0],
				argv[optind - 1]);
		return NULL;
	}
	return the_id(argc, argv, NULL);
}

int cmd_pause(int argc, char **argv)
{
	struct herr e = {0};
	int rc;
	const char *id = id_only(argc, argv, &rc);

	if (!id)
		return rc;
	return rt_pause(cli_g.root, id, &e) < 0 ? cli_error(&e) : 0;
}

int cmd_resume(int argc, char **argv)
{
	struct herr e = {0};
	int rc;
	const char *id = id_only(argc, argv, &rc);

	if (!id)
		return rc;
	return rt_resume(cli_g.root, id, &e) < 0 ? cli_error(&e) : 0;
}

/* ---- ps ---------------------------------------------------------------- */

/* The column of "PID" in ps's header line, or -1. */
static int pid_column(const char *header)
{
	_cleanup_free_ char *h = xstrdup(header);
	char *save = NULL;
	int i = 0;

	for (char *w = strtok_r(h, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(w, "PID") == 0)
			return i;
	return -1;
}

/* The col-th blank-separated field of line as a pid, or -1. */
static long field_pid(const char *line, int col)
{
	_cleanup_free_ char *l = xstrdup(line);
	char *save = NULL, *w = strtok_r(l, " \t", &save);
	int64_t v;

	while (w && col-- > 0)
		w = strtok_r(NULL, " \t", &save);
	return w && base_parse_i64(w, &v) == 0 ? (long)v : -1;
}

/* As runc: run the host's ps (default -ef) and keep the header and the
 * lines whose PID column is one of the container's. */
static int ps_table(const pid_t *pids, size_t n, char **args)
{
	extern char **environ;
	size_t nargs = 0, cap = 0;
	_cleanup_free_ char **argv = NULL;
	_cleanup_free_ char *line = NULL;
	posix_spawn_file_actions_t fa;
	int fds[2], col = -1, st = 0, err;
	bool header = true;
	pid_t child;
	FILE *f;

	while (args[nargs])
		nargs++;
	argv = xcalloc(nargs + 3, sizeof(char *));
	argv[0] = "ps";
	if (nargs == 0)
		argv[1] = "-ef";
	memcpy(argv + 1, args, nargs * sizeof(char *));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cli_usage_error("ps: pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	err = posix_spawnp(&child, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		return cli_usage_error("ps: running ps: %s", strerror(err));
	}
	f = fdopen(fds[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		long pid;

		line[strcspn(line, "\n")] = '\0';
		if (header) {
			header = false;
			col = pid_column(line);
			printf("%s\n", line);
			continue;
		}
		pid = col < 0 ? -1 : field_pid(line, col);
		for (size_t i = 0; i < n; i++)
			if (pids[i] == pid) {
				printf("%s\n", line);
				break;
			}
	}
	if (f)
		fclose(f);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return cli_usage_error("ps: ps exited with status %d",
				       WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	if (col < 0)
		return cli_usage_error("ps: no PID column in the output of ps "
				       "(keep pid in its -o format)");
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct herr e = {0};
	const char *format = "table", *id;
	_cleanup_free_ pid_t *pids = NULL;
	char **rest;
	size_t n;
	int c;

	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'h') {
			printf("usage: husk ps [--format table|json] ID "
			       "[PS-ARGS...]\n\n"
			       "  -f, --format table|json  table: the host's "
			       "'ps -ef' (or PS-ARGS)\n"
			       "                           filtered to the "
			       "container; json: its pids\n");
			return 0;
		} else
			return cli_usage_error("ps: unknown option '%s'",
					       argv[optind - 1]);
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_usage_error("ps: --format: expected table or json, "
				       "got '%s'",
				       format);
	id = the_id(argc, argv, &rest);
	if (!id)
		return 1;
	if (*rest && strcmp(format, "json") == 0)
		return cli_usage_error("ps: ps arguments only go with "
				       "--format table");
	if (rt_ps(cli_g.root, id, &pids, &n, &e) < 0)
		return cli_error(&e);
	if (strcmp(format, "table") == 0)
		return ps_table(pids, n, rest);
	printf("[");
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	printf("]\n");
	return 0;
}

/* ---- update ------------------------------------------------------------ */

/* "512m", "1G", "100", "-1": bytes (binary units, as runc/docker). */
static int parse_size(const char *s, int64_t *out)
{
	static const char units[] = "bkmgtp";
	char *end;
	long long v;
	const char *u;
	int shift;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (v == -1 && !*end) {
		*out = -1;
		return 0;
	}
	if (v < 0)
		return -1;
	if (!*end) {
		*out = v;
		return 0;
	}
	u = strchr(units, end[0] | 0x20);
	/* "m", "mb", "MiB"-less spellings: one letter, an optional b. */
	if (!u || !*u || (end[1] && ((end[1] | 0x20) != 'b' || end[2])))
		return -1;
	shift = 10 * (int)(u - units);
	if (shift && v > (INT64_MAX >> shift))
		return -1;
	*out = (int64_t)v << shift;
	return 0;
}

/* The runc update flags: each one a field of LinuxResources. */
static const struct {
	const char *flag, *group, *key;
	char kind; /* 's' size, 'i' integer, 'u' unsigned, 'c' cpu list */
} update_flags[] = {
    {"memory", "memory", "limit", 's'},
    {"memory-reservation", "memory", "reservation", 's'},
    {"memory-swap", "memory", "swap", 's'},
    {"cpu-shares", "cpu", "shares", 'u'},
    {"cpu-quota", "cpu", "quota", 'i'},
    {"cpu-period", "cpu", "period", 'u'},
    {"cpuset-cpus", "cpu", "cpus", 'c'},
    {"cpuset-mems", "cpu", "mems", 'c'},
    {"pids-limit", "pids", "limit", 'i'},
    {"blkio-weight", "blockIO", "weight", 'u'},
};

/* Put flag i's value into the resources object o; usage error if bad. */
static int set_flag(json_t *o, size_t i, const char *val)
{
	json_t *g = json_object_get(o, update_flags[i].group), *v;
	int64_t n;

	switch (update_flags[i].kind) {
	case 's':
		if (parse_size(val, &n) < 0)
			return cli_usage_error("update: --%s: expected bytes "
					       "(with an optional k, m, g or "
					       "t) or -1, got '%s'",
					       update_flags[i].flag, val);
		v = json_integer(n);
		break;
	case 'c':
		v = json_string(val);
		break;
	default:
		if (base_parse_i64(val, &n) < 0 ||
		    (update_flags[i].kind == 'u' && n < 0))
			return cli_usage_error(
			    "update: --%s: expected %s number, got '%s'",
			    update_flags[i].flag,
			    update_flags[i].kind == 'u' ? "a non-negative"
							: "a",
			    val);
		v = json_integer(n);
	}
	if (!g) {
		g = json_object();
		json_object_set_new(o, update_flags[i].group, g);
	}
	json_object_set_new(g, update_flags[i].key, v);
	return 0;
}

/* --resources FILE, or - for stdin. */
static char *read_resources(const char *file)
{
	char *s = strcmp(file, "-") == 0
		      ? base_read_file_at(AT_FDCWD, "/dev/stdin", NULL)
		      : base_read_file_at(AT_FDCWD, file, NULL);

	if (!s)
		cli_usage_error("update: --resources: reading '%s': %s", file,
				strerror(errno));
	return s;
}

int cmd_update(int argc, char **argv)
{
	struct option opts[ARRAY_SIZE(update_flags) + 3];
	struct rt_update_doc docs[2];
	struct herr e = {0};
	const char *resources = NULL, *id;
	_cleanup_free_ char *file = NULL, *flags_json = NULL;
	_cleanup_free_ char *rname = NULL;
	char names[512] = "";
	json_t *flags = json_object();
	size_t n = 0;
	int c, rc = 1;

	for (size_t i = 0; i < ARRAY_SIZE(update_flags); i++)
		opts[i] =
		    (struct option){update_flags[i].flag, required_argument,
				    NULL, 256 + (int)i};
	opts[ARRAY_SIZE(update_flags)] =
	    (struct option){"resources", required_argument, NULL, 'r'};
	opts[ARRAY_SIZE(update_flags) + 1] =
	    (struct option){"help", no_argument, NULL, 'h'};
	opts[ARRAY_SIZE(update_flags) + 2] = (struct option){0};
	while ((c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		if (c == 'r') {
			resources = optarg;
		} else if (c == 'h') {
			printf("usage: husk update [OPTIONS] ID\n\n"
			       "  -r, --resources FILE|-   a LinuxResources "
			       "JSON document\n");
			for (size_t i = 0; i < ARRAY_SIZE(update_flags); i++)
				printf(
				    "  --%-22s .%s.%s\n", update_flags[i].flag,
				    update_flags[i].group, update_flags[i].key);
			rc = 0;
			goto out;
		} else if (c >= 256) {
			size_t i = (size_t)c - 256;

			if (set_flag(flags, i, optarg) != 0)
				goto out;
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s--%s",
				 names[0] ? ", " : "", update_flags[i].flag);
		} else {
			cli_usage_error("update: unknown option '%s'",
					argv[optind - 1]);
			goto out;
		}
	}
	id = the_id(argc, argv, NULL);
	if (!id)
		goto out;
	if (!resources && json_object_size(flags) == 0) {
		cli_usage_error("update: nothing to update (give --resources "
				"or a limit such as --memory)");
		goto out;
	}
	/* The file first, then the flags over it. */
	if (resources) {
		file = read_resources(resources);
		if (!file)
			goto out;
		rname = xasprintf("--resources %s", resources);
		docs[n++] = (struct rt_update_doc){file, rname};
	}
	if (json_object_size(flags)) {
		flags_json = json_dumps(flags, JSON_COMPACT);
		docs[n++] = (struct rt_update_doc){flags_json, names};
	}
	rc = rt_update(cli_g.root, id, docs, n, &e) < 0 ? cli_error(&e) : 0;
out:
	json_decref(flags);
	return rc;
}

/* ---- events ------------------------------------------------------------ */

/* A Go duration as runc takes it: "5s", "100ms", "1m30s", "1.5s". */
static int parse_duration(const char *s, long long *ms)
{
	/* Two-letter units first, so "ms" is not read as "m". */
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"ms", 1},
		     {"s", 1e3},   {"m", 6e4},	 {"h", 3.6e6}};
	double total = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		size_t i;

		if (end == s || v < 0 || !isdigit((unsigned char)*s))
			return -1;
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (strncmp(end, units[i].unit,
				    strlen(units[i].unit)) == 0)
				break;
		if (i == ARRAY_SIZE(units))
			return -1;
		total += v * units[i].ms;
		s = end + strlen(units[i].unit);
	}
	*ms = (long long)total;
	return total >= 1 ? 0 : -1;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"stats", no_argument, NULL, 's'},
	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct herr e = {0};
	bool once = false;
	long long interval = 5000;
	int64_t ooms, last_ooms = 0;
	const char *id;
	char *json;
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 's')
			once = true;
		else if (c == 'i') {
			if (parse_duration(optarg, &interval) < 0)
				return cli_usage_error(
				    "events: --interval: expected a duration "
				    "of at least 1ms like 5s, 500ms or 1m, "
				    "got '%s'",
				    optarg);
		} else if (c == 'h') {
			printf("usage: husk events [--stats] [--interval "
			       "DURATION] ID\n\n"
			       "  --stats              print one stats event "
			       "and exit\n"
			       "  --interval DURATION  between stats events "
			       "(default 5s)\n");
			return 0;
		} else
			return cli_usage_error("events: unknown option '%s'",
					       argv[optind - 1]);
	}
	id = the_id(argc, argv, NULL);
	if (!id)
		return 1;
	/* One JSON object per line, flushed: engines read a pipe. */
	for (bool first = true;; first = false) {
		if (rt_stats(cli_g.root, id, &json, &ooms, &e) < 0) {
			/* Stopped or deleted since the last event: done. */
			if (!first && (e.err == ESRCH || e.err == ENOENT))
				return 0;
			return cli_error(&e);
		}
		if (!first && ooms > last_ooms) {
			json_t *o =
			    json_pack("{s:s, s:s}", "type", "oom", "id", id);
			char *s = json_dumps(o, JSON_COMPACT);

			printf("%s\n", s);
			free(s);
			json_decref(o);
		}
		last_ooms = ooms;
		printf("%s\n", json);
		fflush(stdout);
		free(json);
		if (once)
			return 0;
		sleep_ms(interval);
	}
}

/* ---- features ---------------------------------------------------------- */

int cmd_features(int argc, char **argv)
{
	char *json;

	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0) {
			printf("usage: husk features\n");
			return 0;
		}
		return cli_usage_error("features: unexpected argument '%s'",
				       argv[1]);
	}
	json = rt_features();
	printf("%s\n", json);
	free(json);
	return 0;
}
