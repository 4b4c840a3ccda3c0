#include "limits.h"

#include <string.h>

void
limits_default(struct limits *l)
{
	memset(l, 0, sizeof(*l));
	l->flow_max = LIM_FLOW_MAX;
	l->flow_timeout_us = LIM_FLOW_TIMEOUT_US;
	l->flow_est_timeout_us = LIM_FLOW_EST_TIMEOUT_US;
	l->flow_closed_timeout_us = LIM_FLOW_CLOSED_TIMEOUT_US;
	l->reasm_depth = LIM_REASM_DEPTH;
	l->reasm_ooo_bytes = LIM_REASM_OOO_BYTES;
	l->reasm_ooo_segs = LIM_REASM_OOO_SEGS;
	l->reasm_memcap = LIM_REASM_MEMCAP;
	l->reasm_hole_timeout_us = LIM_REASM_HOLE_TIMEOUT_US;
	l->tls_hs_max = LIM_TLS_HS_MAX;
	l->tls_memcap = LIM_TLS_MEMCAP;
	l->x509_cache_bytes = LIM_X509_CACHE_BYTES;
	l->frag_trains = LIM_FRAG_TRAINS;
	l->frag_memcap = LIM_FRAG_MEMCAP;
	l->frag_timeout_us = LIM_FRAG_TIMEOUT_US;
	l->x509_cache = LIM_X509_CACHE;
	l->rules_cache = LIM_RULES_CACHE;
	l->ndpi_packets = LIM_NDPI_PACKETS;
	l->pktbuf_flow = LIM_PKTBUF_FLOW;
	l->pktbuf_memcap = LIM_PKTBUF_MEMCAP;
	l->quic = 1;
	l->quic_crypto_max = LIM_QUIC_CRYPTO;
	l->quic_blocked = 1;
	l->quic_blocked_table = LIM_QUIC_BLOCKED_TABLE;
	l->quic_blocked_sid = LIM_QUIC_BLOCKED_SID;
	l->quic_reply_timeout_us = LIM_QUIC_REPLY_TIMEOUT_US;
	l->quic_fallback_us = LIM_QUIC_FALLBACK_US;
}
