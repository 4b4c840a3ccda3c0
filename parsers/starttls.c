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

/* Frame step results (a positive value is a byte count to consume). */
#define ST_NEED		0	/* message incomplete */
#define ST_LOST		(-1)	/* framing does not fit: scan raw */
#define ST_GIVEUP	(-2)	/* this flow will not upgrade */
#define ST_AGAIN	(-3)	/* frame changed, nothing consumed */

/* Hello check verdicts. */
#define ST_NO		0
#define ST_YES		1
#define ST_MAYBE	2	/* need more bytes to tell */

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
static int
st_hello_body(struct cur *c, uint8_t type, uint32_t hlen)
{
	uint8_t sidl, comp;
	uint16_t n;

	if (cur_skip(c, 32) || cur_u8(c, &sidl))
		return ST_MAYBE;
	if (sidl > 32)
		return ST_NO;
	if (cur_skip(c, sidl) || cur_be16(c, &n))
		return ST_MAYBE;
	if (type == TLS_HS_CLIENT_HELLO) {
		if (n < 2 || n % 2 != 0 ||
		    2 + 32 + 1 + (uint32_t)sidl + 2 + n + 2 > hlen)
			return ST_NO;
		return ST_YES;
	}
	if (cur_u8(c, &comp))
		return ST_MAYBE;
	return comp <= 1 && 2 + 32 + 1 + (uint32_t)sidl + 3 <= hlen ?
	    ST_YES : ST_NO;
}

/*
 * Does a TLS handshake record carrying a ClientHello or ServerHello start
 * here?  Lenient (at a message boundary): header fields only, and a hello
 * may continue in the next record when the record is large.  Strict (at
 * an arbitrary offset): the hello must fit its record and its body must
 * hold together.
 */
static int
st_tls_hello(struct cur c, int strict)
{
	uint8_t ct, maj, min, type;
	uint16_t rlen, ver;
	uint32_t hlen;

	if (cur_u8(&c, &ct))
		return ST_MAYBE;
	if (ct != TLS_CT_HANDSHAKE)
		return ST_NO;
	if (cur_u8(&c, &maj))
		return ST_MAYBE;
	if (maj != 3)
		return ST_NO;
	if (cur_u8(&c, &min))
		return ST_MAYBE;
	if (min > 4)
		return ST_NO;
	if (cur_be16(&c, &rlen))
		return ST_MAYBE;
	if (rlen < 4 + ST_HELLO_MIN || rlen > ST_RECORD_MAX)
		return ST_NO;
	if (cur_u8(&c, &type))
		return ST_MAYBE;
	if (type != TLS_HS_CLIENT_HELLO && type != TLS_HS_SERVER_HELLO)
		return ST_NO;
	if (cur_be24(&c, &hlen))
		return ST_MAYBE;
	if (hlen < ST_HELLO_MIN || (hlen + 4 > rlen &&
	    (strict || rlen < 512 || hlen > 0x10000)))
		return ST_NO;
	if (cur_be16(&c, &ver))
		return ST_MAYBE;
	if (ver < 0x0300 || ver > 0x0303)
		return ST_NO;
	return strict ? st_hello_body(&c, type, hlen) : ST_YES;
}

/* At a message boundary: a TLS hello record or an SSLv2 hello (two-byte
 * header: the fixed fields of both hellos fit in 13 bytes). */
static int
st_boundary(const struct cur *c)
{
	uint8_t b0;

	if (cur_peek_u8(c, 0, &b0))
		return ST_MAYBE;
	if (!(b0 & 0x80))
		return st_tls_hello(*c, 0);
	if (cur_left(c) < 3)
		return ST_MAYBE;
	if (!sslv2_detect(cur_ptr(c), cur_left(c)))
		return ST_NO;
	return cur_left(c) >= 13 ? ST_YES : ST_MAYBE;
}

/*
 * Strict scan of [from, to) of all for a hello record; the check may read
 * up to the end of all.  *at = the offset of a YES or of the first MAYBE
 * (a candidate cut by the end of the bytes we have).
 */
static int
st_find(const struct cur *all, size_t from, size_t to, size_t *at)
{
	struct cur c;
	size_t i;
	uint8_t b;
	int v;

	for (i = from; i < to && cur_peek_u8(all, i, &b) == 0; i++) {
		if (b != TLS_CT_HANDSHAKE)
			continue;
		c = *all;
		(void)cur_skip(&c, i);
		if ((v = st_tls_hello(c, 1)) != ST_NO) {
			*at = i;
			return v;
		}
	}
	return ST_NO;
}

/* Compare the start of c with n bytes of s: 1 equal, 0 differs, -1 too
 * short to tell. */
static int
st_match(const struct cur *c, const void *s, size_t n, int icase)
{
	const uint8_t *p = s;
	size_t i;
	uint8_t b;

	for (i = 0; i < n; i++) {
		if (cur_peek_u8(c, i, &b))
			return -1;
		if (icase ? tolower(b) != tolower(p[i]) : b != p[i])
			return 0;
	}
	return 1;
}

static int
st_word(const struct cur *c, const char *w)
{
	return st_match(c, w, strlen(w), 1);
}

/* Consume a framed message of total bytes: what we have now, and the
 * rest later through d->skip (no copy of long messages). */
static long
st_take(struct starttls_dir *d, const struct cur *rest, size_t total)
{
	if (total <= cur_left(rest))
		return (long)total;
	d->skip = (uint32_t)(total - cur_left(rest));
	return (long)cur_left(rest);
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
		if (st_word(&c, w) == 1)
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

	if (st_word(line, "220") == 1) {
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
		if (st_word(line, st_hints[i].word) == 1 &&
		    (!st_hints[i].after_220 || st->proto == ST_P_SMTP_FTP)) {
			st_set_proto(st, st_hints[i].proto);
			return;
		}
	/* IMAP: "<tag> STARTTLS" / "<tag> CAPABILITY" (RFC 9051 2.2.1). */
	for (i = 0; cur_u8(&c, &b) == 0 && b > 0x20 && b < 0x7f; i++)
		;
	if (i > 0 && b == ' ' && (st_word(&c, "STARTTLS") == 1 ||
	    st_word(&c, "CAPABILITY") == 1))
		st_set_proto(st, ST_P_IMAP);
}

/*
 * CONNECT request or its response (RFC 9110 9.3.6): a start line, header
 * lines, an empty line; then the tunnel carries another protocol, which
 * is recognised afresh.  A non-2xx answer closes the tunnel.
 */
static long
st_http_line(struct starttls_dir *d, const struct cur *line, size_t n)
{
	struct cur c = *line;
	uint8_t b;

	if (d->step++ == 0) {
		if (st_word(line, "HTTP/") == 1 && (cur_skip(&c, 9) ||
		    cur_u8(&c, &b) || b != '2'))
			return ST_GIVEUP;
		return (long)n;
	}
	if (cur_left(line) <= 2 && (cur_u8(&c, &b) || b == '\r' ||
	    b == '\n'))
		st_change_frame(d, ST_F_START);
	return (long)n;
}

/* One unit ended by LF (or by '>' in XML): consume it, learn from it. */
static long
st_text(struct starttls_state *st, struct starttls_dir *d,
    const struct cur *rest)
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
	if (d->frame == ST_F_HTTP)
		return st_http_line(d, &line, i + 1);
	st_line_hint(st, &line);
	return (long)(i + 1);
}

/* -- binary framings ---------------------------------------------------- */

/* LDAPMessage ::= SEQUENCE (RFC 4511 4.1.1), BER definite length. */
static long
st_ber(struct starttls_dir *d, const struct cur *rest)
{
	struct cur c = *rest;
	uint8_t tag, l0, b;
	size_t len = 0, i;

	if (cur_u8(&c, &tag) || cur_u8(&c, &l0))
		return ST_NEED;
	if (tag != 0x30)
		return ST_LOST;
	if (l0 & 0x80) {
		if ((l0 & 0x7f) == 0 || (l0 & 0x7f) > 4)
			return ST_LOST;
		for (i = 0; i < (size_t)(l0 & 0x7f); i++) {
			if (cur_u8(&c, &b))
				return ST_NEED;
			len = len << 8 | b;
		}
	} else
		len = l0;
	if (len > LIM_STARTTLS_SCAN)
		return ST_LOST;
	return st_take(d, rest, cur_left(rest) - cur_left(&c) + len);
}

/*
 * PostgreSQL client: SSLRequest / GSSENCRequest are int32 length 8 and
 * int32 code 80877103 / 80877104; a StartupMessage (code 196608, 3.0)
 * means the session stays in the clear.
 */
static long
st_pg_client(struct starttls_state *st, const struct cur *rest)
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
	return 8;
}

/* PostgreSQL server: 'S' (TLS follows) or 'N' (refused; the client may
 * try again); anything else is the plaintext protocol. */
static long
st_pg_server(const struct cur *rest)
{
	uint8_t b;

	if (cur_peek_u8(rest, 0, &b))
		return ST_NEED;
	return b == 'S' || b == 'N' ? 1 : ST_GIVEUP;
}

/*
 * MySQL packet: 3-byte little-endian length, sequence id.  The client's
 * answer to the greeting (sequence 1) starts with its capability flags;
 * without CLIENT_SSL (0x0800) it is the HandshakeResponse in the clear.
 */
static long
st_mysql(struct starttls_dir *d, const struct cur *rest)
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
	return st_take(d, rest, 4 + (size_t)len);
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
static long
st_tpkt(struct starttls_dir *d, const struct cur *rest)
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
	return st_take(d, rest, len);
}

/* Offset just past the NUL that ends a string starting at from (SOCKS4
 * user id, SOCKS4a host name), ST_NEED or ST_LOST past 255 bytes. */
static long
st_socks_nul(const struct cur *rest, size_t from)
{
	size_t i;
	uint8_t b;

	for (i = from; i < from + 256; i++) {
		if (cur_peek_u8(rest, i, &b))
			return ST_NEED;
		if (b == 0)
			return (long)(i + 1);
	}
	return ST_LOST;
}

/* SOCKS5 request/reply (RFC 1928 4, 6): 05 cmd|rep 00 atyp addr port(2);
 * atyp 1 = IPv4, 3 = length-prefixed name, 4 = IPv6. */
static long
st_socks5_addr(const struct cur *rest)
{
	uint8_t atyp, n;

	if (cur_peek_u8(rest, 3, &atyp))
		return ST_NEED;
	if (atyp == 1)
		return 4 + 4 + 2;
	if (atyp == 4)
		return 4 + 16 + 2;
	if (atyp != 3)
		return ST_LOST;
	if (cur_peek_u8(rest, 4, &n))
		return ST_NEED;
	return 4 + 1 + (long)n + 2;
}

/*
 * SOCKS4 (CONNECT: 04 cmd port(2) ip(4) userid NUL [host NUL when ip is
 * 0.0.0.x, 4a]) and SOCKS5 client messages: greeting 05 n methods[n],
 * RFC 1929 user/password 01 ulen user plen pass, request 05 cmd 00 ...
 * *last = 1 for the message after which the tunnel opens.
 */
static long
st_socks_client(struct starttls_dir *d, const struct cur *rest, uint8_t b0,
    int *last)
{
	struct cur c = *rest;
	uint8_t ip[4], n, m;
	long r;

	if (b0 == 4) {
		if (cur_skip(&c, 4) || cur_bytes(&c, ip, sizeof(ip)))
			return ST_NEED;
		r = st_socks_nul(rest, 8);
		if (r > 0 && ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3])
			r = st_socks_nul(rest, (size_t)r);
		*last = 1;
		return r;
	}
	if (cur_skip(&c, 1) || cur_u8(&c, &n))
		return ST_NEED;
	if (b0 == 5 && d->step == 0)
		return n > 0 ? 2 + (long)n : ST_LOST;
	if (b0 == 1)
		return cur_skip(&c, n) || cur_u8(&c, &m) ? ST_NEED :
		    3 + (long)n + m;
	if (b0 != 5)
		return ST_LOST;
	*last = 1;
	return st_socks5_addr(rest);
}

/* Server: SOCKS4 reply 00 5a port ip (8 bytes), SOCKS5 method choice
 * 05 m, user/password status 01 st, reply 05 rep 00 atyp addr port. */
static long
st_socks_server(struct starttls_dir *d, const struct cur *rest, uint8_t b0,
    int *last)
{
	uint8_t b1;

	if (cur_peek_u8(rest, 1, &b1))
		return ST_NEED;
	if (b0 == 0) {
		*last = 1;
		return b1 == 0x5a ? 8 : ST_GIVEUP;
	}
	if (b0 == 5 && d->step == 0)
		return b1 == 0xff ? ST_GIVEUP : 2;
	if (b0 == 1)
		return b1 == 0 ? 2 : ST_GIVEUP;
	if (b0 != 5)
		return ST_LOST;
	if (b1 != 0)
		return ST_GIVEUP;
	*last = 1;
	return st_socks5_addr(rest);
}

/*
 * One SOCKS message.  After the last one of the handshake the tunnel is
 * open and its protocol is recognised afresh: SMTP or IRC through SOCKS
 * still upgrades in its own way.
 */
static long
st_socks(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest)
{
	uint8_t b0;
	long r;
	int last = 0;

	if (cur_peek_u8(rest, 0, &b0))
		return ST_NEED;
	r = st->socks_client == dir + 1 ?
	    st_socks_client(d, rest, b0, &last) :
	    st_socks_server(d, rest, b0, &last);
	if (r <= 0)
		return r;
	r = (long)st_take(d, rest, (size_t)r);
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

/* Text starts: 1 recognised (frame set or give up in *give), 0 not one
 * of ours, -1 need more bytes. */
static int
st_recognise_text(struct starttls_state *st, struct starttls_dir *d,
    const struct cur *rest, int *give)
{
	size_t i;
	int r, need = 0;

	for (i = 0; i < sizeof(st_starts) / sizeof(st_starts[0]); i++) {
		if ((r = st_match(rest, st_starts[i].word,
		    strlen(st_starts[i].word), 0)) == -1)
			need = 1;
		if (r != 1)
			continue;
		st_set_proto(st, st_starts[i].proto);
		if (st_starts[i].frame == ST_GIVE)
			*give = 1;
		else
			st_change_frame(d, st_starts[i].frame);
		return 1;
	}
	/* A response line: the CONNECT answer, or plain HTTP. */
	if ((r = st_match(rest, "HTTP/", 5, 0)) == 1) {
		if (st->proto != ST_P_HTTP)
			*give = 1;
		else
			st_change_frame(d, ST_F_HTTP);
		return 1;
	}
	return need || r == -1 ? -1 : 0;
}

/* LDAP: SEQUENCE { messageID INTEGER (1..4 bytes), protocolOp
 * [APPLICATION n] } (RFC 4511 4.1.1). */
static int
st_is_ldap(const struct cur *rest)
{
	struct cur c = *rest;
	uint8_t tag, l0, itag, ilen, op;

	if (cur_u8(&c, &tag) || cur_u8(&c, &l0))
		return -1;
	if (tag != 0x30 || l0 == 0x80 || (l0 > 0x80 && l0 > 0x84))
		return 0;
	if ((l0 & 0x80) && cur_skip(&c, l0 & 0x7f))
		return -1;
	if (cur_u8(&c, &itag) || cur_u8(&c, &ilen))
		return -1;
	if (itag != 0x02 || ilen < 1 || ilen > 4)
		return 0;
	if (cur_skip(&c, ilen) || cur_u8(&c, &op))
		return -1;
	return (op & 0xc0) == 0x40;
}

/* MySQL greeting (HandshakeV10): length(3 LE) 00 0a "5.7.1..." */
static int
st_is_mysql_greeting(const struct cur *rest)
{
	struct cur c = *rest;
	uint32_t len;
	uint8_t seq, pv, v0;

	if (cur_le24(&c, &len))
		return -1;
	if (len < 16 || len > 1024)
		return 0;
	if (cur_u8(&c, &seq) || cur_u8(&c, &pv) || cur_u8(&c, &v0))
		return -1;
	return seq == 0 && pv == 0x0a && isdigit(v0);
}

static const uint8_t st_pg_ssl[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16 };
static const uint8_t st_pg_v3[] = { 0, 3, 0, 0 };

/* PostgreSQL StartupMessage: int32 length (< 64 KB), int32 196608. */
static int
st_is_pg_startup(const struct cur *rest)
{
	struct cur c = *rest;
	uint8_t b;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (cur_peek_u8(&c, i, &b))
			return -1;
		if (b != 0)
			return 0;
	}
	if (cur_skip(&c, 4))
		return -1;
	return st_match(&c, st_pg_v3, sizeof(st_pg_v3), 0);
}

/* Binary starts: 1 recognised, 2 recognised and not upgrading, 0 not
 * ours, -1 need more. */
static int
st_recognise_bin(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest, uint8_t b0)
{
	uint8_t b1 = 0, code;
	int r, need = 0;

	(void)cur_peek_u8(rest, 1, &b1);
	if ((r = st_match(rest, st_pg_ssl, sizeof(st_pg_ssl), 0)) == 1) {
		st_set_proto(st, ST_P_PGSQL);
		st_change_frame(d, ST_F_PG_CLIENT);
		return 1;
	}
	need |= r == -1;
	if ((r = st_is_pg_startup(rest)) == 1) {
		st_set_proto(st, ST_P_PGSQL);
		return 2;
	}
	need |= r == -1;
	if ((r = st_is_mysql_greeting(rest)) == 1) {
		st_set_proto(st, ST_P_MYSQL);
		st_change_frame(d, ST_F_MYSQL);
		return 1;
	}
	need |= r == -1;
	if (b0 == 3 && b1 == 0 && cur_peek_u8(rest, 5, &code) == 0 &&
	    ((code & 0xf0) == 0xe0 || (code & 0xf0) == 0xd0)) {
		st_set_proto(st, ST_P_RDP);
		st_change_frame(d, ST_F_TPKT);
		return 1;
	}
	need |= b0 == 3 && cur_left(rest) < 6;
	if ((b0 == 4 && (b1 == 1 || b1 == 2)) ||
	    (b0 == 5 && b1 >= 1 && b1 <= 16)) {
		st_set_proto(st, ST_P_SOCKS);
		st->socks_client = (uint8_t)(dir + 1);
		st_change_frame(d, ST_F_SOCKS);
		return 1;
	}
	need |= (b0 == 4 || b0 == 5) && cur_left(rest) < 2;
	if ((r = st_is_ldap(rest)) == 1) {
		st_set_proto(st, ST_P_LDAP);
		st_change_frame(d, ST_F_BER);
		return 1;
	}
	return need || r == -1 ? -1 : 0;
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
static long
st_recognise(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest)
{
	uint8_t b0;
	int r, rb, give = 0;

	if (cur_peek_u8(rest, 0, &b0))
		return ST_NEED;
	if (st_recognise_peer(st, d, dir, b0))
		return ST_AGAIN;
	if ((rb = st_recognise_bin(st, d, dir, rest, b0)) == 1)
		return ST_AGAIN;
	if (rb == 2)
		return ST_GIVEUP;
	if ((r = st_recognise_text(st, d, rest, &give)) == 1)
		return give ? ST_GIVEUP : ST_AGAIN;
	if (r == -1 || rb == -1)
		return ST_NEED;
	if (b0 == '\t' || b0 == '\r' || b0 == '\n' || (b0 >= 0x20 && b0 < 0x7f))
		st_change_frame(d, ST_F_LINE);
	else
		st_change_frame(d, ST_F_RAW);
	return ST_AGAIN;
}

/* -- the scan ----------------------------------------------------------- */

static long
st_frame(struct starttls_state *st, struct starttls_dir *d, int dir,
    const struct cur *rest)
{
	size_t n;

	if (d->skip > 0) {
		n = cur_left(rest) < d->skip ? cur_left(rest) : d->skip;
		d->skip -= (uint32_t)n;
		return (long)n;
	}
	switch ((enum st_frame)d->frame) {
	case ST_F_START:
		return st_recognise(st, d, dir, rest);
	case ST_F_LINE:
	case ST_F_XML:
	case ST_F_HTTP:
		return st_text(st, d, rest);
	case ST_F_BER:
		return st_ber(d, rest);
	case ST_F_PG_CLIENT:
		return st_pg_client(st, rest);
	case ST_F_PG_SERVER:
		return st_pg_server(rest);
	case ST_F_MYSQL:
		return st_mysql(d, rest);
	case ST_F_TPKT:
		return st_tpkt(d, rest);
	case ST_F_SOCKS:
		return st_socks(st, d, dir, rest);
	case ST_F_RAW:
		break;
	}
	return (long)cur_left(rest);
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
	size_t pos = 0, at = 0;
	long n;
	int v, inside;

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
		    (v = st_boundary(&rest)) != ST_NO) {
			if (v == ST_YES)
				goto found;
			break;
		}
		inside = st_scan_inside(d);
		if ((n = st_frame(st, d, dir, &rest)) == ST_AGAIN)
			continue;
		if (n == ST_LOST) {
			st_change_frame(d, ST_F_RAW);
			continue;
		}
		if (n == ST_GIVEUP) {
			st->no_upgrade = 1;
			*off = len;
			return st_final(d, STARTTLS_NOT_TLS);
		}
		if (inside && (v = st_find(&all, pos, n > 0 ? pos + (size_t)n :
		    len, &at)) != ST_NO) {
			if (v == ST_YES) {
				pos = at;
				goto found;
			}
			d->scanned += (uint32_t)(at - pos);
			pos = at;
			break;
		}
		if (n == ST_NEED)
			break;
		pos += (size_t)n;
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
