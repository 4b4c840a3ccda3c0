/*
 * rules_state.c - what one worker's matching writes: the verdict cache,
 * per-rule alert counters and the per-call scratch.
 *
 * The ruleset stays read-only so workers can share it; each worker owns
 * a rules_state bound to the set it matches against.  Counters are
 * indexed by rule position and carried over by rule id when the state
 * is bound to a reloaded set; the stats code sums them over workers.
 */
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"
#include "../sensor/xmalloc.h"

struct verdict {
	struct lru_node	 lru;
	struct verdict	*hnext;
	uint8_t		 key[32];
	struct rule_hit	*hits;
	size_t		 nhits;
};

/* ---- verdict cache ------------------------------------------------ */

/* The key is a SHA-256: its first bytes are as good as any hash. */
static size_t
verdict_bucket(const struct rules_state *st, const uint8_t *key)
{
	uint64_t	 h;

	memcpy(&h, key, sizeof(h));
	return (size_t)h & st->vmask;
}

static void
verdict_evict(struct rules_state *st, struct verdict *v)
{
	struct verdict	**pp;

	lru_unlink(&st->vlru, &v->lru);
	for (pp = &st->vb[verdict_bucket(st, v->key)]; *pp != v;
	    pp = &(*pp)->hnext)
		;
	*pp = v->hnext;
	xfree(v->hits);
	xfree(v);
}

static void
verdict_clear(struct rules_state *st)
{
	struct lru_node	*n;

	while ((n = lru_oldest(&st->vlru)) != NULL)
		verdict_evict(st, LRU_ENTRY(n, struct verdict, lru));
}

int
verdict_get(struct rules_state *st, const uint8_t *key,
    const struct rule_hit **hits, size_t *nhits)
{
	struct verdict	*v;

	if (st->vb == NULL)
		return 0;
	for (v = st->vb[verdict_bucket(st, key)]; v != NULL; v = v->hnext)
		if (memcmp(v->key, key, sizeof(v->key)) == 0) {
			lru_touch(&st->vlru, &v->lru);
			*hits = v->hits;
			*nhits = v->nhits;
			return 1;
		}
	return 0;
}

void
verdict_put(struct rules_state *st, const uint8_t *key)
{
	struct verdict	*v;
	size_t		 b;

	if (st->vb == NULL)
		return;
	if (st->vlru.n >= st->cache_max)
		verdict_evict(st, LRU_ENTRY(lru_oldest(&st->vlru),
		    struct verdict, lru));
	if ((v = xcalloc(1, sizeof(*v))) == NULL)
		return;
	if (st->nscratch > 0) {
		if ((v->hits = xreallocarray(NULL, st->nscratch,
		    sizeof(*v->hits))) == NULL) {
			xfree(v);
			return;
		}
		memcpy(v->hits, st->scratch, st->nscratch * sizeof(*v->hits));
	}
	v->nhits = st->nscratch;
	memcpy(v->key, key, sizeof(v->key));
	b = verdict_bucket(st, key);
	v->hnext = st->vb[b];
	st->vb[b] = v;
	lru_push(&st->vlru, &v->lru);
}

/* ---- the state ---------------------------------------------------- */

struct rules_state *
rules_state_new(size_t cache_max)
{
	struct rules_state	*st;
	size_t			 nb = 16;

	if ((st = xcalloc(1, sizeof(*st))) == NULL)
		return NULL;
	lru_init(&st->vlru);
	st->cache_max = cache_max;
	if (cache_max == 0)
		return st;
	while (nb < cache_max && nb < ((size_t)1 << 30))
		nb <<= 1;
	if ((st->vb = xcalloc(nb, sizeof(*st->vb))) == NULL) {
		xfree(st);
		return NULL;
	}
	st->vmask = nb - 1;
	return st;
}

void
rules_state_free(struct rules_state *st)
{
	if (st == NULL)
		return;
	verdict_clear(st);
	xfree(st->vb);
	xfree(st->scratch);
	xfree(st->alerts);
	xfree(st->touch);
	rules_unref(st->rs);
	xfree(st);
}

static int
rule_ptr_cmp(const void *a, const void *b)
{
	const struct rule *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

/*
 * Add the counts of the rules of from to out[] (indexed by the rules of
 * to) by rule id.  The same set: by position.  O(n log n) otherwise.
 */
static int
add_counts(const struct ruleset *to, uint64_t *out,
    const struct ruleset *from, const uint64_t *counts)
{
	const struct rule	**idx, *const *hit;
	size_t			 i, n;

	if (to == NULL || from == NULL || (n = from->n) == 0)
		return 0;
	if (to == from) {
		for (i = 0; i < n; i++)
			out[i] += counts[i];
		return 0;
	}
	if ((idx = xreallocarray(NULL, n, sizeof(*idx))) == NULL)
		return -1;
	memcpy(idx, from->r, n * sizeof(*idx));
	qsort(idx, n, sizeof(*idx), rule_ptr_cmp);
	for (i = 0; i < to->n; i++) {
		hit = bsearch(&to->r[i], idx, n, sizeof(*idx), rule_ptr_cmp);
		if (hit != NULL)
			out[i] += counts[(*hit)->pos];
	}
	xfree(idx);
	return 0;
}

int
rules_state_bind(struct rules_state *st, struct ruleset *rs)
{
	uint64_t		*alerts = NULL;
	struct rule_touch	*touch = NULL;
	size_t			 n = rs != NULL ? rs->n : 0;

	if (n > 0 && ((alerts = xcalloc(n, sizeof(*alerts))) == NULL ||
	    (touch = xcalloc(n, sizeof(*touch))) == NULL ||
	    add_counts(rs, alerts, st->rs, st->alerts) == -1)) {
		xfree(alerts);
		xfree(touch);
		return -1;
	}
	verdict_clear(st);
	st->nscratch = 0;
	xfree(st->alerts);
	xfree(st->touch);
	st->alerts = alerts;
	st->touch = touch;
	rules_ref(rs);
	rules_unref(st->rs);
	st->rs = rs;
	return 0;
}

const struct ruleset *
rules_state_ruleset(const struct rules_state *st)
{
	return st->rs;
}

uint64_t
rules_state_alerts(const struct rules_state *st, size_t i)
{
	return st->rs != NULL && i < st->rs->n ? st->alerts[i] : 0;
}

int
rules_sum_alerts(const struct ruleset *rs, const struct rules_state *const *st,
    size_t nst, uint64_t *out)
{
	size_t	 i;

	if (rs == NULL || rs->n == 0)
		return 0;
	memset(out, 0, rs->n * sizeof(*out));
	for (i = 0; i < nst; i++)
		if (add_counts(rs, out, st[i]->rs, st[i]->alerts) == -1)
			return -1;
	return 0;
}
