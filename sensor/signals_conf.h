/*
 * signals_conf.h - the settings of the signals (rootwatch(8) SIGNALS),
 * the "signals:" section of the configuration.  Kept apart from
 * signals.h so that config.c needs no OpenSSL.
 */
#ifndef ROOTWATCH_SIGNALS_CONF_H
#define ROOTWATCH_SIGNALS_CONF_H

#include <stdint.h>

/* The signals, each an alert of its own (category, signature id). */
enum signal_kind {
	SIG_DOWNGRADE,		/* offered 1.3, got <= 1.2 from a 1.3 name */
	SIG_SENTINEL,		/* RFC 8446 4.1.3 downgrade sentinel */
	SIG_NEW_ISSUER,		/* stable name, issuing key never seen */
	SIG_PROFILE,		/* stable name, other server and flight size */
	SIG_PIN,		/* Chromium static pins: no pinned key */
	SIG_UNKNOWN_ROOT,	/* public name, no path to a system root */
	SIG_KNOWN_INTERCEPTION,	/* a key Chromium lists as interception */
	SIG_ENTERPRISE,		/* issuer named like a MITM product */
	SIG_NO_SCT,		/* public root, leaf without any SCT */
	SIG_MAX
};

struct signal_opt {
	int		 enabled;
	uint32_t	 severity;	/* Suricata's 1 (high) .. 3 (low) */
	uint32_t	 sid;		/* alert.signature_id */
};

struct signals_conf {
	int		 enabled;	/* master switch */
	char		*state_file;	/* profiles across restarts; NULL */
	char		*data;		/* interception-data.txt */
	char		*psl;		/* public_suffix_list.dat */
	char		*enterprise;	/* PEM bundle or directory: allowed */
	uint32_t	 max_names;	/* profile table size */
	uint32_t	 stable_sessions;
	uint32_t	 stable_span;	/* seconds of packet time */
	uint32_t	 flight_slack;	/* percent around the learned range */
	uint32_t	 pins_window;	/* days before the pin list's date */
	uint64_t	 no_sct_since;	/* unix seconds: leaves issued before
					 * are not asked for SCTs */
	uint32_t	 save_interval;	/* seconds (wall) between saves */
	struct signal_opt opt[SIG_MAX];
};

/* The defaults rootwatch(8) documents. */
void	signals_conf_default(struct signals_conf *);
/* Names as in the configuration ("downgrade", "unknown-root"...). */
const char *signal_kind_name(enum signal_kind);

#endif
