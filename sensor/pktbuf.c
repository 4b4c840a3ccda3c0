/*
 * pktbuf.c - per-flow frame copies for evidence, and the pcap writer.
 * See pktbuf.h.
 */
#include "pktbuf.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <pcap/dlt.h>

#include "privacy.h"
#include "xmalloc.h"
#include "../parsers/decode.h"

#define PB_NONE		UINT32_MAX

struct pb_frame {
	struct pb_frame	*next;
	uint64_t	 ts_us;
	uint32_t	 caplen;
	uint32_t	 wire_len;
	uint32_t	 l3_off;	/* innermost IP header, PB_NONE: none */
	uint32_t	 l4_off;	/* TCP/UDP header */
	uint32_t	 l4_len;	/* captured bytes from l4_off */
	uint8_t		 family;
	uint8_t		 proto;
	uint8_t		 l4_whole;	/* the whole segment was captured */
	uint8_t		 data[];
};

struct pktbuf {
	struct pb_frame	*head;
	struct pb_frame	*tail;
	size_t		 n;
	uint64_t	 bytes;		/* held, headers included */
	int		 dlt;
	int		 truncated;
};

void
bytes_add(struct bytes *b, const void *p, size_t n)
{
	size_t ncap;
	uint8_t *np;

	if (b->oom || n == 0)
		return;
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return;
	}
	if (b->len + n > b->cap) {
		ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n)
			ncap *= 2;
		if ((np = xreallocarray(b->p, ncap, 1)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
bytes_free(struct bytes *b)
{
	xfree(b->p);
	memset(b, 0, sizeof(*b));
}

void
pktbuf_ctx_init(struct pktbuf_ctx *c, uint64_t flow_max, uint64_t memcap)
{
	memset(c, 0, sizeof(*c));
	c->flow_max = flow_max;
	c->memcap = memcap;
}

/* Offset of q in frame when need bytes from q lie within it. */
static uint32_t
off_in(const uint8_t *frame, size_t caplen, const uint8_t *q, size_t need)
{
	uintptr_t b = (uintptr_t)frame, x = (uintptr_t)q;

	if (q == NULL || x < b || x - b > caplen || caplen - (x - b) < need)
		return PB_NONE;
	return (uint32_t)(x - b);
}

static void
pb_account(struct pktbuf_ctx *c, uint64_t n)
{
	c->st.mem_in_use += n;
	if (c->st.mem_in_use > c->st.mem_peak)
		c->st.mem_peak = c->st.mem_in_use;
}

static struct pktbuf *
pb_new(struct pktbuf_ctx *c, int dlt)
{
	struct pktbuf *pb;

	if (c->st.mem_in_use + sizeof(*pb) > c->memcap) {
		c->st.memcap_hits++;
		return NULL;
	}
	if ((pb = xcalloc(1, sizeof(*pb))) == NULL)
		return NULL;
	pb->dlt = dlt;
	pb->bytes = sizeof(*pb);
	pb_account(c, sizeof(*pb));
	c->st.flows++;
	return pb;
}

/* Room for need more bytes in pb: 0, or -1 with the cap counted. */
static int
pb_room(struct pktbuf_ctx *c, struct pktbuf *pb, uint64_t need)
{
	if (pb->bytes + need > c->flow_max) {
		if (!pb->truncated)
			c->st.flow_cap_hits++;
		pb->truncated = 1;
		return -1;
	}
	if (c->st.mem_in_use + need > c->memcap) {
		c->st.memcap_hits++;
		pb->truncated = 1;
		return -1;
	}
	return 0;
}

static void
pb_offsets(struct pb_frame *fr, const uint8_t *frame, size_t caplen,
    const struct pkt *p)
{
	fr->family = p->family;
	fr->proto = p->proto;
	fr->l3_off = off_in(frame, caplen, p->l3, p->family == 6 ? 40 : 20);
	fr->l4_off = off_in(frame, caplen, p->l4,
	    p->proto == IPPROTO_TCP ? 18 : 8);
	fr->l4_len = fr->l4_off == PB_NONE ? 0 :
	    (uint32_t)(caplen - fr->l4_off);
	if (fr->l4_len > p->l4_len)
		fr->l4_len = (uint32_t)p->l4_len;
	fr->l4_whole = p->payload_missing == 0 && fr->l4_off != PB_NONE &&
	    fr->l4_len == p->l4_len;
}

void
pktbuf_add(struct pktbuf_ctx *c, struct pktbuf **pbp, int dlt,
    const uint8_t *frame, size_t caplen, size_t wire_len,
    const struct pkt *p, int dir)
{
	struct pktbuf *pb = *pbp;
	struct pb_frame *fr;
	uint64_t need = sizeof(*fr) + caplen;

	(void)dir;
	if (pb == NULL && (pb = *pbp = pb_new(c, dlt)) == NULL)
		return;
	/* A reassembled fragment's IP header is not in this frame: the
	 * frame alone would not show the packet, and privacy mode could not
	 * find the addresses to replace. */
	if (dlt != pb->dlt || off_in(frame, caplen, p->l3, 1) == PB_NONE ||
	    caplen > UINT32_MAX) {
		c->st.skipped++;
		pb->truncated = 1;
		return;
	}
	if (pb->truncated || pb_room(c, pb, need) == -1)
		return;
	if ((fr = xmalloc(need)) == NULL) {
		pb->truncated = 1;
		return;
	}
	memset(fr, 0, sizeof(*fr));
	fr->ts_us = p->ts_us;
	fr->caplen = (uint32_t)caplen;
	fr->wire_len = wire_len > UINT32_MAX ? UINT32_MAX : (uint32_t)wire_len;
	pb_offsets(fr, frame, caplen, p);
	memcpy(fr->data, frame, caplen);
	if (pb->tail != NULL)
		pb->tail->next = fr;
	else
		pb->head = fr;
	pb->tail = fr;
	pb->n++;
	pb->bytes += need;
	pb_account(c, need);
	c->st.frames++;
}

void
pktbuf_release(struct pktbuf_ctx *c, struct pktbuf **pbp)
{
	struct pktbuf *pb = *pbp;
	struct pb_frame *fr, *next;

	if (pb == NULL)
		return;
	for (fr = pb->head; fr != NULL; fr = next) {
		next = fr->next;
		xfree(fr);
	}
	c->st.mem_in_use -= pb->bytes;
	xfree(pb);
	*pbp = NULL;
}

size_t
pktbuf_frames(const struct pktbuf *pb)
{
	return pb != NULL ? pb->n : 0;
}

int
pktbuf_truncated(const struct pktbuf *pb)
{
	return pb != NULL && pb->truncated;
}

/* ---- pcap ---------------------------------------------------------------- */

static void
put_le32(struct bytes *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	bytes_add(b, x, 4);
}

static void
put_le16(struct bytes *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	bytes_add(b, x, 2);
}

/* The classic pcap file header (microsecond magic), little-endian. */
static void
pcap_header(struct bytes *b, int dlt)
{
	put_le32(b, 0xa1b2c3d4);
	put_le16(b, 2);
	put_le16(b, 4);
	put_le32(b, 0);			/* thiszone */
	put_le32(b, 0);			/* sigfigs */
	put_le32(b, 262144);		/* snaplen */
	put_le32(b, (uint32_t)dlt);
}

/* ---- pseudonyms inside a copied frame ------------------------------------ */

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), over each 16-bit word that
 * changed: the checksum at ck after old -> new (n even). */
static void
csum_adjust(uint8_t *ck, const uint8_t *old, const uint8_t *new, size_t n)
{
	uint32_t s = (uint16_t)~((uint32_t)ck[0] << 8 | ck[1]);
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		s += (uint16_t)~((uint32_t)old[i] << 8 | old[i + 1]);
		s += (uint32_t)new[i] << 8 | new[i + 1];
	}
	set16(ck, fold(s));
}

/* The TCP or UDP checksum over the whole segment (RFC 793, 768, 8200). */
static void
l4_csum(struct pb_frame *fr, uint8_t *ck)
{
	const uint8_t *ip = fr->data + fr->l3_off;
	uint8_t *l4 = fr->data + fr->l4_off;
	int alen = fr->family == 6 ? 16 : 4, aoff = fr->family == 6 ? 8 : 12;
	uint32_t s;
	uint16_t v;

	set16(ck, 0);
	s = sum16(ip + aoff, (size_t)alen * 2, 0);
	s += fr->proto;
	s += fr->l4_len >> 16;
	s += fr->l4_len & 0xffff;
	s = sum16(l4, fr->l4_len, s);
	v = fold(s);
	if (fr->proto == IPPROTO_UDP && v == 0)
		v = 0xffff;
	set16(ck, v);
}

/* The IPv4 header checksum, computed again over the header. */
static void
ip4_csum(struct pb_frame *fr)
{
	uint8_t *ip = fr->data + fr->l3_off;
	size_t hl = (size_t)(ip[0] & 0x0f) * 4;

	if (hl < 20 || hl > fr->caplen - fr->l3_off)
		return;
	set16(ip + 10, 0);
	set16(ip + 10, fold(sum16(ip, hl, 0)));
}

/* Where the transport checksum is, or NULL (none, or not captured). */
static uint8_t *
l4_csum_field(struct pb_frame *fr)
{
	uint8_t *ck;

	if (fr->l4_off == PB_NONE)
		return NULL;
	ck = fr->data + fr->l4_off + (fr->proto == IPPROTO_TCP ? 16 : 6);
	/* IPv4 UDP without a checksum stays without one */
	if (fr->proto == IPPROTO_UDP && fr->family == 4 && ck[0] == 0 &&
	    ck[1] == 0)
		return NULL;
	return ck;
}

/* Replace the client's IP (and the MAC on its side) in one frame. */
static void
pseudo_frame(struct pb_frame *fr, int dlt, const struct privacy *pv,
    const uint8_t *client, const uint8_t *pseudo)
{
	int alen = fr->family == 6 ? 16 : 4, aoff = fr->family == 6 ? 8 : 12;
	uint8_t *ip, *ck, old[16];
	int side;

	if (fr->l3_off == PB_NONE)
		return;
	ip = fr->data + fr->l3_off;
	ck = l4_csum_field(fr);
	for (side = 0; side < 2; side++) {
		uint8_t *a = ip + aoff + side * alen;

		if (memcmp(a, client, (size_t)alen) != 0)
			continue;
		memcpy(old, a, (size_t)alen);
		memcpy(a, pseudo, (size_t)alen);
		if (ck != NULL && !fr->l4_whole)
			csum_adjust(ck, old, a, (size_t)alen);
		/* Ethernet: source MAC of what the client sent, destination
		 * MAC of what it received */
		if (dlt == DLT_EN10MB && fr->caplen >= 12)
			privacy_mac(pv, fr->data + (side == 0 ? 6 : 0),
			    fr->data + (side == 0 ? 6 : 0));
	}
	if (fr->family == 4)
		ip4_csum(fr);
	if (ck != NULL && fr->l4_whole)
		l4_csum(fr, ck);
}

void
pktbuf_pcap(const struct pktbuf *pb, struct bytes *out,
    const struct privacy *pv, int family, const uint8_t *client)
{
	struct pb_frame *fr;
	uint8_t pseudo[16];

	pcap_header(out, pb != NULL ? pb->dlt : DLT_EN10MB);
	if (pb == NULL)
		return;
	if (pv != NULL)
		privacy_ip(pv, family, client, pseudo);
	for (fr = pb->head; fr != NULL; fr = fr->next) {
		if (pv != NULL && fr->family == family)
			pseudo_frame(fr, pb->dlt, pv, client, pseudo);
		put_le32(out, (uint32_t)(fr->ts_us / 1000000));
		put_le32(out, (uint32_t)(fr->ts_us % 1000000));
		put_le32(out, fr->caplen);
		put_le32(out, fr->wire_len);
		bytes_add(out, fr->data, fr->caplen);
	}
}
