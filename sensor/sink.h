/*
 * sink.h - where events go: files, stdout, unix sockets, syslog, Redis.
 *
 * struct output renders each event once per wanted format and hands the
 * line to output_emit(), which gives it to every configured sink whose
 * format and event-type filter accept it (sinks_emit).  A sink never
 * blocks capture: the line goes to the sink's bounded spool (spool.h), and
 * the transport takes it from there without blocking (non-blocking
 * sockets, a file write that fails leaves the rest queued).  A transport
 * that fails is closed and retried with a doubling backoff; the counters of
 * every sink are in the stats event (sinks_stats_render).
 */
#ifndef ROOTWATCH_SINK_H
#define ROOTWATCH_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "spool.h"

struct jbuf;

enum sink_type {
	SINK_FILE,		/* path; NULL or "-": stdout */
	SINK_UNIX,		/* unix socket, datagram or stream */
	SINK_SYSLOG,		/* local socket, or UDP/TCP to a collector */
	SINK_REDIS,		/* list, channel or stream, through hiredis */
	SINK_TYPE_MAX
};

enum redis_mode { REDIS_LIST_RPUSH, REDIS_LIST_LPUSH, REDIS_CHANNEL,
	REDIS_STREAM };

/* Event kinds (the event_kind argument of output_emit). */
#define SINK_EV_FLOW	0
#define SINK_EV_TLS	1
#define SINK_EV_ALERT	2
#define SINK_EV_STATS	3	/* stats and summary */
#define SINK_EV_MAX	4

/* One configured output (config.c fills it; strings are owned). */
struct sink_conf {
	enum sink_type	 type;
	int		 format;	/* enum output_format */
	unsigned	 types;		/* 1u << SINK_EV_*; 0: every event */
	char		*path;		/* file, unix socket, local syslog */
	char		*server;	/* host:port, [v6]:port; redis: or
					   a unix socket path */
	int		 stream;	/* unix: stream, not datagram;
					   syslog: TCP, not UDP */
	int		 rfc3164;	/* syslog: the BSD format */
	int		 facility;	/* syslog: 0..23 */
	char		*hostname;	/* syslog HOSTNAME; NULL: ours */
	size_t		 max_size;	/* datagram: longer messages are cut */
	enum redis_mode	 redis_mode;
	char		*key;		/* redis key or channel */
	size_t		 spool_bytes;
};

struct sinks;

void	sink_conf_default(struct sink_conf *, enum sink_type);
void	sink_conf_free(struct sink_conf *);
int	sink_conf_copy(struct sink_conf *dst, const struct sink_conf *src);
/* Names for the configuration and the stats event. */
const char *sink_type_name(enum sink_type);
const char *sink_event_name(int kind);
int	sink_event_kind(const char *name);	/* -1: unknown */
int	sink_facility(const char *name);	/* -1: unknown */
/* host:port or [v6]:port into host and port; -1 if malformed. */
int	sink_split_server(const char *server, char *host, size_t hlen,
	    char *port, size_t plen);

/*
 * Open every output: files are opened, addresses resolved, connections
 * started (a collector that is down is not an error: it is retried).
 * NULL with a logged reason when a file cannot be opened or an address
 * does not resolve.
 */
struct sinks *sinks_open(const struct sink_conf *, size_t n);
/* Give every remaining queued event up to LIM_SINK_DRAIN_MS, then close. */
void	sinks_close(struct sinks *);
/* Bitmask of the formats some sink wants (1u << format). */
unsigned sinks_formats(const struct sinks *);
void	sinks_emit(struct sinks *, int format, int kind, const char *line,
	    size_t len);
/* Write out what is queued (retrying failed sinks whose backoff ran out).
 * -1 when some sink is failing. */
int	sinks_flush(struct sinks *);
/* Reopen files (log rotation). */
int	sinks_reopen(struct sinks *);
/* Write errors over all sinks (the stats event's output.write_errors). */
uint64_t sinks_errors(const struct sinks *);
/* The "outputs" array of the stats event, one object per sink. */
void	sinks_stats_render(const struct sinks *, struct jbuf *);
/* 1 when a file output is a pipe, FIFO, socket or terminal. */
int	sinks_streaming(const struct sinks *);
/* The descriptors of the file outputs (not stdout), at most max. */
size_t	sinks_file_fds(const struct sinks *, int *fds, size_t max);
size_t	sinks_count(const struct sinks *);
/* Output i's path (file, unix socket, local syslog) and type; NULL past
 * the last output or when it has none. */
const char *sinks_path(const struct sinks *, size_t i, enum sink_type *);
/* 1 when some output is a socket (unix, syslog, redis): the sandbox
 * must let it reconnect. */
int	sinks_network(const struct sinks *);

#endif
