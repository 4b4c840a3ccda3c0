/*
 * spool_test.c - sensor/spool.c: the bound, the drop order (oldest
 * non-alerts first, alerts last), partial and in-flight records kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/spool.h"
#include "sensor/xmalloc.h"

#define COST(n)	(sizeof(struct spool_rec) + (n))

static void
push(struct spool *sp, const char *s, int alert, int want)
{
	assert_int_equal(spool_push(sp, s, strlen(s), alert, alert ? 2 : 0),
	    want);
	assert_true(sp->bytes <= sp->cap);
}

static const char *
head(struct spool *sp)
{
	static char buf[64];
	struct spool_rec *r = spool_head(sp);

	assert_non_null(r);
	assert_true(r->len < sizeof(buf));
	memcpy(buf, r->data, r->len);
	buf[r->len] = '\0';
	return buf;
}

static void
test_fifo(void **state)
{
	struct spool sp;

	spool_init(&sp, 1024);
	push(&sp, "a1", 0, 0);
	push(&sp, "b2", 1, 0);
	push(&sp, "c3", 0, 0);
	assert_int_equal(sp.n, 3);
	assert_int_equal(sp.bytes, 3 * COST(2));
	assert_string_equal(head(&sp), "a1");
	spool_pop(&sp);
	assert_string_equal(head(&sp), "b2");
	assert_int_equal(spool_head(&sp)->alert, 1);
	spool_pop(&sp);
	spool_pop(&sp);
	assert_null(spool_head(&sp));
	assert_int_equal(sp.bytes, 0);
	spool_free(&sp);
}

/* Room for exactly 4 records of 2 bytes. */
static void
test_drop_oldest_non_alert(void **state)
{
	struct spool sp;

	spool_init(&sp, 4 * COST(2));
	push(&sp, "A1", 1, 0);
	push(&sp, "f1", 0, 0);
	push(&sp, "A2", 1, 0);
	push(&sp, "f2", 0, 0);
	push(&sp, "f3", 0, 0);		/* drops f1, not A1 */
	assert_int_equal(sp.dropped, 1);
	assert_int_equal(sp.dropped_alerts, 0);
	push(&sp, "A3", 1, 0);		/* drops f2 */
	push(&sp, "f4", 0, 0);		/* drops f3 */
	assert_int_equal(sp.dropped, 3);
	/* Only alerts older than f4: a new non-alert goes itself. */
	push(&sp, "A4", 1, 0);		/* drops f4 */
	push(&sp, "f5", 0, -1);
	assert_int_equal(sp.dropped, 5);
	assert_int_equal(sp.dropped_alerts, 0);
	/* Nothing but alerts: the oldest alert goes. */
	push(&sp, "A5", 1, 0);
	assert_int_equal(sp.dropped_alerts, 1);
	assert_string_equal(head(&sp), "A2");
	assert_int_equal(sp.n, 4);
	spool_free(&sp);
}

static void
test_too_large(void **state)
{
	struct spool sp;
	char big[300];

	memset(big, 'x', sizeof(big));
	spool_init(&sp, 256);
	assert_int_equal(spool_push(&sp, big, sizeof(big), 1, 2), -1);
	assert_int_equal(sp.dropped, 1);
	assert_int_equal(sp.dropped_alerts, 1);
	assert_int_equal(sp.dropped_nomem, 0);
	assert_int_equal(sp.n, 0);
	spool_free(&sp);
}

/* No memory for the copy: dropped and counted as such, not as full. */
static void
test_nomem(void **state)
{
	struct spool sp;

	(void)state;
	spool_init(&sp, 256);
	assert_int_equal(spool_push(&sp, "a", 1, 0, 2), 0);
	xalloc_fail_after(0);
	assert_int_equal(spool_push(&sp, "b", 1, 1, 2), -1);
	xalloc_fail_after(-1);
	assert_int_equal(sp.dropped, 1);
	assert_int_equal(sp.dropped_alerts, 1);
	assert_int_equal(sp.dropped_nomem, 1);
	assert_int_equal(sp.n, 1);
	spool_free(&sp);
}

/* A partly written head is never dropped: its line would be cut. */
static void
test_partial_kept(void **state)
{
	struct spool sp;

	spool_init(&sp, 2 * COST(2));
	push(&sp, "f1", 0, 0);
	push(&sp, "f2", 0, 0);
	sp.off = 1;
	push(&sp, "f3", 0, 0);		/* drops f2 */
	assert_string_equal(head(&sp), "f1");
	assert_int_equal(sp.off, 1);
	spool_pop(&sp);
	assert_int_equal(sp.off, 0);
	assert_string_equal(head(&sp), "f3");
	spool_free(&sp);
}

/* Records in flight (Redis, waiting for replies) are kept and rewound. */
static void
test_inflight(void **state)
{
	struct spool sp;

	spool_init(&sp, 3 * COST(2));
	push(&sp, "f1", 0, 0);
	push(&sp, "f2", 0, 0);
	assert_ptr_equal(spool_next_unsent(&sp), spool_head(&sp));
	spool_mark_sent(&sp);
	spool_mark_sent(&sp);
	assert_null(spool_next_unsent(&sp));
	assert_int_equal(spool_inflight(&sp), 2);
	push(&sp, "f3", 0, 0);
	push(&sp, "f4", 0, 0);		/* drops f3, not f1 or f2 */
	assert_int_equal(sp.dropped, 1);
	push(&sp, "A1", 1, 0);		/* drops f4 */
	push(&sp, "f5", 0, -1);		/* nothing to drop but alerts */
	spool_pop(&sp);			/* f1 acknowledged */
	assert_int_equal(spool_inflight(&sp), 1);
	assert_int_equal(spool_rewind(&sp), 1);
	assert_int_equal(spool_inflight(&sp), 0);
	assert_string_equal(head(&sp), "f2");
	assert_ptr_equal(spool_next_unsent(&sp), spool_head(&sp));
	spool_free(&sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_drop_oldest_non_alert),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_partial_kept),
		cmocka_unit_test(test_inflight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
