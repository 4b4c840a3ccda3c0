/*
 * wifi.c - IEEE 802.11 data frames (DLT_IEEE802_11 105), optionally behind
 * a radiotap header (DLT_IEEE802_11_RADIO 127, radiotap.org), down to the
 * LLC/SNAP Ethertype of an unencrypted data frame.
 *
 * Radiotap (all fields little-endian):
 *  +-----------+--------+----------------+----------------------------+
 *  | version 1 | pad 1  | length 2       | present 4 (bit 31: another |
 *  |  (= 0)    |        | (whole header) |  present word follows) ... |
 *  +-----------+--------+----------------+----------------------------+
 *  then the fields in bit order, each aligned to its own size: TSFT (bit
 *  0, 8 bytes), Flags (bit 1, 1 byte: 0x10 FCS at the end of the frame,
 *  0x20 header padded to 4 bytes, 0x40 bad FCS), ...  Only Flags is read.
 *
 * 802.11 MAC header (IEEE 802.11-2020 9.2.3):
 *  | frame control 2 | duration 2 | addr1 6 | addr2 6 | addr3 6 |
 *  | sequence 2 | addr4 6 (ToDS and FromDS) | QoS 2 (QoS subtypes) |
 *  | HT control 4 (QoS and Order) | body: LLC/SNAP + payload |
 *  Frame control byte 0: version (2 bits, 0), type (2: data is 2),
 *  subtype (4: bit 2 no body, bit 3 QoS); byte 1: ToDS 0x01, FromDS 0x02,
 *  More Fragments 0x04, Protected 0x40, Order 0x80.
 *
 * Management and control frames, data frames without a body, fragments
 * and A-MSDUs are counted (wifi_skipped); protected frames are encrypted
 * (WEP/WPA) and counted (wifi_protected): there is no TLS to see in them.
 */
#include "decode_int.h"

#define RT_FLAGS_FCS	0x10
#define RT_FLAGS_PAD	0x20
#define RT_FLAGS_BADFCS	0x40
#define RT_PRESENT_MAX	8	/* present words walked; more is an attack */
#define WLAN_FCS_LEN	4
#define WLAN_HDR_LEN	24
#define WLAN_TYPE_DATA	2
#define FC1_DS_BOTH	0x03
#define FC1_MOREFRAG	0x04
#define FC1_PROTECTED	0x40
#define FC1_ORDER	0x80
#define QOS_AMSDU	0x80

static enum parse_result
wifi_body(struct dctx *ctx, struct cur *c, int pad)
{
	uint8_t fc0, fc1, qos = 0;
	uint16_t seqctl;
	size_t hlen = WLAN_HDR_LEN;

	if (cur_u8(c, &fc0) != 0 || cur_u8(c, &fc1) != 0 ||
	    cur_skip(c, 20) != 0 || cur_le16(c, &seqctl) != 0)
		return dctx_fail(ctx, DEC_WIFI_BAD);
	if ((fc0 & 0x03) != 0)
		return dctx_fail(ctx, DEC_WIFI_BAD);
	if (((fc0 >> 2) & 0x03) != WLAN_TYPE_DATA || (fc0 & 0x40) != 0 ||
	    (fc1 & FC1_MOREFRAG) != 0 || (seqctl & 0x000f) != 0)
		return dctx_fail(ctx, DEC_WIFI_SKIPPED);
	if ((fc1 & FC1_PROTECTED) != 0)
		return dctx_fail(ctx, DEC_WIFI_PROTECTED);
	if ((fc1 & FC1_DS_BOTH) == FC1_DS_BOTH) {
		hlen += 6;
		if (cur_skip(c, 6) != 0)
			return dctx_fail(ctx, DEC_WIFI_BAD);
	}
	if (fc0 & 0x80) {	/* QoS data: QoS control, maybe HT control */
		hlen += (fc1 & FC1_ORDER) ? 6 : 2;
		if (cur_u8(c, &qos) != 0 ||
		    cur_skip(c, (fc1 & FC1_ORDER) ? 5 : 1) != 0)
			return dctx_fail(ctx, DEC_WIFI_BAD);
		if (qos & QOS_AMSDU)
			return dctx_fail(ctx, DEC_WIFI_SKIPPED);
	}
	if (pad && cur_skip(c, (4 - (hlen & 3)) & 3) != 0)
		return dctx_fail(ctx, DEC_WIFI_BAD);
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, NOTE_WIFI);
	return snap_demux(ctx, c);
}

enum parse_result
wifi_decode(struct dctx *ctx, struct cur *c)
{
	return wifi_body(ctx, c, 0);
}

/* The Flags field, or 0 when absent; -1 when the header is malformed. */
static int
radiotap_flags(struct cur h)
{
	uint32_t present, first;
	size_t at;
	uint8_t flags;
	int i;

	if (cur_skip(&h, 4) != 0 || cur_le32(&h, &first) != 0)
		return -1;
	present = first;
	for (i = 0; present & 0x80000000u; i++)
		if (i >= RT_PRESENT_MAX || cur_le32(&h, &present) != 0)
			return -1;
	if ((first & 0x02) == 0)
		return 0;
	at = 8 + (size_t)i * 4;		/* offset of the first field */
	if ((first & 0x01) &&		/* TSFT: 8 bytes, 8-aligned */
	    cur_skip(&h, ((8 - (at & 7)) & 7) + 8) != 0)
		return -1;
	if (cur_u8(&h, &flags) != 0)
		return -1;
	return flags;
}

enum parse_result
radiotap_decode(struct dctx *ctx, struct cur *c)
{
	struct cur t = *c, hdr, frame;
	uint8_t ver;
	uint16_t len;
	int flags;

	if (cur_u8(&t, &ver) != 0 || cur_skip(&t, 1) != 0 ||
	    cur_le16(&t, &len) != 0 || ver != 0 || len < 8 ||
	    cur_sub(c, len, &hdr) != 0 || (flags = radiotap_flags(hdr)) < 0 ||
	    (flags & RT_FLAGS_BADFCS) != 0)
		return dctx_fail(ctx, DEC_WIFI_BAD);
	frame = *c;
	/* The FCS is cut off here (after a snaplen cut it is not there). */
	if ((flags & RT_FLAGS_FCS) && !ctx->cut &&
	    (cur_left(c) < WLAN_FCS_LEN ||
	    cur_sub(c, cur_left(c) - WLAN_FCS_LEN, &frame) != 0))
		return dctx_fail(ctx, DEC_WIFI_BAD);
	return wifi_body(ctx, &frame, (flags & RT_FLAGS_PAD) != 0);
}
