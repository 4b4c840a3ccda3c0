/*
 * gre.c - GRE (RFC 2784, key and sequence RFC 2890) and the ERSPAN
 * mirroring headers it carries (draft-foschiano-erspan-03).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |C|R|K|S| Reserved0       | Ver |         Protocol Type         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Checksum (optional)      |   Reserved1 / Offset (opt.)   |  C|R
 *  |                         Key (optional)                        |  K
 *  |                  Sequence Number (optional)                   |  S
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Only version 0.  R (RFC 1701 source routing) is deprecated and is
 * rejected rather than walked.  Payloads: IPv4, IPv6, 0x6558 transparent
 * Ethernet bridging, MPLS, and ERSPAN:
 *
 * ERSPAN type I: 0x88be without the S bit, Ethernet follows directly.
 * ERSPAN type II: 0x88be with S, then 8 bytes:
 *  | Ver=1 |     VLAN      |COS|En|T|  Session ID  | Reserved | Index |
 * ERSPAN type III: 0x22eb, then 12 bytes:
 *  | Ver=2 | VLAN | COS | BSO | T | Session ID |  Timestamp (32)  |
 *  |  SGT (16)  |P| FT (5) | Hw ID (6) |D|Gra(2)|O|
 *  and when O is set an 8-byte platform-specific subheader.  FT 0 is an
 *  Ethernet frame; other frame types are not decoded.
 */
#include "decode_int.h"

#define GRE_C	0x8000
#define GRE_R	0x4000
#define GRE_K	0x2000
#define GRE_S	0x1000
#define GRE_VER	0x0007

static enum parse_result
erspan3_decode(struct dctx *ctx, struct cur *c)
{
	uint32_t w0, w2;

	if (cur_be32(c, &w0) != 0 || cur_skip(c, 4) != 0 ||
	    cur_be32(c, &w2) != 0)
		return dctx_fail(ctx, DEC_ERSPAN_BAD);
	if (w0 >> 28 != 2 || ((w2 >> 10) & 0x1f) != 0)
		return dctx_fail(ctx, DEC_ERSPAN_BAD);
	if ((w2 & 1) && cur_skip(c, 8) != 0)
		return dctx_fail(ctx, DEC_ERSPAN_BAD);
	return eth_decode(ctx, c);
}

static enum parse_result
erspan_decode(struct dctx *ctx, uint16_t type, uint16_t flags, struct cur *c)
{
	uint8_t ver;

	dctx_note(ctx, NOTE_ERSPAN);
	if (type == ETHERTYPE_ERSPAN3)
		return erspan3_decode(ctx, c);
	if ((flags & GRE_S) == 0)	/* type I */
		return eth_decode(ctx, c);
	if (cur_u8(c, &ver) != 0 || ver >> 4 != 1 || cur_skip(c, 7) != 0)
		return dctx_fail(ctx, DEC_ERSPAN_BAD);
	return eth_decode(ctx, c);
}

enum parse_result
gre_decode(struct dctx *ctx, struct cur *c)
{
	uint16_t flags, type;
	size_t opt;

	if (cur_be16(c, &flags) != 0 || cur_be16(c, &type) != 0)
		return dctx_fail(ctx, DEC_GRE_BAD);
	if ((flags & GRE_VER) != 0 || (flags & GRE_R) != 0)
		return dctx_fail(ctx, DEC_GRE_BAD);
	opt = 0;
	if (flags & GRE_C)
		opt += 4;
	if (flags & GRE_K)
		opt += 4;
	if (flags & GRE_S)
		opt += 4;
	if (cur_skip(c, opt) != 0)
		return dctx_fail(ctx, DEC_GRE_BAD);
	if (dctx_tunnel(ctx, NOTE_GRE) != PARSE_OK)
		return PARSE_BAD;
	switch (type) {
	case ETHERTYPE_IPV4:
		return ipv4_decode(ctx, c);
	case ETHERTYPE_IPV6:
		return ipv6_decode(ctx, c);
	case ETHERTYPE_TEB:
		return eth_decode(ctx, c);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		return mpls_decode(ctx, c);
	case ETHERTYPE_ERSPAN2:
	case ETHERTYPE_ERSPAN3:
		return erspan_decode(ctx, type, flags, c);
	}
	return dctx_fail(ctx, DEC_GRE_UNKNOWN);
}
