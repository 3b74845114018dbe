/*
 * seccomp: the OCI seccomp profile compiled to BPF in the parent, with an
 * on-disk cache, and loaded in the child last before exec (see process.h).
 *
 * Compiling a Docker-sized profile through libseccomp costs milliseconds;
 * loading the result costs microseconds.  So the parent compiles (or finds
 * the program in the cache) while the child only calls seccomp(2) — the
 * child never runs libseccomp, never allocates for it, and cannot be made
 * to compile something different from what the parent checked.
 *
 * The cache holds plain BPF that the child will hand to the kernel as the
 * container's syscall policy, so a file planted by someone else would be a
 * policy bypass.  A cache entry is used only when the directory and the
 * file are owned by our euid and writable by nobody else, the file is not
 * a symlink, and its header carries the key we computed and a SHA-256 of
 * the instructions.  Anything else is narrated and recompiled.
 */
#include "process.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* ------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4), for the cache key and the cached body digest. */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* One round.  The eight working variables rotate by one each round: the
 * caller renames them instead of moving them (a memmove per round made
 * this four times slower), so d and h are the ones that change. */
#define SHA_ROUND(a, b, c, d, e, f, g, h, i)                                   \
	do {                                                                   \
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +      \
			      ((e & f) ^ (~e & g)) + sha_k[i] + w[i];          \
		d += t1;                                                       \
		h = t1 + (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +               \
		    ((a & b) ^ (a & c) ^ (b & c));                             \
	} while (0)

static void sha_blocks_c(uint32_t hash[8], const uint8_t *p, size_t n)
{
	for (; n > 0; n--, p += 64) {
		uint32_t w[64];
		uint32_t a = hash[0], b = hash[1], c = hash[2], d = hash[3];
		uint32_t e = hash[4], f = hash[5], g = hash[6], h = hash[7];

		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)p[4 * i] << 24 |
			       (uint32_t)p[4 * i + 1] << 16 |
			       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
				      (w[i - 15] >> 3);
			uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
				      (w[i - 2] >> 10);

			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		for (int i = 0; i < 64; i += 8) {
			SHA_ROUND(a, b, c, d, e, f, g, h, i);
			SHA_ROUND(h, a, b, c, d, e, f, g, i + 1);
			SHA_ROUND(g, h, a, b, c, d, e, f, i + 2);
			SHA_ROUND(f, g, h, a, b, c, d, e, i + 3);
			SHA_ROUND(e, f, g, h, a, b, c, d, i + 4);
			SHA_ROUND(d, e, f, g, h, a, b, c, i + 5);
			SHA_ROUND(c, d, e, f, g, h, a, b, i + 6);
			SHA_ROUND(b, c, d, e, f, g, h, a, i + 7);
		}
		hash[0] += a;
		hash[1] += b;
		hash[2] += c;
		hash[3] += d;
		hash[4] += e;
		hash[5] += f;
		hash[6] += g;
		hash[7] += h;
	}
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/* The same with the CPU's SHA extensions (Intel since Goldmont and Ice
 * Lake, AMD since Zen): ten times fewer instructions.  sha256rnds2 does two
 * rounds on the state split as (A,B,E,F) and (C,D,G,H); sha256msg1/msg2
 * extend the message four words at a time. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha_blocks_ni(uint32_t hash[8], const uint8_t *p, size_t n)
{
	const __m128i bswap =
	    _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_loadu_si128((const __m128i *)&hash[0]);	 /* a b c d */
	__m128i s1 = _mm_loadu_si128((const __m128i *)&hash[4]); /* e f g h */
	__m128i s0;

	t = _mm_shuffle_epi32(t, 0xB1);	   /* b a d c */
	s1 = _mm_shuffle_epi32(s1, 0x1B);  /* h g f e */
	s0 = _mm_alignr_epi8(t, s1, 8);	   /* f e b a: ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0); /* h g d c: CDGH */
	for (; n > 0; n--, p += 64) {
		__m128i save0 = s0, save1 = s1, m[4];

		for (int i = 0; i < 4; i++)
			m[i] = _mm_shuffle_epi8(
			    _mm_loadu_si128((const __m128i *)(p + 16 * i)),
			    bswap);
		for (int i = 0; i < 16; i++) {
			__m128i wk = _mm_add_epi32(
			    m[i & 3],
			    _mm_loadu_si128((const __m128i *)&sha_k[4 * i]));

			s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
			s0 = _mm_sha256rnds2_epu32(s0, s1,
						   _mm_shuffle_epi32(wk, 0x0E));
			if (i < 12) {
				/* Words 4i+16..4i+19 from the four groups
				 * before them. */
				__m128i x = _mm_sha256msg1_epu32(
				    m[i & 3], m[(i + 1) & 3]);

				x = _mm_add_epi32(
				    x, _mm_alignr_epi8(m[(i + 3) & 3],
						       m[(i + 2) & 3], 4));
				m[i & 3] =
				    _mm_sha256msg2_epu32(x, m[(i + 3) & 3]);
			}
		}
		s0 = _mm_add_epi32(s0, save0);
		s1 = _mm_add_epi32(s1, save1);
	}
	t = _mm_shuffle_epi32(s0, 0x1B);   /* a b e f */
	s1 = _mm_shuffle_epi32(s1, 0xB1);  /* g h c d */
	s0 = _mm_blend_epi16(t, s1, 0xF0); /* a b c d */
	s1 = _mm_alignr_epi8(s1, t, 8);	   /* e f g h */
	_mm_storeu_si128((__m128i *)&hash[0], s0);
	_mm_storeu_si128((__m128i *)&hash[4], s1);
}

static bool cpu_has_sha(void)
{
	unsigned a, b, c, d;

	/* SSSE3 and SSE4.1 (leaf 1, ecx bits 9 and 19), SHA (leaf 7, ebx
	 * bit 29). */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) ||
	    !(c & (1u << 19)))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
#endif

static void (*sha_blocks)(uint32_t hash[8], const uint8_t *p, size_t n);

bool rt_sha256_accelerate(bool on)
{
	bool have = false;

#if defined(__x86_64__)
	have = cpu_has_sha();
	sha_blocks = on && have ? sha_blocks_ni : sha_blocks_c;
#else
	(void)on;
	sha_blocks = sha_blocks_c;
#endif
	return have;
}

void rt_sha256_init(struct rt_sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
				       0xa54ff53a, 0x510e527f, 0x9b05688c,
				       0x1f83d9ab, 0x5be0cd19};

	if (!sha_blocks)
		(void)rt_sha256_accelerate(true);
	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

void rt_sha256_update(struct rt_sha256 *c, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (n == 0)
		return;
	c->len += n;
	if (c->nbuf > 0) {
		size_t k = sizeof(c->buf) - c->nbuf;

		if (k > n)
			k = n;
		memcpy(c->buf + c->nbuf, p, k);
		c->nbuf += k;
		p += k;
		n -= k;
		if (c->nbuf < sizeof(c->buf))
			return;
		sha_blocks(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	/* Whole blocks straight from the caller's buffer. */
	if (n >= 64) {
		sha_blocks(c->h, p, n / 64);
		p += n & ~(size_t)63;
		n &= 63;
	}
	memcpy(c->buf, p, n);
	c->nbuf = n;
}

void rt_sha256_final(struct rt_sha256 *c, uint8_t out[32])
{
	uint64_t bits = c->len * 8;
	uint8_t pad[72] = {0x80};
	size_t npad = (c->nbuf < 56 ? 56 : 120) - c->nbuf;

	for (int i = 0; i < 8; i++)
		pad[npad + i] = bits >> (56 - 8 * i);
	rt_sha256_update(c, pad, npad + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = c->h[i] >> 24;
		out[4 * i + 1] = c->h[i] >> 16;
		out[4 * i + 2] = c->h[i] >> 8;
		out[4 * i + 3] = c->h[i];
	}
}

/* ------------------------------------------------------------------ */
/* Actions and flags. */

/* The action libseccomp takes: the errno (or ptrace message) folded in.
 * runc and crun both default a missing errnoRet to EPERM. */
static uint32_t full_action(uint32_t action, bool has_errno, uint32_t ret)
{
	uint32_t r = has_errno ? ret : EPERM;

	if ((action & 0xffff0000U) == SCMP_ACT_ERRNO(0))
		return SCMP_ACT_ERRNO(r);
	if ((action & 0xffff0000U) == SCMP_ACT_TRACE(0))
		return SCMP_ACT_TRACE(r);
	return action;
}

static const char *action_str(uint32_t a, char *buf, size_t n)
{
	switch (a & 0xffff0000U) {
	case SCMP_ACT_KILL_PROCESS:
		return "kill_process";
	case SCMP_ACT_KILL_THREAD:
		return "kill_thread";
	case SCMP_ACT_TRAP:
		return "trap";
	case SCMP_ACT_NOTIFY:
		return "notify";
	case SCMP_ACT_LOG:
		return "log";
	case SCMP_ACT_ALLOW:
		return "allow";
	case SCMP_ACT_ERRNO(0):
		snprintf(buf, n, "errno(%u)", a & 0xffffU);
		return buf;
	case SCMP_ACT_TRACE(0):
		snprintf(buf, n, "trace(%u)", a & 0xffffU);
		return buf;
	}
	snprintf(buf, n, "0x%08x", a);
	return buf;
}

static const struct {
	const char *name;
	unsigned int flag;
} filter_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

bool rt_seccomp_flag_supported(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(filter_flags); i++) {
		unsigned int f = filter_flags[i].flag;

		if (strcmp(name, filter_flags[i].name) != 0)
			continue;
		/* WAIT_KILLABLE_RECV is only valid with a listener. */
		if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
			f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* A kernel that knows the flags gets past them to the
		 * (NULL) program and fails with EFAULT; else EINVAL. */
		return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f, NULL) <
			   0 &&
		       errno == EFAULT;
	}
	return false;
}

/* The flags are not part of the BPF: they are given to seccomp(2) at load
 * time, so they are computed from the profile on every run, cached or not. */
static int parse_flags(const struct rt_seccomp *s, unsigned int *out,
		       struct herr *e)
{
	*out = 0;
	for (size_t i = 0; i < s->nflags; i++) {
		size_t j;

		for (j = 0; j < ARRAY_SIZE(filter_flags); j++)
			if (strcmp(s->flags[i], filter_flags[j].name) == 0)
				break;
		if (j == ARRAY_SIZE(filter_flags))
			return herr_set(e, EINVAL, "seccomp: unknown flag '%s'",
					s->flags[i]);
		*out |= filter_flags[j].flag;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The cache key: SHA-256 over a canonical serialisation of the profile,
 * the libseccomp version and the native architecture.  Every field is
 * length- or count-prefixed so that no two profiles serialise alike. */

static void key_u64(struct rt_sha256 *c, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = v >> (8 * i);
	rt_sha256_update(c, b, sizeof(b));
}

static void key_str(struct rt_sha256 *c, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	key_u64(c, s ? n : UINT64_MAX);
	rt_sha256_update(c, s ? s : "", n);
}

static void key_strv(struct rt_sha256 *c, char **v, size_t n)
{
	key_u64(c, n);
	for (size_t i = 0; i < n; i++)
		key_str(c, v[i]);
}

static void cache_key(const struct rt_seccomp *s, uint8_t key[32])
{
	const struct scmp_version *v = seccomp_version();
	struct rt_sha256 c;

	rt_sha256_init(&c);
	/* Bump the format string when the compiler's output changes. */
	key_str(&c, "husk seccomp cache v1, optimize=2");
	key_u64(&c, v->major);
	key_u64(&c, v->minor);
	key_u64(&c, v->micro);
	key_u64(&c, seccomp_arch_native());
	key_u64(&c, s->default_action);
	key_u64(&c, s->has_default_errno_ret);
	key_u64(&c, s->default_errno_ret);
	key_strv(&c, s->architectures, s->narchitectures);
	key_strv(&c, s->flags, s->nflags);
	key_u64(&c, s->nrules);
	for (size_t i = 0; i < s->nrules; i++) {
		const struct rt_seccomp_rule *r = &s->rules[i];

		key_strv(&c, r->names, r->nnames);
		key_u64(&c, r->action);
		key_u64(&c, r->has_errno_ret);
		key_u64(&c, r->errno_ret);
		key_u64(&c, r->nargs);
		for (size_t j = 0; j < r->nargs; j++) {
			key_u64(&c, r->args[j].index);
			key_u64(&c, r->args[j].value);
			key_u64(&c, r->args[j].value_two);
			key_u64(&c, (uint64_t)r->args[j].op);
		}
	}
	rt_sha256_final(&c, key);
}

/* ------------------------------------------------------------------ */
/* The cache file: a header, then the struct sock_filter array. */

#define CACHE_MAGIC "husk-bpf"

struct cache_hdr {
	char magic[8];
	uint8_t key[32];
	uint8_t digest[32]; /* SHA-256 of the instructions */
	uint32_t ninsns;
	uint32_t notify;
};
/* bench/run.sh reads an entry too (the limit loads its instructions): it
 * skips these 80 bytes and checks ninsns at byte 72. */
_Static_assert(sizeof(struct cache_hdr) == 80 &&
		   offsetof(struct cache_hdr, ninsns) == 72,
	       "bench/run.sh knows the cache entry's layout");

static void digest(const void *p, size_t n, uint8_t out[32])
{
	struct rt_sha256 c;

	rt_sha256_init(&c);
	rt_sha256_update(&c, p, n);
	rt_sha256_final(&c, out);
}

/* Open cache_dir, creating it 0700 if missing, and check that only we can
 * write into it.  Returns the directory fd, or -1 (narrated) to go without
 * the cache. */
static int cache_dir_open(const char *dir)
{
	_cleanup_fd_ int fd = -1;
	struct stat st;

	if (lstat(dir, &st) < 0 && base_mkdir_p(dir, 0700) < 0) {
		base_warn("seccomp: cache dir '%s' not used: %s", dir,
			  strerror(errno));
		return -1;
	}
	/* O_NOFOLLOW: a symlink swapped in for the directory is refused. */
	fd = openat(AT_FDCWD, dir,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		base_warn("seccomp: cache dir '%s' not used: %s", dir,
			  strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		base_warn("seccomp: cache dir '%s' not used: owner uid %u mode "
			  "%04o (it must be owned by uid %u and not writable "
			  "by group or others)",
			  dir, (unsigned)st.st_uid, st.st_mode & 07777,
			  (unsigned)geteuid());
		return -1;
	}
	return take_fd(&fd);
}

/* Returns 0 and fills out on a valid entry; -1 (narrated) otherwise. */
static int cache_load(int dirfd, const char *dir, const char *name,
		      const uint8_t key[32], struct rt_bpf *out)
{
	_cleanup_fd_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const size_t max = sizeof(struct cache_hdr) +
			   BPF_MAXINSNS * sizeof(struct sock_filter);
	struct cache_hdr h;
	uint8_t d[32];
	struct stat st;
	const char *why;
	size_t body;

	/* O_NONBLOCK: a FIFO in the cache must not hang us before fstat. */
	fd =
	    openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			base_debug("seccomp: cache miss %s/%s", dir, name);
		else
			base_warn("seccomp: cache file '%s/%s' ignored: %s",
				  dir, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		why = strerror(errno);
		goto reject;
	}
	why = "not a regular file";
	if (!S_ISREG(st.st_mode))
		goto reject;
	why = "not owned by our euid";
	if (st.st_uid != geteuid())
		goto reject;
	why = "writable by group or others";
	if (st.st_mode & 022)
		goto reject;
	why = "bad size";
	if ((size_t)st.st_size < sizeof(h) || (size_t)st.st_size > max ||
	    st.st_size % sizeof(struct sock_filter))
		goto reject;
	/* The header, then the instructions straight into their buffer. */
	body = st.st_size - sizeof(h);
	why = "short read";
	if (base_read_all(fd, &h, sizeof(h)) != (ssize_t)sizeof(h))
		goto reject;
	why = "bad header";
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 ||
	    h.ninsns * sizeof(struct sock_filter) != body || h.ninsns == 0)
		goto reject;
	why = "key mismatch";
	if (memcmp(h.key, key, sizeof(h.key)) != 0)
		goto reject;
	buf = xmalloc(body);
	why = "short read";
	if (base_read_all(fd, buf, body) != (ssize_t)body)
		goto reject;
	digest(buf, body, d);
	why = "instructions do not match their digest";
	if (memcmp(h.digest, d, sizeof(d)) != 0)
		goto reject;
	out->insns = (struct sock_filter *)(void *)take_ptr(buf);
	out->ninsns = h.ninsns;
	out->notify = h.notify != 0;
	base_debug("seccomp: cache hit %s/%s (%zu instructions)", dir, name,
		   out->ninsns);
	return 0;
reject:
	base_warn("seccomp: cache file '%s/%s' ignored: %s; recompiling", dir,
		  name, why);
	return -1;
}

/* The cache keeps at most this many entries (docker's profile: 11 KB each).
 * An entry is a file named by its 64-digit key and ".bpf". */
#define CACHE_MAX 64

struct cache_entry {
	struct timespec mtime;
	char name[2 * 32 + 5];
};

static int older(const void *a, const void *b)
{
	const struct timespec *x = &((const struct cache_entry *)a)->mtime;
	const struct timespec *y = &((const struct cache_entry *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

static bool is_entry_name(const char *n)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((n[i] >= '0' && n[i] <= '9') ||
		      (n[i] >= 'a' && n[i] <= 'f')))
			return false;
	return strcmp(n + 64, ".bpf") == 0;
}

/* Bound the cache after a store: beyond CACHE_MAX entries, the ones
 * compiled longest ago go.  A profile still in use is compiled and stored
 * again when next asked for; nothing else in the directory is touched. */
static void cache_prune(int dirfd, const char *dir)
{
	_cleanup_free_ struct cache_entry *v = NULL;
	size_t n = 0, cap = 0;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!is_entry_name(de->d_name) ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap)
			v = xrealloc(v, (cap = cap * 2 + 64) * sizeof(*v));
		v[n].mtime = st.st_mtim;
		memcpy(v[n].name, de->d_name, sizeof(v[n].name));
		n++;
	}
	closedir(d);
	if (n <= CACHE_MAX)
		return;
	qsort(v, n, sizeof(*v), older);
	for (size_t i = 0; i < n - CACHE_MAX; i++) {
		base_debug("seccomp: cache full (%zu entries): removing %s/%s",
			   n, dir, v[i].name);
		(void)unlinkat(dirfd, v[i].name, 0);
	}
}

/* Write the entry atomically: a private temporary file renamed over the
 * name, so a reader sees the old entry or the new one, never half. */
static void cache_store(int dirfd, const char *dir, const char *name,
			const uint8_t key[32], const struct rt_bpf *b)
{
	size_t body = b->ninsns * sizeof(struct sock_filter);
	struct cache_hdr h = {.ninsns = b->ninsns, .notify = b->notify};
	_cleanup_fd_ int fd = -1;
	char tmp[NAME_MAX + 1];

	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	memcpy(h.key, key, sizeof(h.key));
	digest(b->insns, body, h.digest);
	snprintf(tmp, sizeof(tmp), ".%.64s.%d", name, (int)getpid());
	(void)unlinkat(dirfd, tmp, 0); /* left by a crashed run with our pid */
	fd = openat(dirfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || base_write_all(fd, &h, sizeof(h)) < 0 ||
	    base_write_all(fd, b->insns, body) < 0 ||
	    renameat(dirfd, tmp, dirfd, name) < 0) {
		base_warn("seccomp: writing cache file '%s/%s': %s", dir, name,
			  strerror(errno));
		if (fd >= 0)
			(void)unlinkat(dirfd, tmp, 0);
		return;
	}
	base_debug("seccomp: cached %s/%s", dir, name);
	cache_prune(dirfd, dir);
}

/* ------------------------------------------------------------------ */
/* The compiler. */

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* "SCMP_ARCH_X86_64" → libseccomp's "x86_64". */
static uint32_t arch_token(const char *name)
{
	char buf[64];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) == 0)
		name += 10;
	for (i = 0; name[i] && i < sizeof(buf) - 1; i++)
		buf[i] =
		    (name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i];
	buf[i] = '\0';
	return seccomp_arch_resolve_name(buf);
}

static int add_arches(scmp_filter_ctx ctx, const struct rt_seccomp *s,
		      struct herr *e)
{
	for (size_t i = 0; i < s->narchitectures; i++) {
		uint32_t tok = arch_token(s->architectures[i]);
		int r;

		if (tok == 0) {
			base_warn("seccomp: architecture '%s' not known to "
				  "libseccomp, skipped",
				  s->architectures[i]);
			continue;
		}
		r = seccomp_arch_add(ctx, tok);
		if (r < 0 && r != -EEXIST)
			return herr_sys(e, -r,
					"seccomp: adding architecture "
					"'%s'",
					s->architectures[i]);
		base_debug("seccomp: architecture %s", s->architectures[i]);
	}
	return 0;
}

/* Whether two conditions compare the same argument.  libseccomp ANDs the
 * conditions of one rule and refuses two on one argument, so such rules
 * become one rule per condition (ORed) — what runc does too. */
static bool repeats_an_index(const struct rt_seccomp_rule *r)
{
	for (size_t i = 0; i < r->nargs; i++)
		for (size_t j = i + 1; j < r->nargs; j++)
			if (r->args[i].index == r->args[j].index)
				return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, const struct rt_seccomp_rule *r,
		    const char *name, int nr, uint32_t act, struct herr *e)
{
	struct scmp_arg_cmp cmp[6];
	size_t n = r->nargs;
	char buf[32];
	int rc = 0;

	if (n > ARRAY_SIZE(cmp))
		return herr_set(e, EINVAL,
				"seccomp: rule for '%s' has %zu arguments, "
				"at most 6",
				name, n);
	for (size_t i = 0; i < n; i++) {
		const struct rt_seccomp_arg *a = &r->args[i];

		if (a->index > 5 || a->op < SCMP_CMP_NE ||
		    a->op > SCMP_CMP_MASKED_EQ)
			return herr_set(e, EINVAL,
					"seccomp: rule for '%s': bad argument "
					"(index %u, op %d)",
					name, a->index, a->op);
		/* The runtime-spec's value/valueTwo are libseccomp's
		 * datum_a/datum_b: for SCMP_CMP_MASKED_EQ, value is the mask
		 * and valueTwo the value compared with (arg & mask). */
		cmp[i] = (struct scmp_arg_cmp){.arg = a->index,
					       .op = a->op,
					       .datum_a = a->value,
					       .datum_b = a->value_two};
	}
	if (n > 1 && repeats_an_index(r)) {
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
	} else {
		rc = seccomp_rule_add_array(ctx, act, nr, n, cmp);
	}
	if (rc < 0)
		return herr_sys(e, -rc, "seccomp: adding rule %s for '%s'",
				action_str(act, buf, sizeof(buf)), name);
	return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct rt_bpf *out, struct herr *e)
{
	_cleanup_fd_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0)
		return herr_sys(e, errno, "seccomp: memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return herr_sys(e, -r, "seccomp: exporting the filter");
	if (fstat(fd, &st) < 0)
		return herr_sys(e, errno, "seccomp: fstat on the memfd");
	if (st.st_size == 0 || st.st_size % sizeof(struct sock_filter))
		return herr_set(e, EINVAL,
				"seccomp: exported filter has a bad size "
				"(%lld bytes)",
				(long long)st.st_size);
	out->ninsns = st.st_size / sizeof(struct sock_filter);
	if (out->ninsns > BPF_MAXINSNS)
		return herr_set(e, E2BIG,
				"seccomp: filter has %zu instructions, the "
				"kernel takes at most %d",
				out->ninsns, BPF_MAXINSNS);
	out->insns = xmalloc(st.st_size);
	if (pread(fd, out->insns, st.st_size, 0) != st.st_size) {
		free(take_ptr(out->insns));
		return herr_sys(e, errno ? errno : EIO,
				"seccomp: reading the exported filter");
	}
	return 0;
}

static int compile(const struct rt_seccomp *s, struct rt_bpf *out,
		   struct herr *e)
{
	__attribute__((cleanup(ctx_releasep))) scmp_filter_ctx ctx = NULL;
	uint32_t def = full_action(s->default_action, s->has_default_errno_ret,
				   s->default_errno_ret);
	size_t nrules = 0, nskipped = 0;
	char buf[32];

	base_debug("seccomp: default action %s",
		   action_str(def, buf, sizeof(buf)));
	ctx = seccomp_init(def);
	if (!ctx)
		return herr_set(e, EINVAL,
				"seccomp: default action %s is not valid",
				action_str(def, buf, sizeof(buf)));
	/* husk sets no_new_privs itself when the config asks; the filter must
	 * not turn it on behind the config's back.  Binary-tree dispatch keeps
	 * a 300-syscall allow list from being a 300-step linear scan. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		return herr_set(e, EINVAL,
				"seccomp: setting filter attributes");
	if (add_arches(ctx, s, e) < 0)
		return -1;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct rt_seccomp_rule *r = &s->rules[i];
		uint32_t act =
		    full_action(r->action, r->has_errno_ret, r->errno_ret);

		/* libseccomp refuses a rule that repeats the default action
		 * (EACCES); it would change nothing anyway. */
		if (act == def)
			continue;
		if (act == SCMP_ACT_NOTIFY)
			out->notify = true;
		for (size_t j = 0; j < r->nnames; j++) {
			int nr = seccomp_syscall_resolve_name(r->names[j]);

			if (nr == __NR_SCMP_ERROR) {
				base_debug("seccomp: unknown syscall '%s' "
					   "skipped",
					   r->names[j]);
				nskipped++;
				continue;
			}
			if (add_rule(ctx, r, r->names[j], nr, act, e) < 0)
				return -1;
			nrules++;
		}
	}
	if (export_bpf(ctx, out, e) < 0)
		return -1;
	base_debug("seccomp: compiled %zu rules (%zu names skipped) into %zu "
		   "instructions",
		   nrules, nskipped, out->ninsns);
	return 0;
}

int rt_seccomp_compile(const struct rt_seccomp *s, const char *cache_dir,
		       struct rt_bpf *out, struct herr *e)
{
	_cleanup_fd_ int dirfd = -1;
	uint8_t key[32];
	char name[2 * sizeof(key) + 5];

	memset(out, 0, sizeof(*out));
	if (parse_flags(s, &out->flags, e) < 0)
		return -1;
	if (cache_dir) {
		cache_key(s, key);
		for (size_t i = 0; i < sizeof(key); i++)
			snprintf(name + 2 * i, 3, "%02x", key[i]);
		strcpy(name + 2 * sizeof(key), ".bpf");
		dirfd = cache_dir_open(cache_dir);
		if (dirfd >= 0 &&
		    cache_load(dirfd, cache_dir, name, key, out) == 0)
			return 0;
	}
	if (compile(s, out, e) < 0) {
		rt_bpf_free(out);
		return -1;
	}
	if (dirfd >= 0)
		cache_store(dirfd, cache_dir, name, key, out);
	return 0;
}

void rt_bpf_free(struct rt_bpf *b)
{
	free(take_ptr(b->insns));
	b->ninsns = 0;
}

int rt_child_load_seccomp(const struct rt_bpf *b, struct herr *e)
{
	struct sock_fprog prog = {.len = b->ninsns, .filter = b->insns};
	unsigned int flags = b->flags;
	long r;

	if (b->ninsns == 0 || b->ninsns > BPF_MAXINSNS)
		return herr_set(e, EINVAL,
				"seccomp: no valid compiled filter to load");
	if (b->notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* TSYNC reports a failed thread by returning its tid, which
		 * would be mistaken for the listener fd; TSYNC_ESRCH makes it
		 * fail with ESRCH instead. */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	} else {
		/* Only meaningful with a listener; the kernel refuses it
		 * alone. */
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	base_debug("seccomp(SECCOMP_SET_MODE_FILTER, flags 0x%x, %zu "
		   "instructions)",
		   flags, b->ninsns);
	base_alloc_confined();
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0) {
		int err = errno;

		herr_sys(e, err, "loading the seccomp filter");
		if (err == EACCES)
			herr_hint(e, "a filter needs no_new_privs or "
				     "CAP_SYS_ADMIN: set "
				     "process.noNewPrivileges or keep "
				     "CAP_SYS_ADMIN");
		else if (err == EINVAL && flags)
			herr_hint(e,
				  "the kernel may not support seccomp "
				  "flags 0x%x",
				  flags);
		return -1;
	}
	return b->notify ? (int)r : 0;
}
