/*
 * vxlan.c - VXLAN (RFC 7348 section 5), UDP destination port 4789 (and
 * 8472, the Linux kernel's default before IANA assigned 4789), and
 * VXLAN-GPE below.
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

/*
 * VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe-12 section 3.3), UDP port 4790:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|R|Ver|I|P|B|O|       Reserved                |Next Protocol  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Next protocol (P set): 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS (the
 * draft's registry, as Linux's vxlan driver reads it; NSH's own next
 * protocol, nsh.c, has the same values); P clear is plain VXLAN
 * (Ethernet).  Version must be 0.  O (OAM) packets are not
 * user traffic.
 */
#define GPE_P	0x04
#define GPE_O	0x01

enum parse_result
vxlan_gpe_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t flags, next;

	if (cur_u8(c, &flags) != 0 || cur_skip(c, 2) != 0 ||
	    cur_u8(c, &next) != 0 || cur_skip(c, 4) != 0 ||
	    (flags & 0x30) != 0 || (flags & GPE_O) != 0)
		return dctx_fail(ctx, DEC_VXLAN_BAD);
	if (dctx_tunnel(ctx, NOTE_VXLAN) != PARSE_OK)
		return PARSE_BAD;
	if ((flags & GPE_P) == 0)
		return eth_decode(ctx, c);
	switch (next) {
	case 1:
		return ipv4_decode(ctx, c);
	case 2:
		return ipv6_decode(ctx, c);
	case 3:
		return eth_decode(ctx, c);
	case 4:
		return nsh_decode(ctx, c);
	case 5:
		return mpls_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_VXLAN_BAD);
}
