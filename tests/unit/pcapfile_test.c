/*
 * pcapfile_test.c - the zero-copy pcap reader: both byte orders, usec and
 * nsec, records across mapping windows, every truncation, bogus lengths,
 * formats it must leave to libpcap, and record-for-record agreement with
 * libpcap on the bundled corpus.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "sensor/pcapfile.h"

static char path[64];

static void
put32(uint8_t *p, uint32_t v, int be)
{
	int i;

	for (i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void
put16(uint8_t *p, uint16_t v, int be)
{
	p[be ? 1 : 0] = (uint8_t)v;
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
}

/* A file with n records of sizes size(i), payload bytes (i + j) & 0xff. */
static size_t
make_file(int be, int nsec, uint32_t linktype, unsigned n,
    uint32_t (*size)(unsigned), size_t cut)
{
	FILE *fp = fopen(path, "wb");
	uint8_t h[24], r[16], *buf;
	size_t total = 0, k;
	unsigned i;
	uint32_t len;

	assert_non_null(fp);
	put32(h, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, be);
	put16(h + 4, 2, be);
	put16(h + 6, 4, be);
	memset(h + 8, 0, 8);
	put32(h + 16, 262144, be);
	put32(h + 20, linktype, be);
	fwrite(h, 1, sizeof(h), fp);
	total += sizeof(h);
	for (i = 0; i < n; i++) {
		len = size(i);
		put32(r, 1000 + i, be);
		put32(r + 4, nsec ? i * 1000 + 999 : i, be);
		put32(r + 8, len, be);
		put32(r + 12, len + 4, be);
		buf = malloc(len + 1);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)(i + k);
		fwrite(r, 1, sizeof(r), fp);
		fwrite(buf, 1, len, fp);
		free(buf);
		total += sizeof(r) + len;
	}
	fclose(fp);
	if (cut > 0 && cut < total)
		assert_int_equal(truncate(path, (off_t)cut), 0);
	return total;
}

static uint32_t small_size(unsigned i) { return 60 + (i * 37) % 1400; }
/* 64 KiB-ish records: a 20 MiB file crosses several 8 MiB windows with
 * records straddling every boundary. */
static uint32_t big_size(unsigned i) { return 65000 + (i * 7919) % 3000; }
static uint32_t zero_size(unsigned i) { return i % 2 ? 0 : 10; }

static void
read_all(unsigned n, uint32_t (*size)(unsigned), int nsec, int dlt_want)
{
	struct pcapfile *pf;
	struct pcapfile_rec r;
	char err[256];
	unsigned i;
	size_t k;

	assert_int_equal(pcapfile_open(path, &pf, err, sizeof(err)),
	    PCAPFILE_OK);
	assert_int_equal(pcapfile_dlt(pf), dlt_want);
	for (i = 0; i < n; i++) {
		assert_int_equal(pcapfile_next(pf, &r, err, sizeof(err)), 1);
		assert_int_equal(r.caplen, size(i));
		assert_int_equal(r.len, size(i) + 4);
		assert_int_equal(r.ts_us, (1000ull + i) * 1000000 +
		    (nsec ? i : i));
		for (k = 0; k < r.caplen; k++)
			if (r.data[k] != (uint8_t)(i + k))
				fail_msg("record %u byte %zu", i, k);
	}
	assert_int_equal(pcapfile_next(pf, &r, err, sizeof(err)), 0);
	pcapfile_close(pf);
}

static void
test_orders_and_units(void **state)
{
	(void)state;
	make_file(0, 0, 1, 50, small_size, 0);
	read_all(50, small_size, 0, DLT_EN10MB);
	make_file(1, 0, 1, 50, small_size, 0);
	read_all(50, small_size, 0, DLT_EN10MB);
	make_file(0, 1, 1, 50, small_size, 0);
	read_all(50, small_size, 1, DLT_EN10MB);
	make_file(1, 1, 101, 50, small_size, 0);	/* LINKTYPE_RAW */
	read_all(50, small_size, 1, DLT_RAW);
	make_file(0, 0, 1, 20, zero_size, 0);
	read_all(20, zero_size, 0, DLT_EN10MB);
}

static void
test_windows(void **state)
{
	(void)state;
	make_file(0, 0, 1, 320, big_size, 0);	/* ~21 MB */
	read_all(320, big_size, 0, DLT_EN10MB);
}

/* Cut the file at every byte: records before the cut are read, then a
 * clean end (cut on a record boundary) or an error, never a bad read. */
static void
test_every_truncation(void **state)
{
	struct pcapfile *pf;
	struct pcapfile_rec r;
	char err[256];
	size_t total, cut, bound;
	unsigned n, i;
	int rc;

	(void)state;
	total = make_file(0, 0, 1, 6, small_size, 0);
	for (cut = 1; cut < total; cut++) {
		make_file(0, 0, 1, 6, small_size, cut);
		rc = pcapfile_open(path, &pf, err, sizeof(err));
		if (cut < 24) {
			assert_int_equal(rc, PCAPFILE_NOT_MINE);
			continue;
		}
		assert_int_equal(rc, PCAPFILE_OK);
		/* records that fit entirely before the cut */
		for (n = 0, bound = 24; n < 6; n++) {
			if (bound + 16 + small_size(n) > cut)
				break;
			bound += 16 + small_size(n);
		}
		for (i = 0; i < n; i++)
			assert_int_equal(pcapfile_next(pf, &r, err,
			    sizeof(err)), 1);
		rc = pcapfile_next(pf, &r, err, sizeof(err));
		assert_int_equal(rc, bound == cut ? 0 : -1);
		if (rc == -1)
			assert_non_null(strstr(err, "truncated"));
		pcapfile_close(pf);
	}
}

static void
test_bogus(void **state)
{
	struct pcapfile *pf;
	struct pcapfile_rec r;
	char err[256];
	FILE *fp;
	uint8_t rec[16];

	(void)state;
	make_file(0, 0, 1, 1, small_size, 0);
	fp = fopen(path, "ab");
	put32(rec, 1, 0);
	put32(rec + 4, 0, 0);
	put32(rec + 8, 0x7fffffff, 0);	/* 2 GB claim */
	put32(rec + 12, 60, 0);
	fwrite(rec, 1, 16, fp);
	fclose(fp);
	assert_int_equal(pcapfile_open(path, &pf, err, sizeof(err)),
	    PCAPFILE_OK);
	assert_int_equal(pcapfile_next(pf, &r, err, sizeof(err)), 1);
	assert_int_equal(pcapfile_next(pf, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad record"));
	pcapfile_close(pf);
	/* pcapng, garbage and stdin are libpcap's */
	fp = fopen(path, "wb");
	fwrite("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a"
	    "\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"
	    "\x1c\x00\x00\x00", 1, 28, fp);
	fclose(fp);
	assert_int_equal(pcapfile_open(path, &pf, err, sizeof(err)),
	    PCAPFILE_NOT_MINE);
	assert_int_equal(pcapfile_open("-", &pf, err, sizeof(err)),
	    PCAPFILE_NOT_MINE);
	assert_int_equal(pcapfile_open("/nonexistent/x.pcap", &pf, err,
	    sizeof(err)), PCAPFILE_NOT_MINE);
}

/* Record for record, the same as libpcap on every bundled capture. */
static void
test_same_as_libpcap(void **state)
{
	const char *dir = getenv("RW_CORPUS_PCAPS");
	char file[1024], perr[PCAP_ERRBUF_SIZE], err[256];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pcapfile_rec r;
	struct pcapfile *pf;
	struct dirent *de;
	unsigned files = 0;
	pcap_t *p;
	DIR *d;

	(void)state;
	if (dir == NULL || (d = opendir(dir)) == NULL)
		skip();
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".pcap") != 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		if (pcapfile_open(file, &pf, err, sizeof(err)) != PCAPFILE_OK)
			continue;	/* pcapng: libpcap's alone */
		assert_non_null(p = pcap_open_offline(file, perr));
		assert_int_equal(pcap_datalink(p), pcapfile_dlt(pf));
		while (pcap_next_ex(p, &h, &data) == 1) {
			assert_int_equal(pcapfile_next(pf, &r, err,
			    sizeof(err)), 1);
			assert_int_equal(r.caplen, h->caplen);
			assert_int_equal(r.len, h->len);
			assert_int_equal(r.ts_us, (uint64_t)h->ts.tv_sec *
			    1000000 + (uint64_t)h->ts.tv_usec);
			assert_memory_equal(r.data, data, h->caplen);
		}
		assert_int_equal(pcapfile_next(pf, &r, err, sizeof(err)), 0);
		pcap_close(p);
		pcapfile_close(pf);
		files++;
	}
	closedir(d);
	assert_true(files > 10);
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/pcapfile_test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
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

/* A fresh file per test: none reads what an earlier one wrote. */
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_orders_and_units),
		T(test_windows),
		T(test_every_truncation),
		T(test_bogus),
		T(test_same_as_libpcap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
