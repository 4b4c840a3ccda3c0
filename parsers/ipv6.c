/*
 * ipv6.c - IPv6 (RFC 8200) and its extension header chain.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Source Address (16 bytes)                     |
 *  |                 Destination Address (16 bytes)                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Extension headers (RFC 8200 4.3-4.6, AH RFC 4302 2.2, and the ones of
 * RFC 7045's list that share the length format: Mobility RFC 6275, HIP
 * RFC 7401, Shim6 RFC 5533):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |  ... hop-by-hop/routing/dstopts:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  (len+1)*8 bytes; AH: (len+2)*4
 *  Fragment (RFC 8200 4.5), 8 bytes:
 *  | Next Header | Reserved | Fragment Offset (13) |Res|M| Identification (32) |
 *
 * The chain is walked in a loop capped at IPV6_EXT_MAX headers (a packet
 * of 1000 empty destination options is an attack on the decoder).  ESP
 * and No Next Header end it: there is nothing for us behind them.
 */
#include "decode_int.h"

#include <string.h>

#define IPV6_EXT_MAX	8

static enum parse_result
ipv6_frag(struct dctx *ctx, struct cur *pl, size_t missing)
{
	struct frag_in fi;
	struct cur whole;
	enum parse_result r;
	uint8_t nh, rsv;
	uint16_t offf;
	uint32_t id;

	if (cur_u8(pl, &nh) != 0 || cur_u8(pl, &rsv) != 0 ||
	    cur_be16(pl, &offf) != 0 || cur_be32(pl, &id) != 0)
		return dctx_fail(ctx, missing ? DEC_IPV6_TRUNC : DEC_IPV6_EXT_BAD);
	if ((offf & 0xfff9) == 0)	/* atomic fragment, RFC 6946 */
		return ip_demux(ctx, nh, pl, missing);
	if (missing > 0)
		return dctx_fail(ctx, DEC_SNAPLEN);
	fi.family = 6;
	fi.proto = nh;
	fi.more = offf & 1;
	fi.id = id;
	fi.off = offf & 0xfff8;
	fi.src = ctx->p->src;
	fi.dst = ctx->p->dst;
	fi.data = *pl;
	if ((r = frag_input(ctx, &fi, &whole)) != PARSE_OK)
		return r;	/* held (PARSE_MORE) or dropped */
	dctx_note(ctx, NOTE_IPV6_FRAG_REASSEMBLED);
	return ipv6_decode(ctx, &whole);
}

/* Walk the extension headers, then hand the upper layer to ip_demux. */
static enum parse_result
ipv6_ext(struct dctx *ctx, uint8_t nh, struct cur *pl, size_t missing)
{
	uint8_t next, len;
	size_t skip;
	int i;

	for (i = 0; i < IPV6_EXT_MAX; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_AH_:
		case IPPROTO_MH_:
		case IPPROTO_HIP_:
		case IPPROTO_SHIM6_:
			if (cur_u8(pl, &next) != 0 || cur_u8(pl, &len) != 0)
				goto bad;
			if (nh == IPPROTO_AH_)
				dctx_note(ctx, NOTE_AH);
			skip = nh == IPPROTO_AH_ ? ((size_t)len + 2) * 4 - 2 :
			    ((size_t)len + 1) * 8 - 2;
			if (cur_skip(pl, skip) != 0)
				goto bad;
			nh = next;
			break;
		case IPPROTO_FRAGMENT_:
			return ipv6_frag(ctx, pl, missing);
		case IPPROTO_ESP_:
		case IPPROTO_NONE_:
			return dctx_fail(ctx, DEC_OTHER_L4);
		default:
			return ip_demux(ctx, nh, pl, missing);
		}
	}
bad:
	return dctx_fail(ctx, missing ? DEC_IPV6_TRUNC : DEC_IPV6_EXT_BAD);
}

enum parse_result
ipv6_decode(struct dctx *ctx, struct cur *c)
{
	struct pkt *p = ctx->p;
	const uint8_t *l3 = cur_ptr(c);
	struct cur pl;
	uint8_t v, nh;
	uint16_t plen;
	size_t missing = 0;

	if (cur_peek_u8(c, 0, &v) != 0)
		return dctx_fail(ctx, DEC_IPV6_TRUNC);
	if (v >> 4 != 6)
		return dctx_fail(ctx, DEC_IPV6_BAD_VERSION);
	if (cur_skip(c, 4) != 0 || cur_be16(c, &plen) != 0 ||
	    cur_u8(c, &nh) != 0 || cur_skip(c, 1) != 0 ||
	    cur_bytes(c, p->src, 16) != 0 || cur_bytes(c, p->dst, 16) != 0)
		return dctx_fail(ctx, DEC_IPV6_TRUNC);
	ctx->d->st.ipv6++;
	/* Payload Length 0 with a hop-by-hop header: jumbogram, RFC 2675. */
	if (plen == 0 && nh == IPPROTO_HOPOPTS_)
		plen = (uint16_t)(cur_left(c) > 0xffff ? 0xffff : cur_left(c));
	if (cur_sub(c, plen, &pl) != 0) {
		if (!ctx->cut)
			return dctx_fail(ctx, DEC_IPV6_TRUNC);
		missing = plen - cur_left(c);
		pl = *c;
	}
	p->family = 6;
	p->l3 = l3;
	p->l3_len = 40 + cur_left(&pl);
	p->payload_missing = missing;
	return ipv6_ext(ctx, nh, &pl, missing);
}
