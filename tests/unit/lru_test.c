/*
 * lru_test.c - the intrusive LRU list of sensor/lru.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sensor/lru.h"

#define NITEMS	8

struct item {
	int		 id;
	struct lru_node	 node;		/* not first: LRU_ENTRY must offset */
};

struct fx {
	struct lru	 l;
	struct item	 it[NITEMS];
};

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	int		 i;

	if (f == NULL)
		return -1;
	lru_init(&f->l);
	for (i = 0; i < NITEMS; i++)
		f->it[i].id = i;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	free(*state);
	return 0;
}

/* Pop the oldest item's id, -1 when empty. */
static int
pop(struct lru *l)
{
	struct lru_node	*n = lru_oldest(l);

	if (n == NULL)
		return -1;
	lru_unlink(l, n);
	return LRU_ENTRY(n, struct item, node)->id;
}

static void
test_empty(void **state)
{
	struct fx	*f = *state;

	assert_null(lru_oldest(&f->l));
	assert_int_equal(f->l.n, 0);
	assert_false(lru_linked(&f->it[0].node));	/* zeroed: unlinked */
	assert_int_equal(pop(&f->l), -1);
}

/* Oldest first, in push order. */
static void
test_fifo_order(void **state)
{
	struct fx	*f = *state;
	int		 i;

	for (i = 0; i < NITEMS; i++)
		lru_push(&f->l, &f->it[i].node);
	assert_int_equal(f->l.n, NITEMS);
	assert_true(lru_linked(&f->it[3].node));
	for (i = 0; i < NITEMS; i++)
		assert_int_equal(pop(&f->l), i);
	assert_int_equal(f->l.n, 0);
	assert_false(lru_linked(&f->it[3].node));
	assert_int_equal(pop(&f->l), -1);
}

/* A touched item becomes the newest; touching the newest is a no-op. */
static void
test_touch(void **state)
{
	struct fx	*f = *state;
	int		 i;

	for (i = 0; i < 4; i++)
		lru_push(&f->l, &f->it[i].node);
	lru_touch(&f->l, &f->it[0].node);	/* oldest -> newest */
	lru_touch(&f->l, &f->it[2].node);	/* middle -> newest */
	lru_touch(&f->l, &f->it[2].node);	/* already newest */
	assert_int_equal(f->l.n, 4);
	assert_int_equal(pop(&f->l), 1);
	assert_int_equal(pop(&f->l), 3);
	assert_int_equal(pop(&f->l), 0);
	assert_int_equal(pop(&f->l), 2);
	assert_int_equal(pop(&f->l), -1);
}

/* Unlink from the middle, the head and the tail; relink later. */
static void
test_unlink_anywhere(void **state)
{
	struct fx	*f = *state;
	int		 i;

	for (i = 0; i < 5; i++)
		lru_push(&f->l, &f->it[i].node);
	lru_unlink(&f->l, &f->it[2].node);	/* middle */
	lru_unlink(&f->l, &f->it[4].node);	/* newest */
	lru_unlink(&f->l, &f->it[0].node);	/* oldest */
	assert_int_equal(f->l.n, 2);
	assert_false(lru_linked(&f->it[2].node));
	lru_push(&f->l, &f->it[2].node);
	assert_int_equal(pop(&f->l), 1);
	assert_int_equal(pop(&f->l), 3);
	assert_int_equal(pop(&f->l), 2);
	assert_int_equal(pop(&f->l), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_empty),
		T(test_fifo_order),
		T(test_touch),
		T(test_unlink_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
