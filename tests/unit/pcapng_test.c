/*
 * pcapng_test.c - pcapng blocks (sensor/pcapng.c): interfaces of several
 * link types, every timestamp resolution, both byte orders, simple and
 * obsolete packet blocks, and the malformed blocks that must be refused
 * with a message rather than read past.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "sensor/pcapng.h"

struct blk {
	uint8_t	 b[512];
	size_t	 n;
	int	 be;
};

static void
put(struct blk *k, uint32_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		k->b[k->n + (size_t)(k->be ? bytes - 1 - i : i)] =
		    (uint8_t)(v >> (8 * i));
	k->n += (size_t)bytes;
}

/* Start a block of type t; end() writes both lengths. */
static void
begin(struct blk *k, uint32_t t, int be)
{
	k->n = 0;
	k->be = be;
	put(k, t, 4);
	put(k, 0, 4);
}

static void
end(struct blk *k)
{
	size_t n;

	while (k->n % 4)
		k->b[k->n++] = 0;
	n = k->n + 4;
	k->n = 4;
	put(k, (uint32_t)n, 4);
	k->n = n - 4;
	put(k, (uint32_t)n, 4);
}

static int
feed(struct pcapng *ng, struct blk *k, struct pcapfile_rec *r)
{
	struct cur c;
	uint32_t len;
	char err[128];

	cur_init(&c, k->b, k->n);
	if (pcapng_block_len(ng, c, &len, err, sizeof(err)) != 0)
		return -1;
	assert_int_equal(len, k->n);
	return pcapng_block(ng, c, r, err, sizeof(err));
}

static void
shb(struct pcapng *ng, int be)
{
	struct blk k;
	struct pcapfile_rec r;

	begin(&k, PCAPNG_SHB, be);
	put(&k, 0x1a2b3c4d, 4);
	put(&k, 1, 2);
	put(&k, 0, 2);
	put(&k, 0xffffffff, 4);
	put(&k, 0xffffffff, 4);
	end(&k);
	assert_int_equal(feed(ng, &k, &r), 0);
}

/* An IDB; tsresol < 0: no option. */
static int
idb(struct pcapng *ng, int be, uint16_t lt, int tsresol)
{
	struct blk k;
	struct pcapfile_rec r;

	begin(&k, 1, be);
	put(&k, lt, 2);
	put(&k, 0, 2);
	put(&k, 0, 4);
	if (tsresol >= 0) {
		put(&k, 9, 2);
		put(&k, 1, 2);
		put(&k, (uint32_t)tsresol, 1);
		k.n += 3;
		put(&k, 0, 4);
	}
	end(&k);
	return feed(ng, &k, &r);
}

/* r->data points into the block: static, so it outlives the call. */
static int
epb(struct pcapng *ng, int be, uint32_t ifn, uint64_t t,
    struct pcapfile_rec *r)
{
	static struct blk k;

	begin(&k, 6, be);
	put(&k, ifn, 4);
	put(&k, (uint32_t)(t >> 32), 4);
	put(&k, (uint32_t)t, 4);
	put(&k, 5, 4);
	put(&k, 60, 4);
	memcpy(k.b + k.n, "hello", 5);
	k.n += 5;
	end(&k);
	return feed(ng, &k, r);
}

static void
test_interfaces_and_resolutions(void **state)
{
	struct pcapng ng;
	struct pcapfile_rec r;
	int be;

	(void)state;
	for (be = 0; be < 2; be++) {
		memset(&ng, 0, sizeof(ng));
		shb(&ng, be);
		assert_int_equal(ng.swapped, be);
		assert_int_equal(idb(&ng, be, 1, -1), 0);	/* usec */
		assert_int_equal(idb(&ng, be, 113, 9), 0);	/* nsec */
		assert_int_equal(idb(&ng, be, 101, 0x94), 0);	/* 2^-20 */
		assert_int_equal(idb(&ng, be, 239, 3), 0);	/* msec */
		assert_int_equal(epb(&ng, be, 0, 1700000000123456ull, &r), 1);
		assert_int_equal(r.dlt, 1);
		assert_int_equal(r.ts_us, 1700000000123456ull);
		assert_int_equal(r.caplen, 5);
		assert_int_equal(r.len, 60);
		assert_memory_equal(r.data, "hello", 5);
		assert_int_equal(epb(&ng, be, 1, 1700000000123456789ull, &r),
		    1);
		assert_int_equal(r.dlt, 113);
		assert_int_equal(r.ts_us, 1700000000123456ull);
		assert_int_equal(epb(&ng, be, 2, (5ull << 20) | (1u << 19),
		    &r), 1);
		assert_int_equal(r.dlt, DLT_RAW);
		assert_int_equal(r.ts_us, 5500000);
		assert_int_equal(epb(&ng, be, 3, 1700000000123ull, &r), 1);
		assert_int_equal(r.ts_us, 1700000000123000ull);
		/* interface 4 was never described */
		assert_int_equal(epb(&ng, be, 4, 0, &r), -1);
		/* a new section forgets the interfaces */
		shb(&ng, !be);
		assert_int_equal(epb(&ng, !be, 0, 0, &r), -1);
	}
}

static void
test_simple_and_obsolete_blocks(void **state)
{
	struct pcapng ng;
	struct pcapfile_rec r;
	struct blk k;

	(void)state;
	memset(&ng, 0, sizeof(ng));
	shb(&ng, 0);
	/* SPB before any interface */
	begin(&k, 3, 0);
	put(&k, 4, 4);
	memcpy(k.b + k.n, "abcd", 4);
	k.n += 4;
	end(&k);
	assert_int_equal(feed(&ng, &k, &r), -1);
	assert_int_equal(idb(&ng, 0, 9, -1), 0);
	/* original 100, 4 bytes in the block: captured is what is there */
	begin(&k, 3, 0);
	put(&k, 100, 4);
	memcpy(k.b + k.n, "abcd", 4);
	k.n += 4;
	end(&k);
	assert_int_equal(feed(&ng, &k, &r), 1);
	assert_int_equal(r.caplen, 4);
	assert_int_equal(r.len, 100);
	assert_int_equal(r.dlt, 9);
	/* obsolete packet block, 16-bit interface id */
	begin(&k, 2, 0);
	put(&k, 0, 2);
	put(&k, 0, 2);
	put(&k, 0, 4);
	put(&k, 1000000, 4);
	put(&k, 2, 4);
	put(&k, 2, 4);
	k.b[k.n++] = 1;
	k.b[k.n++] = 2;
	end(&k);
	assert_int_equal(feed(&ng, &k, &r), 1);
	assert_int_equal(r.ts_us, 1000000);
	/* statistics, name resolution, custom: skipped */
	begin(&k, 5, 0);
	put(&k, 0, 4);
	end(&k);
	assert_int_equal(feed(&ng, &k, &r), 0);
	begin(&k, 0x40000bad, 0);
	end(&k);
	assert_int_equal(feed(&ng, &k, &r), 0);
}

static void
test_malformed(void **state)
{
	struct pcapng ng;
	struct pcapfile_rec r;
	struct blk k;
	struct cur c;
	uint32_t len;
	char err[128];
	int i;

	(void)state;
	memset(&ng, 0, sizeof(ng));
	/* a block before the section header */
	begin(&k, 1, 0);
	put(&k, 1, 4);
	put(&k, 0, 4);
	end(&k);
	cur_init(&c, k.b, k.n);
	assert_int_equal(pcapng_block_len(&ng, c, &len, err, sizeof(err)),
	    -1);
	shb(&ng, 0);
	/* lengths: below 12, not a multiple of 4, huge */
	begin(&k, 6, 0);
	end(&k);
	for (i = 0; i < 3; i++) {
		static const uint32_t bad[] = { 8, 13, 0x7ffffffc };

		k.n = 4;
		put(&k, bad[i], 4);
		cur_init(&c, k.b, 12);
		assert_int_equal(pcapng_block_len(&ng, c, &len, err,
		    sizeof(err)), -1);
	}
	assert_int_equal(idb(&ng, 0, 1, -1), 0);
	/* EPB whose captured length runs past the block */
	begin(&k, 6, 0);
	put(&k, 0, 4);
	put(&k, 0, 4);
	put(&k, 0, 4);
	put(&k, 400, 4);
	put(&k, 400, 4);
	end(&k);
	assert_int_equal(feed(&ng, &k, &r), -1);
	/* IDB option running past the block; absurd resolution */
	begin(&k, 1, 0);
	put(&k, 1, 2);
	put(&k, 0, 2);
	put(&k, 0, 4);
	put(&k, 9, 2);
	put(&k, 200, 2);
	end(&k);
	assert_int_equal(feed(&ng, &k, &r), -1);
	assert_int_equal(idb(&ng, 0, 1, 60), -1);
	/* more interfaces than LIM_PCAPNG_IFACES */
	while (ng.nif < LIM_PCAPNG_IFACES)
		assert_int_equal(idb(&ng, 0, 1, -1), 0);
	assert_int_equal(idb(&ng, 0, 1, -1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interfaces_and_resolutions),
		cmocka_unit_test(test_simple_and_obsolete_blocks),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
