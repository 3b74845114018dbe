/* Unit tests for runtime/bundle*.c and runtime/spec.c: a full config read
 * field by field, refusals that name the JSON path, mount options,
 * relative paths, wide integers, and `husk spec` round trips.
 *
 * Configs are written with single quotes for readability; cfg() turns
 * them into double quotes before parsing. */
#include "../../runtime/bundle.h"
#include "../../runtime/config.h"
#include "../../runtime/runtime.h"
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>

static char dir[PATH_MAX];

static char *quotes(const char *s)
{
	char *t = xstrdup(s);

	for (char *q = t; *q; q++)
		if (*q == '\'')
			*q = '"';
	return t;
}

static int parse(struct rt_config *c, const char *json, struct herr *e)
{
	char *t = quotes(json);
	int r;

	memset(e, 0, sizeof(*e));
	r = rt_config_parse(c, t, strlen(t), "config.json", dir, e);
	free(t);
	return r;
}

/* The smallest valid config, with room for more fields in each object. */
#define CFG(proc, top, lx)                                                     \
	"{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'},"                  \
	" 'process': {'user': {'uid': 0, 'gid': 0}, 'cwd': '/'" proc "}" top   \
	", 'linux': {" lx "}}"
#define ARGS ", 'args': ['sh']"
#define NS   "'namespaces': [{'type': 'mount'}, {'type': 'uts'}]"

static const char full[] =
    "{'ociVersion': '1.2.0',"
    " 'root': {'path': 'rootfs', 'readonly': true},"
    " 'hostname': 'box', 'domainname': 'example.org',"
    " 'process': {'terminal': true,"
    "  'consoleSize': {'height': 25, 'width': 80},"
    "  'user': {'uid': 1000, 'gid': 100, 'umask': 18,"
    "           'additionalGids': [5, 6]},"
    "  'args': ['/bin/sh', '-c', 'echo hi'],"
    "  'env': ['PATH=/bin', 'TERM=xterm'], 'cwd': '/home',"
    "  'capabilities': {'bounding': ['CAP_KILL', 'CAP_SYS_ADMIN'],"
    "   'effective': ['CAP_KILL'], 'inheritable': [],"
    "   'permitted': ['CAP_KILL', 'CAP_CHECKPOINT_RESTORE'],"
    "   'ambient': ['CAP_NET_RAW']},"
    "  'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': 4096},"
    "   {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 18446744073709551615}],"
    "  'noNewPrivileges': true, 'oomScoreAdj': -500,"
    "  'apparmorProfile': 'unconfined', 'selinuxLabel': 'system_u'},"
    " 'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
    "  {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',"
    "   'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},"
    "  {'destination': '/data', 'type': 'bind', 'source': 'data',"
    "   'options': ['rbind', 'ro', 'rprivate']},"
    "  {'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs',"
    "   'options': ['tmpcopyup', 'ro', 'rw', 'noatime', 'atime', 'nodev']}],"
    " 'hooks': {'prestart': [{'path': '/bin/true', 'args': ['true', 'x'],"
    "   'env': ['A=1'], 'timeout': 5}],"
    "  'poststop': [{'path': '/bin/false'}, {'path': '/bin/echo'}]},"
    " 'annotations': {'org.example.key': 'value', 'b': ''},"
    " 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'network',"
    "   'path': '/proc/1/ns/net'}, {'type': 'mount'}, {'type': 'uts'},"
    "   {'type': 'ipc'}, {'type': 'user'}, {'type': 'cgroup'},"
    "   {'type': 'time'}],"
    "  'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "  'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 1}],"
    "  'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10,"
    "   'minor': 229, 'fileMode': 438, 'uid': 0, 'gid': 0},"
    "   {'path': '/dev/fifo', 'type': 'p'}],"
    "  'cgroupsPath': '/husk-test/full',"
    "  'resources': {'memory': {'limit': 536870912, 'reservation': -1,"
    "    'swap': 1073741824, 'kernel': 1, 'swappiness': 60,"
    "    'disableOOMKiller': true},"
    "   'cpu': {'shares': 512, 'quota': 50000, 'period': 100000,"
    "    'cpus': '0-1', 'mems': '0', 'idle': 1},"
    "   'pids': {'limit': 100},"
    "   'blockIO': {'weight': 500, 'weightDevice': [{'major': 8,"
    "     'minor': 0, 'weight': 300}],"
    "    'throttleReadBpsDevice': [{'major': 8, 'minor': 0,"
    "     'rate': 1048576}]},"
    "   'hugepageLimits': [{'pageSize': '2MB', 'limit': 0}],"
    "   'unified': {'memory.high': '400000000'},"
    "   'devices': [{'allow': false, 'access': 'rwm'},"
    "    {'allow': true, 'type': 'c', 'major': 1, 'minor': 3,"
    "     'access': 'rw'}]},"
    "  'rootfsPropagation': 'rslave',"
    "  'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys'],"
    "  'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.shmmax': '100'},"
    "  'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO',"
    "   'defaultErrnoRet': 38,"
    "   'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
    "   'flags': ['SECCOMP_FILTER_FLAG_LOG'],"
    "   'listenerPath': '/run/agent.sock', 'listenerMetadata': 'md',"
    "   'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
    "    {'names': ['clone'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1,"
    "     'args': [{'index': 0, 'value': 2114060288, 'valueTwo': 0,"
    "       'op': 'SCMP_CMP_MASKED_EQ'}]},"
    "    {'names': ['mount'], 'action': 'SCMP_ACT_NOTIFY'},"
    "    {'names': ['nosuchcall'], 'action': 'SCMP_ACT_KILL_PROCESS'}]},"
    "  'timeOffsets': {'monotonic': {'secs': -5, 'nanosecs': 7},"
    "   'boottime': {'secs': 86400}},"
    "  'mountLabel': 'mlabel', 'personality': {'domain': 'LINUX32'}}}";

static uint64_t bit(int cap)
{
	return UINT64_C(1) << cap;
}

static void test_full(void)
{
	struct rt_config c;
	struct herr e;
	char rootfs[PATH_MAX + 8], data[PATH_MAX + 8];
	const struct rt_process *p = &c.process;
	const struct cg_resources *r = &c.resources;
	const struct rt_seccomp *s;

	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	snprintf(data, sizeof(data), "%s/data", dir);
	CHECK(parse(&c, full, &e) == 0);
	if (e.msg[0])
		fprintf(stderr, "full config: %s\n", e.msg);
	CHECK_STR(c.oci_version, "1.2.0");
	CHECK_STR(c.root_path, rootfs);
	CHECK_STR(c.bundle, dir);
	CHECK(c.root_readonly);
	CHECK_STR(c.hostname, "box");
	CHECK_STR(c.domainname, "example.org");

	CHECK(c.has_process && p->terminal);
	CHECK(p->console_height == 25 && p->console_width == 80);
	CHECK(p->user.uid == 1000 && p->user.gid == 100);
	CHECK(p->user.has_umask && p->user.umask == 022);
	CHECK(p->user.nadditional_gids == 2 && p->user.additional_gids[1] == 6);
	CHECK(p->nargs == 3 && p->args[3] == NULL);
	CHECK_STR(p->args[2], "echo hi");
	CHECK(p->nenv == 2 && p->env[2] == NULL);
	CHECK_STR(p->env[1], "TERM=xterm");
	CHECK_STR(p->cwd, "/home");
	CHECK(p->caps.present);
	CHECK(p->caps.bounding == (bit(CAP_KILL) | bit(CAP_SYS_ADMIN)));
	CHECK(p->caps.effective == bit(CAP_KILL));
	CHECK(p->caps.inheritable == 0);
	CHECK(p->caps.permitted == (bit(CAP_KILL) | bit(40)));
	CHECK(p->caps.ambient == bit(CAP_NET_RAW));
	CHECK(p->nrlimits == 2 && p->rlimits[0].resource == RLIMIT_NOFILE);
	CHECK(p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 4096);
	CHECK(p->rlimits[1].resource == RLIMIT_CORE &&
	      p->rlimits[1].hard == UINT64_MAX);
	CHECK(p->no_new_privileges);
	CHECK(p->has_oom_score_adj && p->oom_score_adj == -500);
	CHECK_STR(p->apparmor_profile, "unconfined");
	CHECK_STR(p->selinux_label, "system_u");

	CHECK(c.nmounts == 4);
	CHECK_STR(c.mounts[0].type, "proc");
	CHECK(!c.mounts[0].bind && c.mounts[0].flags == 0);
	CHECK(c.mounts[1].flags == (MS_NOSUID | MS_STRICTATIME));
	CHECK_STR(c.mounts[1].data, "mode=755,size=65536k");
	CHECK(c.mounts[2].bind && c.mounts[2].recursive);
	CHECK_STR(c.mounts[2].source, data);
	CHECK(c.mounts[2].flags == MS_RDONLY);
	CHECK(c.mounts[2].propagation == (MS_PRIVATE | MS_REC));
	CHECK(c.mounts[2].data == NULL);
	/* rw after ro clears MS_RDONLY; atime after noatime clears
	 * MS_NOATIME; both are remembered as explicitly cleared. */
	CHECK(c.mounts[3].tmpcopyup && !c.mounts[3].bind);
	CHECK(c.mounts[3].flags == MS_NODEV);
	CHECK(c.mounts[3].clear_flags == (MS_RDONLY | MS_NOATIME));

	CHECK(c.nhooks[RT_HOOK_PRESTART] == 1);
	CHECK_STR(c.hooks[RT_HOOK_PRESTART][0].path, "/bin/true");
	CHECK_STR(c.hooks[RT_HOOK_PRESTART][0].args[1], "x");
	CHECK_STR(c.hooks[RT_HOOK_PRESTART][0].env[0], "A=1");
	CHECK(c.hooks[RT_HOOK_PRESTART][0].timeout == 5);
	CHECK(c.nhooks[RT_HOOK_POSTSTOP] == 2 &&
	      c.hooks[RT_HOOK_POSTSTOP][1].timeout == 0);
	CHECK(c.nhooks[RT_HOOK_CREATE_RUNTIME] == 0);
	CHECK(c.nannotations == 2);
	CHECK_STR(c.annotations[0].key, "org.example.key");
	CHECK_STR(c.annotations[1].value, "");

	for (int t = 0; t < NS__COUNT; t++)
		CHECK(c.ns[t].wanted);
	CHECK_STR(c.ns[NS_NET].path, "/proc/1/ns/net");
	CHECK(c.ns[NS_PID].path == NULL);
	CHECK(c.nuid_mappings == 1 && c.uid_mappings[0].host_id == 100000 &&
	      c.uid_mappings[0].size == 65536);
	CHECK(c.ngid_mappings == 1 && c.gid_mappings[0].host_id == 200000);
	CHECK(c.ndevices == 2 && c.devices[0].type == 'c');
	CHECK(c.devices[0].major == 10 && c.devices[0].minor == 229 &&
	      c.devices[0].mode == 0666);
	CHECK(c.devices[1].type == 'p' && c.devices[1].mode == 0666);
	CHECK_STR(c.cgroups_path, "/husk-test/full");

	CHECK(c.has_resources);
	CHECK(r->memory_limit == 536870912 && r->memory_reservation == -1);
	CHECK(r->memory_swap == 1073741824 && r->memory_swappiness == 60);
	CHECK(r->memory_disable_oom_killer);
	CHECK(r->cpu_shares == 512 && r->cpu_quota == 50000 &&
	      r->cpu_period == 100000 && r->cpu_idle == 1);
	CHECK(r->cpu_realtime_runtime == CG_UNSET);
	CHECK_STR(r->cpus, "0-1");
	CHECK_STR(r->mems, "0");
	CHECK(r->pids_limit == 100 && r->blkio_weight == 500);
	CHECK(r->blkio_leaf_weight == CG_UNSET);
	CHECK(r->nblkio_weight_devices == 1 &&
	      r->blkio_weight_devices[0].weight == 300 &&
	      r->blkio_weight_devices[0].leaf_weight == 0);
	CHECK(r->nthrottle_read_bps == 1 &&
	      r->throttle_read_bps[0].rate == 1048576);
	CHECK(r->nthrottle_write_bps == 0 && r->throttle_write_bps == NULL);
	CHECK(r->nhugepages == 1);
	CHECK_STR(r->hugepages[0].pagesize, "2MB");
	CHECK(r->nunified == 1);
	CHECK_STR(r->unified[0].value, "400000000");
	CHECK(r->ndevices == 2 && !r->devices[0].allow &&
	      r->devices[0].type == 'a' && r->devices[0].major == -1);
	CHECK(r->devices[1].allow && r->devices[1].type == 'c' &&
	      r->devices[1].minor == 3);
	CHECK_STR(r->devices[1].access, "rw");

	CHECK(c.rootfs_propagation == (MS_SLAVE | MS_REC));
	CHECK(c.nmasked_paths == 1 && c.nreadonly_paths == 1);
	CHECK_STR(c.readonly_paths[0], "/proc/sys");
	CHECK(c.nsysctls == 2);
	CHECK_STR(c.sysctls[1].key, "kernel.shmmax");

	s = c.seccomp;
	CHECK(s != NULL);
	if (s) {
		CHECK(s->default_action == SCMP_ACT_ERRNO(0));
		CHECK(s->has_default_errno_ret && s->default_errno_ret == 38);
		CHECK(s->narchitectures == 2);
		CHECK_STR(s->architectures[1], "SCMP_ARCH_X86");
		CHECK_STR(s->flags[0], "SECCOMP_FILTER_FLAG_LOG");
		CHECK_STR(s->listener_path, "/run/agent.sock");
		CHECK_STR(s->listener_metadata, "md");
		CHECK(s->nrules == 4 && s->rules[0].nnames == 2);
		CHECK(s->rules[0].action == SCMP_ACT_ALLOW &&
		      !s->rules[0].has_errno_ret);
		CHECK(s->rules[1].has_errno_ret && s->rules[1].errno_ret == 1);
		CHECK(s->rules[1].nargs == 1 &&
		      s->rules[1].args[0].op == SCMP_CMP_MASKED_EQ &&
		      s->rules[1].args[0].value == 2114060288);
		CHECK(s->rules[2].action == SCMP_ACT_NOTIFY);
		CHECK(s->rules[3].action == SCMP_ACT_KILL_PROCESS);
		CHECK_STR(s->rules[3].names[0], "nosuchcall");
	}
	CHECK(c.has_time_offsets && c.time_offsets_monotonic_secs == -5 &&
	      c.time_offsets_monotonic_nanosecs == 7 &&
	      c.time_offsets_boottime_secs == 86400);
	CHECK_STR(c.mount_label, "mlabel");
	CHECK_STR(c.personality_domain, "LINUX32");
	rt_config_free(&c);
	CHECK(c.path == NULL && c.mounts == NULL);
}

/* Each bad config and a piece of the message it must give. */
static const struct {
	const char *json, *want;
} bad[] = {
    {CFG(", 'args': []", "", NS),
     "config.json: .process.args: expected a non-empty array of strings"},
    {CFG(ARGS,
	 ", 'mounts': [{'destination': '/a', 'type': 'tmpfs'},"
	 " {'destination': '/b', 'type': 'tmpfs'},"
	 " {'destination': 'c', 'type': 'tmpfs'}]",
	 NS),
     "config.json: .mounts[2].destination: must be an absolute path"},
    {CFG(ARGS, "", "'namespaces': [{'type': 'mount'}, {'type': 'pidd'}]"),
     ".linux.namespaces[1].type: unknown namespace 'pidd'"},
    {CFG(ARGS ", 'capabilities': {'bounding': ['CAP_FOO']}", "", NS),
     ".process.capabilities.bounding[0]: unknown capability 'CAP_FOO'"},
    {CFG(ARGS ", 'capabilities': {'ambient': ['CAP_KILL', 7]}", "", NS),
     ".process.capabilities.ambient[1]: expected a string, got an "
     "integer"},
    {"{'ociVersion': '2.0.0', 'root': {'path': 'rootfs'}}",
     ".ociVersion: unsupported version '2.0.0'"},
    {"{'ociVersion': '1.10.0', 'root': {'path': 'rootfs'}}",
     ".ociVersion: unsupported version"},
    {"{'root': {'path': 'rootfs'}}", ".ociVersion: required field"},
    {"{'ociVersion': '1.0.2'}", "config.json: .root: required field"},
    {"{'ociVersion': '1.0.2', 'root': {'path': 'nope'}}",
     ".root.path: rootfs '"},
    {"{'ociVersion': '1.0.2', 'root': {'path': '/etc/passwd'}}",
     "is not a directory"},
    {CFG(ARGS ", 'env': ['A=1', 'B']", "", NS),
     ".process.env[1]: expected \"KEY=value\", got 'B'"},
    {"{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process':"
     " {'user': {'uid': 0, 'gid': 0}, 'args': ['sh'], 'cwd': 'home'}}",
     ".process.cwd: must be an absolute path"},
    {"{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process':"
     " {'args': ['sh'], 'cwd': '/'}}",
     ".process.user: required field is missing"},
    {"{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process':"
     " {'user': {'uid': -1, 'gid': 0}, 'args': ['sh'], 'cwd': '/'}}",
     ".process.user.uid: must not be negative"},
    {"{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process':"
     " {'user': {'uid': 1.5, 'gid': 0}, 'args': ['sh'], 'cwd': '/'}}",
     ".process.user.uid: expected an integer, got a fractional number"},
    {"{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process':"
     " {'user': {'uid': 0, 'gid': 4294967296}, 'args': ['sh'],"
     " 'cwd': '/'}}",
     ".process.user.gid: must be at most 4294967295"},
    {CFG(ARGS ", 'terminal': 'yes'", "", NS),
     ".process.terminal: expected true or false, got a string"},
    {CFG(ARGS ", 'rlimits': [{'type': 'RLIMIT_FOO', 'soft': 1,"
	      " 'hard': 1}]",
	 "", NS),
     ".process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'"},
    {CFG(ARGS ", 'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 10,"
	      " 'hard': 5}]",
	 "", NS),
     ".process.rlimits[0].soft: soft limit 10 is above the hard"},
    {CFG(ARGS ", 'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1,"
	      " 'hard': 1}, {'type': 'RLIMIT_NOFILE', 'soft': 1,"
	      " 'hard': 1}]",
	 "", NS),
     ".process.rlimits[1].type: duplicate rlimit"},
    {CFG(ARGS ", 'oomScoreAdj': 1001", "", NS),
     ".process.oomScoreAdj: must be between -1000 and 1000"},
    {CFG(ARGS, ", 'hooks': {'prestart': [{'path': 'hook'}]}", NS),
     ".hooks.prestart[0].path: must be an absolute path"},
    {CFG(ARGS, ", 'hooks': {'poststop': [{'path': '/h', 'timeout': 0}]}", NS),
     ".hooks.poststop[0].timeout: must be between 1 and"},
    {CFG(ARGS, ", 'annotations': {'a': 1}", NS),
     ".annotations[\"a\"]: expected a string, got an integer"},
    {CFG(ARGS, ", 'mounts': [{'destination': '/x', 'options': ['bind']}]", NS),
     ".mounts[0].source: a bind mount needs a source"},
    {CFG(ARGS, ", 'mounts': [{'destination': '/x', 'source': 'x'}]", NS),
     ".mounts[0].type: required unless the mount is a bind mount"},
    {CFG(ARGS, "",
	 "'namespaces': [{'type': 'mount'}, {'type': 'uts'},"
	 " {'type': 'mount'}]"),
     ".linux.namespaces[2].type: duplicate namespace 'mount'"},
    {CFG(ARGS, "",
	 NS ", 'uidMappings': [{'containerID': 0, 'hostID': 1,"
	    " 'size': 1}]"),
     ".linux.uidMappings: needs a user namespace"},
    {CFG(ARGS, "",
	 "'namespaces': [{'type': 'user'}], 'uidMappings':"
	 " [{'containerID': 0, 'hostID': 1, 'size': 1}]"),
     ".linux.gidMappings: required to create a new user namespace"},
    {CFG(ARGS, "",
	 "'namespaces': [{'type': 'user'}], 'gidMappings':"
	 " [{'containerID': 0, 'hostID': 1, 'size': 0}]"),
     ".linux.gidMappings[0].size: must be at least 1"},
    {CFG(ARGS, ", 'hostname': 'h'", "'namespaces': [{'type': 'mount'}]"),
     "config.json: .hostname: needs a uts namespace"},
    {CFG(ARGS, "", "'maskedPaths': ['/proc/kcore']"),
     ".linux.maskedPaths: needs a mount namespace"},
    {CFG(ARGS, "", NS ", 'readonlyPaths': ['proc/sys']"),
     ".linux.readonlyPaths[0]: must be an absolute path"},
    {CFG(ARGS, "", NS ", 'devices': [{'path': '/dev/x', 'type': 'x'}]"),
     ".linux.devices[0].type: unknown device type 'x'"},
    {CFG(ARGS, "", NS ", 'devices': [{'path': '/dev/x', 'type': 'c'}]"),
     ".linux.devices[0].major: required field is missing"},
    {CFG(ARGS, "", NS ", 'rootfsPropagation': 'sideways'"),
     ".linux.rootfsPropagation: unknown propagation 'sideways'"},
    {CFG(ARGS, "", NS ", 'resources': {'memory': {'limit': -2}}"),
     ".linux.resources.memory.limit: must be between -1 and"},
    {CFG(ARGS, "", NS ", 'resources': {'pids': {}}"),
     ".linux.resources.pids.limit: required field is missing"},
    {CFG(ARGS, "",
	 NS ", 'resources': {'devices': [{'allow': true,"
	    " 'access': 'rwx'}]}"),
     ".linux.resources.devices[0].access: expected some of 'rwm'"},
    {CFG(ARGS, "", NS ", 'resources': {'unified': {'../x': '1'}}"),
     "config.json: .linux.resources.unified[\"../x\"]"},
    {CFG(ARGS, "", NS ", 'sysctl': {'kernel.shmmax': '1'}"),
     ".linux.sysctl[\"kernel.shmmax\"]: refused: it needs an ipc "
     "namespace"},
    {CFG(ARGS, "", NS ", 'sysctl': {'vm.swappiness': '1'}"),
     ".linux.sysctl[\"vm.swappiness\"]: refused"},
    {CFG(ARGS, "", NS ", 'sysctl': {'net/../../x': '1'}"),
     "invalid sysctl name"},
    {CFG(ARGS, "",
	 NS ", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
	    " 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_FOO'}]}"),
     ".linux.seccomp.syscalls[0].action: unknown action 'SCMP_ACT_FOO'"},
    {CFG(ARGS, "",
	 NS ", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
	    " 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG',"
	    " 'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_XX'}]}]}"),
     ".linux.seccomp.syscalls[0].args[0].op: unknown operator"},
    {CFG(ARGS, "",
	 NS ", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
	    " 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW',"
	    " 'errnoRet': 1}]}"),
     ".linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO"},
    {CFG(ARGS, "",
	 NS ", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
	    " 'architectures': ['SCMP_ARCH_Z80']}"),
     ".linux.seccomp.architectures[0]: unknown architecture"},
    {CFG(ARGS, "",
	 NS ", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
	    " 'syscalls': [{'names': ['read'],"
	    " 'action': 'SCMP_ACT_NOTIFY'}]}"),
     ".linux.seccomp.listenerPath: required"},
    {CFG(ARGS, "", NS ", 'timeOffsets': {'monotonic': {'secs': 1}}"),
     ".linux.timeOffsets: needs a new time namespace"},
    {CFG(ARGS, "", NS ", 'personality': {'domain': 'BSD'}"),
     ".linux.personality.domain: unknown domain 'BSD'"},
    {"[1, 2]", "config.json: .: expected an object, got an array"},
    {"{'ociVersion': '1.0.2',\n 'root': }",
     "config.json: invalid JSON at line 2"},
    {"{'ociVersion': '1.0.2', 'ociVersion': '1.0.2'}",
     "invalid JSON at line 1"},
    {CFG(ARGS ", 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 0,"
	      " 'hard': 18446744073709551616}]",
	 "", NS),
     "invalid JSON"},
    {CFG(ARGS ", 'oomScoreAdj': 18446744073709551615", "", NS),
     ".process.oomScoreAdj: must be at most 1000"},
};

static void test_bad(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct rt_config c;
		struct herr e;
		int r = parse(&c, bad[i].json, &e);

		CHECK(r == -1 && strstr(e.msg, bad[i].want) != NULL);
		if (r != -1 || !strstr(e.msg, bad[i].want))
			fprintf(stderr, "  bad[%zu]: want '%s'\n  got '%s'\n",
				i, bad[i].want, r ? e.msg : "(accepted)");
		/* A refused config leaves nothing allocated behind. */
		CHECK(c.path == NULL && c.bundle == NULL && c.seccomp == NULL);
	}
}

/* Programs that are not husk's own: a containerd-like config with a
 * relative root, and the wide-integer fallback of jansson's long long. */
static void test_relative_and_wide(void)
{
	struct rt_config c;
	struct herr e;
	char want[PATH_MAX + 8];

	snprintf(want, sizeof(want), "%s/rootfs", dir);
	CHECK(parse(&c, CFG(ARGS, "", NS), &e) == 0);
	CHECK_STR(c.root_path, want);
	CHECK(c.ns[NS_MNT].wanted && !c.ns[NS_PID].wanted);
	CHECK(!c.process.caps.present && c.process.env && !c.process.env[0]);
	CHECK(!c.has_resources && c.resources.memory_limit == CG_UNSET);
	rt_config_free(&c);

	CHECK(
	    parse(&c,
		  "{'ociVersion': '1.1.0-rc.1', 'root': {'path': '"
		  "rootfs/'}, 'mounts': [{'destination': '/x',"
		  " 'source': '/s', 'options': ['bind', '9223372036854775808',"
		  " 'x=\\\"18446744073709551615\\\"']}]}",
		  &e) == 0);
	CHECK(!c.has_process && c.nmounts == 1 && c.mounts[0].bind);
	/* A wide number inside a string is left alone. */
	CHECK_STR(c.mounts[0].data,
		  "9223372036854775808,x=\"18446744073709551615\"");
	rt_config_free(&c);
}

/* A wide literal is found wherever it starts: husk looks for its digits at
 * every 19th byte only, so try the shortest one (19 digits) at each offset
 * modulo 19. */
static void test_wide_anywhere(void)
{
	for (int pad = 0; pad < 19; pad++) {
		char json[512];
		struct rt_config c;
		struct herr e;

		snprintf(json, sizeof(json),
			 "{'ociVersion':'1.0.2','root':{'path':'rootfs'},"
			 "'process':{'user':{'uid':0,'gid':0},'cwd':'/',"
			 "'args':['sh'],'rlimits':[{'type':'RLIMIT_CORE',"
			 "'soft':0,'hard':%*s9223372036854775808}]}}",
			 pad, "");
		CHECK(parse(&c, json, &e) == 0);
		CHECK(c.process.nrlimits == 1 &&
		      c.process.rlimits[0].hard == 9223372036854775808ULL);
		rt_config_free(&c);
	}
	/* 18 digits are not wide: jansson reads them itself. */
	{
		struct rt_config c;
		struct herr e;

		CHECK(parse(&c,
			    "{'ociVersion':'1.0.2','root':{'path':'rootfs'},"
			    "'process':{'user':{'uid':0,'gid':0},'cwd':'/',"
			    "'args':['sh'],'rlimits':[{'type':'RLIMIT_CORE',"
			    "'soft':0,'hard':922337203685477580}]}}",
			    &e) == 0);
		CHECK(c.process.rlimits[0].hard == 922337203685477580ULL);
		rt_config_free(&c);
	}
}

static void write_file(const char *path, const char *text)
{
	char *t = quotes(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	CHECK(fd >= 0 && base_write_all(fd, t, strlen(t)) == 0);
	close(fd);
	free(t);
}

static void test_load(void)
{
	struct rt_config c;
	struct rt_process p;
	struct herr e;
	char path[PATH_MAX + 32], cwd[PATH_MAX];

	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_file(path, CFG(ARGS, "", NS));
	CHECK(rt_config_load(&c, dir, &e) == 0);
	CHECK_STR(c.path, path);
	rt_config_free(&c);

	/* From inside the bundle the file is just "config.json". */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL && chdir(dir) == 0);
	write_file(path, CFG(ARGS ", 'env': ['X']", "", NS));
	CHECK(rt_config_load(&c, ".", &e) == -1);
	CHECK(strncmp(e.msg, "config.json: .process.env[0]", 28) == 0);
	CHECK(chdir(cwd) == 0);

	CHECK(rt_config_load(&c, "/nonexistent-bundle", &e) == -1);
	CHECK(e.err == ENOENT);
	CHECK(strncmp(e.msg,
		      "/nonexistent-bundle/config.json: No such file or "
		      "directory",
		      56) == 0);

	/* exec --process: the object alone, paths from its top. */
	snprintf(path, sizeof(path), "%s/process.json", dir);
	write_file(path, "{'user': {'uid': 1, 'gid': 2}, 'args': ['ls'],"
			 " 'cwd': '/', 'terminal': true}");
	CHECK(rt_process_load(&p, path, &e) == 0);
	CHECK(p.terminal && p.user.uid == 1 && p.nargs == 1);
	rt_process_free(&p);
	write_file(path, "{'user': {'uid': 1, 'gid': 2}, 'args': 'ls',"
			 " 'cwd': '/'}");
	CHECK(rt_process_load(&p, path, &e) == -1);
	CHECK(strstr(e.msg, "process.json: .args: expected a non-empty") !=
	      NULL);
}

static void test_caps(void)
{
	int same = 0;

	for (int i = 0; i <= CAP_CHECKPOINT_RESTORE; i++) {
		cap_value_t v;

		if (rt_cap_name(i) && rt_cap_from_name(rt_cap_name(i)) == i &&
		    cap_from_name(rt_cap_name(i), &v) == 0 && v == i)
			same++;
	}
	/* Every name agrees with libcap's, in both directions. */
	CHECK(same == 41);
	CHECK(rt_cap_from_name("CAP_SYS_ADMIN") == 21);
	CHECK(rt_cap_from_name("CAP_FOO") == -1);
	CHECK(rt_cap_name(41) == NULL && rt_cap_name(-1) == NULL);
}

static void test_spec_default(void)
{
	for (int rootless = 0; rootless <= 1; rootless++) {
		char *text = rt_spec_default(rootless);
		struct rt_config c;
		struct herr e;
		int r = rt_config_parse(&c, text, strlen(text), "config.json",
					dir, &e);

		CHECK(r == 0);
		if (r)
			fprintf(stderr, "spec (rootless=%d): %s\n", rootless,
				e.msg);
		CHECK(strncmp(text, "{\n  \"ociVersion\": ", 18) == 0);
		CHECK(c.process.caps.bounding ==
		      (bit(CAP_AUDIT_WRITE) | bit(CAP_KILL) |
		       bit(CAP_NET_BIND_SERVICE)));
		CHECK(c.process.caps.inheritable == 0 &&
		      c.process.caps.ambient == 0);
		CHECK(c.process.nrlimits == 1 &&
		      c.process.rlimits[0].hard == 1024);
		CHECK_STR(c.hostname, "husk");
		CHECK(c.nmounts == 7 && c.ns[NS_CGROUP].wanted);
		CHECK(c.ns[NS_USER].wanted == rootless &&
		      c.ns[NS_NET].wanted == !rootless);
		CHECK(c.nmasked_paths == 10 && c.nreadonly_paths == 5);
		if (rootless) {
			CHECK(c.nuid_mappings == 1 &&
			      c.uid_mappings[0].host_id == getuid());
			CHECK(c.mounts[5].bind && c.mounts[5].recursive &&
			      (c.mounts[5].flags & MS_RDONLY));
			CHECK(!c.has_resources);
		} else {
			CHECK(c.resources.ndevices == 1 &&
			      !c.resources.devices[0].allow);
		}
		rt_config_free(&c);
		free(text);
	}
}

/* husk update: LinuxResources documents merged into a saved config. */
static void test_resources_update(void)
{
	/* A uint64 rlimit jansson cannot hold must survive the rewrite. */
	char *config = quotes(
	    CFG(ARGS ", 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': "
		     "18446744073709551615, 'soft': 1024}]",
		"",
		NS ", 'resources': {'memory': {'limit': 1048576, 'swap': "
		   "2097152}, 'cpu': {'period': 100000}}"));
	char *flags = quotes("{'cpu': {'quota': 50000}, 'pids': {'limit': 7}}");
	char *file = quotes("{'memory': {'limit': 2097152}}");
	struct rt_update_doc docs[] = {{file, "--resources r.json"},
				       {flags, "--cpu-quota, --pids-limit"}};
	struct cg_resources old, now;
	struct herr e = {0};
	char *merged = NULL;
	struct rt_config c;

	CHECK(rt_resources_update(config, strlen(config), docs, 2, &old, &now,
				  &merged, &e) == 0);
	CHECK(old.memory_limit == 1048576 && old.cpu_quota == CG_UNSET);
	/* Objects merge key by key: swap and period stay. */
	CHECK(now.memory_limit == 2097152 && now.memory_swap == 2097152);
	CHECK(now.cpu_period == 100000 && now.cpu_quota == 50000);
	CHECK(now.pids_limit == 7);
	CHECK(merged && strstr(merged, "\"hard\": 18446744073709551615"));
	CHECK(merged && !strstr(merged, "\\u0000"));
	memset(&e, 0, sizeof(e));
	CHECK(merged && rt_config_parse(&c, merged, strlen(merged),
					"config.json", dir, &e) == 0);
	if (!e.msg[0]) {
		CHECK(c.resources.pids_limit == 7);
		CHECK(c.process.nrlimits == 1 &&
		      c.process.rlimits[0].hard == UINT64_MAX);
		rt_config_free(&c);
	}
	rt_resources_free(&old);
	rt_resources_free(&now);
	free(merged);
	free(flags);
	free(file);

	/* A wrong type names the document and its own path. */
	flags = quotes("{'memory': {'limit': '1g'}}");
	docs[0] = (struct rt_update_doc){flags, "--resources r.json"};
	memset(&e, 0, sizeof(e));
	merged = NULL;
	CHECK(rt_resources_update(config, strlen(config), docs, 1, &old, &now,
				  &merged, &e) < 0);
	CHECK(strstr(e.msg, "--resources r.json: .memory.limit: expected an "
			    "integer") == e.msg);
	CHECK(merged == NULL);
	free(flags);
	/* The whole is checked after the merge: a quota needs a period,
	 * which an earlier update may have given. */
	flags = quotes("{'cpu': {'period': 10}}");
	docs[0] = (struct rt_update_doc){flags, "--cpu-period"};
	memset(&e, 0, sizeof(e));
	CHECK(rt_resources_update(config, strlen(config), docs, 1, &old, &now,
				  &merged, &e) < 0);
	CHECK(strstr(e.msg, "--cpu-period: .linux.resources.cpu.period: "
			    "must be between") == e.msg);
	free(flags);
	free(config);
}

/* The JSON path an error names: keys, indexes, map keys (cut at 64
 * bytes), popped back exactly, and a path too long for its buffer cut,
 * never overrun. */
static void test_json_path(void)
{
	struct bp p = {.len = 0};
	size_t a, b, c;
	char big[300];

	a = bp_push_key(&p, "linux");
	b = bp_push_key(&p, "seccomp");
	c = bp_push_index(&p, 0);
	bp_push_key(&p, "names");
	bp_push_index(&p, 1234567890);
	CHECK_STR(p.path, ".linux.seccomp[0].names[1234567890]");
	bp_pop(&p, c);
	CHECK_STR(p.path, ".linux.seccomp");
	bp_pop(&p, b);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bp_push_mapkey(&p, big);
	CHECK(p.len == strlen(".linux[\"") + 64 + 2 && p.path[p.len - 1] == ']');
	bp_pop(&p, b);
	bp_push_key(&p, big);
	CHECK(p.len == sizeof(p.path) - 1 && strlen(p.path) == p.len);
	bp_push_index(&p, 7); /* no room left: nothing, and no overrun */
	CHECK(p.len == sizeof(p.path) - 1 && strlen(p.path) == p.len);
	bp_pop(&p, a);
	CHECK_STR(p.path, "");
}

int main(void)
{
	char path[PATH_MAX + 16];

	test_json_path();

	snprintf(dir, sizeof(dir), "/tmp/husk-test-bundle.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	mkdir(path, 0755);

	test_full();
	test_bad();
	test_relative_and_wide();
	test_wide_anywhere();
	test_load();
	test_caps();
	test_spec_default();
	test_resources_update();

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_done("test_bundle");
}
