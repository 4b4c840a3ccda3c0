/*
 * live.c - live capture through fanout members.  See live.h.
 *
 * Ownership: a member's ring belongs to its worker thread while the
 * member is UP, and to the main thread while it is CLOSED; the state
 * word, stored with release and loaded with acquire, hands it over.  The
 * member's mutex is taken only by a closing worker and by the main
 * thread reading the socket's counters (never per packet).
 */
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>

#include "app.h"
#include "ifstats.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "privsep.h"
#include "tpring.h"
#include "workers.h"
#include "xmalloc.h"

/* Blocks a thread takes from one ring before it looks at the others. */
#define LIVE_BATCH_BLOCKS	8
/* A worker thread's poll(2) timeout: stop and drain requests wait no
 * longer than this (ms). */
#define LIVE_POLL_MS		100

enum member_state { M_CLOSED, M_UP };

struct member {
	struct tpring		 r;
	_Atomic int		 state;
	_Atomic int		 err;		/* why it closed */
	pthread_mutex_t		 mu;		/* close vs. counters */
	uint64_t		 packets, drops;	/* closed sockets' */
};

enum live_state { LS_UP, LS_DRAIN, LS_DOWN };
enum live_event { LE_FAILED, LE_DRAINED, LE_REOPENED, LE_RETRY_FAILED };

struct iface {
	struct live_iface_opts	 o;
	struct member		*m;		/* one per worker */
	struct priv_open	 req;		/* filter compiled at start */
	int			 dlt, arphrd, ifindex;
	enum live_state		 state;
	_Atomic int		 drain;		/* workers close their member */
	int			 err;		/* the loss's errno */
	unsigned		 gen;		/* fanout group generation */
	unsigned		 backoff;	/* seconds */
	time_t			 retry_at;
	uint64_t		 losses, reopens;
	struct ifdrops		 ifdrops;	/* the interface's own */
};

struct thr {
	struct live		*l;
	size_t			 i;
};

struct live {
	struct priv		*priv;
	struct pool		*pool;
	size_t			 nw, nif;
	struct iface		 ifs[LIM_INTERFACES];
	struct thr		 thr[LIM_WORKERS_MAX];
	int			 netdev;	/* /proc/net/dev, -1: none */
	char			*netdev_buf;	/* LIM_NETDEV_BYTES */
	_Atomic int		 quit;
	int			 started;
};

static const char *const state_names[] = { "up", "draining", "down" };

/* ---- opening ------------------------------------------------------------- */

static int
arphrd_dlt(int arphrd)
{
	switch (arphrd) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:	/* the kernel gives it a zero MAC header */
		return DLT_EN10MB;
	case ARPHRD_NONE:	/* tun, WireGuard: bare IP */
		return DLT_RAW;
	}
	return -1;
}

/*
 * The filter, compiled by libpcap for the interface's link type: its
 * accepting return value is the snap length, which is how the kernel
 * cuts each frame.  An empty filter still gives that one instruction.
 */
static int
compile_filter(struct iface *f)
{
	struct bpf_program prog;
	pcap_t *dead;
	int rc = -1;

	if ((dead = pcap_open_dead(f->dlt, (int)f->o.snaplen)) == NULL)
		return -1;
	if (pcap_compile(dead, &prog, f->o.bpf != NULL ? f->o.bpf : "", 1,
	    PCAP_NETMASK_UNKNOWN) == -1)
		log_warnx("%s: bad filter \"%s\": %s", f->o.name, f->o.bpf,
		    pcap_geterr(dead));
	else if (prog.bf_len > PRIV_MAX_INSNS)
		log_warnx("%s: filter too long (%u instructions, at most %d)",
		    f->o.name, prog.bf_len, PRIV_MAX_INSNS);
	else {
		/* struct bpf_insn and struct sock_filter: the same layout */
		memcpy(f->req.insns, prog.bf_insns,
		    prog.bf_len * sizeof(*prog.bf_insns));
		f->req.ninsns = prog.bf_len;
		rc = 0;
	}
	if (rc == 0 || prog.bf_insns != NULL)
		pcap_freecode(&prog);
	pcap_close(dead);
	return rc;
}

/* The fanout group of this interface's current generation: unique per
 * process and interface (ids are per network namespace). */
static uint32_t
fanout_arg(const struct live *l, const struct iface *f)
{
	uint32_t id = ((uint32_t)getpid() * 131u + (uint32_t)(f - l->ifs) *
	    977u + f->gen * 7919u) & 0xffffu;

	return id | (uint32_t)(PACKET_FANOUT_HASH |
	    PACKET_FANOUT_FLAG_DEFRAG) << 16;
}

static void
reply_log(const struct iface *f, const struct priv_reply *r, int quiet)
{
	errno = r->err;
	if (quiet)
		log_debug("%s: %s: %s", f->o.name, r->step, strerror(r->err));
	else if (r->err == ENODEV)
		log_warnx("%s: no such interface", f->o.name);
	else if (r->err == EPERM)
		log_warnx("%s: permission denied (run as root or grant "
		    "CAP_NET_RAW)", f->o.name);
	else
		log_warnx("%s: %s: %s", f->o.name, r->step, strerror(r->err));
}

/*
 * Open the member sockets of f.  0; 1 when the interface is not (yet)
 * there or refused (r->err, logged unless quiet); -1 when the helper is
 * gone.
 */
static int
open_members(struct live *l, struct iface *f, int quiet)
{
	struct priv_reply r;
	size_t i;
	int fd;

	f->req.fanout = fanout_arg(l, f);
	for (i = 0; i < l->nw; i++) {
		if (priv_request(l->priv, &f->req, &fd, &r) == -1)
			goto gone;
		if (r.err == 0 && arphrd_dlt(r.arphrd) != f->dlt) {
			close(fd);
			r.err = EPROTOTYPE;
			snprintf(r.step, sizeof(r.step), "link type changed");
		}
		if (r.err != 0) {
			reply_log(f, &r, quiet);
			f->err = r.err;
			goto fail;
		}
		if (tpring_open(&f->m[i].r, fd, LIM_LIVE_BLOCK,
		    f->o.ring_bytes / LIM_LIVE_BLOCK, f->dlt, f->o.snaplen) ==
		    -1) {
			f->err = errno;
			log_warn("%s: cannot map the capture ring", f->o.name);
			goto fail;
		}
		f->ifindex = r.ifindex;
	}
	return 0;
gone:
	log_warnx("%s: the capture helper is gone", f->o.name);
fail:
	while (i > 0)
		tpring_close(&f->m[--i].r);
	f->gen++;		/* a new group for the next attempt */
	return f->err == 0 ? -1 : 1;
}

static void read_ifdrops(const struct live *, struct iface *);

/* Ask the link type, compile the filter, open the members. */
static int
iface_open(struct live *l, struct iface *f)
{
	struct priv_reply r;
	size_t i;

	snprintf(f->req.ifname, sizeof(f->req.ifname), "%s", f->o.name);
	f->req.block_size = LIM_LIVE_BLOCK;
	f->req.block_nr = f->o.ring_bytes / LIM_LIVE_BLOCK;
	f->req.promisc = (uint32_t)f->o.promisc;
	if (priv_request(l->priv, &f->req, NULL, &r) == -1) {
		log_warnx("%s: the capture helper does not answer", f->o.name);
		return -1;
	}
	if (r.err != 0) {
		reply_log(f, &r, 0);
		return -1;
	}
	if ((f->dlt = arphrd_dlt(r.arphrd)) == -1) {
		log_warnx("%s: link type (ARPHRD %d) is not supported live",
		    f->o.name, r.arphrd);
		return -1;
	}
	f->arphrd = r.arphrd;
	if (compile_filter(f) == -1 || open_members(l, f, 0) != 0)
		return -1;
	for (i = 0; i < l->nw; i++)
		atomic_store(&f->m[i].state, M_UP);
	ifdrops_new_device(&f->ifdrops);
	read_ifdrops(l, f);
	return 0;
}

struct live *
live_new(struct priv *priv, struct pool *pool,
    const struct live_iface_opts *o, size_t nif)
{
	struct worker *const *ws;
	struct live *l;
	size_t i, j;

	if (nif == 0 || nif > LIM_INTERFACES ||
	    (l = xcalloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->priv = priv;
	l->pool = pool;
	/* the interfaces' own drops (ifstats.h): opened before the sandbox,
	 * which could not open it later */
	l->netdev = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
	if (l->netdev == -1)
		log_warn("/proc/net/dev: no interface drop counts");
	if ((l->netdev_buf = xcalloc(1, LIM_NETDEV_BYTES)) == NULL) {
		live_free(l);
		return NULL;
	}
	ws = pool_workers(pool, &l->nw);
	(void)ws;
	for (i = 0; i < nif; i++) {
		l->ifs[i].o = o[i];
		l->ifs[i].backoff = 1;
		if (l->ifs[i].o.ring_bytes < 2 * LIM_LIVE_BLOCK)
			l->ifs[i].o.ring_bytes = 2 * LIM_LIVE_BLOCK;
		if ((l->ifs[i].m = xcalloc(l->nw, sizeof(struct member))) ==
		    NULL)
			break;
		l->nif++;
		for (j = 0; j < l->nw; j++) {
			l->ifs[i].m[j].r.fd = -1;
			pthread_mutex_init(&l->ifs[i].m[j].mu, NULL);
		}
		if (iface_open(l, &l->ifs[i]) == -1)
			break;
	}
	if (i < nif) {
		live_free(l);
		return NULL;
	}
	return l;
}

/* ---- the worker threads ---------------------------------------------------- */

static void
live_frame(void *arg, int dlt, const uint8_t *data, size_t caplen,
    size_t len, uint64_t ts_us)
{
	worker_frame(arg, dlt, data, caplen, len, ts_us);
}

/* The worker lets go of its member: counters kept, ring closed. */
static void
member_close(struct member *m, int err)
{
	uint64_t p, d;

	pthread_mutex_lock(&m->mu);
	if (tpring_stats(&m->r, &p, &d) == 0) {
		m->packets += p;
		m->drops += d;
	}
	tpring_close(&m->r);
	pthread_mutex_unlock(&m->mu);
	atomic_store(&m->err, err);
	atomic_store_explicit(&m->state, M_CLOSED, memory_order_release);
}

static int
sock_error(int fd)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	return e != 0 ? e : EIO;
}

/* The members this thread reads now; closes those asked to drain. */
static size_t
thr_poll_set(struct thr *t, struct pollfd *pfd, struct member **ms)
{
	struct live *l = t->l;
	struct member *m;
	size_t j, n = 0;

	for (j = 0; j < l->nif; j++) {
		m = &l->ifs[j].m[t->i];
		if (atomic_load_explicit(&m->state, memory_order_acquire) !=
		    M_UP)
			continue;
		if (atomic_load(&l->ifs[j].drain)) {
			member_close(m, 0);
			continue;
		}
		pfd[n].fd = m->r.fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		ms[n++] = m;
	}
	return n;
}

static void *
thr_main(void *arg)
{
	struct thr *t = arg;
	struct worker *w = pool_workers(t->l->pool, &(size_t){ 0 })[t->i];
	struct pollfd pfd[LIM_INTERFACES];
	struct member *ms[LIM_INTERFACES];
	size_t j, n;

	while (!atomic_load(&t->l->quit)) {
		if ((n = thr_poll_set(t, pfd, ms)) == 0) {
			(void)poll(NULL, 0, LIVE_POLL_MS);
			continue;
		}
		(void)poll(pfd, n, LIVE_POLL_MS);
		pool_batch_begin(t->l->pool, t->i);
		for (j = 0; j < n; j++) {
			(void)tpring_read(&ms[j]->r, LIVE_BATCH_BLOCKS,
			    live_frame, w);
			if (pfd[j].revents & (POLLERR | POLLHUP | POLLNVAL))
				member_close(ms[j], sock_error(ms[j]->r.fd));
		}
		pool_batch_end(t->l->pool, t->i);
	}
	pool_batch_begin(t->l->pool, t->i);
	worker_flush_flows(w);
	pool_batch_end(t->l->pool, t->i);
	return NULL;
}

int
live_start(struct live *l)
{
	void *args[LIM_WORKERS_MAX];
	sigset_t all, old;
	size_t i;
	int rc;

	for (i = 0; i < l->nw; i++) {
		l->thr[i].l = l;
		l->thr[i].i = i;
		args[i] = &l->thr[i];
	}
	/* signals go to the main thread, which acts on them */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pool_start_threads(l->pool, thr_main, args);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	l->started = 1;
	return rc;
}

void
live_stop(struct live *l)
{
	atomic_store(&l->quit, 1);
}

/* ---- the main thread: losses and reopening ------------------------------------ */

static void
live_change_state(struct iface *f, enum live_state to)
{
	log_debug("%s: capture %s -> %s", f->o.name, state_names[f->state],
	    state_names[to]);
	f->state = to;
}

/* Members closed, and the first error among them. */
static size_t
members_closed(const struct live *l, struct iface *f, int *err)
{
	size_t i, n = 0;
	int e;

	*err = 0;
	for (i = 0; i < l->nw; i++) {
		if (atomic_load_explicit(&f->m[i].state,
		    memory_order_acquire) != M_CLOSED)
			continue;
		n++;
		if (*err == 0 && (e = atomic_load(&f->m[i].err)) != 0)
			*err = e;
	}
	return n;
}

static void
schedule_retry(struct iface *f, time_t now)
{
	f->retry_at = now + (time_t)f->backoff;
	f->backoff = f->backoff * 2 > LIM_LIVE_BACKOFF_MAX ?
	    LIM_LIVE_BACKOFF_MAX : f->backoff * 2;
}

/* One interface's state machine (rootwatch(8) INTERFACES). */
static int
iface_event(struct live *l, struct iface *f, enum live_event ev, time_t now)
{
	size_t i;

	switch (f->state) {
	case LS_UP:
		if (ev != LE_FAILED)
			break;
		atomic_store(&f->drain, 1);	/* every member closes */
		live_change_state(f, LS_DRAIN);
		break;
	case LS_DRAIN:
		if (ev != LE_DRAINED)
			break;
		atomic_store(&f->drain, 0);
		f->losses++;
		errno = f->err;
		log_warnx("%s: capture lost (%s): reopening it every %u s to "
		    "%d s until it is back", f->o.name, strerror(f->err),
		    f->backoff, LIM_LIVE_BACKOFF_MAX);
		f->retry_at = now + (time_t)f->backoff;
		live_change_state(f, LS_DOWN);
		break;
	case LS_DOWN:
		if (ev == LE_RETRY_FAILED) {
			schedule_retry(f, now);
			break;
		}
		if (ev != LE_REOPENED)
			break;
		f->reopens++;
		f->backoff = 1;
		/* a re-created interface counts its drops from 0 */
		ifdrops_new_device(&f->ifdrops);
		for (i = 0; i < l->nw; i++)
			atomic_store_explicit(&f->m[i].state, M_UP,
			    memory_order_release);
		log_warnx("%s: capture resumed (interface index %d) after %llu "
		    "losses", f->o.name, f->ifindex,
		    (unsigned long long)f->losses);
		live_change_state(f, LS_UP);
		read_ifdrops(l, f);
		break;
	}
	return 0;
}

static int
iface_tick(struct live *l, struct iface *f, time_t now)
{
	size_t closed;
	int err, rc;

	closed = members_closed(l, f, &err);
	if (f->state == LS_UP && closed > 0) {
		f->err = err != 0 ? err : EIO;
		iface_event(l, f, LE_FAILED, now);
	}
	if (f->state == LS_DRAIN && closed == l->nw)
		iface_event(l, f, LE_DRAINED, now);
	if (f->state != LS_DOWN || now < f->retry_at)
		return 0;
	f->err = 0;
	if ((rc = open_members(l, f, 1)) == -1)
		return -1;
	return iface_event(l, f, rc == 0 ? LE_REOPENED : LE_RETRY_FAILED,
	    now);
}

/* The helper's end closed (it died, was killed): no reopening can come. */
static int
helper_gone(const struct live *l)
{
	struct pollfd pfd = { l->priv->fd, 0, 0 };

	return l->priv->fd == -1 || (poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)));
}

int
live_tick(struct live *l, time_t now)
{
	size_t i;

	if (helper_gone(l)) {
		log_warnx("the capture helper is gone: lost interfaces could "
		    "not be reopened");
		return -1;
	}
	for (i = 0; i < l->nif; i++)
		if (iface_tick(l, &l->ifs[i], now) == -1)
			return -1;
	return 0;
}

void
live_free(struct live *l)
{
	size_t i, j;

	if (l == NULL)
		return;
	for (i = 0; i < l->nif; i++) {
		for (j = 0; j < l->nw; j++) {
			tpring_close(&l->ifs[i].m[j].r);
			pthread_mutex_destroy(&l->ifs[i].m[j].mu);
		}
		xfree(l->ifs[i].m);
	}
	if (l->netdev != -1)
		close(l->netdev);
	xfree(l->netdev_buf);
	xfree(l);
}

/* ---- counters ------------------------------------------------------------------ */

/*
 * The interface's own drops, while its capture is up: lost or not yet
 * reopened, the name may be missing or belong to a new device, whose
 * count starts when it is reopened.
 */
static void
read_ifdrops(const struct live *l, struct iface *f)
{
	ssize_t n;
	uint64_t v;

	if (l->netdev == -1 || f->state != LS_UP ||
	    (n = pread(l->netdev, l->netdev_buf, LIM_NETDEV_BYTES, 0)) <= 0)
		return;
	if (ifstats_netdev_drops(l->netdev_buf, (size_t)n, f->o.name, &v) ==
	    0)
		ifdrops_update(&f->ifdrops, v);
}

/* Summed over members: packets (drops included) and drops. */
static void
iface_counts(const struct live *l, struct iface *f, uint64_t *pk,
    uint64_t *dr)
{
	struct member *m;
	uint64_t p, d;
	size_t i;

	*pk = *dr = 0;
	for (i = 0; i < l->nw; i++) {
		m = &f->m[i];
		pthread_mutex_lock(&m->mu);
		if (atomic_load_explicit(&m->state, memory_order_acquire) ==
		    M_UP && tpring_stats(&m->r, &p, &d) == 0) {
			m->packets += p;
			m->drops += d;
		}
		*pk += m->packets;
		*dr += m->drops;
		pthread_mutex_unlock(&m->mu);
	}
	read_ifdrops(l, f);
}

void
live_render(struct live *l, struct jbuf *j)
{
	struct iface *f;
	uint64_t pk, dr;
	char frac[32];
	size_t i;
	int n;

	jb_obj_open(j, "capture");
	jb_arr_open(j, "interfaces");
	for (i = 0; i < l->nif; i++) {
		f = &l->ifs[i];
		iface_counts(l, f, &pk, &dr);
		jb_obj_open(j, NULL);
		jb_str(j, "name", f->o.name);
		jb_str(j, "state", state_names[f->state]);
		jb_u64(j, "received", pk);
		jb_u64(j, "kernel_drops", dr);
		jb_u64(j, "ifdrops", ifdrops_total(&f->ifdrops));
		n = snprintf(frac, sizeof(frac), "%.6f", pk > 0 ?
		    (double)dr / (double)pk : 0.0);
		jb_raw(j, "drop_fraction", frac, (size_t)n);
		jb_u64(j, "losses", f->losses);
		jb_u64(j, "reopens", f->reopens);
		jb_u64(j, "workers", l->nw);
		jb_obj_close(j);
	}
	jb_arr_close(j);
	jb_obj_close(j);
}

void
live_counters(struct live *l, struct capture_counters *c)
{
	uint64_t pk, dr;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->valid = 1;
	for (i = 0; i < l->nif; i++) {
		iface_counts(l, &l->ifs[i], &pk, &dr);
		c->kernel_packets += pk;
		c->kernel_drops += dr;
		c->kernel_ifdrops += ifdrops_total(&l->ifs[i].ifdrops);
	}
}

const char *
live_name(const struct live *l, size_t i)
{
	return l->ifs[i].o.name;
}

size_t
live_nifaces(const struct live *l)
{
	return l->nif;
}
