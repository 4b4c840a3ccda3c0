/*
 * ifstats_test.c - sensor/ifstats.c: the drop column of /proc/net/dev
 * found by exact name (not a prefix, not a transmit field), malformed or
 * cut lines refused, and the drop total continuous when the interface is
 * deleted and re-created (its count restarts from 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/ifstats.h"

static const char netdev[] =
    "Inter-|   Receive                                                |"
    "  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|"
    "bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:  107823   778    0    0    0     0          0         0 "
    "107823   778    0    9    0     0       0          0\n"
    "  veth0:     640       8    1   17    0     0          0         0 "
    "    900      10    0   99    0     0       0          0\n"
    "veth0b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";

static void
finds_by_exact_name(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(ifstats_netdev_drops(netdev, strlen(netdev), "veth0",
	    &v), 0);
	assert_int_equal(v, 17);
	assert_int_equal(ifstats_netdev_drops(netdev, strlen(netdev),
	    "veth0b", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(ifstats_netdev_drops(netdev, strlen(netdev), "lo",
	    &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ifstats_netdev_drops(netdev, strlen(netdev), "veth",
	    &v), -1);
	assert_int_equal(ifstats_netdev_drops(netdev, strlen(netdev), "face",
	    &v), -1);
}

static void
refuses_short_lines(void **state)
{
	static const char cut[] = "  eth1: 10 20 30";
	static const char bad[] = "  eth1: 10 20 x 40 50\n";
	static const char huge[] =
	    "  eth1: 1 2 3 123456789012345678901234567890 5\n";
	uint64_t v = 0;

	(void)state;
	assert_int_equal(ifstats_netdev_drops(cut, strlen(cut), "eth1", &v),
	    -1);
	assert_int_equal(ifstats_netdev_drops(bad, strlen(bad), "eth1", &v),
	    -1);
	assert_int_equal(ifstats_netdev_drops(huge, strlen(huge), "eth1", &v),
	    -1);
	/* a read that stopped inside a line: that line is not trusted */
	assert_int_equal(ifstats_netdev_drops(netdev, strlen(netdev) - 30,
	    "veth0b", &v), -1);
	assert_int_equal(ifstats_netdev_drops(netdev, strlen(netdev) - 30,
	    "veth0", &v), 0);
	assert_int_equal(v, 17);
}

static void
total_continues_across_devices(void **state)
{
	struct ifdrops d;

	(void)state;
	memset(&d, 0, sizeof(d));
	ifdrops_new_device(&d);
	ifdrops_update(&d, 100);	/* the base at start */
	assert_int_equal(ifdrops_total(&d), 0);
	ifdrops_update(&d, 130);
	assert_int_equal(ifdrops_total(&d), 30);
	/* deleted, re-created, reopened: 30 carried, the new one counts */
	ifdrops_new_device(&d);
	assert_int_equal(ifdrops_total(&d), 30);
	ifdrops_update(&d, 0);
	ifdrops_update(&d, 5);
	assert_int_equal(ifdrops_total(&d), 35);
	/* re-created between two reads: a count that went back */
	ifdrops_update(&d, 2);
	assert_int_equal(ifdrops_total(&d), 37);
	ifdrops_update(&d, 10);
	assert_int_equal(ifdrops_total(&d), 45);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_by_exact_name),
		cmocka_unit_test(refuses_short_lines),
		cmocka_unit_test(total_continues_across_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
