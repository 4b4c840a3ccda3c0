/*
 * tls_record.c - the TLS record layer (SSLv3, TLS 1.0-1.3 framing) and
 * handshake message reassembly.
 *
 * RFC 5246 6.2.1 / RFC 8446 5.1, TLSPlaintext:
 *
 *   +--------------+-----------------+-----------------+----------------+
 *   | type (1)     | version (2)     | length (2)      | fragment ...   |
 *   +--------------+-----------------+-----------------+----------------+
 *
 * Handshake messages (RFC 5246 7.4) may be fragmented across records and
 * several may share one record:
 *
 *   +------------+----------------------+----------------------+
 *   | msg_type 1 | length (24 bits)     | body (length bytes)  |
 *   +------------+----------------------+----------------------+
 *
 * Complete messages are parsed straight from the record; only a partial
 * message is copied into the direction's handshake buffer, allocated
 * lazily and sized by the message's own length (bounded by
 * limits.tls_hs_max).
 */
#include <string.h>

#include "cur.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

/* RFC 5246 6.2.3: TLSCiphertext length may be at most 2^14 + 2048. */
#define TLS_RECORD_MAX	(16384 + 2048)
#define TLS_HS_HDR	4

int
tls_record_detect(const uint8_t *data, size_t len)
{
	struct cur c;
	uint8_t type, major, minor;
	uint16_t rlen;

	cur_init(&c, data, len);
	if (cur_u8(&c, &type) == -1 || cur_u8(&c, &major) == -1 ||
	    cur_u8(&c, &minor) == -1 || cur_be16(&c, &rlen) == -1)
		return 0;
	return type >= TLS_CT_CCS && type <= TLS_CT_HEARTBEAT && major == 3 &&
	    minor <= 4 && rlen <= TLS_RECORD_MAX;
}

void
tls_record_dir_free(struct tls_flow *tf, struct tls_dir *d)
{
	tls_mem_give(tf->ctx, d->hs_cap);
	xfree(d->hs);
	d->hs = NULL;
	d->hs_len = 0;
	d->hs_cap = 0;
	d->hs_msg = 0;
}

/* A malformed stream: raise the anomaly and stop the direction. */
static void
tls_record_bad(struct tls_flow *tf, int dir, enum tls_anomaly a)
{
	tls_set_anomaly(tf, a);
	tf->d[dir].bad = 1;
	tls_fsm(tf, TLS_EV_MALFORMED, dir);
	tls_dir_stop(tf, dir);
}

/*
 * A handshake length claim over tls.max-handshake.  A Certificate whose
 * certificate_list length agrees with the claim could be a legitimate
 * huge chain (depth); anything else is an attack or garbage (malformed).
 */
static void
tls_record_too_large(struct tls_flow *tf, int dir, struct cur *msg,
    uint8_t type, uint32_t hlen)
{
	uint32_t list_len;

	tls_set_anomaly(tf, TLS_ANOM_HS_TOO_LARGE);
	if (type == TLS_HS_CERTIFICATE && cur_be24(msg, &list_len) == 0 &&
	    list_len + 3 == hlen)
		tls_fsm(tf, TLS_EV_DEPTH, dir);
	else
		tls_fsm(tf, TLS_EV_MALFORMED, dir);
	tls_dir_stop(tf, dir);
}

/*
 * Parse the complete messages at the start of c.  Returns 0 when the rest
 * of c is a partial message (its total size in *msg_size, 0 if even the
 * header is incomplete), -1 when the direction was stopped.
 */
static int
tls_record_msgs(struct tls_flow *tf, int dir, struct cur *c, size_t *msg_size)
{
	struct cur m, body;
	uint8_t type;
	uint32_t hlen;

	*msg_size = 0;
	while (cur_left(c) >= TLS_HS_HDR) {
		m = *c;
		if (cur_u8(&m, &type) == -1 || cur_be24(&m, &hlen) == -1)
			return -1;
		if (hlen > tf->lim->tls_hs_max) {
			tls_record_too_large(tf, dir, &m, type, hlen);
			return -1;
		}
		if (cur_sub(&m, hlen, &body) == -1) {
			*msg_size = TLS_HS_HDR + (size_t)hlen;
			return 0;
		}
		*c = m;
		if (tls_hs_message(tf, dir, type, cur_ptr(&body),
		    cur_left(&body), 0) == PARSE_BAD) {
			tf->d[dir].bad = 1;
			tls_fsm(tf, TLS_EV_MALFORMED, dir);
			tls_dir_stop(tf, dir);
			return -1;
		}
		if (tf->d[dir].mode != TLS_MODE_RECORD || tf->d[dir].ccs)
			return -1;
	}
	return 0;
}

/* Make room for n more bytes in the handshake buffer. */
static int
tls_record_reserve(struct tls_flow *tf, struct tls_dir *d, size_t n)
{
	size_t want = d->hs_len + n, grow;
	uint8_t *p;

	if (want <= d->hs_cap)
		return 0;
	/* Grow with the bytes that arrived (doubling), never straight to
	 * the size the header claims: a 9-byte record can claim 1 MiB. */
	grow = d->hs_cap < 4096 ? 4096 : 2 * d->hs_cap;
	if (grow > d->hs_msg)
		grow = d->hs_msg;
	if (grow > want)
		want = grow;
	if (tls_mem_take(tf->ctx, want - d->hs_cap) == -1)
		return -1;
	if ((p = xreallocarray(d->hs, want, 1)) == NULL) {
		tls_mem_give(tf->ctx, want - d->hs_cap);
		return -1;
	}
	d->hs = p;
	d->hs_cap = want;
	return 0;
}

/* Keep the partial message at the start of rest in the buffer. */
static int
tls_record_keep(struct tls_flow *tf, int dir, const uint8_t *rest, size_t n,
    size_t msg_size)
{
	struct tls_dir *d = &tf->d[dir];

	d->hs_msg = msg_size;
	if (n == 0) {
		d->hs_len = 0;
		return 0;
	}
	if (d->hs != rest) {
		d->hs_len = 0;
		if (tls_record_reserve(tf, d, n) == -1)
			return -1;
		memmove(d->hs, rest, n);
	}
	d->hs_len = n;
	return 0;
}

/* One handshake record fragment of dir. */
static void
tls_record_handshake(struct tls_flow *tf, int dir, const uint8_t *frag,
    size_t n)
{
	struct tls_dir *d = &tf->d[dir];
	struct cur c;
	size_t msg_size;

	if (d->hs_len == 0) {
		cur_init(&c, frag, n);
	} else {
		if (tls_record_reserve(tf, d, n) == -1) {
			tls_fsm(tf, TLS_EV_MEMCAP, dir);
			tls_dir_stop(tf, dir);
			return;
		}
		memcpy(d->hs + d->hs_len, frag, n);
		d->hs_len += n;
		/* header of the message in flight may just have completed */
		cur_init(&c, d->hs, d->hs_len);
	}
	if (tls_record_msgs(tf, dir, &c, &msg_size) == -1)
		return;
	if (tls_record_keep(tf, dir, cur_ptr(&c), cur_left(&c),
	    msg_size) == -1) {
		tls_fsm(tf, TLS_EV_MEMCAP, dir);
		tls_dir_stop(tf, dir);
	}
}

/* RFC 5246 7.2: struct { AlertLevel level; AlertDescription desc; } */
static void
tls_record_alert(struct tls_flow *tf, int dir, const uint8_t *frag, size_t n)
{
	struct cur c;
	uint8_t level, desc;

	tls_mark_tls(tf, dir);
	if (tf->d[dir].first_ct == 0)
		tf->d[dir].first_ct = TLS_CT_ALERT;
	cur_init(&c, frag, n);
	if (tf->d[dir].ccs || n != 2 || cur_u8(&c, &level) == -1 ||
	    cur_u8(&c, &desc) == -1)
		return;		/* encrypted */
	tls_note_alert(tf, dir, level, desc);
}

/* Dispatch one whole record by content type. */
static void
tls_record_one(struct tls_flow *tf, int dir, uint8_t type, uint16_t version,
    const uint8_t *frag, size_t n)
{
	struct tls_dir *d = &tf->d[dir];

	if (n == 0 && type != TLS_CT_APPDATA) {
		/* RFC 5246 6.2.1: only application data may be empty */
		tls_record_bad(tf, dir, TLS_ANOM_ZERO_RECORD);
		return;
	}
	if (type == TLS_CT_APPDATA)
		tls_flight_record(tf, dir, n);
	switch (type) {
	case TLS_CT_HANDSHAKE:
		tls_mark_tls(tf, dir);
		d->hs_record = 1;
		if (d->first_ct == 0)
			d->first_ct = type;
		if (!d->ccs)	/* after CCS: Finished, encrypted */
			tls_record_handshake(tf, dir, frag, n);
		break;
	case TLS_CT_ALERT:
		tls_record_alert(tf, dir, frag, n);
		break;
	default:
		tls_note_record(tf, dir, type, version);
		break;
	}
	/* records seen mid-session with no hello anywhere: nothing to get */
	if (d->first_ct == TLS_CT_APPDATA && !tf->s.client_hello &&
	    !tf->s.server_hello)
		tls_dir_stop(tf, dir);
}

size_t
tls_record_stream(struct tls_flow *tf, int dir, const uint8_t *data,
    size_t len, size_t *need)
{
	struct cur c, frag;
	uint8_t type, major, minor;
	uint16_t rlen;
	size_t off = 0;

	cur_init(&c, data, len);
	while (tf->d[dir].mode == TLS_MODE_RECORD && cur_left(&c) > 0) {
		if (cur_left(&c) < 5) {
			*need = 5;
			break;
		}
		if (cur_u8(&c, &type) == -1 || cur_u8(&c, &major) == -1 ||
		    cur_u8(&c, &minor) == -1 || cur_be16(&c, &rlen) == -1)
			break;
		if (type < TLS_CT_CCS || type > TLS_CT_HEARTBEAT ||
		    major != 3) {
			tls_record_bad(tf, dir, TLS_ANOM_BAD_RECORD_LEN);
			return len;
		}
		if (rlen > TLS_RECORD_MAX) {
			tls_record_bad(tf, dir, TLS_ANOM_BAD_RECORD_LEN);
			return len;
		}
		if (cur_sub(&c, rlen, &frag) == -1) {
			*need = 5 + (size_t)rlen;
			break;
		}
		off += 5 + (size_t)rlen;
		tls_record_one(tf, dir, type, (uint16_t)(major << 8 | minor),
		    cur_ptr(&frag), cur_left(&frag));
	}
	return off;
}
