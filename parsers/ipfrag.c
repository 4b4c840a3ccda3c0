/*
 * ipfrag.c - IPv4 (RFC 791 3.2) and IPv6 (RFC 8200 4.5) fragment
 * reassembly, bounded in every dimension.
 *
 * A train is keyed by (family, source, destination, identification, and
 * for IPv4 the protocol).  Limits: at most lim->frag_trains trains,
 * lim->frag_memcap bytes held over all trains, LIM_FRAG_PIECES fragments
 * per train and LIM_FRAG_DGRAM bytes per datagram; a train older than
 * lim->frag_timeout_us (packet time) is dropped by decode_expire() or
 * when its next fragment arrives late.
 *
 * Overlap policy: any fragment that overlaps bytes already held rejects
 * the whole train (DEC_FRAG_BAD).  Overlaps are how IDS evasion works
 * (the sensor and the host must not see different bytes, RFC 5722 makes
 * them illegal for IPv6, RFC 3128 for the IPv4 tiny fragment attack), so
 * we see neither version rather than guess the host's policy.  The one
 * exception is an exact retransmission (same offset, length and bytes),
 * which is dropped and the train kept.
 *
 * The completed datagram is rebuilt behind a synthesized header (IPv4: 20
 * bytes, no options; IPv6: 40 bytes, the unfragmentable extension headers
 * dropped) in one buffer owned by the table and reused by the next
 * completion, so it is valid until the next decode_packet() call.
 */
#include "decode_int.h"

#include <string.h>

#include "../sensor/xmalloc.h"

struct frag_piece {
	uint32_t	 off;
	uint32_t	 len;
	uint8_t		*data;
};

struct frag_train {
	uint8_t		 family;
	uint8_t		 proto;
	uint8_t		 have_last;
	uint8_t		 npieces;
	uint32_t	 id;
	uint8_t		 src[16], dst[16];
	uint64_t	 first_us;
	uint32_t	 end;		/* datagram payload length, if have_last */
	uint32_t	 held;		/* payload bytes held */
	struct frag_piece piece[LIM_FRAG_PIECES];	/* sorted by off */
};

struct frag_table {
	const struct limits	 *lim;
	struct frag_train	**train;	/* [0, ntrain) in use */
	uint32_t		  ntrain;
	uint32_t		  cap;
	uint64_t		  mem;
	uint8_t			 *out;		/* 40 + LIM_FRAG_DGRAM */
};

struct frag_table *
frag_new(const struct limits *lim)
{
	struct frag_table *ft;

	if ((ft = xcalloc(1, sizeof(*ft))) == NULL)
		return NULL;
	ft->lim = lim;
	ft->cap = lim->frag_trains;
	if ((ft->train = xcalloc(ft->cap ? ft->cap : 1,
	    sizeof(*ft->train))) == NULL) {
		xfree(ft);
		return NULL;
	}
	return ft;
}

/* Free train i and move the last train into its slot. */
static void
frag_drop(struct frag_table *ft, uint32_t i)
{
	struct frag_train *t = ft->train[i];
	unsigned k;

	for (k = 0; k < t->npieces; k++)
		xfree(t->piece[k].data);
	ft->mem -= t->held;
	xfree(t);
	ft->train[i] = ft->train[--ft->ntrain];
	ft->train[ft->ntrain] = NULL;
}

void
frag_free(struct frag_table *ft)
{
	if (ft == NULL)
		return;
	while (ft->ntrain > 0)
		frag_drop(ft, 0);
	xfree(ft->train);
	xfree(ft->out);
	xfree(ft);
}

static int
frag_expired(const struct frag_table *ft, const struct frag_train *t,
    uint64_t now_us)
{
	return now_us > t->first_us &&
	    now_us - t->first_us > ft->lim->frag_timeout_us;
}

void
frag_expire(struct decoder *d, struct frag_table *ft, uint64_t now_us)
{
	uint32_t i = 0;

	while (i < ft->ntrain) {
		if (frag_expired(ft, ft->train[i], now_us)) {
			frag_drop(ft, i);
			d->st.reason[DEC_FRAG_TIMEOUT]++;
		} else
			i++;
	}
}

static int
frag_match(const struct frag_train *t, const struct frag_in *fi)
{
	size_t alen = fi->family == 4 ? 4 : 16;

	return t->family == fi->family && t->id == fi->id &&
	    (fi->family == 6 || t->proto == fi->proto) &&
	    memcmp(t->src, fi->src, alen) == 0 &&
	    memcmp(t->dst, fi->dst, alen) == 0;
}

/* Find or start the train of fi; index in *idx, -1 when out of room. */
static int
frag_lookup(struct dctx *ctx, struct frag_table *ft, const struct frag_in *fi,
    uint32_t *idx)
{
	struct frag_train *t;
	uint64_t now = ctx->p->ts_us;
	uint32_t i;

	for (i = 0; i < ft->ntrain; i++) {
		if (!frag_match(ft->train[i], fi))
			continue;
		if (!frag_expired(ft, ft->train[i], now)) {
			*idx = i;
			return 0;
		}
		frag_drop(ft, i);
		ctx->d->st.reason[DEC_FRAG_TIMEOUT]++;
		break;
	}
	if (ft->ntrain >= ft->cap)
		frag_expire(ctx->d, ft, now);
	if (ft->ntrain >= ft->cap || (t = xcalloc(1, sizeof(*t))) == NULL)
		return -1;
	t->family = fi->family;
	t->proto = fi->proto;
	t->id = fi->id;
	memcpy(t->src, fi->src, fi->family == 4 ? 4 : 16);
	memcpy(t->dst, fi->dst, fi->family == 4 ? 4 : 16);
	t->first_us = now;
	*idx = ft->ntrain;
	ft->train[ft->ntrain++] = t;
	return 0;
}

/* 0 no overlap, 1 exact duplicate, -1 overlap. */
static int
frag_overlap(const struct frag_train *t, uint32_t off, struct cur data)
{
	uint32_t len = (uint32_t)cur_left(&data);
	unsigned k;

	for (k = 0; k < t->npieces; k++) {
		const struct frag_piece *pc = &t->piece[k];

		if (off >= pc->off + pc->len || pc->off >= off + len)
			continue;
		if (pc->off == off && pc->len == len &&
		    memcmp(pc->data, cur_ptr(&data), len) == 0)
			return 1;
		return -1;
	}
	return 0;
}

/* Check fi against the train; DEC_OK to store it, else the reason. */
static enum decode_reason
frag_check(const struct frag_table *ft, const struct frag_train *t,
    const struct frag_in *fi)
{
	uint32_t len = (uint32_t)cur_left(&fi->data);
	uint32_t end = fi->off + len;
	int ov;

	/* IPv4 Total Length covers our 20-byte header too. */
	if (len == 0 || end > LIM_FRAG_DGRAM - (fi->family == 4 ? 20 : 0) ||
	    (fi->more && len % 8 != 0))
		return DEC_FRAG_BAD;
	if (t->have_last && (fi->more ? end > t->end : end != t->end))
		return DEC_FRAG_BAD;
	if (!fi->more && t->npieces > 0 &&
	    t->piece[t->npieces - 1].off + t->piece[t->npieces - 1].len > end)
		return DEC_FRAG_BAD;
	if ((ov = frag_overlap(t, fi->off, fi->data)) != 0)
		return ov > 0 ? DEC_FRAG_HELD : DEC_FRAG_BAD;
	if (t->npieces >= LIM_FRAG_PIECES)
		return DEC_FRAG_BAD;
	if (ft->mem + len > ft->lim->frag_memcap)
		return DEC_FRAG_CAP;
	return DEC_OK;
}

static int
frag_store(struct frag_table *ft, struct frag_train *t, const struct frag_in *fi)
{
	uint32_t len = (uint32_t)cur_left(&fi->data);
	uint8_t *data;
	unsigned k;

	if ((data = xmalloc(len)) == NULL)
		return -1;
	memcpy(data, cur_ptr(&fi->data), len);
	for (k = t->npieces; k > 0 && t->piece[k - 1].off > fi->off; k--)
		t->piece[k] = t->piece[k - 1];
	t->piece[k].off = fi->off;
	t->piece[k].len = len;
	t->piece[k].data = data;
	t->npieces++;
	t->held += len;
	ft->mem += len;
	if (!fi->more) {
		t->have_last = 1;
		t->end = fi->off + len;
	}
	if (fi->off == 0)
		t->proto = fi->proto;	/* RFC 8200 4.5: first fragment's */
	return 0;
}

static void
put_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Synthesize the header in ft->out and return the datagram in *out. */
static void
frag_build(struct frag_table *ft, const struct frag_train *t, struct cur *out)
{
	uint8_t *h = ft->out + (t->family == 4 ? 20 : 0);
	size_t hlen = t->family == 4 ? 20 : 40;
	struct cur hc;
	unsigned k;

	for (k = 0; k < t->npieces; k++)
		memcpy(ft->out + 40 + t->piece[k].off, t->piece[k].data,
		    t->piece[k].len);
	memset(h, 0, hlen);
	if (t->family == 4) {
		h[0] = 0x45;
		put_be16(h + 2, (uint16_t)(20 + t->end));
		put_be16(h + 4, (uint16_t)t->id);
		h[8] = 64;
		h[9] = t->proto;
		memcpy(h + 12, t->src, 4);
		memcpy(h + 16, t->dst, 4);
		cur_init(&hc, h, 20);
		put_be16(h + 10, csum_fold(csum_add(0, hc)));
	} else {
		h[0] = 0x60;
		put_be16(h + 4, (uint16_t)t->end);
		h[6] = t->proto;
		h[7] = 64;
		memcpy(h + 8, t->src, 16);
		memcpy(h + 24, t->dst, 16);
	}
	cur_init(out, h, hlen + t->end);
}

enum parse_result
frag_input(struct dctx *ctx, const struct frag_in *fi, struct cur *out)
{
	struct frag_table *ft = ctx->d->frag;
	struct frag_train *t;
	enum decode_reason r;
	uint32_t i;

	if (ft == NULL)
		return dctx_fail(ctx, DEC_FRAG_CAP);
	if (ft->out == NULL && (ft->out = xmalloc(40 + LIM_FRAG_DGRAM)) == NULL)
		return dctx_fail(ctx, DEC_FRAG_CAP);
	if (frag_lookup(ctx, ft, fi, &i) != 0)
		return dctx_fail(ctx, DEC_FRAG_CAP);
	t = ft->train[i];
	if ((r = frag_check(ft, t, fi)) != DEC_OK ||
	    (r = frag_store(ft, t, fi) != 0 ? DEC_FRAG_CAP : DEC_OK) != DEC_OK) {
		if (r == DEC_FRAG_BAD || t->npieces == 0)
			frag_drop(ft, i);
		/* an exact duplicate of a held piece: still waiting */
		return r == DEC_FRAG_HELD ? dctx_hold(ctx) : dctx_fail(ctx, r);
	}
	if (!t->have_last || t->held != t->end) {
		if (t->npieces >= LIM_FRAG_PIECES) {	/* cannot complete */
			frag_drop(ft, i);
			return dctx_fail(ctx, DEC_FRAG_BAD);
		}
		return dctx_hold(ctx);
	}
	frag_build(ft, t, out);
	frag_drop(ft, i);
	return PARSE_OK;
}
