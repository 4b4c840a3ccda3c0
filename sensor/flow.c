/*
 * flow.c - the bidirectional flow table: a preallocated pool, a keyed
 * hash, a free list and three age lists (see flow.h).
 *
 *   buckets[h & mask] -> pool[i] -hnext-> pool[j] -> NIL
 *   free_head         -> pool[k] -hnext-> ...          (slots freed)
 *   pool[fresh..max)  never used yet: taken in order when the list is empty
 *   age_head[class]   -> oldest <-age_prev/age_next-> ... newest = tail
 *
 * Nothing here allocates after flow_table_init().  The hash is keyed with
 * a per-process random seed: with a fixed function an attacker who knows
 * it can send flows that all land in one bucket and turn each lookup into
 * a walk of the whole table.
 */
#include "flow.h"

#include <netinet/in.h>
#include <string.h>

#include "decode.h"
#include "log.h"
#include "reasm.h"
#include "xmalloc.h"

#define NIL	UINT32_MAX

/*
 * The hash: a multiply-xorshift chain over the key in canonical order
 * (lower endpoint first, so both directions hash alike), started from the
 * per-process seed:
 *
 *   h = seed ^ (proto | family << 8);  for each 64-bit word w:
 *   h = (h ^ w) * M;  h ^= h >> 29
 *
 *   words: IPv4: lo addr << 32 | hi addr, ports << 32 | vlans 0-1, vlan 2
 *          IPv6: the four 64-bit halves of lo and hi, ports << 32 | vlans
 *          0-1, vlan 2
 *
 * Two multiplies for IPv4, five for IPv6: the lookup runs on every packet,
 * bypassed ones too (the NH hash it replaces cost ~50 instructions).  Not
 * provably universal like NH, but keyed: without the seed an attacker
 * cannot tell which flows share a bucket.  The bucket comes from the high
 * bits of a final multiplicative spread.
 */
#define MX_MUL	0x9e3779b97f4a7c15ULL

static void
hash_keys(struct flow_table *t, uint64_t seed)
{
	uint64_t z = seed + MX_MUL;

	/* splitmix64 finaliser: a seed of 0 or 1 still spreads */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	t->hash_key = z ^ (z >> 31);
}

static inline uint64_t
mx(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MX_MUL;
	return h ^ (h >> 29);
}

/* Lower endpoint first: compare (address, port) as integers. */
static inline int
ep_less(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&b0, b, 8);
	if (a0 != b0)
		return a0 < b0;
	memcpy(&a1, a + 8, 8);
	memcpy(&b1, b + 8, 8);
	if (a1 != b1)
		return a1 < b1;
	return ap < bp;
}

static inline uint32_t
flow_bucket(const struct flow_table *t, const uint8_t *a, uint16_t ap,
    const uint8_t *b, uint16_t bp, uint64_t vlans, uint32_t pf)
{
	uint64_t h = t->hash_key ^ pf, x, y;
	uint32_t a4, b4;

	if (!ep_less(a, ap, b, bp)) {
		const uint8_t *c = a;
		uint16_t cp = ap;

		a = b, ap = bp, b = c, bp = cp;
	}
	if ((pf >> 8) == 4) {
		memcpy(&a4, a, 4);
		memcpy(&b4, b, 4);
		h = mx(h, (uint64_t)a4 << 32 | b4);
	} else {
		memcpy(&x, a, 8);
		memcpy(&y, a + 8, 8);
		h = mx(mx(h, x), y);
		memcpy(&x, b, 8);
		memcpy(&y, b + 8, 8);
		h = mx(mx(h, x), y);
	}
	h = mx(h, (uint64_t)((uint32_t)ap << 16 | bp) << 32 | (uint32_t)vlans);
	if (vlans >> 32)
		h = mx(h, vlans >> 32);
	h *= MX_MUL;
	return (uint32_t)(h >> 32) & (t->nbuckets - 1);
}

static inline uint64_t
pkt_vlans(const struct pkt *p)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < p->nvlan && i < LIM_VLAN_IDS; i++)
		v |= (uint64_t)p->vlan[i] << (16 * i);
	return v;
}

static inline uint64_t
key_vlans(const struct flow_key *k)
{
	return k->vlan[0] | (uint64_t)k->vlan[1] << 16 |
	    (uint64_t)k->vlan[2] << 32;
}

static inline uint32_t
key_bucket(const struct flow_table *t, const struct flow_key *k)
{
	return flow_bucket(t, k->a, k->aport, k->b, k->bport, key_vlans(k),
	    k->proto | (uint32_t)k->family << 8);
}

/* 0 or 1: the direction of p in k; -1: not this flow. */
static inline int
key_dir(const struct flow *f, const struct pkt *p, uint64_t vlans)
{
	const struct flow_key *k = &f->key;

	if (k->proto != p->proto || k->family != p->family || f->vlans != vlans)
		return -1;
	if (k->aport == p->sport && k->bport == p->dport &&
	    memcmp(k->a, p->src, 16) == 0 && memcmp(k->b, p->dst, 16) == 0)
		return 0;
	if (k->aport == p->dport && k->bport == p->sport &&
	    memcmp(k->a, p->dst, 16) == 0 && memcmp(k->b, p->src, 16) == 0)
		return 1;
	return -1;
}

static uint64_t
age_timeout(const struct flow_table *t, int age)
{
	switch (age) {
	case FLOW_AGE_EST:
		return t->lim->flow_est_timeout_us;
	case FLOW_AGE_CLOSED:
		return t->lim->flow_closed_timeout_us;
	default:
		return t->lim->flow_timeout_us;
	}
}

/* The timeout class the flags put f in. */
static int
flow_age_of(const struct flow *f)
{
	if ((f->flags & FLOW_RST) ||
	    (f->flags & (FLOW_FIN0 | FLOW_FIN1)) == (FLOW_FIN0 | FLOW_FIN1))
		return FLOW_AGE_CLOSED;
	if (f->flags & FLOW_BYPASS)
		return FLOW_AGE_EST;
	return FLOW_AGE_NEW;
}

static inline void
age_unlink(struct flow_table *t, uint32_t i)
{
	struct flow *f = &t->pool[i];

	if (f->age_prev != NIL)
		t->pool[f->age_prev].age_next = f->age_next;
	else
		t->age_head[f->age] = f->age_next;
	if (f->age_next != NIL)
		t->pool[f->age_next].age_prev = f->age_prev;
	else
		t->age_tail[f->age] = f->age_prev;
	f->age_prev = f->age_next = NIL;
}

static inline void
age_append(struct flow_table *t, uint32_t i)
{
	struct flow *f = &t->pool[i];

	f->age_next = NIL;
	f->age_prev = t->age_tail[f->age];
	if (f->age_prev != NIL)
		t->pool[f->age_prev].age_next = i;
	else
		t->age_head[f->age] = i;
	t->age_tail[f->age] = i;
}

/* Put f at the tail of the list of class age. */
static inline void
age_move(struct flow_table *t, uint32_t i, int age)
{
	age_unlink(t, i);
	t->pool[i].age = (uint8_t)age;
	t->pool[i].list_us = t->pool[i].last_us;
	age_append(t, i);
}

/*
 * The lists are kept in order lazily: a packet only updates last_us, and
 * a flow touched since it was queued (last_us > list_us) is requeued when
 * it reaches the head.  Moving a flow on every packet would touch two
 * neighbours' cache lines per packet; this way each flow moves at most
 * once per timeout.  After settling, the head is the least recently seen
 * flow of its list.
 */
static void
age_settle(struct flow_table *t, int a)
{
	struct flow *f;
	uint32_t i;

	while ((i = t->age_head[a]) != NIL) {
		f = &t->pool[i];
		if (f->list_us >= f->last_us)
			break;
		age_move(t, i, a);
	}
}

int
flow_table_init(struct flow_table *t, const struct limits *lim,
    uint64_t seed, flow_end_fn on_end, void *arg)
{
	uint32_t nb = 1;
	int a;

	memset(t, 0, sizeof(*t));
	if (lim->flow_max == 0 || lim->flow_max > (1u << 28))
		return -1;
	while (nb < 2 * lim->flow_max)
		nb <<= 1;
	t->pool = xcalloc(lim->flow_max, sizeof(*t->pool));
	t->buckets = xreallocarray(NULL, nb, sizeof(*t->buckets));
	if (t->pool == NULL || t->buckets == NULL) {
		xfree(t->pool);
		xfree(t->buckets);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	memset(t->buckets, 0xff, (size_t)nb * sizeof(*t->buckets));
	/* The pool is handed out from its start as flows come (t->fresh),
	 * not linked up front: a table of 65536 flows is 26 MB whose pages
	 * the kernel gives only when touched, so each worker starts in
	 * microseconds and a quiet sensor stays small. */
	for (a = 0; a < FLOW_AGE_MAX; a++)
		t->age_head[a] = t->age_tail[a] = NIL;
	t->nbuckets = nb;
	t->last = NIL;
	t->max = lim->flow_max;
	t->free_head = NIL;
	t->fresh = 0;
	t->seed = seed;
	hash_keys(t, seed);
	t->lim = lim;
	t->on_end = on_end;
	t->arg = arg;
	return 0;
}

void
flow_table_set_reasm(struct flow_table *t, struct reasm_ctx *rc)
{
	t->reasm = rc;
}

void
flow_table_free(struct flow_table *t)
{
	uint32_t i;

	if (t->pool != NULL && t->reasm != NULL) {
		for (i = 0; i < t->fresh; i++) {
			if (!t->pool[i].in_use)
				continue;
			reasm_dir_free(t->reasm, &t->pool[i].rd[0]);
			reasm_dir_free(t->reasm, &t->pool[i].rd[1]);
		}
	}
	xfree(t->pool);
	xfree(t->buckets);
	memset(t, 0, sizeof(*t));
}

static void
hash_unlink(struct flow_table *t, uint32_t i)
{
	struct flow *f = &t->pool[i];
	uint32_t *link;

	link = &t->buckets[key_bucket(t, &f->key)];
	while (*link != i) {
		DEBUG_ASSERT(*link != NIL);
		if (*link == NIL)
			return;
		link = &t->pool[*link].hnext;
	}
	*link = f->hnext;
}

/* Report f to the owner, free its buffers, return its slot. */
static void
flow_end(struct flow_table *t, struct flow *f, enum flow_end_reason why)
{
	uint32_t i = (uint32_t)(f - t->pool);

	if (t->on_end != NULL)
		t->on_end(t->arg, f, why);
	if (t->reasm != NULL) {
		reasm_dir_free(t->reasm, &f->rd[0]);
		reasm_dir_free(t->reasm, &f->rd[1]);
	}
	hash_unlink(t, i);
	age_unlink(t, i);
	if (t->last == i)
		t->last = NIL;
	f->in_use = 0;
	f->app = NULL;
	f->ndpi = NULL;
	f->hnext = t->free_head;
	t->free_head = i;
	t->st.ended[why]++;
	t->st.active--;
}

/* The least recently seen flow of all lists, or NULL. */
static struct flow *
flow_oldest(struct flow_table *t)
{
	struct flow *best = NULL, *f;
	int a;

	for (a = 0; a < FLOW_AGE_MAX; a++) {
		age_settle(t, a);
		if (t->age_head[a] == NIL)
			continue;
		f = &t->pool[t->age_head[a]];
		if (best == NULL || f->last_us < best->last_us)
			best = f;
	}
	return best;
}

/*
 * Roles of a new flow.  A SYN or SYN-ACK decides in flow_touch(); without
 * one we guess that the lower port is the server's (services listen on
 * well-known ports, clients use ephemeral ones), dir 0 on a tie.
 */
static void
flow_guess_roles(struct flow *f, const struct pkt *p)
{
	if (p->proto == IPPROTO_TCP && (p->tcp_flags & TH_SYN))
		return;
	if (p->proto == IPPROTO_TCP)
		f->flags |= FLOW_MIDSTREAM;
	f->client_dir = p->sport < p->dport ? 1 : 0;
}

static void
flow_init_key(struct flow *f, const struct pkt *p, uint64_t vlans)
{
	memcpy(f->key.a, p->src, 16);
	memcpy(f->key.b, p->dst, 16);
	f->key.aport = p->sport;
	f->key.bport = p->dport;
	f->key.vlan[0] = (uint16_t)vlans;
	f->key.vlan[1] = (uint16_t)(vlans >> 16);
	f->key.vlan[2] = (uint16_t)(vlans >> 32);
	f->vlans = vlans;
	f->key.family = p->family;
	f->key.proto = p->proto;
}

static void
flow_init_reasm(struct flow_table *t, struct flow *f)
{
	int d;

	for (d = 0; d < 2; d++) {
		if (t->reasm != NULL)
			reasm_dir_init(t->reasm, &f->rd[d]);
		else
			f->rd[d].depth = t->lim->reasm_depth;
	}
}

static struct flow *
flow_new(struct flow_table *t, const struct pkt *p, uint64_t vlans,
    uint32_t b)
{
	struct flow *f;
	uint32_t i;

	if (t->free_head == NIL && t->fresh < t->max) {
		t->pool[t->fresh].hnext = NIL;
		t->free_head = t->fresh++;
	}
	if (t->free_head == NIL) {
		if ((f = flow_oldest(t)) == NULL) {
			t->st.alloc_fail++;
			return NULL;
		}
		flow_end(t, f, FLOW_END_EVICTED);
	}
	i = t->free_head;
	f = &t->pool[i];
	t->free_head = f->hnext;
	memset(f, 0, sizeof(*f));
	flow_init_key(f, p, vlans);
	f->id = ++t->next_id;
	f->first_us = f->last_us = p->ts_us;
	f->in_use = 1;
	f->hnext = t->buckets[b];
	t->buckets[b] = i;
	f->age = FLOW_AGE_NEW;
	f->age_prev = f->age_next = NIL;
	f->list_us = p->ts_us;
	age_append(t, i);
	flow_init_reasm(t, f);
	flow_guess_roles(f, p);
	t->st.created++;
	if (++t->st.active > t->st.peak_active)
		t->st.peak_active = t->st.active;
	return f;
}

/* SYN / SYN-ACK / FIN / RST of direction d. */
static void
flow_tcp_flags(struct flow *f, uint8_t fl, int d)
{
	if ((fl & (TH_SYN | TH_ACK)) == TH_SYN) {
		f->flags |= FLOW_SYN_SEEN;
		if (!(f->flags & FLOW_ROLE_FIXED))
			f->client_dir = (uint8_t)d;
	} else if (fl & TH_SYN) {
		f->flags |= FLOW_SYNACK_SEEN;
		if (!(f->flags & (FLOW_ROLE_FIXED | FLOW_SYN_SEEN)))
			f->client_dir = (uint8_t)!d;
	}
	if (fl & TH_FIN)
		f->flags |= d ? FLOW_FIN1 : FLOW_FIN0;
	if (fl & TH_RST)
		f->flags |= FLOW_RST;
}

static inline void
flow_touch(struct flow_table *t, struct flow *f, const struct pkt *p, int d)
{
	uint32_t i = (uint32_t)(f - t->pool);
	int age;

	if (p->ts_us > f->last_us)
		f->last_us = p->ts_us;
	if (f->flags & FLOW_BYPASS)
		t->st.bypassed_pkts++;
	/* Only flags move a flow to another timeout class (and
	 * flow_bypass(), which moves it itself); same class: requeued
	 * lazily by age_settle. */
	if (p->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (TH_SYN | TH_FIN | TH_RST))) {
		flow_tcp_flags(f, p->tcp_flags, d);
		age = flow_age_of(f);
		if (age != f->age)
			age_move(t, i, age);
	}
}

/*
 * A SYN on a known 5-tuple starts a new connection (port reuse) when the
 * old one is over (RST, or FIN both ways) or when the SYN's sequence number
 * does not fit the stream we were following: a retransmitted SYN has
 * seq + 1 == next_seq, a new connection almost never does.
 */
static int
flow_reused(const struct flow *f, const struct pkt *p, int d)
{
	if (p->proto != IPPROTO_TCP ||
	    (p->tcp_flags & (TH_SYN | TH_ACK)) != TH_SYN)
		return 0;
	if (f->flags & FLOW_RST)
		return 1;
	if ((f->flags & (FLOW_FIN0 | FLOW_FIN1)) == (FLOW_FIN0 | FLOW_FIN1))
		return 1;
	return (f->flags & FLOW_PAYLOAD) && f->rd[d].seq_known &&
	    p->seq + 1 != f->rd[d].next_seq;
}

struct flow *
flow_get(struct flow_table *t, const struct pkt *p, int *dir)
{
	uint64_t vlans = pkt_vlans(p);
	uint32_t b, i;
	struct flow *f;
	int d;

	/* Packets come in trains (a window of segments, TSO bursts): try
	 * the flow of the previous packet before hashing. */
	if (t->last != NIL) {
		f = &t->pool[t->last];
		if ((d = key_dir(f, p, vlans)) >= 0 &&
		    (!(p->tcp_flags & TH_SYN) || !flow_reused(f, p, d))) {
			t->st.last_hits++;
			*dir = d;
			flow_touch(t, f, p, d);
			return f;
		}
	}
	b = flow_bucket(t, p->src, p->sport, p->dst, p->dport, vlans,
	    p->proto | (uint32_t)p->family << 8);
	for (i = t->buckets[b]; i != NIL; i = f->hnext) {
		f = &t->pool[i];
		if ((d = key_dir(f, p, vlans)) >= 0)
			goto found;
	}
	if ((f = flow_new(t, p, vlans, b)) == NULL)
		return NULL;
	d = 0;
found:
	if (flow_reused(f, p, d)) {
		t->st.reused++;
		flow_end(t, f, FLOW_END_CLOSED);
		if ((f = flow_new(t, p, vlans, b)) == NULL)
			return NULL;
		d = 0;
	}
	*dir = d;
	t->last = (uint32_t)(f - t->pool);
	flow_touch(t, f, p, d);
	return f;
}

/*
 * Each list is sorted by list_us (the time a flow was queued), and
 * last_us >= list_us, so only the head can be due: a head that is not due
 * but was touched since it was queued is requeued (age_settle) and the
 * walk goes on; it stops at the first flow not due and not touched, and
 * costs three comparisons when nothing expires.  A flow whose flags were
 * changed by hand (FLOW_BYPASS without flow_bypass()) is moved to its
 * real list instead of ended early.
 */
void
flow_expire(struct flow_table *t, uint64_t now_us)
{
	struct flow *f;
	uint64_t to;
	int a, real;

	t->last_expire_us = now_us;
	for (a = 0; a < FLOW_AGE_MAX; a++) {
		to = age_timeout(t, a);
		while (t->age_head[a] != NIL) {
			f = &t->pool[t->age_head[a]];
			if (f->last_us + to > now_us) {
				if (f->list_us >= f->last_us)
					break;
				/* touched since queued: requeue, go on */
				age_move(t, (uint32_t)(f - t->pool),
				    flow_age_of(f));
				continue;
			}
			real = flow_age_of(f);
			if (real != a &&
			    f->last_us + age_timeout(t, real) > now_us) {
				age_move(t, (uint32_t)(f - t->pool), real);
				t->st.age_moves++;
				continue;
			}
			flow_end(t, f, real == FLOW_AGE_CLOSED ?
			    FLOW_END_CLOSED : FLOW_END_TIMEOUT);
		}
	}
}

void
flow_end_all(struct flow_table *t)
{
	struct flow *f;

	while ((f = flow_oldest(t)) != NULL)
		flow_end(t, f, FLOW_END_SHUTDOWN);
}

void
flow_bypass(struct flow_table *t, struct flow *f)
{
	int age;

	f->flags |= FLOW_BYPASS;
	age = flow_age_of(f);
	if (age != f->age)
		age_move(t, (uint32_t)(f - t->pool), age);
}

const uint8_t *
flow_client_addr(const struct flow *f)
{
	return f->client_dir == 0 ? f->key.a : f->key.b;
}

const uint8_t *
flow_server_addr(const struct flow *f)
{
	return f->client_dir == 0 ? f->key.b : f->key.a;
}

uint16_t
flow_client_port(const struct flow *f)
{
	return f->client_dir == 0 ? f->key.aport : f->key.bport;
}

uint16_t
flow_server_port(const struct flow *f)
{
	return f->client_dir == 0 ? f->key.bport : f->key.aport;
}

void
flow_set_client_dir(struct flow *f, int dir)
{
	f->client_dir = dir ? 1 : 0;
	f->flags |= FLOW_ROLE_FIXED;
}

/* Flows on bucket chains, each in use and in its right bucket; -1 if not. */
static int64_t
check_buckets(const struct flow_table *t)
{
	const struct flow *f;
	uint64_t n = 0;
	uint32_t b, i;

	for (b = 0; b < t->nbuckets; b++) {
		for (i = t->buckets[b]; i != NIL; i = f->hnext) {
			if (i >= t->max || ++n > t->max)
				return -1;
			f = &t->pool[i];
			if (!f->in_use || key_bucket(t, &f->key) != b)
				return -1;
		}
	}
	return (int64_t)n;
}

/* Flows on the age lists, linked both ways, sorted, on the right list. */
static int64_t
check_ages(const struct flow_table *t)
{
	const struct flow *f;
	uint64_t n = 0;
	uint32_t i, prev;
	int a;

	for (a = 0; a < FLOW_AGE_MAX; a++) {
		prev = NIL;
		for (i = t->age_head[a]; i != NIL; i = f->age_next) {
			if (i >= t->max || ++n > t->max)
				return -1;
			f = &t->pool[i];
			if (!f->in_use || f->age != a || f->age_prev != prev)
				return -1;
			prev = i;
		}
		if (t->age_tail[a] != prev)
			return -1;
	}
	return (int64_t)n;
}

int
flow_table_check(const struct flow_table *t)
{
	uint64_t nfree = 0, nuse = 0;
	uint32_t i;

	for (i = 0; i < t->max; i++)
		nuse += t->pool[i].in_use;
	for (i = t->free_head; i != NIL; i = t->pool[i].hnext) {
		if (i >= t->max || t->pool[i].in_use || ++nfree > t->max)
			return -1;
	}
	if (nuse != t->st.active || nuse + nfree + (t->max - t->fresh) !=
	    t->max)
		return -1;
	if (check_buckets(t) != (int64_t)nuse || check_ages(t) != (int64_t)nuse)
		return -1;
	return 0;
}
