/*
 * sink_syslog.c - events as syslog messages: RFC 5424 (RFC 3164 as an
 * option), to the local socket or to a collector over UDP (RFC 5426) or
 * TCP with octet-counting framing (RFC 6587 3.4.1).
 *
 * RFC 5424 section 6:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
 *   <165>1 2024-05-01T10:00:00.123456Z kit-7 rootwatch 812 alert - {...}
 *
 * PRI is facility * 8 + severity (alerts warning, everything else info);
 * TIMESTAMP is RFC 3339 UTC with microseconds; MSGID is the event type;
 * no structured data; MSG is the JSON event, without the UTF-8 BOM (MSG-ANY:
 * collectors treat a BOM as part of the JSON).  RFC 3164 section 4.1:
 *
 *   <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[pid]: MSG
 *
 * local time, and no HOSTNAME to the local socket, as syslog(3) writes.
 * Over TCP each message is framed "LEN SP MSG" (the octet count of MSG in
 * decimal); over a datagram transport one message is one datagram, cut to
 * max-size (counted as truncated).
 */
#include "sink_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#define SEV_WARNING	4
#define SEV_INFO	6

struct syslog_tx {
	struct syslog_fmt	 fmt;
	char			 host[256];
	int			 stream;
};

static const char *const facilities[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7",
};

int
sink_facility(const char *name)
{
	int i;

	for (i = 0; i < 24; i++)
		if (strcmp(name, facilities[i]) == 0)
			return i;
	return -1;
}

int
syslog_severity(int kind)
{
	return kind == SINK_EV_ALERT ? SEV_WARNING : SEV_INFO;
}

size_t
syslog_header(char *buf, const struct syslog_fmt *f, int severity,
    const char *msgid, const struct timespec *now)
{
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int pri = f->facility * 8 + severity, n;
	struct tm tm;

	if (f->rfc3164) {
		localtime_r(&now->tv_sec, &tm);
		n = snprintf(buf, SYSLOG_HDR_MAX, "<%d>%s %2d %02d:%02d:%02d "
		    "%s%s%s[%ld]: ", pri, mon[tm.tm_mon], tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, f->local ? "" :
		    f->hostname, f->local ? "" : " ", f->app, f->pid);
	} else {
		gmtime_r(&now->tv_sec, &tm);
		n = snprintf(buf, SYSLOG_HDR_MAX, "<%d>1 %04d-%02d-%02dT"
		    "%02d:%02d:%02d.%06ldZ %s %s %ld %s - ", pri,
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, now->tv_nsec / 1000, f->hostname,
		    f->app, f->pid, msgid);
	}
	if (n < 0)
		return 0;
	return (size_t)n < SYSLOG_HDR_MAX ? (size_t)n : SYSLOG_HDR_MAX - 1;
}

/* RFC 5424 HOSTNAME: 1*255 PRINTUSASCII; anything else becomes '-'. */
static void
clean_host(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < cap && i < 255;
	    i++)
		dst[i] = src[i] > 32 && src[i] < 127 ? src[i] : '-';
	if (i == 0)
		dst[i++] = '-';
	dst[i] = '\0';
}

static int
syslog_push(struct sink *s, const char *line, size_t len, int kind)
{
	struct syslog_tx *x = s->framing;
	char hdr[SYSLOG_HDR_MAX], frame[32];
	struct iovec iov[3];
	struct timespec now;
	size_t hlen, flen = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	hlen = syslog_header(hdr, &x->fmt, syslog_severity(kind),
	    sink_event_name(kind), &now);
	if (!x->stream && hlen + len > s->conf.max_size) {
		s->st.truncated++;
		len = s->conf.max_size > hlen ? s->conf.max_size - hlen : 0;
	}
	if (x->stream)
		flen = (size_t)snprintf(frame, sizeof(frame), "%zu ",
		    hlen + len);
	iov[0].iov_base = frame;
	iov[0].iov_len = flen;
	iov[1].iov_base = hdr;
	iov[1].iov_len = hlen;
	iov[2].iov_base = (void *)(uintptr_t)line;
	iov[2].iov_len = len;
	return spool_pushv(&s->sp, iov, 3, kind == SINK_EV_ALERT, kind);
}

static void
syslog_free(struct sink *s)
{
	sink_sock_free(s);
	xfree(s->framing);
	s->framing = NULL;
}

static const struct sink_ops syslog_ops = {
	syslog_push, sink_sock_up, sink_sock_drain, sink_sock_down, NULL,
	syslog_free,
};

int
sink_syslog_init(struct sink *s)
{
	const struct sink_conf *c = &s->conf;
	struct syslog_tx *x;
	char host[256];
	int local = c->server == NULL;

	if ((x = xcalloc(1, sizeof(*x))) == NULL)
		return -1;
	if (c->hostname != NULL)
		clean_host(x->host, sizeof(x->host), c->hostname);
	else {
		if (gethostname(host, sizeof(host)) == -1)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		clean_host(x->host, sizeof(x->host), host);
	}
	x->stream = !local && c->stream;
	x->fmt.rfc3164 = c->rfc3164;
	x->fmt.facility = c->facility;
	x->fmt.local = local;
	x->fmt.hostname = x->host;
	x->fmt.app = "rootwatch";
	x->fmt.pid = (long)getpid();
	/* The local socket is a datagram socket (syslog(3), /dev/log). */
	if (sink_sock_init(s, local ? (c->path != NULL ? c->path :
	    "/dev/log") : NULL, c->server, x->stream) == -1) {
		xfree(x);
		return -1;
	}
	s->framing = x;
	s->ops = &syslog_ops;
	return 0;
}
