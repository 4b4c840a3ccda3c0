/*
 * app.c - the per-packet path of one worker.
 *
 *   frame -> decode -> flow lookup -> (bypassed? count and return)
 *         -> nDPI (first packets) -> TCP reassembly -> TLS parser
 *         -> session complete: certificates (cache) -> rules -> events
 *         -> bypass the flow: its later packets cost one lookup.
 *
 * Flow end (timeout, close, eviction, shutdown) settles whatever the TLS
 * layer has and writes the tls and flow events, so nothing is lost.
 */
#include "app.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>

#include "aggregate.h"
#include "classify.h"
#include "evidence.h"
#include "log.h"
#include "sink.h"
#include "xmalloc.h"
#include "../parsers/cur.h"
#include "../parsers/tls.h"
#include "../parsers/tls_aux.h"
#include "../parsers/x509.h"
#include "../rules/rules.h"
#include "signals.h"
#include "probe.h"

/* Flow flag bits owned by this file (flow.h reserves 0x1000-0x8000). */
#define AF_END_NOTED0	0x1000	/* tls_stream_end told for dir 0 */
#define AF_END_NOTED1	0x2000
#define AF_NOT_TLS	0x4000	/* given up: not TLS */
#define AF_STUN		0x8000	/* UDP flow carries STUN */

/* UDP flows given this many packets to show DTLS before we stop looking;
 * flows multiplexing STUN with DTLS (WebRTC, RFC 7983) get longer, since
 * ICE connectivity checks precede the DTLS handshake. */
#define APP_UDP_PROBE_PKTS	8
#define APP_STUN_PROBE_PKTS	64
/* Alerts reported per session at most (one per rule). */
#define APP_MAX_HITS		32

static size_t
app_deliver(void *arg, int dir, const uint8_t *data, size_t len, size_t *need)
{
	struct flow *f = arg;
	struct tls_flow *tf = f->app;
	size_t used;
	uint32_t want;

	if (tf == NULL) {
		*need = 0;
		return len;
	}
	used = tls_stream(tf, dir, data, len, need);
	/* A big handshake message in flight: let the stream run past the
	 * default depth (bounded by the TLS layer's own cap). */
	want = tls_depth_wanted(tf, dir);
	if (want > f->rd[dir].depth)
		reasm_dir_set_depth(&f->rd[dir], want);
	return used;
}

static const char *
app_label(const struct tls_session *s)
{
	if (s->upgrade != NULL)
		return s->upgrade;
	return s->dtls ? "dtls" : "tls";
}

static size_t
get_chain(struct worker *w, const struct tls_chain *ch, struct x509_cert **out)
{
	size_t i, n = 0;

	for (i = 0; i < ch->n; i++) {
		out[n] = x509_cache_get(w->xc, ch->cert[i].der, ch->cert[i].len);
		if (out[n] != NULL)
			n++;
	}
	return n;
}

static void
put_chain(struct worker *w, struct x509_cert **c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		x509_cert_put(w->xc, c[i]);
}

/* The alerts of a session, then its evidence bundle from the alert lines
 * just written and the frames kept. */
static void
app_alerts(struct worker *w, struct flow *f, uint64_t ts_us,
    const struct tls_report *r, const struct rule_hit *hits, size_t nh)
{
	struct evidence_alert ea;
	struct bytes lines;
	const char *line;
	size_t i, len;

	memset(&lines, 0, sizeof(lines));
	for (i = 0; i < nh; i++) {
		output_alert(w->out, f, ts_us, r, &hits[i]);
		w->st.alerts++;
		if (w->ev == NULL)
			continue;
		line = output_last_line(w->out, &len);
		bytes_add(&lines, line, len);
		bytes_add(&lines, "\n", 1);
	}
	if (nh > 0)
		f->flags |= FLOW_ALERTED;
	if (w->ev != NULL && nh > 0) {
		memset(&ea, 0, sizeof(ea));
		ea.f = f;
		ea.pb = f->pkbuf;
		ea.r = r;
		ea.hits = hits;
		ea.nhits = nh;
		ea.events = lines.oom ? "" : (const char *)lines.p;
		ea.events_len = lines.oom ? 0 : lines.len;
		ea.ts_us = ts_us;
		evidence_alert(w->ev, &ea);
	}
	bytes_free(&lines);
}

static void
app_count(struct worker *w, const struct tls_report *r)
{
	const struct tls_session *s = r->s;

	w->st.tls_sessions++;
	if (r->nchain > 0) {
		w->st.chains++;
		w->st.certs += r->nchain;
	} else if ((unsigned)s->missing < 16)
		w->st.missing[s->missing]++;
	if (r->ncchain > 0 || (w->out->opts.privacy && s->client.n > 0))
		w->st.client_chains++;
}

/* The signals of a reported session (rootwatch(8) SIGNALS), as alerts. */
static void
app_signals(struct worker *w, struct flow *f, const struct tls_report *r,
    uint64_t ts_us)
{
	struct signal sig[SIG_MAX];
	struct signal_eval ev;
	size_t n, i;

	n = signals_session(w->sig, r->s, r->chain, r->nchain, ts_us, &ev,
	    sig);
	if (r->s->facts.flight.done && r->s->facts.flight.n > 0)
		w->st.flights++;
	for (i = 0; i < n; i++) {
		output_signal(w->out, f, ts_us, r, &sig[i]);
		w->st.signals[sig[i].kind & 15]++;
		w->st.alerts++;
	}
	if (n > 0)
		f->flags |= FLOW_ALERTED;
}

/*
 * A TLS 1.3 session is reported at its ServerHello; with the profile
 * signal on, its flow is then kept reading (bypassed for the counters,
 * the flow event is unchanged) until the encrypted server flight is
 * counted, and its signals come then.
 */
static int
app_flight_wait(const struct worker *w, const struct flow *f)
{
	return signals_want_flight(w->sig) && f->key.proto == IPPROTO_TCP &&
	    tls_flight_pending(f->app);
}

/* The signals of a session reported earlier (its flight now counted). */
static void
app_signals_late(struct worker *w, struct flow *f, uint64_t ts_us)
{
	const struct tls_session *s = tls_session(f->app);
	struct x509_cert *chain[LIM_TLS_CHAIN_MAX];
	struct tls_report r;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.xc = w->xc;
	r.chain = chain;
	r.nchain = get_chain(w, &s->server, chain);
	r.cchain = NULL;
	r.app_proto = app_label(s);
	r.app_name = classify_app_name(w->cls, f);
	output_tls_render(w->out, &r);
	app_signals(w, f, &r, ts_us);
	put_chain(w, chain, r.nchain);
}

/* probe.from-wire: the server name is offered, sampled at random (never
 * for what the session showed) to the active probe's schedule. */
static void
app_wire(struct worker *w, const struct flow *f, const struct tls_session *s)
{
	if (w->wire != NULL && f->key.proto == IPPROTO_TCP && s->upgrade == NULL)
		probe_wire_offer(w->wire, s->sni, flow_server_port(f),
		    &w->wire_rng);
}

/* Write the tls event of f, and an alert per matching rule. */
static void
app_report(struct worker *w, struct flow *f, uint64_t ts_us)
{
	const struct tls_session *s = tls_session(f->app);
	struct x509_cert *chain[LIM_TLS_CHAIN_MAX], *cchain[LIM_TLS_CHAIN_MAX];
	struct rule_hit hits[APP_MAX_HITS];
	struct tls_report r;
	size_t nh = 0;

	/* One connection, one tls event: a pickup that never saw a
	 * handshake record (a server re-sending FIN and an encrypted alert
	 * after the closed flow timed out) is the tail of a session already
	 * reported, or of one we never saw; either way, no session. */
	if (!tls_saw_handshake(f->app)) {
		w->st.no_handshake++;
		f->flags |= FLOW_EMITTED;
		return;
	}
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.xc = w->xc;
	r.chain = chain;
	r.cchain = cchain;
	r.nchain = get_chain(w, &s->server, chain);
	/* privacy: a client certificate names the person; never written */
	if (!w->out->opts.privacy)
		r.ncchain = get_chain(w, &s->client, cchain);
	r.app_proto = app_label(s);
	classify_sni(w->cls, f, s->sni, s->dtls);
	r.app_name = classify_app_name(w->cls, f);
	f->app_label = r.app_proto;

	output_tls_render(w->out, &r);
	output_tls(w->out, f, ts_us, &r);
	app_count(w, &r);
	if (f->key.proto == IPPROTO_TCP)
		quic_watch_tcp_tls(&w->qw, f, s->sni);
	if (w->rules != NULL && r.nchain > 0)
		nh = rules_match(w->rules, w->rstate, chain, r.nchain,
		    s->sni[0] != '\0' ? s->sni : NULL, ts_us, hits,
		    APP_MAX_HITS);
	app_alerts(w, f, ts_us, &r, hits, nh);
	if (w->agg != NULL)
		aggregate_add(w->agg, r.nchain > 0 ? chain[0]->issuer : NULL,
		    s->sni, nh > 0, ts_us);
	if (w->sig != NULL && !app_flight_wait(w, f))
		app_signals(w, f, &r, ts_us);
	app_wire(w, f, s);
	put_chain(w, chain, r.nchain);
	put_chain(w, cchain, r.ncchain);
	f->flags |= FLOW_EMITTED;
}

/* ---- the active probe's sessions (rootwatch(8) PROBE) ------------------ */

/* The probe's own connection as a flow: its address is the client
 * (src), the server probed is dest. */
static void
probe_flow(struct flow *f, const struct probe_result *pr, uint64_t ts_us)
{
	memset(f, 0, sizeof(*f));
	f->key.family = pr->family == 6 ? 6 : 4;
	f->key.proto = IPPROTO_TCP;
	memcpy(f->key.a, pr->local, sizeof(f->key.a));
	memcpy(f->key.b, pr->addr, sizeof(f->key.b));
	f->key.aport = pr->local_port;
	f->key.bport = pr->port;
	f->client_dir = 0;
	f->flags = FLOW_ROLE_FIXED | FLOW_SYN_SEEN | FLOW_SYNACK_SEEN;
	f->first_us = f->last_us = ts_us;
	f->in_use = 1;
}

/* What the handshake showed, as the TLS layer would have seen it: the
 * TLS 1.2-only attempt offered no 1.3, so it is no downgrade. */
static void
probe_session(struct tls_session *s, const struct probe_result *pr)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->version = pr->version;
	s->client_version = 0x0303;
	s->cipher = pr->cipher;
	s->cipher_set = pr->version != 0;
	s->client_hello = 1;
	s->server_hello = pr->version != 0;
	snprintf(s->sni, sizeof(s->sni), "%s", pr->name);
	s->facts.offered13 = pr->attempt == 0x0304;
	for (i = 0; i < pr->nchain && i < LIM_TLS_CHAIN_MAX; i++) {
		s->server.cert[i].der = (uint8_t *)(uintptr_t)pr->chain[i].der;
		s->server.cert[i].len = (uint32_t)pr->chain[i].len;
	}
	s->server.n = (uint8_t)i;
	s->server.seen = pr->nchain > 0;
	s->server.truncated = (uint8_t)pr->truncated;
	s->missing = pr->nchain > 0 ? TLS_MISSING_NONE :
	    TLS_MISSING_NO_SERVER_DATA;
}

/* Signals of a probe's chain: only those the gate lets through now. */
static void
probe_signals(struct worker *w, struct flow *f, const struct tls_report *r,
    const struct probe_judge *pj, uint64_t ts_us)
{
	struct signal sig[SIG_MAX];
	struct signal_eval ev;
	uint32_t kinds = 0, pass;
	size_t n, i;

	n = signals_session(w->sig, r->s, r->chain, r->nchain, ts_us, &ev,
	    sig);
	for (i = 0; i < n; i++)
		kinds |= 1u << (sig[i].kind & 31);
	pass = n > 0 ? pj->gate(pj->gate_arg, pj->pr, kinds) : 0;
	for (i = 0; i < n; i++) {
		if (!(pass & (1u << (sig[i].kind & 31))))
			continue;
		output_signal(w->out, f, ts_us, r, &sig[i]);
		w->st.signals[sig[i].kind & 15]++;
		w->st.alerts++;
	}
}

void
worker_probe(struct worker *w, const struct probe_judge *pj, uint64_t ts_us)
{
	struct x509_cert *chain[LIM_TLS_CHAIN_MAX];
	struct rule_hit hits[APP_MAX_HITS];
	struct tls_session *s;
	struct tls_report r;
	struct flow f;
	size_t nh = 0;

	if ((s = xcalloc(1, sizeof(*s))) == NULL)
		return;
	probe_flow(&f, pj->pr, ts_us);
	probe_session(s, pj->pr);
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.xc = w->xc;
	r.chain = chain;
	r.nchain = get_chain(w, &s->server, chain);
	r.app_proto = "tls";
	r.probe = pj->json;
	r.probe_len = pj->json_len;
	output_tls_render(w->out, &r);
	output_tls(w->out, &f, ts_us, &r);
	app_count(w, &r);
	if (w->rules != NULL && r.nchain > 0)
		nh = rules_match(w->rules, w->rstate, chain, r.nchain, s->sni,
		    ts_us, hits, APP_MAX_HITS);
	/* an evidence bundle without frames: the chain, the alert, and
	 * rootwatch.probe in its manifest */
	app_alerts(w, &f, ts_us, &r, hits, nh);
	/* The chain's signals only: the profiles learn what browsers on the
	 * network are served, and the probe's own client (TLS 1.2 only on
	 * purpose, OpenSSL's ciphers and groups) would teach them to
	 * accept a downgrade.  Without a ServerHello the session is not
	 * learnt; the events above were rendered already. */
	s->server_hello = 0;
	if (w->sig != NULL && r.nchain > 0 && pj->gate != NULL)
		probe_signals(w, &f, &r, pj, ts_us);
	put_chain(w, chain, r.nchain);
	xfree(s);
}

static void
app_release(struct worker *w, struct flow *f)
{
	int d;

	if (f->app != NULL) {
		tls_flow_free(f->app);
		f->app = NULL;
	}
	for (d = 0; d < 2; d++)
		if (f->rd[d].reason == REASM_OK)
			reasm_dir_stop(&w->rc, &f->rd[d], REASM_DONE);
}

/* The reassembler's reason a stream stopped, as the TLS layer's. */
static enum tls_end
app_end_reason(enum reasm_reason r)
{
	switch (r) {
	case REASM_DONE:
		return TLS_END_DONE;
	case REASM_GAP:
		return TLS_END_GAP;
	case REASM_DEPTH:
		return TLS_END_DEPTH;
	case REASM_MEMCAP:
		return TLS_END_MEMCAP;
	case REASM_CONSUMER_ERR:
		return TLS_END_ERROR;
	case REASM_OK:
	default:
		return TLS_END_OK;
	}
}

/* Tell the TLS layer about streams the reassembler stopped. */
static void
note_stream_ends(struct flow *f)
{
	int d;
	uint16_t bit;

	for (d = 0; d < 2; d++) {
		bit = d == 0 ? AF_END_NOTED0 : AF_END_NOTED1;
		if ((f->flags & bit) || f->rd[d].reason == REASM_OK ||
		    f->rd[d].reason == REASM_DONE)
			continue;
		f->flags |= bit;
		tls_stream_end(f->app, d, app_end_reason(f->rd[d].reason));
	}
}

/* After the TLS layer saw new bytes: orientation, completion, bypass. */
static void
app_after(struct worker *w, struct flow *f, uint64_t ts_us)
{
	struct tls_flow *tf = f->app;
	int c, d;

	c = tls_client_dir(tf);
	if (c >= 0 && (!(f->flags & FLOW_ROLE_FIXED) || c != f->client_dir))
		flow_set_client_dir(f, c);
	if (f->key.proto == IPPROTO_TCP) {
		note_stream_ends(f);
		for (d = 0; d < 2 && !app_flight_wait(w, f); d++)
			if (f->rd[d].reason == REASM_OK && tls_dir_done(tf, d))
				reasm_dir_stop(&w->rc, &f->rd[d], REASM_DONE);
	}
	if (tls_done(tf)) {
		if (f->flags & FLOW_EMITTED) {	/* its flight was awaited */
			if (app_flight_wait(w, f))
				return;
			app_signals_late(w, f, ts_us);
		} else
			app_report(w, f, ts_us);
		if (app_flight_wait(w, f)) {
			flow_bypass(&w->ft, f);
			return;
		}
		app_release(w, f);
		flow_bypass(&w->ft, f);
	} else if (tls_not_tls(tf)) {
		w->st.not_tls++;
		app_release(w, f);
		f->flags |= AF_NOT_TLS;
		flow_bypass(&w->ft, f);
	}
}

static int
app_attach(struct worker *w, struct flow *f, int udp)
{
	f->app = tls_flow_new(&w->tls, udp);
	if (f->app == NULL) {
		w->st.tls_alloc_fail++;
		flow_bypass(&w->ft, f);
		return -1;
	}
	return 0;
}

static void
app_tcp(struct worker *w, struct flow *f, int dir, const struct pkt *p)
{
	if (p->payload_len > 0 && f->app == NULL &&
	    app_attach(w, f, 0) == -1)
		return;
	if (p->payload_len > 0) {
		decode_l4_csum_check(&w->dec, p);
		w->st.csum_checked++;
	}
	reasm_set_time(&w->rc, p->ts_us);
	reasm_segment(&w->rc, &f->rd[dir], dir, p->seq, p->tcp_flags,
	    p->payload, p->payload_len, f);
	if (f->app == NULL)
		return;
	if (p->tcp_flags & TH_ACK)
		reasm_ack(&w->rc, &f->rd[!dir], !dir, p->ack, f);
	app_after(w, f, p->ts_us);
}

/* RFC 5389 6: a STUN message starts with two zero bits and carries the
 * magic cookie 0x2112a442 at offset 4. */
static int
is_stun(const uint8_t *data, size_t len)
{
	struct cur c;
	uint8_t b0;
	uint32_t cookie;

	cur_init(&c, data, len);
	if (len < 20 || cur_u8(&c, &b0) == -1 || cur_skip(&c, 3) == -1 ||
	    cur_be32(&c, &cookie) == -1)
		return 0;
	return (b0 & 0xc0) == 0 && cookie == 0x2112a442;
}

/* A QUIC flow: its event once all is read, then bypass (quic_watch.h). */
static int
app_quic(struct worker *w, struct flow *f, int dir, const struct pkt *p)
{
	switch (quic_watch_udp(&w->qw, f, dir, p->payload, p->payload_len,
	    p->ts_us)) {
	case QW_NOT_QUIC:
		return 0;
	case QW_DONE:
		if (quic_watch_sni(f) != NULL)
			classify_sni(w->cls, f, quic_watch_sni(f), 0);
		quic_watch_report(&w->qw, f, p->ts_us,
		    classify_app_name(w->cls, f));
		flow_bypass(&w->ft, f);
		break;
	case QW_MORE:
		break;
	}
	f->app_label = "quic";
	return 1;
}

static void
app_udp(struct worker *w, struct flow *f, int dir, const struct pkt *p)
{
	uint64_t n = f->pkts[0] + f->pkts[1];

	if (p->payload_len == 0)
		return;
	if (f->app == NULL && app_quic(w, f, dir, p))
		return;
	if (f->app == NULL) {
		if (!dtls_detect(p->payload, p->payload_len)) {
			if (is_stun(p->payload, p->payload_len))
				f->flags |= AF_STUN;
			if (n >= ((f->flags & AF_STUN) ? APP_STUN_PROBE_PKTS :
			    APP_UDP_PROBE_PKTS))
				flow_bypass(&w->ft, f);
			return;
		}
		if (app_attach(w, f, 1) == -1)
			return;
	}
	tls_datagram(f->app, dir, p->payload, p->payload_len);
	app_after(w, f, p->ts_us);
}

static void
app_flow_end(void *arg, struct flow *f, enum flow_end_reason why)
{
	struct worker *w = arg;
	const char *incomplete = NULL;
	int d;

	if (f->app != NULL) {
		if (f->key.proto == IPPROTO_TCP) {
			for (d = 0; d < 2; d++)
				if (f->rd[d].reason == REASM_OK)
					reasm_dir_finish(&w->rc, &f->rd[d], d, f);
			note_stream_ends(f);
		}
		tls_finalize(f->app);
		if (tls_is_tls(f->app) && !(f->flags & FLOW_EMITTED))
			app_report(w, f, f->last_us);
		else if (w->sig != NULL && (f->flags & FLOW_EMITTED))
			app_signals_late(w, f, f->last_us);	/* flight cut */
		tls_flow_free(f->app);
		f->app = NULL;
	}
	if (f->quic != NULL) {
		if (quic_watch_sni(f) != NULL)
			classify_sni(w->cls, f, quic_watch_sni(f), 0);
		quic_watch_flow_end(&w->qw, f, classify_app_name(w->cls, f));
	}
	classify_flow_done(w->cls, f);
	for (d = 0; d < 2 && incomplete == NULL; d++)
		if (f->rd[d].reason != REASM_OK && f->rd[d].reason != REASM_DONE)
			incomplete = reasm_reason_name(f->rd[d].reason);
	if (f->flags & FLOW_PAYLOAD)
		output_flow(w->out, f, why, incomplete, f->app_label,
		    classify_app_name(w->cls, f));
	pktbuf_release(&w->pb, &f->pkbuf);
}

/*
 * A packet of a flow that is not bypassed: handshake work.  Kept out of
 * line so that worker_frame(), which every bulk packet runs, stays small
 * (a call frame that saves every register costs more than the lookup).
 */
static __attribute__((noinline)) void
worker_inspect(struct worker *w, struct flow *f, int dir, const struct pkt *p)
{
	if (p->payload_len > 0)
		f->flags |= FLOW_PAYLOAD;
	decode_ip_csum_check(&w->dec, p);	/* not on bypassed flows */
	if (p->proto == IPPROTO_TCP)
		app_tcp(w, f, dir, p);
	else
		app_udp(w, f, dir, p);
	/* TLS is ours from its first record on: nDPI would re-parse the
	 * hello and hash every certificate. */
	if (f->app_label != NULL || (f->app != NULL && tls_started(f->app)))
		classify_stop(w->cls, f);
	else
		classify_packet(w->cls, f, p);
}

/* A packet of a reported TLS 1.3 session whose server flight is still
 * being counted (app_flight_wait): reassembly and records only. */
static __attribute__((noinline)) void
app_flight(struct worker *w, struct flow *f, int dir, const struct pkt *p)
{
	if (p->proto != IPPROTO_TCP)
		return;
	reasm_set_time(&w->rc, p->ts_us);
	reasm_segment(&w->rc, &f->rd[dir], dir, p->seq, p->tcp_flags,
	    p->payload, p->payload_len, f);
	if (f->app != NULL && (p->tcp_flags & TH_ACK))
		reasm_ack(&w->rc, &f->rd[!dir], !dir, p->ack, f);
	if (f->app != NULL)
		app_after(w, f, p->ts_us);
}

static __attribute__((noinline)) void
worker_tick(struct worker *w, uint64_t ts_us)
{
	flow_expire(&w->ft, ts_us);
	decode_expire(&w->dec, ts_us);
	aggregate_tick(w->agg, w->out, ts_us);
	quic_watch_tick(&w->qw, ts_us);
	w->next_expire_us = ts_us + 1000000;
}

void
worker_clock(struct worker *w, uint64_t ts_us)
{
	w->st.last_ts_us = ts_us;
	flow_expire(&w->ft, ts_us);
	decode_expire(&w->dec, ts_us);
	quic_watch_tick(&w->qw, ts_us);
	w->next_expire_us = UINT64_MAX;
}

void
worker_frame(struct worker *w, int dlt, const uint8_t *frame, size_t caplen,
    size_t wire_len, uint64_t ts_us)
{
	struct pkt p;
	struct flow *f;
	int dir;

	w->st.last_ts_us = ts_us;
	if (ts_us >= w->next_expire_us)
		worker_tick(w, ts_us);
	if (!decode_packet(&w->dec, dlt, frame, caplen, wire_len, ts_us, &p))
		return;
	if ((f = flow_get(&w->ft, &p, &dir)) == NULL) {
		w->st.no_flow++;
		return;
	}
	f->pkts[dir]++;
	f->bytes[dir] += wire_len;
	if (!(f->flags & FLOW_BYPASS)) {
		if (w->ev != NULL)
			pktbuf_add(&w->pb, &f->pkbuf, dlt, frame, caplen,
			    wire_len, &p, dir);
		worker_inspect(w, f, dir, &p);
		/* the handshake was reported (and any bundle written), or
		 * the flow is not TLS: its copies go with the bypass */
		if (f->pkbuf != NULL && (f->flags & FLOW_BYPASS))
			pktbuf_release(&w->pb, &f->pkbuf);
		return;
	}
	/* counted apart, as EVE's flow.bypassed */
	f->byp_pkts[dir]++;
	f->byp_bytes[dir] += wire_len;
	if (f->app != NULL)	/* a TLS 1.3 flight still counted */
		app_flight(w, f, dir, &p);
	if (f->ndpi_pkts < w->lim->ndpi_packets)
		/* a flow given up as not TLS early may still be in nDPI's
		 * first packets; bypassed packets are counted by flow_get */
		classify_packet(w->cls, f, &p);
}

int
worker_init(struct worker *w, const struct limits *lim, struct output *out,
    struct ruleset *rules)
{
	uint64_t seed;

	memset(w, 0, sizeof(*w));
	w->lim = lim;
	w->out = out;
	if ((w->rstate = rules_state_new(lim->rules_cache)) == NULL)
		return -1;
	if (worker_set_rules(w, rules) == -1 ||
	    decode_init(&w->dec, lim) == -1) {
		rules_state_free(w->rstate);
		return -1;
	}
	reasm_ctx_init(&w->rc, lim, app_deliver);
	pktbuf_ctx_init(&w->pb, lim->pktbuf_flow, lim->pktbuf_memcap);
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = 0x9e3779b97f4a7c15ull;
	if (flow_table_init(&w->ft, lim, seed, app_flow_end, w) == -1) {
		decode_free(&w->dec);
		rules_state_free(w->rstate);
		return -1;
	}
	flow_table_set_reasm(&w->ft, &w->rc);	/* frees rd[] buffers at end */
	if (tls_ctx_init(&w->tls, lim) == -1)
		log_warnx("OpenSSL has no MD5 or SHA-256: no JA3/JA4");
	if ((w->xc = x509_cache_new(lim->x509_cache)) == NULL) {
		tls_ctx_free(&w->tls);
		flow_table_free(&w->ft);
		decode_free(&w->dec);
		rules_state_free(w->rstate);
		return -1;
	}
	x509_cache_set_max_bytes(w->xc, lim->x509_cache_bytes);
	w->cls = classify_new(lim);
	if (quic_watch_init(&w->qw, lim, &w->tls, out) == -1)
		log_warnx("QUIC: no memory for the QUIC-blocked table: "
		    "signal off");
	return 0;
}

int
worker_set_rules(struct worker *w, struct ruleset *rules)
{
	if (rules_state_bind(w->rstate, rules) == -1)
		return -1;
	w->rules = rules;
	w->st.rules_generation++;	/* reloads taken, for the stats */
	return 0;
}

void
worker_set_signals(struct worker *w, struct signals *sig)
{
	w->sig = sig;
}

void
worker_flush_flows(struct worker *w)
{
	flow_end_all(&w->ft);
	aggregate_flush(w->agg, w->out);
	quic_watch_tick(&w->qw, w->st.last_ts_us);
}

void
worker_free(struct worker *w)
{
	flow_end_all(&w->ft);
	flow_table_free(&w->ft);
	quic_watch_free(&w->qw);
	tls_ctx_free(&w->tls);		/* after the flows gave memory back */
	classify_free(w->cls);
	x509_cache_free(w->xc);
	decode_free(&w->dec);
	rules_state_free(w->rstate);
	w->rstate = NULL;
	w->rules = NULL;
}

static void
stats_decode(struct jbuf *j, const struct decode_stats *d)
{
	int i;

	jb_obj_open(j, "decoder");
	jb_u64(j, "frames", d->frames);
	jb_u64(j, "bytes", d->bytes);
	jb_u64(j, "ipv4", d->ipv4);
	jb_u64(j, "ipv6", d->ipv6);
	jb_u64(j, "tcp", d->tcp);
	jb_u64(j, "udp", d->udp);
	jb_obj_open(j, "errors");
	for (i = 1; i < DEC_REASON_MAX; i++)
		if (d->reason[i] != 0)
			jb_u64(j, decode_reason_name(i), d->reason[i]);
	jb_obj_close(j);
	jb_obj_open(j, "notes");
	for (i = 0; i < NOTE_MAX; i++)
		if (d->note[i] != 0)
			jb_u64(j, decode_note_name(i), d->note[i]);
	jb_obj_close(j);
	jb_obj_close(j);
}

static void
stats_flows(struct jbuf *j, const struct worker_counts *c)
{
	static const char *const ends[FLOW_END_MAX] = {
		"timeout", "closed", "evicted", "shutdown" };
	const struct flow_stats *fs = &c->flow;
	const struct reasm_stats *r = &c->reasm;
	int i;

	jb_obj_open(j, "flow");
	jb_u64(j, "created", fs->created);
	jb_u64(j, "active", fs->active);
	jb_u64(j, "peak_active", fs->peak_active);
	jb_u64(j, "max", c->flow_max);
	for (i = 0; i < FLOW_END_MAX; i++)
		jb_u64(j, ends[i], fs->ended[i]);
	jb_u64(j, "cap_hits", fs->alloc_fail + fs->ended[FLOW_END_EVICTED]);
	jb_u64(j, "bypassed_packets", fs->bypassed_pkts);
	jb_u64(j, "reused", fs->reused);
	jb_u64(j, "previous_flow_hits", fs->last_hits);
	jb_obj_close(j);
	jb_obj_open(j, "reassembly");
	jb_u64(j, "segments", r->segments);
	jb_u64(j, "in_order", r->in_order);
	jb_u64(j, "out_of_order", r->out_of_order);
	jb_u64(j, "retransmitted", r->retransmitted);
	jb_u64(j, "overlaps", r->overlaps);
	jb_u64(j, "overlap_conflicts", r->overlap_conflicts);
	jb_u64(j, "gaps", r->gaps);
	jb_u64(j, "depth_reached", r->depth_reached);
	jb_u64(j, "memcap_hits", r->memcap_hits);
	jb_u64(j, "ooo_cap_hits", r->ooo_cap_hits);
	jb_u64(j, "acked_holes", r->acked_holes);
	jb_u64(j, "hole_timeouts", r->hole_timeouts);
	jb_u64(j, "bytes_delivered", r->bytes_delivered);
	jb_u64(j, "memory_in_use", r->mem_in_use);
	jb_u64(j, "memory_peak", r->mem_peak);
	jb_obj_close(j);
}

/* tls.signals: alerts per signal kind and the flights counted (only
 * when signals are on, so that the stats are unchanged otherwise). */
static void
stats_signals(struct jbuf *j, const struct worker_counts *c)
{
	uint64_t any = c->st.flights;
	int i;

	for (i = 0; i < SIG_MAX; i++)
		any |= c->st.signals[i];
	if (any == 0)
		return;
	jb_obj_open(j, "signals");
	jb_u64(j, "flights", c->st.flights);
	for (i = 0; i < SIG_MAX; i++)
		if (c->st.signals[i] != 0)
			jb_u64(j, signal_kind_name(i), c->st.signals[i]);
	jb_obj_close(j);
}

static void
stats_tls(struct jbuf *j, const struct worker_counts *c)
{
	const struct x509_stats *xs = &c->x509;
	int i;

	jb_obj_open(j, "tls");
	jb_u64(j, "sessions", c->st.tls_sessions);
	jb_u64(j, "chains", c->st.chains);
	jb_u64(j, "certificates", c->st.certs);
	jb_u64(j, "client_chains", c->st.client_chains);
	jb_u64(j, "not_tls", c->st.not_tls);
	jb_u64(j, "no_handshake", c->st.no_handshake);
	jb_u64(j, "alloc_fail", c->st.tls_alloc_fail);
	jb_u64(j, "memory_in_use", c->tls_mem_used);
	jb_u64(j, "memory_peak", c->tls_mem_peak);
	jb_u64(j, "memcap_hits", c->tls_mem_hits);
	jb_u64(j, "memcap_refused", c->tls_memcap_refused);
	jb_obj_open(j, "chain_missing");
	for (i = 1; i < TLS_MISSING_MAX && i < 16; i++)
		if (c->st.missing[i] != 0)
			jb_u64(j, tls_missing_name(i), c->st.missing[i]);
	jb_obj_close(j);
	stats_signals(j, c);
	jb_obj_close(j);
	jb_obj_open(j, "x509_cache");
	jb_u64(j, "lookups", xs->lookups);
	jb_u64(j, "hits", xs->hits);
	jb_u64(j, "parsed", xs->parsed);
	jb_u64(j, "parse_errors", xs->parse_errors);
	jb_u64(j, "evictions", xs->evictions);
	jb_u64(j, "entries", xs->entries);
	jb_u64(j, "bytes", xs->bytes);
	jb_obj_close(j);
}

static void
stats_quic(struct jbuf *j, const struct worker_counts *c)
{
	jb_obj_open(j, "quic");
	jb_u64(j, "sessions", c->quic_watch.sessions);
	jb_u64(j, "initials", c->quic.initials);
	jb_u64(j, "initials_decrypted", c->quic.decrypted);
	jb_u64(j, "initials_failed", c->quic.decrypt_failed);
	jb_u64(j, "hellos", c->quic.hellos);
	jb_u64(j, "crypto_cap_hits", c->quic.crypto_cap_hits);
	jb_u64(j, "memcap_refused", c->quic.memcap_refused);
	jb_u64(j, "alloc_fail", c->quic_watch.alloc_fail);
	jb_obj_open(j, "blocked");
	jb_u64(j, "alerts", c->quic_watch.blocked_alerts);
	jb_u64(j, "tracked", c->quic_watch.blocked_tracked);
	jb_u64(j, "evicted", c->quic_watch.blocked_evicted);
	jb_u64(j, "fallbacks", c->quic_watch.fallbacks);
	jb_obj_close(j);
	jb_obj_close(j);
}

uint64_t *
worker_alerts_by_rule(struct worker *const *ws, size_t n, size_t *nrules)
{
	const struct rules_state *st[LIM_WORKERS_MAX];
	uint64_t *sum;
	size_t i;

	*nrules = 0;
	if (n == 0 || n > LIM_WORKERS_MAX || ws[0]->rules == NULL ||
	    rules_count(ws[0]->rules) == 0)
		return NULL;
	for (i = 0; i < n; i++)
		st[i] = ws[i]->rstate;
	if ((sum = xcalloc(rules_count(ws[0]->rules), sizeof(*sum))) == NULL)
		return NULL;
	if (rules_sum_alerts(ws[0]->rules, st, n, sum) == -1) {
		xfree(sum);
		return NULL;
	}
	*nrules = rules_count(ws[0]->rules);
	return sum;
}

/* Per-rule alerts, summed over the workers' states. */
static void
stats_rules(struct jbuf *j, struct worker *const *ws, size_t n,
    uint64_t alerts)
{
	uint64_t *sum;
	size_t i, nr;

	jb_u64(j, "alerts_total", alerts);
	/* rule sets loaded: every worker takes each reload */
	jb_u64(j, "rules_generation", n > 0 ? ws[0]->st.rules_generation : 0);
	jb_obj_open(j, "alerts");
	sum = worker_alerts_by_rule(ws, n, &nr);
	for (i = 0; i < nr; i++)
		if (sum[i] != 0)
			jb_u64(j, rule_id(rules_at(ws[0]->rules, i)), sum[i]);
	xfree(sum);
	jb_obj_close(j);
}

/*
 * The counters Suricata's stats event names (its schema), under those
 * names: capture.kernel_*, decoder.*, flow.*, tcp.*, detect.alert.
 */
static void
stats_suricata(struct jbuf *j, const struct worker_counts *c,
    const struct capture_counters *cap)
{
	const struct decode_stats *d = &c->dec;
	const struct reasm_stats *r = &c->reasm;

	if (cap != NULL && cap->valid) {
		jb_obj_open(j, "capture");
		jb_u64(j, "kernel_packets", cap->kernel_packets);
		jb_u64(j, "kernel_drops", cap->kernel_drops);
		jb_u64(j, "kernel_ifdrops", cap->kernel_ifdrops);
		jb_obj_close(j);
	}
	jb_obj_open(j, "decoder");
	jb_u64(j, "pkts", d->frames);
	jb_u64(j, "bytes", d->bytes);
	jb_u64(j, "ipv4", d->ipv4);
	jb_u64(j, "ipv6", d->ipv6);
	jb_u64(j, "tcp", d->tcp);
	jb_u64(j, "udp", d->udp);
	jb_obj_close(j);
	jb_obj_open(j, "flow");
	jb_u64(j, "total", c->flow.created);
	jb_u64(j, "active", c->flow.active);
	jb_obj_close(j);
	jb_obj_open(j, "tcp");
	jb_u64(j, "overlap", r->overlaps);
	jb_u64(j, "overlap_diff_data", r->overlap_conflicts);
	jb_u64(j, "reassembly_gap", r->gaps);
	jb_u64(j, "stream_depth_reached", r->depth_reached);
	jb_u64(j, "reassembly_memuse", r->mem_in_use);
	jb_obj_close(j);
	jb_obj_open(j, "detect");
	jb_u64(j, "alert", c->st.alerts);
	jb_obj_close(j);
}

static void
stats_output(struct jbuf *j, const struct output_stats *os)
{
	jb_obj_open(j, "output");
	jb_u64(j, "flow", os->events[OUTPUT_EV_FLOW]);
	jb_u64(j, "tls", os->events[OUTPUT_EV_TLS]);
	jb_u64(j, "alert", os->events[OUTPUT_EV_ALERT]);
	jb_u64(j, "quic", os->events[OUTPUT_EV_QUIC]);
	jb_u64(j, "write_errors", os->write_errors);
	jb_u64(j, "lost_oom", os->oom);
	jb_obj_close(j);
}

/* Add the uint64_t fields of two counter structs (all of them are). */
static void
add_u64s(void *dst, const void *src, size_t size)
{
	uint64_t a, b;
	size_t i;

	for (i = 0; i + sizeof(a) <= size; i += sizeof(a)) {
		memcpy(&a, (char *)dst + i, sizeof(a));
		memcpy(&b, (const char *)src + i, sizeof(b));
		a += b;
		memcpy((char *)dst + i, &a, sizeof(a));
	}
}

void
worker_counts_get(const struct worker *w, struct worker_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->st = w->st;
	c->dec = w->dec.st;
	c->flow = w->ft.st;
	c->flow_max = w->ft.max;
	c->reasm = w->rc.st;
	c->tls_mem_used = w->tls.mem_used;
	c->tls_mem_peak = w->tls.mem_peak;
	c->tls_mem_hits = w->tls.mem_hits;
	c->tls_memcap_refused = w->tls.memcap_refused;
	c->x509 = *x509_cache_stats(w->xc);
	if (w->cls != NULL) {
		c->cls = *classify_stats(w->cls);
		c->has_cls = 1;
	}
	c->out = w->out->st;
	c->quic = w->qw.qc.st;
	c->quic_watch = w->qw.st;
}

void
worker_counts_add(struct worker_counts *sum, const struct worker_counts *c)
{
	uint64_t last = sum->st.last_ts_us > c->st.last_ts_us ?
	    sum->st.last_ts_us : c->st.last_ts_us;
	uint64_t has = sum->has_cls | c->has_cls;

	_Static_assert(sizeof(struct worker_counts) % sizeof(uint64_t) == 0,
	    "worker_counts holds uint64_t only");
	add_u64s(sum, c, sizeof(*sum));
	sum->st.last_ts_us = last;
	sum->has_cls = has;
}

void
worker_counts_sum(struct worker *const *ws, size_t n,
    struct worker_counts *sum)
{
	struct worker_counts c;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		worker_counts_get(ws[i], &c);
		worker_counts_add(sum, &c);
	}
}

/* The counter tree of one worker or of the sum. */
static void
stats_tree(struct jbuf *j, const struct worker_counts *c)
{
	/* decoded TCP and UDP packets (the flow layer's input) */
	jb_u64(j, "packets", c->dec.tcp + c->dec.udp);
	jb_u64(j, "no_flow", c->st.no_flow);
	stats_decode(j, &c->dec);
	stats_flows(j, c);
	stats_tls(j, c);
	stats_quic(j, c);
	if (c->has_cls) {
		jb_obj_open(j, "ndpi");
		jb_u64(j, "flows", c->cls.flows);
		jb_u64(j, "packets", c->cls.packets);
		jb_u64(j, "detected", c->cls.detected);
		jb_obj_close(j);
	}
}

/* Each worker's share: enough to see the load balance. */
static void
stats_workers(struct jbuf *j, struct worker *const *ws, size_t n)
{
	struct worker_counts c;
	size_t i;

	jb_arr_open(j, "workers");
	for (i = 0; i < n; i++) {
		worker_counts_get(ws[i], &c);
		jb_obj_open(j, NULL);
		jb_u64(j, "frames", c.dec.frames);
		jb_u64(j, "packets", c.dec.tcp + c.dec.udp);
		jb_u64(j, "flows", c.flow.created);
		jb_u64(j, "active_flows", c.flow.active);
		jb_u64(j, "tls_sessions", c.st.tls_sessions);
		jb_u64(j, "alerts", c.st.alerts);
		jb_u64(j, "reassembly_memory", c.reasm.mem_in_use);
		jb_u64(j, "tls_memory", c.tls_mem_used);
		jb_obj_close(j);
	}
	jb_arr_close(j);
}

/* The evidence frame copies and bundles (evidence: on). */
static void
stats_evidence(struct jbuf *j, const struct worker *w)
{
	const struct pktbuf_stats *p = &w->pb.st;
	const struct evidence_stats *e;

	if (w->ev == NULL)
		return;
	e = evidence_stats(w->ev);
	jb_obj_open(j, "evidence");
	jb_u64(j, "bundles", e->bundles);
	jb_u64(j, "repeats", e->repeats);
	jb_u64(j, "removed", e->removed);
	jb_u64(j, "bytes", e->bytes);
	jb_u64(j, "errors", e->errors);
	jb_obj_open(j, "packets");
	jb_u64(j, "flows", p->flows);
	jb_u64(j, "frames", p->frames);
	jb_u64(j, "memory_in_use", p->mem_in_use);
	jb_u64(j, "memory_peak", p->mem_peak);
	jb_u64(j, "flow_cap_hits", p->flow_cap_hits);
	jb_u64(j, "memcap_hits", p->memcap_hits);
	jb_u64(j, "skipped", p->skipped);
	jb_obj_close(j);
	jb_obj_close(j);
}

/* rootwatch's own counter tree ("rootwatch" in the stats event), then
 * Suricata's names when EVE is written. */
void
worker_stats_event(struct output *o, struct worker *const *ws, size_t n,
    uint64_t ts_us, const struct stats_extra *ex)
{
	struct jbuf *j = output_stats_begin(o, ts_us);
	struct worker_counts sum;

	worker_counts_sum(ws, n, &sum);
	stats_tree(j, &sum);
	stats_rules(j, ws, n, sum.st.alerts);
	/* evidence runs on one worker (main.c): its writer is the process's */
	stats_evidence(j, ws[0]);
	stats_output(j, &sum.out);
	if (o->sinks != NULL)
		sinks_stats_render(o->sinks, j);
	if (n > 1)
		stats_workers(j, ws, n);
	if (ex != NULL && ex->render != NULL)
		ex->render(j, ex->arg);
	if ((j = output_stats_suricata(o)) != NULL)
		stats_suricata(j, &sum, ex != NULL ? ex->cap : NULL);
	output_stats_end(o);
}

void
worker_stats(struct worker *w, uint64_t ts_us)
{
	struct stats_extra ex = { &w->cap, NULL, NULL };

	worker_stats_event(w->out, &w, 1, ts_us, &ex);
}

/*
 * Say on stderr (or syslog) which configured caps were hit: the counters
 * are in the stats event, but an operator should not have to look there
 * to learn that the sensor ran out of room.
 */
void
worker_report_caps(const struct worker *w)
{
	const struct flow_table *ft = &w->ft;
	const struct reasm_stats *r = &w->rc.st;
	const struct decode_stats *d = &w->dec.st;

	if (ft->st.ended[FLOW_END_EVICTED] > 0 || ft->st.alloc_fail > 0)
		log_warnx("flow table full: %llu flows evicted, %llu packets "
		    "without a flow (flow.max %u)", (unsigned long long)
		    ft->st.ended[FLOW_END_EVICTED],
		    (unsigned long long)ft->st.alloc_fail, ft->max);
	if (r->memcap_hits > 0)
		log_warnx("reassembly memory cap hit %llu times "
		    "(reassembly.memcap %llu bytes)",
		    (unsigned long long)r->memcap_hits,
		    (unsigned long long)w->lim->reasm_memcap);
	if (r->depth_reached > 0)
		log_info("reassembly depth reached on %llu streams "
		    "(reassembly.depth %u bytes)",
		    (unsigned long long)r->depth_reached, w->lim->reasm_depth);
	if (w->tls.mem_hits > 0)
		log_warnx("TLS memory cap hit %llu times, %llu sessions lost "
		    "their chain (tls.memcap %llu bytes)",
		    (unsigned long long)w->tls.mem_hits,
		    (unsigned long long)w->tls.memcap_refused,
		    (unsigned long long)w->lim->tls_memcap);
	if (d->reason[DEC_FRAG_CAP] > 0)
		log_warnx("IP fragment cap hit: %llu fragments dropped",
		    (unsigned long long)d->reason[DEC_FRAG_CAP]);
	if (w->out->st.oom > 0 || w->out->st.write_errors > 0)
		log_warnx("output: %llu events lost to memory, %llu write "
		    "errors", (unsigned long long)w->out->st.oom,
		    (unsigned long long)w->out->st.write_errors);
}
