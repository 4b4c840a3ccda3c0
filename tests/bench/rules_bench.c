/*
 * rules_bench - cost of rules_match per chain as the rule count grows.
 *
 * Loads the 21 shipped anchor rules plus N-21 generated ones (issuer and
 * subject attribute matches, DNs, hashes, key ids: every index kind) and
 * times a realistic 3-certificate chain (leaf, intermediate, root, RSA
 * 2048) that matches nothing, and a look-alike chain that hits the Qaznet
 * rule and costs a signature check, with the verdict cache off and on.
 * Prints ns/chain.  Not a test: run it by hand (make tests/bench/rules_bench
 * && tests/bench/rules_bench).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "rules.h"
#include "x509.h"

#ifndef RW_SRCDIR
#define RW_SRCDIR "."
#endif
#define DATA	RW_SRCDIR "/tests/unit/data/rules/"

static struct x509_cert *
cert(const char *path)
{
	FILE		*f = fopen(path, "r");
	X509		*x;
	unsigned char	*der = NULL;
	struct x509_cert *c;
	int		 n;

	if (f == NULL || (x = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	n = i2d_X509(x, &der);
	c = x509_cert_new(der, (size_t)n);
	OPENSSL_free(der);
	X509_free(x);
	return c;
}

static void
gen_rule(FILE *f, size_t i)
{
	unsigned	 k = (unsigned)(i % 5), j;

	fprintf(f, "  - id: gen-%zu\n    name: generated %zu\n"
	    "    severity: info\n    match:\n", i, i);
	switch (k) {
	case 0:
		fprintf(f, "      issuer: {CN: Generated CA %zu, O: Org %zu}\n",
		    i, i);
		break;
	case 1:
		fprintf(f, "      subject: {dn: 'CN=host%zu.example,O=Org "
		    "%zu,C=US'}\n", i, i);
		break;
	case 2:
		fputs("      cert_sha256: ", f);
		for (j = 0; j < 32; j++)
			fprintf(f, "%02x", (unsigned)((i * 131 + j * 7) & 0xff));
		fputc('\n', f);
		break;
	case 3:
		fputs("      spki_sha256: ", f);
		for (j = 0; j < 32; j++)
			fprintf(f, "%02x", (unsigned)((i * 17 + j * 3) & 0xff));
		fputc('\n', f);
		break;
	default:
		fprintf(f, "      aki: %08zx%08zx\n      subject: {OU: unit "
		    "%zu}\n", i, i * 7, i);
		break;
	}
}

static struct ruleset *
make_rules(size_t n)
{
	struct rules_error	 err;
	struct ruleset		*rs;
	char			*buf = NULL, *shipped;
	size_t			 len = 0, i;
	FILE			*f = open_memstream(&buf, &len), *s;
	long			 sl;

	s = fopen(RW_SRCDIR "/rules/state-interception.yaml", "r");
	fseek(s, 0, SEEK_END);
	sl = ftell(s);
	rewind(s);
	shipped = calloc(1, (size_t)sl + 1);
	if (fread(shipped, 1, (size_t)sl, s) != (size_t)sl)
		exit(1);
	fclose(s);
	fputs(shipped, f);
	free(shipped);
	for (i = 21; i < n; i++)
		gen_rule(f, i);
	fclose(f);
	rs = rules_load_string(RW_SRCDIR "/rules/bench.yaml", buf, len, &err);
	free(buf);
	if (rs == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	return rs;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double
run(struct ruleset *rs, struct rules_state *st, struct x509_cert **chain,
    size_t n, size_t iters, size_t *nhits)
{
	struct rule_hit	 h[32];
	double		 t0 = now();
	size_t		 i;

	for (i = 0; i < iters; i++)
		*nhits = rules_match(rs, st, chain, n, "www.example.test", 0,
		    h, 32);
	return (now() - t0) / (double)iters;
}

/* A worker's matcher state bound to rs, with or without verdict cache. */
static struct rules_state *
state(struct ruleset *rs, size_t cache_max)
{
	struct rules_state	*st;

	if ((st = rules_state_new(cache_max)) == NULL ||
	    rules_state_bind(st, rs) == -1) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return st;
}

int
main(void)
{
	static const size_t	 counts[] = { 10, 1000, 10000 };
	struct x509_cert	*plain[3], *hit[2];
	struct ruleset		*rs;
	struct rules_state	*nocache, *cache;
	size_t			 c, nh1, nh2;
	double			 t1, t2, t3, t4;

	plain[0] = cert(DATA "leaf2.pem");
	plain[1] = cert(DATA "inter.pem");
	plain[2] = cert(DATA "root.pem");
	hit[0] = cert(DATA "fake-qaznet-leaf.pem");
	hit[1] = cert(DATA "fake-qaznet.pem");
	printf("%8s %14s %14s %14s %14s\n", "rules", "miss/nocache",
	    "miss/cache", "hit/nocache", "hit/cache");
	for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		rs = make_rules(counts[c]);
		nocache = state(rs, 0);
		cache = state(rs, 4096);
		t1 = run(rs, nocache, plain, 3, 20000, &nh1);
		t3 = run(rs, nocache, hit, 2, 5000, &nh2);
		t2 = run(rs, cache, plain, 3, 200000, &nh1);
		t4 = run(rs, cache, hit, 2, 200000, &nh2);
		printf("%8zu %11.0f ns %11.0f ns %11.0f ns %11.0f ns"
		    "  (hits %zu/%zu, %zu rules)\n", counts[c], t1, t2, t3, t4,
		    nh1, nh2, rules_count(rs));
		rules_state_free(nocache);
		rules_state_free(cache);
		rules_unref(rs);
	}
	return 0;
}
