/*
 * summary.h - what a replay found, for the person who ran it: packet time
 * span, files, packets, TLS sessions, chains, sessions without a chain by
 * reason, alerts by rule and by server name, the most frequent issuers.
 * Printed as a table on stderr and, when asked, written as a "summary"
 * event.  The counts are the stats event's, plus the server names and
 * issuers it does not have (counted as tls and alert events are written).
 */
#ifndef ROOTWATCH_SUMMARY_H
#define ROOTWATCH_SUMMARY_H

#include <stdio.h>

struct flow;
struct input_stats;
struct output;
struct rule_hit;
struct summary;
struct tls_report;
struct worker;

struct summary *summary_new(void);
void	summary_free(struct summary *);

/* An output_observer: install with arg = the summary. */
void	summary_observe(void *arg, const struct flow *,
	    const struct tls_report *, const struct rule_hit *);

/* Over the n workers' counters summed. */
void	summary_print(const struct summary *, struct worker *const *ws,
	    size_t n, const struct input_stats *, FILE *);
void	summary_event(const struct summary *, struct worker *const *ws,
	    size_t n, const struct input_stats *, struct output *);

#endif
