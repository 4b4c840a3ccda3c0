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
 * Version 0, and version 1, the enhanced GRE of PPTP (RFC 2637 4.1):
 *  |C|R|K|S|s|Recur|A| Flags | Ver=1 |    Protocol Type = 0x880b     |
 *  |    Payload Length (K=1)       |           Call ID             |
 *  |                  Sequence Number (S, optional)                |
 *  |               Acknowledgment Number (A, optional)             |
 *  then a PPP frame (maybe none: an acknowledgment alone).
 * R (RFC 1701 source routing) is deprecated and is rejected rather than
 * walked.  Version 0 payloads: IPv4, IPv6, 0x6558 transparent Ethernet
 * bridging, MPLS, PPP, and ERSPAN:
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
#define GRE_A	0x0080	/* version 1: acknowledgment number present */
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

/* PPTP: K is required (payload length and call id), C and R are not
 * allowed; a packet with no payload only carries an acknowledgment. */
static enum parse_result
pptp_decode(struct dctx *ctx, uint16_t flags, uint16_t type, struct cur *c)
{
	uint16_t plen;
	struct cur ppp;

	if ((flags & (GRE_C | GRE_R | GRE_K)) != GRE_K ||
	    type != ETHERTYPE_PPP || cur_be16(c, &plen) != 0 ||
	    cur_skip(c, 2) != 0 || ((flags & GRE_S) && cur_skip(c, 4) != 0) ||
	    ((flags & GRE_A) && cur_skip(c, 4) != 0))
		return dctx_fail(ctx, DEC_GRE_BAD);
	if (plen == 0)
		return dctx_fail(ctx, DEC_PPP_NOT_IP);
	if (cur_sub(c, plen, &ppp) != 0) {
		if (!ctx->cut)
			return dctx_fail(ctx, DEC_GRE_BAD);
		ppp = *c;
	}
	if (dctx_tunnel(ctx, NOTE_PPTP) != PARSE_OK)
		return PARSE_BAD;
	return ppp_decode(ctx, &ppp);
}

enum parse_result
gre_decode(struct dctx *ctx, struct cur *c)
{
	uint16_t flags, type;
	size_t opt;

	if (cur_be16(c, &flags) != 0 || cur_be16(c, &type) != 0)
		return dctx_fail(ctx, DEC_GRE_BAD);
	if ((flags & GRE_VER) == 1)
		return pptp_decode(ctx, flags, type, c);
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
	case ETHERTYPE_PPP:
		return ppp_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_GRE_UNKNOWN);
}
