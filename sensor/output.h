/*
 * output.h - JSON lines events: flow, tls, alert, stats, summary.
 *
 * Two formats, rootwatch(8) FORMATS:
 *   OUTPUT_EVE  Suricata's EVE: every field Suricata's schema defines is
 *               written with its name, type and format; what rootwatch has
 *               beyond it is under the one top-level key "rootwatch".
 *   OUTPUT_ECS  Elastic Common Schema 9.4.0 names; rootwatch's own fields
 *               under the custom field set "rootwatch".
 * Every event carries its packet time, event type, flow_id and the flow's
 * endpoints with the client as source and the server as destination.
 *
 * Each event function renders the event once per format that o->formats
 * asks for (a format no output wants costs nothing) and hands each line to
 * output_emit(), the one place lines leave.  Lines are built in memory and
 * written whole; the stream is flushed at least every packet batch, on
 * SIGTERM and at exit, so no event is lost.
 */
#ifndef ROOTWATCH_OUTPUT_H
#define ROOTWATCH_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "json.h"

struct tls_session;
struct x509_cache;
struct x509_cert;
struct rule_hit;
struct tls_report;
struct privacy;
struct quic_flow;
struct quic_blocked_report;
struct signal;

enum output_format {
	OUTPUT_EVE,
	OUTPUT_ECS,
	OUTPUT_FORMAT_MAX
};
#define OUTPUT_FMT_BIT(f)	(1u << (f))

/* The event kinds, output_emit()'s event_kind (and event-type filters). */
enum output_event {
	OUTPUT_EV_FLOW,
	OUTPUT_EV_TLS,
	OUTPUT_EV_ALERT,
	OUTPUT_EV_STATS,
	OUTPUT_EV_SUMMARY,
	OUTPUT_EV_QUIC,
	OUTPUT_EV_MAX
};

struct output_opts {
	int	pem;		/* add each certificate (base64 DER, and the
				   PEM in the structured chain) */
	int	cert_dedup;	/* certificate in full once, then by sha256 */
	int	privacy;	/* rootwatch(8) PRIVACY: no client address
				   (or its pseudonym, struct output's
				   priv), no tls event, a flow event only
				   for a flow that alerted */
	int	immediate;	/* one write per event, even to a file */
	enum output_format format;	/* the format of the one output */
	uint64_t flow_id_key;	/* flow_id hash key; 0: the fixed replay
				   key (ids repeat run to run) */
};

struct output_stats {
	uint64_t	events[OUTPUT_EV_MAX];	/* lines written, by kind */
	uint64_t	write_errors;
	uint64_t	oom;		/* events lost to allocation failure */
	uint64_t	dedup_hits;
};

/*
 * Sees every tls event (hit NULL) and alert event as it is written: the
 * replay summary counts server names and issuers through it.
 */
typedef void (*output_observer)(void *arg, const struct flow *,
    const struct tls_report *, const struct rule_hit *hit);

/* A finished line, taken by the writer (see struct output's divert). */
typedef void (*output_divert_fn)(void *arg, enum output_format fmt,
    int event_kind, const char *line, size_t len);

struct sinks;
struct sink_conf;

struct output {
	struct sinks		*sinks;		/* where lines go (sink.h); NULL
						   with divert */
	int			 immediate;	/* flush each event */
	unsigned		 formats;	/* OUTPUT_FMT_BIT()s wanted by
						   some output */
	uint64_t		 flow_id_key;
	struct jbuf		 jb;		/* the line being built */
	struct jbuf		 body;		/* stats/summary body */
	struct jbuf		 sbody;		/* stats: Suricata's counters */
	/* the last rendered tls objects (output_tls_render): "tls" per
	 * format, and "rootwatch.tls" (the same in both) */
	struct jbuf		 tlsobj[OUTPUT_FORMAT_MAX];
	struct jbuf		 rwtls;
	uint64_t		 ev_ts_us;	/* stats/summary in progress */
	const char		*ev_type;
	struct output_opts	 opts;
	struct output_stats	 st;
	struct dedup_set	*dedup;
	output_observer		 observe;	/* NULL: none */
	void			*observe_arg;
	const char		*sandbox;	/* stats "sandbox" object */
	/* Several workers (sensor/writer.h): a worker's output renders
	 * its events and hands each finished line here instead of writing
	 * it; one writer thread writes them.  NULL: write to fp. */
	output_divert_fn	 divert;
	void			*divert_arg;
	const struct privacy	*priv;		/* privacy.clients: pseudonym;
						   NULL: drop */
};

/* What the tls object of an event is built from. */
struct tls_report {
	const struct tls_session *s;
	struct x509_cache	 *xc;		/* the entries' cache: their JSON
						   is rendered once, kept there */
	struct x509_cert	**chain;	/* server chain entries */
	size_t			  nchain;
	struct x509_cert	**cchain;	/* client chain entries */
	size_t			  ncchain;
	const char		 *app_proto;	/* "tls", "smtp"... */
	const char		 *app_name;	/* nDPI application, or NULL */
	/* rootwatch.probe: the session is the active probe's (probe.h),
	 * this object says which attempt; NULL: a passive session */
	const char		 *probe;
	size_t			  probe_len;
};

/* rootwatch.probe of a probe's session, if it is one (in both formats). */
void	output_rw_probe(struct jbuf *, const struct tls_report *);

/* One output: JSON lines (eve) to path, NULL or "-" for stdout. */
int	output_open(struct output *, const char *path,
	    const struct output_opts *);
/* An output that writes nothing itself: every line goes to fn (a
 * worker's output when several workers share one writer).  0 or -1. */
int	output_open_divert(struct output *, const struct output_opts *,
	    output_divert_fn fn, void *arg);
/*
 * Where every finished line goes: line is one JSON object in format fmt,
 * len bytes, no newline.  Counts it in o->st.events[event_kind].
 */
void	output_emit(struct output *, enum output_format fmt, int event_kind,
	    const char *line, size_t len);
/* The last event line rendered (the alert just written, for evidence). */
const char *output_last_line(const struct output *, size_t *len);
/* The client address events show: 1 with out filled (its pseudonym in
 * privacy mode), 0 when it is not written (privacy.clients: drop). */
int	output_client_ip(const struct output *, const struct flow *,
	    uint8_t out[16]);
/* The flow's flow_id: a keyed hash of its 5-tuple, VLAN ids and start. */
uint64_t output_flow_id(const struct output *, const struct flow *);
/* The configured outputs (config.h outputs:), at least one. */
int	output_open_sinks(struct output *, const struct sink_conf *, size_t n,
	    const struct output_opts *);
/* Delivers what the outputs still hold (bounded wait), then closes. */
void	output_close(struct output *);
/* Write what is queued; -1 while some output is failing (it is retried). */
int	output_flush(struct output *);
/* Reopen the files (log rotation on SIGHUP). */
int	output_reopen(struct output *);
/*
 * One rendered event (a line, with or without its '\n') in one format:
 * every sink that wants that format and event kind (0 flow, 1 tls, 2
 * alert, 3 stats and summary) gets it.
 */
void	output_emit(struct output *, enum output_format, int event_kind,
	    const char *line, size_t len);

void	output_flow(struct output *, const struct flow *, int reason,
	    const char *incomplete, const char *app_proto, const char *app_name);
/* Render the tls object once; tls and alert events of the session reuse it. */
void	output_tls_render(struct output *, const struct tls_report *);
void	output_tls(struct output *, const struct flow *, uint64_t ts_us,
	    const struct tls_report *);
void	output_alert(struct output *, const struct flow *, uint64_t ts_us,
	    const struct tls_report *, const struct rule_hit *);
/* The quic event of a flow (sensor/output_quic.c): Suricata's "quic"
 * object, rootwatch.quic beyond it. */
void	output_quic(struct output *, const struct flow *, uint64_t ts_us,
	    const struct quic_flow *, const char *app_name);
/* The QUIC-blocked alert (sensor/quic_watch.h) on the fallback flow. */
void	output_quic_blocked(struct output *, const struct flow *,
	    uint64_t ts_us, const struct quic_blocked_report *);
/* An alert event for a signal (sensor/signals.h): its own signature id
 * and category, rootwatch.signal says what it was compared with.  The
 * observer is not called (the summary counts rule alerts). */
void	output_signal(struct output *, const struct flow *, uint64_t ts_us,
	    const struct tls_report *, const struct signal *);
/*
 * The stats event: the caller writes rootwatch's counter tree into the
 * jbuf output_stats_begin() returns (it becomes "rootwatch" in both
 * formats), then, when output_stats_suricata() returns a jbuf (EVE is
 * wanted), the counters Suricata names into it ("stats").
 */
struct jbuf *output_stats_begin(struct output *, uint64_t ts_us);
struct jbuf *output_stats_suricata(struct output *);
void	output_stats_end(struct output *);
/* Any other event without a flow ("summary"): body into the jbuf; it
 * becomes rootwatch.<type>. */
struct jbuf *output_event_begin(struct output *, uint64_t ts_us,
	    const char *type);
void	output_event_end(struct output *);

#endif
