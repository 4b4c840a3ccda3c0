/*
 * decode.h - link layer to transport: one call per captured frame.
 *
 * decode_packet() walks the layers (one parser file each, each with a
 * demux switch that calls the next) and fills a struct pkt describing the
 * innermost IP/TCP/UDP packet.  Nothing here allocates per packet except
 * the IP fragment reassembler, which is bounded by struct limits.
 *
 * Every reason a frame is not handed to the flow layer is counted in
 * struct decode_stats; none of them is fatal.
 */
#ifndef ROOTWATCH_DECODE_H
#define ROOTWATCH_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../sensor/limits.h"

/* Counted outcomes.  Keep decode_reason_name() in decode.c in step. */
enum decode_reason {
	DEC_OK = 0,
	DEC_TRUNC_LINK,		/* frame shorter than its link header */
	DEC_UNKNOWN_LINKTYPE,
	DEC_UNKNOWN_ETHERTYPE,	/* not IP after link layers (ARP, LLDP...) */
	DEC_VLAN_TRUNC,
	DEC_MPLS_TRUNC,
	DEC_MPLS_UNKNOWN_PAYLOAD,
	DEC_PPPOE_BAD,
	DEC_PPP_NOT_IP,
	DEC_TOO_DEEP,		/* more than LIM_DECAP_DEPTH layers */
	DEC_IPV4_TRUNC,
	DEC_IPV4_BAD_VERSION,
	DEC_IPV4_BAD_HLEN,
	DEC_IPV4_BAD_LEN,	/* total length below header length */
	DEC_IPV4_OPT_BAD,
	DEC_IPV6_TRUNC,
	DEC_IPV6_BAD_VERSION,
	DEC_IPV6_EXT_BAD,
	DEC_FRAG_HELD,		/* fragment stored, datagram not complete yet */
	DEC_FRAG_BAD,		/* overlapping/oversized/inconsistent fragment */
	DEC_FRAG_CAP,		/* fragment dropped: trains or memory cap hit */
	DEC_FRAG_TIMEOUT,	/* train expired incomplete */
	DEC_GRE_BAD,
	DEC_GRE_UNKNOWN,	/* GRE payload type we do not decode */
	DEC_ERSPAN_BAD,
	DEC_VXLAN_BAD,
	DEC_GENEVE_BAD,
	DEC_GTP_BAD,
	DEC_TCP_TRUNC,
	DEC_TCP_BAD_HLEN,
	DEC_UDP_TRUNC,
	DEC_UDP_BAD_LEN,
	DEC_OTHER_L4,		/* ICMP, SCTP...: not tracked */
	DEC_SNAPLEN,		/* payload cut by the capture snaplen (counted, still decoded) */
	DEC_L2TAG_BAD,		/* PBB I-tag, VN-Tag, E-Tag, Cisco MetaData */
	DEC_LLC_BAD,		/* 802.3 length past the frame, short LLC/SNAP */
	DEC_NSH_BAD,		/* RFC 8300: version, length, next protocol */
	DEC_L2TP_BAD,
	DEC_AH_BAD,		/* IPv4 AH header past the datagram */
	DEC_NFLOG_BAD,		/* DLT_NFLOG: bad TLV, no payload TLV */
	DEC_WIFI_BAD,		/* radiotap or 802.11 header malformed, bad FCS */
	DEC_WIFI_SKIPPED,	/* 802.11 management, control, null, fragments */
	DEC_WIFI_PROTECTED,	/* 802.11 data frame encrypted: nothing to see */
	DEC_REASON_MAX
};

/* Facts about a frame that are not errors, counted too. */
enum decode_note {
	NOTE_IPV4_BAD_CSUM,	/* checksum offload makes these normal */
	NOTE_TCP_BAD_CSUM,
	NOTE_UDP_BAD_CSUM,
	NOTE_IPV4_FRAG_REASSEMBLED,
	NOTE_IPV6_FRAG_REASSEMBLED,
	NOTE_VLAN,
	NOTE_MPLS,
	NOTE_PPPOE,
	NOTE_GRE,
	NOTE_ERSPAN,
	NOTE_VXLAN,
	NOTE_GENEVE,
	NOTE_GTP,
	NOTE_IPIP,		/* IP in IP (4in4, 6in4, 4in6, 6in6) */
	NOTE_LLC_SNAP,		/* 802.3 length + LLC/SNAP, Ethertype inside */
	NOTE_PBB,		/* 802.1ah I-tag */
	NOTE_VNTAG,		/* Cisco VN-Tag 0x8926 */
	NOTE_ETAG,		/* 802.1BR E-Tag 0x893f */
	NOTE_CMD,		/* Cisco MetaData 0x8909 */
	NOTE_FABRICPATH,	/* Cisco FabricPath 0x8903 */
	NOTE_NSH,
	NOTE_PPTP,		/* enhanced GRE (version 1) */
	NOTE_L2TP,		/* L2TPv2 or L2TPv3 data message */
	NOTE_TEREDO,
	NOTE_AH,		/* IPsec AH skipped (IPv4 or IPv6) */
	NOTE_WIFI,		/* 802.11 data frame, LLC/SNAP */
	NOTE_MPLS_PW_ETH,	/* Ethernet pseudowire found behind MPLS */
	NOTE_MAX
};

struct decode_stats {
	uint64_t	frames;
	uint64_t	bytes;		/* wire length sum */
	uint64_t	ipv4, ipv6, tcp, udp;
	uint64_t	reason[DEC_REASON_MAX];
	uint64_t	note[NOTE_MAX];
};

/* TCP flag bits as on the wire. */
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PUSH	0x08
#define TH_ACK	0x10
#define TH_URG	0x20

/*
 * The innermost transport packet.  Pointers point into the captured frame
 * (or the fragment reassembler's buffer) and are valid only until the next
 * decode_packet() call on the same decoder: copy what you keep.
 */
struct pkt {
	uint64_t	 ts_us;		/* packet time, microseconds since epoch */
	uint32_t	 wire_len;	/* length on the wire of the outer frame */
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t		 nvlan;
	uint8_t		 tunneled;	/* decapsulated from a tunnel */
	uint16_t	 vlan[LIM_VLAN_IDS];
	uint8_t		 src[16];	/* IPv4 in the first 4 bytes, rest 0 */
	uint8_t		 dst[16];
	uint16_t	 sport;
	uint16_t	 dport;
	/* TCP only */
	uint8_t		 tcp_flags;
	uint32_t	 seq;
	uint32_t	 ack;
	uint16_t	 win;
	/* Innermost IP header through end of datagram (for nDPI). */
	const uint8_t	*l3;
	size_t		 l3_len;
	/* Transport header through end of datagram as captured (checksum). */
	const uint8_t	*l4;
	size_t		 l4_len;
	/* Transport payload present in the capture. */
	const uint8_t	*payload;
	size_t		 payload_len;
	/* Payload bytes the IP header promised but snaplen cut off. */
	size_t		 payload_missing;
};

struct frag_table;

struct decoder {
	struct decode_stats	 st;
	int			 no_fast_path;	/* tests: general path only */
	struct frag_table	*frag;	/* IP fragment reassembly (may be NULL) */
	const struct limits	*lim;
};

/* Link types we read, as pcap DLT_* numbers. */
int	decode_linktype_supported(int dlt);

int	decode_init(struct decoder *, const struct limits *);
void	decode_free(struct decoder *);

/*
 * Decode one frame of link type dlt.  Returns 1 and fills *p when the frame
 * carries a TCP or UDP packet for the flow layer, 0 otherwise (the reason
 * is counted in d->st).  wire_len is the original frame length.
 */
int	decode_packet(struct decoder *d, int dlt, const uint8_t *frame,
	    size_t caplen, size_t wire_len, uint64_t ts_us, struct pkt *p);

/*
 * Verify the TCP or UDP checksum of a packet decode_packet() returned.  Not
 * done inside decode_packet() because it costs a pass over the payload:
 * call it only for packets actually processed.  Counts NOTE_TCP_BAD_CSUM /
 * NOTE_UDP_BAD_CSUM.  Returns 1 ok, 0 bad, -1 cannot tell (payload cut by
 * snaplen, UDP over IPv4 without checksum).  Never a reason to drop.
 */
int	decode_l4_csum_check(struct decoder *d, const struct pkt *p);

/*
 * Verify the header checksum of the innermost IPv4 header of a packet
 * decode_packet() returned (outer tunnel headers are not checked); same
 * reason and contract as decode_l4_csum_check(): counts NOTE_IPV4_BAD_CSUM,
 * returns 1 ok, 0 bad, -1 not IPv4.
 */
int	decode_ip_csum_check(struct decoder *d, const struct pkt *p);

/* Expire fragment trains older than the timeout at packet time now_us. */
void	decode_expire(struct decoder *d, uint64_t now_us);

const char *decode_reason_name(enum decode_reason);
const char *decode_note_name(enum decode_note);

#endif
