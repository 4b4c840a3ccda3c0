/*
 * probe_sched_test.c - sensor/probe_sched.c on a fake clock: rounds a
 * period (plus jitter) apart, each name twice a round (TLS 1.3, then
 * 1.2), the hourly cap, backoff after failed rounds, and the control
 * never backing off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/probe_sched.h"

static uint64_t rnd_value;

static uint64_t
fake_rnd(void *arg)
{
	(void)arg;
	return rnd_value;
}

/* Every attempt due at now, each answered with chain[name]; returns how
 * many were given. */
static size_t
drain(struct probe_sched *s, uint64_t now, const int *chain, size_t *seen)
{
	size_t name, n = 0;
	int tls12;

	while (probe_sched_next(s, now, &name, &tls12)) {
		if (seen != NULL)
			seen[n] = name * 2 + (size_t)tls12;
		probe_sched_done(s, name, chain[name], 0);
		n++;
	}
	return n;
}

static void
test_rounds_and_jitter(void **state)
{
	struct probe_sched s;
	int chain[3] = { 1, 1, 1 };
	size_t seen[8];

	(void)state;
	rnd_value = 7;		/* jitter 10: 7 % 11 = 7 s */
	assert_int_equal(probe_sched_init(&s, 3, 1000, 100, 10, 1000,
	    fake_rnd, NULL), 0);
	assert_int_equal(drain(&s, 1006, chain, NULL), 0);	/* not yet */
	assert_int_equal(drain(&s, 1007, chain, seen), 6);
	/* the control first, each name TLS 1.3 then TLS 1.2 */
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 2);
	assert_int_equal(seen[5], 5);
	assert_int_equal(s.round, 1);
	/* next round: period + jitter after the start of this one */
	assert_int_equal(drain(&s, 1007 + 106, chain, NULL), 0);
	assert_int_equal(drain(&s, 1007 + 107, chain, NULL), 6);
	assert_int_equal(s.round, 2);
	assert_int_equal(s.names[1].c.probes, 4);
	assert_int_equal(s.names[1].c.ok, 4);
	probe_sched_free(&s);
}

static void
test_hourly_cap(void **state)
{
	struct probe_sched s;
	int chain[2] = { 1, 1 };
	uint64_t t = 0;

	(void)state;
	rnd_value = 0;
	/* 4 attempts a round, a round every 10 minutes, 10 an hour */
	assert_int_equal(probe_sched_init(&s, 2, 0, 600, 0, 10, fake_rnd,
	    NULL), 0);
	assert_int_equal(drain(&s, t, chain, NULL), 4);
	assert_int_equal(drain(&s, t += 600, chain, NULL), 4);
	assert_int_equal(drain(&s, t += 600, chain, NULL), 2);	/* cap */
	assert_int_equal(s.names[1].c.skipped_rate, 2);
	assert_int_equal(drain(&s, t += 600, chain, NULL), 0);
	assert_int_equal(s.names[0].c.skipped_rate + s.names[1].c.skipped_rate,
	    6);
	/* an hour after the first attempts, room again */
	assert_int_equal(drain(&s, t = 3600, chain, NULL), 4);
	probe_sched_free(&s);
}

static void
test_backoff(void **state)
{
	struct probe_sched s;
	int chain[2] = { 0, 0 };	/* nothing answers */
	uint64_t t = 0;
	size_t r;

	(void)state;
	rnd_value = 0;
	assert_int_equal(probe_sched_init(&s, 2, 0, 60, 0, 3600, fake_rnd,
	    NULL), 0);
	/* round 1: both probed; round 2: the target sits out one round;
	 * round 3 probed; rounds 4, 5 out; round 6 probed; 7-10 out */
	assert_int_equal(drain(&s, t, chain, NULL), 4);
	assert_int_equal(drain(&s, t += 60, chain, NULL), 2);
	assert_int_equal(drain(&s, t += 60, chain, NULL), 4);
	assert_int_equal(drain(&s, t += 60, chain, NULL), 2);
	assert_int_equal(drain(&s, t += 60, chain, NULL), 2);
	assert_int_equal(drain(&s, t += 60, chain, NULL), 4);
	for (r = 7; r <= 10; r++)
		assert_int_equal(drain(&s, t += 60, chain, NULL), 2);
	assert_int_equal(s.names[1].c.skipped_backoff, 7);
	assert_int_equal(s.names[0].c.skipped_backoff, 0);	/* control */
	assert_int_equal(s.names[1].c.failed, 6);
	/* it answers again: back every round after its next probe */
	chain[1] = 1;
	assert_int_equal(drain(&s, t += 60, chain, NULL), 4);
	assert_int_equal(drain(&s, t += 60, chain, NULL), 4);
	assert_int_equal(drain(&s, t += 60, chain, NULL), 4);
	probe_sched_free(&s);
}

static void
test_timeouts_counted(void **state)
{
	struct probe_sched s;
	size_t name;
	int tls12;

	(void)state;
	rnd_value = 0;
	assert_int_equal(probe_sched_init(&s, 1, 0, 60, 0, 60, fake_rnd,
	    NULL), 0);
	assert_true(probe_sched_next(&s, 0, &name, &tls12));
	probe_sched_done(&s, name, 0, 1);
	assert_true(probe_sched_next(&s, 0, &name, &tls12));
	assert_int_equal(tls12, 1);
	probe_sched_done(&s, name, 1, 0);
	assert_false(probe_sched_next(&s, 0, &name, &tls12));
	assert_int_equal(s.names[0].c.timeouts, 1);
	assert_int_equal(s.names[0].c.ok, 1);
	assert_int_equal(s.names[0].c.probes, 2);
	probe_sched_free(&s);
}

/* A name added mid-round is probed in that round, after the others. */
static void
test_add(void **state)
{
	struct probe_sched s;
	int chain[3] = { 1, 1, 1 };
	size_t name;
	int tls12;

	(void)state;
	rnd_value = 0;
	assert_int_equal(probe_sched_init(&s, 2, 0, 60, 0, 100, fake_rnd,
	    NULL), 0);
	assert_true(probe_sched_next(&s, 0, &name, &tls12));
	probe_sched_done(&s, name, 1, 0);
	assert_int_equal(probe_sched_add(&s), 2);
	assert_int_equal(drain(&s, 0, chain, NULL), 5);
	assert_int_equal(s.names[2].c.probes, 2);
	probe_sched_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounds_and_jitter),
		cmocka_unit_test(test_hourly_cap),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_timeouts_counted),
		cmocka_unit_test(test_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
