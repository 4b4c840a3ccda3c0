/*
 * tls.c - per-flow TLS state: stream start detection (TLS record, SSLv2
 * hello or a plaintext prologue handed to starttls.c), dispatch to the
 * record layer, completion and the reason a server chain is missing.
 *
 * Detection is by content on any port, per direction:
 *
 *   +------+---------+---------+
 *   | type | version | length  |   type 20..24, version 3.0..3.4,
 *   +------+---------+---------+   length <= 2^14 + 2048 -> record mode
 *     1       2         2
 *
 * otherwise an SSLv2 hello (sslv2_detect) or plaintext (starttls_scan).
 */
#include <string.h>

#include <openssl/evp.h>

#include "cur.h"
#include "../sensor/log.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

int
tls_ctx_init(struct tls_ctx *ctx, const struct limits *lim)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->lim = lim;
	ctx->mem_cap = lim->tls_memcap;
	/* fetched once per worker: OpenSSL 3's EVP_md5()/EVP_sha256() fetch
	 * (and lock) on every use, a tenth of the handshake path's cost */
	ctx->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	ctx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	return ctx->md5 != NULL && ctx->sha256 != NULL ? 0 : -1;
}

void
tls_ctx_free(struct tls_ctx *ctx)
{
	DEBUG_ASSERT(ctx->mem_used == 0);
	EVP_MD_free(ctx->md5);
	EVP_MD_free(ctx->sha256);
	ctx->md5 = ctx->sha256 = NULL;
}

int
tls_mem_take(struct tls_ctx *ctx, size_t n)
{
	if (n > ctx->mem_cap || ctx->mem_used > ctx->mem_cap - n) {
		ctx->mem_hits++;
		return -1;
	}
	ctx->mem_used += n;
	if (ctx->mem_used > ctx->mem_peak)
		ctx->mem_peak = ctx->mem_used;
	return 0;
}

void
tls_mem_give(struct tls_ctx *ctx, size_t n)
{
	DEBUG_ASSERT(n <= ctx->mem_used);
	ctx->mem_used -= n <= ctx->mem_used ? n : ctx->mem_used;
}

struct tls_flow *
tls_flow_new(struct tls_ctx *ctx, int is_udp)
{
	struct tls_flow *tf;

	if ((tf = xcalloc(1, sizeof(*tf))) == NULL)
		return NULL;
	tf->ctx = ctx;
	tf->lim = ctx->lim;
	tf->is_udp = is_udp;
	tf->client_dir = -1;
	tf->state = TLS_ST_IDLE;
	tf->s.missing = TLS_MISSING_NOT_TLS;
	return tf;
}

void
tls_flow_free(struct tls_flow *tf)
{
	if (tf == NULL)
		return;
	tls_record_dir_free(tf, &tf->d[0]);
	tls_record_dir_free(tf, &tf->d[1]);
	tls_chain_clear(tf->ctx, &tf->s.server);
	tls_chain_clear(tf->ctx, &tf->s.client);
	xfree(tf->s.ja3);
	xfree(tf->s.ja3s);
	if (tf->st != NULL)
		starttls_state_free(tf->st);
	if (tf->dtls != NULL)
		dtls_state_free(tf->dtls);
	xfree(tf);
}

struct tls_session *
tls_session_mut(struct tls_flow *tf)
{
	return &tf->s;
}

const struct tls_session *
tls_session(const struct tls_flow *tf)
{
	return &tf->s;
}

void
tls_set_anomaly(struct tls_flow *tf, enum tls_anomaly a)
{
	if ((unsigned)a < TLS_ANOM_MAX)
		tf->s.anomalies |= 1u << a;
}

void
tls_set_client_dir(struct tls_flow *tf, int dir)
{
	if (dir == 0 || dir == 1)
		tf->client_dir = dir;
}

int
tls_client_dir(const struct tls_flow *tf)
{
	return tf->client_dir;
}

void
tls_mark_tls(struct tls_flow *tf, int dir)
{
	if (dir == 0 || dir == 1)
		tf->d[dir].records = 1;
	if (tf->state == TLS_ST_IDLE)
		tls_fsm(tf, TLS_EV_RECORD, dir);
}

int
tls_is_tls(const struct tls_flow *tf)
{
	return tf->state != TLS_ST_IDLE && tf->state != TLS_ST_END_NOT_TLS;
}

int
tls_saw_handshake(const struct tls_flow *tf)
{
	const struct tls_session *s = &tf->s;

	return tf->d[0].hs_record || tf->d[1].hs_record || s->client_hello ||
	    s->server_hello || s->server.seen || s->client.seen || s->dtls;
}

int
tls_started(const struct tls_flow *tf)
{
	int d;

	if (tls_is_tls(tf))
		return 1;
	for (d = 0; d < 2; d++)
		if (tf->d[d].mode == TLS_MODE_RECORD ||
		    tf->d[d].mode == TLS_MODE_SSLV2)
			return 1;
	return 0;
}

/* The one place a direction changes mode; every transition is logged. */
static void
tls_change_mode(struct tls_flow *tf, int dir, enum tls_mode mode)
{
	static const char *const names[] = { "detect", "plain", "record",
	    "sslv2", "done", "gave_up" };

	if (tf->d[dir].mode == mode)
		return;
	log_debug("tls: dir %d %s -> %s", dir, names[tf->d[dir].mode % 6],
	    names[mode % 6]);
	tf->d[dir].mode = (uint8_t)mode;
	if (mode == TLS_MODE_DONE || mode == TLS_MODE_GAVE_UP)
		tls_fsm(tf, TLS_EV_DIR_DONE, dir);
}

void
tls_dir_stop(struct tls_flow *tf, int dir)
{
	struct tls_dir *d = &tf->d[dir];

	tls_record_dir_free(tf, d);
	if (d->mode != TLS_MODE_GAVE_UP)
		tls_change_mode(tf, dir, TLS_MODE_DONE);
}

static void tls_update(struct tls_flow *);

/*
 * A non-handshake record.  CCS switches dir to encrypted (but for TLS
 * 1.3's dummy one after a HelloRetryRequest); a CCS from the server before
 * any Certificate means an abbreviated handshake (RFC 5246 7.3:
 * ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished).
 */
void
tls_note_record(struct tls_flow *tf, int dir, uint8_t ct, uint16_t version)
{
	struct tls_dir *d = &tf->d[dir];

	(void)version;
	tls_mark_tls(tf, dir);
	if (d->first_ct == 0)
		d->first_ct = ct;
	switch (ct) {
	case TLS_CT_CCS:
		/* RFC 8446 D.4: the compatibility CCS either side sends
		 * after a HelloRetryRequest precedes hellos in the clear */
		if (tf->state == TLS_ST_HELLO_RETRY)
			break;
		tls_record_dir_free(tf, d);
		if (!d->ccs) {
			d->ccs = 1;
			tls_fsm(tf, TLS_EV_CCS, dir);
		}
		break;
	case TLS_CT_ALERT:
		if (!d->ccs)
			tls_note_alert(tf, dir, 2, 0);
		break;
	default:
		break;
	}
}

/* The flight is counted for a TLS 1.3 full handshake over TCP only: a
 * PSK resumption sends no Certificate, an HRR adds a round trip. */
static int
tls_flight_open(const struct tls_flow *tf)
{
	const struct tls_session *s = &tf->s;

	return !tf->is_udp && s->server_hello && s->version == 0x0304 &&
	    !s->facts.hrr && !s->facts.psk && !s->facts.flight.done &&
	    tf->client_dir >= 0;
}

void
tls_flight_record(struct tls_flow *tf, int dir, size_t n)
{
	struct tls_flight *fl = &tf->s.facts.flight;

	if (!tls_flight_open(tf))
		return;
	if (dir == tf->client_dir) {
		fl->done = 1;	/* the client's Finished: the flight is over */
		return;
	}
	fl->len[fl->n++] = (uint16_t)(n > UINT16_MAX ? UINT16_MAX : n);
	fl->total += (uint32_t)n;
	if (fl->n >= LIM_TLS_FLIGHT_RECORDS)
		fl->done = 1;
}

int
tls_flight_pending(const struct tls_flow *tf)
{
	int d;

	if (tf->state != TLS_ST_END_TLS13 || !tls_flight_open(tf))
		return 0;
	for (d = 0; d < 2; d++)
		if (tf->d[d].ended || tf->d[d].mode != TLS_MODE_RECORD)
			return 0;
	return 1;
}

/* RFC 5246 7.2: fatal alerts and close_notify end the handshake. */
void
tls_note_alert(struct tls_flow *tf, int dir, uint8_t level, uint8_t desc)
{
	if (level == 1 && desc != 0)
		return;		/* warning, e.g. unrecognized_name */
	tls_fsm(tf, TLS_EV_ALERT, dir);
}

int
tls_not_tls(const struct tls_flow *tf)
{
	const struct tls_dir *a = &tf->d[0], *b = &tf->d[1];

	if (tls_is_tls(tf))
		return 0;
	if (a->mode == TLS_MODE_GAVE_UP && b->mode == TLS_MODE_GAVE_UP)
		return 1;
	if (a->mode == TLS_MODE_GAVE_UP && !b->bytes_seen)
		return 1;
	return b->mode == TLS_MODE_GAVE_UP && !a->bytes_seen;
}

/*
 * Stream depth (bytes from the start of dir's stream) the handshake
 * message in flight needs, including record headers; 0 when none.
 */
uint32_t
tls_depth_wanted(const struct tls_flow *tf, int dir)
{
	const struct tls_dir *d;
	uint64_t rest, want;

	if (dir != 0 && dir != 1)
		return 0;
	d = &tf->d[dir];
	if (d->mode != TLS_MODE_RECORD || d->hs_msg == 0 ||
	    d->hs_msg <= d->hs_len)
		return 0;
	rest = d->hs_msg - d->hs_len;
	/* each record carries at most 2^14 bytes behind a 5-byte header */
	want = d->consumed + rest + 5 * (rest / 16384 + 2);
	return want > UINT32_MAX ? UINT32_MAX : (uint32_t)want;
}

/* Decide what direction dir carries from its first bytes. */
static int
tls_detect(struct tls_flow *tf, int dir, const uint8_t *data, size_t len,
    size_t *need)
{
	struct cur c;
	uint8_t b0;

	cur_init(&c, data, len);
	if (cur_peek_u8(&c, 0, &b0) == -1) {
		*need = 1;
		return -1;
	}
	if (b0 >= TLS_CT_CCS && b0 <= TLS_CT_HEARTBEAT) {
		if (len < 5) {
			*need = 5;
			return -1;
		}
		if (tls_record_detect(data, len)) {
			tls_change_mode(tf, dir, TLS_MODE_RECORD);
			return 0;
		}
	} else if (len < 3) {
		*need = 3;
		return -1;
	} else if (sslv2_detect(data, len)) {
		tls_change_mode(tf, dir, TLS_MODE_SSLV2);
		return 0;
	}
	tls_change_mode(tf, dir, TLS_MODE_PLAIN);
	return 0;
}

/* Plaintext prologue: hand it to starttls.c until the handshake starts. */
static size_t
tls_plain(struct tls_flow *tf, int dir, const uint8_t *data, size_t len)
{
	size_t off = 0;

	if (tf->st == NULL && (tf->st = starttls_state_new()) == NULL) {
		tls_change_mode(tf, dir, TLS_MODE_GAVE_UP);
		return len;
	}
	switch (starttls_scan(tf->st, dir, data, len, &off)) {
	case STARTTLS_FOUND:
		if (off > len)
			off = len;
		tf->plain_first = 1;
		tls_change_mode(tf, dir, len - off >= 3 &&
		    !tls_record_detect(data + off, len - off) &&
		    sslv2_detect(data + off, len - off) ?
		    TLS_MODE_SSLV2 : TLS_MODE_RECORD);
		return off;
	case STARTTLS_NOT_TLS:
		tls_change_mode(tf, dir, TLS_MODE_GAVE_UP);
		return len;
	case STARTTLS_MORE:
	default:
		return off > len ? len : off;
	}
}

/* SSLv2 records until the stream switches to TLS records (RFC 5246 E.2). */
static size_t
tls_sslv2(struct tls_flow *tf, int dir, const uint8_t *data, size_t len,
    size_t *need)
{
	size_t used = 0;
	enum parse_result rv;

	if (len >= 5 && tls_record_detect(data, len)) {
		tls_change_mode(tf, dir, TLS_MODE_RECORD);
		return 0;
	}
	rv = sslv2_record(tf, dir, data, len, &used);
	if (rv == PARSE_MORE) {
		*need = used > len ? used : len + 1;
		return 0;
	}
	if (rv == PARSE_BAD || used == 0 || used > len) {
		tls_set_anomaly(tf, TLS_ANOM_SSLV2_BAD);
		tf->d[dir].bad = 1;
		tls_fsm(tf, TLS_EV_MALFORMED, dir);
		tls_dir_stop(tf, dir);
		return len;
	}
	tls_mark_tls(tf, dir);
	return used;
}

/* One step of the per-direction state machine; 0 consumed and *need set
 * means wait for more bytes. */
static size_t
tls_step(struct tls_flow *tf, int dir, const uint8_t *data, size_t len,
    size_t *need, int *progress)
{
	struct tls_dir *d = &tf->d[dir];
	enum tls_mode before = d->mode;
	size_t used = 0;

	switch (d->mode) {
	case TLS_MODE_DETECT:
		if (tls_detect(tf, dir, data, len, need) == -1)
			return 0;
		break;
	case TLS_MODE_PLAIN:
		used = tls_plain(tf, dir, data, len);
		break;
	case TLS_MODE_SSLV2:
		used = tls_sslv2(tf, dir, data, len, need);
		break;
	case TLS_MODE_RECORD:
		used = tls_record_stream(tf, dir, data, len, need);
		break;
	default:
		return len;
	}
	*progress = used > 0 || d->mode != before;
	return used;
}

size_t
tls_stream(struct tls_flow *tf, int dir, const uint8_t *data, size_t len,
    size_t *need)
{
	size_t off = 0, used;
	int progress = 1;

	*need = 0;
	if (dir != 0 && dir != 1)
		return len;
	if (len > 0)
		tf->d[dir].bytes_seen = 1;
	while (progress && off < len) {
		if (tf->d[dir].mode == TLS_MODE_DONE ||
		    tf->d[dir].mode == TLS_MODE_GAVE_UP)
			break;
		*need = 0;
		progress = 0;
		used = tls_step(tf, dir, data + off, len - off, need,
		    &progress);
		off += used;
		tf->d[dir].consumed += used;
	}
	tls_update(tf);
	if (tf->d[dir].mode == TLS_MODE_DONE ||
	    tf->d[dir].mode == TLS_MODE_GAVE_UP)
		return len;
	return off;
}

void
tls_datagram(struct tls_flow *tf, int dir, const uint8_t *data, size_t len)
{
	if (dir != 0 && dir != 1)
		return;
	if (len > 0)
		tf->d[dir].bytes_seen = 1;
	if (tf->dtls == NULL && !dtls_detect(data, len))
		return;
	if (tf->dtls == NULL && (tf->dtls = dtls_state_new(tf->ctx)) == NULL) {
		tls_fsm(tf, TLS_EV_MEMCAP, dir);
		return;
	}
	tf->s.dtls = 1;
	dtls_datagram(tf, tf->dtls, dir, data, len);
	tls_update(tf);
}

void
tls_stream_end(struct tls_flow *tf, int dir, enum tls_end reason)
{
	struct tls_dir *d;

	if (dir != 0 && dir != 1)
		return;
	d = &tf->d[dir];
	if (!d->ended) {
		d->ended = 1;
		d->reason = (uint8_t)reason;
	}
	/* an unfinished handshake message at the end is a truncation */
	tls_record_dir_free(tf, d);
	tls_fsm(tf, TLS_EV_STREAM_END, dir);
	tls_update(tf);
}

/* The STARTTLS protocol is known once the scan found the handshake. */
static void
tls_update(struct tls_flow *tf)
{
	if (tf->plain_first && tf->st != NULL && tf->s.upgrade == NULL)
		tf->s.upgrade = starttls_protocol(tf->st);
}

void
tls_finalize(struct tls_flow *tf)
{
	tls_update(tf);
	tls_fsm(tf, TLS_EV_FLOW_END, -1);
}
