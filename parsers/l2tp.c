/*
 * l2tp.c - L2TP data messages: version 2 over UDP 1701 (RFC 2661 3.1,
 * PPP inside), version 3 over UDP 1701 and over IP protocol 115 (RFC 3931
 * 4.1, an Ethernet pseudowire inside, RFC 4719).
 *
 * L2TPv2:
 *  |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
 *  |           Tunnel ID           |           Session ID          |
 *  |             Ns (opt)          |             Nr (opt)          |
 *  |      Offset Size (opt)        |    Offset pad... (opt)        |
 *  then PPP (HDLC address and control, protocol).
 * L2TPv3 over UDP:           L2TPv3 over IP:
 *  |T|x...x|  Ver  | Rsvd |   |          Session ID (0: control)     |
 *  |      Session ID       |   | Cookie (0, 4 or 8 bytes) ...         |
 *  | Cookie (0, 4 or 8) ...|   | L2-specific sublayer (0 or 4) ...    |
 *
 * T set is a control message: plain UDP (over IP: not for us).  The
 * L2TPv3 cookie and sublayer sizes are configured per session and not on
 * the wire; like Wireshark's heuristic we take the first of the offsets
 * 0, 4, 8, 12 where an Ethernet header with an IP or VLAN Ethertype
 * starts, and count the packet l2tp_bad when there is none (a PPP or
 * HDLC pseudowire, which we do not decode).
 */
#include "decode_int.h"

#define L2TP_T		0x8000
#define L2TP_L		0x4000
#define L2TP_S		0x0800
#define L2TP_O		0x0200
#define L2TP_VER	0x000f
#define L2TPV3_OFF_MAX	12

/* Does an Ethernet frame carrying IP (or tagged) start at offset off? */
static int
l2tpv3_eth_at(const struct cur *c, size_t off)
{
	uint16_t type;
	uint8_t v;

	if (cur_peek_be16(c, off + 12, &type) != 0 ||
	    cur_peek_u8(c, off + 14, &v) != 0)
		return 0;
	return (type == ETHERTYPE_IPV4 && v >> 4 == 4) ||
	    (type == ETHERTYPE_IPV6 && v >> 4 == 6) ||
	    type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ;
}

static enum parse_result
l2tpv3_data(struct dctx *ctx, struct cur *c)
{
	size_t off;

	for (off = 0; off <= L2TPV3_OFF_MAX; off += 4) {
		if (!l2tpv3_eth_at(c, off))
			continue;
		(void)cur_skip(c, off);
		if (dctx_tunnel(ctx, NOTE_L2TP) != PARSE_OK)
			return PARSE_BAD;
		return eth_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_L2TP_BAD);
}

enum parse_result
l2tpv3_ip_decode(struct dctx *ctx, struct cur *c)
{
	uint32_t sid;

	if (cur_be32(c, &sid) != 0)
		return dctx_fail(ctx, DEC_L2TP_BAD);
	if (sid == 0)			/* control message */
		return dctx_fail(ctx, DEC_OTHER_L4);
	return l2tpv3_data(ctx, c);
}

/* L2TPv2 data: the optional fields by flag, then PPP. */
static enum parse_result
l2tpv2_data(struct dctx *ctx, uint16_t flags, struct cur *c)
{
	uint16_t len, off;
	struct cur msg;

	if ((flags & L2TP_L) != 0) {
		/* Length counts the whole message, the 2 bytes read too. */
		if (cur_be16(c, &len) != 0 || len < 4)
			return dctx_fail(ctx, DEC_L2TP_BAD);
		if (cur_sub(c, (size_t)len - 4, &msg) != 0) {
			if (!ctx->cut)
				return dctx_fail(ctx, DEC_L2TP_BAD);
			msg = *c;
		}
		*c = msg;
	}
	if (cur_skip(c, 4) != 0 ||
	    ((flags & L2TP_S) && cur_skip(c, 4) != 0) ||
	    ((flags & L2TP_O) && (cur_be16(c, &off) != 0 ||
	    cur_skip(c, off) != 0)))
		return dctx_fail(ctx, DEC_L2TP_BAD);
	if (dctx_tunnel(ctx, NOTE_L2TP) != PARSE_OK)
		return PARSE_BAD;
	return ppp_decode(ctx, c);
}

enum parse_result
l2tp_udp_decode(struct dctx *ctx, struct cur *c)
{
	uint16_t flags;

	if (cur_be16(c, &flags) != 0)
		return dctx_fail(ctx, DEC_L2TP_BAD);
	if (flags & L2TP_T)	/* control: the UDP packet is what we found */
		return PARSE_OK;
	switch (flags & L2TP_VER) {
	case 2:
		return l2tpv2_data(ctx, flags, c);
	case 3:
		if (cur_skip(c, 2) != 0 || cur_skip(c, 4) != 0)
			return dctx_fail(ctx, DEC_L2TP_BAD);
		return l2tpv3_data(ctx, c);
	}
	return dctx_fail(ctx, DEC_L2TP_BAD);
}
