/*
 * aggregate.c - session counts per period for privacy mode.  See
 * aggregate.h.
 */
#include "aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "output.h"
#include "xmalloc.h"

#define AGG_OTHER	"(other)"
#define AGG_NO_CHAIN	"(chain not visible)"

struct agg_ent {
	char		*name;
	uint64_t	 n;
};

/* A bounded set of names with counts; past LIM_AGG_KEYS names, the rest
 * are counted as "(other)". */
struct agg_set {
	struct agg_ent	*e;
	size_t		 n;
	uint64_t	 other;
};

struct aggregate {
	uint64_t	period_us;
	int		by_sni;
	uint64_t	start_us;	/* period being counted, 0: none yet */
	uint64_t	sessions;
	uint64_t	alerted;
	struct agg_set	issuers;
	struct agg_set	snis;
};

struct aggregate *
aggregate_new(uint64_t period_us, int by_sni)
{
	struct aggregate *a = xcalloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->period_us = period_us > 0 ? period_us : 3600ull * 1000000;
	a->by_sni = by_sni;
	return a;
}

static void
set_clear(struct agg_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		xfree(s->e[i].name);
	xfree(s->e);
	memset(s, 0, sizeof(*s));
}

void
aggregate_free(struct aggregate *a)
{
	if (a == NULL)
		return;
	set_clear(&a->issuers);
	set_clear(&a->snis);
	xfree(a);
}

/* Count one under name: linear, a period sees few distinct issuers. */
static void
set_add(struct agg_set *s, const char *name)
{
	struct agg_ent *ne;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].name, name) == 0) {
			s->e[i].n++;
			return;
		}
	if (s->n >= LIM_AGG_KEYS ||
	    (ne = xreallocarray(s->e, s->n + 1, sizeof(*ne))) == NULL) {
		s->other++;
		return;
	}
	s->e = ne;
	if ((s->e[s->n].name = xstrdup(name)) == NULL) {
		s->other++;
		return;
	}
	s->e[s->n++].n = 1;
}

static int
ent_cmp(const void *x, const void *y)
{
	const struct agg_ent *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void
set_render(struct jbuf *j, const char *key, const char *name,
    struct agg_set *s)
{
	size_t i;

	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), ent_cmp);
	jb_arr_open(j, key);
	for (i = 0; i < s->n; i++) {
		jb_obj_open(j, NULL);
		jb_str(j, name, s->e[i].name);
		jb_u64(j, "sessions", s->e[i].n);
		jb_obj_close(j);
	}
	if (s->other > 0) {
		jb_obj_open(j, NULL);
		jb_str(j, name, AGG_OTHER);
		jb_u64(j, "sessions", s->other);
		jb_obj_close(j);
	}
	jb_arr_close(j);
}

static void
agg_emit(struct aggregate *a, struct output *o, uint64_t end_us)
{
	struct jbuf *j;

	if (a->start_us == 0)
		return;
	j = output_event_begin(o, end_us, "tls_aggregate");
	jb_time(j, "period_start", a->start_us);
	jb_time(j, "period_end", end_us);
	jb_u64(j, "sessions", a->sessions);
	jb_u64(j, "alerted", a->alerted);
	set_render(j, "issuers", "issuer", &a->issuers);
	if (a->by_sni)
		set_render(j, "server_names", "sni", &a->snis);
	output_event_end(o);
	set_clear(&a->issuers);
	set_clear(&a->snis);
	a->sessions = a->alerted = 0;
	a->start_us = 0;
}

void
aggregate_tick(struct aggregate *a, struct output *o, uint64_t ts_us)
{
	if (a != NULL && a->start_us != 0 && ts_us >= a->start_us +
	    a->period_us)
		agg_emit(a, o, a->start_us + a->period_us);
}

void
aggregate_add(struct aggregate *a, const char *issuer, const char *sni,
    int alerted, uint64_t ts_us)
{
	if (a == NULL)
		return;
	if (a->start_us == 0)
		a->start_us = ts_us - ts_us % a->period_us;
	a->sessions++;
	if (alerted)
		a->alerted++;
	set_add(&a->issuers, issuer != NULL ? issuer : AGG_NO_CHAIN);
	if (a->by_sni && sni != NULL && sni[0] != '\0')
		set_add(&a->snis, sni);
}

void
aggregate_flush(struct aggregate *a, struct output *o)
{
	if (a != NULL && a->start_us != 0)
		agg_emit(a, o, a->start_us + a->period_us);
}
