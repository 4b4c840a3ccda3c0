/*
 * spool.c - the bounded queue of one output's events.  See spool.h.
 *
 * A doubly linked list of records, one allocation each: the queue is only
 * long while an output is failing, and dropping the oldest non-alert
 * record from the middle (alerts kept in front of it) must be O(1) once
 * it is found.
 */
#include "spool.h"

#include <string.h>

#include "log.h"
#include "xmalloc.h"

#define REC_COST(len)	(sizeof(struct spool_rec) + (len))

void
spool_init(struct spool *sp, size_t cap)
{
	memset(sp, 0, sizeof(*sp));
	sp->cap = cap;
}

static void
unlink_rec(struct spool *sp, struct spool_rec *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		sp->head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		sp->tail = r->prev;
	if (sp->unsent == r)
		sp->unsent = r->next;
	sp->bytes -= REC_COST(r->len);
	sp->n--;
	xfree(r);
}

void
spool_free(struct spool *sp)
{
	while (sp->head != NULL)
		unlink_rec(sp, sp->head);
	sp->off = 0;
	sp->inflight = 0;
}

/*
 * The oldest record that may be dropped: not in flight, not partly
 * written, and an alert only if want_alert.
 */
static struct spool_rec *
victim(const struct spool *sp, int want_alert)
{
	struct spool_rec *r = sp->unsent;

	if (r != NULL && r == sp->head && sp->off > 0)
		r = r->next;
	for (; r != NULL; r = r->next)
		if (r->alert == want_alert)
			return r;
	return NULL;
}

static void
drop(struct spool *sp, struct spool_rec *r)
{
	sp->dropped++;
	if (r->alert)
		sp->dropped_alerts++;
	unlink_rec(sp, r);
}

/* Make room for need bytes; 0, or -1 when the new record must go. */
static int
make_room(struct spool *sp, size_t need, int alert)
{
	struct spool_rec *r;

	while (sp->bytes + need > sp->cap) {
		if ((r = victim(sp, 0)) == NULL &&
		    (!alert || (r = victim(sp, 1)) == NULL))
			return -1;
		drop(sp, r);
	}
	return 0;
}

/* The new record goes: counted, -1.  nomem: the spool had room for it
 * (the log must not blame its size). */
static int
refuse(struct spool *sp, int alert, int nomem)
{
	sp->dropped++;
	sp->dropped_alerts += (uint64_t)alert;
	sp->dropped_nomem += (uint64_t)nomem;
	return -1;
}

int
spool_push(struct spool *sp, const void *p, size_t len, int alert, int kind)
{
	struct iovec iov;

	iov.iov_base = (void *)(uintptr_t)p;
	iov.iov_len = len;
	return spool_pushv(sp, &iov, 1, alert, kind);
}

int
spool_pushv(struct spool *sp, const struct iovec *iov, int n, int alert,
    int kind)
{
	struct spool_rec *r;
	size_t len = 0, k = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > sp->cap)
			len = SIZE_MAX / 2;
		else
			len += iov[i].iov_len;
	}
	alert = alert != 0;
	if (len > sp->cap || REC_COST(len) > sp->cap ||
	    make_room(sp, REC_COST(len), alert) == -1)
		return refuse(sp, alert, 0);
	if ((r = xmalloc(REC_COST(len))) == NULL)
		return refuse(sp, alert, 1);
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > 0)
			memcpy(r->data + k, iov[i].iov_base, iov[i].iov_len);
		k += iov[i].iov_len;
	}
	r->len = len;
	r->alert = alert;
	r->kind = (uint8_t)kind;
	r->next = NULL;
	r->prev = sp->tail;
	if (sp->tail != NULL)
		sp->tail->next = r;
	else
		sp->head = r;
	sp->tail = r;
	if (sp->unsent == NULL)
		sp->unsent = r;
	sp->bytes += REC_COST(len);
	sp->n++;
	return 0;
}

struct spool_rec *
spool_head(const struct spool *sp)
{
	return sp->head;
}

void
spool_pop(struct spool *sp)
{
	DEBUG_ASSERT(sp->head != NULL);
	if (sp->head == NULL)
		return;
	if (sp->head != sp->unsent && sp->inflight > 0)
		sp->inflight--;
	sp->off = 0;
	unlink_rec(sp, sp->head);
}

struct spool_rec *
spool_next_unsent(const struct spool *sp)
{
	return sp->unsent;
}

void
spool_mark_sent(struct spool *sp)
{
	DEBUG_ASSERT(sp->unsent != NULL);
	if (sp->unsent == NULL)
		return;
	sp->unsent = sp->unsent->next;
	sp->inflight++;
}

size_t
spool_inflight(const struct spool *sp)
{
	return sp->inflight;
}

size_t
spool_rewind(struct spool *sp)
{
	size_t n = sp->inflight;

	sp->unsent = sp->head;
	sp->inflight = 0;
	sp->off = 0;
	return n;
}
