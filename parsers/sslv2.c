/*
 * sslv2.c - SSLv2 records: CLIENT-HELLO (also the SSLv2-compatible hello
 * that SSLv3/TLS clients sent until ~2010) and SERVER-HELLO with the
 * server certificate.  Reference: draft-hickman-netscape-ssl-00 (the SSL
 * 2.0 specification, 1995) and RFC 5246 Appendix E.2 (the compatible
 * ClientHello).
 *
 * Record header (SSL 2.0 "Record Header Format"):
 *
 *   two-byte header (no padding), high bit set:
 *    0                   1
 *   +-+-------------+---------------+
 *   |1|   length (15 bits)          |
 *   +-+-------------+---------------+
 *
 *   three-byte header (block cipher padding follows the data):
 *   +-+-+-----------+---------------+---------------+
 *   |0|E| length (14 bits)          | padding length|
 *   +-+-+-----------+---------------+---------------+
 *
 * The hellos are sent in the clear before any cipher is set up; every
 * later record is encrypted and only noted.
 */
#include <stddef.h>
#include <stdint.h>

#include "cur.h"
#include "tls_aux.h"
#include "tls_int.h"

#define SSLV2_MT_CLIENT_HELLO		1
#define SSLV2_MT_SERVER_HELLO		4
#define SSLV2_CERT_X509			1
#define SSLV2_VERSION			0x0002

/* Smallest hellos: fixed fields, one 3-byte cipher spec, 16-byte
 * challenge / connection id (the spec allows 16..32). */
#define SSLV2_CH_FIXED		9
#define SSLV2_SH_FIXED		11
#define SSLV2_CHALLENGE_MIN	16
#define SSLV2_CHALLENGE_MAX	32

/* A client version we believe: SSL 2.0, SSL 3.0 or TLS 1.0-1.3 in the
 * SSLv2-compatible hello (RFC 5246 E.2: "version ... highest supported"). */
static int
sslv2_version_ok(uint16_t v)
{
	return v == SSLV2_VERSION || (v >= 0x0300 && v <= 0x0304);
}

/*
 * Record header.  *hdr = header size, *body = data length, *pad = padding.
 * Returns PARSE_MORE when the header itself is incomplete.
 */
static enum parse_result
sslv2_header(struct cur *c, size_t *hdr, size_t *body, size_t *pad)
{
	uint8_t b0, b1, b2;

	if (cur_u8(c, &b0) || cur_u8(c, &b1))
		return PARSE_MORE;
	if (b0 & 0x80) {
		*hdr = 2;
		*body = (size_t)(b0 & 0x7f) << 8 | b1;
		*pad = 0;
		return PARSE_OK;
	}
	if (cur_u8(c, &b2))
		return PARSE_MORE;
	*hdr = 3;
	*body = (size_t)(b0 & 0x3f) << 8 | b1;
	*pad = b2;
	return *pad <= *body ? PARSE_OK : PARSE_BAD;
}

/*
 * CLIENT-HELLO fixed part (after MSG-CLIENT-HELLO):
 *   version(2) cipher-specs-length(2) session-id-length(2)
 *   challenge-length(2), then the three lists.  1 if the lengths are
 * those of a real hello whose record data (message type included) is
 * exactly len bytes.
 */
static int
sslv2_ch_plausible(uint16_t ver, uint16_t cs, uint16_t sid, uint16_t ch,
    size_t len)
{
	if (!sslv2_version_ok(ver) || cs == 0 || cs % 3 != 0)
		return 0;
	if (sid != 0 && sid != 16 && sid != 32)
		return 0;
	if (ch < SSLV2_CHALLENGE_MIN || ch > SSLV2_CHALLENGE_MAX)
		return 0;
	return len == SSLV2_CH_FIXED + (size_t)cs + sid + ch;
}

/* SERVER-HELLO: session-id-hit(1) certificate-type(1) version(2)
 * certificate-length(2) cipher-specs-length(2) connection-id-length(2). */
static int
sslv2_sh_plausible(uint8_t hit, uint8_t ctype, uint16_t ver, uint16_t cert,
    uint16_t cs, uint16_t cid, size_t len)
{
	if (hit > 1 || ver != SSLV2_VERSION || cs % 3 != 0)
		return 0;
	/* A new session carries a certificate and cipher list; a hit
	 * carries neither (type and lengths 0). */
	if (hit == 0 && (ctype != SSLV2_CERT_X509 || cert == 0 || cs == 0))
		return 0;
	if (cid < SSLV2_CHALLENGE_MIN || cid > SSLV2_CHALLENGE_MAX)
		return 0;
	return len == SSLV2_SH_FIXED + (size_t)cert + cs + cid;
}

/* Detection: every field present in data must fit; absent ones are not
 * judged (the caller asks again with more bytes if it cares). */
static int
sslv2_detect_ch(struct cur *c, size_t body)
{
	uint16_t ver, cs, sid, ch;

	if (cur_be16(c, &ver))
		return 1;
	if (!sslv2_version_ok(ver))
		return 0;
	if (cur_be16(c, &cs) || cur_be16(c, &sid) || cur_be16(c, &ch))
		return 1;
	return sslv2_ch_plausible(ver, cs, sid, ch, body);
}

static int
sslv2_detect_sh(struct cur *c, size_t body)
{
	uint8_t hit, ctype;
	uint16_t ver, clen, cs, cid;

	if (cur_u8(c, &hit))
		return 1;
	if (hit > 1)
		return 0;
	if (cur_u8(c, &ctype))
		return 1;
	if (ctype > SSLV2_CERT_X509)
		return 0;
	if (cur_be16(c, &ver))
		return 1;
	if (ver != SSLV2_VERSION)
		return 0;
	if (cur_be16(c, &clen) || cur_be16(c, &cs) || cur_be16(c, &cid))
		return 1;
	return sslv2_sh_plausible(hit, ctype, ver, clen, cs, cid, body);
}

/*
 * Detection only trusts the two-byte header: hellos are never padded, and
 * a three-byte header's first byte is plain ASCII in most text protocols.
 */
int
sslv2_detect(const uint8_t *data, size_t len)
{
	struct cur c;
	size_t hdr, body, pad;
	uint8_t mt;

	cur_init(&c, data, len);
	if (len < 3 || sslv2_header(&c, &hdr, &body, &pad) != PARSE_OK ||
	    hdr != 2 || cur_u8(&c, &mt))
		return 0;
	if (body < 1 + SSLV2_SH_FIXED + SSLV2_CHALLENGE_MIN)
		return 0;
	if (mt == SSLV2_MT_CLIENT_HELLO)
		return sslv2_detect_ch(&c, body);
	if (mt == SSLV2_MT_SERVER_HELLO)
		return sslv2_detect_sh(&c, body);
	return 0;
}

static enum parse_result
sslv2_client_hello(struct tls_flow *tf, int dir, struct cur *c)
{
	struct tls_session *s = tls_session_mut(tf);
	uint16_t ver, cs, sid, ch;

	if (cur_be16(c, &ver) || cur_be16(c, &cs) || cur_be16(c, &sid) ||
	    cur_be16(c, &ch))
		return PARSE_BAD;
	if (!sslv2_ch_plausible(ver, cs, sid, ch, SSLV2_CH_FIXED +
	    cur_left(c)))
		return PARSE_BAD;
	tls_mark_tls(tf, dir);
	tls_set_client_dir(tf, dir);
	if (s != NULL) {
		s->client_version = ver;
		s->client_hello = 1;
	}
	tls_fsm(tf, TLS_EV_CLIENT_HELLO, dir);
	return PARSE_OK;
}

static enum parse_result
sslv2_server_hello(struct tls_flow *tf, int dir, struct cur *c)
{
	struct tls_session *s = tls_session_mut(tf);
	struct cur cert;
	uint8_t hit, ctype;
	uint16_t ver, clen, cs, cid;

	if (cur_u8(c, &hit) || cur_u8(c, &ctype) || cur_be16(c, &ver) ||
	    cur_be16(c, &clen) || cur_be16(c, &cs) || cur_be16(c, &cid))
		return PARSE_BAD;
	if (!sslv2_sh_plausible(hit, ctype, ver, clen, cs, cid,
	    SSLV2_SH_FIXED + cur_left(c)) || cur_sub(c, clen, &cert))
		return PARSE_BAD;
	tls_mark_tls(tf, dir);
	if (s == NULL)
		return PARSE_OK;
	s->server_hello = 1;
	s->version = SSLV2_VERSION;
	tls_fsm(tf, TLS_EV_SERVER_HELLO, dir);
	if (hit) {
		tls_fsm(tf, TLS_EV_RESUMED, dir);
		return PARSE_OK;
	}
	if (s->server.n >= LIM_TLS_CHAIN_MAX || cur_left(&cert) == 0) {
		s->server.truncated |= s->server.n >= LIM_TLS_CHAIN_MAX;
		tls_set_anomaly(tf, TLS_ANOM_CHAIN_TOO_LONG);
	} else if (tls_chain_add(tf->ctx, &s->server, cur_ptr(&cert),
	    cur_left(&cert)) == -1) {
		tls_fsm(tf, TLS_EV_MEMCAP, dir);	/* not a chain seen */
		return PARSE_OK;
	}
	s->server.seen = 1;
	tls_fsm(tf, TLS_EV_CERTIFICATE, dir);
	return PARSE_OK;
}

/*
 * Message types 1 and 4 in a two-byte-header record are the hellos.
 * Anything else (CLIENT-MASTER-KEY, encrypted records) is only noted:
 * past the hellos the message type itself is encrypted.
 */
enum parse_result
sslv2_record(struct tls_flow *tf, int dir, const uint8_t *data, size_t len,
    size_t *used)
{
	struct cur c, rec;
	size_t hdr = 0, body = 0, pad = 0;
	uint8_t mt;
	enum parse_result r;

	*used = 3;
	cur_init(&c, data, len);
	r = sslv2_header(&c, &hdr, &body, &pad);
	if (r == PARSE_MORE)
		return PARSE_MORE;
	if (r == PARSE_BAD || body == 0)
		goto bad;
	if (cur_sub(&c, body, &rec)) {
		*used = hdr + body;
		return PARSE_MORE;
	}
	*used = hdr + body;
	if (hdr == 3 || cur_u8(&rec, &mt) ||
	    (mt != SSLV2_MT_CLIENT_HELLO && mt != SSLV2_MT_SERVER_HELLO)) {
		tls_note_record(tf, dir, TLS_CT_APPDATA, SSLV2_VERSION);
		return PARSE_OK;
	}
	r = mt == SSLV2_MT_CLIENT_HELLO ? sslv2_client_hello(tf, dir, &rec) :
	    sslv2_server_hello(tf, dir, &rec);
	if (r == PARSE_OK)
		return PARSE_OK;
bad:
	*used = 0;
	tls_set_anomaly(tf, TLS_ANOM_SSLV2_BAD);
	return PARSE_BAD;
}
