/*
 * sink_sock.c - the socket transport of the unix and syslog outputs:
 * unix datagram and stream sockets, UDP and TCP.
 *
 * Every socket is non-blocking and connected once: a datagram socket
 * sends one event per datagram, a stream socket writes the spool with
 * sendmsg(2) keeping the offset of a partly written record.  A refused or
 * broken connection closes the socket; sink.c retries it with backoff.  A
 * stream reconnected after a partial record sends that record again whole
 * on the new connection.  The address is resolved once, at start-up
 * (before any sandbox, and no DNS on the packet path).
 */
#include "sink_int.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

struct sock_tx {
	int			 fd;
	int			 stream;
	int			 connecting;	/* stream: connect in progress */
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
};

static int
resolve_unix(struct sock_tx *t, const char *path)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&t->sa;

	if (strlen(path) >= sizeof(sun->sun_path)) {
		log_warnx("%s: socket path too long", path);
		return -1;
	}
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, path);
	t->salen = (socklen_t)sizeof(*sun);
	return 0;
}

static int
resolve_inet(struct sock_tx *t, const char *server)
{
	struct addrinfo hints, *res;
	char host[256], port[16];
	int rc;

	if (sink_split_server(server, host, sizeof(host), port,
	    sizeof(port)) == -1) {
		log_warnx("%s: expected host:port", server);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = t->stream ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_warnx("%s: %s", server, gai_strerror(rc));
		return -1;
	}
	memcpy(&t->sa, res->ai_addr, res->ai_addrlen);
	t->salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
sink_sock_up(struct sink *s)
{
	struct sock_tx *t = s->tx;
	int type = t->stream ? SOCK_STREAM : SOCK_DGRAM;

	t->fd = socket(t->sa.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd == -1)
		return -1;
	t->connecting = 0;
	if (connect(t->fd, (struct sockaddr *)&t->sa, t->salen) == 0)
		return 0;
	if (errno == EINPROGRESS && t->stream) {
		t->connecting = 1;
		return 0;
	}
	sink_sock_down(s);
	return -1;
}

/* A stream connect finished?  1 yes, 0 not yet, -1 failed (errno). */
static int
connect_done(struct sock_tx *t)
{
	int rc = sink_connect_done(t->fd);

	if (rc == 1)
		t->connecting = 0;
	return rc;
}

/*
 * Collectors do not talk back: anything readable on a stream is its end
 * (or noise we discard).  Seen before a write, a closed peer costs no
 * event: a write into a half-closed TCP socket succeeds and is lost.
 */
static int
peer_closed(struct sock_tx *t)
{
	struct pollfd pfd = { t->fd, POLLIN, 0 };
	char buf[512];
	ssize_t n;

	while (poll(&pfd, 1, 0) == 1) {
		n = recv(t->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			if (n == 0)
				errno = ECONNRESET;
			return 1;
		}
		if (n < 0)
			break;
	}
	return 0;
}

static int
drain_dgram(struct sink *s, struct sock_tx *t)
{
	struct spool_rec *r;
	ssize_t w;

	while ((r = spool_head(&s->sp)) != NULL) {
		w = send(t->fd, r->data, r->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS)) {
			s->blocked = 1;
			return 0;
		}
		if (w < 0 && errno == EMSGSIZE) {
			/* Larger than the socket takes: lost, counted. */
			s->st.rejected++;
			s->st.errors++;
			spool_pop(&s->sp);
			continue;
		}
		if (w < 0)
			return -1;
		spool_pop(&s->sp);
		s->st.written++;
	}
	return 0;
}

int
sink_sock_drain(struct sink *s)
{
	struct sock_tx *t = s->tx;
	int rc;

	if (!t->stream)
		return drain_dgram(s, t);
	if (t->connecting && (rc = connect_done(t)) <= 0) {
		s->blocked = rc == 0;
		return rc;
	}
	if (peer_closed(t))
		return -1;
	return sink_write_stream(s, t->fd, 1);
}

size_t
sink_sock_down(struct sink *s)
{
	struct sock_tx *t = s->tx;
	int saved = errno;

	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
	t->connecting = 0;
	errno = saved;
	/* A record cut by the broken stream goes again whole. */
	return spool_rewind(&s->sp);
}

void
sink_sock_free(struct sink *s)
{
	xfree(s->tx);
	s->tx = NULL;
}

int
sink_sock_init(struct sink *s, const char *path, const char *server,
    int stream)
{
	struct sock_tx *t;

	if ((t = xcalloc(1, sizeof(*t))) == NULL)
		return -1;
	t->fd = -1;
	t->stream = stream;
	if ((server != NULL ? resolve_inet(t, server) :
	    resolve_unix(t, path)) == -1) {
		xfree(t);
		return -1;
	}
	s->tx = t;
	/* A collector wants each event now; the send never blocks. */
	s->immediate = 1;
	return 0;
}

static int
unix_push(struct sink *s, const char *line, size_t len, int kind)
{
	struct sock_tx *t = s->tx;

	/* Suricata's unix_stream: newline-delimited; unix_dgram: one event
	 * per datagram, no newline. */
	return sink_push_plain(s, line, len, kind, "\n", t->stream ? 1 : 0);
}

static const struct sink_ops unix_ops = {
	unix_push, sink_sock_up, sink_sock_drain, sink_sock_down, NULL,
	sink_sock_free,
};

int
sink_unix_init(struct sink *s)
{
	if (sink_sock_init(s, s->conf.path, NULL, s->conf.stream) == -1)
		return -1;
	s->ops = &unix_ops;
	return 0;
}
