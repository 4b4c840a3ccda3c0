/*
 * classify.c - nDPI glue.  See classify.h.
 */
#include "classify.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <ndpi_api.h>

#include "log.h"
#include "xmalloc.h"
#include "../parsers/decode.h"

struct classify {
	struct ndpi_detection_module_struct	*ndpi;
	uint32_t				 max_pkts;
	struct classify_stats			 st;
};

/*
 * nDPI's module set-up is not safe to run in two threads at once: in
 * Debian's build, ndpi_init_detection_module() initialises libgcrypt, whose
 * first-use set-up aborts the process when two threads race through it
 * (caught by tests/threads, whose workers start in their own threads).
 * Set-up and teardown are rare, so one process-wide lock serialises them;
 * the per-packet calls work on the worker's own module and need none.
 */
static pthread_mutex_t ndpi_setup_mu = PTHREAD_MUTEX_INITIALIZER;

/* One module, set up whole (NULL on failure). */
static struct ndpi_detection_module_struct *
module_new(void)
{
	struct ndpi_detection_module_struct *m;
	NDPI_PROTOCOL_BITMASK all;

	pthread_mutex_lock(&ndpi_setup_mu);
	if ((m = ndpi_init_detection_module(ndpi_no_prefs)) != NULL) {
		NDPI_BITMASK_SET_ALL(all);
		ndpi_set_protocol_detection_bitmask2(m, &all);
		ndpi_finalize_initialization(m);
	}
	pthread_mutex_unlock(&ndpi_setup_mu);
	return m;
}

static void
module_free(struct ndpi_detection_module_struct *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&ndpi_setup_mu);
	ndpi_exit_detection_module(m);
	pthread_mutex_unlock(&ndpi_setup_mu);
}

/*
 * Modules built ahead (classify_prepare): one background thread builds
 * them one after the other while the main thread goes on starting up
 * (rules, trust stores, outputs); classify_new() hands out classifiers
 * whose module arrives at classify_prepare_end().  Main thread only.
 */
static struct {
	pthread_t				 th;
	int					 running;
	size_t					 n, taken;
	struct ndpi_detection_module_struct	*m[CLASSIFY_PREPARE_MAX];
	struct classify				*owner[CLASSIFY_PREPARE_MAX];
} prep;

static void *
prepare_main(void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < prep.n; i++)
		prep.m[i] = module_new();
	return NULL;
}

int
classify_prepare(size_t n)
{
	int rc;

	if (prep.running || n == 0)
		return -1;
	memset(&prep, 0, sizeof(prep));
	prep.n = n < CLASSIFY_PREPARE_MAX ? n : CLASSIFY_PREPARE_MAX;
	if ((rc = pthread_create(&prep.th, NULL, prepare_main, NULL)) != 0) {
		errno = rc;
		log_warn("nDPI set-up thread");
		return -1;
	}
	prep.running = 1;
	return 0;
}

void
classify_prepare_end(void)
{
	struct classify *c;
	size_t i;

	if (!prep.running)
		return;
	pthread_join(prep.th, NULL);
	prep.running = 0;
	for (i = 0; i < prep.n; i++) {
		if ((c = prep.owner[i]) == NULL) {
			module_free(prep.m[i]);	/* not taken */
			continue;
		}
		/* a module that failed in the thread gets a second try */
		c->ndpi = prep.m[i] != NULL ? prep.m[i] : module_new();
		if (c->ndpi == NULL)
			log_warnx("nDPI initialisation failed: no "
			    "application names");
	}
	memset(&prep, 0, sizeof(prep));
}

struct classify *
classify_new(const struct limits *lim)
{
	struct classify *c;

	if ((c = xcalloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->max_pkts = lim->ndpi_packets;
	if (prep.running && prep.taken < prep.n) {
		prep.owner[prep.taken++] = c;	/* module at prepare_end */
		return c;
	}
	if ((c->ndpi = module_new()) == NULL) {
		log_warnx("nDPI initialisation failed: no application names");
		xfree(c);
		return NULL;
	}
	return c;
}

void
classify_free(struct classify *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; prep.running && i < prep.taken; i++)
		if (prep.owner[i] == c) {
			classify_prepare_end();	/* its module may come */
			break;
		}
	module_free(c->ndpi);
	xfree(c);
}

static void
settle(struct classify *c, struct flow *f, ndpi_protocol p)
{
	f->app_proto = p.master_protocol;
	f->ndpi_app = p.app_protocol;
	if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    p.master_protocol != NDPI_PROTOCOL_UNKNOWN)
		c->st.detected++;
}

void
classify_flow_done(struct classify *c, struct flow *f)
{
	uint8_t guessed = 0;
	ndpi_protocol p;

	if (c == NULL || c->ndpi == NULL || f->ndpi == NULL)
		return;
	if (f->app_proto == 0 && f->ndpi_app == 0) {
		p = ndpi_detection_giveup(c->ndpi, f->ndpi, 1, &guessed);
		settle(c, f, p);
	}
	ndpi_free_flow(f->ndpi);
	f->ndpi = NULL;
}

void
classify_stop(struct classify *c, struct flow *f)
{
	if (c == NULL)
		return;
	if (f->ndpi != NULL) {
		ndpi_free_flow(f->ndpi);
		f->ndpi = NULL;
	}
	f->ndpi_pkts = (uint8_t)c->max_pkts;
}

void
classify_sni(struct classify *c, struct flow *f, const char *sni, int dtls)
{
	ndpi_protocol_match_result m;
	char name[256];
	size_t n;
	int id;

	if (c == NULL || c->ndpi == NULL)
		return;
	f->app_proto = dtls ? NDPI_PROTOCOL_DTLS : NDPI_PROTOCOL_TLS;
	if (sni == NULL || (n = strlen(sni)) == 0 || f->ndpi_app != 0)
		return;
	/* nDPI's API takes a mutable string. */
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, sni, n);
	name[n] = '\0';
	memset(&m, 0, sizeof(m));
	id = ndpi_match_string_subprotocol(c->ndpi, name, (u_int)n, &m);
	if (id > 0)
		f->ndpi_app = (uint16_t)id;
}

void
classify_packet(struct classify *c, struct flow *f, const struct pkt *p)
{
	ndpi_protocol r;

	if (c == NULL || c->ndpi == NULL || f->ndpi_pkts >= c->max_pkts)
		return;
	if (f->ndpi == NULL) {
		if (f->ndpi_pkts > 0)
			return;		/* done earlier */
		f->ndpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
		if (f->ndpi == NULL) {
			c->st.alloc_fail++;
			f->ndpi_pkts = (uint8_t)c->max_pkts;
			return;
		}
		memset(f->ndpi, 0, SIZEOF_FLOW_STRUCT);
		c->st.flows++;
	}
	f->ndpi_pkts++;
	c->st.packets++;
	r = ndpi_detection_process_packet(c->ndpi, f->ndpi, p->l3,
	    p->l3_len > 65535 ? 65535 : (unsigned short)p->l3_len,
	    p->ts_us / 1000);
	/* Stop at the first answer: nDPI would go on to dissect the
	 * certificate (and SHA-1 it), which is our job, not its. */
	if (r.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
		settle(c, f, r);
		ndpi_free_flow(f->ndpi);
		f->ndpi = NULL;
		f->ndpi_pkts = (uint8_t)c->max_pkts;
	} else if (f->ndpi_pkts >= c->max_pkts)
		classify_flow_done(c, f);
}

const char *
classify_app_name(const struct classify *c, const struct flow *f)
{
	uint16_t id;

	if (c == NULL || c->ndpi == NULL)
		return NULL;
	id = f->ndpi_app != NDPI_PROTOCOL_UNKNOWN ? f->ndpi_app : f->app_proto;
	if (id == NDPI_PROTOCOL_UNKNOWN)
		return NULL;
	return ndpi_get_proto_name(c->ndpi, id);
}

const char *
classify_proto_name(const struct classify *c, const struct flow *f)
{
	if (c == NULL || c->ndpi == NULL ||
	    f->app_proto == NDPI_PROTOCOL_UNKNOWN)
		return NULL;
	return ndpi_get_proto_name(c->ndpi, f->app_proto);
}

const struct classify_stats *
classify_stats(const struct classify *c)
{
	return &c->st;
}
