/* libFuzzer target for the bundle parser: any bytes given to
 * rt_config_parse() must either parse (and free cleanly) or be refused
 * with a message — never crash, leak, overrun or hit undefined behaviour.
 *
 * The bundle is a temporary directory with a rootfs/ inside, so configs
 * with a relative root.path ("rootfs") get past the rootfs check and the
 * rest of the parser is reached.  A config that parses also goes through
 * the seccomp compiler (BPF made, never loaded).  Built and run by
 * tests/fuzz/run.sh. */
#include "../../runtime/config.h"
#include "../../runtime/process.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char bundle[PATH_MAX], rootfs[PATH_MAX + 8];

/* libFuzzer ends with exit(): leave no temporary bundle behind. */
static void remove_bundle(void)
{
	rmdir(rootfs);
	rmdir(bundle);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(bundle, sizeof(bundle), "%s/husk-fuzz-bundle.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(bundle))
		abort();
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
	if (mkdir(rootfs, 0755) < 0)
		abort();
	atexit(remove_bundle);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_config c;
	struct herr e = {0};

	if (rt_config_parse(&c, (const char *)data, size, "config.json", bundle,
			    &e) == 0) {
		/* A parsed config keeps its invariants. */
		if (!c.root_path || c.root_path[0] != '/' ||
		    (c.has_process && (!c.process.args || !c.process.nargs ||
				       c.process.args[c.process.nargs])))
			abort();
		/* The seccomp translation: libseccomp either compiles what
		 * the parser let through or refuses it with a message. */
		if (c.seccomp) {
			struct rt_bpf bpf;

			memset(&e, 0, sizeof(e));
			if (rt_seccomp_compile(c.seccomp, NULL, &bpf, &e) == 0)
				rt_bpf_free(&bpf);
			else if (!e.msg[0])
				abort();
		}
		rt_config_free(&c);
	} else if (!e.msg[0] || strncmp(e.msg, "config.json: ", 13) != 0) {
		/* Every refusal names the file. */
		abort();
	}
	return 0;
}
