/*
 * outrepair_test.c - sensor/outrepair.c: a partial last line is cut back
 * to the last '\n', whatever its length; complete files are untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "sensor/outrepair.h"

static char path[] = "/tmp/outrepair_test.XXXXXX";
static int fd = -1;

static int
setup(void **state)
{
	(void)state;
	strcpy(path + sizeof(path) - 7, "XXXXXX");
	fd = mkstemp(path);
	return fd == -1 ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(fd);
	unlink(path);
	return 0;
}

static void
put(const char *s, size_t n)
{
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, s, n, 0), (ssize_t)n);
}

static off_t
size(void)
{
	return lseek(fd, 0, SEEK_END);
}

static void
test_complete(void **state)
{
	(void)state;
	put("", 0);
	assert_int_equal(output_repair_tail(fd), 0);
	put("{\"a\":1}\n{\"b\":2}\n", 16);
	assert_int_equal(output_repair_tail(fd), 0);
	assert_int_equal(size(), 16);
}

static void
test_partial(void **state)
{
	(void)state;
	put("{\"a\":1}\n{\"b\":", 13);
	assert_int_equal(output_repair_tail(fd), 5);
	assert_int_equal(size(), 8);
	assert_int_equal(output_repair_tail(fd), 0);	/* idempotent */
	put("{\"no newline", 12);
	assert_int_equal(output_repair_tail(fd), 12);
	assert_int_equal(size(), 0);
}

/* The fragment spans several read blocks; the newline sits at a block
 * boundary and at offset 0. */
static void
test_long_tail(void **state)
{
	static char buf[20000];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	buf[0] = '\n';
	put(buf, sizeof(buf));
	assert_int_equal(output_repair_tail(fd), sizeof(buf) - 1);
	assert_int_equal(size(), 1);
	memset(buf, 'x', sizeof(buf));
	buf[sizeof(buf) - 4096 - 1] = '\n';
	put(buf, sizeof(buf));
	assert_int_equal(output_repair_tail(fd), 4096);
	assert_int_equal(size(), sizeof(buf) - 4096);
}

static void
test_not_regular(void **state)
{
	int null = open("/dev/null", O_RDWR);

	(void)state;
	assert_true(null >= 0);
	assert_int_equal(output_repair_tail(null), 0);
	close(null);
	assert_int_equal(output_repair_tail(-1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
