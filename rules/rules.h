/*
 * rules.h - YAML rules describing interception roots, and the matcher.
 *
 * rules_load() reads rule files (rootwatch-rules(5)) and rejects anything
 * wrong with "file:line:column: message".  rules_match() checks a chain:
 * every certificate sent, plus the issuer of the topmost one, against all
 * rules, with cost independent of the number of rules (hash sets for
 * fingerprints, SPKIs and key ids; DN matches indexed by canonical DN).
 */
#ifndef ROOTWATCH_RULES_H
#define ROOTWATCH_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct x509_cert;
struct rule;
struct ruleset;

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

/* Load rule files; NULL with err filled on any error. */
struct ruleset *rules_load(const char *const *paths, size_t npaths,
	    struct rules_error *err);
/* Same, from a string (fuzzing, tests); name is used in messages. */
struct ruleset *rules_load_string(const char *name, const char *yaml,
	    size_t len, struct rules_error *err);
void	rules_free(struct ruleset *);

size_t	rules_count(const struct ruleset *);
const struct rule *rules_at(const struct ruleset *, size_t i);

/*
 * Match a chain (index 0 = leaf, in order sent).  sni may be NULL.  ts_us
 * is packet time (for untrusted rules' validation).  Returns the number of
 * hits written (at most one per rule, the strongest attribution).
 */
size_t	rules_match(struct ruleset *, struct x509_cert *const *chain,
	    size_t n, const char *sni, uint64_t ts_us, struct rule_hit *hits,
	    size_t maxhits);

const char *rule_id(const struct rule *);
const char *rule_name(const struct rule *);
const char *rule_description(const struct rule *);
const char *rule_severity(const struct rule *);
int	rule_severity_level(const struct rule *);	/* 1 critical .. 5 info */
const char *rule_category(const struct rule *);
uint32_t rule_signature_id(const struct rule *);
size_t	rule_nreferences(const struct rule *);
const char *rule_reference(const struct rule *, size_t i);
/* Alerts raised by this rule since load (stats). */
uint64_t rule_alerts(const struct rule *);
void	rule_count_alert(const struct rule *);
/* Add from's per-rule alert counts to the rules of to with the same id. */
void	rules_carry_counts(struct ruleset *to, const struct ruleset *from);

const char *rule_attribution_name(enum rule_attribution);

/*
 * Verdict cache: chains already evaluated (keyed by the SHA-256 of their
 * certificates' SHA-256s, the SNI and the hour of ts_us) are answered
 * from a bounded LRU.  max 0 disables it.  0 or -1 (out of memory).
 */
#define RULES_CACHE_DEFAULT	4096	/* = LIM_RULES_CACHE */
int	rules_set_cache(struct ruleset *, size_t max);

/* Print the loaded rules in canonical form (for -T -v round trips). */
void	rules_dump(const struct ruleset *, FILE *);

#endif
