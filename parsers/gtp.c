/*
 * gtp.c - GTP-U version 1 (3GPP TS 29.281 section 5), UDP port 2152.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Ver |P|R|E|S|N| Message Type  |            Length             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Tunnel Endpoint Identifier                    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Sequence Number (E|S|N)   | N-PDU Number  | Next Ext Type |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  Extension header (5.2.1): | Length (4-byte units) | contents ... |
 *                            | Next Extension Header Type |
 *
 * Length counts the bytes after the first 8.  Only message type 0xff
 * (T-PDU) carries user IP packets; echo and error indication messages are
 * plain UDP to us.  The extension chain is walked in a capped loop.
 */
#include "decode_int.h"

#define GTP_EXT_MAX	8
#define GTP_TPDU	0xff

static int
gtp_ext(struct cur *c)
{
	uint8_t next, len;
	int i;

	if (cur_skip(c, 3) != 0 || cur_u8(c, &next) != 0)
		return -1;
	for (i = 0; next != 0; i++) {
		if (i >= GTP_EXT_MAX || cur_u8(c, &len) != 0 || len == 0 ||
		    cur_skip(c, (size_t)len * 4 - 2) != 0 ||
		    cur_u8(c, &next) != 0)
			return -1;
	}
	return 0;
}

enum parse_result
gtp_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t flags, type;
	uint16_t len;
	struct cur body;

	if (cur_u8(c, &flags) != 0 || cur_u8(c, &type) != 0 ||
	    cur_be16(c, &len) != 0 || cur_skip(c, 4) != 0 ||
	    (flags & 0xf0) != 0x30)
		return dctx_fail(ctx, DEC_GTP_BAD);
	/* Echo and error messages carry no user packet: the UDP packet
	 * itself (already in *ctx->p, untouched here) is the one found. */
	if (type != GTP_TPDU)
		return PARSE_OK;
	if (cur_sub(c, len, &body) != 0) {
		if (!ctx->cut)
			return dctx_fail(ctx, DEC_GTP_BAD);
		body = *c;
	}
	if ((flags & 0x07) != 0 && gtp_ext(&body) != 0)
		return dctx_fail(ctx, DEC_GTP_BAD);
	if (dctx_tunnel(ctx, NOTE_GTP) != PARSE_OK)
		return PARSE_BAD;
	return ip_version_demux(ctx, &body);
}
