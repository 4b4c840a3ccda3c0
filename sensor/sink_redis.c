/*
 * sink_redis.c - events into Redis: a list (LPUSH or RPUSH), a channel
 * (PUBLISH) or a stream (XADD key * event JSON), through hiredis.
 *
 * hiredis' non-blocking context without its event-loop adapters: the main
 * loop is single-threaded and already ticks.  Commands are appended
 * (pipelined) up to LIM_REDIS_INFLIGHT unanswered, written with
 * redisBufferWrite as far as the socket takes them, and each reply read
 * back with redisBufferRead acknowledges the oldest record in flight.  A
 * record leaves the spool only on its reply, so when the connection
 * breaks, what was in flight is sent again on the next connection (at
 * least once: a command the server ran just before it died may be run
 * twice).  Why hiredis and not hand-written RESP: README, Dependencies.
 */
#include "sink_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <hiredis/hiredis.h>

#include "limits.h"
#include "log.h"
#include "xmalloc.h"

struct redis_tx {
	redisContext	*c;
	int		 connecting;
	char		 host[256];
	int		 port;		/* 0: host is a unix socket path */
	int		 warned;	/* an error reply was logged */
};

static int
redis_push(struct sink *s, const char *line, size_t len, int kind)
{
	return sink_push_plain(s, line, len, kind, "", 0);
}

static int
redis_up(struct sink *s)
{
	struct redis_tx *t = s->tx;

	t->c = t->port != 0 ? redisConnectNonBlock(t->host, t->port) :
	    redisConnectUnixNonBlock(t->host);
	if (t->c == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (t->c->err) {
		errno = t->c->err == REDIS_ERR_IO && errno != 0 ? errno :
		    ECONNREFUSED;
		redisFree(t->c);
		t->c = NULL;
		return -1;
	}
	t->connecting = 1;
	return 0;
}

/* 1 connected, 0 not yet, -1 failed (errno). */
static int
redis_connected(struct redis_tx *t)
{
	int rc;

	if (!t->connecting)
		return 1;
	if ((rc = sink_connect_done(t->c->fd)) == 1)
		t->connecting = 0;
	return rc;
}

/* Each reply acknowledges the oldest record in flight. */
static int
read_replies(struct sink *s, struct redis_tx *t)
{
	redisReply *r;
	void *v;

	if (redisBufferRead(t->c) == REDIS_ERR)
		goto io;
	for (;;) {
		if (redisGetReplyFromReader(t->c, &v) == REDIS_ERR)
			goto io;
		if ((r = v) == NULL)
			return 0;
		if (spool_inflight(&s->sp) == 0) {
			freeReplyObject(r);
			errno = EPROTO;		/* a reply we did not ask for */
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			/* WRONGTYPE, OOM...: the event is lost, said once. */
			if (!t->warned++)
				log_warnx("output %s: %s", s->name, r->str);
			s->st.rejected++;
			s->st.errors++;
		} else
			s->st.written++;
		freeReplyObject(r);
		spool_pop(&s->sp);
	}
io:
	errno = t->c->err == REDIS_ERR_EOF ? ECONNRESET :
	    errno != 0 ? errno : EIO;
	return -1;
}

static int
append(struct sink *s, struct redis_tx *t, const struct spool_rec *r)
{
	static const char *const cmd[] = { "RPUSH", "LPUSH", "PUBLISH",
	    "XADD" };
	const char *argv[5];
	size_t argl[5];
	int argc = 0;

	argv[argc] = cmd[s->conf.redis_mode];
	argl[argc++] = strlen(argv[0]);
	argv[argc] = s->conf.key;
	argl[argc++] = strlen(s->conf.key);
	if (s->conf.redis_mode == REDIS_STREAM) {
		argv[argc] = "*";
		argl[argc++] = 1;
		argv[argc] = "event";
		argl[argc++] = 5;
	}
	argv[argc] = r->data;
	argl[argc++] = r->len;
	return redisAppendCommandArgv(t->c, argc, argv, argl) == REDIS_OK ?
	    0 : -1;
}

static int
redis_drain(struct sink *s)
{
	struct redis_tx *t = s->tx;
	struct spool_rec *r;
	int done = 0, rc;

	if ((rc = redis_connected(t)) <= 0) {
		s->blocked = rc == 0;
		return rc;
	}
	if (read_replies(s, t) == -1)
		return -1;
	while (spool_inflight(&s->sp) < LIM_REDIS_INFLIGHT &&
	    (r = spool_next_unsent(&s->sp)) != NULL) {
		if (append(s, t, r) == -1) {
			errno = ENOMEM;
			return -1;
		}
		spool_mark_sent(&s->sp);
	}
	while (!done) {
		size_t before = sdslen(t->c->obuf);

		if (redisBufferWrite(t->c, &done) == REDIS_ERR) {
			errno = errno != 0 ? errno : EIO;
			return -1;
		}
		if (!done && sdslen(t->c->obuf) == before) {
			s->blocked = 1;		/* the socket is full */
			break;
		}
	}
	/* Replies already there cost nothing to take now. */
	return read_replies(s, t);
}

static size_t
redis_down(struct sink *s)
{
	struct redis_tx *t = s->tx;
	int saved = errno;

	if (t->c != NULL)
		redisFree(t->c);
	t->c = NULL;
	t->connecting = 0;
	errno = saved;
	return spool_rewind(&s->sp);
}

static void
redis_free(struct sink *s)
{
	xfree(s->tx);
	s->tx = NULL;
}

static const struct sink_ops redis_ops = {
	redis_push, redis_up, redis_drain, redis_down, NULL, redis_free,
};

int
sink_redis_init(struct sink *s)
{
	struct redis_tx *t;
	const char *server = s->conf.server != NULL ? s->conf.server :
	    "127.0.0.1:6379";
	char port[16];

	if (s->conf.key == NULL && (s->conf.key = xstrdup("rootwatch")) ==
	    NULL)
		return -1;
	if ((t = xcalloc(1, sizeof(*t))) == NULL)
		return -1;
	if (server[0] == '/') {
		if (strlen(server) >= sizeof(t->host))
			goto bad;
		strcpy(t->host, server);
	} else {
		if (sink_split_server(server, t->host, sizeof(t->host), port,
		    sizeof(port)) == -1 || (t->port = atoi(port)) <= 0 ||
		    t->port > 65535)
			goto bad;
	}
	s->tx = t;
	s->ops = &redis_ops;
	s->immediate = 1;	/* pipelined: no wait for the reply */
	return 0;
bad:
	log_warnx("output %s: expected host:port or a socket path", s->name);
	xfree(t);
	return -1;
}
