/*
 * sink_int.h - what the transports (sink_file.c, sink_sock.c,
 * sink_syslog.c, sink_redis.c) share with sink.c.  Not for other modules.
 */
#ifndef ROOTWATCH_SINK_INT_H
#define ROOTWATCH_SINK_INT_H

#include <stdint.h>
#include <time.h>

#include "sink.h"
#include "spool.h"

struct sink;

/*
 * A transport.  push frames one event into the spool; up opens or starts
 * connecting (0, or -1 with errno: retried later); drain writes what the
 * spool holds as far as the far end takes it without blocking (0, or -1
 * with errno when the transport failed); down closes it and says how many
 * records in flight it put back to be sent again.
 */
struct sink_ops {
	int	(*push)(struct sink *, const char *line, size_t len, int kind);
	int	(*up)(struct sink *);
	int	(*drain)(struct sink *);
	size_t	(*down)(struct sink *);
	int	(*reopen)(struct sink *);	/* NULL: nothing to reopen */
	void	(*free)(struct sink *);
};

struct sink_stats {
	uint64_t	events;		/* handed to this sink */
	uint64_t	written;	/* written whole, or acknowledged */
	uint64_t	queued;		/* arrived while the sink was down or
					   blocked: waited in the spool */
	uint64_t	retries;	/* reconnections / reopen attempts */
	uint64_t	resent;		/* in flight when a connection broke */
	uint64_t	rejected;	/* refused by the far end (too large,
					   an error reply): lost */
	uint64_t	truncated;	/* cut to a datagram's max-size */
	uint64_t	errors;		/* failed writes and connects */
};

struct sink {
	const struct sink_ops	*ops;
	struct sink_conf	 conf;
	char			 name[160];
	struct spool		 sp;
	struct sink_stats	 st;
	int			 up;		/* transport open */
	int			 blocked;	/* last drain would block */
	int			 failing;	/* in a failure episode */
	int			 immediate;	/* write each event as it comes
						   (sockets); files batch */
	int			 closing;	/* draining at exit */
	uint64_t		 next_try_ms;
	uint32_t		 backoff_ms;
	int			 losing;	/* in a loss episode */
	uint64_t		 loss_base;	/* sp.dropped when it began */
	uint64_t		 loss_alert_base;
	uint64_t		 loss_nomem_base;
	void			*tx;		/* the transport's state */
	void			*framing;	/* syslog's, over sink_sock.c */
};

uint64_t sink_now_ms(void);
/* Write the spool to a stream fd (file or socket) with writev-like calls,
 * keeping a partial record's offset.  0 (all written or would block), -1
 * with errno. */
int	sink_write_stream(struct sink *, int fd, int is_sock);
/* A non-blocking connect(2) on fd: 1 done, 0 still going, -1 failed
 * (errno set from SO_ERROR). */
int	sink_connect_done(int fd);
/* push for transports that take the line as it is, with a suffix. */
int	sink_push_plain(struct sink *, const char *line, size_t len, int kind,
	    const char *suffix, size_t slen);

int	sink_file_init(struct sink *);
int	sink_file_fd(const struct sink *);
int	sink_file_streaming(const struct sink *);
int	sink_sock_init(struct sink *, const char *path, const char *server,
	    int stream);
int	sink_sock_up(struct sink *);
int	sink_sock_drain(struct sink *);
size_t	sink_sock_down(struct sink *);
void	sink_sock_free(struct sink *);
int	sink_unix_init(struct sink *);
int	sink_syslog_init(struct sink *);
int	sink_redis_init(struct sink *);

/* The syslog formatter (sink_syslog.c), apart for the unit tests. */
struct syslog_fmt {
	int		 rfc3164;
	int		 facility;
	int		 local;		/* 3164 to the local socket: no
					   HOSTNAME, as syslog(3) */
	const char	*hostname;	/* printable, no spaces, or "-" */
	const char	*app;
	long		 pid;
};
#define SYSLOG_HDR_MAX	400
/* The header of one message, everything before MSG; its length.  buf has
 * SYSLOG_HDR_MAX bytes. */
size_t	syslog_header(char *buf, const struct syslog_fmt *, int severity,
	    const char *msgid, const struct timespec *now);
int	syslog_severity(int kind);

#endif
