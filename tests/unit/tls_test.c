/*
 * tls_test.c - the TLS layer fed crafted records through a small
 * reassembler model that honours tls_stream's consumed/need contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "sensor/limits.h"
#include "tls.h"
#include "tls_int.h"

#ifndef RW_SRCDIR
#define RW_SRCDIR	"."
#endif

#define C2S	0
#define S2C	1

/* ---- byte builder --------------------------------------------------- */

struct bb {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
};

static void
bb_put(struct bb *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n > 0)
		memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void
bb_u8(struct bb *b, unsigned v)
{
	uint8_t x = (uint8_t)v;

	bb_put(b, &x, 1);
}

static void
bb_u16(struct bb *b, unsigned v)
{
	bb_u8(b, v >> 8);
	bb_u8(b, v);
}

static void
bb_u24(struct bb *b, unsigned v)
{
	bb_u8(b, v >> 16);
	bb_u16(b, v & 0xffff);
}

static void
bb_free(struct bb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* A handshake message: type, 24-bit length, body. */
static void
bb_hs(struct bb *out, uint8_t type, const struct bb *body)
{
	bb_u8(out, type);
	bb_u24(out, (unsigned)body->len);
	bb_put(out, body->p, body->len);
}

/* Wrap data into records of type ct, at most frag bytes each. */
static void
bb_records(struct bb *out, uint8_t ct, const uint8_t *data, size_t len,
    size_t frag)
{
	size_t off = 0, n;

	do {
		n = len - off < frag ? len - off : frag;
		bb_u8(out, ct);
		bb_u16(out, 0x0303);
		bb_u16(out, (unsigned)n);
		bb_put(out, data + off, n);
		off += n;
	} while (off < len);
}

/* ---- reassembler model ---------------------------------------------- */

struct sim {
	struct tls_flow	*tf;
	struct bb	 pend[2];
	size_t		 need[2];
	struct limits	 lim;
	struct tls_ctx	 own;		/* the worker context, unless shared */
	struct tls_ctx	*ctx;
};

/* A flow under ctx (shared by several sims), or its own when NULL. */
static void
sim_init_ctx(struct sim *s, struct tls_ctx *ctx)
{
	memset(s, 0, sizeof(*s));
	limits_default(&s->lim);
	if (ctx == NULL) {
		assert_int_equal(tls_ctx_init(&s->own, &s->lim), 0);
		ctx = &s->own;
	}
	s->ctx = ctx;
	s->tf = tls_flow_new(ctx, 0);
	assert_non_null(s->tf);
}

static void
sim_init(struct sim *s)
{
	sim_init_ctx(s, NULL);
}

static void
sim_free(struct sim *s)
{
	tls_flow_free(s->tf);
	s->tf = NULL;
	if (s->ctx == &s->own) {
		/* every byte of the budget came back */
		assert_int_equal(s->own.mem_used, 0);
		tls_ctx_free(&s->own);
	}
	bb_free(&s->pend[0]);
	bb_free(&s->pend[1]);
}

/* Deliver n more stream bytes of dir in chunks of at most chunk bytes. */
static void
sim_feed(struct sim *s, int dir, const uint8_t *data, size_t n, size_t chunk)
{
	struct bb *p = &s->pend[dir];
	size_t off = 0, k, used, need;

	while (off < n) {
		k = n - off < chunk ? n - off : chunk;
		bb_put(p, data + off, k);
		off += k;
		if (tls_dir_done(s->tf, dir) || p->len < s->need[dir] ||
		    p->len == 0)
			continue;
		need = 0;
		used = tls_stream(s->tf, dir, p->p, p->len, &need);
		assert_true(used <= p->len);
		memmove(p->p, p->p + used, p->len - used);
		p->len -= used;
		s->need[dir] = need;
		if (p->len > 0 && need <= p->len && used == 0)
			s->need[dir] = p->len + 1;
	}
}

static void
sim_feed_bb(struct sim *s, int dir, const struct bb *b, size_t chunk)
{
	sim_feed(s, dir, b->p, b->len, chunk);
}

/* ---- message builders ----------------------------------------------- */

static const uint8_t cert_a[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
static const uint8_t cert_b[] = { 0x30, 0x04, 0x02, 0x02, 0x01, 0x02 };
static const uint8_t cert_c[] = { 0x30, 0x03, 0x02, 0x01, 0x03 };

static void
ext(struct bb *exts, unsigned type, const struct bb *data)
{
	bb_u16(exts, type);
	bb_u16(exts, data != NULL ? (unsigned)data->len : 0);
	if (data != NULL)
		bb_put(exts, data->p, data->len);
}

static void
ext_sni(struct bb *exts, const char *host)
{
	struct bb d = { 0 };

	bb_u16(&d, (unsigned)strlen(host) + 3);
	bb_u8(&d, 0);
	bb_u16(&d, (unsigned)strlen(host));
	bb_put(&d, host, strlen(host));
	ext(exts, 0, &d);
	bb_free(&d);
}

static void
ext_alpn(struct bb *exts, const char *const *names, size_t n)
{
	struct bb d = { 0 }, l = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		bb_u8(&l, (unsigned)strlen(names[i]));
		bb_put(&l, names[i], strlen(names[i]));
	}
	bb_u16(&d, (unsigned)l.len);
	bb_put(&d, l.p, l.len);
	ext(exts, 16, &d);
	bb_free(&d);
	bb_free(&l);
}

static void
ext_u16_list(struct bb *exts, unsigned type, int lenbytes,
    const uint16_t *v, size_t n)
{
	struct bb d = { 0 };
	size_t i;

	if (lenbytes == 1)
		bb_u8(&d, (unsigned)n * 2);
	else
		bb_u16(&d, (unsigned)n * 2);
	for (i = 0; i < n; i++)
		bb_u16(&d, v[i]);
	ext(exts, type, &d);
	bb_free(&d);
}

/* ClientHello body around ciphers and an extensions block. */
static void
client_hello(struct bb *msg, const uint8_t *sid, size_t sid_len,
    const uint16_t *ciphers, size_t n, const struct bb *exts)
{
	struct bb body = { 0 };
	uint8_t random[32];
	size_t i;

	memset(random, 0x11, sizeof(random));
	bb_u16(&body, 0x0303);
	bb_put(&body, random, 32);
	bb_u8(&body, (unsigned)sid_len);
	bb_put(&body, sid, sid_len);
	bb_u16(&body, (unsigned)n * 2);
	for (i = 0; i < n; i++)
		bb_u16(&body, ciphers[i]);
	bb_u8(&body, 1);
	bb_u8(&body, 0);
	if (exts != NULL) {
		bb_u16(&body, (unsigned)exts->len);
		bb_put(&body, exts->p, exts->len);
	}
	bb_hs(msg, TLS_HS_CLIENT_HELLO, &body);
	bb_free(&body);
}

/* A simple ClientHello record (SNI, ALPN, optional session id). */
static void
simple_ch_record(struct bb *rec, const uint8_t *sid, size_t sid_len)
{
	static const char *const alpn[] = { "h2", "http/1.1" };
	static const uint16_t ciphers[] = { 0xc02f, 0x009c };
	static const uint16_t sv[] = { 0x0304, 0x0303 };
	struct bb exts = { 0 }, msg = { 0 };

	ext_sni(&exts, "example.com");
	ext_alpn(&exts, alpn, 2);
	ext_u16_list(&exts, 43, 1, sv, 2);
	client_hello(&msg, sid, sid_len, ciphers, 2, &exts);
	bb_records(rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	bb_free(&exts);
	bb_free(&msg);
}

static void
server_hello(struct bb *msg, uint16_t version, const uint8_t *random,
    const uint8_t *sid, size_t sid_len, uint16_t cipher,
    const struct bb *exts)
{
	struct bb body = { 0 };
	uint8_t rnd[32];

	memset(rnd, 0x22, sizeof(rnd));
	bb_u16(&body, version);
	bb_put(&body, random != NULL ? random : rnd, 32);
	bb_u8(&body, (unsigned)sid_len);
	bb_put(&body, sid, sid_len);
	bb_u16(&body, cipher);
	bb_u8(&body, 0);
	if (exts != NULL) {
		bb_u16(&body, (unsigned)exts->len);
		bb_put(&body, exts->p, exts->len);
	}
	bb_hs(msg, TLS_HS_SERVER_HELLO, &body);
	bb_free(&body);
}

/* Certificate message (TLS 1.2 layout) with the given DER blobs. */
static void
certificate(struct bb *msg, const uint8_t *const *der, const size_t *len,
    size_t n)
{
	struct bb body = { 0 };
	size_t i, total = 0;

	for (i = 0; i < n; i++)
		total += 3 + len[i];
	bb_u24(&body, (unsigned)total);
	for (i = 0; i < n; i++) {
		bb_u24(&body, (unsigned)len[i]);
		bb_put(&body, der[i], len[i]);
	}
	bb_hs(msg, TLS_HS_CERTIFICATE, &body);
	bb_free(&body);
}

static void
empty_msg(struct bb *msg, uint8_t type)
{
	struct bb body = { 0 };

	bb_hs(msg, type, &body);
}

static void
three_certs(struct bb *msg)
{
	const uint8_t *der[3] = { cert_a, cert_b, cert_c };
	size_t len[3] = { sizeof(cert_a), sizeof(cert_b), sizeof(cert_c) };

	certificate(msg, der, len, 3);
}

/* Handshake bytes of a TLS 1.2 server flight: SH, Certificate, SHD. */
static void
server_flight_msgs(struct bb *sh, struct bb *cert, struct bb *shd)
{
	server_hello(sh, 0x0303, NULL, NULL, 0, 0xc02f, NULL);
	three_certs(cert);
	empty_msg(shd, TLS_HS_SERVER_HELLO_DONE);
}

static void
assert_three_certs(const struct tls_session *s)
{
	assert_int_equal(s->server.n, 3);
	assert_true(s->server.seen);
	assert_int_equal(s->server.cert[0].len, sizeof(cert_a));
	assert_memory_equal(s->server.cert[0].der, cert_a, sizeof(cert_a));
	assert_int_equal(s->server.cert[1].len, sizeof(cert_b));
	assert_memory_equal(s->server.cert[1].der, cert_b, sizeof(cert_b));
	assert_int_equal(s->server.cert[2].len, sizeof(cert_c));
	assert_memory_equal(s->server.cert[2].der, cert_c, sizeof(cert_c));
}

static void
feed_client_hello(struct sim *s)
{
	struct bb ch = { 0 };

	simple_ch_record(&ch, NULL, 0);
	sim_feed_bb(s, C2S, &ch, 100000);
	bb_free(&ch);
}

/* ---- tests ---------------------------------------------------------- */

static void
test_client_hello_fields(void **state)
{
	struct sim s;
	const struct tls_session *ss;

	(void)state;
	sim_init(&s);
	feed_client_hello(&s);
	ss = tls_session(s.tf);
	assert_true(tls_is_tls(s.tf));
	assert_int_equal(tls_client_dir(s.tf), C2S);
	assert_true(ss->client_hello);
	assert_int_equal(ss->client_version, 0x0303);
	assert_string_equal(ss->sni, "example.com");
	assert_string_equal(ss->alpn_offered, "h2,http/1.1");
	assert_false(tls_done(s.tf));
	assert_non_null(ss->ja3);
	assert_string_equal(ss->ja3, "771,49199-156,0-16-43,,");
	/* sha256("009c,c02f"), sha256("002b"): no signature_algorithms */
	assert_string_equal(ss->ja4, "t13d0203h2_08dfa304a768_b9a491fefe05");
	tls_finalize(s.tf);
	assert_int_equal(ss->missing, TLS_MISSING_NO_SERVER_DATA);
	sim_free(&s);
}

/*
 * A Chrome ClientHello published with its fingerprints (browserleaks):
 * ja3_text 771,4865-...,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-
 * 5-13-27,4588-29-23-24,0 / ja3 98487aa16281980e7d1120d399efb6a4 /
 * ja4 t13d1516h2_8daaf6152771_d8a2da3f94cd.  GREASE values are added at
 * the places Chrome puts them; they must not count.
 */
static void
test_fingerprints_known(void **state)
{
	static const uint16_t ciphers[] = { 0x3a3a, 0x1301, 0x1302, 0x1303,
	    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
	    0x009c, 0x009d, 0x002f, 0x0035 };
	static const uint16_t groups[] = { 0x5a5a, 4588, 29, 23, 24 };
	static const uint16_t sigalgs[] = { 0x0403, 0x0804, 0x0401, 0x0503,
	    0x0805, 0x0501, 0x0806, 0x0601 };
	static const uint16_t sv[] = { 0x7a7a, 0x0304, 0x0303 };
	static const char *const alpn[] = { "h2", "http/1.1" };
	struct bb exts = { 0 }, d = { 0 }, msg = { 0 }, rec = { 0 };
	struct sim s;
	const struct tls_session *ss;

	(void)state;
	ext(&exts, 0x2a2a, NULL);			/* GREASE */
	bb_u8(&d, 1); bb_u8(&d, 1);
	ext(&exts, 45, &d);				/* psk modes */
	bb_free(&d);
	bb_u16(&d, 0); ext(&exts, 51, &d); bb_free(&d);	/* key_share */
	ext_alpn(&exts, alpn, 2);
	bb_u8(&d, 0); ext(&exts, 0xfe0d, &d); bb_free(&d);
	ext(&exts, 23, NULL);
	bb_u16(&d, 3); bb_u8(&d, 2); bb_u8(&d, 'h'); bb_u8(&d, '2');
	ext(&exts, 17613, &d); bb_free(&d);
	ext_sni(&exts, "tls.browserleaks.com");
	bb_u8(&d, 1); bb_u8(&d, 0); ext(&exts, 11, &d); bb_free(&d);
	ext_u16_list(&exts, 10, 2, groups, 5);
	ext_u16_list(&exts, 43, 1, sv, 3);
	bb_u8(&d, 0); ext(&exts, 65281, &d); bb_free(&d);
	ext(&exts, 35, NULL);
	ext(&exts, 18, NULL);
	bb_u8(&d, 1); bb_u16(&d, 0); bb_u16(&d, 0);
	ext(&exts, 5, &d); bb_free(&d);
	ext_u16_list(&exts, 13, 2, sigalgs, 8);
	bb_u8(&d, 2); bb_u16(&d, 2); ext(&exts, 27, &d); bb_free(&d);
	bb_u8(&d, 0); ext(&exts, 0x1a1a, &d); bb_free(&d);	/* GREASE */
	client_hello(&msg, NULL, 0, ciphers, 16, &exts);
	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_init(&s);
	sim_feed_bb(&s, C2S, &rec, 7);
	ss = tls_session(s.tf);
	assert_non_null(ss->ja3);
	assert_string_equal(ss->ja3, "771,4865-4866-4867-49195-49199-49196-"
	    "49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-"
	    "17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0");
	assert_string_equal(ss->ja3_md5, "98487aa16281980e7d1120d399efb6a4");
	assert_string_equal(ss->ja4, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
	assert_string_equal(ss->sni, "tls.browserleaks.com");
	sim_free(&s);
	bb_free(&exts);
	bb_free(&msg);
	bb_free(&rec);
}

static void
test_server_hello_12(void **state)
{
	static const char *const alpn[] = { "h2" };
	struct bb exts = { 0 }, d = { 0 }, msg = { 0 }, rec = { 0 };
	struct sim s;
	const struct tls_session *ss;

	(void)state;
	bb_u8(&d, 0);
	ext(&exts, 65281, &d);
	ext_alpn(&exts, alpn, 1);
	server_hello(&msg, 0x0303, NULL, NULL, 0, 0xc02f, &exts);
	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed_bb(&s, S2C, &rec, 1000);
	ss = tls_session(s.tf);
	assert_true(ss->server_hello);
	assert_int_equal(ss->version, 0x0303);
	assert_int_equal(ss->cipher, 0xc02f);
	assert_string_equal(ss->alpn, "h2");
	assert_string_equal(ss->ja3s, "771,49199,65281-16");
	assert_int_equal(strlen(ss->ja3s_md5), 32);
	assert_false(tls_done(s.tf));
	sim_free(&s);
	bb_free(&exts);
	bb_free(&d);
	bb_free(&msg);
	bb_free(&rec);
}

static void
test_server_hello_13_and_hrr(void **state)
{
	static const uint8_t hrr[32] = {
		0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
		0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
		0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
		0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c };
	struct bb exts = { 0 }, d = { 0 }, msg = { 0 }, rec = { 0 };
	struct sim s;
	const struct tls_session *ss;

	(void)state;
	bb_u16(&d, 0x0304);
	ext(&exts, 43, &d);
	sim_init(&s);
	feed_client_hello(&s);
	server_hello(&msg, 0x0303, hrr, NULL, 0, 0x1301, &exts);
	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_feed_bb(&s, S2C, &rec, 1000);
	ss = tls_session(s.tf);
	assert_false(ss->server_hello);		/* HRR is not final */
	assert_false(tls_done(s.tf));
	msg.len = rec.len = 0;
	server_hello(&msg, 0x0303, NULL, NULL, 0, 0x1302, &exts);
	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_feed_bb(&s, S2C, &rec, 1000);
	assert_true(ss->server_hello);
	assert_int_equal(ss->version, 0x0304);
	assert_int_equal(ss->cipher, 0x1302);
	assert_true(tls_done(s.tf));
	assert_int_equal(ss->missing, TLS_MISSING_TLS13);
	sim_free(&s);
	/* a draft version in supported_versions is TLS 1.3 too */
	sim_init(&s);
	exts.len = d.len = msg.len = rec.len = 0;
	bb_u16(&d, 0x7f1c);
	ext(&exts, 43, &d);
	server_hello(&msg, 0x0303, NULL, NULL, 0, 0x1301, &exts);
	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_feed_bb(&s, S2C, &rec, 1000);
	assert_true(tls_done(s.tf));
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_TLS13);
	sim_free(&s);
	bb_free(&exts);
	bb_free(&d);
	bb_free(&msg);
	bb_free(&rec);
}

/* Parse the hello in msg (a handshake message built above) into h. */
static enum parse_result
parse_msg(struct tls_hello *h, const struct bb *msg, int client, int dtls)
{
	assert_true(msg->len >= 4);
	return tls_hello_parse(h, msg->p + 4, msg->len - 4, client, dtls);
}

/* The slice as a C string (test data is short ASCII). */
static const char *
slice_str(struct cur c, char *buf, size_t size)
{
	assert_true(cur_left(&c) < size);
	memcpy(buf, cur_ptr(&c), cur_left(&c));
	buf[cur_left(&c)] = '\0';
	return buf;
}

/*
 * One parse gives the struct both consumers read: extension types in
 * order as sent (GREASE and repeats kept), the first of a repeated
 * decoded extension counting, and the fingerprints dropping GREASE.
 */
static void
test_hello_grease_and_duplicates(void **state)
{
	static const uint16_t ciphers[] = { 0x0a0a, 0x1301, 0xc02f };
	static const uint16_t groups[] = { 0x2a2a, 29 };
	static const uint16_t sv[] = { 0x3a3a, 0x0304 };
	static const uint16_t types[] = { 0x1a1a, 0, 10, 0, 43, 16 };
	static const char *const alpn[] = { "h2" };
	struct bb exts = { 0 }, msg = { 0 }, rec = { 0 };
	struct tls_hello h;
	struct sim s;
	const struct tls_session *ss;
	char name[64];
	size_t i;

	(void)state;
	ext(&exts, 0x1a1a, NULL);
	ext_sni(&exts, "a.example");
	ext_u16_list(&exts, 10, 2, groups, 2);
	ext_sni(&exts, "b.example");
	ext_u16_list(&exts, 43, 1, sv, 2);
	ext_alpn(&exts, alpn, 1);
	client_hello(&msg, NULL, 0, ciphers, 3, &exts);
	assert_int_equal(parse_msg(&h, &msg, 1, 0), PARSE_OK);
	assert_int_equal(h.version, 0x0303);
	assert_int_equal(cur_left(&h.random), 32);
	assert_int_equal(cur_left(&h.ciphers), 6);
	assert_int_equal(h.n_exts, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(h.ext_types[i], types[i]);
	assert_true(h.has_exts);
	assert_false(h.ext_bad);
	assert_true(h.ext_dup);
	assert_int_equal(h.seen, TLS_HELLO_SNI | TLS_HELLO_GROUPS |
	    TLS_HELLO_VERSIONS | TLS_HELLO_ALPN);
	assert_string_equal(slice_str(h.sni, name, sizeof(name)), "a.example");
	assert_int_equal(cur_left(&h.groups), 4);
	assert_int_equal(cur_left(&h.versions), 4);
	assert_int_equal(cur_left(&h.sigalgs), 0);

	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_init(&s);
	sim_feed_bb(&s, C2S, &rec, 5);
	ss = tls_session(s.tf);
	assert_true(ss->client_hello);
	assert_string_equal(ss->sni, "a.example");
	assert_string_equal(ss->alpn_offered, "h2");
	assert_true(ss->anomalies & (1u << TLS_ANOM_BAD_EXTENSION));
	assert_false(ss->anomalies & (1u << TLS_ANOM_BAD_HELLO));
	assert_non_null(ss->ja3);
	assert_string_equal(ss->ja3, "771,4865-49199,0-10-0-43-16,29,");
	assert_string_equal(ss->ja3_md5, "d7ce8da5a8da34e2282ef1f5855c8d8e");
	/* sha256("1301,c02f"), sha256("000a,002b") */
	assert_string_equal(ss->ja4, "t13d0205h2_c1929292aa6b_b0ac53b37fa7");
	sim_free(&s);
	bb_free(&exts);
	bb_free(&msg);
	bb_free(&rec);
}

/* A ClientHello whose extensions end early: an anomaly, no fingerprint
 * (a partial list would be a wrong one), the session goes on with what
 * parsed before the cut. */
static void
test_hello_truncated_extensions(void **state)
{
	static const uint16_t ciphers[] = { 0x1301 };
	struct bb exts = { 0 }, msg = { 0 }, rec = { 0 };
	struct tls_hello h;
	struct sim s;
	const struct tls_session *ss;

	(void)state;
	ext_sni(&exts, "x.example");
	bb_u16(&exts, 10);		/* supported_groups claiming 50 bytes */
	bb_u16(&exts, 50);
	bb_u16(&exts, 2);
	bb_u16(&exts, 29);
	client_hello(&msg, NULL, 0, ciphers, 1, &exts);
	assert_int_equal(parse_msg(&h, &msg, 1, 0), PARSE_OK);
	assert_true(h.has_exts);
	assert_true(h.ext_bad);
	assert_int_equal(h.n_exts, 1);
	assert_int_equal(h.seen, TLS_HELLO_SNI);

	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_init(&s);
	sim_feed_bb(&s, C2S, &rec, 100000);
	ss = tls_session(s.tf);
	assert_true(ss->client_hello);
	assert_string_equal(ss->sni, "x.example");
	assert_true(ss->anomalies & (1u << TLS_ANOM_BAD_EXTENSION));
	assert_null(ss->ja3);
	assert_string_equal(ss->ja4, "");
	assert_false(tls_done(s.tf));
	sim_free(&s);
	bb_free(&exts);
	bb_free(&msg);
	bb_free(&rec);
}

/* The block itself cut short, decoded extensions that do not hold
 * together, and fixed parts that do not parse. */
static void
test_hello_malformed(void **state)
{
	static const uint16_t ciphers[] = { 0x1301, 0x1302 };
	struct bb exts = { 0 }, d = { 0 }, msg = { 0 };
	struct tls_hello h;

	(void)state;
	/* extension block length past the end of the message */
	client_hello(&msg, NULL, 0, ciphers, 2, NULL);
	msg.len = 0;
	ext_sni(&exts, "y.example");
	client_hello(&msg, NULL, 0, ciphers, 2, &exts);
	msg.p[4 + 2 + 32 + 1 + 2 + 4 + 2] = 0;	/* length high byte */
	msg.p[4 + 2 + 32 + 1 + 2 + 4 + 3] = 0xff;
	assert_int_equal(parse_msg(&h, &msg, 1, 0), PARSE_OK);
	assert_true(h.ext_bad);
	assert_int_equal(h.n_exts, 0);
	/* supported_groups of odd length; then a vector short of its
	 * extension: both are bad, not silently read */
	bb_u16(&d, 3); bb_u16(&d, 29); bb_u8(&d, 0);
	exts.len = msg.len = 0;
	ext(&exts, 10, &d);
	client_hello(&msg, NULL, 0, ciphers, 2, &exts);
	assert_int_equal(parse_msg(&h, &msg, 1, 0), PARSE_OK);
	assert_true(h.ext_bad);
	assert_int_equal(h.seen, 0);
	d.len = exts.len = msg.len = 0;
	bb_u16(&d, 2); bb_u16(&d, 29); bb_u16(&d, 23);
	ext(&exts, 10, &d);
	client_hello(&msg, NULL, 0, ciphers, 2, &exts);
	assert_int_equal(parse_msg(&h, &msg, 1, 0), PARSE_OK);
	assert_true(h.ext_bad);
	/* a cipher suite list of odd length is no hello */
	msg.len = 0;
	client_hello(&msg, NULL, 0, ciphers, 2, NULL);
	msg.p[4 + 2 + 32 + 1 + 1] = 3;
	assert_int_equal(parse_msg(&h, &msg, 1, 0), PARSE_BAD);
	/* session id over 32 bytes; a body cut inside the random */
	msg.len = 0;
	client_hello(&msg, NULL, 0, ciphers, 2, NULL);
	msg.p[4 + 2 + 32] = 33;
	assert_int_equal(parse_msg(&h, &msg, 1, 0), PARSE_BAD);
	assert_int_equal(tls_hello_parse(&h, msg.p + 4, 20, 1, 0), PARSE_BAD);
	assert_int_equal(tls_hello_parse(&h, msg.p + 4, 20, 0, 0), PARSE_BAD);
	bb_free(&exts);
	bb_free(&d);
	bb_free(&msg);
}

/* DTLS: a cookie between the session id and the cipher suites. */
static void
test_hello_dtls_cookie(void **state)
{
	struct bb body = { 0 };
	struct tls_hello h;
	uint8_t random[32];

	(void)state;
	memset(random, 0x33, sizeof(random));
	bb_u16(&body, 0xfefd);
	bb_put(&body, random, 32);
	bb_u8(&body, 0);		/* session id */
	bb_u8(&body, 3);		/* cookie */
	bb_u8(&body, 0xc0); bb_u8(&body, 0x2f); bb_u8(&body, 0x00);
	bb_u16(&body, 2);
	bb_u16(&body, 0xc02b);
	bb_u8(&body, 1);
	bb_u8(&body, 0);
	assert_int_equal(tls_hello_parse(&h, body.p, body.len, 1, 1),
	    PARSE_OK);
	assert_int_equal(h.version, 0xfefd);
	assert_int_equal(cur_left(&h.ciphers), 2);
	assert_false(h.has_exts);
	/* read as TLS, the cookie is taken for the suites: no compression */
	assert_int_equal(tls_hello_parse(&h, body.p, body.len, 1, 0),
	    PARSE_BAD);
	bb_free(&body);
}

/*
 * A ServerHello of TLS 1.3 draft 18 (0x7f12): no session id and no
 * compression byte before draft 22.  Read with the final layout, the
 * high byte of the cipher would be a session id length; JA3S is the
 * version, cipher and extensions of the draft layout.
 */
static void
test_server_hello_draft(void **state)
{
	struct bb body = { 0 }, msg = { 0 }, rec = { 0 };
	struct tls_hello h;
	struct sim s;
	const struct tls_session *ss;
	uint8_t random[32];

	(void)state;
	memset(random, 0x44, sizeof(random));
	bb_u16(&body, 0x7f12);
	bb_put(&body, random, 32);
	bb_u16(&body, 0x1301);
	bb_u16(&body, 8);		/* extensions: key_share (40) */
	bb_u16(&body, 40);
	bb_u16(&body, 4);
	bb_u16(&body, 29);
	bb_u16(&body, 0);
	bb_hs(&msg, TLS_HS_SERVER_HELLO, &body);
	assert_int_equal(parse_msg(&h, &msg, 0, 0), PARSE_OK);
	assert_true(h.draft);
	assert_int_equal(h.cipher, 0x1301);
	assert_int_equal(cur_left(&h.session_id), 0);
	assert_int_equal(h.n_exts, 1);
	assert_int_equal(h.ext_types[0], 40);
	assert_false(h.ext_bad);

	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed_bb(&s, S2C, &rec, 1000);
	ss = tls_session(s.tf);
	assert_true(ss->server_hello);
	assert_int_equal(ss->version, 0x7f12);
	assert_int_equal(ss->cipher, 0x1301);
	assert_int_equal(ss->anomalies, 0);
	assert_non_null(ss->ja3s);
	assert_string_equal(ss->ja3s, "32530,4865,40");
	assert_string_equal(ss->ja3s_md5, "b8a8031b301aef7618403061e9f33065");
	assert_true(tls_done(s.tf));
	assert_int_equal(ss->missing, TLS_MISSING_TLS13);
	sim_free(&s);
	/* draft 22 on (0x7f16) has the final layout again: these bytes
	 * then claim a 19-byte session id (0x13) and do not parse */
	body.p[1] = 0x16;
	assert_int_equal(tls_hello_parse(&h, body.p, body.len, 0, 0),
	    PARSE_BAD);
	bb_free(&body);
	bb_free(&msg);
	bb_free(&rec);
}

/* Run the standard server flight, laid out by layout(), and check it. */
static void
run_flight(const struct bb *srv, size_t chunk, int with_client)
{
	struct sim s;

	sim_init(&s);
	if (with_client)
		feed_client_hello(&s);
	sim_feed_bb(&s, S2C, srv, chunk);
	assert_three_certs(tls_session(s.tf));
	assert_true(tls_done(s.tf));
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_NONE);
	assert_int_equal(tls_client_dir(s.tf), C2S);
	tls_finalize(s.tf);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_NONE);
	sim_free(&s);
}

static void
test_cert_layouts(void **state)
{
	struct bb sh = { 0 }, cert = { 0 }, shd = { 0 }, all = { 0 };
	struct bb srv = { 0 };
	size_t splits[] = { 2, 3, 10 }, i, frag;

	(void)state;
	server_flight_msgs(&sh, &cert, &shd);
	bb_put(&all, sh.p, sh.len);
	bb_put(&all, cert.p, cert.len);
	bb_put(&all, shd.p, shd.len);
	/* several messages in one record */
	bb_records(&srv, TLS_CT_HANDSHAKE, all.p, all.len, 16384);
	run_flight(&srv, 100000, 1);
	/* 1-byte stream deliveries */
	run_flight(&srv, 1, 1);
	/* server-only capture */
	run_flight(&srv, 100000, 0);
	/* one record per message */
	srv.len = 0;
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	bb_records(&srv, TLS_CT_HANDSHAKE, cert.p, cert.len, 16384);
	bb_records(&srv, TLS_CT_HANDSHAKE, shd.p, shd.len, 16384);
	run_flight(&srv, 100000, 1);
	run_flight(&srv, 3, 1);
	/* Certificate split across 2, 3 and 10 records */
	for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		frag = (cert.len + splits[i] - 1) / splits[i];
		srv.len = 0;
		bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
		bb_records(&srv, TLS_CT_HANDSHAKE, cert.p, cert.len, frag);
		bb_records(&srv, TLS_CT_HANDSHAKE, shd.p, shd.len, 16384);
		run_flight(&srv, 100000, 1);
		run_flight(&srv, 1, 1);
	}
	/* every record boundary through all messages: 1..len-byte frags */
	for (frag = 1; frag <= all.len; frag++) {
		srv.len = 0;
		bb_records(&srv, TLS_CT_HANDSHAKE, all.p, all.len, frag);
		run_flight(&srv, 5, 1);
	}
	bb_free(&sh);
	bb_free(&cert);
	bb_free(&shd);
	bb_free(&all);
	bb_free(&srv);
}

static void
test_cert_64k(void **state)
{
	struct bb sh = { 0 }, cert = { 0 }, shd = { 0 }, srv = { 0 };
	const uint8_t *der[2];
	size_t len[2];
	uint8_t *big;
	struct sim s;
	uint32_t want_max = 0, w;
	size_t off, k;

	(void)state;
	big = malloc(65536);
	assert_non_null(big);
	for (k = 0; k < 65536; k++)
		big[k] = (uint8_t)(k * 7);
	der[0] = big;
	len[0] = 65536;
	der[1] = cert_a;
	len[1] = sizeof(cert_a);
	server_hello(&sh, 0x0303, NULL, NULL, 0, 0x002f, NULL);
	certificate(&cert, der, len, 2);
	empty_msg(&shd, TLS_HS_SERVER_HELLO_DONE);
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	bb_records(&srv, TLS_CT_HANDSHAKE, cert.p, cert.len, 4000);
	bb_records(&srv, TLS_CT_HANDSHAKE, shd.p, shd.len, 16384);
	sim_init(&s);
	feed_client_hello(&s);
	for (off = 0; off < srv.len; off += k) {
		k = srv.len - off < 1460 ? srv.len - off : 1460;
		sim_feed(&s, S2C, srv.p + off, k, k);
		w = tls_depth_wanted(s.tf, S2C);
		if (w > want_max)
			want_max = w;
	}
	/* the in-flight Certificate asked for its whole size at least */
	assert_true(want_max >= cert.len);
	assert_int_equal(tls_depth_wanted(s.tf, S2C), 0);
	assert_int_equal(tls_session(s.tf)->server.n, 2);
	assert_int_equal(tls_session(s.tf)->server.cert[0].len, 65536);
	assert_memory_equal(tls_session(s.tf)->server.cert[0].der, big, 65536);
	assert_true(tls_done(s.tf));
	sim_free(&s);
	free(big);
	bb_free(&sh);
	bb_free(&cert);
	bb_free(&shd);
	bb_free(&srv);
}

/* tls1.2-protocol-violation.pcap: handshake length 256, list 3820. */
static void
test_cert_bad_lengths(void **state)
{
	struct bb sh = { 0 }, body = { 0 }, msg = { 0 }, srv = { 0 };
	struct sim s;
	const struct tls_session *ss;
	uint8_t junk[253];
	int variant;

	(void)state;
	memset(junk, 0x41, sizeof(junk));
	server_hello(&sh, 0x0303, NULL, NULL, 0, 0x002f, NULL);
	for (variant = 0; variant < 3; variant++) {
		body.len = msg.len = srv.len = 0;
		if (variant == 0) {		/* list length too long */
			bb_u24(&body, 3820);
			bb_put(&body, junk, sizeof(junk));
		} else if (variant == 1) {	/* cert length overruns */
			bb_u24(&body, 8);
			bb_u24(&body, 9);
			bb_put(&body, cert_a, 5);
		} else {			/* list shorter than message */
			bb_u24(&body, 8);
			bb_u24(&body, 5);
			bb_put(&body, cert_a, 5);
			bb_u8(&body, 0);
		}
		bb_hs(&msg, TLS_HS_CERTIFICATE, &body);
		bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
		bb_records(&srv, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
		sim_init(&s);
		feed_client_hello(&s);
		sim_feed_bb(&s, S2C, &srv, 100000);
		ss = tls_session(s.tf);
		assert_int_equal(ss->server.n, 0);
		assert_false(ss->server.seen);
		assert_true(ss->anomalies & (1u << TLS_ANOM_BAD_CERT_LEN));
		assert_true(tls_dir_done(s.tf, S2C));
		assert_true(tls_done(s.tf));
		tls_finalize(s.tf);
		assert_int_equal(ss->missing, TLS_MISSING_MALFORMED);
		sim_free(&s);
	}
	assert_int_equal(tls_parse_cert_list(body.p, body.len, 0,
	    &(struct tls_cert_list){ 0 }), PARSE_BAD);
	bb_free(&sh);
	bb_free(&body);
	bb_free(&msg);
	bb_free(&srv);
}

/* A 16 MB Certificate claim: no 16 MB buffer, the direction stops. */
static void
test_cert_huge_claim(void **state)
{
	struct bb sh = { 0 }, hdr = { 0 }, srv = { 0 };
	struct sim s;
	const struct tls_session *ss;
	int consistent;

	(void)state;
	server_hello(&sh, 0x0303, NULL, NULL, 0, 0x002f, NULL);
	for (consistent = 0; consistent < 2; consistent++) {
		hdr.len = srv.len = 0;
		bb_u8(&hdr, TLS_HS_CERTIFICATE);
		bb_u24(&hdr, 0xffffff);
		bb_u24(&hdr, consistent ? 0xfffffc : 0x10);
		bb_u24(&hdr, 0x1000);
		bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
		bb_records(&srv, TLS_CT_HANDSHAKE, hdr.p, hdr.len, 16384);
		sim_init(&s);
		feed_client_hello(&s);
		sim_feed_bb(&s, S2C, &srv, 100000);
		ss = tls_session(s.tf);
		assert_true(ss->anomalies & (1u << TLS_ANOM_HS_TOO_LARGE));
		assert_true(tls_dir_done(s.tf, S2C));
		assert_null(s.tf->d[S2C].hs);
		assert_int_equal(tls_depth_wanted(s.tf, S2C), 0);
		tls_finalize(s.tf);
		assert_int_equal(ss->missing, consistent ?
		    TLS_MISSING_DEPTH : TLS_MISSING_MALFORMED);
		sim_free(&s);
	}
	bb_free(&sh);
	bb_free(&hdr);
	bb_free(&srv);
}

/*
 * 200 flows each claim a 1 MiB Certificate and send 2 KB of it: buffers
 * grow with the bytes that came, not the claim, and all of them together
 * stay under tls.memcap (set to 256 KiB here, one worker context shared
 * by the 200 flows); flows past the cap stop with chain_missing memcap,
 * counted in memcap_refused, and everything is given back at the end.
 */
static void
test_memcap_many_flows(void **state)
{
	enum { NFLOWS = 200 };
	struct bb sh = { 0 }, msg = { 0 }, srv = { 0 };
	static struct sim s[NFLOWS];
	struct tls_ctx ctx;
	struct limits lim;
	size_t i, memcap = 0;
	uint8_t junk[2048];

	(void)state;
	limits_default(&lim);
	lim.tls_memcap = 256 * 1024;
	assert_int_equal(tls_ctx_init(&ctx, &lim), 0);
	assert_int_equal(ctx.mem_used, 0);
	memset(junk, 0x42, sizeof(junk));
	server_hello(&sh, 0x0303, NULL, NULL, 0, 0x002f, NULL);
	bb_u8(&msg, TLS_HS_CERTIFICATE);
	bb_u24(&msg, 1000000);
	bb_u24(&msg, 1000000 - 3);
	bb_u24(&msg, 1000000 - 6);
	bb_put(&msg, junk, sizeof(junk));
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	bb_records(&srv, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	for (i = 0; i < NFLOWS; i++) {
		sim_init_ctx(&s[i], &ctx);
		feed_client_hello(&s[i]);
		sim_feed_bb(&s[i], S2C, &srv, 700);
		assert_true(ctx.mem_used <= lim.tls_memcap);
	}
	assert_true(ctx.mem_hits > 0);		/* the cap was reached */
	for (i = 0; i < NFLOWS; i++) {
		tls_finalize(s[i].tf);
		if (tls_session(s[i].tf)->missing == TLS_MISSING_MEMCAP)
			memcap++;
		else
			assert_int_equal(tls_session(s[i].tf)->missing,
			    TLS_MISSING_TRUNCATED);
		/* a refusal is not a malformation */
		assert_false(tls_session(s[i].tf)->anomalies &
		    (1u << TLS_ANOM_BAD_CERT_LEN));
	}
	assert_true(memcap > 0 && memcap < NFLOWS);
	assert_int_equal(ctx.memcap_refused, memcap);
	for (i = 0; i < NFLOWS; i++)
		sim_free(&s[i]);
	assert_int_equal(ctx.mem_used, 0);
	assert_true(ctx.mem_peak <= lim.tls_memcap);
	tls_ctx_free(&ctx);
	bb_free(&sh);
	bb_free(&msg);
	bb_free(&srv);
}

static void
test_zero_and_long_records(void **state)
{
	static const uint8_t zero[] = { 22, 3, 3, 0, 0 };
	static const uint8_t toolong[] = { 22, 3, 3, 0x48, 0x01 };
	struct sim s;

	(void)state;
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed(&s, S2C, zero, sizeof(zero), 100);
	assert_true(tls_session(s.tf)->anomalies &
	    (1u << TLS_ANOM_ZERO_RECORD));
	tls_finalize(s.tf);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_MALFORMED);
	sim_free(&s);

	/* a first record this long is not detected as TLS at all */
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed(&s, S2C, toolong, sizeof(toolong), 100);
	assert_int_equal(tls_session(s.tf)->anomalies, 0);
	sim_free(&s);
	/* after a good record it is malformed */
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed(&s, S2C, zero, sizeof(zero) - 2, 100);	/* 22 3 3 */
	sim_feed(&s, S2C, (const uint8_t *)"\x00\x01\x0e", 3, 100);
	assert_true(tls_session(s.tf)->anomalies == 0);
	sim_feed(&s, S2C, toolong, sizeof(toolong), 100);
	assert_true(tls_session(s.tf)->anomalies &
	    (1u << TLS_ANOM_BAD_RECORD_LEN));
	assert_true(tls_dir_done(s.tf, S2C));
	tls_finalize(s.tf);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_MALFORMED);
	sim_free(&s);
}

/* Every prefix of a server flight, then flow end: never a crash. */
static void
test_truncation_every_offset(void **state)
{
	struct bb sh = { 0 }, cert = { 0 }, shd = { 0 }, srv = { 0 };
	struct sim s;
	size_t k, cert_end;
	enum tls_missing m;

	(void)state;
	server_flight_msgs(&sh, &cert, &shd);
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	bb_records(&srv, TLS_CT_HANDSHAKE, cert.p, cert.len, 9);
	cert_end = srv.len;
	bb_records(&srv, TLS_CT_HANDSHAKE, shd.p, shd.len, 16384);
	for (k = 0; k <= srv.len; k++) {
		sim_init(&s);
		feed_client_hello(&s);
		sim_feed(&s, S2C, srv.p, k, 1 + k % 7);
		tls_stream_end(s.tf, S2C, TLS_END_OK);
		tls_stream_end(s.tf, C2S, TLS_END_OK);
		tls_finalize(s.tf);
		m = tls_session(s.tf)->missing;
		if (k == 0)
			assert_int_equal(m, TLS_MISSING_NO_SERVER_DATA);
		else if (k < cert_end)
			assert_int_equal(m, TLS_MISSING_TRUNCATED);
		else
			assert_int_equal(m, TLS_MISSING_NONE);
		sim_free(&s);
	}
	bb_free(&sh);
	bb_free(&cert);
	bb_free(&shd);
	bb_free(&srv);
}

static void
test_gap_and_depth(void **state)
{
	struct bb sh = { 0 }, srv = { 0 };
	struct sim s;

	(void)state;
	server_hello(&sh, 0x0303, NULL, NULL, 0, 0x002f, NULL);
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed_bb(&s, S2C, &srv, 1000);
	tls_stream_end(s.tf, S2C, TLS_END_GAP);
	assert_true(tls_dir_done(s.tf, S2C));
	tls_finalize(s.tf);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_GAP);
	sim_free(&s);

	sim_init(&s);
	feed_client_hello(&s);
	sim_feed_bb(&s, S2C, &srv, 1000);
	tls_stream_end(s.tf, S2C, TLS_END_DEPTH);
	tls_finalize(s.tf);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_DEPTH);
	sim_free(&s);
	bb_free(&sh);
	bb_free(&srv);
}

static void
test_midstream(void **state)
{
	uint8_t data[300];
	struct bb a = { 0 };
	struct sim s;

	(void)state;
	memset(data, 0x5c, sizeof(data));
	bb_records(&a, TLS_CT_APPDATA, data, sizeof(data), 100);
	sim_init(&s);
	sim_feed_bb(&s, C2S, &a, 50);
	sim_feed_bb(&s, S2C, &a, 50);
	assert_true(tls_is_tls(s.tf));
	assert_false(tls_not_tls(s.tf));
	assert_true(tls_done(s.tf));
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_MIDSTREAM);
	tls_finalize(s.tf);
	assert_string_equal(tls_missing_name(tls_session(s.tf)->missing),
	    "midstream_after_handshake");
	sim_free(&s);
	bb_free(&a);
}

static void
test_alert_before_server_hello(void **state)
{
	static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 40 };
	struct sim s;

	(void)state;
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed(&s, S2C, alert, sizeof(alert), 100);
	assert_true(tls_done(s.tf));
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_ALERT);
	sim_free(&s);
}

static void
test_resumption(void **state)
{
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	uint8_t sid[32];
	struct bb ch = { 0 }, sh = { 0 }, srv = { 0 }, sh2 = { 0 };
	struct sim s;
	const struct tls_session *ss;

	(void)state;
	memset(sid, 0x33, sizeof(sid));
	simple_ch_record(&ch, sid, sizeof(sid));
	server_hello(&sh, 0x0303, NULL, sid, sizeof(sid), 0xc02f, NULL);
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	bb_put(&srv, ccs, sizeof(ccs));
	sim_init(&s);
	sim_feed_bb(&s, C2S, &ch, 1000);
	sim_feed_bb(&s, S2C, &srv, 1000);
	ss = tls_session(s.tf);
	assert_true(ss->resumed);
	assert_true(tls_done(s.tf));
	assert_int_equal(ss->missing, TLS_MISSING_RESUMED);
	sim_free(&s);

	/* an echoed session id followed by a Certificate is a full one */
	server_hello(&sh2, 0x0303, NULL, sid, sizeof(sid), 0xc02f, NULL);
	srv.len = 0;
	bb_records(&srv, TLS_CT_HANDSHAKE, sh2.p, sh2.len, 16384);
	sh2.len = 0;
	three_certs(&sh2);
	bb_records(&srv, TLS_CT_HANDSHAKE, sh2.p, sh2.len, 16384);
	bb_put(&srv, ccs, sizeof(ccs));
	sim_init(&s);
	sim_feed_bb(&s, C2S, &ch, 1000);
	sim_feed_bb(&s, S2C, &srv, 1000);
	assert_false(tls_session(s.tf)->resumed);
	assert_three_certs(tls_session(s.tf));
	assert_true(tls_done(s.tf));
	sim_free(&s);
	bb_free(&ch);
	bb_free(&sh);
	bb_free(&sh2);
	bb_free(&srv);
}

/*
 * DH_anon (as openssl's ALL@SECLEVEL=0 picks): ServerHello,
 * ServerKeyExchange, ServerHelloDone, no Certificate, then the server's
 * CCS.  A full handshake without certificates, not a resumption.
 */
static void
test_anonymous_suite(void **state)
{
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	static const uint8_t skx[] = { 0, 1, 2, 0, 1, 5, 0, 1, 7 };
	uint8_t sid[32];
	struct bb ch = { 0 }, sh = { 0 }, srv = { 0 }, body = { 0 };
	struct sim s;
	const struct tls_session *ss;

	(void)state;
	memset(sid, 0x44, sizeof(sid));
	simple_ch_record(&ch, sid, sizeof(sid));
	server_hello(&sh, 0x0303, NULL, NULL, 0, 0x00a7, NULL);
	bb_put(&body, skx, sizeof(skx));
	bb_hs(&sh, 12, &body);			/* ServerKeyExchange */
	body.len = 0;
	bb_hs(&sh, 14, &body);			/* ServerHelloDone */
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	bb_put(&srv, ccs, sizeof(ccs));
	sim_init(&s);
	sim_feed_bb(&s, C2S, &ch, 1000);
	sim_feed_bb(&s, S2C, &srv, 7);
	ss = tls_session(s.tf);
	assert_false(ss->resumed);
	assert_true(tls_done(s.tf));
	assert_int_equal(ss->server.n, 0);
	assert_int_equal(ss->missing, TLS_MISSING_NO_CERT);
	tls_finalize(s.tf);
	assert_string_equal(tls_missing_name(tls_session(s.tf)->missing),
	    "no_certificate");
	sim_free(&s);
	bb_free(&ch);
	bb_free(&sh);
	bb_free(&srv);
	bb_free(&body);
}

static void
run_client_cert(int empty)
{
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	struct bb sh = { 0 }, cert = { 0 }, shd = { 0 }, req = { 0 };
	struct bb srv = { 0 }, cli = { 0 }, msgs = { 0 }, body = { 0 };
	const uint8_t *der[2] = { cert_b, cert_c };
	size_t len[2] = { sizeof(cert_b), sizeof(cert_c) };
	struct sim s;
	const struct tls_session *ss;

	server_flight_msgs(&sh, &cert, &shd);
	bb_u8(&body, 1); bb_u8(&body, 1); bb_u16(&body, 0); bb_u16(&body, 0);
	bb_hs(&req, TLS_HS_CERTIFICATE_REQUEST, &body);
	bb_put(&msgs, sh.p, sh.len);
	bb_put(&msgs, cert.p, cert.len);
	bb_put(&msgs, req.p, req.len);
	bb_put(&msgs, shd.p, shd.len);
	bb_records(&srv, TLS_CT_HANDSHAKE, msgs.p, msgs.len, 16384);
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed_bb(&s, S2C, &srv, 1000);
	ss = tls_session(s.tf);
	assert_true(ss->cert_requested);
	assert_three_certs(ss);
	assert_false(tls_done(s.tf));	/* the client chain is coming */
	msgs.len = 0;
	certificate(&msgs, der, len, empty ? 0 : 2);
	empty_msg(&msgs, TLS_HS_CLIENT_KEY_EXCHANGE);
	bb_records(&cli, TLS_CT_HANDSHAKE, msgs.p, msgs.len, 16384);
	bb_put(&cli, ccs, sizeof(ccs));
	sim_feed_bb(&s, C2S, &cli, 1000);
	assert_true(tls_done(s.tf));
	assert_true(ss->client.seen);
	assert_int_equal(ss->client.n, empty ? 0 : 2);
	if (!empty)
		assert_memory_equal(ss->client.cert[1].der, cert_c,
		    sizeof(cert_c));
	assert_three_certs(ss);
	assert_int_equal(ss->missing, TLS_MISSING_NONE);
	sim_free(&s);
	bb_free(&sh); bb_free(&cert); bb_free(&shd); bb_free(&req);
	bb_free(&srv); bb_free(&cli); bb_free(&msgs); bb_free(&body);
}

static void
test_client_cert(void **state)
{
	(void)state;
	run_client_cert(0);
	run_client_cert(1);
}

/* After ChangeCipherSpec a handshake record is encrypted (Finished). */
static void
test_encrypted_after_ccs(void **state)
{
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	struct bb rec = { 0 }, msg = { 0 };
	struct sim s;

	(void)state;
	three_certs(&msg);
	bb_put(&rec, ccs, sizeof(ccs));
	bb_records(&rec, TLS_CT_HANDSHAKE, msg.p, msg.len, 16384);
	sim_init(&s);
	feed_client_hello(&s);
	sim_feed_bb(&s, S2C, &rec, 1000);
	assert_int_equal(tls_session(s.tf)->server.n, 0);
	sim_free(&s);
	bb_free(&rec);
	bb_free(&msg);
}

/* ---- real flights (tests/fuzz/tls/, carved from the Zeek corpus) ---- */

/* Replay a seed file: [dir][len16][bytes]... through the model. */
static int
replay_seed(struct sim *s, const char *name, size_t chunk)
{
	char path[512];
	uint8_t hdr[3], *buf;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fuzz/tls/%s", RW_SRCDIR, name);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	buf = malloc(65536);
	assert_non_null(buf);
	while (fread(hdr, 1, 3, f) == 3) {
		n = (size_t)hdr[1] << 8 | hdr[2];
		assert_int_equal(fread(buf, 1, n, f), n);
		sim_feed(s, hdr[0] & 1, buf, n, chunk);
	}
	free(buf);
	fclose(f);
	tls_finalize(s->tf);
	return 0;
}

static void
sha256_hex(const struct tls_cert *c, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0, i;

	assert_int_equal(EVP_Digest(c->der, c->len, md, &len, EVP_sha256(),
	    NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
test_corpus_flights(void **state)
{
	static const size_t chunks[] = { 100000, 1 };
	struct sim s;
	const struct tls_session *ss;
	char hex[65];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim_init(&s);
		if (replay_seed(&s, "ecdhe-0.bin", chunks[i]) == -1) {
			sim_free(&s);
			skip();
		}
		ss = tls_session(s.tf);
		assert_int_equal(ss->server.n, 3);
		sha256_hex(&ss->server.cert[0], hex);
		assert_string_equal(hex, "a97a22b691caf62c1623d14abf8a31ac"
		    "915f14d87f77d8a37c47eb4785b484ad");
		sha256_hex(&ss->server.cert[2], hex);
		assert_string_equal(hex, "3c35cc963eb004451323d3275d05b353"
		    "235053490d9cd83729a2faf5e7ca1cc0");
		assert_int_equal(ss->missing, TLS_MISSING_NONE);
		sim_free(&s);
	}

	sim_init(&s);
	assert_int_equal(replay_seed(&s, "client-certificate-0.bin", 700), 0);
	ss = tls_session(s.tf);
	assert_string_equal(ss->sni, "certauth.idrix.fr");
	assert_int_equal(ss->server.n, 3);
	assert_int_equal(ss->client.n, 2);
	sha256_hex(&ss->client.cert[0], hex);
	assert_string_equal(hex, "a1f55d76849597ea678caa765fddf967"
	    "cb1d9150a29c4e4479c58e0bafaaedc3");
	sim_free(&s);

	/* handshake length 256, certificate_list length 3820 */
	sim_init(&s);
	assert_int_equal(replay_seed(&s, "tls1.2-protocol-violation-0.bin",
	    100000), 0);
	assert_int_equal(tls_session(s.tf)->server.n, 0);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_MALFORMED);
	sim_free(&s);

	sim_init(&s);
	assert_int_equal(replay_seed(&s, "hrr-0.bin", 100000), 0);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_TLS13);
	sim_free(&s);

	sim_init(&s);
	assert_int_equal(replay_seed(&s, "gtp6_gtp_0x32-0.bin", 100000), 0);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_RESUMED);
	sim_free(&s);

	sim_init(&s);
	assert_int_equal(replay_seed(&s, "tls-1.2-handshake-failure-0.bin",
	    100000), 0);
	assert_int_equal(tls_session(s.tf)->missing, TLS_MISSING_ALERT);
	sim_free(&s);
}

/*
 * A valid ~60 KB chain (six 10 000-byte DER blobs: the TLS layer only
 * copies DER) under a budget of 90 KiB: the handshake buffer (the whole
 * Certificate message, ~60 KB) fits, the copy of the chain beside it does
 * not.  The refusal is chain_missing memcap, counted, and no anomaly: the
 * list itself is well formed.  With the default budget the same flight
 * shows the chain.
 */
static void
run_big_chain(struct tls_ctx *ctx, size_t memcap, enum tls_missing want)
{
	enum { NCERT = 6, CERTLEN = 10000 };
	struct bb sh = { 0 }, cert = { 0 }, shd = { 0 }, srv = { 0 };
	const uint8_t *der[NCERT];
	size_t len[NCERT], i;
	uint8_t *blob;
	struct sim s;

	assert_non_null(blob = malloc(NCERT * CERTLEN));
	for (i = 0; i < NCERT * CERTLEN; i++)
		blob[i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < NCERT; i++) {
		der[i] = blob + i * CERTLEN;
		len[i] = CERTLEN;
	}
	server_hello(&sh, 0x0303, NULL, NULL, 0, 0xc02f, NULL);
	certificate(&cert, der, len, NCERT);
	empty_msg(&shd, TLS_HS_SERVER_HELLO_DONE);
	bb_records(&srv, TLS_CT_HANDSHAKE, sh.p, sh.len, 16384);
	bb_records(&srv, TLS_CT_HANDSHAKE, cert.p, cert.len, 16384);
	bb_records(&srv, TLS_CT_HANDSHAKE, shd.p, shd.len, 16384);
	ctx->mem_cap = memcap;
	sim_init_ctx(&s, ctx);
	feed_client_hello(&s);
	sim_feed_bb(&s, S2C, &srv, 1460);
	assert_true(tls_done(s.tf));
	assert_int_equal(tls_session(s.tf)->missing, want);
	assert_int_equal(tls_session(s.tf)->server.n,
	    want == TLS_MISSING_NONE ? NCERT : 0);
	assert_int_equal(tls_session(s.tf)->anomalies, 0);
	sim_free(&s);
	assert_int_equal(ctx->mem_used, 0);
	free(blob);
	bb_free(&sh);
	bb_free(&cert);
	bb_free(&shd);
	bb_free(&srv);
}

static void
test_memcap_valid_chain(void **state)
{
	struct tls_ctx *ctx = *state;

	run_big_chain(ctx, 90 * 1024, TLS_MISSING_MEMCAP);
	assert_int_equal(ctx->memcap_refused, 1);
	assert_true(ctx->mem_hits >= 1);
	assert_true(ctx->mem_peak <= 90 * 1024);
	assert_string_equal(tls_missing_name(TLS_MISSING_MEMCAP), "memcap");
	run_big_chain(ctx, LIM_TLS_MEMCAP, TLS_MISSING_NONE);
	assert_int_equal(ctx->memcap_refused, 1);	/* not counted again */
}

/*
 * The state machine alone, table-driven: each step sets the fact a parser
 * sets before it fires its event (client side 0, server side 1), and the
 * row says where the session must end up.
 */
enum fsm_op {
	OP_END = 0, OP_RECORD, OP_CH, OP_SH, OP_HRR, OP_ENC, OP_CERT,
	OP_CERTREQ, OP_CCERT, OP_SHD, OP_CCS_S, OP_ALERT, OP_MALF_C,
	OP_MALF_S, OP_DEPTH, OP_MEMCAP, OP_GAP_S, OP_REASM_MEMCAP_S,
	OP_FLOW_END,
};

static void
fsm_step(struct tls_flow *tf, enum fsm_op op)
{
	static const enum tls_event ev[] = {
		[OP_RECORD] = TLS_EV_RECORD, [OP_HRR] = TLS_EV_HELLO_RETRY,
		[OP_ENC] = TLS_EV_ENCRYPTED, [OP_ALERT] = TLS_EV_ALERT,
		[OP_DEPTH] = TLS_EV_DEPTH, [OP_MEMCAP] = TLS_EV_MEMCAP,
		[OP_FLOW_END] = TLS_EV_FLOW_END,
	};

	switch (op) {
	case OP_CH:
		tf->client_dir = 0;
		tf->s.client_hello = 1;
		tf->d[0].records = tf->d[0].bytes_seen = 1;
		tls_fsm(tf, TLS_EV_CLIENT_HELLO, 0);
		break;
	case OP_SH:
		tf->client_dir = 0;
		tf->s.server_hello = 1;
		tf->d[1].records = tf->d[1].bytes_seen = 1;
		tls_fsm(tf, TLS_EV_SERVER_HELLO, 1);
		break;
	case OP_CERT:
		tf->s.server.seen = 1;
		tls_fsm(tf, TLS_EV_CERTIFICATE, 1);
		break;
	case OP_CERTREQ:
		tf->s.cert_requested = 1;
		tls_fsm(tf, TLS_EV_CERT_REQUEST, 1);
		break;
	case OP_CCERT:
		tf->s.client.seen = 1;
		tls_fsm(tf, TLS_EV_CLIENT_CERT, 0);
		break;
	case OP_SHD:
		tf->shd = 1;
		tls_fsm(tf, TLS_EV_SERVER_DONE, 1);
		break;
	case OP_CCS_S:
		tf->d[1].ccs = 1;
		tls_fsm(tf, TLS_EV_CCS, 1);
		break;
	case OP_MALF_C:
	case OP_MALF_S:
		tf->d[op == OP_MALF_S].bad = 1;
		tls_fsm(tf, TLS_EV_MALFORMED, op == OP_MALF_S);
		break;
	case OP_GAP_S:
	case OP_REASM_MEMCAP_S:
		tf->d[1].ended = 1;
		tf->d[1].reason = op == OP_GAP_S ? TLS_END_GAP : TLS_END_MEMCAP;
		tls_fsm(tf, TLS_EV_STREAM_END, 1);
		break;
	default:
		tls_fsm(tf, ev[op], -1);
		break;
	}
}

struct fsm_case {
	enum fsm_op	 ops[8];
	enum tls_state	 state;
	enum tls_missing missing;
	int		 done;
};

static const struct fsm_case fsm_cases[] = {
	/* full flight: ServerHelloDone completes the chain */
	{ { OP_RECORD, OP_CH, OP_SH, OP_CERT, OP_SHD }, TLS_ST_DONE,
	    TLS_MISSING_NONE, 1 },
	/* a client Certificate was asked for: wait for it */
	{ { OP_RECORD, OP_CH, OP_SH, OP_CERT, OP_CERTREQ, OP_SHD },
	    TLS_ST_CHAIN, TLS_MISSING_NONE, 0 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_CERT, OP_CERTREQ, OP_SHD, OP_CCERT },
	    TLS_ST_DONE, TLS_MISSING_NONE, 1 },
	/* an alert after the chain changes nothing */
	{ { OP_RECORD, OP_CH, OP_SH, OP_CERT, OP_ALERT, OP_FLOW_END },
	    TLS_ST_DONE, TLS_MISSING_NONE, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_CCS_S }, TLS_ST_END_RESUMED,
	    TLS_MISSING_RESUMED, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_SHD }, TLS_ST_END_NO_CERT,
	    TLS_MISSING_NO_CERT, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_ENC }, TLS_ST_END_TLS13,
	    TLS_MISSING_TLS13, 1 },
	/* HelloRetryRequest then an alert: still TLS 1.3 */
	{ { OP_RECORD, OP_CH, OP_HRR, OP_ALERT }, TLS_ST_END_TLS13,
	    TLS_MISSING_TLS13, 1 },
	{ { OP_RECORD, OP_CH, OP_HRR }, TLS_ST_HELLO_RETRY,
	    TLS_MISSING_TLS13, 0 },
	/* the client side malformed: the alert still says more */
	{ { OP_RECORD, OP_CH, OP_SH, OP_MALF_C, OP_ALERT }, TLS_ST_END_ALERT,
	    TLS_MISSING_ALERT, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_MALF_S }, TLS_ST_END_MALFORMED,
	    TLS_MISSING_MALFORMED, 1 },
	/* a refusal, then a malformed server side: malformed */
	{ { OP_RECORD, OP_CH, OP_SH, OP_MEMCAP, OP_MALF_S },
	    TLS_ST_END_MALFORMED, TLS_MISSING_MALFORMED, 1 },
	/* the first of memcap and depth stays */
	{ { OP_RECORD, OP_CH, OP_SH, OP_MEMCAP, OP_DEPTH, OP_FLOW_END },
	    TLS_ST_END_MEMCAP, TLS_MISSING_MEMCAP, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_DEPTH, OP_MEMCAP, OP_FLOW_END },
	    TLS_ST_END_DEPTH, TLS_MISSING_DEPTH, 1 },
	/* a refused buffer, then the chain anyway (other flow freed room) */
	{ { OP_RECORD, OP_CH, OP_SH, OP_MEMCAP, OP_CERT, OP_FLOW_END },
	    TLS_ST_DONE, TLS_MISSING_NONE, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_MEMCAP, OP_SHD }, TLS_ST_END_MEMCAP,
	    TLS_MISSING_MEMCAP, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_GAP_S, OP_FLOW_END }, TLS_ST_END_GAP,
	    TLS_MISSING_GAP, 1 },
	/* a gap does not hide a refusal */
	{ { OP_RECORD, OP_CH, OP_SH, OP_MEMCAP, OP_GAP_S, OP_FLOW_END },
	    TLS_ST_END_MEMCAP, TLS_MISSING_MEMCAP, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_REASM_MEMCAP_S, OP_FLOW_END },
	    TLS_ST_END_MEMCAP, TLS_MISSING_MEMCAP, 1 },
	{ { OP_RECORD, OP_CH, OP_SH, OP_FLOW_END }, TLS_ST_END_TRUNCATED,
	    TLS_MISSING_TRUNCATED, 1 },
	{ { OP_RECORD, OP_CH, OP_FLOW_END }, TLS_ST_END_NO_SERVER_DATA,
	    TLS_MISSING_NO_SERVER_DATA, 1 },
	{ { OP_RECORD, OP_FLOW_END }, TLS_ST_END_MIDSTREAM,
	    TLS_MISSING_MIDSTREAM, 1 },
	/* events before any record mean nothing */
	{ { OP_ALERT, OP_MEMCAP, OP_FLOW_END }, TLS_ST_END_NOT_TLS,
	    TLS_MISSING_NOT_TLS, 0 },
	/* a final state is kept */
	{ { OP_RECORD, OP_CH, OP_SH, OP_CCS_S, OP_CERT, OP_ALERT,
	    OP_FLOW_END }, TLS_ST_END_RESUMED, TLS_MISSING_RESUMED, 1 },
};

static void
test_fsm_table(void **state)
{
	struct tls_ctx *ctx = *state;
	struct tls_flow *tf;
	uint64_t memcap = 0;
	size_t i, k;

	for (i = 0; i < sizeof(fsm_cases) / sizeof(fsm_cases[0]); i++) {
		const struct fsm_case *c = &fsm_cases[i];

		assert_non_null(tf = tls_flow_new(ctx, 0));
		for (k = 0; k < 8 && c->ops[k] != OP_END; k++)
			fsm_step(tf, c->ops[k]);
		print_message("case %zu: %s\n", i, tls_state_name(tf->state));
		assert_int_equal(tf->state, c->state);
		assert_int_equal(tls_session(tf)->missing, c->missing);
		assert_int_equal(tls_done(tf), c->done);
		memcap += c->state == TLS_ST_END_MEMCAP;
		tls_flow_free(tf);
	}
	/* each session that ended on a refusal is counted once */
	assert_int_equal(ctx->memcap_refused, memcap);
	assert_string_equal(tls_event_name(TLS_EV_MEMCAP), "memcap");
}

/* A fresh worker context per test: no budget or counter is inherited. */
static int
ctx_setup(void **state)
{
	static struct limits lim;
	struct tls_ctx *ctx;

	limits_default(&lim);
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL ||
	    tls_ctx_init(ctx, &lim) == -1)
		return -1;
	*state = ctx;
	return 0;
}

static int
ctx_teardown(void **state)
{
	struct tls_ctx *ctx = *state;
	int leaked = ctx->mem_used != 0;

	tls_ctx_free(ctx);
	free(ctx);
	return leaked ? -1 : 0;
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(tls_version_name(0x0301), "TLSv1");
	assert_string_equal(tls_version_name(0x0303), "TLS 1.2");
	assert_string_equal(tls_version_name(0x0304), "TLS 1.3");
	assert_string_equal(tls_version_name(0x0300), "SSLv3");
	assert_string_equal(tls_version_name(0x0002), "SSLv2");
	assert_string_equal(tls_version_name(0x7f1c), "TLS 1.3 draft-28");
	assert_string_equal(tls_version_name(0xfb1a), "TLS 1.3 draft-26-fb");
	assert_string_equal(tls_version_name(0xfefd), "DTLS 1.2");
	assert_string_equal(tls_version_name(0x1234), "unknown");
	assert_string_equal(tls_cipher_name(0xc02f),
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(tls_cipher_name(0x1301), "TLS_AES_128_GCM_SHA256");
	assert_string_equal(tls_cipher_name(0x0003),
	    "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
	assert_string_equal(tls_cipher_name(0x000a),
	    "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
	assert_null(tls_cipher_name(0x7777));
	assert_string_equal(tls_missing_name(TLS_MISSING_NONE), "");
	assert_string_equal(tls_missing_name(TLS_MISSING_NO_SERVER_DATA),
	    "no_server_data");
	assert_string_equal(tls_anomaly_name(TLS_ANOM_HS_TOO_LARGE),
	    "handshake_too_large");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_hello_fields),
		cmocka_unit_test(test_fingerprints_known),
		cmocka_unit_test(test_server_hello_12),
		cmocka_unit_test(test_server_hello_13_and_hrr),
		cmocka_unit_test(test_hello_grease_and_duplicates),
		cmocka_unit_test(test_hello_truncated_extensions),
		cmocka_unit_test(test_hello_malformed),
		cmocka_unit_test(test_hello_dtls_cookie),
		cmocka_unit_test(test_server_hello_draft),
		cmocka_unit_test(test_cert_layouts),
		cmocka_unit_test(test_cert_64k),
		cmocka_unit_test(test_cert_bad_lengths),
		cmocka_unit_test(test_cert_huge_claim),
		cmocka_unit_test(test_memcap_many_flows),
		cmocka_unit_test(test_zero_and_long_records),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_gap_and_depth),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_alert_before_server_hello),
		cmocka_unit_test(test_resumption),
		cmocka_unit_test(test_anonymous_suite),
		cmocka_unit_test(test_client_cert),
		cmocka_unit_test(test_encrypted_after_ccs),
		cmocka_unit_test(test_corpus_flights),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_memcap_valid_chain,
		    ctx_setup, ctx_teardown),
		cmocka_unit_test_setup_teardown(test_fsm_table, ctx_setup,
		    ctx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
