/*
 * rules_match.c - check a certificate chain against the loaded rules.
 *
 * Every certificate sent is looked up in one hash index by what it
 * carries: its SHA-256, SPKI SHA-256, SKI, AKI, the canonical hash of its
 * subject and issuer DNs and the canonical value of each CN/O/OU/L/ST/C
 * attribute.  Only the rules found under those keys are evaluated, so the
 * cost per chain does not grow with the number of rules.  Servers rarely
 * send the root: a cert whose issuer DN or AKI points at an anchor is
 * checked against the anchor's public key, and a pointer whose signature
 * does not verify is reported as a look-alike (verified: false).
 *
 * Attribution, strongest first: signature, fingerprint, spki, key_id,
 * name; untrusted rules add "untrusted" when the chain does not validate
 * against their trust store at packet time.  Verdicts are cached per
 * distinct chain in a bounded LRU (rules_state.c).  The ruleset is only
 * read: what a call writes goes to the caller's struct rules_state.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "rules_int.h"
#include "x509.h"
#include "../sensor/xmalloc.h"

/* ---- the index ---------------------------------------------------- */

static uint64_t
rkey_hash(enum rkey kind, const uint8_t *key, size_t len)
{
	uint64_t	 h = 1469598103934665603ull ^ (uint64_t)kind;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static int
rindex_grow(struct rindex *ix)
{
	struct rentry	**nb, *e, *next;
	size_t		 nsize = ix->b == NULL ? 64 : (ix->mask + 1) * 2, i;

	if ((nb = xcalloc(nsize, sizeof(*nb))) == NULL)
		return -1;
	for (i = 0; ix->b != NULL && i <= ix->mask; i++)
		for (e = ix->b[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->h & (nsize - 1)];
			nb[e->h & (nsize - 1)] = e;
		}
	xfree(ix->b);
	ix->b = nb;
	ix->mask = nsize - 1;
	return 0;
}

int
rindex_add(struct rindex *ix, enum rkey kind, const uint8_t *key, size_t len,
    struct rule *r)
{
	struct rentry	*e;

	if (len == 0 || len > sizeof(e->key))
		return -1;
	if ((ix->b == NULL || ix->n >= ix->mask + 1) && rindex_grow(ix) == -1)
		return -1;
	if ((e = xcalloc(1, sizeof(*e))) == NULL)
		return -1;
	e->h = rkey_hash(kind, key, len);
	e->kind = (uint8_t)kind;
	e->len = (uint8_t)len;
	memcpy(e->key, key, len);
	e->rule = r;
	e->next = ix->b[e->h & ix->mask];
	ix->b[e->h & ix->mask] = e;
	ix->n++;
	return 0;
}

static const struct rentry *
rindex_scan(const struct rentry *e, uint64_t h, enum rkey kind,
    const uint8_t *key, size_t len)
{
	for (; e != NULL; e = e->next)
		if (e->h == h && e->kind == kind && e->len == len &&
		    memcmp(e->key, key, len) == 0)
			return e;
	return NULL;
}

const struct rentry *
rindex_first(const struct rindex *ix, enum rkey kind, const uint8_t *key,
    size_t len)
{
	uint64_t	 h;

	if (ix->b == NULL || len == 0 || len > 64)
		return NULL;
	h = rkey_hash(kind, key, len);
	return rindex_scan(ix->b[h & ix->mask], h, kind, key, len);
}

const struct rentry *
rindex_next(const struct rentry *e)
{
	return rindex_scan(e->next, e->h, (enum rkey)e->kind, e->key, e->len);
}

void
rindex_free(struct rindex *ix)
{
	struct rentry	*e, *next;
	size_t		 i;

	for (i = 0; ix->b != NULL && i <= ix->mask; i++)
		for (e = ix->b[i]; e != NULL; e = next) {
			next = e->next;
			xfree(e);
		}
	xfree(ix->b);
	memset(ix, 0, sizeof(*ix));
}

/* ---- one match call ----------------------------------------------- */

struct mctx {
	const struct ruleset	*rs;
	struct rules_state	*st;		/* all a match writes */
	struct x509_cert *const	*chain;
	size_t			 n;
	const char		*sni;
	uint64_t		 ts_us;
	int			 oom;
};

/* What a candidate matched: position examined, and the hit to offer. */
struct cand {
	size_t			 pos;
	int			 issuer_side;
	const char		*field;
	enum rule_attribution	 attr;
	int			 verified;
	/* the value, rendered only when a hit is kept */
	const char		*value;		/* text, or */
	const uint8_t		*bin;		/* hex of bin[0..binlen), or */
	size_t			 binlen;
	const X509_NAME		*dn;		/* a DN */
};

/* RFC 6125-like: "*.example.com" is any name below example.com. */
static int
sni_match(const char *pat, const char *sni)
{
	size_t	 lp = strlen(pat), ls = strlen(sni);

	if (ls > 0 && sni[ls - 1] == '.')
		ls--;
	if (lp > 2 && pat[0] == '*' && pat[1] == '.') {
		lp--;
		pat++;
		return ls > lp && strncasecmp(sni + ls - lp, pat, lp) == 0;
	}
	return ls == lp && strncasecmp(sni, pat, ls) == 0;
}

static int
rule_applies(const struct rule *r, const struct mctx *m, size_t pos)
{
	size_t	 i;

	switch (r->scope) {
	case SCOPE_ANY:
		break;
	case SCOPE_LEAF:
		if (pos != 0)
			return 0;
		break;
	case SCOPE_INTERMEDIATE:
		if (pos == 0 || pos + 1 >= m->n)
			return 0;
		break;
	case SCOPE_TOP:
		if (pos + 1 != m->n)
			return 0;
		break;
	}
	if (r->nsni == 0)
		return 1;
	for (i = 0; m->sni != NULL && i < r->nsni; i++)
		if (sni_match(r->sni[i], m->sni))
			return 1;
	return 0;
}

static struct rule_hit *
slot_for(struct mctx *m, const struct rule *r, int *fresh)
{
	struct rules_state	*st = m->st;
	struct rule_touch	*t = &st->touch[r->pos];
	struct rule_hit		*p;
	size_t			 na;

	*fresh = 0;
	if (t->gen == st->gen)
		return &st->scratch[t->slot];
	if (st->nscratch == st->scratch_alloc) {
		na = st->scratch_alloc ? st->scratch_alloc * 2 : 16;
		if ((p = xreallocarray(st->scratch, na, sizeof(*p))) == NULL) {
			m->oom = 1;
			return NULL;
		}
		st->scratch = p;
		st->scratch_alloc = na;
	}
	t->gen = st->gen;
	t->slot = st->nscratch++;
	*fresh = 1;
	return &st->scratch[t->slot];
}

static void
hex(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n && 2 * i + 2 < outlen; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * i] = '\0';
}

static void
render(const struct cand *c, char *out, size_t outlen)
{
	if (c->dn != NULL)
		dn_print(c->dn, out, outlen);
	else if (c->bin != NULL)
		hex(c->bin, c->binlen, out, outlen);
	else
		snprintf(out, outlen, "%s", c->value != NULL ? c->value : "");
}

static void
offer(struct mctx *m, const struct rule *r, const struct cand *c)
{
	struct rule_hit	*s;
	int		 fresh;

	if (!rule_applies(r, m, c->pos))
		return;
	if ((s = slot_for(m, r, &fresh)) == NULL)
		return;
	if (!fresh && (c->attr > s->attribution || (c->attr ==
	    s->attribution && c->verified <= s->verified)))
		return;		/* not stronger than what we have */
	s->rule = r;
	s->index = c->issuer_side && c->pos + 1 == m->n ?
	    RULE_INDEX_ISSUER_OF_TOP : (int)c->pos;
	s->field = c->field;
	s->attribution = c->attr;
	s->verified = c->verified;
	render(c, s->value, sizeof(s->value));
}

static int
sig_ok(X509 *x, EVP_PKEY *k)
{
	int	 ok;

	ERR_set_mark();
	ok = X509_verify(x, k) == 1;
	ERR_pop_to_mark();
	return ok;
}

/*
 * Cert pos's issuer points at the anchor by AKI and/or DN: the signature
 * decides between the real anchor and a look-alike.
 */
static void
anchor_issuer(struct mctx *m, const struct rule *r, size_t pos,
    int by_keyid)
{
	const struct x509_cert	*c = m->chain[pos];
	const struct anchor	*a = r->anchor;
	struct cand		 cd = { pos, 1, "issuer", ATTR_NAME, 0, NULL,
				    NULL, 0, NULL };
	int			 keyid, name;

	/* The anchor itself, sent: its self-signature adds nothing. */
	if (memcmp(c->sha256, a->sha256, 32) == 0)
		return;
	keyid = c->aki_len > 0 && c->aki_len == a->ski_len &&
	    memcmp(c->aki, a->ski, a->ski_len) == 0;
	name = X509_NAME_cmp(X509_get_issuer_name(c->x), a->subject) == 0;
	if (!by_keyid && keyid)
		return;		/* handled by the AKI lookup */
	if (!keyid && !name)
		return;
	if (name)
		cd.dn = X509_get_issuer_name(c->x);
	else {
		cd.field = "aki";
		cd.bin = c->aki;
		cd.binlen = c->aki_len;
	}
	cd.attr = keyid ? ATTR_KEY_ID : ATTR_NAME;
	if (a->pkey != NULL && sig_ok(c->x, a->pkey)) {
		cd.attr = ATTR_SIGNATURE;
		cd.verified = 1;
	}
	offer(m, r, &cd);
}

static void
by_hash(struct mctx *m, size_t pos)
{
	const struct x509_cert	*c = m->chain[pos];
	const struct rentry	*e;
	struct cand		 cd = { pos, 0, "cert_sha256", ATTR_FINGERPRINT,
				    1, NULL, c->sha256, 32, NULL };

	for (e = rindex_first(&m->rs->idx, RK_SHA256, c->sha256, 32);
	    e != NULL; e = rindex_next(e))
		offer(m, e->rule, &cd);
	if (c->x == NULL)
		return;
	cd.bin = c->spki_sha256;
	cd.field = "spki_sha256";
	cd.attr = ATTR_SPKI;
	for (e = rindex_first(&m->rs->idx, RK_SPKI, c->spki_sha256, 32);
	    e != NULL; e = rindex_next(e))
		offer(m, e->rule, &cd);
}

static void
by_keyid(struct mctx *m, size_t pos)
{
	const struct x509_cert	*c = m->chain[pos];
	const struct rentry	*e;
	struct cand		 cd = { pos, 0, "ski", ATTR_KEY_ID, 0, NULL,
				    c->ski, c->ski_len, NULL };

	if (c->ski_len > 0) {
		/* a sent cert with the anchor's SKI but not its key */
		for (e = rindex_first(&m->rs->idx, RK_ANCHOR_KEYID, c->ski,
		    c->ski_len); e != NULL; e = rindex_next(e))
			offer(m, e->rule, &cd);
		for (e = rindex_first(&m->rs->idx, RK_SKI, c->ski, c->ski_len);
		    e != NULL; e = rindex_next(e))
			offer(m, e->rule, &cd);
	}
	if (c->aki_len == 0)
		return;
	cd.bin = c->aki;
	cd.binlen = c->aki_len;
	cd.field = "aki";
	cd.issuer_side = 1;
	for (e = rindex_first(&m->rs->idx, RK_AKI, c->aki, c->aki_len);
	    e != NULL; e = rindex_next(e))
		offer(m, e->rule, &cd);
	for (e = rindex_first(&m->rs->idx, RK_ANCHOR_KEYID, c->aki,
	    c->aki_len); e != NULL; e = rindex_next(e))
		anchor_issuer(m, e->rule, pos, 1);
}

static void
by_dn(struct mctx *m, size_t pos, int issuer_side)
{
	const struct x509_cert	*c = m->chain[pos];
	const X509_NAME		*nm;
	const struct rentry	*e;
	struct cand		 cd = { pos, issuer_side, NULL, ATTR_NAME, 0,
				    NULL, NULL, 0, NULL };
	uint64_t		 h;

	nm = issuer_side ? X509_get_issuer_name(c->x) :
	    X509_get_subject_name(c->x);
	h = dn_hash(nm);
	cd.dn = nm;
	cd.field = issuer_side ? "issuer" : "subject";
	for (e = rindex_first(&m->rs->idx, RK_ANCHOR_DN, (uint8_t *)&h,
	    sizeof(h)); e != NULL; e = rindex_next(e)) {
		if (issuer_side)
			anchor_issuer(m, e->rule, pos, 0);
		else if (dn_equal(e->rule->anchor->subject, nm))
			offer(m, e->rule, &cd);
	}
	for (e = rindex_first(&m->rs->idx, issuer_side ? RK_ISSUER_DN :
	    RK_SUBJECT_DN, (uint8_t *)&h, sizeof(h)); e != NULL;
	    e = rindex_next(e))
		if (name_match_eval(issuer_side ? e->rule->issuer :
		    e->rule->subject, nm))
			offer(m, e->rule, &cd);
}

static int
attr_nid_listed(int nid)
{
	int	 k;

	for (k = 0; k < NAME_ATTRS; k++)
		if (name_attr_nid[k] == nid)
			return 1;
	return 0;
}

/* Partial (attribute) matches, indexed by one attribute's value. */
static void
by_attr(struct mctx *m, size_t pos, int issuer_side)
{
	const struct x509_cert	*c = m->chain[pos];
	const X509_NAME		*nm;
	const X509_NAME_ENTRY	*ne;
	const struct rentry	*e;
	const struct name_match	*nmatch;
	struct cand		 cd = { pos, issuer_side, NULL, ATTR_NAME, 0,
				    NULL, NULL, 0, NULL };
	char			 canon[1024];
	uint8_t			 key[32];
	size_t			 klen;
	int			 i, nid;

	nm = issuer_side ? X509_get_issuer_name(c->x) :
	    X509_get_subject_name(c->x);
	cd.field = issuer_side ? "issuer" : "subject";
	cd.dn = nm;
	for (i = 0; i < X509_NAME_entry_count(nm); i++) {
		ne = X509_NAME_get_entry(nm, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		if (!attr_nid_listed(nid) || dn_canon_asn1(
		    X509_NAME_ENTRY_get_data(ne), canon, sizeof(canon)) < 0 ||
		    dn_attr_key(nid, canon, key, &klen) == -1)
			continue;
		for (e = rindex_first(&m->rs->idx, issuer_side ?
		    RK_ISSUER_ATTR : RK_SUBJECT_ATTR, key, klen); e != NULL;
		    e = rindex_next(e)) {
			nmatch = issuer_side ? e->rule->issuer :
			    e->rule->subject;
			if (name_match_eval(nmatch, nm))
				offer(m, e->rule, &cd);
		}
	}
}

static int
chain_validates(struct mctx *m, X509_STORE *st)
{
	X509_STORE_CTX	*ctx;
	STACK_OF(X509)	*un;
	size_t		 i;
	int		 rc = -1;

	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    (un = sk_X509_new_null()) == NULL) {
		X509_STORE_CTX_free(ctx);
		return -1;
	}
	for (i = 1; i < m->n; i++)
		if (m->chain[i]->x != NULL && !sk_X509_push(un,
		    m->chain[i]->x))
			goto out;
	if (!X509_STORE_CTX_init(ctx, st, m->chain[0]->x, un))
		goto out;
	if (m->ts_us != 0)
		X509_STORE_CTX_set_time(ctx, 0,
		    (time_t)(m->ts_us / 1000000));
	else
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	ERR_set_mark();
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK :
	    X509_STORE_CTX_get_error(ctx);
	ERR_pop_to_mark();
out:
	sk_X509_free(un);
	X509_STORE_CTX_free(ctx);
	return rc;
}

/* The errors that mean "no path to a trusted root". */
static int
verify_no_path(int e)
{
	return e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	    e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	    e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
	    e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
	    e == X509_V_ERR_CERT_UNTRUSTED;
}

/* Record the error and go on: the whole chain gets built and checked. */
static int
verify_collect(int ok, X509_STORE_CTX *ctx)
{
	struct rules_verify *v = X509_STORE_CTX_get_app_data(ctx);
	int e = X509_STORE_CTX_get_error(ctx);

	if (ok || v == NULL)
		return ok;
	if (v->error == X509_V_OK)
		v->error = e;
	if (verify_no_path(e))
		v->no_path = 1;
	if (e == X509_V_ERR_CERT_HAS_EXPIRED ||
	    e == X509_V_ERR_CERT_NOT_YET_VALID)
		v->time_error = 1;
	return 1;
}

/* The built chain's SPKI hashes into v; -1 on a failure of OpenSSL's. */
static int
built_keys(STACK_OF(X509) *built, struct rules_verify *v)
{
	int i;

	v->nbuilt = built != NULL ? (size_t)sk_X509_num(built) : 0;
	i = v->nbuilt > RULES_VERIFY_KEYS ?
	    (int)(v->nbuilt - RULES_VERIFY_KEYS) : 0;	/* the root's end */
	for (; i < (int)v->nbuilt; i++)
		if (x509_spki_sha256(sk_X509_value(built, i),
		    v->keys[v->nkeys++]) == -1)
			return -1;
	return 0;
}

void
rules_chain_verify(X509_STORE *st, struct x509_cert *const *chain, size_t n,
    uint64_t ts_us, struct rules_verify *v)
{
	X509_STORE_CTX	*ctx;
	STACK_OF(X509)	*un, *built;
	size_t		 i;
	int64_t		 t = (int64_t)(ts_us / 1000000);

	memset(v, 0, sizeof(*v));
	v->error = -1;
	if (n == 0 || chain[0]->x == NULL ||
	    rules_vcache_get(st, chain, n, ts_us == 0, t, v) ||
	    (ctx = X509_STORE_CTX_new()) == NULL)
		return;
	if ((un = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 1; i < n; i++)
		if (chain[i]->x != NULL && !sk_X509_push(un, chain[i]->x))
			goto out;
	if (!X509_STORE_CTX_init(ctx, st, chain[0]->x, un))
		goto out;
	v->error = X509_V_OK;
	X509_STORE_CTX_set_app_data(ctx, v);
	X509_STORE_CTX_set_verify_cb(ctx, verify_collect);
	if (ts_us != 0)
		X509_STORE_CTX_set_time(ctx, 0, (time_t)(ts_us / 1000000));
	else
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	ERR_set_mark();
	if (X509_verify_cert(ctx) != 1 && v->error == X509_V_OK)
		v->error = X509_STORE_CTX_get_error(ctx);
	ERR_pop_to_mark();
	built = X509_STORE_CTX_get1_chain(ctx);
	if (built_keys(built, v) == -1)
		v->error = -1;
	else
		rules_vcache_put(st, ctx, chain, n, un, built, ts_us == 0, t,
		    v);
	if (built != NULL)
		sk_X509_pop_free(built, X509_free);
out:
	sk_X509_free(un);
	X509_STORE_CTX_free(ctx);
}

static void
untrusted(struct mctx *m)
{
	const struct ruleset *rs = m->rs;
	struct trust	*done[8];
	int		 res[8], rc;
	size_t		 i, j, nd = 0;
	struct cand	 cd = { 0, 0, "chain", ATTR_UNTRUSTED, 0, NULL, NULL, 0,
			    NULL };

	if (m->n == 0 || m->chain[0]->x == NULL)
		return;
	for (i = 0; i < rs->nuntrusted; i++) {
		if (!rule_applies(rs->untrusted[i], m, 0))
			continue;
		for (j = 0; j < nd && done[j] != rs->untrusted[i]->trust; j++)
			;
		if (j < nd)
			rc = res[j];
		else {
			rc = chain_validates(m, rs->untrusted[i]->trust->store);
			if (nd < 8) {
				done[nd] = rs->untrusted[i]->trust;
				res[nd++] = rc;
			}
		}
		if (rc == X509_V_OK || rc == -1)
			continue;
		cd.value = X509_verify_cert_error_string(rc);
		offer(m, rs->untrusted[i], &cd);
	}
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct rule_hit	*x = a, *y = b;

	return x->rule->pos < y->rule->pos ? -1 : x->rule->pos > y->rule->pos;
}

static void
evaluate(struct mctx *m)
{
	size_t	 i;

	m->st->gen++;
	m->st->nscratch = 0;
	for (i = 0; i < m->n; i++) {
		by_hash(m, i);
		by_keyid(m, i);
		if (m->chain[i]->x == NULL)
			continue;
		by_dn(m, i, 0);
		by_dn(m, i, 1);
		by_attr(m, i, 0);
		by_attr(m, i, 1);
	}
	if (m->rs->nuntrusted > 0)
		untrusted(m);
	if (m->st->nscratch > 1)
		qsort(m->st->scratch, m->st->nscratch,
		    sizeof(*m->st->scratch), hit_cmp);
}

/* ---- the call ---------------------------------------------------- */

static int
chain_key(const struct mctx *m, uint8_t *key)
{
	EVP_MD_CTX	*ctx;
	uint64_t	 hour;
	size_t		 i;
	int		 ok;

	hour = m->rs->nuntrusted > 0 ? m->ts_us / 3600000000ull + 1 : 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (i = 0; ok && i < m->n; i++)
		ok = EVP_DigestUpdate(ctx, m->chain[i]->sha256, 32);
	ok = ok && EVP_DigestUpdate(ctx, &hour, sizeof(hour)) &&
	    (m->sni == NULL || EVP_DigestUpdate(ctx, m->sni,
	    strlen(m->sni) + 1)) && EVP_DigestFinal_ex(ctx, key, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Hand out at most maxhits hits; each one handed out is an alert. */
static size_t
copy_out(struct rules_state *st, const struct rule_hit *src, size_t n,
    struct rule_hit *hits, size_t maxhits)
{
	size_t	 i;

	if (n > maxhits)
		n = maxhits;
	if (n > 0)
		memcpy(hits, src, n * sizeof(*hits));
	for (i = 0; i < n; i++)
		st->alerts[hits[i].rule->pos]++;
	return n;
}

size_t
rules_match(const struct ruleset *rs, struct rules_state *st,
    struct x509_cert *const *chain, size_t n, const char *sni,
    uint64_t ts_us, struct rule_hit *hits, size_t maxhits)
{
	struct mctx		 m = { rs, st, chain, n, sni, ts_us, 0 };
	const struct rule_hit	*ch;
	size_t			 nch;
	uint8_t			 key[32];
	int			 cached;

	if (rs == NULL || st == NULL || st->rs != rs || n == 0)
		return 0;
	cached = st->vb != NULL && chain_key(&m, key) == 0;
	if (cached && verdict_get(st, key, &ch, &nch))
		return copy_out(st, ch, nch, hits, maxhits);
	evaluate(&m);
	if (cached && !m.oom)
		verdict_put(st, key);
	return copy_out(st, st->scratch, st->nscratch, hits, maxhits);
}

/* ---- accessors ---------------------------------------------------- */

size_t
rules_count(const struct ruleset *rs)
{
	return rs != NULL ? rs->n : 0;
}

const struct rule *
rules_at(const struct ruleset *rs, size_t i)
{
	return rs != NULL && i < rs->n ? rs->r[i] : NULL;
}

const char *rule_id(const struct rule *r) { return r->id; }
const char *rule_name(const struct rule *r) { return r->name; }
const char *rule_severity(const struct rule *r) { return r->severity; }
int rule_severity_level(const struct rule *r) { return r->level; }
uint32_t rule_signature_id(const struct rule *r) { return r->sid; }
size_t rule_nreferences(const struct rule *r) { return r->nrefs; }

const char *
rule_description(const struct rule *r)
{
	return r->description != NULL ? r->description : "";
}

const char *
rule_category(const struct rule *r)
{
	return r->category != NULL ? r->category : "";
}

const char *
rule_reference(const struct rule *r, size_t i)
{
	return i < r->nrefs ? r->refs[i] : NULL;
}

const char *
rule_attribution_name(enum rule_attribution a)
{
	static const char *const names[ATTR_MAX] = {
		"signature", "fingerprint", "spki", "key_id", "name",
		"untrusted"
	};

	return (unsigned)a < ATTR_MAX ? names[a] : "unknown";
}
