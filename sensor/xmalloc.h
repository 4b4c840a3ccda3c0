/*
 * xmalloc.h - the only allocator.  Sizes are overflow-checked.  Unlike
 * OpenBSD's xmalloc these return NULL on failure: a sensor that hits its
 * memory limit counts it and keeps going.  xalloc_fail_after() lets fuzz
 * and unit tests make the Nth allocation fail.
 */
#ifndef ROOTWATCH_XMALLOC_H
#define ROOTWATCH_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
void	 xfree(void *);
/* Testing hook: fail every allocation after n more succeed (-1 = never). */
void	 xalloc_fail_after(long n);

#endif
