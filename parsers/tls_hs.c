/*
 * tls_hs.c - TLS handshake messages: ClientHello, ServerHello (and
 * HelloRetryRequest), Certificate, CertificateStatus, CertificateRequest,
 * ServerHelloDone.  Every vector is read through cur_sub and a
 * while (cur_left) loop; nothing is read outside the message body.
 */
#include <stdio.h>
#include <string.h>

#include "cur.h"
#include "../sensor/log.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest") as ServerHello.random. */
static const uint8_t tls_hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 4.1.3: the last 8 bytes of a ServerHello.random from a
 * TLS 1.3 server that negotiated TLS 1.2 ("DOWNGRD" 01) or older (00). */
static const uint8_t tls_downgrade[7] = { 0x44, 0x4f, 0x57, 0x4e, 0x47,
	0x52, 0x44 };

static int tls_hs_offers13(const struct tls_hello *);

int
tls_chain_add(struct tls_ctx *ctx, struct tls_chain *chain,
    const uint8_t *der, size_t len)
{
	struct tls_cert *tc;

	DEBUG_ASSERT(chain->n < LIM_TLS_CHAIN_MAX && len > 0 &&
	    len <= UINT32_MAX);
	tc = &chain->cert[chain->n];
	if (tls_mem_take(ctx, len) == -1)
		return -1;
	if ((tc->der = xmalloc(len)) == NULL) {
		tls_mem_give(ctx, len);
		return -1;
	}
	memcpy(tc->der, der, len);
	tc->len = (uint32_t)len;
	chain->n++;
	return 0;
}

void
tls_chain_clear(struct tls_ctx *ctx, struct tls_chain *chain)
{
	uint8_t i;

	for (i = 0; i < chain->n && i < LIM_TLS_CHAIN_MAX; i++) {
		xfree(chain->cert[i].der);
		tls_mem_give(ctx, chain->cert[i].len);
	}
	memset(chain, 0, sizeof(*chain));
}

int
tls_chain_copy(struct tls_ctx *ctx, struct tls_chain *chain,
    const struct tls_cert_list *list)
{
	uint8_t i;

	for (i = 0; i < list->n; i++)
		if (tls_chain_add(ctx, chain, cur_ptr(&list->der[i]),
		    cur_left(&list->der[i])) == -1) {
			tls_chain_clear(ctx, chain);
			return -1;
		}
	chain->seen = 1;
	chain->truncated = list->truncated;
	return 0;
}

/* 1 for TLS 1.3 and its drafts (0x7fXX, Facebook's 0xfbXX). */
static int
tls_hs_is_13(uint16_t v)
{
	return v == 0x0304 || (v & 0xff00) == 0x7f00 ||
	    (v & 0xff00) == 0xfb00 || v == 0xfefc;
}

/* The final ServerHello chose TLS 1.3 (DTLS 1.3): its message layouts. */
static int
tls_hs_layout13(const struct tls_flow *tf)
{
	const struct tls_session *s = &tf->s;

	return s->server_hello && tls_hs_is_13(s->version) &&
	    !(s->dtls && s->version != 0xfefc);
}

/*
 * RFC 5246 7.4.2 / RFC 8446 4.4.2, Certificate:
 *
 *   [TLS 1.3: certificate_request_context <0..255>]
 *   certificate_list length (24) | { cert length (24) | DER
 *                                    [TLS 1.3: extensions <0..2^16-1>] }*
 *
 * Both length layers must agree exactly with the message length.
 */
enum parse_result
tls_parse_cert_list(const uint8_t *body, size_t len, int tls13,
    struct tls_cert_list *out)
{
	struct cur c, list, der, ext;
	uint8_t ctx_len;
	uint16_t ext_len;
	uint32_t list_len, cert_len;

	memset(out, 0, sizeof(*out));
	cur_init(&c, body, len);
	if (tls13 && (cur_u8(&c, &ctx_len) == -1 || cur_skip(&c, ctx_len) == -1))
		return PARSE_BAD;
	if (cur_be24(&c, &list_len) == -1 || cur_sub(&c, list_len, &list) == -1 ||
	    cur_left(&c) != 0)
		return PARSE_BAD;
	while (cur_left(&list) > 0) {
		if (cur_be24(&list, &cert_len) == -1 || cert_len == 0 ||
		    cur_sub(&list, cert_len, &der) == -1)
			return PARSE_BAD;
		if (tls13 && (cur_be16(&list, &ext_len) == -1 ||
		    cur_sub(&list, ext_len, &ext) == -1))
			return PARSE_BAD;
		if (out->n >= LIM_TLS_CHAIN_MAX)
			out->truncated = 1;
		else
			out->der[out->n++] = der;
	}
	return PARSE_OK;
}

/* Copy a host name, printable ASCII only, NUL-terminated. */
static void
tls_hs_copy_name(char *dst, size_t dstsz, struct cur src)
{
	size_t i = 0;
	uint8_t ch;

	while (cur_u8(&src, &ch) == 0 && i + 1 < dstsz)
		dst[i++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	dst[i] = '\0';
}

/*
 * The ALPN names of a hello (a list tls_hello_parse checked): a client's
 * offer joined with ',' (whole names only) into alpn_offered, a server's
 * choice into alpn.
 */
static void
tls_hs_alpn(struct tls_session *s, struct cur list, int server)
{
	struct cur name;
	uint8_t nlen;
	size_t used, n;
	char one[256];

	while (cur_u8(&list, &nlen) == 0 && cur_sub(&list, nlen, &name) == 0) {
		tls_hs_copy_name(one, sizeof(one), name);
		if (server) {
			snprintf(s->alpn, sizeof(s->alpn), "%s", one);
			continue;
		}
		used = strlen(s->alpn_offered);
		n = strlen(one);
		if (used + n + 2 > sizeof(s->alpn_offered))
			continue;
		if (used > 0)
			s->alpn_offered[used++] = ',';
		memcpy(s->alpn_offered + used, one, n + 1);
	}
}

/*
 * ClientHello (layout in tls_hello.c).  Only the first one counts: the
 * second, after a HelloRetryRequest, repeats it.
 */
static enum parse_result
tls_hs_client_hello(struct tls_flow *tf, int dir, const uint8_t *body,
    size_t len, int dtls)
{
	struct tls_session *s = tls_session_mut(tf);
	struct tls_hello h;

	if (s->client_hello)
		return PARSE_OK;
	if (tls_hello_parse(&h, body, len, 1, dtls) != PARSE_OK) {
		tls_set_anomaly(tf, TLS_ANOM_BAD_HELLO);
		return PARSE_BAD;
	}
	tls_set_client_dir(tf, dir);
	s->client_hello = 1;
	s->client_version = h.version;
	tls_hs_copy_name(s->sni, sizeof(s->sni), h.sni);
	tls_hs_alpn(s, h.alpn, 0);
	if (h.ext_bad || h.ext_dup)
		tls_set_anomaly(tf, TLS_ANOM_BAD_EXTENSION);
	if (!h.ext_bad)
		tls_fp_client_hello(tf->ctx, s, &h, dtls);
	s->facts.offered13 = tls_hs_offers13(&h);
	tls_fsm(tf, TLS_EV_CLIENT_HELLO, dir);
	return PARSE_OK;
}

/* RFC 8446 4.2.1: supported_versions lists TLS 1.3 (or a draft of it,
 * 0x7fNN). */
static int
tls_hs_offers13(const struct tls_hello *h)
{
	struct cur v = h->versions;
	uint16_t x;

	if (!(h->seen & TLS_HELLO_VERSIONS))
		return 0;
	while (cur_be16(&v, &x) == 0)
		if (x == 0x0304 || (x >> 8) == 0x7f)
			return 1;
	return 0;
}

/* The ServerHello facts the signals compare: downgrade sentinel, PSK,
 * SCT extension, key share group, the extension types in order. */
static void
tls_hs_server_facts(struct tls_facts *fa, const struct tls_hello *h)
{
	struct cur r = h->random;
	uint8_t tail[8];
	uint32_t hash = 2166136261u;
	size_t i;

	if (cur_skip(&r, 24) == 0 && cur_bytes(&r, tail, 8) == 0 &&
	    memcmp(tail, tls_downgrade, 7) == 0 && tail[7] <= 1)
		fa->sentinel = (uint8_t)(tail[7] + 1);
	fa->group = h->key_share_group;
	for (i = 0; i < h->n_exts; i++) {
		if (h->ext_types[i] == TLS_EXT_PRE_SHARED_KEY)
			fa->psk = 1;
		if (h->ext_types[i] == TLS_EXT_SCT)
			fa->sct_ext = 1;
		hash = (hash ^ (h->ext_types[i] >> 8)) * 16777619u;
		hash = (hash ^ (h->ext_types[i] & 0xff)) * 16777619u;
	}
	fa->ext_hash = h->n_exts > 0 ? hash : 0;
}

/*
 * ServerHello (layout in tls_hello.c).  supported_versions overrides the
 * legacy version (RFC 8446 4.1.3); a random of SHA-256("HelloRetryRequest")
 * makes it a HelloRetryRequest, not the final ServerHello.
 */
static enum parse_result
tls_hs_server_hello(struct tls_flow *tf, int dir, const uint8_t *body,
    size_t len)
{
	struct tls_session *s = tls_session_mut(tf);
	struct tls_hello h;

	if (tls_hello_parse(&h, body, len, 0, 0) != PARSE_OK) {
		tls_set_anomaly(tf, TLS_ANOM_BAD_HELLO);
		return PARSE_BAD;
	}
	if (tf->client_dir < 0)
		tls_set_client_dir(tf, !dir);
	s->version = h.seen & TLS_HELLO_VERSIONS ? h.selected_version :
	    h.version;
	s->cipher = h.cipher;
	s->cipher_set = 1;
	tls_hs_alpn(s, h.alpn, 1);
	if (h.ext_bad || h.ext_dup)
		tls_set_anomaly(tf, TLS_ANOM_BAD_EXTENSION);
	if (cur_left(&h.random) == sizeof(tls_hrr_random) &&
	    memcmp(cur_ptr(&h.random), tls_hrr_random,
	    sizeof(tls_hrr_random)) == 0) {
		s->facts.hrr = 1;
		tls_fsm(tf, TLS_EV_HELLO_RETRY, dir);
		return PARSE_OK;
	}
	s->server_hello = 1;
	tls_hs_server_facts(&s->facts, &h);
	if (!h.ext_bad)
		tls_fp_server_hello(tf->ctx, s, &h);
	tls_fsm(tf, tls_hs_layout13(tf) ? TLS_EV_ENCRYPTED :
	    TLS_EV_SERVER_HELLO, dir);
	return PARSE_OK;
}

/*
 * Certificate: the sender decides whose chain it is.  The list is parsed
 * whole before anything is copied: a copy the memory budget refuses is a
 * MEMCAP event, not a malformed list.
 */
static enum parse_result
tls_hs_certificate(struct tls_flow *tf, int dir, const uint8_t *body,
    size_t len)
{
	struct tls_session *s = tls_session_mut(tf);
	struct tls_cert_list list;
	struct tls_chain *chain;
	int client;

	client = tf->client_dir >= 0 && dir == tf->client_dir;
	chain = client ? &s->client : &s->server;
	if (chain->seen) {
		tls_set_anomaly(tf, TLS_ANOM_UNEXPECTED_MSG);
		return PARSE_OK;
	}
	if (tls_parse_cert_list(body, len, tls_hs_layout13(tf), &list) !=
	    PARSE_OK) {
		tls_set_anomaly(tf, TLS_ANOM_BAD_CERT_LEN);
		return PARSE_BAD;
	}
	if (tls_chain_copy(tf->ctx, chain, &list) == -1) {
		tls_fsm(tf, TLS_EV_MEMCAP, dir);
		return PARSE_OK;
	}
	if (chain->truncated)
		tls_set_anomaly(tf, TLS_ANOM_CHAIN_TOO_LONG);
	tls_fsm(tf, client ? TLS_EV_CLIENT_CERT : TLS_EV_CERTIFICATE, dir);
	return PARSE_OK;
}

enum parse_result
tls_hs_message(struct tls_flow *tf, int dir, uint8_t type,
    const uint8_t *body, size_t len, int dtls)
{
	struct tls_session *s = tls_session_mut(tf);

	tls_mark_tls(tf, dir);
	switch (type) {
	case TLS_HS_CLIENT_HELLO:
		return tls_hs_client_hello(tf, dir, body, len, dtls);
	case TLS_HS_SERVER_HELLO:
		return tls_hs_server_hello(tf, dir, body, len);
	case TLS_HS_CERTIFICATE:
		return tls_hs_certificate(tf, dir, body, len);
	case TLS_HS_CERTIFICATE_STATUS:
		s->ocsp_stapled = 1;
		break;
	case TLS_HS_CERTIFICATE_REQUEST:
		s->cert_requested = 1;
		tls_fsm(tf, TLS_EV_CERT_REQUEST, dir);
		break;
	case TLS_HS_SERVER_HELLO_DONE:
		tf->shd = 1;
		tls_fsm(tf, TLS_EV_SERVER_DONE, dir);
		break;
	default:
		break;
	}
	return PARSE_OK;
}
