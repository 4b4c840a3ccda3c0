/*
 * rules_test.c - rule loading and chain matching.
 *
 * Certificates: tests/unit/data/rules/, made by gen.sh there with the
 * openssl CLI: our own test root, intermediate and leaves; a look-alike
 * of the Kazakh "Qaznet Trust Network" root with the same DN and the real
 * root's SKI but another key (and a leaf it issued); a C=US look-alike; a
 * UTF8String/odd-case copy of the DN; a cert carrying the real root's
 * public key.  public-*.pem are real chains carved from the corpus.
 * The real roots are the shipped rules/ PEMs.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "rules.h"
#include "rules_int.h"
#include "x509.h"
#include "sensor/xmalloc.h"

#ifndef RW_SRCDIR
#define RW_SRCDIR "."
#endif
#define DATA	RW_SRCDIR "/tests/unit/data/rules/"
#define RULES	RW_SRCDIR "/rules/"
#define SHIPPED	RULES "state-interception.yaml"
#define MAXH	64
/* 2030-01-01, inside every test certificate's validity */
#define TS_2030	(1893456000ull * 1000000)

static struct x509_cert *
cert(const char *path)
{
	FILE			*f;
	X509			*x;
	unsigned char		*der = NULL;
	struct x509_cert	*c;
	int			 n;

	f = fopen(path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	c = x509_cert_new(der, (size_t)n);
	assert_non_null(c);
	assert_non_null(c->x);
	OPENSSL_free(der);
	X509_free(x);
	return c;
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/*
 * Each test's own objects, freed by teardown() even when an assertion
 * fails half way: a ruleset and a worker's matcher state bound to it.
 */
struct fx {
	struct ruleset		*rs;
	struct rules_state	*st;
	struct rules_state	*st2;
	struct x509_cert	*c;
	char			*yaml;
};

/* Make rs (the fixture takes the caller's reference) the fixture's set,
 * with a fresh state bound to it. */
static struct ruleset *
use(struct fx *f, struct ruleset *rs)
{
	rules_state_free(f->st);
	rules_unref(f->rs);
	f->rs = rs;
	f->st = rules_state_new(RULES_CACHE_DEFAULT);
	assert_non_null(f->st);
	assert_int_equal(rules_state_bind(f->st, rs), 0);
	return rs;
}

static int
setup(void **state)
{
	return (*state = calloc(1, sizeof(struct fx))) != NULL ? 0 : -1;
}

static int
setup_shipped(void **state)
{
	const char		*p[] = { SHIPPED };
	struct rules_error	 err;
	struct fx		*f;

	if (setup(state) == -1)
		return -1;
	f = *state;
	if ((f->rs = rules_load(p, 1, &err)) == NULL ||
	    (f->st = rules_state_new(RULES_CACHE_DEFAULT)) == NULL ||
	    rules_state_bind(f->st, f->rs) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	xalloc_fail_after(-1);
	rules_state_free(f->st);
	rules_state_free(f->st2);
	rules_unref(f->rs);
	x509_cert_free(f->c);
	free(f->yaml);
	free(f);
	return 0;
}

static struct ruleset *
from_string(const char *yaml)
{
	struct rules_error	 err;
	struct ruleset		*rs;

	rs = rules_load_string(DATA "test.yaml", yaml, strlen(yaml), &err);
	if (rs == NULL)
		fail_msg("%s", err.msg);
	return rs;
}

/* Match a chain of files; returns the hit count. */
static size_t
match(struct fx *f, const char *sni, struct rule_hit *h, ...)
{
	struct x509_cert	*chain[8];
	const char		*name;
	size_t			 n = 0, nh, i;
	va_list			 ap;

	va_start(ap, h);
	while ((name = va_arg(ap, const char *)) != NULL)
		chain[n++] = cert(name);
	va_end(ap);
	nh = rules_match(f->rs, f->st, chain, n, sni, TS_2030, h, MAXH);
	for (i = 0; i < n; i++)
		x509_cert_free(chain[i]);
	return nh;
}

static const struct rule_hit *
find(const struct rule_hit *h, size_t n, const char *id)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(rule_id(h[i].rule), id) == 0)
			return &h[i];
	return NULL;
}

/* The shipped rules load, one rule per PEM, id = PEM base name. */
static void
test_shipped_loads(void **state)
{
	struct fx	*f = *state;
	struct ruleset	*rs = f->rs;
	DIR		*d;
	struct dirent	*e;
	size_t		 npem = 0, i, l;
	int		 found;

	assert_non_null(d = opendir(RULES));
	while ((e = readdir(d)) != NULL) {
		l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".pem") != 0)
			continue;
		npem++;
		for (i = 0, found = 0; i < rules_count(rs); i++)
			found |= strlen(rule_id(rules_at(rs, i))) == l - 4 &&
			    strncmp(rule_id(rules_at(rs, i)), e->d_name,
			    l - 4) == 0;
		if (!found)
			fail_msg("no rule for %s", e->d_name);
	}
	closedir(d);
	assert_int_equal(rules_count(rs), npem);
	assert_int_equal(npem, 21);
	for (i = 0; i < rules_count(rs); i++) {
		const struct rule *r = rules_at(rs, i);

		if (strncmp(rule_id(r), "kz-", 3) == 0)
			assert_string_equal(rule_severity(r), "critical");
		if (strncmp(rule_id(r), "ru-", 3) == 0)
			assert_true(rule_severity_level(r) >= 3);
		assert_true(rule_nreferences(r) > 0);
		assert_true(strlen(rule_description(r)) > 40);
	}
}

/* Same DN and SKI as the Qaznet root, another key: verified false. */
static void
test_lookalike_same_dn(void **state)
{
	struct fx		*f = *state;
	struct rule_hit		 h[MAXH];
	const struct rule_hit	*q;
	size_t			 n;

	n = match(f, "www.google.com", h, DATA "fake-qaznet-leaf.pem", NULL);
	assert_int_equal(n, 1);
	assert_non_null(q = find(h, n, "kz-qaznet-2019"));
	assert_int_equal(q->index, RULE_INDEX_ISSUER_OF_TOP);
	assert_int_equal(q->attribution, ATTR_KEY_ID);
	assert_int_equal(q->verified, 0);
	assert_string_equal(q->field, "issuer");
	assert_string_equal(q->value, "CN=Qaznet Trust Network,C=KZ");

	/* the look-alike root sent too: still one hit, still unverified */
	n = match(f, NULL, h, DATA "fake-qaznet-leaf.pem",
	    DATA "fake-qaznet.pem", NULL);
	assert_int_equal(n, 1);
	assert_non_null(q = find(h, n, "kz-qaznet-2019"));
	assert_int_equal(q->attribution, ATTR_KEY_ID);
	assert_int_equal(q->verified, 0);
}

/* C=US, CN=Qaznet Trust Network is another name: no hit. */
static void
test_lookalike_other_country(void **state)
{
	struct fx	*f = *state;
	struct rule_hit	 h[MAXH];

	assert_int_equal(match(f, NULL, h, DATA "us-qaznet-leaf.pem",
	    DATA "us-qaznet.pem", NULL), 0);
}

/* UTF8String, other case and white space: the same name (RFC 5280). */
static void
test_canonical_names(void **state)
{
	struct fx		*f = *state;
	struct rule_hit		 h[MAXH];
	const struct rule_hit	*q;
	struct x509_cert	*real, *utf;
	X509_NAME		*p;
	char			 e[128];
	size_t			 n;

	n = match(f, NULL, h, DATA "utf8-qaznet-leaf.pem", NULL);
	assert_int_equal(n, 1);
	assert_non_null(q = find(h, n, "kz-qaznet-2019"));
	assert_int_equal(q->attribution, ATTR_NAME);
	assert_int_equal(q->verified, 0);
	assert_int_equal(q->index, RULE_INDEX_ISSUER_OF_TOP);

	real = cert(RULES "kz-qaznet-2019.pem");
	utf = cert(DATA "utf8-qaznet.pem");
	assert_true(dn_equal(X509_get_subject_name(real->x),
	    X509_get_subject_name(utf->x)));
	assert_int_equal(dn_hash(X509_get_subject_name(real->x)),
	    dn_hash(X509_get_subject_name(utf->x)));
	assert_non_null(p = dn_parse("cn=QAZNET trust\\20 network ,C=kz", e,
	    sizeof(e)));
	assert_true(dn_equal(p, X509_get_subject_name(real->x)));
	X509_NAME_free(p);
	assert_non_null(p = dn_parse("CN=Qaznet Trust Network,C=US", e,
	    sizeof(e)));
	assert_false(dn_equal(p, X509_get_subject_name(real->x)));
	X509_NAME_free(p);
	assert_non_null(p = dn_parse("C=KZ,CN=Qaznet Trust Network", e,
	    sizeof(e)));	/* RDN order matters */
	assert_false(dn_equal(p, X509_get_subject_name(real->x)));
	X509_NAME_free(p);
	assert_null(dn_parse("CN=a,", e, sizeof(e)));
	assert_null(dn_parse("CN=a\\", e, sizeof(e)));
	x509_cert_free(real);
	x509_cert_free(utf);
}

/* The real root sent: fingerprint; a cert with its key: spki. */
static void
test_fingerprint_and_spki(void **state)
{
	struct fx		*f = *state;
	struct rule_hit		 h[MAXH];
	const struct rule_hit	*q;
	size_t			 n;

	n = match(f, NULL, h, DATA "fake-qaznet-leaf.pem",
	    RULES "kz-qaznet-2019.pem", NULL);
	assert_int_equal(n, 1);
	assert_non_null(q = find(h, n, "kz-qaznet-2019"));
	assert_int_equal(q->attribution, ATTR_FINGERPRINT);
	assert_int_equal(q->verified, 1);
	assert_int_equal(q->index, 1);
	assert_string_equal(q->field, "cert_sha256");
	assert_string_equal(q->value, "00309c736dd661da6f1eb24173aa849944c1"
	    "68a43a15bffd192eecfdb6f8dbd2");

	n = match(f, NULL, h, DATA "qaznet-key.pem", NULL);
	assert_int_equal(n, 1);
	assert_non_null(q = find(h, n, "kz-qaznet-2019"));
	assert_int_equal(q->attribution, ATTR_SPKI);
	assert_int_equal(q->verified, 1);
	assert_int_equal(q->index, 0);
}

static char *
anchor_rule(const char *extra)
{
	char	*pem = slurp(DATA "root.pem"), *y, *p, *q;
	size_t	 len = strlen(pem) * 2 + strlen(extra) + 256;

	y = calloc(1, len);
	assert_non_null(y);
	strcpy(y, "- id: test-root\n  name: Test root\n  severity: high\n"
	    "  match:\n");
	strcat(y, extra);
	strcat(y, "    anchor: |\n");
	for (p = pem; *p != '\0'; p = q + 1) {
		q = strchr(p, '\n');
		strcat(y, "      ");
		strncat(y, p, (size_t)(q - p + 1));
	}
	free(pem);
	return y;
}

/* A leaf signed by the anchor, root not sent: signature, verified. */
static void
test_signature(void **state)
{
	struct fx		*f = *state;
	struct rule_hit		 h[MAXH];
	size_t			 n;

	use(f, from_string(f->yaml = anchor_rule("")));
	n = match(f, NULL, h, DATA "leaf.pem", NULL);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].attribution, ATTR_SIGNATURE);
	assert_int_equal(h[0].verified, 1);
	assert_int_equal(h[0].index, RULE_INDEX_ISSUER_OF_TOP);
	assert_string_equal(h[0].field, "issuer");
	assert_string_equal(h[0].value,
	    "CN=rootwatch test root,O=rootwatch tests");
	/* two deep: the intermediate's signature */
	n = match(f, NULL, h, DATA "leaf2.pem", DATA "inter.pem", NULL);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].attribution, ATTR_SIGNATURE);
	assert_int_equal(h[0].index, RULE_INDEX_ISSUER_OF_TOP);
	/* the root sent as well: the intermediate (index 1) verifies */
	n = match(f, NULL, h, DATA "leaf2.pem", DATA "inter.pem",
	    DATA "root.pem", NULL);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].attribution, ATTR_SIGNATURE);
	assert_int_equal(h[0].index, 1);
	/* unrelated chain */
	assert_int_equal(match(f, NULL, h, DATA "fake-qaznet-leaf.pem",
	    NULL), 0);
}

static void
test_sni(void **state)
{
	struct fx	*f = *state;
	struct rule_hit	 h[MAXH];
	const char	*L = DATA "leaf.pem";

	use(f, from_string(f->yaml = anchor_rule("    sni: "
	    "['*.example.test', exact.test]\n")));
	assert_int_equal(match(f, "leaf.example.test", h, L, NULL), 1);
	assert_int_equal(match(f, "A.B.Example.TEST.", h, L, NULL), 1);
	assert_int_equal(match(f, "exact.test", h, L, NULL), 1);
	assert_int_equal(match(f, "example.test", h, L, NULL), 0);
	assert_int_equal(match(f, "evilexample.test", h, L, NULL), 0);
	assert_int_equal(match(f, "x.exact.test", h, L, NULL), 0);
	assert_int_equal(match(f, NULL, h, L, NULL), 0);
}

static void
test_scope(void **state)
{
	struct fx		*f = *state;
	struct ruleset		*rs = from_string(
	    "- {id: a, name: A, severity: low, match: {scope: leaf,\n"
	    "   issuer: {O: ROOTWATCH  tests}}}\n"
	    "- {id: b, name: B, severity: low, match: {scope: intermediate,\n"
	    "   subject: {CN: rootwatch test intermediate}}}\n"
	    "- {id: c, name: C, severity: low, match: {scope: top,\n"
	    "   subject: {dn: 'CN=rootwatch test root,O=rootwatch tests'}}}\n"
	    "- {id: d, name: D, severity: low, match: {scope: leaf,\n"
	    "   subject: {CN: rootwatch test intermediate}}}\n"
	    "- {id: e, name: E, severity: low, match: {scope: top,\n"
	    "   subject: {CN: www.example.test}}}\n"
	    "- {id: f, name: F, severity: low, match: {\n"
	    "   subject: {CN: WWW.example.test, case: exact}}}\n"
	    "- {id: g, name: G, severity: low, match: {\n"
	    "   subject: {CN: www.example.test, case: exact}}}\n");
	struct rule_hit		 h[MAXH];
	const struct rule_hit	*q;
	size_t			 n;

	use(f, rs);
	n = match(f, NULL, h, DATA "leaf2.pem", DATA "inter.pem",
	    DATA "root.pem", NULL);
	assert_int_equal(n, 4);
	assert_non_null(q = find(h, n, "a"));
	assert_int_equal(q->index, 0);
	assert_string_equal(q->field, "issuer");
	assert_int_equal(q->attribution, ATTR_NAME);
	assert_non_null(q = find(h, n, "b"));
	assert_int_equal(q->index, 1);
	assert_non_null(q = find(h, n, "c"));
	assert_int_equal(q->index, 2);
	assert_string_equal(q->field, "subject");
	assert_non_null(q = find(h, n, "g"));
	assert_int_equal(q->index, 0);
	assert_null(find(h, n, "d"));
	assert_null(find(h, n, "e"));
	assert_null(find(h, n, "f"));
}

static char *
untrusted_rules(void)
{
	static char	 y[1024];

	snprintf(y, sizeof(y),
	    "- {id: sys, name: S, severity: medium, type: untrusted}\n"
	    "- {id: own, name: O, severity: low, type: untrusted,\n"
	    "   trust_store: %sroot.pem}\n", DATA);
	return y;
}

/* A private root fails the system store, passes its own. */
static void
test_untrusted(void **state)
{
	struct fx		*f = *state;
	struct rule_hit		 h[MAXH];
	const struct rule_hit	*q;
	size_t			 n;

	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) != 0) {
		skip();		/* no system trust store on this machine */
		return;
	}
	use(f, from_string(untrusted_rules()));
	n = match(f, NULL, h, DATA "leaf2.pem", DATA "inter.pem", NULL);
	assert_int_equal(n, 1);
	assert_non_null(q = find(h, n, "sys"));
	assert_int_equal(q->attribution, ATTR_UNTRUSTED);
	assert_string_equal(q->field, "chain");
	assert_true(strlen(q->value) > 0);
	/* the look-alike fails both */
	n = match(f, NULL, h, DATA "fake-qaznet-leaf.pem", NULL);
	assert_int_equal(n, 2);
}

/* Real public chains from the corpus: nothing fires. */
static void
test_public_chains(void **state)
{
	struct fx	*f = *state;
	struct rule_hit	 h[MAXH];

	assert_int_equal(match(f, "www.google.com", h,
	    DATA "public-google-leaf.pem", DATA "public-google-inter.pem",
	    NULL), 0);
	assert_int_equal(match(f, "www.digicert.com", h,
	    DATA "public-digicert-leaf.pem", DATA "public-digicert-inter.pem",
	    NULL), 0);
}

/* The same hit (value: the string, not the bytes after it). */
static void
assert_hit_equal(const struct rule_hit *a, const struct rule_hit *b)
{
	assert_ptr_equal(a->rule, b->rule);
	assert_int_equal(a->index, b->index);
	assert_string_equal(a->field, b->field);
	assert_string_equal(a->value, b->value);
	assert_int_equal(a->attribution, b->attribution);
	assert_int_equal(a->verified, b->verified);
}

/* A chain of one certificate file, held by the fixture. */
static struct x509_cert **
one(struct fx *f, const char *path)
{
	x509_cert_free(f->c);
	f->c = cert(path);
	return &f->c;
}

/* Cached and uncached verdicts agree; alerts are counted per state. */
static void
test_cache_and_counts(void **state)
{
	struct fx		*f = *state;
	struct ruleset		*rs = f->rs;
	struct rule_hit		 h1[MAXH], h2[MAXH], h3[MAXH];
	const struct rule	*r;
	size_t			 n1, n2, n3;

	n1 = match(f, "a.test", h1, DATA "fake-qaznet-leaf.pem", NULL);
	n2 = match(f, "a.test", h2, DATA "fake-qaznet-leaf.pem", NULL);
	assert_int_equal(n1, 1);
	assert_int_equal(n2, 1);
	r = h1[0].rule;
	assert_int_equal(rules_state_alerts(f->st, r->pos), 2);
	/* no cache */
	assert_non_null(f->st2 = rules_state_new(0));
	assert_int_equal(rules_state_bind(f->st2, rs), 0);
	n3 = rules_match(rs, f->st2, one(f, DATA "fake-qaznet-leaf.pem"), 1,
	    "a.test", TS_2030, h3, MAXH);
	assert_int_equal(n3, 1);
	assert_hit_equal(&h1[0], &h2[0]);
	assert_hit_equal(&h1[0], &h3[0]);
	assert_int_equal(rules_state_alerts(f->st2, r->pos), 1);
	/* a tiny cache evicts and still answers right */
	rules_state_free(f->st2);
	assert_non_null(f->st2 = rules_state_new(1));
	assert_int_equal(rules_state_bind(f->st2, rs), 0);
	assert_int_equal(rules_match(rs, f->st2, one(f, DATA
	    "us-qaznet-leaf.pem"), 1, NULL, 0, h2, MAXH), 0);
	assert_int_equal(rules_match(rs, f->st2, one(f, DATA
	    "fake-qaznet-leaf.pem"), 1, NULL, 0, h2, MAXH), 1);
	assert_int_equal(rules_match(rs, f->st2, one(f, DATA
	    "us-qaznet-leaf.pem"), 1, NULL, 0, h2, MAXH), 0);
	assert_int_equal(rules_match(rs, f->st2, one(f, DATA
	    "fake-qaznet-leaf.pem"), 1, NULL, 0, h2, MAXH), 1);
	assert_int_equal(rules_state_alerts(f->st2, r->pos), 2);
	assert_string_equal(rule_attribution_name(ATTR_KEY_ID), "key_id");
	assert_int_equal(rules_match(rs, f->st, NULL, 0, NULL, 0, h1, MAXH),
	    0);
}

/* Two workers' states on one ruleset: separate counts, caches, sums. */
static void
test_two_states(void **state)
{
	struct fx		*f = *state;
	struct ruleset		*rs = f->rs;
	const struct rules_state *both[2];
	struct rule_hit		 h[MAXH];
	uint64_t		*sum;
	size_t			 i, pos, n = rules_count(rs);

	assert_non_null(f->st2 = rules_state_new(RULES_CACHE_DEFAULT));
	assert_int_equal(rules_state_bind(f->st2, rs), 0);
	assert_ptr_equal(rules_state_ruleset(f->st2), rs);
	for (i = 0; i < 3; i++)
		assert_int_equal(rules_match(rs, f->st, one(f,
		    DATA "fake-qaznet-leaf.pem"), 1, NULL, 0, h, MAXH), 1);
	pos = h[0].rule->pos;
	assert_int_equal(rules_state_alerts(f->st, pos), 3);
	assert_int_equal(rules_state_alerts(f->st2, pos), 0);
	/* st's verdict cache is not st2's: st2 evaluates, gets the same */
	assert_int_equal(rules_match(rs, f->st2, &f->c, 1, NULL, 0, h, MAXH),
	    1);
	assert_int_equal(rules_state_alerts(f->st2, pos), 1);
	assert_int_equal(rules_state_alerts(f->st, pos), 3);
	/* stats: the sum over both */
	both[0] = f->st;
	both[1] = f->st2;
	assert_non_null(sum = calloc(n, sizeof(*sum)));
	assert_int_equal(rules_sum_alerts(rs, both, 2, sum), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(sum[i], i == pos ? 4 : 0);
	free(sum);
	/* a state bound to another set matches nothing against this one */
	rules_state_free(f->st2);
	assert_non_null(f->st2 = rules_state_new(0));
	assert_int_equal(rules_match(rs, f->st2, &f->c, 1, NULL, 0, h, MAXH),
	    0);
}

#define QZ_LEAF	"fake-qaznet-leaf.pem"
#define QZ_AKI	"f494bfde50b6db6b243d9ef7be3aae36d7fb0e05"

/*
 * Reload: the state moves to the new set; counts follow the rule id (not
 * the position), a rule gone loses its count, a new one starts at 0,
 * and the verdict cache is emptied (it would name the old set's rules).
 */
static void
test_reload_carries_counts(void **state)
{
	struct fx		*f = *state;
	struct ruleset		*old, *new;
	struct rule_hit		 h[MAXH];
	const struct rules_state *one_st[1];
	uint64_t		 sum[3];

	old = use(f, from_string(
	    "- {id: gone, name: G, severity: low, match: {issuer: {C: KZ}}}\n"
	    "- {id: kept, name: K, severity: low, match: {aki: " QZ_AKI "}}\n"));
	assert_int_equal(rules_match(old, f->st, one(f, DATA QZ_LEAF), 1,
	    NULL, 0, h, MAXH), 2);
	assert_int_equal(rules_match(old, f->st, &f->c, 1, NULL, 0, h, MAXH),
	    2);
	new = from_string(
	    "- {id: fresh, name: F, severity: low, match: {issuer: {C: KZ}}}\n"
	    "- {id: other, name: O, severity: low, match: {issuer: {C: US}}}\n"
	    "- {id: kept, name: K2, severity: low, match: {aki: " QZ_AKI
	    "}}\n");
	/* a worker still on the old set during the reload: summed by id */
	one_st[0] = f->st;
	assert_int_equal(rules_sum_alerts(new, one_st, 1, sum), 0);
	assert_int_equal(sum[0], 0);
	assert_int_equal(sum[1], 0);
	assert_int_equal(sum[2], 2);
	assert_int_equal(rules_state_bind(f->st, new), 0);
	assert_ptr_equal(rules_state_ruleset(f->st), new);
	assert_int_equal(rules_state_alerts(f->st, 0), 0);	/* fresh */
	assert_int_equal(rules_state_alerts(f->st, 1), 0);	/* other */
	assert_int_equal(rules_state_alerts(f->st, 2), 2);	/* kept */
	/* answers come from the new set, not a stale verdict */
	assert_int_equal(rules_match(new, f->st, &f->c, 1, NULL, 0, h, MAXH),
	    2);
	assert_string_equal(rule_id(h[0].rule), "fresh");
	assert_string_equal(rule_name(h[1].rule), "K2");
	assert_int_equal(rules_state_alerts(f->st, 2), 3);
	assert_int_equal(rules_match(old, f->st, &f->c, 1, NULL, 0, h, MAXH),
	    0);		/* not the bound set */
	rules_unref(f->rs);
	f->rs = new;
}

/* The old set lives while a state holds it, and goes with the last ref. */
static void
test_refcount(void **state)
{
	struct fx		*f = *state;
	struct ruleset		*rs = f->rs;
	struct rule_hit		 h[MAXH];

	assert_int_equal(rs->refs, 2);		/* the fixture's, f->st's */
	assert_ptr_equal(rules_ref(rs), rs);
	assert_int_equal(rs->refs, 3);
	rules_unref(rs);
	f->rs = NULL;
	rules_unref(rs);			/* the loader's reference */
	assert_int_equal(rs->refs, 1);
	/* still whole: the state matches against it (ASan checks) */
	assert_int_equal(rules_match(rs, f->st, one(f, DATA QZ_LEAF), 1,
	    NULL, 0, h, MAXH), 1);
	assert_string_equal(rule_id(h[0].rule), "kz-qaznet-2019");
	/* rebinding drops the last reference: freed (LeakSanitizer checks
	 * that it is, ASan that nothing touches it after) */
	assert_int_equal(rules_state_bind(f->st, NULL), 0);
	assert_null(rules_state_ruleset(f->st));
	assert_int_equal(rules_state_alerts(f->st, 0), 0);
	rules_unref(NULL);
	assert_null(rules_ref(NULL));
}

/* maxhits bounds the output; hits come in rule order. */
static void
test_maxhits(void **state)
{
	struct fx	*f = *state;
	struct ruleset	*rs = use(f, from_string(
	    "- {id: x1, name: X, severity: low, match: {issuer: {C: KZ}}}\n"
	    "- {id: x2, name: X, severity: low, match: {issuer: {CN: qaznet "
	    "trust network}}}\n"
	    "- {id: x3, name: X, severity: low, match: {aki: " QZ_AKI "}}\n"));
	struct rule_hit	 h[MAXH];

	assert_int_equal(rules_match(rs, f->st, one(f, DATA QZ_LEAF), 1, NULL,
	    0, h, MAXH), 3);
	assert_string_equal(rule_id(h[0].rule), "x1");
	assert_string_equal(rule_id(h[2].rule), "x3");
	assert_int_equal(h[2].attribution, ATTR_KEY_ID);
	assert_int_equal(rules_match(rs, f->st, &f->c, 1, NULL, 0, h, 2), 2);
	/* only the hits handed out are alerts */
	assert_int_equal(rules_state_alerts(f->st, 0), 2);
	assert_int_equal(rules_state_alerts(f->st, 2), 1);
}

/* Errors carry file:line:column. */
static void
test_errors(void **state)
{
	struct rules_error	 err;
	const char		*y = "- id: a\n  name: A\n  severity: low\n"
				    "  match: {cert_sha256: abcd}\n";

	(void)state;
	assert_null(rules_load_string("x.yaml", y, strlen(y), &err));
	assert_string_equal(err.msg,
	    "x.yaml:4:24: cert_sha256: 2 bytes, expected 32");
	assert_null(rules_load_string("x.yaml", "", 0, &err));
	assert_string_equal(err.msg, "x.yaml:1:1: empty rules file");
}

/* Every allocation failure is an error (or a partial match), no crash. */
static void
test_alloc_failures(void **state)
{
	struct fx		*f = *state;
	char			*y = f->yaml = slurp(RW_SRCDIR
				    "/tests/rules/1.in");
	const char		*p[] = { SHIPPED };
	struct rules_error	 err;
	struct ruleset		*rs = NULL;
	struct x509_cert	**c = one(f, DATA QZ_LEAF);
	struct rule_hit		 h[MAXH];
	long			 k;

	for (k = 0; rs == NULL && k < 100000; k++) {
		xalloc_fail_after(k);
		rs = rules_load_string(RW_SRCDIR "/tests/rules/1.in", y,
		    strlen(y), &err);
		xalloc_fail_after(-1);
		if (rs == NULL)
			assert_non_null(strstr(err.msg, "1.in:"));
	}
	assert_non_null(rs);
	assert_true(k > 10);
	rules_unref(rs);
	for (k = 0, rs = NULL; rs == NULL && k < 100000; k++) {
		xalloc_fail_after(k);
		rs = rules_load(p, 1, &err);
		xalloc_fail_after(-1);
	}
	assert_non_null(rs);
	use(f, rs);
	for (k = 0; k < 4; k++) {
		xalloc_fail_after(k);
		assert_true(rules_match(rs, f->st, c, 1, NULL, 0, h, MAXH) <=
		    1);
		xalloc_fail_after(-1);
	}
	assert_int_equal(rules_match(rs, f->st, c, 1, NULL, 0, h, MAXH), 1);
	/* state allocation and binding fail cleanly */
	for (k = 0; k < 4; k++) {
		xalloc_fail_after(k);
		f->st2 = rules_state_new(16);
		if (f->st2 != NULL && rules_state_bind(f->st2, rs) == -1)
			assert_null(rules_state_ruleset(f->st2));
		xalloc_fail_after(-1);
		rules_state_free(f->st2);
		f->st2 = NULL;
	}
}

/* Seconds of a certificate's notBefore (after: notAfter). */
static int64_t
cert_secs(const struct x509_cert *c, int after)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	assert_true(ASN1_TIME_to_tm(after ? X509_get0_notAfter(c->x) :
	    X509_get0_notBefore(c->x), &tm));
	return (int64_t)timegm(&tm);
}

static void
verdict(X509_STORE *st, struct x509_cert **chain, size_t n, int64_t t,
    struct rules_verify *v, int *nbuilt)
{
	rules_chain_verify(st, chain, n, (uint64_t)t * 1000000, v);
	*nbuilt = (int)v->nbuilt;
}

/*
 * Kept trust store verdicts (verify_cache.c) equal fresh ones at every
 * second around each validity bound of the chain, visited out of order so
 * that verdicts found at one time are offered at others.
 */
static void
test_verify_cache(void **state)
{
	struct x509_cert *chain[2];
	struct rules_verify a, b;
	X509_STORE *cached, *fresh;
	int64_t t[32];
	size_t nt = 0, i, k;
	int na, nb;

	(void)state;
	chain[0] = cert(DATA "leaf2.pem");
	chain[1] = cert(DATA "inter.pem");
	assert_non_null(cached = rules_trust_store_load(DATA "root.pem"));
	assert_non_null(fresh = X509_STORE_new());
	assert_int_equal(X509_STORE_load_file(fresh, DATA "root.pem"), 1);
	for (i = 0; i < 2; i++)
		for (k = 0; k < 2; k++) {
			t[nt++] = cert_secs(chain[i], (int)k) - 1;
			t[nt++] = cert_secs(chain[i], (int)k);
			t[nt++] = cert_secs(chain[i], (int)k) + 1;
		}
	t[nt++] = (int64_t)(TS_2030 / 1000000);
	t[nt++] = cert_secs(chain[0], 1) + 86400;
	for (k = 0; k < 3; k++)		/* rounds: cold, warm, reversed */
		for (i = 0; i < nt; i++) {
			int64_t ts = t[k == 2 ? nt - 1 - i : i];

			verdict(cached, chain, 2, ts, &a, &na);
			verdict(fresh, chain, 2, ts, &b, &nb);
			assert_int_equal(a.error, b.error);
			assert_int_equal(a.no_path, b.no_path);
			assert_int_equal(a.time_error, b.time_error);
			assert_int_equal(na, nb);
			/* the kept SPKI hashes are those of a fresh build */
			assert_int_equal(a.nkeys, b.nkeys);
			assert_memory_equal(a.keys, b.keys, a.nkeys * 32);
		}
	verdict(cached, chain, 2, (int64_t)(TS_2030 / 1000000), &a, &na);
	assert_int_equal(a.error, X509_V_OK);
	assert_int_equal(na, 3);
	assert_int_equal(a.nkeys, 3);	/* leaf, intermediate, root */
	assert_memory_equal(a.keys[0], chain[0]->spki_sha256, 32);
	assert_memory_equal(a.keys[1], chain[1]->spki_sha256, 32);
	verdict(cached, chain, 2, cert_secs(chain[0], 1) + 1, &a, &na);
	assert_int_equal(a.error, X509_V_ERR_CERT_HAS_EXPIRED);
	assert_int_equal(a.time_error, 1);
	/* the leaf alone: another chain sent, another verdict */
	verdict(cached, chain, 1, (int64_t)(TS_2030 / 1000000), &a, &na);
	verdict(fresh, chain, 1, (int64_t)(TS_2030 / 1000000), &b, &nb);
	assert_int_equal(a.error, b.error);
	assert_int_not_equal(a.error, X509_V_OK);
	X509_STORE_free(cached);
	X509_STORE_free(fresh);
	x509_cert_free(chain[0]);
	x509_cert_free(chain[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define S(fn)	cmocka_unit_test_setup_teardown(fn, setup_shipped, teardown)
		S(test_shipped_loads),
		S(test_lookalike_same_dn),
		S(test_lookalike_other_country),
		S(test_canonical_names),
		S(test_fingerprint_and_spki),
		T(test_signature),
		T(test_sni),
		T(test_scope),
		T(test_untrusted),
		S(test_public_chains),
		S(test_cache_and_counts),
		S(test_two_states),
		T(test_reload_carries_counts),
		S(test_refcount),
		T(test_maxhits),
		T(test_errors),
		T(test_alloc_failures),
		cmocka_unit_test(test_verify_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
