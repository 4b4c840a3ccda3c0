/*
 * flow.h - the bidirectional flow table.
 *
 * A preallocated pool of flow_max entries, a hash of the 5-tuple plus VLAN
 * ids with a per-process random seed, and an age list (least recently seen
 * first).  Timeouts run on packet time so a replay behaves like live
 * capture.  When the pool is empty the oldest flow is evicted (and
 * counted); the owner gets it through the end callback first, so its
 * events are written, never silently lost.
 *
 * Timeouts: each flow sits on one of three age lists by timeout class
 * (new: flow.timeout, established = FLOW_BYPASS: flow.established-timeout,
 * closed = FIN both ways or RST: flow.closed-timeout), least recently seen
 * first.  A packet moves its flow to the tail of its class's list, so each
 * list stays sorted by last_us and flow_expire() only looks at list heads:
 * three comparisons when nothing expires, one step per flow it ends.
 * Setting FLOW_BYPASS by hand instead of flow_bypass() leaves the flow on
 * the shorter list until its next packet; flow_expire() then moves it to
 * the established list (to the tail: it may end up to one new-timeout
 * late).  FIN/RST are seen by flow_get() itself.  The lists are in
 * packet arrival order; last_us never goes back, so when packet time
 * jitters backwards (merged captures) a flow may end a little late.
 * Eviction (pool empty) and flow_end_all() take the least recently seen
 * of the three list heads.
 *
 * Ending a flow: on_end(arg, flow, reason) first (the owner writes its
 * events and may call reasm_dir_finish() on both directions; the flow is
 * still complete), then the reassembly buffers are freed through the
 * table's reasm context (flow_table_set_reasm()), then the slot is reused.
 *
 * Direction: dir 0 is the side that sent the first packet we saw (key.a),
 * dir 1 the other.  Which side is the client is a separate fact
 * (client_dir), decided from SYN/SYN-ACK, and correctable by the
 * application layer (the ClientHello sender is the client).
 */
#ifndef ROOTWATCH_FLOW_H
#define ROOTWATCH_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "reasm.h"

struct pkt;
struct pktbuf;

struct flow_key {
	uint8_t		a[16];		/* address of dir-0 sender */
	uint8_t		b[16];
	uint16_t	aport;
	uint16_t	bport;
	uint16_t	vlan[LIM_VLAN_IDS];
	uint8_t		family;		/* 4 or 6 */
	uint8_t		proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t		pad[2];
};

/* flow flags */
#define FLOW_SYN_SEEN		0x0001	/* a SYN (without ACK) was seen */
#define FLOW_SYNACK_SEEN	0x0002
#define FLOW_FIN0		0x0004	/* FIN from dir 0 */
#define FLOW_FIN1		0x0008
#define FLOW_RST		0x0010
#define FLOW_BYPASS		0x0020	/* consumer done: count, nothing else */
#define FLOW_MIDSTREAM		0x0040	/* picked up without a handshake */
#define FLOW_ROLE_FIXED		0x0080	/* client_dir confirmed by app layer */
#define FLOW_PAYLOAD		0x0100	/* carried payload */
#define FLOW_EMITTED		0x0200	/* app layer event already written */
#define FLOW_ALERTED		0x0400	/* an alert was written for it */
/* 0x1000-0x8000 are reserved for the application glue (sensor/app.c). */

/* Timeout classes, one age list each. */
enum flow_age {
	FLOW_AGE_NEW,		/* limits.flow_timeout_us */
	FLOW_AGE_EST,		/* FLOW_BYPASS: limits.flow_est_timeout_us */
	FLOW_AGE_CLOSED,	/* FIN both ways or RST: flow_closed_timeout_us */
	FLOW_AGE_MAX
};

enum flow_end_reason {
	FLOW_END_TIMEOUT,
	FLOW_END_CLOSED,	/* FIN/RST both ways, then closed timeout */
	FLOW_END_EVICTED,	/* table full, oldest flow pushed out */
	FLOW_END_SHUTDOWN,	/* end of capture or exit */
	FLOW_END_MAX
};

struct flow {
	struct flow_key	 key;
	uint64_t	 id;		/* creation number (events carry
					   output_flow_id() instead) */
	uint64_t	 first_us;
	uint64_t	 last_us;
	uint64_t	 list_us;	/* last_us when queued on its age list */
	uint64_t	 vlans;		/* key.vlan[] packed, compared per packet */
	uint64_t	 pkts[2];
	uint64_t	 bytes[2];	/* frame bytes on the wire (original
					   length, as EVE counts) */
	uint64_t	 byp_pkts[2];	/* of pkts[], after the bypass */
	uint64_t	 byp_bytes[2];
	uint32_t	 hnext;		/* hash chain (pool index, UINT32_MAX = end) */
	uint32_t	 age_prev;	/* age list */
	uint32_t	 age_next;
	uint16_t	 flags;
	uint8_t		 client_dir;	/* 0 or 1 */
	uint8_t		 in_use;
	uint8_t		 age;		/* enum flow_age: the list it is on */
	struct reasm_dir rd[2];
	void		*app;		/* application layer state, owned by app.c */
	void		*quic;		/* QUIC state, owned by quic_watch.c */
	void		*ndpi;		/* nDPI flow state while classifying */
	uint16_t	 app_proto;	/* nDPI master/app ids when known */
	uint16_t	 ndpi_app;
	uint8_t		 ndpi_pkts;
	const char	*app_label;	/* "tls", "smtp"...: static string, set by app.c */
	struct pktbuf	*pkbuf;		/* evidence frame copies (app.c) */
};

typedef void (*flow_end_fn)(void *arg, struct flow *, enum flow_end_reason);

struct flow_stats {
	uint64_t	created;
	uint64_t	ended[FLOW_END_MAX];
	uint64_t	active;
	uint64_t	peak_active;
	uint64_t	bypassed_pkts;
	uint64_t	reused;		/* 5-tuple reused by a new connection */
	uint64_t	last_hits;	/* found as the previous packet's flow */
	uint64_t	alloc_fail;	/* could not create (pool empty, evict failed) */
	uint64_t	age_moves;	/* BYPASS set by hand, moved by expire */
};

struct reasm_ctx;

struct flow_table {
	struct flow		*pool;
	uint32_t		*buckets;
	uint32_t		 nbuckets;	/* power of two */
	uint32_t		 max;
	uint32_t		 free_head;	/* free list through hnext */
	uint32_t		 fresh;		/* pool[fresh..max): never used,
						 * on no list, pages untouched */
	uint32_t		 last;		/* flow of the previous packet */
	uint32_t		 age_head[FLOW_AGE_MAX];	/* oldest */
	uint32_t		 age_tail[FLOW_AGE_MAX];	/* newest */
	uint64_t		 seed;
	uint64_t		 hash_key;	/* hash key, from seed */
	uint64_t		 next_id;
	uint64_t		 last_expire_us;
	const struct limits	*lim;
	flow_end_fn		 on_end;
	void			*arg;
	struct reasm_ctx	*reasm;		/* frees flows' buffers; may be NULL */
	struct flow_stats	 st;
};

/* Allocate the pool (lim->flow_max entries).  0 on success. */
int	flow_table_init(struct flow_table *, const struct limits *,
	    uint64_t seed, flow_end_fn on_end, void *arg);
void	flow_table_free(struct flow_table *);
/* The reassembly context whose buffers the flows' rd[] use (and whose
 * limits set new flows' depth).  Set it before the first flow_get(). */
void	flow_table_set_reasm(struct flow_table *, struct reasm_ctx *);

/*
 * Find or create the flow of packet p.  *dir is set to 0 or 1.  Returns
 * NULL only if the pool is empty and no flow could be evicted.  Updates
 * last_us, the TCP flags and the age list; does not count packets or
 * bytes (the caller does), except st.bypassed_pkts.
 */
struct flow *flow_get(struct flow_table *, const struct pkt *p, int *dir);

/*
 * End flows idle past their timeout at packet time now_us.  Three list
 * head checks when nothing is due; meant to be called at most once per
 * packet-time second from the main loop.
 */
void	flow_expire(struct flow_table *, uint64_t now_us);

/* End every flow (end of capture, shutdown), least recently seen first. */
void	flow_end_all(struct flow_table *);

/* The consumer is done with f: FLOW_BYPASS, established timeout. */
void	flow_bypass(struct flow_table *, struct flow *);

/* Check the pool, hash, free and age lists agree; 0 if so (tests). */
int	flow_table_check(const struct flow_table *);

/* Address and port of the client / server side of f. */
const uint8_t *flow_client_addr(const struct flow *);
const uint8_t *flow_server_addr(const struct flow *);
uint16_t flow_client_port(const struct flow *);
uint16_t flow_server_port(const struct flow *);

/* Application layer: the sender of direction dir is the client. */
void	flow_set_client_dir(struct flow *, int dir);

#endif
