/* json_test.c - the JSON writer: structure, escaping, numbers, times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "sensor/json.h"

static char *
text(struct jbuf *j)
{
	static char out[4096];

	assert_true(j->len < sizeof(out));
	memcpy(out, j->buf, j->len);
	out[j->len] = '\0';
	return out;
}

static void
test_structure(void **state)
{
	struct jbuf j;

	(void)state;
	jb_init(&j);
	jb_obj_open(&j, NULL);
	jb_str(&j, "a", "x");
	jb_u64(&j, "b", 18446744073709551615ull);
	jb_arr_open(&j, "c");
	jb_u64(&j, NULL, 1);
	jb_obj_open(&j, NULL);
	jb_bool(&j, "t", 1);
	jb_obj_close(&j);
	jb_null(&j, NULL);
	jb_arr_close(&j);
	jb_i64(&j, "d", -5);
	jb_obj_close(&j);
	assert_string_equal(text(&j),
	    "{\"a\":\"x\",\"b\":18446744073709551615,\"c\":[1,{\"t\":true},null],"
	    "\"d\":-5}");
	jb_reset(&j);
	jb_obj_open(&j, NULL);
	jb_obj_close(&j);
	assert_string_equal(text(&j), "{}");
	jb_free(&j);
}

static void
test_escaping(void **state)
{
	struct jbuf j;
	/* quote, backslash, control, valid UTF-8 (Cyrillic), invalid byte,
	 * overlong encoding, lone continuation byte */
	const char in[] = "q\"b\\c\x01\n\xd0\xa2\xd0\xb5\xff\xc0\xaf\x80z";

	(void)state;
	jb_init(&j);
	jb_obj_open(&j, NULL);
	jb_strn(&j, "s", in, sizeof(in) - 1);
	jb_obj_close(&j);
	assert_string_equal(text(&j),
	    "{\"s\":\"q\\\"b\\\\c\\u0001\\n\xd0\xa2\xd0\xb5\\ufffd\\ufffd"
	    "\\ufffd\\ufffdz\"}");
	jb_free(&j);
}

static void
test_embedded_nul(void **state)
{
	struct jbuf j;

	(void)state;
	jb_init(&j);
	jb_obj_open(&j, NULL);
	jb_strn(&j, "s", "a\0b", 3);
	jb_obj_close(&j);
	assert_int_equal(j.len, strlen("{\"s\":\"a\\u0000b\"}"));
	assert_memory_equal(j.buf, "{\"s\":\"a\\u0000b\"}", j.len);
	jb_free(&j);
}

static void
test_time_hex_ip(void **state)
{
	struct jbuf j;
	const uint8_t v4[16] = { 192, 0, 2, 1 };
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	const uint8_t h[] = { 0x00, 0xab, 0xff };

	(void)state;
	jb_init(&j);
	jb_obj_open(&j, NULL);
	jb_time(&j, "t", 1563444000123456ull);
	jb_time(&j, "e", 0);
	jb_hex(&j, "h", h, sizeof(h));
	jb_ip(&j, "a", 4, v4);
	jb_ip(&j, "b", 6, v6);
	jb_obj_close(&j);
	assert_string_equal(text(&j),
	    "{\"t\":\"2019-07-18T10:00:00.123456+0000\","
	    "\"e\":\"1970-01-01T00:00:00.000000+0000\",\"h\":\"00abff\","
	    "\"a\":\"192.0.2.1\",\"b\":\"2001:db8::1\"}");
	jb_free(&j);
}

/* The hand-written date arithmetic agrees with gmtime_r everywhere. */
static void
test_time_against_gmtime(void **state)
{
	struct jbuf j;
	uint64_t t, step = 86400ull * 1000000 * 7 + 3723456789ull;
	char want[96];
	struct tm tm;
	time_t secs;

	(void)state;
	jb_init(&j);
	/* 1970 .. 2200, every week and some: leap days, centuries. */
	for (t = 0; t < 7258118400ull * 1000000; t += step) {
		secs = (time_t)(t / 1000000);
		gmtime_r(&secs, &tm);
		snprintf(want, sizeof(want),
		    "\"%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000\"",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (unsigned)(t % 1000000));
		jb_reset(&j);
		jb_time(&j, NULL, t);
		assert_int_equal(j.len, strlen(want));
		assert_memory_equal(j.buf, want, j.len);
	}
	jb_reset(&j);
	jb_time(&j, NULL, 951782400ull * 1000000);	/* 2000-02-29 */
	assert_memory_equal(j.buf, "\"2000-02-29T00:00:00.000000+0000\"", j.len);
	jb_reset(&j);
	jb_time_z(&j, NULL, 951782400ull * 1000000 + 7);
	assert_int_equal(j.len, 29);
	assert_memory_equal(j.buf, "\"2000-02-29T00:00:00.000007Z\"", j.len);
	jb_free(&j);
}

static void
test_raw_and_growth(void **state)
{
	struct jbuf j;
	char big[5000];
	size_t i;

	(void)state;
	memset(big, 'x', sizeof(big));
	jb_init(&j);
	jb_obj_open(&j, NULL);
	jb_raw(&j, "r", "{\"k\":1}", 7);
	jb_strn(&j, "big", big, sizeof(big));
	jb_obj_close(&j);
	assert_false(j.oom);
	/* {"r":{"k":1},"big":"x...x"} */
	assert_int_equal(j.len, 1 + 4 + 7 + 1 + 6 + 1 + sizeof(big) + 1 + 1);
	for (i = 0; i < sizeof(big); i++)
		assert_int_equal(j.buf[20 + i], 'x');
	jb_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_time_hex_ip),
		cmocka_unit_test(test_time_against_gmtime),
		cmocka_unit_test(test_raw_and_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
