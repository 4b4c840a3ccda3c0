/*
 * workers.c - worker threads fed by the replay reader (autofp), one
 * writer.  See workers.h.
 */
#include "workers.h"

#include "hash.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"
#include "pcapfile.h"
#include "writer.h"
#include "xmalloc.h"
#include "../rules/rules.h"

/* Records a worker takes from its ring before it lets go of its mutex
 * and hands its lines to the writer. */
#define POOL_BATCH	4096
/* Yields before a thread that waits for its ring sleeps (2 cores, more
 * threads: spinning would take the core the other side needs). */
#define POOL_SPINS	8
/* A sleeping side re-checks at least this often (ns). */
#define POOL_NAP_NS	2000000L
/* Bytes the reader puts in a ring before it wakes its sleeping worker
 * (and records a worker takes before it publishes its tail). */
#define POOL_WAKE_BYTES	(64u << 10)
#define POOL_TAIL_EVERY	64
/* The reader's clock records: as worker_frame's own expiry tick. */
#define POOL_CLOCK_US	1000000ull

/* ---- the dispatch hash ---------------------------------------------- */

/* One address (16 bytes, IPv4 zero-padded) to 64 bits, keyed: two
 * rounds of the finaliser, one per 8 bytes (the reader pays it for every
 * frame). */
static uint64_t
addr_hash(const uint8_t *a, uint64_t key)
{
	uint64_t w0, w1;

	memcpy(&w0, a, sizeof(w0));
	memcpy(&w1, a + 8, sizeof(w1));
	return hash_fmix64(hash_fmix64(key ^ w0) ^ w1);
}

/*
 * The reader runs the workers' own decoder, without fragment reassembly,
 * only to learn the innermost IP addresses: a flow seen inside a tunnel
 * and outside it (or in two tunnels) meets one worker, as it meets one
 * flow table with a single worker.  A fragment fails the decode after its
 * IP header was read, so its addresses are there too: the hash ignores
 * ports, and every piece of a datagram goes where its flow goes.  The two
 * addresses are summed: both directions give the same worker.
 */
size_t
pool_dispatch_hash(struct decoder *d, int dlt, const uint8_t *frame,
    size_t caplen, uint64_t key, size_t n)
{
	static const uint8_t zero[16];
	struct pkt p;

	if (n <= 1)
		return 0;
	/* an IPv4 fragment leaves family unset: the addresses tell, and
	 * IPv4 ones are zero-padded to 16 bytes either way */
	memset(p.src, 0, sizeof(p.src));
	memset(p.dst, 0, sizeof(p.dst));
	(void)decode_packet(d, dlt, frame, caplen, caplen, 0, &p);
	if (memcmp(p.src, zero, 16) == 0 && memcmp(p.dst, zero, 16) == 0)
		return 0;	/* not IP: worker 0 */
	return (size_t)(hash_fmix64(addr_hash(p.src, key) +
	    addr_hash(p.dst, key)) % n);
}

/* ---- the ring ------------------------------------------------------- */

enum rec_type {
	REC_FRAME = 1,
	REC_CLOCK,
	REC_PAD,	/* skip to the start of the buffer */
	REC_BIG,	/* a frame too large for the ring: its pointer */
	REC_REF,	/* a frame in a mapped window: its pointer */
	REC_UNREF,	/* no more frames of a window: its struct pwin */
};

struct rec {
	uint32_t	type;
	uint32_t	caplen;
	uint32_t	len;
	int32_t		dlt;
	uint64_t	ts_us;
};

/*
 * One producer (the reader), one consumer (the worker).  head and tail
 * count bytes since the start and only grow; a record never wraps (a PAD
 * record, or a tail too short for a header, sends both to offset 0).
 * What each side writes sits on a cache line of its own: with head and
 * tail on one line, every frame moved the line between the two cores.
 */
struct fring {
	/* the producer's line */
	_Atomic size_t		 head;
	size_t			 ptail;		/* producer's view of tail */
	size_t			 unwoken;	/* bytes put since a wake */
	char			 pad1[64 - 3 * sizeof(size_t)];
	/* the consumer's line */
	_Atomic size_t		 tail;
	char			 pad2[64 - sizeof(size_t)];
	/* read-mostly */
	uint8_t			*buf;
	size_t			 size;		/* multiple of 8 */
	_Atomic int		 done;		/* no more records */
	_Atomic int		 csleep, psleep;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
};

/*
 * Zero-copy dispatch: a frame of a mapped capture file (pcapfile.h) goes
 * to its worker as a pointer into the reader's window, which the pool
 * keeps mapped with a reference of its own.  When the reader leaves a
 * window, every ring gets an UNREF record after that window's frames; the
 * worker that takes the last one drops the pool's reference.  At most
 * LIM_AUTOFP_WINDOWS windows are held (the reader waits for a free one),
 * POOL_ACTIVE_WINS of them current (files merged by time alternate).
 */
#define POOL_ACTIVE_WINS	2

enum pwin_state {
	PWIN_FREE,
	PWIN_ACTIVE,	/* frames of it may still come */
	PWIN_DRAINING,	/* UNREF records sent; pending workers to pass */
};

struct pwin {
	struct pcapfile_win	*win;
	_Atomic unsigned	 pending;	/* workers yet to pass UNREF */
	enum pwin_state		 state;		/* the reader's */
	uint64_t		 used;		/* the reader's LRU tick */
};

/* Bytes after the header: the frame, or a pointer. */
static size_t
rec_payload(const struct rec *h)
{
	switch (h->type) {
	case REC_BIG:
	case REC_REF:
		return sizeof(uint8_t *);
	case REC_UNREF:
		return sizeof(struct pwin *);
	}
	return h->caplen;
}

static size_t
rec_size(size_t payload)
{
	return (sizeof(struct rec) + payload + 7) & ~(size_t)7;
}

static void
ring_wake(struct fring *r, _Atomic int *flag)
{
	if (atomic_load(flag)) {
		pthread_mutex_lock(&r->mu);
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* Sleep until cond() holds or a nap passes (the flag tells the other
 * side to wake us). */
static void
ring_sleep(struct fring *r, _Atomic int *flag, int (*cond)(struct fring *))
{
	struct timespec ts;

	pthread_mutex_lock(&r->mu);
	atomic_store(flag, 1);
	if (!cond(r)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += POOL_NAP_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
	atomic_store(flag, 0);
	pthread_mutex_unlock(&r->mu);
}

static int
ring_has_data(struct fring *r)
{
	return atomic_load(&r->head) != atomic_load(&r->tail) ||
	    atomic_load(&r->done);
}

static int
ring_has_room_any(struct fring *r)
{
	return atomic_load(&r->head) - atomic_load(&r->tail) < r->size / 2;
}

/* Room for need bytes at head (after padding to the start if needed):
 * returns the write offset, waiting while the worker catches up. */
static size_t
ring_reserve(struct fring *r, size_t need, size_t *pad)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t off = head % r->size, spins = 0;

	*pad = r->size - off < need ? r->size - off : 0;
	while (head + *pad + need - r->ptail > r->size) {
		r->ptail = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head + *pad + need - r->ptail <= r->size)
			break;
		if (++spins < POOL_SPINS)
			sched_yield();
		else
			ring_sleep(r, &r->psleep, ring_has_room_any);
	}
	return *pad > 0 ? 0 : off;
}

static void
ring_put(struct fring *r, const struct rec *h, const uint8_t *data)
{
	size_t need = rec_size(rec_payload(h)), pad, off, head;
	struct rec p;

	off = ring_reserve(r, need, &pad);
	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	if (pad >= sizeof(p)) {
		memset(&p, 0, sizeof(p));
		p.type = REC_PAD;
		memcpy(r->buf + head % r->size, &p, sizeof(p));
	}
	memcpy(r->buf + off, h, sizeof(*h));
	if (rec_payload(h) > 0)
		memcpy(r->buf + off + sizeof(*h), data, rec_payload(h));
	atomic_store(&r->head, head + pad + need);	/* seq_cst: see wake */
	/* A sleeping worker is woken once a batch is worth it, not for each
	 * frame (a wake is a futex call); it naps at most POOL_NAP_NS, so a
	 * few frames never wait longer than that. */
	r->unwoken += pad + need;
	if (r->unwoken >= POOL_WAKE_BYTES) {
		r->unwoken = 0;
		ring_wake(r, &r->csleep);
	}
}

/* The record at tail, or NULL when the ring is empty. */
static const struct rec *
ring_peek(struct fring *r, size_t *tail, size_t head)
{
	struct rec h;
	size_t off;

	while (*tail != head) {
		off = *tail % r->size;
		if (r->size - off < sizeof(h)) {
			*tail += r->size - off;
			continue;
		}
		memcpy(&h, r->buf + off, sizeof(h));
		if (h.type == REC_PAD) {
			*tail += r->size - off;
			continue;
		}
		return (const struct rec *)(r->buf + off);
	}
	return NULL;
}

static int
ring_init(struct fring *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->size = size & ~(size_t)7;
	if ((r->buf = xmalloc(r->size)) == NULL)
		return -1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	return 0;
}

static void
ring_free(struct fring *r)
{
	if (r->buf == NULL)
		return;
	xfree(r->buf);
	r->buf = NULL;
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
}

/* ---- the pool ------------------------------------------------------- */

struct slot {
	struct pool		*pool;
	struct worker		 w;
	struct writer_prod	 prod;
	struct fring		 ring;
	pthread_mutex_t		 lock;		/* held while working a batch */
	pthread_t		 th;
	_Atomic uint64_t	 alerts;	/* w.st.alerts, for progress */
	uint64_t		 frames;	/* records taken (the reader's) */
	uint64_t		 cpu_ns;	/* the thread's CPU time, at its end */
	int			 w_ok, prod_ok, th_ok;
};

struct pool {
	size_t			 n;
	struct slot		*s;
	struct worker		*ws[LIM_WORKERS_MAX];
	struct writer		 wr;
	struct writer_prod	 main;		/* stats from the main thread */
	struct output		*dst;
	pthread_mutex_t		 obs_mu;
	output_observer		 observe;
	void			*observe_arg;
	uint64_t		 key;		/* dispatch hash key */
	struct decoder		 hdec;		/* the reader's, for the hash */
	uint64_t		 next_clock_us;
	uint64_t		 big_lost;	/* large frames without memory */
	uint64_t		 reader_ns;	/* the reader's CPU time in replay */
	struct pwin		 pw[LIM_AUTOFP_WINDOWS];
	uint64_t		 pw_tick;
	int			 main_ok;
	int			 live;		/* threads of their own, no ring */
};

/* This thread's CPU time (user + system) in ns. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The observer (replay summary) is shared: one worker at a time. */
static void
pool_observe(void *arg, const struct flow *f, const struct tls_report *r,
    const struct rule_hit *hit)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->obs_mu);
	p->observe(p->observe_arg, f, r, hit);
	pthread_mutex_unlock(&p->obs_mu);
}

static int
slot_init(struct pool *p, struct slot *s, const struct pool_opts *po)
{
	s->pool = p;
	pthread_mutex_init(&s->lock, NULL);
	if (writer_prod_init(&s->prod, &p->wr, po->oo) == -1)
		return -1;
	s->prod_ok = 1;
	if (po->observe != NULL) {
		s->prod.out.observe = pool_observe;
		s->prod.out.observe_arg = p;
	}
	if (worker_init(&s->w, po->lim, &s->prod.out, po->rules) == -1)
		return -1;
	s->w_ok = 1;
	return p->live ? 0 : ring_init(&s->ring, LIM_AUTOFP_RING);
}

struct pool *
pool_new(const struct pool_opts *po)
{
	struct pool *p;
	size_t i;

	if (po->n < (po->live ? 1 : 2) || po->n > LIM_WORKERS_MAX ||
	    (p = xcalloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->n = po->n;
	p->live = po->live;
	p->dst = po->dst;
	p->hdec.lim = po->lim;		/* no fragment table: see the hash */
	p->observe = po->observe;
	p->observe_arg = po->observe_arg;
	pthread_mutex_init(&p->obs_mu, NULL);
	if (getrandom(&p->key, sizeof(p->key), GRND_NONBLOCK) !=
	    sizeof(p->key))
		p->key = 0x243f6a8885a308d3ull;
	if ((p->s = xcalloc(p->n, sizeof(*p->s))) == NULL ||
	    writer_prod_init(&p->main, &p->wr, po->oo) == -1) {
		pool_free(p);
		return NULL;
	}
	p->main_ok = 1;
	for (i = 0; i < p->n; i++) {
		p->ws[i] = &p->s[i].w;
		if (slot_init(p, &p->s[i], po) == -1) {
			log_warnx("cannot allocate worker %zu (flow.max %u)",
			    i, po->lim->flow_max);
			pool_free(p);
			return NULL;
		}
	}
	return p;
}

void
pool_free(struct pool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; p->s != NULL && i < p->n; i++) {
		if (p->s[i].w_ok)
			worker_free(&p->s[i].w);
		if (p->s[i].prod_ok)
			writer_prod_free(&p->s[i].prod);
		ring_free(&p->s[i].ring);
		pthread_mutex_destroy(&p->s[i].lock);
	}
	if (p->main_ok)
		writer_prod_free(&p->main);
	pthread_mutex_destroy(&p->obs_mu);
	xfree(p->s);
	xfree(p);
}

/* One record of the ring, in the worker thread. */
static void
slot_unref(const struct rec *h)
{
	struct pcapfile_win *win;
	struct pwin *pw;

	memcpy(&pw, h + 1, sizeof(pw));
	win = pw->win;	/* read before our decrement lets the reader reuse pw */
	if (atomic_fetch_sub_explicit(&pw->pending, 1,
	    memory_order_acq_rel) == 1)
		pcapfile_win_unref(win);
}

static void
slot_record(struct slot *s, const struct rec *h)
{
	uint8_t *big;

	if (h->type == REC_REF) {
		memcpy(&big, h + 1, sizeof(big));
		worker_frame(&s->w, h->dlt, big, h->caplen, h->len, h->ts_us);
	} else if (h->type == REC_UNREF)
		slot_unref(h);
	else if (h->type == REC_FRAME)
		worker_frame(&s->w, h->dlt, (const uint8_t *)(h + 1),
		    h->caplen, h->len, h->ts_us);
	else if (h->type == REC_BIG) {
		memcpy(&big, h + 1, sizeof(big));
		worker_frame(&s->w, h->dlt, big, h->caplen, h->len, h->ts_us);
		xfree(big);
	} else if (h->type == REC_CLOCK)
		worker_clock(&s->w, h->ts_us);
}

/* Up to POOL_BATCH records; the number taken. */
static size_t
slot_batch(struct slot *s)
{
	struct fring *r = &s->ring;
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	const struct rec *h;
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	while (n < POOL_BATCH && (h = ring_peek(r, &tail, head)) != NULL) {
		slot_record(s, h);
		tail += rec_size(rec_payload(h));
		if (++n % POOL_TAIL_EVERY == 0) {
			atomic_store(&r->tail, tail);	/* seq_cst: wake */
			ring_wake(r, &r->psleep);
			head = atomic_load_explicit(&r->head,
			    memory_order_acquire);
		}
	}
	atomic_store(&r->tail, tail);
	writer_prod_push(&s->prod);
	atomic_store_explicit(&s->alerts, s->w.st.alerts, memory_order_relaxed);
	pthread_mutex_unlock(&s->lock);
	ring_wake(r, &r->psleep);
	return n;
}

static void *
slot_replay(void *arg)
{
	struct slot *s = arg;
	struct fring *r = &s->ring;
	size_t idle = 0;

	for (;;) {
		if (slot_batch(s) > 0) {
			idle = 0;
			continue;
		}
		if (atomic_load(&r->done) &&
		    atomic_load(&r->head) == atomic_load(&r->tail))
			break;
		if (++idle < POOL_SPINS)
			sched_yield();
		else
			ring_sleep(r, &r->csleep, ring_has_data);
	}
	pthread_mutex_lock(&s->lock);
	worker_flush_flows(&s->w);
	writer_prod_push(&s->prod);
	pthread_mutex_unlock(&s->lock);
	s->cpu_ns = thread_cpu_ns();
	return NULL;
}

int
pool_start_replay(struct pool *p)
{
	size_t i;
	int rc;

	if (writer_start(&p->wr, p->dst) == -1)
		return -1;
	p->reader_ns = thread_cpu_ns();
	for (i = 0; i < p->n; i++) {
		rc = pthread_create(&p->s[i].th, NULL, slot_replay, &p->s[i]);
		if (rc != 0) {
			errno = rc;
			log_warn("cannot start worker thread %zu", i);
			pool_finish(p);
			return -1;
		}
		p->s[i].th_ok = 1;
	}
	return 0;
}

/*
 * The ring stays small (LIM_AUTOFP_RING) so that it stays in cache;
 * the rare frame that would take more than a quarter of it (a capture
 * length up to PCAPFILE_REC_MAX) goes as a copy on the heap, which the
 * worker frees.  Without memory for it, the frame is counted and logged.
 */
static void
put_big(struct pool *p, struct fring *r, struct rec *h, const uint8_t *data)
{
	uint8_t *big;

	if ((big = xmalloc(h->caplen)) == NULL) {
		if (p->big_lost++ == 0)
			log_warnx("out of memory for a frame of %u bytes: "
			    "not decoded (the count is logged at the end)",
			    h->caplen);
		return;
	}
	memcpy(big, data, h->caplen);
	h->type = REC_BIG;
	ring_put(r, h, (const uint8_t *)&big);
}

/* The reader leaves pw: each worker passes an UNREF record after it. */
static void
pwin_drain(struct pool *p, struct pwin *pw)
{
	struct rec h;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.type = REC_UNREF;
	atomic_store_explicit(&pw->pending, (unsigned)p->n,
	    memory_order_relaxed);
	pw->state = PWIN_DRAINING;
	for (i = 0; i < p->n; i++)
		ring_put(&p->s[i].ring, &h, (const uint8_t *)&pw);
}

/* A slot for a new window, waiting for the workers to pass an old one. */
static struct pwin *
pwin_free_slot(struct pool *p)
{
	struct timespec nap = { 0, 100000 };
	struct pwin *pw;
	size_t i;

	for (;;) {
		for (i = 0; i < LIM_AUTOFP_WINDOWS; i++) {
			pw = &p->pw[i];
			if (pw->state == PWIN_DRAINING && atomic_load_explicit(
			    &pw->pending, memory_order_acquire) == 0)
				pw->state = PWIN_FREE;
			if (pw->state == PWIN_FREE)
				return pw;
		}
		for (i = 0; i < p->n; i++)	/* no nap for the sleepers */
			ring_wake(&p->s[i].ring, &p->s[i].ring.csleep);
		nanosleep(&nap, NULL);
	}
}

/* The pool's hold on win: NULL when no slot (never: it waits). */
static struct pwin *
pwin_get(struct pool *p, struct pcapfile_win *win)
{
	struct pwin *pw, *lru = NULL;
	size_t i, active = 0;

	for (i = 0; i < LIM_AUTOFP_WINDOWS; i++) {
		pw = &p->pw[i];
		if (pw->state != PWIN_ACTIVE)
			continue;
		if (pw->win == win) {
			pw->used = ++p->pw_tick;
			return pw;
		}
		active++;
		if (lru == NULL || pw->used < lru->used)
			lru = pw;
	}
	if (active >= POOL_ACTIVE_WINS)
		pwin_drain(p, lru);
	pw = pwin_free_slot(p);
	pcapfile_win_ref(win);
	pw->win = win;
	pw->state = PWIN_ACTIVE;
	pw->used = ++p->pw_tick;
	return pw;
}

void
pool_frame(void *arg, const struct input_frame *f)
{
	struct pool *p = arg;
	struct rec h;
	size_t i;

	/* the packets where one worker would expire: every worker does */
	if (f->ts_us >= p->next_clock_us) {
		memset(&h, 0, sizeof(h));
		h.type = REC_CLOCK;
		h.ts_us = f->ts_us;
		for (i = 0; i < p->n; i++)
			ring_put(&p->s[i].ring, &h, NULL);
		p->next_clock_us = f->ts_us + POOL_CLOCK_US;
	}
	h.type = REC_FRAME;
	h.caplen = f->caplen;
	h.len = f->len;
	h.dlt = f->dlt;
	h.ts_us = f->ts_us;
	i = pool_dispatch_hash(&p->hdec, f->dlt, f->data, f->caplen, p->key,
	    p->n);
	p->s[i].frames++;
	if (f->win != NULL && pwin_get(p, f->win) != NULL) {
		h.type = REC_REF;
		ring_put(&p->s[i].ring, &h, (const uint8_t *)&f->data);
	} else if (rec_size(f->caplen) <= p->s[i].ring.size / 4)
		ring_put(&p->s[i].ring, &h, f->data);
	else
		put_big(p, &p->s[i].ring, &h, f->data);
}

/*
 * Where the time went (-v): a reader or writer near the workers' figure
 * is the bottleneck; unequal frame counts are an unlucky hash.
 */
static void
pool_log_cpu(struct pool *p)
{
	size_t i;

	log_info("replay threads: reader %.3f s CPU, writer %.3f s",
	    (double)p->reader_ns / 1e9, (double)p->wr.cpu_ns / 1e9);
	for (i = 0; i < p->n; i++)
		log_info("worker %zu: %.3f s CPU, %llu frames", i,
		    (double)p->s[i].cpu_ns / 1e9,
		    (unsigned long long)p->s[i].frames);
}

void
pool_finish(struct pool *p)
{
	size_t i;

	if (!p->live)
		p->reader_ns = thread_cpu_ns() - p->reader_ns;
	for (i = 0; i < LIM_AUTOFP_WINDOWS && p->s[0].th_ok; i++)
		if (p->pw[i].state == PWIN_ACTIVE)
			pwin_drain(p, &p->pw[i]);
	for (i = 0; i < p->n && !p->live; i++) {
		atomic_store(&p->s[i].ring.done, 1);
		ring_wake(&p->s[i].ring, &p->s[i].ring.csleep);
	}
	for (i = 0; i < p->n; i++)
		if (p->s[i].th_ok) {
			pthread_join(p->s[i].th, NULL);
			p->s[i].th_ok = 0;
		}
	writer_prod_push(&p->main);
	writer_stop(&p->wr);
	if (!p->live)
		pool_log_cpu(p);
	if (p->big_lost > 0)
		log_warnx("%llu large frames not decoded (out of memory)",
		    (unsigned long long)p->big_lost);
}

/* ---- live: each thread reads its own sockets (live.c) ---------------- */

int
pool_start_threads(struct pool *p, void *(*fn)(void *), void *const *args)
{
	size_t i;
	int rc;

	if (writer_start(&p->wr, p->dst) == -1)
		return -1;
	for (i = 0; i < p->n; i++) {
		rc = pthread_create(&p->s[i].th, NULL, fn, args[i]);
		if (rc != 0) {
			errno = rc;
			log_warn("cannot start worker thread %zu", i);
			return -1;	/* the caller stops them, pool_finish */
		}
		p->s[i].th_ok = 1;
	}
	return 0;
}

void
pool_batch_begin(struct pool *p, size_t i)
{
	pthread_mutex_lock(&p->s[i].lock);
}

void
pool_batch_end(struct pool *p, size_t i)
{
	struct slot *s = &p->s[i];

	writer_prod_push(&s->prod);
	atomic_store_explicit(&s->alerts, s->w.st.alerts, memory_order_relaxed);
	pthread_mutex_unlock(&s->lock);
}

struct worker *const *
pool_workers(struct pool *p, size_t *n)
{
	*n = p->n;
	return p->ws;
}

void
pool_lock_all(struct pool *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		pthread_mutex_lock(&p->s[i].lock);
}

void
pool_unlock_all(struct pool *p)
{
	size_t i;

	for (i = p->n; i > 0; i--)
		pthread_mutex_unlock(&p->s[i - 1].lock);
}

void
pool_stats(struct pool *p, uint64_t ts_us, const struct stats_extra *ex)
{
	pool_lock_all(p);
	worker_stats_event(&p->main.out, p->ws, p->n, ts_us, ex);
	pool_unlock_all(p);
	writer_prod_push(&p->main);
}

int
pool_set_rules(struct pool *p, struct ruleset *rs)
{
	size_t i, failed = 0;

	for (i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->s[i].lock);
		if (worker_set_rules(&p->s[i].w, rs) == -1)
			failed++;
		pthread_mutex_unlock(&p->s[i].lock);
	}
	if (failed > 0)
		log_warnx("rules: %zu of %zu workers kept the old rules (out "
		    "of memory)", failed, p->n);
	return failed > 0 ? -1 : 0;
}

void
pool_reopen(struct pool *p)
{
	writer_reopen(&p->wr);
}

void
pool_set_sandbox(struct pool *p, const char *json)
{
	p->main.out.sandbox = json;
}

uint64_t
pool_alerts(struct pool *p)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		n += atomic_load_explicit(&p->s[i].alerts,
		    memory_order_relaxed);
	return n;
}
