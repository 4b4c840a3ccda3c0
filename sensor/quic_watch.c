/*
 * quic_watch.c - QUIC flows of one worker and the QUIC-blocked signal;
 * see quic_watch.h.
 */
#include "quic_watch.h"

#include <string.h>

#include "log.h"
#include "xmalloc.h"

/* A flow's QUIC state, f->quic. */
struct qw_flow {
	struct quic_flow	*q;
	uint8_t			 emitted;	/* quic event written */
	uint8_t			 noted;		/* counted in the table */
	uint8_t			 reply_noted;
	uint32_t		 initials_noted;
};

#define QW_NONE	UINT32_MAX

int
quic_watch_init(struct quic_watch *w, const struct limits *lim,
    struct tls_ctx *tls, struct output *out)
{
	uint32_t i;

	memset(w, 0, sizeof(*w));
	w->lim = lim;
	w->out = out;
	lru_init(&w->lru);
	w->qc_ok = quic_ctx_init(&w->qc, lim, tls) == 0;
	if (!w->qc_ok)
		log_warnx("QUIC: no AES-128-GCM/ECB or no memory: QUIC "
		    "Initials are not decrypted");
	if (!lim->quic_blocked)
		return 0;
	w->nent = lim->quic_blocked_table;
	for (w->nbuckets = 16; w->nbuckets < w->nent; w->nbuckets <<= 1)
		;
	w->ent = xcalloc(w->nent, sizeof(*w->ent));
	w->buckets = xcalloc(w->nbuckets, sizeof(*w->buckets));
	if (w->ent == NULL || w->buckets == NULL) {
		quic_watch_free(w);
		return -1;
	}
	for (i = 0; i < w->nbuckets; i++)
		w->buckets[i] = QW_NONE;
	return 0;
}

void
quic_watch_free(struct quic_watch *w)
{
	if (w->qc_ok)
		quic_ctx_free(&w->qc);
	w->qc_ok = 0;
	xfree(w->ent);
	xfree(w->buckets);
	w->ent = NULL;
	w->buckets = NULL;
	w->nent = 0;
}

/* FNV-1a over the family, the address and the name. */
static uint32_t
qw_hash(uint8_t family, const uint8_t *addr, const char *sni)
{
	uint32_t h = 2166136261u ^ family;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	for (; *sni != '\0'; sni++)
		h = (h ^ (uint8_t)*sni) * 16777619u;
	return h;
}

static struct qw_entry *
qw_find(struct quic_watch *w, uint8_t family, const uint8_t *addr,
    const char *sni, uint32_t h)
{
	uint32_t i;
	struct qw_entry *e;

	for (i = w->buckets[h & (w->nbuckets - 1)]; i != QW_NONE;
	    i = e->hnext) {
		e = &w->ent[i];
		if (e->hash == h && e->family == family &&
		    memcmp(e->client, addr, 16) == 0 && strcmp(e->sni, sni) == 0)
			return e;
	}
	return NULL;
}

static void
qw_unhash(struct quic_watch *w, struct qw_entry *e)
{
	uint32_t *pp = &w->buckets[e->hash & (w->nbuckets - 1)];
	uint32_t me = (uint32_t)(e - w->ent);

	while (*pp != QW_NONE && *pp != me)
		pp = &w->ent[*pp].hnext;
	if (*pp == me)
		*pp = e->hnext;
}

static int
qw_pending(const struct qw_entry *e)
{
	return e->used && !e->alerted && e->replies == 0 &&
	    e->tcp_sessions > 0;
}

/* A free entry, or the least recently used one taken back (counted). */
static struct qw_entry *
qw_take(struct quic_watch *w)
{
	struct lru_node *n;
	struct qw_entry *e;

	if (w->nused < w->nent)		/* until the table first fills */
		return &w->ent[w->nused++];
	if ((n = lru_oldest(&w->lru)) == NULL)
		return NULL;
	e = LRU_ENTRY(n, struct qw_entry, lru);
	if (qw_pending(e))
		w->pending--;
	lru_unlink(&w->lru, n);
	qw_unhash(w, e);
	w->st.blocked_evicted++;
	return e;
}

/* The client's address of f (its client_dir side). */
static const uint8_t *
qw_client(const struct flow *f)
{
	return f->client_dir == 0 ? f->key.a : f->key.b;
}

/*
 * A QUIC attempt of f to name sni: a new episode when the name was not
 * seen from this client, or its last attempt is older than the window
 * (a later fallback is no answer to it).
 */
static struct qw_entry *
qw_quic_entry(struct quic_watch *w, const struct flow *f, const char *sni,
    uint64_t ts_us)
{
	const uint8_t *cl = qw_client(f);
	uint32_t h = qw_hash(f->key.family, cl, sni);
	struct qw_entry *e = qw_find(w, f->key.family, cl, sni, h);

	if (e != NULL && e->quic_last_us + w->lim->quic_fallback_us >= ts_us) {
		lru_touch(&w->lru, &e->lru);
		return e;
	}
	if (e != NULL) {		/* stale: start over in place */
		if (qw_pending(e))
			w->pending--;
		lru_unlink(&w->lru, &e->lru);
		qw_unhash(w, e);
	} else if ((e = qw_take(w)) == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->used = 1;
	e->hash = h;
	e->family = f->key.family;
	memcpy(e->client, cl, 16);
	snprintf(e->sni, sizeof(e->sni), "%s", sni);
	e->quic_first_us = f->first_us;
	e->hnext = w->buckets[h & (w->nbuckets - 1)];
	w->buckets[h & (w->nbuckets - 1)] = (uint32_t)(e - w->ent);
	lru_push(&w->lru, &e->lru);
	w->st.blocked_tracked++;
	return e;
}

/* Record what f's QUIC state adds to its (client, name) entry. */
static void
qw_note_quic(struct quic_watch *w, struct flow *f, struct qw_flow *qf,
    uint64_t ts_us)
{
	const struct quic_flow *q = qf->q;
	struct qw_entry *e;
	int was;

	if (w->ent == NULL || q->sni[0] == '\0' ||
	    (qf->noted && qf->initials_noted == q->initials &&
	    (qf->reply_noted || !q->server_seen)))
		return;
	if ((e = qw_quic_entry(w, f, q->sni, ts_us)) == NULL)
		return;
	was = qw_pending(e);
	if (!qf->noted) {
		e->quic_flows++;
		qf->noted = 1;
	}
	if (q->initials > qf->initials_noted) {
		e->initials += q->initials - qf->initials_noted;
		qf->initials_noted = q->initials;
		e->quic_last_us = ts_us;
	}
	if (q->server_seen && !qf->reply_noted) {
		e->replies++;
		qf->reply_noted = 1;
	}
	if (q->n_versions > 0)
		e->version = q->versions[q->n_versions - 1];
	memcpy(e->server, f->client_dir == 0 ? f->key.b : f->key.a, 16);
	e->server_port = f->client_dir == 0 ? f->key.bport : f->key.aport;
	if (was && !qw_pending(e))
		w->pending--;
}

/* The alert's flow: the first fallback TCP flow, rebuilt from its key. */
static void
qw_alert(struct quic_watch *w, struct qw_entry *e, uint64_t now_us)
{
	struct quic_blocked_report r = { e, w->lim };
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.key = e->tcp_key;
	f.first_us = e->tcp_flow_us;
	f.last_us = now_us;
	f.client_dir = e->tcp_client_dir;
	e->alerted = 1;
	w->pending--;
	w->st.blocked_alerts++;
	output_quic_blocked(w->out, &f, now_us, &r);
}

/* The verdict on a pending entry once its reply timeout has passed. */
static void
qw_judge(struct quic_watch *w, struct qw_entry *e, uint64_t now_us)
{
	if (!qw_pending(e) ||
	    now_us < e->quic_first_us + w->lim->quic_reply_timeout_us)
		return;
	qw_alert(w, e, now_us);
}

void
quic_watch_tcp_tls(struct quic_watch *w, const struct flow *f,
    const char *sni)
{
	const uint8_t *cl = qw_client(f);
	struct qw_entry *e;
	uint32_t h;
	int was;

	if (w->ent == NULL || sni == NULL || sni[0] == '\0')
		return;
	h = qw_hash(f->key.family, cl, sni);
	if ((e = qw_find(w, f->key.family, cl, sni, h)) == NULL ||
	    e->replies > 0 || f->first_us < e->quic_first_us ||
	    f->first_us - e->quic_first_us > w->lim->quic_fallback_us)
		return;
	was = qw_pending(e);
	if (e->tcp_sessions++ == 0) {
		e->tcp_first_us = f->first_us;
		e->tcp_key = f->key;
		e->tcp_flow_us = f->first_us;
		e->tcp_client_dir = f->client_dir;
		w->st.fallbacks++;
	}
	e->tcp_last_us = f->first_us;
	lru_touch(&w->lru, &e->lru);
	if (!was && qw_pending(e))
		w->pending++;
	qw_judge(w, e, f->last_us);
}

void
quic_watch_tick(struct quic_watch *w, uint64_t now_us)
{
	uint32_t i;

	for (i = 0; w->pending > 0 && i < w->nused; i++)
		qw_judge(w, &w->ent[i], now_us);
}

static struct qw_flow *
qw_flow_new(struct quic_watch *w)
{
	struct qw_flow *qf = xcalloc(1, sizeof(*qf));

	if (qf != NULL && (qf->q = quic_flow_new(&w->qc)) == NULL) {
		xfree(qf);
		qf = NULL;
	}
	if (qf == NULL)
		w->st.alloc_fail++;
	return qf;
}

enum qw_result
quic_watch_udp(struct quic_watch *w, struct flow *f, int dir,
    const uint8_t *data, size_t len, uint64_t ts_us)
{
	struct qw_flow *qf = f->quic;
	const struct quic_flow *q;

	if (qf == NULL) {
		if (!w->lim->quic || !w->qc_ok || !quic_detect(data, len))
			return QW_NOT_QUIC;
		if ((qf = qw_flow_new(w)) == NULL)
			return QW_NOT_QUIC;
		f->quic = qf;
	}
	quic_datagram(&w->qc, qf->q, dir, data, len);
	q = qf->q;
	/* the ClientHello sender is the client, as for TLS */
	if (q->client_dir >= 0 && (!(f->flags & FLOW_ROLE_FIXED) ||
	    q->client_dir != f->client_dir))
		flow_set_client_dir(f, q->client_dir);
	qw_note_quic(w, f, qf, ts_us);
	/* done when the hello is read and the server answered past
	 * Version Negotiation: the client's versions are settled */
	return q->hello_done && q->server_answer ? QW_DONE : QW_MORE;
}

const char *
quic_watch_sni(const struct flow *f)
{
	const struct qw_flow *qf = f->quic;

	return qf != NULL && qf->q->sni[0] != '\0' ? qf->q->sni : NULL;
}

void
quic_watch_report(struct quic_watch *w, struct flow *f, uint64_t ts_us,
    const char *app_name)
{
	struct qw_flow *qf = f->quic;

	if (qf == NULL || qf->emitted)
		return;
	qf->emitted = 1;
	/* a flow of short headers only, or nothing the client sent with
	 * a version: nothing to say beyond the flow event */
	if (qf->q->n_versions == 0)
		return;
	output_quic(w->out, f, ts_us, qf->q, app_name);
	w->st.sessions++;
}

void
quic_watch_flow_end(struct quic_watch *w, struct flow *f,
    const char *app_name)
{
	struct qw_flow *qf = f->quic;

	if (qf == NULL)
		return;
	quic_watch_report(w, f, f->last_us, app_name);
	quic_flow_free(&w->qc, qf->q);
	xfree(qf);
	f->quic = NULL;
}
