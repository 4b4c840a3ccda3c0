/* cur_test.c - the bounds-checked cursor never reads past its buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "parsers/cur.h"

static const uint8_t buf[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

static void
test_reads_big_endian(void **state)
{
	struct cur c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;

	(void)state;
	cur_init(&c, buf, sizeof(buf));
	assert_int_equal(cur_u8(&c, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(cur_be16(&c, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(cur_be24(&c, &u24), 0);
	assert_int_equal(u24, 0x040506);
	assert_int_equal(cur_left(&c), 1);
	assert_int_equal(cur_be32(&c, &u32), -1);
	assert_int_equal(cur_left(&c), 1);	/* unchanged on failure */
}

static void
test_little_endian(void **state)
{
	struct cur c;
	uint16_t u16;
	uint32_t u32;

	(void)state;
	cur_init(&c, buf, sizeof(buf));
	assert_int_equal(cur_le16(&c, &u16), 0);
	assert_int_equal(u16, 0x0201);
	assert_int_equal(cur_le32(&c, &u32), 0);
	assert_int_equal(u32, 0x06050403);
}

static void
test_sub_and_skip(void **state)
{
	struct cur c, sub;
	uint8_t out[4];

	(void)state;
	cur_init(&c, buf, sizeof(buf));
	assert_int_equal(cur_sub(&c, 8, &sub), -1);
	assert_int_equal(cur_sub(&c, 3, &sub), 0);
	assert_int_equal(cur_left(&sub), 3);
	assert_int_equal(cur_left(&c), 4);
	assert_int_equal(cur_bytes(&sub, out, 4), -1);
	assert_int_equal(cur_bytes(&sub, out, 3), 0);
	assert_memory_equal(out, buf, 3);
	assert_int_equal(cur_skip(&c, 5), -1);
	assert_int_equal(cur_skip(&c, 4), 0);
	assert_int_equal(cur_left(&c), 0);
}

/* Every read at every length: success iff enough bytes remain. */
static void
test_every_length(void **state)
{
	size_t n;
	struct cur c;
	uint8_t u8, tmp[8];
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	for (n = 0; n <= sizeof(buf); n++) {
		cur_init(&c, buf, n);
		assert_int_equal(cur_u8(&c, &u8), n >= 1 ? 0 : -1);
		cur_init(&c, buf, n);
		assert_int_equal(cur_be16(&c, &u16), n >= 2 ? 0 : -1);
		cur_init(&c, buf, n);
		assert_int_equal(cur_be24(&c, &u32), n >= 3 ? 0 : -1);
		cur_init(&c, buf, n);
		assert_int_equal(cur_be32(&c, &u32), n >= 4 ? 0 : -1);
		cur_init(&c, buf, n);
		assert_int_equal(cur_be48(&c, &u64), n >= 6 ? 0 : -1);
		cur_init(&c, buf, n);
		assert_int_equal(cur_bytes(&c, tmp, 5), n >= 5 ? 0 : -1);
		cur_init(&c, buf, n);
		assert_int_equal(cur_peek_u8(&c, 2, &u8), n >= 3 ? 0 : -1);
		cur_init(&c, buf, n);
		assert_int_equal(cur_peek_be16(&c, 1, &u16), n >= 3 ? 0 : -1);
	}
}

static void
test_huge_length_claims(void **state)
{
	struct cur c, sub;

	(void)state;
	cur_init(&c, buf, sizeof(buf));
	assert_int_equal(cur_skip(&c, SIZE_MAX), -1);
	assert_int_equal(cur_sub(&c, SIZE_MAX, &sub), -1);
	assert_int_equal(cur_left(&c), sizeof(buf));
	cur_init(&c, NULL, 100);	/* NULL buffer is empty */
	assert_int_equal(cur_left(&c), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_big_endian),
		cmocka_unit_test(test_little_endian),
		cmocka_unit_test(test_sub_and_skip),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_huge_length_claims),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
