/*
 * evidence.h - one directory of evidence per alert (rootwatch(8)
 * EVIDENCE).
 *
 *   DIR/20240501T101502Z-kz-qaznet-2019/
 *       handshake.pcap   the session's frames, both directions, from the
 *                        first one seen to the end of the server's flight
 *       cert-0.pem ...   each certificate of the server's chain, leaf first
 *       alert.json       the session's alert events, one JSON line each
 *       manifest.txt     SHA-256 of every other file, rootwatch's version,
 *                        the rules files' SHA-256, the rules, the capture
 *                        source and the clock (format: rootwatch-report(1))
 *
 * The same chain from the same server (address and port) within
 * evidence.window keeps its one bundle: the manifest's last_seen and
 * repeats are updated (written aside, then renamed over).  When the
 * bundles pass evidence.max-bytes the oldest go first, so the card the
 * sensor writes to never fills.  The directory is made and scanned before
 * the sandbox; afterwards Landlock allows work beneath it only.
 */
#ifndef ROOTWATCH_EVIDENCE_H
#define ROOTWATCH_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

struct flow;
struct pktbuf;
struct privacy;
struct rule_hit;
struct tls_report;

struct evidence_opts {
	const char		*dir;
	uint64_t		 window_us;
	uint64_t		 max_bytes;
	const struct privacy	*pv;	/* non-NULL: privacy mode */
	int			 drop_clients;	/* privacy.clients: drop */
	const char		*clock;	/* the clock source, in words */
};

struct evidence_stats {
	uint64_t	bundles;	/* written */
	uint64_t	repeats;	/* counted in an existing bundle */
	uint64_t	removed;	/* oldest removed for max-bytes */
	uint64_t	bytes;		/* held in the directory now */
	uint64_t	errors;		/* bundles or updates that failed */
};

/* What one alerting session leaves. */
struct evidence_alert {
	const struct flow	*f;
	const struct pktbuf	*pb;
	const struct tls_report	*r;
	const struct rule_hit	*hits;
	size_t			 nhits;
	const char		*events;	/* alert lines, '\n' after each */
	size_t			 events_len;
	uint64_t		 ts_us;
};

/* Fills buf with where the current frame comes from: "interface br0",
 * "file x.pcap packet 17". */
typedef void (*evidence_source_fn)(void *arg, char *buf, size_t len);

struct evidence;

/* Make (mode 0750) and scan the directory: before the sandbox. */
struct evidence *evidence_open(const struct evidence_opts *);
void	evidence_close(struct evidence *);
/* The directory's descriptor (to give it to the user we switch to). */
int	evidence_dirfd(const struct evidence *);
void	evidence_set_source(struct evidence *, evidence_source_fn, void *);
/* The rules files' SHA-256 (at start and after each reload). */
void	evidence_set_rules(struct evidence *, const char *const *paths,
	    size_t n);
/* A bundle for the session, or a repeat counted in its bundle.  The
 * frames in a->pb are rewritten in place in privacy mode. */
void	evidence_alert(struct evidence *, const struct evidence_alert *a);
const struct evidence_stats *evidence_stats(const struct evidence *);

#endif
