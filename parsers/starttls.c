/*
 * starttls.c - the plaintext prologue of protocols that upgrade to TLS in
 * the middle of a TCP stream, followed until the first TLS handshake
 * record, on any port:
 *
 *   SMTP STARTTLS (RFC 3207)      IMAP STARTTLS (RFC 9051 6.2.1)
 *   POP3 STLS (RFC 2595 4)        FTP AUTH TLS/SSL (RFC 4217 4)
 *   XMPP <starttls/> (RFC 6120 5) LDAP StartTLS (RFC 4511 4.14)
 *   IRC STARTTLS (IRCv3, 670)     PostgreSQL SSLRequest (protocol 3.0)
 *   MySQL SSLRequest (CLIENT_SSL) RDP X.224 + RDP_NEG (MS-RDPBCGR 2.2.1)
 *   SOCKS4/4a, SOCKS5 (RFC 1928, RFC 1929)
 *   HTTP CONNECT (RFC 9110 9.3.6) sslh-style muxes (TLS at byte 0)
 *   LMTP STARTTLS (RFC 2033 4.1)  NNTP STARTTLS (RFC 4642 2)
 *   ManageSieve STARTTLS (RFC 5804 2.2)
 *
 * Each direction is followed on its own.  The first bytes pick a framing
 * (CRLF lines, XML tags, BER, length-prefixed packets, SOCKS layouts);
 * at every message boundary a TLS handshake record header (or an SSLv2
 * hello) ends the prologue.  Text is also scanned byte by byte for a
 * strictly validated ClientHello/ServerHello (the byte 0x16 never occurs
 * in text, and base64 never decodes here, so "FgMB" cannot match), and
 * unknown binary protocols get only that strict scan.  The state is a
 * few bytes per direction: the caller re-offers the bytes we did not
 * consume (a partial line, a partial TLS header), so nothing is copied.
 *
 * TLS record + handshake header validated at a boundary (RFC 8446 5.1,
 * 4):
 *
 *   +----+----+----+---------+----+------------+----------------+
 *   | 16 | 03 | 0x | length  | 01 | hs length  | legacy_version |
 *   |    |    |0..4|  (2)    | 02 |    (3)     |  0300..0303    |
 *   +----+----+----+---------+----+------------+----------------+
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cur.h"
#include "../sensor/limits.h"
#include "../sensor/log.h"
#include "tls_aux.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

/* Longest text unit (line, XML tag) kept unconsumed while it is
 * incomplete; longer means we misread the framing: scan raw instead. */
#define ST_LINE_MAX		2048
/* Smallest hello body: ServerHello version(2) random(32) sid_len(1)
 * cipher(2) compression(1). */
#define ST_HELLO_MIN		38
#define ST_RECORD_MAX		(16384 + 2048)

/*
 * What one framing step decided (st_frame and the steps it calls).  Not
 * enum parse_result: plaintext is never malformed TLS, and a step has
 * outcomes a parse does not: beside "take *n bytes" and "incomplete", the
 * framing we guessed may not fit (scan raw), the flow may be known never
 * to upgrade (a verdict on the flow), or the step switched framing.  The
 * pure parsers under the steps (BER length, SOCKS fields, the hello
 * checks, the recognisers) return enum parse_result: PARSE_BAD there
 * means "these bytes are not that", PARSE_MORE "too short to tell".
 */
enum st_step {
	ST_TAKE,	/* consume *n (> 0) bytes */
	ST_NEED,	/* message incomplete: call again with more */
	ST_LOST,	/* framing does not fit: scan raw */
	ST_GIVEUP,	/* this flow will not upgrade */
	ST_AGAIN,	/* frame changed, nothing consumed */
};

enum st_proto {
	ST_P_NONE, ST_P_SMTP, ST_P_IMAP, ST_P_POP3, ST_P_FTP, ST_P_XMPP,
	ST_P_LDAP, ST_P_IRC, ST_P_PGSQL, ST_P_MYSQL, ST_P_RDP, ST_P_SOCKS,
	ST_P_HTTP, ST_P_LMTP, ST_P_NNTP, ST_P_SIEVE,
	ST_P_SMTP_FTP,		/* "220" greeting: SMTP or FTP, not told yet */
	ST_P_MAX
};

static const char *const st_proto_names[ST_P_MAX] = {
	NULL, "smtp", "imap", "pop3", "ftp", "xmpp", "ldap", "irc",
	"postgresql", "mysql", "rdp", "socks", "http", "lmtp", "nntp",
	"sieve", "smtp",
};

enum st_frame {
	ST_F_START,		/* first bytes: recognise the protocol */
	ST_F_LINE,		/* LF-ended lines: SMTP IMAP POP3 FTP IRC */
	ST_F_XML,		/* XMPP: '>' ends a unit, CRLF not promised */
	ST_F_HTTP,		/* CONNECT request / response header block */
	ST_F_BER,		/* LDAP: BER SEQUENCE per message */
	ST_F_PG_CLIENT,		/* PostgreSQL: int32 length, int32 code */
	ST_F_PG_SERVER,		/* PostgreSQL: one-byte 'S' / 'N' answers */
	ST_F_MYSQL,		/* MySQL: 3-byte LE length, sequence id */
	ST_F_TPKT,		/* RDP: TPKT (RFC 1006) + X.224 */
	ST_F_SOCKS,		/* SOCKS4/4a/5 fixed layouts */
	ST_F_RAW,		/* no framing: strict scan only */
};

struct starttls_dir {
	uint32_t	 scanned;	/* plaintext bytes consumed */
	uint32_t	 skip;		/* bytes left of a framed message */
	uint8_t		 frame;		/* enum st_frame */
	uint8_t		 step;		/* messages seen in this frame */
	uint8_t		 result;	/* enum starttls_result, final if != MORE */
};

struct starttls_state {
	struct starttls_dir dir[2];
	uint8_t		 proto;		/* enum st_proto */
	uint8_t		 socks_client;	/* 1 + dir that spoke SOCKS first */
	uint8_t		 no_upgrade;	/* the flow will not upgrade */
};

struct starttls_state *
starttls_state_new(void)
{
	return xcalloc(1, sizeof(struct starttls_state));
}

void
starttls_state_free(struct starttls_state *st)
{
	xfree(st);
}

const char *
starttls_protocol(const struct starttls_state *st)
{
	if (st == NULL || st->proto >= ST_P_MAX)
		return NULL;
	return st_proto_names[st->proto];
}

static void
st_change_frame(struct starttls_dir *d, enum st_frame f)
{
	log_debug("starttls: frame %u -> %u after %u bytes", d->frame,
	    (unsigned)f, d->scanned);
	d->frame = (uint8_t)f;
	d->step = 0;
}

static void
st_set_proto(struct starttls_state *st, enum st_proto p)
{
	if (st->proto == ST_P_NONE ||
	    (st->proto == ST_P_SMTP_FTP && (p == ST_P_SMTP || p == ST_P_FTP ||
	    p == ST_P_LMTP)))
		st->proto = (uint8_t)p;
}

/*
 * The hello body after legacy_version, strict checks only (RFC 8446 4.1.2,
 * 4.1.3): random(32), session id <= 32 bytes, then for a ClientHello a
 * non-empty even cipher suite list, for a ServerHello one suite and a
 * compression method 0 or 1 (DEFLATE), all inside the message.
 */
static enum parse_result
st_hello_body(struct cur *c, uint8_t type, uint32_t hlen)
{
	uint8_t sidl, comp;
	uint16_t n;

	if (cur_skip(c, 32) || cur_u8(c, &sidl))
		return PARSE_MORE;
	if (sidl > 32)
		return PARSE_BAD;
	if (cur_skip(c, sidl) || cur_be16(c, &n))
		return PARSE_MORE;
	if (type == TLS_HS_CLIENT_HELLO) {
		if (n < 2 || n % 2 != 0 ||
		    2 + 32 + 1 + (uint32_t)sidl + 2 + n + 2 > hlen)
			return PARSE_BAD;
		return PARSE_OK;
	}
	if (cur_u8(c, &comp))
		return PARSE_MORE;
	return comp <= 1 && 2 + 32 + 1 + (uint32_t)sidl + 3 <= hlen ?
	    PARSE_OK : PARSE_BAD;
}

/*
 * Does a TLS handshake record carrying a ClientHello or ServerHello start
 * here (PARSE_OK yes, PARSE_BAD no, PARSE_MORE too short to tell)?
 * Lenient (at a message boundary): header fields only, and a hello
 * may continue in the next record when the record is large.  Strict (at
 * an arbitrary offset): the hello must fit its record and its body must
 * hold together.
 */
static enum parse_result
st_tls_hello(struct cur c, int strict)
{
	uint8_t ct, maj, min, type;
	uint16_t rlen, ver;
	uint32_t hlen;

	if (cur_u8(&c, &ct))
		return PARSE_MORE;
	if (ct != TLS_CT_HANDSHAKE)
		return PARSE_BAD;
	if (cur_u8(&c, &maj))
		return PARSE_MORE;
	if (maj != 3)
		return PARSE_BAD;
	if (cur_u8(&c, &min))
		return PARSE_MORE;
	if (min > 4)
		return PARSE_BAD;
	if (cur_be16(&c, &rlen))
		return PARSE_MORE;
	if (rlen < 4 + ST_HELLO_MIN || rlen > ST_RECORD_MAX)
		return PARSE_BAD;
	if (cur_u8(&c, &type))
		return PARSE_MORE;
	if (type != TLS_HS_CLIENT_HELLO && type != TLS_HS_SERVER_HELLO)
		return PARSE_BAD;
	if (cur_be24(&c, &hlen))
		return PARSE_MORE;
	if (hlen < ST_HELLO_MIN || (hlen + 4 > rlen &&
	    (strict || rlen < 512 || hlen > 0x10000)))
		return PARSE_BAD;
	if (cur_be16(&c, &ver))
		return PARSE_MORE;
	if (ver < 0x0300 || ver > 0x0303)
		return PARSE_BAD;
	return strict ? st_hello_body(&c, type, hlen) : PARSE_OK;
}

/* At a message boundary: a TLS hello record or an SSLv2 hello (two-byte
 * header: the fixed fields of both hellos fit in 13 bytes). */
static enum parse_result
st_boundary(const struct cur *c)
{
	uint8_t b0;

	if (cur_peek_u8(c, 0, &b0))
		return PARSE_MORE;
	if (!(b0 & 0x80))
		return st_tls_hello(*c, 0);
	if (cur_left(c) < 3)
		return PARSE_MORE;
	if (!sslv2_detect(cur_ptr(c), cur_left(c)))
		return PARSE_BAD;
	return cur_left(c) >= 13 ? PARSE_OK : PARSE_MORE;
}

/*
 * Strict scan of [from, to) of all for a hello record; the check may read
 * up to the end of all.  *at = the offset of a hello (PARSE_OK) or of the
 * first candidate cut by the end of the bytes we have (PARSE_MORE);
 * PARSE_BAD: none.
 */
static enum parse_result
st_find(const struct cur *all, size_t from, size_t to, size_t *at)
{
	struct cur c;
	size_t i;
	uint8_t b;
	enum parse_result v;

	for (i = from; i < to && cur_peek_u8(all, i, &b) == 0; i++) {
		if (b != TLS_CT_HANDSHAKE)
			continue;
		c = *all;
		(void)cur_skip(&c, i);
		if ((v = st_tls_hello(c, 1)) != PARSE_BAD) {
			*at = i;
			return v;
		}
	}
	return PARSE_BAD;
}

/* Compare the start of c with n bytes of s: PARSE_OK equal, PARSE_BAD
 * differs, PARSE_MORE too short to tell. */
static enum parse_result
st_match(const struct cur *c, const void *s, size_t n, int icase)
{
	const uint8_t *p = s;
	size_t i;
	uint8_t b;

	for (i = 0; i < n; i++) {
		if (cur_peek_u8(c, i, &b))
			return PARSE_MORE;
		if (icase ? tolower(b) != tolower(p[i]) : b != p[i])
			return PARSE_BAD;
	}
	return PARSE_OK;
}

static enum parse_result
st_word(const struct cur *c, const char *w)
{
	return st_match(c, w, strlen(w), 1);
}

/* Consume a framed message of total bytes: what we have now, and the
 * rest later through d->skip (no copy of long messages). */
static enum st_step
st_take(struct starttls_dir *d, const struct cur *rest, size_t total,
    size_t *n)
{
	if (total <= cur_left(rest)) {
		*n = total;
		return ST_TAKE;
	}
	d->skip = (uint32_t)(total - cur_left(rest));
	*n = cur_left(rest);
	return ST_TAKE;
}

/* -- text: lines and XML units ---------------------------------------- */

static const struct st_hint {
	const char	*word;
	uint8_t		 proto;
	uint8_t		 after_220;	/* only tells SMTP from FTP */
} st_hints[] = {
	{ "USER ", ST_P_FTP, 1 }, { "SYST", ST_P_FTP, 1 },
	{ "EHLO ", ST_P_SMTP, 0 }, { "HELO ", ST_P_SMTP, 0 },
	{ "MAIL FROM", ST_P_SMTP, 0 },
	{ "* OK", ST_P_IMAP, 0 }, { "* PREAUTH", ST_P_IMAP, 0 },
	{ "LHLO ", ST_P_LMTP, 0 },
	/* NNTP (RFC 3977 5.1, 5.2; RFC 4642 2.2): greeting 200/201,
	 * CAPABILITIES (before POP3's CAPA), 382 go-ahead */
	{ "CAPABILITIES", ST_P_NNTP, 0 }, { "200 ", ST_P_NNTP, 0 },
	{ "201 ", ST_P_NNTP, 0 }, { "382 ", ST_P_NNTP, 0 },
	/* ManageSieve capability lines (RFC 5804 1.7) */
	{ "\"IMPLEMENTATION\"", ST_P_SIEVE, 0 }, { "\"SIEVE\"", ST_P_SIEVE, 0 },
	{ "\"SASL\"", ST_P_SIEVE, 0 }, { "\"STARTTLS\"", ST_P_SIEVE, 0 },
	{ "+OK", ST_P_POP3, 0 }, { "STLS", ST_P_POP3, 0 }, { "CAPA", ST_P_POP3, 0 },
	{ "AUTH TLS", ST_P_FTP, 0 }, { "AUTH SSL", ST_P_FTP, 0 },
	{ "FEAT", ST_P_FTP, 0 }, { "234 ", ST_P_FTP, 0 }, { "211-", ST_P_FTP, 0 },
	{ "NICK ", ST_P_IRC, 0 }, { "CAP LS", ST_P_IRC, 0 }, { ":", ST_P_IRC, 0 },
	{ "<?xml", ST_P_XMPP, 0 }, { "<stream", ST_P_XMPP, 0 },
};

/* Does the text line contain w (case-insensitive)? */
static int
st_contains(const struct cur *line, const char *w)
{
	struct cur c = *line;

	while (cur_left(&c) > 0) {
		if (st_word(&c, w) == PARSE_OK)
			return 1;
		(void)cur_skip(&c, 1);
	}
	return 0;
}

/* Name the protocol from one complete text line. */
static void
st_line_hint(struct starttls_state *st, const struct cur *line)
{
	struct cur c = *line;
	uint8_t b = 0;
	size_t i;

	if (st_word(line, "220") == PARSE_OK) {
		st_set_proto(st, ST_P_SMTP_FTP);
		if (st_contains(line, "LMTP"))
			st_set_proto(st, ST_P_LMTP);
		else if (st_contains(line, "SMTP"))
			st_set_proto(st, ST_P_SMTP);
		else if (st_contains(line, "FTP"))
			st_set_proto(st, ST_P_FTP);
		return;
	}
	for (i = 0; i < sizeof(st_hints) / sizeof(st_hints[0]); i++)
		if (st_word(line, st_hints[i].word) == PARSE_OK &&
		    (!st_hints[i].after_220 || st->proto == ST_P_SMTP_FTP)) {
			st_set_proto(st, st_hints[i].proto);
			return;
		}
	/* IMAP: "<tag> STARTTLS" / "<tag> CAPABILITY" (RFC 9051 2.2.1). */
	for (i = 0; cur_u8(&c, &b) == 0 && b > 0x20 && b < 0x7f; i++)
		;
	if (i > 0 && b == ' ' && (st_word(&c, "STARTTLS") == PARSE_OK ||
	    st_word(&c, "CAPABILITY") == PARSE_OK))
		st_set_proto(st, ST_P_IMAP);
}

/*
 * CONNECT request or its response (RFC 9110 9.3.6): a start line, header
 * lines, an empty line; then the tunnel carries another protocol, which
 * is recognised afresh.  A non-2xx answer closes the tunnel.
 */
static enum st_step
st_http_line(struct starttls_dir *d, const struct cur *line)
{
	struct cur c = *line;
	uint8_t b;

	if (d->step++ == 0) {
		if (st_word(line, "HTTP/") == PARSE_OK && (cur_skip(&c, 9) ||
		    cur_u8(&c, &b) || b != '2'))
			return ST_GIVEUP;
		return ST_TAKE;
	}
	if (cur_left(line) <= 2 && (cur_u8(&c, &b) || b == '\r' ||
	    b == '\n'))
		st_change_frame(d, ST_F_START);
	return ST_TAKE;
}

/* One unit ended by LF (or by '>' in XML): consume it, learn from it. */
static enum st_step
st_text(struct starttls_state *st, struct starttls_dir *d,
    const struct cur *rest, size_t *n)
{
	struct cur tmp = *rest, line;
	size_t i;
	uint8_t b;

	for (i = 0; cur_peek_u8(rest, i, &b) == 0; i++) {
		if (b == '\n' || (d->frame == ST_F_XML && b == '>'))
			break;
		if (i >= ST_LINE_MAX)
			return ST_LOST;
	}
	if (i == cur_left(rest))
		return ST_NEED;
	(void)cur_sub(&tmp, i + 1, &line);
	*n = i + 1;
	if (d->frame == ST_F_HTTP)
		return st_http_line(d, &line);
	st_line_hint(st, &line);
	return ST_TAKE;
}

/* -- binary framings ---------------------------------------------------- */

/* A parse result as a framing step: what does not parse as this
 * framing means the framing was guessed wrong. */
static enum st_step
st_step_of(enum parse_result r)
{
	switch (r) {
	case PARSE_OK:
		return ST_TAKE;
	case PARSE_MORE:
		return ST_NEED;
	case PARSE_BAD:
	default:
		return ST_LOST;
	}
}

/* LDAPMessage ::= SEQUENCE (RFC 4511 4.1.1), BER definite length: *total
 * = header + contents. */
static enum parse_result
st_ber_len(const struct cur *rest, size_t *total)
{
	struct cur c = *rest;
	uint8_t tag, l0, b;
	size_t len = 0, i;

	if (cur_u8(&c, &tag) || cur_u8(&c, &l0))
		return PARSE_MORE;
	if (tag != 0x30)
		return PARSE_BAD;
	if (l0 & 0x80) {
		if ((l0 & 0x7f) == 0 || (l0 & 0x7f) > 4)
			return PARSE_BAD;
		for (i = 0; i < (size_t)(l0 & 0x7f); i++) {
			if (cur_u8(&c, &b))
				return PARSE_MORE;
			len = len << 8 | b;
		}
	} else
		len = l0;
	if (len > LIM_STARTTLS_SCAN)
		return PARSE_BAD;
	*total = cur_left(rest) - cur_left(&c) + len;
	return PARSE_OK;
}

static enum st_step
st_ber(struct starttls_dir *d, const struct cur *rest, size_t *n)
{
	enum parse_result r;
	size_t total = 0;

	if ((r = st_ber_len(rest, &total)) != PARSE_OK)
		return st_step_of(r);
	return st_take(d, rest, total, n);
}

/*
 * PostgreSQL client: SSLRequest / GSSENCRequest are int32 length 8 and
 * int32 code 80877103 / 80877104; a StartupMessage (code 196608, 3.0)
 * means the session stays in the clear.
 */
static enum st_step
st_pg_client(struct starttls_state *st, const struct cur *rest, size_t *n)
{
	struct cur c = *rest;
	uint32_t len, code;

	if (cur_be32(&c, &len) || cur_be32(&c, &code))
		return ST_NEED;
	if (code == 196608)
		return ST_GIVEUP;
	if (len != 8 || (code != 80877103 && code != 80877104))
		return ST_LOST;
	st_set_proto(st, ST_P_PGSQL);
	*n = 8;
	return ST_TAKE;
}

/* PostgreSQL server: 'S' (TLS follows) or 'N' (refused; the client may
 * try again); anything else is the plaintext protocol. */
static enum st_step
st_pg_server(const struct cur *rest, size_t *n)
{
	uint8_t b;

	if (cur_peek_u8(rest, 0, &b))
		return ST_NEED;
	*n = 1;
	return b == 'S' || b == 'N' ? ST_TAKE : ST_GIVEUP;
}

/*
 * MySQL packet: 3-byte little-endian length, sequence id.  The client's
 * answer to the greeting (sequence 1) starts with its capability flags;
 * without CLIENT_SSL (0x0800) it is the HandshakeResponse in the clear.
 */
static enum st_step
st_mysql(struct starttls_dir *d, const struct cur *rest, size_t *n)
{
	struct cur c = *rest;
	uint32_t len, caps;
	uint8_t seq;

	if (cur_le24(&c, &len) || cur_u8(&c, &seq))
		return ST_NEED;
	if (len == 0)
		return ST_LOST;
	if (seq == 1) {
		if (cur_le32(&c, &caps))
			return ST_NEED;
		if (!(caps & 0x0800))
			return ST_GIVEUP;
	}
	return st_take(d, rest, 4 + (size_t)len, n);
}

/*
 * TPKT (RFC 1006 6): 03 00 length(2).  An X.224 Connection Confirm
 * (code 0xd0) carries RDP_NEG_RSP (MS-RDPBCGR 2.2.1.2.1):
 *
 *   TPKT(4) LI(1) d0 dst(2) src(2) class(1) | type(1) flags(1) len(2 LE)
 *   selectedProtocol(4 LE)
 *
 * No negotiation, PROTOCOL_RDP (0) or RDP_NEG_FAILURE (type 3) means
 * standard RDP security: no TLS.
 */
static enum st_step
st_tpkt(struct starttls_dir *d, const struct cur *rest, size_t *n)
{
	struct cur c = *rest;
	uint8_t ver, rsv, li, code, type, flags;
	uint16_t len, nlen;
	uint32_t sel;

	if (cur_u8(&c, &ver) || cur_u8(&c, &rsv) || cur_be16(&c, &len))
		return ST_NEED;
	if (ver != 3 || rsv != 0 || len < 7)
		return ST_LOST;
	if (cur_u8(&c, &li) || cur_u8(&c, &code))
		return ST_NEED;
	if ((code & 0xf0) == 0xd0) {
		if (li < 14)
			return ST_GIVEUP;
		if (cur_skip(&c, 5) || cur_u8(&c, &type) || cur_u8(&c, &flags) ||
		    cur_le16(&c, &nlen) || cur_le32(&c, &sel))
			return ST_NEED;
		if (type != 2 || sel == 0)
			return ST_GIVEUP;
	}
	return st_take(d, rest, len, n);
}

/* *end = offset just past the NUL that ends a string starting at from
 * (SOCKS4 user id, SOCKS4a host name); PARSE_BAD past 255 bytes. */
static enum parse_result
st_socks_nul(const struct cur *rest, size_t from, size_t *end)
{
	size_t i;
	uint8_t b;

	for (i = from; i < from + 256; i++) {
		if (cur_peek_u8(rest, i, &b))
			return PARSE_MORE;
		if (b == 0) {
			*end = i + 1;
			return PARSE_OK;
		}
	}
	return PARSE_BAD;
}

/* SOCKS5 request/reply (RFC 1928 4, 6): 05 cmd|rep 00 atyp addr port(2);
 * atyp 1 = IPv4, 3 = length-prefixed name, 4 = IPv6.  *len = its size. */
static enum parse_result
st_socks5_addr(const struct cur *rest, size_t *len)
{
	uint8_t atyp, n;

	if (cur_peek_u8(rest, 3, &atyp))
		return PARSE_MORE;
	if (atyp == 1) {
		*len = 4 + 4 + 2;
		return PARSE_OK;
	}
	if (atyp == 4) {
		*len = 4 + 16 + 2;
		return PARSE_OK;
	}
	if (atyp != 3)
		return PARSE_BAD;
	if (cur_peek_u8(rest, 4, &n))
		return PARSE_MORE;
	*len = 4 + 1 + (size_t)n + 2;
	return PARSE_OK;
}

/* SOCKS4 CONNECT: 04 cmd port(2) ip(4) userid NUL [host NUL when ip is
 * 0.0.0.x, 4a]. */
static enum parse_result
st_socks4(const struct cur *rest, size_t *len)
{
	struct cur c = *rest;
	uint8_t ip[4];
	enum parse_result r;

	if (cur_skip(&c, 4) || cur_bytes(&c, ip, sizeof(ip)))
		return PARSE_MORE;
	r = st_socks_nul(rest, 8, len);
	if (r == PARSE_OK && ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3])
		r = st_socks_nul(rest, *len, len);
	return r;
}

/*
 * SOCKS4 and SOCKS5 client messages: greeting 05 n methods[n], RFC 1929
 * user/password 01 ulen user plen pass, request 05 cmd 00 ...  *len =
 * the message size; *last = 1 for the message after which the tunnel
 * opens.
 */
static enum st_step
st_socks_client(struct starttls_dir *d, const struct cur *rest, uint8_t b0,
    int *last, size_t *len)
{
	struct cur c = *rest;
	uint8_t n, m;

	if (b0 == 4) {
		*last = 1;
		return st_step_of(st_socks4(rest, len));
	}
	if (cur_skip(&c, 1) || cur_u8(&c, &n))
		return ST_NEED;
	if (b0 == 5 && d->step == 0) {
		*len = 2 + (size_t)n;
		return n > 0 ? ST_TAKE : ST_LOST;
	}
	if (b0 == 1) {
		if (cur_skip(&c, n) || cur_u8(&c, &m))
			return ST_NEED;
		*len = 3 + (size_t)n + m;
		return ST_TAKE;
	}
	if (b0 != 5)
		return ST_LOST;
	*last = 1;
	return st_step_of(st_socks5_addr(rest, len));
}

/* Server: SOCKS4 reply 00 5a port ip (8 bytes), SOCKS5 method choice
 * 05 m, user/password status 01 st, reply 05 rep 00 atyp addr port.  A
 * refusal is a verdict: no tunnel, no TLS. */
static enum st_step
st_socks_server(struct starttls_dir *d, const struct cur *rest, uint8_t b0,
    int *last, size_t *len)
{
	uint8_t b1;

	if (cur_peek_u8(rest, 1, &b1))
		return ST_NEED;
	*len = 2;
	if (b0 == 0) {
		*last = 1;
		*len = 8;
		return b1 == 0x5a ? ST_TAKE : ST_GIVEUP;
	}
	if (b0 == 5 && d->step == 0)
		return b1 == 0xff ? ST_GIVEUP : ST_TAKE;
	if (b0 == 1)
		return b1 == 0 ? ST_TAKE : ST_GIVEUP;
	if (b0 != 5)
		return ST_LOST;
	if (b1 != 0)
		return ST_GIVEUP;
	*last = 1;
	return st_step_of(st_socks5_addr(rest, len));
}

/*
 * One SOCKS message.  After the last one of the handshake the tunnel is
 * open and its protocol is recognised afresh: SMTP or IRC through SOCKS
 * still upgrades in its own way.
 */
static enum st_step
st_socks(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest, size_t *n)
{
	enum st_step r;
	size_t len = 0;
	uint8_t b0;
	int last = 0;

	if (cur_peek_u8(rest, 0, &b0))
		return ST_NEED;
	r = st->socks_client == dir + 1 ?
	    st_socks_client(d, rest, b0, &last, &len) :
	    st_socks_server(d, rest, b0, &last, &len);
	if (r != ST_TAKE)
		return r;
	r = st_take(d, rest, len, n);
	d->step++;
	if (last)
		st_change_frame(d, ST_F_START);
	return r;
}

/* -- recognition -------------------------------------------------------- */

#define ST_GIVE		0xff	/* st_starts: no upgrade, give up */

static const struct st_start {
	const char	*word;
	uint8_t		 proto;
	uint8_t		 frame;		/* enum st_frame or ST_GIVE */
} st_starts[] = {
	/* Plain HTTP is most of a SPAN port: it must cost nothing. */
	{ "GET ", ST_P_HTTP, ST_GIVE }, { "POST ", ST_P_HTTP, ST_GIVE },
	{ "HEAD ", ST_P_HTTP, ST_GIVE }, { "PUT ", ST_P_HTTP, ST_GIVE },
	{ "DELETE ", ST_P_HTTP, ST_GIVE }, { "OPTIONS ", ST_P_HTTP, ST_GIVE },
	{ "PATCH ", ST_P_HTTP, ST_GIVE }, { "TRACE ", ST_P_HTTP, ST_GIVE },
	{ "PRI * HTTP/2", ST_P_HTTP, ST_GIVE },
	{ "SSH-", ST_P_NONE, ST_GIVE },
	{ "CONNECT ", ST_P_HTTP, ST_F_HTTP },
	{ "<", ST_P_XMPP, ST_F_XML },
};

/* Text starts: PARSE_OK recognised (frame set, or give up in *give),
 * PARSE_BAD not one of ours, PARSE_MORE need more bytes. */
static enum parse_result
st_recognise_text(struct starttls_state *st, struct starttls_dir *d,
    const struct cur *rest, int *give)
{
	size_t i;
	enum parse_result r = PARSE_BAD;
	int need = 0;

	for (i = 0; i < sizeof(st_starts) / sizeof(st_starts[0]); i++) {
		if ((r = st_match(rest, st_starts[i].word,
		    strlen(st_starts[i].word), 0)) == PARSE_MORE)
			need = 1;
		if (r != PARSE_OK)
			continue;
		st_set_proto(st, st_starts[i].proto);
		if (st_starts[i].frame == ST_GIVE)
			*give = 1;
		else
			st_change_frame(d, st_starts[i].frame);
		return PARSE_OK;
	}
	/* A response line: the CONNECT answer, or plain HTTP. */
	if ((r = st_match(rest, "HTTP/", 5, 0)) == PARSE_OK) {
		if (st->proto != ST_P_HTTP)
			*give = 1;
		else
			st_change_frame(d, ST_F_HTTP);
		return PARSE_OK;
	}
	return need || r == PARSE_MORE ? PARSE_MORE : PARSE_BAD;
}

/* LDAP: SEQUENCE { messageID INTEGER (1..4 bytes), protocolOp
 * [APPLICATION n] } (RFC 4511 4.1.1). */
static enum parse_result
st_is_ldap(const struct cur *rest)
{
	struct cur c = *rest;
	uint8_t tag, l0, itag, ilen, op;

	if (cur_u8(&c, &tag) || cur_u8(&c, &l0))
		return PARSE_MORE;
	if (tag != 0x30 || l0 == 0x80 || (l0 > 0x80 && l0 > 0x84))
		return PARSE_BAD;
	if ((l0 & 0x80) && cur_skip(&c, l0 & 0x7f))
		return PARSE_MORE;
	if (cur_u8(&c, &itag) || cur_u8(&c, &ilen))
		return PARSE_MORE;
	if (itag != 0x02 || ilen < 1 || ilen > 4)
		return PARSE_BAD;
	if (cur_skip(&c, ilen) || cur_u8(&c, &op))
		return PARSE_MORE;
	return (op & 0xc0) == 0x40 ? PARSE_OK : PARSE_BAD;
}

/* MySQL greeting (HandshakeV10): length(3 LE) 00 0a "5.7.1..." */
static enum parse_result
st_is_mysql_greeting(const struct cur *rest)
{
	struct cur c = *rest;
	uint32_t len;
	uint8_t seq, pv, v0;

	if (cur_le24(&c, &len))
		return PARSE_MORE;
	if (len < 16 || len > 1024)
		return PARSE_BAD;
	if (cur_u8(&c, &seq) || cur_u8(&c, &pv) || cur_u8(&c, &v0))
		return PARSE_MORE;
	return seq == 0 && pv == 0x0a && isdigit(v0) ? PARSE_OK : PARSE_BAD;
}

static const uint8_t st_pg_ssl[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16 };
static const uint8_t st_pg_v3[] = { 0, 3, 0, 0 };

/* PostgreSQL StartupMessage: int32 length (< 64 KB), int32 196608. */
static enum parse_result
st_is_pg_startup(const struct cur *rest)
{
	struct cur c = *rest;
	uint8_t b;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (cur_peek_u8(&c, i, &b))
			return PARSE_MORE;
		if (b != 0)
			return PARSE_BAD;
	}
	if (cur_skip(&c, 4))
		return PARSE_MORE;
	return st_match(&c, st_pg_v3, sizeof(st_pg_v3), 0);
}

/* Binary starts: PARSE_OK recognised (frame set, or *give: recognised
 * and not upgrading), PARSE_BAD not ours, PARSE_MORE need more. */
static enum parse_result
st_recognise_bin(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest, uint8_t b0, int *give)
{
	uint8_t b1 = 0, code;
	enum parse_result r;
	int need = 0;

	(void)cur_peek_u8(rest, 1, &b1);
	if ((r = st_match(rest, st_pg_ssl, sizeof(st_pg_ssl), 0)) == PARSE_OK) {
		st_set_proto(st, ST_P_PGSQL);
		st_change_frame(d, ST_F_PG_CLIENT);
		return PARSE_OK;
	}
	need |= r == PARSE_MORE;
	if ((r = st_is_pg_startup(rest)) == PARSE_OK) {
		st_set_proto(st, ST_P_PGSQL);
		*give = 1;
		return PARSE_OK;
	}
	need |= r == PARSE_MORE;
	if ((r = st_is_mysql_greeting(rest)) == PARSE_OK) {
		st_set_proto(st, ST_P_MYSQL);
		st_change_frame(d, ST_F_MYSQL);
		return PARSE_OK;
	}
	need |= r == PARSE_MORE;
	if (b0 == 3 && b1 == 0 && cur_peek_u8(rest, 5, &code) == 0 &&
	    ((code & 0xf0) == 0xe0 || (code & 0xf0) == 0xd0)) {
		st_set_proto(st, ST_P_RDP);
		st_change_frame(d, ST_F_TPKT);
		return PARSE_OK;
	}
	need |= b0 == 3 && cur_left(rest) < 6;
	if ((b0 == 4 && (b1 == 1 || b1 == 2)) ||
	    (b0 == 5 && b1 >= 1 && b1 <= 16)) {
		st_set_proto(st, ST_P_SOCKS);
		st->socks_client = (uint8_t)(dir + 1);
		st_change_frame(d, ST_F_SOCKS);
		return PARSE_OK;
	}
	need |= (b0 == 4 || b0 == 5) && cur_left(rest) < 2;
	if ((r = st_is_ldap(rest)) == PARSE_OK) {
		st_set_proto(st, ST_P_LDAP);
		st_change_frame(d, ST_F_BER);
		return PARSE_OK;
	}
	return need || r == PARSE_MORE ? PARSE_MORE : PARSE_BAD;
}

/* The other side of a protocol the first side already named. */
static int
st_recognise_peer(struct starttls_state *st, struct starttls_dir *d,
    int dir, uint8_t b0)
{
	if (st->proto == ST_P_PGSQL && (b0 == 'S' || b0 == 'N'))
		st_change_frame(d, ST_F_PG_SERVER);
	else if (st->proto == ST_P_SOCKS && st->socks_client != dir + 1 &&
	    (b0 == 0 || b0 == 5 || b0 == 1))
		st_change_frame(d, ST_F_SOCKS);
	else if (st->proto == ST_P_MYSQL)
		st_change_frame(d, ST_F_MYSQL);
	else
		return 0;
	return 1;
}

/*
 * ST_F_START: pick a framing from the first bytes of a direction (or of
 * a freshly opened tunnel).  Returns ST_AGAIN (frame set), ST_NEED or
 * ST_GIVEUP.
 */
static enum st_step
st_recognise(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest)
{
	enum parse_result r, rb;
	uint8_t b0;
	int give = 0;

	if (cur_peek_u8(rest, 0, &b0))
		return ST_NEED;
	if (st_recognise_peer(st, d, dir, b0))
		return ST_AGAIN;
	if ((rb = st_recognise_bin(st, d, dir, rest, b0, &give)) == PARSE_OK)
		return give ? ST_GIVEUP : ST_AGAIN;
	if ((r = st_recognise_text(st, d, rest, &give)) == PARSE_OK)
		return give ? ST_GIVEUP : ST_AGAIN;
	if (r == PARSE_MORE || rb == PARSE_MORE)
		return ST_NEED;
	if (b0 == '\t' || b0 == '\r' || b0 == '\n' || (b0 >= 0x20 && b0 < 0x7f))
		st_change_frame(d, ST_F_LINE);
	else
		st_change_frame(d, ST_F_RAW);
	return ST_AGAIN;
}

/* -- the scan ----------------------------------------------------------- */

/* One step of the current framing; *n is set for ST_TAKE. */
static enum st_step
st_frame_step(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest, size_t *n)
{
	switch ((enum st_frame)d->frame) {
	case ST_F_START:
		return st_recognise(st, d, dir, rest);
	case ST_F_LINE:
	case ST_F_XML:
	case ST_F_HTTP:
		return st_text(st, d, rest, n);
	case ST_F_BER:
		return st_ber(d, rest, n);
	case ST_F_PG_CLIENT:
		return st_pg_client(st, rest, n);
	case ST_F_PG_SERVER:
		return st_pg_server(rest, n);
	case ST_F_MYSQL:
		return st_mysql(d, rest, n);
	case ST_F_TPKT:
		return st_tpkt(d, rest, n);
	case ST_F_SOCKS:
		return st_socks(st, d, dir, rest, n);
	case ST_F_RAW:
		break;
	}
	*n = cur_left(rest);
	return ST_TAKE;
}

/* The rest of a framed message (d->skip) first, then a framing step.
 * Nothing to take is waiting for more bytes. */
static enum st_step
st_frame(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest, size_t *n)
{
	enum st_step r;

	*n = 0;
	if (d->skip > 0) {
		*n = cur_left(rest) < d->skip ? cur_left(rest) : d->skip;
		d->skip -= (uint32_t)*n;
		r = ST_TAKE;
	} else
		r = st_frame_step(st, d, dir, rest, n);
	return r == ST_TAKE && *n == 0 ? ST_NEED : r;
}

/* Frames whose messages are text, or raw bytes: scanned strictly inside
 * (length-framed binary messages are trusted: TLS starts at a boundary). */
static int
st_scan_inside(const struct starttls_dir *d)
{
	return d->frame == ST_F_LINE || d->frame == ST_F_XML ||
	    d->frame == ST_F_HTTP || d->frame == ST_F_RAW;
}

static enum starttls_result
st_final(struct starttls_dir *d, enum starttls_result r)
{
	d->result = (uint8_t)r;
	return r;
}

enum starttls_result
starttls_scan(struct starttls_state *st, int dir, const uint8_t *data,
    size_t len, size_t *off)
{
	struct starttls_dir *d;
	struct cur all, rest;
	size_t pos = 0, at = 0, n;
	enum parse_result v;
	enum st_step step;
	int inside;

	*off = 0;
	if (st == NULL || dir < 0 || dir > 1)
		return STARTTLS_NOT_TLS;
	d = &st->dir[dir];
	if (st->no_upgrade)
		d->result = STARTTLS_NOT_TLS;
	if (d->result != STARTTLS_MORE) {
		*off = d->result == STARTTLS_NOT_TLS ? len : 0;
		return (enum starttls_result)d->result;
	}
	cur_init(&all, data, len);
	for (;;) {
		rest = all;
		(void)cur_skip(&rest, pos);
		if (d->skip == 0 && d->frame != ST_F_RAW &&
		    (v = st_boundary(&rest)) != PARSE_BAD) {
			if (v == PARSE_OK)
				goto found;
			break;
		}
		inside = st_scan_inside(d);
		if ((step = st_frame(st, d, dir, &rest, &n)) == ST_AGAIN)
			continue;
		if (step == ST_LOST) {
			st_change_frame(d, ST_F_RAW);
			continue;
		}
		if (step == ST_GIVEUP) {
			st->no_upgrade = 1;
			*off = len;
			return st_final(d, STARTTLS_NOT_TLS);
		}
		if (inside && (v = st_find(&all, pos, step == ST_TAKE ?
		    pos + n : len, &at)) != PARSE_BAD) {
			if (v == PARSE_OK) {
				pos = at;
				goto found;
			}
			d->scanned += (uint32_t)(at - pos);
			pos = at;
			break;
		}
		if (step == ST_NEED)
			break;
		pos += n;
		d->scanned += (uint32_t)n;
		if (d->scanned > LIM_STARTTLS_SCAN) {
			*off = len;
			return st_final(d, STARTTLS_NOT_TLS);
		}
	}
	*off = pos;
	return STARTTLS_MORE;
found:
	*off = pos;
	return st_final(d, STARTTLS_FOUND);
}
