/*
 * quic.c - QUIC long headers, Initial packet protection, CRYPTO frame
 * reassembly and Google QUIC CHLOs: the client's first flight.
 *
 * Long header (RFC 9000 17.2, RFC 8999 5.1):
 *
 *   +-+-+-+-+-+-+-+-+----------+------+------+------+------+
 *   |1|F|T T|X X P P| version  | DCIL | DCID | SCIL | SCID |
 *   +-+-+-+-+-+-+-+-+----------+------+------+------+------+
 *       1                4        1    0..20    1    0..20
 *   Initial (T = 0; v2: 1, RFC 9369 3.2):
 *   | token length (i) | token | length (i) | packet number (1..4) |
 *   | payload (AEAD, 16-byte tag) ... |
 *
 * Initial protection (RFC 9001 5.2, 5.3, 5.4): initial_secret =
 * HKDF-Extract(salt(version), client's first DCID); client_initial =
 * HKDF-Expand-Label(initial_secret, "client in", 32); key, iv, hp from
 * "quic key" / "quic iv" / "quic hp" ("quicv2 ..." for v2).  Header
 * protection: AES-128-ECB(hp, 16 bytes sampled 4 bytes after the packet
 * number's start) masks the low 4 bits of byte 0 and the packet number;
 * the payload is AES-128-GCM with nonce iv ^ packet number and the
 * unprotected header as AAD.
 *
 * The ClientHello travels in CRYPTO frames (RFC 9000 19.6) that may be
 * split over several Initials, out of order, even out of order inside
 * one packet: they are placed by offset in a per-flow buffer capped at
 * quic.crypto-max, and the hello is parsed by tls_hello.c once its bytes
 * from offset 0 are all there.
 */
#include "quic.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cur.h"
#include "parse.h"
#include "tls.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

/* Bytes of one AEAD tag, header protection sample, key and nonce. */
#define QUIC_TAG	16
#define QUIC_SAMPLE	16
/* A long header's connection IDs are at most 20 bytes (RFC 9000 17.2). */
#define QUIC_CID_MAX	20
/* CRYPTO buffer growth step (bytes). */
#define QUIC_CRYPTO_STEP 2048
/* Bytes of a bitmap of n bits. */
#define QUIC_BITS(n)	(((n) + 7) / 8)

enum quic_salt {
	SALT_NONE = -1,
	SALT_V1, SALT_D29, SALT_D23, SALT_D22, SALT_V2, SALT_Q050,
	SALT_T050, SALT_T051, SALT_MAX
};

/* RFC 9001 5.2, RFC 9369 3.3.1, draft-ietf-quic-tls-22/-23/-29, and
 * Google's Q050/T050/T051 salts (as published by their stacks). */
static const uint8_t quic_salts[SALT_MAX][20] = {
	[SALT_V1] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d,
	    0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a },
	[SALT_D29] = { 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e,
	    0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 },
	[SALT_D23] = { 0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11,
	    0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02 },
	[SALT_D22] = { 0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19,
	    0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a },
	[SALT_V2] = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81,
	    0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 },
	[SALT_Q050] = { 0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d,
	    0x94, 0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45 },
	[SALT_T050] = { 0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55,
	    0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10 },
	[SALT_T051] = { 0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4,
	    0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d },
};

/* How a version frames its first flight. */
enum quic_family {
	QF_UNKNOWN,
	QF_IETF,	/* RFC 9000 long header, TLS in CRYPTO frames */
	QF_Q050,	/* IETF header, CHLO (not TLS) in CRYPTO frames */
	QF_GLONG,	/* Q046: long header, CID length nibbles, plaintext */
	QF_GPUBLIC,	/* Q043 and before: public header, plaintext */
};

struct quic_ver {
	enum quic_family family;
	enum quic_salt	 salt;	/* SALT_NONE: try the known ones */
	uint8_t		 v2;	/* RFC 9369 packet types and labels */
};

static int
quic_is_reserved(uint32_t v)
{
	return (v & 0x0f0f0f0fu) == 0x0a0a0a0au;
}

/* Google versions are four ASCII characters, 'Q' or 'T' and 3 digits. */
static int
quic_is_google(uint32_t v)
{
	int i;

	if ((v >> 24) != 'Q' && (v >> 24) != 'T')
		return 0;
	for (i = 0; i < 3; i++)
		if (((v >> (8 * i)) & 0xff) < '0' ||
		    ((v >> (8 * i)) & 0xff) > '9')
			return 0;
	return 1;
}

static struct quic_ver
quic_ver_info(uint32_t v)
{
	struct quic_ver q = { QF_IETF, SALT_NONE, 0 };

	if (v == 0x00000001 || v == 0xff000021 || v == 0xff000022)
		q.salt = SALT_V1;
	else if (v == 0x6b3343cf || v == 0x709a50c4 || v == 0xff020000) {
		q.salt = SALT_V2;
		q.v2 = 1;
	} else if (v == 0xff000016 || v == 0xfaceb001)
		q.salt = SALT_D22;
	else if ((v >= 0xff000017 && v <= 0xff00001c) || v == 0xfaceb002)
		q.salt = SALT_D23;
	else if ((v >= 0xff00001d && v <= 0xff000020) || v == 0xfaceb00e)
		q.salt = SALT_D29;
	else if (v == 0x54303530)
		q.salt = SALT_T050;
	else if (v == 0x54303531)
		q.salt = SALT_T051;
	else if (v == 0x51303530) {
		q.family = QF_Q050;
		q.salt = SALT_Q050;
	} else if (v == 0x51303434 || v == 0x51303435 || v == 0x51303436)
		q.family = QF_GLONG;
	else if (quic_is_google(v))
		q.family = QF_GPUBLIC;
	else if (!quic_is_reserved(v) && (v >> 8) != 0xfaceb0 &&
	    (v >> 8) != 0xff0000)
		q.family = QF_UNKNOWN;
	return q;
}

int
quic_ctx_init(struct quic_ctx *c, const struct limits *lim,
    struct tls_ctx *tls)
{
	memset(c, 0, sizeof(*c));
	c->tls = tls;
	c->crypto_max = lim->quic_crypto_max;
	c->buflen = 65536;	/* the largest UDP payload */
	c->ecb = EVP_CIPHER_CTX_new();
	c->gcm = EVP_CIPHER_CTX_new();
	c->buf = xmalloc(c->buflen);
	if (c->ecb == NULL || c->gcm == NULL || c->buf == NULL) {
		quic_ctx_free(c);
		return -1;
	}
	return 0;
}

void
quic_ctx_free(struct quic_ctx *c)
{
	EVP_CIPHER_CTX_free(c->ecb);
	EVP_CIPHER_CTX_free(c->gcm);
	xfree(c->buf);
	c->ecb = c->gcm = NULL;
	c->buf = NULL;
}

/* RFC 9000 16: variable-length integer, 1/2/4/8 bytes by the top bits. */
static int
quic_varint(struct cur *c, uint64_t *v)
{
	uint8_t b;
	size_t n, i;

	if (cur_u8(c, &b) == -1)
		return -1;
	n = (size_t)1 << (b >> 6);
	*v = b & 0x3f;
	for (i = 1; i < n; i++) {
		if (cur_u8(c, &b) == -1)
			return -1;
		*v = *v << 8 | b;
	}
	return 0;
}

/* RFC 8446 7.1 HKDF-Expand-Label with an empty context, out <= 32. */
static int
quic_expand_label(const struct quic_ctx *c, const uint8_t secret[32],
    const char *label, uint8_t *out, size_t outlen)
{
	uint8_t info[64], t[EVP_MAX_MD_SIZE];
	size_t ll = strlen(label), n = 0;
	unsigned tlen = 0;

	if (6 + ll > 40 || outlen > 32)
		return -1;
	info[n++] = (uint8_t)(outlen >> 8);
	info[n++] = (uint8_t)outlen;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;		/* context <0..255>: empty */
	info[n++] = 1;		/* HKDF-Expand: T(1) = HMAC(PRK, info | 1) */
	if (HMAC((const EVP_MD *)c->tls->sha256, secret, 32, info, n, t,
	    &tlen) == NULL || tlen < outlen)
		return -1;
	memcpy(out, t, outlen);
	return 0;
}

static int
quic_derive(const struct quic_ctx *c, enum quic_salt salt, int v2,
    const uint8_t *dcid, size_t dcid_len, struct quic_keys *k)
{
	uint8_t init[EVP_MAX_MD_SIZE], cs[32];
	unsigned ilen = 0;
	const char *p = v2 ? "quicv2 " : "quic ";
	char l[16];
	int r = 0;

	if (c->tls->sha256 == NULL || HMAC((const EVP_MD *)c->tls->sha256,
	    quic_salts[salt], 20, dcid, dcid_len, init, &ilen) == NULL ||
	    ilen != 32 || quic_expand_label(c, init, "client in", cs, 32) == -1)
		return -1;
	snprintf(l, sizeof(l), "%skey", p);
	r |= quic_expand_label(c, cs, l, k->key, sizeof(k->key));
	snprintf(l, sizeof(l), "%siv", p);
	r |= quic_expand_label(c, cs, l, k->iv, sizeof(k->iv));
	snprintf(l, sizeof(l), "%shp", p);
	r |= quic_expand_label(c, cs, l, k->hp, sizeof(k->hp));
	return r;
}

/* AES-128-ECB of one block: the header protection mask. */
static int
quic_hp_mask(struct quic_ctx *c, const uint8_t hp[16], const uint8_t *sample,
    uint8_t mask[16])
{
	int n = 0;

	return EVP_EncryptInit_ex(c->ecb, EVP_aes_128_ecb(), NULL, hp,
	    NULL) == 1 && EVP_CIPHER_CTX_set_padding(c->ecb, 0) == 1 &&
	    EVP_EncryptUpdate(c->ecb, mask, &n, sample, QUIC_SAMPLE) == 1 &&
	    n == 16 ? 0 : -1;
}

/* AES-128-GCM open, in place: 0 when the tag verified. */
static int
quic_open(struct quic_ctx *c, const struct quic_keys *k, const uint8_t *nonce,
    uint8_t *aad, size_t aadlen, uint8_t *ct, size_t ctlen, uint8_t *tag)
{
	int n = 0;

	if (aadlen > INT32_MAX || ctlen > INT32_MAX)
		return -1;
	if (EVP_DecryptInit_ex(c->gcm, EVP_aes_128_gcm(), NULL, NULL,
	    NULL) != 1 || EVP_CIPHER_CTX_ctrl(c->gcm, EVP_CTRL_GCM_SET_IVLEN,
	    12, NULL) != 1 || EVP_DecryptInit_ex(c->gcm, NULL, NULL, k->key,
	    nonce) != 1 || EVP_DecryptUpdate(c->gcm, NULL, &n, aad,
	    (int)aadlen) != 1 || EVP_DecryptUpdate(c->gcm, ct, &n, ct,
	    (int)ctlen) != 1 || EVP_CIPHER_CTX_ctrl(c->gcm,
	    EVP_CTRL_GCM_SET_TAG, QUIC_TAG, tag) != 1)
		return -1;
	return EVP_DecryptFinal_ex(c->gcm, ct + n, &n) == 1 ? 0 : -1;
}

/*
 * Remove header protection and open one Initial of plen bytes (from its
 * first byte), packet number at pn_off, copied into c->buf.  On success
 * *pt and *ptlen are the plaintext inside c->buf.
 */
static int
quic_unprotect(struct quic_ctx *c, const struct quic_keys *k,
    const uint8_t *pkt, size_t plen, size_t pn_off, const uint8_t **pt,
    size_t *ptlen)
{
	uint8_t mask[16], nonce[12], *b = c->buf;
	size_t pnl, i, hlen;
	uint64_t pn = 0;

	if (plen > c->buflen || plen < pn_off + 4 + QUIC_SAMPLE ||
	    plen < pn_off + 4 + QUIC_TAG)
		return -1;
	memcpy(b, pkt, plen);
	if (quic_hp_mask(c, k->hp, b + pn_off + 4, mask) == -1)
		return -1;
	b[0] ^= mask[0] & 0x0f;		/* long header: 4 bits */
	pnl = (size_t)(b[0] & 0x03) + 1;
	for (i = 0; i < pnl; i++) {
		b[pn_off + i] ^= mask[1 + i];
		pn = pn << 8 | b[pn_off + i];
	}
	hlen = pn_off + pnl;
	if (plen < hlen + QUIC_TAG)
		return -1;
	memcpy(nonce, k->iv, sizeof(nonce));
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	if (quic_open(c, k, nonce, b, hlen, b + hlen, plen - hlen - QUIC_TAG,
	    b + plen - QUIC_TAG) == -1)
		return -1;
	*pt = b + hlen;
	*ptlen = plen - hlen - QUIC_TAG;
	return 0;
}

struct quic_flow *
quic_flow_new(struct quic_ctx *c)
{
	struct quic_flow *q;

	(void)c;
	if ((q = xcalloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->client_dir = -1;
	return q;
}

static void
quic_crypto_release(struct quic_ctx *c, struct quic_flow *q)
{
	if (q->crypto_cap > 0)
		tls_mem_give(c->tls, q->crypto_cap + QUIC_BITS(q->crypto_cap));
	xfree(q->crypto);
	xfree(q->filled);
	q->crypto = q->filled = NULL;
	q->crypto_cap = 0;
}

void
quic_flow_free(struct quic_ctx *c, struct quic_flow *q)
{
	if (q == NULL)
		return;
	quic_crypto_release(c, q);
	xfree(q->ja3);
	xfree(q->cyu);
	xfree(q);
}

/* Grow the CRYPTO buffer to hold [0, end); 0 or -1 (cap, memory). */
static int
quic_crypto_grow(struct quic_ctx *c, struct quic_flow *q, size_t end)
{
	size_t ncap = (end + QUIC_CRYPTO_STEP - 1) / QUIC_CRYPTO_STEP *
	    QUIC_CRYPTO_STEP;
	uint8_t *nb, *nf;
	size_t more;

	if (end <= q->crypto_cap)
		return 0;
	if (ncap > c->crypto_max)
		ncap = c->crypto_max;
	more = (ncap - q->crypto_cap) + (QUIC_BITS(ncap) -
	    QUIC_BITS(q->crypto_cap));
	if (tls_mem_take(c->tls, more) == -1) {
		q->anomalies |= 1u << QUIC_ANOM_MEMCAP;
		c->st.memcap_refused++;
		return -1;
	}
	nb = xreallocarray(q->crypto, ncap, 1);
	if (nb != NULL)
		q->crypto = nb;
	nf = nb != NULL ? xreallocarray(q->filled, QUIC_BITS(ncap), 1) : NULL;
	if (nf == NULL) {
		tls_mem_give(c->tls, more);
		return -1;
	}
	memset(nf + QUIC_BITS(q->crypto_cap), 0, QUIC_BITS(ncap) -
	    QUIC_BITS(q->crypto_cap));
	q->filled = nf;
	q->crypto_cap = ncap;
	return 0;
}

/* Place CRYPTO data at off; bytes already there stay (first copy wins). */
static void
quic_crypto_put(struct quic_ctx *c, struct quic_flow *q, uint64_t off,
    struct cur *data)
{
	size_t len = cur_left(data), i, o;
	uint8_t b;

	if (off >= c->crypto_max || len > c->crypto_max - off) {
		q->anomalies |= 1u << QUIC_ANOM_CRYPTO_CAP;
		c->st.crypto_cap_hits++;
		if (off >= c->crypto_max)
			return;
		len = c->crypto_max - (size_t)off;
	}
	if (len == 0 || quic_crypto_grow(c, q, (size_t)off + len) == -1)
		return;
	for (i = 0; i < len; i++) {
		if (cur_u8(data, &b) == -1)
			break;
		o = (size_t)off + i;
		if (q->filled[o / 8] & (1u << (o % 8)))
			continue;
		q->crypto[o] = b;
		q->filled[o / 8] |= (uint8_t)(1u << (o % 8));
	}
	while (q->contig < q->crypto_cap &&
	    (q->filled[q->contig / 8] & (1u << (q->contig % 8))))
		q->contig++;
}

/* Printable copy of a wire string: other bytes become '?'. */
static void
quic_strcpy(char *dst, size_t dstlen, struct cur *src)
{
	size_t n = 0;
	uint8_t b;

	while (n + 1 < dstlen && cur_u8(src, &b) == 0)
		dst[n++] = b >= 0x20 && b < 0x7f ? (char)b : '?';
	dst[n] = '\0';
}

/* ProtocolNameList (checked whole by tls_hello.c) as "h3,h3-29". */
static void
quic_alpn_list(char *dst, size_t dstlen, struct cur list)
{
	struct cur name;
	size_t n = 0, i;
	uint8_t len, b;

	dst[0] = '\0';
	while (cur_u8(&list, &len) == 0 && cur_sub(&list, len, &name) == 0) {
		if (n > 0 && n + 1 < dstlen)
			dst[n++] = ',';
		for (i = 0; i < len && n + 1 < dstlen; i++)
			if (cur_u8(&name, &b) == 0)
				dst[n++] = b >= 0x20 && b < 0x7f && b != ',' ?
				    (char)b : '?';
		dst[n] = '\0';
	}
}

/* The ClientHello parsed: the event's fields, JA3 and JA4 ("q"). */
static void
quic_take_hello(struct quic_ctx *c, struct quic_flow *q,
    const struct tls_hello *h)
{
	struct tls_session s;
	size_t i;

	if (h->seen & TLS_HELLO_SNI) {
		struct cur sni = h->sni;

		quic_strcpy(q->sni, sizeof(q->sni), &sni);
	}
	if (h->seen & TLS_HELLO_ALPN)
		quic_alpn_list(q->alpn, sizeof(q->alpn), h->alpn);
	for (i = 0; i < h->n_exts && q->n_exts < QUIC_MAX_EXTS; i++)
		q->exts[q->n_exts++] = h->ext_types[i];
	memset(&s, 0, sizeof(s));
	if (c->tls->md5 != NULL && !h->ext_bad) {
		tls_fp_client_hello(c->tls, &s, h, TLS_FP_QUIC);
		q->ja3 = s.ja3;		/* ours now */
		memcpy(q->ja3_md5, s.ja3_md5, sizeof(q->ja3_md5));
		memcpy(q->ja4, s.ja4, sizeof(q->ja4));
	}
}

/*
 * Once the CRYPTO bytes from offset 0 hold a whole handshake message
 * (type 1 ClientHello, 24-bit length, RFC 8446 4), parse it.
 */
static void
quic_try_hello(struct quic_ctx *c, struct quic_flow *q)
{
	struct cur m, body;
	struct tls_hello h;
	uint8_t type;
	uint32_t len;

	cur_init(&m, q->crypto, q->contig);
	if (q->hello_done || cur_u8(&m, &type) == -1 ||
	    cur_be24(&m, &len) == -1)
		return;
	if (type != 1) {
		q->anomalies |= 1u << QUIC_ANOM_BAD_HELLO;
		q->hello_done = 1;
		return;
	}
	if ((size_t)len + 4 > c->crypto_max) {
		q->anomalies |= 1u << QUIC_ANOM_CRYPTO_CAP;
		c->st.crypto_cap_hits++;
		q->hello_done = 1;
		return;
	}
	if (cur_sub(&m, len, &body) == -1)
		return;		/* more CRYPTO data to come */
	q->hello_done = 1;
	c->st.hellos++;
	if (tls_hello_parse(&h, cur_ptr(&body), cur_left(&body), 1, 0) !=
	    PARSE_OK) {
		q->anomalies |= 1u << QUIC_ANOM_BAD_HELLO;
		return;
	}
	quic_take_hello(c, q, &h);
	quic_crypto_release(c, q);	/* nothing more to read there */
}

/* RFC 9000 19.3 ACK (type 2, 3 with ECN counts): skipped. */
static int
quic_skip_ack(struct cur *c, uint64_t type)
{
	uint64_t v, n, i;

	if (quic_varint(c, &v) == -1 || quic_varint(c, &v) == -1 ||
	    quic_varint(c, &n) == -1 || quic_varint(c, &v) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (quic_varint(c, &v) == -1 || quic_varint(c, &v) == -1)
			return -1;
	if (type == 3)
		for (i = 0; i < 3; i++)
			if (quic_varint(c, &v) == -1)
				return -1;
	return 0;
}

/* RFC 9000 19.19 CONNECTION_CLOSE (0x1c with a frame type, 0x1d). */
static int
quic_skip_close(struct cur *c, uint64_t type)
{
	uint64_t v, rlen;

	if (quic_varint(c, &v) == -1 ||
	    (type == 0x1c && quic_varint(c, &v) == -1) ||
	    quic_varint(c, &rlen) == -1 || rlen > cur_left(c))
		return -1;
	return cur_skip(c, (size_t)rlen);
}

/*
 * The frames an Initial may carry (RFC 9000 12.4 table 3): PADDING,
 * PING, ACK, CRYPTO, CONNECTION_CLOSE.  CRYPTO (19.6):
 *   type (i) = 0x06 | offset (i) | length (i) | data
 * Google's T050/T051 number CRYPTO 0x08 (gQUIC's frame space).
 */
static void
quic_frames(struct quic_ctx *c, struct quic_flow *q, struct cur *p,
    uint64_t crypto_type)
{
	struct cur data;
	uint64_t type, off, len;

	while (cur_left(p) > 0) {
		if (quic_varint(p, &type) == -1)
			goto bad;
		if (type == 0x00 || type == 0x01)
			continue;
		if (type == 0x02 || type == 0x03) {
			if (quic_skip_ack(p, type) == -1)
				goto bad;
		} else if (type == 0x1c || type == 0x1d) {
			if (quic_skip_close(p, type) == -1)
				goto bad;
		} else if (type == crypto_type) {
			if (quic_varint(p, &off) == -1 ||
			    quic_varint(p, &len) == -1 || len > cur_left(p) ||
			    cur_sub(p, (size_t)len, &data) == -1)
				goto bad;
			if (!q->hello_done)
				quic_crypto_put(c, q, off, &data);
		} else
			goto bad;
	}
	return;
bad:
	q->anomalies |= 1u << QUIC_ANOM_BAD_FRAME;
}

/* CYU (Suricata's gQUIC fingerprint): "46,PAD-SNI-..." and its MD5. */
static void
quic_cyu(struct quic_ctx *c, struct quic_flow *q, uint32_t version,
    struct cur idx, uint16_t n)
{
	char buf[1024];
	size_t len, i;
	uint8_t tag[4];
	uint32_t end;
	unsigned int mdlen = 0;
	uint8_t md[EVP_MAX_MD_SIZE];
	uint16_t k;

	/* Suricata names Q043..Q046 only (Q045 as 44) */
	if (version < 0x51303433 || version > 0x51303436 || c->tls->md5 == NULL)
		return;
	len = (size_t)snprintf(buf, sizeof(buf), "%s,", version == 0x51303433 ?
	    "43" : version == 0x51303436 ? "46" : "44");
	for (k = 0; k < n && len + 6 < sizeof(buf); k++) {
		if (cur_bytes(&idx, tag, 4) == -1 || cur_le32(&idx, &end) == -1)
			return;
		if (k > 0)
			buf[len++] = '-';
		for (i = 0; i < 4 && tag[i] != 0; i++)
			buf[len++] = tag[i] >= 0x20 && tag[i] < 0x7f ?
			    (char)tag[i] : '?';
	}
	buf[len] = '\0';
	if (EVP_Digest(buf, len, md, &mdlen, (const EVP_MD *)c->tls->md5,
	    NULL) != 1 || mdlen != 16)
		return;
	for (i = 0; i < 16; i++)
		snprintf(q->cyu_md5 + 2 * i, 3, "%02x", md[i]);
	xfree(q->cyu);
	q->cyu = xstrdup(buf);
}

/*
 * gQUIC crypto handshake message (QUIC Crypto, "CHLO"):
 *
 *   +------+-------+---------+--------------------------+--------+
 *   | CHLO | n(le) | pad (2) | n x {tag (4), end (le32)} | values |
 *   +------+-------+---------+--------------------------+--------+
 *
 * Each value runs from the previous tag's end offset to its own.  SNI
 * and UAID (user agent) are kept.  PARSE_MORE while the values are not
 * all there yet.
 */
static enum parse_result
quic_chlo(struct quic_ctx *c, struct quic_flow *q, uint32_t version,
    struct cur m)
{
	struct cur idx, vals, walk, v, t;
	uint8_t tag[4];
	uint16_t n, pad;
	uint32_t end, prev = 0, k;

	if (cur_bytes(&m, tag, 4) == -1 || memcmp(tag, "CHLO", 4) != 0 ||
	    cur_le16(&m, &n) == -1 || cur_le16(&m, &pad) == -1)
		return cur_left(&m) < 8 ? PARSE_MORE : PARSE_BAD;
	if (cur_sub(&m, (size_t)n * 8, &idx) == -1)
		return PARSE_MORE;
	vals = m;
	walk = idx;
	for (k = 0; k < n; k++) {
		if (cur_bytes(&walk, tag, 4) == -1 ||
		    cur_le32(&walk, &end) == -1 || end < prev)
			return PARSE_BAD;
		t = vals;
		if (cur_skip(&t, prev) == -1 ||
		    cur_sub(&t, end - prev, &v) == -1)
			return PARSE_MORE;
		if (memcmp(tag, "SNI\0", 4) == 0)
			quic_strcpy(q->sni, sizeof(q->sni), &v);
		else if (memcmp(tag, "UAID", 4) == 0)
			quic_strcpy(q->ua, sizeof(q->ua), &v);
		prev = end;
	}
	quic_cyu(c, q, version, idx, n);
	q->gquic = 1;
	q->hello_done = 1;
	c->st.hellos++;
	return PARSE_OK;
}

/*
 * gQUIC frames of a plaintext packet (Q043, Q046): the CHLO rides on a
 * STREAM frame of stream 1,
 *   type 1fdooossB: f FIN, d data length present, ooo offset length
 *   (0, or ooo + 1 bytes), ss stream id length (ss + 1 bytes)
 *   | stream id | offset | [data length (be16)] | data
 * A CHLO that does not fit one packet is not followed (PAD fills it to
 * the packet size in practice).
 */
static void
quic_gquic_frames(struct quic_ctx *c, struct quic_flow *q, uint32_t version,
    struct cur *p)
{
	struct cur data;
	uint8_t type;
	uint16_t dlen;
	size_t olen;

	while (cur_u8(p, &type) == 0) {
		if (type == 0x00)		/* PADDING: the rest */
			return;
		if (!(type & 0x80))		/* ACK, ...: not followed */
			return;
		olen = (type >> 2) & 7;
		olen = olen == 0 ? 0 : olen + 1;
		if (cur_skip(p, (size_t)(type & 3) + 1 + olen) == -1)
			goto bad;
		if (type & 0x20) {
			if (cur_be16(p, &dlen) == -1 ||
			    cur_sub(p, dlen, &data) == -1)
				goto bad;
		} else if (cur_sub(p, cur_left(p), &data) == -1)
			goto bad;
		if (quic_chlo(c, q, version, data) == PARSE_OK)
			return;
	}
	return;
bad:
	q->anomalies |= 1u << QUIC_ANOM_BAD_CHLO;
}

/*
 * Q050: IETF-style frames in the Initial; the CHLO in CRYPTO frames
 * (type 0x08 in Google's numbering: offset (i), length (i), data),
 * reassembled as the TLS ones are.
 */
static void
quic_q050_frames(struct quic_ctx *c, struct quic_flow *q, uint32_t version,
    struct cur *p)
{
	struct cur data, all;
	uint64_t type, off, len;

	while (cur_left(p) > 0) {
		if (quic_varint(p, &type) == -1)
			goto bad;
		if (type == 0x00)
			continue;
		if (type != 0x08 || quic_varint(p, &off) == -1 ||
		    quic_varint(p, &len) == -1 || len > cur_left(p) ||
		    cur_sub(p, (size_t)len, &data) == -1)
			goto bad;
		quic_crypto_put(c, q, off, &data);
	}
	cur_init(&all, q->crypto, q->contig);
	if (!q->hello_done && quic_chlo(c, q, version, all) == PARSE_BAD)
		q->anomalies |= 1u << QUIC_ANOM_BAD_CHLO;
	if (q->hello_done)
		quic_crypto_release(c, q);
	return;
bad:
	q->anomalies |= 1u << QUIC_ANOM_BAD_FRAME;
}

/* One attempt: keys for salt from dcid, then open. */
static int
quic_try_salt(struct quic_ctx *c, struct quic_flow *q, enum quic_salt salt,
    struct cur dcid, const uint8_t *pkt, size_t plen, size_t pn_off,
    const uint8_t **pt, size_t *ptlen)
{
	struct quic_keys k;
	size_t n = cur_left(&dcid);

	if (n > QUIC_CID_MAX || quic_derive(c, salt, salt == SALT_V2,
	    cur_ptr(&dcid), n, &k) == -1 ||
	    quic_unprotect(c, &k, pkt, plen, pn_off, pt, ptlen) == -1)
		return -1;
	/* Later Initials of the connection use these keys, whatever their
	 * DCID (RFC 9001 5.2: the client's first DCID; a Retry or a new
	 * connection after Version Negotiation brings new ones). */
	q->okeys = k;
	q->odcid_len = (uint8_t)n;
	(void)cur_bytes(&dcid, q->odcid, n);
	q->salt_idx = (uint8_t)salt;
	return 0;
}

/*
 * Open a client Initial.  Keys already found for the connection first;
 * then the version's salt with this packet's DCID; for reserved and
 * unknown versions (a client that forces Version Negotiation says
 * nothing of its salt) v1, draft-29 and draft-23 in turn.
 */
static int
quic_decrypt(struct quic_ctx *c, struct quic_flow *q, struct quic_ver vi,
    struct cur dcid, const uint8_t *pkt, size_t plen, size_t pn_off,
    const uint8_t **pt, size_t *ptlen)
{
	static const enum quic_salt guess[] = { SALT_V1, SALT_D29, SALT_D23 };
	size_t i;

	if (q->odcid_len > 0 && quic_unprotect(c, &q->okeys, pkt, plen,
	    pn_off, pt, ptlen) == 0)
		return 0;
	if (vi.salt != SALT_NONE)
		return quic_try_salt(c, q, vi.salt, dcid, pkt, plen, pn_off,
		    pt, ptlen);
	for (i = 0; i < sizeof(guess) / sizeof(guess[0]); i++)
		if (quic_try_salt(c, q, guess[i], dcid, pkt, plen, pn_off, pt,
		    ptlen) == 0)
			return 0;
	return -1;
}

/* Failed Initials after which a flow stops trying (a flood of junk
 * with a QUIC-looking header costs at most this many key derivations). */
#define QUIC_MAX_FAILS	8

static void
quic_initial(struct quic_ctx *c, struct quic_flow *q, uint32_t version,
    struct quic_ver vi, struct cur dcid, struct cur pkt, size_t pn_off)
{
	const uint8_t *pt;
	size_t ptlen;
	struct cur p;

	q->initials++;
	c->st.initials++;
	if (q->hello_done || q->failed >= QUIC_MAX_FAILS)
		return;
	if (quic_decrypt(c, q, vi, dcid, cur_ptr(&pkt), cur_left(&pkt),
	    pn_off, &pt, &ptlen) == -1) {
		q->failed++;
		c->st.decrypt_failed++;
		q->anomalies |= 1u << QUIC_ANOM_DECRYPT_FAILED;
		return;
	}
	q->decrypted++;
	c->st.decrypted++;
	cur_init(&p, pt, ptlen);
	if (vi.family == QF_Q050) {
		quic_q050_frames(c, q, version, &p);
		return;
	}
	quic_frames(c, q, &p, quic_is_google(version) ? 0x08 : 0x06);
	quic_try_hello(c, q);
}

static void
quic_note_version(struct quic_flow *q, uint32_t v)
{
	if (q->n_versions > 0 && q->versions[q->n_versions - 1] == v)
		return;
	if (q->n_versions < QUIC_MAX_VERSIONS)
		q->versions[q->n_versions++] = v;
}

/* Long header packet type, as v1 numbers it (v2 rotates them). */
enum { QT_INITIAL, QT_0RTT, QT_HANDSHAKE, QT_RETRY };

static int
quic_type(uint8_t b0, struct quic_ver vi)
{
	int t = (b0 >> 4) & 3;

	return vi.v2 ? (t + 3) % 4 : t;
}

/*
 * Q044..Q046 long header: CID lengths as two nibbles (0, or n + 3),
 * packet number ((b0 & 3) + 1 bytes), a 12-byte message hash, then
 * plaintext gQUIC frames.
 */
static enum parse_result
quic_glong(struct quic_ctx *c, struct quic_flow *q, uint32_t v, uint8_t b0,
    struct cur *h)
{
	uint8_t cil;
	size_t dl, sl;

	if (cur_u8(h, &cil) == -1)
		return PARSE_BAD;
	dl = cil >> 4;
	sl = cil & 0x0f;
	dl = dl == 0 ? 0 : dl + 3;
	sl = sl == 0 ? 0 : sl + 3;
	if (cur_skip(h, dl + sl + (size_t)(b0 & 3) + 1 + 12) == -1)
		return PARSE_BAD;
	q->initials++;
	c->st.initials++;
	if (!q->hello_done)
		quic_gquic_frames(c, q, v, h);
	return PARSE_OK;
}

/*
 * One long-header packet of the client at the start of *d, which is
 * advanced past it: a datagram may coalesce several (RFC 9000 12.2),
 * e.g. an Initial and 0-RTT.  PARSE_BAD stops the datagram.
 */
static enum parse_result
quic_long(struct quic_ctx *c, struct quic_flow *q, struct cur *d)
{
	struct cur h = *d, dcid, scid, pkt;
	struct quic_ver vi;
	uint8_t b0, dl, sl;
	uint32_t v;
	uint64_t tl, len;
	size_t pn_off;
	int type;

	if (cur_u8(&h, &b0) == -1 || cur_be32(&h, &v) == -1 || v == 0)
		goto bad;
	vi = quic_ver_info(v);
	quic_note_version(q, v);
	if (vi.family == QF_GLONG) {
		(void)cur_skip(d, cur_left(d));
		return quic_glong(c, q, v, b0, &h) == PARSE_OK ? PARSE_OK :
		    PARSE_BAD;
	}
	if (cur_u8(&h, &dl) == -1 || dl > QUIC_CID_MAX ||
	    cur_sub(&h, dl, &dcid) == -1 || cur_u8(&h, &sl) == -1 ||
	    sl > QUIC_CID_MAX || cur_sub(&h, sl, &scid) == -1)
		goto bad;
	type = quic_type(b0, vi);
	if (type == QT_RETRY)		/* no length: the rest */
		return cur_skip(d, cur_left(d)) == 0 ? PARSE_OK : PARSE_BAD;
	/* RFC 9000 17.2.2: token length and token */
	if (type == QT_INITIAL && (quic_varint(&h, &tl) == -1 || tl > cur_left(&h) ||
	    cur_skip(&h, (size_t)tl) == -1))
		goto bad;
	if (quic_varint(&h, &len) == -1 || len > cur_left(&h))
		goto bad;
	pn_off = cur_left(d) - cur_left(&h);
	if (cur_sub(d, pn_off + (size_t)len, &pkt) == -1)
		goto bad;
	if (type == QT_INITIAL)
		quic_initial(c, q, v, vi, dcid, pkt, pn_off);
	return PARSE_OK;
bad:
	q->anomalies |= 1u << QUIC_ANOM_BAD_HEADER;
	return PARSE_BAD;
}

/*
 * gQUIC public header (Q043 and before):
 *   flags (1) | [CID (8) if 0x08] | [version (4) if 0x01]
 *   | packet number (1, 2, 4, 6 by bits 0x30) | message hash (12)
 *   | plaintext frames
 * Only packets with a version (the client's, before negotiation ends)
 * carry the CHLO.  A short IETF header (0x40 set) ends here too.
 */
static void
quic_gpublic(struct quic_ctx *c, struct quic_flow *q, struct cur *d)
{
	static const size_t pnl[4] = { 1, 2, 4, 6 };
	struct cur h = *d;
	uint8_t b0;
	uint32_t v;

	(void)cur_skip(d, cur_left(d));
	if (cur_u8(&h, &b0) == -1 || !(b0 & 0x01) || !(b0 & 0x08) ||
	    cur_skip(&h, 8) == -1 || cur_be32(&h, &v) == -1 ||
	    !quic_is_google(v))
		return;
	quic_note_version(q, v);
	if (cur_skip(&h, pnl[(b0 >> 4) & 3] + 12) == -1)
		return;
	q->initials++;
	c->st.initials++;
	if (!q->hello_done)
		quic_gquic_frames(c, q, v, &h);
}

int
quic_detect(const uint8_t *data, size_t len)
{
	struct cur c;
	uint8_t b0, dl;
	uint32_t v;

	cur_init(&c, data, len);
	if (cur_u8(&c, &b0) == -1)
		return 0;
	if (!(b0 & 0x80))	/* gQUIC public header with a version */
		return (b0 & 0x09) == 0x09 && cur_skip(&c, 8) == 0 &&
		    cur_be32(&c, &v) == 0 && quic_is_google(v);
	if (cur_be32(&c, &v) == -1 || v == 0 ||
	    quic_ver_info(v).family == QF_UNKNOWN)
		return 0;
	if (quic_ver_info(v).family == QF_GLONG)
		return 1;
	return cur_u8(&c, &dl) == 0 && dl <= QUIC_CID_MAX;
}

/* Who sent the first datagram we saw: client unless it is a packet
 * only a server sends (Version Negotiation, Retry, Handshake first). */
static int
quic_client_dir(const uint8_t *data, size_t len, int dir)
{
	struct cur c;
	uint8_t b0;
	uint32_t v;
	int t;

	cur_init(&c, data, len);
	if (cur_u8(&c, &b0) == -1 || !(b0 & 0x80) || cur_be32(&c, &v) == -1)
		return dir;
	if (v == 0)
		return !dir;
	if (quic_ver_info(v).family == QF_GLONG)
		return dir;
	t = quic_type(b0, quic_ver_info(v));
	return t == QT_RETRY || t == QT_HANDSHAKE ? !dir : dir;
}

/* A server datagram: an answer unless Version Negotiation or Retry. */
static void
quic_server(struct quic_flow *q, const uint8_t *data, size_t len)
{
	struct cur c;
	uint8_t b0;
	uint32_t v;

	q->server_seen = 1;
	cur_init(&c, data, len);
	if (cur_u8(&c, &b0) == -1)
		return;
	if ((b0 & 0x80) && cur_be32(&c, &v) == 0 && (v == 0 ||
	    (quic_ver_info(v).family != QF_GLONG &&
	    quic_type(b0, quic_ver_info(v)) == QT_RETRY)))
		return;
	q->server_answer = 1;
}

void
quic_datagram(struct quic_ctx *c, struct quic_flow *q, int dir,
    const uint8_t *data, size_t len)
{
	struct cur d;
	uint8_t b0;

	if (len == 0)
		return;
	if (q->client_dir < 0)
		q->client_dir = (int8_t)quic_client_dir(data, len, dir);
	if (dir != q->client_dir) {
		quic_server(q, data, len);
		return;
	}
	cur_init(&d, data, len);
	while (cur_peek_u8(&d, 0, &b0) == 0) {
		if (b0 == 0)		/* padding after the packets */
			break;
		if (!(b0 & 0x80)) {
			quic_gpublic(c, q, &d);
			break;
		}
		if (quic_long(c, q, &d) != PARSE_OK)
			break;
	}
}

void
quic_version_eve(uint32_t v, char *buf, size_t len)
{
	if (quic_is_google(v))
		snprintf(buf, len, "%c%c%c%c", (char)(v >> 24),
		    (char)(v >> 16), (char)(v >> 8), (char)v);
	else
		snprintf(buf, len, "%x", v);
}

void
quic_version_name(uint32_t v, char *buf, size_t len)
{
	char n[32];

	if (v == 1)
		snprintf(n, sizeof(n), "v1");
	else if (v == 0x6b3343cf)
		snprintf(n, sizeof(n), "v2");
	else if (v == 0x709a50c4 || v == 0xff020000)
		snprintf(n, sizeof(n), "v2 draft");
	else if ((v >> 8) == 0xff0000)
		snprintf(n, sizeof(n), "draft-%u", v & 0xff);
	else if (v == 0xfaceb001)
		snprintf(n, sizeof(n), "mvfst-22");
	else if (v == 0xfaceb002)
		snprintf(n, sizeof(n), "mvfst-27");
	else if ((v >> 8) == 0xfaceb0)
		snprintf(n, sizeof(n), "mvfst");
	else if (quic_is_google(v))
		snprintf(n, sizeof(n), "gQUIC %c%c%c%c", (char)(v >> 24),
		    (char)(v >> 16), (char)(v >> 8), (char)v);
	else if (quic_is_reserved(v))
		snprintf(n, sizeof(n), "reserved, forces VN");
	else
		snprintf(n, sizeof(n), "unknown");
	snprintf(buf, len, "0x%08x (%s)", v, n);
}

const char *
quic_anomaly_name(enum quic_anomaly a)
{
	static const char *const names[QUIC_ANOM_MAX] = {
		"bad_header", "decrypt_failed", "bad_frame", "crypto_cap",
		"bad_client_hello", "bad_chlo", "memcap",
	};

	return (unsigned)a < QUIC_ANOM_MAX ? names[a] : "unknown";
}

/* IANA TLS ExtensionType Values (the names Suricata's quic log uses). */
const char *
quic_ext_name(uint16_t t)
{
	static const char *const low[] = {
		"server_name", "max_fragment_length", "client_certificate_url",
		"trusted_ca_keys", "truncated_hmac", "status_request",
		"user_mapping", "client_authz", "server_authz", "cert_type",
		"supported_groups", "ec_point_formats", "srp",
		"signature_algorithms", "use_srtp", "heartbeat", "alpn",
		"status_request_v2", "signed_certificate_timestamp",
		"client_certificate_type", "server_certificate_type",
		"padding", "encrypt_then_mac", "extended_master_secret",
		"token_binding", "cached_info", "tls_lts",
		"compress_certificate", "record_size_limit", "pwd_protect",
		"pwd_clear", "password_salt", "ticket_pinning",
		"tls_cert_with_extern_psk", "delegated_credentials",
		"session_ticket", "tlmsp", "tlmsp_proxying", "tlmsp_delegate",
		"supported_ekt_ciphers", NULL, "pre_shared_key", "early_data",
		"supported_versions", "cookie", "psk_key_exchange_modes", NULL,
		"certificate_authorities", "oid_filters", "post_handshake_auth",
		"signature_algorithms_cert", "key_share", "transparency_info",
		"connection_id_deprecated", "connection_id",
		"external_id_hash", "external_session_id",
		"quic_transport_parameters", "ticket_request",
		"dnssec_chain",
	};

	if (t < sizeof(low) / sizeof(low[0]))
		return low[t];
	if (t == 13172)
		return "next_protocol_negotiation";
	if (t == 65281)
		return "renegotiation_info";
	return NULL;
}
