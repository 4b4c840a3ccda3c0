/*
 * syslog_test.c - the syslog formatter (sensor/sink_syslog.c): RFC 5424
 * and RFC 3164 headers, PRI, severities, facility names, server parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sensor/sink_int.h"

/* 2024-05-01T10:02:03.004005Z */
static const struct timespec t0 = { 1714557723, 4005678 };

static void
test_rfc5424(void **state)
{
	struct syslog_fmt f = { 0, 21, 0, "kit-7", "rootwatch", 812 };
	char buf[SYSLOG_HDR_MAX];
	size_t n;

	n = syslog_header(buf, &f, syslog_severity(SINK_EV_ALERT),
	    sink_event_name(SINK_EV_ALERT), &t0);
	assert_string_equal(buf, "<172>1 2024-05-01T10:02:03.004005Z kit-7 "
	    "rootwatch 812 alert - ");
	assert_int_equal(n, strlen(buf));
	syslog_header(buf, &f, syslog_severity(SINK_EV_TLS),
	    sink_event_name(SINK_EV_TLS), &t0);
	assert_string_equal(buf, "<174>1 2024-05-01T10:02:03.004005Z kit-7 "
	    "rootwatch 812 tls - ");
	f.facility = 0;
	syslog_header(buf, &f, syslog_severity(SINK_EV_FLOW),
	    sink_event_name(SINK_EV_FLOW), &t0);
	assert_string_equal(buf, "<6>1 2024-05-01T10:02:03.004005Z kit-7 "
	    "rootwatch 812 flow - ");
}

static void
test_rfc3164(void **state)
{
	struct syslog_fmt f = { 1, 16, 0, "kit-7", "rootwatch", 9 };
	char buf[SYSLOG_HDR_MAX];

	setenv("TZ", "UTC", 1);
	tzset();
	syslog_header(buf, &f, syslog_severity(SINK_EV_STATS), "stats", &t0);
	assert_string_equal(buf, "<134>May  1 10:02:03 kit-7 rootwatch[9]: ");
	f.local = 1;		/* to /dev/log: no HOSTNAME, as syslog(3) */
	syslog_header(buf, &f, syslog_severity(SINK_EV_ALERT), "alert", &t0);
	assert_string_equal(buf, "<132>May  1 10:02:03 rootwatch[9]: ");
}

static void
test_names(void **state)
{
	assert_int_equal(sink_facility("local5"), 21);
	assert_int_equal(sink_facility("kern"), 0);
	assert_int_equal(sink_facility("local7"), 23);
	assert_int_equal(sink_facility("local8"), -1);
	assert_int_equal(sink_event_kind("alert"), SINK_EV_ALERT);
	assert_int_equal(sink_event_kind("stats"), SINK_EV_STATS);
	assert_int_equal(sink_event_kind("dns"), -1);
}

static void
test_split_server(void **state)
{
	char h[64], p[8];

	assert_int_equal(sink_split_server("127.0.0.1:514", h, sizeof(h), p,
	    sizeof(p)), 0);
	assert_string_equal(h, "127.0.0.1");
	assert_string_equal(p, "514");
	assert_int_equal(sink_split_server("[::1]:6379", h, sizeof(h), p,
	    sizeof(p)), 0);
	assert_string_equal(h, "::1");
	assert_string_equal(p, "6379");
	assert_int_equal(sink_split_server("localhost", h, sizeof(h), p,
	    sizeof(p)), -1);
	assert_int_equal(sink_split_server(":514", h, sizeof(h), p,
	    sizeof(p)), -1);
	assert_int_equal(sink_split_server("h:51x", h, sizeof(h), p,
	    sizeof(p)), -1);
	assert_int_equal(sink_split_server("h:", h, sizeof(h), p,
	    sizeof(p)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5424),
		cmocka_unit_test(test_rfc3164),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_split_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
