/*
 * x509.c - certificates, decoded by OpenSSL 3, cached by SHA-256.
 *
 * RFC 5280 4.1:
 *
 *   Certificate  ::=  SEQUENCE  {
 *        tbsCertificate       TBSCertificate,
 *        signatureAlgorithm   AlgorithmIdentifier,
 *        signatureValue       BIT STRING  }
 *
 *   +------+-----+--------------------------------------------------+
 *   | 0x30 | len | tbsCertificate | signatureAlgorithm | signature  |
 *   +------+-----+--------------------------------------------------+
 *   |<-------------- exactly the bytes we are given --------------->|
 *
 * We never look inside these bytes ourselves: d2i_X509 decodes them and
 * must consume every byte (trailing data is a parse error, not a shorter
 * certificate: the hash covers what was sent).  Everything a tls event
 * reports is extracted once per distinct DER, as data; sensor/ renders
 * it (once per entry, kept in the entry's render slot).
 *
 * The cache is a hash table on the SHA-256 (its first 8 bytes pick the
 * bucket; all 32 are compared) plus an LRU list of the entries nobody
 * holds.  An entry with refs > 0 is off the list and so cannot be
 * evicted; when every entry is held the cache grows past its maximum and
 * shrinks back as references are put.
 */
#include "x509.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "../sensor/limits.h"
#include "../sensor/log.h"
#include "../sensor/lru.h"
#include "../sensor/xmalloc.h"

struct x509_cache {
	uint64_t	 seed;		/* keys the fast hash (no flooding) */
	size_t		 max_bytes;	/* see x509_cert_bytes() */
	struct x509_cert **bucket;
	size_t		 nbucket;	/* power of two */
	size_t		 max;
	struct lru	 lru;		/* unheld entries, next to evict last */
	void		(*render_free)(void *);
	struct x509_stats st;
};

/* Names with XN_FLAG_RFC2253 but UTF-8 kept as is (not \XX escaped). */
#define X509_NAME_FLAGS	(XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)

/*
 * Algorithms OpenSSL 3.0 has no name for (FIPS 204 ML-DSA, FIPS 205
 * SLH-DSA are 3.5+).  Key and signature share the OID.
 */
static const struct {
	const char	*oid;
	const char	*name;
} x509_pq_names[] = {
	{ "2.16.840.1.101.3.4.3.17", "ML-DSA-44" },
	{ "2.16.840.1.101.3.4.3.18", "ML-DSA-65" },
	{ "2.16.840.1.101.3.4.3.19", "ML-DSA-87" },
	{ "2.16.840.1.101.3.4.3.20", "SLH-DSA-SHA2-128s" },
	{ "2.16.840.1.101.3.4.3.21", "SLH-DSA-SHA2-128f" },
	{ "2.16.840.1.101.3.4.3.22", "SLH-DSA-SHA2-192s" },
	{ "2.16.840.1.101.3.4.3.23", "SLH-DSA-SHA2-192f" },
	{ "2.16.840.1.101.3.4.3.24", "SLH-DSA-SHA2-256s" },
	{ "2.16.840.1.101.3.4.3.25", "SLH-DSA-SHA2-256f" },
	{ "2.16.840.1.101.3.4.3.26", "SLH-DSA-SHAKE-128s" },
	{ "2.16.840.1.101.3.4.3.27", "SLH-DSA-SHAKE-128f" },
	{ "2.16.840.1.101.3.4.3.28", "SLH-DSA-SHAKE-192s" },
	{ "2.16.840.1.101.3.4.3.29", "SLH-DSA-SHAKE-192f" },
	{ "2.16.840.1.101.3.4.3.30", "SLH-DSA-SHAKE-256s" },
	{ "2.16.840.1.101.3.4.3.31", "SLH-DSA-SHAKE-256f" },
};

/* Name of an algorithm OID: our table, OpenSSL's name, or dotted. */
static void
x509_oid_name(const ASN1_OBJECT *obj, int long_name, char *buf, size_t n)
{
	char dotted[128];
	size_t i;
	int nid;

	buf[0] = '\0';
	if (obj == NULL)
		return;
	if (OBJ_obj2txt(dotted, sizeof(dotted), obj, 1) <= 0)
		dotted[0] = '\0';
	for (i = 0; i < sizeof(x509_pq_names) / sizeof(x509_pq_names[0]);
	    i++) {
		if (strcmp(dotted, x509_pq_names[i].oid) == 0) {
			snprintf(buf, n, "%s", x509_pq_names[i].name);
			return;
		}
	}
	nid = OBJ_obj2nid(obj);
	if (nid != NID_undef)
		snprintf(buf, n, "%s",
		    long_name ? OBJ_nid2ln(nid) : OBJ_nid2sn(nid));
	else
		snprintf(buf, n, "%s", dotted);
}

static int
x509_digest(const EVP_MD *md, const uint8_t *p, size_t len, uint8_t *out)
{
	return EVP_Digest(p, len, out, NULL, md, NULL) == 1 ? 0 : -1;
}

/* RFC 4514 string of a name, xmalloc'd; NULL only when out of memory. */
static char *
x509_name_str(const X509_NAME *name)
{
	BIO *b;
	char *mem, *s;
	long n;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (name == NULL ||
	    X509_NAME_print_ex(b, name, 0, X509_NAME_FLAGS) < 0) {
		/* invalid UTF-8 in a UTF8String: fall back to \XX escapes */
		(void)BIO_reset(b);
		if (name != NULL)
			(void)X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253);
	}
	n = BIO_get_mem_data(b, &mem);
	if (n < 0)
		n = 0;
	if ((s = xmalloc((size_t)n + 1)) != NULL) {
		memcpy(s, mem, (size_t)n);
		s[n] = '\0';
	}
	BIO_free(b);
	return s;
}

/*
 * Serial as `openssl x509 -serial` prints it (i2a_ASN1_INTEGER): the
 * magnitude in upper-case hex, whole bytes, "-" first when negative
 * (RFC 5280 4.1.2.2 forbids it, but CAs have issued them), "00" for an
 * empty INTEGER.
 */
static char *
x509_serial_str(const ASN1_INTEGER *ai)
{
	static const char hex[] = "0123456789ABCDEF";
	const uint8_t *p = ASN1_STRING_get0_data(ai);
	size_t n = (size_t)ASN1_STRING_length(ai), i, o = 0;
	int neg = ASN1_STRING_type(ai) == V_ASN1_NEG_INTEGER;
	char *s;

	if ((s = xmalloc(2 * n + 4)) == NULL)
		return NULL;
	if (neg)
		s[o++] = '-';
	if (n == 0) {
		s[o++] = '0';
		s[o++] = '0';
	}
	for (i = 0; i < n; i++) {
		s[o++] = hex[p[i] >> 4];
		s[o++] = hex[p[i] & 15];
	}
	s[o] = '\0';
	return s;
}

/* UTCTime or GeneralizedTime (RFC 5280 4.1.2.5) as ISO 8601 UTC. */
static void
x509_time_str(const ASN1_TIME *t, char *buf, size_t n)
{
	struct tm tm;

	buf[0] = '\0';
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return;
	if (strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

static void
x509_copy_id(const ASN1_OCTET_STRING *id, uint8_t *dst, uint8_t *dst_len)
{
	int n;

	*dst_len = 0;
	if (id == NULL)
		return;
	n = ASN1_STRING_length(id);
	/* longer than any real key identifier: not reported */
	if (n <= 0 || n > 64)
		return;
	memcpy(dst, ASN1_STRING_get0_data(id), (size_t)n);
	*dst_len = (uint8_t)n;
}

static const char *
x509_key_base_name(int id)
{
	switch (id) {
	case EVP_PKEY_RSA:	return "RSA";
	case EVP_PKEY_RSA_PSS:	return "RSA-PSS";
	case EVP_PKEY_EC:	return "EC";
	case EVP_PKEY_DSA:	return "DSA";
	case EVP_PKEY_DH:	return "DH";
	case EVP_PKEY_ED25519:	return "Ed25519";
	case EVP_PKEY_ED448:	return "Ed448";
	case EVP_PKEY_X25519:	return "X25519";
	case EVP_PKEY_X448:	return "X448";
	default:		return NULL;
	}
}

/* Key type, size and curve; the OID's name when OpenSSL cannot load it. */
static void
x509_key_info(struct x509_cert *c)
{
	X509_PUBKEY *xpk = X509_get_X509_PUBKEY(c->x);
	ASN1_OBJECT *alg = NULL;
	EVP_PKEY *pk;
	const char *name;
	size_t len;

	pk = X509_get0_pubkey(c->x);
	name = pk != NULL ? x509_key_base_name(EVP_PKEY_get_base_id(pk)) : NULL;
	if (name != NULL)
		snprintf(c->key_type, sizeof(c->key_type), "%s", name);
	else if (xpk != NULL &&
	    X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, xpk) == 1)
		x509_oid_name(alg, 0, c->key_type, sizeof(c->key_type));
	if (pk == NULL)
		return;
	c->key_bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
	    c->curve, sizeof(c->curve), &len) != 1)
		c->curve[0] = '\0';	/* explicit parameters: no name */
}

int
x509_spki_sha256(X509 *x, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n, rc;

	if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0)
		return -1;
	rc = x509_digest(EVP_sha256(), der, (size_t)n, out);
	OPENSSL_free(der);
	return rc;
}

static int
x509_is_ca(X509 *x)
{
	BASIC_CONSTRAINTS *bc;
	int ca;

	bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	if (bc == NULL)
		return 0;
	ca = bc->ca != 0;
	BASIC_CONSTRAINTS_free(bc);
	return ca;
}

/* Self-signed: same name both sides AND the signature verifies with the
 * certificate's own key (a name match alone is trivially forged). */
static int
x509_self_signed(X509 *x)
{
	EVP_PKEY *pk;

	if (X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) != 0)
		return 0;
	if ((pk = X509_get0_pubkey(x)) == NULL)
		return 0;
	return X509_verify(x, pk) == 1;
}

/* Hex of an iPAddress that is not an address (name constraints form). */
static void
x509_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
}

/*
 * One GeneralName (RFC 5280 4.2.1.6) as struct x509_san describes it:
 * its length in *len, and its text in out unless out is NULL (measure
 * only).  -1 for the kinds that are not reported.
 */
static int
x509_gn_text(const GENERAL_NAME *gn, char *out, size_t *len)
{
	char ip[INET6_ADDRSTRLEN];
	const ASN1_STRING *s;
	const uint8_t *p;
	int type;

	s = GENERAL_NAME_get0_value(gn, &type);
	if (type != GEN_DNS && type != GEN_EMAIL && type != GEN_URI &&
	    type != GEN_IPADD)
		return -1;
	p = ASN1_STRING_get0_data(s);
	*len = ASN1_STRING_length(s) > 0 ? (size_t)ASN1_STRING_length(s) : 0;
	if (type != GEN_IPADD) {
		if (out != NULL && *len > 0)
			memcpy(out, p, *len);
		return 0;
	}
	if ((*len == 4 && inet_ntop(AF_INET, p, ip, sizeof(ip)) != NULL) ||
	    (*len == 16 && inet_ntop(AF_INET6, p, ip, sizeof(ip)) != NULL)) {
		*len = strlen(ip);
		if (out != NULL)
			memcpy(out, ip, *len);
		return 0;
	}
	if (out != NULL)
		x509_hex(p, *len, out);
	*len *= 2;
	return 0;
}

/*
 * The first LIM_X509_SAN_MAX names of the subjectAltName extension (a
 * certificate can carry thousands), in one allocation: the array, then
 * the text it points into.  -1 on allocation failure.
 */
static int
x509_san_extract(struct x509_cert *c)
{
	GENERAL_NAMES *gens;
	char *text;
	size_t i, k = 0, n, lim, len, total = 0;
	int rc = -1;

	gens = X509_get_ext_d2i(c->x, NID_subject_alt_name, NULL, NULL);
	n = gens != NULL ? (size_t)sk_GENERAL_NAME_num(gens) : 0;
	lim = n < LIM_X509_SAN_MAX ? n : LIM_X509_SAN_MAX;
	c->san_truncated = n > LIM_X509_SAN_MAX;
	for (i = 0; i < lim; i++)
		if (x509_gn_text(sk_GENERAL_NAME_value(gens, i), NULL,
		    &len) == 0) {
			total += len;
			k++;
		}
	if (k > 0) {
		c->san_bytes = k * sizeof(*c->san) + total;
		if ((c->san = xmalloc(c->san_bytes)) == NULL)
			goto out;
		text = (char *)(c->san + k);
		for (i = 0; i < lim; i++) {
			if (x509_gn_text(sk_GENERAL_NAME_value(gens, i), text,
			    &len) == -1)
				continue;
			c->san[c->nsan].v = text;
			c->san[c->nsan++].len = len;
			text += len;
		}
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

/* Fill the decoded fields from c->x.  -1 on allocation failure. */
static int
x509_extract(struct x509_cert *c)
{
	const ASN1_OBJECT *sig = NULL;

	c->version = (uint8_t)(X509_get_version(c->x) + 1);
	if ((c->subject = x509_name_str(X509_get_subject_name(c->x))) == NULL ||
	    (c->issuer = x509_name_str(X509_get_issuer_name(c->x))) == NULL ||
	    (c->serial = x509_serial_str(X509_get0_serialNumber(c->x))) == NULL)
		return -1;
	x509_time_str(X509_get0_notBefore(c->x), c->not_before,
	    sizeof(c->not_before));
	x509_time_str(X509_get0_notAfter(c->x), c->not_after,
	    sizeof(c->not_after));
	x509_copy_id(X509_get0_subject_key_id(c->x), c->ski, &c->ski_len);
	x509_copy_id(X509_get0_authority_key_id(c->x), c->aki, &c->aki_len);
	x509_key_info(c);
	(void)x509_spki_sha256(c->x, c->spki_sha256);
	X509_ALGOR_get0(&sig, NULL, NULL, X509_get0_tbs_sigalg(c->x));
	x509_oid_name(sig, 1, c->sig_alg, sizeof(c->sig_alg));
	c->is_ca = (uint8_t)x509_is_ca(c->x);
	c->self_signed = (uint8_t)x509_self_signed(c->x);
	return x509_san_extract(c);
}

/* d2i_X509 on exactly [der, der + len); sets c->x or c->parse_error. */
static void
x509_decode(struct x509_cert *c)
{
	const unsigned char *p = c->der;
	X509 *x;

	if (c->der_len == 0 || c->der_len > (size_t)INT32_MAX) {
		c->parse_error = "bad certificate length";
		return;
	}
	x = d2i_X509(NULL, &p, (long)c->der_len);
	if (x == NULL) {
		c->parse_error = "DER decoding failed";
		return;
	}
	if ((size_t)(p - c->der) != c->der_len) {
		c->parse_error = "trailing bytes after certificate";
		X509_free(x);
		return;
	}
	c->x = x;
}

struct x509_cert *
x509_cert_new(const uint8_t *der, size_t len)
{
	struct x509_cert *c;

	if ((c = xcalloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (len > 0 && (c->der = xmalloc(len)) == NULL)
		goto fail;
	if (len > 0)
		memcpy(c->der, der, len);
	c->der_len = len;
	if (x509_digest(EVP_sha256(), c->der, len, c->sha256) == -1 ||
	    x509_digest(EVP_sha1(), c->der, len, c->sha1) == -1)
		goto fail;
	x509_decode(c);
	if (c->x != NULL && x509_extract(c) == -1)
		goto fail;
	/* OpenSSL queues errors for bad input and unknown keys: drop them */
	ERR_clear_error();
	return c;
fail:
	ERR_clear_error();
	x509_cert_free(c);
	return NULL;
}

void
x509_cert_free(struct x509_cert *c)
{
	if (c == NULL)
		return;
	DEBUG_ASSERT(c->render == NULL);	/* the cache frees it */
	X509_free(c->x);
	xfree(c->subject);
	xfree(c->issuer);
	xfree(c->serial);
	xfree(c->san);
	xfree(c->der);
	xfree(c);
}

/* PEM (RFC 7468 section 5) of the DER copy: works for unparsable ones. */
char *
x509_pem(const struct x509_cert *c)
{
	static const char hdr[] = "-----BEGIN CERTIFICATE-----\n";
	static const char ftr[] = "-----END CERTIFICATE-----\n";
	size_t i, o, chunk, lines, cap;
	char *s;

	if (c == NULL || c->der_len == 0 || c->der_len > (size_t)INT32_MAX)
		return NULL;
	lines = (c->der_len + 47) / 48;		/* 48 bytes = 64 chars */
	cap = sizeof(hdr) + sizeof(ftr) + lines * 66 + 1;
	if ((s = xmalloc(cap)) == NULL)
		return NULL;
	memcpy(s, hdr, sizeof(hdr) - 1);
	o = sizeof(hdr) - 1;
	for (i = 0; i < c->der_len; i += chunk) {
		chunk = c->der_len - i < 48 ? c->der_len - i : 48;
		o += (size_t)EVP_EncodeBlock((unsigned char *)s + o,
		    c->der + i, (int)chunk);
		s[o++] = '\n';
	}
	memcpy(s + o, ftr, sizeof(ftr));
	return s;
}

/* --- the cache ---------------------------------------------------- */

struct x509_cache *
x509_cache_new(size_t max_entries)
{
	struct x509_cache *xc;
	size_t nb = 16;

	if (max_entries == 0)
		max_entries = 1;
	while (nb < max_entries && nb < ((size_t)1 << 30))
		nb <<= 1;
	if ((xc = xcalloc(1, sizeof(*xc))) == NULL)
		return NULL;
	if ((xc->bucket = xcalloc(nb, sizeof(*xc->bucket))) == NULL) {
		xfree(xc);
		return NULL;
	}
	xc->nbucket = nb;
	xc->max = max_entries;
	lru_init(&xc->lru);
	xc->max_bytes = LIM_X509_CACHE_BYTES;
	if (getrandom(&xc->seed, sizeof(xc->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(xc->seed))
		xc->seed = (uint64_t)(uintptr_t)xc ^ 0x6a09e667f3bcc909ull;
	return xc;
}

/*
 * The cache is keyed by a fast keyed hash of the DER and confirmed by
 * comparing the DER itself, so a hit costs ~1 instruction per byte
 * instead of a SHA-256 (~20); the SHA-256 is computed once, on a miss.
 * The per-process seed keeps crafted certificates from being steered into
 * one bucket.
 */
static uint64_t
x509_fast_hash(uint64_t seed, const uint8_t *p, size_t n)
{
	const uint64_t m = 0x9e3779b97f4a7c15ull;
	uint64_t h = seed ^ (n * m), w;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	w = 0;
	if (i < n)
		memcpy(&w, p + i, n - i);
	h = (h ^ w) * m;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static size_t
x509_bucket(const struct x509_cache *xc, uint64_t fast)
{
	return (size_t)(fast & (xc->nbucket - 1));
}

static void
x509_hash_unlink(struct x509_cache *xc, struct x509_cert *c)
{
	struct x509_cert **pp = &xc->bucket[x509_bucket(xc, c->fast)];

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp == c)
		*pp = c->hnext;
	c->hnext = NULL;
}

/* What an entry weighs against the cache's byte cap. */
static size_t
x509_cert_bytes(const struct x509_cert *c)
{
	return sizeof(*c) + c->der_len + c->san_bytes + c->render_len;
}

/* Free an entry and the caller's rendering kept in it. */
static void
x509_entry_free(struct x509_cache *xc, struct x509_cert *c)
{
	if (c->render != NULL)
		xc->render_free(c->render);
	c->render = NULL;
	x509_cert_free(c);
}

/* Evict unheld entries, oldest first, until there is room for one more. */
static void
x509_cache_trim(struct x509_cache *xc, size_t room)
{
	struct lru_node *n;
	struct x509_cert *c;

	while ((xc->st.entries + room > xc->max ||
	    xc->st.bytes > xc->max_bytes) &&
	    (n = lru_oldest(&xc->lru)) != NULL) {
		c = LRU_ENTRY(n, struct x509_cert, lru);
		lru_unlink(&xc->lru, n);
		x509_hash_unlink(xc, c);
		xc->st.bytes -= x509_cert_bytes(c);
		x509_entry_free(xc, c);
		xc->st.entries--;
		xc->st.evictions++;
	}
}

static struct x509_cert *
x509_cache_find(struct x509_cache *xc, uint64_t fast, const uint8_t *der,
    size_t len)
{
	struct x509_cert *c;

	for (c = xc->bucket[x509_bucket(xc, fast)]; c != NULL; c = c->hnext)
		if (c->fast == fast && c->der_len == len &&
		    (len == 0 || memcmp(c->der, der, len) == 0))
			return c;
	return NULL;
}

struct x509_cert *
x509_cache_get(struct x509_cache *xc, const uint8_t *der, size_t len)
{
	uint64_t fast = x509_fast_hash(xc->seed, der, len);
	struct x509_cert *c;
	size_t b;

	xc->st.lookups++;
	if ((c = x509_cache_find(xc, fast, der, len)) != NULL) {
		xc->st.hits++;
		if (c->refs++ == 0)
			lru_unlink(&xc->lru, &c->lru);
		return c;
	}
	x509_cache_trim(xc, 1);
	if ((c = x509_cert_new(der, len)) == NULL)
		return NULL;
	if (c->x != NULL)
		xc->st.parsed++;
	else
		xc->st.parse_errors++;
	c->fast = fast;
	xc->st.bytes += x509_cert_bytes(c);
	b = x509_bucket(xc, fast);
	c->hnext = xc->bucket[b];
	xc->bucket[b] = c;
	c->refs = 1;
	xc->st.entries++;
	return c;
}

void
x509_cert_put(struct x509_cache *xc, struct x509_cert *c)
{
	if (c == NULL || c->refs == 0)
		return;
	if (--c->refs > 0)
		return;
	lru_push(&xc->lru, &c->lru);
	/* grown past max while everything was held: shrink back */
	x509_cache_trim(xc, 0);
}

void
x509_cache_set_max_bytes(struct x509_cache *xc, size_t max_bytes)
{
	xc->max_bytes = max_bytes;
	x509_cache_trim(xc, 0);
}

void
x509_cache_set_render_free(struct x509_cache *xc, void (*fn)(void *))
{
	xc->render_free = fn;
}

int
x509_cert_set_render(struct x509_cache *xc, struct x509_cert *c, void *p,
    size_t len)
{
	if (xc->render_free == NULL)
		return -1;
	if (c->render != NULL)
		xc->render_free(c->render);
	xc->st.bytes -= c->render_len;
	c->render = p;
	c->render_len = len;
	xc->st.bytes += len;
	return 0;
}

const struct x509_stats *
x509_cache_stats(const struct x509_cache *xc)
{
	return &xc->st;
}

void
x509_cache_free(struct x509_cache *xc)
{
	struct x509_cert *c, *next;
	size_t i;

	if (xc == NULL)
		return;
	for (i = 0; i < xc->nbucket; i++) {
		for (c = xc->bucket[i]; c != NULL; c = next) {
			next = c->hnext;
			x509_entry_free(xc, c);
		}
	}
	xfree(xc->bucket);
	xfree(xc);
}
