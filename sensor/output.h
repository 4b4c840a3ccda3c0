/*
 * output.h - JSON lines events: flow, tls, alert, stats.
 *
 * Every event carries timestamp (packet time), event_type, flow_id and the
 * flow's endpoints with the client as src and the server as dest, as in
 * Suricata's EVE.  Lines are built in memory and written whole; the stream
 * is flushed at least every packet batch, on SIGTERM and at exit, so no
 * event is lost.
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

struct output_opts {
	int	pem;		/* add each certificate's PEM */
	int	cert_dedup;	/* certificate in full once, then by sha256 */
	int	privacy;	/* never write client addresses */
};

struct output_stats {
	uint64_t	events[4];	/* flow, tls, alert, stats */
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

/* The formats an event is rendered in (each sink takes one). */
enum output_format { OUTPUT_EVE, OUTPUT_ECS };

struct sinks;
struct sink_conf;

struct output {
	struct sinks		*sinks;		/* where lines go (sink.h) */
	unsigned		 formats;	/* 1u << enum output_format:
						   the formats some sink wants */
	struct jbuf		 jb;
	struct jbuf		 tlsobj;	/* last rendered tls object */
	struct output_opts	 opts;
	struct output_stats	 st;
	struct dedup_set	*dedup;
	output_observer		 observe;	/* NULL: none */
	void			*observe_arg;
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
};

/* One output: JSON lines (eve) to path, NULL or "-" for stdout. */
int	output_open(struct output *, const char *path,
	    const struct output_opts *);
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
/* The stats event body is written by the caller into the jbuf. */
struct jbuf *output_stats_begin(struct output *, uint64_t ts_us);
void	output_stats_end(struct output *);
/* Any other event without a flow ("summary"): body into the jbuf. */
struct jbuf *output_event_begin(struct output *, uint64_t ts_us,
	    const char *type);
void	output_event_end(struct output *);

#endif
