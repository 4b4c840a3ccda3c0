/*
 * quic_watch.h - QUIC flows of one worker: the quic event of each, and
 * the QUIC-blocked signal.
 *
 * quic event: a UDP flow whose first datagram is a QUIC long header (or
 * a Google QUIC public header) is QUIC's; parsers/quic.c reads the
 * client's Initials.  The event is written once the ClientHello is read
 * and the server answered (so the client's versions after Version
 * Negotiation are in), or when the flow ends.
 *
 * QUIC-blocked signal (rootwatch(8) SIGNALS): states and middleboxes
 * that cannot inspect QUIC drop it, and clients fall back to TLS over
 * TCP, where the ClientHello and, before TLS 1.3, the certificates are
 * in the clear.  Per (client address, server name) the table remembers
 * QUIC attempts; when one got no server packet at all within
 * quic.blocked-reply-timeout and the same client opened a TCP TLS
 * session with the same SNI within quic.blocked-window of it, an alert
 * says so, with what it compared: first and last seen and counts of
 * both sides.
 *
 * Per worker, no locks: the worker dispatch (sensor/workers.c) hashes
 * the two addresses only, not the ports or the protocol, so a client's
 * UDP and TCP flows to one server always reach the same worker.  (A
 * fallback to another address of the same name may land elsewhere and
 * is missed: the signal errs on the quiet side.)
 */
#ifndef ROOTWATCH_QUIC_WATCH_H
#define ROOTWATCH_QUIC_WATCH_H

#include <stdint.h>

#include "../parsers/quic.h"
#include "flow.h"
#include "lru.h"
#include "output.h"

struct quic_watch_stats {
	uint64_t	sessions;	/* quic events */
	uint64_t	alloc_fail;	/* flows without QUIC state (memory) */
	uint64_t	blocked_alerts;	/* QUIC-blocked alerts */
	uint64_t	blocked_tracked;/* (client, name) episodes recorded */
	uint64_t	blocked_evicted;/* table full: least recent dropped */
	uint64_t	fallbacks;	/* TCP TLS sessions matched to an
					 * unanswered QUIC attempt */
};

/* One (client, name) QUIC attempt and what followed it over TCP. */
struct qw_entry {
	struct lru_node	 lru;
	uint32_t	 hnext;		/* hash chain (index, UINT32_MAX end) */
	uint32_t	 hash;
	uint8_t		 used;
	uint8_t		 family;
	uint8_t		 client[16];
	char		 sni[256];
	uint32_t	 version;	/* last QUIC version of the client */
	uint64_t	 quic_first_us, quic_last_us;
	uint64_t	 initials;	/* client Initial packets */
	uint64_t	 quic_flows;
	uint64_t	 replies;	/* QUIC flows with a server packet */
	uint8_t		 server[16];	/* the last QUIC flow's server */
	uint16_t	 server_port;
	uint64_t	 tcp_first_us, tcp_last_us;
	uint64_t	 tcp_sessions;
	struct flow_key	 tcp_key;	/* the first fallback flow, for the */
	uint64_t	 tcp_flow_us;	/* alert's 5-tuple and flow_id */
	uint8_t		 tcp_client_dir;
	uint8_t		 alerted;
};

struct quic_watch {
	const struct limits	*lim;
	struct output		*out;
	struct quic_ctx		 qc;
	int			 qc_ok;		/* OpenSSL gave the ciphers */
	struct qw_entry		*ent;		/* lim->quic_blocked_table */
	uint32_t		*buckets;
	uint32_t		 nbuckets;	/* power of two */
	uint32_t		 nent;
	uint32_t		 nused;		/* taken once */
	struct lru		 lru;
	uint32_t		 pending;	/* entries waiting for a verdict */
	struct quic_watch_stats	 st;
};

/* What an alert of the signal says (sensor/output_quic.c renders it). */
struct quic_blocked_report {
	const struct qw_entry	*e;
	const struct limits	*lim;
};

int	quic_watch_init(struct quic_watch *, const struct limits *,
	    struct tls_ctx *, struct output *);
void	quic_watch_free(struct quic_watch *);
enum qw_result {
	QW_NOT_QUIC,	/* leave the payload to the other layers */
	QW_MORE,	/* QUIC's: keep feeding the flow */
	QW_DONE,	/* QUIC's, all read: report it, bypass the flow */
};

/* A UDP payload of f, not bypassed, no other application layer yet. */
enum qw_result quic_watch_udp(struct quic_watch *, struct flow *, int dir,
	    const uint8_t *, size_t, uint64_t ts_us);
/* The server name f's ClientHello (or CHLO) gave; NULL: none yet. */
const char *quic_watch_sni(const struct flow *);
/* Write f's quic event (once); app_name: nDPI's name or NULL. */
void	quic_watch_report(struct quic_watch *, struct flow *, uint64_t ts_us,
	    const char *app_name);
/* f ends: its quic event if not written yet, then its state goes. */
void	quic_watch_flow_end(struct quic_watch *, struct flow *,
	    const char *app_name);
/* A TCP TLS session of f named sni (started at f->first_us). */
void	quic_watch_tcp_tls(struct quic_watch *, const struct flow *,
	    const char *sni);
/* Packet time moved: verdicts whose reply timeout passed. */
void	quic_watch_tick(struct quic_watch *, uint64_t now_us);

#endif
