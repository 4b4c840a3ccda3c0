/*
 * llc.c - IEEE 802.2 LLC with a SNAP header (RFC 1042): how IP rides on
 * 802.3 frames (an Ethernet length field below 0x0600), on 802.11 and on
 * Linux cooked captures of such links.
 *
 *  +--------+--------+---------+-----------------+-------------------+
 *  | DSAP 1 | SSAP 1 | ctrl 1  | OUI 3           | Ethertype 2       |
 *  | 0xaa   | 0xaa   | 0x03 UI | 000000 RFC 1042 |                   |
 *  |        |        |         | 0000f8 802.1H   |                   |
 *  +--------+--------+---------+-----------------+-------------------+
 *
 * Other LLC frames (spanning tree 0x42, NetBIOS 0xf0, Cisco's CDP and VTP
 * under OUI 00000c) are not IP and are counted as unknown_ethertype, as
 * they were before this decoder; a SNAP header cut short is llc_bad.
 */
#include "decode_int.h"

#define LLC_SNAP_SAP	0xaa
#define LLC_UI		0x03
#define OUI_RFC1042	0x000000
#define OUI_8021H	0x0000f8

enum parse_result
snap_demux(struct dctx *ctx, struct cur *c)
{
	uint8_t dsap, ssap, ctl;
	uint32_t oui;
	uint16_t type;

	if (cur_u8(c, &dsap) != 0 || cur_u8(c, &ssap) != 0 ||
	    cur_u8(c, &ctl) != 0)
		return dctx_fail(ctx, DEC_LLC_BAD);
	if (dsap != LLC_SNAP_SAP || ssap != LLC_SNAP_SAP || ctl != LLC_UI)
		return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
	if (cur_be24(c, &oui) != 0 || cur_be16(c, &type) != 0)
		return dctx_fail(ctx, DEC_LLC_BAD);
	if ((oui != OUI_RFC1042 && oui != OUI_8021H) || type < ETHERTYPE_MIN)
		return dctx_fail(ctx, DEC_UNKNOWN_ETHERTYPE);
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, NOTE_LLC_SNAP);
	return ether_demux(ctx, type, c);
}

/* The 802.3 length counts the LLC frame; what follows it is padding. */
enum parse_result
llc_decode(struct dctx *ctx, uint16_t len, struct cur *c)
{
	struct cur f;

	if (cur_sub(c, len, &f) != 0) {
		if (!ctx->cut)
			return dctx_fail(ctx, DEC_LLC_BAD);
		f = *c;
	}
	return snap_demux(ctx, &f);
}
