/*
 * probe.c - the active probe's process and its schedule.  See probe.h.
 *
 * Two halves.  The child (first half) does one thing: a handshake with a
 * name, asked by the main process, and the answer back.  It runs as its
 * own user, with a seccomp list that has no capture and no file opened
 * for writing, and Landlock lets it connect to the probe port only.  The
 * main process (second half) keeps the names, the schedule and the
 * rounds' memory, and parses each answer as hostile bytes: a child that
 * was taken over by a server it talked to must not reach further.
 *
 * The answer (child to parent, one SOCK_SEQPACKET message, big-endian):
 *
 *   seq(4) outcome(1) version(2) cipher(2) verify(4, signed)
 *   family(1) address(16) port(2) local address(16) local port(2)
 *   reason length(1) reason(n) truncated(1) certificates(1)
 *   { length(3) DER(length) } * certificates
 */
#define _GNU_SOURCE	/* getaddrinfo flags */

#include "rwconfig.h"

#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <yaml.h>

#include "../parsers/cur.h"
#include "json.h"
#include "log.h"
#include "privsep.h"
#include "probe_sched.h"
#include "sandbox.h"
#include "xmalloc.h"

#define PROBE_USER		"rootwatch-probe"
#define PROBE_USER_FALLBACK	"nobody"
#define PROBE_STORE		"/etc/ssl/certs/ca-certificates.crt"
#define PROBE_TIERS		"probe-targets.yaml"

struct probe_req {
	uint32_t	seq;
	uint32_t	tls12;
	char		name[PROBE_NAME_LEN];
};

/* ---- the child ------------------------------------------------------------ */

struct child {
	int		 fd;
	SSL_CTX		*ctx[2];	/* TLS 1.3-capable, TLS 1.2 only */
	unsigned	 port, connect_s, handshake_s;
	uint8_t		*buf;		/* the answer being built */
	size_t		 len;
	int		 full;
};

/* One attempt as the child sees it. */
struct attempt {
	enum probe_outcome outcome;
	uint16_t	version, cipher;
	int32_t		verify;
	uint8_t		family;
	uint8_t		addr[16], local[16];
	uint16_t	port, lport;
	char		reason[128];
};

static void
put(struct child *c, const void *p, size_t n)
{
	if (c->full || n > LIM_PROBE_MSG - c->len) {
		c->full = 1;
		return;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static void
put_be(struct child *c, uint32_t v, size_t n)
{
	uint8_t b[4];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(c, b, n);
}

static int
attempt_fail(struct attempt *a, enum probe_outcome o, const char *why)
{
	a->outcome = o;
	snprintf(a->reason, sizeof(a->reason), "%s", why);
	return -1;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* 1: fd ready for events, 0: the deadline passed, -1: error. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { fd, events, 0 };
	uint64_t now;
	int r;

	for (;;) {
		if ((now = mono_ms()) >= deadline)
			return 0;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r > 0)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
	}
}

static void
sockaddr_get(const struct sockaddr_storage *ss, uint8_t *fam, uint8_t a[16],
    uint16_t *port)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	memset(a, 0, 16);
	if (ss->ss_family == AF_INET) {
		*fam = 4;
		memcpy(a, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		*fam = 6;
		memcpy(a, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	}
}

/* The system resolver's first address for name. */
static int
child_resolve(struct child *c, const char *name, struct sockaddr_storage *ss,
    socklen_t *sl, struct attempt *a)
{
	struct addrinfo hints, *res;
	char port[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", c->port);
	if ((rc = getaddrinfo(name, port, &hints, &res)) != 0)
		return attempt_fail(a, PROBE_RESOLVE_FAILED, gai_strerror(rc));
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return attempt_fail(a, PROBE_RESOLVE_FAILED, "address size");
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sl = res->ai_addrlen;
	freeaddrinfo(res);
	sockaddr_get(ss, &a->family, a->addr, &a->port);
	return 0;
}

static int
connect_error(struct attempt *a, int err)
{
	return attempt_fail(a, err == ECONNREFUSED ? PROBE_REFUSED :
	    err == ETIMEDOUT ? PROBE_TIMEOUT : PROBE_CONNECT_FAILED,
	    strerror(err));
}

/* One non-blocking TCP connection, connect_s to complete. */
static int
child_connect(struct child *c, const struct sockaddr_storage *ss,
    socklen_t sl, struct attempt *a)
{
	struct sockaddr_storage me;
	socklen_t el = sizeof(int), ml = sizeof(me);
	int s, err = 0, r;

	s = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s == -1)
		return connect_error(a, errno);
	if (connect(s, (const struct sockaddr *)ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		err = errno;
	} else if ((r = wait_fd(s, POLLOUT, mono_ms() + c->connect_s *
	    1000ull)) <= 0) {
		close(s);
		return r == 0 ? attempt_fail(a, PROBE_TIMEOUT,
		    "connect timeout") : connect_error(a, errno);
	} else if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el) == -1)
		err = errno;
	if (err != 0) {
		close(s);
		return connect_error(a, err);
	}
	if (getsockname(s, (struct sockaddr *)&me, &ml) == 0)
		sockaddr_get(&me, &a->family, a->local, &a->lport);
	return s;
}

/* The handshake, handshake_s to complete; the SSL, even when it failed
 * (the server's chain may have come before the failure). */
static SSL *
child_handshake(struct child *c, int s, const char *name, int tls12,
    struct attempt *a)
{
	uint64_t deadline = mono_ms() + c->handshake_s * 1000ull;
	unsigned long e;
	SSL *ssl;
	int r, err;

	if ((ssl = SSL_new(c->ctx[tls12])) == NULL ||
	    SSL_set_fd(ssl, s) != 1 ||
	    SSL_set_tlsext_host_name(ssl, name) != 1 ||
	    SSL_set1_host(ssl, name) != 1) {
		(void)attempt_fail(a, PROBE_HANDSHAKE_FAILED, "no memory");
		return ssl;
	}
	while ((r = SSL_connect(ssl)) != 1) {
		err = SSL_get_error(ssl, r);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
			e = ERR_peek_last_error();
			(void)attempt_fail(a, PROBE_HANDSHAKE_FAILED, e != 0 ?
			    ERR_reason_error_string(e) != NULL ?
			    ERR_reason_error_string(e) : "TLS error" :
			    "connection closed");
			return ssl;
		}
		r = wait_fd(s, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
		    deadline);
		if (r <= 0) {
			(void)attempt_fail(a, r == 0 ? PROBE_TIMEOUT :
			    PROBE_HANDSHAKE_FAILED, r == 0 ?
			    "handshake timeout" : strerror(errno));
			return ssl;
		}
	}
	a->outcome = PROBE_OK;
	a->version = (uint16_t)SSL_version(ssl);
	if (SSL_get_current_cipher(ssl) != NULL)
		a->cipher = (uint16_t)SSL_CIPHER_get_protocol_id(
		    SSL_get_current_cipher(ssl));
	return ssl;
}

/* The certificates the server sent, in its order, as many as fit. */
static void
put_chain(struct child *c, SSL *ssl)
{
	STACK_OF(X509) *sk = ssl != NULL ? SSL_get_peer_cert_chain(ssl) : NULL;
	size_t at, n = 0;
	unsigned char *der;
	int i, len, total = sk != NULL ? sk_X509_num(sk) : 0;

	put(c, "\0", 1);		/* truncated, set below */
	at = c->len;
	put(c, "\0", 1);		/* count, set below */
	for (i = 0; i < total && n < LIM_PROBE_CERTS && !c->full; i++) {
		der = NULL;
		if ((len = i2d_X509(sk_X509_value(sk, i), &der)) <= 0)
			break;
		if ((size_t)len + 3 > LIM_PROBE_MSG - c->len) {
			OPENSSL_free(der);
			break;
		}
		put_be(c, (uint32_t)len, 3);
		put(c, der, (size_t)len);
		OPENSSL_free(der);
		n++;
	}
	if (c->full)
		return;
	c->buf[at - 1] = (uint8_t)((size_t)i < (size_t)total);
	c->buf[at] = (uint8_t)n;
}

static void
put_answer(struct child *c, uint32_t seq, const struct attempt *a, SSL *ssl)
{
	size_t rl = strlen(a->reason);

	c->len = 0;
	c->full = 0;
	put_be(c, seq, 4);
	put_be(c, (uint32_t)a->outcome, 1);
	put_be(c, a->version, 2);
	put_be(c, a->cipher, 2);
	put_be(c, (uint32_t)a->verify, 4);
	put_be(c, a->family, 1);
	put(c, a->addr, 16);
	put_be(c, a->port, 2);
	put(c, a->local, 16);
	put_be(c, a->lport, 2);
	put_be(c, (uint32_t)rl, 1);
	put(c, a->reason, rl);
	put_chain(c, ssl);
}

/* Resolve, connect, handshake, note the chain, close: nothing else is
 * sent to the server. */
static void
child_attempt(struct child *c, const struct probe_req *q)
{
	struct sockaddr_storage ss;
	struct attempt a;
	socklen_t sl = 0;
	SSL *ssl = NULL;
	int s = -1;

	memset(&a, 0, sizeof(a));
	a.verify = -1;
	if (!probe_name_ok(q->name))
		(void)attempt_fail(&a, PROBE_RESOLVE_FAILED, "bad name");
	else if (child_resolve(c, q->name, &ss, &sl, &a) == 0 &&
	    (s = child_connect(c, &ss, sl, &a)) != -1) {
		ssl = child_handshake(c, s, q->name, q->tls12 != 0, &a);
		if (ssl != NULL && SSL_get0_peer_certificate(ssl) != NULL)
			a.verify = (int32_t)SSL_get_verify_result(ssl);
	}
	put_answer(c, q->seq, &a, ssl);
	if (ssl != NULL) {
		if (a.outcome == PROBE_OK)
			(void)SSL_shutdown(ssl);	/* close_notify, once */
		SSL_free(ssl);
	}
	if (s != -1)
		close(s);
	ERR_clear_error();
}

static SSL_CTX *
child_ctx(const char *store, int tls12)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	/* the verdict is recorded, never enforced: the chain of a failed
	 * verification is what the probe is for */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (SSL_CTX_set_max_proto_version(ctx, tls12 ? TLS1_2_VERSION : 0) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, store, NULL) != 1) {
		log_warnx("probe: trust store %s: %s", store,
		    ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct child_opts {
	const char	*user;
	const char	*store;
	int		 log_only;
};

/* Its own user, files, system calls; the resolver's modules loaded and
 * the trust store read before. */
static int
child_confine(struct child *c, const struct child_opts *o)
{
	struct addrinfo hints, *res;
	struct sandbox sb;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("localhost", "443", &hints, &res) == 0)
		freeaddrinfo(res);
	if ((c->ctx[0] = child_ctx(o->store, 0)) == NULL ||
	    (c->ctx[1] = child_ctx(o->store, 1)) == NULL)
		return -1;
	if (sandbox_init(&sb, o->user, o->log_only) == -1)
		return -1;
	sandbox_allow_read(&sb, o->store, 0);
	sandbox_allow_network(&sb);
	sb.probe = 1;
	sb.connect_port = c->port;
	return sandbox_enter(&sb);
}

static void
child_main(struct child *c, const struct child_opts *o)
{
	struct probe_req q;
	ssize_t n;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	(void)prctl(PR_SET_NAME, "rootwatch-probe", 0, 0, 0);
	signal(SIGTERM, SIG_IGN);	/* ends with the sensor's socket */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if ((c->buf = xmalloc(LIM_PROBE_MSG)) == NULL ||
	    child_confine(c, o) == -1) {
		log_warnx("probe: cannot confine the probe process: it stops");
		_exit(1);
	}
	for (;;) {
		n = recv(c->fd, &q, sizeof(q), 0);
		if (n == 0 || (n == -1 && errno != EINTR))
			_exit(0);
		if (n != (ssize_t)sizeof(q))
			_exit(1);	/* not our peer */
		q.name[sizeof(q.name) - 1] = '\0';
		child_attempt(c, &q);
		if (!c->full && send(c->fd, c->buf, c->len, MSG_NOSIGNAL) == -1)
			_exit(1);
	}
}

/* ---- the main process's half ---------------------------------------------- */

struct pname {
	char		name[PROBE_NAME_LEN];
	uint64_t	gate_round;	/* the round cur and raised are of */
	uint32_t	cur;		/* signal kinds seen this round */
	uint32_t	prev;		/* ... in the last round before */
	uint32_t	raised;		/* ... reported this round */
};

struct probe_wire {
	pthread_mutex_t	 mu;
	char		 q[LIM_PROBE_WIRE_QUEUE][PROBE_NAME_LEN];
	size_t		 nq;
	uint32_t	 sample;	/* one in this many */
	uint16_t	 port;
	uint64_t	 sampled, queue_full;	/* under mu */
};

struct probe {
	int		 fd;
	struct probe_wire *wire;	/* from-wire; NULL: off */
	size_t		 nwire, wire_max;	/* names it added, at most */
	uint64_t	 wire_refused;	/* past wire_max, or not a name */
	pid_t		 pid;
	struct pname	*names;		/* [0]: the control */
	size_t		 n;
	struct probe_sched s;
	uint32_t	 seq;
	int		 busy;		/* a request is out */
	size_t		 cur;		/* its name */
	int		 cur12;
	uint64_t	 sent_at, wait_max;
	uint64_t	 ctl_round;	/* the control's result in that round */
	int		 ctl_valid;
	enum probe_outcome ctl_outcome;
	uint64_t	 bad_answers;	/* answers that did not parse */
	void		(*judge)(void *, const struct probe_judge *);
	void		*judge_arg;
	uint8_t		*buf;
	struct jbuf	 jb;
};

/* A name once: the control and targets, then each tier's. */
static int
names_add(struct pname *v, size_t *n, size_t max, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcasecmp(v[i].name, name) == 0)
			return 0;
	if (*n == max) {
		log_warnx("probe: more than %zu names: %s left out", max - 1,
		    name);
		return 0;
	}
	memset(&v[*n], 0, sizeof(v[*n]));
	snprintf(v[*n].name, sizeof(v[*n].name), "%s", name);
	(*n)++;
	return 0;
}

static int
wire_known(const struct probe *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcasecmp(p->names[i].name, name) == 0)
			return 1;
	return 0;
}

/* The shipped tier lists: installed, else the source tree's. */
static const char *
tiers_path(const struct probe_conf *pc, char *buf, size_t len)
{
	if (pc->tiers_file != NULL)
		return pc->tiers_file;
	snprintf(buf, len, "%s/rules/%s", RW_DATADIR, PROBE_TIERS);
	if (access(buf, R_OK) != 0)
		snprintf(buf, len, "%s/rules/%s", RW_SRCDIR, PROBE_TIERS);
	return buf;
}

/* The names of one tier: a mapping's sequence of names. */
static int
tier_names(yaml_document_t *d, yaml_node_t *seq, const char *tier,
    struct pname *v, size_t *n, size_t max)
{
	yaml_node_item_t *it;
	yaml_node_t *x;

	if (seq->type != YAML_SEQUENCE_NODE) {
		log_warnx("probe: tier %s: expected a list of names", tier);
		return -1;
	}
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		x = yaml_document_get_node(d, *it);
		if (x == NULL || x->type != YAML_SCALAR_NODE ||
		    !probe_name_ok((const char *)x->data.scalar.value)) {
			log_warnx("probe: tier %s: not a name", tier);
			return -1;
		}
		names_add(v, n, max, (const char *)x->data.scalar.value);
	}
	return 0;
}

static int
tier_find(yaml_document_t *d, const char *tier, struct pname *v, size_t *n,
    size_t max)
{
	yaml_node_t *root = yaml_document_get_root_node(d), *k;
	yaml_node_pair_t *p;

	if (root == NULL || root->type != YAML_MAPPING_NODE)
		return -1;
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(d, p->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, tier) == 0)
			return tier_names(d, yaml_document_get_node(d,
			    p->value), tier, v, n, max);
	}
	log_warnx("probe: no tier %s in the tier file", tier);
	return -1;
}

static int
load_tiers(const struct probe_conf *pc, struct pname *v, size_t *n,
    size_t max)
{
	char buf[4096];
	const char *path = tiers_path(pc, buf, sizeof(buf));
	yaml_parser_t yp;
	yaml_document_t d;
	size_t i;
	FILE *fp;
	int rc = 0;

	if (pc->ntiers == 0)
		return 0;
	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("probe: %s", path);
		return -1;
	}
	if (!yaml_parser_initialize(&yp)) {
		fclose(fp);
		return -1;
	}
	yaml_parser_set_input_file(&yp, fp);
	if (!yaml_parser_load(&yp, &d)) {
		log_warnx("probe: %s: not YAML", path);
		rc = -1;
	} else {
		for (i = 0; i < pc->ntiers && rc == 0; i++)
			rc = tier_find(&d, pc->tiers[i], v, n, max);
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&yp);
	fclose(fp);
	return rc;
}

/* The control first, then the configured targets, then the tiers'. */
static struct pname *
build_names(const struct probe_conf *pc, size_t *n)
{
	size_t max = LIM_PROBE_TARGETS + 1, i;
	struct pname *v;

	*n = 0;
	/* room for the names from-wire adds after these */
	if ((v = xcalloc(max + LIM_PROBE_WIRE_NAMES, sizeof(*v))) == NULL)
		return NULL;
	names_add(v, n, max, pc->control);
	for (i = 0; i < pc->ntargets; i++)
		names_add(v, n, max, pc->targets[i]);
	if (load_tiers(pc, v, n, max) == -1) {
		xfree(v);
		return NULL;
	}
	return v;
}

/* What the child would find missing only once forked: said at start. */
static int
conf_usable(const struct probe_conf *pc)
{
	const char *store = pc->trust_store != NULL ? pc->trust_store :
	    PROBE_STORE;

	if (pc->user != NULL && getpwnam(pc->user) == NULL) {
		log_warnx("probe: user %s: no such user", pc->user);
		return -1;
	}
	if (access(store, R_OK) != 0) {
		log_warn("probe: trust store %s", store);
		return -1;
	}
	return 0;
}

int
probe_check(const struct probe_conf *pc)
{
	struct pname *v;
	size_t n;

	if (conf_usable(pc) == -1 || (v = build_names(pc, &n)) == NULL)
		return -1;
	fprintf(stderr, "rootwatch: probe enabled: control %s, %zu target "
	    "names, a round every %us (+ up to %us)\n", v[0].name, n - 1,
	    pc->period, pc->jitter);
	xfree(v);
	return 0;
}

/* The probe's user: probe.user, else rootwatch-probe, else nobody. */
static const char *
probe_user(const struct probe_conf *pc)
{
	if (pc->user != NULL)
		return pc->user;
	if (getpwnam(PROBE_USER) != NULL)
		return PROBE_USER;
	if (geteuid() == 0)
		log_warnx("probe: user %s does not exist: the probe runs as "
		    "%s (create %s, or set probe.user)", PROBE_USER,
		    PROBE_USER_FALLBACK, PROBE_USER);
	return PROBE_USER_FALLBACK;
}

static uint64_t
probe_rnd(void *arg)
{
	uint64_t v = 0;

	(void)arg;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint64_t)mono_ms() * 0x9e3779b97f4a7c15ull;
	return v;
}

static int
probe_fork(struct probe *p, const struct probe_conf *pc, int log_only)
{
	struct child_opts co = { probe_user(pc), pc->trust_store != NULL ?
	    pc->trust_store : PROBE_STORE, log_only };
	struct child c;
	int fd;

	if ((p->pid = priv_fork("probe", &fd)) == -1)
		return -1;
	if (p->pid == 0) {
		memset(&c, 0, sizeof(c));
		c.fd = fd;
		c.port = pc->port;
		c.connect_s = pc->connect_timeout;
		c.handshake_s = pc->handshake_timeout;
		child_main(&c, &co);
	}
	p->fd = fd;
	(void)fcntl(p->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static int
wire_new(struct probe *p, const struct probe_conf *pc)
{
	if ((p->wire = xcalloc(1, sizeof(*p->wire))) == NULL)
		return -1;
	pthread_mutex_init(&p->wire->mu, NULL);
	p->wire->sample = pc->wire_sample > 0 ? pc->wire_sample : 1;
	p->wire->port = (uint16_t)pc->port;
	p->wire_max = pc->wire_max;
	log_info("probe: from-wire: one TLS session in %u to port %u offers "
	    "its server name, %u names at most", p->wire->sample, pc->port,
	    pc->wire_max);
	return 0;
}

struct probe_wire *
probe_wire(struct probe *p)
{
	return p != NULL ? p->wire : NULL;
}

/* xorshift64*: the sampling needs no more than a fair coin per session */
static uint64_t
wire_rnd(uint64_t *st)
{
	uint64_t x = *st != 0 ? *st : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return x * 0x2545f4914f6cdd1dull;
}

void
probe_wire_offer(struct probe_wire *pw, const char *sni, uint16_t port,
    uint64_t *rng)
{
	if (pw == NULL || port != pw->port || sni[0] == '\0' ||
	    wire_rnd(rng) % pw->sample != 0)
		return;
	pthread_mutex_lock(&pw->mu);
	pw->sampled++;
	if (pw->nq < LIM_PROBE_WIRE_QUEUE)
		snprintf(pw->q[pw->nq++], PROBE_NAME_LEN, "%s", sni);
	else
		pw->queue_full++;
	pthread_mutex_unlock(&pw->mu);
}

/* The names offered since the last tick join the schedule. */
static void
wire_take(struct probe *p)
{
	char q[LIM_PROBE_WIRE_QUEUE][PROBE_NAME_LEN];
	size_t nq, i;

	pthread_mutex_lock(&p->wire->mu);
	nq = p->wire->nq;
	memcpy(q, p->wire->q, nq * sizeof(q[0]));
	p->wire->nq = 0;
	pthread_mutex_unlock(&p->wire->mu);
	for (i = 0; i < nq; i++) {
		if (wire_known(p, q[i]))
			continue;
		if (!probe_name_ok(q[i]) || p->nwire == p->wire_max) {
			p->wire_refused++;
			continue;
		}
		if (probe_sched_add(&p->s) == -1)
			return;
		/* room: build_names left LIM_PROBE_WIRE_NAMES >= wire_max */
		names_add(p->names, &p->n, LIM_PROBE_TARGETS + 1 +
		    LIM_PROBE_WIRE_NAMES, q[i]);
		p->nwire++;
		log_info("probe: from-wire: %s joins the schedule", q[i]);
	}
}

struct probe *
probe_start(const struct probe_conf *pc, int log_only)
{
	struct probe *p;

	if ((p = xcalloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->fd = -1;
	jb_init(&p->jb);
	p->wait_max = (uint64_t)pc->connect_timeout + pc->handshake_timeout +
	    LIM_PROBE_ANSWER_SLACK;
	if (conf_usable(pc) == -1 || (p->names = build_names(pc, &p->n)) ==
	    NULL ||
	    (p->buf = xmalloc(LIM_PROBE_MSG)) == NULL ||
	    probe_sched_init(&p->s, p->n, (uint64_t)time(NULL), pc->period,
	    pc->jitter, pc->max_per_hour, probe_rnd, NULL) == -1 ||
	    probe_fork(p, pc, log_only) == -1 ||
	    (pc->from_wire && wire_new(p, pc) == -1)) {
		probe_stop(p);
		return NULL;
	}
	log_info("probe: started (pid %ld): control %s, %zu targets, a round "
	    "every %us (+ up to %us), at most %u attempts an hour",
	    (long)p->pid, p->names[0].name, p->n - 1, pc->period, pc->jitter,
	    pc->max_per_hour);
	return p;
}

void
probe_set_judge(struct probe *p, void (*fn)(void *,
    const struct probe_judge *), void *arg)
{
	p->judge = fn;
	p->judge_arg = arg;
}

pid_t
probe_pid(const struct probe *p)
{
	return p != NULL ? p->pid : -1;
}

void
probe_stop(struct probe *p)
{
	if (p == NULL)
		return;
	/* the child sees the end of its socket and exits; waitpid is off
	 * the sensor's seccomp list (as the capture helper's) */
	if (p->fd != -1)
		close(p->fd);
	if (p->wire != NULL)
		pthread_mutex_destroy(&p->wire->mu);
	xfree(p->wire);
	probe_sched_free(&p->s);
	jb_free(&p->jb);
	xfree(p->names);
	xfree(p->buf);
	xfree(p);
}

/* ---- answers --------------------------------------------------------------- */

static int
parse_chain(struct cur *c, struct probe_result *r)
{
	struct cur sub;
	uint32_t len;
	uint8_t trunc, n, i;

	if (cur_u8(c, &trunc) || cur_u8(c, &n) || n > LIM_PROBE_CERTS)
		return -1;
	for (i = 0; i < n; i++) {
		if (cur_be24(c, &len) || len == 0 || cur_sub(c, len, &sub))
			return -1;
		r->chain[i].der = cur_ptr(&sub);
		r->chain[i].len = len;
	}
	r->nchain = n;
	r->truncated = trunc != 0;
	return cur_left(c) == 0 ? 0 : -1;
}

/* An answer from the child, as hostile bytes: every field bounded. */
int
probe_parse_answer(const uint8_t *buf, size_t len, uint32_t *seq,
    struct probe_result *r, char reason[256])
{
	struct cur c;
	uint32_t verify;
	uint8_t out, fam, rl;

	cur_init(&c, buf, len);
	if (cur_be32(&c, seq) || cur_u8(&c, &out) ||
	    cur_be16(&c, &r->version) || cur_be16(&c, &r->cipher) ||
	    cur_be32(&c, &verify) || cur_u8(&c, &fam) ||
	    cur_bytes(&c, r->addr, 16) || cur_be16(&c, &r->port) ||
	    cur_bytes(&c, r->local, 16) || cur_be16(&c, &r->local_port) ||
	    cur_u8(&c, &rl) || cur_bytes(&c, reason, rl))
		return -1;
	if (out >= PROBE_OUTCOME_MAX || (fam != 0 && fam != 4 && fam != 6))
		return -1;
	reason[rl] = '\0';
	r->outcome = (enum probe_outcome)out;
	r->verify = (int32_t)verify;
	r->family = fam;
	r->reason = reason;
	return parse_chain(&c, r);
}

void
probe_render_result(struct jbuf *j, const struct probe_result *r)
{
	jb_reset(j);
	jb_obj_open(j, NULL);
	jb_str(j, "name", r->name);
	jb_bool(j, "control_name", r->is_control);
	if (r->family != 0)
		jb_ip(j, "address", r->family, r->addr);
	jb_u64(j, "port", r->port);
	jb_str(j, "tls_version", r->attempt == 0x0304 ? "1.3" : "1.2");
	jb_u64(j, "round", r->round);
	jb_str(j, "result", probe_outcome_name(r->outcome));
	if (r->reason[0] != '\0')
		jb_str(j, "reason", r->reason);
	if (r->verify >= 0)
		jb_str(j, "verify", X509_verify_cert_error_string(r->verify));
	jb_bool(j, "valid", r->verify == X509_V_OK && r->nchain > 0);
	jb_u64(j, "chain_length", r->nchain);
	if (r->truncated)
		jb_bool(j, "chain_truncated", 1);
	if (!r->is_control) {
		jb_obj_open(j, "control");
		jb_str(j, "name", r->control);
		jb_str(j, "result", r->control_done ?
		    probe_outcome_name(r->control_outcome) : "not-probed");
		jb_bool(j, "valid", r->control_valid);
		jb_obj_close(j);
	}
	jb_obj_close(j);
}

/* The control's result in the current round, or the answer's own. */
static void
note_control(struct probe *p, struct probe_result *r)
{
	int valid = r->verify == X509_V_OK && r->nchain > 0;

	if (r->is_control) {
		if (p->ctl_round != r->round) {
			p->ctl_round = r->round;
			p->ctl_valid = 0;
			p->ctl_outcome = r->outcome;
		}
		p->ctl_valid |= valid;
		if (r->outcome == PROBE_OK)
			p->ctl_outcome = PROBE_OK;
	}
	r->control = p->names[0].name;
	r->control_done = p->ctl_round == r->round;
	r->control_valid = r->control_done && p->ctl_valid;
	r->control_outcome = p->ctl_outcome;
}

/* Signals of a probe chain (probe_judge's gate): a kind is reported when
 * the name showed it on an earlier round as well and the control got a
 * valid chain this round, once a round. */
static uint32_t
probe_gate(void *arg, const struct probe_result *r, uint32_t kinds)
{
	struct probe *p = arg;
	struct pname *pn = &p->names[p->cur];
	uint32_t pass;

	if (pn->gate_round != r->round) {
		if (pn->cur != 0)
			pn->prev = pn->cur;
		pn->cur = pn->raised = 0;
		pn->gate_round = r->round;
	}
	pn->cur |= kinds;
	pass = r->control_valid ? kinds & pn->prev & ~pn->raised : 0;
	pn->raised |= pass;
	if (kinds & ~pass)
		log_debug("probe: %s: signals 0x%x held (round %llu, control "
		    "%s)", r->name, kinds & ~pass,
		    (unsigned long long)r->round, r->control_valid ? "valid" :
		    "not valid");
	return pass;
}

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
probe_answer(struct probe *p, const uint8_t *buf, size_t len)
{
	struct probe_result r;
	struct probe_judge pj;
	char reason[256];
	uint32_t seq;

	memset(&r, 0, sizeof(r));
	if (probe_parse_answer(buf, len, &seq, &r, reason) == -1) {
		p->bad_answers++;
		return;
	}
	if (!p->busy || seq != p->seq)
		return;			/* given up on already */
	p->busy = 0;
	r.name = p->names[p->cur].name;
	r.is_control = p->cur == 0;
	r.round = p->s.round;
	r.attempt = p->cur12 ? 0x0303 : 0x0304;
	note_control(p, &r);
	probe_sched_done(&p->s, p->cur, r.outcome == PROBE_OK,
	    r.outcome == PROBE_TIMEOUT);
	log_debug("probe: %s TLS %s: %s, %zu certificates", r.name,
	    p->cur12 ? "1.2" : "1.3", probe_outcome_name(r.outcome), r.nchain);
	/* events for connections made; a name that did not resolve or
	 * connect is in the stats only */
	if (p->judge == NULL || r.local_port == 0)
		return;
	probe_render_result(&p->jb, &r);
	memset(&pj, 0, sizeof(pj));
	pj.pr = &r;
	pj.json = p->jb.oom ? NULL : p->jb.buf;
	pj.json_len = p->jb.len;
	pj.ts_us = wall_us();
	pj.gate = probe_gate;
	pj.gate_arg = p;
	p->judge(p->judge_arg, &pj);
}

/* Every answer waiting; the child gone ends the probe. */
static void
probe_read(struct probe *p)
{
	ssize_t n;

	while (p->fd != -1) {
		n = recv(p->fd, p->buf, LIM_PROBE_MSG, MSG_DONTWAIT | MSG_TRUNC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			log_warnx("probe: the probe process ended: no more "
			    "probes");
			close(p->fd);
			p->fd = -1;
			return;
		}
		if ((size_t)n > LIM_PROBE_MSG)
			p->bad_answers++;
		else
			probe_answer(p, p->buf, (size_t)n);
	}
}

static void
probe_send(struct probe *p, size_t idx, int tls12, uint64_t now)
{
	struct probe_req q;
	struct iovec iov = { &q, sizeof(q) };
	struct msghdr m;

	memset(&q, 0, sizeof(q));
	q.seq = ++p->seq;
	q.tls12 = (uint32_t)tls12;
	snprintf(q.name, sizeof(q.name), "%s", p->names[idx].name);
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (sendmsg(p->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t)sizeof(q)) {
		log_warn("probe: request");
		probe_sched_done(&p->s, idx, 0, 0);
		return;
	}
	p->busy = 1;
	p->cur = idx;
	p->cur12 = tls12;
	p->sent_at = now;
}

void
probe_tick(struct probe *p, uint64_t now)
{
	size_t idx;
	int tls12;

	if (p == NULL || p->fd == -1)
		return;
	if (p->wire != NULL)
		wire_take(p);
	probe_read(p);
	if (p->busy && now > p->sent_at + p->wait_max) {
		log_warnx("probe: %s: no answer in %llus: counted as a "
		    "timeout", p->names[p->cur].name,
		    (unsigned long long)p->wait_max);
		probe_sched_done(&p->s, p->cur, 0, 1);
		p->busy = 0;
	}
	if (!p->busy && p->fd != -1 && probe_sched_next(&p->s, now, &idx,
	    &tls12))
		probe_send(p, idx, tls12, now);
}

/* ---- stats ----------------------------------------------------------------- */

static void
render_counts(struct jbuf *j, const char *key, const char *name,
    const struct probe_counts *c)
{
	jb_obj_open(j, key);
	if (name != NULL)
		jb_str(j, "name", name);
	jb_u64(j, "probes", c->probes);
	jb_u64(j, "ok", c->ok);
	jb_u64(j, "failed", c->failed);
	jb_u64(j, "timeouts", c->timeouts);
	jb_u64(j, "skipped_rate_limit", c->skipped_rate);
	jb_u64(j, "skipped_backoff", c->skipped_backoff);
	jb_obj_close(j);
}

static void
render_wire(const struct probe *p, struct jbuf *j)
{
	uint64_t sampled, full;

	pthread_mutex_lock(&p->wire->mu);
	sampled = p->wire->sampled;
	full = p->wire->queue_full;
	pthread_mutex_unlock(&p->wire->mu);
	jb_obj_open(j, "from_wire");
	jb_u64(j, "sampled", sampled);
	jb_u64(j, "queue_full", full);
	jb_u64(j, "added", p->nwire);
	jb_u64(j, "refused", p->wire_refused);
	jb_obj_close(j);
}

void
probe_render(const struct probe *p, struct jbuf *j)
{
	struct probe_counts t;
	const struct probe_counts *c;
	size_t i;

	if (p == NULL)
		return;
	memset(&t, 0, sizeof(t));
	for (i = 0; i < p->n; i++) {
		c = &p->s.names[i].c;
		t.probes += c->probes;
		t.ok += c->ok;
		t.failed += c->failed;
		t.timeouts += c->timeouts;
		t.skipped_rate += c->skipped_rate;
		t.skipped_backoff += c->skipped_backoff;
	}
	jb_obj_open(j, "probe");
	jb_bool(j, "running", p->fd != -1);
	jb_u64(j, "rounds", p->s.round);
	jb_u64(j, "bad_answers", p->bad_answers);
	render_counts(j, "total", NULL, &t);
	if (p->wire != NULL)
		render_wire(p, j);
	/* an array: names as keys would be split at their dots by SIEMs */
	jb_arr_open(j, "targets");
	for (i = 0; i < p->n; i++)
		render_counts(j, NULL, p->names[i].name, &p->s.names[i].c);
	jb_arr_close(j);
	jb_obj_close(j);
}
