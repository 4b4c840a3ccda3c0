/*
 * tls_hello.c - the one parse of a ClientHello or ServerHello.
 *
 * The session fields (tls_hs.c) and the JA3 / JA3S / JA4 fingerprints
 * (tls_fp.c) are both computed from the struct tls_hello filled here, so
 * the two can never read the same bytes two different ways.  Only the
 * extensions something reads are decoded; every one of those is checked
 * whole (its vector fills the extension exactly, element sizes divide the
 * vector), so the consumers walk the slices without further checks.
 */
#include <stddef.h>
#include <string.h>

#include "cur.h"
#include "tls_int.h"

/* Which decoded extension a type is (TLS_HELLO_*), 0 for the rest. */
static uint8_t
hello_bit(uint16_t type)
{
	switch (type) {
	case TLS_EXT_SERVER_NAME:
		return TLS_HELLO_SNI;
	case TLS_EXT_SUPPORTED_GROUPS:
		return TLS_HELLO_GROUPS;
	case TLS_EXT_EC_POINT_FORMATS:
		return TLS_HELLO_POINT_FMTS;
	case TLS_EXT_SIGNATURE_ALGORITHMS:
		return TLS_HELLO_SIGALGS;
	case TLS_EXT_ALPN:
		return TLS_HELLO_ALPN;
	case TLS_EXT_SUPPORTED_VERSIONS:
		return TLS_HELLO_VERSIONS;
	default:
		return 0;
	}
}

/*
 * A vector of width-byte elements behind a lenbytes (1 or 2) length
 * prefix that fills the rest of the extension: RFC 8422 5.1
 * (supported_groups <2..2^16-1>, ec_point_formats <1..2^8-1>), RFC 8446
 * 4.2.3 (signature_algorithms), 4.2.1 (supported_versions <2..254>).
 */
static enum parse_result
hello_vec(struct cur *e, int lenbytes, size_t width, struct cur *out)
{
	uint16_t l16;
	uint8_t l8;
	size_t n;

	if (lenbytes == 1) {
		if (cur_u8(e, &l8) == -1)
			return PARSE_BAD;
		n = l8;
	} else {
		if (cur_be16(e, &l16) == -1)
			return PARSE_BAD;
		n = l16;
	}
	if (n % width != 0 || cur_sub(e, n, out) == -1 || cur_left(e) != 0)
		return PARSE_BAD;
	return PARSE_OK;
}

/*
 * RFC 6066 3, server_name:
 *   list length (2) | { name_type (1) | HostName <1..2^16-1> }*
 * The first host_name (type 0) is kept.
 */
static enum parse_result
hello_sni(struct cur *e, struct cur *sni)
{
	struct cur list, name;
	uint16_t list_len, name_len;
	uint8_t type;
	int found = 0;

	if (cur_be16(e, &list_len) == -1 || cur_sub(e, list_len, &list) == -1 ||
	    cur_left(e) != 0)
		return PARSE_BAD;
	while (cur_left(&list) > 0) {
		if (cur_u8(&list, &type) == -1 ||
		    cur_be16(&list, &name_len) == -1 ||
		    cur_sub(&list, name_len, &name) == -1)
			return PARSE_BAD;
		if (type == 0 && !found) {
			*sni = name;
			found = 1;
		}
	}
	return PARSE_OK;
}

/*
 * RFC 7301 3.1, application_layer_protocol_negotiation:
 *   list length (2) | { name length (1) | name }*
 * Empty names (the RFC says <1..2^8-1>) are let through: they name
 * nothing, and the fingerprints have a value for them.
 */
static enum parse_result
hello_alpn(struct cur *e, struct cur *alpn)
{
	struct cur list, walk, name;
	uint16_t list_len;
	uint8_t nlen;

	if (cur_be16(e, &list_len) == -1 || cur_sub(e, list_len, &list) == -1 ||
	    cur_left(e) != 0)
		return PARSE_BAD;
	walk = list;
	while (cur_left(&walk) > 0)
		if (cur_u8(&walk, &nlen) == -1 ||
		    cur_sub(&walk, nlen, &name) == -1)
			return PARSE_BAD;
	*alpn = list;
	return PARSE_OK;
}

/* RFC 8446 4.2.1: a ServerHello's supported_versions is the one
 * selected_version. */
static enum parse_result
hello_selected(struct cur *e, uint16_t *v)
{
	return cur_be16(e, v) == -1 || cur_left(e) != 0 ? PARSE_BAD : PARSE_OK;
}

/* The contents of one decoded extension of a ClientHello. */
static enum parse_result
hello_client_ext(struct tls_hello *h, uint8_t bit, struct cur *e)
{
	switch (bit) {
	case TLS_HELLO_SNI:
		return hello_sni(e, &h->sni);
	case TLS_HELLO_GROUPS:
		return hello_vec(e, 2, 2, &h->groups);
	case TLS_HELLO_POINT_FMTS:
		return hello_vec(e, 1, 1, &h->point_formats);
	case TLS_HELLO_SIGALGS:
		return hello_vec(e, 2, 2, &h->sigalgs);
	case TLS_HELLO_ALPN:
		return hello_alpn(e, &h->alpn);
	case TLS_HELLO_VERSIONS:
		return hello_vec(e, 1, 2, &h->versions);
	default:
		return PARSE_OK;
	}
}

/* A ServerHello needs only the version and protocol chosen. */
static enum parse_result
hello_server_ext(struct tls_hello *h, uint8_t bit, struct cur *e)
{
	switch (bit) {
	case TLS_HELLO_ALPN:
		return hello_alpn(e, &h->alpn);
	case TLS_HELLO_VERSIONS:
		return hello_selected(e, &h->selected_version);
	default:
		return PARSE_OK;
	}
}

/* One extension: type recorded, contents decoded when something reads
 * them.  A repeat of a decoded one is ignored and flagged (RFC 8446 4.2:
 * a peer aborts on it, so which copy counts is undefined). */
static enum parse_result
hello_ext(struct tls_hello *h, uint16_t type, struct cur *e)
{
	uint8_t bit = hello_bit(type);
	enum parse_result r;
	struct cur ks = *e;

	if (h->n_exts < LIM_TLS_HELLO_VALS)
		h->ext_types[h->n_exts++] = type;
	/* RFC 8446 4.2.8: a ServerHello's KeyShareEntry (an HRR's
	 * selected_group) starts with the group */
	if (!h->client && type == TLS_EXT_KEY_SHARE && h->key_share_group == 0)
		(void)cur_be16(&ks, &h->key_share_group);
	if (bit == 0)
		return PARSE_OK;
	if (h->seen & bit) {
		h->ext_dup = 1;
		return PARSE_OK;
	}
	r = h->client ? hello_client_ext(h, bit, e) :
	    hello_server_ext(h, bit, e);
	if (r == PARSE_OK)
		h->seen |= bit;
	return r;
}

/* extensions <0..2^16-1>: { type (2) | extension_data <0..2^16-1> }* */
static void
hello_exts(struct tls_hello *h, struct cur *c)
{
	struct cur exts, e;
	uint16_t l16, type, elen;

	h->has_exts = 1;
	if (cur_be16(c, &l16) == -1 || cur_sub(c, l16, &exts) == -1)
		goto bad;
	while (cur_left(&exts) > 0) {
		if (cur_be16(&exts, &type) == -1 ||
		    cur_be16(&exts, &elen) == -1 ||
		    cur_sub(&exts, elen, &e) == -1 ||
		    hello_ext(h, type, &e) != PARSE_OK)
			goto bad;
	}
	return;
bad:
	h->ext_bad = 1;
}

/*
 * ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2, RFC 6347 4.2.1):
 *
 *   +---------+--------+------------+--------------+---------------+
 *   | version | random | session_id | [DTLS cookie] | cipher_suites |
 *   |   (2)   |  (32)  |  <0..32>   |   <0..255>    | <2..2^16-2>   |
 *   +---------+--------+------------+--------------+---------------+
 *   | compression_methods <1..255> | [extensions <0..2^16-1>]      |
 *   +------------------------------+-------------------------------+
 */
static enum parse_result
hello_client(struct tls_hello *h, struct cur *c, int dtls)
{
	struct cur cookie, comp;
	uint16_t n16;
	uint8_t n8;

	if (cur_u8(c, &n8) == -1 || n8 > 32 ||
	    cur_sub(c, n8, &h->session_id) == -1)
		return PARSE_BAD;
	if (dtls && (cur_u8(c, &n8) == -1 || cur_sub(c, n8, &cookie) == -1))
		return PARSE_BAD;
	/* a list of u16 with an odd length is no list of suites */
	if (cur_be16(c, &n16) == -1 || n16 % 2 != 0 ||
	    cur_sub(c, n16, &h->ciphers) == -1 ||
	    cur_u8(c, &n8) == -1 || cur_sub(c, n8, &comp) == -1)
		return PARSE_BAD;
	return PARSE_OK;
}

/*
 * ServerHello (RFC 8446 4.1.3, RFC 5246 7.4.1.3):
 *
 *   version (2) | random (32) | session_id <0..32> | cipher (2)
 *   | compression (1) | [extensions <0..2^16-1>]
 *
 * TLS 1.3 drafts before -22 (0x7f00..0x7f15) had neither session_id nor
 * compression: version (2) | random (32) | cipher (2) | extensions.
 */
static enum parse_result
hello_server(struct tls_hello *h, struct cur *c)
{
	uint8_t n8, comp;

	h->draft = h->version >= 0x7f00 && h->version < 0x7f16;
	if (!h->draft && (cur_u8(c, &n8) == -1 || n8 > 32 ||
	    cur_sub(c, n8, &h->session_id) == -1))
		return PARSE_BAD;
	if (cur_be16(c, &h->cipher) == -1 ||
	    (!h->draft && cur_u8(c, &comp) == -1))
		return PARSE_BAD;
	return PARSE_OK;
}

enum parse_result
tls_hello_parse(struct tls_hello *h, const uint8_t *body, size_t len,
    int client, int dtls)
{
	struct cur c;
	enum parse_result r;

	/* the scalars and slices only: ext_types is filled up to n_exts */
	memset(h, 0, offsetof(struct tls_hello, ext_types));
	h->client = client != 0;
	cur_init(&c, body, len);
	if (cur_be16(&c, &h->version) == -1 || cur_sub(&c, 32, &h->random) == -1)
		return PARSE_BAD;
	r = client ? hello_client(h, &c, dtls) : hello_server(h, &c);
	if (r != PARSE_OK)
		return r;
	/* bytes after the extension block change nothing we report */
	if (cur_left(&c) > 0)
		hello_exts(h, &c);
	return PARSE_OK;
}
