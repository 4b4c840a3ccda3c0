/*
 * reasm_test.c - sensor/reasm.c: the delivered byte stream and the
 * counters, for in-order, out-of-order, overlapping, wrapping, gapped,
 * capped and back-pressured streams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "sensor/limits.h"
#include "sensor/reasm.h"
#include "sensor/xmalloc.h"

#define OUT_MAX	(256u << 10)

/* The consumer: records every byte it consumes, in order. */
struct sink {
	struct reasm_ctx	*ctx;
	struct reasm_dir	*rd;
	uint8_t			 out[OUT_MAX];
	size_t			 out_len;
	unsigned		 calls;
	size_t			 last_len;	/* len of the last call */
	size_t			 take;		/* consume at most this (0: all) */
	size_t			 need;		/* set *need to this */
	size_t			 need_hold;	/* consume nothing below this */
	uint32_t		 raise_to;	/* raise depth to this on call */
	int			 stop_after;	/* stop after N calls (0: never) */
};

static struct limits	lim;
static struct reasm_ctx	ctx;
static struct reasm_dir	rd;
static struct sink	*sk;

static size_t
sink_deliver(void *arg, int dir, const uint8_t *data, size_t len,
    size_t *need)
{
	struct sink *s = arg;
	size_t n;

	(void)dir;
	assert_true(len > 0);
	s->calls++;
	s->last_len = len;
	if (s->raise_to != 0)
		reasm_dir_set_depth(s->rd, s->raise_to);
	if (s->need_hold != 0 && len < s->need_hold) {
		*need = s->need_hold;
		return 0;
	}
	n = s->take != 0 && s->take < len ? s->take : len;
	assert_true(s->out_len + n <= OUT_MAX);
	memcpy(s->out + s->out_len, data, n);
	s->out_len += n;
	*need = s->need;
	if (s->stop_after != 0 && (int)s->calls >= s->stop_after)
		reasm_dir_stop(s->ctx, s->rd, REASM_DONE);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	xalloc_fail_after(-1);	/* teardown's asserts may have stopped it */
	limits_default(&lim);
	reasm_ctx_init(&ctx, &lim, sink_deliver);
	reasm_dir_init(&ctx, &rd);
	sk = calloc(1, sizeof(*sk));
	assert_non_null(sk);
	sk->ctx = &ctx;
	sk->rd = &rd;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(reasm_dir_check(&rd), 0);
	reasm_dir_free(&ctx, &rd);
	assert_int_equal(ctx.st.mem_in_use, 0);
	free(sk);
	xalloc_fail_after(-1);
	return 0;
}

/* Stream byte i of a test stream (distinct, position dependent). */
static uint8_t
sb(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 8) + 1);
}

static uint8_t	stream[OUT_MAX];

static void
fill_stream(void)
{
	size_t i;

	for (i = 0; i < sizeof(stream); i++)
		stream[i] = sb(i);
}

/* Send stream bytes [off, off + len) at isn + 1 + off. */
static void
seg(uint32_t isn, size_t off, size_t len, uint8_t flags)
{
	reasm_segment(&ctx, &rd, 0, isn + 1 + (uint32_t)off, flags,
	    stream + off, len, sk);
}

static void
syn(uint32_t isn)
{
	reasm_segment(&ctx, &rd, 0, isn, TH_SYN, NULL, 0, sk);
}

static void
assert_out(size_t len)
{
	assert_int_equal(sk->out_len, len);
	assert_memory_equal(sk->out, stream, len);
}

static void
test_in_order(void **state)
{
	(void)state;
	fill_stream();
	syn(1000);
	seg(1000, 0, 100, TH_ACK);
	seg(1000, 100, 200, TH_ACK);
	seg(1000, 300, 1, TH_ACK | TH_PUSH);
	assert_out(301);
	assert_int_equal(ctx.st.segments, 3);
	assert_int_equal(ctx.st.in_order, 3);
	assert_int_equal(ctx.st.out_of_order, 0);
	assert_int_equal(ctx.st.bytes_delivered, 301);
	assert_int_equal(rd.next_seq, 1000 + 1 + 301);
	assert_int_equal(rd.reason, REASM_OK);
	/* Consumed everything, delivered from the packet: no buffer. */
	assert_null(rd.pend);
	assert_int_equal(ctx.st.mem_peak, 0);
	assert_int_equal(sk->calls, 3);
}

static void
test_out_of_order(void **state)
{
	int i;

	(void)state;
	fill_stream();
	syn(5);
	for (i = 4; i >= 1; i--) {
		seg(5, (size_t)i * 100, 100, TH_ACK);
		assert_int_equal(sk->out_len, 0);
	}
	assert_int_equal(rd.ooo_segs, 4);
	assert_int_equal(rd.ooo_bytes, 400);
	assert_int_equal(reasm_dir_check(&rd), 0);
	assert_true(ctx.st.mem_in_use >= 400);
	seg(5, 0, 100, TH_ACK);
	assert_out(500);
	assert_int_equal(ctx.st.out_of_order, 4);
	assert_int_equal(rd.ooo_segs, 0);
	assert_null(rd.ooo);
	assert_int_equal(ctx.st.mem_in_use, 0);
	assert_int_equal(rd.reason, REASM_OK);
}

static void
test_retransmission(void **state)
{
	(void)state;
	fill_stream();
	syn(77);
	seg(77, 0, 100, TH_ACK);
	seg(77, 100, 100, TH_ACK);
	seg(77, 0, 100, TH_ACK);
	seg(77, 50, 150, TH_ACK);
	seg(77, 200, 50, TH_ACK);
	assert_out(250);
	assert_int_equal(ctx.st.retransmitted, 2);
	assert_int_equal(ctx.st.overlaps, 0);
	assert_int_equal(sk->calls, 3);
}

/* Bytes already delivered win; a segment straddling next_seq adds its
 * new part only. */
static void
test_overlap_first_wins(void **state)
{
	uint8_t evil[200];

	(void)state;
	fill_stream();
	sk->need_hold = 300;	/* keep the bytes pending to compare */
	syn(0);
	seg(0, 0, 100, TH_ACK);
	memcpy(evil, stream + 50, sizeof(evil));
	memset(evil, 'X', 50);	/* differs from delivered bytes 50..99 */
	reasm_segment(&ctx, &rd, 0, 1 + 50, TH_ACK, evil, sizeof(evil), sk);
	assert_int_equal(rd.pend_len, 250);
	assert_memory_equal(rd.pend, stream, 250);
	assert_int_equal(ctx.st.overlaps, 1);
	assert_int_equal(ctx.st.overlap_conflicts, 1);
	assert_int_equal(sk->calls, 1);
	/* Same overlap with identical bytes: an overlap, no conflict. */
	seg(0, 200, 100, TH_ACK);
	assert_int_equal(ctx.st.overlaps, 2);
	assert_int_equal(ctx.st.overlap_conflicts, 1);
	assert_int_equal(sk->calls, 2);
	assert_out(300);
}

/* Held out-of-order bytes win over a later segment covering them. */
static void
test_overlap_held(void **state)
{
	uint8_t evil[400];

	(void)state;
	fill_stream();
	syn(1 << 20);
	seg(1 << 20, 100, 50, TH_ACK);	/* held [100,150) */
	seg(1 << 20, 200, 50, TH_ACK);	/* held [200,250) */
	seg(1 << 20, 120, 100, TH_ACK);	/* overlaps both: adds [150,200) */
	assert_int_equal(rd.ooo_bytes, 150);
	assert_int_equal(rd.ooo_segs, 3);
	assert_int_equal(reasm_dir_check(&rd), 0);
	assert_int_equal(ctx.st.overlap_conflicts, 0);
	memset(evil, 'Z', sizeof(evil));
	/* Covers the hole [0,100), the held data and beyond. */
	reasm_segment(&ctx, &rd, 0, (1u << 20) + 1, TH_ACK, evil, 300, sk);
	assert_int_equal(ctx.st.overlap_conflicts, 1);
	assert_int_equal(sk->out_len, 300);
	assert_memory_equal(sk->out, evil, 100);
	assert_memory_equal(sk->out + 100, stream + 100, 150);
	assert_memory_equal(sk->out + 250, evil, 50);
	assert_int_equal(rd.ooo_segs, 0);
	assert_int_equal(ctx.st.mem_in_use, 0);
}

static void
test_wraparound(void **state)
{
	uint32_t isn = 0xffffff00u;

	(void)state;
	fill_stream();
	syn(isn);
	seg(isn, 0, 200, TH_ACK);		/* crosses 2^32 */
	seg(isn, 400, 100, TH_ACK);		/* held, after the wrap */
	seg(isn, 200, 100, TH_ACK);
	seg(isn, 0, 50, TH_ACK);		/* old: before the wrap */
	seg(isn, 300, 100, TH_ACK);
	assert_out(500);
	assert_int_equal(rd.next_seq, isn + 1 + 500);
	assert_true(rd.next_seq < 0x1000);
	assert_int_equal(ctx.st.retransmitted, 1);
	assert_int_equal(ctx.st.out_of_order, 1);
}

static void
test_midstream(void **state)
{
	(void)state;
	fill_stream();
	/* No SYN: the first segment with payload starts the stream. */
	reasm_segment(&ctx, &rd, 0, 123456, TH_ACK, NULL, 0, sk);
	assert_int_equal(rd.seq_known, 0);
	reasm_segment(&ctx, &rd, 0, 123456, TH_ACK, stream, 100, sk);
	reasm_segment(&ctx, &rd, 0, 123556, TH_ACK, stream + 100, 100, sk);
	assert_out(200);
	assert_int_equal(rd.syn_seen, 0);
}

/* Only one direction ever seen: no ACK ever arrives for it. */
static void
test_one_sided(void **state)
{
	struct reasm_dir other;

	(void)state;
	fill_stream();
	reasm_dir_init(&ctx, &other);
	syn(900);
	seg(900, 0, 1000, TH_ACK);
	seg(900, 2000, 1000, TH_ACK);
	seg(900, 1000, 1000, TH_ACK);
	/* Its ACKs concern the unseen direction, which knows no sequence. */
	reasm_ack(&ctx, &other, 1, 5000, sk);
	assert_int_equal(other.reason, REASM_OK);
	reasm_dir_finish(&ctx, &rd, 0, sk);
	reasm_dir_finish(&ctx, &other, 1, sk);
	assert_out(3000);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.gaps, 0);
	reasm_dir_free(&ctx, &other);
}

/* need=100: not called again until 100 bytes are pending. */
static void
test_need_backpressure(void **state)
{
	int i;

	(void)state;
	fill_stream();
	sk->need_hold = 100;
	syn(0);
	seg(0, 0, 10, TH_ACK);
	assert_int_equal(sk->calls, 1);
	assert_int_equal(rd.need, 100);
	for (i = 1; i < 9; i++) {
		seg(0, (size_t)i * 10, 10, TH_ACK);
		assert_int_equal(sk->calls, 1);
	}
	assert_int_equal(rd.pend_len, 90);
	assert_int_equal(sk->out_len, 0);
	seg(0, 90, 15, TH_ACK);
	assert_int_equal(sk->calls, 2);
	assert_int_equal(sk->last_len, 105);
	assert_out(105);
	assert_int_equal(rd.pend_len, 0);
}

/* The consumer takes 7 bytes per call: the rest is offered again. */
static void
test_partial_consume(void **state)
{
	(void)state;
	fill_stream();
	sk->take = 7;
	syn(0);
	seg(0, 0, 20, TH_ACK);
	/* 7 + 7 + 6: called until no progress or nothing left. */
	assert_out(20);
	assert_int_equal(sk->calls, 3);
	sk->take = 0;
	sk->need = 0;
	sk->need_hold = 30;
	seg(0, 20, 25, TH_ACK);		/* 25 < 30: held */
	assert_int_equal(rd.pend_len, 25);
	seg(0, 45, 5, TH_ACK);
	assert_out(50);
	assert_int_equal(rd.pend_len, 0);
}

/* The pending buffer grows past its initial size in one append (found by
 * reasm_fuzz: a 4 KB segment appended to a 1 KB buffer). */
static void
test_pend_growth(void **state)
{
	(void)state;
	fill_stream();
	sk->need_hold = 20000;
	syn(0);
	seg(0, 0, 10, TH_ACK);
	assert_int_equal(rd.pend_len, 10);
	seg(0, 10, 4000, TH_ACK);
	seg(0, 4010, 9000, TH_ACK);
	assert_int_equal(rd.pend_len, 13010);
	assert_true(rd.pend_cap >= 13010);
	assert_memory_equal(rd.pend, stream, 13010);
	assert_int_equal(sk->calls, 1);
	seg(0, 13010, 7000, TH_ACK);
	assert_out(20010);
	/* A big buffer is released once empty. */
	assert_null(rd.pend);
	assert_int_equal(ctx.st.mem_in_use, 0);
}

static void
test_depth(void **state)
{
	(void)state;
	fill_stream();
	lim.reasm_depth = 1000;
	reasm_dir_init(&ctx, &rd);
	syn(0);
	seg(0, 0, 600, TH_ACK);
	seg(0, 600, 600, TH_ACK);	/* crosses: first 400 accepted */
	assert_out(1000);
	assert_int_equal(rd.reason, REASM_DEPTH);
	assert_int_equal(ctx.st.depth_reached, 1);
	seg(0, 1200, 100, TH_ACK);
	assert_out(1000);
	assert_int_equal(ctx.st.depth_reached, 1);
}

/* The consumer raises depth while a large message is in flight. */
static void
test_depth_raised(void **state)
{
	(void)state;
	fill_stream();
	lim.reasm_depth = 1000;
	reasm_dir_init(&ctx, &rd);
	syn(0);
	seg(0, 0, 500, TH_ACK);
	reasm_dir_set_depth(&rd, 3000);
	reasm_dir_set_depth(&rd, 10);		/* never lowers */
	assert_int_equal(rd.depth, 3000);
	seg(0, 500, 1500, TH_ACK);
	assert_int_equal(rd.reason, REASM_OK);
	/* Raised from the callback, on the bytes up to the old depth. */
	sk->raise_to = 5000;
	seg(0, 2000, 2000, TH_ACK);
	assert_out(4000);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.depth_reached, 0);
}

/* Rule 1: held data beyond a hole and an ACK past the hole is no proof
 * of loss: the hole fills when the late segment comes. */
static void
test_gap_ack(void **state)
{
	(void)state;
	fill_stream();
	syn(0);
	seg(0, 0, 100, TH_ACK);
	reasm_ack(&ctx, &rd, 0, 1 + 100, sk);	/* exactly next_seq: fine */
	seg(0, 150, 50, TH_ACK);
	assert_int_equal(rd.reason, REASM_OK);
	reasm_ack(&ctx, &rd, 0, 1 + 200, sk);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.acked_holes, 1);
	reasm_ack(&ctx, &rd, 0, 1 + 200, sk);	/* same ACK: counted once */
	assert_int_equal(ctx.st.acked_holes, 1);
	assert_non_null(rd.ooo);
	seg(0, 100, 50, TH_ACK);		/* the late segment */
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.gaps, 0);
	assert_null(rd.ooo);
	assert_int_equal(rd.ack_ahead, 0);
	assert_out(200);
}

/* Rule 2, and the time bound: an early ACK alone is no gap; data beyond
 * a hole is held however many ACKs pass it, until hole-timeout of packet
 * time has passed since the data was held. */
static void
test_gap_ack_reordered(void **state)
{
	(void)state;
	fill_stream();
	lim.reasm_hole_timeout_us = 2000000;
	reasm_set_time(&ctx, 10000000);
	syn(0);
	seg(0, 0, 100, TH_ACK);
	reasm_ack(&ctx, &rd, 0, 1 + 200, sk);	/* ACK before the data */
	seg(0, 100, 100, TH_ACK);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(rd.ack_ahead, 0);
	reasm_ack(&ctx, &rd, 0, 1 + 300, sk);
	seg(0, 250, 50, TH_ACK);		/* [200,250) never came */
	assert_int_equal(rd.reason, REASM_OK);	/* held: may be reordered */
	assert_non_null(rd.ooo);
	reasm_set_time(&ctx, 11999999);		/* 1.999999 s later */
	reasm_ack(&ctx, &rd, 0, 1 + 300, sk);
	assert_int_equal(rd.reason, REASM_OK);
	reasm_set_time(&ctx, 5000000);		/* clock steps back: ignored */
	reasm_ack(&ctx, &rd, 0, 1 + 300, sk);
	assert_int_equal(rd.reason, REASM_OK);
	reasm_set_time(&ctx, 12000000);		/* 2 s: given up */
	reasm_ack(&ctx, &rd, 0, 1 + 300, sk);
	assert_int_equal(rd.reason, REASM_GAP);
	assert_int_equal(rd.gap_bytes, 50);
	assert_int_equal(ctx.st.hole_timeouts, 1);
	assert_int_equal(ctx.st.mem_in_use, 0);
	assert_out(200);
	seg(0, 200, 50, TH_ACK);		/* too late: nothing delivered */
	assert_out(200);
}

/* The hole's clock restarts when held data is delivered: a second hole
 * opened after progress gets its own hole-timeout; a segment of the flow
 * also checks the clock. */
static void
test_gap_timeout_restarts(void **state)
{
	(void)state;
	fill_stream();
	lim.reasm_hole_timeout_us = 1000000;
	syn(0);
	reasm_set_time(&ctx, 1000000);
	seg(0, 100, 100, TH_ACK);		/* hole [0,100) */
	seg(0, 300, 100, TH_ACK);		/* hole [200,300) */
	reasm_set_time(&ctx, 1900000);
	seg(0, 0, 100, TH_ACK);			/* fills the first at 0.9 s */
	assert_out(200);
	reasm_set_time(&ctx, 2500000);		/* 1.5 s after the first hold */
	seg(0, 500, 10, TH_ACK);
	assert_int_equal(rd.reason, REASM_OK);
	reasm_set_time(&ctx, 2900000);		/* 1.0 s after progress */
	seg(0, 600, 10, TH_ACK);
	assert_int_equal(rd.reason, REASM_GAP);
	assert_int_equal(rd.gap_bytes, 100);
	assert_int_equal(ctx.st.hole_timeouts, 1);
}

/* A merged-tap capture: the ACK of a whole flight recorded before the
 * flight, and the flight's segments themselves swapped (2, 1, 4, 3).
 * Nothing is lost, so every byte is delivered and no gap is declared
 * (tests/encap/tcp-ooo-ack-early.pcap). */
static void
test_gap_ack_early_reordered_flight(void **state)
{
	(void)state;
	fill_stream();
	syn(0);
	seg(0, 0, 100, TH_ACK);
	reasm_ack(&ctx, &rd, 0, 1 + 500, sk);	/* ACK of [100,500) first */
	seg(0, 200, 100, TH_ACK);
	seg(0, 100, 100, TH_ACK);
	seg(0, 400, 100, TH_ACK);
	seg(0, 300, 100, TH_ACK);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.gaps, 0);
	assert_int_equal(rd.ack_ahead, 0);
	assert_null(rd.ooo);
	assert_out(500);
}

/* The mirror-port case: the client's ACKs of a flight come before
 * the flight, whose neighbouring segments swap, and a second ACK past the
 * hole comes before the missing segment.  Before, that ACK declared the
 * hole lost (chain_missing gap); now every byte is delivered. */
static void
test_gap_ack_twice_before_late_segment(void **state)
{
	(void)state;
	fill_stream();
	syn(0);
	seg(0, 0, 100, TH_ACK);
	reasm_ack(&ctx, &rd, 0, 1 + 300, sk);
	seg(0, 200, 100, TH_ACK);
	reasm_ack(&ctx, &rd, 0, 1 + 300, sk);
	reasm_ack(&ctx, &rd, 0, 1 + 400, sk);
	seg(0, 300, 100, TH_ACK);
	seg(0, 100, 100, TH_ACK);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.gaps, 0);
	assert_null(rd.ooo);
	assert_out(400);
	reasm_ack(&ctx, &rd, 0, 1 + 500, sk);
	assert_int_equal(rd.reason, REASM_OK);
}

static void
test_gap_ooo_cap(void **state)
{
	int i;

	(void)state;
	fill_stream();
	lim.reasm_ooo_segs = 3;
	syn(0);
	for (i = 0; i < 3; i++)
		seg(0, 100 + (size_t)i * 20, 10, TH_ACK);
	assert_int_equal(rd.reason, REASM_OK);
	seg(0, 200, 10, TH_ACK);
	assert_int_equal(rd.reason, REASM_GAP);
	assert_int_equal(ctx.st.ooo_cap_hits, 1);
	assert_int_equal(ctx.st.gaps, 1);
	assert_int_equal(rd.gap_bytes, 100);
	assert_int_equal(ctx.st.mem_in_use, 0);
	/* Byte cap. */
	lim.reasm_ooo_segs = 100;
	lim.reasm_ooo_bytes = 100;
	reasm_dir_init(&ctx, &rd);
	syn(0);
	seg(0, 10, 60, TH_ACK);
	seg(0, 80, 60, TH_ACK);
	assert_int_equal(rd.reason, REASM_GAP);
	assert_int_equal(ctx.st.ooo_cap_hits, 2);
}

static void
test_gap_finish(void **state)
{
	(void)state;
	fill_stream();
	syn(0);
	seg(0, 0, 10, TH_ACK);
	seg(0, 30, 10, TH_ACK);
	reasm_dir_finish(&ctx, &rd, 0, sk);
	assert_int_equal(rd.reason, REASM_GAP);
	assert_int_equal(rd.gap_bytes, 20);
	assert_int_equal(ctx.st.mem_in_use, 0);
	/* A clean stream that ends with its FIN ACKed is not a gap. */
	reasm_dir_init(&ctx, &rd);
	syn(0);
	seg(0, 0, 10, TH_ACK | TH_FIN);
	reasm_ack(&ctx, &rd, 0, 1 + 10 + 1, sk);
	seg(0, 11, 10, TH_ACK);			/* after FIN: ignored */
	reasm_dir_finish(&ctx, &rd, 0, sk);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.after_fin, 1);
	assert_int_equal(ctx.st.gaps, 1);
	/* The tail was ACKed but never captured: a gap at the end. */
	reasm_dir_init(&ctx, &rd);
	syn(0);
	seg(0, 0, 10, TH_ACK);
	reasm_ack(&ctx, &rd, 0, 1 + 40, sk);
	reasm_dir_finish(&ctx, &rd, 0, sk);
	assert_int_equal(rd.reason, REASM_GAP);
	assert_int_equal(rd.gap_bytes, 30);
}

static void
test_memcap(void **state)
{
	struct reasm_dir rd2;

	(void)state;
	fill_stream();
	lim.reasm_memcap = 3000;
	syn(0);
	seg(0, 100, 1000, TH_ACK);		/* held */
	assert_int_equal(rd.reason, REASM_OK);
	seg(0, 1200, 1000, TH_ACK);		/* held */
	seg(0, 2300, 1000, TH_ACK);		/* over the memcap */
	assert_int_equal(rd.reason, REASM_MEMCAP);
	assert_int_equal(ctx.st.memcap_hits, 1);
	assert_int_equal(ctx.st.mem_in_use, 0);
	/* The pending buffer counts too, across directions. */
	reasm_dir_init(&ctx, &rd);
	reasm_dir_init(&ctx, &rd2);
	sk->need_hold = 100000;
	syn(0);
	seg(0, 0, 2000, TH_ACK);
	assert_true(ctx.st.mem_in_use >= 2000);
	reasm_segment(&ctx, &rd2, 1, 0, TH_ACK, stream, 2000, sk);
	assert_int_equal(rd2.reason, REASM_MEMCAP);
	assert_int_equal(rd.reason, REASM_OK);
	assert_int_equal(ctx.st.memcap_hits, 2);
	reasm_dir_free(&ctx, &rd2);
	assert_true(ctx.st.mem_peak <= 3000);
}

static void
test_alloc_fail(void **state)
{
	(void)state;
	fill_stream();
	syn(0);
	xalloc_fail_after(0);
	seg(0, 100, 100, TH_ACK);
	xalloc_fail_after(-1);
	assert_int_equal(rd.reason, REASM_MEMCAP);
	assert_int_equal(ctx.st.alloc_fail, 1);
	assert_int_equal(ctx.st.mem_in_use, 0);
}

static void
test_stop(void **state)
{
	(void)state;
	fill_stream();
	sk->stop_after = 2;
	syn(0);
	seg(0, 0, 10, TH_ACK);
	seg(0, 30, 10, TH_ACK);			/* held */
	seg(0, 10, 20, TH_ACK);			/* call 2 stops inside drain */
	assert_int_equal(rd.reason, REASM_DONE);
	assert_int_equal(sk->calls, 2);
	assert_out(30);
	assert_null(rd.ooo);
	assert_int_equal(ctx.st.mem_in_use, 0);
	seg(0, 40, 10, TH_ACK);
	reasm_ack(&ctx, &rd, 0, 100, sk);
	reasm_dir_finish(&ctx, &rd, 0, sk);
	assert_int_equal(sk->calls, 2);
	assert_int_equal(rd.reason, REASM_DONE);
	assert_int_equal(ctx.st.gaps, 0);
}

static void
test_zero_length(void **state)
{
	(void)state;
	fill_stream();
	syn(10);
	reasm_segment(&ctx, &rd, 0, 11, TH_ACK, NULL, 0, sk);
	reasm_segment(&ctx, &rd, 0, 5000, TH_ACK, NULL, 0, sk);
	seg(10, 0, 10, TH_ACK);
	reasm_segment(&ctx, &rd, 0, 21, TH_ACK, stream, 0, sk);
	assert_out(10);
	assert_int_equal(ctx.st.segments, 1);
	assert_int_equal(sk->calls, 1);
	assert_int_equal(rd.next_seq, 21);
}

/* SYN with data (TCP Fast Open): the data starts at ISN + 1. */
static void
test_syn_data(void **state)
{
	(void)state;
	fill_stream();
	reasm_segment(&ctx, &rd, 0, 400, TH_SYN, stream, 50, sk);
	assert_int_equal(rd.syn_seen, 1);
	seg(400, 50, 50, TH_ACK);
	/* Retransmitted SYN with the same data: old bytes. */
	reasm_segment(&ctx, &rd, 0, 400, TH_SYN, stream, 50, sk);
	assert_out(100);
	assert_int_equal(ctx.st.retransmitted, 1);
}

static void
test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(reasm_reason_name(REASM_GAP), "gap");
	assert_string_equal(reasm_reason_name(REASM_OK), "ok");
	assert_string_equal(reasm_reason_name(REASM_REASON_MAX), "unknown");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_in_order),
		T(test_out_of_order),
		T(test_retransmission),
		T(test_overlap_first_wins),
		T(test_overlap_held),
		T(test_wraparound),
		T(test_midstream),
		T(test_one_sided),
		T(test_need_backpressure),
		T(test_partial_consume),
		T(test_pend_growth),
		T(test_depth),
		T(test_depth_raised),
		T(test_gap_ack),
		T(test_gap_ack_reordered),
		T(test_gap_ack_early_reordered_flight),
		T(test_gap_timeout_restarts),
		T(test_gap_ack_twice_before_late_segment),
		T(test_gap_ooo_cap),
		T(test_gap_finish),
		T(test_memcap),
		T(test_alloc_fail),
		T(test_stop),
		T(test_zero_length),
		T(test_syn_data),
		T(test_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
