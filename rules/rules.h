/*
 * rules.h - YAML rules describing interception roots, and the matcher.
 *
 * rules_load() reads rule files (rootwatch-rules(5)) and rejects anything
 * wrong with "file:line:column: message".  rules_match() checks a chain:
 * every certificate sent, plus the issuer of the topmost one, against all
 * rules, with cost independent of the number of rules (hash sets for
 * fingerprints, SPKIs and key ids; DN matches indexed by canonical DN).
 *
 * A loaded struct ruleset is immutable and reference counted: workers
 * share it read-only, and a reload swaps in a new set while a worker may
 * still hold the old one.  Everything a match writes (verdict cache,
 * per-rule alert counters, scratch) lives in a struct rules_state that
 * belongs to one worker and is bound to one ruleset at a time.
 */
#ifndef ROOTWATCH_RULES_H
#define ROOTWATCH_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct x509_cert;
struct rule;
struct ruleset;
struct rules_state;

enum rule_attribution {
	ATTR_SIGNATURE,		/* a sent cert verifies with the anchor's key */
	ATTR_FINGERPRINT,	/* the anchor itself was sent */
	ATTR_SPKI,		/* a sent cert has the anchor's public key */
	ATTR_KEY_ID,		/* AKI = anchor SKI */
	ATTR_NAME,		/* issuer/subject DN only */
	ATTR_UNTRUSTED,		/* chain does not validate against the store */
	ATTR_MAX
};

#define RULE_INDEX_ISSUER_OF_TOP	(-1)

struct rule_hit {
	const struct rule	*rule;
	int			 index;	/* chain position, or ISSUER_OF_TOP */
	const char		*field;	/* "issuer", "subject", "cert_sha256",
					   "spki_sha256", "aki", "ski",
					   "signature", "chain" */
	char			 value[512];
	enum rule_attribution	 attribution;
	int			 verified;	/* signature checked and valid */
};

struct rules_error {
	char	msg[1024];		/* "file:line:column: message" */
};

/* Load rule files; NULL with err filled on any error.  The set returned
 * holds one reference, for the caller. */
struct ruleset *rules_load(const char *const *paths, size_t npaths,
	    struct rules_error *err);
/* Same, from a string (fuzzing, tests); name is used in messages. */
struct ruleset *rules_load_string(const char *name, const char *yaml,
	    size_t len, struct rules_error *err);
/* Take one more reference (returns rs); drop one, the last frees the set.
 * Atomic: holders may be on different threads.  NULL is ignored. */
struct ruleset *rules_ref(struct ruleset *);
void	rules_unref(struct ruleset *);

size_t	rules_count(const struct ruleset *);
const struct rule *rules_at(const struct ruleset *, size_t i);

/*
 * Per-worker matcher state.  cache_max bounds the verdict cache: chains
 * already evaluated (keyed by the SHA-256 of their certificates'
 * SHA-256s, the SNI and the hour of ts_us) are answered from an LRU; 0
 * disables it.  A new state is bound to no ruleset.  NULL: out of memory.
 */
#define RULES_CACHE_DEFAULT	4096	/* = LIM_RULES_CACHE */
struct rules_state *rules_state_new(size_t cache_max);
void	rules_state_free(struct rules_state *);
/*
 * Bind st to rs (NULL: no rules), taking a reference on rs and dropping
 * the one on the set it was bound to.  Alert counts carry over to the
 * rules of rs with the same id, so stats count since start, not since
 * the last reload; the verdict cache is emptied (it points into the old
 * set).  -1 (out of memory) leaves st bound as it was.
 */
int	rules_state_bind(struct rules_state *, struct ruleset *rs);
const struct ruleset *rules_state_ruleset(const struct rules_state *);

/*
 * Match a chain (index 0 = leaf, in order sent) against rs, the set st is
 * bound to (another set: no hits).  sni may be NULL.  ts_us is packet time (for
 * untrusted rules' validation).  Returns the number of hits written (at
 * most one per rule, the strongest attribution) and counts each in st as
 * an alert of its rule.  Writes only to st and hits.
 */
size_t	rules_match(const struct ruleset *rs, struct rules_state *st,
	    struct x509_cert *const *chain, size_t n, const char *sni,
	    uint64_t ts_us, struct rule_hit *hits, size_t maxhits);

const char *rule_id(const struct rule *);
const char *rule_name(const struct rule *);
const char *rule_description(const struct rule *);
const char *rule_severity(const struct rule *);
int	rule_severity_level(const struct rule *);	/* 1 critical .. 5 info */
const char *rule_category(const struct rule *);
uint32_t rule_signature_id(const struct rule *);
size_t	rule_nreferences(const struct rule *);
const char *rule_reference(const struct rule *, size_t i);
/* Alerts st counted for rule i of the set it is bound to. */
uint64_t rules_state_alerts(const struct rules_state *, size_t i);
/*
 * Stats over several workers: out[i] (rules_count(rs) entries) is the
 * sum, over the nst states, of the alerts counted for the rule with the
 * id of rule i of rs (by position when a state is bound to rs itself, by
 * id when it still holds another set during a reload).  -1: out of memory.
 */
int	rules_sum_alerts(const struct ruleset *rs,
	    const struct rules_state *const *st, size_t nst, uint64_t *out);

const char *rule_attribution_name(enum rule_attribution);

/*
 * Trust stores outside rules (the signals, sensor/signals.c): load one
 * as untrusted rules do (NULL path: the system bundle, Debian's
 * ca-certificates; a directory: every PEM file in it), and check a chain
 * against one at packet time (ts_us; 0: no time check).
 */
struct x509_store_st;
struct stack_st_X509;
struct x509_store_st *rules_trust_store_load(const char *path);
/*
 * Testing hook (rules/rules_fuzz.c): the bundle file loaded as the system
 * trust store (NULL: the system's again).  The fuzz target gives a small
 * one: the 140-odd roots of the real bundle, parsed per input, took two
 * thirds of its time.  path is not copied.
 */
void	rules_system_bundle(const char *path);

/* SHA-256 of the SubjectPublicKeyInfo (Chromium's pin hash) of each
 * certificate of the chain OpenSSL built, leaf first, root last; of a
 * longer chain, the last RULES_VERIFY_KEYS (the root's end: what the
 * store added, where the sent certificates' own hashes end). */
#define RULES_VERIFY_KEYS	8
struct rules_verify {
	int		 error;		/* X509_V_OK, the first error, or -1
					 * (out of memory) */
	int		 no_path;	/* no path to a trusted root (issuer
					 * not found, self-signed not trusted) */
	int		 time_error;	/* some certificate was not valid at
					 * ts_us */
	size_t		 nbuilt;	/* certificates in the built chain */
	size_t		 nkeys;		/* min(nbuilt, RULES_VERIFY_KEYS) */
	uint8_t		 keys[RULES_VERIFY_KEYS][32];
};
/* Every error is collected (verification goes on past each one), so the
 * built chain is as long as it can be. */
void	rules_chain_verify(struct x509_store_st *,
	    struct x509_cert *const *chain, size_t n, uint64_t ts_us,
	    struct rules_verify *);

/* Print the loaded rules in canonical form (for -T -v round trips). */
void	rules_dump(const struct ruleset *, FILE *);

#endif
