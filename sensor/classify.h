/*
 * classify.h - application classification with nDPI.
 *
 * nDPI names the application of a flow (Google, Telegram, IMAPS...).  We
 * give it only the first few packets of each flow (limits.ndpi_packets),
 * hold its per-flow state only while it classifies, and never use it for
 * the handshake bytes: nDPI drops out-of-order segments and reads only the
 * first certificate, so chains come from our own reassembly and parser.
 */
#ifndef ROOTWATCH_CLASSIFY_H
#define ROOTWATCH_CLASSIFY_H

#include <stdint.h>

#include "flow.h"

struct pkt;

struct classify_stats {
	uint64_t	flows;		/* flows given to nDPI */
	uint64_t	packets;
	uint64_t	detected;
	uint64_t	alloc_fail;
};

struct classify;

/* NULL if nDPI cannot be initialised (the sensor runs without names). */
struct classify *classify_new(const struct limits *);
/*
 * Start-up in parallel: nDPI's set-up (about 10 ms a module, and not
 * safe in two threads at once, so serial) runs in a thread of its own
 * for the next n classify_new() calls, while the main thread loads rules
 * and trust stores.  Those classifiers classify nothing until
 * classify_prepare_end() (main thread, before any packet) joins the
 * thread and gives them their modules.  -1 when nothing was started.
 */
#define CLASSIFY_PREPARE_MAX	64
int	classify_prepare(size_t n);
void	classify_prepare_end(void);
void	classify_free(struct classify *);

/* Offer one packet of f (cheap no-op once f is classified). */
void	classify_packet(struct classify *, struct flow *, const struct pkt *);
/*
 * f turned out to carry TLS: stop feeding nDPI (its TLS dissector would
 * re-parse the hello and hash every certificate) and free its state; the
 * application is then named from the SNI by classify_sni().
 */
void	classify_stop(struct classify *, struct flow *);
/* Name f's application from the TLS server name with nDPI's host
 * automaton (what nDPI itself does with the SNI). */
void	classify_sni(struct classify *, struct flow *, const char *sni,
	    int dtls);
/* Settle f's classification (give up if needed) and free nDPI state. */
void	classify_flow_done(struct classify *, struct flow *);
/* Application name ("Google") or NULL; protocol name ("TLS") or NULL. */
const char *classify_app_name(const struct classify *, const struct flow *);
const char *classify_proto_name(const struct classify *, const struct flow *);
const struct classify_stats *classify_stats(const struct classify *);

#endif
