/*
 * cli: `husk sandbox`, and the --report that run and sandbox share.
 *
 * The sandbox's options become a config.json (runtime/sandbox.c) that the
 * code of `husk run` runs; this file only parses flags, prints the spec or
 * the report, and picks the exit status.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- units ------------------------------------------------------------ */

/* "512M", "1.5G", "1048576" (bytes; k/K, m/M, g/G, t/T are powers of
 * 1024, an optional trailing "b"/"iB"). */
static int parse_size(const char *s, int64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1;

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		mul = 1024.0;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1024.0 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1024.0 * 1024 * 1024;
		end++;
		break;
	case 't':
	case 'T':
		mul = 1024.0 * 1024 * 1024 * 1024;
		end++;
		break;
	}
	if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
		end += strlen(end);
	if (*end || v * mul > (double)INT64_MAX)
		return -1;
	*out = (int64_t)(v * mul);
	return 0;
}

/* "10m", "30s", "1.5h", "500ms", "2d", or plain seconds, as timeout(1). */
static int parse_duration_ms(const char *s, int64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1000;

	if (end == s || !(v >= 0))
		return -1;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s") || !*end)
		mul = 1000;
	else if (!strcmp(end, "m"))
		mul = 60e3;
	else if (!strcmp(end, "h"))
		mul = 3600e3;
	else if (!strcmp(end, "d"))
		mul = 86400e3;
	else
		return -1;
	if (v * mul > 1e15)
		return -1;
	*out = (int64_t)(v * mul);
	return 0;
}

/* ---- --report ---------------------------------------------------------- */

int cli_report_option(const char *arg, int argc, char **argv,
		      struct cli_report *r)
{
	r->on = true;
	if (!arg)
		return 0;
	if (strcmp(arg, "json") != 0)
		return cli_usage_error("--report: expected --report or "
				       "--report=json FILE, got '--report=%s'",
				       arg);
	if (optind >= argc)
		return cli_usage_error("--report=json: missing the FILE to "
				       "write");
	r->json_file = argv[optind++];
	return 0;
}

static void fmt_secs(char *buf, size_t n, int64_t usec)
{
	if (usec < 0)
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.2fs", (double)usec / 1e6);
}

static void fmt_bytes(char *buf, size_t n, int64_t b)
{
	if (b < 0)
		snprintf(buf, n, "n/a");
	else if (b == INT64_MAX)
		snprintf(buf, n, "no limit");
	else if (b < 1024)
		snprintf(buf, n, "%lld B", (long long)b);
	else if (b < 1024 * 1024)
		snprintf(buf, n, "%.1f KiB", (double)b / 1024);
	else if (b < 1024LL * 1024 * 1024)
		snprintf(buf, n, "%.1f MiB", (double)b / (1024 * 1024));
	else
		snprintf(buf, n, "%.2f GiB", (double)b / (1024 * 1024 * 1024));
}

static void fmt_count(char *buf, size_t n, int64_t v)
{
	if (v < 0)
		snprintf(buf, n, "n/a");
	else if (v == INT64_MAX)
		snprintf(buf, n, "no limit");
	else
		snprintf(buf, n, "%lld", (long long)v);
}

/* The limits the job reached, for "hit: ..." ("" when none). */
static void limits_hit(const struct rt_report *r, char *buf, size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	if (r->oom_kills > 0)
		k += snprintf(buf + k, n - k, "%smemory (OOM kill)",
			      k ? ", " : "");
	if (r->cpu_throttled_usec > 0 && k < n)
		k += snprintf(buf + k, n - k, "%scpu (throttled)",
			      k ? ", " : "");
	if (r->pids_peak >= 0 && r->pids_limit > 0 &&
	    r->pids_limit != INT64_MAX && r->pids_peak >= r->pids_limit &&
	    k < n)
		k += snprintf(buf + k, n - k, "%spids", k ? ", " : "");
	if (r->timed_out && k < n)
		snprintf(buf + k, n - k, "%stimeout", k ? ", " : "");
}

static void print_human(const char *id, const struct rt_report *r)
{
	char wall[32], user[32], sys[32], thr[32], peak[32], lim[32];
	char pk[32], pl[32], rd[32], wr[32], oom[32], hit[128];

	fmt_secs(wall, sizeof(wall), r->wall_usec);
	if (r->no_cgroup) {
		fmt_secs(user, sizeof(user), r->cpu_user_usec);
		fmt_secs(sys, sizeof(sys), r->cpu_system_usec);
		fprintf(stderr,
			"husk: report: %s: wall %s, cpu user %s system %s "
			"(from wait4); memory, pids and io unknown: the "
			"container had no cgroup of its own (none delegated "
			"to uid %u)%s\n",
			id, wall, user, sys, (unsigned)geteuid(),
			r->timed_out ? "; hit: timeout" : "");
		return;
	}
	if (!r->valid) {
		fprintf(stderr,
			"husk: report: %s: wall %s; the cgroup's "
			"counters could not be read\n",
			id, wall);
		return;
	}
	fmt_secs(user, sizeof(user), r->cpu_user_usec);
	fmt_secs(sys, sizeof(sys), r->cpu_system_usec);
	fmt_secs(thr, sizeof(thr), r->cpu_throttled_usec);
	fmt_bytes(peak, sizeof(peak), r->memory_peak);
	fmt_bytes(lim, sizeof(lim), r->memory_limit);
	fmt_count(oom, sizeof(oom), r->oom_kills);
	fmt_count(pk, sizeof(pk), r->pids_peak);
	fmt_count(pl, sizeof(pl), r->pids_limit);
	fmt_bytes(rd, sizeof(rd), r->io_read_bytes);
	fmt_bytes(wr, sizeof(wr), r->io_write_bytes);
	limits_hit(r, hit, sizeof(hit));
	fprintf(stderr,
		"husk: report: %s: wall %s, cpu user %s system %s throttled "
		"%s, memory peak %s of %s, oom kills %s, pids peak %s of %s, "
		"io read %s written %s%s%s\n",
		id, wall, user, sys, thr, peak, lim, oom, pk, pl, rd, wr,
		*hit ? "; hit: " : "", hit);
}

/* JSON: null for what the host cannot tell, null limits for "none". */
static json_t *num(int64_t v)
{
	return v < 0 || v == INT64_MAX ? json_null() : json_integer(v);
}

static int write_json(const char *file, const char *id, int status,
		      const struct rt_report *r)
{
	/* Where the figures come from: the cgroup, or (with no cgroup of
	 * its own) the CPU times wait4(2) gave; null when nothing was read. */
	const char *source = NULL;
	json_t *o;

	if (r->valid)
		source = "cgroup";
	else if (r->no_cgroup)
		source = "wait4";
	o = json_pack(
	    "{s:s, s:i, s:b, s:b, s:o, s:I, s:{s:o, s:o, s:o, s:o, s:o},"
	    " s:{s:o, s:o, s:o}, s:{s:o, s:o}, s:{s:o, s:o}}",
	    "id", id, "exit_status", status, "timed_out", r->timed_out,
	    "counters_read", r->valid, "source",
	    source ? json_string(source) : json_null(), "wall_usec",
	    (json_int_t)r->wall_usec,
	    "cpu", "user_usec", num(r->cpu_user_usec), "system_usec",
	    num(r->cpu_system_usec), "throttled_usec",
	    num(r->cpu_throttled_usec), "quota_usec", num(r->cpu_quota_usec),
	    "period_usec", num(r->cpu_period_usec), "memory", "peak_bytes",
	    num(r->memory_peak), "limit_bytes", num(r->memory_limit),
	    "oom_kills", num(r->oom_kills), "pids", "peak", num(r->pids_peak),
	    "limit", num(r->pids_limit), "io", "read_bytes",
	    num(r->io_read_bytes), "write_bytes", num(r->io_write_bytes));

	if (!o || json_dump_file(o, file, JSON_INDENT(2)) < 0) {
		json_decref(o);
		return cli_usage_error("--report=json: cannot write '%s'",
				       file);
	}
	json_decref(o);
	return 0;
}

int cli_report_emit(const struct cli_report *c, const char *id, int status,
		    const struct rt_report *r)
{
	if (!c->on)
		return 0;
	if (c->json_file)
		return write_json(c->json_file, id, status, r);
	print_human(id, r);
	return 0;
}

/* ---- husk sandbox ------------------------------------------------------ */

static void sandbox_help(void)
{
	printf("usage: husk sandbox [OPTIONS] -- COMMAND [ARG...]\n\n"
	       "Run a host command in a new container: the host's / "
	       "read-only,\nthe current directory writable, a fresh /tmp, "
	       "no network.\n\n"
	       "  --rootfs DIR            the root instead of the host's /\n"
	       "  --ro                    the current directory read-only too\n"
	       "  --net none|host         network namespace (default none)\n"
	       "  --memory SIZE           memory limit (512M, 2G)\n"
	       "  --cpus N                CPU limit (1.5 = one and a half)\n"
	       "  --pids N                process limit\n"
	       "  --timeout DURATION      SIGTERM after it (10m, 30s), then\n"
	       "                          SIGKILL; exit status 124\n"
	       "  --kill-after DURATION   grace after SIGTERM (default 10s)\n"
	       "  --env K=V, --env K      set a variable (K: the caller's)\n"
	       "  --env-inherit           pass the whole environment\n"
	       "  --bind SRC[:DST[:ro]]   bind a host path (DST default SRC)\n"
	       "  --hostname NAME         (default sandbox)\n"
	       "  --cap-add CAP, --cap-drop CAP   change docker's default "
	       "set\n"
	       "  --seccomp default|unconfined|FILE\n"
	       "  --cgroup-path PATH      cgroupsPath (default: under husk's "
	       "own)\n"
	       "  --init                  husk's init as PID 1\n"
	       "  --report, --report=json FILE   what the command used\n"
	       "  --print-spec            print the config.json and exit\n");
}

enum {
	S_ROOTFS = 256,
	S_RO,
	S_NET,
	S_MEMORY,
	S_CPUS,
	S_PIDS,
	S_TIMEOUT,
	S_KILL_AFTER,
	S_ENV,
	S_ENV_INHERIT,
	S_BIND,
	S_HOSTNAME,
	S_CAP_ADD,
	S_CAP_DROP,
	S_SECCOMP,
	S_CGROUP,
	S_INIT,
	S_REPORT,
	S_PRINT,
	S_HELP,
};

static const struct option sandbox_opts[] = {
    {"rootfs", required_argument, NULL, S_ROOTFS},
    {"ro", no_argument, NULL, S_RO},
    {"net", required_argument, NULL, S_NET},
    {"memory", required_argument, NULL, S_MEMORY},
    {"cpus", required_argument, NULL, S_CPUS},
    {"pids", required_argument, NULL, S_PIDS},
    {"timeout", required_argument, NULL, S_TIMEOUT},
    {"kill-after", required_argument, NULL, S_KILL_AFTER},
    {"env", required_argument, NULL, S_ENV},
    {"env-inherit", no_argument, NULL, S_ENV_INHERIT},
    {"bind", required_argument, NULL, S_BIND},
    {"hostname", required_argument, NULL, S_HOSTNAME},
    {"cap-add", required_argument, NULL, S_CAP_ADD},
    {"cap-drop", required_argument, NULL, S_CAP_DROP},
    {"seccomp", required_argument, NULL, S_SECCOMP},
    {"cgroup-path", required_argument, NULL, S_CGROUP},
    {"init", no_argument, NULL, S_INIT},
    {"report", optional_argument, NULL, S_REPORT},
    {"print-spec", no_argument, NULL, S_PRINT},
    {"help", no_argument, NULL, S_HELP},
    {NULL, 0, NULL, 0},
};

struct sandbox_cli {
	struct rt_sandbox s;
	struct cli_report report;
	int64_t timeout_ms, kill_after_ms;
	bool print;
};

static int sandbox_option(struct sandbox_cli *x, int c, int argc, char **argv)
{
	struct rt_sandbox *s = &x->s;
	double cpus;
	char *end;

	switch (c) {
	case S_ROOTFS:
		s->rootfs = optarg;
		return 0;
	case S_RO:
		s->ro = true;
		return 0;
	case S_NET:
		if (!strcmp(optarg, "none"))
			s->net = RT_NET_NONE;
		else if (!strcmp(optarg, "host"))
			s->net = RT_NET_HOST;
		else
			return cli_usage_error("--net: expected none or host, "
					       "got '%s'",
					       optarg);
		return 0;
	case S_MEMORY:
		if (parse_size(optarg, &s->memory) < 0 || s->memory == 0)
			return cli_usage_error("--memory: expected a size "
					       "like 512M or 2G, got '%s'",
					       optarg);
		return 0;
	case S_CPUS:
		cpus = strtod(optarg, &end);
		if (end == optarg || *end || !(cpus >= 0.01 && cpus <= 4096))
			return cli_usage_error("--cpus: expected a number of "
					       "CPUs like 1.5, got '%s'",
					       optarg);
		s->cpu_period = 100000;
		s->cpu_quota = (int64_t)(cpus * 100000 + 0.5);
		return 0;
	case S_PIDS:
		if (base_parse_i64(optarg, &s->pids) < 0 || s->pids <= 0)
			return cli_usage_error("--pids: expected a positive "
					       "number, got '%s'",
					       optarg);
		return 0;
	case S_TIMEOUT:
	case S_KILL_AFTER: {
		int64_t *ms =
		    c == S_TIMEOUT ? &x->timeout_ms : &x->kill_after_ms;

		if (parse_duration_ms(optarg, ms) < 0)
			return cli_usage_error(
			    "--%s: expected a duration like "
			    "10m, 30s or 500ms, got '%s'",
			    c == S_TIMEOUT ? "timeout" : "kill-after", optarg);
		return 0;
	}
	case S_ENV:
		s->env[s->nenv++] = optarg;
		return 0;
	case S_ENV_INHERIT:
		s->env_inherit = true;
		return 0;
	case S_BIND:
		s->binds[s->nbinds++] = optarg;
		return 0;
	case S_HOSTNAME:
		s->hostname = optarg;
		return 0;
	case S_CAP_ADD:
		s->cap_add[s->ncap_add++] = optarg;
		return 0;
	case S_CAP_DROP:
		s->cap_drop[s->ncap_drop++] = optarg;
		return 0;
	case S_SECCOMP:
		if (!strcmp(optarg, "default"))
			s->seccomp = RT_SECCOMP_DEFAULT;
		else if (!strcmp(optarg, "unconfined"))
			s->seccomp = RT_SECCOMP_UNCONFINED;
		else {
			s->seccomp = RT_SECCOMP_FILE;
			s->seccomp_file = optarg;
		}
		return 0;
	case S_CGROUP:
		s->cgroup_path = optarg;
		return 0;
	case S_INIT:
		s->init = true;
		return 0;
	case S_REPORT:
		return cli_report_option(optarg, argc, argv, &x->report);
	case S_PRINT:
		x->print = true;
		return 0;
	case S_HELP:
		sandbox_help();
		exit(0);
	default:
		return cli_usage_error("sandbox: unknown option '%s' (see "
				       "'husk sandbox --help')",
				       argv[optind - 1]);
	}
}

int cmd_sandbox(int argc, char **argv)
{
	struct sandbox_cli x = {
	    .s = {.memory = -1, .cpu_quota = -1, .cpu_period = -1, .pids = -1},
	    .kill_after_ms = 10000};
	struct rt_opts o = {0};
	struct rt_report report;
	struct herr e = {0};
	_cleanup_free_ char *spec = NULL, *id = NULL;
	_cleanup_free_ char **env = xcalloc((size_t)argc, sizeof(char *));
	_cleanup_free_ char **binds = xcalloc((size_t)argc, sizeof(char *));
	_cleanup_free_ char **add = xcalloc((size_t)argc, sizeof(char *));
	_cleanup_free_ char **drop = xcalloc((size_t)argc, sizeof(char *));
	int c, status;

	x.s.env = env;
	x.s.binds = binds;
	x.s.cap_add = add;
	x.s.cap_drop = drop;
	/* '+': the command's own options are never ours, even without --. */
	while ((c = getopt_long(argc, argv, "+h", sandbox_opts, NULL)) != -1) {
		if (c == 'h')
			c = S_HELP;
		if (sandbox_option(&x, c, argc, argv) != 0)
			return 1;
	}
	x.s.args = argv + optind;
	x.s.rootless = cli_rootless();
	spec = rt_sandbox_spec(&x.s, &e);
	if (!spec)
		return cli_error(&e);
	if (x.print) {
		fputs(spec, stdout);
		return 0;
	}
	id = xasprintf("sandbox-%d", (int)getpid());
	o.root = cli_g.root;
	o.id = id;
	o.bundle = "/";
	o.config_json = spec;
	o.rootless = x.s.rootless;
	o.timeout_ms = x.timeout_ms;
	o.kill_after_ms = x.kill_after_ms;
	o.report = x.report.on ? &report : NULL;
	if (rt_run(&o, &status, &e) < 0) {
		cli_error(&e);
		return status == 126 || status == 127 ? status : 1;
	}
	if (cli_report_emit(&x.report, id, status, &report) != 0 && status == 0)
		return 1;
	return status;
}
