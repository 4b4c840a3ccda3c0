/*
 * tls_fp.c - client and server fingerprints from the hello bodies.
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

#define FP_MAX_VALS	512

/* The values of one hello that the fingerprints read. */
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

/* u16 vector with an n-byte length prefix into arr. */
static int
fp_vec16(struct cur *c, int lenbytes, uint16_t *arr, size_t *n)
{
	struct cur v;
	uint16_t l16, x;
	uint8_t l8;

	if (lenbytes == 1 ? cur_u8(c, &l8) == -1 : cur_be16(c, &l16) == -1)
		return -1;
	if (cur_sub(c, lenbytes == 1 ? l8 : l16, &v) == -1)
		return -1;
	while (cur_left(&v) >= 2) {
		if (cur_be16(&v, &x) == -1)
			return -1;
		fp_add(arr, n, x);
	}
	return cur_left(&v) == 0 ? 0 : -1;
}

/* RFC 8422 5.1.2 ec_point_formats <1..2^8-1> of u8. */
static int
fp_pfmts(struct cur *c, struct fp_hello *h)
{
	struct cur v;
	uint8_t l8, x;

	if (cur_u8(c, &l8) == -1 || cur_sub(c, l8, &v) == -1)
		return -1;
	while (cur_left(&v) > 0) {
		if (cur_u8(&v, &x) == -1)
			return -1;
		fp_add(h->pfmts, &h->n_pfmts, x);
	}
	return 0;
}

static int
fp_alnum(uint8_t ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= 'a' && ch <= 'z');
}

/* JA4: first and last character of the first ALPN value (hex nibbles
 * when either is not alphanumeric). */
static void
fp_alpn(struct cur *c, struct fp_hello *h)
{
	static const char hx[] = "0123456789abcdef";
	struct cur list, name;
	uint16_t l16;
	uint8_t l8, first, last;

	if (cur_be16(c, &l16) == -1 || cur_sub(c, l16, &list) == -1 ||
	    cur_u8(&list, &l8) == -1 || l8 == 0 ||
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
	h->alpn[2] = '\0';
}

/* One extension's contents that a fingerprint needs. */
static int
fp_ext(struct fp_hello *h, uint16_t type, struct cur *e, int client)
{
	struct cur sv = *e;
	uint16_t v, vers[FP_MAX_VALS];
	size_t n = 0, i;

	if (!client)
		return 0;
	switch (type) {
	case 0:
		h->has_sni = 1;
		return 0;
	case 10:
		return fp_vec16(e, 2, h->groups, &h->n_groups);
	case 11:
		return fp_pfmts(e, h);
	case 13:
		return fp_vec16(e, 2, h->sigalgs, &h->n_sigalgs);
	case 16:
		fp_alpn(e, h);
		return 0;
	case 43:
		if (fp_vec16(&sv, 1, vers, &n) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			v = vers[i];
			if (h->max_sv == 0 || (v >= 0xfe00 ? v < h->max_sv :
			    v > h->max_sv))
				h->max_sv = v;
		}
		return 0;
	default:
		return 0;
	}
}

static int
fp_exts(struct cur *c, struct fp_hello *h, int client)
{
	struct cur exts, e;
	uint16_t l16, type, elen;

	if (cur_left(c) == 0)
		return 0;
	if (cur_be16(c, &l16) == -1 || cur_sub(c, l16, &exts) == -1)
		return -1;
	while (cur_left(&exts) > 0) {
		if (cur_be16(&exts, &type) == -1 ||
		    cur_be16(&exts, &elen) == -1 ||
		    cur_sub(&exts, elen, &e) == -1)
			return -1;
		fp_add(h->exts, &h->n_exts, type);
		if (fp_ext(h, type, &e, client) == -1)
			return -1;
	}
	return 0;
}

/* ClientHello fields (layout in tls_hs.c). */
static int
fp_parse_ch(struct fp_hello *h, const uint8_t *body, size_t len, int dtls)
{
	struct cur c, skip;
	uint8_t n8;

	memset(h, 0, sizeof(*h));
	strcpy(h->alpn, "00");
	cur_init(&c, body, len);
	if (cur_be16(&c, &h->version) == -1 || cur_skip(&c, 32) == -1 ||
	    cur_u8(&c, &n8) == -1 || cur_skip(&c, n8) == -1)
		return -1;
	if (dtls && (cur_u8(&c, &n8) == -1 || cur_skip(&c, n8) == -1))
		return -1;
	if (fp_vec16(&c, 2, h->ciphers, &h->n_ciphers) == -1 ||
	    cur_u8(&c, &n8) == -1 || cur_sub(&c, n8, &skip) == -1)
		return -1;
	return fp_exts(&c, h, 1);
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
	    dtls ? 'd' : 't',
	    fp_ja4_version(h->max_sv != 0 ? h->max_sv : h->version),
	    h->has_sni ? 'd' : 'i',
	    (unsigned)(h->n_ciphers > 99 ? 99 : h->n_ciphers),
	    (unsigned)(h->n_exts > 99 ? 99 : h->n_exts), h->alpn, b, c);
}

int
tls_fp_client_hello(const struct tls_ctx *ctx, struct tls_session *s,
    const uint8_t *body, size_t len, int dtls)
{
	struct fp_hello *h;

	if ((h = xmalloc(sizeof(*h))) == NULL)
		return -1;
	if (fp_parse_ch(h, body, len, dtls) == -1) {
		xfree(h);
		return -1;
	}
	fp_ja3(ctx, s, h);
	fp_ja4(ctx, s, h, dtls);
	xfree(h);
	return 0;
}

/* ServerHello (layout in tls_hs.c): JA3S. */
int
tls_fp_server_hello(const struct tls_ctx *ctx, struct tls_session *s,
    const uint8_t *body, size_t len)
{
	struct fp_hello *h;
	struct cur c;
	uint16_t cipher;
	uint8_t n8, comp;
	char buf[4096];
	struct fp_buf b = { buf, 0, sizeof(buf) };
	int rv = -1;

	if ((h = xcalloc(1, sizeof(*h))) == NULL)
		return -1;
	cur_init(&c, body, len);
	if (cur_be16(&c, &h->version) == -1 || cur_skip(&c, 32) == -1 ||
	    cur_u8(&c, &n8) == -1 || cur_skip(&c, n8) == -1 ||
	    cur_be16(&c, &cipher) == -1 || cur_u8(&c, &comp) == -1 ||
	    fp_exts(&c, h, 0) == -1)
		goto out;
	buf[0] = '\0';
	fp_num(&b, h->version, 0);
	fp_puts(&b, ",");
	fp_num(&b, cipher, 0);
	fp_puts(&b, ",");
	fp_list(&b, h->exts, h->n_exts, 0, "-");
	xfree(s->ja3s);
	s->ja3s = xstrdup(buf);
	if (fp_digest(ctx->md5, buf, s->ja3s_md5, 32) == -1)
		s->ja3s_md5[0] = '\0';
	rv = 0;
out:
	xfree(h);
	return rv;
}
