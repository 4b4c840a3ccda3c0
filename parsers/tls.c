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

#include "cur.h"
#include "../sensor/log.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

static uint64_t tls_mem_cap = LIM_TLS_MEMCAP, tls_mem_used, tls_mem_peak,
    tls_mem_hits;

void
tls_mem_configure(const struct limits *lim)
{
	tls_mem_cap = lim->tls_memcap;
}

int
tls_mem_take(size_t n)
{
	if (n > tls_mem_cap || tls_mem_used > tls_mem_cap - n) {
		tls_mem_hits++;
		return -1;
	}
	tls_mem_used += n;
	if (tls_mem_used > tls_mem_peak)
		tls_mem_peak = tls_mem_used;
	return 0;
}

void
tls_mem_give(size_t n)
{
	DEBUG_ASSERT(n <= tls_mem_used);
	tls_mem_used -= n <= tls_mem_used ? n : tls_mem_used;
}

void
tls_mem_stats(uint64_t *in_use, uint64_t *peak, uint64_t *cap_hits)
{
	*in_use = tls_mem_used;
	*peak = tls_mem_peak;
	*cap_hits = tls_mem_hits;
}

struct tls_flow *
tls_flow_new(const struct limits *lim, int is_udp)
{
	struct tls_flow *tf;

	if ((tf = xcalloc(1, sizeof(*tf))) == NULL)
		return NULL;
	tf->lim = lim;
	tf->is_udp = is_udp;
	tf->client_dir = -1;
	tf->s.missing = TLS_MISSING_NOT_TLS;
	return tf;
}

void
tls_flow_free(struct tls_flow *tf)
{
	if (tf == NULL)
		return;
	tls_record_dir_free(&tf->d[0]);
	tls_record_dir_free(&tf->d[1]);
	tls_chain_clear(&tf->s.server);
	tls_chain_clear(&tf->s.client);
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
	tf->is_tls = 1;
	if (dir == 0 || dir == 1)
		tf->d[dir].records = 1;
}

int
tls_is_tls(const struct tls_flow *tf)
{
	return tf->is_tls;
}

int
tls_started(const struct tls_flow *tf)
{
	int d;

	if (tf->is_tls)
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
}

void
tls_dir_stop(struct tls_flow *tf, int dir)
{
	struct tls_dir *d = &tf->d[dir];

	if (d->mode != TLS_MODE_GAVE_UP)
		tls_change_mode(tf, dir, TLS_MODE_DONE);
	tls_record_dir_free(d);
}

static void tls_update(struct tls_flow *);

/* Server direction, or -1 when no side has been identified. */
static int
tls_server_dir(const struct tls_flow *tf)
{
	return tf->client_dir >= 0 ? !tf->client_dir : -1;
}

/*
 * A non-handshake record.  CCS switches dir to encrypted; a CCS from the
 * server before any Certificate means an abbreviated handshake (RFC 5246
 * 7.3: ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished).
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
		if (!d->ccs && tf->s.server_hello && !tf->s.server.seen &&
		    dir == tls_server_dir(tf) && !tf->tls13 && !tf->shd)
			tf->s.resumed = 1;
		d->ccs = 1;
		tls_record_dir_free(d);
		break;
	case TLS_CT_ALERT:
		if (!d->ccs)
			tls_note_alert(tf, dir, 2, 0);
		break;
	default:
		break;
	}
}

/* RFC 5246 7.2: fatal alerts and close_notify end the handshake. */
void
tls_note_alert(struct tls_flow *tf, int dir, uint8_t level, uint8_t desc)
{
	(void)dir;
	if (level == 1 && desc != 0)
		return;		/* warning, e.g. unrecognized_name */
	if (!tf->s.server.seen && !tf->tls13)
		tf->alert = 1;
}

int
tls_dir_done(const struct tls_flow *tf, int dir)
{
	const struct tls_dir *d;

	if (dir != 0 && dir != 1)
		return 1;
	d = &tf->d[dir];
	return d->mode == TLS_MODE_DONE || d->mode == TLS_MODE_GAVE_UP ||
	    d->ended || d->ccs || tf->tls13 || tf->alert;
}

/* The server flight is complete enough that nothing more can change the
 * reported session (RFC 5246 7.3 message order). */
static int
tls_chain_complete(const struct tls_flow *tf)
{
	int sd = tls_server_dir(tf);

	if (!tf->s.server.seen)
		return tf->s.version == 0x0002 && tf->s.server.n > 0;
	if (tf->s.cert_requested && !tf->s.client.seen &&
	    !(tf->client_dir >= 0 && tls_dir_done(tf, tf->client_dir)))
		return 0;
	if (tf->shd)
		return 1;
	return sd >= 0 && tls_dir_done(tf, sd);
}

int
tls_done(const struct tls_flow *tf)
{
	int sd = tls_server_dir(tf);

	if (!tf->is_tls)
		return 0;
	if (tf->tls13 || tf->alert || tf->s.resumed)
		return 1;
	/* ServerHelloDone and no Certificate: an anonymous suite */
	if (tf->shd && !tf->s.server.seen && !tf->s.cert_requested)
		return 1;
	if (tls_chain_complete(tf))
		return 1;
	if (sd >= 0 && tf->d[sd].bad)
		return 1;
	return tls_dir_done(tf, 0) && tls_dir_done(tf, 1);
}

int
tls_not_tls(const struct tls_flow *tf)
{
	const struct tls_dir *a = &tf->d[0], *b = &tf->d[1];

	if (tf->is_tls)
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
	int rv;

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
		tf->bad = tf->is_tls;
		tf->d[dir].bad = 1;
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
	if (tf->dtls == NULL && (tf->dtls = dtls_state_new(tf->lim)) == NULL) {
		tf->depth = 1;
		return;
	}
	tf->s.dtls = 1;
	dtls_datagram(tf, tf->dtls, dir, data, len);
	tls_update(tf);
}

void
tls_stream_end(struct tls_flow *tf, int dir, enum reasm_reason reason)
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
	tls_record_dir_free(d);
	tls_update(tf);
}

/* Why no chain is visible, in order of precedence. */
static enum tls_missing
tls_missing_reason(const struct tls_flow *tf)
{
	int sd = tls_server_dir(tf), i;

	if (tf->s.server.seen || tf->s.server.n > 0)
		return TLS_MISSING_NONE;
	if (!tf->is_tls)
		return TLS_MISSING_NOT_TLS;
	if (tf->tls13 || tf->hrr)
		return TLS_MISSING_TLS13;
	if (tf->s.resumed)
		return TLS_MISSING_RESUMED;
	if (tf->alert)
		return TLS_MISSING_ALERT;
	if (tf->bad)
		return TLS_MISSING_MALFORMED;
	if (tf->depth)
		return TLS_MISSING_DEPTH;
	for (i = 0; i < 2; i++) {
		if (sd >= 0 && i != sd)
			continue;
		if (tf->d[i].reason == REASM_DEPTH ||
		    tf->d[i].reason == REASM_MEMCAP)
			return TLS_MISSING_DEPTH;
		if (tf->d[i].reason == REASM_GAP)
			return TLS_MISSING_GAP;
	}
	/* RFC 5246 7.4.2: no Certificate for anonymous/PSK/SRP suites
	 * (after gap and depth: a lost Certificate is not an absent one) */
	if (tf->shd && tf->s.server_hello)
		return TLS_MISSING_NO_CERT;
	if (!tf->s.client_hello && !tf->s.server_hello)
		return TLS_MISSING_MIDSTREAM;
	/* the server sent nothing, or nothing that could start a record */
	if (sd >= 0 && !tf->d[sd].records && (!tf->d[sd].bytes_seen ||
	    tf->d[sd].mode == TLS_MODE_GAVE_UP))
		return TLS_MISSING_NO_SERVER_DATA;
	return TLS_MISSING_TRUNCATED;
}

/* Keep tls_session()->missing current, so it is final at tls_done(). */
static void
tls_update(struct tls_flow *tf)
{
	tf->s.missing = tls_missing_reason(tf);
	if (tf->plain_first && tf->st != NULL && tf->s.upgrade == NULL)
		tf->s.upgrade = starttls_protocol(tf->st);
}

void
tls_finalize(struct tls_flow *tf)
{
	tls_update(tf);
	tf->finalized = 1;
}

const char *
tls_missing_name(enum tls_missing m)
{
	static const char *const names[TLS_MISSING_MAX] = {
		[TLS_MISSING_NONE] = "",
		[TLS_MISSING_TLS13] = "tls13",
		[TLS_MISSING_NO_SERVER_DATA] = "no_server_data",
		[TLS_MISSING_GAP] = "gap",
		[TLS_MISSING_DEPTH] = "depth",
		[TLS_MISSING_TRUNCATED] = "truncated",
		[TLS_MISSING_MIDSTREAM] = "midstream_after_handshake",
		[TLS_MISSING_MALFORMED] = "malformed",
		[TLS_MISSING_NOT_TLS] = "not_tls",
		[TLS_MISSING_RESUMED] = "resumed",
		[TLS_MISSING_ALERT] = "alert",
		[TLS_MISSING_NO_CERT] = "no_certificate",
	};

	if ((unsigned)m >= TLS_MISSING_MAX)
		return "unknown";
	return names[m];
}
