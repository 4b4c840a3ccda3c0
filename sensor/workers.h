/*
 * workers.h - several workers in threads, rootwatch(8) WORKERS.
 *
 * Replay (autofp): the reader thread (input_run) hashes each frame's
 * addresses to a worker and copies the frame into that worker's bounded
 * single-producer, single-consumer ring; the worker thread decodes it
 * with its own flow table, reassembly, TLS state and certificate cache.
 * The hash is symmetric and uses the innermost IP addresses only (never
 * ports), so both directions of a flow and every IP fragment of a
 * datagram reach the same worker; non-IP frames go to worker 0.  Packet time reaches idle
 * workers as clock records in their rings, at the packets where a single
 * worker would expire flows, so flows end as with one worker.
 *
 * Every worker renders its own events and hands whole lines to one writer
 * thread (writer.h).  A worker holds its mutex while it works on a batch;
 * stats, rule reloads and the summary take the mutexes, never the packet
 * path of another worker.
 */
#ifndef ROOTWATCH_WORKERS_H
#define ROOTWATCH_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "input.h"
#include "output.h"

struct pool;
struct ruleset;

struct pool_opts {
	size_t			 n;		/* workers, 2..LIM_WORKERS_MAX */
	const struct limits	*lim;
	const struct output_opts *oo;
	struct output		*dst;		/* the real output */
	struct ruleset		*rules;		/* each worker takes a ref */
	output_observer		 observe;	/* called under a lock */
	void			*observe_arg;
	int			 live;		/* live.c's threads: n >= 1, no
						 * rings, no reader */
};

/* Workers and their outputs, no thread yet.  NULL (logged) on failure. */
struct pool *pool_new(const struct pool_opts *);
void	pool_free(struct pool *);

/* Replay: start the writer and the worker threads.  0 or -1. */
int	pool_start_replay(struct pool *);
/* input_consumer: dispatch one frame (the reader thread). */
void	pool_frame(void *pool, const struct input_frame *);
/* The input has ended: the workers drain their rings, end their flows,
 * and stop; then the writer stops.  Afterwards the caller may write to
 * the real output again. */
void	pool_finish(struct pool *);

/*
 * Live (live.c): the writer and n threads running fn(args[i]), each
 * reading its own capture sockets into worker i.  A thread wraps each
 * batch in pool_batch_begin/end (its lock; then its lines go to the
 * writer).  The threads end on their own signal; pool_finish joins them.
 * 0, or -1 (logged: stop the threads started, then pool_finish).
 */
int	pool_start_threads(struct pool *, void *(*fn)(void *),
	    void *const *args);
void	pool_batch_begin(struct pool *, size_t i);
void	pool_batch_end(struct pool *, size_t i);

/* The workers (to read after pool_finish, or under pool_lock_all). */
struct worker *const *pool_workers(struct pool *, size_t *n);
void	pool_lock_all(struct pool *);
void	pool_unlock_all(struct pool *);

/* A stats event while the workers run, through the writer. */
void	pool_stats(struct pool *, uint64_t ts_us, const struct stats_extra *);
/* Every worker matches against rs from its next batch on.  -1: out of
 * memory in some worker (the others have it; the count is logged). */
int	pool_set_rules(struct pool *, struct ruleset *rs);
/* Reopen the output (SIGHUP) in the writer thread. */
void	pool_reopen(struct pool *);
/* Alerts so far (the progress line; no lock). */
uint64_t pool_alerts(struct pool *);
/* The sandbox object for stats events rendered by the pool. */
void	pool_set_sandbox(struct pool *, const char *json);

/* The worker a frame goes to: d is a decoder without a fragment table. */
size_t	pool_dispatch_hash(struct decoder *d, int dlt, const uint8_t *frame,
	    size_t caplen, uint64_t key, size_t n);

#endif
