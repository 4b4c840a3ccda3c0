/*
 * x509_test.c - certificate decoding, the cache, and the JSON rendering
 * sensor/cert_json.c makes of a decoded certificate.
 *
 * Test certificates: tests/unit/data/x509-*.der, made by
 * tests/unit/data/gen.sh with the openssl CLI; the facts asserted here
 * (hashes, names, serials, dates, key ids) were read from them with
 * `openssl x509` and `sha256sum`, not with this module.
 * Corpus: tests/corpus/certs/<sha256>.der, carved from the real captures
 * of tests/corpus/pcaps, checked against tests/corpus/expected.tsv.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>

#include "x509.h"
#include "sensor/cert_json.h"
#include "sensor/xmalloc.h"

#ifndef RW_SRCDIR
#define RW_SRCDIR "."
#endif
#define DATA_DIR	RW_SRCDIR "/tests/unit/data/"
#define CORPUS_DIR	RW_SRCDIR "/tests/corpus/"

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct x509_cert *
load(const char *name, uint8_t **der, size_t *len)
{
	char path[512];
	struct x509_cert *c;

	snprintf(path, sizeof(path), "%s%s", DATA_DIR, name);
	*der = slurp(path, len);
	c = x509_cert_new(*der, *len);
	assert_non_null(c);
	return c;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

static void
assert_hex(const uint8_t *p, size_t n, const char *want)
{
	char buf[256];

	assert_true(n * 2 < sizeof(buf));
	hex(p, n, buf);
	assert_string_equal(buf, want);
}

/* The JSON object of c (NUL-terminated, in a static buffer). */
static const char *
json_of(const struct x509_cert *c)
{
	static char out[1 << 16];
	struct jbuf j;

	jb_init(&j);
	cert_json_render(&j, c);
	assert_false(j.oom);
	assert_true(j.len > 2 && j.len < sizeof(out));
	memcpy(out, j.buf, j.len);
	out[j.len] = '\0';
	jb_free(&j);
	assert_int_equal(out[0], '{');
	assert_int_equal(out[strlen(out) - 1], '}');
	return out;
}

/* "key":value appears in the JSON object exactly as given. */
static void
assert_json_has(const struct x509_cert *c, const char *frag)
{
	const char *json = json_of(c);

	if (strstr(json, frag) == NULL)
		fail_msg("%s not in %s", frag, json);
}

static void
assert_json_lacks(const struct x509_cert *c, const char *frag)
{
	const char *json = json_of(c);

	if (strstr(json, frag) != NULL)
		fail_msg("%s unexpectedly in %s", frag, json);
}

static void
test_rsa_root(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c = load("x509-rsa-root.der", &der, &len);

	(void)state;
	assert_non_null(c->x);
	assert_null(c->parse_error);
	assert_hex(c->sha256, 32, "8ea845a809121e1e3301cc3e56a55b3b"
	    "9727d85b6e362d5f257387a632d6eb85");
	assert_hex(c->sha1, 20, "d3329dac97acd1e43d08a2dcfc5ab8765c9cd7c2");
	assert_hex(c->spki_sha256, 32, "52a0a7667367e024017a0ce50223b062"
	    "0ac8eaf4c39dfdc83c53a6a7443113df");
	assert_string_equal(c->subject, "CN=Test Root CA,O=rootwatch test,C=KZ");
	assert_string_equal(c->issuer, c->subject);
	assert_string_equal(c->serial, "0100");
	assert_string_equal(c->not_before, "2026-11-25T08:18:56Z");
	assert_string_equal(c->not_after, "2036-11-22T08:18:56Z");
	assert_hex(c->ski, c->ski_len, "ba499286881cd58de7dfbcc0d22f735b27dc21ca");
	assert_hex(c->aki, c->aki_len, "ba499286881cd58de7dfbcc0d22f735b27dc21ca");
	assert_string_equal(c->key_type, "RSA");
	assert_int_equal(c->key_bits, 2048);
	assert_string_equal(c->curve, "");
	assert_string_equal(c->sig_alg, "sha256WithRSAEncryption");
	assert_int_equal(c->is_ca, 1);
	assert_int_equal(c->self_signed, 1);
	assert_int_equal(c->version, 3);
	assert_int_equal(c->nsan, 0);
	assert_json_has(c, "{\"subject\":\"CN=Test Root CA,O=rootwatch test,"
	    "C=KZ\",\"issuer\":\"CN=Test Root CA,O=rootwatch test,C=KZ\","
	    "\"serial\":\"0100\",\"not_before\":\"2026-11-25T08:18:56Z\","
	    "\"not_after\":\"2036-11-22T08:18:56Z\",\"sha256\":\"8ea845a8");
	assert_json_has(c, "\"key_type\":\"RSA\",\"key_bits\":2048,"
	    "\"signature_algorithm\":\"sha256WithRSAEncryption\",\"san\":[],"
	    "\"is_ca\":true,\"self_signed\":true,\"version\":3}");
	assert_json_lacks(c, "curve");
	assert_json_lacks(c, "parse_error");
	x509_cert_free(c);
	free(der);
}

static void
test_ec_leaf_utf8_san_gentime(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c = load("x509-ec-leaf.der", &der, &len);

	(void)state;
	assert_non_null(c->x);
	/* UTF-8 kept, not \D0\A2 escaped */
	assert_string_equal(c->subject,
	    "CN=\xd0\xa2\xd0\xb5\xd1\x81\xd1\x82,"
	    "O=\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80,C=RU");
	assert_string_equal(c->issuer, "CN=Test Root CA,O=rootwatch test,C=KZ");
	assert_string_equal(c->serial, "ABCDEF");
	assert_string_equal(c->not_before, "2026-11-25T08:18:56Z");
	/* GeneralizedTime 20521128081856Z */
	assert_string_equal(c->not_after, "2052-11-28T08:18:56Z");
	assert_hex(c->sha256, 32, "9e5e092daa6fe3fd6740109a2c83480d"
	    "a21ba3eab2285c87a4cef19e6cce44aa");
	assert_hex(c->spki_sha256, 32, "8bad1df362d82c06341e8c3ca01092f2"
	    "b01f6d6ced0a2abea56bfa82ef97de35");
	assert_hex(c->ski, c->ski_len, "57c54718941dcf740579ef842a9b03f991ea2c96");
	assert_hex(c->aki, c->aki_len, "ba499286881cd58de7dfbcc0d22f735b27dc21ca");
	assert_string_equal(c->key_type, "EC");
	assert_int_equal(c->key_bits, 256);
	assert_string_equal(c->curve, "prime256v1");
	assert_int_equal(c->is_ca, 0);
	assert_int_equal(c->self_signed, 0);
	assert_json_has(c, "\"subject\":\"CN=\xd0\xa2\xd0\xb5\xd1\x81\xd1\x82,");
	assert_json_has(c, "\"curve\":\"prime256v1\"");
	assert_json_has(c, "\"san\":[\"example.test\",\"*.example.test\","
	    "\"192.0.2.1\",\"2001:db8::1\",\"admin@example.test\","
	    "\"https://example.test/path\"],\"is_ca\":false,"
	    "\"self_signed\":false");
	x509_cert_free(c);
	free(der);
}

static void
test_ed25519_no_cn(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c = load("x509-ed25519-nocn.der", &der, &len);

	(void)state;
	assert_non_null(c->x);
	assert_string_equal(c->subject, "OU=Unit,O=No CN Org,C=US");
	assert_string_equal(c->serial, "07");
	assert_string_equal(c->key_type, "Ed25519");
	assert_int_equal(c->key_bits, 256);	/* OpenSSL: ED25519_BITS */
	assert_string_equal(c->sig_alg, "ED25519");
	assert_int_equal(c->self_signed, 1);
	assert_hex(c->sha1, 20, "59f3b26600c0b5a780222d20a85d44c3f48e1dfe");
	x509_cert_free(c);
	free(der);
}

/* The part (CERT_EVE, CERT_ECS) of c contains frag. */
static void
assert_part_has(const struct x509_cert *c, enum cert_part part,
    const char *frag)
{
	struct jbuf j;
	char *s;

	jb_init(&j);
	cert_json_render_part(&j, c, part);
	assert_false(j.oom);
	assert_non_null(s = strndup(j.buf, j.len));
	if (strstr(s, frag) == NULL)
		fail_msg("%s\nlacks\n%s", s, frag);
	free(s);
	jb_free(&j);
}

/*
 * Suricata's leaf fields: names in certificate order joined by ", ",
 * unescaped UTF-8; the serial as the DER INTEGER's content (a 00 sign
 * byte before ABCDEF, two's complement for a negative serial); dates
 * without zone.  ECS: x509.* with the name's parts by type.
 */
static void
test_eve_ecs_parts(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c = load("x509-ec-leaf.der", &der, &len);

	(void)state;
	assert_part_has(c, CERT_EVE, "{\"subject\":\"C=RU, O=\xd0\x9f\xd1\x80"
	    "\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80, CN=\xd0\xa2\xd0\xb5\xd1\x81\xd1\x82"
	    "\",\"issuerdn\":\"C=KZ, O=rootwatch test, CN=Test Root CA\","
	    "\"serial\":\"00:AB:CD:EF\",\"fingerprint\":\"");
	assert_part_has(c, CERT_EVE, "\"notbefore\":\"2026-11-25T08:18:56\","
	    "\"notafter\":\"2052-11-28T08:18:56\",\"subjectaltname\":"
	    "[\"example.test\",");
	assert_part_has(c, CERT_ECS, "\"x509\":{\"version_number\":\"3\","
	    "\"serial_number\":\"ABCDEF\",\"subject\":{\"distinguished_name\":");
	assert_part_has(c, CERT_ECS, "\"common_name\":[\"\xd0\xa2\xd0\xb5\xd1"
	    "\x81\xd1\x82\"],\"country\":[\"RU\"],\"organization\":[\"\xd0\x9f"
	    "\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80\"]}");
	assert_part_has(c, CERT_ECS, "\"public_key_algorithm\":\"EC\","
	    "\"public_key_size\":256,\"public_key_curve\":\"prime256v1\"");
	assert_part_has(c, CERT_ECS, "\"hash\":{\"sha1\":\"");
	x509_cert_free(c);
	free(der);
	c = load("x509-rsa-root.der", &der, &len);
	assert_part_has(c, CERT_EVE, "\"serial\":\"01:00\"");
	x509_cert_free(c);
	free(der);
	c = load("x509-fake-self.der", &der, &len);
	assert_part_has(c, CERT_EVE, "\"serial\":\"ED:CC\"");	/* -0x1234 */
	x509_cert_free(c);
	free(der);
}

/* Issuer name == subject name, but signed by a different key. */
static void
test_name_match_is_not_self_signed(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c = load("x509-fake-self.der", &der, &len);

	(void)state;
	assert_non_null(c->x);
	assert_string_equal(c->subject, c->issuer);
	assert_int_equal(c->self_signed, 0);
	assert_string_equal(c->serial, "-1234");
	assert_json_has(c, "\"serial\":\"-1234\"");
	assert_json_lacks(c, "\"ski\"");
	assert_json_lacks(c, "\"aki\"");
	x509_cert_free(c);
	free(der);
}

static void
assert_parse_error(const uint8_t *der, size_t len, const char *why)
{
	struct x509_cert *c = x509_cert_new(der, len);

	assert_non_null(c);
	assert_null(c->x);
	assert_non_null(c->parse_error);
	if (why != NULL)
		assert_string_equal(c->parse_error, why);
	assert_null(c->subject);
	assert_json_has(c, "\"parse_error\":");
	assert_json_has(c, "{\"sha256\":\"");
	assert_json_lacks(c, "subject");
	x509_cert_free(c);
}

/* Every proper prefix of a real certificate is an error entry. */
static void
test_truncated_prefixes(void **state)
{
	uint8_t *der;
	size_t len, n;
	struct x509_cert *c = load("x509-ec-leaf.der", &der, &len);

	(void)state;
	x509_cert_free(c);
	for (n = 0; n < len; n++)
		assert_parse_error(der, n, n == 0 ? "bad certificate length" :
		    "DER decoding failed");
	free(der);
}

static void
test_trailing_garbage(void **state)
{
	uint8_t *der, *big;
	size_t len;
	struct x509_cert *c = load("x509-rsa-root.der", &der, &len);

	(void)state;
	x509_cert_free(c);
	big = malloc(len + 3);
	assert_non_null(big);
	memcpy(big, der, len);
	memcpy(big + len, "\x00\x01\x02", 3);
	assert_parse_error(big, len + 1, "trailing bytes after certificate");
	assert_parse_error(big, len + 3, "trailing bytes after certificate");
	/* the error entry is still identified by the hash of what was sent */
	c = x509_cert_new(big, len + 3);
	assert_non_null(c);
	assert_int_equal(c->der_len, len + 3);
	assert_memory_equal(c->der, big, len + 3);
	x509_cert_free(c);
	free(big);
	free(der);
}

static void
test_garbage(void **state)
{
	static const uint8_t junk[][8] = {
		{ 0x30, 0x80, 0, 0, 0, 0, 0, 0 },	/* BER indefinite */
		{ 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0, 0 },
		{ 0x04, 0x02, 0x41, 0x41, 0, 0, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_parse_error(junk[i], sizeof(junk[i]), NULL);
}

/* Flip each byte of a certificate: never a crash, always an entry. */
static void
test_bitflips(void **state)
{
	uint8_t *der;
	size_t len, i;
	struct x509_cert *c = load("x509-ec-leaf.der", &der, &len);

	(void)state;
	x509_cert_free(c);
	for (i = 0; i < len; i++) {
		der[i] ^= 0x5a;
		c = x509_cert_new(der, len);
		assert_non_null(c);
		assert_true(c->x != NULL || c->parse_error != NULL);
		(void)json_of(c);
		x509_cert_free(c);
		der[i] ^= 0x5a;
	}
	free(der);
}

static void
test_pem(void **state)
{
	uint8_t *der;
	size_t len;
	char *pem;
	struct x509_cert *c = load("x509-rsa-root.der", &der, &len);
	X509 *x;
	BIO *b;

	(void)state;
	pem = x509_pem(c);
	assert_non_null(pem);
	assert_true(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	assert_non_null(strstr(pem, "\n-----END CERTIFICATE-----\n"));
	b = BIO_new_mem_buf(pem, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	assert_non_null(x);
	assert_int_equal(X509_cmp(x, c->x), 0);
	X509_free(x);
	BIO_free(b);
	xfree(pem);
	x509_cert_free(c);
	free(der);
}

static void
test_cache_hit_and_stats(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c0 = load("x509-rsa-root.der", &der, &len);
	struct x509_cache *xc = x509_cache_new(4);
	struct x509_cert *a, *b, *bad;
	const struct x509_stats *st;

	(void)state;
	x509_cert_free(c0);
	assert_non_null(xc);
	a = x509_cache_get(xc, der, len);
	b = x509_cache_get(xc, der, len);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(a->refs, 2);
	bad = x509_cache_get(xc, der, len - 1);
	assert_non_null(bad);
	assert_non_null(bad->parse_error);
	st = x509_cache_stats(xc);
	assert_int_equal(st->lookups, 3);
	assert_int_equal(st->hits, 1);
	assert_int_equal(st->parsed, 1);
	assert_int_equal(st->parse_errors, 1);
	assert_int_equal(st->entries, 2);
	assert_int_equal(st->evictions, 0);
	x509_cert_put(xc, a);
	x509_cert_put(xc, b);
	x509_cert_put(xc, bad);
	/* released entries stay cached */
	a = x509_cache_get(xc, der, len);
	assert_int_equal(st->hits, 2);
	assert_int_equal(st->parsed, 1);
	x509_cert_put(xc, a);
	x509_cache_free(xc);
	free(der);
}

/* n distinct certificates: the root with trailing byte i appended (each
 * is an error entry, but a distinct cache entry all the same). */
static struct x509_cert *
get_variant(struct x509_cache *xc, const uint8_t *der, size_t len, int i)
{
	uint8_t buf[2048];

	assert_true(len + 1 <= sizeof(buf));
	memcpy(buf, der, len);
	buf[len] = (uint8_t)i;
	return x509_cache_get(xc, buf, len + 1);
}

static void
test_cache_eviction_respects_refs(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c0 = load("x509-rsa-root.der", &der, &len);
	struct x509_cache *xc = x509_cache_new(3);
	struct x509_cert *held, *e[8];
	const struct x509_stats *st = x509_cache_stats(xc);
	int i;

	(void)state;
	x509_cert_free(c0);
	held = get_variant(xc, der, len, 100);	/* kept for the whole test */
	for (i = 0; i < 8; i++) {
		e[i] = get_variant(xc, der, len, i);
		assert_non_null(e[i]);
		x509_cert_put(xc, e[i]);
		assert_true(st->entries <= 3);
	}
	assert_int_equal(st->evictions, 6);
	/* the held entry survived all of it */
	c0 = get_variant(xc, der, len, 100);
	assert_ptr_equal(c0, held);
	assert_int_equal(held->refs, 2);
	/* the two most recent survive; the oldest was evicted */
	c0 = get_variant(xc, der, len, 7);
	assert_int_equal(st->hits, 2);
	x509_cert_put(xc, c0);
	c0 = get_variant(xc, der, len, 0);
	assert_int_equal(st->hits, 2);		/* a miss: re-parsed */
	x509_cert_put(xc, c0);
	x509_cert_put(xc, held);
	x509_cert_put(xc, held);
	x509_cache_free(xc);
	free(der);
}

/* All held: the cache grows past max, then shrinks when released. */
static void
test_cache_all_held(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c0 = load("x509-rsa-root.der", &der, &len);
	struct x509_cache *xc = x509_cache_new(2);
	const struct x509_stats *st = x509_cache_stats(xc);
	struct x509_cert *e[5];
	int i;

	(void)state;
	x509_cert_free(c0);
	for (i = 0; i < 5; i++)
		assert_non_null(e[i] = get_variant(xc, der, len, i));
	assert_int_equal(st->entries, 5);
	assert_int_equal(st->evictions, 0);
	for (i = 0; i < 5; i++)
		x509_cert_put(xc, e[i]);
	assert_int_equal(st->entries, 2);
	assert_int_equal(st->evictions, 3);
	x509_cache_free(xc);
	free(der);
}

/*
 * sensor/ renders a cached certificate once: the text is kept in the
 * entry, counted in the cache's bytes, and freed with the entry (ASan's
 * leak check).
 */
static void
test_render_slot(void **state)
{
	uint8_t *der;
	size_t len, l1, l2, l3, before;
	struct x509_cert *c0 = load("x509-ec-leaf.der", &der, &len);
	struct x509_cache *xc = x509_cache_new(2);
	const struct x509_stats *st = x509_cache_stats(xc);
	struct x509_cert *c;
	const char *j1, *j2;
	int i;

	(void)state;
	assert_non_null(xc);
	assert_non_null(c = x509_cache_get(xc, der, len));
	assert_null(c->render);
	before = st->bytes;
	assert_non_null(j1 = cert_json(xc, c, &l1));
	assert_non_null(j2 = cert_json(xc, c, &l2));
	assert_ptr_equal(j1, j2);		/* rendered once */
	assert_int_equal(l1, l2);
	assert_int_equal(st->bytes, before + l1);
	assert_string_equal(j1, json_of(c0));	/* same as a fresh render */
	/* a second part: the first moves to the new slot, both counted */
	assert_non_null(j2 = cert_json_part(xc, c, CERT_EVE, &l2));
	assert_ptr_equal(cert_json(xc, c, &l3), j1);
	assert_int_equal(l3, l1);
	assert_ptr_equal(cert_json_part(xc, c, CERT_EVE, &l3), j2);
	assert_int_equal(st->bytes, before + l1 + l2);
	x509_cert_put(xc, c);
	/* still cached: the same rendering comes back */
	assert_ptr_equal(c, x509_cache_get(xc, der, len));
	assert_ptr_equal(cert_json(xc, c, &l2), j1);
	x509_cert_put(xc, c);
	/* evicted by two other entries: its rendering goes with it */
	for (i = 0; i < 2; i++) {
		assert_non_null(c = get_variant(xc, der, len, i));
		assert_non_null(cert_json(xc, c, &l2));
		x509_cert_put(xc, c);
	}
	assert_int_equal(st->evictions, 1);
	/* no free callback: the slot refuses (nothing would free it) */
	x509_cache_free(xc);
	assert_non_null(xc = x509_cache_new(2));
	assert_non_null(c = x509_cache_get(xc, der, len));
	assert_int_equal(x509_cert_set_render(xc, c, NULL, 0), -1);
	x509_cert_put(xc, c);
	x509_cache_free(xc);
	x509_cert_free(c0);
	free(der);
}

static void
test_alloc_failure(void **state)
{
	uint8_t *der;
	size_t len;
	struct x509_cert *c = load("x509-ec-leaf.der", &der, &len);
	struct x509_cache *xc;
	long n;
	int ok = 0;

	(void)state;
	x509_cert_free(c);
	for (n = 0; n < 40 && !ok; n++) {
		xc = x509_cache_new(4);
		if (xc == NULL)
			continue;
		xalloc_fail_after(n);
		c = x509_cache_get(xc, der, len);
		xalloc_fail_after(-1);
		if (c != NULL) {
			ok = 1;
			assert_true(c->x != NULL && c->nsan > 0);
			x509_cert_put(xc, c);
		}
		x509_cache_free(xc);
	}
	assert_true(ok);
	free(der);
}

/* --- the real certificates of the corpus ---------------------------- */

struct exp_row {
	char	sha256[65];
	char	subject[1024];
	char	issuer[1024];
	char	serial[128];
};

/* Column i (0-based) of a tab-separated line, copied into out. */
static int
tsv_col(const char *line, int i, char *out, size_t n)
{
	const char *p = line, *e;

	while (i-- > 0) {
		if ((p = strchr(p, '\t')) == NULL)
			return -1;
		p++;
	}
	e = p + strcspn(p, "\t\n");
	if ((size_t)(e - p) >= n)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static size_t
load_expected(struct exp_row *rows, size_t max)
{
	FILE *f = fopen(CORPUS_DIR "expected.tsv", "r");
	char line[8192];
	size_t n = 0;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));	/* header */
	assert_non_null(strstr(line, "cert_sha256\tsubject\tissuer\tserial_hex"));
	while (fgets(line, sizeof(line), f) != NULL && n < max) {
		assert_int_equal(tsv_col(line, 4, rows[n].sha256, 65), 0);
		assert_int_equal(tsv_col(line, 5, rows[n].subject, 1024), 0);
		assert_int_equal(tsv_col(line, 6, rows[n].issuer, 1024), 0);
		assert_int_equal(tsv_col(line, 7, rows[n].serial, 128), 0);
		n++;
	}
	fclose(f);
	return n;
}

static void
check_corpus_cert(const char *name, const struct exp_row *rows, size_t nrows,
    size_t *matched)
{
	char path[1024], h[65];
	uint8_t *der;
	size_t len, i, seen = 0;
	struct x509_cert *c;

	snprintf(path, sizeof(path), "%scerts/%s", CORPUS_DIR, name);
	der = slurp(path, &len);
	c = x509_cert_new(der, len);
	assert_non_null(c);
	hex(c->sha256, 32, h);
	assert_int_equal(strncmp(name, h, 64), 0);
	if (c->x == NULL)
		fail_msg("%s: %s", name, c->parse_error);
	for (i = 0; i < nrows; i++) {
		if (strcmp(rows[i].sha256, h) != 0)
			continue;
		assert_string_equal(c->subject, rows[i].subject);
		assert_string_equal(c->issuer, rows[i].issuer);
		assert_string_equal(c->serial, rows[i].serial);
		seen++;
	}
	if (seen == 0)
		fail_msg("%s is not in expected.tsv", name);
	assert_true(c->not_before[0] != '\0' && c->not_after[0] != '\0');
	assert_true(c->key_type[0] != '\0');
	(*matched)++;
	x509_cert_free(c);
	free(der);
}

static void
test_corpus(void **state)
{
	static struct exp_row rows[400];
	size_t nrows = load_expected(rows, 400), matched = 0, i;
	DIR *d = opendir(CORPUS_DIR "certs");
	struct dirent *de;

	(void)state;
	assert_true(nrows >= 147);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == 68 &&
		    strcmp(de->d_name + 64, ".der") == 0)
			check_corpus_cert(de->d_name, rows, nrows, &matched);
	closedir(d);
	/* every distinct certificate of the oracle was carved and checked */
	for (i = 0; i < nrows; i++) {
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%scerts/%.64s.der", CORPUS_DIR,
		    rows[i].sha256);
		f = fopen(path, "rb");
		if (f == NULL)
			fail_msg("oracle certificate %s not carved", path);
		fclose(f);
	}
	assert_int_equal(matched, 95);
}

/* ML-DSA-44 (FIPS 204): OpenSSL 3.0 decodes the certificate but not
 * the key; the OID is named by us. */
static void
test_corpus_ml_dsa(void **state)
{
	char path[1024];
	uint8_t *der;
	size_t len;
	struct x509_cert *c;

	(void)state;
	snprintf(path, sizeof(path), "%scerts/%s.der", CORPUS_DIR,
	    "fd95785a038018dccb84cd816602920a1e010d8acd9ce63407aa68440f595758");
	der = slurp(path, &len);
	c = x509_cert_new(der, len);
	assert_non_null(c);
	assert_non_null(c->x);
	assert_string_equal(c->key_type, "ML-DSA-44");
	assert_string_equal(c->sig_alg, "ML-DSA-44");
	assert_int_equal(c->key_bits, 0);
	assert_int_equal(c->is_ca, 1);
	assert_int_equal(c->self_signed, 0);	/* cannot verify: false */
	assert_json_has(c, "\"key_type\":\"ML-DSA-44\",\"signature_algorithm\"");
	assert_json_lacks(c, "key_bits");
	x509_cert_free(c);
	free(der);
}

/* x509-generalizedtime.pcap: validity in GeneralizedTime. */
static void
test_corpus_generalizedtime(void **state)
{
	static struct exp_row rows[400];
	size_t nrows = load_expected(rows, 400);
	FILE *f = fopen(CORPUS_DIR "expected.tsv", "r");
	char line[8192], sha[65] = "", path[1024];
	uint8_t *der;
	size_t len;
	struct x509_cert *c;

	(void)state;
	(void)nrows;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "x509-generalizedtime.pcap\t", 26) == 0)
			assert_int_equal(tsv_col(line, 4, sha, sizeof(sha)), 0);
	fclose(f);
	assert_int_equal(strlen(sha), 64);
	snprintf(path, sizeof(path), "%scerts/%s.der", CORPUS_DIR, sha);
	der = slurp(path, &len);
	c = x509_cert_new(der, len);
	assert_non_null(c);
	assert_non_null(c->x);
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(c->x)),
	    V_ASN1_GENERALIZEDTIME);
	assert_int_equal(strlen(c->not_after), 20);
	assert_int_equal(c->not_after[19], 'Z');
	x509_cert_free(c);
	free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_root),
		cmocka_unit_test(test_ec_leaf_utf8_san_gentime),
		cmocka_unit_test(test_ed25519_no_cn),
		cmocka_unit_test(test_name_match_is_not_self_signed),
		cmocka_unit_test(test_truncated_prefixes),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_bitflips),
		cmocka_unit_test(test_pem),
		cmocka_unit_test(test_cache_hit_and_stats),
		cmocka_unit_test(test_cache_eviction_respects_refs),
		cmocka_unit_test(test_cache_all_held),
		cmocka_unit_test(test_render_slot),
		cmocka_unit_test(test_eve_ecs_parts),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_corpus_ml_dsa),
		cmocka_unit_test(test_corpus_generalizedtime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
