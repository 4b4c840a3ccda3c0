/*
 * output_int.h - what output.c (EVE) and output_ecs.c (ECS) share.
 */
#ifndef ROOTWATCH_OUTPUT_INT_H
#define ROOTWATCH_OUTPUT_INT_H

#include "output.h"

struct x509_cert;

/* The flow as Suricata states it: "new", "established", "closed",
 * "bypassed"; and why it ended: "timeout", "forced", "shutdown". */
const char *output_flow_state(const struct flow *);
const char *output_flow_reason(int reason);
/* rootwatch's own end reason: "timeout", "closed", "evicted", "shutdown" */
const char *output_flow_end_name(int reason);
/* TCP as seen: "reset", "closed", "open" */
const char *output_tcp_state(const struct flow *);
/* The application protocol label as EVE's app_proto ("tls", "dtls");
 * *orig gets the protocol TLS was started from (STARTTLS) or NULL. */
const char *output_app_proto(const char *label, const char **orig);
/* The certificate's DER in base64 under key (NULL: array element). */
void	output_b64(struct jbuf *, const char *key, const struct x509_cert *);
/* rootwatch.flow: what rootwatch knows of the flow beyond EVE/ECS. */
void	output_rw_flow(struct jbuf *, const struct flow *, int reason,
	    const char *incomplete);
/* rootwatch.alert and rootwatch.match of a hit. */
void	output_rw_hit(struct jbuf *, const struct rule_hit *);
/* Suricata's alert severity (1 high .. 3 low) of a rules level (1..5). */
int	output_severity(const struct rule_hit *);

void	ecs_tls_render(struct output *, const struct tls_report *,
	    struct jbuf *);
void	ecs_tls(struct output *, const struct flow *, uint64_t ts_us,
	    const struct tls_report *);
void	ecs_alert(struct output *, const struct flow *, uint64_t ts_us,
	    const struct tls_report *, const struct rule_hit *);
void	ecs_signal(struct output *, const struct flow *, uint64_t ts_us,
	    const struct tls_report *, const struct signal *);
void	ecs_flow(struct output *, const struct flow *, int reason,
	    const char *incomplete, const char *app_label,
	    const char *app_name);
/* EVE: an event of f opened in o->jb, the common fields written (the
 * quic and signal events of output_quic.c). */
void	output_eve_head(struct output *, const struct flow *, uint64_t ts_us,
	    const char *type);
/* ECS: an event of f opened in o->jb up to network.* (severity > 0: an
 * alert, event.severity and intrusion_detection), the caller adds its
 * fields. */
void	ecs_flow_event(struct output *, const struct flow *, uint64_t ts_us,
	    int severity, const char *dataset, const char *protocol);
/* ECS: rootwatch.{flow_id, app_proto, app_name}, left open. */
void	ecs_rw_begin(struct output *, const struct flow *, const char *label,
	    const char *app_name);
/* stats and summary: the body (o->body) under rootwatch.<name> */
void	ecs_body_event(struct output *, const char *name, int event_kind);

#endif
