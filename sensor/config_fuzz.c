/*
 * config_fuzz.c - libFuzzer target for the configuration loader
 * (sensor/config.c) on arbitrary text.
 *
 * The text is written to a memfd and loaded through its /proc path, as -c
 * would.  Every input must either load (then be freed) or be rejected
 * with lines that each start with "path:" (file:line:column: message, or
 * path: reason); a rejected load must leave the previous configuration
 * untouched (checked on output and the rules count).  One input in four
 * is loaded again with an allocation failing after a few successes (the
 * count comes from the input): it must fail cleanly or load.
 * Seeds: tests/fuzz/config/; dictionary: tests/fuzz/config.dict.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Each line of err starts with path and ':' (cut lines excepted). */
static void
check_err(const char *err, const char *path)
{
	size_t plen = strlen(path);

	if (strncmp(err, path, plen) != 0 || err[plen] != ':')
		abort();
}

static void
load_once(const char *path, long fail_after)
{
	struct config	cf;
	char		err[2048];

	config_default(&cf);
	if ((cf.output = xstrdup("keep")) == NULL)
		abort();
	err[0] = '\0';
	xalloc_fail_after(fail_after);
	if (config_load(&cf, path, err, sizeof(err)) == -1) {
		xalloc_fail_after(-1);
		check_err(err, path);
		if (cf.output == NULL || strcmp(cf.output, "keep") != 0 ||
		    cf.nrules != 0)
			abort();
	}
	xalloc_fail_after(-1);
	config_free(&cf);
}

/* One memfd for the run, rewritten per input (config_load opens it anew
 * through its /proc path): creating and closing one per input is no part
 * of what is tested. */
static int
input_fd(const uint8_t *data, size_t len)
{
	static int fd = -1;

	if (fd == -1 && (fd = memfd_create("config_fuzz", MFD_CLOEXEC)) == -1)
		return -1;
	if (ftruncate(fd, 0) == -1 || (len > 0 &&
	    pwrite(fd, data, len, 0) != (ssize_t)len))
		return -1;
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	path[64];
	size_t	i;
	unsigned h = 0;
	int	fd;

	if ((fd = input_fd(data, len)) == -1)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	load_once(path, -1);
	for (i = 0; i < len; i++)
		h = h * 31 + data[i];
	if ((h & 3) == 0)
		load_once(path, (long)(h >> 2 & 15));
	return 0;
}
