/*
 * alloc: husk's malloc, when it is linked against musl (HUSK_OWN_MALLOC).
 *
 * Why: musl's allocator (mallocng) hands empty groups back to the kernel at
 * once, so every 4 KiB buffer husk mallocs and frees -- a cgroup file read,
 * a path -- costs an mmap, a page fault and a munmap: 90 of them in one
 * `husk run`, more than all the time musl saves over glibc at start-up.
 * husk is a short program that allocates little, so the simplest allocator
 * that never returns small blocks is the right one:
 *
 * - Sizes are rounded up to a power of two, 16 bytes to 64 KiB (13
 *   classes).  A freed block goes on its class's free list and is handed out
 *   again; it is never given back to the kernel.
 * - New blocks are cut from 256 KiB arenas, themselves mmap'd, and faulted
 *   in 32 KiB ahead of the blocks cut (populate(): one madvise instead of
 *   eight page faults).
 * - Anything larger (a big config.json) is one mapping of its own, unmapped
 *   by free().
 * - Every block starts with a 16-byte header (its class, or its mapping),
 *   so the pointer handed out is 16-aligned, as malloc's must be.
 *
 * Not thread-safe: husk has no threads.  A child made by clone() or fork()
 * has its own copy of the lists, as of everything else.  Less hardened than
 * mallocng, whose metadata lives apart from the blocks: a double free or a
 * header that is not one aborts, an overflow into the next block's header
 * is not caught here.  The inputs husk parses are fuzzed under ASan
 * (tests/fuzz).
 */
#include "base.h"

#ifdef HUSK_OWN_MALLOC

#include <errno.h>
#include <malloc.h> /* malloc_usable_size, memalign */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MIN_SHIFT 4  /* 16 bytes */
#define MAX_SHIFT 16 /* 64 KiB */
#define NCLASS	  (MAX_SHIFT - MIN_SHIFT + 1)
#define ARENA	  (256u << 10)
#define LARGE	  UINT32_MAX
#define HDR	  sizeof(struct hdr)

struct hdr {
	uint32_t class;	 /* 0..NCLASS-1, or LARGE */
	uint32_t offset; /* LARGE: from the mapping's start to this header;
			    small: BLOCK_IN_USE or BLOCK_FREE */
	size_t size; /* small: the class's capacity; LARGE: mapping length */
};
#define BLOCK_IN_USE 0
#define BLOCK_FREE   0xf7eeU
_Static_assert(sizeof(struct hdr) == 16, "malloc's pointers are 16-aligned");
_Static_assert(ARENA >= 3 * (HDR + (1u << MAX_SHIFT)),
	       "an arena holds several blocks of the largest class");

static void *free_list[NCLASS];
static char *arena_next, *arena_end;
static char *arena_ready; /* populated up to here */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif
#define CHUNK (32u << 10)

/* Fault in the arena up to `need` (and on to a 32 KiB boundary) with one
 * madvise: a page fault costs ~10 us on a VM, populating a page ~0.4 us,
 * and every page of an arena is used as it fills.  Older kernels just
 * fault, page by page, as before. */
static bool no_populate; /* base_alloc_confined() */

static void populate(char *need)
{
	static bool unsupported;
	int saved = errno; /* a malloc that succeeds leaves errno alone */
	char *to;

	if (need <= arena_ready || unsupported || no_populate)
		return;
	to = arena_ready +
	     ((size_t)(need - arena_ready) + CHUNK - 1) / CHUNK * CHUNK;
	if (to > arena_end)
		to = arena_end;
	if (madvise(arena_ready, (size_t)(to - arena_ready),
		    MADV_POPULATE_WRITE) < 0)
		unsupported = errno == EINVAL;
	arena_ready = to;
	errno = saved;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* A block of its own mapping, with `align` bytes (a power of two, at
 * least 16) before the user's pointer for its header. */
static void *alloc_large(size_t n, size_t align)
{
	size_t len = (n + align + 4095) & ~(size_t)4095;
	struct hdr *h;
	char *base;

	if (len < n || !(base = map(len)))
		return errno = ENOMEM, NULL;
	h = (struct hdr *)(base + align - HDR);
	*h = (struct hdr){
	    .class = LARGE, .offset = (uint32_t)(align - HDR), .size = len};
	return h + 1;
}

void *malloc(size_t n)
{
	unsigned class = 0;
	size_t cap = (size_t)1 << MIN_SHIFT;
	struct hdr *h;

	if (n > ((size_t)1 << MAX_SHIFT))
		return alloc_large(n, HDR);
	while (cap < n) {
		cap <<= 1;
		class ++;
	}
	if (free_list[class]) {
		void *p = free_list[class];

		free_list[class] = *(void **)p;
		((struct hdr *)p - 1)->offset = BLOCK_IN_USE;
		return p;
	}
	if ((size_t)(arena_end - arena_next) < HDR + cap) {
		/* What is left of the old arena is dropped: under 64 KiB. */
		char *a = map(ARENA);

		if (!a)
			return NULL;
		arena_next = arena_ready = a;
		arena_end = a + ARENA;
	}
	h = (struct hdr *)arena_next;
	arena_next += HDR + cap;
	populate(arena_next);
	*h = (struct hdr){.class = class, .size = cap};
	return h + 1;
}

void free(void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = (struct hdr *)p - 1;
	if (h->class == LARGE) {
		munmap((char *)h - h->offset, h->size);
		return;
	}
	/* A header that is not one, or a block freed twice: stop here rather
	 * than hand the same memory out twice. */
	if (h->class >= NCLASS || h->offset != BLOCK_IN_USE)
		abort();
	h->offset = BLOCK_FREE;
	/* The list runs through the blocks' first bytes; headers stay. */
	*(void **)p = free_list[h->class];
	free_list[h->class] = p;
}

static size_t capacity(const void *p)
{
	const struct hdr *h = (const struct hdr *)p - 1;

	return h->class == LARGE ? h->size - h->offset - HDR : h->size;
}

void *calloc(size_t m, size_t n)
{
	size_t len;
	void *p;

	if (__builtin_mul_overflow(m, n, &len))
		return errno = ENOMEM, NULL;
	p = malloc(len);
	if (p)
		memset(p, 0, len);
	return p;
}

void *realloc(void *p, size_t n)
{
	void *q;

	if (!p)
		return malloc(n);
	if (n <= capacity(p))
		return p;
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, capacity(p));
	free(p);
	return q;
}

size_t malloc_usable_size(void *p)
{
	return p ? capacity(p) : 0;
}

/* Alignments above 16 are rare (nothing in husk or its libraries asks):
 * they get a mapping of their own. */
void *aligned_alloc(size_t align, size_t n)
{
	if (align & (align - 1))
		return errno = EINVAL, NULL;
	if (align <= 16)
		return malloc(n);
	if (align > 4096)
		return errno = EINVAL, NULL;
	return alloc_large(n, align);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *))
		return EINVAL;
	p = aligned_alloc(align, n);
	if (!p)
		return errno;
	*out = p;
	return 0;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

void base_alloc_confined(void)
{
	no_populate = true;
}

#else

void base_alloc_confined(void)
{
}

#endif
