/*
 * reasm_fuzz.c - libFuzzer target for sensor/reasm.c.
 *
 * The input is a small header and a list of operations on one TCP
 * connection (two directions):
 *
 *   header: seed[4] isn0[4] isn1[4] cfg[1]
 *           (seed[0] & 0xe0 == 0xe0: allocation seed[1] & 15 fails)
 *   op:     kind[1] delta[2] flags[1] len[1] (bytes[len] if "own bytes")
 *
 *   kind & 0x07: 0,1 segment of dir (kind & 1); 2,3 ACK for dir (kind & 1);
 *                4 raise depth; 5 stop; 6 finish; 7 segment, big (len * 16)
 *   kind & 0x08: the segment carries its own bytes from the input
 *                (otherwise payload byte at sequence s is pattern(s))
 *   kind & 0x10: direction bit for kinds 4..7
 *   kind & 0x20: packet time first advances by len * 10 ms (the clock of
 *                reassembly.hole-timeout, 1 s here)
 *   delta:       signed, relative to the direction's next_seq (or its ISN
 *                before the stream started), so segments land in order,
 *                behind (retransmission) or ahead (out of order)
 *
 * The consumer consumes a pseudo-random amount and asks for a random need.
 * Checked after every operation: while a direction has only seen pattern
 * bytes, what the consumer got is exactly the pattern from the first
 * stream byte on (a contiguous prefix, nothing lost or repeated); the
 * consumer is never called with fewer bytes than it asked for, nor twice
 * on the same bytes without consuming; consumed + pending == delivered;
 * reasm_dir_check() holds; and after both directions are freed no
 * reassembly memory is left.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "limits.h"
#include "reasm.h"
#include "xmalloc.h"

struct fz_dir {
	uint64_t	consumed;	/* bytes the consumer took */
	size_t		min_len;	/* next call must offer at least this */
	int		dirty;		/* saw bytes not from the pattern */
};

struct fz {
	struct reasm_ctx	 ctx;
	struct reasm_dir	 rd[2];
	struct fz_dir		 d[2];
	uint32_t		 rng;
};

static uint8_t
pattern(uint32_t seq)
{
	seq *= 0x9e3779b1u;
	return (uint8_t)(seq >> 24);
}

static uint32_t
fz_rand(struct fz *z)
{
	z->rng ^= z->rng << 13;
	z->rng ^= z->rng >> 17;
	z->rng ^= z->rng << 5;
	return z->rng;
}

static void
fz_check_bytes(struct fz *z, int dir, const uint8_t *data, size_t n)
{
	const struct reasm_dir *rd = &z->rd[dir];
	uint32_t start = rd->next_seq - rd->delivered;
	size_t i;

	if (z->d[dir].dirty)
		return;
	for (i = 0; i < n; i++)
		if (data[i] != pattern(start + (uint32_t)(z->d[dir].consumed + i)))
			abort();
}

static size_t
fz_deliver(void *arg, int dir, const uint8_t *data, size_t len, size_t *need)
{
	struct fz *z = arg;
	struct fz_dir *d = &z->d[dir];
	uint32_t r = fz_rand(z);
	size_t used;

	if (len == 0 || len < d->min_len)
		abort();
	/* Offered bytes are the next stream bytes: check them all now. */
	fz_check_bytes(z, dir, data, len);
	switch (r & 7) {
	case 0:
		used = 0;
		break;
	case 1:
	case 2:
		used = (r >> 8) % (len + 1);
		break;
	default:
		used = len;
		break;
	}
	*need = (r & 0x18) == 0 ? len - used + ((r >> 5) % 600) : 0;
	d->consumed += used;
	d->min_len = *need;
	if (used == 0 && d->min_len < len + 1)
		d->min_len = len + 1;
	if ((r & 0x3ff) == 0x3ff)
		reasm_dir_stop(&z->ctx, &z->rd[dir], REASM_CONSUMER_ERR);
	else if ((r & 0x3ff) == 0x3fe)
		reasm_dir_set_depth(&z->rd[dir], z->rd[dir].depth + 4096);
	return used;
}

static void
fz_invariants(struct fz *z)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct reasm_dir *rd = &z->rd[i];

		if (reasm_dir_check(rd) != 0)
			abort();
		if (rd->reason == REASM_OK &&
		    z->d[i].consumed + rd->pend_len != rd->delivered)
			abort();
	}
	if (z->ctx.st.mem_in_use > z->ctx.lim->reasm_memcap)
		abort();
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* One segment op.  Returns the input bytes it used beyond the op header. */
static size_t
fz_segment(struct fz *z, int dir, uint32_t isn, int16_t delta, uint8_t fl,
    size_t len, int own, const uint8_t *in, size_t left)
{
	static uint8_t buf[255 * 16];
	struct reasm_dir *rd = &z->rd[dir];
	uint32_t seq, d0;
	size_t i;

	seq = (rd->seq_known ? rd->next_seq : isn) + (uint32_t)(int32_t)delta;
	d0 = seq + ((fl & TH_SYN) ? 1 : 0);
	if (own) {
		if (len > left)
			len = left;
		memcpy(buf, in, len);
		z->d[dir].dirty = 1;
	} else {
		for (i = 0; i < len; i++)
			buf[i] = pattern(d0 + (uint32_t)i);
	}
	reasm_segment(&z->ctx, rd, dir, seq, fl, buf, len, z);
	return own ? len : 0;
}

static void
fz_setup(struct fz *z, struct limits *lim, const uint8_t *h)
{
	memset(z, 0, sizeof(*z));
	limits_default(lim);
	lim->reasm_depth = 512u + (h[12] & 0x0f) * 1024u;
	lim->reasm_ooo_bytes = 2048u << (h[12] >> 6);
	lim->reasm_ooo_segs = 4u + (h[12] >> 4 & 3) * 12u;
	lim->reasm_memcap = 24u << 10;
	lim->reasm_hole_timeout_us = 1000000;
	reasm_ctx_init(&z->ctx, lim, fz_deliver);
	reasm_dir_init(&z->ctx, &z->rd[0]);
	reasm_dir_init(&z->ctx, &z->rd[1]);
	z->rng = rd32(h) | 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static struct fz z;
	struct limits lim;
	uint64_t now = 0;
	uint32_t isn[2];
	size_t off = 13, n;
	int16_t delta;
	uint8_t kind;
	int dir;

	if (len < 13)
		return 0;
	fz_setup(&z, &lim, in);
	/* Allocation failures: the first byte chooses when. */
	if ((in[0] & 0xe0) == 0xe0)
		xalloc_fail_after(in[1] & 15);
	isn[0] = rd32(in + 4);
	isn[1] = rd32(in + 8);
	while (len - off >= 5) {
		kind = in[off];
		delta = (int16_t)(in[off + 1] << 8 | in[off + 2]);
		dir = (kind & 7) < 4 ? kind & 1 : (kind >> 4) & 1;
		n = in[off + 4];
		off += 5;
		if (kind & 0x20) {
			now += (uint64_t)n * 10000;
			reasm_set_time(&z.ctx, now);
		}
		switch (kind & 7) {
		case 0:
		case 1:
		case 7:
			off += fz_segment(&z, dir, isn[dir], delta, in[off - 2],
			    (kind & 7) == 7 ? n * 16 : n, kind & 8, in + off,
			    len - off);
			break;
		case 2:
		case 3:
			reasm_ack(&z.ctx, &z.rd[dir], dir,
			    z.rd[dir].next_seq + (uint32_t)(int32_t)delta, &z);
			break;
		case 4:
			reasm_dir_set_depth(&z.rd[dir],
			    z.rd[dir].depth + (uint32_t)n * 64);
			break;
		case 5:
			reasm_dir_stop(&z.ctx, &z.rd[dir], REASM_DONE);
			break;
		default:
			reasm_dir_finish(&z.ctx, &z.rd[dir], dir, &z);
			break;
		}
		fz_invariants(&z);
	}
	reasm_dir_finish(&z.ctx, &z.rd[0], 0, &z);
	reasm_dir_finish(&z.ctx, &z.rd[1], 1, &z);
	fz_invariants(&z);
	reasm_dir_free(&z.ctx, &z.rd[0]);
	reasm_dir_free(&z.ctx, &z.rd[1]);
	xalloc_fail_after(-1);
	if (z.ctx.st.mem_in_use != 0)
		abort();
	return 0;
}
