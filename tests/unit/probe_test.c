/*
 * probe_test.c - sensor/probe.c: the main process's parser of the probe
 * process's answers, which it trusts no more than packets: a good answer
 * parses whole; every truncation, a byte left over, and each field out of
 * range are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/probe.h"

static uint8_t msg[1024];
static size_t len;

static void
be(uint32_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		msg[len++] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* seq 7, ok, TLS 1.3, TLS_AES_128_GCM_SHA256, verify 20, 10.0.0.2:443
 * from 10.0.0.1:40000, reason "x", two certificates of 3 and 5 bytes. */
static void
good(uint8_t outcome, uint8_t family, uint8_t ncerts, uint32_t len0)
{
	static const uint8_t a[16] = { 10, 0, 0, 2 }, l[16] = { 10, 0, 0, 1 };

	len = 0;
	be(7, 4);
	be(outcome, 1);
	be(0x0304, 2);
	be(0x1301, 2);
	be(20, 4);
	be(family, 1);
	memcpy(msg + len, a, 16);
	len += 16;
	be(443, 2);
	memcpy(msg + len, l, 16);
	len += 16;
	be(40000, 2);
	be(1, 1);
	msg[len++] = 'x';
	be(0, 1);		/* not truncated */
	be(ncerts, 1);
	be(len0, 3);
	memcpy(msg + len, "abc", 3);
	len += 3;
	be(5, 3);
	memcpy(msg + len, "defgh", 5);
	len += 5;
}

static int
parse(size_t n, struct probe_result *r)
{
	static char reason[256];
	uint32_t seq;

	memset(r, 0, sizeof(*r));
	return probe_parse_answer(msg, n, &seq, r, reason);
}

static void
test_good(void **state)
{
	struct probe_result r;

	(void)state;
	good(PROBE_OK, 4, 2, 3);
	assert_int_equal(parse(len, &r), 0);
	assert_int_equal(r.outcome, PROBE_OK);
	assert_int_equal(r.version, 0x0304);
	assert_int_equal(r.cipher, 0x1301);
	assert_int_equal(r.verify, 20);
	assert_int_equal(r.family, 4);
	assert_int_equal(r.addr[3], 2);
	assert_int_equal(r.port, 443);
	assert_int_equal(r.local_port, 40000);
	assert_string_equal(r.reason, "x");
	assert_int_equal(r.nchain, 2);
	assert_int_equal(r.chain[0].len, 3);
	assert_memory_equal(r.chain[1].der, "defgh", 5);
	assert_false(r.truncated);
}

static void
test_truncated_and_trailing(void **state)
{
	struct probe_result r;
	size_t n;

	(void)state;
	good(PROBE_OK, 6, 2, 3);
	for (n = 0; n < len; n++)
		assert_int_equal(parse(n, &r), -1);
	msg[len] = 0;
	assert_int_equal(parse(len + 1, &r), -1);
}

static void
test_fields_out_of_range(void **state)
{
	struct probe_result r;

	(void)state;
	good(PROBE_OUTCOME_MAX, 4, 2, 3);
	assert_int_equal(parse(len, &r), -1);
	good(PROBE_TIMEOUT, 5, 2, 3);		/* no such family */
	assert_int_equal(parse(len, &r), -1);
	good(PROBE_OK, 4, LIM_PROBE_CERTS + 1, 3);
	assert_int_equal(parse(len, &r), -1);
	good(PROBE_OK, 4, 2, 0);		/* an empty certificate */
	assert_int_equal(parse(len, &r), -1);
	good(PROBE_OK, 4, 2, 0xffffff);		/* longer than the answer */
	assert_int_equal(parse(len, &r), -1);
	good(PROBE_OK, 4, 1, 3);		/* one fewer than sent */
	assert_int_equal(parse(len, &r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_fields_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
