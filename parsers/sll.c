/*
 * sll.c - Linux cooked capture, "any" interface (tcpdump.org
 * linktype/LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html).
 *
 * SLL (DLT 113), 16 bytes:          SLL2 (DLT 276), 20 bytes:
 *  +----------------+               +----------------+----------------+
 *  | packet type  2 |               | protocol     2 | reserved     2 |
 *  | ARPHRD type  2 |               | interface index               4 |
 *  | addr length  2 |               | ARPHRD type  2 | pkt 1 | alen 1 |
 *  | address      8 |               | address                       8 |
 *  | protocol     2 |               +----------------+----------------+
 *  +----------------+
 *
 * The protocol is an Ethertype, except for ARPHRD_NETLINK (824) where it
 * is a netlink family, and the values 0x0001 (802.3), 0x0004 (802.2 LLC)
 * and friends below 0x0600 that are not Ethertypes either; of those only
 * 0x0004 can carry IP, behind an LLC/SNAP header (llc.c).
 */
#include "decode_int.h"

#define ARPHRD_NETLINK_	824
#define SLL_P_802_2	0x0004	/* an 802.2 LLC frame follows */

static enum parse_result
sll_demux(struct dctx *ctx, uint16_t hatype, uint16_t proto, struct cur *c)
{
	if (hatype == ARPHRD_NETLINK_)
		return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
	if (proto == SLL_P_802_2)
		return snap_demux(ctx, c);
	if (proto < ETHERTYPE_MIN)
		return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
	return ether_demux(ctx, proto, c);
}

enum parse_result
sll_decode(struct dctx *ctx, struct cur *c)
{
	uint16_t hatype, proto;

	if (cur_skip(c, 2) != 0 || cur_be16(c, &hatype) != 0 ||
	    cur_skip(c, 10) != 0 || cur_be16(c, &proto) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	return sll_demux(ctx, hatype, proto, c);
}

enum parse_result
sll2_decode(struct dctx *ctx, struct cur *c)
{
	uint16_t hatype, proto;

	if (cur_be16(c, &proto) != 0 || cur_skip(c, 6) != 0 ||
	    cur_be16(c, &hatype) != 0 || cur_skip(c, 10) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	return sll_demux(ctx, hatype, proto, c);
}
