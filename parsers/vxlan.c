/*
 * vxlan.c - VXLAN (RFC 7348 section 5), UDP destination port 4789.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|R|R|R|I|R|R|R|            Reserved                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  then an inner Ethernet frame.
 *
 * The I flag must be set for a valid VNI (RFC 7348: "MUST be set to 1").
 */
#include "decode_int.h"

enum parse_result
vxlan_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t flags;

	if (cur_u8(c, &flags) != 0 || cur_skip(c, 7) != 0 ||
	    (flags & 0x08) == 0)
		return dctx_fail(ctx, DEC_VXLAN_BAD);
	if (dctx_tunnel(ctx, NOTE_VXLAN) != PARSE_OK)
		return PARSE_BAD;
	return eth_decode(ctx, c);
}
