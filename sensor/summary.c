/*
 * summary.c - the end-of-replay summary.  See summary.h.
 *
 * Server names and issuers come from hostile certificates and handshakes:
 * the tables are capped (LIM_SUMMARY_KEYS), the rest counted as "(other)",
 * and names are printed through the same escaping as JSON strings would
 * need on a terminal (control bytes shown as '?').
 */
#include "summary.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "input.h"
#include "output.h"
#include "xmalloc.h"
#include "../parsers/tls.h"
#include "../parsers/x509.h"
#include "../rules/rules.h"

/* Lines of each ranking printed and written. */
#define SUMMARY_TOP	10
#define SUMMARY_SLOTS	(LIM_SUMMARY_KEYS * 2)	/* half full at most */

struct tally_ent {
	char		*key;
	uint64_t	 n;
};

struct tally {
	struct tally_ent *slot;		/* SUMMARY_SLOTS, allocated on use */
	size_t		  used;
	uint64_t	  other;	/* past the cap, or out of memory */
};

struct summary {
	struct tally	servers;	/* alerts by server name */
	struct tally	issuers;	/* chains by the leaf's issuer */
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

static void
tally_add(struct tally *t, const char *key)
{
	size_t i;

	if (t->slot == NULL &&
	    (t->slot = xcalloc(SUMMARY_SLOTS, sizeof(*t->slot))) == NULL) {
		t->other++;
		return;
	}
	i = (size_t)(hash_str(key) % SUMMARY_SLOTS);
	while (t->slot[i].key != NULL && strcmp(t->slot[i].key, key) != 0)
		i = (i + 1) % SUMMARY_SLOTS;
	if (t->slot[i].key == NULL) {
		if (t->used == LIM_SUMMARY_KEYS ||
		    (t->slot[i].key = xstrdup(key)) == NULL) {
			t->other++;
			return;
		}
		t->used++;
	}
	t->slot[i].n++;
}

static void
tally_free(struct tally *t)
{
	size_t i;

	if (t->slot == NULL)
		return;
	for (i = 0; i < SUMMARY_SLOTS; i++)
		xfree(t->slot[i].key);
	xfree(t->slot);
}

static int
by_count(const void *a, const void *b)
{
	const struct tally_ent *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The used entries, most frequent first (NULL when none or no memory). */
static struct tally_ent *
tally_sorted(const struct tally *t)
{
	struct tally_ent *v;
	size_t i, n = 0;

	if (t->used == 0 || (v = xcalloc(t->used, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < SUMMARY_SLOTS; i++)
		if (t->slot[i].key != NULL)
			v[n++] = t->slot[i];
	qsort(v, n, sizeof(*v), by_count);
	return v;
}

struct summary *
summary_new(void)
{
	return xcalloc(1, sizeof(struct summary));
}

void
summary_free(struct summary *sm)
{
	if (sm == NULL)
		return;
	tally_free(&sm->servers);
	tally_free(&sm->issuers);
	xfree(sm);
}

/* The server's name: SNI, else its address. */
static void
server_name(const struct flow *f, const struct tls_report *r, char *buf,
    size_t len)
{
	const uint8_t *a = f->client_dir == 0 ? f->key.b : f->key.a;

	if (r->s != NULL && r->s->sni[0] != '\0') {
		snprintf(buf, len, "%s", r->s->sni);
		return;
	}
	if (inet_ntop(f->key.family == 6 ? AF_INET6 : AF_INET, a, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

void
summary_observe(void *arg, const struct flow *f, const struct tls_report *r,
    const struct rule_hit *hit)
{
	struct summary *sm = arg;
	char name[256];

	if (hit != NULL) {
		server_name(f, r, name, sizeof(name));
		tally_add(&sm->servers, name);
	} else if (r->nchain > 0 && r->chain[0]->issuer != NULL)
		tally_add(&sm->issuers, r->chain[0]->issuer);
}

/* --- printing ------------------------------------------------------- */

/* Hostile text on a terminal: no escape sequences. */
static void
put_safe(FILE *fp, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++)
		fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i],
		    fp);
	if (s[i] != '\0')
		fputs("...", fp);
}

static void
put_time(FILE *fp, uint64_t ts_us)
{
	time_t t = (time_t)(ts_us / 1000000);
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)t);
	fprintf(fp, "%s.%06u", buf, (unsigned)(ts_us % 1000000));
}

static void
print_tally(FILE *fp, const char *title, const struct tally *t)
{
	struct tally_ent *v = tally_sorted(t);
	size_t i;

	if (t->used == 0 && t->other == 0)
		return;
	fprintf(fp, "  %s\n", title);
	for (i = 0; v != NULL && i < t->used && i < SUMMARY_TOP; i++) {
		fprintf(fp, "    %10llu  ", (unsigned long long)v[i].n);
		put_safe(fp, v[i].key, 100);
		fputc('\n', fp);
	}
	if (t->used > SUMMARY_TOP)
		fprintf(fp, "    (%zu more)\n", t->used - SUMMARY_TOP);
	if (t->other > 0)
		fprintf(fp, "    %10llu  (other: past %d names)\n",
		    (unsigned long long)t->other, LIM_SUMMARY_KEYS);
	xfree(v);
}

static void
print_input(FILE *fp, const struct worker_counts *w,
    const struct input_stats *is)
{
	fprintf(fp, "rootwatch: replay summary\n");
	if (is->frames > 0) {
		fprintf(fp, "  %-22s ", "packet time (UTC)");
		put_time(fp, is->first_ts_us);
		fputs(" .. ", fp);
		put_time(fp, is->last_ts_us);
		fprintf(fp, " (%.3f s)\n",
		    (double)(is->last_ts_us - is->first_ts_us) / 1e6);
	}
	fprintf(fp, "  %-22s %zu (%zu bad, %zu compressed)\n", "files",
	    is->files, is->files_bad, is->compressed);
	fprintf(fp, "  %-22s %llu (%llu TCP/UDP)\n", "packets",
	    (unsigned long long)is->frames,
	    (unsigned long long)(w->dec.tcp + w->dec.udp));
}

void
summary_print(const struct summary *sm, struct worker *const *ws, size_t nw,
    const struct input_stats *is, FILE *fp)
{
	struct worker_counts wc, *w = &wc;
	uint64_t *alerts;
	size_t i, n;
	int k;

	worker_counts_sum(ws, nw, &wc);
	alerts = worker_alerts_by_rule(ws, nw, &n);
	print_input(fp, w, is);
	fprintf(fp, "  %-22s %llu\n", "TLS sessions",
	    (unsigned long long)w->st.tls_sessions);
	fprintf(fp, "  %-22s %llu\n", "chains seen",
	    (unsigned long long)w->st.chains);
	for (k = 1; k < TLS_MISSING_MAX && k < 16; k++)
		if (w->st.missing[k] != 0)
			break;
	if (k < TLS_MISSING_MAX && k < 16)
		fprintf(fp, "  sessions without a chain, by reason\n");
	for (k = 1; k < TLS_MISSING_MAX && k < 16; k++)
		if (w->st.missing[k] != 0)
			fprintf(fp, "    %10llu  %s\n", (unsigned long long)
			    w->st.missing[k], tls_missing_name(k));
	fprintf(fp, "  %-22s %llu\n", "alerts",
	    (unsigned long long)w->st.alerts);
	for (i = 0; i < n; i++)
		if (alerts[i] != 0)
			fprintf(fp, "    %10llu  rule %s\n", (unsigned long long)
			    alerts[i], rule_id(rules_at(ws[0]->rules, i)));
	xfree(alerts);
	print_tally(fp, "alerts by server name", &sm->servers);
	print_tally(fp, "top issuers (of the server certificate)",
	    &sm->issuers);
	fflush(fp);
}

/* --- the summary event ---------------------------------------------- */

static void
event_tally(struct jbuf *j, const char *key, const char *name,
    const struct tally *t)
{
	struct tally_ent *v = tally_sorted(t);
	size_t i;

	jb_arr_open(j, key);
	for (i = 0; v != NULL && i < t->used && i < SUMMARY_TOP; i++) {
		jb_obj_open(j, NULL);
		jb_str(j, name, v[i].key);
		jb_u64(j, "count", v[i].n);
		jb_obj_close(j);
	}
	jb_arr_close(j);
	xfree(v);
}

static void
event_input(struct jbuf *j, const struct worker_counts *w,
    const struct input_stats *is)
{
	if (is->frames > 0) {
		jb_time(j, "first_packet", is->first_ts_us);
		jb_time(j, "last_packet", is->last_ts_us);
	}
	jb_obj_open(j, "files");
	jb_u64(j, "total", is->files);
	jb_u64(j, "bad", is->files_bad);
	jb_u64(j, "compressed", is->compressed);
	jb_obj_close(j);
	jb_u64(j, "frames", is->frames);
	jb_u64(j, "packets", w->dec.tcp + w->dec.udp);
}

void
summary_event(const struct summary *sm, struct worker *const *ws, size_t nw,
    const struct input_stats *is, struct output *out)
{
	struct jbuf *j = output_event_begin(out, is->last_ts_us, "summary");
	struct worker_counts wc, *w = &wc;
	uint64_t *alerts;
	size_t i, n;
	int k;

	worker_counts_sum(ws, nw, &wc);
	alerts = worker_alerts_by_rule(ws, nw, &n);
	event_input(j, w, is);
	jb_u64(j, "tls_sessions", w->st.tls_sessions);
	jb_u64(j, "chains", w->st.chains);
	jb_obj_open(j, "chain_missing");
	for (k = 1; k < TLS_MISSING_MAX && k < 16; k++)
		if (w->st.missing[k] != 0)
			jb_u64(j, tls_missing_name(k), w->st.missing[k]);
	jb_obj_close(j);
	jb_u64(j, "alerts_total", w->st.alerts);
	jb_obj_open(j, "alerts_by_rule");
	for (i = 0; i < n; i++)
		if (alerts[i] != 0)
			jb_u64(j, rule_id(rules_at(ws[0]->rules, i)), alerts[i]);
	xfree(alerts);
	jb_obj_close(j);
	event_tally(j, "alerts_by_server", "server", &sm->servers);
	event_tally(j, "top_issuers", "issuer", &sm->issuers);
	output_event_end(out);
}
