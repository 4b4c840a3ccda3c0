/*
 * probe.h - the opt-in active probe, rootwatch(8) PROBE.
 *
 * A passive sensor cannot see a server chain sent under TLS 1.3.  When
 * the operator asks for it (probe.enabled AND probe.i-understand-the-risks
 * in the configuration, never from a rules update), the sensor forks, at
 * start-up and before its own sandbox, a probe process: its own
 * unprivileged user, its own Landlock and seccomp lists (resolve, connect,
 * handshake; no capture, no file writes).  As OpenBSD bgpd's processes
 * talking over imsg, the main process keeps the schedule and sends the
 * child one request at a time ("handshake with NAME, TLS 1.3 or 1.2
 * only"); the child answers with the outcome, the verification result
 * against the trust store and every certificate the server sent.  The
 * child is less trusted than the main process: its answers are bounded
 * and parsed as hostile bytes (parsers/cur.h).
 *
 * Every round probes the control name first, then each target, twice
 * (TLS 1.3-capable, TLS 1.2-only).  Rounds are a period apart plus random
 * jitter; an hourly cap bounds the attempts; a name that keeps failing is
 * skipped for a number of rounds that doubles with each failed round.
 */
#ifndef ROOTWATCH_PROBE_H
#define ROOTWATCH_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct jbuf;

#include "limits.h"

#define PROBE_NAME_LEN		254	/* a DNS name, and its NUL */

/* The probe: block of the configuration (sensor/config.c). */
struct probe_conf {
	int		 enabled;
	int		 ack;		/* i-understand-the-risks */
	int		 enabled_set, ack_set;	/* given in the file */
	char		 targets[LIM_PROBE_TARGETS][PROBE_NAME_LEN];
	size_t		 ntargets;
	char		 tiers[LIM_PROBE_TIERS][64];
	size_t		 ntiers;
	char		 control[PROBE_NAME_LEN];
	unsigned	 period;	/* seconds between rounds */
	unsigned	 jitter;	/* up to this many more, at random */
	unsigned	 max_per_hour;	/* attempts */
	unsigned	 connect_timeout;	/* seconds */
	unsigned	 handshake_timeout;
	unsigned	 port;
	int		 from_wire;	/* names seen on the wire join */
	unsigned	 wire_max;	/* ... this many at most */
	unsigned	 wire_sample;	/* ... one session in this many */
	char		*user;		/* NULL: rootwatch-probe, else nobody */
	char		*trust_store;	/* NULL: the system store */
	char		*tiers_file;	/* NULL: the shipped probe-targets.yaml */
};

void	probe_conf_default(struct probe_conf *);
/* A name a target may have: letters, digits, '-', '.', '_'. */
int	probe_name_ok(const char *);
/*
 * 1 when the probe is to run; 0 when it stays off, with *why set when the
 * configuration half asked for it (one opt-in key without the other).
 */
int	probe_wanted(const struct probe_conf *, const char **why);

/* What an attempt ended with. */
enum probe_outcome {
	PROBE_OK,		/* handshake done, chain received */
	PROBE_RESOLVE_FAILED,
	PROBE_CONNECT_FAILED,
	PROBE_REFUSED,		/* connection refused (RST) */
	PROBE_TIMEOUT,		/* connect or handshake timeout */
	PROBE_HANDSHAKE_FAILED,
	PROBE_OUTCOME_MAX
};

const char *probe_outcome_name(enum probe_outcome);

struct probe_cert {
	const uint8_t	*der;
	size_t		 len;
};

/* One attempt's answer, as the main process judges it. */
struct probe_result {
	const char	*name;
	int		 is_control;
	uint64_t	 round;
	uint16_t	 attempt;	/* 0x0304: TLS 1.3-capable, 0x0303 1.2 only */
	uint16_t	 version;	/* negotiated, 0 none */
	uint16_t	 cipher;	/* negotiated, its IANA number */
	enum probe_outcome outcome;
	int32_t		 verify;	/* X509_V_* against the trust store,
					   -1: no chain to verify */
	uint8_t		 family;	/* 4, 6, 0: not resolved */
	uint8_t		 addr[16];	/* the address probed */
	uint8_t		 local[16];	/* our end of the connection */
	uint16_t	 port, local_port;
	const char	*reason;	/* why it failed ("" when ok) */
	struct probe_cert chain[LIM_PROBE_CERTS];
	size_t		 nchain;
	int		 truncated;	/* the server sent more */
	/* the control name's result in this round */
	const char	*control;
	enum probe_outcome control_outcome;
	int		 control_valid;
	int		 control_done;	/* the control was probed this round */
};

/*
 * What the main process judges (sensor/app.c worker_probe): the answer,
 * the rootwatch.probe object of its events, and the gate of its signals:
 * given the signal kinds (1u << enum signal_kind) the chain raised, it
 * returns those to report now (seen on an earlier round too, and the
 * control got a valid chain this round).
 */
struct probe_judge {
	const struct probe_result *pr;
	const char	*json;
	size_t		 json_len;
	uint64_t	 ts_us;		/* wall clock */
	uint32_t	(*gate)(void *, const struct probe_result *, uint32_t);
	void		*gate_arg;
};

struct probe;

/*
 * from-wire: the workers offer the server names of the TLS sessions they
 * report to the probe's port; one in wire_sample is taken, at random
 * (never for what the session showed), into a short queue the main loop
 * empties into the schedule (wire_max names at most, the first ones
 * kept).  Shared by the workers: a mutex, taken once per sampled name.
 */
struct probe_wire;
/* NULL when from-wire is off. */
struct probe_wire *probe_wire(struct probe *);
/* A worker's offer; rng is the worker's own generator state. */
void	probe_wire_offer(struct probe_wire *, const char *sni, uint16_t port,
	    uint64_t *rng);

/* -T: the names the probe would use (tier files read), or -1 with a
 * message. */
int	probe_check(const struct probe_conf *);

/*
 * Fork the probe process (before any thread and before the main
 * sandbox).  Tier lists and the trust store are read now.  NULL with a
 * message when it cannot start.
 */
struct probe *probe_start(const struct probe_conf *, int log_only);
/* The judge of each answer, called from probe_tick. */
void	probe_set_judge(struct probe *, void (*fn)(void *,
	    const struct probe_judge *), void *arg);
/* Read answers (non-blocking), then send the next due request: once a
 * tick of the main loop.  now in seconds. */
void	probe_tick(struct probe *, uint64_t now);
/*
 * One answer of the probe process (its layout: probe.c), parsed as
 * hostile bytes; r's certificates and reason point into buf and reason.
 * 0, or -1 for anything malformed, short or with bytes left over.
 * Exported for the tests.
 */
int	probe_parse_answer(const uint8_t *buf, size_t len, uint32_t *seq,
	    struct probe_result *r, char reason[256]);
/*
 * rootwatch.probe of an answer's events (the judge's json): r parsed by
 * probe_parse_answer, its name and control filled in.  Exported for the
 * fuzz target (sensor/probe_fuzz.c).
 */
void	probe_render_result(struct jbuf *, const struct probe_result *r);
/* rootwatch.probe in the stats event. */
void	probe_render(const struct probe *, struct jbuf *);
pid_t	probe_pid(const struct probe *);
void	probe_stop(struct probe *);

#endif
