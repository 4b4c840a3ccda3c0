/*
 * tls_aux_test.c - sslv2.c, dtls.c and starttls.c, linked without tls.c:
 * the tls layer functions they call are test doubles below that record
 * what they were given.  Real bytes come from the Zeek trace corpus
 * (tests/unit/data/README), crafted bytes from the builders here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/limits.h"
#include "parse.h"
#include "tls.h"
#include "tls_aux.h"
#include "tls_int.h"
#include "sensor/xmalloc.h"

#ifndef RW_SRCDIR
#define RW_SRCDIR "."
#endif
#define DATA RW_SRCDIR "/tests/unit/data/"

/* -- test doubles of the tls layer ------------------------------------ */

#define MAX_MSGS 64

struct hs_msg {
	int		 dir;
	uint8_t		 type;
	size_t		 len;
	uint8_t		*body;
	int		 dtls;
};

/* The real struct tls_flow (tls_int.h) comes first: the modules under
 * test only pass the pointer on, the doubles record beside it. */
struct fake_flow {
	struct tls_flow	 f;		/* s and client_dir are used */
	int		 events[TLS_EV_MAX];	/* tls_fsm calls per event */
	int		 marked[2];
	int		 notes[2];
	uint8_t		 last_ct[2];
	uint16_t	 last_ver[2];
	struct hs_msg	 msg[MAX_MSGS];
	int		 nmsg;
};

#define FF(tf)	((struct fake_flow *)(void *)(tf))

enum parse_result
tls_hs_message(struct tls_flow *tf, int dir, uint8_t type,
    const uint8_t *body, size_t len, int dtls)
{
	struct hs_msg *m;

	assert_true(FF(tf)->nmsg < MAX_MSGS);
	m = &FF(tf)->msg[FF(tf)->nmsg++];
	m->dir = dir;
	m->type = type;
	m->len = len;
	m->dtls = dtls;
	m->body = malloc(len + 1);
	assert_non_null(m->body);
	if (len > 0)
		memcpy(m->body, body, len);
	return PARSE_OK;
}

void
tls_note_record(struct tls_flow *tf, int dir, uint8_t ct, uint16_t ver)
{
	FF(tf)->notes[dir]++;
	FF(tf)->last_ct[dir] = ct;
	FF(tf)->last_ver[dir] = ver;
}

void
tls_mark_tls(struct tls_flow *tf, int dir)
{
	FF(tf)->marked[dir] = 1;
}

struct tls_session *
tls_session_mut(struct tls_flow *tf)
{
	return &tf->s;
}

void
tls_set_anomaly(struct tls_flow *tf, enum tls_anomaly a)
{
	tf->s.anomalies |= 1u << a;
}

void
tls_set_client_dir(struct tls_flow *tf, int dir)
{
	tf->client_dir = dir;
}

void
tls_fsm(struct tls_flow *tf, enum tls_event ev, int dir)
{
	(void)dir;
	assert_true((unsigned)ev < TLS_EV_MAX);
	FF(tf)->events[ev]++;
}

/* The TLS memory budget lives in tls.c: a plain counter here, so a test
 * can refuse memory (aux_mem_cap) and check that all is given back. */
static size_t aux_mem_used, aux_mem_cap = SIZE_MAX;

int
tls_mem_take(struct tls_ctx *ctx, size_t n)
{
	(void)ctx;
	if (n > aux_mem_cap - aux_mem_used)
		return -1;
	aux_mem_used += n;
	return 0;
}

void
tls_mem_give(struct tls_ctx *ctx, size_t n)
{
	(void)ctx;
	assert_true(n <= aux_mem_used);
	aux_mem_used -= n;
}

int
tls_chain_add(struct tls_ctx *ctx, struct tls_chain *ch, const uint8_t *der,
    size_t len)
{
	uint8_t *p;

	(void)ctx;
	if (ch->n >= LIM_TLS_CHAIN_MAX || (p = xmalloc(len)) == NULL)
		return -1;
	memcpy(p, der, len);
	ch->cert[ch->n].der = p;
	ch->cert[ch->n].len = (uint32_t)len;
	ch->n++;
	return 0;
}

void
tls_chain_clear(struct tls_ctx *ctx, struct tls_chain *ch)
{
	(void)ctx;
	while (ch->n > 0)
		xfree(ch->cert[--ch->n].der);
}

/* A context for dtls_state_new: only its limits are read here. */
static struct tls_ctx *
aux_ctx(struct tls_ctx *ctx, const struct limits *lim)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->lim = lim;
	return ctx;
}

static struct tls_flow *
flow_new(void)
{
	struct fake_flow *ff = calloc(1, sizeof(*ff));

	assert_non_null(ff);
	ff->f.client_dir = -1;
	return &ff->f;
}

static void
flow_free(struct tls_flow *tf)
{
	int i;

	for (i = 0; i < FF(tf)->nmsg; i++)
		free(FF(tf)->msg[i].body);
	tls_chain_clear(NULL, &tf->s.server);
	tls_chain_clear(NULL, &tf->s.client);
	free(FF(tf));
}

static int
count_msgs(const struct tls_flow *tf, int dir, uint8_t type)
{
	int i, n = 0;

	for (i = 0; i < FF(tf)->nmsg; i++)
		n += FF(tf)->msg[i].dir == dir && FF(tf)->msg[i].type == type;
	return n;
}

static const struct hs_msg *
find_msg(const struct tls_flow *tf, int dir, uint8_t type)
{
	int i;

	for (i = 0; i < FF(tf)->nmsg; i++)
		if (FF(tf)->msg[i].dir == dir && FF(tf)->msg[i].type == type)
			return &FF(tf)->msg[i];
	return NULL;
}

static int
has_anom(const struct tls_flow *tf, enum tls_anomaly a)
{
	return (tf->s.anomalies >> a) & 1;
}

/* -- files ---------------------------------------------------------------- */

static uint8_t *
load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* -- SSLv2 ---------------------------------------------------------------- */

/* ssl-v2.pcap: CLIENT-HELLO (SSL 2.0, 7 cipher specs, 16-byte challenge)
 * and SERVER-HELLO with a 903-byte certificate (tshark's copy in
 * server.der; its SHA-256 is the corpus oracle's). */
static void
test_sslv2_real(void **state)
{
	struct tls_flow *tf = flow_new();
	uint8_t *ch, *sh, *der;
	size_t chl, shl, derl, used = 0;

	(void)state;
	ch = load(DATA "sslv2/client_hello.bin", &chl);
	sh = load(DATA "sslv2/server_hello.bin", &shl);
	der = load(DATA "sslv2/server.der", &derl);
	assert_int_equal(sslv2_detect(ch, chl), 1);
	assert_int_equal(sslv2_detect(sh, shl), 1);
	assert_int_equal(sslv2_record(tf, 0, ch, chl, &used), PARSE_OK);
	assert_int_equal(used, chl);
	assert_int_equal(tf->s.client_version, 0x0002);
	assert_int_equal(tf->client_dir, 0);
	assert_true(FF(tf)->marked[0]);
	assert_int_equal(sslv2_record(tf, 1, sh, shl, &used), PARSE_OK);
	assert_int_equal(used, shl);
	assert_int_equal(tf->s.version, 0x0002);
	assert_true(tf->s.server_hello);
	assert_int_equal(tf->s.server.n, 1);
	assert_int_equal(tf->s.server.cert[0].len, derl);
	assert_int_equal(derl, 903);
	assert_memory_equal(tf->s.server.cert[0].der, der, derl);
	assert_int_equal(tf->s.anomalies, 0);
	free(ch);
	free(sh);
	free(der);
	flow_free(tf);
}

/* Every prefix of both hellos: PARSE_MORE with the total size once the
 * header is there, nothing recorded, no read past the prefix (ASan). */
static void
test_sslv2_truncated(void **state)
{
	const char *files[] = { DATA "sslv2/client_hello.bin",
	    DATA "sslv2/server_hello.bin" };
	struct tls_flow *tf;
	uint8_t *buf, *cut;
	size_t len, i, used;
	int f;

	(void)state;
	for (f = 0; f < 2; f++) {
		buf = load(files[f], &len);
		for (i = 0; i < len; i++) {
			tf = flow_new();
			cut = malloc(i + 1);
			memcpy(cut, buf, i);
			assert_int_equal(sslv2_record(tf, 1, cut, i, &used),
			    PARSE_MORE);
			if (i >= 2)
				assert_int_equal(used, len);
			assert_int_equal(tf->s.server.n, 0);
			assert_false(tf->s.client_hello);
			(void)sslv2_detect(cut, i);
			free(cut);
			flow_free(tf);
		}
		free(buf);
	}
}

/* SSLv2-compatible ClientHello of a TLS 1.0 client (RFC 5246 E.2). */
static const uint8_t sslv2_compat_hello[] = {
	0x80, 0x25,		/* 2-byte header, 37 bytes */
	0x01, 0x03, 0x01,	/* CLIENT-HELLO, version TLS 1.0 */
	0x00, 0x0c, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x00, 0x04, 0x00, 0x00, 0x05, 0x00, 0x00, 0x2f, 0x00, 0x00,
	0x35,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
};

static void
test_sslv2_compat_hello(void **state)
{
	struct tls_flow *tf = flow_new();
	size_t used;

	(void)state;
	assert_int_equal(sslv2_detect(sslv2_compat_hello,
	    sizeof(sslv2_compat_hello)), 1);
	assert_int_equal(sslv2_record(tf, 1, sslv2_compat_hello,
	    sizeof(sslv2_compat_hello), &used), PARSE_OK);
	assert_int_equal(used, sizeof(sslv2_compat_hello));
	assert_int_equal(tf->s.client_version, 0x0301);
	assert_int_equal(tf->client_dir, 1);
	assert_null(tf->s.ja3);
	flow_free(tf);
}

static void
test_sslv2_bad(void **state)
{
	uint8_t *sh, *ch;
	size_t shl, chl, used;
	struct tls_flow *tf = flow_new();

	(void)state;
	sh = load(DATA "sslv2/server_hello.bin", &shl);
	sh[8]++;			/* certificate length one too many */
	assert_int_equal(sslv2_detect(sh, shl), 0);
	assert_int_equal(sslv2_record(tf, 1, sh, shl, &used), PARSE_BAD);
	assert_true(has_anom(tf, TLS_ANOM_SSLV2_BAD));
	assert_int_equal(tf->s.server.n, 0);
	flow_free(tf);
	tf = flow_new();
	ch = load(DATA "sslv2/client_hello.bin", &chl);
	ch[10] = 40;			/* challenge 40 bytes: not SSLv2 */
	assert_int_equal(sslv2_detect(ch, chl), 0);
	assert_int_equal(sslv2_record(tf, 0, ch, chl, &used), PARSE_BAD);
	assert_true(has_anom(tf, TLS_ANOM_SSLV2_BAD));
	free(sh);
	free(ch);
	flow_free(tf);
}

/* Text and TLS are not SSLv2; neither are high-bit bytes that do not
 * hold together. */
static void
test_sslv2_detect_strict(void **state)
{
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x30, 0x01 };
	static const uint8_t junk[] = { 0x81, 0x20, 0x01, 0x7f, 0x7f, 0, 3,
	    0, 0, 0, 16 };
	static const uint8_t junk2[] = { 0x85, 0x00, 0x04, 0x00, 0x01, 0x00,
	    0x02, 0x01, 0x00, 0x00, 0x03, 0x00, 0x10 };
	const char *text[] = { "GET / HTTP/1.1\r\n", "220 mail ESMTP\r\n",
	    "\xc3\xa9t\xc3\xa9 UTF-8 text" };
	size_t i;

	(void)state;
	assert_int_equal(sslv2_detect(tls, sizeof(tls)), 0);
	assert_int_equal(sslv2_detect(junk, sizeof(junk)), 0);
	/* server hello: lengths do not add up to the record */
	assert_int_equal(sslv2_detect(junk2, sizeof(junk2)), 0);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		assert_int_equal(sslv2_detect((const uint8_t *)text[i],
		    strlen(text[i])), 0);
	assert_int_equal(sslv2_detect(tls, 2), 0);
}

/* -- DTLS ----------------------------------------------------------------- */

/* Replay a .dg file (dir byte, 16-bit length, datagram) through
 * dtls_datagram; with cut, every datagram is also fed truncated at every
 * length first (on a throw-away state). */
static void
dg_replay(struct tls_flow *tf, struct dtls_state *ds, const char *path,
    int cut)
{
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *tmp;
	struct tls_flow *junk;
	uint8_t *buf, *p;
	size_t len, pos = 0, n, i;
	int dir;

	limits_default(&lim);
	buf = load(path, &len);
	while (pos + 3 <= len) {
		dir = buf[pos];
		n = (size_t)buf[pos + 1] << 8 | buf[pos + 2];
		assert_true(pos + 3 + n <= len);
		for (i = 0; cut && i < n; i++) {
			junk = flow_new();
			tmp = dtls_state_new(aux_ctx(&ctx, &lim));
			p = malloc(i + 1);
			memcpy(p, buf + pos + 3, i);
			dtls_datagram(junk, tmp, dir, p, i);
			free(p);
			dtls_state_free(tmp);
			flow_free(junk);
		}
		p = malloc(n + 1);
		memcpy(p, buf + pos + 3, n);
		dtls_datagram(tf, ds, dir, p, n);
		free(p);
		pos += 3 + n;
	}
	free(buf);
}

/* The first certificate of a DTLS Certificate body (RFC 5246 7.4.2). */
static void
check_cert(const struct hs_msg *m, const char *derpath)
{
	uint8_t *der;
	size_t derl, l1, l2;

	assert_non_null(m);
	der = load(derpath, &derl);
	assert_true(m->len >= 6);
	l1 = (size_t)m->body[0] << 16 | m->body[1] << 8 | m->body[2];
	l2 = (size_t)m->body[3] << 16 | m->body[4] << 8 | m->body[5];
	assert_int_equal(l1 + 3, m->len);
	assert_int_equal(l2, derl);
	assert_memory_equal(m->body + 6, der, derl);
	free(der);
}

static void
test_dtls_real(void **state)
{
	static const struct {
		const char *dg, *der;
		int hvr;
	} cases[] = {
		{ DATA "dtls/dtls1_0.dg", DATA "dtls/dtls1_0.f6.der", 1 },
		{ DATA "dtls/dtls1_2.dg", DATA "dtls/dtls1_2.f10.der", 1 },
		{ DATA "dtls/webrtc-stun.dg", DATA "dtls/webrtc-stun.f11.der", 0 },
	};
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf;
	size_t i;
	int cdir;

	(void)state;
	limits_default(&lim);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tf = flow_new();
		ds = dtls_state_new(aux_ctx(&ctx, &lim));
		assert_non_null(ds);
		dg_replay(tf, ds, cases[i].dg, 0);
		/* webrtc: the first datagrams are STUN from the answerer,
		 * and the DTLS client is the other side. */
		cdir = find_msg(tf, 0, TLS_HS_CLIENT_HELLO) != NULL ? 0 : 1;
		assert_int_equal(count_msgs(tf, cdir, TLS_HS_CLIENT_HELLO),
		    1 + cases[i].hvr);
		assert_int_equal(count_msgs(tf, !cdir,
		    TLS_HS_HELLO_VERIFY_REQUEST), cases[i].hvr);
		assert_int_equal(count_msgs(tf, !cdir, TLS_HS_SERVER_HELLO), 1);
		assert_int_equal(count_msgs(tf, !cdir, TLS_HS_CERTIFICATE), 1);
		assert_int_equal(count_msgs(tf, !cdir,
		    TLS_HS_SERVER_HELLO_DONE), 1);
		check_cert(find_msg(tf, !cdir, TLS_HS_CERTIFICATE),
		    cases[i].der);
		assert_true(find_msg(tf, cdir, TLS_HS_CLIENT_HELLO)->dtls);
		assert_true(FF(tf)->marked[0] && FF(tf)->marked[1]);
		assert_true(FF(tf)->notes[cdir] > 0);	/* CCS, encrypted */
		assert_true(tf->s.dtls);
		assert_int_equal(tf->s.anomalies, 0);
		if (i == 2)	/* mutual authentication */
			check_cert(find_msg(tf, cdir, TLS_HS_CERTIFICATE),
			    DATA "dtls/webrtc-stun.f13.der");
		dtls_state_free(ds);
		flow_free(tf);
	}
}

/* DTLS 1.3 (wolfSSL): hellos in the clear, then unified headers only. */
static void
test_dtls13(void **state)
{
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf = flow_new();

	(void)state;
	limits_default(&lim);
	ds = dtls_state_new(aux_ctx(&ctx, &lim));
	dg_replay(tf, ds, DATA "dtls/dtls13-wolfssl.dg", 0);
	assert_true(count_msgs(tf, 0, TLS_HS_CLIENT_HELLO) >= 1);
	assert_true(count_msgs(tf, 1, TLS_HS_SERVER_HELLO) >= 1);
	assert_int_equal(count_msgs(tf, 1, TLS_HS_CERTIFICATE), 0);
	assert_true(FF(tf)->notes[1] > 0);
	assert_int_equal(FF(tf)->last_ver[1], 0xfefc);
	assert_int_equal(tf->s.anomalies, 0);
	dtls_state_free(ds);
	flow_free(tf);
}

/* The records of one datagram: a record whose end cannot be known (a
 * connection id, a unified header without length) takes the rest; one
 * cut short by the capture ends the datagram, what came before counts. */
static void
test_dtls_datagram_records(void **state)
{
	static const uint8_t alert[] = { 21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0,
	    1, 0, 2, 1, 0 };
	static const uint8_t cid[] = { 25, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0,
	    2, 0xaa, 0xbb, 0, 2, 0x11, 0x22 };
	static const uint8_t uni_len[] = { 0x2c, 0, 7, 0, 2, 0x33, 0x44 };
	static const uint8_t uni_nolen[] = { 0x28, 0, 8, 0x55, 0x66 };
	struct { const uint8_t *p[3]; size_t len[3]; int notes; uint8_t ct; }
	    cases[] = {
		{ { alert, alert }, { sizeof(alert), sizeof(alert) }, 2, 21 },
		{ { alert, cid, alert }, { sizeof(alert), sizeof(cid),
		    sizeof(alert) }, 2, TLS_CT_APPDATA },
		{ { uni_len, alert }, { sizeof(uni_len), sizeof(alert) }, 2,
		    21 },
		{ { uni_nolen, alert }, { sizeof(uni_nolen), sizeof(alert) },
		    1, TLS_CT_APPDATA },
		{ { alert, alert }, { sizeof(alert), 12 }, 1, 21 },
		{ { alert, alert }, { sizeof(alert), 14 }, 1, 21 },
	};
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf;
	uint8_t dg[64];
	size_t i, j, n;

	(void)state;
	limits_default(&lim);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tf = flow_new();
		ds = dtls_state_new(aux_ctx(&ctx, &lim));
		for (j = n = 0; j < 3 && cases[i].p[j] != NULL; j++) {
			memcpy(dg + n, cases[i].p[j], cases[i].len[j]);
			n += cases[i].len[j];
		}
		dtls_datagram(tf, ds, 1, dg, n);
		print_message("case %zu\n", i);
		assert_int_equal(FF(tf)->notes[1], cases[i].notes);
		assert_int_equal(FF(tf)->last_ct[1], cases[i].ct);
		assert_int_equal(tf->s.anomalies, 0);
		dtls_state_free(ds);
		flow_free(tf);
	}
}

static void
test_dtls_truncated(void **state)
{
	static const char *files[] = { DATA "dtls/dtls1_2.dg",
	    DATA "dtls/webrtc-stun.dg", DATA "dtls/dtls13-wolfssl.dg" };
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf;
	size_t i;

	(void)state;
	limits_default(&lim);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		tf = flow_new();
		ds = dtls_state_new(aux_ctx(&ctx, &lim));
		dg_replay(tf, ds, files[i], 1);
		dtls_state_free(ds);
		flow_free(tf);
	}
}

/* Crafted datagrams: one handshake record holding one fragment. */
static size_t
dtls_frag_dg(uint8_t *out, uint16_t epoch, uint8_t type, uint32_t mlen,
    uint16_t seq, uint32_t off, const uint8_t *frag, uint32_t flen)
{
	size_t rl = 12 + flen;

	out[0] = 22;
	out[1] = 0xfe;
	out[2] = 0xfd;
	out[3] = (uint8_t)(epoch >> 8);
	out[4] = (uint8_t)epoch;
	memset(out + 5, 0, 6);
	out[10] = (uint8_t)seq;
	out[11] = (uint8_t)(rl >> 8);
	out[12] = (uint8_t)rl;
	out[13] = type;
	out[14] = (uint8_t)(mlen >> 16);
	out[15] = (uint8_t)(mlen >> 8);
	out[16] = (uint8_t)mlen;
	out[17] = (uint8_t)(seq >> 8);
	out[18] = (uint8_t)seq;
	out[19] = (uint8_t)(off >> 16);
	out[20] = (uint8_t)(off >> 8);
	out[21] = (uint8_t)off;
	out[22] = (uint8_t)(flen >> 16);
	out[23] = (uint8_t)(flen >> 8);
	out[24] = (uint8_t)flen;
	if (flen > 0)
		memcpy(out + 25, frag, flen);
	return 25 + flen;
}

#define MSG_LEN 3001

static uint8_t msg_body[MSG_LEN];
static const uint8_t stun_dg[] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12,
    0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static void
send_frag(struct tls_flow *tf, struct dtls_state *ds, uint32_t off,
    uint32_t flen, uint16_t seq)
{
	uint8_t dg[25 + MSG_LEN];
	size_t n;

	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, MSG_LEN, seq, off,
	    msg_body + off, flen);
	dtls_datagram(tf, ds, 1, dg, n);
	dtls_datagram(tf, ds, 1, stun_dg, sizeof(stun_dg));
}

static void
expect_one_message(struct tls_flow *tf)
{
	const struct hs_msg *m = find_msg(tf, 1, TLS_HS_CERTIFICATE);

	assert_int_equal(count_msgs(tf, 1, TLS_HS_CERTIFICATE), 1);
	assert_int_equal(m->len, MSG_LEN);
	assert_memory_equal(m->body, msg_body, MSG_LEN);
	assert_int_equal(FF(tf)->nmsg, 1);
}

/* In order, reversed, each twice, and overlapping (same bytes): always
 * the same message, exactly once; STUN in between changes nothing. */
static void
test_dtls_fragments(void **state)
{
	static const uint32_t cuts[] = { 0, 700, 1400, 2100, 2800, MSG_LEN };
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf;
	int order, k;
	size_t i;

	(void)state;
	limits_default(&lim);
	for (i = 0; i < MSG_LEN; i++)
		msg_body[i] = (uint8_t)(i * 7 + (i >> 8));
	for (order = 0; order < 4; order++) {
		tf = flow_new();
		ds = dtls_state_new(aux_ctx(&ctx, &lim));
		for (k = 0; k < 5; k++) {
			int j = order == 1 ? 4 - k : k;
			uint32_t a = cuts[j], b = cuts[j + 1];

			if (order == 3 && j > 0)
				a -= 50;	/* overlap the previous one */
			send_frag(tf, ds, a, b - a, 3);
			if (order == 2)
				send_frag(tf, ds, a, b - a, 3);
		}
		send_frag(tf, ds, 0, 700, 3);	/* late retransmission */
		expect_one_message(tf);
		assert_int_equal(tf->s.anomalies, 0);
		dtls_state_free(ds);
		flow_free(tf);
	}
}

/* Overlap with different bytes: the first copy wins, and it is noted. */
static void
test_dtls_overlap_conflict(void **state)
{
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf = flow_new();
	uint8_t evil[100], dg[200];
	size_t n;

	(void)state;
	limits_default(&lim);
	ds = dtls_state_new(aux_ctx(&ctx, &lim));
	send_frag(tf, ds, 0, 1500, 0);
	memset(evil, 0xee, sizeof(evil));
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, MSG_LEN, 0, 1400, evil,
	    sizeof(evil));
	dtls_datagram(tf, ds, 1, dg, n);
	assert_true(has_anom(tf, TLS_ANOM_DTLS_FRAG_BAD));
	send_frag(tf, ds, 1500, MSG_LEN - 1500, 0);
	expect_one_message(tf);
	dtls_state_free(ds);
	flow_free(tf);
}

/* Oversized and inconsistent claims stay bounded. */
static void
test_dtls_bounds(void **state)
{
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf = flow_new();
	uint8_t dg[2000], b[1000];
	size_t n;
	uint16_t s;

	(void)state;
	memset(b, 0x41, sizeof(b));
	limits_default(&lim);
	lim.tls_hs_max = 4000;
	ds = dtls_state_new(aux_ctx(&ctx, &lim));
	/* 16 MB message: refused, never buffered */
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 0xffffff, 0, 0, b, 100);
	dtls_datagram(tf, ds, 1, dg, n);
	assert_true(has_anom(tf, TLS_ANOM_HS_TOO_LARGE));
	/* fragment past the announced length */
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 50, 1, 10, b, 100);
	dtls_datagram(tf, ds, 1, dg, n);
	assert_true(has_anom(tf, TLS_ANOM_DTLS_FRAG_BAD));
	/* many 3000-byte messages started, never finished: the oldest are
	 * evicted (at most 4000 bytes held), the newest still completes */
	for (s = 2; s < 40; s++) {
		n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 3000, s, 0, b, 10);
		dtls_datagram(tf, ds, 1, dg, n);
	}
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 3000, 39, 10, b, 990);
	dtls_datagram(tf, ds, 1, dg, n);
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 3000, 39, 1000, b, 1000);
	dtls_datagram(tf, ds, 1, dg, n);
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 3000, 39, 2000, b, 1000);
	dtls_datagram(tf, ds, 1, dg, n);
	assert_int_equal(count_msgs(tf, 1, TLS_HS_CERTIFICATE), 1);
	assert_int_equal(find_msg(tf, 1, TLS_HS_CERTIFICATE)->len, 3000);
	/* message 2 was evicted: its tail alone does not complete it */
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 3000, 2, 10, b, 990);
	dtls_datagram(tf, ds, 1, dg, n);
	assert_int_equal(count_msgs(tf, 1, TLS_HS_CERTIFICATE), 1);
	/* record length beyond the datagram: ignored */
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 20, 60, 0, b, 20);
	dtls_datagram(tf, ds, 1, dg, n - 1);
	assert_int_equal(FF(tf)->nmsg, 1);
	dtls_state_free(ds);
	flow_free(tf);
}

/* Encrypted epochs are only noted; out-of-memory loses the message. */
static void
test_dtls_epoch_and_oom(void **state)
{
	struct limits lim;
	struct tls_ctx ctx;
	struct dtls_state *ds;
	struct tls_flow *tf = flow_new();
	uint8_t dg[200], b[100];
	size_t n;

	(void)state;
	memset(b, 1, sizeof(b));
	limits_default(&lim);
	ds = dtls_state_new(aux_ctx(&ctx, &lim));
	n = dtls_frag_dg(dg, 1, TLS_HS_FINISHED, 12, 9, 0, b, 12);
	dtls_datagram(tf, ds, 0, dg, n);
	assert_int_equal(FF(tf)->nmsg, 0);
	assert_int_equal(FF(tf)->notes[0], 1);
	assert_int_equal(FF(tf)->last_ct[0], TLS_CT_HANDSHAKE);
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 100, 0, 0, b, 50);
	xalloc_fail_after(0);
	dtls_datagram(tf, ds, 1, dg, n);
	xalloc_fail_after(-1);
	n = dtls_frag_dg(dg, 0, TLS_HS_CERTIFICATE, 100, 0, 50, b, 50);
	dtls_datagram(tf, ds, 1, dg, n);
	assert_int_equal(FF(tf)->nmsg, 0);
	dtls_state_free(ds);
	flow_free(tf);
}

static void
test_dtls_detect(void **state)
{
	static const uint8_t rtp[] = { 0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0 };
	uint8_t dg[64], b[4] = { 0 };
	size_t n;

	(void)state;
	n = dtls_frag_dg(dg, 0, TLS_HS_CLIENT_HELLO, 4, 0, 0, b, 4);
	assert_int_equal(dtls_detect(dg, n), 1);
	assert_int_equal(dtls_detect(dg, 12), 0);
	assert_int_equal(dtls_detect(stun_dg, sizeof(stun_dg)), 0);
	assert_int_equal(dtls_detect(rtp, sizeof(rtp)), 0);
	assert_int_equal(dtls_detect((const uint8_t *)"GET / HTTP/1.1\r\n",
	    16), 0);
	dg[2] = 0x03;			/* TLS version, not DTLS */
	assert_int_equal(dtls_detect(dg, n), 0);
}

/* -- STARTTLS ----------------------------------------------------------- */

/*
 * Feed one direction the way the reassembler does: step new bytes at a
 * time, re-offering what the scanner did not consume.  Returns the
 * result; *at is the absolute offset of FOUND.  Asserts that what is
 * kept unconsumed stays bounded.
 */
static enum starttls_result
feed(struct starttls_state *st, int dir, const uint8_t *d, size_t n,
    size_t step, size_t *at)
{
	enum starttls_result r = STARTTLS_MORE;
	size_t base = 0, end = 0, off;

	*at = 0;
	while (end < n) {
		end = end + step < n ? end + step : n;
		r = starttls_scan(st, dir, d + base, end - base, &off);
		if (r == STARTTLS_FOUND) {
			assert_true(off < end - base);
			*at = base + off;
			return r;
		}
		if (r == STARTTLS_NOT_TLS) {
			*at = end;
			return r;
		}
		assert_true(off <= end - base);
		base += off;
		assert_true(end - base <= 4096);
	}
	return r;
}

static const struct {
	const char	*prefix;
	const char	*proto;		/* expected name, NULL: none */
	int		 first;		/* node that speaks first */
} st_cases[] = {
	{ "smtp-starttls.", "smtp", 1 },
	{ "imap-starttls.", "imap", 1 },
	{ "pop3-starttls.", "pop3", 1 },
	{ "xmpp-starttls.", "xmpp", 0 },
	{ "xmpp-dialback-starttls.", "xmpp", 0 },
	{ "irc-starttls.", "irc", 0 },
	{ "ldap-starttls.", "ldap", 0 },
	{ "ftp-auth-tls.", "ftp", 1 },
	{ "encrypted.", "mysql", 1 },
	{ "tls-12-amazon-rds.", "mysql", 1 },
	{ "psql-aws-ssl-require.", "postgresql", 0 },
	{ "rdp-to-ssl.", "rdp", 0 },
	{ "rdp-no-cookie-mstshash.", "rdp", 0 },
	{ "socks-with-ssl.", "socks", 0 },
	{ "connect-with-header.", "http", 0 },
	{ "ssl-and-ssh-using-sslh.s1.", NULL, 0 },
	{ "smtp.s5.", NULL, 0 },
};

struct st_file {
	char		 name[128];
	long		 off;		/* -1: no TLS in the prefix */
};

static int
st_index(struct st_file *files, int max)
{
	FILE *f = fopen(DATA "starttls/INDEX", "r");
	int n = 0;

	assert_non_null(f);
	while (n < max && fscanf(f, "%127s %ld", files[n].name,
	    &files[n].off) == 2)
		n++;
	fclose(f);
	return n;
}

static void
st_run_case(size_t c, const struct st_file *files, int nfiles, size_t step)
{
	struct starttls_state *st = starttls_state_new();
	char path[256];
	uint8_t *buf;
	size_t len, at;
	int k, i, node, seen = 0;

	for (k = 0; k < 2; k++) {
		node = k == 0 ? st_cases[c].first : !st_cases[c].first;
		for (i = 0; i < nfiles; i++) {
			if (strncmp(files[i].name, st_cases[c].prefix,
			    strlen(st_cases[c].prefix)) != 0 ||
			    files[i].name[strlen(files[i].name) - 1] !=
			    '0' + node)
				continue;
			snprintf(path, sizeof(path), DATA "starttls/%s",
			    files[i].name);
			buf = load(path, &len);
			if (feed(st, node, buf, len, step, &at) !=
			    STARTTLS_FOUND || (long)at != files[i].off)
				fail_msg("%s step %zu: no FOUND at %ld (at %zu)",
				    files[i].name, step, files[i].off, at);
			free(buf);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	if (st_cases[c].proto == NULL)
		assert_null(starttls_protocol(st));
	else
		assert_string_equal(starttls_protocol(st), st_cases[c].proto);
	starttls_state_free(st);
}

/* Every carved prologue: TLS found where it starts, in one chunk, byte
 * by byte and in odd-sized pieces; the protocol named. */
static void
test_starttls_corpus(void **state)
{
	static const size_t steps[] = { 100000, 1, 7, 61 };
	struct st_file files[64];
	size_t c, s;
	int n;

	(void)state;
	n = st_index(files, 64);
	assert_true(n > 30);
	for (c = 0; c < sizeof(st_cases) / sizeof(st_cases[0]); c++)
		for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++)
			st_run_case(c, files, n, steps[s]);
}

/* Streams without an upgrade: SSH behind sslh, a plain SMTP session
 * with AUTH LOGIN and a base64 body, a Yahoo Messenger login, TLS
 * application data picked up mid-stream.  Never FOUND. */
static void
test_starttls_corpus_negative(void **state)
{
	static const char *names[] = { "ssl-and-ssh-using-sslh.s0.n0",
	    "ssl-and-ssh-using-sslh.s0.n1", "smtp.s0.n0", "smtp.s0.n1",
	    "smtp.s1.n0", "smtp.s2.n0", "smtp.s2.n1", "smtp.s3.n0",
	    "smtp.s4.n0" };
	struct starttls_state *st;
	char path[256];
	uint8_t *buf;
	size_t i, len, at, s;
	enum starttls_result r;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (s = 1; s < 2000; s *= 37) {
			st = starttls_state_new();
			snprintf(path, sizeof(path), DATA "starttls/%s",
			    names[i]);
			buf = load(path, &len);
			r = feed(st, 0, buf, len, s, &at);
			assert_int_not_equal(r, STARTTLS_FOUND);
			if (i < 2)	/* SSH: given up at once */
				assert_int_equal(r, STARTTLS_NOT_TLS);
			free(buf);
			starttls_state_free(st);
		}
}

/* A minimal TLS 1.2 ClientHello (type 1) or ServerHello (type 2) record. */
static size_t
tls_hello(uint8_t *out, uint8_t type)
{
	size_t n = 0, body;
	int i;

	out[n++] = 0x16;
	out[n++] = 0x03;
	out[n++] = 0x01;
	n += 2;				/* record length */
	out[n++] = type;
	n += 3;				/* handshake length */
	out[n++] = 0x03;
	out[n++] = 0x03;
	for (i = 0; i < 32; i++)
		out[n++] = (uint8_t)(0x16 + i);
	out[n++] = 0;			/* session id */
	if (type == 1) {
		out[n++] = 0;
		out[n++] = 4;
		out[n++] = 0xc0;
		out[n++] = 0x2f;
		out[n++] = 0x00;
		out[n++] = 0x9c;
		out[n++] = 1;
		out[n++] = 0;
	} else {
		out[n++] = 0xc0;
		out[n++] = 0x2f;
		out[n++] = 0;
	}
	out[n++] = 0;			/* no extensions */
	out[n++] = 0;
	body = n - 9;
	out[3] = (uint8_t)((n - 5) >> 8);
	out[4] = (uint8_t)(n - 5);
	out[6] = 0;
	out[7] = (uint8_t)(body >> 8);
	out[8] = (uint8_t)body;
	return n;
}

/* prologue + hello, then checked in one chunk and byte by byte. */
static void
expect_found(const void *pro, size_t plen, uint8_t hello_type,
    const char *proto, const void *peer, size_t peerlen)
{
	struct starttls_state *st;
	uint8_t buf[4096];
	size_t n, at, step;

	assert_true(plen + 100 < sizeof(buf));
	memcpy(buf, pro, plen);
	n = plen + tls_hello(buf + plen, hello_type);
	for (step = 1; step <= n; step = step < n ? n : n + 1) {
		st = starttls_state_new();
		if (peer != NULL)
			(void)feed(st, 1, peer, peerlen, step, &at);
		if (feed(st, 0, buf, n, step, &at) != STARTTLS_FOUND ||
		    at != plen)
			fail_msg("%s step %zu: expected FOUND at %zu, at %zu",
			    proto ? proto : "-", step, plen, at);
		if (proto != NULL)
			assert_string_equal(starttls_protocol(st), proto);
		starttls_state_free(st);
	}
}

static void
expect_not_tls(const void *data, size_t len, const void *peer,
    size_t peerlen, size_t within)
{
	struct starttls_state *st;
	size_t at, step;

	for (step = 1; step <= len; step = step < len ? len : len + 1) {
		st = starttls_state_new();
		if (peer != NULL)
			(void)feed(st, 1, peer, peerlen, step, &at);
		if (feed(st, 0, data, len, step, &at) != STARTTLS_NOT_TLS)
			fail_msg("no NOT_TLS for %zu bytes %02x %02x.., step %zu",
			    len, ((const uint8_t *)data)[0],
			    ((const uint8_t *)data)[1], step);
		if (step == 1 && at > within)
			fail_msg("NOT_TLS after %zu bytes, step %zu", at, step);
		starttls_state_free(st);
	}
}

#define S(x) x, sizeof(x) - 1

static void
test_starttls_crafted(void **state)
{
	static const uint8_t socks4[] = { 4, 1, 0x01, 0xbb, 10, 0, 0, 1,
	    'b', 'o', 'b', 0 };
	static const uint8_t socks4a[] = { 4, 1, 0x01, 0xbb, 0, 0, 0, 9,
	    0, 'e', 'x', '.', 'o', 'r', 'g', 0 };
	static const uint8_t socks4_rep[] = { 0, 0x5a, 0, 0, 0, 0, 0, 0 };
	static const uint8_t socks5_auth[] = { 5, 2, 0, 2,
	    1, 3, 'b', 'o', 'b', 2, 'p', 'w',
	    5, 1, 0, 4, 0x20, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	    0x01, 0xbb };
	static const uint8_t socks5_srv[] = { 5, 2, 1, 0,
	    5, 0, 0, 1, 10, 0, 0, 1, 0x01, 0xbb };
	static const uint8_t pg_gss[] = { 0, 0, 0, 8, 4, 0xd2, 0x16, 0x30,
	    0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f };
	/* LDAP extended request with a long-form (0x81) length */
	uint8_t ldap[3 + 3 + 2 + 24];

	(void)state;
	expect_found(S("EHLO a\r\nSTARTTLS\r\n"), 2, "smtp", NULL, 0);
	expect_found(S("a1 CAPABILITY\r\na2 STARTTLS\r\n"), 1, "imap",
	    NULL, 0);
	expect_found(S("+OK POP3 ready\r\n+OK Begin TLS\r\n"), 2, "pop3",
	    NULL, 0);
	expect_found(S("220 ProFTPD Server\r\n234 AUTH TLS ok\r\n"), 2,
	    "ftp", NULL, 0);
	expect_found(S("220 FileZilla\r\nUSER x\r\n"), 2, "ftp", NULL, 0);
	/* as openssl s_client -starttls lmtp|nntp|sieve talks; the server
	 * side of each names the protocol too */
	expect_found(S("LHLO a\r\nSTARTTLS\r\n"), 2, "lmtp", NULL, 0);
	expect_found(S("220 lmtp.test LMTP ready\r\n250-lmtp.test\r\n"
	    "250 STARTTLS\r\n220 2.0.0 go\r\n"), 2, "lmtp", NULL, 0);
	expect_found(S("CAPABILITIES\r\nSTARTTLS\r\n"), 1, "nntp", NULL, 0);
	expect_found(S("200 news ready\r\n101 Capability list:\r\n"
	    "VERSION 2\r\nSTARTTLS\r\n.\r\n382 Continue\r\n"), 2, "nntp",
	    NULL, 0);
	expect_found(S("\"IMPLEMENTATION\" \"x\"\r\n\"STARTTLS\"\r\n"
	    "OK \"ready\"\r\nOK \"go\"\r\n"), 2, "sieve", NULL, 0);
	expect_found(S("STARTTLS\r\n"), 1, "sieve",
	    S("\"SIEVE\" \"fileinto\"\r\nOK\r\n"));
	/* POP3's CAPA is still POP3 */
	expect_found(S("CAPA\r\nSTLS\r\n"), 1, "pop3", NULL, 0);
	expect_found(S("<?xml version='1.0'?><stream:stream to='a'>"
	    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), 1,
	    "xmpp", NULL, 0);
	expect_found(S(":irc.example 670 nick :STARTTLS successful\r\n"), 2,
	    "irc", NULL, 0);
	expect_found(S("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n"), 1,
	    "http", NULL, 0);
	expect_found(S("HTTP/1.1 200 OK\r\n\r\n"), 2, "http",
	    S("CONNECT a:443 HTTP/1.1\r\n\r\n"));
	expect_found(socks4, sizeof(socks4), 1, "socks", NULL, 0);
	expect_found(socks4a, sizeof(socks4a), 1, "socks", NULL, 0);
	expect_found(socks5_auth, sizeof(socks5_auth), 1, "socks", NULL, 0);
	expect_found(pg_gss, sizeof(pg_gss), 1, "postgresql", NULL, 0);
	expect_found(S("NS"), 2, "postgresql", pg_gss, 8);
	/* The peer of a SOCKS client: replies, then the tunnel. */
	expect_found(socks4_rep, sizeof(socks4_rep), 2, "socks", socks4,
	    sizeof(socks4));
	expect_found(socks5_srv, sizeof(socks5_srv), 2, "socks",
	    socks5_auth, 12);
	/* SMTP through a SOCKS5 tunnel: the tunnel's protocol is followed */
	expect_found(S("\x05\x01\x00\x05\x01\x00\x01\x0a\x00\x00\x01\x00\x19"
	    "EHLO a\r\nSTARTTLS\r\n"), 1, "socks", NULL, 0);
	memcpy(ldap, "\x30\x81\x1d\x02\x01\x01\x77\x18\x80\x16"
	    "1.3.6.1.4.1.1466.20037", 32);
	expect_found(ldap, 32, 1, "ldap", NULL, 0);
	/* no plaintext at all: sslh */
	expect_found("", 0, 1, NULL, NULL, 0);
	expect_found("", 0, 2, NULL, NULL, 0);
	/* a protocol we do not know, TLS at a line boundary */
	expect_found(S("HELLO THERE\r\nGO\r\n"), 1, NULL, NULL, 0);
}

/* An SSLv2 CLIENT-HELLO right after the plaintext, and alone. */
static void
test_starttls_sslv2(void **state)
{
	struct starttls_state *st;
	uint8_t buf[512], *ch;
	size_t chl, at, step;

	(void)state;
	ch = load(DATA "sslv2/client_hello.bin", &chl);
	memcpy(buf, "STARTTLS\r\n", 10);
	memcpy(buf + 10, ch, chl);
	for (step = 1; step < 100; step += 50) {
		st = starttls_state_new();
		assert_int_equal(feed(st, 0, buf, 10 + chl, step, &at),
		    STARTTLS_FOUND);
		assert_int_equal(at, 10);
		starttls_state_free(st);
		st = starttls_state_new();
		assert_int_equal(feed(st, 0, ch, chl, step, &at),
		    STARTTLS_FOUND);
		assert_int_equal(at, 0);
		starttls_state_free(st);
	}
	free(ch);
}

/* Protocols that say they will not upgrade: given up at once. */
static void
test_starttls_give_up(void **state)
{
	static const uint8_t pg_startup[] = { 0, 0, 0, 0x29, 0, 3, 0, 0,
	    'u', 's', 'e', 'r', 0 };
	static const uint8_t mysql_greet[] = { 0x11, 0, 0, 0, 0x0a, '8', '.',
	    '0', 0, 1, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
	static const uint8_t mysql_resp[] = { 0x20, 0, 0, 1, 0x85, 0xa6,
	    0x3f, 0x20, 0, 0, 0, 1 };
	static const uint8_t rdp_cc_std[] = { 3, 0, 0, 0x13, 0x0e, 0xd0, 0,
	    0, 0x12, 0x34, 0, 2, 0, 8, 0, 0, 0, 0, 0 };
	static const uint8_t rdp_cc_none[] = { 3, 0, 0, 0x0b, 0x06, 0xd0, 0,
	    0, 0x12, 0x34, 0 };
	static const uint8_t socks5_no[] = { 5, 0xff };
	struct starttls_state *st;
	size_t at, off;

	(void)state;
	expect_not_tls(S("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), NULL, 0,
	    4);
	expect_not_tls(S("POST /x HTTP/1.1\r\n"), NULL, 0, 5);
	expect_not_tls(S("SSH-2.0-OpenSSH_9.2\r\n"), NULL, 0, 4);
	expect_not_tls(S("HTTP/1.1 200 OK\r\n"), NULL, 0, 5);
	expect_not_tls(S("HTTP/1.1 407 Proxy Auth\r\n\r\n"), S("CONNECT "
	    "a:443 HTTP/1.1\r\n\r\n"), 25);
	expect_not_tls(pg_startup, sizeof(pg_startup), NULL, 0, 8);
	expect_not_tls(S("E"), pg_startup, 8, 1);
	expect_not_tls(mysql_resp, sizeof(mysql_resp), mysql_greet,
	    sizeof(mysql_greet), 8);
	expect_not_tls(rdp_cc_std, sizeof(rdp_cc_std), NULL, 0, 19);
	expect_not_tls(rdp_cc_none, sizeof(rdp_cc_none), NULL, 0, 11);
	expect_not_tls(socks5_no, 2, "\x05\x01\x00", 3, 2);
	/* the other direction of plain HTTP costs nothing either */
	st = starttls_state_new();
	assert_int_equal(starttls_scan(st, 0, (const uint8_t *)"GET /", 5,
	    &off), STARTTLS_NOT_TLS);
	assert_int_equal(feed(st, 1, (const uint8_t *)"HTTP/1.1 200 OK", 15,
	    15, &at), STARTTLS_NOT_TLS);
	assert_string_equal(starttls_protocol(st), "http");
	starttls_state_free(st);
}

static uint32_t rng_state = 12345;

static uint8_t
rng8(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (uint8_t)(rng_state >> 16);
}

/* Random binary: never FOUND, given up once the budget is spent, and
 * never more than a TLS header's worth kept back. */
static void
test_starttls_random(void **state)
{
	static uint8_t buf[3 * LIM_STARTTLS_SCAN];
	struct starttls_state *st;
	size_t i, at, step;
	int round;

	(void)state;
	for (round = 0; round < 6; round++) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = rng8();
		buf[0] = 0xaa;
		/* sprinkle record-looking starts that do not validate */
		for (i = 100; i + 8 < sizeof(buf); i += 997) {
			buf[i] = 0x16;
			buf[i + 1] = 0x03;
			buf[i + 2] = 0x01;
		}
		step = round < 3 ? 1460 : 1 + round * 13;
		st = starttls_state_new();
		assert_int_equal(feed(st, round & 1, buf, sizeof(buf), step,
		    &at), STARTTLS_NOT_TLS);
		assert_true(at <= LIM_STARTTLS_SCAN + 2 * 1460 + 4096);
		starttls_state_free(st);
	}
}

/* Base64 text that encodes TLS records ("FgMB..." is 16 03 01) must not
 * be taken for TLS: we never decode. */
static void
test_starttls_base64(void **state)
{
	static const char line[] =
	    "FgMBAgABAAH8AwPx2Q9FgMDAAgAAAHgMFgMBAgAB/AMDFgMBAAEBAAABFgMD\r\n";
	static char buf[2 * LIM_STARTTLS_SCAN + 200];
	struct starttls_state *st;
	size_t n = 0, at;

	(void)state;
	memcpy(buf, "EHLO a\r\nMAIL FROM:<a@b>\r\nDATA\r\n", 32);
	n = 32;
	while (n + sizeof(line) < sizeof(buf)) {
		memcpy(buf + n, line, sizeof(line) - 1);
		n += sizeof(line) - 1;
	}
	st = starttls_state_new();
	assert_int_equal(feed(st, 0, (const uint8_t *)buf, n, 1000, &at),
	    STARTTLS_NOT_TLS);
	assert_string_equal(starttls_protocol(st), "smtp");
	starttls_state_free(st);
	st = starttls_state_new();
	assert_int_equal(feed(st, 0, (const uint8_t *)buf + 32, n - 32, 3,
	    &at), STARTTLS_NOT_TLS);
	starttls_state_free(st);
}

/* An endless line is not kept whole: framing lost, raw scan, bounded. */
static void
test_starttls_long_line(void **state)
{
	static uint8_t buf[6000];
	struct starttls_state *st = starttls_state_new();
	size_t at;

	(void)state;
	memset(buf, 'A', sizeof(buf));
	memcpy(buf + 5000, "\x16\x03\x01", 3);
	buf[5003] = 0;
	assert_int_equal(feed(st, 0, buf, sizeof(buf), 1, &at),
	    STARTTLS_MORE);
	assert_int_equal(starttls_scan(st, 0, buf, 0, &at), STARTTLS_MORE);
	starttls_state_free(st);
	assert_int_equal(starttls_scan(NULL, 0, buf, 1, &at),
	    STARTTLS_NOT_TLS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sslv2_real),
		cmocka_unit_test(test_sslv2_truncated),
		cmocka_unit_test(test_sslv2_compat_hello),
		cmocka_unit_test(test_sslv2_bad),
		cmocka_unit_test(test_sslv2_detect_strict),
		cmocka_unit_test(test_dtls_real),
		cmocka_unit_test(test_dtls13),
		cmocka_unit_test(test_dtls_datagram_records),
		cmocka_unit_test(test_dtls_truncated),
		cmocka_unit_test(test_dtls_fragments),
		cmocka_unit_test(test_dtls_overlap_conflict),
		cmocka_unit_test(test_dtls_bounds),
		cmocka_unit_test(test_dtls_epoch_and_oom),
		cmocka_unit_test(test_dtls_detect),
		cmocka_unit_test(test_starttls_corpus),
		cmocka_unit_test(test_starttls_corpus_negative),
		cmocka_unit_test(test_starttls_crafted),
		cmocka_unit_test(test_starttls_sslv2),
		cmocka_unit_test(test_starttls_give_up),
		cmocka_unit_test(test_starttls_random),
		cmocka_unit_test(test_starttls_base64),
		cmocka_unit_test(test_starttls_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
