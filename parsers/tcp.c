/*
 * tcp.c - TCP header (RFC 9293 section 3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options (Data Offset > 5)                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Data Offset below 5, or past the end of the IP datagram, is malformed.
 * Options are skipped (the fingerprinting code reads them from pkt->l4).
 * The checksum is verified only on request, decode_l4_csum_check().
 */
#include "decode_int.h"

enum parse_result
tcp_decode(struct dctx *ctx, struct cur *c, size_t missing)
{
	struct pkt *p = ctx->p;
	const uint8_t *l4 = cur_ptr(c);
	size_t left = cur_left(c), hlen;
	struct cur h;
	uint16_t sport, dport, win;
	uint32_t seq, ack;
	uint8_t off, flags;

	/* Reads from a local fixed-size cursor: the bounds checks fold. */
	if (cur_sub(c, 20, &h) != 0)
		return dctx_fail(ctx, DEC_TCP_TRUNC);
	if (cur_be16(&h, &sport) != 0 || cur_be16(&h, &dport) != 0 ||
	    cur_be32(&h, &seq) != 0 || cur_be32(&h, &ack) != 0 ||
	    cur_u8(&h, &off) != 0 || cur_u8(&h, &flags) != 0 ||
	    cur_be16(&h, &win) != 0)
		return dctx_fail(ctx, DEC_TCP_TRUNC);
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20 || hlen > left + missing)
		return dctx_fail(ctx, DEC_TCP_BAD_HLEN);
	if (cur_skip(c, hlen - 20) != 0)
		return dctx_fail(ctx, DEC_TCP_TRUNC);
	p->proto = IPPROTO_TCP_;
	p->sport = sport;
	p->dport = dport;
	p->seq = seq;
	p->ack = ack;
	p->win = win;
	p->tcp_flags = flags;
	p->l4 = l4;
	p->l4_len = left;
	p->payload = cur_ptr(c);
	p->payload_len = cur_left(c);
	return PARSE_OK;
}
