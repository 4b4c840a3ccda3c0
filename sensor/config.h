/*
 * config.h - the YAML configuration file (-c), rootwatch(8) CONFIGURATION.
 *
 * Example (deploy/rootwatch.yaml):
 *   flow:       { max: 65536, timeout: 120, established-timeout: 600,
 *                 closed-timeout: 10 }
 *   reassembly: { depth: 65536, memcap: 33554432, ooo-bytes: 262144 }
 *   tls:        { max-handshake: 1048576, memcap: 32M }
 *   x509:       { cache: 8192, cache-bytes: 32M }
 *   output:     { file: /var/log/rootwatch/eve.json, pem: false,
 *                 cert-dedup: false, stats-interval: 60,
 *                 summary: false }
 *   outputs:
 *     - file:   { path: /var/log/rootwatch/eve.json, format: eve }
 *     - syslog: { server: 127.0.0.1:514, protocol: tcp, types: [alert] }
 *     - redis:  { server: 127.0.0.1:6379, mode: list, key: rootwatch }
 *     - unix:   { path: /run/x.sock, type: dgram }
 *   rules:      [ /usr/share/rootwatch/rules/state-interception.yaml ]
 *   capture:    { interface: eth0, bpf: "tcp or udp", snaplen: 65535,
 *                 buffer-size: 33554432, promisc: true,
 *                 interfaces: [ eth1, { name: eth2, bpf: "port 443",
 *                   snaplen: 2048, buffer-size: 64M, promisc: false } ] }
 *               (interfaces: several at once, each with its own filter,
 *                snap length and ring; unset ones take the capture's)
 *   privacy:    false          (or { enabled: on, clients: drop,
 *                 key: /var/lib/rootwatch/privacy.key,
 *                 aggregate-interval: 3600, aggregate-sni: false })
 *   evidence:   { dir: /var/lib/rootwatch/evidence, window: 3600,
 *                 max-bytes: 256M, flow-bytes: 160k, memcap: 8M }
 *   user:       rootwatch
 *   workers:    auto            (or a number; rootwatch(8) WORKERS)
 *   signals:    { enabled: true, state-file: /var/lib/rootwatch/profiles,
 *                 stable-sessions: 10, stable-span: 86400, ...
 *                 downgrade: true, downgrade-severity: 1, ... }
 *               (rootwatch(8) SIGNALS)
 *   probe:      { enabled: true, i-understand-the-risks: true,
 *                 targets: [ ... ], tiers: [ kazakh-2019 ],
 *                 control: example.com, period: 6h, ... }
 *               (rootwatch(8) PROBE; off by default)
 * Sizes accept suffixes k/M/G; times are seconds.
 */
#ifndef ROOTWATCH_CONFIG_H
#define ROOTWATCH_CONFIG_H

#include <stddef.h>

#include "limits.h"
#include "sink.h"
#include "signals_conf.h"
#include "probe.h"

#define CONFIG_MAX_RULES	32
#define CONFIG_MAX_OUTPUTS	16

/* One of capture.interfaces; 0, NULL or -1 (promisc): the capture's. */
struct config_iface {
	char		*name;
	char		*bpf;
	unsigned	 snaplen;
	unsigned	 buffer_size;
	int		 promisc;
};

struct config {
	struct limits	 lim;
	char		*rules[CONFIG_MAX_RULES];	/* rule files */
	size_t		 nrules;
	char		*output;	/* output.file: one eve file */
	struct sink_conf outputs[CONFIG_MAX_OUTPUTS];	/* outputs: */
	size_t		 noutputs;
	int		 pem;		/* add each certificate's PEM */
	int		 cert_dedup;	/* full certificate once, then sha256 */
	unsigned	 stats_interval;	/* seconds (live), 0 = end only */
	int		 summary;	/* replay: write a summary event */
	char		*interface;
	char		*bpf;
	unsigned	 snaplen;
	unsigned	 buffer_size;
	int		 promisc;
	struct config_iface ifaces[LIM_INTERFACES];	/* capture.interfaces */
	size_t		 nifaces;
	int		 privacy;	/* rootwatch(8) PRIVACY */
	int		 privacy_clients;	/* enum privacy_clients */
	char		*privacy_key;	/* NULL: RW_STATEDIR/privacy.key */
	uint64_t	 aggregate_us;	/* tls_aggregate period */
	int		 aggregate_sni;	/* count per server name too */
	char		*evidence_dir;	/* NULL: no bundles */
	uint64_t	 evidence_window_us;
	uint64_t	 evidence_max_bytes;
	char		*user;		/* run as (rootwatch(8) SANDBOX) */
	unsigned	 workers;	/* 0: the default; or CONFIG_WORKERS_AUTO */
	struct signals_conf sig;	/* signals: (paths owned here) */
	struct probe_conf probe;	/* probe: (rootwatch(8) PROBE) */
};

/* workers: auto (one per online core) */
#define CONFIG_WORKERS_AUTO	(~0u)

/* Defaults (limits_default, stdout, no rules given). */
void	config_default(struct config *);
/*
 * Load a YAML config file on top of the current values.  Returns 0, or -1
 * with err set to every problem found, one "file:line:column: message"
 * per line ('\n' between them; "file: reason" when the file cannot be
 * read).  File names in it (rules, output.file) come back resolved
 * against the config file's directory.
 */
int	config_load(struct config *, const char *path, char *err, size_t errlen);
void	config_free(struct config *);

#endif
