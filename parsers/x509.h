/*
 * x509.h - certificates, decoded by OpenSSL, cached by SHA-256.
 *
 * x509_cache_get() hashes the DER, and on a miss decodes it with d2i_X509
 * (which must consume every byte), extracts the fields a tls event reports
 * and renders them once as a JSON object.  A certificate seen a million
 * times is parsed once.  A certificate OpenSSL cannot decode is still an
 * entry (x == NULL, parse_error set) and is reported by its hash.
 *
 * Entries are reference counted: x509_cert_put() when done.  The cache
 * evicts least recently used entries nobody holds.
 */
#ifndef ROOTWATCH_X509_H
#define ROOTWATCH_X509_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

struct x509_cert {
	uint8_t		 sha256[32];
	uint8_t		 sha1[20];
	uint8_t		 spki_sha256[32];
	X509		*x;		/* NULL when OpenSSL could not parse it */
	const char	*parse_error;	/* static string when x == NULL */
	char		*subject;	/* RFC 4514, UTF-8 */
	char		*issuer;
	uint8_t		 ski[64];
	uint8_t		 ski_len;
	uint8_t		 aki[64];	/* keyIdentifier of the AKI */
	uint8_t		 aki_len;
	uint8_t		 is_ca;
	uint8_t		 self_signed;	/* issuer == subject and verifies */
	uint8_t		 version;	/* 1..3 (X509_get_version() + 1) */
	char		*serial;	/* upper-case hex, whole bytes, "-" if
					   negative (as `openssl x509 -serial`) */
	char		 not_before[24];/* "2014-05-01T00:00:00Z", "" if bad */
	char		 not_after[24];
	char		 key_type[48];	/* "RSA", "EC", "ML-DSA-44", OID... */
	int		 key_bits;	/* 0 when OpenSSL cannot decode the key */
	char		 curve[48];	/* EC group name, "" otherwise */
	char		 sig_alg[64];	/* OpenSSL long name, or dotted OID */
	char		*json;		/* the certificate object, no PEM */
	size_t		 json_len;
	uint8_t		*der;		/* copy, for PEM output and evidence */
	size_t		 der_len;
	/* cache bookkeeping */
	uint64_t	 fast;		/* keyed fast hash of der: the cache key */
	uint32_t	 refs;
	struct x509_cert *hnext, *lru_prev, *lru_next;
};

struct x509_stats {
	uint64_t	lookups;
	uint64_t	hits;
	uint64_t	parsed;
	uint64_t	parse_errors;
	uint64_t	evictions;
	uint64_t	entries;
	uint64_t	bytes;		/* DER + JSON held by the cache */
};

struct x509_cache;

struct x509_cache *x509_cache_new(size_t max_entries);
void	x509_cache_free(struct x509_cache *);

/* Entry for this DER (new reference), NULL only on allocation failure. */
struct x509_cert *x509_cache_get(struct x509_cache *, const uint8_t *der,
	    size_t len);
void	x509_cert_put(struct x509_cache *, struct x509_cert *);
const struct x509_stats *x509_cache_stats(const struct x509_cache *);
/* Evict unheld entries while the cache holds more than max_bytes. */
void	x509_cache_set_max_bytes(struct x509_cache *, size_t max_bytes);

/* PEM text of the certificate (xmalloc'd, NUL-terminated), NULL on error. */
char	*x509_pem(const struct x509_cert *);

/* Decode one certificate without the cache (tests, rules loader). */
struct x509_cert *x509_cert_new(const uint8_t *der, size_t len);
void	x509_cert_free(struct x509_cert *);

#endif
