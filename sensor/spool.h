/*
 * spool.h - the bounded queue of one output's events.
 *
 * Every event an output is handed goes through its spool: the transport
 * takes records from the head as fast as the far end accepts them, so a
 * collector that is down or slow never blocks capture.  The queue holds at
 * most `cap` bytes (record headers included, so the bound is the memory
 * really held).  When a new record does not fit, the oldest records that
 * are not alerts go first; alerts are dropped only when nothing else is
 * left to drop, and every loss is counted.
 *
 * A record at the head may be partly written (a stream socket or a file
 * took only some of its bytes: `off`), and records may be in flight to a
 * transport that acknowledges them later (Redis replies): those from the
 * head up to `unsent`.  Neither kind is ever dropped, so a line is never
 * cut, and a reply always matches the record it acknowledges.
 */
#ifndef ROOTWATCH_SPOOL_H
#define ROOTWATCH_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct spool_rec {
	struct spool_rec	*next;
	struct spool_rec	*prev;
	size_t			 len;
	int			 alert;
	uint8_t			 kind;		/* the event kind, for the sink */
	char			 data[];
};

struct spool {
	struct spool_rec	*head;
	struct spool_rec	*tail;
	struct spool_rec	*unsent;	/* first record not handed to the
						   transport; NULL: none */
	size_t			 off;		/* bytes of head already written */
	size_t			 bytes;		/* held, headers included */
	size_t			 cap;
	size_t			 n;		/* records held */
	size_t			 inflight;	/* records before unsent */
	uint64_t		 dropped;	/* records dropped, alerts too */
	uint64_t		 dropped_alerts;
	uint64_t		 dropped_nomem;	/* of dropped: no memory for the
						   copy, the spool not full */
};

void	spool_init(struct spool *, size_t cap);
void	spool_free(struct spool *);
/*
 * Queue a copy of the len bytes at p.  Returns 0, or -1 when the record
 * itself was dropped (too large, out of memory, or every older record is an
 * alert or in flight).  Older records may be dropped to make room.
 */
int	spool_push(struct spool *, const void *p, size_t len, int alert,
	    int kind);
/* The same for a record made of n pieces (a header, the line, a '\n'). */
int	spool_pushv(struct spool *, const struct iovec *iov, int n, int alert,
	    int kind);
/* The oldest record, or NULL.  spool_pop() removes it (written, acked). */
struct spool_rec *spool_head(const struct spool *);
void	spool_pop(struct spool *);
/* Acknowledged transports: the next record to send, and mark it sent. */
struct spool_rec *spool_next_unsent(const struct spool *);
void	spool_mark_sent(struct spool *);
/* Records in flight (sent, not acknowledged). */
size_t	spool_inflight(const struct spool *);
/* The connection was lost: everything in flight is to be sent again,
 * whole.  Returns the number of records rewound. */
size_t	spool_rewind(struct spool *);

#endif
