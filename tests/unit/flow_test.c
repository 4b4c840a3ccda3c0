/*
 * flow_test.c - sensor/flow.c: lookup in both directions, key fields,
 * client/server roles, timeouts per class on packet time, eviction,
 * shutdown, and pool consistency under churn.
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "sensor/flow.h"
#include "sensor/limits.h"
#include "sensor/reasm.h"
#include "sensor/xmalloc.h"

#define ENDS_MAX	4096

struct ends {
	unsigned	 n;
	uint64_t	 id[ENDS_MAX];
	int		 why[ENDS_MAX];
	uint64_t	 mem_seen;	/* reasm memory while on_end ran */
	struct reasm_ctx *rc;
};

static struct limits		lim;
static struct flow_table	ft;
static struct ends		ends;

static void
on_end(void *arg, struct flow *f, enum flow_end_reason why)
{
	struct ends *e = arg;

	assert_true(f->in_use);
	if (e->n < ENDS_MAX) {
		e->id[e->n] = f->id;
		e->why[e->n] = why;
	}
	e->n++;
	if (e->rc != NULL)
		e->mem_seen = e->rc->st.mem_in_use;
}

static void
table(uint32_t max)
{
	lim.flow_max = max;
	assert_int_equal(flow_table_init(&ft, &lim, 0x1234abcdULL, on_end,
	    &ends), 0);
}

#define RNG_SEED	88172645463325252ull
static uint64_t rng = RNG_SEED;

/* Each test starts from nothing: no table (one not built by the test is
 * freed as zeroes), the same random sequence, no allocation failure. */
static int
setup(void **state)
{
	(void)state;
	limits_default(&lim);
	memset(&ft, 0, sizeof(ft));
	memset(&ends, 0, sizeof(ends));
	rng = RNG_SEED;
	xalloc_fail_after(-1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	xalloc_fail_after(-1);
	flow_table_free(&ft);
	memset(&ft, 0, sizeof(ft));
	return 0;
}

/* A TCP packet from 10.0.0.a:sp to 10.0.0.b:dp. */
static struct pkt
tcp4(uint8_t a, uint16_t sp, uint8_t b, uint16_t dp, uint8_t flags,
    uint64_t ts)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.proto = IPPROTO_TCP;
	p.src[0] = 10;
	p.src[3] = a;
	p.dst[0] = 10;
	p.dst[3] = b;
	p.sport = sp;
	p.dport = dp;
	p.tcp_flags = flags;
	p.ts_us = ts;
	return p;
}

static struct pkt
rev(struct pkt p)
{
	struct pkt r = p;

	memcpy(r.src, p.dst, 16);
	memcpy(r.dst, p.src, 16);
	r.sport = p.dport;
	r.dport = p.sport;
	return r;
}

static struct flow *
get(const struct pkt *p, int want_dir)
{
	struct flow *f;
	int dir = -1;

	f = flow_get(&ft, p, &dir);
	assert_non_null(f);
	assert_int_equal(dir, want_dir);
	return f;
}

static void
test_both_directions(void **state)
{
	struct pkt p = tcp4(1, 40000, 2, 443, TH_ACK, 1000);
	struct pkt r = rev(p);
	struct flow *f, *g;

	(void)state;
	table(64);
	f = get(&p, 0);
	g = get(&r, 1);
	assert_ptr_equal(f, g);
	assert_ptr_equal(get(&p, 0), f);
	assert_int_equal(ft.st.created, 1);
	assert_int_equal(ft.st.active, 1);
	assert_int_equal(f->id, 1);
	assert_int_equal(f->first_us, 1000);
	assert_memory_equal(f->key.a, p.src, 16);
	assert_int_equal(f->key.aport, 40000);
	/* Other port, other proto, other address: other flows. */
	p.dport = 444;
	assert_ptr_not_equal(get(&p, 0), f);
	p.dport = 443;
	p.proto = IPPROTO_UDP;
	assert_ptr_not_equal(get(&p, 0), f);
	p.proto = IPPROTO_TCP;
	p.src[3] = 3;
	assert_ptr_not_equal(get(&p, 0), f);
	assert_int_equal(ft.st.created, 4);
	assert_int_equal(flow_table_check(&ft), 0);
}

static void
test_vlan(void **state)
{
	struct pkt p = tcp4(1, 40000, 2, 443, TH_ACK, 1);
	struct pkt q;
	struct flow *f, *g, *h;

	(void)state;
	table(64);
	p.nvlan = 1;
	p.vlan[0] = 10;
	q = p;
	q.vlan[0] = 20;
	f = get(&p, 0);
	g = get(&q, 0);
	assert_ptr_not_equal(f, g);
	q = rev(p);
	assert_ptr_equal(get(&q, 1), f);
	/* Inner tag counts too; tags beyond nvlan are not part of the key. */
	q = p;
	q.nvlan = 2;
	q.vlan[1] = 5;
	h = get(&q, 0);
	assert_ptr_not_equal(h, f);
	q.nvlan = 1;
	assert_ptr_equal(get(&q, 0), f);
	assert_int_equal(ft.st.created, 3);
}

static void
test_ipv6(void **state)
{
	struct pkt p = tcp4(1, 1234, 2, 443, TH_ACK, 1);
	struct flow *f;

	(void)state;
	table(64);
	p.family = 6;
	memset(p.src, 0x20, 16);
	memset(p.dst, 0x30, 16);
	f = get(&p, 0);
	p = rev(p);
	assert_ptr_equal(get(&p, 1), f);
	assert_int_equal(f->key.family, 6);
}

static void
test_roles(void **state)
{
	struct pkt p;
	struct flow *f;

	(void)state;
	table(64);
	/* SYN without ACK: its sender is the client. */
	p = tcp4(1, 443, 2, 50000, TH_SYN, 1);
	f = get(&p, 0);
	assert_int_equal(f->client_dir, 0);
	assert_true(f->flags & FLOW_SYN_SEEN);
	assert_false(f->flags & FLOW_MIDSTREAM);
	p = rev(p);
	p.tcp_flags = TH_SYN | TH_ACK;
	get(&p, 1);
	assert_int_equal(f->client_dir, 0);	/* the SYN decided */
	assert_true(f->flags & FLOW_SYNACK_SEEN);
	assert_int_equal(flow_client_port(f), 443);
	assert_int_equal(flow_server_port(f), 50000);
	assert_int_equal(flow_client_addr(f)[3], 1);
	assert_int_equal(flow_server_addr(f)[3], 2);
	/* SYN-ACK seen first: the other side is the client. */
	p = tcp4(3, 443, 4, 50000, TH_SYN | TH_ACK, 1);
	f = get(&p, 0);
	assert_int_equal(f->client_dir, 1);
	assert_int_equal(flow_client_port(f), 50000);
	assert_false(f->flags & FLOW_MIDSTREAM);
	/* Midstream: lower port is the server. */
	p = tcp4(5, 443, 6, 50000, TH_ACK, 1);
	f = get(&p, 0);
	assert_true(f->flags & FLOW_MIDSTREAM);
	assert_int_equal(f->client_dir, 1);
	p = tcp4(7, 50001, 8, 993, TH_ACK | TH_PUSH, 1);
	f = get(&p, 0);
	assert_int_equal(f->client_dir, 0);
	p = tcp4(9, 7000, 10, 7000, TH_ACK, 1);	/* tie: dir 0 */
	f = get(&p, 0);
	assert_int_equal(f->client_dir, 0);
	/* The application layer knows better, and a later SYN-ACK or SYN
	 * does not override it. */
	flow_set_client_dir(f, 1);
	assert_true(f->flags & FLOW_ROLE_FIXED);
	p.tcp_flags = TH_SYN;
	get(&p, 0);
	assert_int_equal(f->client_dir, 1);
	/* Not fixed: a late SYN corrects the port guess. */
	p = tcp4(11, 443, 12, 50000, TH_ACK, 1);
	f = get(&p, 0);
	assert_int_equal(f->client_dir, 1);
	p.tcp_flags = TH_SYN;
	get(&p, 0);
	assert_int_equal(f->client_dir, 0);
	/* UDP: port guess, no MIDSTREAM flag. */
	p = tcp4(13, 4433, 14, 60000, 0, 1);
	p.proto = IPPROTO_UDP;
	f = get(&p, 0);
	assert_int_equal(f->client_dir, 1);
	assert_false(f->flags & FLOW_MIDSTREAM);
}

static unsigned
ended_with(uint64_t id, int why)
{
	unsigned i, n = 0;

	for (i = 0; i < ends.n && i < ENDS_MAX; i++)
		if (ends.id[i] == id && ends.why[i] == why)
			n++;
	return n;
}

static void
test_timeouts(void **state)
{
	/* Packet time: a 2001 capture, nowhere near the wall clock. */
	const uint64_t t0 = 1000000000ull * 1000000;
	struct flow *fn, *fe, *fc, *ff, *fh;
	struct pkt p;
	uint64_t idn, ide, idc, idf, idh;

	(void)state;
	lim.flow_timeout_us = 100;
	lim.flow_est_timeout_us = 1000;
	lim.flow_closed_timeout_us = 10;
	table(64);
	p = tcp4(1, 1000, 2, 443, TH_ACK, t0);
	fn = get(&p, 0);
	idn = fn->id;
	p = tcp4(3, 1000, 4, 443, TH_ACK, t0);
	fe = get(&p, 0);
	ide = fe->id;
	flow_bypass(&ft, fe);
	assert_int_equal(fe->age, FLOW_AGE_EST);
	p = tcp4(5, 1000, 6, 443, TH_ACK | TH_RST, t0);
	fc = get(&p, 0);
	idc = fc->id;
	/* FIN both ways closes; FIN one way does not. */
	p = tcp4(7, 1000, 8, 443, TH_ACK | TH_FIN, t0);
	ff = get(&p, 0);
	idf = ff->id;
	assert_int_equal(ff->age, FLOW_AGE_NEW);
	p = rev(p);
	get(&p, 1);
	assert_int_equal(ff->age, FLOW_AGE_CLOSED);
	/* BYPASS set by hand: found on the new list, moved, not ended. */
	p = tcp4(9, 1000, 10, 443, TH_ACK, t0);
	fh = get(&p, 0);
	idh = fh->id;
	fh->flags |= FLOW_BYPASS;

	flow_expire(&ft, t0 + 9);
	assert_int_equal(ends.n, 0);
	flow_expire(&ft, t0 + 10);
	assert_int_equal(ends.n, 2);
	assert_int_equal(ended_with(idc, FLOW_END_CLOSED), 1);
	assert_int_equal(ended_with(idf, FLOW_END_CLOSED), 1);
	/* A packet refreshes the new flow. */
	p = tcp4(1, 1000, 2, 443, TH_ACK, t0 + 50);
	assert_ptr_equal(get(&p, 0), fn);
	flow_expire(&ft, t0 + 100);
	assert_int_equal(ends.n, 2);
	assert_int_equal(ft.st.age_moves, 1);
	assert_int_equal(fh->age, FLOW_AGE_EST);
	flow_expire(&ft, t0 + 149);
	assert_int_equal(ends.n, 2);
	flow_expire(&ft, t0 + 150);
	assert_int_equal(ended_with(idn, FLOW_END_TIMEOUT), 1);
	flow_expire(&ft, t0 + 999);
	assert_int_equal(ends.n, 3);
	flow_expire(&ft, t0 + 1000);
	assert_int_equal(ended_with(ide, FLOW_END_TIMEOUT), 1);
	assert_int_equal(ended_with(idh, FLOW_END_TIMEOUT), 1);
	assert_int_equal(ends.n, 5);
	assert_int_equal(ft.st.active, 0);
	assert_int_equal(ft.st.ended[FLOW_END_TIMEOUT], 3);
	assert_int_equal(ft.st.ended[FLOW_END_CLOSED], 2);
	assert_int_equal(flow_table_check(&ft), 0);
}

static void
test_evict(void **state)
{
	struct flow *f;
	struct pkt p;
	uint8_t i;

	(void)state;
	table(4);
	for (i = 1; i <= 4; i++) {
		p = tcp4(i, 1000, 100, 443, TH_ACK, i);
		get(&p, 0);
	}
	assert_int_equal(ends.n, 0);
	p = tcp4(5, 1000, 100, 443, TH_ACK, 5);
	get(&p, 0);
	assert_int_equal(ends.n, 1);
	assert_int_equal(ends.id[0], 1);
	assert_int_equal(ends.why[0], FLOW_END_EVICTED);
	assert_int_equal(ft.st.ended[FLOW_END_EVICTED], 1);
	/* Touch flow 2: flow 3 is now the oldest. */
	p = tcp4(2, 1000, 100, 443, TH_ACK, 6);
	f = get(&p, 0);
	assert_int_equal(f->id, 2);
	p = tcp4(6, 1000, 100, 443, TH_ACK, 7);
	f = get(&p, 0);
	assert_int_equal(f->id, 6);
	assert_int_equal(ends.n, 2);
	assert_int_equal(ends.id[1], 3);
	/* Eviction looks at every list: a bypassed old flow goes first. */
	p = tcp4(4, 1000, 100, 443, TH_ACK, 8);
	flow_bypass(&ft, get(&p, 0));
	p = tcp4(2, 1000, 100, 443, TH_ACK, 9);
	get(&p, 0);
	p = tcp4(5, 1000, 100, 443, TH_ACK, 10);
	get(&p, 0);
	p = tcp4(7, 1000, 100, 443, TH_ACK, 11);
	get(&p, 0);
	assert_int_equal(ends.id[2], 6);
	p = tcp4(8, 1000, 100, 443, TH_ACK, 12);
	get(&p, 0);
	assert_int_equal(ends.id[3], 4);
	assert_int_equal(ft.st.active, 4);
	assert_int_equal(ft.st.peak_active, 4);
	assert_int_equal(flow_table_check(&ft), 0);
}

static void
test_end_all(void **state)
{
	struct pkt p;
	uint8_t i;

	(void)state;
	table(16);
	for (i = 1; i <= 6; i++) {
		p = tcp4(i, 1000, 100, 443, TH_ACK, i);
		get(&p, 0);
	}
	p = tcp4(2, 1000, 100, 443, TH_ACK, 7);
	get(&p, 0);
	p = rev(tcp4(4, 1000, 100, 443, TH_ACK, 8));
	get(&p, 1);
	p = tcp4(3, 1000, 100, 443, TH_ACK, 9);
	flow_bypass(&ft, get(&p, 0));
	flow_end_all(&ft);
	assert_int_equal(ends.n, 6);
	/* Least recently seen first: 1, 5, 6, 2, 4, then 3. */
	assert_int_equal(ends.id[0], 1);
	assert_int_equal(ends.id[1], 5);
	assert_int_equal(ends.id[2], 6);
	assert_int_equal(ends.id[3], 2);
	assert_int_equal(ends.id[4], 4);
	assert_int_equal(ends.id[5], 3);
	for (i = 0; i < 6; i++)
		assert_int_equal(ends.why[i], FLOW_END_SHUTDOWN);
	assert_int_equal(ft.st.active, 0);
	assert_int_equal(ft.st.ended[FLOW_END_SHUTDOWN], 6);
	assert_int_equal(flow_table_check(&ft), 0);
	/* The table is usable afterwards; ids keep growing. */
	p = tcp4(1, 1000, 100, 443, TH_ACK, 2000);
	assert_int_equal(get(&p, 0)->id, 7);
}

static void
test_ids_unique(void **state)
{
	struct pkt p;
	struct flow *f;
	uint64_t last = 0;
	unsigned i;

	(void)state;
	table(128);
	for (i = 0; i < 1000; i++) {
		p = tcp4(1, (uint16_t)(1024 + i), 2, 443, TH_SYN, i);
		f = get(&p, 0);
		assert_true(f->id > last);
		last = f->id;
	}
	assert_int_equal(last, 1000);
	assert_int_equal(ft.st.created, 1000);
	assert_int_equal(ft.st.ended[FLOW_END_EVICTED], 1000 - 128);
}

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Does p travel in direction dir of f? */
static int
key_matches(const struct flow *f, const struct pkt *p, int dir)
{
	const struct flow_key *k = &f->key;

	if (k->proto != p->proto || k->family != p->family)
		return 0;
	if (dir == 0)
		return memcmp(k->a, p->src, 16) == 0 &&
		    memcmp(k->b, p->dst, 16) == 0 &&
		    k->aport == p->sport && k->bport == p->dport;
	return memcmp(k->b, p->src, 16) == 0 &&
	    memcmp(k->a, p->dst, 16) == 0 &&
	    k->bport == p->sport && k->aport == p->dport;
}

/* Random churn: inserts, lookups in both directions, bypass, closes,
 * expiry; the pool, hash, free and age lists must agree throughout. */
static void
test_churn(void **state)
{
	struct flow *f;
	struct pkt p;
	uint64_t ts = 1;
	unsigned i;
	int dir;

	(void)state;
	lim.flow_timeout_us = 5000;
	lim.flow_est_timeout_us = 20000;
	lim.flow_closed_timeout_us = 500;
	table(256);
	for (i = 0; i < 100000; i++) {
		ts += rnd() % 8;
		p = tcp4((uint8_t)(rnd() % 16), (uint16_t)(1024 + rnd() % 64),
		    (uint8_t)(rnd() % 4), 443, TH_ACK, ts);
		if (rnd() % 64 == 0)
			p.tcp_flags |= TH_RST;
		if (rnd() % 2)
			p = rev(p);
		f = flow_get(&ft, &p, &dir);
		assert_non_null(f);
		assert_int_equal(key_matches(f, &p, dir), 1);
		if (rnd() % 16 == 0)
			flow_bypass(&ft, f);
		if (i % 1000 == 0) {
			flow_expire(&ft, ts);
			assert_int_equal(flow_table_check(&ft), 0);
		}
	}
	assert_true(ft.st.created > 1000);
	assert_int_equal(ft.st.created, ft.st.active +
	    ft.st.ended[FLOW_END_TIMEOUT] + ft.st.ended[FLOW_END_CLOSED] +
	    ft.st.ended[FLOW_END_EVICTED]);
	assert_int_equal(ends.n, ft.st.created - ft.st.active);
	flow_end_all(&ft);
	assert_int_equal(ft.st.active, 0);
	assert_int_equal(flow_table_check(&ft), 0);
}

/* Longest hash chain of ft. */
static unsigned
max_chain(void)
{
	unsigned b, n, most = 0;
	uint32_t i;

	for (b = 0; b < ft.nbuckets; b++) {
		n = 0;
		for (i = ft.buckets[b]; i != UINT32_MAX; i = ft.pool[i].hnext)
			n++;
		if (n > most)
			most = n;
	}
	return most;
}

/* Structured traffic (sequential addresses and ports, address and port
 * sums equal) spreads over the buckets, and the seed changes where. */
static void
test_hash_spread(void **state)
{
	struct pkt p;
	unsigned i, same = 0;
	uint32_t b1[64];

	(void)state;
	table(4096);
	for (i = 0; i < 4096; i++) {
		p = tcp4((uint8_t)(i % 64), (uint16_t)(40000 + i / 64),
		    (uint8_t)(63 - i % 64), (uint16_t)(443 + i / 64), TH_ACK,
		    i);
		p.src[2] = (uint8_t)(i / 64);
		get(&p, 0);
	}
	assert_int_equal(ft.st.active, 4096);
	assert_true(ft.nbuckets >= 8192);
	/* Uniform hashing of 4096 keys into 8192 buckets: about 6 at most. */
	assert_true(max_chain() <= 9);
	for (i = 0; i < 64; i++)
		b1[i] = (uint32_t)(ft.buckets[i] != UINT32_MAX);
	flow_table_free(&ft);
	assert_int_equal(flow_table_init(&ft, &lim, 0xfeedULL, on_end,
	    &ends), 0);
	for (i = 0; i < 4096; i++) {
		p = tcp4((uint8_t)(i % 64), (uint16_t)(40000 + i / 64),
		    (uint8_t)(63 - i % 64), (uint16_t)(443 + i / 64), TH_ACK,
		    i);
		p.src[2] = (uint8_t)(i / 64);
		get(&p, 0);
	}
	assert_true(max_chain() <= 9);
	for (i = 0; i < 64; i++)
		same += b1[i] == (uint32_t)(ft.buckets[i] != UINT32_MAX);
	assert_true(same < 64);
	assert_int_equal(flow_table_check(&ft), 0);
}

/* Buffers are freed after on_end saw the flow, and all of them. */
static void
test_reasm_freed(void **state)
{
	static const uint8_t data[100];
	struct reasm_ctx rc;
	struct flow *f;
	struct pkt p;
	uint8_t i;

	(void)state;
	reasm_ctx_init(&rc, &lim, NULL);
	ends.rc = &rc;
	table(4);
	flow_table_set_reasm(&ft, &rc);
	for (i = 1; i <= 6; i++) {
		p = tcp4(i, 1000, 100, 443, TH_ACK, i);
		f = get(&p, 0);
		assert_int_equal(f->rd[0].depth, lim.reasm_depth);
		/* Out of order: held, never delivered (no callback needed). */
		reasm_segment(&rc, &f->rd[0], 0, 0, TH_SYN, NULL, 0, NULL);
		reasm_segment(&rc, &f->rd[0], 0, 1000, TH_ACK, data, 10, NULL);
		reasm_segment(&rc, &f->rd[0], 0, 2000, TH_ACK, data, 100,
		    NULL);
	}
	assert_int_equal(ends.n, 2);		/* two evictions */
	assert_true(rc.st.mem_in_use > 0);
	ends.mem_seen = 0;
	flow_end_all(&ft);
	assert_true(ends.mem_seen > 0);	/* last flow still had its buffers */
	assert_int_equal(rc.st.mem_in_use, 0);
}

static void
test_init_bad(void **state)
{
	struct flow_table t;

	(void)state;
	lim.flow_max = 0;
	assert_int_equal(flow_table_init(&t, &lim, 1, NULL, NULL), -1);
	lim.flow_max = 64;
	xalloc_fail_after(1);
	assert_int_equal(flow_table_init(&t, &lim, 1, NULL, NULL), -1);
	xalloc_fail_after(-1);
	table(64);
}

/* A new SYN on a finished 5-tuple (or with a foreign ISN) is a new flow;
 * a retransmitted SYN is not. */
static void
test_port_reuse(void **state)
{
	struct pkt syn = tcp4(1, 40000, 2, 443, TH_SYN, 1000);
	struct pkt fin = tcp4(1, 40000, 2, 443, TH_FIN | TH_ACK, 2000);
	struct flow *f, *g;
	uint64_t id;

	(void)state;
	table(64);
	f = get(&syn, 0);
	id = f->id;
	assert_ptr_equal(get(&syn, 0), f);	/* retransmitted SYN */
	assert_int_equal(f->id, id);
	get(&fin, 0);
	fin = rev(fin);
	get(&fin, 1);
	syn.ts_us = 3000;
	g = get(&syn, 0);
	assert_int_not_equal(g->id, id);
	assert_int_equal(ends.n, 1);
	assert_int_equal(ends.id[0], id);
	assert_int_equal(ends.why[0], FLOW_END_CLOSED);
	assert_int_equal(ft.st.reused, 1);
	/* Open flow that carried payload: a SYN with another ISN is new. */
	id = g->id;
	g->flags |= FLOW_PAYLOAD;
	g->rd[0].seq_known = 1;
	g->rd[0].next_seq = 5001;
	syn.seq = 5000;
	assert_int_equal(get(&syn, 0)->id, id);
	syn.seq = 90000;
	assert_int_not_equal(get(&syn, 0)->id, id);
	assert_int_equal(ft.st.reused, 2);
	assert_int_equal(flow_table_check(&ft), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_both_directions),
		T(test_vlan),
		T(test_ipv6),
		T(test_roles),
		T(test_timeouts),
		T(test_evict),
		T(test_end_all),
		T(test_ids_unique),
		T(test_churn),
		T(test_hash_spread),
		T(test_reasm_freed),
		T(test_init_bad),
		T(test_port_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
