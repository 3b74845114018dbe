/* Unit tests for base/alloc.c, husk's malloc in a musl build: the contract
 * every malloc keeps (alignment, contents kept by realloc, calloc's zeroes
 * and overflow check, free(NULL)), and the allocator's own promise that a
 * freed block is reused rather than given back.  In a glibc build the same
 * checks run against glibc's malloc (and the reuse checks are skipped). */
#include "../../base/base.h"
#include "unit.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int aligned16(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

static void test_sizes(void)
{
	/* Every class, the edges of each, and large blocks. */
	static const size_t sizes[] = {0,     1,     15,      16,     17,
				       100,   4095,  4096,    4097,   65535,
				       65536, 65537, 1 << 20, 3 << 20};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *p = malloc(n);

		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK(aligned16(p));
		CHECK(malloc_usable_size(p) >= n);
		memset(p, 0xa5, n); /* the whole block is writable */
		free(p);
	}
	free(NULL);
}

/* Blocks of the largest small class, filled to their last byte, do not
 * touch each other (an arena too small for one overflowed into the next
 * mapping). */
static void test_no_overlap(void)
{
	enum { N = 12, SIZE = 60000 };
	unsigned char *p[N];
	int intact = 1;

	for (int i = 0; i < N; i++) {
		p[i] = malloc(SIZE);
		CHECK(p[i] != NULL);
		if (!p[i])
			return;
		memset(p[i], i + 1, SIZE);
	}
	for (int i = 0; i < N; i++)
		for (size_t j = 0; j < SIZE; j++)
			intact &= p[i][j] == i + 1;
	CHECK(intact);
	for (int i = 0; i < N; i++)
		free(p[i]);
}

static void test_realloc_keeps_contents(void)
{
	size_t n = 10;
	char *p = malloc(n);

	for (size_t i = 0; i < n; i++)
		p[i] = (char)i;
	/* Grow through every class into a large block, then shrink. */
	for (size_t m = 32; m <= (1u << 18); m *= 4) {
		char *q = realloc(p, m);
		int same = 1;

		CHECK(q != NULL);
		if (!q)
			return;
		for (size_t i = 0; i < n; i++)
			same &= q[i] == (char)i;
		CHECK(same);
		CHECK(aligned16(q));
		memset(q + n, 0x5a, m - n);
		p = q;
	}
	p = realloc(p, 5);
	CHECK(p && p[4] == 4);
	free(p);
	p = realloc(NULL, 7); /* realloc(NULL, n) is malloc(n) */
	CHECK(p != NULL);
	free(p);
}

static void test_calloc(void)
{
	volatile size_t huge = SIZE_MAX;
	unsigned char *p;
	int zero = 1;

	/* A block dirtied and freed comes back zeroed from calloc. */
	p = malloc(200);
	memset(p, 0xff, 200);
	free(p);
	p = calloc(25, 8);
	CHECK(p != NULL);
	for (size_t i = 0; p && i < 200; i++)
		zero &= p[i] == 0;
	CHECK(zero);
	free(p);

	/* Sizes the compiler cannot see, or it refuses to build the calls. */
	errno = 0;
	CHECK(calloc(huge / 2, 3) == NULL);
	CHECK(errno == ENOMEM);
	errno = 0;
	CHECK(malloc(huge - 8) == NULL);
	CHECK(errno == ENOMEM);
}

static void test_aligned(void)
{
	void *p = NULL;

	for (size_t a = 8; a <= 4096; a *= 2) {
		CHECK(posix_memalign(&p, a, 100) == 0);
		CHECK(p && ((uintptr_t)p & (a - 1)) == 0);
		free(p);
		p = aligned_alloc(a, 3 * a);
		CHECK(p && ((uintptr_t)p & (a - 1)) == 0);
		free(p);
	}
	CHECK(posix_memalign(&p, 3, 100) == EINVAL);
}

/* husk's allocator only: a freed block is the next one handed out for its
 * size class (no mmap, no page fault), and blocks do not overlap. */
static void test_reuse(void)
{
#ifdef HUSK_OWN_MALLOC
	char *a = malloc(4000), *b = malloc(4000), *c;

	CHECK(a && b && (b >= a + 4096 || a >= b + 4096));
	free(a);
	c = malloc(3000); /* same class: 4 KiB */
	CHECK(c == a);
	free(b);
	free(c);

	/* A block freed twice would be handed out twice: abort instead. */
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		char *volatile d = malloc(100); /* not optimised away */

		free(d);
		free(d);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#endif
}

#ifdef HUSK_OWN_MALLOC
/* Allocate n blocks of 20000 bytes (the 32 KiB class), never written, and
 * count how many of the pages wholly inside the last one are resident (of
 * *pages).  n must exceed the blocks of that class freed before, so the
 * last one is new. */
static int resident_in_new_block(int n, int *pages)
{
	enum { MAX = 100, SIZE = 20000 };
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	char *b[MAX];
	unsigned char vec[8] = {0};
	uintptr_t from, to;
	int resident = 0;

	CHECK(n <= MAX);
	for (int i = 0; i < n; i++)
		b[i] = malloc(SIZE);
	CHECK(b[n - 1] != NULL);
	from = ((uintptr_t)b[n - 1] + pg - 1) & ~(pg - 1);
	to = ((uintptr_t)b[n - 1] + SIZE) & ~(pg - 1);
	*pages = (int)((to - from) / pg);
	CHECK(*pages > 0 && (size_t)*pages <= sizeof(vec));
	CHECK(mincore((void *)from, to - from, vec) == 0);
	for (int i = 0; i < *pages; i++)
		resident += vec[i] & 1;
	for (int i = 0; i < n; i++)
		free(b[i]);
	return resident;
}
#endif

/* Arena pages are faulted in ahead of use, 32 KiB at a time (one madvise
 * instead of a page fault per page), so a new block's pages are resident
 * before it is written. */
static void test_populated(void)
{
#ifdef HUSK_OWN_MALLOC
	int pages, resident = resident_in_new_block(30, &pages);

	CHECK(resident == pages);
#endif
}

/* After base_alloc_confined() (a seccomp filter is on its way) the arena
 * is no longer faulted in ahead: a new block's pages stay untouched. */
static void test_confined(void)
{
#ifdef HUSK_OWN_MALLOC
	int pages, resident;

	base_alloc_confined();
	/* More than test_populated() freed. */
	resident = resident_in_new_block(80, &pages);
	CHECK(resident == 0);
#endif
}

int main(void)
{
	test_sizes();
	test_no_overlap();
	test_realloc_keeps_contents();
	test_calloc();
	test_aligned();
	test_reuse();
	test_populated();
	test_confined(); /* last: populating stays off */
	return unit_done("test_alloc");
}
