/*
 * output.c - JSON lines events, the EVE format.  See output.h; the ECS
 * format is in output_ecs.c.
 */
#include "output_int.h"
#include "hash.h"
#include "sink.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>

#include "cert_json.h"
#include "log.h"
#include "privacy.h"
#include "xmalloc.h"
#include "../parsers/tls.h"
#include "../parsers/x509.h"
#include "../rules/rules.h"
#include "signals.h"

#include <openssl/evp.h>

/* The flow_id key of a replay: fixed, so that replaying a capture gives
 * the same ids run to run (tests, diffs between builds). */
#define OUTPUT_REPLAY_FLOW_ID_KEY	0x726f6f7477617463ull

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

static void
output_bufs(struct output *o, int init)
{
	struct jbuf *b[] = { &o->jb, &o->body, &o->sbody, &o->rwtls,
	    &o->tlsobj[OUTPUT_EVE], &o->tlsobj[OUTPUT_ECS] };
	size_t i;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		if (init)
			jb_init(b[i]);
		else
			jb_free(b[i]);
	}
}

/* Options and buffers, whatever the outputs. */
static int
output_init(struct output *o, const struct output_opts *opts)
{
	if (opts != NULL)
		o->opts = *opts;
	if ((unsigned)o->opts.format >= OUTPUT_FORMAT_MAX)
		o->opts.format = OUTPUT_EVE;
	if (o->formats == 0)
		o->formats = OUTPUT_FMT_BIT(o->opts.format);
	o->flow_id_key = o->opts.flow_id_key != 0 ? o->opts.flow_id_key :
	    OUTPUT_REPLAY_FLOW_ID_KEY;
	o->immediate = o->opts.immediate;
	output_bufs(o, 1);
	if (o->opts.cert_dedup &&
	    (o->dedup = xcalloc(1, sizeof(*o->dedup))) == NULL)
		return -1;
	return 0;
}

/*
 * The configured outputs (sink.h).  A pipe, FIFO, socket or terminal
 * among the files, or any output when asked (input from a pipe), gets
 * each event at once, so a reader never waits for later events; regular
 * files are written in batches (replay speed).
 */
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
	if (sinks_streaming(o->sinks))
		o->immediate = 1;
	return 0;
}

/* One EVE file (or stdout: path NULL or "-"), in opts' format. */
int
output_open(struct output *o, const char *path, const struct output_opts *opts)
{
	struct sink_conf c;
	int rc;

	sink_conf_default(&c, SINK_FILE);
	c.format = opts != NULL && (unsigned)opts->format < OUTPUT_FORMAT_MAX ?
	    (int)opts->format : OUTPUT_EVE;
	if (path != NULL && strcmp(path, "-") != 0 &&
	    (c.path = xstrdup(path)) == NULL)
		return -1;
	rc = output_open_sinks(o, &c, 1, opts);
	sink_conf_free(&c);
	return rc;
}

int
output_open_divert(struct output *o, const struct output_opts *opts,
    output_divert_fn fn, void *arg)
{
	memset(o, 0, sizeof(*o));
	if (opts != NULL)
		o->opts = *opts;
	if ((unsigned)o->opts.format >= OUTPUT_FORMAT_MAX)
		o->opts.format = OUTPUT_EVE;
	o->formats = OUTPUT_FMT_BIT(o->opts.format);
	o->flow_id_key = o->opts.flow_id_key != 0 ? o->opts.flow_id_key :
	    OUTPUT_REPLAY_FLOW_ID_KEY;
	o->divert = fn;
	o->divert_arg = arg;
	output_bufs(o, 1);
	if (o->opts.cert_dedup)
		o->dedup = xcalloc(1, sizeof(*o->dedup));
	return 0;
}

int
output_flush(struct output *o)
{
	int rc;

	if (o->sinks == NULL)
		return 0;
	rc = sinks_flush(o->sinks);
	o->st.write_errors = sinks_errors(o->sinks);
	return rc;
}

/* Log rotation (SIGHUP): regular files are reopened, nothing else. */
int
output_reopen(struct output *o)
{
	return o->sinks != NULL ? sinks_reopen(o->sinks) : 0;
}

void
output_close(struct output *o)
{
	if (o->sinks != NULL) {
		sinks_close(o->sinks);	/* delivers what it can, bounded */
		o->sinks = NULL;
	}
	output_bufs(o, 0);
	if (o->dedup != NULL) {
		xfree(o->dedup->slot);
		xfree(o->dedup->used);
		xfree(o->dedup);
	}
	o->dedup = NULL;
}

void
output_emit(struct output *o, enum output_format fmt, int event_kind,
    const char *line, size_t len)
{
	if (event_kind >= 0 && event_kind < OUTPUT_EV_MAX)
		o->st.events[event_kind]++;
	if (o->divert != NULL) {	/* the writer writes it */
		o->divert(o->divert_arg, fmt, event_kind, line, len);
		return;
	}
	if (o->sinks == NULL)
		return;
	/* the sinks' filter knows four kinds: a summary goes with stats */
	sinks_emit(o->sinks, (int)fmt, event_kind == OUTPUT_EV_SUMMARY ?
	    SINK_EV_STATS : event_kind, line, len);
	if (o->immediate)
		(void)sinks_flush(o->sinks);
	/* a write can fail here too, not only in output_flush(): the next
	 * stats event counts it */
	o->st.write_errors = sinks_errors(o->sinks);
}

const char *
output_last_line(const struct output *o, size_t *len)
{
	*len = o->jb.oom ? 0 : o->jb.len;
	return o->jb.buf;
}

int
output_client_ip(const struct output *o, const struct flow *f,
    uint8_t out[16])
{
	const uint8_t *a = flow_client_addr(f);

	memset(out, 0, 16);
	if (!o->opts.privacy) {
		memcpy(out, a, 16);
		return 1;
	}
	if (o->priv == NULL)
		return 0;
	privacy_ip(o->priv, f->key.family, a, out);
	return 1;
}

/* Hand o->jb, one finished event, to output_emit(). */
static void
emit(struct output *o, enum output_format fmt, int kind)
{
	if (o->jb.oom) {
		o->st.oom++;
		return;
	}
	output_emit(o, fmt, kind, o->jb.buf, o->jb.len);
}

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * flow_id, as Suricata's: derived from the flow, not a counter, so the
 * same flow gets the same id in every event and in every run of a
 * replay.  A keyed hash (key: random per process in live capture, fixed
 * in replay) of the flow key as the table holds it (addresses, ports,
 * VLAN ids, family, protocol) and the flow's first packet time, cut to
 * 53 bits so that consumers parsing JSON numbers as doubles keep it
 * exact.  Two flows share an id with probability about n^2 / 2^54.
 */
uint64_t
output_flow_id(const struct output *o, const struct flow *f)
{
	const struct flow_key *k = &f->key;
	uint64_t h = o->flow_id_key;
	int i;

	for (i = 0; i < 16; i += 8)
		h = hash_fmix64(h ^ load64(k->a + i)) +
		    hash_fmix64(h ^ load64(k->b + i));
	h = hash_fmix64(h ^ ((uint64_t)k->aport << 48 | (uint64_t)k->bport << 32 |
	    (uint64_t)k->family << 8 | k->proto));
	for (i = 0; i < LIM_VLAN_IDS; i++)
		h = hash_fmix64(h ^ k->vlan[i] ^ (uint64_t)(i + 1) << 32);
	h = hash_fmix64(h ^ f->first_us);
	h &= (1ull << 53) - 1;
	return h != 0 ? h : 1;
}

static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "TCP" : proto == IPPROTO_UDP ? "UDP" :
	    "other";
}

/* The fields every EVE event of a flow has. */
static void
event_head(struct output *o, const struct flow *f, uint64_t ts_us,
    const char *type)
{
	struct jbuf *j = &o->jb;
	int c = f->client_dir, i;
	uint8_t client[16];

	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_time(j, "timestamp", ts_us);
	jb_u64(j, "flow_id", output_flow_id(o, f));
	jb_str(j, "event_type", type);
	if (f->key.vlan[0] != 0) {
		jb_arr_open(j, "vlan");
		for (i = 0; i < LIM_VLAN_IDS && f->key.vlan[i] != 0; i++)
			jb_u64(j, NULL, f->key.vlan[i] & 0x0fff);
		jb_arr_close(j);
	}
	/* privacy: the port goes too, it tells one connection apart */
	if (output_client_ip(o, f, client))
		jb_ip(j, "src_ip", f->key.family, client);
	if (!o->opts.privacy)
		jb_u64(j, "src_port", c == 0 ? f->key.aport : f->key.bport);
	jb_ip(j, "dest_ip", f->key.family, c == 0 ? f->key.b : f->key.a);
	jb_u64(j, "dest_port", c == 0 ? f->key.bport : f->key.aport);
	jb_str(j, "proto", proto_name(f->key.proto));
}

void
output_eve_head(struct output *o, const struct flow *f, uint64_t ts_us,
    const char *type)
{
	event_head(o, f, ts_us, type);
}

/* EVE's app_proto, and app_proto_orig for STARTTLS. */
static void
eve_app_proto(struct jbuf *j, const char *label)
{
	const char *orig, *p;

	if (label == NULL)
		return;
	p = output_app_proto(label, &orig);
	jb_str(j, "app_proto", p);
	if (orig != NULL)
		jb_str(j, "app_proto_orig", orig);
}

const char *
output_app_proto(const char *label, const char **orig)
{
	*orig = NULL;
	if (strcmp(label, "tls") == 0 || strcmp(label, "dtls") == 0 ||
	    strcmp(label, "quic") == 0)
		return label;
	*orig = label;
	return "tls";
}

static const char *const end_names[FLOW_END_MAX] = {
	"timeout", "closed", "evicted", "shutdown",
};

const char *
output_flow_end_name(int reason)
{
	return reason >= 0 && reason < FLOW_END_MAX ? end_names[reason] : NULL;
}

/* A closed flow ends by its closed timeout, an evicted one is forced
 * out (Suricata's emergency/forced end). */
const char *
output_flow_reason(int reason)
{
	switch (reason) {
	case FLOW_END_EVICTED:
		return "forced";
	case FLOW_END_SHUTDOWN:
		return "shutdown";
	default:
		return "timeout";
	}
}

/* A bypassed flow stays "bypassed" to its end, as in Suricata, where a
 * bypassed flow's TCP state is no longer followed. */
const char *
output_flow_state(const struct flow *f)
{
	if (f->flags & FLOW_BYPASS)
		return "bypassed";
	if (f->key.proto == IPPROTO_TCP && ((f->flags & FLOW_RST) ||
	    (f->flags & (FLOW_FIN0 | FLOW_FIN1)) == (FLOW_FIN0 | FLOW_FIN1)))
		return "closed";
	if (f->pkts[0] > 0 && f->pkts[1] > 0)
		return "established";
	return "new";
}

const char *
output_tcp_state(const struct flow *f)
{
	if (f->flags & FLOW_RST)
		return "reset";
	if ((f->flags & (FLOW_FIN0 | FLOW_FIN1)) == (FLOW_FIN0 | FLOW_FIN1))
		return "closed";
	return "open";
}

void
output_rw_flow(struct jbuf *j, const struct flow *f, int reason,
    const char *incomplete)
{
	const char *end = output_flow_end_name(reason);

	jb_obj_open(j, "flow");
	if (f->key.proto == IPPROTO_TCP) {
		jb_bool(j, "syn_seen", (f->flags & FLOW_SYN_SEEN) != 0);
		jb_bool(j, "midstream", (f->flags & FLOW_MIDSTREAM) != 0);
		jb_str(j, "tcp_state", output_tcp_state(f));
	}
	if (end != NULL)
		jb_str(j, "end", end);
	if (incomplete != NULL && incomplete[0] != '\0')
		jb_str(j, "incomplete", incomplete);
	jb_obj_close(j);
}

/* Suricata counts the packets of a bypassed flow apart: pkts_* and
 * bytes_* stop at the bypass, "bypassed" has the rest. */
static void
eve_flow_counts(struct jbuf *j, const struct flow *f)
{
	int c = f->client_dir, s = !f->client_dir;

	jb_u64(j, "pkts_toserver", f->pkts[c] - f->byp_pkts[c]);
	jb_u64(j, "pkts_toclient", f->pkts[s] - f->byp_pkts[s]);
	jb_u64(j, "bytes_toserver", f->bytes[c] - f->byp_bytes[c]);
	jb_u64(j, "bytes_toclient", f->bytes[s] - f->byp_bytes[s]);
	if (!(f->flags & FLOW_BYPASS))
		return;
	jb_str(j, "bypass", "local");
	jb_obj_open(j, "bypassed");
	jb_u64(j, "pkts_toserver", f->byp_pkts[c]);
	jb_u64(j, "pkts_toclient", f->byp_pkts[s]);
	jb_u64(j, "bytes_toserver", f->byp_bytes[c]);
	jb_u64(j, "bytes_toclient", f->byp_bytes[s]);
	jb_obj_close(j);
}

static void
eve_flow(struct output *o, const struct flow *f, int reason,
    const char *incomplete, const char *app_proto, const char *app_name)
{
	struct jbuf *j = &o->jb;

	event_head(o, f, f->last_us, "flow");
	eve_app_proto(j, app_proto);
	jb_obj_open(j, "flow");
	eve_flow_counts(j, f);
	jb_time(j, "start", f->first_us);
	jb_time(j, "end", f->last_us);
	jb_u64(j, "age", (f->last_us - f->first_us) / 1000000);
	jb_str(j, "state", output_flow_state(f));
	jb_str(j, "reason", output_flow_reason(reason));
	jb_bool(j, "alerted", (f->flags & FLOW_ALERTED) != 0);
	jb_obj_close(j);
	jb_obj_open(j, "rootwatch");
	if (app_name != NULL)
		jb_str(j, "app_name", app_name);
	output_rw_flow(j, f, reason, incomplete);
	jb_obj_close(j);
	jb_obj_close(j);
	emit(o, OUTPUT_EVE, OUTPUT_EV_FLOW);
}

void
output_flow(struct output *o, const struct flow *f, int reason,
    const char *incomplete, const char *app_proto, const char *app_name)
{
	/* privacy: a flow that did not alert is only in tls_aggregate */
	if (o->opts.privacy && !(f->flags & FLOW_ALERTED))
		return;
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE))
		eve_flow(o, f, reason, incomplete, app_proto, app_name);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS))
		ecs_flow(o, f, reason, incomplete, app_proto, app_name);
}

void
output_b64(struct jbuf *j, const char *key, const struct x509_cert *c)
{
	size_t n = 4 * ((c->der_len + 2) / 3) + 1;
	char *b;

	if (c->der == NULL || c->der_len == 0 || c->der_len > INT32_MAX / 2)
		return;
	if ((b = xmalloc(n)) == NULL) {
		j->oom = 1;
		return;
	}
	n = (size_t)EVP_EncodeBlock((unsigned char *)b, c->der,
	    (int)c->der_len);
	jb_strn(j, key, b, n);
	xfree(b);
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

/* A cached certificate part spliced into the open object. */
static void
splice_part(struct jbuf *j, struct x509_cache *xc, struct x509_cert *c,
    enum cert_part part)
{
	const char *obj;
	size_t len;

	if ((obj = cert_json_part(xc, c, part, &len)) == NULL) {
		j->oom = 1;
		return;
	}
	if (len > 2)
		jb_raw(j, NULL, obj + 1, len - 2);
}

/* tls.certificate and tls.chain (base64 DER, leaf first) on --pem. */
static void
eve_certs(struct output *o, struct jbuf *j, struct x509_cert **chain,
    size_t n)
{
	size_t i;

	if (!o->opts.pem || n == 0)
		return;
	output_b64(j, "certificate", chain[0]);
	jb_arr_open(j, "chain");
	for (i = 0; i < n; i++)
		output_b64(j, NULL, chain[i]);
	jb_arr_close(j);
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

/* "h2,http/1.1" as ["h2", "http/1.1"]. */
static void
alpn_array(struct jbuf *j, const char *key, const char *list)
{
	const char *p = list, *e;

	jb_arr_open(j, key);
	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		jb_strn(j, NULL, p, (size_t)(e - p));
		p = *e == ',' ? e + 1 : e;
	}
	jb_arr_close(j);
}

static void
eve_tls_hello(struct jbuf *j, const struct tls_session *s)
{
	if (s->sni[0] != '\0')
		jb_str(j, "sni", s->sni);
	jb_str(j, "version", tls_version_name(s->version));
	render_fp(j, "ja3", s->ja3, s->ja3_md5);
	render_fp(j, "ja3s", s->ja3s, s->ja3s_md5);
	if (s->ja4[0] != '\0')
		jb_str(j, "ja4", s->ja4);
	if (s->resumed)
		jb_bool(j, "session_resumed", 1);
	if (s->upgrade != NULL)
		jb_str(j, "from_proto", s->upgrade);
	if (s->alpn_offered[0] != '\0')
		alpn_array(j, "client_alpns", s->alpn_offered);
	if (s->alpn[0] != '\0') {
		jb_arr_open(j, "server_alpns");
		jb_str(j, NULL, s->alpn);
		jb_arr_close(j);
	}
	if (s->cipher_set) {
		jb_obj_open(j, "server_handshake");
		jb_u64(j, "cipher", s->cipher);
		jb_obj_close(j);
	}
}

/* EVE's "tls": the server leaf's fields, the hellos, client.*. */
static void
eve_tls_render(struct output *o, const struct tls_report *r, struct jbuf *j)
{
	jb_reset(j);
	jb_obj_open(j, NULL);
	if (r->nchain > 0)
		splice_part(j, r->xc, r->chain[0], CERT_EVE);
	eve_tls_hello(j, r->s);
	eve_certs(o, j, r->chain, r->nchain);
	if (r->ncchain > 0) {
		jb_obj_open(j, "client");
		splice_part(j, r->xc, r->cchain[0], CERT_EVE);
		eve_certs(o, j, r->cchain, r->ncchain);
		jb_obj_close(j);
	}
	jb_obj_close(j);
}

/* rootwatch.tls: what EVE has no name for, the structured chains first. */
static void
rw_tls_render(struct output *o, const struct tls_report *r, struct jbuf *j)
{
	const struct tls_session *s = r->s;
	const char *cn;
	char hex[8];
	int a;

	jb_reset(j);
	jb_obj_open(j, NULL);
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
		jb_arr_open(j, "anomalies");
		for (a = 0; a < TLS_ANOM_MAX; a++)
			if (s->anomalies & (1u << a))
				jb_str(j, NULL, tls_anomaly_name(a));
		jb_arr_close(j);
	}
	jb_obj_close(j);
}

void
output_tls_render(struct output *o, const struct tls_report *r)
{
	rw_tls_render(o, r, &o->rwtls);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE))
		eve_tls_render(o, r, &o->tlsobj[OUTPUT_EVE]);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS))
		ecs_tls_render(o, r, &o->tlsobj[OUTPUT_ECS]);
}

void
output_rw_probe(struct jbuf *j, const struct tls_report *r)
{
	if (r->probe != NULL)
		jb_raw(j, "probe", r->probe, r->probe_len);
}

static void
eve_tls(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r)
{
	struct jbuf *j = &o->jb;

	event_head(o, f, ts_us, "tls");
	eve_app_proto(j, r->app_proto);
	jb_raw(j, "tls", o->tlsobj[OUTPUT_EVE].buf, o->tlsobj[OUTPUT_EVE].len);
	jb_obj_open(j, "rootwatch");
	if (r->app_name != NULL)
		jb_str(j, "app_name", r->app_name);
	jb_raw(j, "tls", o->rwtls.buf, o->rwtls.len);
	output_rw_probe(j, r);
	jb_obj_close(j);
	jb_obj_close(j);
	emit(o, OUTPUT_EVE, OUTPUT_EV_TLS);
}

void
output_tls(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r)
{
	/* privacy: no per-session record; the alert carries the tls
	 * object of a session that alerted, tls_aggregate counts all */
	if (!o->opts.privacy && (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE)))
		eve_tls(o, f, ts_us, r);
	if (!o->opts.privacy && (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS)))
		ecs_tls(o, f, ts_us, r);
	if (o->observe != NULL)
		o->observe(o->observe_arg, f, r, NULL);
}

/* Rules levels 1 critical, 2 high -> 1; 3 medium -> 2; 4 low, 5 info ->
 * 3: Suricata's 1 (high) .. 3 (low). */
int
output_severity(const struct rule_hit *h)
{
	int l = rule_severity_level(h->rule);

	return l <= 2 ? 1 : l == 3 ? 2 : 3;
}

void
output_rw_hit(struct jbuf *j, const struct rule_hit *h)
{
	jb_obj_open(j, "alert");
	jb_str(j, "rule_id", rule_id(h->rule));
	jb_str(j, "severity", rule_severity(h->rule));
	jb_u64(j, "severity_level", (uint64_t)rule_severity_level(h->rule));
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
}

/* Suricata's alert object: gid 1, rev 0 (rules have no revision). */
static void
eve_alert_obj(struct jbuf *j, const void *arg)
{
	const struct rule_hit *h = arg;
	size_t i, n = rule_nreferences(h->rule);

	jb_obj_open(j, "alert");
	jb_str(j, "action", "allowed");
	jb_u64(j, "gid", 1);
	jb_u64(j, "signature_id", rule_signature_id(h->rule));
	jb_u64(j, "rev", 0);
	jb_str(j, "signature", rule_name(h->rule));
	jb_str(j, "category", rule_category(h->rule));
	jb_u64(j, "severity", (uint64_t)output_severity(h));
	if (n > 0) {
		jb_arr_open(j, "references");
		for (i = 0; i < n; i++)
			jb_str(j, NULL, rule_reference(h->rule, i));
		jb_arr_close(j);
	}
	jb_obj_close(j);
}

/* rootwatch's part of a rule's alert: the hit. */
static void
eve_rw_hit(struct jbuf *j, const void *arg)
{
	output_rw_hit(j, arg);
}

/* Suricata's alert object for a signal, and rootwatch's part. */
static void
eve_signal_obj(struct jbuf *j, const void *arg)
{
	const struct signal *sg = arg;

	jb_obj_open(j, "alert");
	jb_str(j, "action", "allowed");
	jb_u64(j, "gid", 1);
	jb_u64(j, "signature_id", sg->opt->sid);
	jb_u64(j, "rev", 0);
	jb_str(j, "signature", sg->signature);
	jb_str(j, "category", sg->category);
	jb_u64(j, "severity", sg->opt->severity);
	jb_obj_close(j);
}

static void
eve_rw_signal(struct jbuf *j, const void *arg)
{
	jb_obj_open(j, "signal");
	signal_render(j, arg);
	jb_obj_close(j);
}

/* An EVE alert event, of a rule or a signal: the two differ only in the
 * alert object and in what rootwatch adds about the match. */
static void
eve_alert_event(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r, void (*alert)(struct jbuf *, const void *),
    void (*detail)(struct jbuf *, const void *), const void *arg)
{
	struct jbuf *j = &o->jb;

	event_head(o, f, ts_us, "alert");
	eve_app_proto(j, r->app_proto);
	alert(j, arg);
	jb_raw(j, "tls", o->tlsobj[OUTPUT_EVE].buf, o->tlsobj[OUTPUT_EVE].len);
	jb_obj_open(j, "rootwatch");
	if (r->app_name != NULL)
		jb_str(j, "app_name", r->app_name);
	detail(j, arg);
	jb_raw(j, "tls", o->rwtls.buf, o->rwtls.len);
	output_rw_probe(j, r);
	jb_obj_close(j);
	jb_obj_close(j);
	emit(o, OUTPUT_EVE, OUTPUT_EV_ALERT);
}

void
output_alert(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r, const struct rule_hit *h)
{
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE))
		eve_alert_event(o, f, ts_us, r, eve_alert_obj, eve_rw_hit, h);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS))
		ecs_alert(o, f, ts_us, r, h);
	if (o->observe != NULL)
		o->observe(o->observe_arg, f, r, h);
}

void
output_signal(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r, const struct signal *sg)
{
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE))
		eve_alert_event(o, f, ts_us, r, eve_signal_obj, eve_rw_signal,
		    sg);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS))
		ecs_signal(o, f, ts_us, r, sg);
}

static struct jbuf *
body_begin(struct output *o, uint64_t ts_us, const char *type)
{
	o->ev_ts_us = ts_us;
	o->ev_type = type;
	jb_reset(&o->sbody);
	jb_reset(&o->body);
	jb_obj_open(&o->body, NULL);
	return &o->body;
}

struct jbuf *
output_stats_begin(struct output *o, uint64_t ts_us)
{
	struct jbuf *j = body_begin(o, ts_us, "stats");

	if (o->sandbox != NULL)
		jb_raw(j, "sandbox", o->sandbox, strlen(o->sandbox));
	return j;
}

struct jbuf *
output_stats_suricata(struct output *o)
{
	if (!(o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE)))
		return NULL;
	jb_obj_open(&o->sbody, NULL);
	return &o->sbody;
}

/* EVE stats: {"stats": Suricata's counters, "rootwatch": the tree};
 * other events: {"rootwatch": {type: the body}}. */
static void
eve_body_event(struct output *o, int kind)
{
	struct jbuf *j = &o->jb;

	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_time(j, "timestamp", o->ev_ts_us);
	jb_str(j, "event_type", o->ev_type);
	if (kind == OUTPUT_EV_STATS) {
		if (o->sbody.len > 0)
			jb_raw(j, "stats", o->sbody.buf, o->sbody.len);
		jb_raw(j, "rootwatch", o->body.buf, o->body.len);
	} else {
		jb_obj_open(j, "rootwatch");
		jb_raw(j, o->ev_type, o->body.buf, o->body.len);
		jb_obj_close(j);
	}
	jb_obj_close(j);
	if (o->body.oom || o->sbody.oom)
		j->oom = 1;
	emit(o, OUTPUT_EVE, kind);
}

static void
body_end(struct output *o, int kind)
{
	jb_obj_close(&o->body);
	if (o->sbody.len > 0)
		jb_obj_close(&o->sbody);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE))
		eve_body_event(o, kind);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS))
		ecs_body_event(o, o->ev_type, kind);
}

void
output_stats_end(struct output *o)
{
	body_end(o, OUTPUT_EV_STATS);
}

struct jbuf *
output_event_begin(struct output *o, uint64_t ts_us, const char *type)
{
	return body_begin(o, ts_us, type);
}

void
output_event_end(struct output *o)
{
	body_end(o, OUTPUT_EV_SUMMARY);
}
