/*
 * udp.c - UDP (RFC 768) and the UDP-carried tunnels.
 *
 *   0      7 8     15 16    23 24    31
 *  +--------+--------+--------+--------+
 *  |   Source Port   |   Dest. Port    |
 *  +--------+--------+--------+--------+
 *  |     Length      |    Checksum     |
 *  +--------+--------+--------+--------+
 *
 * Length (header included) below 8 or past the IP datagram is malformed;
 * below the IP payload, the rest is padding and is cut off.  Tunnels by
 * port: VXLAN (dst 4789), Geneve (dst 6081), GTP-U (either port 2152).
 * Anything else (Teredo, DNS, QUIC...) is just UDP for the flow layer.
 */
#include "decode_int.h"

static enum parse_result
udp_tunnel(struct dctx *ctx, struct cur *c)
{
	struct pkt *p = ctx->p;
	struct cur body = *c;

	if (p->dport == UDP_PORT_VXLAN)
		return vxlan_decode(ctx, &body);
	if (p->dport == UDP_PORT_GENEVE)
		return geneve_decode(ctx, &body);
	return gtp_decode(ctx, &body);
}

enum parse_result
udp_decode(struct dctx *ctx, struct cur *c, size_t missing)
{
	struct pkt *p = ctx->p;
	const uint8_t *l4 = cur_ptr(c);
	size_t left = cur_left(c);
	uint16_t ulen;
	struct cur pl;

	if (cur_be16(c, &p->sport) != 0 || cur_be16(c, &p->dport) != 0 ||
	    cur_be16(c, &ulen) != 0 || cur_skip(c, 2) != 0)
		return dctx_fail(ctx, DEC_UDP_TRUNC);
	if (ulen < 8 || ulen > left + missing)
		return dctx_fail(ctx, DEC_UDP_BAD_LEN);
	if (cur_sub(c, (size_t)ulen - 8, &pl) == 0)
		p->payload_missing = 0;
	else {
		p->payload_missing = ulen - left;
		pl = *c;
	}
	p->proto = IPPROTO_UDP_;
	p->tcp_flags = 0;
	p->seq = p->ack = 0;
	p->win = 0;
	p->l4 = l4;
	p->l4_len = 8 + cur_left(&pl);
	p->payload = cur_ptr(&pl);
	p->payload_len = cur_left(&pl);
	if (p->dport == UDP_PORT_VXLAN || p->dport == UDP_PORT_GENEVE ||
	    p->dport == UDP_PORT_GTPU || p->sport == UDP_PORT_GTPU)
		return udp_tunnel(ctx, &pl);
	return PARSE_OK;
}
