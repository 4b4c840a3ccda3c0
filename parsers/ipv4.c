/*
 * ipv4.c - IPv4 (RFC 791).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |Type of Service|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IHL below 5 or a Total Length below IHL*4 is malformed.  Bytes after
 * Total Length are link padding (Ethernet's 60-byte minimum) and are cut
 * off.  A Total Length past the capture is a snaplen cut when the frame
 * was captured short (caplen < wire length), else a truncated packet.
 * A bad header checksum is only a note: checksum offload on the capturing
 * host produces them by the million and the packet is still real.  It is
 * checked on request, decode_ip_csum_check(), like the L4 checksum.
 */
#include "decode_int.h"

#include <string.h>

/* RFC 791 3.1: option 0 ends the list, 1 is one byte, others are TLV. */
static int
ipv4_opts_ok(struct cur o)
{
	uint8_t type, len;

	while (cur_u8(&o, &type) == 0) {
		if (type == 0)
			return 1;
		if (type == 1)
			continue;
		if (cur_u8(&o, &len) != 0 || len < 2 ||
		    cur_skip(&o, (size_t)len - 2) != 0)
			return 0;
	}
	return 1;
}

static enum parse_result
ipv4_frag(struct dctx *ctx, uint8_t proto, uint16_t fragf, uint16_t id,
    struct cur *pl, size_t missing)
{
	struct frag_in fi;
	struct cur whole;
	enum parse_result r;

	if (missing > 0)
		return dctx_fail(ctx, DEC_SNAPLEN);
	fi.family = 4;
	fi.proto = proto;
	fi.more = (fragf & 0x2000) != 0;
	fi.id = id;
	fi.off = (uint32_t)(fragf & 0x1fff) * 8;
	fi.src = ctx->p->src;
	fi.dst = ctx->p->dst;
	fi.data = *pl;
	if ((r = frag_input(ctx, &fi, &whole)) != PARSE_OK)
		return r;	/* held (PARSE_MORE) or dropped */
	dctx_note(ctx, NOTE_IPV4_FRAG_REASSEMBLED);
	return ipv4_decode(ctx, &whole);
}

/* Split the payload off by Total Length; see the comment on top. */
static int
ipv4_payload(struct dctx *ctx, struct cur *c, size_t plen, struct cur *pl,
    size_t *missing)
{
	*missing = 0;
	if (cur_sub(c, plen, pl) == 0)
		return 0;
	if (!ctx->cut)
		return -1;
	*missing = plen - cur_left(c);
	*pl = *c;
	return 0;
}

/* RFC 1071 sum of a header (at most 60 bytes: no carry overflow). */
static int
ipv4_csum_ok(struct cur h)
{
	uint64_t sum = 0;
	uint32_t w;

	while (cur_be32(&h, &w) == 0)
		sum += w;
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * The header checksum of the innermost IPv4 header, checked only for
 * packets that are processed (not on bypassed flows): one more pass over
 * the header per packet otherwise, for a note.
 */
int
decode_ip_csum_check(struct decoder *d, const struct pkt *p)
{
	struct cur c, h;
	uint8_t vhl;

	if (p->family != 4 || p->l3 == NULL)
		return -1;
	cur_init(&c, p->l3, p->l3_len);
	if (cur_peek_u8(&c, 0, &vhl) != 0 ||
	    cur_sub(&c, (size_t)(vhl & 0x0f) * 4, &h) != 0)
		return -1;
	if (ipv4_csum_ok(h))
		return 1;
	d->st.note[NOTE_IPV4_BAD_CSUM]++;
	return 0;
}

enum parse_result
ipv4_decode(struct dctx *ctx, struct cur *c)
{
	struct pkt *p = ctx->p;
	const uint8_t *l3 = cur_ptr(c);
	struct cur hdr, h, pl;
	uint8_t vhl, proto;
	uint16_t tot, id, fragf;
	size_t hlen, missing;

	if (cur_peek_u8(c, 0, &vhl) != 0)
		return dctx_fail(ctx, DEC_IPV4_TRUNC);
	if (vhl >> 4 != 4)
		return dctx_fail(ctx, DEC_IPV4_BAD_VERSION);
	hlen = (size_t)(vhl & 0x0f) * 4;
	if (hlen < 20)
		return dctx_fail(ctx, DEC_IPV4_BAD_HLEN);
	if (cur_sub(c, hlen, &hdr) != 0)
		return dctx_fail(ctx, DEC_IPV4_TRUNC);
	ctx->d->st.ipv4++;
	h = hdr;
	if (cur_skip(&h, 2) != 0 || cur_be16(&h, &tot) != 0 ||
	    cur_be16(&h, &id) != 0 || cur_be16(&h, &fragf) != 0 ||
	    cur_skip(&h, 1) != 0 || cur_u8(&h, &proto) != 0 ||
	    cur_skip(&h, 2) != 0 || cur_bytes(&h, p->src, 4) != 0 ||
	    cur_bytes(&h, p->dst, 4) != 0)
		return dctx_fail(ctx, DEC_IPV4_TRUNC);
	memset(p->src + 4, 0, 12);
	memset(p->dst + 4, 0, 12);
	if (tot < hlen)
		return dctx_fail(ctx, DEC_IPV4_BAD_LEN);
	if (ipv4_payload(ctx, c, tot - hlen, &pl, &missing) != 0)
		return dctx_fail(ctx, DEC_IPV4_TRUNC);
	if (hlen > 20 && !ipv4_opts_ok(h))
		return dctx_fail(ctx, DEC_IPV4_OPT_BAD);
	if ((fragf & 0x3fff) != 0)
		return ipv4_frag(ctx, proto, fragf, id, &pl, missing);
	p->family = 4;
	p->l3 = l3;
	p->l3_len = hlen + cur_left(&pl);
	p->payload_missing = missing;
	return ip_demux(ctx, proto, &pl, missing);
}

/*
 * IPsec AH (RFC 4302 section 2) after an IPv4 header; IPv6 walks it in
 * its extension header chain (ipv6.c).  AH authenticates but does not
 * encrypt: the transport header follows in clear.
 *  | Next Header | Payload Len | Reserved (16) |
 *  | Security Parameters Index (32) | Sequence Number (32) | ICV ... |
 * Payload Len is the AH length in 4-byte words minus 2; the fixed part
 * alone is 3 words, so a value below 1 is malformed.  One layer each.
 */
enum parse_result
ah_decode(struct dctx *ctx, struct cur *c, size_t missing)
{
	uint8_t next, len;

	if (cur_u8(c, &next) != 0 || cur_u8(c, &len) != 0 || len < 1 ||
	    cur_skip(c, ((size_t)len + 2) * 4 - 2) != 0)
		return dctx_fail(ctx, DEC_AH_BAD);
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, NOTE_AH);
	return ip_demux(ctx, next, c, missing);
}
