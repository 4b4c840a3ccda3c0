/*
 * signals.c - compare a reported TLS session with what its name leads us
 * to expect (signals.h, rootwatch(8) SIGNALS).
 *
 *   session -> profile (shared, locked once) -> downgrade, new issuer,
 *              server profile + flight size
 *           -> chain: trust store at packet time (built chain) ->
 *              known interception keys, static pins, unknown root /
 *              enterprise middlebox, missing SCTs
 *
 * Packet time everywhere: a replay of a 2019 capture is judged by 2019's
 * validity dates, and a profile's span is measured in packet time.
 */
#include "signals.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "json.h"
#include "log.h"
#include "sigdata.h"
#include "xmalloc.h"
#include "../parsers/tls.h"
#include "../parsers/x509.h"
#include "../rules/rules.h"

/* Keys compared with pins and key lists: the sent chain, then the chain
 * built to a root of the store. */
#define SIG_KEYS_MAX	(2 * LIM_TLS_CHAIN_MAX)

struct signals {
	struct signals_conf	 conf;		/* strings not owned */
	struct sigdata		*data;
	struct profiles		*prof;
	X509_STORE		*system;
	X509_STORE		*enterprise;	/* NULL: none */
	char			*state_file;
	uint64_t		 pins_from_us;	/* pins apply from here on */
	uint64_t		 gen;		/* for memos kept in certificates */
};

/* Signals sets made so far: each its own generation, never 0. */
static _Atomic uint64_t signals_made;

static const struct {
	const char	*name;		/* configuration key */
	const char	*signature;
	const char	*category;
	uint32_t	 severity;
} sig_desc[SIG_MAX] = {
	[SIG_DOWNGRADE] = { "downgrade", "ROOTWATCH TLS 1.3 name answered "
	    "with TLS 1.2 or older (version downgrade)", "tls-downgrade", 1 },
	[SIG_SENTINEL] = { "downgrade-sentinel", "ROOTWATCH TLS downgrade "
	    "sentinel in ServerHello.random after a TLS 1.3 offer",
	    "tls-downgrade-sentinel", 1 },
	[SIG_NEW_ISSUER] = { "new-issuer", "ROOTWATCH stable name served "
	    "by a new issuing key", "tls-profile-issuer", 2 },
	[SIG_PROFILE] = { "profile", "ROOTWATCH stable name served by "
	    "another server profile with an unusual flight size",
	    "tls-profile-server", 2 },
	[SIG_PIN] = { "pin", "ROOTWATCH chain without the keys Chromium "
	    "pins for this name", "tls-pin-mismatch", 1 },
	[SIG_UNKNOWN_ROOT] = { "unknown-root", "ROOTWATCH public name "
	    "with a chain to no system root", "tls-unknown-root", 2 },
	[SIG_KNOWN_INTERCEPTION] = { "known-interception", "ROOTWATCH "
	    "chain holds a known interception key", "tls-known-interception",
	    1 },
	[SIG_ENTERPRISE] = { "enterprise-middlebox", "ROOTWATCH chain "
	    "issued by an enterprise or antivirus interception product",
	    "tls-enterprise-middlebox", 3 },
	[SIG_NO_SCT] = { "no-sct", "ROOTWATCH publicly trusted leaf "
	    "without Certificate Transparency", "tls-missing-sct", 3 },
};

const char *
signal_kind_name(enum signal_kind k)
{
	return (unsigned)k < SIG_MAX ? sig_desc[k].name : "unknown";
}

void
signals_conf_default(struct signals_conf *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->enabled = 1;
	c->max_names = 10000;
	c->stable_sessions = 10;
	c->stable_span = 86400;
	c->flight_slack = 10;
	c->pins_window = 365;
	c->no_sct_since = 1525046400;	/* 2018-04-30: Chrome requires CT */
	c->save_interval = 300;
	for (i = 0; i < SIG_MAX; i++) {
		c->opt[i].enabled = 1;
		c->opt[i].severity = sig_desc[i].severity;
		c->opt[i].sid = 9100001 + (uint32_t)i;
	}
}

static int
signals_stores(struct signals *sg, char *err, size_t errlen)
{
	if ((sg->system = rules_trust_store_load(NULL)) == NULL)
		log_warnx("signals: no system trust store (ca-certificates): "
		    "no unknown-root, no-sct or pin signals");
	if (sg->conf.enterprise != NULL &&
	    (sg->enterprise = rules_trust_store_load(sg->conf.enterprise)) ==
	    NULL) {
		snprintf(err, errlen, "%s: no certificate to load",
		    sg->conf.enterprise);
		return -1;
	}
	return 0;
}

static int
signals_state(struct signals *sg, char *err, size_t errlen)
{
	if (sg->conf.state_file == NULL)
		return 0;
	if ((sg->state_file = xstrdup(sg->conf.state_file)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return profiles_load(sg->prof, sg->state_file, err, errlen);
}

struct signals *
signals_new(const struct signals_conf *c, char *err, size_t errlen)
{
	struct signals *sg;
	size_t k, p, m, s;

	if ((sg = xcalloc(1, sizeof(*sg))) == NULL)
		return NULL;
	sg->conf = *c;
	sg->gen = atomic_fetch_add(&signals_made, 1) + 1;
	if ((sg->data = sigdata_load(c->data, c->psl, err, errlen)) == NULL ||
	    (sg->prof = profiles_new(c->max_names)) == NULL ||
	    signals_stores(sg, err, errlen) == -1 ||
	    signals_state(sg, err, errlen) == -1) {
		if (sg->prof == NULL && sg->data != NULL)
			snprintf(err, errlen, "out of memory");
		signals_free(sg);
		return NULL;
	}
	sigdata_counts(sg->data, &k, &p, &m, &s);
	if (s == 0)
		log_warnx("signals: no public suffix list (%s): no "
		    "unknown-root or no-sct signals", c->psl != NULL ? c->psl :
		    "none given");
	if (sigdata_pins_time(sg->data) > (uint64_t)c->pins_window * 86400)
		sg->pins_from_us = (sigdata_pins_time(sg->data) -
		    (uint64_t)c->pins_window * 86400) * 1000000;
	log_info("signals: %zu keys, %zu pinned names, %zu products, %zu "
	    "public suffixes, %zu profiles", k, p, m, s,
	    profiles_count(sg->prof));
	return sg;
}

void
signals_free(struct signals *sg)
{
	if (sg == NULL)
		return;
	sigdata_free(sg->data);
	profiles_free(sg->prof);
	X509_STORE_free(sg->system);
	X509_STORE_free(sg->enterprise);
	xfree(sg->state_file);
	xfree(sg);
}

int
signals_want_flight(const struct signals *sg)
{
	return sg != NULL && sg->conf.enabled &&
	    sg->conf.opt[SIG_PROFILE].enabled;
}

void
signals_save(struct signals *sg)
{
	if (sg != NULL && sg->state_file != NULL)
		(void)profiles_save(sg->prof, sg->state_file);
}

unsigned
signals_save_interval(const struct signals *sg)
{
	return sg != NULL ? sg->conf.save_interval : 0;
}

/* ---- one session ------------------------------------------------------- */

static struct signal *
sig_add(struct signals *sg, struct signal *out, size_t *n,
    enum signal_kind k, const struct signal_eval *ev)
{
	struct signal *s;

	if (!sg->conf.opt[k].enabled || *n >= SIG_MAX)
		return NULL;
	s = &out[(*n)++];
	s->kind = k;
	s->opt = &sg->conf.opt[k];
	s->signature = sig_desc[k].signature;
	s->category = sig_desc[k].category;
	s->reason[0] = '\0';
	s->ev = ev;
	return s;
}

/* The key that issued the leaf: its AKI key id, else the next
 * certificate's key, else the issuer name (64 bits of a hash). */
static int
issuer_key(struct x509_cert *const *chain, size_t n, uint64_t *out)
{
	uint64_t h = 14695981039346656037ull;
	const uint8_t *p;
	size_t len, i;

	if (n == 0)
		return 0;
	if (chain[0]->aki_len > 0) {
		p = chain[0]->aki;
		len = chain[0]->aki_len;
	} else if (n > 1) {
		p = chain[1]->spki_sha256;
		len = 32;
	} else if (chain[0]->issuer != NULL) {
		p = (const uint8_t *)chain[0]->issuer;
		len = strlen(chain[0]->issuer);
	} else
		return 0;
	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	*out = h;
	return 1;
}

static void
eval_init(struct signal_eval *ev, const struct tls_session *s,
    struct x509_cert *const *chain, size_t n, uint64_t ts_us)
{
	const struct tls_facts *fa = &s->facts;
	struct profile_obs *o = &ev->obs;

	memset(ev, 0, sizeof(*ev));
	o->ts_us = ts_us;
	o->has_hello = s->server_hello;
	o->version = s->version;
	o->cipher = s->cipher;
	o->group = fa->group;
	o->exts = fa->ext_hash;
	o->has_flight = s->version == 0x0304 && !fa->psk && !fa->hrr &&
	    fa->flight.done && fa->flight.n > 0;
	o->flight = fa->flight.total;
	o->records = fa->flight.n;
	o->has_issuer = issuer_key(chain, n, &o->issuer);
	if (n > 0 && chain[0]->issuer != NULL)
		snprintf(ev->issuer, sizeof(ev->issuer), "%s", chain[0]->issuer);
}

static int
version_le12(uint16_t v)
{
	return v >= 0x0300 && v <= 0x0303;
}

/* Did any part of the server's choice leave the learned sets? */
static int
server_differs(const struct profile_rec *p, const struct profile_obs *o)
{
	return !profile_has16(p->ciphers, p->nciphers, o->cipher) ||
	    !profile_has16(p->groups, p->ngroups, o->group) ||
	    !profile_has32(p->exts, p->nexts, o->exts) ||
	    !(p->versions & (1u << 4));
}

/* The flight outside [min - slack, max + slack] (percent). */
static int
flight_outside(const struct profile_rec *p, const struct profile_obs *o,
    uint32_t slack)
{
	uint64_t lo = (uint64_t)p->flight_min * (100 - (slack > 100 ? 100 :
	    slack)) / 100;
	uint64_t hi = (uint64_t)p->flight_max * (100 + slack) / 100;

	return o->flight < lo || o->flight > hi;
}

static void
profile_signals(struct signals *sg, const struct tls_session *s,
    struct signal_eval *ev, struct signal *out, size_t *n)
{
	const struct profile_rec *p = &ev->prof;
	const struct profile_obs *o = &ev->obs;
	struct signal *g;

	if (s->facts.offered13 && o->has_hello && version_le12(o->version) &&
	    ev->stable && p->versions == 1u << 4 &&
	    (g = sig_add(sg, out, n, SIG_DOWNGRADE, ev)) != NULL)
		snprintf(g->reason, sizeof(g->reason), "client offered TLS "
		    "1.3, server chose %s; all %u sessions of the name before "
		    "were TLS 1.3", tls_version_name(o->version), p->sessions);
	if (ev->stable && o->has_issuer && p->nissuers > 0 &&
	    !profile_has64(p->issuers, p->nissuers, o->issuer) &&
	    (g = sig_add(sg, out, n, SIG_NEW_ISSUER, ev)) != NULL)
		snprintf(g->reason, sizeof(g->reason), "issuing key %016llx "
		    "(%s) not among the %u keys seen in %u sessions",
		    (unsigned long long)o->issuer, ev->issuer,
		    p->nissuers == PROFILE_MANY ? 0 : p->nissuers, p->sessions);
	if (ev->stable && o->has_flight && p->flights > 0 &&
	    server_differs(p, o) &&
	    flight_outside(p, o, sg->conf.flight_slack) &&
	    (g = sig_add(sg, out, n, SIG_PROFILE, ev)) != NULL)
		snprintf(g->reason, sizeof(g->reason), "server choice not "
		    "seen before and flight of %u bytes in %u records outside "
		    "%u..%u bytes (+-%u%%) learned from %u flights", o->flight,
		    o->records, p->flight_min, p->flight_max,
		    sg->conf.flight_slack, p->flights);
}

static void
learn_name(struct signals *sg, struct signal_eval *ev)
{
	const struct profile_rec *p = &ev->prof;

	ev->known = profiles_observe(sg->prof, ev->name, &ev->obs,
	    &ev->prof) == 0;
	ev->stable = ev->known && p->sessions >= sg->conf.stable_sessions &&
	    p->last_us - p->first_us >=
	    (uint64_t)sg->conf.stable_span * 1000000;
}

/* The sent keys, then those of the built chain (its SPKI hashes, which
 * the trust store verdict carries). */
static size_t
chain_keys(struct x509_cert *const *chain, size_t n,
    const struct rules_verify *v, uint8_t (*keys)[32])
{
	size_t k = 0, i;

	for (i = 0; i < n && k < SIG_KEYS_MAX; i++)
		memcpy(keys[k++], chain[i]->spki_sha256, 32);
	for (i = 0; i < v->nkeys && k < SIG_KEYS_MAX; i++)
		memcpy(keys[k++], v->keys[i], 32);
	return k;
}

static void
name_part(X509_NAME *nm, int nid, char *buf, size_t len)
{
	buf[0] = '\0';
	if (nm == NULL || X509_NAME_get_text_by_NID(nm, nid, buf,
	    (int)len) < 0)
		buf[0] = '\0';
}

/* The MITM product c's issuer names, memoised in c: the same few
 * certificates come in thousands of sessions (and a worker's certificates
 * are its own). */
static const char *
cert_product(struct signals *sg, struct x509_cert *c)
{
	char cn[256], o[256];

	if (c->product_gen == sg->gen)
		return c->product;
	name_part(X509_get_issuer_name(c->x), NID_commonName, cn, sizeof(cn));
	name_part(X509_get_issuer_name(c->x), NID_organizationName, o,
	    sizeof(o));
	c->product = sigdata_product(sg->data, cn[0] ? cn : NULL,
	    o[0] ? o : NULL);
	c->product_gen = sg->gen;
	return c->product;
}

/* A MITM product named by the issuer of any sent certificate. */
static const char *
chain_product(struct signals *sg, struct x509_cert *const *chain, size_t n)
{
	const char *p;
	size_t i;

	for (i = 0; i < n; i++)
		if (chain[i]->x != NULL &&
		    (p = cert_product(sg, chain[i])) != NULL)
			return p;
	return NULL;
}

static int
known_keys(struct signals *sg, uint8_t (*keys)[32], size_t nk,
    struct signal_eval *ev, struct signal *out, size_t *n)
{
	struct signal *g;
	const char *name;
	size_t i;

	for (i = 0; i < nk; i++) {
		if ((name = sigdata_known(sg->data, keys[i])) == NULL)
			continue;
		if ((g = sig_add(sg, out, n, SIG_KNOWN_INTERCEPTION, ev)) !=
		    NULL)
			snprintf(g->reason, sizeof(g->reason), "key %zu of the "
			    "chain is a known interception key: %s", i, name);
		return 1;
	}
	return 0;
}

static void
pin_signal(struct signals *sg, uint8_t (*keys)[32], size_t nk,
    struct signal_eval *ev, struct signal *out, size_t *n)
{
	struct signal *g;
	const char *set = NULL;
	char why[256];

	if (ev->name[0] == '\0' || ev->obs.ts_us < sg->pins_from_us)
		return;
	if (sigdata_pin_check(sg->data, ev->name, (const uint8_t (*)[32])keys,
	    nk, &set, why, sizeof(why)) == 1 &&
	    (g = sig_add(sg, out, n, SIG_PIN, ev)) != NULL)
		snprintf(g->reason, sizeof(g->reason), "%s", why);
}

/* A blocked key in the chain, said in the unknown-root reason. */
static const char *
blocked_key(struct signals *sg, uint8_t (*keys)[32], size_t nk)
{
	const char *b;
	size_t i;

	for (i = 0; i < nk; i++)
		if ((b = sigdata_blocked(sg->data, keys[i])) != NULL)
			return b;
	return NULL;
}

/* Allowed by the configured enterprise roots. */
static int
enterprise_allowed(struct signals *sg, struct x509_cert *const *chain,
    size_t n, uint64_t ts_us)
{
	struct rules_verify v;

	if (sg->enterprise == NULL)
		return 0;
	rules_chain_verify(sg->enterprise, chain, n, ts_us, &v);
	return v.error != -1 && !v.no_path;
}

static void
root_signal(struct signals *sg, struct x509_cert *const *chain, size_t n,
    const struct rules_verify *v, const char *blocked,
    struct signal_eval *ev, struct signal *out, size_t *sn)
{
	const char *prod = chain_product(sg, chain, n);
	struct signal *g;

	if (enterprise_allowed(sg, chain, n, ev->obs.ts_us))
		return;
	if (prod != NULL) {
		if ((g = sig_add(sg, out, sn, SIG_ENTERPRISE, ev)) != NULL)
			snprintf(g->reason, sizeof(g->reason), "issuer matches "
			    "%s; %s", prod, X509_verify_cert_error_string(
			    v->error));
		return;
	}
	if ((g = sig_add(sg, out, sn, SIG_UNKNOWN_ROOT, ev)) != NULL)
		snprintf(g->reason, sizeof(g->reason), "%s at packet time%s%s",
		    X509_verify_cert_error_string(v->error),
		    blocked != NULL ? "; holds a key Chromium blocks: " : "",
		    blocked != NULL ? blocked : "");
}

/* RFC 6962 3.3: SCTs embedded, in the TLS extension, or (not decoded
 * here) in a stapled OCSP response, which is given the benefit of the
 * doubt. */
static void
sct_signal(struct signals *sg, const struct tls_session *s,
    struct x509_cert *leaf, struct signal_eval *ev, struct signal *out,
    size_t *n)
{
	time_t since = (time_t)sg->conf.no_sct_since;
	struct signal *g;

	if (s->facts.sct_ext || s->ocsp_stapled || leaf->x == NULL ||
	    X509_get_ext_by_NID(leaf->x, NID_ct_precert_scts, -1) >= 0 ||
	    ASN1_TIME_cmp_time_t(X509_get0_notBefore(leaf->x), since) < 0)
		return;
	if ((g = sig_add(sg, out, n, SIG_NO_SCT, ev)) != NULL)
		snprintf(g->reason, sizeof(g->reason), "leaf issued %s "
		    "chains to a system root but carries no SCT (embedded, "
		    "TLS extension or stapled OCSP)", leaf->not_before);
}

static void
chain_signals(struct signals *sg, const struct tls_session *s,
    struct x509_cert *const *chain, size_t n, struct signal_eval *ev,
    struct signal *out, size_t *sn)
{
	uint8_t keys[SIG_KEYS_MAX][32];
	struct rules_verify v;
	size_t nk;
	int known, pub;

	memset(&v, 0, sizeof(v));
	v.error = -1;
	if (sg->system != NULL)
		rules_chain_verify(sg->system, chain, n, ev->obs.ts_us, &v);
	nk = chain_keys(chain, n, &v, keys);
	if (v.error != -1)
		ev->verify = X509_verify_cert_error_string(v.error);
	known = known_keys(sg, keys, nk, ev, out, sn);
	if (sg->system != NULL)
		pin_signal(sg, keys, nk, ev, out, sn);
	pub = ev->name[0] != '\0' && sigdata_public_name(sg->data, ev->name);
	if (pub && !known && v.error != -1 && v.no_path)
		root_signal(sg, chain, n, &v, blocked_key(sg, keys, nk), ev,
		    out, sn);
	else if (pub && v.error != -1 && !v.no_path)
		sct_signal(sg, s, chain[0], ev, out, sn);
}

size_t
signals_session(struct signals *sg, const struct tls_session *s,
    struct x509_cert *const *chain, size_t n, uint64_t ts_us,
    struct signal_eval *ev, struct signal *out)
{
	char name[256];
	size_t i, nsig = 0;

	if (sg == NULL || !sg->conf.enabled)
		return 0;
	eval_init(ev, s, chain, n, ts_us);
	for (i = 0; i + 1 < sizeof(name) && s->sni[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)s->sni[i]);
	name[i] = '\0';
	ev->name = name;
	if (name[0] != '\0' && s->server_hello) {
		learn_name(sg, ev);
		profile_signals(sg, s, ev, out, &nsig);
	}
	if (s->facts.sentinel && s->facts.offered13 &&
	    sig_add(sg, out, &nsig, SIG_SENTINEL, ev) != NULL)
		snprintf(out[nsig - 1].reason, sizeof(out[0].reason), "client "
		    "offered TLS 1.3; ServerHello.random ends in DOWNGRD %02x "
		    "(RFC 8446 4.1.3)", s->facts.sentinel - 1);
	if (n > 0 && chain[0]->x != NULL)
		chain_signals(sg, s, chain, n, ev, out, &nsig);
	ev->name = s->sni;	/* name[] goes out of scope */
	return nsig;
}

/* ---- rootwatch.signal -------------------------------------------------- */

static void
render_versions(struct jbuf *j, uint32_t mask)
{
	int b;

	jb_arr_open(j, "versions");
	for (b = 0; b < 8; b++)
		if (mask & (1u << b))
			jb_str(j, NULL, tls_version_name((uint16_t)(0x0300 | b)));
	if (mask & (1u << 8))
		jb_str(j, NULL, "other");
	jb_arr_close(j);
}

static void
render_list16(struct jbuf *j, const char *key, const uint16_t *v, uint8_t n)
{
	uint8_t i;

	if (n == PROFILE_MANY) {
		jb_str(j, key, "many");
		return;
	}
	jb_arr_open(j, key);
	for (i = 0; i < n; i++)
		jb_u64(j, NULL, v[i]);
	jb_arr_close(j);
}

static void
render_profile(struct jbuf *j, const struct signal_eval *ev)
{
	const struct profile_rec *p = &ev->prof;

	jb_obj_open(j, "profile");
	jb_u64(j, "sessions", p->sessions);
	jb_time(j, "first_seen", p->first_us);
	jb_time(j, "last_seen", p->last_us);
	jb_bool(j, "stable", ev->stable);
	render_versions(j, p->versions);
	render_list16(j, "ciphers", p->ciphers, p->nciphers);
	render_list16(j, "groups", p->groups, p->ngroups);
	jb_u64(j, "extension_lists", p->nexts == PROFILE_MANY ? PROFILE_VALS :
	    p->nexts);
	jb_u64(j, "issuer_keys", p->nissuers == PROFILE_MANY ?
	    PROFILE_ISSUERS : p->nissuers);
	if (p->flights > 0) {
		jb_u64(j, "flights", p->flights);
		jb_u64(j, "flight_bytes_min", p->flight_min);
		jb_u64(j, "flight_bytes_max", p->flight_max);
		jb_u64(j, "flight_records_min", p->rec_min);
		jb_u64(j, "flight_records_max", p->rec_max);
	}
	jb_obj_close(j);
}

static void
render_observed(struct jbuf *j, const struct signal_eval *ev)
{
	const struct profile_obs *o = &ev->obs;
	char hex[20];

	jb_obj_open(j, "observed");
	if (o->has_hello) {
		jb_str(j, "version", tls_version_name(o->version));
		jb_u64(j, "cipher", o->cipher);
		if (o->group != 0)
			jb_u64(j, "group", o->group);
		snprintf(hex, sizeof(hex), "%08x", o->exts);
		jb_str(j, "extensions_hash", hex);
	}
	if (o->has_flight) {
		jb_u64(j, "flight_bytes", o->flight);
		jb_u64(j, "flight_records", o->records);
	}
	if (o->has_issuer) {
		snprintf(hex, sizeof(hex), "%016llx",
		    (unsigned long long)o->issuer);
		jb_str(j, "issuer_key", hex);
	}
	if (ev->issuer[0] != '\0')
		jb_str(j, "issuer", ev->issuer);
	if (ev->verify != NULL)
		jb_str(j, "trust_store", ev->verify);
	jb_obj_close(j);
}

void
signal_render(struct jbuf *j, const struct signal *s)
{
	jb_str(j, "kind", signal_kind_name(s->kind));
	jb_str(j, "reason", s->reason);
	if (s->ev->name != NULL && s->ev->name[0] != '\0')
		jb_str(j, "server_name", s->ev->name);
	render_observed(j, s->ev);
	if (s->ev->known)
		render_profile(j, s->ev);
}
