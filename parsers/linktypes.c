/*
 * linktypes.c - small link headers that end in an Ethertype or an address
 * family (tcpdump.org linktypes; formats as libpcap documents them).
 *
 * Cisco HDLC (DLT_C_HDLC 104, and DLT_PPP_SERIAL 50 when the first byte
 * is a Cisco address), 4 bytes:
 *  +-----------+-----------+-----------------------+
 *  | address 1 | control 1 | protocol (Ethertype) 2|
 *  +-----------+-----------+-----------------------+
 *  address 0x0f unicast, 0x8f broadcast; SLARP (0x8035) and CDP are not IP.
 *
 * pflog (DLT_PFLOG 117, OpenBSD/FreeBSD/macOS pf), header then the packet:
 *  +----------+------+--------+--------+-----------+---------+-- ...
 *  | length 1 | af 1 | action | reason | ifname 16 | ruleset 16 | ...
 *  +----------+------+--------+--------+-----------+---------+-- ...
 *  length is the header length (61 today, 45 on old systems), rounded up
 *  to 4 bytes on the wire (BPF word alignment).
 *
 * IPNET (DLT_IPNET 226, Solaris), 24 bytes:
 *  | version 1 (=1) | family 1 | htype 2 | pktlen 4 | ifindex 4 |
 *  | grifindex 4 | zsrc 4 | zdst 4 |
 *  family is Solaris' AF_INET 2 or AF_INET6 26.
 */
#include "decode_int.h"

#define CHDLC_UNICAST	0x0f
#define CHDLC_BCAST	0x8f
#define PFLOG_HDR_MIN	4	/* length and af, at least */
#define IPNET_HDR_LEN	24
#define IPNET_AF_INET6	26

/* Address families that mean IPv6 on the systems that write pflog. */
static int
af_is_inet6(uint8_t af)
{
	return af == 10 || af == 24 || af == 28 || af == 30;
}

enum parse_result
chdlc_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t addr;
	uint16_t type;

	if (cur_u8(c, &addr) != 0 || cur_skip(c, 1) != 0 ||
	    cur_be16(c, &type) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (addr != CHDLC_UNICAST && addr != CHDLC_BCAST)
		return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
	return ether_demux(ctx, type, c);
}

/* DLT_PPP_SERIAL: PPP in HDLC framing (RFC 1662), or Cisco HDLC framing
 * on the same serial line type (libpcap's pcap-linktype(7) says so). */
enum parse_result
ppp_serial_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t b0;

	if (cur_peek_u8(c, 0, &b0) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (b0 == CHDLC_UNICAST || b0 == CHDLC_BCAST)
		return chdlc_decode(ctx, c);
	return ppp_decode(ctx, c);
}

enum parse_result
pflog_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t len, af;
	size_t hlen;

	if (cur_peek_u8(c, 0, &len) != 0 || cur_peek_u8(c, 1, &af) != 0 ||
	    len < PFLOG_HDR_MIN)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	hlen = ((size_t)len + 3) & ~(size_t)3;
	if (cur_skip(c, hlen) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (af == 2)
		return ipv4_decode(ctx, c);
	if (af_is_inet6(af))
		return ipv6_decode(ctx, c);
	return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
}

enum parse_result
ipnet_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t ver, af;

	if (cur_u8(c, &ver) != 0 || cur_u8(c, &af) != 0 ||
	    cur_skip(c, IPNET_HDR_LEN - 2) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (ver != 1)		/* a header we do not know */
		return dctx_fail(ctx, DEC_UNKNOWN_LINKTYPE);
	if (af == 2)
		return ipv4_decode(ctx, c);
	if (af == IPNET_AF_INET6)
		return ipv6_decode(ctx, c);
	return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
}
