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
 * port: VXLAN (dst 4789 or 8472), VXLAN-GPE (dst 4790), Geneve (dst
 * 6081), GTP-U (either port 2152), L2TP (either port 1701), Teredo
 * (either port 3544).  Anything else (DNS, QUIC...) is just UDP for the
 * flow layer.  One range test keeps the other UDP ports to two compares:
 * every tunnel port lies in [1701, 8472].
 */
#include "decode_int.h"

#define UDP_TUNNEL_PORT_MIN	UDP_PORT_L2TP
#define UDP_TUNNEL_PORT_MAX	UDP_PORT_VXLAN_LINUX

static enum parse_result
udp_tunnel_port(struct dctx *ctx, uint16_t port, struct cur *body)
{
	switch (port) {
	case UDP_PORT_GTPU:
		return gtp_decode(ctx, body);
	case UDP_PORT_L2TP:
		return l2tp_udp_decode(ctx, body);
	case UDP_PORT_TEREDO:
		return teredo_decode(ctx, body);
	}
	return PARSE_OK;
}

/* By destination port first (the tunnel endpoints'), then the ports
 * that may be either side. */
static enum parse_result
udp_tunnel(struct dctx *ctx, const struct cur *c)
{
	struct pkt *p = ctx->p;
	struct cur body = *c;

	switch (p->dport) {
	case UDP_PORT_VXLAN:
	case UDP_PORT_VXLAN_LINUX:
		return vxlan_decode(ctx, &body);
	case UDP_PORT_VXLAN_GPE:
		return vxlan_gpe_decode(ctx, &body);
	case UDP_PORT_GENEVE:
		return geneve_decode(ctx, &body);
	case UDP_PORT_GTPU:
	case UDP_PORT_L2TP:
	case UDP_PORT_TEREDO:
		return udp_tunnel_port(ctx, p->dport, &body);
	}
	return udp_tunnel_port(ctx, p->sport, &body);
}

static int
udp_port_maybe_tunnel(uint16_t port)
{
	return port >= UDP_TUNNEL_PORT_MIN && port <= UDP_TUNNEL_PORT_MAX;
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
	if (udp_port_maybe_tunnel(p->dport) || udp_port_maybe_tunnel(p->sport))
		return udp_tunnel(ctx, &pl);
	return PARSE_OK;
}
