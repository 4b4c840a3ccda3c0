/*
 * teredo.c - Teredo (RFC 4380 section 5.1.1): IPv6 in UDP, port 3544.
 *
 * An IPv6 packet, optionally after an authentication indicator and/or an
 * origin indication:
 *  | 0x0001 | ID-len 1 | AU-len 1 | client id | auth value | nonce 8 |
 *  | confirmation 1 |
 *  | 0x0000 | obfuscated port 2 | obfuscated IPv4 address 4 |
 *
 * Port 3544 also carries the Teredo qualification exchange and unrelated
 * traffic, so the payload is taken as a tunnel only when it holds an IPv6
 * header whose Payload Length matches the datagram exactly (or runs past
 * a snaplen cut); anything else stays the plain UDP packet it is.
 */
#include "decode_int.h"

#define TEREDO_AUTH	0x0001
#define TEREDO_ORIGIN	0x0000
#define TEREDO_ORIG_LEN	6
#define IPV6_HDR_LEN	40

static int
teredo_indicators(struct cur *c)
{
	uint16_t ind;
	uint8_t idlen, aulen;

	if (cur_peek_be16(c, 0, &ind) == 0 && ind == TEREDO_AUTH) {
		if (cur_skip(c, 2) != 0 || cur_u8(c, &idlen) != 0 ||
		    cur_u8(c, &aulen) != 0 ||
		    cur_skip(c, (size_t)idlen + aulen + 9) != 0)
			return -1;
	}
	if (cur_peek_be16(c, 0, &ind) == 0 && ind == TEREDO_ORIGIN &&
	    cur_skip(c, 2 + TEREDO_ORIG_LEN) != 0)
		return -1;
	return 0;
}

enum parse_result
teredo_decode(struct dctx *ctx, struct cur *c)
{
	struct cur t = *c;
	uint8_t v;
	uint16_t plen;
	size_t want;

	if (teredo_indicators(&t) != 0 || cur_peek_u8(&t, 0, &v) != 0 ||
	    v >> 4 != 6 || cur_peek_be16(&t, 4, &plen) != 0)
		return PARSE_OK;
	want = (size_t)plen + IPV6_HDR_LEN;
	if (want != cur_left(&t) && !(ctx->cut && want > cur_left(&t)))
		return PARSE_OK;
	if (dctx_tunnel(ctx, NOTE_TEREDO) != PARSE_OK)
		return PARSE_BAD;
	return ipv6_decode(ctx, &t);
}
