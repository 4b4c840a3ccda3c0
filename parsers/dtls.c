/*
 * dtls.c - DTLS 1.0/1.2 (RFC 6347) and DTLS 1.3 (RFC 9147) records, and
 * reassembly of fragmented handshake messages.
 *
 * RFC 6347 4.1, DTLSPlaintext (13-byte header):
 *
 *   +------+-------------+-------------+--------------------+-----------+
 *   | type | version (2) | epoch (2)   | sequence_number (6)| length (2)|
 *   +------+-------------+-------------+--------------------+-----------+
 *
 * RFC 6347 4.2.2, handshake header (12 bytes) in front of each fragment:
 *
 *   +------+------------+-------------+-----------------+-----------------+
 *   | type | length (3) | message_seq | fragment_offset | fragment_length |
 *   |      |            |     (2)     |       (3)       |       (3)       |
 *   +------+------------+-------------+-----------------+-----------------+
 *
 * RFC 9147 4, DTLSCiphertext unified header (first byte 001CSLEE): C =
 * connection id present, S = 16-bit sequence number, L = length present.
 *
 * RFC 7983 7 demultiplexes one UDP 5-tuple by the first byte: 0..3 STUN,
 * 16..19 ZRTP, 20..63 DTLS, 64..79 TURN channel, 128..191 RTP/RTCP.  WebRTC
 * sends STUN and DTLS on one flow; only 20..63 is ours.
 *
 * Epoch 0 handshake messages are plaintext and may be cut into fragments
 * that arrive in any order, duplicated (retransmission) or overlapping.
 * Each message is rebuilt into a buffer of its announced length with a
 * bitmap of covered bytes: the first copy of a byte wins (a later,
 * different copy is an evasion attempt and raises DTLS_FRAG_BAD), and a
 * message is handed to tls_hs_message() exactly once.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cur.h"
#include "../sensor/limits.h"
#include "tls_aux.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

#define DTLS_V10		0xfeff
#define DTLS_V12		0xfefd
#define DTLS_V13		0xfefc
#define DTLS_CT_CID		25	/* RFC 9146 tls12_cid */
#define DTLS_HDR_LEN		13
#define DTLS_HS_HDR_LEN		12
/* RFC 6347 4.1: length MUST NOT exceed 2^14 (+ expansion, 2048). */
#define DTLS_RECORD_MAX		(16384 + 2048)
/* Incomplete messages held per direction; a flight has ~5 messages and
 * most are complete in one fragment, so a few slots suffice. */
#define DTLS_INFLIGHT		4
/* Width of the window of message_seq values remembered as delivered. */
#define DTLS_SEQ_WINDOW		64

struct dtls_msg {
	uint8_t		*buf;
	uint8_t		*have;		/* bitmap: byte i received */
	uint32_t	 len;
	uint32_t	 got;		/* distinct bytes received */
	uint32_t	 age;		/* allocation order, for eviction */
	uint16_t	 seq;
	uint8_t		 type;
	uint8_t		 used;
};

struct dtls_dir {
	struct dtls_msg	 msg[DTLS_INFLIGHT];
	uint64_t	 done;		/* bit i: message_seq base + i delivered */
	uint32_t	 base;
	uint32_t	 held;		/* bytes buffered in msg[] */
	uint32_t	 clock;
};

struct dtls_state {
	struct tls_ctx	*ctx;		/* the worker's TLS memory budget */
	uint32_t	 hs_max;
	struct dtls_dir	 dir[2];
};

struct dtls_state *
dtls_state_new(struct tls_ctx *ctx)
{
	struct dtls_state *ds;

	if ((ds = xcalloc(1, sizeof(*ds))) == NULL)
		return NULL;
	ds->ctx = ctx;
	ds->hs_max = ctx->lim != NULL ? ctx->lim->tls_hs_max : LIM_TLS_HS_MAX;
	return ds;
}

static void
dtls_msg_drop(struct dtls_state *ds, struct dtls_dir *d, struct dtls_msg *m)
{
	d->held -= m->len;
	tls_mem_give(ds->ctx, m->len + (m->len + 7) / 8 + 1);
	xfree(m->buf);
	xfree(m->have);
	memset(m, 0, sizeof(*m));
}

void
dtls_state_free(struct dtls_state *ds)
{
	int i, j;

	if (ds == NULL)
		return;
	for (i = 0; i < 2; i++)
		for (j = 0; j < DTLS_INFLIGHT; j++)
			if (ds->dir[i].msg[j].used)
				dtls_msg_drop(ds, &ds->dir[i],
				    &ds->dir[i].msg[j]);
	xfree(ds);
}

static int
dtls_version_ok(uint16_t v)
{
	return v == DTLS_V10 || v == DTLS_V12 || v == DTLS_V13;
}

/* RFC 7983 first byte 20..63, then a plausible DTLSPlaintext header.
 * A unified-header record (32..63) carries no version and is not enough
 * to call a flow DTLS on its own. */
int
dtls_detect(const uint8_t *data, size_t len)
{
	struct cur c;
	uint8_t type;
	uint16_t ver, rlen;

	cur_init(&c, data, len);
	if (cur_u8(&c, &type) || cur_be16(&c, &ver) || cur_skip(&c, 8) ||
	    cur_be16(&c, &rlen))
		return 0;
	if (type < TLS_CT_CCS || type > DTLS_CT_CID)
		return 0;
	return dtls_version_ok(ver) && rlen > 0 && rlen <= DTLS_RECORD_MAX;
}

/* Was message_seq delivered already?  Slides the window forward. */
static int
dtls_seq_done(struct dtls_dir *d, uint16_t seq, int mark)
{
	uint32_t shift;

	if (seq < d->base)
		return 1;
	if (seq >= d->base + DTLS_SEQ_WINDOW) {
		shift = seq - (d->base + DTLS_SEQ_WINDOW - 1);
		d->done = shift >= 64 ? 0 : d->done >> shift;
		d->base += shift;
	}
	if (mark)
		d->done |= 1ull << (seq - d->base);
	return (d->done >> (seq - d->base)) & 1;
}

static struct dtls_msg *
dtls_msg_find(struct dtls_dir *d, uint16_t seq)
{
	int i;

	for (i = 0; i < DTLS_INFLIGHT; i++)
		if (d->msg[i].used && d->msg[i].seq == seq)
			return &d->msg[i];
	return NULL;
}

/* The oldest incomplete message (lowest age), or NULL. */
static struct dtls_msg *
dtls_msg_oldest(struct dtls_dir *d)
{
	struct dtls_msg *v = NULL;
	int i;

	for (i = 0; i < DTLS_INFLIGHT; i++)
		if (d->msg[i].used && (v == NULL || d->msg[i].age < v->age))
			v = &d->msg[i];
	return v;
}

/*
 * A slot for a new message of len (<= hs_max) bytes.  Evicts the oldest
 * incomplete messages while the direction would hold more than hs_max
 * bytes or all slots are taken: a peer announcing many huge messages gets
 * at most hs_max bytes buffered.
 */
static struct dtls_msg *
dtls_msg_new(struct dtls_state *ds, struct dtls_dir *d, uint8_t type,
    uint16_t seq, uint32_t len)
{
	struct dtls_msg *m = NULL;
	int i;

	while (d->held + len > ds->hs_max && (m = dtls_msg_oldest(d)) != NULL)
		dtls_msg_drop(ds, d, m);
	for (i = 0, m = NULL; i < DTLS_INFLIGHT && m == NULL; i++)
		if (!d->msg[i].used)
			m = &d->msg[i];
	if (m == NULL) {
		m = dtls_msg_oldest(d);
		dtls_msg_drop(ds, d, m);
	}
	if (tls_mem_take(ds->ctx, len + (len + 7) / 8 + 1) == -1)
		return NULL;	/* over tls.memcap: the message is lost */
	m->buf = xmalloc(len > 0 ? len : 1);
	m->have = xcalloc((len + 7) / 8 + 1, 1);
	if (m->buf == NULL || m->have == NULL) {
		/* Out of memory: the message is lost, the flow goes on. */
		tls_mem_give(ds->ctx, len + (len + 7) / 8 + 1);
		xfree(m->buf);
		xfree(m->have);
		memset(m, 0, sizeof(*m));
		return NULL;
	}
	m->len = len;
	m->seq = seq;
	m->type = type;
	m->used = 1;
	m->age = d->clock++;
	d->held += len;
	return m;
}

/* Copy the bytes of frag at off that are not covered yet.  1 when an
 * overlapping byte differs from the first copy. */
static int
dtls_msg_fill(struct dtls_msg *m, uint32_t off, struct cur *frag)
{
	uint32_t pos;
	uint8_t b, bit;
	int differs = 0;

	for (pos = off; cur_u8(frag, &b) == 0; pos++) {
		bit = (uint8_t)(1u << (pos & 7));
		if (m->have[pos >> 3] & bit) {
			differs |= m->buf[pos] != b;
			continue;
		}
		m->have[pos >> 3] |= bit;
		m->buf[pos] = b;
		m->got++;
	}
	return differs;
}

static void
dtls_deliver(struct tls_flow *tf, struct dtls_state *ds, struct dtls_dir *d,
    int dir, uint8_t type, uint16_t seq, const uint8_t *body, size_t len)
{
	struct dtls_msg *m;

	(void)dtls_seq_done(d, seq, 1);
	/* A malformed message is the tls layer's anomaly to raise. */
	(void)tls_hs_message(tf, dir, type, body, len, 1);
	if ((m = dtls_msg_find(d, seq)) != NULL)
		dtls_msg_drop(ds, d, m);
}

/* One fragment: type, message length, message_seq, offset, and its bytes. */
struct dtls_frag {
	uint8_t		 type;
	uint32_t	 len;
	uint16_t	 seq;
	uint32_t	 off;
	struct cur	 data;
};

static void
dtls_fragment(struct tls_flow *tf, struct dtls_state *ds, int dir,
    struct dtls_frag *f)
{
	struct dtls_dir *d = &ds->dir[dir];
	struct dtls_msg *m;

	if (dtls_seq_done(d, f->seq, 0))
		return;			/* retransmission of a delivered message */
	if (f->len > ds->hs_max) {
		tls_set_anomaly(tf, TLS_ANOM_HS_TOO_LARGE);
		return;
	}
	if (f->off == 0 && cur_left(&f->data) == f->len) {
		dtls_deliver(tf, ds, d, dir, f->type, f->seq,
		    cur_ptr(&f->data), f->len);
		return;
	}
	if ((m = dtls_msg_find(d, f->seq)) != NULL &&
	    (m->type != f->type || m->len != f->len)) {
		tls_set_anomaly(tf, TLS_ANOM_DTLS_FRAG_BAD);
		return;			/* first announcement wins */
	}
	if (m == NULL && (m = dtls_msg_new(ds, d, f->type, f->seq,
	    f->len)) == NULL) {
		tls_fsm(tf, TLS_EV_MEMCAP, dir);	/* the message is lost */
		return;
	}
	if (dtls_msg_fill(m, f->off, &f->data))
		tls_set_anomaly(tf, TLS_ANOM_DTLS_FRAG_BAD);
	if (m->got == m->len)
		dtls_deliver(tf, ds, d, dir, m->type, m->seq, m->buf, m->len);
}

/* The handshake fragments of one epoch-0 record (RFC 6347 4.2.2). */
static void
dtls_handshake(struct tls_flow *tf, struct dtls_state *ds, int dir,
    struct cur *rec)
{
	struct dtls_frag f;
	uint32_t flen;

	while (cur_left(rec) > 0) {
		if (cur_u8(rec, &f.type) || cur_be24(rec, &f.len) ||
		    cur_be16(rec, &f.seq) || cur_be24(rec, &f.off) ||
		    cur_be24(rec, &flen) || cur_sub(rec, flen, &f.data))
			goto bad;
		if (f.off > f.len || flen > f.len - f.off)
			goto bad;
		dtls_fragment(tf, ds, dir, &f);
	}
	return;
bad:
	tls_set_anomaly(tf, TLS_ANOM_DTLS_FRAG_BAD);
}

/*
 * RFC 9147 4: unified header 001CSLEE.  The connection id length was
 * negotiated in the (encrypted) handshake, so with C set the rest of the
 * datagram cannot be split: it is all taken, as it is when the record
 * has no length (L clear: it runs to the end of the datagram).
 */
static enum parse_result
dtls_unified(struct tls_flow *tf, int dir, uint8_t b0, struct cur *c)
{
	uint16_t rlen;

	tls_note_record(tf, dir, TLS_CT_APPDATA, DTLS_V13);
	if ((b0 & 0x10) || !(b0 & 0x04)) {
		(void)cur_skip(c, cur_left(c));
		return PARSE_OK;
	}
	if (cur_skip(c, 1) || cur_skip(c, (b0 & 0x08) ? 2 : 1) ||
	    cur_be16(c, &rlen) || cur_skip(c, rlen))
		return PARSE_MORE;	/* snaplen: the rest is not there */
	return PARSE_OK;
}

/*
 * One DTLSPlaintext record (RFC 6347 4.1):
 *
 *   type (1) | version (2) | epoch (2) | sequence_number (6)
 *   | length (2) | fragment
 *
 * PARSE_BAD: not a DTLS record; PARSE_MORE: cut short by the capture.
 * Either way the rest of the datagram cannot be read.
 */
static enum parse_result
dtls_record(struct tls_flow *tf, struct dtls_state *ds, int dir,
    struct cur *c)
{
	struct tls_session *s;
	struct cur rec;
	uint8_t type;
	uint16_t ver, epoch, rlen;

	if (cur_u8(c, &type) || cur_be16(c, &ver) || cur_be16(c, &epoch) ||
	    cur_skip(c, 6))
		return PARSE_MORE;
	if (type < TLS_CT_CCS || type > DTLS_CT_CID || !dtls_version_ok(ver))
		return PARSE_BAD;
	tls_mark_tls(tf, dir);
	if ((s = tls_session_mut(tf)) != NULL)
		s->dtls = 1;
	if (type == DTLS_CT_CID) {
		/* RFC 9146: the cid of negotiated size precedes the length:
		 * the rest of the datagram is this record. */
		tls_note_record(tf, dir, TLS_CT_APPDATA, ver);
		(void)cur_skip(c, cur_left(c));
		return PARSE_OK;
	}
	if (cur_be16(c, &rlen) || cur_sub(c, rlen, &rec))
		return PARSE_MORE;
	if (epoch == 0 && type == TLS_CT_HANDSHAKE)
		dtls_handshake(tf, ds, dir, &rec);
	else
		tls_note_record(tf, dir, type, ver);
	return PARSE_OK;
}

void
dtls_datagram(struct tls_flow *tf, struct dtls_state *ds, int dir,
    const uint8_t *data, size_t len)
{
	struct cur c;
	uint8_t b0;
	enum parse_result r = PARSE_OK;

	if (ds == NULL || dir < 0 || dir > 1)
		return;
	cur_init(&c, data, len);
	while (r == PARSE_OK && cur_peek_u8(&c, 0, &b0) == 0) {
		if (b0 < 20 || b0 > 63)
			return;		/* RFC 7983: STUN, ZRTP, TURN, RTP */
		if ((b0 & 0xe0) == 0x20)
			r = dtls_unified(tf, dir, b0, &c);
		else
			r = dtls_record(tf, ds, dir, &c);
	}
}
