/*
 * output_ecs.c - the same events with Elastic Common Schema 9.4.0 names.
 *
 * Every event: @timestamp, ecs.version, event.{kind, category, type,
 * dataset, module}, observer.{vendor, product, type}.  Events of a flow
 * add source.* (the client), destination.* (the server), network.* and
 * rootwatch.flow_id (ECS has no flow identifier; EVE's flow_id, the same
 * value).  What ECS has no name for is under the custom field set
 * "rootwatch", laid out as in the EVE events.  rootwatch(8) FORMATS has
 * the table.
 */
#include "output_int.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cert_json.h"
#include "../parsers/tls.h"
#include "../parsers/x509.h"
#include "../rules/rules.h"
#include "signals.h"

#define ECS_VERSION	"9.4.0"

/* What event.* says of one kind of event. */
struct ecs_kind {
	const char	*kind;		/* event.kind */
	const char	*cat[3];	/* event.category, NULL-terminated */
	const char	*type[3];	/* event.type */
	const char	*dataset;	/* event.dataset */
};

static const struct ecs_kind ecs_tls_kind = { "event", { "network" },
	{ "connection", "protocol" }, "rootwatch.tls" };
static const struct ecs_kind ecs_alert_kind = { "alert",
	{ "network", "intrusion_detection" }, { "info", "indicator" },
	"rootwatch.alert" };
static const struct ecs_kind ecs_flow_kind = { "event", { "network" },
	{ "connection", "end" }, "rootwatch.flow" };
static const struct ecs_kind ecs_metric_kind = { "metric", { NULL },
	{ NULL }, NULL };

static void
ecs_list(struct jbuf *j, const char *key, const char *const *v)
{
	int i;

	if (v[0] == NULL)
		return;
	jb_arr_open(j, key);
	for (i = 0; i < 3 && v[i] != NULL; i++)
		jb_str(j, NULL, v[i]);
	jb_arr_close(j);
}

/* @timestamp, ecs, event (left open for the caller), observer first. */
static void
ecs_open(struct jbuf *j, uint64_t ts_us, const struct ecs_kind *k,
    const char *dataset)
{
	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_time_z(j, "@timestamp", ts_us);
	jb_obj_open(j, "ecs");
	jb_str(j, "version", ECS_VERSION);
	jb_obj_close(j);
	jb_obj_open(j, "observer");
	jb_str(j, "vendor", "rootwatch");
	jb_str(j, "product", "rootwatch");
	jb_str(j, "type", "sensor");
	jb_obj_close(j);
	jb_obj_open(j, "event");
	jb_str(j, "kind", k->kind);
	ecs_list(j, "category", k->cat);
	ecs_list(j, "type", k->type);
	jb_str(j, "dataset", dataset != NULL ? dataset : k->dataset);
	jb_str(j, "module", "rootwatch");
}

/* source.* or destination.*: address (hidden: privacy), counts
 * (flow events: every packet, bypassed or not). */
static void
ecs_endpoint(struct jbuf *j, const char *key, const struct flow *f, int dir,
    int hide, const uint8_t *pseudo, int counts)
{
	if (hide && pseudo == NULL && !counts)
		return;
	jb_obj_open(j, key);
	if (!hide) {
		jb_ip(j, "ip", f->key.family, dir == 0 ? f->key.a : f->key.b);
		jb_u64(j, "port", dir == 0 ? f->key.aport : f->key.bport);
	} else if (pseudo != NULL)
		jb_ip(j, "ip", f->key.family, pseudo);
	if (counts) {
		jb_u64(j, "packets", f->pkts[dir]);
		jb_u64(j, "bytes", f->bytes[dir]);
	}
	jb_obj_close(j);
}

/* network.*: the outer VLAN id in network.vlan, the next in .inner. */
static void
ecs_network(struct jbuf *j, const struct flow *f, const char *protocol,
    int counts)
{
	char id[8];

	jb_obj_open(j, "network");
	jb_str(j, "transport", f->key.proto == IPPROTO_TCP ? "tcp" : "udp");
	snprintf(id, sizeof(id), "%u", f->key.proto);
	jb_str(j, "iana_number", id);
	jb_str(j, "type", f->key.family == 6 ? "ipv6" : "ipv4");
	if (protocol != NULL)
		jb_str(j, "protocol", protocol);
	if (counts) {
		jb_u64(j, "packets", f->pkts[0] + f->pkts[1]);
		jb_u64(j, "bytes", f->bytes[0] + f->bytes[1]);
	}
	if (f->key.vlan[0] != 0) {
		snprintf(id, sizeof(id), "%u", f->key.vlan[0] & 0x0fff);
		jb_obj_open(j, "vlan");
		jb_str(j, "id", id);
		jb_obj_close(j);
	}
	if (LIM_VLAN_IDS > 1 && f->key.vlan[1] != 0) {
		snprintf(id, sizeof(id), "%u", f->key.vlan[1] & 0x0fff);
		jb_obj_open(j, "inner");
		jb_obj_open(j, "vlan");
		jb_str(j, "id", id);
		jb_obj_close(j);
		jb_obj_close(j);
	}
	jb_obj_close(j);
}

/* After event.* (closed here): source, destination, network. */
static void
ecs_flow_head(struct output *o, struct jbuf *j, const struct flow *f,
    const char *protocol, int counts)
{
	int c = f->client_dir;
	uint8_t client[16];
	int shown = output_client_ip(o, f, client);

	jb_obj_close(j);	/* event */
	ecs_endpoint(j, "source", f, c, o->opts.privacy,
	    o->opts.privacy && shown ? client : NULL, counts);
	ecs_endpoint(j, "destination", f, !c, 0, NULL, counts);
	ecs_network(j, f, protocol, counts);
}

/* rootwatch.{flow_id, app_proto, app_orig, app_name}, left open. */
static void
ecs_rw_open(struct output *o, struct jbuf *j, const struct flow *f,
    const char *label, const char *app_name)
{
	const char *orig = NULL;

	jb_obj_open(j, "rootwatch");
	jb_u64(j, "flow_id", output_flow_id(o, f));
	if (label != NULL)
		jb_str(j, "app_proto", output_app_proto(label, &orig));
	if (orig != NULL)
		jb_str(j, "app_proto_orig", orig);
	if (app_name != NULL)
		jb_str(j, "app_name", app_name);
}

/* "TLS 1.2" -> tls / "1.2"; "SSLv3" -> ssl / "3.0"; "TLSv1" -> "1.0". */
static void
ecs_version(struct jbuf *j, uint16_t v)
{
	const char *n = tls_version_name(v);

	if (strncmp(n, "TLS ", 4) == 0 || strncmp(n, "DTLS ", 5) == 0) {
		jb_str(j, "version", strchr(n, ' ') + 1);
		jb_str(j, "version_protocol", n[0] == 'D' ? "dtls" : "tls");
	} else if (strcmp(n, "TLSv1") == 0) {
		jb_str(j, "version", "1.0");
		jb_str(j, "version_protocol", "tls");
	} else if (strncmp(n, "SSLv", 4) == 0) {
		jb_str(j, "version", n[4] == '3' ? "3.0" : "2.0");
		jb_str(j, "version_protocol", "ssl");
	}
}

static void
ecs_certs(struct output *o, struct jbuf *j, const struct tls_report *r,
    struct x509_cert **chain, size_t n)
{
	const char *obj;
	size_t i, len;

	if (n == 0)
		return;
	if ((obj = cert_json_part(r->xc, chain[0], CERT_ECS, &len)) == NULL)
		j->oom = 1;
	else if (len > 2)
		jb_raw(j, NULL, obj + 1, len - 2);
	if (!o->opts.pem)
		return;
	output_b64(j, "certificate", chain[0]);
	jb_arr_open(j, "certificate_chain");
	for (i = 0; i < n; i++)
		output_b64(j, NULL, chain[i]);
	jb_arr_close(j);
}

/* ECS "tls": version, cipher, client.* and server.* with the leaves. */
void
ecs_tls_render(struct output *o, const struct tls_report *r, struct jbuf *j)
{
	const struct tls_session *s = r->s;
	const char *cn;

	jb_reset(j);
	jb_obj_open(j, NULL);
	ecs_version(j, s->version);
	if (s->cipher_set && (cn = tls_cipher_name(s->cipher)) != NULL)
		jb_str(j, "cipher", cn);
	jb_bool(j, "resumed", s->resumed != 0);
	if (s->alpn[0] != '\0')
		jb_str(j, "next_protocol", s->alpn);
	jb_obj_open(j, "client");
	if (s->sni[0] != '\0')
		jb_str(j, "server_name", s->sni);
	if (s->ja3 != NULL && s->ja3_md5[0] != '\0')
		jb_str(j, "ja3", s->ja3_md5);
	ecs_certs(o, j, r, r->cchain, r->ncchain);
	jb_obj_close(j);
	jb_obj_open(j, "server");
	if (s->ja3s != NULL && s->ja3s_md5[0] != '\0')
		jb_str(j, "ja3s", s->ja3s_md5);
	ecs_certs(o, j, r, r->chain, r->nchain);
	jb_obj_close(j);
	jb_obj_close(j);
}

/* rootwatch.ja4 (ECS has no JA4 field) and rootwatch.tls. */
static void
ecs_rw_tls(struct output *o, struct jbuf *j, const struct tls_report *r)
{
	if (r->s->ja4[0] != '\0')
		jb_str(j, "ja4", r->s->ja4);
	jb_raw(j, "tls", o->rwtls.buf, o->rwtls.len);
	output_rw_probe(j, r);
}

static void
ecs_emit(struct output *o, int kind)
{
	if (o->jb.oom) {
		o->st.oom++;
		return;
	}
	output_emit(o, OUTPUT_ECS, kind, o->jb.buf, o->jb.len);
}

void
ecs_tls(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r)
{
	struct jbuf *j = &o->jb;

	ecs_open(j, ts_us, &ecs_tls_kind, NULL);
	ecs_flow_head(o, j, f, "tls", 0);
	jb_raw(j, "tls", o->tlsobj[OUTPUT_ECS].buf, o->tlsobj[OUTPUT_ECS].len);
	ecs_rw_open(o, j, f, r->app_proto, r->app_name);
	ecs_rw_tls(o, j, r);
	jb_obj_close(j);
	jb_obj_close(j);
	ecs_emit(o, OUTPUT_EV_TLS);
}

static void
ecs_rule(struct jbuf *j, const struct rule_hit *h)
{
	size_t i, n = rule_nreferences(h->rule);
	char sid[16];

	jb_obj_open(j, "rule");
	jb_str(j, "id", rule_id(h->rule));
	jb_str(j, "name", rule_name(h->rule));
	jb_str(j, "category", rule_category(h->rule));
	if (rule_description(h->rule) != NULL)
		jb_str(j, "description", rule_description(h->rule));
	jb_str(j, "ruleset", "rootwatch");
	snprintf(sid, sizeof(sid), "%u", rule_signature_id(h->rule));
	jb_str(j, "uuid", sid);
	if (n > 0) {
		jb_arr_open(j, "reference");
		for (i = 0; i < n; i++)
			jb_str(j, NULL, rule_reference(h->rule, i));
		jb_arr_close(j);
	}
	jb_obj_close(j);
}

void
ecs_alert(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r, const struct rule_hit *h)
{
	struct jbuf *j = &o->jb;

	ecs_open(j, ts_us, &ecs_alert_kind, NULL);
	jb_u64(j, "severity", (uint64_t)output_severity(h));
	jb_str(j, "action", "allowed");
	ecs_flow_head(o, j, f, "tls", 0);
	ecs_rule(j, h);
	jb_raw(j, "tls", o->tlsobj[OUTPUT_ECS].buf, o->tlsobj[OUTPUT_ECS].len);
	ecs_rw_open(o, j, f, r->app_proto, r->app_name);
	jb_u64(j, "signature_id", rule_signature_id(h->rule));
	output_rw_hit(j, h);
	ecs_rw_tls(o, j, r);
	jb_obj_close(j);
	jb_obj_close(j);
	ecs_emit(o, OUTPUT_EV_ALERT);
}

void
ecs_signal(struct output *o, const struct flow *f, uint64_t ts_us,
    const struct tls_report *r, const struct signal *sg)
{
	struct jbuf *j = &o->jb;
	char sid[16];

	ecs_open(j, ts_us, &ecs_alert_kind, NULL);
	jb_u64(j, "severity", sg->opt->severity);
	jb_str(j, "action", "allowed");
	ecs_flow_head(o, j, f, "tls", 0);
	jb_obj_open(j, "rule");
	jb_str(j, "id", signal_kind_name(sg->kind));
	jb_str(j, "name", sg->signature);
	jb_str(j, "category", sg->category);
	jb_str(j, "ruleset", "rootwatch-signals");
	snprintf(sid, sizeof(sid), "%u", sg->opt->sid);
	jb_str(j, "uuid", sid);
	jb_obj_close(j);
	jb_raw(j, "tls", o->tlsobj[OUTPUT_ECS].buf, o->tlsobj[OUTPUT_ECS].len);
	ecs_rw_open(o, j, f, r->app_proto, r->app_name);
	jb_u64(j, "signature_id", sg->opt->sid);
	jb_obj_open(j, "signal");
	signal_render(j, sg);
	jb_obj_close(j);
	ecs_rw_tls(o, j, r);
	jb_obj_close(j);
	jb_obj_close(j);
	ecs_emit(o, OUTPUT_EV_ALERT);
}

void
ecs_flow(struct output *o, const struct flow *f, int reason,
    const char *incomplete, const char *app_label, const char *app_name)
{
	struct jbuf *j = &o->jb;
	const char *orig;

	ecs_open(j, f->last_us, &ecs_flow_kind, NULL);
	jb_time_z(j, "start", f->first_us);
	jb_time_z(j, "end", f->last_us);
	jb_u64(j, "duration", (f->last_us - f->first_us) * 1000);
	ecs_flow_head(o, j, f, app_label != NULL ?
	    output_app_proto(app_label, &orig) : NULL, 1);
	ecs_rw_open(o, j, f, app_label, app_name);
	jb_str(j, "state", output_flow_state(f));
	jb_str(j, "reason", output_flow_reason(reason));
	jb_bool(j, "alerted", (f->flags & FLOW_ALERTED) != 0);
	output_rw_flow(j, f, reason, incomplete);
	jb_obj_close(j);
	jb_obj_close(j);
	ecs_emit(o, OUTPUT_EV_FLOW);
}

void
ecs_flow_event(struct output *o, const struct flow *f, uint64_t ts_us,
    int severity, const char *dataset, const char *protocol)
{
	ecs_open(&o->jb, ts_us, severity > 0 ? &ecs_alert_kind : &ecs_tls_kind,
	    dataset);
	if (severity > 0) {
		jb_u64(&o->jb, "severity", (uint64_t)severity);
		jb_str(&o->jb, "action", "allowed");
	}
	ecs_flow_head(o, &o->jb, f, protocol, 0);
}

void
ecs_rw_begin(struct output *o, const struct flow *f, const char *label,
    const char *app_name)
{
	ecs_rw_open(o, &o->jb, f, label, app_name);
}

void
ecs_body_event(struct output *o, const char *name, int event_kind)
{
	struct jbuf *j = &o->jb;
	char ds[48];

	snprintf(ds, sizeof(ds), "rootwatch.%s", name);
	ecs_open(j, o->ev_ts_us, &ecs_metric_kind, ds);
	jb_obj_close(j);	/* event */
	jb_obj_open(j, "rootwatch");
	jb_raw(j, name, o->body.buf, o->body.len);
	jb_obj_close(j);
	jb_obj_close(j);
	if (o->body.oom)
		j->oom = 1;
	ecs_emit(o, event_kind);
}
