/*
 * output_quic.c - the quic event and the QUIC-blocked alert, in EVE and
 * ECS (rootwatch(8) FORMATS, SIGNALS).
 *
 * EVE's quic object is Suricata's (its schema): version as Suricata
 * writes it ("1", "ff00001d", "Q050"), sni, ua, cyu, ja3, ja4 and the
 * ClientHello's extensions (values for server_name and alpn).  What it
 * has no name for (the client's versions in order, the ALPN list, the
 * packet counts, anomalies) is rootwatch.quic, the same in both formats.
 */
#include "output_int.h"

#include <stdio.h>
#include <string.h>

#include "quic_watch.h"
#include "../parsers/quic.h"

#define QUIC_SIGNAL_CATEGORY	"QUIC blocked, TCP fallback"
#define QUIC_SIGNAL_NAME	"rootwatch QUIC to a name got no server " \
	"packet, TCP TLS to the same name followed"
#define QUIC_SIGNAL_SEVERITY	2

static void
emit_line(struct output *o, enum output_format fmt, int kind)
{
	if (o->jb.oom) {
		o->st.oom++;
		return;
	}
	output_emit(o, fmt, kind, o->jb.buf, o->jb.len);
}

/* "h3,h3-29" as an array under key. */
static void
quic_alpn_array(struct jbuf *j, const char *key, const char *list)
{
	const char *p = list, *e;

	jb_arr_open(j, key);
	while (*p != '\0') {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		jb_strn(j, NULL, p, (size_t)(e - p));
		p = *e == ',' ? e + 1 : e;
	}
	jb_arr_close(j);
}

/* Suricata's quic.extensions: name, type, values (SNI, ALPN). */
static void
quic_exts(struct jbuf *j, const struct quic_flow *q)
{
	const char *n;
	uint16_t i;

	if (q->n_exts == 0)
		return;
	jb_arr_open(j, "extensions");
	for (i = 0; i < q->n_exts; i++) {
		jb_obj_open(j, NULL);
		if ((n = quic_ext_name(q->exts[i])) != NULL)
			jb_str(j, "name", n);
		jb_u64(j, "type", q->exts[i]);
		if (q->exts[i] == 0 && q->sni[0] != '\0') {
			jb_arr_open(j, "values");
			jb_str(j, NULL, q->sni);
			jb_arr_close(j);
		} else if (q->exts[i] == 16 && q->alpn[0] != '\0')
			quic_alpn_array(j, "values", q->alpn);
		jb_obj_close(j);
	}
	jb_arr_close(j);
}

static void
eve_quic_obj(struct jbuf *j, const struct quic_flow *q)
{
	char v[16];

	jb_obj_open(j, "quic");
	if (q->n_versions > 0) {
		quic_version_eve(q->versions[q->n_versions - 1], v, sizeof(v));
		jb_str(j, "version", v);
	}
	if (q->sni[0] != '\0')
		jb_str(j, "sni", q->sni);
	if (q->ua[0] != '\0')
		jb_str(j, "ua", q->ua);
	if (q->cyu != NULL) {
		jb_arr_open(j, "cyu");
		jb_obj_open(j, NULL);
		jb_str(j, "hash", q->cyu_md5);
		jb_str(j, "string", q->cyu);
		jb_obj_close(j);
		jb_arr_close(j);
	}
	if (q->ja3 != NULL && q->ja3_md5[0] != '\0') {
		jb_obj_open(j, "ja3");
		jb_str(j, "hash", q->ja3_md5);
		jb_str(j, "string", q->ja3);
		jb_obj_close(j);
	}
	if (q->ja4[0] != '\0')
		jb_str(j, "ja4", q->ja4);
	quic_exts(j, q);
	jb_obj_close(j);
}

/* rootwatch.quic: the same in both formats. */
static void
rw_quic_obj(struct jbuf *j, const struct quic_flow *q)
{
	char name[48];
	int a;
	uint8_t i;

	jb_obj_open(j, "quic");
	jb_arr_open(j, "versions");
	for (i = 0; i < q->n_versions; i++) {
		quic_version_name(q->versions[i], name, sizeof(name));
		jb_str(j, NULL, name);
	}
	jb_arr_close(j);
	if (q->alpn[0] != '\0')
		quic_alpn_array(j, "alpn", q->alpn);
	jb_bool(j, "google_quic", q->gquic);
	jb_bool(j, "client_hello", q->hello_done && !(q->anomalies &
	    ((1u << QUIC_ANOM_BAD_HELLO) | (1u << QUIC_ANOM_BAD_CHLO))));
	jb_u64(j, "initials", q->initials);
	jb_u64(j, "decrypted", q->decrypted);
	jb_u64(j, "decrypt_failed", q->failed);
	jb_bool(j, "server_replied", q->server_seen);
	if (q->anomalies != 0) {
		jb_arr_open(j, "anomalies");
		for (a = 0; a < QUIC_ANOM_MAX; a++)
			if (q->anomalies & (1u << a))
				jb_str(j, NULL, quic_anomaly_name(a));
		jb_arr_close(j);
	}
	jb_obj_close(j);
}

static void
eve_quic(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct quic_flow *q, const char *app_name)
{
	struct jbuf *j = &o->jb;

	output_eve_head(o, f, ts_us, "quic");
	jb_str(j, "app_proto", "quic");
	eve_quic_obj(j, q);
	jb_obj_open(j, "rootwatch");
	if (app_name != NULL)
		jb_str(j, "app_name", app_name);
	rw_quic_obj(j, q);
	jb_obj_close(j);
	jb_obj_close(j);
	emit_line(o, OUTPUT_EVE, OUTPUT_EV_QUIC);
}

/* ECS: tls.client.{server_name, ja3}; rootwatch.{quic_version, quic_ua,
 * ja4, quic}. */
static void
ecs_quic(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct quic_flow *q, const char *app_name)
{
	struct jbuf *j = &o->jb;
	char v[16];

	ecs_flow_event(o, f, ts_us, 0, "rootwatch.quic", "quic");
	if (q->sni[0] != '\0' || q->ja3 != NULL) {
		jb_obj_open(j, "tls");
		jb_obj_open(j, "client");
		if (q->sni[0] != '\0')
			jb_str(j, "server_name", q->sni);
		if (q->ja3 != NULL && q->ja3_md5[0] != '\0')
			jb_str(j, "ja3", q->ja3_md5);
		jb_obj_close(j);
		jb_obj_close(j);
	}
	ecs_rw_begin(o, f, "quic", app_name);
	if (q->ua[0] != '\0')		/* ECS's user_agent is HTTP's */
		jb_str(j, "quic_ua", q->ua);
	if (q->n_versions > 0) {
		quic_version_eve(q->versions[q->n_versions - 1], v, sizeof(v));
		jb_str(j, "quic_version", v);
	}
	if (q->ja4[0] != '\0')
		jb_str(j, "ja4", q->ja4);
	rw_quic_obj(j, q);
	jb_obj_close(j);
	jb_obj_close(j);
	emit_line(o, OUTPUT_ECS, OUTPUT_EV_QUIC);
}

void
output_quic(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct quic_flow *q, const char *app_name)
{
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE))
		eve_quic(o, f, ts_us, q, app_name);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS))
		ecs_quic(o, f, ts_us, q, app_name);
}

/*
 * rootwatch.signal: what the alert compared.  The QUIC side (first and
 * last Initial, counts, the server it went to) against the TCP side
 * (first and last fallback session), and the settings that judged.
 */
static void
rw_signal(struct jbuf *j, const struct quic_blocked_report *r, int ecs)
{
	const struct qw_entry *e = r->e;
	char v[48];
	void (*t)(struct jbuf *, const char *, uint64_t) = ecs ? jb_time_z :
	    jb_time;

	jb_obj_open(j, "signal");
	jb_str(j, "name", "quic_blocked");
	jb_str(j, "sni", e->sni);
	jb_obj_open(j, "quic");
	t(j, "first_seen", e->quic_first_us);
	t(j, "last_seen", e->quic_last_us);
	jb_u64(j, "flows", e->quic_flows);
	jb_u64(j, "initials", e->initials);
	jb_u64(j, "server_replies", e->replies);
	quic_version_name(e->version, v, sizeof(v));
	jb_str(j, "version", v);
	jb_ip(j, "server_ip", e->family, e->server);
	jb_u64(j, "server_port", e->server_port);
	jb_obj_close(j);
	jb_obj_open(j, "tcp");
	t(j, "first_seen", e->tcp_first_us);
	t(j, "last_seen", e->tcp_last_us);
	jb_u64(j, "sessions", e->tcp_sessions);
	jb_obj_close(j);
	jb_u64(j, "reply_timeout", r->lim->quic_reply_timeout_us / 1000000);
	jb_u64(j, "window", r->lim->quic_fallback_us / 1000000);
	jb_obj_close(j);
}

static void
eve_quic_blocked(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct quic_blocked_report *r)
{
	struct jbuf *j = &o->jb;

	output_eve_head(o, f, ts_us, "alert");
	jb_str(j, "app_proto", "tls");
	jb_obj_open(j, "alert");
	jb_str(j, "action", "allowed");
	jb_u64(j, "gid", 1);
	jb_u64(j, "signature_id", r->lim->quic_blocked_sid);
	jb_u64(j, "rev", 0);
	jb_str(j, "signature", QUIC_SIGNAL_NAME);
	jb_str(j, "category", QUIC_SIGNAL_CATEGORY);
	jb_u64(j, "severity", QUIC_SIGNAL_SEVERITY);
	jb_obj_close(j);
	jb_obj_open(j, "tls");
	jb_str(j, "sni", r->e->sni);
	jb_obj_close(j);
	jb_obj_open(j, "rootwatch");
	rw_signal(j, r, 0);
	jb_obj_close(j);
	jb_obj_close(j);
	emit_line(o, OUTPUT_EVE, OUTPUT_EV_ALERT);
}

static void
ecs_quic_blocked(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct quic_blocked_report *r)
{
	struct jbuf *j = &o->jb;
	char sid[16];

	ecs_flow_event(o, f, ts_us, QUIC_SIGNAL_SEVERITY, "rootwatch.alert",
	    "tls");
	snprintf(sid, sizeof(sid), "%u", r->lim->quic_blocked_sid);
	jb_obj_open(j, "rule");
	jb_str(j, "id", "quic_blocked");
	jb_str(j, "name", QUIC_SIGNAL_NAME);
	jb_str(j, "category", QUIC_SIGNAL_CATEGORY);
	jb_str(j, "ruleset", "rootwatch");
	jb_str(j, "uuid", sid);
	jb_obj_close(j);
	jb_obj_open(j, "tls");
	jb_obj_open(j, "client");
	jb_str(j, "server_name", r->e->sni);
	jb_obj_close(j);
	jb_obj_close(j);
	ecs_rw_begin(o, f, "tls", NULL);
	jb_u64(j, "signature_id", r->lim->quic_blocked_sid);
	rw_signal(j, r, 1);
	jb_obj_close(j);
	jb_obj_close(j);
	emit_line(o, OUTPUT_ECS, OUTPUT_EV_ALERT);
}

void
output_quic_blocked(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct quic_blocked_report *r)
{
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_EVE))
		eve_quic_blocked(o, f, ts_us, r);
	if (o->formats & OUTPUT_FMT_BIT(OUTPUT_ECS))
		ecs_quic_blocked(o, f, ts_us, r);
}
