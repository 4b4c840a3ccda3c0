/*
 * tls_fsm.c - the TLS session state machine: one state per session, one
 * function (tls_fsm) that takes every event, one (tls_change_state) that
 * makes and logs every transition.  Completion (tls_done) and the reason
 * a chain is missing are reads of the state.
 *
 *            RECORD            CLIENT_HELLO           SERVER_HELLO
 *   IDLE ----------> RECORDS --------------> CLIENT_ ------------> SERVER_
 *    |                 |   \                 HELLO                 HELLO
 *    |                 |    `------------- SERVER_HELLO ---------^   |
 *    |                 |                                             | SERVER_DONE
 *    | FLOW_END        |  CERTIFICATE (from any non-final state)     v
 *    v                 +-------------------------------> CHAIN    SERVER_DONE
 *   END_NOT_TLS                                           |
 *                                   flight complete, or   | ENCRYPTED, RESUMED
 *                                   FLOW_END              v
 *                                                        DONE (chain visible)
 *
 *   any state before CHAIN:
 *     HELLO_RETRY ------------> HELLO_RETRY  (ends as END_TLS13, whatever
 *                                             comes: HRR means TLS 1.3)
 *     ENCRYPTED --------------> END_TLS13
 *     first server CCS after
 *     ServerHello, no SHD ----> END_RESUMED  (RFC 5246 7.3 abbreviated)
 *     RESUMED (SSLv2 hit) ----> END_RESUMED
 *     ALERT ------------------> END_ALERT
 *     MALFORMED --------------> MALFORMED  \  the other direction goes
 *     DEPTH ------------------> DEPTH       > on: a chain, TLS 1.3, a
 *     MEMCAP -----------------> MEMCAP     /   resumption or an alert
 *                                              still say more
 *
 *   a non-final state whose flight is complete (ServerHelloDone without
 *   Certificate, server chain and server direction over, server
 *   direction malformed, both directions over), or FLOW_END, settles:
 *
 *     CHAIN -> DONE          HELLO_RETRY -> END_TLS13
 *     MALFORMED / DEPTH / MEMCAP -> END_MALFORMED / END_DEPTH / END_MEMCAP
 *     else the server stream's end (gap, depth, memcap) -> END_GAP ...
 *     else SERVER_DONE after a ServerHello -> END_NO_CERT
 *     else no hello at all -> END_MIDSTREAM
 *     else server silent -> END_NO_SERVER_DATA, or END_TRUNCATED
 *
 * Which outcome wins when several things happen is decided by these
 * transitions, not by the order of tests in a reader: MALFORMED does not
 * leave DEPTH/MEMCAP for them, the first of DEPTH and MEMCAP stays, and
 * a refusal by a memory budget is never MALFORMED.
 */
#include "../sensor/log.h"
#include "tls_int.h"

static const char *const tls_state_names[TLS_ST_MAX] = {
	"idle", "records", "client_hello", "server_hello", "hello_retry",
	"server_done", "chain", "malformed", "depth", "memcap", "done",
	"end_tls13", "end_resumed", "end_alert", "end_malformed",
	"end_depth", "end_memcap", "end_gap", "end_no_cert",
	"end_midstream", "end_no_server_data", "end_truncated",
	"end_not_tls",
};

/* chain_missing of each state; a non-final state's is provisional. */
static const uint8_t tls_state_missing[TLS_ST_MAX] = {
	[TLS_ST_IDLE] = TLS_MISSING_NOT_TLS,
	[TLS_ST_RECORDS] = TLS_MISSING_MIDSTREAM,
	[TLS_ST_CLIENT_HELLO] = TLS_MISSING_TRUNCATED,
	[TLS_ST_SERVER_HELLO] = TLS_MISSING_TRUNCATED,
	[TLS_ST_HELLO_RETRY] = TLS_MISSING_TLS13,
	[TLS_ST_SERVER_DONE] = TLS_MISSING_NO_CERT,
	[TLS_ST_CHAIN] = TLS_MISSING_NONE,
	[TLS_ST_MALFORMED] = TLS_MISSING_MALFORMED,
	[TLS_ST_DEPTH] = TLS_MISSING_DEPTH,
	[TLS_ST_MEMCAP] = TLS_MISSING_MEMCAP,
	[TLS_ST_DONE] = TLS_MISSING_NONE,
	[TLS_ST_END_TLS13] = TLS_MISSING_TLS13,
	[TLS_ST_END_RESUMED] = TLS_MISSING_RESUMED,
	[TLS_ST_END_ALERT] = TLS_MISSING_ALERT,
	[TLS_ST_END_MALFORMED] = TLS_MISSING_MALFORMED,
	[TLS_ST_END_DEPTH] = TLS_MISSING_DEPTH,
	[TLS_ST_END_MEMCAP] = TLS_MISSING_MEMCAP,
	[TLS_ST_END_GAP] = TLS_MISSING_GAP,
	[TLS_ST_END_NO_CERT] = TLS_MISSING_NO_CERT,
	[TLS_ST_END_MIDSTREAM] = TLS_MISSING_MIDSTREAM,
	[TLS_ST_END_NO_SERVER_DATA] = TLS_MISSING_NO_SERVER_DATA,
	[TLS_ST_END_TRUNCATED] = TLS_MISSING_TRUNCATED,
	[TLS_ST_END_NOT_TLS] = TLS_MISSING_NOT_TLS,
};

const char *
tls_state_name(enum tls_state st)
{
	return (unsigned)st < TLS_ST_MAX ? tls_state_names[st] : "unknown";
}

const char *
tls_event_name(enum tls_event ev)
{
	static const char *const names[TLS_EV_MAX] = {
		"none", "record", "client_hello", "server_hello",
		"hello_retry", "encrypted", "certificate", "client_cert",
		"cert_request", "server_done", "resumed", "ccs", "alert",
		"malformed", "depth", "memcap", "dir_done", "stream_end",
		"flow_end",
	};

	return (unsigned)ev < TLS_EV_MAX ? names[ev] : "unknown";
}

int
tls_fsm_final(const struct tls_flow *tf)
{
	return tf->state >= TLS_ST_DONE;
}

int
tls_server_dir(const struct tls_flow *tf)
{
	return tf->client_dir >= 0 ? !tf->client_dir : -1;
}

/* The one place the session state changes; ev is what caused it. */
static void
tls_change_state(struct tls_flow *tf, enum tls_state st, enum tls_event ev)
{
	if (tf->state == st)
		return;
	log_debug("tls: session %s -> %s on %s", tls_state_name(tf->state),
	    tls_state_name(st), tls_event_name(ev));
	tf->state = (uint8_t)st;
	tf->s.missing = (enum tls_missing)tls_state_missing[st];
	if (st < TLS_ST_DONE)
		return;
	tf->end_event = (uint8_t)ev;
	if (st == TLS_ST_END_MEMCAP && tf->ctx != NULL)
		tf->ctx->memcap_refused++;
}

int
tls_dir_done(const struct tls_flow *tf, int dir)
{
	const struct tls_dir *d;

	if (dir != 0 && dir != 1)
		return 1;
	d = &tf->d[dir];
	return d->mode == TLS_MODE_DONE || d->mode == TLS_MODE_GAVE_UP ||
	    d->ended || d->ccs || tf->state == TLS_ST_END_TLS13 ||
	    tf->state == TLS_ST_END_ALERT || tf->end_event == TLS_EV_ALERT;
}

/* The server flight is over as far as the chain goes (RFC 5246 7.3
 * message order): a requested client Certificate is waited for. */
static int
tls_chain_complete(const struct tls_flow *tf)
{
	int sd = tls_server_dir(tf);

	if (!tf->s.server.seen)
		return tf->s.version == 0x0002 && tf->s.server.n > 0;
	if (tf->s.cert_requested && !tf->s.client.seen &&
	    !(tf->client_dir >= 0 && tls_dir_done(tf, tf->client_dir)))
		return 0;
	if (tf->shd)
		return 1;
	return sd >= 0 && tls_dir_done(tf, sd);
}

/* Nothing more can change what the session reports. */
static int
tls_fsm_complete(const struct tls_flow *tf)
{
	int sd = tls_server_dir(tf);

	/* ServerHelloDone and no Certificate: an anonymous suite */
	if (tf->shd && !tf->s.server.seen && !tf->s.cert_requested)
		return 1;
	if (tls_chain_complete(tf))
		return 1;
	if (sd >= 0 && tf->d[sd].bad)
		return 1;
	return tls_dir_done(tf, 0) && tls_dir_done(tf, 1);
}

/* How the server's stream stopped, when that is what lost the chain. */
static enum tls_state
tls_fsm_stream_outcome(const struct tls_flow *tf)
{
	int sd = tls_server_dir(tf), i;

	for (i = 0; i < 2; i++) {
		if (sd >= 0 && i != sd)
			continue;
		switch (tf->d[i].reason) {
		case TLS_END_DEPTH:
			return TLS_ST_END_DEPTH;
		case TLS_END_MEMCAP:
			return TLS_ST_END_MEMCAP;
		case TLS_END_GAP:
			return TLS_ST_END_GAP;
		default:
			break;
		}
	}
	return TLS_ST_IDLE;
}

/* The final state a non-final one settles in. */
static enum tls_state
tls_fsm_outcome(const struct tls_flow *tf)
{
	enum tls_state st;
	int sd = tls_server_dir(tf);

	switch (tf->state) {
	case TLS_ST_IDLE:
		return TLS_ST_END_NOT_TLS;
	case TLS_ST_CHAIN:
		return TLS_ST_DONE;
	case TLS_ST_HELLO_RETRY:
		return TLS_ST_END_TLS13;
	case TLS_ST_MALFORMED:
		return TLS_ST_END_MALFORMED;
	case TLS_ST_DEPTH:
		return TLS_ST_END_DEPTH;
	case TLS_ST_MEMCAP:
		return TLS_ST_END_MEMCAP;
	default:
		break;
	}
	if ((st = tls_fsm_stream_outcome(tf)) != TLS_ST_IDLE)
		return st;
	/* RFC 5246 7.4.2: no Certificate for anonymous/PSK/SRP suites
	 * (after gap and depth: a lost Certificate is not an absent one) */
	if (tf->shd && tf->s.server_hello)
		return TLS_ST_END_NO_CERT;
	if (!tf->s.client_hello && !tf->s.server_hello)
		return TLS_ST_END_MIDSTREAM;
	/* the server sent nothing, or nothing that could start a record */
	if (sd >= 0 && !tf->d[sd].records && (!tf->d[sd].bytes_seen ||
	    tf->d[sd].mode == TLS_MODE_GAVE_UP))
		return TLS_ST_END_NO_SERVER_DATA;
	return TLS_ST_END_TRUNCATED;
}

/*
 * The first ChangeCipherSpec of dir.  From the server, after a ServerHello
 * and before any Certificate or ServerHelloDone, it means an abbreviated
 * handshake (RFC 5246 7.3: ServerHello, [NewSessionTicket], CCS).
 */
static void
tls_fsm_ccs(struct tls_flow *tf, int dir)
{
	if (!tf->s.server_hello || tf->s.server.seen || tf->shd ||
	    dir != tls_server_dir(tf))
		return;
	tf->s.resumed = 1;
	tls_change_state(tf, tf->state == TLS_ST_HELLO_RETRY ?
	    TLS_ST_END_TLS13 : TLS_ST_END_RESUMED, TLS_EV_CCS);
}

/* Events that end the handshake before the chain, whatever the state. */
static void
tls_fsm_abort(struct tls_flow *tf, enum tls_event ev)
{
	enum tls_state st = TLS_ST_END_ALERT;

	if (ev == TLS_EV_RESUMED) {
		tf->s.resumed = 1;
		st = TLS_ST_END_RESUMED;
	}
	if (tf->state == TLS_ST_CHAIN)
		st = ev == TLS_EV_ALERT ? TLS_ST_CHAIN : TLS_ST_DONE;
	else if (tf->state == TLS_ST_HELLO_RETRY)
		st = TLS_ST_END_TLS13;	/* HRR: TLS 1.3, whatever comes */
	tls_change_state(tf, st, ev);
}

/* A failure of one direction; the other may still say more. */
static void
tls_fsm_failure(struct tls_flow *tf, enum tls_event ev)
{
	enum tls_state st;

	switch (tf->state) {
	case TLS_ST_CHAIN:
	case TLS_ST_HELLO_RETRY:
	case TLS_ST_MALFORMED:
		return;		/* the chain, or TLS 1.3, is said anyway */
	case TLS_ST_DEPTH:
	case TLS_ST_MEMCAP:
		if (ev != TLS_EV_MALFORMED)
			return;	/* the first refusal stays */
		break;
	default:
		break;
	}
	st = ev == TLS_EV_MALFORMED ? TLS_ST_MALFORMED :
	    ev == TLS_EV_DEPTH ? TLS_ST_DEPTH : TLS_ST_MEMCAP;
	tls_change_state(tf, st, ev);
}

/* Hello and flight messages: the phase of the handshake. */
static void
tls_fsm_phase(struct tls_flow *tf, enum tls_event ev)
{
	enum tls_state st = tf->state;

	switch (ev) {
	case TLS_EV_CLIENT_HELLO:
		if (st == TLS_ST_RECORDS)
			tls_change_state(tf, TLS_ST_CLIENT_HELLO, ev);
		break;
	case TLS_EV_SERVER_HELLO:
		if (st == TLS_ST_RECORDS || st == TLS_ST_CLIENT_HELLO)
			tls_change_state(tf, TLS_ST_SERVER_HELLO, ev);
		break;
	case TLS_EV_SERVER_DONE:
		if (st == TLS_ST_RECORDS || st == TLS_ST_CLIENT_HELLO ||
		    st == TLS_ST_SERVER_HELLO)
			tls_change_state(tf, TLS_ST_SERVER_DONE, ev);
		break;
	case TLS_EV_HELLO_RETRY:
		if (st != TLS_ST_CHAIN)
			tls_change_state(tf, TLS_ST_HELLO_RETRY, ev);
		break;
	case TLS_EV_ENCRYPTED:
		tls_change_state(tf, st == TLS_ST_CHAIN ? TLS_ST_DONE :
		    TLS_ST_END_TLS13, ev);
		break;
	case TLS_EV_CERTIFICATE:
		tls_change_state(tf, TLS_ST_CHAIN, ev);
		break;
	default:
		break;
	}
}

/* One event in a state that is neither idle nor final. */
static void
tls_fsm_active(struct tls_flow *tf, enum tls_event ev, int dir)
{
	switch (ev) {
	case TLS_EV_CCS:
		tls_fsm_ccs(tf, dir);
		break;
	case TLS_EV_ALERT:
	case TLS_EV_RESUMED:
		tls_fsm_abort(tf, ev);
		break;
	case TLS_EV_MALFORMED:
	case TLS_EV_DEPTH:
	case TLS_EV_MEMCAP:
		tls_fsm_failure(tf, ev);
		break;
	case TLS_EV_FLOW_END:
		tls_change_state(tf, tls_fsm_outcome(tf), ev);
		break;
	default:
		tls_fsm_phase(tf, ev);
		break;
	}
}

void
tls_fsm(struct tls_flow *tf, enum tls_event ev, int dir)
{
	switch (tf->state) {
	case TLS_ST_IDLE:
		/* not TLS (yet): only recognising it, or giving up, counts */
		if (ev == TLS_EV_RECORD)
			tls_change_state(tf, TLS_ST_RECORDS, ev);
		else if (ev == TLS_EV_FLOW_END)
			tls_change_state(tf, TLS_ST_END_NOT_TLS, ev);
		break;
	default:
		if (tls_fsm_final(tf))
			return;		/* reported as it is */
		tls_fsm_active(tf, ev, dir);
		break;
	}
	if (tf->state != TLS_ST_IDLE && !tls_fsm_final(tf) &&
	    tls_fsm_complete(tf))
		tls_change_state(tf, tls_fsm_outcome(tf), ev);
}

int
tls_done(const struct tls_flow *tf)
{
	return tls_fsm_final(tf) && tf->state != TLS_ST_END_NOT_TLS;
}

const char *
tls_missing_name(enum tls_missing m)
{
	static const char *const names[TLS_MISSING_MAX] = {
		[TLS_MISSING_NONE] = "",
		[TLS_MISSING_TLS13] = "tls13",
		[TLS_MISSING_NO_SERVER_DATA] = "no_server_data",
		[TLS_MISSING_GAP] = "gap",
		[TLS_MISSING_DEPTH] = "depth",
		[TLS_MISSING_TRUNCATED] = "truncated",
		[TLS_MISSING_MIDSTREAM] = "midstream_after_handshake",
		[TLS_MISSING_MALFORMED] = "malformed",
		[TLS_MISSING_NOT_TLS] = "not_tls",
		[TLS_MISSING_RESUMED] = "resumed",
		[TLS_MISSING_ALERT] = "alert",
		[TLS_MISSING_NO_CERT] = "no_certificate",
		[TLS_MISSING_MEMCAP] = "memcap",
	};

	if ((unsigned)m >= TLS_MISSING_MAX)
		return "unknown";
	return names[m];
}
