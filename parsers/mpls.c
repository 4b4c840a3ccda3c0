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
 * every passive decoder we guess, from the bytes:
 *   - first nibble 4 or 6 and an IP header whose length is exactly what
 *     is left (or more, after a snaplen cut): IPv4/IPv6;
 *   - first nibble 0 and an Ethernet header after 4 bytes: the pseudowire
 *     control word of RFC 4385 then an Ethernet frame (RFC 4448);
 *   - an Ethernet header right here (a pseudowire without control word,
 *     common on operator links; its destination MAC may begin with any
 *     nibble, 0, 4 and 6 included);
 *   - else nibble 4/6 goes to IP anyway (a short datagram followed by
 *     the outer frame's Ethernet padding; IP counts any error)
 *     and anything else is mpls_unknown_payload (nibble 1: the RFC 4385
 *     associated channel, OAM, not user traffic).
 * "An Ethernet header" is one whose Ethertype is IPv4, IPv6 (with the
 * matching version nibble after it), 802.1Q or 802.1ad.  Each label is
 * one layer.
 */
#include "decode_int.h"

#define MPLS_CW_LEN	4

static int
mpls_eth_at(const struct cur *c, size_t off)
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

/* An IP header of this version whose total length is what is left (or
 * more, after a snaplen cut). */
static int
mpls_ip_at(struct dctx *ctx, const struct cur *c, uint8_t ver)
{
	uint8_t vhl;
	uint16_t len;
	size_t tot;

	if (ver == 4) {
		if (cur_peek_u8(c, 0, &vhl) != 0 || (vhl & 0x0f) < 5 ||
		    cur_peek_be16(c, 2, &len) != 0 ||
		    len < (size_t)(vhl & 0x0f) * 4)
			return 0;
		tot = len;
	} else {
		if (cur_peek_be16(c, 4, &len) != 0)
			return 0;
		tot = (size_t)len + 40;
	}
	return tot == cur_left(c) || (ctx->cut && tot > cur_left(c));
}

static enum parse_result
mpls_payload(struct dctx *ctx, struct cur *c)
{
	uint8_t nib;

	if (cur_peek_u8(c, 0, &nib) != 0)
		return dctx_fail(ctx, DEC_MPLS_TRUNC);
	nib >>= 4;
	if ((nib == 4 || nib == 6) && mpls_ip_at(ctx, c, nib))
		return nib == 4 ? ipv4_decode(ctx, c) : ipv6_decode(ctx, c);
	if (nib == 0 && mpls_eth_at(c, MPLS_CW_LEN)) {
		(void)cur_skip(c, MPLS_CW_LEN);
		dctx_note(ctx, NOTE_MPLS_PW_ETH);
		return eth_decode(ctx, c);
	}
	if (mpls_eth_at(c, 0)) {
		dctx_note(ctx, NOTE_MPLS_PW_ETH);
		return eth_decode(ctx, c);
	}
	if (nib == 4)
		return ipv4_decode(ctx, c);
	if (nib == 6)
		return ipv6_decode(ctx, c);
	return dctx_fail(ctx, DEC_MPLS_UNKNOWN_PAYLOAD);
}

enum parse_result
mpls_decode(struct dctx *ctx, struct cur *c)
{
	uint32_t lse;

	dctx_note(ctx, NOTE_MPLS);
	do {
		if (cur_be32(c, &lse) != 0)
			return dctx_fail(ctx, DEC_MPLS_TRUNC);
		if (dctx_deeper(ctx) != PARSE_OK)
			return PARSE_BAD;
	} while ((lse & 0x100) == 0);
	return mpls_payload(ctx, c);
}
