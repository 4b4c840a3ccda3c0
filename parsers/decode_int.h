/*
 * decode_int.h - the per-layer decoders behind decode_packet().
 *
 * Every layer is one function `x_decode(struct dctx *, struct cur *)` that
 * reads its header through the cursor, then calls the next layer through a
 * demux switch.  All return the next layer's result, or their own:
 *   PARSE_OK    the innermost TCP/UDP packet was found, *ctx->p filled;
 *   PARSE_MORE  an IP fragment was stored (or was an exact duplicate of a
 *               stored one): the datagram may still complete, counted as
 *               DEC_FRAG_HELD by dctx_hold();
 *   PARSE_BAD   dropped, after counting exactly one reason with
 *               dctx_fail(): malformed, truncated, or simply not for us
 *               (ARP, ICMP, an unknown tunnel payload).
 * The reason counter, not the result, says which; decode_packet() hands
 * only PARSE_OK packets on.  No function pointer tables: the common
 * Ethernet -> IPv4 -> TCP path is a chain of direct calls.
 */
#ifndef ROOTWATCH_DECODE_INT_H
#define ROOTWATCH_DECODE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cur.h"
#include "decode.h"
#include "parse.h"

/* Ethertypes (IEEE registry) and PPP protocol numbers (RFC 1661). */
#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_QINQ_OLD	0x9100
#define ETHERTYPE_QINQ_OLD2	0x9200
#define ETHERTYPE_PBB		0x88e7	/* 802.1ah I-tag */
#define ETHERTYPE_VNTAG		0x8926
#define ETHERTYPE_ETAG		0x893f	/* 802.1BR */
#define ETHERTYPE_CMD		0x8909	/* Cisco MetaData */
#define ETHERTYPE_FABRICPATH	0x8903	/* Cisco FabricPath */
#define ETHERTYPE_NSH		0x894f	/* RFC 8300 */
#define ETHERTYPE_PPP		0x880b	/* PPP in GRE (PPTP, RFC 2637) */
#define ETHERTYPE_MIN		0x0600	/* below: an 802.3 length */
#define ETHERTYPE_MPLS		0x8847
#define ETHERTYPE_MPLS_MC	0x8848
#define ETHERTYPE_PPPOE_DISC	0x8863
#define ETHERTYPE_PPPOE_SESS	0x8864
#define ETHERTYPE_TEB		0x6558	/* transparent Ethernet bridging */
#define ETHERTYPE_ERSPAN2	0x88be
#define ETHERTYPE_ERSPAN3	0x22eb
#define PPP_IPV4		0x0021
#define PPP_IPV6		0x0057

#define IPPROTO_HOPOPTS_	0
#define IPPROTO_IPIP_		4
#define IPPROTO_TCP_		6
#define IPPROTO_UDP_		17
#define IPPROTO_IPV6_		41
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_GRE_		47
#define IPPROTO_ESP_		50
#define IPPROTO_AH_		51
#define IPPROTO_NONE_		59
#define IPPROTO_DSTOPTS_	60
#define IPPROTO_L2TP_		115	/* L2TPv3 over IP, RFC 3931 4.1.1 */
#define IPPROTO_MH_		135	/* Mobility, RFC 6275 */
#define IPPROTO_HIP_		139	/* RFC 7401 */
#define IPPROTO_SHIM6_		140	/* RFC 5533 */

#define UDP_PORT_GTPU		2152
#define UDP_PORT_VXLAN		4789
#define UDP_PORT_GENEVE		6081
#define UDP_PORT_VXLAN_LINUX	8472	/* Linux kernel default before 4789 */
#define UDP_PORT_VXLAN_GPE	4790
#define UDP_PORT_L2TP		1701
#define UDP_PORT_TEREDO		3544

/* What one decode_packet() call carries down the layers. */
struct dctx {
	struct decoder	*d;
	struct pkt	*p;
	unsigned	 depth;		/* decapsulation layers so far */
	int		 cut;		/* caplen < wire_len: snaplen cut */
};

/* Count reason r and drop: `return dctx_fail(ctx, DEC_X);` */
static inline enum parse_result
dctx_fail(struct dctx *ctx, enum decode_reason r)
{
	ctx->d->st.reason[r]++;
	return PARSE_BAD;
}

/* A fragment stored until its datagram completes: counted, not dropped. */
static inline enum parse_result
dctx_hold(struct dctx *ctx)
{
	ctx->d->st.reason[DEC_FRAG_HELD]++;
	return PARSE_MORE;
}

/* One more decapsulation layer: PARSE_OK when allowed, else PARSE_BAD
 * with DEC_TOO_DEEP counted. */
static inline enum parse_result
dctx_deeper(struct dctx *ctx)
{
	if (++ctx->depth > LIM_DECAP_DEPTH)
		return dctx_fail(ctx, DEC_TOO_DEEP);
	return PARSE_OK;
}

static inline void
dctx_note(struct dctx *ctx, enum decode_note n)
{
	ctx->d->st.note[n]++;
}

/* Entering a tunnel: depth check, note, mark the packet. */
static inline enum parse_result
dctx_tunnel(struct dctx *ctx, enum decode_note n)
{
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, n);
	ctx->p->tunneled = 1;
	return PARSE_OK;
}

/* Link layers. */
enum parse_result eth_decode(struct dctx *, struct cur *);
enum parse_result ether_demux(struct dctx *, uint16_t type, struct cur *);
enum parse_result vlan_decode(struct dctx *, struct cur *);
enum parse_result mpls_decode(struct dctx *, struct cur *);
enum parse_result pppoe_decode(struct dctx *, struct cur *);
/* DLT_PPP (HDLC-like) */
enum parse_result ppp_decode(struct dctx *, struct cur *);
enum parse_result ppp_demux(struct dctx *, uint16_t proto, struct cur *);
enum parse_result sll_decode(struct dctx *, struct cur *);
enum parse_result sll2_decode(struct dctx *, struct cur *);
/* 802.2 LLC/SNAP after an 802.3 length field (llc.c); len is that field. */
enum parse_result llc_decode(struct dctx *, uint16_t len, struct cur *);
/* LLC/SNAP header only (802.11 data, SLL 802.2): the Ethertype inside. */
enum parse_result snap_demux(struct dctx *, struct cur *);
/* PBB I-tag, FabricPath, VN-Tag, E-Tag, Cisco MetaData (l2tag.c), after
 * the TPID. */
enum parse_result l2tag_decode(struct dctx *, uint16_t type, struct cur *);
enum parse_result nsh_decode(struct dctx *, struct cur *);
/* Link types (linktypes.c): Cisco HDLC, PPP serial, pflog, IPNET. */
enum parse_result chdlc_decode(struct dctx *, struct cur *);
enum parse_result ppp_serial_decode(struct dctx *, struct cur *);
enum parse_result pflog_decode(struct dctx *, struct cur *);
enum parse_result ipnet_decode(struct dctx *, struct cur *);
enum parse_result nflog_decode(struct dctx *, struct cur *);
/* 802.11 (wifi.c): plain (DLT 105) and behind radiotap (DLT 127). */
enum parse_result wifi_decode(struct dctx *, struct cur *);
enum parse_result radiotap_decode(struct dctx *, struct cur *);

/* Network layer. */
enum parse_result ipv4_decode(struct dctx *, struct cur *);
enum parse_result ipv6_decode(struct dctx *, struct cur *);
/* By the first nibble: raw IP, MPLS, GTP. */
enum parse_result ip_version_demux(struct dctx *, struct cur *);
enum parse_result ip_demux(struct dctx *, uint8_t proto, struct cur *,
	    size_t missing);

/* Fragments (ipfrag.c).  frag_input() returns PARSE_OK with *out set to a
 * whole synthesized datagram (header + payload, owned by the frag table,
 * valid until its next completion), PARSE_MORE when the fragment was held,
 * or PARSE_BAD with a reason counted. */
struct frag_in {
	uint8_t		 family;
	uint8_t		 proto;		/* v4 protocol / v6 next header */
	uint8_t		 more;		/* MF bit */
	uint32_t	 id;
	uint32_t	 off;		/* bytes */
	const uint8_t	*src, *dst;	/* 4 or 16 bytes */
	struct cur	 data;		/* this fragment's payload */
};
struct frag_table *frag_new(const struct limits *);
void	frag_free(struct frag_table *);
enum parse_result frag_input(struct dctx *, const struct frag_in *,
	    struct cur *out);
void	frag_expire(struct decoder *, struct frag_table *, uint64_t now_us);

/* Tunnels. */
enum parse_result gre_decode(struct dctx *, struct cur *);
enum parse_result vxlan_decode(struct dctx *, struct cur *);
enum parse_result geneve_decode(struct dctx *, struct cur *);
/* GTP-U echo/error messages: PARSE_OK, the UDP packet itself is found. */
enum parse_result gtp_decode(struct dctx *, struct cur *);
enum parse_result vxlan_gpe_decode(struct dctx *, struct cur *);
/* L2TP over UDP 1701 (v2 PPP, v3 data) and L2TPv3 over IP (l2tp.c);
 * control messages are PARSE_OK: the UDP packet itself is found. */
enum parse_result l2tp_udp_decode(struct dctx *, struct cur *);
enum parse_result l2tpv3_ip_decode(struct dctx *, struct cur *);
/* Teredo (RFC 4380) on UDP 3544: PARSE_OK untouched when the payload is
 * not an IPv6 packet (bubbles are, other traffic is plain UDP). */
enum parse_result teredo_decode(struct dctx *, struct cur *);
/* IPsec AH (RFC 4302) skipped over IPv4, then the next protocol. */
enum parse_result ah_decode(struct dctx *, struct cur *, size_t missing);

/* Transport. */
enum parse_result tcp_decode(struct dctx *, struct cur *, size_t missing);
enum parse_result udp_decode(struct dctx *, struct cur *, size_t missing);

/* Internet checksum helpers (decode.c). */
uint32_t	csum_add(uint32_t sum, struct cur c);
uint16_t	csum_fold(uint32_t sum);

#endif /* ROOTWATCH_DECODE_INT_H */
