/* SPDX-License-Identifier: MIT */
/*
 * Table-page pool for the stage-2 code.
 *
 * Free pages are chained through their first word (the VA of the next free
 * page, 0 at the end).  A page-aligned VA has bits 1:0 clear, so a free
 * page seen by a stale walker still reads as invalid descriptors.
 *
 * Updates never fail halfway: they reserve their worst case first
 * (s2_pool_reserve), then take pages that are guaranteed to be there.
 */
#include <core/check.h>
#include <core/stage2.h>

#define PAGE_WORDS (S2_GRANULE_SIZE / sizeof(uint64_t))

static uint64_t *page_next(const uint64_t *page)
{
	return (uint64_t *)(uintptr_t)page[0];
}

static void page_set_next(uint64_t *page, const uint64_t *next)
{
	page[0] = (uint64_t)(uintptr_t)next;
}

/* Our own loop: the core links no libc, not even memset. */
static void zero_page(uint64_t *page)
{
	for (size_t i = 0; i < PAGE_WORDS; i++)
		page[i] = 0;
}

static size_t unreserved_free(const struct s2_pool *pool)
{
	return pool->nr_free - pool->nr_reserved;
}

void s2_pool_init(struct s2_pool *pool, void *va, uint64_t pa, size_t nr_pages)
{
	uint64_t *head = NULL;

	pool->va_base = va;
	pool->pa_base = pa;
	pool->nr_pages = 0;
	pool->free_list = NULL;
	pool->nr_free = 0;
	pool->nr_reserved = 0;
	if (!va || ((uintptr_t)va & (S2_GRANULE_SIZE - 1)) ||
	    (pa & (S2_GRANULE_SIZE - 1)))
		return;

	/* Chain back to front so that the list starts in address order. */
	for (size_t i = nr_pages; i > 0; i--) {
		uint64_t *page =
		        (uint64_t *)(void *)((uint8_t *)va +
		                             (i - 1) * S2_GRANULE_SIZE);
		page_set_next(page, head);
		head = page;
	}
	pool->nr_pages = nr_pages;
	pool->free_list = head;
	pool->nr_free = nr_pages;
}

size_t s2_pool_free_pages(const struct s2_pool *pool)
{
	return pool->nr_free;
}

bool s2_pool_reserve(struct s2_pool *pool, size_t nr)
{
	if (unreserved_free(pool) < nr)
		return false;
	pool->nr_reserved += nr;
	return true;
}

void s2_pool_unreserve(struct s2_pool *pool, size_t nr)
{
	CHECK(nr <= pool->nr_reserved);
	pool->nr_reserved -= nr;
}

static uint64_t *pop_page(struct s2_pool *pool)
{
	uint64_t *page = pool->free_list;

	pool->free_list = page_next(page);
	pool->nr_free--;
	zero_page(page);
	return page;
}

uint64_t *s2_pool_take_reserved(struct s2_pool *pool)
{
	/* Reserved pages are free pages: both hold if the caller reserved. */
	CHECK(pool->nr_reserved != 0 && pool->free_list != NULL);
	pool->nr_reserved--;
	return pop_page(pool);
}

void s2_pool_put(struct s2_pool *pool, uint64_t *page)
{
	page_set_next(page, pool->free_list);
	pool->free_list = page;
	pool->nr_free++;
}

/* Merge two address-sorted lists. */
static uint64_t *merge_sorted(uint64_t *a, uint64_t *b)
{
	uint64_t *head;
	uint64_t *last;

	if (!a)
		return b;
	if (!b)
		return a;
	if ((uintptr_t)a < (uintptr_t)b) {
		head = a;
		a = page_next(a);
	} else {
		head = b;
		b = page_next(b);
	}
	last = head;
	while (a && b) {
		if ((uintptr_t)a < (uintptr_t)b) {
			page_set_next(last, a);
			last = a;
			a = page_next(a);
		} else {
			page_set_next(last, b);
			last = b;
			b = page_next(b);
		}
	}
	page_set_next(last, a ? a : b);
	return head;
}

/* Merge sort by address: O(n log n) time, no memory beyond the pages. */
static uint64_t *sort_pages(uint64_t *head)
{
	uint64_t *slow = head;
	uint64_t *fast;
	uint64_t *second;

	if (!head || !page_next(head))
		return head;
	fast = page_next(head);
	while (fast && page_next(fast)) {
		slow = page_next(slow);
		fast = page_next(page_next(fast));
	}
	second = page_next(slow);
	page_set_next(slow, NULL);
	return merge_sorted(sort_pages(head), sort_pages(second));
}

/* Length (up to max) of the run of address-consecutive pages at p. */
static size_t run_length(const uint64_t *p, size_t max, uint64_t **last)
{
	size_t len = 1;

	while (len < max) {
		uint64_t *next = page_next(p);

		if ((uintptr_t)next != (uintptr_t)p + S2_GRANULE_SIZE)
			break;
		p = next;
		len++;
	}
	*last = (uint64_t *)(uintptr_t)p;
	return len;
}

/*
 * Root tables must be contiguous and aligned to their total size.  Sorting
 * the free list makes any such run appear as consecutive list nodes; this
 * only runs when a table is created, never on a hypercall path.
 */
uint64_t *s2_pool_alloc_contig(struct s2_pool *pool, size_t nr)
{
	uint64_t align = (uint64_t)nr * S2_GRANULE_SIZE;
	uint64_t *prev = NULL;

	if (nr == 0 || (nr & (nr - 1)) || unreserved_free(pool) < nr)
		return NULL;
	pool->free_list = sort_pages(pool->free_list);
	for (uint64_t *p = pool->free_list; p; prev = p, p = page_next(p)) {
		uint64_t *last;

		if (s2_pool_pa(pool, p) & (align - 1))
			continue;
		if (run_length(p, nr, &last) < nr)
			continue;
		if (prev)
			page_set_next(prev, page_next(last));
		else
			pool->free_list = page_next(last);
		pool->nr_free -= nr;
		for (size_t i = 0; i < nr; i++)
			zero_page(p + i * PAGE_WORDS);
		return p;
	}
	return NULL;
}
