/*
 * l2tag.c - data-centre tags between the MAC addresses and the Ethertype;
 * the TPID before each was read by ether_demux().
 *
 * 802.1ah PBB I-tag (0x88e7), then a whole customer Ethernet frame:
 *  | I-PCP 3 |D|U| res 3 |        I-SID (24)        | C-DA 6 | C-SA 6 |
 *  | Ethertype ...
 * Cisco FabricPath (0x8903; the outer addresses are switch ids), then the
 * classical Ethernet frame:
 *  |   FTag (10)   | TTL (6) | C-DA 6 | C-SA 6 | Ethertype ...
 * Cisco VN-Tag (0x8926, 802.1Qbh pre-standard), then the Ethertype:
 *  |d|p| dst VIF (14) |l|r|ver(2)| src VIF (12) |  Ethertype 2  |
 * 802.1BR E-Tag (0x893f), 6 bytes, then the Ethertype:
 *  | E-PCP 3 |D| ingress E-CID base 12 | res 2 | GRP 2 | E-CID base 12 |
 *  | ingress E-CID ext 8 | E-CID ext 8 |  Ethertype 2  |
 * Cisco MetaData (0x8909, TrustSec), 6 bytes, then the Ethertype:
 *  | version 1 (=1) | length 1 | option type/length 2 | SGT 2 | Ethertype 2 |
 *  (the one option deployed is the SGT; we do not walk others).
 *
 * Each tag is one decapsulation layer; a tag cut short is l2tag_bad.
 */
#include "decode_int.h"

#define VNTAG_LEN	4
#define ETAG_LEN	6
#define CMD_LEN		6
#define CMD_VERSION	1
#define PBB_ITAG_LEN	4
#define FP_TAG_LEN	2
#define ETH_HDR_LEN	14

/* A tag, then a whole inner Ethernet frame (PBB, FabricPath). */
static enum parse_result
tag_then_eth(struct dctx *ctx, size_t len, enum decode_note n,
    struct cur *c)
{
	if (cur_skip(c, len) != 0 || cur_left(c) < ETH_HDR_LEN)
		return dctx_fail(ctx, DEC_L2TAG_BAD);
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, n);
	return eth_decode(ctx, c);
}

static enum parse_result
tag_then_type(struct dctx *ctx, size_t len, enum decode_note n,
    struct cur *c)
{
	uint16_t type;

	if (cur_skip(c, len) != 0 || cur_be16(c, &type) != 0)
		return dctx_fail(ctx, DEC_L2TAG_BAD);
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, n);
	return ether_demux(ctx, type, c);
}

enum parse_result
l2tag_decode(struct dctx *ctx, uint16_t type, struct cur *c)
{
	uint8_t ver;

	switch (type) {
	case ETHERTYPE_PBB:
		return tag_then_eth(ctx, PBB_ITAG_LEN, NOTE_PBB, c);
	case ETHERTYPE_FABRICPATH:
		return tag_then_eth(ctx, FP_TAG_LEN, NOTE_FABRICPATH, c);
	case ETHERTYPE_VNTAG:
		return tag_then_type(ctx, VNTAG_LEN, NOTE_VNTAG, c);
	case ETHERTYPE_ETAG:
		return tag_then_type(ctx, ETAG_LEN, NOTE_ETAG, c);
	case ETHERTYPE_CMD:
		if (cur_peek_u8(c, 0, &ver) != 0 || ver != CMD_VERSION)
			return dctx_fail(ctx, DEC_L2TAG_BAD);
		return tag_then_type(ctx, CMD_LEN, NOTE_CMD, c);
	}
	return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
}
