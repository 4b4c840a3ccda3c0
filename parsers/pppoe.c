/*
 * pppoe.c - PPPoE session stage (RFC 2516 section 5) and PPP (RFC 1661,
 * HDLC-like framing RFC 1662) down to IPv4/IPv6.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  VER  | TYPE  |      CODE     |          SESSION_ID           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            LENGTH             |        PPP protocol           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Session data has VER=1 TYPE=1 CODE=0; LENGTH counts the PPP frame
 * (protocol field included).
 * PPP protocols 0x0021 IPv4 and 0x0057 IPv6; LCP/IPCP/... are not IP.
 */
#include "decode_int.h"

enum parse_result
ppp_demux(struct dctx *ctx, uint16_t proto, struct cur *c)
{
	switch (proto) {
	case PPP_IPV4:
		return ipv4_decode(ctx, c);
	case PPP_IPV6:
		return ipv6_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_PPP_NOT_IP);
}

enum parse_result
pppoe_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t vt, code;
	uint16_t sid, len, proto;

	if (cur_u8(c, &vt) != 0 || cur_u8(c, &code) != 0 ||
	    cur_be16(c, &sid) != 0 || cur_be16(c, &len) != 0)
		return dctx_fail(ctx, DEC_PPPOE_BAD);
	if (vt != 0x11 || code != 0 || len < 2)
		return dctx_fail(ctx, DEC_PPPOE_BAD);
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, NOTE_PPPOE);
	/* LENGTH is not used to cut the frame: access concentrators in the
	 * wild send it short (pppoe-over-qinq: 42 for a 48-byte PPP frame)
	 * and the IP Total Length trims the Ethernet padding anyway. */
	if (cur_be16(c, &proto) != 0)
		return dctx_fail(ctx, DEC_PPPOE_BAD);
	return ppp_demux(ctx, proto, c);
}

/*
 * DLT_PPP: optional HDLC address 0xff and control 0x03, then the protocol,
 * which may be compressed to one byte (odd first byte, RFC 1661 6.5).
 */
enum parse_result
ppp_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t b0, b1;
	uint16_t proto;

	if (cur_peek_u8(c, 0, &b0) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (b0 == 0xff && cur_skip(c, 2) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (cur_u8(c, &b0) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (b0 & 1)
		return ppp_demux(ctx, b0, c);
	if (cur_u8(c, &b1) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	proto = (uint16_t)(b0 << 8 | b1);
	return ppp_demux(ctx, proto, c);
}
