/*
 * nflog.c - Linux netfilter log (DLT_NFLOG 239, tcpdump.org
 * linktype/LINKTYPE_NFLOG.html): what `iptables -j NFLOG` and
 * `tcpdump -i nflog:N` capture.
 *
 *  +-----------+-----------+-------------------------+
 *  | family 1  | version 1 | resource id 2 (big end.)|
 *  +-----------+-----------+-------------------------+
 *  then TLVs, each padded to a multiple of 4 bytes:
 *  +-------------------------+-------------------------+----------
 *  | length 2 (host order)   | type 2 (host order)     | value ...
 *  +-------------------------+-------------------------+----------
 *  length counts the 4-byte TLV header and the value, not the padding.
 *  NFULA_PAYLOAD (9) holds the IP packet; family is AF_INET 2 or
 *  AF_INET6 10 (AF_UNSPEC 0: look at the version nibble).
 *
 * The TLV words are in the byte order of the capturing host, which the
 * frame does not say (libpcap swaps them only when it reads a file of the
 * other order; our own readers do not).  The frame is read little-endian
 * when its TLV lengths read that way tile it exactly (each at least 4,
 * padded to 4, the last maybe unpadded or cut by the snaplen), else
 * big-endian.  Looking at the first TLV alone is not enough: 0x0008 read
 * the wrong way is 2048, which fits a jumbo frame.  A wrong guess fails a
 * length check below and is counted, never read past the frame.
 */
#include "decode_int.h"

#define NFLOG_VERSION	0
#define NFULA_PAYLOAD	9
#define NFLOG_TLV_HDR	4
#define NFLOG_TLV_MAX	64	/* a frame of 1000 empty TLVs is an attack */
#define NFLOG_TYPE_MASK	0x7fff	/* NLA_F_NESTED, NLA_F_NET_BYTEORDER */

static int
nflog_le(struct cur t, int cut)
{
	uint16_t len;
	size_t padded;
	int i;

	for (i = 0; i < NFLOG_TLV_MAX && cur_left(&t) > 0; i++) {
		if (cur_le16(&t, &len) != 0 || len < NFLOG_TLV_HDR)
			return 0;
		padded = ((size_t)len + 3) & ~(size_t)3;
		if (cur_left(&t) + 2 == len || (cut && cur_left(&t) + 2 < len))
			return 1;	/* the last TLV, unpadded or cut */
		if (cur_skip(&t, padded - 2) != 0)
			return 0;
	}
	return cur_left(&t) == 0;
}

/*
 * The NFULA_PAYLOAD value into *pl: 0, or -1 when absent or malformed.
 * cut: the frame was cut by the snaplen, so the payload TLV may run past
 * its end (the IP layer counts the missing bytes).
 */
static int
nflog_payload(struct cur *c, int cut, struct cur *pl)
{
	int le = nflog_le(*c, cut), i;
	uint16_t len, type;
	struct cur v;

	for (i = 0; i < NFLOG_TLV_MAX && cur_left(c) > 0; i++) {
		if ((le ? cur_le16(c, &len) || cur_le16(c, &type) :
		    cur_be16(c, &len) || cur_be16(c, &type)) != 0 ||
		    len < NFLOG_TLV_HDR)
			return -1;
		type &= NFLOG_TYPE_MASK;
		if (cur_sub(c, (size_t)len - NFLOG_TLV_HDR, &v) != 0) {
			if (!cut || type != NFULA_PAYLOAD)
				return -1;
			v = *c;
		}
		if (type == NFULA_PAYLOAD) {
			*pl = v;
			return 0;
		}
		/* the last TLV may come without its padding */
		if (cur_skip(c, (4 - (len & 3)) & 3) != 0)
			return -1;
	}
	return -1;
}

enum parse_result
nflog_decode(struct dctx *ctx, struct cur *c)
{
	uint8_t af, ver;
	struct cur pl;

	if (cur_u8(c, &af) != 0 || cur_u8(c, &ver) != 0 ||
	    cur_skip(c, 2) != 0)
		return dctx_fail(ctx, DEC_TRUNC_LINK);
	if (ver != NFLOG_VERSION || nflog_payload(c, ctx->cut, &pl) != 0)
		return dctx_fail(ctx, DEC_NFLOG_BAD);
	switch (af) {
	case 2:
		return ipv4_decode(ctx, &pl);
	case 10:
		return ipv6_decode(ctx, &pl);
	}
	return ip_version_demux(ctx, &pl);
}
