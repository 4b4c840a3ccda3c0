/*
 * decode.c - decode_packet(): link type dispatch, the IP protocol demux,
 * counters and their names, and the transport checksum check.
 *
 * Link types (pcap-linktype(7) / tcpdump.org linktypes):
 *   DLT_NULL 0       4-byte address family in the capturing host's order
 *   DLT_EN10MB 1     Ethernet II
 *   DLT_PPP 9        PPP, optionally with HDLC address/control (RFC 1662)
 *   DLT_RAW 12/14, LINKTYPE_RAW 101, LINKTYPE_IPV4 228, LINKTYPE_IPV6 229
 *   DLT_LOOP 108     like DLT_NULL, family in network byte order
 *   DLT_LINUX_SLL 113, DLT_LINUX_SLL2 276   Linux cooked capture
 *   DLT_PPP_SERIAL 50 PPP in HDLC framing, or Cisco HDLC (RFC 1547)
 *   DLT_PPP_ETHER 51 PPPoE session header without Ethernet
 *   DLT_C_HDLC 104   Cisco HDLC
 *   DLT_IEEE802_11 105, DLT_IEEE802_11_RADIO 127   802.11 (+ radiotap)
 *   DLT_PFLOG 117    OpenBSD pf log header
 *   DLT_IPNET 226    Solaris ipnet
 *   DLT_NFLOG 239    Linux netfilter log, TLVs
 * The switch is one jump table: a link type costs nothing to the others.
 */
#include "decode.h"
#include "decode_int.h"

#include <string.h>

#include "../sensor/xmalloc.h"

enum {
	DLT_NULL_ = 0, DLT_EN10MB_ = 1, DLT_PPP_ = 9, DLT_RAW12_ = 12,
	DLT_RAW14_ = 14, LINKTYPE_RAW_ = 101, DLT_LOOP_ = 108,
	DLT_LINUX_SLL_ = 113, LINKTYPE_IPV4_ = 228, LINKTYPE_IPV6_ = 229,
	DLT_LINUX_SLL2_ = 276, DLT_PPP_SERIAL_ = 50, DLT_PPP_ETHER_ = 51,
	DLT_C_HDLC_ = 104, DLT_IEEE802_11_ = 105, DLT_PFLOG_ = 117,
	DLT_IEEE802_11_RADIO_ = 127, DLT_IPNET_ = 226, DLT_NFLOG_ = 239,
};

int
decode_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL_: case DLT_EN10MB_: case DLT_PPP_: case DLT_RAW12_:
	case DLT_RAW14_: case LINKTYPE_RAW_: case DLT_LOOP_:
	case DLT_LINUX_SLL_: case LINKTYPE_IPV4_: case LINKTYPE_IPV6_:
	case DLT_LINUX_SLL2_: case DLT_PPP_SERIAL_: case DLT_PPP_ETHER_:
	case DLT_C_HDLC_: case DLT_IEEE802_11_: case DLT_PFLOG_:
	case DLT_IEEE802_11_RADIO_: case DLT_IPNET_: case DLT_NFLOG_:
		return 1;
	}
	return 0;
}

int
decode_init(struct decoder *d, const struct limits *lim)
{
	memset(d, 0, sizeof(*d));
	d->lim = lim;
	d->frag = frag_new(lim);
	return d->frag != NULL ? 0 : -1;
}

void
decode_free(struct decoder *d)
{
	frag_free(d->frag);
	d->frag = NULL;
}

void
decode_expire(struct decoder *d, uint64_t now_us)
{
	if (d->frag != NULL)
		frag_expire(d, d->frag, now_us);
}

/*
 * BSD loopback (DLT_NULL/DLT_LOOP): a 32-bit address family.  AF_INET is
 * 2 everywhere; AF_INET6 is 10 on Linux, 24 on NetBSD/OpenBSD, 28 on
 * FreeBSD, 30 on macOS.  DLT_NULL is in the capturing host's byte order,
 * which we do not know: a value above 0xffff is the other order.
 */
static enum parse_result
null_decode(struct dctx *ctx, struct cur *c, int net_order)
{
	uint32_t af;

	if ((net_order ? cur_be32(c, &af) : cur_le32(c, &af)) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (af > 0xffff)
		af = __builtin_bswap32(af);
	switch (af) {
	case 2:
		return ipv4_decode(ctx, c);
	case 10: case 24: case 28: case 30:
		return ipv6_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
}

static enum parse_result
link_demux(struct dctx *ctx, int dlt, struct cur *c)
{
	switch (dlt) {
	case DLT_EN10MB_:
		return eth_decode(ctx, c);
	case DLT_NULL_:
		return null_decode(ctx, c, 0);
	case DLT_LOOP_:
		return null_decode(ctx, c, 1);
	case DLT_RAW12_: case DLT_RAW14_: case LINKTYPE_RAW_:
		return ip_version_demux(ctx, c);
	case LINKTYPE_IPV4_:
		return ipv4_decode(ctx, c);
	case LINKTYPE_IPV6_:
		return ipv6_decode(ctx, c);
	case DLT_LINUX_SLL_:
		return sll_decode(ctx, c);
	case DLT_LINUX_SLL2_:
		return sll2_decode(ctx, c);
	case DLT_PPP_:
		return ppp_decode(ctx, c);
	case DLT_PPP_SERIAL_:
		return ppp_serial_decode(ctx, c);
	case DLT_PPP_ETHER_:
		return pppoe_decode(ctx, c);
	case DLT_C_HDLC_:
		return chdlc_decode(ctx, c);
	case DLT_IEEE802_11_:
		return wifi_decode(ctx, c);
	case DLT_IEEE802_11_RADIO_:
		return radiotap_decode(ctx, c);
	case DLT_PFLOG_:
		return pflog_decode(ctx, c);
	case DLT_IPNET_:
		return ipnet_decode(ctx, c);
	case DLT_NFLOG_:
		return nflog_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_UNKNOWN_LINKTYPE);
}

/*
 * The fast path: untagged Ethernet, IPv4 without options or
 * fragmentation, TCP, whole datagram captured -- nearly every packet of a
 * bulk transfer.  One function, the same cursor reads and the same checks
 * as eth.c/ipv4.c/tcp.c, the same fields set; anything else (or anything
 * odd) returns 0 untouched and takes the general path, which also does all
 * the error counting.  tests/unit/decode_test.c checks that both paths
 * agree on every frame it decodes.  (Not a layer, so not a parse_result:
 * 1 = done here, 0 = ask the layers, never a drop.)
 *
 *   Ethernet: dst(6) src(6) type(2)=0x0800
 *   IPv4:     vhl(1)=0x45 tos(1) tot(2) id(2) frag(2) ttl(1) proto(1)=6
 *             csum(2) src(4) dst(4)
 *   TCP:      sport(2) dport(2) seq(4) ack(4) off(1) flags(1) win(2) ...
 */
static int
decode_fast(struct decoder *d, struct cur c, size_t wire_len, struct pkt *p)
{
	struct cur ip, h;
	const uint8_t *l3;
	uint16_t type, tot, fragf, sport, dport, win;
	uint32_t seq, ack;
	uint8_t vhl, proto, off, flags;
	size_t hlen;

	if (cur_skip(&c, 12) != 0 || cur_be16(&c, &type) != 0 ||
	    type != ETHERTYPE_IPV4)
		return 0;
	l3 = cur_ptr(&c);
	ip = c;
	if (cur_u8(&ip, &vhl) != 0 || vhl != 0x45 || cur_skip(&ip, 1) != 0 ||
	    cur_be16(&ip, &tot) != 0 || cur_skip(&ip, 2) != 0 ||
	    cur_be16(&ip, &fragf) != 0 || (fragf & 0x3fff) != 0 ||
	    cur_skip(&ip, 1) != 0 || cur_u8(&ip, &proto) != 0 ||
	    proto != IPPROTO_TCP_ || tot < 40 || cur_sub(&c, tot, &ip) != 0)
		return 0;
	/* ip: exactly the datagram (Ethernet padding trimmed) */
	if (cur_skip(&ip, 12) != 0 || cur_bytes(&ip, p->src, 4) != 0 ||
	    cur_bytes(&ip, p->dst, 4) != 0)
		return 0;
	h = ip;
	if (cur_be16(&h, &sport) != 0 || cur_be16(&h, &dport) != 0 ||
	    cur_be32(&h, &seq) != 0 || cur_be32(&h, &ack) != 0 ||
	    cur_u8(&h, &off) != 0 || cur_u8(&h, &flags) != 0 ||
	    cur_be16(&h, &win) != 0)
		return 0;
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20 || hlen > cur_left(&ip))
		return 0;
	memset(p->src + 4, 0, 12);
	memset(p->dst + 4, 0, 12);
	p->family = 4;
	p->l3 = l3;
	p->l3_len = tot;
	p->payload_missing = 0;
	p->proto = IPPROTO_TCP_;
	p->sport = sport;
	p->dport = dport;
	p->seq = seq;
	p->ack = ack;
	p->win = win;
	p->tcp_flags = flags;
	p->l4 = cur_ptr(&ip);
	p->l4_len = cur_left(&ip);
	(void)cur_skip(&ip, hlen);
	p->payload = cur_ptr(&ip);
	p->payload_len = cur_left(&ip);
	p->wire_len = (uint32_t)wire_len;
	d->st.ipv4++;
	d->st.tcp++;
	return 1;
}

/* The general path: every link type and layer, with error counting.  Out
 * of line: the fast path's caller stays a small frame. */
static __attribute__((noinline)) int
decode_slow(struct decoder *d, int dlt, struct cur c, size_t caplen,
    size_t wire_len, struct pkt *p)
{
	struct dctx ctx;

	ctx.d = d;
	ctx.p = p;
	ctx.depth = 0;
	ctx.cut = caplen < wire_len;
	p->wire_len = (uint32_t)wire_len;
	if (link_demux(&ctx, dlt, &c) != PARSE_OK)
		return 0;
	if (p->payload_missing > 0)
		d->st.reason[DEC_SNAPLEN]++;
	if (p->proto == IPPROTO_TCP_)
		d->st.tcp++;
	else
		d->st.udp++;
	return 1;
}

int
decode_packet(struct decoder *d, int dlt, const uint8_t *frame,
    size_t caplen, size_t wire_len, uint64_t ts_us, struct pkt *p)
{
	struct cur c;

	d->st.frames++;
	d->st.bytes += wire_len;
	p->ts_us = ts_us;
	p->nvlan = 0;
	p->tunneled = 0;
	cur_init(&c, frame, caplen);
	if (dlt == DLT_EN10MB_ && !d->no_fast_path && decode_fast(d, c,
	    wire_len, p))
		return 1;
	return decode_slow(d, dlt, c, caplen, wire_len, p);
}


/* First nibble of the payload picks IPv4 or IPv6 (raw IP, MPLS, GTP). */
enum parse_result
ip_version_demux(struct dctx *ctx, struct cur *c)
{
	uint8_t v;

	if (cur_peek_u8(c, 0, &v) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	switch (v >> 4) {
	case 4:
		return ipv4_decode(ctx, c);
	case 6:
		return ipv6_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
}

/*
 * IP protocol demux (IANA protocol numbers), shared by IPv4 and IPv6.
 * TCP is tested before the switch: with the tunnel protocols the switch
 * became a jump table, which cost the common case 4 instructions more
 * (callgrind, a replay of the bench capture).
 */
enum parse_result
ip_demux(struct dctx *ctx, uint8_t proto, struct cur *c, size_t missing)
{
	if (proto == IPPROTO_TCP_)
		return tcp_decode(ctx, c, missing);
	switch (proto) {
	case IPPROTO_UDP_:
		return udp_decode(ctx, c, missing);
	case IPPROTO_IPIP_:		/* RFC 2003 */
		if (dctx_tunnel(ctx, NOTE_IPIP) != PARSE_OK)
			return PARSE_BAD;
		return ipv4_decode(ctx, c);
	case IPPROTO_IPV6_:		/* RFC 4213, RFC 2473 */
		if (dctx_tunnel(ctx, NOTE_IPIP) != PARSE_OK)
			return PARSE_BAD;
		return ipv6_decode(ctx, c);
	case IPPROTO_GRE_:
		return gre_decode(ctx, c);
	case IPPROTO_AH_:		/* IPv4; IPv6 walks it as an ext. */
		return ah_decode(ctx, c, missing);
	case IPPROTO_L2TP_:
		return l2tpv3_ip_decode(ctx, c);
	}
	return dctx_fail(ctx, DEC_OTHER_L4);
}

/*
 * RFC 1071 one's complement sum over 16-bit big-endian words.  Words are
 * added two at a time into 64 bits (RFC 1071 2(A): the sum may be taken
 * over wider words and folded at the end); a 1500-byte segment is 375
 * iterations.  The result is folded back to 32 bits for csum_fold().
 */
uint32_t
csum_add(uint32_t sum, struct cur c)
{
	uint64_t acc = sum;
	uint32_t w;
	uint16_t h;
	uint8_t b;

	while (cur_be32(&c, &w) == 0)
		acc += w;
	if (cur_be16(&c, &h) == 0)
		acc += (uint32_t)h << 16;
	if (cur_u8(&c, &b) == 0)
		acc += (uint32_t)b << 8;
	/* 32-bit words sum to 16-bit words: fold the halves together */
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 793 / RFC 768 / RFC 8200 8.1 pseudo-header plus segment. */
int
decode_l4_csum_check(struct decoder *d, const struct pkt *p)
{
	struct cur c;
	uint32_t sum;
	uint16_t field;
	size_t alen = p->family == 4 ? 4 : 16;
	int tcp = p->proto == IPPROTO_TCP_;

	if (p->payload_missing > 0 || p->l4 == NULL)
		return -1;
	cur_init(&c, p->l4, p->l4_len);
	if (cur_peek_be16(&c, tcp ? 16 : 6, &field) != 0)
		return -1;
	if (!tcp && field == 0 && p->family == 4)
		return -1;	/* RFC 768: no checksum computed */
	sum = (uint32_t)p->proto + (uint32_t)(p->l4_len & 0xffff) +
	    (uint32_t)(p->l4_len >> 16);
	{
		struct cur a;

		cur_init(&a, p->src, alen);
		sum = csum_add(sum, a);
		cur_init(&a, p->dst, alen);
		sum = csum_add(sum, a);
	}
	sum = csum_add(sum, c);
	if (csum_fold(sum) == 0)
		return 1;
	d->st.note[tcp ? NOTE_TCP_BAD_CSUM : NOTE_UDP_BAD_CSUM]++;
	return 0;
}

static const char *const reason_names[DEC_REASON_MAX] = {
	[DEC_OK] = "ok",
	[DEC_TRUNC_LINK] = "link_trunc",
	[DEC_UNKNOWN_LINKTYPE] = "unknown_linktype",
	[DEC_UNKNOWN_ETHERTYPE] = "unknown_ethertype",
	[DEC_VLAN_TRUNC] = "vlan_trunc",
	[DEC_MPLS_TRUNC] = "mpls_trunc",
	[DEC_MPLS_UNKNOWN_PAYLOAD] = "mpls_unknown_payload",
	[DEC_PPPOE_BAD] = "pppoe_bad",
	[DEC_PPP_NOT_IP] = "ppp_not_ip",
	[DEC_TOO_DEEP] = "too_deep",
	[DEC_IPV4_TRUNC] = "ipv4_trunc",
	[DEC_IPV4_BAD_VERSION] = "ipv4_bad_version",
	[DEC_IPV4_BAD_HLEN] = "ipv4_bad_hlen",
	[DEC_IPV4_BAD_LEN] = "ipv4_bad_len",
	[DEC_IPV4_OPT_BAD] = "ipv4_opt_bad",
	[DEC_IPV6_TRUNC] = "ipv6_trunc",
	[DEC_IPV6_BAD_VERSION] = "ipv6_bad_version",
	[DEC_IPV6_EXT_BAD] = "ipv6_ext_bad",
	[DEC_FRAG_HELD] = "frag_held",
	[DEC_FRAG_BAD] = "frag_bad",
	[DEC_FRAG_CAP] = "frag_cap",
	[DEC_FRAG_TIMEOUT] = "frag_timeout",
	[DEC_GRE_BAD] = "gre_bad",
	[DEC_GRE_UNKNOWN] = "gre_unknown",
	[DEC_ERSPAN_BAD] = "erspan_bad",
	[DEC_VXLAN_BAD] = "vxlan_bad",
	[DEC_GENEVE_BAD] = "geneve_bad",
	[DEC_GTP_BAD] = "gtp_bad",
	[DEC_TCP_TRUNC] = "tcp_trunc",
	[DEC_TCP_BAD_HLEN] = "tcp_bad_hlen",
	[DEC_UDP_TRUNC] = "udp_trunc",
	[DEC_UDP_BAD_LEN] = "udp_bad_len",
	[DEC_OTHER_L4] = "other_l4",
	[DEC_SNAPLEN] = "snaplen",
	[DEC_L2TAG_BAD] = "l2tag_bad",
	[DEC_LLC_BAD] = "llc_bad",
	[DEC_NSH_BAD] = "nsh_bad",
	[DEC_L2TP_BAD] = "l2tp_bad",
	[DEC_AH_BAD] = "ah_bad",
	[DEC_NFLOG_BAD] = "nflog_bad",
	[DEC_WIFI_BAD] = "wifi_bad",
	[DEC_WIFI_SKIPPED] = "wifi_skipped",
	[DEC_WIFI_PROTECTED] = "wifi_protected",
};

static const char *const note_names[NOTE_MAX] = {
	[NOTE_IPV4_BAD_CSUM] = "ipv4_bad_csum",
	[NOTE_TCP_BAD_CSUM] = "tcp_bad_csum",
	[NOTE_UDP_BAD_CSUM] = "udp_bad_csum",
	[NOTE_IPV4_FRAG_REASSEMBLED] = "ipv4_frag_reassembled",
	[NOTE_IPV6_FRAG_REASSEMBLED] = "ipv6_frag_reassembled",
	[NOTE_VLAN] = "vlan",
	[NOTE_MPLS] = "mpls",
	[NOTE_PPPOE] = "pppoe",
	[NOTE_GRE] = "gre",
	[NOTE_ERSPAN] = "erspan",
	[NOTE_VXLAN] = "vxlan",
	[NOTE_GENEVE] = "geneve",
	[NOTE_GTP] = "gtp",
	[NOTE_IPIP] = "ipip",
	[NOTE_LLC_SNAP] = "llc_snap",
	[NOTE_PBB] = "pbb",
	[NOTE_VNTAG] = "vntag",
	[NOTE_ETAG] = "etag",
	[NOTE_CMD] = "cisco_metadata",
	[NOTE_FABRICPATH] = "fabricpath",
	[NOTE_NSH] = "nsh",
	[NOTE_PPTP] = "pptp",
	[NOTE_L2TP] = "l2tp",
	[NOTE_TEREDO] = "teredo",
	[NOTE_AH] = "ah",
	[NOTE_WIFI] = "wifi",
	[NOTE_MPLS_PW_ETH] = "mpls_pw_eth",
};

const char *
decode_reason_name(enum decode_reason r)
{
	if ((unsigned)r >= DEC_REASON_MAX || reason_names[r] == NULL)
		return "unknown";
	return reason_names[r];
}

const char *
decode_note_name(enum decode_note n)
{
	if ((unsigned)n >= NOTE_MAX || note_names[n] == NULL)
		return "unknown";
	return note_names[n];
}
