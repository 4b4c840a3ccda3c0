/*
 * tpring_test.c - sensor/tpring.c on rings built in memory: frames handed
 * over in order with their times, an 802.1Q tag put back, offsets that
 * leave the block stop the walk (counted), blocks go back to the kernel
 * and only blocks marked for user space are read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/if_packet.h>

#include "sensor/tpring.h"
#include "sensor/xmalloc.h"

#define BS	4096
#define FIRST	48

struct seen {
	size_t		n;
	size_t		caplen[8], len[8];
	uint64_t	ts[8];
	uint8_t		data[8][80];
};

static void
on_frame(void *arg, int dlt, const uint8_t *data, size_t caplen, size_t len,
    uint64_t ts_us)
{
	struct seen *s = arg;

	assert_int_equal(dlt, 1);
	assert_true(s->n < 8 && caplen <= sizeof(s->data[0]));
	s->caplen[s->n] = caplen;
	s->len[s->n] = len;
	s->ts[s->n] = ts_us;
	memcpy(s->data[s->n], data, caplen);
	s->n++;
}

/* A frame header at off in block b, its data at off + mac. */
static void
put_frame(uint8_t *b, size_t off, uint32_t next, uint32_t mac, uint32_t snap,
    uint32_t status, uint16_t tci, uint8_t fill)
{
	struct tpacket3_hdr h;

	memset(&h, 0, sizeof(h));
	h.tp_next_offset = next;
	h.tp_sec = 100;
	h.tp_nsec = 2000 + fill;
	h.tp_snaplen = snap;
	h.tp_len = snap + 10;
	h.tp_status = status;
	h.tp_mac = mac;
	h.hv1.tp_vlan_tci = tci;
	memcpy(b + off, &h, sizeof(h));
	if (off + mac + snap <= BS)
		memset(b + off + mac, fill, snap);
}

static void
put_block(uint8_t *b, uint32_t status, uint32_t npkts)
{
	struct tpacket_block_desc bd;

	memset(&bd, 0, sizeof(bd));
	bd.hdr.bh1.block_status = status;
	bd.hdr.bh1.num_pkts = npkts;
	bd.hdr.bh1.offset_to_first_pkt = FIRST;
	memcpy(b, &bd, sizeof(bd));
}

static void
ring_mem(struct tpring *r, uint8_t *mem)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->map = mem;
	r->block_size = BS;
	r->block_nr = 2;
	r->dlt = 1;
	r->vcap = 1024;
	r->vbuf = xmalloc(r->vcap);
	assert_non_null(r->vbuf);
}

static uint32_t
status_of(const uint8_t *b)
{
	struct tpacket_block_desc bd;

	memcpy(&bd, b, sizeof(bd));
	return bd.hdr.bh1.block_status;
}

static void
test_walk(void **state)
{
	static uint8_t mem[2 * BS];
	struct tpring r;
	struct seen s;

	(void)state;
	memset(mem, 0, sizeof(mem));
	memset(&s, 0, sizeof(s));
	put_block(mem, TP_STATUS_USER, 2);
	put_frame(mem, FIRST, 128, 64, 40, TP_STATUS_USER, 0, 0xaa);
	put_frame(mem, FIRST + 128, 0, 64, 40, TP_STATUS_USER |
	    TP_STATUS_VLAN_VALID, 0x0064, 0xbb);
	put_block(mem + BS, TP_STATUS_KERNEL, 1);
	ring_mem(&r, mem);
	assert_int_equal(tpring_read(&r, 8, on_frame, &s), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.caplen[0], 40);
	assert_int_equal(s.len[0], 50);
	assert_int_equal(s.ts[0], 100 * 1000000ull + 2);
	assert_int_equal(s.data[0][0], 0xaa);
	/* the tag is back after the two MAC addresses */
	assert_int_equal(s.caplen[1], 44);
	assert_int_equal(s.len[1], 54);
	assert_int_equal(s.data[1][11], 0xbb);
	assert_int_equal(s.data[1][12], 0x81);
	assert_int_equal(s.data[1][13], 0x00);
	assert_int_equal(s.data[1][14], 0x00);
	assert_int_equal(s.data[1][15], 0x64);
	assert_int_equal(s.data[1][16], 0xbb);
	/* block 0 back to the kernel; block 1 was not ready */
	assert_int_equal(status_of(mem), TP_STATUS_KERNEL);
	assert_int_equal(r.next, 1);
	assert_int_equal(r.frames, 2);
	assert_int_equal(r.bad, 0);
	/* block 1 becomes ready: read next, then the ring wraps to 0 */
	put_frame(mem + BS, FIRST, 0, 64, 20, TP_STATUS_USER, 0, 0xcc);
	put_block(mem + BS, TP_STATUS_USER, 1);
	assert_int_equal(tpring_read(&r, 8, on_frame, &s), 1);
	assert_int_equal(s.data[2][0], 0xcc);
	assert_int_equal(r.next, 0);
	xfree(r.vbuf);
}

/* Offsets that point out of the block: the walk stops, counted. */
static void
test_bad_offsets(void **state)
{
	static uint8_t mem[2 * BS];
	struct tpring r;
	struct seen s;

	(void)state;
	memset(mem, 0, sizeof(mem));
	memset(&s, 0, sizeof(s));
	/* frame 1 fine, its next offset leads past the block */
	put_block(mem, TP_STATUS_USER, 3);
	put_frame(mem, FIRST, BS, 64, 40, TP_STATUS_USER, 0, 0x11);
	ring_mem(&r, mem);
	assert_int_equal(tpring_read(&r, 1, on_frame, &s), 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(r.bad, 1);
	assert_int_equal(status_of(mem), TP_STATUS_KERNEL);
	/* data claimed beyond the block's end */
	put_block(mem + BS, TP_STATUS_USER, 1);
	put_frame(mem + BS, FIRST, 0, 64, BS, TP_STATUS_USER, 0, 0x22);
	assert_int_equal(tpring_read(&r, 1, on_frame, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(r.bad, 2);
	/* mac offset beyond the block */
	put_block(mem, TP_STATUS_USER, 1);
	put_frame(mem, FIRST, 0, BS, 10, TP_STATUS_USER, 0, 0x33);
	assert_int_equal(tpring_read(&r, 1, on_frame, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(r.bad, 3);
	xfree(r.vbuf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_bad_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
