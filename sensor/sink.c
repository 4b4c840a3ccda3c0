/*
 * sink.c - the outputs: fan-out, retry with backoff, loss accounting,
 * stats.  See sink.h; the transports are sink_file.c, sink_sock.c,
 * sink_syslog.c and sink_redis.c.
 */
#include "sink_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "limits.h"
#include "log.h"
#include "xmalloc.h"

struct sinks {
	struct sink	*v;
	size_t		 n;
	unsigned	 formats;
};

static const char *const type_names[SINK_TYPE_MAX] = {
	"file", "unix", "syslog", "redis",
};

static const char *const event_names[SINK_EV_MAX] = {
	"flow", "tls", "alert", "stats",
};

/* enum output_format (output.h), in order. */
static const char *const format_names[] = { "eve", "ecs" };

uint64_t
sink_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *
sink_type_name(enum sink_type t)
{
	return t < SINK_TYPE_MAX ? type_names[t] : "?";
}

const char *
sink_event_name(int kind)
{
	return kind >= 0 && kind < SINK_EV_MAX ? event_names[kind] : "event";
}

int
sink_event_kind(const char *name)
{
	int k;

	for (k = 0; k < SINK_EV_MAX; k++)
		if (strcmp(name, event_names[k]) == 0)
			return k;
	return -1;
}

void
sink_conf_default(struct sink_conf *c, enum sink_type t)
{
	memset(c, 0, sizeof(*c));
	c->type = t;
	c->facility = 21;		/* local5 */
	c->max_size = LIM_SINK_DGRAM_MAX;
	c->redis_mode = REDIS_LIST_LPUSH;
	c->spool_bytes = LIM_SINK_SPOOL_BYTES;
}

void
sink_conf_free(struct sink_conf *c)
{
	xfree(c->path);
	xfree(c->server);
	xfree(c->hostname);
	xfree(c->key);
	c->path = c->server = c->hostname = c->key = NULL;
}

static int
dup_str(char **dst, const char *src)
{
	*dst = NULL;
	return src != NULL && (*dst = xstrdup(src)) == NULL ? -1 : 0;
}

int
sink_conf_copy(struct sink_conf *dst, const struct sink_conf *src)
{
	*dst = *src;
	dst->path = dst->server = dst->hostname = dst->key = NULL;
	if (dup_str(&dst->path, src->path) == -1 ||
	    dup_str(&dst->server, src->server) == -1 ||
	    dup_str(&dst->hostname, src->hostname) == -1 ||
	    dup_str(&dst->key, src->key) == -1) {
		sink_conf_free(dst);
		return -1;
	}
	return 0;
}

int
sink_split_server(const char *server, char *host, size_t hlen, char *port,
    size_t plen)
{
	const char *colon, *h = server;
	size_t n;

	if (server[0] == '[') {
		if ((colon = strstr(server, "]:")) == NULL)
			return -1;
		h = server + 1;
		n = (size_t)(colon - h);
		colon++;
	} else {
		if ((colon = strrchr(server, ':')) == NULL)
			return -1;
		n = (size_t)(colon - server);
	}
	if (n == 0 || n >= hlen || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= plen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

int
sink_push_plain(struct sink *s, const char *line, size_t len, int kind,
    const char *suffix, size_t slen)
{
	struct iovec iov[2];

	iov[0].iov_base = (void *)(uintptr_t)line;
	iov[0].iov_len = len;
	iov[1].iov_base = (void *)(uintptr_t)suffix;
	iov[1].iov_len = slen;
	return spool_pushv(&s->sp, iov, 2, kind == SINK_EV_ALERT, kind);
}

/* The iovec of the records at the head, the first from its offset. */
static int
gather(const struct spool *sp, struct iovec *iov)
{
	const struct spool_rec *r;
	int n = 0;

	for (r = sp->head; r != NULL && n < LIM_SINK_IOV; r = r->next, n++) {
		iov[n].iov_base = (void *)(uintptr_t)r->data;
		iov[n].iov_len = r->len;
	}
	if (n > 0) {
		iov[0].iov_base = (char *)iov[0].iov_base + sp->off;
		iov[0].iov_len -= sp->off;
	}
	return n;
}

/* n bytes went out: pop the records written whole, keep the offset. */
static void
consume(struct sink *s, size_t n)
{
	struct spool_rec *r;

	while ((r = spool_head(&s->sp)) != NULL && n >= r->len - s->sp.off) {
		n -= r->len - s->sp.off;
		spool_pop(&s->sp);
		s->st.written++;
	}
	if (r != NULL)
		s->sp.off += n;
}

int
sink_write_stream(struct sink *s, int fd, int is_sock)
{
	struct iovec iov[LIM_SINK_IOV];
	struct msghdr mh;
	ssize_t w;
	int n;

	while ((n = gather(&s->sp, iov)) > 0) {
		if (is_sock) {
			memset(&mh, 0, sizeof(mh));
			mh.msg_iov = iov;
			mh.msg_iovlen = (size_t)n;
			/* MSG_NOSIGNAL: a closed peer is an error, not a
			 * SIGPIPE. */
			w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		} else
			w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			s->blocked = 1;
			return 0;
		}
		if (w < 0)
			return -1;
		consume(s, (size_t)w);
	}
	return 0;
}

/* A failure: close, count, schedule the retry, log once per episode. */
static void
sink_failed(struct sink *s, int err, uint64_t now)
{
	uint32_t max = s->closing ? LIM_SINK_RETRY_MIN_MS :
	    LIM_SINK_RETRY_MAX_MS;

	s->st.errors++;
	if (s->up) {
		s->st.resent += s->ops->down(s);
		s->up = 0;
	}
	s->backoff_ms = s->backoff_ms == 0 ? LIM_SINK_RETRY_MIN_MS :
	    s->backoff_ms >= max / 2 ? max : s->backoff_ms * 2;
	s->next_try_ms = now + s->backoff_ms;
	if (!s->failing && !s->closing)
		log_warnx("output %s: %s; events are queued (spool %zu "
		    "bytes) and the output retried", s->name, strerror(err),
		    s->sp.cap);
	s->failing = 1;
}

/* A loss episode ends when the spool has room again: say what it cost. */
static void
loss_check(struct sink *s)
{
	if (!s->losing && s->sp.dropped > s->loss_base) {
		s->losing = 1;
		if (s->sp.dropped_nomem > s->loss_nomem_base)
			log_warnx("output %s: out of memory: dropping events",
			    s->name);
		else
			log_warnx("output %s: spool full (%zu bytes): "
			    "dropping events, oldest non-alerts first",
			    s->name, s->sp.cap);
	} else if (s->losing && (s->closing || s->sp.bytes <= s->sp.cap / 2)) {
		s->losing = 0;
		log_warnx("output %s: %llu events lost, %llu of them alerts",
		    s->name, (unsigned long long)(s->sp.dropped -
		    s->loss_base), (unsigned long long)
		    (s->sp.dropped_alerts - s->loss_alert_base));
	}
	if (!s->losing) {
		s->loss_base = s->sp.dropped;
		s->loss_alert_base = s->sp.dropped_alerts;
		s->loss_nomem_base = s->sp.dropped_nomem;
	}
}

/* Open if due, then write what we can.  -1 while the sink is failing. */
static int
sink_service(struct sink *s, int force)
{
	uint64_t now = sink_now_ms(), before = s->st.written;

	if (!s->up) {
		if (!force && now < s->next_try_ms)
			return -1;
		if (s->failing)
			s->st.retries++;
		if (s->ops->up(s) == -1) {
			sink_failed(s, errno, now);
			return -1;
		}
		s->up = 1;
	}
	s->blocked = 0;
	if (s->ops->drain(s) == -1) {
		sink_failed(s, errno, now);
		loss_check(s);
		return -1;
	}
	if (s->failing && (s->st.written > before || s->sp.n == 0)) {
		s->failing = 0;
		s->backoff_ms = 0;
		if (!s->closing)
			log_info("output %s: writing again, %zu events "
			    "still queued", s->name, s->sp.n);
	}
	loss_check(s);
	return 0;
}

static int
wants(const struct sink *s, int format, int kind)
{
	if (s->conf.format != format)
		return 0;
	return s->conf.types == 0 || (kind >= 0 && kind < SINK_EV_MAX &&
	    (s->conf.types & (1u << kind)) != 0);
}

void
sinks_emit(struct sinks *ss, int format, int kind, const char *line,
    size_t len)
{
	struct sink *s;
	size_t i;

	/* The line's own newline: each transport frames it its way. */
	if (len > 0 && line[len - 1] == '\n')
		len--;
	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		if (!wants(s, format, kind))
			continue;
		s->st.events++;
		/* The far end cannot take it now: it waits for a retry. */
		if (!s->up || s->blocked)
			s->st.queued++;
		s->ops->push(s, line, len, kind);
		loss_check(s);
		if (s->up ? s->immediate || (!s->blocked &&
		    s->sp.bytes >= LIM_SINK_BATCH) :
		    sink_now_ms() >= s->next_try_ms)
			sink_service(s, 0);
	}
}

int
sinks_flush(struct sinks *ss)
{
	size_t i;
	int rc = 0;

	for (i = 0; ss != NULL && i < ss->n; i++)
		if (sink_service(&ss->v[i], 0) == -1 || ss->v[i].failing)
			rc = -1;
	return rc;
}

int
sinks_reopen(struct sinks *ss)
{
	struct sink *s;
	size_t i;
	int rc = 0;

	for (i = 0; ss != NULL && i < ss->n; i++) {
		s = &ss->v[i];
		if (s->ops->reopen == NULL)
			continue;
		sink_service(s, 0);
		if (s->ops->reopen(s) == -1) {
			log_warn("output %s: reopen", s->name);
			rc = -1;
		}
	}
	return rc;
}

unsigned
sinks_formats(const struct sinks *ss)
{
	return ss != NULL ? ss->formats : 0;
}

uint64_t
sinks_errors(const struct sinks *ss)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; ss != NULL && i < ss->n; i++)
		n += ss->v[i].st.errors;
	return n;
}

void
sinks_stats_render(const struct sinks *ss, struct jbuf *j)
{
	const struct sink *s;
	size_t i;

	if (ss == NULL)
		return;
	jb_arr_open(j, "outputs");
	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		jb_obj_open(j, NULL);
		jb_str(j, "name", s->name);
		jb_str(j, "type", sink_type_name(s->conf.type));
		jb_str(j, "format", s->conf.format >= 0 && s->conf.format < 2 ?
		    format_names[s->conf.format] : "?");
		jb_bool(j, "up", s->up && !s->failing);
		jb_u64(j, "events", s->st.events);
		jb_u64(j, "written", s->st.written);
		jb_u64(j, "queued", s->st.queued);
		jb_u64(j, "retried", s->st.retries);
		jb_u64(j, "resent", s->st.resent);
		jb_u64(j, "dropped", s->sp.dropped + s->st.rejected);
		jb_u64(j, "dropped_alerts", s->sp.dropped_alerts);
		jb_u64(j, "rejected", s->st.rejected);
		jb_u64(j, "truncated", s->st.truncated);
		jb_u64(j, "errors", s->st.errors);
		jb_u64(j, "pending", s->sp.n);
		jb_u64(j, "spool_bytes", s->sp.bytes);
		jb_obj_close(j);
	}
	jb_arr_close(j);
}

static void
sink_name(struct sink *s)
{
	const struct sink_conf *c = &s->conf;
	const char *where = c->server != NULL ? c->server : c->path != NULL ?
	    c->path : c->type == SINK_FILE ? "stdout" :
	    c->type == SINK_SYSLOG ? "/dev/log" : "?";

	snprintf(s->name, sizeof(s->name), "%s:%s%s%s%s", type_names[c->type],
	    where, c->type == SINK_REDIS ? "/" : "",
	    c->type == SINK_REDIS && c->key != NULL ? c->key : "",
	    c->type == SINK_SYSLOG && c->server != NULL ?
	    (c->stream ? "/tcp" : "/udp") : "");
}

static int
sink_init(struct sink *s, const struct sink_conf *c)
{
	static int (*const init[SINK_TYPE_MAX])(struct sink *) = {
		sink_file_init, sink_unix_init, sink_syslog_init,
		sink_redis_init,
	};

	if (c->type >= SINK_TYPE_MAX || sink_conf_copy(&s->conf, c) == -1)
		return -1;
	sink_name(s);
	spool_init(&s->sp, c->spool_bytes > 0 ? c->spool_bytes :
	    LIM_SINK_SPOOL_BYTES);
	if (init[c->type](s) == -1) {
		sink_conf_free(&s->conf);
		return -1;
	}
	/* First connection now, so a bad path shows at start-up; a
	 * collector that is down is only retried. */
	sink_service(s, 1);
	return 0;
}

struct sinks *
sinks_open(const struct sink_conf *c, size_t n)
{
	struct sinks *ss;
	size_t i;

	if ((ss = xcalloc(1, sizeof(*ss))) == NULL ||
	    (n > 0 && (ss->v = xcalloc(n, sizeof(*ss->v))) == NULL)) {
		xfree(ss);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (sink_init(&ss->v[i], &c[i]) == -1) {
			sinks_close(ss);
			return NULL;
		}
		ss->n++;
		ss->formats |= 1u << c[i].format;
	}
	return ss;
}

/* Exit: give the queued events a last chance, then count what is left. */
static void
sinks_drain(struct sinks *ss)
{
	uint64_t deadline = sink_now_ms() + LIM_SINK_DRAIN_MS;
	size_t i, left;

	for (i = 0; i < ss->n; i++) {
		ss->v[i].closing = 1;
		ss->v[i].next_try_ms = 0;
		ss->v[i].backoff_ms = 0;
	}
	for (;;) {
		left = 0;
		for (i = 0; i < ss->n; i++) {
			sink_service(&ss->v[i], 0);
			left += ss->v[i].sp.n;
		}
		if (left == 0 || sink_now_ms() >= deadline)
			break;
		poll(NULL, 0, 10);
	}
}

void
sinks_close(struct sinks *ss)
{
	struct sink *s;
	size_t i;

	if (ss == NULL)
		return;
	sinks_drain(ss);
	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		if (s->sp.n > 0)
			log_warnx("output %s: %zu events not delivered at exit",
			    s->name, s->sp.n);
		loss_check(s);
		if (s->up)
			s->ops->down(s);
		s->ops->free(s);
		spool_free(&s->sp);
		sink_conf_free(&s->conf);
	}
	xfree(ss->v);
	xfree(ss);
}

int
sinks_streaming(const struct sinks *ss)
{
	size_t i;

	for (i = 0; ss != NULL && i < ss->n; i++)
		if (sink_file_streaming(&ss->v[i]))
			return 1;
	return 0;
}

size_t
sinks_file_fds(const struct sinks *ss, int *fds, size_t max)
{
	size_t i, n = 0;
	int fd;

	for (i = 0; ss != NULL && i < ss->n && n < max; i++)
		if ((fd = sink_file_fd(&ss->v[i])) != -1)
			fds[n++] = fd;
	return n;
}

const char *
sinks_path(const struct sinks *ss, size_t i, enum sink_type *type)
{
	if (ss == NULL || i >= ss->n)
		return NULL;
	*type = ss->v[i].conf.type;
	return ss->v[i].conf.path;
}

int
sinks_network(const struct sinks *ss)
{
	size_t i;

	for (i = 0; ss != NULL && i < ss->n; i++)
		if (ss->v[i].conf.type != SINK_FILE)
			return 1;
	return 0;
}

size_t
sinks_count(const struct sinks *ss)
{
	return ss != NULL ? ss->n : 0;
}

int
sink_connect_done(int fd)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&pfd, 1, 0) == 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 1;
}
