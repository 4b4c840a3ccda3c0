/*
 * config.c - load the YAML configuration file (-c), rootwatch(8)
 * CONFIGURATION.
 *
 * The file is read with libyaml's document API, then walked: each
 * top-level section is a mapping whose keys come from a table (struct
 * key) that says how to parse the value and where to store it.  Every
 * error is reported as "file:line:column: message", 1-based, pointing at
 * the offending key or value; the walk goes on past an error, so one run
 * (rootwatch -T) lists every problem, one per line.  Nothing is applied
 * by halves: the values are parsed into a copy that replaces *cf only
 * when there was no error.  A syntax error stops libyaml itself: that one
 * is reported alone, with a hint for the usual slips (a tab, a '- ').
 *
 * File names in the file (rules, output.file: V_PATH keys) are relative
 * to the directory of the configuration file, not to the current one,
 * so a service started from / finds what the file names beside it.
 *
 *   flow:       { max, timeout, established-timeout, closed-timeout }
 *   reassembly: { depth, memcap, ooo-bytes, ooo-segments, hole-timeout }
 *   defrag:     { trains, memcap, timeout }
 *   tls:        { max-handshake, memcap }
 *   x509:       { cache, cache-bytes }
 *   ndpi:       { packets }
 *   quic:       { enabled, crypto-max, blocked, blocked-reply-timeout,
 *                 blocked-window, blocked-table, blocked-signature-id }
 *   output:     { file, pem, cert-dedup, stats-interval, summary }
 *   outputs:    [ { file|stdout|unix|syslog|redis: { options } }, ... ]
 *   rules:      [ path, ... ]
 *   capture:    { interface, bpf, snaplen, buffer-size, promisc,
 *                 interfaces: [ name | { name, bpf, snaplen,
 *                 buffer-size, promisc } ] }
 *   privacy:    bool, or { enabled, clients, key, aggregate-interval,
 *                 aggregate-sni }
 *   evidence:   { dir, window, max-bytes, flow-bytes, memcap }
 *   user:       name (rootwatch(8) SANDBOX)
 *   probe:      { enabled, i-understand-the-risks, targets, tiers,
 *                 control, period, jitter, max-per-hour, connect-timeout,
 *                 handshake-timeout, port, user, trust-store, tiers-file,
 *                 from-wire, from-wire-max, from-wire-sample }
 *                 (rootwatch(8) PROBE)
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "output.h"
#include "probe.h"
#include "xmalloc.h"

enum val_kind {
	V_COUNT,	/* plain integer, no suffix */
	V_SIZE,		/* integer with optional k/M/G (1024-based) */
	V_SECS,		/* seconds, stored as microseconds (uint64) */
	V_SECS_U,	/* seconds, stored as unsigned */
	V_BOOL,
	V_STR,
	V_PATH,		/* file name, relative to the config file's dir */
	V_CLIENTS,	/* privacy.clients: drop or pseudonym */
	V_DURATION,	/* seconds, or with s/m/h/d: stored as unsigned */
};

struct key {
	const char	*name;
	enum val_kind	 kind;
	size_t		 off;	/* offset in struct config */
	int		 width;	/* 32 or 64 for numbers */
	uint64_t	 min;
	uint64_t	 max;
};

struct walk {
	yaml_document_t	*doc;
	const char	*path;
	char		*err;		/* one error per line */
	size_t		 errlen;
	size_t		 nerr;
	struct config	*cf;
	char		*base;		/* set_value's target, NULL: cf */
};

#define CF(f)	offsetof(struct config, f)
#define LIM(f)	(offsetof(struct config, lim) + offsetof(struct limits, f))
#define KB	1024ull
#define MB	(1024ull * 1024)
#define GB	(1024ull * 1024 * 1024)
#define SECS_MAX	(7ull * 24 * 3600)	/* a week */

static const struct key flow_keys[] = {
	{ "max", V_COUNT, LIM(flow_max), 32, 1, 16 * MB },
	{ "timeout", V_SECS, LIM(flow_timeout_us), 64, 1, SECS_MAX },
	{ "established-timeout", V_SECS, LIM(flow_est_timeout_us), 64, 1,
	    SECS_MAX },
	{ "closed-timeout", V_SECS, LIM(flow_closed_timeout_us), 64, 1,
	    SECS_MAX },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key reasm_keys[] = {
	{ "depth", V_SIZE, LIM(reasm_depth), 32, 1, 16 * MB },
	{ "memcap", V_SIZE, LIM(reasm_memcap), 64, 64 * KB, 64 * GB },
	{ "ooo-bytes", V_SIZE, LIM(reasm_ooo_bytes), 32, 0, 64 * MB },
	{ "ooo-segments", V_COUNT, LIM(reasm_ooo_segs), 32, 0, 65536 },
	{ "hole-timeout", V_SECS, LIM(reasm_hole_timeout_us), 64, 1, 3600 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key defrag_keys[] = {
	{ "trains", V_COUNT, LIM(frag_trains), 32, 1, MB },
	{ "memcap", V_SIZE, LIM(frag_memcap), 64, 64 * KB, 64 * GB },
	{ "timeout", V_SECS, LIM(frag_timeout_us), 64, 1, 3600 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key tls_keys[] = {
	{ "max-handshake", V_SIZE, LIM(tls_hs_max), 32, 16 * KB, 16 * MB },
	{ "memcap", V_SIZE, LIM(tls_memcap), 64, 64 * KB, 64 * GB },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key x509_keys[] = {
	{ "cache", V_COUNT, LIM(x509_cache), 32, 0, 16 * MB },
	{ "cache-bytes", V_SIZE, LIM(x509_cache_bytes), 64, 64 * KB, 64 * GB },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key ndpi_keys[] = {
	{ "packets", V_COUNT, LIM(ndpi_packets), 32, 0, 255 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key quic_keys[] = {
	{ "enabled", V_BOOL, LIM(quic), 0, 0, 0 },
	{ "crypto-max", V_SIZE, LIM(quic_crypto_max), 32, 2 * KB, MB },
	{ "blocked", V_BOOL, LIM(quic_blocked), 0, 0, 0 },
	{ "blocked-reply-timeout", V_SECS, LIM(quic_reply_timeout_us), 64, 1,
	    600 },
	{ "blocked-window", V_SECS, LIM(quic_fallback_us), 64, 1, 3600 },
	{ "blocked-table", V_COUNT, LIM(quic_blocked_table), 32, 16, MB },
	{ "blocked-signature-id", V_COUNT, LIM(quic_blocked_sid), 32, 1,
	    UINT32_MAX },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key output_keys[] = {
	{ "file", V_PATH, CF(output), 0, 0, 0 },
	{ "pem", V_BOOL, CF(pem), 0, 0, 0 },
	{ "cert-dedup", V_BOOL, CF(cert_dedup), 0, 0, 0 },
	{ "stats-interval", V_SECS_U, CF(stats_interval), 32, 0, 86400 },
	{ "summary", V_BOOL, CF(summary), 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key capture_keys[] = {
	{ "interface", V_STR, CF(interface), 0, 0, 0 },
	{ "bpf", V_STR, CF(bpf), 0, 0, 0 },
	{ "snaplen", V_COUNT, CF(snaplen), 32, 64, 262144 },
	{ "buffer-size", V_SIZE, CF(buffer_size), 32, 64 * KB, 2 * GB },
	{ "promisc", V_BOOL, CF(promisc), 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key privacy_keys[] = {
	{ "enabled", V_BOOL, CF(privacy), 0, 0, 0 },
	{ "clients", V_CLIENTS, CF(privacy_clients), 0, 0, 0 },
	{ "key", V_PATH, CF(privacy_key), 0, 0, 0 },
	{ "aggregate-interval", V_SECS, CF(aggregate_us), 64, 60, 86400 },
	{ "aggregate-sni", V_BOOL, CF(aggregate_sni), 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key evidence_keys[] = {
	{ "dir", V_PATH, CF(evidence_dir), 0, 0, 0 },
	{ "window", V_SECS, CF(evidence_window_us), 64, 0, SECS_MAX },
	{ "max-bytes", V_SIZE, CF(evidence_max_bytes), 64, 16 * KB,
	    1024 * GB },
	{ "flow-bytes", V_SIZE, LIM(pktbuf_flow), 64, 4 * KB, 16 * MB },
	{ "memcap", V_SIZE, LIM(pktbuf_memcap), 64, 64 * KB, 4 * GB },
	{ NULL, 0, 0, 0, 0, 0 }
};

/* signals: each signal's switch, severity and signature id (rootwatch(8)
 * SIGNALS); a signal's keys are its name, name-severity, name-sid. */
#define SIG_KEYS(k, name) \
	{ name, V_BOOL, CF(sig.opt[k].enabled), 0, 0, 0 }, \
	{ name "-severity", V_COUNT, CF(sig.opt[k].severity), 32, 1, 3 }, \
	{ name "-sid", V_COUNT, CF(sig.opt[k].sid), 32, 1, UINT32_MAX }

static const struct key signals_keys[] = {
	{ "enabled", V_BOOL, CF(sig.enabled), 0, 0, 0 },
	{ "state-file", V_PATH, CF(sig.state_file), 0, 0, 0 },
	{ "data", V_PATH, CF(sig.data), 0, 0, 0 },
	{ "public-suffix-list", V_PATH, CF(sig.psl), 0, 0, 0 },
	{ "enterprise-roots", V_PATH, CF(sig.enterprise), 0, 0, 0 },
	{ "max-names", V_COUNT, CF(sig.max_names), 32, 1, 16 * MB },
	{ "stable-sessions", V_COUNT, CF(sig.stable_sessions), 32, 1, MB },
	{ "stable-span", V_SECS_U, CF(sig.stable_span), 32, 0, 365 * 86400 },
	{ "flight-slack", V_COUNT, CF(sig.flight_slack), 32, 0, 1000 },
	{ "pins-window", V_COUNT, CF(sig.pins_window), 32, 0, 100000 },
	{ "no-sct-since", V_COUNT, CF(sig.no_sct_since), 64, 0, UINT32_MAX },
	{ "save-interval", V_SECS_U, CF(sig.save_interval), 32, 0, 86400 },
	SIG_KEYS(SIG_DOWNGRADE, "downgrade"),
	SIG_KEYS(SIG_SENTINEL, "downgrade-sentinel"),
	SIG_KEYS(SIG_NEW_ISSUER, "new-issuer"),
	SIG_KEYS(SIG_PROFILE, "profile"),
	SIG_KEYS(SIG_PIN, "pin"),
	SIG_KEYS(SIG_UNKNOWN_ROOT, "unknown-root"),
	SIG_KEYS(SIG_KNOWN_INTERCEPTION, "known-interception"),
	SIG_KEYS(SIG_ENTERPRISE, "enterprise-middlebox"),
	SIG_KEYS(SIG_NO_SCT, "no-sct"),
	{ NULL, 0, 0, 0, 0, 0 }
};

/* probe: (rootwatch(8) PROBE); targets, tiers and control by
 * walk_probe.  The opt-in lives only here: no rule file reaches it. */
static const struct key probe_keys[] = {
	{ "enabled", V_BOOL, CF(probe.enabled), 0, 0, 0 },
	{ "i-understand-the-risks", V_BOOL, CF(probe.ack), 0, 0, 0 },
	{ "period", V_DURATION, CF(probe.period), 32, 1, 30 * 86400 },
	{ "jitter", V_DURATION, CF(probe.jitter), 32, 0, 86400 },
	{ "max-per-hour", V_COUNT, CF(probe.max_per_hour), 32, 1, 3600 },
	{ "connect-timeout", V_DURATION, CF(probe.connect_timeout), 32, 1,
	    120 },
	{ "handshake-timeout", V_DURATION, CF(probe.handshake_timeout), 32,
	    1, 120 },
	{ "port", V_COUNT, CF(probe.port), 32, 1, 65535 },
	{ "user", V_STR, CF(probe.user), 0, 0, 0 },
	{ "trust-store", V_PATH, CF(probe.trust_store), 0, 0, 0 },
	{ "tiers-file", V_PATH, CF(probe.tiers_file), 0, 0, 0 },
	{ "from-wire", V_BOOL, CF(probe.from_wire), 0, 0, 0 },
	{ "from-wire-max", V_COUNT, CF(probe.wire_max), 32, 1, LIM_PROBE_WIRE_NAMES },
	{ "from-wire-sample", V_COUNT, CF(probe.wire_sample), 32, 1,
	    1000000 },
	{ NULL, 0, 0, 0, 0, 0 }
};

#define CI(f)	offsetof(struct config_iface, f)
static const struct key iface_keys[] = {
	{ "name", V_STR, CI(name), 0, 0, 0 },
	{ "bpf", V_STR, CI(bpf), 0, 0, 0 },
	{ "snaplen", V_COUNT, CI(snaplen), 32, 64, 262144 },
	{ "buffer-size", V_SIZE, CI(buffer_size), 32, 64 * KB, 2 * GB },
	{ "promisc", V_BOOL, CI(promisc), 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct {
	const char		*name;
	const struct key	*keys;
} sections[] = {
	{ "evidence", evidence_keys },
	{ "flow", flow_keys },
	{ "reassembly", reasm_keys },
	{ "defrag", defrag_keys },
	{ "tls", tls_keys },
	{ "x509", x509_keys },
	{ "ndpi", ndpi_keys },
	{ "quic", quic_keys },
	{ "output", output_keys },
	{ "capture", capture_keys },
	{ "signals", signals_keys },
};

static int
cf_err(struct walk *w, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add "file:line:column: message" as a line of w->err; returns -1. */
static int
cf_err(struct walk *w, yaml_mark_t m, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;
	size_t	used;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	used = w->nerr == 0 ? 0 : strlen(w->err);
	if (w->errlen > 0 && used + 1 < w->errlen)
		snprintf(w->err + used, w->errlen - used, "%s%s:%zu:%zu: %s",
		    w->nerr > 0 ? "\n" : "", w->path, m.line + 1,
		    m.column + 1, msg);
	w->nerr++;
	return -1;
}

static const char *
node_str(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

void
config_default(struct config *cf)
{
	memset(cf, 0, sizeof(*cf));
	limits_default(&cf->lim);
	cf->stats_interval = 60;	/* live; -s 0: at the end only */
	cf->snaplen = 65535;
	cf->buffer_size = 32u << 20;
	cf->promisc = 1;
	cf->aggregate_us = 3600ull * 1000000;
	cf->evidence_window_us = 3600ull * 1000000;
	cf->evidence_max_bytes = 256ull * MB;
	signals_conf_default(&cf->sig);
	probe_conf_default(&cf->probe);
}

static void
ifaces_free(struct config *cf)
{
	size_t	i;

	for (i = 0; i < cf->nifaces; i++) {
		xfree(cf->ifaces[i].name);
		xfree(cf->ifaces[i].bpf);
	}
	cf->nifaces = 0;
}

static void
strs_free(struct config *cf)
{
	size_t	i;

	ifaces_free(cf);
	for (i = 0; i < cf->nrules; i++)
		xfree(cf->rules[i]);
	cf->nrules = 0;
	for (i = 0; i < cf->noutputs; i++)
		sink_conf_free(&cf->outputs[i]);
	cf->noutputs = 0;
	xfree(cf->output);
	xfree(cf->interface);
	xfree(cf->bpf);
	xfree(cf->user);
	xfree(cf->privacy_key);
	xfree(cf->evidence_dir);
	cf->output = cf->interface = cf->bpf = cf->user = NULL;
	cf->privacy_key = cf->evidence_dir = NULL;
	xfree(cf->sig.state_file);
	xfree(cf->sig.data);
	xfree(cf->sig.psl);
	xfree(cf->sig.enterprise);
	cf->sig.state_file = cf->sig.data = cf->sig.psl = NULL;
	cf->sig.enterprise = NULL;
	xfree(cf->probe.user);
	xfree(cf->probe.trust_store);
	xfree(cf->probe.tiers_file);
	cf->probe.user = cf->probe.trust_store = cf->probe.tiers_file = NULL;
}

void
config_free(struct config *cf)
{
	strs_free(cf);
}

/*
 * Parse an unsigned decimal with an optional suffix: k/K, m/M, g/G
 * (powers of 1024) when sizes are allowed.  Returns 0, -1 (not a
 * number), -2 (bad suffix), -3 (overflow).
 */
static int
parse_num(const char *s, int sizes, uint64_t *out)
{
	uint64_t	v = 0, mult = 1;
	size_t		i = 0;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -3;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (s[i] != '\0') {
		if (!sizes || s[i + 1] != '\0')
			return -2;
		switch (s[i]) {
		case 'k': case 'K': mult = KB; break;
		case 'm': case 'M': mult = MB; break;
		case 'g': case 'G': mult = GB; break;
		default: return -2;
		}
	}
	if (v > UINT64_MAX / mult)
		return -3;
	*out = v * mult;
	return 0;
}

/* Seconds, or a number with s, m, h or d ("6h"). */
static int
parse_duration(const char *s, uint64_t *out)
{
	static const char units[] = "smhd";
	static const uint64_t mult[] = { 1, 60, 3600, 86400 };
	char buf[32];
	size_t n = strlen(s);
	const char *u;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	if ((u = strchr(units, s[n - 1])) == NULL || s[n - 1] == '\0')
		return parse_num(s, 0, out);
	memcpy(buf, s, n - 1);
	buf[n - 1] = '\0';
	if (parse_num(buf, 0, out) != 0)
		return -1;
	if (*out > UINT64_MAX / mult[u - units])
		return -3;
	*out *= mult[u - units];
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "true", "yes", "on" };
	static const char *const f[] = { "false", "no", "off" };
	size_t	i;

	for (i = 0; i < 3; i++) {
		if (strcasecmp(s, t[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, f[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/*
 * name relative to the config file's directory: a copy of name when it is
 * absolute, "-" (stdout), or the config file has no directory part.
 */
static char *
cf_path(const char *cfpath, const char *name)
{
	const char	*slash = strrchr(cfpath, '/');
	size_t		 dlen, nlen = strlen(name);
	char		*p;

	if (name[0] == '/' || strcmp(name, "-") == 0 || name[0] == '\0' ||
	    slash == NULL)
		return xstrdup(name);
	dlen = (size_t)(slash - cfpath) + 1;
	if ((p = xmalloc(dlen + nlen + 1)) == NULL)
		return NULL;
	memcpy(p, cfpath, dlen);
	memcpy(p + dlen, name, nlen + 1);
	return p;
}

static int
set_str(struct walk *w, yaml_node_t *v, char **dst, int is_path)
{
	char	*s;

	s = is_path ? cf_path(w->path, node_str(v)) : xstrdup(node_str(v));
	if (s == NULL)
		return cf_err(w, v->start_mark, "out of memory");
	xfree(*dst);
	*dst = s;
	return 0;
}

static int
set_num(struct walk *w, const struct key *k, yaml_node_t *v, char *base)
{
	uint64_t	n;
	int		r;

	r = k->kind == V_DURATION ? parse_duration(node_str(v), &n) :
	    parse_num(node_str(v), k->kind == V_SIZE, &n);
	if (r == -1)
		return cf_err(w, v->start_mark, "%s: not a number: \"%s\"",
		    k->name, node_str(v));
	if (r == -2)
		return cf_err(w, v->start_mark, "%s: bad suffix in \"%s\"%s",
		    k->name, node_str(v), k->kind == V_SIZE ?
		    " (use k, M or G)" : k->kind == V_DURATION ?
		    " (use s, m, h or d)" : "");
	if (r == -3 || n < k->min || n > k->max)
		return cf_err(w, v->start_mark,
		    "%s: %s out of range [%llu, %llu]", k->name, node_str(v),
		    (unsigned long long)k->min, (unsigned long long)k->max);
	if (k->kind == V_SECS)
		n *= 1000000;
	if (k->width == 64) {
		uint64_t u64 = n;
		memcpy(base + k->off, &u64, sizeof(u64));
	} else {
		uint32_t u32 = (uint32_t)n;
		memcpy(base + k->off, &u32, sizeof(u32));
	}
	return 0;
}

static int
set_value(struct walk *w, const struct key *k, yaml_node_t *v)
{
	char	*base = w->base != NULL ? w->base : (char *)w->cf;
	int	 b;

	if (v->type != YAML_SCALAR_NODE)
		return cf_err(w, v->start_mark, "%s: expected a %s", k->name,
		    k->kind == V_BOOL ? "boolean" : k->kind == V_STR ||
		    k->kind == V_PATH ? "string" : "number");
	switch (k->kind) {
	case V_STR:
	case V_PATH:
		return set_str(w, v, (char **)(void *)(base + k->off),
		    k->kind == V_PATH);
	case V_CLIENTS:
		if (strcmp(node_str(v), "drop") == 0)
			b = 0;
		else if (strcmp(node_str(v), "pseudonym") == 0)
			b = 1;
		else
			return cf_err(w, v->start_mark,
			    "%s: expected drop or pseudonym, not \"%s\"",
			    k->name, node_str(v));
		memcpy(base + k->off, &b, sizeof(b));
		return 0;
	case V_BOOL:
		if (parse_bool(node_str(v), &b) == -1)
			return cf_err(w, v->start_mark,
			    "%s: expected true or false, not \"%s\"",
			    k->name, node_str(v));
		memcpy(base + k->off, &b, sizeof(b));
		return 0;
	default:
		return set_num(w, k, v, base);
	}
}

static int walk_ifaces(struct walk *, yaml_node_t *);

static int
walk_section(struct walk *w, const char *sec, const struct key *keys,
    yaml_node_t *map)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;
	size_t			 i;
	int			 rv = 0;

	if (map->type != YAML_MAPPING_NODE)
		return cf_err(w, map->start_mark, "%s: expected a mapping",
		    sec);
	/* Every key is checked, whatever the ones before it said. */
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(w->doc, p->key);
		v = yaml_document_get_node(w->doc, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			rv = cf_err(w, k->start_mark, "%s: bad key", sec);
			continue;
		}
		if (keys == capture_keys &&
		    strcmp(node_str(k), "interfaces") == 0) {
			if (walk_ifaces(w, v) == -1)
				rv = -1;
			continue;
		}
		for (i = 0; keys[i].name != NULL; i++)
			if (strcmp(keys[i].name, node_str(k)) == 0)
				break;
		if (keys[i].name == NULL)
			rv = cf_err(w, k->start_mark, "unknown key %s.%s",
			    sec, node_str(k));
		else if (set_value(w, &keys[i], v) == -1)
			rv = -1;
	}
	return rv;
}

static int
walk_rules(struct walk *w, yaml_node_t *seq)
{
	yaml_node_item_t	*it;
	yaml_node_t		*v;
	size_t			 i;
	int			 rv = 0;

	if (seq->type != YAML_SEQUENCE_NODE)
		return cf_err(w, seq->start_mark,
		    "rules: expected a list of files");
	for (i = 0; i < w->cf->nrules; i++)
		xfree(w->cf->rules[i]);
	w->cf->nrules = 0;
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		v = yaml_document_get_node(w->doc, *it);
		if (v->type != YAML_SCALAR_NODE) {
			rv = cf_err(w, v->start_mark,
			    "rules: expected a file name");
			continue;
		}
		if (w->cf->nrules == CONFIG_MAX_RULES)
			return cf_err(w, v->start_mark,
			    "rules: more than %d files", CONFIG_MAX_RULES);
		w->cf->rules[w->cf->nrules] = NULL;
		if (set_str(w, v, &w->cf->rules[w->cf->nrules], 1) == -1)
			return -1;
		w->cf->nrules++;
	}
	return rv;
}

/* --- outputs: a list of { TYPE: { option: value, ... } } ---------------- */

struct out_opt {
	const char	*name;
	unsigned	 types;		/* 1u << enum sink_type: who takes it */
	int		(*set)(struct walk *, struct sink_conf *, yaml_node_t *);
};

#define T_ALL	0xfu
#define T(x)	(1u << (x))

static const char *
scalar(struct walk *w, yaml_node_t *v, const char *what)
{
	if (v->type != YAML_SCALAR_NODE || v->data.scalar.length == 0) {
		cf_err(w, v->start_mark, "%s: expected a value", what);
		return NULL;
	}
	return node_str(v);
}

/* Index of s in the NULL-terminated names, or an error listing them. */
static int
pick(struct walk *w, yaml_node_t *v, const char *what,
    const char *const *names)
{
	const char *s = scalar(w, v, what);
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return cf_err(w, v->start_mark, "%s: unknown value \"%s\"", what, s);
}

static int
opt_path(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	return scalar(w, v, "path") == NULL ? -1 : set_str(w, v, &c->path, 1);
}

static int
opt_server(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	const char *s = scalar(w, v, "server");
	char host[256], port[16];

	if (s == NULL)
		return -1;
	if (!(c->type == SINK_REDIS && s[0] == '/') &&
	    (sink_split_server(s, host, sizeof(host), port,
	    sizeof(port)) == -1 || atoi(port) < 1 || atoi(port) > 65535))
		return cf_err(w, v->start_mark,
		    "server: expected host:port, not \"%s\"", s);
	return set_str(w, v, &c->server, 0);
}

static int
opt_format(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	static const char *const n[] = { "eve", "ecs", NULL };
	int i = pick(w, v, "format", n);

	if (i < 0)
		return -1;
	c->format = i == 0 ? OUTPUT_EVE : OUTPUT_ECS;
	return 0;
}

static int
opt_types(struct walk *w, struct sink_conf *c, yaml_node_t *seq)
{
	yaml_node_item_t *it;
	yaml_node_t *v;
	int k;

	if (seq->type != YAML_SEQUENCE_NODE)
		return cf_err(w, seq->start_mark,
		    "types: expected a list of event types");
	c->types = 0;
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		v = yaml_document_get_node(w->doc, *it);
		if (scalar(w, v, "types") == NULL)
			return -1;
		if ((k = sink_event_kind(node_str(v))) < 0)
			return cf_err(w, v->start_mark, "types: unknown event "
			    "type \"%s\" (flow, tls, alert, stats)",
			    node_str(v));
		c->types |= 1u << k;
	}
	if (c->types == 0)
		return cf_err(w, seq->start_mark, "types: empty list");
	return 0;
}

/* A size through the key table's checks. */
static int
opt_size(struct walk *w, yaml_node_t *v, const char *name, uint64_t min,
    uint64_t max, size_t *dst)
{
	struct key k = { name, V_SIZE, 0, 64, min, max };
	uint64_t n;

	if (scalar(w, v, name) == NULL ||
	    set_num(w, &k, v, (char *)&n) == -1)
		return -1;
	*dst = (size_t)n;
	return 0;
}

static int
opt_spool(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	return opt_size(w, v, "spool-bytes", 64 * KB, 4 * GB, &c->spool_bytes);
}

static int
opt_max_size(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	return opt_size(w, v, "max-size", 480, 1 * MB, &c->max_size);
}

static int
opt_socktype(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	static const char *const n[] = { "dgram", "stream", NULL };
	int i = pick(w, v, "type", n);

	return i < 0 ? -1 : (c->stream = i, 0);
}

static int
opt_protocol(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	static const char *const n[] = { "udp", "tcp", NULL };
	int i = pick(w, v, "protocol", n);

	return i < 0 ? -1 : (c->stream = i, 0);
}

static int
opt_rfc(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	static const char *const n[] = { "5424", "3164", NULL };
	int i = pick(w, v, "rfc", n);

	return i < 0 ? -1 : (c->rfc3164 = i, 0);
}

static int
opt_facility(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	const char *s = scalar(w, v, "facility");

	if (s == NULL)
		return -1;
	if ((c->facility = sink_facility(s)) < 0)
		return cf_err(w, v->start_mark,
		    "facility: unknown facility \"%s\"", s);
	return 0;
}

static int
opt_hostname(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	return scalar(w, v, "hostname") == NULL ? -1 :
	    set_str(w, v, &c->hostname, 0);
}

static int
opt_mode(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	/* Suricata's names: list is LPUSH, rpush, channel, stream. */
	static const char *const n[] = { "list", "lpush", "rpush", "channel",
	    "publish", "stream", "xadd", NULL };
	static const enum redis_mode m[] = { REDIS_LIST_LPUSH,
	    REDIS_LIST_LPUSH, REDIS_LIST_RPUSH, REDIS_CHANNEL, REDIS_CHANNEL,
	    REDIS_STREAM, REDIS_STREAM };
	int i = pick(w, v, "mode", n);

	return i < 0 ? -1 : (c->redis_mode = m[i], 0);
}

static int
opt_key(struct walk *w, struct sink_conf *c, yaml_node_t *v)
{
	return scalar(w, v, "key") == NULL ? -1 : set_str(w, v, &c->key, 0);
}

static const struct out_opt out_opts[] = {
	{ "format", T_ALL, opt_format },
	{ "types", T_ALL, opt_types },
	{ "spool-bytes", T_ALL, opt_spool },
	{ "path", T(SINK_FILE) | T(SINK_UNIX) | T(SINK_SYSLOG), opt_path },
	{ "server", T(SINK_SYSLOG) | T(SINK_REDIS), opt_server },
	{ "type", T(SINK_UNIX), opt_socktype },
	{ "protocol", T(SINK_SYSLOG), opt_protocol },
	{ "rfc", T(SINK_SYSLOG), opt_rfc },
	{ "facility", T(SINK_SYSLOG), opt_facility },
	{ "hostname", T(SINK_SYSLOG), opt_hostname },
	{ "max-size", T(SINK_SYSLOG), opt_max_size },
	{ "mode", T(SINK_REDIS), opt_mode },
	{ "key", T(SINK_REDIS), opt_key },
	{ NULL, 0, NULL }
};

static int
walk_out_opts(struct walk *w, const char *tname, struct sink_conf *c,
    yaml_node_t *map)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;
	size_t i;

	if (map->type == YAML_SCALAR_NODE && map->data.scalar.length == 0)
		return 0;		/* "- stdout:" */
	if (map->type != YAML_MAPPING_NODE)
		return cf_err(w, map->start_mark,
		    "outputs: %s: expected a mapping", tname);
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(w->doc, p->key);
		if (k->type != YAML_SCALAR_NODE)
			return cf_err(w, k->start_mark, "outputs: bad key");
		for (i = 0; out_opts[i].name != NULL; i++)
			if (strcmp(out_opts[i].name, node_str(k)) == 0 &&
			    (out_opts[i].types & T(c->type)) != 0)
				break;
		if (out_opts[i].name == NULL)
			return cf_err(w, k->start_mark,
			    "unknown key outputs.%s.%s", tname, node_str(k));
		if (out_opts[i].set(w, c,
		    yaml_document_get_node(w->doc, p->value)) == -1)
			return -1;
	}
	return 0;
}

/* What an output cannot do without, and what does not go together. */
static int
check_output(struct walk *w, const char *tname, struct sink_conf *c,
    yaml_mark_t m)
{
	int is_stdout = strcmp(tname, "stdout") == 0;

	if (c->type == SINK_FILE && !is_stdout && c->path == NULL)
		return cf_err(w, m, "outputs: file: path is required");
	if (c->type == SINK_UNIX && c->path == NULL)
		return cf_err(w, m, "outputs: unix: path is required");
	if (c->type == SINK_SYSLOG && c->server != NULL && c->path != NULL)
		return cf_err(w, m, "outputs: syslog: server (a collector) "
		    "or path (a local socket), not both");
	if (c->type == SINK_SYSLOG && c->server == NULL && c->stream)
		return cf_err(w, m, "outputs: syslog: protocol needs server");
	return 0;
}

static int
walk_output(struct walk *w, yaml_node_t *item)
{
	static const char *const tn[] = { "file", "stdout", "unix", "syslog",
	    "redis", NULL };
	static const enum sink_type tt[] = { SINK_FILE, SINK_FILE, SINK_UNIX,
	    SINK_SYSLOG, SINK_REDIS };
	struct sink_conf *c;
	yaml_node_pair_t *p;
	yaml_node_t *k;
	int i;

	if (item->type != YAML_MAPPING_NODE || item->data.mapping.pairs.top -
	    item->data.mapping.pairs.start != 1)
		return cf_err(w, item->start_mark, "outputs: expected one of "
		    "file, stdout, unix, syslog, redis with its options");
	p = item->data.mapping.pairs.start;
	k = yaml_document_get_node(w->doc, p->key);
	if ((i = pick(w, k, "outputs", tn)) < 0)
		return -1;
	if (w->cf->noutputs == CONFIG_MAX_OUTPUTS)
		return cf_err(w, k->start_mark, "outputs: more than %d",
		    CONFIG_MAX_OUTPUTS);
	c = &w->cf->outputs[w->cf->noutputs++];
	sink_conf_default(c, tt[i]);
	c->format = OUTPUT_EVE;
	if (walk_out_opts(w, tn[i], c,
	    yaml_document_get_node(w->doc, p->value)) == -1)
		return -1;
	return check_output(w, tn[i], c, k->start_mark);
}

static int
walk_outputs(struct walk *w, yaml_node_t *seq)
{
	yaml_node_item_t *it;
	size_t i;

	if (seq->type != YAML_SEQUENCE_NODE)
		return cf_err(w, seq->start_mark,
		    "outputs: expected a list of outputs");
	for (i = 0; i < w->cf->noutputs; i++)
		sink_conf_free(&w->cf->outputs[i]);
	w->cf->noutputs = 0;
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++)
		if (walk_output(w, yaml_document_get_node(w->doc, *it)) == -1)
			return -1;
	return 0;
}

/* One of capture.interfaces: a name, or a mapping of iface_keys. */
static int
walk_iface(struct walk *w, yaml_node_t *v, struct config_iface *ci)
{
	static const struct key name = { "name", V_STR, CI(name), 0, 0, 0 };
	int rv;

	w->base = (char *)ci;
	rv = v->type == YAML_SCALAR_NODE ? set_value(w, &name, v) :
	    walk_section(w, "capture.interfaces", iface_keys, v);
	w->base = NULL;
	if (rv == 0 && (ci->name == NULL || ci->name[0] == '\0'))
		rv = cf_err(w, v->start_mark, "capture.interfaces: an "
		    "interface without a name");
	return rv;
}

static int
walk_ifaces(struct walk *w, yaml_node_t *seq)
{
	struct config_iface *ci;
	yaml_node_item_t *it;
	yaml_node_t *v;
	int rv = 0;

	if (seq->type != YAML_SEQUENCE_NODE)
		return cf_err(w, seq->start_mark,
		    "capture.interfaces: expected a list of interfaces");
	ifaces_free(w->cf);
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		v = yaml_document_get_node(w->doc, *it);
		if (w->cf->nifaces == LIM_INTERFACES)
			return cf_err(w, v->start_mark, "capture.interfaces: "
			    "more than %d interfaces", LIM_INTERFACES);
		ci = &w->cf->ifaces[w->cf->nifaces++];
		memset(ci, 0, sizeof(*ci));
		ci->promisc = -1;
		if (walk_iface(w, v, ci) == -1)
			rv = -1;
	}
	return rv;
}

/* --- probe: rootwatch(8) PROBE ------------------------------------------ */

/* A list of names into fixed slots; shipped tier names when tiers. */
static int
walk_names(struct walk *w, yaml_node_t *seq, const char *what, char *dst,
    size_t width, size_t max, size_t *n)
{
	yaml_node_item_t *it;
	yaml_node_t *v;
	int rv = 0;

	if (seq->type != YAML_SEQUENCE_NODE)
		return cf_err(w, seq->start_mark, "probe.%s: expected a list "
		    "of names", what);
	*n = 0;
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		v = yaml_document_get_node(w->doc, *it);
		if (v->type != YAML_SCALAR_NODE || !probe_name_ok(node_str(v)) ||
		    strlen(node_str(v)) >= width) {
			rv = cf_err(w, v->start_mark, "probe.%s: not a name",
			    what);
			continue;
		}
		if (*n == max)
			return cf_err(w, v->start_mark, "probe.%s: more than "
			    "%zu", what, max);
		snprintf(dst + *n * width, width, "%s", node_str(v));
		(*n)++;
	}
	return rv;
}

static int
walk_probe_key(struct walk *w, yaml_node_t *k, yaml_node_t *v)
{
	struct probe_conf *pc = &w->cf->probe;
	const char *name = node_str(k);
	size_t i;

	if (strcmp(name, "targets") == 0)
		return walk_names(w, v, name, &pc->targets[0][0],
		    PROBE_NAME_LEN, LIM_PROBE_TARGETS, &pc->ntargets);
	if (strcmp(name, "tiers") == 0)
		return walk_names(w, v, name, &pc->tiers[0][0],
		    sizeof(pc->tiers[0]), LIM_PROBE_TIERS, &pc->ntiers);
	if (strcmp(name, "control") == 0) {
		if (v->type != YAML_SCALAR_NODE || !probe_name_ok(node_str(v)))
			return cf_err(w, v->start_mark, "probe.control: not "
			    "a name");
		snprintf(pc->control, sizeof(pc->control), "%s", node_str(v));
		return 0;
	}
	for (i = 0; probe_keys[i].name != NULL; i++)
		if (strcmp(probe_keys[i].name, name) == 0)
			return set_value(w, &probe_keys[i], v);
	return cf_err(w, k->start_mark, "unknown key probe.%s", name);
}

static int
walk_probe(struct walk *w, yaml_node_t *map)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	int rv = 0;

	if (map->type != YAML_MAPPING_NODE)
		return cf_err(w, map->start_mark, "probe: expected a mapping");
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(w->doc, p->key);
		v = yaml_document_get_node(w->doc, p->value);
		if (k->type != YAML_SCALAR_NODE)
			rv = cf_err(w, k->start_mark, "probe: bad key");
		else if (walk_probe_key(w, k, v) == -1)
			rv = -1;
	}
	return rv;
}

static int
walk_top_key(struct walk *w, yaml_node_t *k, yaml_node_t *v)
{
	static const struct key privacy = { "privacy", V_BOOL, CF(privacy),
	    0, 0, 0 };
	static const struct key user = { "user", V_STR, CF(user), 0, 0, 0 };
	static const struct key workers = { "workers", V_COUNT, CF(workers),
	    32, 1, LIM_WORKERS_MAX };
	const char	*name = node_str(k);
	size_t		 i;

	if (strcmp(name, "workers") == 0) {
		if (v->type == YAML_SCALAR_NODE &&
		    strcmp(node_str(v), "auto") == 0) {
			w->cf->workers = CONFIG_WORKERS_AUTO;
			return 0;
		}
		return set_value(w, &workers, v);
	}

	if (strcmp(name, "rules") == 0)
		return walk_rules(w, v);
	/* privacy: on, or privacy: { enabled: on, ... } */
	if (strcmp(name, "privacy") == 0 && v->type == YAML_MAPPING_NODE)
		return walk_section(w, name, privacy_keys, v);
	if (strcmp(name, "outputs") == 0)
		return walk_outputs(w, v);
	if (strcmp(name, "privacy") == 0)
		return set_value(w, &privacy, v);
	if (strcmp(name, "user") == 0)
		return set_value(w, &user, v);
	if (strcmp(name, "probe") == 0)
		return walk_probe(w, v);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(name, sections[i].name) == 0)
			return walk_section(w, name, sections[i].keys, v);
	return cf_err(w, k->start_mark, "unknown key %s", name);
}

static int
walk_doc(struct walk *w)
{
	yaml_node_t		*root, *k;
	yaml_node_pair_t	*p;
	int			 rv = 0;

	root = yaml_document_get_root_node(w->doc);
	if (root == NULL)	/* empty file: all defaults */
		return 0;
	if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return cf_err(w, root->start_mark,
		    "expected a mapping of sections");
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(w->doc, p->key);
		if (k->type != YAML_SCALAR_NODE)
			rv = cf_err(w, k->start_mark, "bad key");
		else if (walk_top_key(w, k,
		    yaml_document_get_node(w->doc, p->value)) == -1)
			rv = -1;
	}
	return rv;
}

/* The probe block's strings (the rest is copied with the struct). */
static int
probe_dup(struct probe_conf *dst, const struct probe_conf *src)
{
	dst->user = dst->trust_store = dst->tiers_file = NULL;
	if ((src->user && !(dst->user = xstrdup(src->user))) ||
	    (src->trust_store &&
	    !(dst->trust_store = xstrdup(src->trust_store))) ||
	    (src->tiers_file && !(dst->tiers_file = xstrdup(src->tiers_file))))
		return -1;
	return 0;
}

/* Deep copy of the strings so a failed load leaves *cf untouched. */
static int
config_dup(struct config *dst, const struct config *src)
{
	size_t	i;

	*dst = *src;
	dst->output = dst->interface = dst->bpf = dst->user = NULL;
	dst->sig.state_file = dst->sig.data = dst->sig.psl = NULL;
	dst->sig.enterprise = NULL;
	dst->privacy_key = dst->evidence_dir = NULL;
	dst->probe.user = dst->probe.trust_store = dst->probe.tiers_file = NULL;
	dst->nrules = 0;
	dst->noutputs = 0;
	for (i = 0; i < src->noutputs; i++) {
		if (sink_conf_copy(&dst->outputs[i], &src->outputs[i]) == -1)
			goto bad;
		dst->noutputs++;
	}
	dst->nifaces = 0;
	for (i = 0; i < src->nifaces; i++) {
		dst->ifaces[i] = src->ifaces[i];
		dst->ifaces[i].name = dst->ifaces[i].bpf = NULL;
		dst->nifaces++;
		if ((src->ifaces[i].name && !(dst->ifaces[i].name =
		    xstrdup(src->ifaces[i].name))) || (src->ifaces[i].bpf &&
		    !(dst->ifaces[i].bpf = xstrdup(src->ifaces[i].bpf))))
			goto bad;
	}
	if ((src->privacy_key &&
	    !(dst->privacy_key = xstrdup(src->privacy_key))) ||
	    (src->evidence_dir &&
	    !(dst->evidence_dir = xstrdup(src->evidence_dir))) ||
	    (src->sig.state_file &&
	    !(dst->sig.state_file = xstrdup(src->sig.state_file))) ||
	    (src->sig.data && !(dst->sig.data = xstrdup(src->sig.data))) ||
	    (src->sig.psl && !(dst->sig.psl = xstrdup(src->sig.psl))) ||
	    (src->sig.enterprise &&
	    !(dst->sig.enterprise = xstrdup(src->sig.enterprise))) ||
	    (src->output && !(dst->output = xstrdup(src->output))) ||
	    (src->user && !(dst->user = xstrdup(src->user))) ||
	    (src->interface && !(dst->interface = xstrdup(src->interface))) ||
	    (src->bpf && !(dst->bpf = xstrdup(src->bpf))) ||
	    probe_dup(&dst->probe, &src->probe) == -1)
		goto bad;
	for (i = 0; i < src->nrules; i++) {
		if ((dst->rules[i] = xstrdup(src->rules[i])) == NULL)
			goto bad;
		dst->nrules++;
	}
	return 0;
bad:
	strs_free(dst);
	return -1;
}

/*
 * A hint for the YAML slips libyaml words obscurely, from the text of the
 * line it stopped on: a tab in the indentation ("found character that
 * cannot start any token"), or a value starting with "- " ("block
 * sequence entries are not allowed in this context").  "" when none.
 */
static const char *
yaml_hint(FILE *fp, size_t line)
{
	char	buf[1024];
	size_t	n = 0, i;

	if (fseek(fp, 0, SEEK_SET) != 0)
		return "";
	while (fgets(buf, sizeof(buf), fp) != NULL && n < line)
		if (strchr(buf, '\n') != NULL)
			n++;
	if (n != line)
		return "";
	for (i = 0; buf[i] == ' ' || buf[i] == '\t'; i++)
		if (buf[i] == '\t')
			return " (hint: a tab in the indentation; YAML "
			    "indents with spaces only)";
	if (strstr(buf, ": - ") != NULL || strstr(buf, ":\t- ") != NULL)
		return " (hint: a value starting with '- ' is a list item; "
		    "quote it, or put the list on lines of its own)";
	if (strchr(buf, '\t') != NULL)
		return " (hint: a tab; YAML does not allow tabs here)";
	return "";
}

static int
load_doc(FILE *fp, struct walk *w)
{
	yaml_parser_t	parser;
	yaml_document_t	doc;
	int		rv;

	if (!yaml_parser_initialize(&parser))
		return cf_err(w, (yaml_mark_t){ 0, 0, 0 }, "out of memory");
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		rv = cf_err(w, parser.problem_mark, "%s%s%s%s",
		    parser.problem ? parser.problem : "YAML error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "",
		    yaml_hint(fp, parser.problem_mark.line));
		yaml_parser_delete(&parser);
		return rv;
	}
	w->doc = &doc;
	rv = walk_doc(w);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rv;
}

int
config_load(struct config *cf, const char *path, char *err, size_t errlen)
{
	struct config	tmp;
	struct walk	w = { NULL, path, err, errlen, 0, &tmp, NULL };
	FILE		*fp;
	int		 rv;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (config_dup(&tmp, cf) == -1) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rv = load_doc(fp, &w);
	fclose(fp);
	if (rv == -1) {
		strs_free(&tmp);
		return -1;
	}
	strs_free(cf);
	*cf = tmp;
	return 0;
}
