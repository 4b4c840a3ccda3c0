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
 *   rules:      [ /usr/share/rootwatch/rules/state-interception.yaml ]
 *   capture:    { interface: eth0, bpf: "tcp or udp", snaplen: 65535,
 *                 buffer-size: 33554432, promisc: true,
 *                 interfaces: [ eth1, { name: eth2, bpf: "port 443",
 *                   snaplen: 2048, buffer-size: 64M, promisc: false } ] }
 *               (interfaces: several at once, each with its own filter,
 *                snap length and ring; unset ones take the capture's)
 *   privacy:    false
 *   user:       rootwatch
 *   workers:    auto            (or a number; rootwatch(8) WORKERS)
 * Sizes accept suffixes k/M/G; times are seconds.
 */
#ifndef ROOTWATCH_CONFIG_H
#define ROOTWATCH_CONFIG_H

#include <stddef.h>

#include "limits.h"

#define CONFIG_MAX_RULES	32

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
	char		*output;	/* NULL or "-": stdout */
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
	int		 privacy;	/* never write client addresses */
	char		*user;		/* run as (rootwatch(8) SANDBOX) */
	unsigned	 workers;	/* 0: the default; or CONFIG_WORKERS_AUTO */
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
