/*
 * classify_test.c - sensor/classify.c: nDPI names an application from a
 * server name, whether the classifier's module was built in place or
 * ahead in the set-up thread (classify_prepare), and a classifier freed
 * before its module arrived gives it back.  Leaks show under the
 * sanitizer build (LeakSanitizer).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/classify.h"
#include "sensor/limits.h"

static struct limits lim;

/* The application nDPI names for a TLS flow to sni ("Google"), or NULL. */
static const char *
app_of(struct classify *c, const char *sni)
{
	static struct flow f;

	memset(&f, 0, sizeof(f));
	classify_sni(c, &f, sni, 0);
	return classify_app_name(c, &f);
}

static void
test_in_place(void **state)
{
	struct classify *c;
	const char *app;

	(void)state;
	assert_non_null(c = classify_new(&lim));
	assert_non_null(app = app_of(c, "www.google.com"));
	assert_string_equal(app, "Google");
	assert_non_null(app = app_of(c, "www.example.org"));
	assert_string_equal(app, "TLS");	/* no application: the protocol */
	classify_free(c);
}

static void
test_prepared(void **state)
{
	struct classify *a, *b, *c;

	(void)state;
	assert_int_equal(classify_prepare(3), 0);
	assert_int_equal(classify_prepare(1), -1);	/* one at a time */
	assert_non_null(a = classify_new(&lim));
	assert_non_null(b = classify_new(&lim));
	/* before the end: the module may not be there, and nothing is named
	 * (no crash either way) */
	(void)app_of(a, "www.google.com");
	classify_prepare_end();		/* the third module, untaken, freed */
	assert_string_equal(app_of(a, "www.google.com"), "Google");
	assert_string_equal(app_of(b, "www.youtube.com"), "YouTube");
	classify_prepare_end();		/* again: nothing to do */
	/* after the end, classify_new builds its own module again */
	assert_non_null(c = classify_new(&lim));
	assert_string_equal(app_of(c, "www.google.com"), "Google");
	classify_free(a);
	classify_free(b);
	classify_free(c);
}

static void
test_freed_before_end(void **state)
{
	struct classify *a, *b;

	(void)state;
	assert_int_equal(classify_prepare(2), 0);
	assert_non_null(a = classify_new(&lim));
	assert_non_null(b = classify_new(&lim));
	classify_free(a);	/* joins the thread: a's module freed */
	assert_string_equal(app_of(b, "www.google.com"), "Google");
	classify_free(b);
	classify_prepare_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_prepared),
		cmocka_unit_test(test_freed_before_end),
	};

	limits_default(&lim);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
