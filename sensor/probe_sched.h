/*
 * probe_sched.h - when the probe may make its next attempt (rootwatch(8)
 * PROBE).  No clock and no randomness of its own: the caller passes the
 * time and a random source, so the tests drive it with a fake clock.
 *
 * A round is the control name, then each target, each twice (TLS
 * 1.3-capable, TLS 1.2-only), one attempt at a time.  Rounds start a
 * period apart plus up to jitter seconds at random, so each name is probed
 * at most once per period.  An attempt that would pass max-per-hour in
 * the last hour is skipped (and counted).  A name none of whose attempts
 * got a chain in a round sits out 1, 2, 4 ... up to LIM_PROBE_BACKOFF
 * rounds (the control never sits out: each round is judged by it).
 */
#ifndef ROOTWATCH_PROBE_SCHED_H
#define ROOTWATCH_PROBE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"

struct probe_counts {
	uint64_t	probes;		/* attempts made */
	uint64_t	ok;
	uint64_t	failed;		/* resolve, connect, refused, handshake */
	uint64_t	timeouts;
	uint64_t	skipped_rate;	/* the hourly cap */
	uint64_t	skipped_backoff;	/* rounds sat out */
};

struct probe_sched_name {
	unsigned	fails;		/* consecutive rounds without a chain */
	uint64_t	skip_until;	/* sits out rounds before this one */
	int		tried;		/* an attempt made this round */
	int		got_chain;	/* ... and one got a chain */
	struct probe_counts c;
};

struct probe_sched {
	struct probe_sched_name	*names;	/* [0]: the control */
	size_t		 n;
	uint64_t	 period, jitter;
	uint64_t	 round;		/* 0 before the first */
	uint64_t	 next_round;	/* time the next one starts */
	size_t		 cursor;	/* attempt 2 * name + (1: TLS 1.2) */
	int		 in_round;
	uint64_t	*hour;		/* times of the last attempts */
	size_t		 hour_cap, hour_n, hour_head;
	uint64_t	(*rnd)(void *);
	void		*rnd_arg;
};

/* n names (the control first).  0, or -1 out of memory. */
int	probe_sched_init(struct probe_sched *, size_t n, uint64_t now,
	    uint64_t period, uint64_t jitter, unsigned max_per_hour,
	    uint64_t (*rnd)(void *), void *rnd_arg);
void	probe_sched_free(struct probe_sched *);
/* One more name, probed from the round under way on; its index, or -1
 * out of memory. */
long	probe_sched_add(struct probe_sched *);
/* The next attempt due at now: 1 with *name and *tls12 set, 0 none. */
int	probe_sched_next(struct probe_sched *, uint64_t now, size_t *name,
	    int *tls12);
/* How the attempt given last ended: got a chain, or timed out. */
void	probe_sched_done(struct probe_sched *, size_t name, int chain,
	    int timeout);

#endif
