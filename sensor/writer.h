/*
 * writer.h - one output writer for several workers.
 *
 * Each worker renders its events into its own struct output (opened with
 * output_open_divert) whose lines land in the worker's staging buffer;
 * at the end of a batch the worker hands the whole buffer to the writer's
 * bounded queue (one lock per batch, never per packet).  The writer
 * thread alone calls output_emit() on the real output, line by line, so
 * lines are never torn or interleaved, and a worker's lines keep their
 * order: the events of one flow, which one worker owns, stay in order.
 * A worker that finds the queue full waits: no event is dropped.
 */
#ifndef ROOTWATCH_WRITER_H
#define ROOTWATCH_WRITER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

struct wchunk;

struct writer {
	struct output	*dst;		/* the real output: the writer's */
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* the writer waits for chunks */
	pthread_cond_t	 space;		/* producers wait for room */
	pthread_cond_t	 idle;		/* writer_sync waits for this */
	struct wchunk	*head, *tail;
	size_t		 queued;	/* bytes in the queue */
	int		 busy;		/* writing chunks taken off */
	int		 stop, reopen;
	int		 running;
	uint64_t	 cpu_ns;	/* the thread's CPU time, once stopped */
};

/* A producer: one per thread that writes events (workers, main). */
struct writer_prod {
	struct writer	*wr;
	struct output	 out;		/* renders; lines go to buf */
	char		*buf;		/* records: header, line */
	size_t		 len, cap;
};

/* Start the thread writing to dst.  0, or -1 (logged). */
int	writer_start(struct writer *, struct output *dst);
/* Write everything queued, then end the thread: dst is the caller's
 * again. */
void	writer_stop(struct writer *);
/* Reopen dst in the writer thread (SIGHUP, log rotation). */
void	writer_reopen(struct writer *);
/* Wait until everything queued so far is written and flushed. */
void	writer_sync(struct writer *);

/* A producer's output renders like dst (same options).  0 or -1. */
int	writer_prod_init(struct writer_prod *, struct writer *,
	    const struct output_opts *);
void	writer_prod_free(struct writer_prod *);
/* Hand the lines gathered so far to the writer (end of a batch). */
void	writer_prod_push(struct writer_prod *);

#endif
