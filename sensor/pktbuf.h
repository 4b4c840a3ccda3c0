/*
 * pktbuf.h - the frames of a handshake, kept for evidence.
 *
 * While evidence bundles are on (rootwatch(8) EVIDENCE), each flow that is
 * not bypassed keeps a copy of its frames, both directions, from the
 * first one seen until the TLS layer is done with the server's flight:
 * that is when the session is reported, and an alert writes its bundle's
 * pcap from these copies.  The flow is bypassed right after, and the
 * copies go with the bypass, so a flow that does not alert holds them
 * for its handshake only.  Bounded per flow (evidence.flow-bytes, about
 * both directions' reassembly depth) and over all flows
 * (evidence.memcap); past either, the flow's copy is marked truncated and
 * the cap hit counted.
 */
#ifndef ROOTWATCH_PKTBUF_H
#define ROOTWATCH_PKTBUF_H

#include <stddef.h>
#include <stdint.h>

struct pkt;
struct privacy;

struct pktbuf_stats {
	uint64_t	frames;		/* frames copied */
	uint64_t	flows;		/* flows that held a copy */
	uint64_t	mem_in_use;
	uint64_t	mem_peak;
	uint64_t	flow_cap_hits;	/* frames refused: flow-bytes */
	uint64_t	memcap_hits;	/* frames refused: memcap */
	uint64_t	skipped;	/* frames with no IP header of their
					   own (reassembled fragments) or
					   another link type */
};

struct pktbuf_ctx {
	uint64_t		flow_max;	/* bytes per flow */
	uint64_t		memcap;		/* bytes over all flows */
	struct pktbuf_stats	st;
};

struct pktbuf;

/* A growable byte buffer (pcap and bundle files are built in memory). */
struct bytes {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
	int		 oom;
};

void	bytes_add(struct bytes *, const void *, size_t);
void	bytes_free(struct bytes *);

void	pktbuf_ctx_init(struct pktbuf_ctx *, uint64_t flow_max,
	    uint64_t memcap);
/*
 * Copy one frame of link type dlt carrying p, sent by side dir of the
 * flow, into *pb (created on the first frame).  Never fails the caller:
 * a frame it cannot keep marks the copy truncated.
 */
void	pktbuf_add(struct pktbuf_ctx *, struct pktbuf **pb, int dlt,
	    const uint8_t *frame, size_t caplen, size_t wire_len,
	    const struct pkt *p, int dir);
void	pktbuf_release(struct pktbuf_ctx *, struct pktbuf **pb);

size_t	pktbuf_frames(const struct pktbuf *);
int	pktbuf_truncated(const struct pktbuf *);

/*
 * The frames as a classic pcap file (microseconds, the capture's link
 * type) appended to out.  pv non-NULL: the client's IP address (client:
 * 4 or 16 bytes of family) is replaced by its pseudonym wherever it is
 * an IP source or destination, the client's Ethernet address likewise,
 * and the IPv4, TCP and UDP checksums are computed again.
 */
void	pktbuf_pcap(const struct pktbuf *, struct bytes *out,
	    const struct privacy *pv, int family, const uint8_t *client);

#endif
