/*
 * live.h - live capture: interfaces, fanout members, worker threads,
 * and interfaces that go away and come back.  rootwatch(8) WORKERS,
 * INTERFACES.
 *
 * Per interface, one PACKET_FANOUT group (hash mode with the defrag flag:
 * both directions of a flow, and every fragment of a datagram, reach one
 * member); each worker thread owns one member socket per interface, with
 * its own TPACKET_V3 ring, and feeds its own worker (flow table,
 * reassembly, TLS state).  Nothing is shared on the packet path.  The
 * sockets come from the capture helper (privsep.h), at start and after a
 * loss alike.
 *
 * An interface that fails (down, deleted: ENETDOWN, ENODEV on its
 * sockets) is logged once, counted, and reopened with a backoff of 1 s
 * doubling to 30 s until it is back, under a new index if need be.  Only
 * the helper's loss is permanent.
 */
#ifndef ROOTWATCH_LIVE_H
#define ROOTWATCH_LIVE_H

#include <stddef.h>
#include <time.h>

struct live;
struct pool;
struct priv;
struct jbuf;
struct capture_counters;

struct live_iface_opts {
	const char	*name;
	const char	*bpf;		/* NULL or "": everything */
	unsigned	 snaplen;
	unsigned	 ring_bytes;	/* per member socket */
	int		 promisc;
};

/*
 * Open every member socket of every interface (start-up: a failure is a
 * usage error, logged, NULL).  Workers are pool's (pool_opts.live).
 */
struct live *live_new(struct priv *, struct pool *,
	    const struct live_iface_opts *, size_t nifaces);
/* Start the worker threads.  0 or -1 (logged). */
int	live_start(struct live *);
/* Main thread, about every 200 ms: notice lost interfaces, reopen them
 * when their time comes.  -1 once the helper is gone (permanent). */
int	live_tick(struct live *, time_t now);
/* Stop the threads (each ends its flows); then pool_finish. */
void	live_stop(struct live *);
void	live_free(struct live *);

/* The interfaces array of the stats event, and the counters summed. */
void	live_render(struct live *, struct jbuf *);
void	live_counters(struct live *, struct capture_counters *);
const char *live_name(const struct live *, size_t i);
size_t	live_nifaces(const struct live *);

#endif
