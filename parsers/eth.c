/*
 * eth.c - Ethernet II (IEEE 802.3 clause 3.2.6, RFC 894) and the
 * Ethertype demux every link layer and tunnel ends in.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Destination MAC (6 bytes)                    |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     Source MAC (6 bytes)      +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       Ethertype/length        |  payload ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A type below 0x0600 is an 802.3 length: LLC, and IP only behind a SNAP
 * header (llc.c).  Ethernet padding after a short IP datagram is trimmed by the IP
 * layer from its total length, not here.
 */
#include "decode_int.h"

enum parse_result
eth_decode(struct dctx *ctx, struct cur *c)
{
	uint16_t type;

	if (cur_skip(c, 12) != 0 || cur_be16(c, &type) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	return ether_demux(ctx, type, c);
}

enum parse_result
ether_demux(struct dctx *ctx, uint16_t type, struct cur *c)
{
	switch (type) {
	case ETHERTYPE_IPV4:
		return ipv4_decode(ctx, c);
	case ETHERTYPE_IPV6:
		return ipv6_decode(ctx, c);
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
	case ETHERTYPE_QINQ_OLD:
	case ETHERTYPE_QINQ_OLD2:
		return vlan_decode(ctx, c);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		return mpls_decode(ctx, c);
	case ETHERTYPE_PPPOE_SESS:
		return pppoe_decode(ctx, c);
	case ETHERTYPE_PPPOE_DISC:	/* PADI/PADO/...: session setup */
		return dctx_fail(ctx, DEC_PPP_NOT_IP);
	case ETHERTYPE_PBB:
	case ETHERTYPE_FABRICPATH:
	case ETHERTYPE_VNTAG:
	case ETHERTYPE_ETAG:
	case ETHERTYPE_CMD:
		return l2tag_decode(ctx, type, c);
	case ETHERTYPE_NSH:
		return nsh_decode(ctx, c);
	}
	if (type < ETHERTYPE_MIN)
		return llc_decode(ctx, type, c);
	return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
}
