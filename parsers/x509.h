/*
 * x509.h - certificates, decoded by OpenSSL, cached by SHA-256.
 *
 * x509_cache_get() hashes the DER, and on a miss decodes it with d2i_X509
 * (which must consume every byte) and extracts the fields a tls event
 * reports, as data.  A certificate seen a million times is parsed once.
 * A certificate OpenSSL cannot decode is still an entry (x == NULL,
 * parse_error set) and is reported by its hash.
 *
 * This module writes no JSON: sensor/ renders an entry the first time it
 * reports it and keeps the text in the entry's render slot (opaque here,
 * freed with the callback registered on the cache), so it too is done
 * once per cached certificate.
 *
 * Entries are reference counted: x509_cert_put() when done.  The cache
 * evicts least recently used entries nobody holds.  A cache belongs to
 * one worker.
 */
#ifndef ROOTWATCH_X509_H
#define ROOTWATCH_X509_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "../sensor/lru.h"

/*
 * One subjectAltName entry (RFC 5280 4.2.1.6) as reported: dNSName,
 * rfc822Name and URI as sent (any bytes: len, not NUL), iPAddress as text,
 * or as lower-case hex when it is not 4 or 16 bytes.  Other kinds are
 * skipped.
 */
struct x509_san {
	const char	*v;
	size_t		 len;
};

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
	struct x509_san	*san;		/* in one allocation with its text */
	size_t		 nsan;
	uint8_t		 san_truncated;	/* more than LIM_X509_SAN_MAX names */
	size_t		 san_bytes;
	uint8_t		*der;		/* copy, for PEM output and evidence */
	size_t		 der_len;
	/* the caller's rendering (x509_cert_set_render), opaque here */
	void		*render;
	size_t		 render_len;
	/* signals.c's memo: the interception product its issuer names
	 * (NULL: none), for the signals of generation product_gen (0: not
	 * looked up yet) */
	uint64_t	 product_gen;
	const char	*product;
	/* cache bookkeeping */
	uint64_t	 fast;		/* keyed fast hash of der: the cache key */
	uint32_t	 refs;
	struct x509_cert *hnext;
	struct lru_node	 lru;		/* on the LRU while refs == 0 */
};

struct x509_stats {
	uint64_t	lookups;
	uint64_t	hits;
	uint64_t	parsed;
	uint64_t	parse_errors;
	uint64_t	evictions;
	uint64_t	entries;
	uint64_t	bytes;		/* entries, DER, names, renderings */
};

/* SHA-256 of x's DER SubjectPublicKeyInfo, as it appears in the
 * certificate (Chromium's pin hash).  0, or -1 on OpenSSL's failure. */
int	x509_spki_sha256(X509 *x, uint8_t out[32]);

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
/* How the cache frees a render slot (set before the first render). */
void	x509_cache_set_render_free(struct x509_cache *, void (*)(void *));
/*
 * Keep p (len bytes, counted against the cache's byte cap) in the render
 * slot of c, an entry of xc, until the entry goes; an earlier rendering
 * is freed.  -1 (p not kept) when no free callback is registered.
 */
int	x509_cert_set_render(struct x509_cache *, struct x509_cert *, void *p,
	    size_t len);

/* PEM text of the certificate (xmalloc'd, NUL-terminated), NULL on error. */
char	*x509_pem(const struct x509_cert *);

/* Decode one certificate without the cache (tests, rules loader); such a
 * certificate has no render slot. */
struct x509_cert *x509_cert_new(const uint8_t *der, size_t len);
void	x509_cert_free(struct x509_cert *);

#endif
