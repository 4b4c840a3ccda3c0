/*
 * pcapstream_test.c - the streaming pcap reader's buffer: records from a
 * few bytes up to PCAPFILE_REC_MAX, plain and gzip, read with every chunk
 * size the replay and the fuzz target use (the buffer starts at what the
 * chunk asks and grows for a larger record), and an allocation failing
 * when a record needs the buffer to grow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "sensor/limits.h"
#include "sensor/pcapstream.h"
#include "sensor/xmalloc.h"
#include "sensor/zin.h"

static char path[64];

/* Record sizes: small, over the 64 KiB starting buffer, the largest a
 * record may be, small again after it, and a larger one after the small. */
static const uint32_t sizes[] = { 60, 70000, PCAPFILE_REC_MAX, 5, 0,
	200000, 1400 };
#define NREC (sizeof(sizes) / sizeof(sizes[0]))

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The file, little endian, usec; record i's bytes are (i + k) & 0xff. */
static uint8_t *
make_pcap(size_t *total)
{
	size_t n = 24, k, off;
	uint8_t *b;
	unsigned i;

	for (i = 0; i < NREC; i++)
		n += 16 + sizes[i];
	b = calloc(1, n);
	assert_non_null(b);
	put32(b, 0xa1b2c3d4u);
	b[4] = 2;
	b[6] = 4;
	put32(b + 16, 262144);
	put32(b + 20, 1);
	off = 24;
	for (i = 0; i < NREC; i++) {
		put32(b + off, 1000 + i);
		put32(b + off + 8, sizes[i]);
		put32(b + off + 12, sizes[i]);
		off += 16;
		for (k = 0; k < sizes[i]; k++)
			b[off + k] = (uint8_t)(i + k);
		off += sizes[i];
	}
	*total = n;
	return b;
}

static void
write_file(int gz)
{
	uint8_t *b;
	size_t n;
	gzFile g;
	FILE *fp;

	b = make_pcap(&n);
	if (gz) {
		assert_non_null(g = gzopen(path, "wb1"));
		assert_int_equal(gzwrite(g, b, (unsigned)n), (int)n);
		assert_int_equal(gzclose(g), Z_OK);
	} else {
		assert_non_null(fp = fopen(path, "wb"));
		assert_int_equal(fwrite(b, 1, n, fp), n);
		assert_int_equal(fclose(fp), 0);
	}
	free(b);
}

static void
read_every_record(size_t chunk)
{
	struct pcapstream *ps;
	struct pcapfile_rec r;
	struct zin *z;
	char err[256];
	uint64_t off = 24;
	unsigned i;
	size_t k;
	int classic;

	assert_non_null(z = zin_open(path, NULL, NULL, err, sizeof(err)));
	ps = pcapstream_open(z, chunk, &classic, err, sizeof(err));
	assert_non_null(ps);
	assert_int_equal(classic, 1);
	for (i = 0; i < NREC; i++) {
		assert_int_equal(pcapstream_next(ps, &r, err, sizeof(err)), 1);
		assert_int_equal(r.caplen, sizes[i]);
		for (k = 0; k < r.caplen; k++)
			if (r.data[k] != (uint8_t)(i + k))
				fail_msg("chunk %zu record %u byte %zu", chunk,
				    i, k);
		off += 16 + sizes[i];
		assert_int_equal(pcapstream_offset(ps), off);
	}
	assert_int_equal(pcapstream_next(ps, &r, err, sizeof(err)), 0);
	pcapstream_close(ps);
	zin_close(z);
}

static void
test_chunks(void **state)
{
	static const size_t chunks[] = { 1, 7, 4096, 64u << 10, 1u << 20,
	    LIM_REPLAY_BUF };
	size_t i;
	int gz;

	(void)state;
	for (gz = 0; gz < 2; gz++) {
		write_file(gz);
		for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
			read_every_record(chunks[i]);
	}
}

/* The buffer cannot grow for the 70000-byte record: an error, no crash. */
static void
test_grow_fails(void **state)
{
	struct pcapstream *ps;
	struct pcapfile_rec r;
	struct zin *z;
	char err[256];
	int classic;

	(void)state;
	write_file(0);
	assert_non_null(z = zin_open(path, NULL, NULL, err, sizeof(err)));
	ps = pcapstream_open(z, 4096, &classic, err, sizeof(err));
	assert_non_null(ps);
	assert_int_equal(pcapstream_next(ps, &r, err, sizeof(err)), 1);
	xalloc_fail_after(0);
	assert_int_equal(pcapstream_next(ps, &r, err, sizeof(err)), -1);
	xalloc_fail_after(-1);
	assert_string_equal(err, "out of memory");
	pcapstream_close(ps);
	zin_close(z);
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/pcapstream_test.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_grow_fails),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
