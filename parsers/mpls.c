/*
 * mpls.c - MPLS label stack (RFC 3032), Ethertypes 0x8847/0x8848.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Label                  | TC  |S|      TTL      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * MPLS does not say what follows the bottom of stack (S=1) entry.  Like
 * every passive decoder we guess from the first nibble: 4 = IPv4, 6 =
 * IPv6, 0 = the pseudowire control word of RFC 4385 (first nibble 0000)
 * followed by an Ethernet frame (RFC 4448).  Each label is one layer.
 */
#include "decode_int.h"

enum parse_result
mpls_decode(struct dctx *ctx, struct cur *c)
{
	uint32_t lse;
	uint8_t nib;

	dctx_note(ctx, NOTE_MPLS);
	do {
		if (cur_be32(c, &lse) != 0)
			return dctx_fail(ctx, DEC_MPLS_TRUNC);
		if (dctx_deeper(ctx) != PARSE_OK)
			return PARSE_BAD;
	} while ((lse & 0x100) == 0);
	if (cur_peek_u8(c, 0, &nib) != 0)
		return dctx_fail(ctx, DEC_MPLS_TRUNC);
	switch (nib >> 4) {
	case 4:
		return ipv4_decode(ctx, c);
	case 6:
		return ipv6_decode(ctx, c);
	case 0:
		if (cur_skip(c, 4) != 0)
			return dctx_fail(ctx, DEC_MPLS_TRUNC);
		return eth_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_MPLS_UNKNOWN_PAYLOAD);
}
