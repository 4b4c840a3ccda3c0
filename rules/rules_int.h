/*
 * rules_int.h - what the rules loader, matcher and DN helpers share.
 *
 * A rule holds indicators (anchor, issuer name, subject name, hash lists).
 * Each indicator is independent: the rule fires when any one of them
 * matches a certificate in scope.  The loader puts every indicator in one
 * hash index (struct rindex) under a key the matcher can compute from a
 * certificate alone, so a chain only touches the rules it could match.
 */
#ifndef ROOTWATCH_RULES_INT_H
#define ROOTWATCH_RULES_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "rules.h"
#include "../sensor/lru.h"

enum rule_scope {
	SCOPE_ANY,
	SCOPE_LEAF,
	SCOPE_INTERMEDIATE,	/* neither the leaf nor the last cert sent */
	SCOPE_TOP		/* the last cert sent (and its issuer) */
};

enum rule_type {
	RULE_TYPE_MATCH,
	RULE_TYPE_UNTRUSTED
};

/* Attributes an issuer/subject block may match, in index priority. */
#define NAME_ATTRS	6

struct name_match {
	int		 icase;		/* 1: canonical compare (default) */
	X509_NAME	*dn;		/* whole DN, or NULL */
	char		*dn_text;	/* as dumped (RFC 4514) */
	char		*attr[NAME_ATTRS];	/* UTF-8 value or NULL */
	char		*attr_canon[NAME_ATTRS];
};

struct anchor {
	char		*path;		/* as written, or NULL when inline */
	X509		*x;
	EVP_PKEY	*pkey;		/* borrowed from x */
	X509_NAME	*subject;	/* borrowed from x */
	uint64_t	 subject_hash;
	uint8_t		 sha256[32];
	uint8_t		 spki[32];
	uint8_t		 ski[64];
	size_t		 ski_len;
};

struct hexlist {
	uint8_t		(*v)[64];
	uint8_t		*len;
	size_t		 n;
};

struct trust;

struct rule {
	char		*id;
	char		*name;
	char		*description;
	char		*severity;
	int		 level;
	char		*category;
	char		**refs;
	size_t		 nrefs;
	uint32_t	 sid;
	enum rule_type	 type;
	char		*trust_path;	/* as written, NULL = system */
	struct trust	*trust;		/* shared, owned by the ruleset */
	struct anchor	*anchor;
	struct name_match *issuer;
	struct name_match *subject;
	struct hexlist	 cert_sha256, spki_sha256, ski, aki;
	enum rule_scope	 scope;
	char		**sni;
	size_t		 nsni;
	size_t		 pos;		/* index in the ruleset: per-worker
					   counters and marks are indexed by it */
};

/* Index key kinds. */
enum rkey {
	RK_SHA256,		/* anchor fingerprint, cert_sha256 */
	RK_SPKI,		/* anchor SPKI, spki_sha256 */
	RK_ANCHOR_KEYID,	/* anchor SKI: cert AKI or cert SKI */
	RK_SKI,			/* ski: list */
	RK_AKI,			/* aki: list */
	RK_ANCHOR_DN,		/* anchor subject: cert issuer or subject */
	RK_ISSUER_DN,		/* issuer.dn */
	RK_SUBJECT_DN,		/* subject.dn */
	RK_ISSUER_ATTR,		/* issuer attribute (nid, canonical value) */
	RK_SUBJECT_ATTR,
	RK_MAX
};

struct rentry {
	struct rentry	*next;
	uint64_t	 h;
	uint8_t		 kind;
	uint8_t		 len;
	uint8_t		 key[64];
	struct rule	*rule;
};

struct rindex {
	struct rentry	**b;
	size_t		 mask;
	size_t		 n;
};

struct trust {
	struct trust	*next;
	char		*path;		/* NULL: system store */
	X509_STORE	*store;
};

/*
 * Immutable once rules_load() returns, except refs: workers share it
 * read-only, and everything a match writes is in their struct rules_state.
 */
struct ruleset {
	struct rule	**r;
	size_t		 n;
	struct rindex	 idx;
	struct trust	*trusts;
	struct rule	**untrusted;	/* rules of type untrusted */
	size_t		 nuntrusted;
	unsigned int	 refs;		/* atomic: rules_ref(), rules_unref() */
};

/* A rule's mark in one match call: its best hit so far is scratch[slot]. */
struct rule_touch {
	uint64_t	 gen;		/* == rules_state gen: slot is valid */
	size_t		 slot;
};

struct verdict;

/*
 * One worker's matcher state (rules_state.c).  Arrays indexed by rule
 * position have rs->n entries.  Verdicts hold pointers to rules of rs,
 * hence emptied whenever st is bound to another set.
 */
struct rules_state {
	struct ruleset	*rs;		/* bound set (a reference), or NULL */
	uint64_t	*alerts;	/* per rule */
	struct rule_touch *touch;	/* per rule */
	uint64_t	 gen;		/* match calls so far */
	/* the best hit of each rule touched by the current call */
	struct rule_hit	*scratch;
	size_t		 nscratch;
	size_t		 scratch_alloc;
	/* verdict cache: hash table on the chain key plus LRU */
	struct verdict	**vb;
	size_t		 vmask;
	size_t		 cache_max;
	struct lru	 vlru;
};

/* rules_state.c: the verdict cache */
/* 1 and the cached hits when key is cached (it becomes the newest). */
int	verdict_get(struct rules_state *, const uint8_t *key,
	    const struct rule_hit **hits, size_t *nhits);
/* Cache the call's scratch hits under key; on no memory, cache nothing. */
void	verdict_put(struct rules_state *, const uint8_t *key);

/* rules_match.c: index building */
int	rindex_add(struct rindex *, enum rkey, const uint8_t *, size_t,
	    struct rule *);
void	rindex_free(struct rindex *);
const struct rentry *rindex_first(const struct rindex *, enum rkey,
	    const uint8_t *, size_t);
const struct rentry *rindex_next(const struct rentry *);

/* dn.c */
extern const int name_attr_nid[NAME_ATTRS];
extern const char *const name_attr_key[NAME_ATTRS];
X509_NAME *dn_parse(const char *, char *err, size_t errlen);
int	dn_print(const X509_NAME *, char *, size_t);
int	dn_canon_utf8(const char *, size_t, char *, size_t);
int	dn_canon_asn1(const ASN1_STRING *, char *, size_t);
int	dn_attr_key(int nid, const char *canon, uint8_t *key, size_t *len);
uint64_t dn_hash(const X509_NAME *);
int	dn_equal(const X509_NAME *, const X509_NAME *);
int	name_match_eval(const struct name_match *, const X509_NAME *);

/*
 * Trust store verdicts kept for rules_chain_verify (verify_cache.c): the
 * same chain sent again, at a packet time where no certificate involved
 * changes validity, gets the verdict of its first verification.
 * rules_vcache_attach gives a store its cache (freed with the store);
 * get: 1 and *v filled, 0 to verify; put: keep the verdict just found
 * (built: the chain it built) with the context that found it.
 */
struct x509_cert;
void	rules_vcache_attach(X509_STORE *);
int	rules_vcache_get(X509_STORE *, struct x509_cert *const *chain,
	    size_t n, int notime, int64_t t, struct rules_verify *v);
void	rules_vcache_put(X509_STORE *, X509_STORE_CTX *,
	    struct x509_cert *const *chain, size_t n, STACK_OF(X509) *sent,
	    STACK_OF(X509) *built, int notime, int64_t t,
	    const struct rules_verify *v);

#endif
