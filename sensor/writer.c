/*
 * writer.c - the output writer thread and its bounded queue.  See
 * writer.h.
 */
#include "writer.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "log.h"
#include "xmalloc.h"

/* A staged line: this header, then len bytes (no newline). */
struct wrec {
	uint32_t	len;
	uint8_t		fmt;
	uint8_t		kind;
};

/* A batch of records handed over whole. */
struct wchunk {
	struct wchunk	*next;
	char		*buf;
	size_t		 len;
};

/* Write one chunk's records through the real output. */
static void
write_chunk(struct output *dst, const struct wchunk *c)
{
	struct wrec r;
	size_t off = 0;

	while (off + sizeof(r) <= c->len) {
		memcpy(&r, c->buf + off, sizeof(r));
		off += sizeof(r);
		if (r.len > c->len - off)
			break;		/* cannot happen: we wrote it */
		output_emit(dst, (enum output_format)r.fmt, r.kind,
		    c->buf + off, r.len);
		off += r.len;
	}
}

static void
write_list(struct output *dst, struct wchunk *c)
{
	struct wchunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		write_chunk(dst, c);
		xfree(c->buf);
		xfree(c);
	}
}

/*
 * Take the whole queue at once, write it without the lock, flush when
 * nothing more is waiting (a reader of the file sees events without
 * waiting for the next batch).
 */
static void *
writer_main(void *arg)
{
	struct writer *wr = arg;
	struct wchunk *list;
	struct timespec ts;
	int stop, reopen;

	pthread_mutex_lock(&wr->mu);
	for (;;) {
		while (wr->head == NULL && !wr->stop && !wr->reopen)
			pthread_cond_wait(&wr->work, &wr->mu);
		list = wr->head;
		wr->head = wr->tail = NULL;
		wr->queued = 0;
		stop = wr->stop;
		reopen = wr->reopen;
		wr->reopen = 0;
		wr->busy = 1;
		pthread_cond_broadcast(&wr->space);
		pthread_mutex_unlock(&wr->mu);
		write_list(wr->dst, list);
		if (reopen)
			output_reopen(wr->dst);
		pthread_mutex_lock(&wr->mu);
		if (wr->head == NULL)
			output_flush(wr->dst);
		wr->busy = 0;
		pthread_cond_broadcast(&wr->idle);
		if (stop && wr->head == NULL)
			break;
	}
	pthread_mutex_unlock(&wr->mu);
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
		wr->cpu_ns = (uint64_t)ts.tv_sec * 1000000000u +
		    (uint64_t)ts.tv_nsec;
	return NULL;
}

int
writer_start(struct writer *wr, struct output *dst)
{
	int rc;

	memset(wr, 0, sizeof(*wr));
	wr->dst = dst;
	pthread_mutex_init(&wr->mu, NULL);
	pthread_cond_init(&wr->work, NULL);
	pthread_cond_init(&wr->space, NULL);
	pthread_cond_init(&wr->idle, NULL);
	if ((rc = pthread_create(&wr->th, NULL, writer_main, wr)) != 0) {
		errno = rc;
		log_warn("cannot start the output writer thread");
		return -1;
	}
	wr->running = 1;
	return 0;
}

void
writer_stop(struct writer *wr)
{
	if (!wr->running)
		return;
	pthread_mutex_lock(&wr->mu);
	wr->stop = 1;
	pthread_cond_signal(&wr->work);
	pthread_mutex_unlock(&wr->mu);
	pthread_join(wr->th, NULL);
	wr->running = 0;
	pthread_mutex_destroy(&wr->mu);
	pthread_cond_destroy(&wr->work);
	pthread_cond_destroy(&wr->space);
	pthread_cond_destroy(&wr->idle);
}

void
writer_reopen(struct writer *wr)
{
	pthread_mutex_lock(&wr->mu);
	wr->reopen = 1;
	pthread_cond_signal(&wr->work);
	pthread_mutex_unlock(&wr->mu);
}

void
writer_sync(struct writer *wr)
{
	pthread_mutex_lock(&wr->mu);
	while (wr->head != NULL || wr->busy)
		pthread_cond_wait(&wr->idle, &wr->mu);
	pthread_mutex_unlock(&wr->mu);
}

/* The producer's staging buffer becomes a chunk of the queue. */
void
writer_prod_push(struct writer_prod *p)
{
	struct writer *wr = p->wr;
	struct wchunk *c;

	if (p->len == 0)
		return;
	if ((c = xcalloc(1, sizeof(*c))) == NULL) {
		p->out.st.oom++;
		p->len = 0;
		return;
	}
	c->buf = p->buf;
	c->len = p->len;
	p->buf = NULL;
	p->len = p->cap = 0;
	pthread_mutex_lock(&wr->mu);
	while (wr->queued > 0 && wr->queued + c->len > LIM_WRITER_QUEUE)
		pthread_cond_wait(&wr->space, &wr->mu);
	if (wr->tail != NULL)
		wr->tail->next = c;
	else
		wr->head = c;
	wr->tail = c;
	wr->queued += c->len;
	pthread_cond_signal(&wr->work);
	pthread_mutex_unlock(&wr->mu);
}

static int
stage_room(struct writer_prod *p, size_t need)
{
	size_t ncap;
	char *nb;

	if (p->cap - p->len >= need)
		return 0;
	ncap = p->cap ? p->cap : LIM_WRITER_BATCH + 4096;
	while (ncap - p->len < need)
		ncap *= 2;
	if ((nb = xreallocarray(p->buf, ncap, 1)) == NULL)
		return -1;
	p->buf = nb;
	p->cap = ncap;
	return 0;
}

/* output_divert_fn: stage one line. */
static void
stage_line(void *arg, enum output_format fmt, int kind, const char *line,
    size_t len)
{
	struct writer_prod *p = arg;
	struct wrec r;

	if (len > UINT32_MAX || stage_room(p, sizeof(r) + len) == -1) {
		p->out.st.oom++;
		return;
	}
	memset(&r, 0, sizeof(r));
	r.len = (uint32_t)len;
	r.fmt = (uint8_t)fmt;
	r.kind = (uint8_t)kind;
	memcpy(p->buf + p->len, &r, sizeof(r));
	memcpy(p->buf + p->len + sizeof(r), line, len);
	p->len += sizeof(r) + len;
	if (p->len >= LIM_WRITER_BATCH)
		writer_prod_push(p);
}

int
writer_prod_init(struct writer_prod *p, struct writer *wr,
    const struct output_opts *opts)
{
	memset(p, 0, sizeof(*p));
	p->wr = wr;
	return output_open_divert(&p->out, opts, stage_line, p);
}

void
writer_prod_free(struct writer_prod *p)
{
	if (p->wr->running)
		writer_prod_push(p);
	output_close(&p->out);
	xfree(p->buf);
	p->buf = NULL;
}
