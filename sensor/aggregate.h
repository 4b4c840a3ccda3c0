/*
 * aggregate.h - privacy mode's tls_aggregate event (rootwatch(8) PRIVACY).
 *
 * In privacy mode a session that does not alert gets no tls or flow event
 * of its own; it is counted here instead, by the issuer of the server's
 * certificate (EVE's tls.issuerdn) and, when privacy.aggregate-sni is on,
 * by server name.  One event per period of packet time (periods aligned
 * to multiples of privacy.aggregate-interval since the epoch), written
 * when a packet of a later period arrives and at the end of the run.
 * Counts cannot be turned back into who connected where: there is no
 * client, no time finer than the period and no per-session record.
 */
#ifndef ROOTWATCH_AGGREGATE_H
#define ROOTWATCH_AGGREGATE_H

#include <stdint.h>

struct aggregate;
struct output;

struct aggregate *aggregate_new(uint64_t period_us, int by_sni);
void	aggregate_free(struct aggregate *);
/* One session: issuer NULL when no chain was visible, sni NULL or "". */
void	aggregate_add(struct aggregate *, const char *issuer, const char *sni,
	    int alerted, uint64_t ts_us);
/* Packet time ts_us: write the period's event if the period is over. */
void	aggregate_tick(struct aggregate *, struct output *, uint64_t ts_us);
/* Write what is counted (end of run). */
void	aggregate_flush(struct aggregate *, struct output *);

#endif
