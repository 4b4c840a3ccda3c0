/*
 * app.h - one worker: decoder, flow table, reassembly, TLS, certificates,
 * rules and output, wired together.  Everything a worker touches per
 * packet is its own, so the live capture can later run one worker per
 * core (PACKET_FANOUT) without locks; only the rule set is shared, and it
 * is read-only and reference counted: a reload binds each worker's rules
 * state to the new set (worker_set_rules) between packets, and the old
 * set goes when its last holder lets go.
 *
 * Mutable file-scope statics left in the process, none written per packet
 * by a worker's own state:
 *   main.c got_stop/got_hup/got_usr1: set by signal handlers, which can
 *     reach nothing else (sig_atomic_t); the main loop acts on them.
 *   log.c log_verbose/log_syslog: set once at startup, read after.
 *   xmalloc.c fail_after: the tests' and fuzzers' failure hook, -1 (off)
 *     in the sensor.
 *   parsers/tls.c tls_mem_*: the TLS memory budget, written per packet;
 *     it moves into the per-worker TLS context (work on parsers/tls*.c).
 */
#ifndef ROOTWATCH_APP_H
#define ROOTWATCH_APP_H

#include <stdint.h>

#include "../parsers/decode.h"
#include "../parsers/tls.h"
#include "../parsers/x509.h"
#include "classify.h"
#include "flow.h"
#include "reasm.h"
#include "limits.h"
#include "output.h"
#include "pktbuf.h"
#include "quic_watch.h"

struct aggregate;
struct classify;
struct evidence;
struct x509_cache;
struct ruleset;
struct rules_state;
struct signals;

struct app_stats {
	uint64_t	no_flow;	/* flow table could not take the packet */
	uint64_t	tls_sessions;	/* tls events */
	uint64_t	chains;		/* sessions with a visible server chain */
	uint64_t	certs;		/* certificates reported */
	uint64_t	client_chains;
	uint64_t	missing[16];	/* per enum tls_missing */
	uint64_t	alerts;
	uint64_t	not_tls;	/* flows given up as not TLS */
	uint64_t	no_handshake;	/* TLS records but never a handshake
					 * record: no tls event (a late
					 * retransmission after the close) */
	uint64_t	tls_alloc_fail;
	uint64_t	rules_generation;	/* rule sets bound: 1 at start,
						 * +1 per reload taken */
	uint64_t	csum_checked;
	uint64_t	last_ts_us;
	uint64_t	signals[16];	/* alerts per enum signal_kind */
	uint64_t	flights;	/* TLS 1.3 server flights counted */
};

/* The capture's own counters (pcap_stats), live capture only. */
struct capture_counters {
	int		valid;
	uint64_t	kernel_packets;	/* ps_recv */
	uint64_t	kernel_drops;	/* ps_drop */
	uint64_t	kernel_ifdrops;	/* ps_ifdrop */
};

struct worker {
	const struct limits	*lim;
	struct decoder		 dec;
	struct flow_table	 ft;
	struct reasm_ctx	 rc;
	struct tls_ctx		 tls;		/* TLS memory budget, digests */
	struct classify		*cls;
	struct x509_cache	*xc;
	const struct ruleset	*rules;		/* shared; NULL: no rules */
	struct rules_state	*rstate;	/* holds the reference on rules */
	struct output		*out;
	struct quic_watch	 qw;		/* QUIC flows, QUIC-blocked */
	struct signals		*sig;		/* shared; NULL: no signals */
	struct app_stats	 st;
	struct capture_counters	 cap;		/* set by the capture loop */
	uint64_t		 next_expire_us;
	/* The NGO field kit (rootwatch(8) PRIVACY, EVIDENCE); the caller
	 * sets ev and agg after worker_init(), NULL: off. */
	struct pktbuf_ctx	 pb;		/* frame copies for evidence */
	struct evidence		*ev;		/* bundles; shared once workers
						   are threads: see evidence.h */
	struct aggregate	*agg;		/* privacy: tls_aggregate */
	/* the active probe's from-wire (probe.h), set like ev; NULL: off */
	struct probe_wire	*wire;
	uint64_t		 wire_rng;	/* its sampling, this worker's */
};

/* The worker takes its own reference on rules (NULL: no rules). */
int	worker_init(struct worker *, const struct limits *, struct output *,
	    struct ruleset *);
void	worker_free(struct worker *);
/* Match against rules from the next session on (reload).  Alert counts
 * carry over by rule id.  -1: out of memory, the old rules stay. */
int	worker_set_rules(struct worker *, struct ruleset *);

/*
 * Several workers fed by one reader (sensor/workers.c): the reader's
 * packet clock.  Expires flows and fragments at ts_us, as worker_frame
 * does on its own packets' time, and from then on only this call moves
 * the worker's clock: every worker ends its flows at the same packet
 * times as a single worker reading every frame would.
 */
void	worker_clock(struct worker *, uint64_t ts_us);

/* Compare each reported session with sig (sensor/signals.h, shared by
 * every worker; NULL: off).  Set before the first frame. */
void	worker_set_signals(struct worker *, struct signals *);

/* One captured frame of link type dlt. */
void	worker_frame(struct worker *, int dlt, const uint8_t *frame,
	    size_t caplen, size_t wire_len, uint64_t ts_us);
/*
 * A chain the active probe fetched (sensor/probe.h), judged as a passive
 * session's: a tls event, an alert per matching rule at once, and the
 * signals the gate lets through (a repeat on a second round with a valid
 * control), all carrying rootwatch.probe (json).  The main thread calls
 * it holding the worker (pool_batch_begin).
 */
struct probe_judge;
void	worker_probe(struct worker *, const struct probe_judge *,
	    uint64_t ts_us);

/* End every flow (writes their events). */
void	worker_flush_flows(struct worker *);
/*
 * The counters of a worker, as plain numbers: summed over workers for the
 * stats and summary events (peaks and gauges are sums of the workers').
 */
struct worker_counts {
	struct app_stats	st;
	struct decode_stats	dec;
	struct flow_stats	flow;
	uint64_t		flow_max;
	struct reasm_stats	reasm;
	uint64_t		tls_mem_used, tls_mem_peak, tls_mem_hits;
	uint64_t		tls_memcap_refused;
	struct x509_stats	x509;
	struct classify_stats	cls;
	uint64_t		has_cls;
	struct output_stats	out;
	struct quic_stats	quic;		/* parsers/quic.c */
	struct quic_watch_stats	quic_watch;
};

void	worker_counts_get(const struct worker *, struct worker_counts *);
/* sum += c (last_ts_us: the later one) */
void	worker_counts_add(struct worker_counts *sum,
	    const struct worker_counts *c);
/* Sum of n workers' counts. */
void	worker_counts_sum(struct worker *const *ws, size_t n,
	    struct worker_counts *sum);
/*
 * Alerts per rule of ws[0]'s rule set summed over n workers: an array of
 * rules_count() entries (xfree it), *nrules set; NULL when there are no
 * rules or no memory.
 */
uint64_t *worker_alerts_by_rule(struct worker *const *ws, size_t n,
	    size_t *nrules);

/* What a stats event says beyond the workers' counters. */
struct stats_extra {
	const struct capture_counters *cap;	/* summed; NULL: none */
	/* writes more members into the rootwatch tree (interfaces) */
	void	(*render)(struct jbuf *, void *arg);
	void	*arg;
};

/* Write a stats event (one worker, its own output). */
void	worker_stats(struct worker *, uint64_t ts_us);
/* A stats event of n workers into o: their sums, and with n > 1 a
 * "workers" array of each one's main counters. */
void	worker_stats_event(struct output *o, struct worker *const *ws,
	    size_t n, uint64_t ts_us, const struct stats_extra *ex);
/* Log which caps were hit (end of run). */
void	worker_report_caps(const struct worker *);

#endif
