/*
 * verify_cache.c - remembered trust store verdicts, see rules_int.h.
 *
 * A replay or a busy mirror port sees the same few hundred chains in
 * thousands of sessions, and X509_verify_cert() checks every signature
 * again each time: on a handshake-heavy capture it was 70 % of the
 * sensor's time.  Its verdict (first error, no path, the chain it built)
 * depends only on the certificates sent, the store, and which of the
 * certificates involved are valid at the packet time.  So a verdict is
 * kept with the span of packet times over which none of them changes
 * validity, and reused for the same chain inside that span.
 *
 * "Involved" is every certificate sent, every certificate of the built
 * chain, and every store certificate whose subject is the issuer name of
 * one of those: OpenSSL prefers an issuer valid at the verification time
 * among several of one name (cross-signed roots), so a change in any
 * candidate's validity may change the chain built.
 *
 * The cache hangs off the X509_STORE (ex_data), which every worker shares
 * read-only; one mutex guards it, held only for a lookup or an insert,
 * never during a verification (two workers may verify one new chain at
 * once; the second insert is dropped).  A hit touches nothing the
 * workers share but the entry: the key is the sent certificates' SHA-256
 * compared whole (no digest to compute, so no OpenSSL method lookup and
 * its lock), and the built chain is kept as its SPKI hashes, not as
 * X509 references whose counts both workers would bump.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "rules_int.h"
#include "x509.h"
#include "../sensor/xmalloc.h"

/* Verdicts kept per store (sets of VC_WAYS, least recently used out). */
#define VC_SETS		1024
#define VC_WAYS		4
/* Certificates of a chain whose verdict is kept (longer ones: verified
 * every time; sessions send 2 to 4). */
#define VC_CHAIN_MAX	16

/* The key: the time-check flag, then the SHA-256 of each certificate
 * given to OpenSSL, in order. */
#define VC_KEY_MAX	(1 + 32 * VC_CHAIN_MAX)

struct vc_ent {
	uint8_t		*key;		/* key, then keys[nkeys] (one block) */
	size_t		 keylen;
	int64_t		 lo, hi;	/* packet seconds it holds for */
	int		 error, no_path, time_error;
	size_t		 nbuilt, nkeys;
	uint64_t	 used;		/* 0: empty */
};

struct vcache {
	pthread_mutex_t	 mu;
	uint64_t	 tick;
	struct vc_ent	 e[VC_SETS][VC_WAYS];
};

static int		vc_index = -1;
static pthread_once_t	vc_once = PTHREAD_ONCE_INIT;

static void
vc_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct vcache *vc = ptr;
	size_t i, j;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (vc == NULL)
		return;
	for (i = 0; i < VC_SETS; i++)
		for (j = 0; j < VC_WAYS; j++)
			xfree(vc->e[i][j].key);
	pthread_mutex_destroy(&vc->mu);
	xfree(vc);
}

static void
vc_index_init(void)
{
	vc_index = X509_STORE_get_ex_new_index(0, NULL, NULL, NULL, vc_free);
}

void
rules_vcache_attach(X509_STORE *st)
{
	struct vcache *vc;

	pthread_once(&vc_once, vc_index_init);
	if (vc_index < 0 || (vc = xcalloc(1, sizeof(*vc))) == NULL)
		return;		/* verdicts are then not kept */
	pthread_mutex_init(&vc->mu, NULL);
	if (!X509_STORE_set_ex_data(st, vc_index, vc))
		vc_free(NULL, vc, NULL, 0, 0, NULL);
}

static struct vcache *
vc_get(X509_STORE *st)
{
	return vc_index < 0 ? NULL : X509_STORE_get_ex_data(st, vc_index);
}

/* The chain as sent (what X509_verify_cert is given), and time checked
 * or not: its length, or 0 for a chain longer than any worth keeping.
 * *set: the set it goes in. */
static size_t
vc_key(struct x509_cert *const *chain, size_t n, int notime,
    uint8_t key[VC_KEY_MAX], size_t *set)
{
	uint64_t h = 0, w;
	size_t len = 0, i;

	key[len++] = (uint8_t)notime;
	for (i = 0; i < n; i++) {
		if (i > 0 && chain[i]->x == NULL)
			continue;	/* not given to OpenSSL */
		if (len + 32 > VC_KEY_MAX)
			return 0;
		memcpy(key + len, chain[i]->sha256, 32);
		memcpy(&w, chain[i]->sha256, sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		len += 32;
	}
	*set = (size_t)((h ^ notime) >> 32) % VC_SETS;
	return len;
}

static int
vc_match(const struct vc_ent *e, const uint8_t *key, size_t len)
{
	return e->used != 0 && e->keylen == len &&
	    memcmp(e->key, key, len) == 0;
}

/* RFC 5280 4.1.2.5 time to seconds; -1 when OpenSSL cannot read it. */
static int
asn1_secs(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/*
 * Narrow [lo, hi] to the seconds around t where x keeps its validity at
 * t (valid: notBefore <= t <= notAfter, as X509_cmp_time counts), a
 * second short of each bound so that the edges are verified afresh.
 */
static int
span_cert(X509 *x, int64_t t, int64_t *lo, int64_t *hi)
{
	int64_t nb, na;

	if (asn1_secs(X509_get0_notBefore(x), &nb) == -1 ||
	    asn1_secs(X509_get0_notAfter(x), &na) == -1)
		return -1;
	if (t < nb) {
		if (*hi > nb - 1)
			*hi = nb - 1;
	} else if (t > na) {
		if (*lo < na + 1)
			*lo = na + 1;
	} else {
		if (*lo < nb + 1)
			*lo = nb + 1;
		if (*hi > na - 1)
			*hi = na - 1;
	}
	return 0;
}

/* Every store certificate named as x's issuer. */
static int
span_issuers(X509_STORE_CTX *ctx, X509 *x, int64_t t, int64_t *lo,
    int64_t *hi)
{
	STACK_OF(X509) *cands;
	int i, rc = 0;

	cands = X509_STORE_CTX_get1_certs(ctx, X509_get_issuer_name(x));
	for (i = 0; cands != NULL && i < sk_X509_num(cands) && rc == 0; i++)
		rc = span_cert(sk_X509_value(cands, i), t, lo, hi);
	if (cands != NULL)
		sk_X509_pop_free(cands, X509_free);
	return rc;
}

static int
span_stack(X509_STORE_CTX *ctx, STACK_OF(X509) *sk, int64_t t, int64_t *lo,
    int64_t *hi)
{
	int i;

	for (i = 0; sk != NULL && i < sk_X509_num(sk); i++)
		if (span_cert(sk_X509_value(sk, i), t, lo, hi) == -1 ||
		    span_issuers(ctx, sk_X509_value(sk, i), t, lo, hi) == -1)
			return -1;
	return 0;
}

/*
 * The packet seconds [lo, hi] around t over which the verdict holds; -1
 * when it cannot be told (a date OpenSSL cannot read).  Without a time
 * (notime) it holds always.
 */
static int
vc_span(X509_STORE_CTX *ctx, X509 *leaf, STACK_OF(X509) *sent,
    STACK_OF(X509) *built, int notime, int64_t t, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	if (notime)
		return 0;
	if (span_cert(leaf, t, lo, hi) == -1 ||
	    span_issuers(ctx, leaf, t, lo, hi) == -1 ||
	    span_stack(ctx, sent, t, lo, hi) == -1 ||
	    span_stack(ctx, built, t, lo, hi) == -1)
		return -1;
	return *lo <= t && t <= *hi ? 0 : -1;
}

int
rules_vcache_get(X509_STORE *st, struct x509_cert *const *chain, size_t n,
    int notime, int64_t t, struct rules_verify *v)
{
	struct vcache *vc = vc_get(st);
	uint8_t key[VC_KEY_MAX];
	struct vc_ent *s, *e;
	size_t j, len, set;
	int hit = 0;

	if (vc == NULL || (len = vc_key(chain, n, notime, key, &set)) == 0)
		return 0;
	s = vc->e[set];
	pthread_mutex_lock(&vc->mu);
	for (j = 0; j < VC_WAYS && !hit; j++) {
		e = &s[j];
		if (!vc_match(e, key, len) || t < e->lo || t > e->hi)
			continue;
		v->error = e->error;
		v->no_path = e->no_path;
		v->time_error = e->time_error;
		v->nbuilt = e->nbuilt;
		v->nkeys = e->nkeys;
		memcpy(v->keys, e->key + e->keylen, e->nkeys * 32);
		e->used = ++vc->tick;
		hit = 1;
	}
	pthread_mutex_unlock(&vc->mu);
	return hit;
}

void
rules_vcache_put(X509_STORE *st, X509_STORE_CTX *ctx,
    struct x509_cert *const *chain, size_t n, STACK_OF(X509) *sent,
    STACK_OF(X509) *built, int notime, int64_t t,
    const struct rules_verify *v)
{
	struct vcache *vc = vc_get(st);
	uint8_t key[VC_KEY_MAX], *blk;
	struct vc_ent *s, *e;
	int64_t lo, hi;
	size_t j, len, set;

	if (vc == NULL || v->error == -1 ||
	    (len = vc_key(chain, n, notime, key, &set)) == 0 ||
	    vc_span(ctx, chain[0]->x, sent, built, notime, t, &lo, &hi) == -1 ||
	    (blk = xmalloc(len + v->nkeys * 32)) == NULL)
		return;
	memcpy(blk, key, len);
	memcpy(blk + len, v->keys, v->nkeys * 32);
	s = vc->e[set];
	pthread_mutex_lock(&vc->mu);
	e = &s[0];
	for (j = 0; j < VC_WAYS; j++) {
		if (vc_match(&s[j], key, len) && s[j].lo == lo && s[j].hi == hi)
			break;		/* another worker was first */
		if (s[j].used < e->used)
			e = &s[j];
	}
	if (j == VC_WAYS) {
		xfree(e->key);		/* the evicted entry's */
		e->key = blk;
		e->keylen = len;
		e->lo = lo;
		e->hi = hi;
		e->error = v->error;
		e->no_path = v->no_path;
		e->time_error = v->time_error;
		e->nbuilt = v->nbuilt;
		e->nkeys = v->nkeys;
		e->used = ++vc->tick;
		blk = NULL;
	}
	pthread_mutex_unlock(&vc->mu);
	xfree(blk);
}
