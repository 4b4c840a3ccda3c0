/*
 * output.c - JSON lines events.  See output.h.
 */
#include "output.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "cert_json.h"
#include "log.h"
#include "sink.h"
#include "xmalloc.h"
#include "../parsers/tls.h"
#include "../parsers/x509.h"
#include "../rules/rules.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>

/* Certificates written in full with --cert-dedup: a set of SHA-256s.
 * Bounded: past DEDUP_MAX entries new certificates are written in full
 * every time (correct, only longer). */
#define DEDUP_MAX	(1u << 20)

struct dedup_set {
	uint8_t		(*slot)[32];
	uint8_t		 *used;
	uint32_t	  cap;
	uint32_t	  n;
};

static uint32_t
dedup_hash(const uint8_t *h)
{
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	    (uint32_t)h[3] << 24;
}

static int
dedup_grow(struct dedup_set *d)
{
	uint32_t ncap = d->cap ? d->cap * 2 : 1024, i, k;
	uint8_t (*ns)[32] = xcalloc(ncap, 32);
	uint8_t *nu = xcalloc(ncap, 1);

	if (ns == NULL || nu == NULL) {
		xfree(ns);
		xfree(nu);
		return -1;
	}
	for (i = 0; i < d->cap; i++) {
		if (!d->used[i])
			continue;
		k = dedup_hash(d->slot[i]) & (ncap - 1);
		while (nu[k])
			k = (k + 1) & (ncap - 1);
		memcpy(ns[k], d->slot[i], 32);
		nu[k] = 1;
	}
	xfree(d->slot);
	xfree(d->used);
	d->slot = ns;
	d->used = nu;
	d->cap = ncap;
	return 0;
}

/* 1 if h was already in the set; otherwise add it and return 0. */
static int
dedup_test_and_add(struct dedup_set *d, const uint8_t *h)
{
	uint32_t k;

	if (d->cap > 0) {
		k = dedup_hash(h) & (d->cap - 1);
		while (d->used[k]) {
			if (memcmp(d->slot[k], h, 32) == 0)
				return 1;
			k = (k + 1) & (d->cap - 1);
		}
	}
	if (d->n >= DEDUP_MAX)
		return 0;
	if ((d->n + 1) * 2 > d->cap && dedup_grow(d) == -1)
		return 0;
	k = dedup_hash(h) & (d->cap - 1);
	while (d->used[k])
		k = (k + 1) & (d->cap - 1);
	memcpy(d->slot[k], h, 32);
	d->used[k] = 1;
	d->n++;
	return 0;
}

static int
output_init(struct output *o, const struct output_opts *opts)
{
	if (opts != NULL)
		o->opts = *opts;
	jb_init(&o->jb);
	jb_init(&o->tlsobj);
	if (o->opts.cert_dedup &&
	    (o->dedup = xcalloc(1, sizeof(*o->dedup))) == NULL)
		return -1;
	return 0;
}

/* --- transport: the sinks (sink.h) ------------------------------------ */

int
output_open_sinks(struct output *o, const struct sink_conf *c, size_t n,
    const struct output_opts *opts)
{
	memset(o, 0, sizeof(*o));
	if ((o->sinks = sinks_open(c, n)) == NULL)
		return -1;
	o->formats = sinks_formats(o->sinks);
	if (output_init(o, opts) == -1) {
		output_close(o);
		return -1;
	}
	return 0;
}

int
output_open(struct output *o, const char *path, const struct output_opts *opts)
{
	struct sink_conf c;
	int rc;

	sink_conf_default(&c, SINK_FILE);
	c.format = OUTPUT_EVE;
	if (path != NULL && strcmp(path, "-") != 0 &&
	    (c.path = xstrdup(path)) == NULL)
		return -1;
	rc = output_open_sinks(o, &c, 1, opts);
	sink_conf_free(&c);
	return rc;
}

int
output_flush(struct output *o)
{
	int rc = sinks_flush(o->sinks);

	o->st.write_errors = sinks_errors(o->sinks);
	return rc;
}

int
output_reopen(struct output *o)
{
	return sinks_reopen(o->sinks);
}

void
output_emit(struct output *o, enum output_format fmt, int event_kind,
    const char *line, size_t len)
{
	sinks_emit(o->sinks, (int)fmt, event_kind, line, len);
}

void
output_close(struct output *o)
{
	sinks_close(o->sinks);
	o->sinks = NULL;
	jb_free(&o->jb);
	jb_free(&o->tlsobj);
	if (o->dedup != NULL) {
		xfree(o->dedup->slot);
		xfree(o->dedup->used);
		xfree(o->dedup);
	}
	o->dedup = NULL;
}

/* --- rendering --------------------------------------------------------- */

static void
emit(struct output *o, int kind)
{
	struct jbuf *j = &o->jb;

	if (j->oom) {
		o->st.oom++;
		return;
	}
	jb_putc(j, '\n');
	if (j->oom) {
		o->st.oom++;
		return;
	}
	output_emit(o, OUTPUT_EVE, kind, j->buf, j->len);
	o->st.events[kind]++;
}

static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "TCP" : proto == IPPROTO_UDP ? "UDP" :
	    "other";
}

/* The fields every event has. */
static void
event_head(struct output *o, const struct flow *f, uint64_t ts_us,
    const char *type)
{
	struct jbuf *j = &o->jb;
	int c = f->client_dir, i;

	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_time(j, "timestamp", ts_us);
	jb_u64(j, "flow_id", f->id);
	jb_str(j, "event_type", type);
	if (!o->opts.privacy) {
		jb_ip(j, "src_ip", f->key.family, c == 0 ? f->key.a : f->key.b);
		jb_u64(j, "src_port", c == 0 ? f->key.aport : f->key.bport);
	}
	jb_ip(j, "dest_ip", f->key.family, c == 0 ? f->key.b : f->key.a);
	jb_u64(j, "dest_port", c == 0 ? f->key.bport : f->key.aport);
	jb_str(j, "proto", proto_name(f->key.proto));
	if (f->key.vlan[0] != 0) {
		jb_arr_open(j, "vlan");
		for (i = 0; i < LIM_VLAN_IDS && f->key.vlan[i] != 0; i++)
			jb_u64(j, NULL, f->key.vlan[i] & 0x0fff);
		jb_arr_close(j);
	}
}

static const char *const end_names[FLOW_END_MAX] = {
	"timeout", "closed", "evicted", "shutdown",
};

void
output_flow(struct output *o, const struct flow *f, int reason,
    const char *incomplete, const char *app_proto, const char *app_name)
{
	struct jbuf *j = &o->jb;
	int c = f->client_dir, s = !f->client_dir;

	event_head(o, f, f->last_us, "flow");
	if (app_proto != NULL)
		jb_str(j, "app_proto", app_proto);
	if (app_name != NULL)
		jb_str(j, "app_name", app_name);
	jb_obj_open(j, "flow");
	jb_u64(j, "pkts_toserver", f->pkts[c]);
	jb_u64(j, "pkts_toclient", f->pkts[s]);
	jb_u64(j, "bytes_toserver", f->bytes[c]);
	jb_u64(j, "bytes_toclient", f->bytes[s]);
	jb_time(j, "start", f->first_us);
	jb_time(j, "end", f->last_us);
	jb_u64(j, "age", (f->last_us - f->first_us) / 1000000);
	if (f->key.proto == IPPROTO_TCP) {
		jb_bool(j, "syn_seen", (f->flags & FLOW_SYN_SEEN) != 0);
		jb_bool(j, "midstream", (f->flags & FLOW_MIDSTREAM) != 0);
		jb_str(j, "state", (f->flags & FLOW_RST) ? "reset" :
		    ((f->flags & (FLOW_FIN0 | FLOW_FIN1)) ==
		    (FLOW_FIN0 | FLOW_FIN1)) ? "closed" : "open");
	}
	jb_bool(j, "bypassed", (f->flags & FLOW_BYPASS) != 0);
	if (reason >= 0 && reason < FLOW_END_MAX)
		jb_str(j, "reason", end_names[reason]);
	if (incomplete != NULL && incomplete[0] != '\0')
		jb_str(j, "incomplete", incomplete);
	jb_obj_close(j);
	jb_obj_close(j);
	emit(o, 0);
}

static void
render_chain(struct output *o, struct jbuf *j, const char *key,
    struct x509_cache *xc, struct x509_cert **chain, size_t n)
{
	const char *obj;
	size_t i, len;
	char *pem;

	jb_arr_open(j, key);
	for (i = 0; i < n; i++) {
		struct x509_cert *c = chain[i];

		jb_obj_open(j, NULL);
		jb_u64(j, "index", i);
		if (o->dedup != NULL && dedup_test_and_add(o->dedup,
		    c->sha256)) {
			o->st.dedup_hits++;
			jb_hex(j, "sha256", c->sha256, 32);
			jb_bool(j, "dedup", 1);
			jb_obj_close(j);
			continue;
		}
		/* The cached object without its braces, after "index". */
		if ((obj = cert_json(xc, c, &len)) != NULL && len >= 2) {
			if (len > 2)
				jb_raw(j, NULL, obj + 1, len - 2);
		} else
			jb_hex(j, "sha256", c->sha256, 32);
		if (o->opts.pem && (pem = x509_pem(c)) != NULL) {
			jb_str(j, "pem", pem);
			xfree(pem);
		}
		jb_obj_close(j);
	}
	jb_arr_close(j);
}

/* "aa:bb:..." (Suricata's fingerprint and serial formats). */
static void
colon_hex(struct jbuf *j, const char *key, const uint8_t *p, size_t n,
    int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[3 * 64];
	size_t i, k = 0;

	for (i = 0; i < n && i < 64; i++) {
		if (i > 0)
			tmp[k++] = ':';
		tmp[k++] = digits[p[i] >> 4];
		tmp[k++] = digits[p[i] & 15];
	}
	jb_strn(j, key, tmp, k);
}

/*
 * The leaf's fields under the names Suricata's EVE tls record uses, so a
 * SIEM that already ingests EVE finds them where it looks; the full chain
 * follows in "chain".
 */
static void
render_eve_leaf(struct jbuf *j, const struct x509_cert *c)
{
	ASN1_INTEGER *sn;
	unsigned char *der = NULL;
	BIGNUM *bn;
	int n;

	if (c->x == NULL)
		return;
	jb_str(j, "subject", c->subject);
	jb_str(j, "issuerdn", c->issuer);
	sn = X509_get_serialNumber(c->x);
	if ((bn = ASN1_INTEGER_to_BN(sn, NULL)) != NULL) {
		if ((n = BN_num_bytes(bn)) > 0 && n <= 64 &&
		    (der = OPENSSL_malloc((size_t)n)) != NULL &&
		    BN_bn2bin(bn, der) == n)
			colon_hex(j, "serial", der, (size_t)n, 1);
		OPENSSL_free(der);
		BN_free(bn);
	}
	colon_hex(j, "fingerprint", c->sha1, sizeof(c->sha1), 0);
	if (c->not_before[0] != '\0')
		jb_strn(j, "notbefore", c->not_before, 19);
	if (c->not_after[0] != '\0')
		jb_strn(j, "notafter", c->not_after, 19);
}

static void
render_fp(struct jbuf *j, const char *key, const char *str, const char *md5)
{
	if (str == NULL || md5[0] == '\0')
		return;
	jb_obj_open(j, key);
	jb_str(j, "hash", md5);
	jb_str(j, "string", str);
	jb_obj_close(j);
}

void
output_tls_render(struct output *o, const struct tls_report *r)
{
	const struct tls_session *s = r->s;
	struct jbuf *j = &o->tlsobj;
	const char *cn;
	char hex[8];

	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_str(j, "version", tls_version_name(s->version));
	if (r->nchain > 0)
		render_eve_leaf(j, r->chain[0]);
	if (s->sni[0] != '\0')
		jb_str(j, "sni", s->sni);
	if (s->alpn[0] != '\0')
		jb_str(j, "alpn", s->alpn);
	if (s->alpn_offered[0] != '\0')
		jb_str(j, "alpn_offered", s->alpn_offered);
	render_fp(j, "ja3", s->ja3, s->ja3_md5);
	render_fp(j, "ja3s", s->ja3s, s->ja3s_md5);
	if (s->ja4[0] != '\0')
		jb_str(j, "ja4", s->ja4);
	if (s->cipher_set) {
		if ((cn = tls_cipher_name(s->cipher)) == NULL) {
			snprintf(hex, sizeof(hex), "0x%04x", s->cipher);
			cn = hex;
		}
		jb_str(j, "cipher", cn);
	}
	if (s->dtls)
		jb_bool(j, "dtls", 1);
	jb_bool(j, "ocsp_stapled", s->ocsp_stapled);
	if (s->resumed)
		jb_bool(j, "resumed", 1);
	jb_bool(j, "chain_visible", r->nchain > 0);
	if (r->nchain > 0)
		render_chain(o, j, "chain", r->xc, r->chain, r->nchain);
	else
		jb_str(j, "chain_missing", tls_missing_name(
		    s->missing != TLS_MISSING_NONE ? s->missing :
		    TLS_MISSING_NO_SERVER_DATA));
	if (s->server.truncated)
		jb_bool(j, "chain_truncated", 1);
	if (r->ncchain > 0)
		render_chain(o, j, "client_chain", r->xc, r->cchain,
		    r->ncchain);
	if (s->anomalies != 0) {
		int a;

		jb_arr_open(j, "anomalies");
		for (a = 0; a < TLS_ANOM_MAX; a++)
			if (s->anomalies & (1u << a))
				jb_str(j, NULL, tls_anomaly_name(a));
		jb_arr_close(j);
	}
	jb_obj_close(j);
}

static void
app_fields(struct jbuf *j, const struct tls_report *r)
{
	if (r->app_proto != NULL)
		jb_str(j, "app_proto", r->app_proto);
	if (r->app_name != NULL)
		jb_str(j, "app_name", r->app_name);
}

void
output_tls(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r)
{
	struct jbuf *j = &o->jb;

	event_head(o, f, ts_us, "tls");
	app_fields(j, r);
	jb_raw(j, "tls", o->tlsobj.buf, o->tlsobj.len);
	jb_obj_close(j);
	emit(o, 1);
	if (o->observe != NULL)
		o->observe(o->observe_arg, f, r, NULL);
}

void
output_alert(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r, const struct rule_hit *h)
{
	struct jbuf *j = &o->jb;
	size_t i;

	event_head(o, f, ts_us, "alert");
	app_fields(j, r);
	jb_obj_open(j, "alert");
	jb_str(j, "action", "allowed");
	jb_u64(j, "signature_id", rule_signature_id(h->rule));
	jb_str(j, "rule_id", rule_id(h->rule));
	jb_str(j, "signature", rule_name(h->rule));
	jb_u64(j, "severity", (uint64_t)rule_severity_level(h->rule));
	jb_str(j, "severity_name", rule_severity(h->rule));
	jb_str(j, "category", rule_category(h->rule));
	jb_arr_open(j, "references");
	for (i = 0; i < rule_nreferences(h->rule); i++)
		jb_str(j, NULL, rule_reference(h->rule, i));
	jb_arr_close(j);
	jb_obj_close(j);
	jb_obj_open(j, "match");
	if (h->index == RULE_INDEX_ISSUER_OF_TOP)
		jb_str(j, "index", "issuer_of_top");
	else
		jb_u64(j, "index", (uint64_t)h->index);
	jb_str(j, "field", h->field);
	jb_str(j, "value", h->value);
	jb_str(j, "attribution", rule_attribution_name(h->attribution));
	jb_bool(j, "verified", h->verified);
	jb_obj_close(j);
	jb_raw(j, "tls", o->tlsobj.buf, o->tlsobj.len);
	jb_obj_close(j);
	emit(o, 2);
	if (o->observe != NULL)
		o->observe(o->observe_arg, f, r, h);
}

struct jbuf *
output_stats_begin(struct output *o, uint64_t ts_us)
{
	struct jbuf *j = &o->jb;

	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_time(j, "timestamp", ts_us);
	jb_str(j, "event_type", "stats");
	jb_obj_open(j, "stats");
	return j;
}

void
output_stats_end(struct output *o)
{
	jb_obj_close(&o->jb);
	jb_obj_close(&o->jb);
	emit(o, 3);
}

struct jbuf *
output_event_begin(struct output *o, uint64_t ts_us, const char *type)
{
	struct jbuf *j = &o->jb;

	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_time(j, "timestamp", ts_us);
	jb_str(j, "event_type", type);
	jb_obj_open(j, type);
	return j;
}

void
output_event_end(struct output *o)
{
	output_stats_end(o);
}
