/*
 * geneve.c - Geneve (RFC 8926 section 3.4), UDP destination port 6081.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Virtual Network Identifier (VNI)       |    Reserved   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Variable-Length Options                    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Opt Len counts 4-byte words.  Protocol Type 0x6558 is an Ethernet frame
 * (this is what the geneve-47101 capture carries); 0x0800/0x86dd are
 * IPv4/IPv6 directly.  Version must be 0.
 */
#include "decode_int.h"

enum parse_result
geneve_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t vo;
	uint16_t type;

	if (cur_u8(c, &vo) != 0 || cur_skip(c, 1) != 0 ||
	    cur_be16(c, &type) != 0 || cur_skip(c, 4) != 0 ||
	    (vo >> 6) != 0 || cur_skip(c, (size_t)(vo & 0x3f) * 4) != 0)
		return dctx_fail(ctx, DEC_GENEVE_BAD);
	if (dctx_tunnel(ctx, NOTE_GENEVE) != PARSE_OK)
		return PARSE_BAD;
	switch (type) {
	case ETHERTYPE_TEB:
		return eth_decode(ctx, c);
	case ETHERTYPE_IPV4:
		return ipv4_decode(ctx, c);
	case ETHERTYPE_IPV6:
		return ipv6_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_GENEVE_BAD);
}
