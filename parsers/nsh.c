/*
 * nsh.c - Network Service Header (RFC 8300 section 2), Ethertype 0x894f,
 * VXLAN-GPE next protocol 4.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Ver|O|U|    TTL    |   Length  |U|U|U|U|MD Type| Next Protocol |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Service Path Identifier (SPI)        | Service Index |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Context headers (MD type 1: 16 bytes) ...     |
 *
 * Length is the whole NSH in 4-byte words (at least the two above; MD
 * type 1 is exactly 6).  Version must be 0.  Next protocol: 1 IPv4,
 * 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS (RFC 8300 11.2.5).
 */
#include "decode_int.h"

#define NSH_BASE_WORDS	2
#define NSH_MD1_WORDS	6

enum parse_result
nsh_decode(struct dctx *ctx, struct cur *c)
{
	uint16_t w0;
	uint8_t md, next;
	size_t words;

	if (cur_be16(c, &w0) != 0 || cur_u8(c, &md) != 0 ||
	    cur_u8(c, &next) != 0)
		return dctx_fail(ctx, DEC_NSH_BAD);
	words = w0 & 0x3f;
	md &= 0x0f;
	if ((w0 >> 14) != 0 || words < NSH_BASE_WORDS ||
	    (md == 1 && words != NSH_MD1_WORDS) ||
	    cur_skip(c, (words - 1) * 4) != 0)
		return dctx_fail(ctx, DEC_NSH_BAD);
	if (dctx_tunnel(ctx, NOTE_NSH) != PARSE_OK)
		return PARSE_BAD;
	switch (next) {
	case 1:
		return ipv4_decode(ctx, c);
	case 2:
		return ipv6_decode(ctx, c);
	case 3:
		return eth_decode(ctx, c);
	case 4:
		return nsh_decode(ctx, c);
	case 5:
		return mpls_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_NSH_BAD);
}
