/*
 * vlan.c - IEEE 802.1Q VLAN tag (0x8100), 802.1ad service tag (0x88a8)
 * and the pre-standard QinQ 0x9100 and 0x9200.  Each tag is one decapsulation layer,
 * so a frame of stacked tags stops at LIM_DECAP_DEPTH.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | PCP |D|       VLAN id         |     next Ethertype            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  (the TPID 0x8100/0x88a8 before it was read by the caller)
 *
 * The first LIM_VLAN_IDS ids, outer first, go to pkt->vlan for the flow
 * key; deeper ones are decoded but not recorded.
 */
#include "decode_int.h"

enum parse_result
vlan_decode(struct dctx *ctx, struct cur *c)
{
	struct pkt *p = ctx->p;
	uint16_t tci, type;

	if (cur_be16(c, &tci) != 0 || cur_be16(c, &type) != 0)
		return dctx_fail(ctx, DEC_VLAN_TRUNC);
	if (dctx_deeper(ctx) != PARSE_OK)
		return PARSE_BAD;
	dctx_note(ctx, NOTE_VLAN);
	if (p->nvlan < LIM_VLAN_IDS)
		p->vlan[p->nvlan++] = tci & 0x0fff;
	return ether_demux(ctx, type, c);
}
