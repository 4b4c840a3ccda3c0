/*
 * reasm.c - TCP stream reassembly for the first reassembly.depth bytes of
 * each direction.  See reasm.h for the contract (first-wins overlaps, the
 * gap rules, need, depth).
 *
 * Sequence numbers are compared with serial arithmetic (RFC 1982, as RFC
 * 9293 section 3.4 does): a is before b when (int32_t)(a - b) < 0, which
 * stays right across the 2^32 wrap.
 *
 * Per direction:
 *
 *        delivered          pend            hole     ooo (held copies)
 *   ...=============|=================|.............[====]...[=====]
 *                   ^ consumer's      ^ next_seq
 *                     first unconsumed byte
 */
#include "reasm.h"

#include <string.h>

#include "decode.h"
#include "log.h"
#include "xmalloc.h"

struct reasm_seg {
	struct reasm_seg	*next;
	uint32_t		 seq;
	uint32_t		 len;
	uint8_t			 data[];
};

/* A pending buffer up to this size is kept when it empties. */
#define PEND_KEEP	4096u
#define PEND_MIN	1024u

static int
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static int
seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static void
mem_add(struct reasm_ctx *ctx, uint64_t n)
{
	ctx->st.mem_in_use += n;
	if (ctx->st.mem_in_use > ctx->st.mem_peak)
		ctx->st.mem_peak = ctx->st.mem_in_use;
}

static void
mem_sub(struct reasm_ctx *ctx, uint64_t n)
{
	DEBUG_ASSERT(ctx->st.mem_in_use >= n);
	ctx->st.mem_in_use -= n;
}

static int
mem_fits(const struct reasm_ctx *ctx, uint64_t n)
{
	return ctx->st.mem_in_use + n <= ctx->lim->reasm_memcap;
}

void
reasm_ctx_init(struct reasm_ctx *ctx, const struct limits *lim,
    reasm_deliver_fn deliver)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->lim = lim;
	ctx->deliver = deliver;
}

void
reasm_set_time(struct reasm_ctx *ctx, uint64_t ts_us)
{
	if (ts_us > ctx->now_us)
		ctx->now_us = ts_us;
}

void
reasm_dir_init(struct reasm_ctx *ctx, struct reasm_dir *rd)
{
	memset(rd, 0, sizeof(*rd));
	rd->depth = ctx->lim->reasm_depth;
}

static void
pend_release(struct reasm_ctx *ctx, struct reasm_dir *rd)
{
	if (rd->pend != NULL) {
		mem_sub(ctx, rd->pend_cap);
		xfree(rd->pend);
	}
	rd->pend = NULL;
	rd->pend_len = 0;
	rd->pend_cap = 0;
}

static void
seg_free(struct reasm_ctx *ctx, struct reasm_seg *s)
{
	mem_sub(ctx, sizeof(*s) + (uint64_t)s->len);
	xfree(s);
}

static void
ooo_release(struct reasm_ctx *ctx, struct reasm_dir *rd)
{
	struct reasm_seg *s, *next;

	for (s = rd->ooo; s != NULL; s = next) {
		next = s->next;
		seg_free(ctx, s);
	}
	rd->ooo = NULL;
	rd->ooo_bytes = 0;
	rd->ooo_segs = 0;
}

void
reasm_dir_free(struct reasm_ctx *ctx, struct reasm_dir *rd)
{
	pend_release(ctx, rd);
	ooo_release(ctx, rd);
}

void
reasm_dir_stop(struct reasm_ctx *ctx, struct reasm_dir *rd,
    enum reasm_reason why)
{
	if (rd->reason == REASM_OK)
		rd->reason = (uint8_t)why;
	rd->need = 0;
	reasm_dir_free(ctx, rd);
}

void
reasm_dir_set_depth(struct reasm_dir *rd, uint32_t depth)
{
	if (depth > rd->depth)
		rd->depth = depth;
}

static void
reasm_gap(struct reasm_ctx *ctx, struct reasm_dir *rd, uint32_t lost)
{
	ctx->st.gaps++;
	rd->gap_bytes = lost;
	reasm_dir_stop(ctx, rd, REASM_GAP);
}

/* Gap size when the first held segment marks the end of the hole. */
static uint32_t
hole_size(const struct reasm_dir *rd)
{
	return rd->ooo != NULL ? rd->ooo->seq - rd->next_seq : 0;
}

/*
 * Offer data to the consumer until it stops making progress.  Returns the
 * number of bytes consumed; when the consumer stopped the direction the
 * return value is meaningless (the caller checks rd->reason).
 */
static size_t
reasm_offer(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir,
    const uint8_t *data, size_t len, void *arg)
{
	size_t off = 0, used, need;

	for (;;) {
		need = 0;
		used = ctx->deliver(arg, dir, data + off, len - off, &need);
		if (rd->reason != REASM_OK)
			return len;
		if (used > len - off)
			used = len - off;
		off += used;
		rd->need = need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
		if (used == 0 || off == len || len - off < rd->need)
			return off;
	}
}

/*
 * Make room for n more pending bytes.  The buffer grows geometrically, or
 * straight to the consumer's need, but never past what depth still lets
 * in.  0 on success; -1 after stopping the direction (memcap/alloc).
 */
static int
pend_reserve(struct reasm_ctx *ctx, struct reasm_dir *rd, uint32_t n)
{
	uint64_t want = (uint64_t)rd->pend_len + n, cap, most;
	uint8_t *p;

	if (want <= rd->pend_cap)
		return 0;
	cap = (uint64_t)rd->pend_cap * 2;
	if (cap < rd->need)
		cap = rd->need;
	if (cap < PEND_MIN)
		cap = PEND_MIN;
	if (cap < want)
		cap = want;
	most = want + (rd->depth > rd->delivered ? rd->depth - rd->delivered : 0);
	if (cap > most)
		cap = most;
	if (!mem_fits(ctx, cap - rd->pend_cap))
		cap = want;
	if (!mem_fits(ctx, cap - rd->pend_cap)) {
		ctx->st.memcap_hits++;
		reasm_dir_stop(ctx, rd, REASM_MEMCAP);
		return -1;
	}
	if ((p = xreallocarray(rd->pend, cap, 1)) == NULL) {
		ctx->st.alloc_fail++;
		reasm_dir_stop(ctx, rd, REASM_MEMCAP);
		return -1;
	}
	mem_add(ctx, cap - rd->pend_cap);
	rd->pend = p;
	rd->pend_cap = (uint32_t)cap;
	return 0;
}

/* Drop the first n pending bytes (the consumer used them). */
static void
pend_consume(struct reasm_ctx *ctx, struct reasm_dir *rd, size_t n)
{
	if (n >= rd->pend_len) {
		rd->pend_len = 0;
		if (rd->pend_cap > PEND_KEEP)
			pend_release(ctx, rd);
		return;
	}
	if (n > 0) {
		memmove(rd->pend, rd->pend + n, rd->pend_len - n);
		rd->pend_len -= (uint32_t)n;
	}
}

/*
 * n bytes at next_seq join the stream.  With nothing pending they go to
 * the consumer straight from data (no copy); what it leaves is kept.
 */
static void
reasm_accept(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir,
    const uint8_t *data, uint32_t n, void *arg)
{
	size_t used;

	rd->next_seq += n;
	rd->delivered += n;
	ctx->st.bytes_delivered += n;
	if (rd->ack_ahead && seq_leq(rd->ack_past, rd->next_seq))
		rd->ack_ahead = 0;
	if (rd->pend_len == 0 && n >= rd->need) {
		used = reasm_offer(ctx, rd, dir, data, n, arg);
		if (rd->reason != REASM_OK || used == n)
			return;
		/* The consumer has seen the tail: keep it, do not re-offer. */
		if (pend_reserve(ctx, rd, n - (uint32_t)used) == 0) {
			memcpy(rd->pend, data + used, n - used);
			rd->pend_len = n - (uint32_t)used;
		}
		return;
	}
	if (pend_reserve(ctx, rd, n) == -1)
		return;
	memcpy(rd->pend + rd->pend_len, data, n);
	rd->pend_len += n;
	if (rd->pend_len < rd->need)
		return;
	used = reasm_offer(ctx, rd, dir, rd->pend, rd->pend_len, arg);
	if (rd->reason != REASM_OK)
		return;
	pend_consume(ctx, rd, used);
}

/*
 * len bytes at next_seq, cut at depth.  The consumer may raise depth from
 * its callback, so the remaining room is re-read after each piece.
 */
static void
reasm_take(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir,
    const uint8_t *data, uint32_t len, void *arg)
{
	uint32_t room, n;

	while (len > 0 && rd->reason == REASM_OK) {
		room = rd->depth > rd->delivered ? rd->depth - rd->delivered : 0;
		if (room == 0) {
			ctx->st.depth_reached++;
			reasm_dir_stop(ctx, rd, REASM_DEPTH);
			return;
		}
		n = len < room ? len : room;
		reasm_accept(ctx, rd, dir, data, n, arg);
		data += n;
		len -= n;
	}
}

/* Deliver held segments that the in-order stream has reached. */
static void
ooo_drain(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir, void *arg)
{
	struct reasm_seg *s;
	uint32_t off;

	while ((s = rd->ooo) != NULL && rd->reason == REASM_OK &&
	    seq_leq(s->seq, rd->next_seq)) {
		/* Unlink first: the consumer may stop (and free) the list. */
		rd->ooo = s->next;
		rd->ooo_bytes -= s->len;
		rd->ooo_segs--;
		off = rd->next_seq - s->seq;
		if (off < s->len)
			reasm_take(ctx, rd, dir, s->data + off, s->len - off, arg);
		seg_free(ctx, s);
		rd->hole_since_us = ctx->now_us;	/* progress: new clock */
	}
}

/* Hold a copy of [seq, seq + n) before *link.  -1 after stopping. */
static int
ooo_add(struct reasm_ctx *ctx, struct reasm_dir *rd, struct reasm_seg **link,
    uint32_t seq, const uint8_t *data, uint32_t n)
{
	struct reasm_seg *s;
	uint32_t end;

	if (rd->ooo_segs + 1u > ctx->lim->reasm_ooo_segs ||
	    (uint64_t)rd->ooo_bytes + n > ctx->lim->reasm_ooo_bytes) {
		ctx->st.ooo_cap_hits++;
		end = rd->ooo != NULL && seq_lt(rd->ooo->seq, seq) ?
		    rd->ooo->seq : seq;
		reasm_gap(ctx, rd, end - rd->next_seq);
		return -1;
	}
	if (!mem_fits(ctx, sizeof(*s) + (uint64_t)n)) {
		ctx->st.memcap_hits++;
		reasm_dir_stop(ctx, rd, REASM_MEMCAP);
		return -1;
	}
	if ((s = xmalloc(sizeof(*s) + n)) == NULL) {
		ctx->st.alloc_fail++;
		reasm_dir_stop(ctx, rd, REASM_MEMCAP);
		return -1;
	}
	mem_add(ctx, sizeof(*s) + (uint64_t)n);
	s->seq = seq;
	s->len = n;
	memcpy(s->data, data, n);
	s->next = *link;
	*link = s;
	rd->ooo_bytes += n;
	rd->ooo_segs++;
	return 0;
}

/*
 * Hold the parts of [seq, seq + len) not already held (first wins).  The
 * list stays sorted and free of overlaps.
 */
static void
ooo_insert(struct reasm_ctx *ctx, struct reasm_dir *rd, uint32_t seq,
    const uint8_t *data, uint32_t len)
{
	struct reasm_seg **link = &rd->ooo, *h;
	uint32_t n, skip;

	if (rd->ooo == NULL)
		rd->hole_since_us = ctx->now_us;	/* the hole's clock */
	while (len > 0) {
		h = *link;
		if (h != NULL && seq_leq(h->seq + h->len, seq)) {
			link = &h->next;
			continue;
		}
		n = len;
		if (h != NULL && seq_leq(h->seq, seq)) {
			skip = h->seq + h->len - seq;
			if (skip >= len)
				return;
			seq += skip;
			data += skip;
			len -= skip;
			link = &h->next;
			continue;
		}
		if (h != NULL && seq_lt(h->seq, seq + len))
			n = h->seq - seq;
		if (ooo_add(ctx, rd, link, seq, data, n) == -1)
			return;
		link = &(*link)->next;
		seq += n;
		data += n;
		len -= n;
	}
}

/*
 * Stream bytes from [seq, seq + len): drop what was delivered, deliver
 * what is next (up to the first held segment: held bytes came first and
 * win), then the held segments that became in order, and repeat.
 */
static void
reasm_feed(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir,
    uint32_t seq, const uint8_t *data, uint32_t len, void *arg)
{
	uint32_t off, n;

	while (len > 0 && rd->reason == REASM_OK) {
		if (seq_lt(seq, rd->next_seq)) {
			off = rd->next_seq - seq;
			if (off >= len)
				return;
			seq += off;
			data += off;
			len -= off;
		}
		if (seq != rd->next_seq) {
			ooo_insert(ctx, rd, seq, data, len);
			return;
		}
		n = len;
		if (rd->ooo != NULL && seq_lt(rd->ooo->seq, seq + len))
			n = rd->ooo->seq - seq;
		reasm_take(ctx, rd, dir, data, n, arg);
		seq += n;
		data += n;
		len -= n;
		ooo_drain(ctx, rd, dir, arg);
	}
}

/* Do bytes of [seq, seq + len) differ from the same bytes in [bseq, +blen)? */
static int
bytes_differ(uint32_t seq, const uint8_t *data, uint32_t len, uint32_t bseq,
    const uint8_t *b, uint32_t blen, int *overlap)
{
	uint32_t lo, hi;

	lo = seq_lt(seq, bseq) ? bseq : seq;
	hi = seq_lt(seq + len, bseq + blen) ? seq + len : bseq + blen;
	if (!seq_lt(lo, hi))
		return 0;
	*overlap = 1;
	return memcmp(data + (lo - seq), b + (lo - bseq), hi - lo) != 0;
}

/*
 * Count overlaps with bytes we still have (the pending tail of the
 * delivered stream, held segments) and whether their content differs: a
 * conflict is the signature of an evasion attempt or a broken middlebox.
 */
static void
reasm_overlaps(struct reasm_ctx *ctx, const struct reasm_dir *rd,
    uint32_t seq, const uint8_t *data, uint32_t len)
{
	const struct reasm_seg *s;
	int overlap = 0, conflict = 0;

	if (rd->pend_len > 0)
		conflict |= bytes_differ(seq, data, len,
		    rd->next_seq - rd->pend_len, rd->pend, rd->pend_len,
		    &overlap);
	for (s = rd->ooo; s != NULL; s = s->next) {
		if (seq_leq(seq + len, s->seq))
			break;
		conflict |= bytes_differ(seq, data, len, s->seq, s->data,
		    s->len, &overlap);
	}
	if (seq_lt(seq, rd->next_seq) && seq_lt(rd->next_seq, seq + len))
		overlap = 1;
	if (overlap && seq_lt(rd->next_seq, seq + len))
		ctx->st.overlaps++;
	if (conflict)
		ctx->st.overlap_conflicts++;
}

/* Count the segment (reasm.h rule 2).  0: feed it. */
static int
reasm_classify(struct reasm_ctx *ctx, struct reasm_dir *rd, uint32_t seq,
    const uint8_t *data, uint32_t len)
{
	reasm_overlaps(ctx, rd, seq, data, len);
	if (seq_leq(seq + len, rd->next_seq)) {
		ctx->st.retransmitted++;
		return -1;
	}
	if (seq_leq(seq, rd->next_seq)) {
		if (rd->ooo == NULL)
			ctx->st.in_order++;
		return 0;
	}
	/* Beyond the hole, even after an ACK past it (rules 1, 2): held, as
	 * the hole may be a reordered segment still to come; hole-timeout,
	 * a cap or the flow's end gives it up. */
	ctx->st.out_of_order++;
	return 0;
}

/* Give up rd's hole if it has been open past hole-timeout.  -1 if so. */
static int
hole_expired(struct reasm_ctx *ctx, struct reasm_dir *rd)
{
	if (rd->reason != REASM_OK || rd->ooo == NULL ||
	    ctx->now_us < rd->hole_since_us ||
	    ctx->now_us - rd->hole_since_us < ctx->lim->reasm_hole_timeout_us)
		return 0;
	ctx->st.hole_timeouts++;
	reasm_gap(ctx, rd, hole_size(rd));
	return -1;
}

void
reasm_segment(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir,
    uint32_t seq, uint8_t flags, const uint8_t *data, size_t len, void *arg)
{
	uint32_t n;

	if (len > 0)
		ctx->st.segments++;
	if (rd->reason != REASM_OK)
		return;
	/* The segment that fills the hole may be the one that comes late:
	 * it is taken first, the clock checked after. */
	/* A TSO/GRO capture can exceed 64 KB, never 1 GB. */
	n = len > (1u << 30) ? 1u << 30 : (uint32_t)len;
	if (flags & TH_SYN) {
		if (!rd->seq_known) {
			rd->next_seq = seq + 1;
			rd->seq_known = 1;
		}
		rd->syn_seen = 1;
		seq++;		/* the SYN occupies one sequence number */
	}
	if (n > 0 && rd->fin_seen && seq_leq(rd->fin_seq, seq)) {
		ctx->st.after_fin++;
		return;
	}
	if (n > 0) {
		if (!rd->seq_known) {
			rd->next_seq = seq;	/* midstream: first data starts */
			rd->seq_known = 1;
		}
		if (reasm_classify(ctx, rd, seq, data, n) == 0)
			reasm_feed(ctx, rd, dir, seq, data, n, arg);
	}
	if ((flags & TH_FIN) && !rd->fin_seen) {
		rd->fin_seen = 1;
		rd->fin_seq = seq + n;
	}
	(void)hole_expired(ctx, rd);
}

void
reasm_ack(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir, uint32_t ack,
    void *arg)
{
	(void)dir;
	(void)arg;
	if (hole_expired(ctx, rd) == -1 || rd->reason != REASM_OK ||
	    !rd->seq_known || !seq_lt(rd->next_seq, ack))
		return;
	if (rd->ooo != NULL) {			/* rule 1: held on */
		if (!rd->ack_ahead || seq_lt(rd->ack_past, ack))
			ctx->st.acked_holes++;
	}
	if (rd->fin_seen && rd->next_seq == rd->fin_seq &&
	    ack == rd->fin_seq + 1)		/* rule 3 */
		return;
	if (!rd->ack_ahead || seq_lt(rd->ack_past, ack)) {	/* rule 2 */
		rd->ack_past = ack;
		rd->ack_ahead = 1;
	}
}

void
reasm_dir_finish(struct reasm_ctx *ctx, struct reasm_dir *rd, int dir,
    void *arg)
{
	(void)dir;
	(void)arg;
	if (rd->reason != REASM_OK)
		return;
	if (rd->ooo != NULL)
		reasm_gap(ctx, rd, hole_size(rd));
	else if (rd->ack_ahead)
		reasm_gap(ctx, rd, rd->ack_past - rd->next_seq);
}

const char *
reasm_reason_name(enum reasm_reason r)
{
	static const char *const names[REASM_REASON_MAX] = {
		[REASM_OK] = "ok",
		[REASM_DONE] = "done",
		[REASM_GAP] = "gap",
		[REASM_DEPTH] = "depth",
		[REASM_MEMCAP] = "memcap",
		[REASM_CONSUMER_ERR] = "consumer_error",
	};

	if ((unsigned)r >= REASM_REASON_MAX)
		return "unknown";
	return names[r];
}

int
reasm_dir_check(const struct reasm_dir *rd)
{
	const struct reasm_seg *s;
	uint32_t bytes = 0, segs = 0, end = rd->next_seq;

	if (rd->pend_len > rd->pend_cap ||
	    (rd->pend == NULL) != (rd->pend_cap == 0))
		return -1;
	if (rd->reason != REASM_OK && (rd->pend != NULL || rd->ooo != NULL))
		return -1;
	if (rd->delivered > rd->depth)
		return -1;
	for (s = rd->ooo; s != NULL; s = s->next) {
		/* The first strictly beyond next_seq (else it would have been
		 * delivered), the others not before the previous end. */
		if (s->len == 0 || (segs == 0 ? !seq_lt(end, s->seq) :
		    !seq_leq(end, s->seq)))
			return -1;
		end = s->seq + s->len;
		bytes += s->len;
		segs++;
	}
	if (bytes != rd->ooo_bytes || segs != rd->ooo_segs)
		return -1;
	return 0;
}
