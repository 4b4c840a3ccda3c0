/*
 * decode_test.c - crafted frames through decode_packet(), one test per
 * decoder, plus truncation at every byte offset (run under ASan: the
 * frames are copied into exactly-sized heap buffers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"

/* --- frame builder ------------------------------------------------- */

struct fb {
	uint8_t	b[4096];
	size_t	n;
};

static void
put(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
put8(struct fb *f, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(f, &b, 1);
}

static void
put16(struct fb *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void
put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
set16(struct fb *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

/* Independent RFC 1071 checksum (byte arithmetic, not the decoder's). */
static uint16_t
cksum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 192, 168, 1, 2 };
static const uint8_t C4[4] = { 172, 16, 0, 1 }, D4[4] = { 172, 16, 0, 2 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const char PAYLOAD[] = "hello";

static void
eth(struct fb *f, unsigned type)
{
	static const uint8_t mac[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

	put(f, mac, 12);
	put16(f, type);
}

static size_t
ip4_begin(struct fb *f, unsigned proto, const uint8_t *src, const uint8_t *dst)
{
	size_t off = f->n;

	put8(f, 0x45); put8(f, 0); put16(f, 0); put16(f, 0x1234);
	put16(f, 0); put8(f, 64); put8(f, proto); put16(f, 0);
	put(f, src, 4); put(f, dst, 4);
	return off;
}

/* Fix total length and checksum of the IPv4 header at off. */
static void
ip4_end(struct fb *f, size_t off)
{
	size_t hlen = (size_t)(f->b[off] & 0x0f) * 4;

	set16(f, off + 2, (unsigned)(f->n - off));
	set16(f, off + 10, 0);
	set16(f, off + 10, cksum(f->b + off, hlen, 0));
}

static size_t
ip6_begin(struct fb *f, unsigned nh, const uint8_t *src, const uint8_t *dst)
{
	size_t off = f->n;

	put32(f, 0x60000000); put16(f, 0); put8(f, nh); put8(f, 64);
	put(f, src, 16); put(f, dst, 16);
	return off;
}

static void
ip6_end(struct fb *f, size_t off)
{
	set16(f, off + 4, (unsigned)(f->n - off - 40));
}

static void
tcp(struct fb *f, unsigned sport, unsigned dport, unsigned flags)
{
	put16(f, sport); put16(f, dport); put32(f, 1000); put32(f, 2000);
	put8(f, 0x50); put8(f, flags); put16(f, 8192); put16(f, 0);
	put16(f, 0);
	put(f, PAYLOAD, 5);
}

static size_t
udp_begin(struct fb *f, unsigned sport, unsigned dport)
{
	size_t off = f->n;

	put16(f, sport); put16(f, dport); put16(f, 0); put16(f, 0);
	return off;
}

static void
udp_end(struct fb *f, size_t off)
{
	set16(f, off + 4, (unsigned)(f->n - off));
}

/* Complete IPv4/TCP or IPv4/UDP packet, A4:1111 -> B4:443. */
static void
ip4_tcp(struct fb *f, const uint8_t *src, const uint8_t *dst)
{
	size_t o = ip4_begin(f, 6, src, dst);

	tcp(f, 1111, 443, 0x12);
	ip4_end(f, o);
}

static void
ip4_udp(struct fb *f, const uint8_t *src, const uint8_t *dst)
{
	size_t o = ip4_begin(f, 17, src, dst), u = udp_begin(f, 5353, 53);

	put(f, PAYLOAD, 5);
	udp_end(f, u);
	ip4_end(f, o);
}

static void
ip6_udp(struct fb *f)
{
	size_t o = ip6_begin(f, 17, A6, B6), u = udp_begin(f, 5353, 53);

	put(f, PAYLOAD, 5);
	udp_end(f, u);
	ip6_end(f, o);
}

/* --- fixture ------------------------------------------------------- */

struct fx {
	struct limits	lim;
	struct decoder	d;
	struct pkt	p;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	limits_default(&x->lim);
	assert_int_equal(decode_init(&x->d, &x->lim), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	decode_free(&x->d);
	free(x);
	return 0;
}

/* Decode f from an exactly-sized heap copy so ASan sees overreads. */
static int
dec_wire(struct fx *x, int dlt, const struct fb *f, size_t caplen,
    size_t wire, uint64_t ts)
{
	uint8_t *buf = malloc(caplen ? caplen : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, f->b, caplen);
	r = decode_packet(&x->d, dlt, buf, caplen, wire, ts, &x->p);
	/* Pointers into buf die here: copy the payload out for asserts. */
	if (r == 1 && x->p.payload_len <= sizeof(((struct fb *)0)->b)) {
		static uint8_t keep[4096];

		memcpy(keep, x->p.payload, x->p.payload_len);
		x->p.payload = keep;
		x->p.l3 = x->p.l4 = NULL;
	}
	free(buf);
	return r;
}

static int
dec(struct fx *x, int dlt, const struct fb *f)
{
	return dec_wire(x, dlt, f, f->n, f->n, 1000000);
}

static void
assert_v4_tcp(const struct fx *x, const uint8_t *src, const uint8_t *dst)
{
	assert_int_equal(x->p.family, 4);
	assert_int_equal(x->p.proto, 6);
	assert_memory_equal(x->p.src, src, 4);
	assert_memory_equal(x->p.dst, dst, 4);
	assert_int_equal(x->p.sport, 1111);
	assert_int_equal(x->p.dport, 443);
	assert_int_equal(x->p.seq, 1000);
	assert_int_equal(x->p.ack, 2000);
	assert_int_equal(x->p.win, 8192);
	assert_int_equal(x->p.tcp_flags, TH_SYN | TH_ACK);
	assert_int_equal(x->p.payload_len, 5);
	assert_memory_equal(x->p.payload, PAYLOAD, 5);
}

static void
assert_v4_udp(const struct fx *x, const uint8_t *src, const uint8_t *dst)
{
	assert_int_equal(x->p.family, 4);
	assert_int_equal(x->p.proto, 17);
	assert_memory_equal(x->p.src, src, 4);
	assert_memory_equal(x->p.dst, dst, 4);
	assert_int_equal(x->p.sport, 5353);
	assert_int_equal(x->p.dport, 53);
	assert_int_equal(x->p.payload_len, 5);
	assert_memory_equal(x->p.payload, PAYLOAD, 5);
}

/* --- plain stacks -------------------------------------------------- */

static void
test_eth_ipv4_tcp(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	eth(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.nvlan, 0);
	assert_int_equal(x->p.tunneled, 0);
	assert_int_equal(x->p.payload_missing, 0);
	assert_int_equal(x->p.wire_len, f.n);
	assert_int_equal(x->p.ts_us, 1000000);
	assert_int_equal(x->d.st.frames, 1);
	assert_int_equal(x->d.st.bytes, f.n);
	assert_int_equal(x->d.st.ipv4, 1);
	assert_int_equal(x->d.st.tcp, 1);
	assert_int_equal(x->d.st.note[NOTE_IPV4_BAD_CSUM], 0);
}

static void
test_l4_checksum(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	uint8_t ph[12];
	size_t l4 = 14 + 20, len;

	eth(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	len = f.n - l4;
	memcpy(ph, A4, 4);
	memcpy(ph + 4, B4, 4);
	ph[8] = 0; ph[9] = 6; ph[10] = (uint8_t)(len >> 8); ph[11] = (uint8_t)len;
	set16(&f, l4 + 16, cksum(f.b + l4, len, (uint32_t)(~cksum(ph, 12, 0) & 0xffff)));
	assert_int_equal(decode_packet(&x->d, 1, f.b, f.n, f.n, 1, &x->p), 1);
	assert_int_equal(decode_l4_csum_check(&x->d, &x->p), 1);
	f.b[f.n - 1] ^= 0x55;
	assert_int_equal(decode_packet(&x->d, 1, f.b, f.n, f.n, 1, &x->p), 1);
	assert_int_equal(decode_l4_csum_check(&x->d, &x->p), 0);
	assert_int_equal(x->d.st.note[NOTE_TCP_BAD_CSUM], 1);
	/* UDP over IPv4 with checksum 0: not computed, cannot tell. */
	f.n = 0;
	eth(&f, 0x0800);
	ip4_udp(&f, A4, B4);
	assert_int_equal(decode_packet(&x->d, 1, f.b, f.n, f.n, 1, &x->p), 1);
	assert_v4_udp(x, A4, B4);
	assert_int_equal(decode_l4_csum_check(&x->d, &x->p), -1);
	/* Snaplen-cut payload: cannot tell. */
	assert_int_equal(decode_packet(&x->d, 1, f.b, f.n - 2, f.n, 1, &x->p), 1);
	assert_int_equal(decode_l4_csum_check(&x->d, &x->p), -1);
	assert_int_equal(x->d.st.note[NOTE_UDP_BAD_CSUM], 0);
}

static void
test_ipv6_udp(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	eth(&f, 0x86dd);
	ip6_udp(&f);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_int_equal(x->p.proto, 17);
	assert_memory_equal(x->p.src, A6, 16);
	assert_memory_equal(x->p.dst, B6, 16);
	assert_int_equal(x->p.sport, 5353);
	assert_int_equal(x->p.dport, 53);
	assert_int_equal(x->p.payload_len, 5);
	assert_memory_equal(x->p.payload, PAYLOAD, 5);
	assert_int_equal(x->d.st.ipv6, 1);
	assert_int_equal(x->d.st.udp, 1);
}

static void
test_ipv4_options(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o;

	eth(&f, 0x0800);
	o = ip4_begin(&f, 6, A4, B4);
	f.b[o] = 0x47;			/* IHL 7: 8 bytes of options */
	put8(&f, 1); put8(&f, 1);	/* NOP NOP */
	put8(&f, 0x94); put8(&f, 4); put16(&f, 0);	/* router alert */
	put8(&f, 0); put8(&f, 0);	/* EOL */
	tcp(&f, 1111, 443, 0x12);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	/* Option length 1 is malformed. */
	f.b[o + 23] = 1;
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_IPV4_OPT_BAD], 1);
	/* IHL 4 and total length below IHL. */
	f.b[o] = 0x44;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_IPV4_BAD_HLEN], 1);
	f.b[o] = 0x47;
	set16(&f, o + 2, 20);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_IPV4_BAD_LEN], 1);
}

/* --- link layers --------------------------------------------------- */

static void
test_vlan_single(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	eth(&f, 0x8100);
	put16(&f, 0x2064);		/* PCP 1, VLAN 100 */
	put16(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.nvlan, 1);
	assert_int_equal(x->p.vlan[0], 100);
	assert_int_equal(x->d.st.note[NOTE_VLAN], 1);
}

static void
test_vlan_qinq(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	eth(&f, 0x88a8);
	put16(&f, 10); put16(&f, 0x8100);
	put16(&f, 20); put16(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.nvlan, 2);
	assert_int_equal(x->p.vlan[0], 10);
	assert_int_equal(x->p.vlan[1], 20);
}

static void
test_vlan_triple(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	eth(&f, 0x9100);
	put16(&f, 30); put16(&f, 0x88a8);
	put16(&f, 31); put16(&f, 0x8100);
	put16(&f, 32); put16(&f, 0x86dd);
	ip6_udp(&f);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_int_equal(x->p.nvlan, LIM_VLAN_IDS);
	assert_int_equal(x->p.vlan[0], 30);
	assert_int_equal(x->p.vlan[1], 31);
	assert_int_equal(x->d.st.note[NOTE_VLAN], 3);
	/* Cut inside the third tag. */
	f.n = 14 + 4 + 4 + 2;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_VLAN_TRUNC], 1);
}

static void
test_mpls(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	eth(&f, 0x8847);
	put32(&f, 100u << 12 | 64);		/* label 100 */
	put32(&f, 200u << 12 | 0x100 | 64);	/* label 200, bottom */
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->d.st.note[NOTE_MPLS], 1);
	/* Pseudowire: control word then Ethernet then IPv6. */
	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, 300u << 12 | 0x100 | 64);
	put32(&f, 0);
	eth(&f, 0x86dd);
	ip6_udp(&f);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_int_equal(x->p.dport, 53);
	/* Unknown first nibble. */
	f.b[14 + 4] = 0x90;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_MPLS_UNKNOWN_PAYLOAD], 1);
}

static void
test_pppoe(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o;

	eth(&f, 0x8864);
	put8(&f, 0x11); put8(&f, 0); put16(&f, 0x0042);
	o = f.n;
	put16(&f, 0);
	put16(&f, 0x0021);
	ip4_tcp(&f, A4, B4);
	set16(&f, o, (unsigned)(f.n - o - 2));
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->d.st.note[NOTE_PPPOE], 1);
	/* LCP is not IP. */
	set16(&f, o + 2, 0xc021);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_PPP_NOT_IP], 1);
	/* Discovery stage. */
	f.b[12] = 0x88; f.b[13] = 0x63;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_PPP_NOT_IP], 2);
	/* Bad version/type. */
	f.b[13] = 0x64;
	f.b[14] = 0x22;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_PPPOE_BAD], 1);
}

static void
test_ppp(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	put8(&f, 0xff); put8(&f, 0x03); put16(&f, 0x0021);
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 9, &f), 1);
	assert_v4_tcp(x, A4, B4);
	f.n = 0;
	put8(&f, 0x57);			/* compressed protocol field */
	ip6_udp(&f);
	assert_int_equal(dec(x, 9, &f), 1);
	assert_int_equal(x->p.family, 6);
}

static void
test_sll(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	put16(&f, 0); put16(&f, 1); put16(&f, 6);
	put32(&f, 0x00010203); put32(&f, 0x04050000);
	put16(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 113, &f), 1);
	assert_v4_tcp(x, A4, B4);
	/* Netlink ARPHRD: not IP even with a plausible protocol. */
	set16(&f, 2, 824);
	assert_int_equal(dec(x, 113, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_UNKNOWN_ETHERTYPE], 1);
	f.n = 10;
	assert_int_equal(dec(x, 113, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_TRUNC_LINK], 1);
}

static void
test_sll2(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	put16(&f, 0x86dd); put16(&f, 0); put32(&f, 3);
	put16(&f, 1); put8(&f, 0); put8(&f, 6);
	put32(&f, 0x00010203); put32(&f, 0x04050000);
	ip6_udp(&f);
	assert_int_equal(dec(x, 276, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_memory_equal(x->p.src, A6, 16);
	assert_int_equal(x->p.sport, 5353);
}

static void
test_raw(void **state)
{
	struct fx *x = *state;
	struct fb f4 = { .n = 0 }, f6 = { .n = 0 };
	static const int v4dlts[] = { 12, 14, 101, 228 };
	static const int v6dlts[] = { 12, 14, 101, 229 };
	size_t i;

	ip4_tcp(&f4, A4, B4);
	ip6_udp(&f6);
	for (i = 0; i < 4; i++) {
		assert_true(decode_linktype_supported(v4dlts[i]));
		assert_int_equal(dec(x, v4dlts[i], &f4), 1);
		assert_v4_tcp(x, A4, B4);
		assert_int_equal(dec(x, v6dlts[i], &f6), 1);
		assert_int_equal(x->p.family, 6);
	}
	/* LINKTYPE_IPV4 with an IPv6 packet. */
	assert_int_equal(dec(x, 228, &f6), 0);
	assert_int_equal(x->d.st.reason[DEC_IPV4_BAD_VERSION], 1);
	assert_int_equal(dec(x, 229, &f4), 0);
	assert_int_equal(x->d.st.reason[DEC_IPV6_BAD_VERSION], 1);
	assert_false(decode_linktype_supported(147));	/* DLT_USER0 */
	assert_int_equal(dec(x, 147, &f4), 0);
	assert_int_equal(x->d.st.reason[DEC_UNKNOWN_LINKTYPE], 1);
}

static void
loop_frame(struct fb *f, const uint8_t af[4], int v6)
{
	f->n = 0;
	put(f, af, 4);
	if (v6)
		ip6_udp(f);
	else
		ip4_tcp(f, A4, B4);
}

static void
test_null_loop(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	static const uint8_t le2[4] = { 2, 0, 0, 0 }, be2[4] = { 0, 0, 0, 2 };
	static const uint8_t le24[4] = { 24, 0, 0, 0 }, be30[4] = { 0, 0, 0, 30 };
	static const uint8_t le10[4] = { 10, 0, 0, 0 }, be28[4] = { 0, 0, 0, 28 };
	static const uint8_t le7[4] = { 7, 0, 0, 0 };

	loop_frame(&f, le2, 0);
	assert_int_equal(dec(x, 0, &f), 1);
	assert_v4_tcp(x, A4, B4);
	loop_frame(&f, be2, 0);
	assert_int_equal(dec(x, 0, &f), 1);
	assert_v4_tcp(x, A4, B4);
	loop_frame(&f, le24, 1);
	assert_int_equal(dec(x, 0, &f), 1);
	assert_int_equal(x->p.family, 6);
	loop_frame(&f, be30, 1);
	assert_int_equal(dec(x, 0, &f), 1);
	loop_frame(&f, le10, 1);
	assert_int_equal(dec(x, 0, &f), 1);
	/* DLT_LOOP is network order. */
	loop_frame(&f, be28, 1);
	assert_int_equal(dec(x, 108, &f), 1);
	assert_int_equal(x->p.family, 6);
	loop_frame(&f, be2, 0);
	assert_int_equal(dec(x, 108, &f), 1);
	assert_int_equal(x->p.family, 4);
	loop_frame(&f, le7, 0);
	assert_int_equal(dec(x, 0, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_UNKNOWN_ETHERTYPE], 1);
}

/* --- fragments ----------------------------------------------------- */

/* A UDP datagram 5353 -> 53 with n payload bytes i & 0xff. */
static size_t
udp_dgram(uint8_t *out, size_t n)
{
	size_t i;

	out[0] = 0x14; out[1] = 0xe9; out[2] = 0; out[3] = 53;
	out[4] = (uint8_t)((n + 8) >> 8); out[5] = (uint8_t)(n + 8);
	out[6] = 0; out[7] = 0;
	for (i = 0; i < n; i++)
		out[8 + i] = (uint8_t)i;
	return n + 8;
}

static void
frag4(struct fb *f, unsigned id, size_t off, int more, const uint8_t *data,
    size_t len)
{
	size_t o;

	f->n = 0;
	eth(f, 0x0800);
	o = ip4_begin(f, 17, A4, B4);
	set16(f, o + 4, id);
	set16(f, o + 6, (more ? 0x2000u : 0) | (unsigned)(off / 8));
	put(f, data + off, len);
	ip4_end(f, o);
}

static void
assert_dgram(const struct fx *x, size_t n)
{
	size_t i;

	assert_int_equal(x->p.proto, 17);
	assert_int_equal(x->p.sport, 5353);
	assert_int_equal(x->p.dport, 53);
	assert_int_equal(x->p.payload_len, n);
	for (i = 0; i < n; i++)
		assert_int_equal(x->p.payload[i], (uint8_t)i);
}

static void
test_frag4_in_order(void **state)
{
	struct fx *x = *state;
	struct fb f;
	uint8_t d[208];
	size_t n = udp_dgram(d, 200);

	frag4(&f, 7, 0, 1, d, 80);
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 7, 80, 1, d, 80);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_FRAG_HELD], 2);
	frag4(&f, 7, 160, 0, d, n - 160);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 4);
	assert_memory_equal(x->p.src, A4, 4);
	assert_memory_equal(x->p.dst, B4, 4);
	assert_dgram(x, 200);
	assert_int_equal(x->d.st.note[NOTE_IPV4_FRAG_REASSEMBLED], 1);
	assert_int_equal(x->d.st.note[NOTE_IPV4_BAD_CSUM], 0);
}

static void
test_frag4_out_of_order(void **state)
{
	struct fx *x = *state;
	struct fb f;
	uint8_t d[208];
	size_t n = udp_dgram(d, 200);

	frag4(&f, 8, 160, 0, d, n - 160);
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 9, 0, 1, d, 16);	/* another train, never completed */
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 8, 0, 1, d, 80);
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 8, 0, 1, d, 80);	/* exact duplicate: ignored */
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_FRAG_BAD], 0);
	frag4(&f, 8, 80, 1, d, 80);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_dgram(x, 200);
}

static void
test_frag4_overlap(void **state)
{
	struct fx *x = *state;
	struct fb f;
	uint8_t d[208];
	size_t n = udp_dgram(d, 200);

	frag4(&f, 10, 0, 1, d, 80);
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 10, 72, 1, d, 16);	/* overlaps 72..80 */
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_FRAG_BAD], 1);
	/* The train is gone: the rest cannot complete it. */
	frag4(&f, 10, 80, 1, d, 80);
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 10, 160, 0, d, n - 160);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.note[NOTE_IPV4_FRAG_REASSEMBLED], 0);
}

static void
test_frag4_too_many(void **state)
{
	struct fx *x = *state;
	struct fb f;
	uint8_t d[8 * (LIM_FRAG_PIECES + 2) + 8];
	size_t i;

	udp_dgram(d, sizeof(d) - 8);
	for (i = 0; i < LIM_FRAG_PIECES; i++) {
		frag4(&f, 11, i * 8, 1, d, 8);
		assert_int_equal(dec(x, 1, &f), 0);
	}
	assert_int_equal(x->d.st.reason[DEC_FRAG_BAD], 1);
	assert_int_equal(x->d.st.reason[DEC_FRAG_HELD], LIM_FRAG_PIECES - 1);
	/* Not a multiple of 8 in a non-last fragment. */
	frag4(&f, 12, 0, 1, d, 12);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_FRAG_BAD], 2);
}

static void
test_frag4_timeout(void **state)
{
	struct fx *x = *state;
	struct fb f;
	uint8_t d[208];
	size_t n = udp_dgram(d, 200);
	uint64_t t0 = 5000000, late = t0 + x->lim.frag_timeout_us + 1;

	frag4(&f, 13, 0, 1, d, 80);
	assert_int_equal(dec_wire(x, 1, &f, f.n, f.n, t0), 0);
	decode_expire(&x->d, t0 + 1000);
	assert_int_equal(x->d.st.reason[DEC_FRAG_TIMEOUT], 0);
	decode_expire(&x->d, late);
	assert_int_equal(x->d.st.reason[DEC_FRAG_TIMEOUT], 1);
	frag4(&f, 13, 80, 0, d, n - 80);
	assert_int_equal(dec_wire(x, 1, &f, f.n, f.n, late), 0);
	/* Late fragment of a train not yet swept by decode_expire. */
	frag4(&f, 14, 0, 1, d, 80);
	assert_int_equal(dec_wire(x, 1, &f, f.n, f.n, t0), 0);
	frag4(&f, 14, 80, 0, d, n - 80);
	assert_int_equal(dec_wire(x, 1, &f, f.n, f.n, late), 0);
	assert_int_equal(x->d.st.reason[DEC_FRAG_TIMEOUT], 2);
	assert_int_equal(x->d.st.note[NOTE_IPV4_FRAG_REASSEMBLED], 0);
}

static void
test_frag4_caps(void **state)
{
	struct fx *x = *state;
	struct fb f;
	uint8_t d[208];

	udp_dgram(d, 200);
	decode_free(&x->d);
	x->lim.frag_trains = 2;
	x->lim.frag_memcap = 100;
	assert_int_equal(decode_init(&x->d, &x->lim), 0);
	frag4(&f, 1, 0, 1, d, 80);
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 1, 80, 1, d, 80);	/* 160 > memcap */
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_FRAG_CAP], 1);
	frag4(&f, 2, 0, 1, d, 8);
	assert_int_equal(dec(x, 1, &f), 0);
	frag4(&f, 3, 0, 1, d, 8);	/* third train */
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_FRAG_CAP], 2);
}

static void
test_ipv6_ext(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o, u;

	eth(&f, 0x86dd);
	o = ip6_begin(&f, 0, A6, B6);
	put8(&f, 60); put8(&f, 0); put32(&f, 0x01040000); put16(&f, 0);
	put8(&f, 17); put8(&f, 1);	/* dstopts, 16 bytes */
	put32(&f, 0x01020000); put16(&f, 0); put32(&f, 0); put32(&f, 0);
	u = udp_begin(&f, 5353, 53);
	put(&f, PAYLOAD, 5);
	udp_end(&f, u);
	ip6_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.proto, 17);
	assert_int_equal(x->p.dport, 53);
	assert_memory_equal(x->p.payload, PAYLOAD, 5);
	/* Extension length past the datagram. */
	f.b[14 + 40 + 8 + 1] = 9;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_IPV6_EXT_BAD], 1);
	/* ESP ends the chain. */
	f.b[14 + 40 + 8] = 50;
	f.b[14 + 40 + 8 + 1] = 1;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_OTHER_L4], 1);
}

static void
frag6(struct fb *f, uint32_t id, size_t off, int more, const uint8_t *data,
    size_t len)
{
	size_t o;

	f->n = 0;
	eth(f, 0x86dd);
	o = ip6_begin(f, 44, A6, B6);
	put8(f, 17); put8(f, 0);
	put16(f, (unsigned)off | (more ? 1u : 0));
	put32(f, id);
	put(f, data + off, len);
	ip6_end(f, o);
}

static void
test_frag6(void **state)
{
	struct fx *x = *state;
	struct fb f;
	uint8_t d[308];
	size_t n = udp_dgram(d, 300);

	frag6(&f, 0xabcdef01, 104, 1, d, 104);
	assert_int_equal(dec(x, 1, &f), 0);
	frag6(&f, 0xabcdef01, 208, 0, d, n - 208);
	assert_int_equal(dec(x, 1, &f), 0);
	frag6(&f, 0xabcdef01, 0, 1, d, 104);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_memory_equal(x->p.src, A6, 16);
	assert_dgram(x, 300);
	assert_int_equal(x->d.st.note[NOTE_IPV6_FRAG_REASSEMBLED], 1);
	/* Atomic fragment (offset 0, M=0) is decoded directly. */
	frag6(&f, 5, 0, 0, d, n);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_dgram(x, 300);
}

/* --- tunnels ------------------------------------------------------- */

static void
test_ipip(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o;

	eth(&f, 0x0800);
	o = ip4_begin(&f, 4, C4, D4);
	ip4_tcp(&f, A4, B4);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.tunneled, 1);
	assert_int_equal(x->d.st.note[NOTE_IPIP], 1);
	assert_int_equal(x->d.st.ipv4, 2);
	/* 6in4 */
	f.n = 0;
	eth(&f, 0x0800);
	o = ip4_begin(&f, 41, C4, D4);
	ip6_udp(&f);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_memory_equal(x->p.dst, B6, 16);
	assert_int_equal(x->p.tunneled, 1);
	/* 4in6 */
	f.n = 0;
	eth(&f, 0x86dd);
	o = ip6_begin(&f, 4, A6, B6);
	ip4_tcp(&f, A4, B4);
	ip6_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->d.st.note[NOTE_IPIP], 3);
}

static void
gre_hdr(struct fb *f, unsigned flags, unsigned proto)
{
	put16(f, flags);
	put16(f, proto);
	if (flags & 0x8000)
		put32(f, 0);
	if (flags & 0x2000)
		put32(f, 0xdeadbeef);
	if (flags & 0x1000)
		put32(f, 42);
}

static void
test_gre(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o;

	eth(&f, 0x0800);
	o = ip4_begin(&f, 47, C4, D4);
	gre_hdr(&f, 0x3000, 0x0800);		/* key + sequence */
	ip4_tcp(&f, A4, B4);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.tunneled, 1);
	assert_int_equal(x->d.st.note[NOTE_GRE], 1);
	/* Checksum present too, IPv6 payload. */
	f.n = 0;
	eth(&f, 0x0800);
	o = ip4_begin(&f, 47, C4, D4);
	gre_hdr(&f, 0xb000, 0x86dd);
	ip6_udp(&f);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	/* Version 1 (PPTP) is not decoded. */
	f.b[14 + 20 + 1] = 0x01;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_GRE_BAD], 1);
	/* Unknown payload. */
	f.b[14 + 20 + 1] = 0;
	set16(&f, 14 + 20 + 2, 0x0806);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_GRE_UNKNOWN], 1);
}

static void
test_gre_teb(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o;

	eth(&f, 0x0800);
	o = ip4_begin(&f, 47, C4, D4);
	gre_hdr(&f, 0x2000, 0x6558);
	eth(&f, 0x8100);
	put16(&f, 77); put16(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.nvlan, 1);
	assert_int_equal(x->p.vlan[0], 77);
}

static void
test_erspan(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o;

	/* Type II: GRE with sequence, 8-byte ERSPAN header (version 1). */
	eth(&f, 0x0800);
	o = ip4_begin(&f, 47, C4, D4);
	gre_hdr(&f, 0x1000, 0x88be);
	put32(&f, 0x10000001); put32(&f, 0);
	eth(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->d.st.note[NOTE_ERSPAN], 1);
	/* Type I: no sequence, Ethernet right after GRE. */
	f.n = 0;
	eth(&f, 0x0800);
	o = ip4_begin(&f, 47, C4, D4);
	gre_hdr(&f, 0x0000, 0x88be);
	eth(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	/* Type III with the O bit: 12 + 8 bytes. */
	f.n = 0;
	eth(&f, 0x0800);
	o = ip4_begin(&f, 47, C4, D4);
	gre_hdr(&f, 0x1000, 0x22eb);
	put32(&f, 0x20000001); put32(&f, 0x11223344); put32(&f, 0x00000001);
	put32(&f, 0xaaaaaaaa); put32(&f, 0xbbbbbbbb);
	eth(&f, 0x86dd);
	ip6_udp(&f);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_int_equal(x->p.dport, 53);
	assert_memory_equal(x->p.payload, PAYLOAD, 5);
	/* Type III, wrong version. */
	f.b[14 + 20 + 8] = 0x10;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_ERSPAN_BAD], 1);
}

static void
test_vxlan(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o, u;

	eth(&f, 0x0800);
	o = ip4_begin(&f, 17, C4, D4);
	u = udp_begin(&f, 40000, 4789);
	put32(&f, 0x08000000); put32(&f, 0x00123400);
	eth(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	udp_end(&f, u);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.tunneled, 1);
	assert_int_equal(x->d.st.note[NOTE_VXLAN], 1);
	f.b[14 + 20 + 8] = 0;		/* I flag clear */
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_VXLAN_BAD], 1);
}

static void
test_geneve(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o, u;

	eth(&f, 0x86dd);
	o = ip6_begin(&f, 17, B6, A6);
	u = udp_begin(&f, 47101, 6081);
	put8(&f, 2); put8(&f, 0); put16(&f, 0x6558);	/* 2 words options */
	put32(&f, 0x00109200);
	put32(&f, 0x01020301); put32(&f, 0xcafef00d);	/* one option */
	eth(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	udp_end(&f, u);
	ip6_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->p.tunneled, 1);
	assert_int_equal(x->d.st.note[NOTE_GENEVE], 1);
	f.b[14 + 40 + 8] = 0x42;	/* version 1 */
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_GENEVE_BAD], 1);
}

static void
test_gtp(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o, u, g;

	eth(&f, 0x0800);
	o = ip4_begin(&f, 17, C4, D4);
	u = udp_begin(&f, 2152, 2152);
	put8(&f, 0x34); put8(&f, 0xff);			/* E flag, T-PDU */
	g = f.n;
	put16(&f, 0); put32(&f, 0x760d3bb0);
	put16(&f, 0); put8(&f, 0); put8(&f, 0x85);	/* seq, npdu, ext */
	put8(&f, 1); put8(&f, 0x10); put8(&f, 0x05); put8(&f, 0);
	ip6_udp(&f);
	set16(&f, g, (unsigned)(f.n - g - 6));
	udp_end(&f, u);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 6);
	assert_memory_equal(x->p.src, A6, 16);
	assert_int_equal(x->p.dport, 53);
	assert_int_equal(x->p.tunneled, 1);
	assert_int_equal(x->d.st.note[NOTE_GTP], 1);
	/* Extension length 0 is malformed. */
	f.b[g + 10] = 0;
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_GTP_BAD], 1);
	/* Echo request: plain UDP to us. */
	f.b[g + 10] = 1;
	f.b[g - 1] = 1;
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.family, 4);
	assert_int_equal(x->p.dport, 2152);
	assert_int_equal(x->p.tunneled, 0);
}

static void
test_too_deep(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o[LIM_DECAP_DEPTH + 1];
	int i;

	eth(&f, 0x8100);
	for (i = 0; i < LIM_DECAP_DEPTH + 1; i++) {
		put16(&f, (unsigned)i + 1);
		put16(&f, i < LIM_DECAP_DEPTH ? 0x8100 : 0x0800);
	}
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_TOO_DEEP], 1);
	/* Nested IP-in-IP. */
	f.n = 0;
	eth(&f, 0x0800);
	for (i = 0; i < LIM_DECAP_DEPTH + 1; i++)
		o[i] = ip4_begin(&f, 4, C4, D4);
	ip4_tcp(&f, A4, B4);
	for (i = LIM_DECAP_DEPTH; i >= 0; i--)
		ip4_end(&f, o[i]);
	assert_int_equal(dec(x, 1, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_TOO_DEEP], 2);
	/* One less is fine. */
	f.n = 0;
	eth(&f, 0x0800);
	for (i = 0; i < LIM_DECAP_DEPTH; i++)
		o[i] = ip4_begin(&f, 4, C4, D4);
	ip4_tcp(&f, A4, B4);
	for (i = LIM_DECAP_DEPTH - 1; i >= 0; i--)
		ip4_end(&f, o[i]);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
}

/* --- robustness ---------------------------------------------------- */

/* SNAP header for IPv4 (802.11, 802.3 length frames). */
static void
snap_ip4(struct fb *f)
{
	put16(f, 0xaaaa); put8(f, 3); put8(f, 0); put16(f, 0);
	put16(f, 0x0800);
}

static void
ip6_tcp(struct fb *f)
{
	size_t o = ip6_begin(f, 6, A6, B6);

	tcp(f, 1111, 443, 0x12);
	ip6_end(f, o);
}

/* The decoders added with the encapsulation audit, for the sweep. */
static int
sample_frame_more(int k, struct fb *f, int *dlt)
{
	size_t o, u, l;

	switch (k) {
	case 6:		/* radiotap (TSFT, Flags), QoS data, SNAP */
		*dlt = 127;
		put8(f, 0); put8(f, 0); put8(f, 17); put8(f, 0);
		put32(f, 0x03000000); put32(f, 0); put32(f, 0); put8(f, 0);
		put8(f, 0x88); put8(f, 0x02); put16(f, 0);
		put(f, "abcdefghijklmnopqr", 18); put16(f, 0); put16(f, 0);
		snap_ip4(f);
		ip4_tcp(f, A4, B4);
		return 1;
	case 7:		/* NFLOG, little-endian TLVs */
		*dlt = 239;
		put8(f, 2); put8(f, 0); put16(f, 0);
		put16(f, 0x0800); put16(f, 0x0100); put32(f, 0x08000300);
		l = f->n;
		put16(f, 0); put16(f, 0x0900);
		ip4_tcp(f, A4, B4);
		f->b[l] = (uint8_t)(f->n - l); f->b[l + 1] = 0;
		return 1;
	case 8:		/* L2TPv2 over UDP 1701 with L and S, PPP */
		eth(f, 0x0800);
		o = ip4_begin(f, 17, C4, D4);
		u = udp_begin(f, 1701, 1701);
		l = f->n;
		put16(f, 0x4802); put16(f, 0); put32(f, 0x00010002);
		put32(f, 0); put16(f, 0xff03); put16(f, 0x0021);
		ip4_tcp(f, A4, B4);
		set16(f, l + 2, (unsigned)(f->n - l));
		udp_end(f, u);
		ip4_end(f, o);
		return 1;
	case 9:		/* PPTP: GRE version 1, K S A, PPP */
		eth(f, 0x0800);
		o = ip4_begin(f, 47, C4, D4);
		put16(f, 0x3081); put16(f, 0x880b);
		l = f->n;
		put16(f, 0); put16(f, 7); put32(f, 1); put32(f, 2);
		put16(f, 0xff03); put16(f, 0x0021);
		ip4_tcp(f, A4, B4);
		set16(f, l, (unsigned)(f->n - l - 12));
		ip4_end(f, o);
		return 1;
	case 10:	/* 802.1ad, PBB I-tag, inner Ethernet, NSH, IPv4 */
		eth(f, 0x88a8);
		put16(f, 5); put16(f, 0x88e7); put32(f, 0x000100ff);
		eth(f, 0x894f);
		put16(f, 0x0fc2); put8(f, 2); put8(f, 1); put32(f, 0x2aff);
		ip4_tcp(f, A4, B4);
		return 1;
	case 11:	/* Teredo: IPv4/UDP 3544, IPv6/TCP */
		eth(f, 0x0800);
		o = ip4_begin(f, 17, C4, D4);
		u = udp_begin(f, 3544, 40000);
		ip6_tcp(f);
		udp_end(f, u);
		ip4_end(f, o);
		return 1;
	case 12:	/* VXLAN-GPE, NSH MD1, Ethernet, 802.3 + SNAP, AH */
		eth(f, 0x0800);
		o = ip4_begin(f, 17, C4, D4);
		u = udp_begin(f, 1, 4790);
		put32(f, 0x0c000004); put32(f, 0);
		put16(f, 0x0fc6); put8(f, 1); put8(f, 3); put32(f, 0x2aff);
		put32(f, 0); put32(f, 0); put32(f, 0); put32(f, 0);
		l = f->n;
		eth(f, 0);
		snap_ip4(f);
		{
			size_t a = ip4_begin(f, 51, A4, B4);

			put8(f, 6); put8(f, 1); put16(f, 0); put32(f, 1);
			put32(f, 2);
			tcp(f, 1111, 443, 0x12);
			ip4_end(f, a);
		}
		set16(f, l + 12, (unsigned)(f->n - l - 14));
		udp_end(f, u);
		ip4_end(f, o);
		return 1;
	case 13:	/* Cisco HDLC, MPLS, Ethernet pseudowire, no CW */
		*dlt = 104;
		put8(f, 0x0f); put8(f, 0); put16(f, 0x8847);
		put32(f, 0x10140);
		eth(f, 0x0800);
		ip4_tcp(f, A4, B4);
		return 1;
	case 14:	/* pflog, IPv6 (OpenBSD AF_INET6 24) */
		*dlt = 117;
		put8(f, 61); put8(f, 24);
		while (f->n < 64)
			put8(f, 0);
		ip6_tcp(f);
		return 1;
	}
	return 0;
}


/* Build one frame of each kind for the truncation sweep. */
static int
sample_frame(int k, struct fb *f, int *dlt)
{
	size_t o, u;

	f->n = 0;
	*dlt = 1;
	switch (k) {
	case 0:
		eth(f, 0x0800);
		ip4_tcp(f, A4, B4);
		return 1;
	case 1:
		eth(f, 0x88a8);
		put16(f, 1); put16(f, 0x8100); put16(f, 2); put16(f, 0x8847);
		put32(f, 0x100 | 64);
		ip6_udp(f);
		return 1;
	case 2:
		eth(f, 0x0800);
		o = ip4_begin(f, 17, C4, D4);
		u = udp_begin(f, 1, 4789);
		put32(f, 0x08000000); put32(f, 0);
		eth(f, 0x8864);
		put8(f, 0x11); put8(f, 0); put16(f, 1); put16(f, 47);
		put16(f, 0x0021);
		ip4_tcp(f, A4, B4);
		udp_end(f, u);
		ip4_end(f, o);
		return 1;
	case 3:
		eth(f, 0x86dd);
		o = ip6_begin(f, 47, A6, B6);
		gre_hdr(f, 0xb000, 0x22eb);
		put32(f, 0x20000001); put32(f, 0); put32(f, 1);
		put32(f, 0); put32(f, 0);
		eth(f, 0x0800);
		u = ip4_begin(f, 17, C4, D4);
		{
			size_t v = udp_begin(f, 2152, 2152);

			put8(f, 0x36); put8(f, 0xff); put16(f, 0);
			put32(f, 1); put32(f, 0x00000085);
			put32(f, 0x01000000);
			ip4_tcp(f, A4, B4);
			set16(f, v + 8 + 2, (unsigned)(f->n - v - 16));
			udp_end(f, v);
		}
		ip4_end(f, u);
		ip6_end(f, o);
		return 1;
	case 4:
		*dlt = 276;
		put16(f, 0x86dd); put16(f, 0); put32(f, 3);
		put16(f, 1); put8(f, 0); put8(f, 6); put32(f, 0); put32(f, 0);
		o = ip6_begin(f, 0, A6, B6);
		put8(f, 44); put8(f, 0); put32(f, 0x01040000); put16(f, 0);
		put8(f, 6); put8(f, 0); put16(f, 0); put32(f, 99); /* atomic */
		tcp(f, 1111, 443, 0x12);
		ip6_end(f, o);
		return 1;
	case 5:
		eth(f, 0x0800);
		o = ip4_begin(f, 17, C4, D4);
		u = udp_begin(f, 1, 6081);
		put8(f, 1); put8(f, 0); put16(f, 0x86dd); put32(f, 0);
		put32(f, 0);
		ip6_udp(f);
		udp_end(f, u);
		ip4_end(f, o);
		return 1;
	default:
		return sample_frame_more(k, f, dlt);
	}
}

/* The guesses the new decoders make, one frame each. */
static void
test_encap_guesses(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o, u;
	static const uint8_t mac45[6] = { 0x45, 0, 0, 0, 0, 1 };

	/* UDP 3544 that is no IPv6 packet stays plain UDP */
	eth(&f, 0x0800);
	o = ip4_begin(&f, 17, A4, B4);
	u = udp_begin(&f, 3544, 53);
	put(&f, PAYLOAD, 5);
	udp_end(&f, u);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.proto, 17);
	assert_int_equal(x->p.sport, 3544);
	assert_int_equal(x->d.st.note[NOTE_TEREDO], 0);
	/* L2TP control message: plain UDP */
	f.n = 0;
	eth(&f, 0x0800);
	o = ip4_begin(&f, 17, A4, B4);
	u = udp_begin(&f, 1701, 1701);
	put16(&f, 0xc802); put16(&f, 12); put32(&f, 0); put32(&f, 0);
	udp_end(&f, u);
	ip4_end(&f, o);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.dport, 1701);
	/* MPLS, a short IPv4 datagram and Ethernet padding: still IPv4 */
	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, 0x10140);
	ip4_tcp(&f, A4, B4);
	put32(&f, 0); put32(&f, 0); put16(&f, 0);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->d.st.note[NOTE_MPLS_PW_ETH], 0);
	/* MPLS, Ethernet pseudowire without control word to a MAC that
	 * begins like an IPv4 header (0x45) */
	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, 0x10140);
	put(&f, mac45, 6); put(&f, mac45, 6); put16(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	assert_int_equal(x->d.st.note[NOTE_MPLS_PW_ETH], 1);
	/* NFLOG written by a big-endian host */
	f.n = 0;
	put8(&f, 2); put8(&f, 0); put16(&f, 0);
	put16(&f, 8); put16(&f, 1); put32(&f, 0x08000300);
	o = f.n;
	put16(&f, 0); put16(&f, 9);
	ip4_tcp(&f, A4, B4);
	set16(&f, o, (unsigned)(f.n - o));
	assert_int_equal(dec(x, 239, &f), 1);
	assert_v4_tcp(x, A4, B4);
	/* an encrypted 802.11 data frame is counted, not decoded */
	f.n = 0;
	put8(&f, 0x08); put8(&f, 0x42); put16(&f, 0);
	put(&f, "abcdefghijklmnopqr", 18); put16(&f, 0);
	snap_ip4(&f);
	ip4_tcp(&f, A4, B4);
	assert_int_equal(dec(x, 105, &f), 0);
	assert_int_equal(x->d.st.reason[DEC_WIFI_PROTECTED], 1);
	f.b[1] = 0x02;
	assert_int_equal(dec(x, 105, &f), 1);
	assert_v4_tcp(x, A4, B4);
}


static void
test_truncation_sweep(void **state)
{
	struct fx *x = *state;
	struct fb f;
	int k, dlt, r;
	size_t len, ok;

	for (k = 0; sample_frame(k, &f, &dlt); k++) {
		assert_int_equal(dec(x, dlt, &f), 1);
		assert_int_equal(x->p.payload_len, 5);
		assert_memory_equal(x->p.payload, PAYLOAD, 5);
		ok = 0;
		for (len = 0; len < f.n; len++) {
			/* Truncated capture with wire length = caplen... */
			r = dec_wire(x, dlt, &f, len, len, 7);
			assert_true(r == 0 || r == 1);
			/* ...and a snaplen cut (wire length the full frame). */
			r = dec_wire(x, dlt, &f, len, f.n, 7);
			assert_true(r == 0 || r == 1);
			/* Teredo is a guess on the first 6 bytes of the IPv6
			 * header: cut before them it is plain UDP. */
			if (r == 1 && k == 11 && x->p.proto == 17) {
				assert_int_equal(x->p.sport, 3544);
				continue;
			}
			if (r == 1) {
				ok++;
				assert_true(x->p.payload_len < 5);
				assert_int_equal(x->p.payload_len +
				    x->p.payload_missing, 5);
			}
		}
		/* The payload can be cut byte by byte (5 lengths). */
		assert_int_equal(ok, 5);
	}
	assert_int_equal(k, 15);
}

static void
test_bad_ipv4_csum(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };

	eth(&f, 0x0800);
	ip4_tcp(&f, A4, B4);
	f.b[14 + 10] ^= 0xff;
	assert_int_equal(dec(x, 1, &f), 1);
	assert_v4_tcp(x, A4, B4);
	/* checked on request only (not on bypassed flows); f.b stays alive */
	assert_int_equal(x->d.st.note[NOTE_IPV4_BAD_CSUM], 0);
	assert_int_equal(decode_packet(&x->d, 1, f.b, f.n, f.n, 1, &x->p), 1);
	assert_int_equal(decode_ip_csum_check(&x->d, &x->p), 0);
	assert_int_equal(x->d.st.note[NOTE_IPV4_BAD_CSUM], 1);
	f.b[14 + 10] ^= 0xff;
	assert_int_equal(decode_packet(&x->d, 1, f.b, f.n, f.n, 1, &x->p), 1);
	assert_int_equal(decode_ip_csum_check(&x->d, &x->p), 1);
	assert_int_equal(x->d.st.note[NOTE_IPV4_BAD_CSUM], 1);
}

static void
test_eth_padding(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	static const uint8_t pad[16] = { 0xee, 0xee, 0xee, 0xee };
	size_t o, u;

	eth(&f, 0x0800);
	o = ip4_begin(&f, 17, A4, B4);
	u = udp_begin(&f, 5353, 53);
	put(&f, "hi", 2);
	udp_end(&f, u);
	ip4_end(&f, o);
	put(&f, pad, 60 - f.n);		/* 60-byte minimum frame */
	assert_int_equal(f.n, 60);
	assert_int_equal(dec(x, 1, &f), 1);
	assert_int_equal(x->p.payload_len, 2);
	assert_memory_equal(x->p.payload, "hi", 2);
	assert_int_equal(x->p.payload_missing, 0);
	assert_int_equal(x->d.st.reason[DEC_SNAPLEN], 0);
}

static void
test_snaplen(void **state)
{
	struct fx *x = *state;
	struct fb f = { .n = 0 };
	size_t o;
	static const uint8_t big[1000] = { 1 };

	eth(&f, 0x0800);
	o = ip4_begin(&f, 6, A4, B4);
	tcp(&f, 1111, 443, 0x10);
	put(&f, big, sizeof(big));
	ip4_end(&f, o);
	/* 96-byte snaplen. */
	assert_int_equal(dec_wire(x, 1, &f, 96, f.n, 1), 1);
	assert_int_equal(x->p.sport, 1111);
	assert_int_equal(x->p.payload_len, 96 - 14 - 40);
	assert_memory_equal(x->p.payload, PAYLOAD, 5);
	assert_int_equal(x->p.payload_missing, f.n - 96);
	assert_int_equal(x->d.st.reason[DEC_SNAPLEN], 1);
	/* The same cut without a snaplen is a truncated packet. */
	assert_int_equal(dec_wire(x, 1, &f, 96, 96, 1), 0);
	assert_int_equal(x->d.st.reason[DEC_IPV4_TRUNC], 1);
}

static void
test_names(void **state)
{
	int i, j;
	const char *s;

	(void)state;
	for (i = 0; i < DEC_REASON_MAX; i++) {
		s = decode_reason_name((enum decode_reason)i);
		assert_string_not_equal(s, "unknown");
		assert_true(strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
		    strlen(s));
		for (j = 0; j < i; j++)
			assert_string_not_equal(s,
			    decode_reason_name((enum decode_reason)j));
	}
	for (i = 0; i < NOTE_MAX; i++) {
		s = decode_note_name((enum decode_note)i);
		assert_string_not_equal(s, "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(s,
			    decode_note_name((enum decode_note)j));
	}
	assert_string_equal(decode_reason_name(DEC_IPV4_TRUNC), "ipv4_trunc");
	assert_string_equal(decode_reason_name(DEC_REASON_MAX), "unknown");
	assert_string_equal(decode_note_name(NOTE_IPV4_BAD_CSUM),
	    "ipv4_bad_csum");
}

/*
 * The Ethernet/IPv4/TCP fast path in decode.c must agree with the general
 * path on every frame: decode each frame of the bundled corpus, and every
 * prefix and snaplen cut of its first frames, both ways and compare.
 */
static void
same_pkt(const struct pkt *a, const struct pkt *b)
{
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->nvlan, b->nvlan);
	assert_int_equal(a->tunneled, b->tunneled);
	assert_memory_equal(a->src, b->src, 16);
	assert_memory_equal(a->dst, b->dst, 16);
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
	assert_int_equal(a->wire_len, b->wire_len);
	assert_ptr_equal(a->l3, b->l3);
	assert_int_equal(a->l3_len, b->l3_len);
	assert_ptr_equal(a->payload, b->payload);
	assert_int_equal(a->payload_len, b->payload_len);
	assert_int_equal(a->payload_missing, b->payload_missing);
	if (a->proto == 6) {
		assert_int_equal(a->tcp_flags, b->tcp_flags);
		assert_int_equal(a->seq, b->seq);
		assert_int_equal(a->ack, b->ack);
		assert_int_equal(a->win, b->win);
		assert_ptr_equal(a->l4, b->l4);
		assert_int_equal(a->l4_len, b->l4_len);
	}
}

static void
both_ways(struct decoder *fast, struct decoder *slow, const uint8_t *f,
    size_t caplen, size_t len)
{
	struct pkt a, b;
	int ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = decode_packet(fast, 1, f, caplen, len, 7, &a);
	rb = decode_packet(slow, 1, f, caplen, len, 7, &b);
	assert_int_equal(ra, rb);
	if (ra)
		same_pkt(&a, &b);
	assert_memory_equal(&fast->st, &slow->st, sizeof(fast->st));
}

static void
test_fast_path_agrees(void **state)
{
	static const uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1 };
	const char *dir = getenv("RW_CORPUS_PCAPS");
	const char *names[] = { "tls1.2.pcap", "ecdhe.pcap", "smtp.pcap",
	    "ssl.v3.pcap", "google-cert-repeat.pcap", "client-certificate.pcap",
	    "pppoe-over-qinq.pcap", "geneve-47101.pcap", "tls13-ech.pcap" };
	struct decoder fast, slow;
	struct limits lim;
	uint8_t rec[24], *buf;
	unsigned i, frames = 0;
	size_t n, k;
	FILE *fp;
	char path[1024];

	(void)state;
	if (dir == NULL)
		skip();
	limits_default(&lim);
	assert_int_equal(decode_init(&fast, &lim), 0);
	assert_int_equal(decode_init(&slow, &lim), 0);
	slow.no_fast_path = 1;
	buf = malloc(262144);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		/* classic little-endian pcap, Ethernet: read records */
		if (fread(rec, 1, 24, fp) != 24 || memcmp(rec, hdr, 4) != 0 ||
		    rec[20] != 1) {
			fclose(fp);
			continue;
		}
		while (fread(rec, 1, 16, fp) == 16) {
			uint32_t incl = rec[8] | rec[9] << 8 | rec[10] << 16 |
			    (uint32_t)rec[11] << 24;
			uint32_t orig = rec[12] | rec[13] << 8 | rec[14] << 16 |
			    (uint32_t)rec[15] << 24;
			if (incl > 262144 || fread(buf, 1, incl, fp) != incl)
				break;
			both_ways(&fast, &slow, buf, incl, orig);
			if (frames++ < 40) {
				for (n = 0; n < incl; n++) {
					uint8_t *cp = malloc(n ? n : 1);
					memcpy(cp, buf, n);
					both_ways(&fast, &slow, cp, n, orig);
					both_ways(&fast, &slow, cp, n, n);
					free(cp);
				}
			}
		}
		fclose(fp);
	}
	/* and the crafted oddities: padding, options, fragments, bad hlen */
	for (k = 0; k < 4; k++) {
		uint8_t f[80];
		memset(f, 0, sizeof(f));
		f[12] = 0x08;
		f[14] = k == 1 ? 0x46 : 0x45;
		f[16] = 0;
		f[17] = k == 2 ? 30 : 40 + (k == 1 ? 4 : 0);
		f[20] = k == 3 ? 0x20 : 0;	/* MF */
		f[23] = 6;
		f[14 + (k == 1 ? 24 : 20) + 12] = k == 2 ? 0x10 : 0x50;
		both_ways(&fast, &slow, f, sizeof(f), sizeof(f));
	}
	assert_true(frames > 100);
	free(buf);
	decode_free(&fast);
	decode_free(&slow);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_eth_ipv4_tcp), T(test_l4_checksum), T(test_ipv6_udp),
		T(test_ipv4_options), T(test_vlan_single), T(test_vlan_qinq),
		T(test_vlan_triple), T(test_mpls), T(test_pppoe), T(test_ppp),
		T(test_sll), T(test_sll2), T(test_raw), T(test_null_loop),
		T(test_frag4_in_order), T(test_frag4_out_of_order),
		T(test_frag4_overlap), T(test_frag4_too_many),
		T(test_frag4_timeout), T(test_frag4_caps), T(test_ipv6_ext),
		T(test_frag6), T(test_ipip), T(test_gre), T(test_gre_teb),
		T(test_erspan), T(test_vxlan), T(test_geneve), T(test_gtp),
		T(test_too_deep), T(test_truncation_sweep),
		T(test_encap_guesses),
		T(test_bad_ipv4_csum), T(test_eth_padding), T(test_snaplen),
		T(test_names), T(test_fast_path_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
