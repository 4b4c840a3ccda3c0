/*
 * signals.h - interception that no rule names, rootwatch(8) SIGNALS.
 *
 * After a TLS session is reported, its facts are compared with what is
 * expected of its server name: the name's learned profile (profile.h:
 * version downgrade, new issuing key, other server profile with a flight
 * size outside the learned range), Chromium's static pins, Chromium's
 * known interception keys, the system trust store at packet time
 * (unknown root for a public name; MITM products named apart), and
 * Certificate Transparency (no SCT).  Each finding is a struct signal,
 * written as an alert event with its own category and signature id.
 *
 * A struct signals is made once before the workers and the sandbox,
 * shared read-only by every worker; only its profile table is written,
 * under that table's own lock (profile.h says why it is shared).
 */
#ifndef ROOTWATCH_SIGNALS_H
#define ROOTWATCH_SIGNALS_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "signals_conf.h"

struct jbuf;
struct tls_session;
struct x509_cert;
struct signals;

/* What one session was compared with; the signals of it point here. */
struct signal_eval {
	const char		*name;		/* server name, "" none */
	struct profile_obs	 obs;
	struct profile_rec	 prof;		/* before this session */
	int			 known;		/* the name had a profile */
	int			 stable;
	char			 issuer[256];	/* the leaf's issuer DN */
	const char		*verify;	/* trust store verdict, or NULL */
};

struct signal {
	enum signal_kind	 kind;
	const struct signal_opt	*opt;		/* severity, signature id */
	const char		*signature;	/* alert.signature */
	const char		*category;
	char			 reason[512];
	const struct signal_eval *ev;
};

struct signals *signals_new(const struct signals_conf *, char *err,
	    size_t errlen);
void	signals_free(struct signals *);
/* 1 when the TLS 1.3 server flight is worth counting (profile on). */
int	signals_want_flight(const struct signals *);
/* Save the profiles to the state file (when one is set and they changed). */
void	signals_save(struct signals *);
/* Seconds between saves while running (0: at exit only). */
unsigned signals_save_interval(const struct signals *);

/*
 * Compare one reported session (chain: the server chain entries, n may
 * be 0) at packet time ts_us.  Fills out[] (room for SIG_MAX) and ev,
 * returns the number of signals.  Learns the session into the profile.
 */
size_t	signals_session(struct signals *, const struct tls_session *,
	    struct x509_cert *const *chain, size_t n, uint64_t ts_us,
	    struct signal_eval *ev, struct signal *out);

/* The members of rootwatch.signal (the caller opened the object). */
void	signal_render(struct jbuf *, const struct signal *);

#endif
