/*
 * reasm.h - TCP stream reassembly, per direction, for the first
 * reassembly.depth bytes of a stream (handshakes only).
 *
 * The consumer (the TLS layer) receives the in-order byte stream through a
 * callback.  In-order segments are delivered straight from the packet (no
 * copy) when nothing is pending; bytes the consumer does not consume are
 * kept in a per-direction pending buffer and offered again, prefixed to the
 * next in-order bytes.  The consumer can say "call me again only once N
 * bytes are available" (*need), so a 300 KB certificate message over 200
 * segments is parsed once, not 200 times.
 *
 * Overlaps: first wins.  Bytes already delivered or already held out of
 * order are never replaced by a later retransmission with different content
 * (the policy of BSD/Linux receivers for in-window data; an IDS that lets
 * later bytes win can be fed a different chain than the client got).
 *
 * Gaps: a hole is given up on (reason REASM_GAP) only when it can no
 * longer be filled from this capture: the flow ends with the hole open,
 * the hole stays open for reassembly.hole-timeout of packet time (the
 * clock the caller sets with reasm_set_time(), so a replay behaves as the
 * live capture did), or the bytes or segments held out of order exceed
 * their caps.  An ACK is never taken as proof of loss: on a mirror port
 * the two directions come by different paths, so the peer's ACK of a
 * flight is often recorded before the flight, whose segments may also be
 * swapped (seg 2, seg 1).  With A the highest ACK the peer sent and
 * next_seq the first byte we have not got in order (serial arithmetic,
 * RFC 1982):
 *
 *   1. A > next_seq while out-of-order data is held: counted
 *      (acked_holes) and nothing else; the hole is held until it fills or
 *      one of the bounds above passes.
 *   2. A > next_seq with nothing held: remembered (ack_past).  If
 *      in-order data then reaches A the note is dropped; if the flow ends
 *      first, the ACKed bytes were on the wire but not in our capture:
 *      a gap of A - next_seq bytes.
 *   3. An ACK of our FIN (A = fin + 1) is not a hole: data after FIN is
 *      ignored anyway.
 *
 * The hole's clock (hole_since_us) starts when data is first held beyond
 * it and restarts whenever held data is delivered (the stream made
 * progress; the next hole is a new one).
 *
 * gap_bytes is the size of the hole (first byte held or seen beyond it
 * minus next_seq) when known, 0 when not.
 *
 * Memory: the pending buffer and each held segment (header included) are
 * counted in ctx->st.mem_in_use against limits.reasm_memcap; every buffer
 * is released by reasm_dir_stop()/reasm_dir_free(), so mem_in_use returns
 * to 0 once every direction is freed.  The in-order path allocates only
 * when the pending buffer must grow.
 *
 * Depth: rd->delivered counts bytes accepted into the in-order stream.
 * A segment crossing depth is cut; the consumer gets the bytes up to depth
 * first and may raise depth (reasm_dir_set_depth()) from its callback, in
 * which case the rest of the segment follows.  Only when a byte cannot be
 * accepted does the direction stop with REASM_DEPTH.
 *
 * Need: *need counts bytes from the first byte the consumer did not
 * consume.  The consumer is called again only when that many are pending.
 * After a call that consumed something, it is called again at once on the
 * remainder if the remainder satisfies the new need.
 */
#ifndef ROOTWATCH_REASM_H
#define ROOTWATCH_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* Why a direction's stream stopped being delivered (or is incomplete). */
enum reasm_reason {
	REASM_OK = 0,		/* still delivering, nothing lost */
	REASM_DONE,		/* consumer said it is done */
	REASM_GAP,		/* a hole never filled */
	REASM_DEPTH,		/* reassembly.depth reached */
	REASM_MEMCAP,		/* global reassembly memory cap hit */
	REASM_CONSUMER_ERR,	/* consumer gave up (malformed stream) */
	REASM_REASON_MAX
};

struct reasm_seg;

struct reasm_dir {
	uint32_t		 next_seq;	/* next in-order sequence number */
	uint32_t		 delivered;	/* stream bytes delivered so far */
	uint32_t		 depth;		/* delivery limit for this dir */
	uint32_t		 need;		/* consumer wants pend_len >= need */
	uint8_t			*pend;		/* unconsumed in-order bytes */
	uint32_t		 pend_len;
	uint32_t		 pend_cap;
	struct reasm_seg	*ooo;		/* out-of-order segments, by seq */
	uint32_t		 ooo_bytes;
	uint16_t		 ooo_segs;
	uint8_t			 seq_known;	/* next_seq is set */
	uint8_t			 syn_seen;
	uint8_t			 fin_seen;
	uint8_t			 reason;	/* enum reasm_reason */
	uint32_t		 gap_bytes;	/* bytes lost in the gap, if known */
	uint32_t		 fin_seq;	/* sequence number of our FIN */
	uint32_t		 ack_past;	/* peer ACKed this, beyond next_seq */
	uint8_t			 ack_ahead;	/* ack_past is set (rule 2 above) */
	uint64_t		 hole_since_us;	/* packet time the hole was held */
};

/*
 * Deliver in-order stream bytes.  Return how many of them the consumer
 * consumed (0..len); the rest is kept and offered again.  Set *need to the
 * total number of bytes the consumer needs before it can make progress
 * (0: call on any new byte).  To stop the stream, the consumer calls
 * reasm_dir_stop() on the direction and returns.
 */
typedef size_t (*reasm_deliver_fn)(void *arg, int dir, const uint8_t *data,
    size_t len, size_t *need);

struct reasm_stats {
	uint64_t	segments;	/* segments with payload seen */
	uint64_t	in_order;	/* delivered without being held */
	uint64_t	out_of_order;	/* held for later */
	uint64_t	retransmitted;	/* wholly old data, dropped */
	uint64_t	overlaps;	/* partially old data, trimmed */
	uint64_t	overlap_conflicts;	/* overlapping bytes differed */
	uint64_t	gaps;		/* holes given up on */
	uint64_t	depth_reached;
	uint64_t	memcap_hits;
	uint64_t	ooo_cap_hits;
	uint64_t	bytes_delivered;
	uint64_t	mem_in_use;	/* current bytes of buffers */
	uint64_t	mem_peak;
	uint64_t	alloc_fail;	/* allocator said no (stopped as MEMCAP) */
	uint64_t	after_fin;	/* payload after our FIN, ignored */
	uint64_t	acked_holes;	/* ACKs moving past a held hole (no loss) */
	uint64_t	hole_timeouts;	/* holes given up on by hole-timeout */
};

struct reasm_ctx {
	const struct limits	*lim;
	reasm_deliver_fn	 deliver;
	uint64_t		 now_us;	/* packet time (reasm_set_time) */
	struct reasm_stats	 st;
};

void	reasm_ctx_init(struct reasm_ctx *, const struct limits *,
	    reasm_deliver_fn);

/* The time of the packet about to be fed (microseconds, packet time):
 * the clock of reassembly.hole-timeout.  A clock that steps back (merged
 * captures) is ignored until it passes its high-water mark. */
void	reasm_set_time(struct reasm_ctx *, uint64_t ts_us);

/* Reset one direction (flow creation). */
void	reasm_dir_init(struct reasm_ctx *, struct reasm_dir *);
/* Release one direction's buffers. */
void	reasm_dir_free(struct reasm_ctx *, struct reasm_dir *);

/*
 * Feed one TCP segment of direction dir.  flags are TCP flags (SYN sets the
 * initial sequence number; without a SYN the first segment seen starts the
 * stream: mirror ports miss SYNs).  arg is passed to the deliver callback.
 */
void	reasm_segment(struct reasm_ctx *, struct reasm_dir *, int dir,
	    uint32_t seq, uint8_t flags, const uint8_t *data, size_t len,
	    void *arg);

/*
 * The other direction acknowledged up to ack (rules above; never a gap by
 * itself), and a packet of the flow came: give up rd's hole if it has been
 * open past reassembly.hole-timeout.  Call for every packet of the flow
 * with the ACK flag set.
 */
void	reasm_ack(struct reasm_ctx *, struct reasm_dir *rd, int dir,
	    uint32_t ack, void *arg);

/* Consumer is done (or failed): free buffers, deliver nothing more. */
void	reasm_dir_stop(struct reasm_ctx *, struct reasm_dir *,
	    enum reasm_reason);

/* Raise this direction's delivery depth (capped by the caller). */
void	reasm_dir_set_depth(struct reasm_dir *, uint32_t depth);

/* Flow is ending: flush what can be flushed, mark holes as gaps. */
void	reasm_dir_finish(struct reasm_ctx *, struct reasm_dir *, int dir,
	    void *arg);

const char *reasm_reason_name(enum reasm_reason);

/* Check rd's internal invariants (held list sorted, disjoint, beyond
 * next_seq, counters right); 0 if they hold.  Tests and fuzzing. */
int	reasm_dir_check(const struct reasm_dir *);

#endif
