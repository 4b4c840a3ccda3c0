#include "xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_after = -1;

void
xalloc_fail_after(long n)
{
	fail_after = n;
}

static int
should_fail(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void *
xmalloc(size_t n)
{
	if (n == 0 || should_fail())
		return NULL;
	return malloc(n);
}

void *
xcalloc(size_t n, size_t sz)
{
	if (n == 0 || sz == 0 || should_fail())
		return NULL;
	return calloc(n, sz);
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		return NULL;
	if (n == 0 || sz == 0 || should_fail())
		return NULL;
	return realloc(p, n * sz);
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

void
xfree(void *p)
{
	free(p);
}
