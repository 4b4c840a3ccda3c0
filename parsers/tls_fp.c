/*
 * tls_fp.c - client and server fingerprints of a parsed hello (struct
 * tls_hello, tls_hello.c): it walks only vectors that parse checked.
 *
 * JA3  (salesforce/ja3): "SSLVersion,Ciphers,Extensions,EllipticCurves,
 *      EllipticCurvePointFormats", decimal, '-' separated, GREASE values
 *      (RFC 8701, 0x?a?a) removed; MD5 of the string.
 * JA3S: "SSLVersion,Cipher,Extensions"; MD5.
 * JA4  (FoxIO): a_b_c where
 *      a = proto (t, d) + version + SNI (d/i) + 2-digit cipher count +
 *          2-digit extension count + first/last char of the first ALPN
 *      b = first 12 hex of SHA-256 of the sorted cipher list ("%04x,")
 *      c = first 12 hex of SHA-256 of the sorted extension list without
 *          SNI and ALPN, then '_' and the signature algorithms in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cur.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

#define FP_MAX_VALS	LIM_TLS_HELLO_VALS

/* The values of one hello that the fingerprints read, GREASE dropped. */
struct fp_hello {
	uint16_t	version;
	uint16_t	ciphers[FP_MAX_VALS];
	size_t		n_ciphers;
	uint16_t	exts[FP_MAX_VALS];
	size_t		n_exts;
	uint16_t	groups[FP_MAX_VALS];
	size_t		n_groups;
	uint16_t	pfmts[FP_MAX_VALS];
	size_t		n_pfmts;
	uint16_t	sigalgs[FP_MAX_VALS];
	size_t		n_sigalgs;
	uint16_t	max_sv;		/* highest supported_versions */
	uint8_t		has_sni;
	char		alpn[3];
};

/* A growable string with a fixed cap: formatting never overflows. */
struct fp_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static int
fp_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void
fp_add(uint16_t *arr, size_t *n, uint16_t v)
{
	if (!fp_is_grease(v) && *n < FP_MAX_VALS)
		arr[(*n)++] = v;
}

/* Append a literal. */
static void
fp_puts(struct fp_buf *b, const char *str)
{
	size_t n = strlen(str);

	if (b->len + n + 1 > b->cap)
		return;
	memcpy(b->p + b->len, str, n + 1);
	b->len += n;
}

/* Append one value, decimal (JA3) or 4-digit hex (JA4).  Formatted by
 * hand: a ClientHello has ~100 values and snprintf was a fifth of the
 * handshake path's instructions. */
static void
fp_num(struct fp_buf *b, unsigned v, int hex)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[8];
	size_t i = sizeof(tmp) - 1;

	v &= 0xffff;
	tmp[i] = '\0';
	if (hex) {
		tmp[--i] = digits[v & 15];
		tmp[--i] = digits[(v >> 4) & 15];
		tmp[--i] = digits[(v >> 8) & 15];
		tmp[--i] = digits[v >> 12];
	} else {
		do {
			tmp[--i] = (char)('0' + v % 10);
			v /= 10;
		} while (v > 0);
	}
	fp_puts(b, tmp + i);
}

static void
fp_list(struct fp_buf *b, const uint16_t *v, size_t n, int hex,
    const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			fp_puts(b, sep);
		fp_num(b, v[i], hex);
	}
}

/*
 * Hex digest of s with type (the worker's fetched MD5 or SHA-256, see
 * tls_ctx_init); hexlen chars kept.
 */
static int
fp_digest(const EVP_MD *type, const char *s, char *out, size_t hexlen)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0, i;

	if (type == NULL ||
	    EVP_Digest(s, strlen(s), dig, &dlen, type, NULL) != 1)
		return -1;
	for (i = 0; i < dlen && 2 * (size_t)i < hexlen; i++) {
		out[2 * i] = "0123456789abcdef"[dig[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[dig[i] & 15];
	}
	out[hexlen] = '\0';
	return 0;
}

/* The values of a checked vector of width-byte elements into arr. */
static void
fp_vals(struct cur v, size_t width, uint16_t *arr, size_t *n)
{
	uint16_t x = 0;
	uint8_t b = 0;

	*n = 0;
	while (cur_left(&v) >= width) {
		if (width == 1) {
			(void)cur_u8(&v, &b);
			x = b;
		} else
			(void)cur_be16(&v, &x);
		fp_add(arr, n, x);
	}
}

static int
fp_alnum(uint8_t ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= 'a' && ch <= 'z');
}

/* JA4: first and last character of the first ALPN value (hex nibbles
 * when either is not alphanumeric); "00" without one. */
static void
fp_alpn(struct cur list, struct fp_hello *h)
{
	static const char hx[] = "0123456789abcdef";
	struct cur name;
	uint8_t l8, first = 0, last = 0;

	strcpy(h->alpn, "00");
	if (cur_u8(&list, &l8) == -1 || l8 == 0 ||
	    cur_sub(&list, l8, &name) == -1)
		return;
	(void)cur_peek_u8(&name, 0, &first);
	(void)cur_peek_u8(&name, (size_t)l8 - 1, &last);
	if (fp_alnum(first) && fp_alnum(last)) {
		h->alpn[0] = (char)first;
		h->alpn[1] = (char)last;
	} else {
		h->alpn[0] = hx[first >> 4];
		h->alpn[1] = hx[last & 0xf];
	}
}

/* JA4's version: the highest supported_versions value (DTLS counts
 * down from 0xfeff), else the legacy version. */
static uint16_t
fp_max_version(const struct tls_hello *th)
{
	uint16_t vers[FP_MAX_VALS], v, max = 0;
	size_t n, i;

	fp_vals(th->versions, 2, vers, &n);
	for (i = 0; i < n; i++) {
		v = vers[i];
		if (max == 0 || (v >= 0xfe00 ? v < max : v > max))
			max = v;
	}
	return max != 0 ? max : th->version;
}

/* What the fingerprints read of a parsed ClientHello. */
static void
fp_from_hello(struct fp_hello *h, const struct tls_hello *th)
{
	size_t i;

	h->version = th->version;
	fp_vals(th->ciphers, 2, h->ciphers, &h->n_ciphers);
	h->n_exts = 0;
	for (i = 0; i < th->n_exts; i++)
		fp_add(h->exts, &h->n_exts, th->ext_types[i]);
	fp_vals(th->groups, 2, h->groups, &h->n_groups);
	fp_vals(th->point_formats, 1, h->pfmts, &h->n_pfmts);
	fp_vals(th->sigalgs, 2, h->sigalgs, &h->n_sigalgs);
	h->max_sv = fp_max_version(th);
	h->has_sni = (th->seen & TLS_HELLO_SNI) != 0;
	fp_alpn(th->alpn, h);
}

static int
fp_cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

static void
fp_ja3(const struct tls_ctx *ctx, struct tls_session *s,
    const struct fp_hello *h)
{
	char buf[8192];
	struct fp_buf b = { buf, 0, sizeof(buf) };

	buf[0] = '\0';
	fp_num(&b, h->version, 0);
	fp_puts(&b, ",");
	fp_list(&b, h->ciphers, h->n_ciphers, 0, "-");
	fp_puts(&b, ",");
	fp_list(&b, h->exts, h->n_exts, 0, "-");
	fp_puts(&b, ",");
	fp_list(&b, h->groups, h->n_groups, 0, "-");
	fp_puts(&b, ",");
	fp_list(&b, h->pfmts, h->n_pfmts, 0, "-");
	xfree(s->ja3);
	s->ja3 = xstrdup(buf);
	if (fp_digest(ctx->md5, buf, s->ja3_md5, 32) == -1)
		s->ja3_md5[0] = '\0';
}

static const char *
fp_ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: case 0x0200: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

/* SHA-256 (12 hex) of a sorted, comma-joined 4-hex list (+ "_" tail). */
static void
fp_ja4_hash(const struct tls_ctx *ctx, const uint16_t *v, size_t n,
    const uint16_t *tail, size_t ntail, char out[13])
{
	char buf[8192];
	struct fp_buf b = { buf, 0, sizeof(buf) };
	uint16_t sorted[FP_MAX_VALS];

	if (n == 0) {
		strcpy(out, "000000000000");
		return;
	}
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), fp_cmp16);
	buf[0] = '\0';
	fp_list(&b, sorted, n, 1, ",");
	if (ntail > 0) {
		fp_puts(&b, "_");
		fp_list(&b, tail, ntail, 1, ",");
	}
	if (fp_digest(ctx->sha256, buf, out, 12) == -1)
		strcpy(out, "000000000000");
}

static void
fp_ja4(const struct tls_ctx *ctx, struct tls_session *s,
    const struct fp_hello *h, int dtls)
{
	uint16_t exts[FP_MAX_VALS];
	size_t n = 0, i;
	char b[13], c[13];

	for (i = 0; i < h->n_exts; i++)
		if (h->exts[i] != 0x0000 && h->exts[i] != 0x0010)
			exts[n++] = h->exts[i];
	fp_ja4_hash(ctx, h->ciphers, h->n_ciphers, NULL, 0, b);
	if (h->n_exts == 0)
		strcpy(c, "000000000000");
	else
		fp_ja4_hash(ctx, exts, n, h->sigalgs, h->n_sigalgs, c);
	snprintf(s->ja4, sizeof(s->ja4), "%c%s%c%02u%02u%s_%s_%s",
	    dtls == TLS_FP_QUIC ? 'q' : dtls ? 'd' : 't',
	    fp_ja4_version(h->max_sv != 0 ? h->max_sv : h->version),
	    h->has_sni ? 'd' : 'i',
	    (unsigned)(h->n_ciphers > 99 ? 99 : h->n_ciphers),
	    (unsigned)(h->n_exts > 99 ? 99 : h->n_exts), h->alpn, b, c);
}

void
tls_fp_client_hello(const struct tls_ctx *ctx, struct tls_session *s,
    const struct tls_hello *th, int dtls)
{
	struct fp_hello h;

	fp_from_hello(&h, th);
	fp_ja3(ctx, s, &h);
	fp_ja4(ctx, s, &h, dtls);
}

/* JA3S: the ServerHello's version, cipher and extension types. */
void
tls_fp_server_hello(const struct tls_ctx *ctx, struct tls_session *s,
    const struct tls_hello *th)
{
	uint16_t exts[FP_MAX_VALS];
	size_t n = 0, i;
	char buf[4096];
	struct fp_buf b = { buf, 0, sizeof(buf) };

	for (i = 0; i < th->n_exts; i++)
		fp_add(exts, &n, th->ext_types[i]);
	buf[0] = '\0';
	fp_num(&b, th->version, 0);
	fp_puts(&b, ",");
	fp_num(&b, th->cipher, 0);
	fp_puts(&b, ",");
	fp_list(&b, exts, n, 0, "-");
	xfree(s->ja3s);
	s->ja3s = xstrdup(buf);
	if (fp_digest(ctx->md5, buf, s->ja3s_md5, 32) == -1)
		s->ja3s_md5[0] = '\0';
}
