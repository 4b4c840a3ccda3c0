/*
 * profile.c - the shared table of per-name server profiles (profile.h):
 * a chained hash on the name, an LRU list for eviction, one mutex, and
 * the state file.
 *
 * State file: text, one name per line, oldest first (a load rebuilds the
 * LRU order), tab-separated:
 *   name first_us last_us sessions flights versions ciphers groups exts
 *   issuers rec_min rec_max flight_min flight_max
 * where a list is comma-separated hex, "-" when empty, "*" when it
 * overflowed.  The first line is "# rootwatch profiles 1".
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "lru.h"
#include "xmalloc.h"

#define PROFILE_NAME_MAX	256
#define PROFILE_MAGIC		"# rootwatch profiles 1"

struct pent {
	char		 name[PROFILE_NAME_MAX];
	struct profile_rec r;
	struct pent	*hnext;
	struct lru_node	 lru;
};

struct profiles {
	pthread_mutex_t	 mu;
	struct pent	**bucket;
	size_t		 nbucket;	/* power of two */
	size_t		 max;
	struct lru	 lru;
	uint64_t	 evictions;
	int		 dirty;
};

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

struct profiles *
profiles_new(size_t max_names)
{
	struct profiles *p;
	size_t nb = 64;

	if (max_names == 0 || (p = xcalloc(1, sizeof(*p))) == NULL)
		return NULL;
	while (nb < max_names)
		nb *= 2;
	if ((p->bucket = xcalloc(nb, sizeof(*p->bucket))) == NULL) {
		xfree(p);
		return NULL;
	}
	p->nbucket = nb;
	p->max = max_names;
	lru_init(&p->lru);
	pthread_mutex_init(&p->mu, NULL);
	return p;
}

void
profiles_free(struct profiles *p)
{
	struct lru_node *n;

	if (p == NULL)
		return;
	while ((n = lru_oldest(&p->lru)) != NULL) {
		lru_unlink(&p->lru, n);
		xfree(LRU_ENTRY(n, struct pent, lru));
	}
	xfree(p->bucket);
	pthread_mutex_destroy(&p->mu);
	xfree(p);
}

static struct pent **
pent_slot(struct profiles *p, const char *name)
{
	struct pent **e = &p->bucket[name_hash(name) & (p->nbucket - 1)];

	while (*e != NULL && strcmp((*e)->name, name) != 0)
		e = &(*e)->hnext;
	return e;
}

static void
pent_evict_oldest(struct profiles *p)
{
	struct lru_node *n = lru_oldest(&p->lru);
	struct pent *e, **s;

	if (n == NULL)
		return;
	e = LRU_ENTRY(n, struct pent, lru);
	s = pent_slot(p, e->name);
	*s = e->hnext;
	lru_unlink(&p->lru, n);
	xfree(e);
	p->evictions++;
}

/* The entry for name, made (evicting the oldest when full); NULL when
 * out of memory or the name is too long to keep. */
static struct pent *
pent_get(struct profiles *p, const char *name, int *found)
{
	struct pent **s, *e;

	s = pent_slot(p, name);
	if ((*found = *s != NULL)) {
		lru_touch(&p->lru, &(*s)->lru);
		return *s;
	}
	if (strlen(name) >= PROFILE_NAME_MAX)
		return NULL;
	if (p->lru.n >= p->max) {
		pent_evict_oldest(p);
		s = pent_slot(p, name);
	}
	if ((e = xcalloc(1, sizeof(*e))) == NULL)
		return NULL;
	memcpy(e->name, name, strlen(name) + 1);
	*s = e;
	lru_push(&p->lru, &e->lru);
	return e;
}

/* x in the set v[n] ("any" past its size): one body, three widths. */
#define PROFILE_HAS(name, type)						\
int									\
name(const type *v, uint8_t n, type x)					\
{									\
	uint8_t i;							\
									\
	if (n == PROFILE_MANY)						\
		return 1;						\
	for (i = 0; i < n; i++)						\
		if (v[i] == x)						\
			return 1;					\
	return 0;							\
}

PROFILE_HAS(profile_has16, uint16_t)
PROFILE_HAS(profile_has32, uint32_t)
PROFILE_HAS(profile_has64, uint64_t)

/* Add x to a set of max values; past max the set means "any". */
#define SET_ADD(v, n, x, max, has) do {				\
	if (!has((v), (n), (x))) {				\
		if ((n) < (max))				\
			(v)[(n)++] = (x);			\
		else						\
			(n) = PROFILE_MANY;			\
	}							\
} while (0)

static uint32_t
version_bit(uint16_t v)
{
	return (v >> 8) == 3 && (v & 0xff) <= 7 ? 1u << (v & 0xff) : 1u << 8;
}

static void
learn_flight(struct profile_rec *r, const struct profile_obs *o)
{
	if (r->flights == 0 || o->flight < r->flight_min)
		r->flight_min = o->flight;
	if (r->flights == 0 || o->flight > r->flight_max)
		r->flight_max = o->flight;
	if (r->flights == 0 || o->records < r->rec_min)
		r->rec_min = o->records;
	if (r->flights == 0 || o->records > r->rec_max)
		r->rec_max = o->records;
	r->flights++;
}

static void
learn(struct profile_rec *r, const struct profile_obs *o)
{
	if (r->sessions == 0 || o->ts_us < r->first_us)
		r->first_us = o->ts_us;
	if (o->ts_us > r->last_us)
		r->last_us = o->ts_us;
	r->sessions++;
	if (o->has_hello) {
		r->versions |= version_bit(o->version);
		SET_ADD(r->ciphers, r->nciphers, o->cipher, PROFILE_VALS,
		    profile_has16);
		SET_ADD(r->groups, r->ngroups, o->group, PROFILE_VALS,
		    profile_has16);
		SET_ADD(r->exts, r->nexts, o->exts, PROFILE_VALS,
		    profile_has32);
	}
	if (o->has_flight)
		learn_flight(r, o);
	if (o->has_issuer)
		SET_ADD(r->issuers, r->nissuers, o->issuer, PROFILE_ISSUERS,
		    profile_has64);
}

int
profiles_observe(struct profiles *p, const char *name,
    const struct profile_obs *obs, struct profile_rec *before)
{
	struct pent *e;
	int found = 0;

	pthread_mutex_lock(&p->mu);
	if ((e = pent_get(p, name, &found)) != NULL) {
		if (found)
			*before = e->r;
		learn(&e->r, obs);
		p->dirty = 1;
	}
	pthread_mutex_unlock(&p->mu);
	if (!found)
		memset(before, 0, sizeof(*before));
	return found ? 0 : -1;
}

size_t
profiles_count(struct profiles *p)
{
	size_t n;

	pthread_mutex_lock(&p->mu);
	n = p->lru.n;
	pthread_mutex_unlock(&p->mu);
	return n;
}

uint64_t
profiles_evictions(struct profiles *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->mu);
	n = p->evictions;
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* ---- the state file ---------------------------------------------------- */

static void
put_list(FILE *fp, const void *v, uint8_t n, int width)
{
	uint8_t i;

	if (n == PROFILE_MANY) {
		fputs("\t*", fp);
		return;
	}
	if (n == 0) {
		fputs("\t-", fp);
		return;
	}
	for (i = 0; i < n; i++)
		fprintf(fp, "%c%" PRIx64, i == 0 ? '\t' : ',', width == 16 ?
		    (uint64_t)((const uint16_t *)v)[i] : width == 32 ?
		    (uint64_t)((const uint32_t *)v)[i] :
		    ((const uint64_t *)v)[i]);
}

static void
put_entry(FILE *fp, const struct pent *e)
{
	const struct profile_rec *r = &e->r;

	fprintf(fp, "%s\t%" PRIu64 "\t%" PRIu64 "\t%u\t%u\t%x", e->name,
	    r->first_us, r->last_us, r->sessions, r->flights, r->versions);
	put_list(fp, r->ciphers, r->nciphers, 16);
	put_list(fp, r->groups, r->ngroups, 16);
	put_list(fp, r->exts, r->nexts, 32);
	put_list(fp, r->issuers, r->nissuers, 64);
	fprintf(fp, "\t%u\t%u\t%u\t%u\n", r->rec_min, r->rec_max,
	    r->flight_min, r->flight_max);
}

static int
write_all(struct profiles *p, FILE *fp)
{
	struct lru_node *n;

	fprintf(fp, "%s\n", PROFILE_MAGIC);
	for (n = p->lru.head.prev; n != &p->lru.head; n = n->prev)
		put_entry(fp, LRU_ENTRY(n, struct pent, lru));
	return ferror(fp) ? -1 : 0;
}

int
profiles_save(struct profiles *p, const char *path)
{
	char tmp[4096];
	FILE *fp;
	int fd, rc = -1;

	/* one temporary file per process: instances sharing a state file
	 * (rootwatch@IFACE units) each replace it with a whole file */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	    (long)getpid()) >= sizeof(tmp))
		return -1;
	pthread_mutex_lock(&p->mu);
	if (!p->dirty) {
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		log_warn("signals: %s", tmp);
		if (fd != -1)
			close(fd);
		goto out;
	}
	rc = write_all(p, fp);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == -1)
		rc = -1;
	if (rc == -1) {
		log_warn("signals: cannot save %s", path);
		(void)unlink(tmp);
	} else
		p->dirty = 0;
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* A list field: "-", "*" or comma-separated hex; -1 when malformed. */
static int
get_list(char *s, void *v, uint8_t *n, uint8_t max, int width)
{
	char *e;
	uint64_t x;

	*n = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	if (strcmp(s, "*") == 0) {
		*n = PROFILE_MANY;
		return 0;
	}
	for (;;) {
		errno = 0;
		x = strtoull(s, &e, 16);
		if (e == s || errno != 0 || *n >= max ||
		    (width < 64 && x >> width != 0))
			return -1;
		if (width == 16)
			((uint16_t *)v)[(*n)++] = (uint16_t)x;
		else if (width == 32)
			((uint32_t *)v)[(*n)++] = (uint32_t)x;
		else
			((uint64_t *)v)[(*n)++] = x;
		if (*e == '\0')
			return 0;
		if (*e != ',')
			return -1;
		s = e + 1;
	}
}

static int
get_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *e;

	errno = 0;
	*out = strtoull(s, &e, base);
	return e == s || *e != '\0' || errno != 0 || *out > max ? -1 : 0;
}

static int
parse_rec(char **f, struct profile_rec *r)
{
	uint64_t v[8];

	if (get_u64(f[1], 10, UINT64_MAX, &v[0]) || get_u64(f[2], 10,
	    UINT64_MAX, &v[1]) || get_u64(f[3], 10, UINT32_MAX, &v[2]) ||
	    get_u64(f[4], 10, UINT32_MAX, &v[3]) || get_u64(f[5], 16,
	    UINT32_MAX, &v[4]) || get_u64(f[10], 10, 255, &v[5]) ||
	    get_u64(f[11], 10, 255, &v[6]) || get_u64(f[12], 10, UINT32_MAX,
	    &v[7]))
		return -1;
	r->first_us = v[0];
	r->last_us = v[1];
	r->sessions = (uint32_t)v[2];
	r->flights = (uint32_t)v[3];
	r->versions = (uint32_t)v[4];
	r->rec_min = (uint8_t)v[5];
	r->rec_max = (uint8_t)v[6];
	r->flight_min = (uint32_t)v[7];
	if (get_u64(f[13], 10, UINT32_MAX, &v[0]))
		return -1;
	r->flight_max = (uint32_t)v[0];
	return get_list(f[6], r->ciphers, &r->nciphers, PROFILE_VALS, 16) ||
	    get_list(f[7], r->groups, &r->ngroups, PROFILE_VALS, 16) ||
	    get_list(f[8], r->exts, &r->nexts, PROFILE_VALS, 32) ||
	    get_list(f[9], r->issuers, &r->nissuers, PROFILE_ISSUERS, 64) ?
	    -1 : 0;
}

static int
load_line(struct profiles *p, char *line)
{
	char *f[14], *s = line;
	struct profile_rec r;
	struct pent *e;
	size_t n = 0;
	int found;

	while (n < 14) {
		f[n++] = s;
		if ((s = strchr(s, '\t')) == NULL)
			break;
		*s++ = '\0';
	}
	if (n != 14 || f[0][0] == '\0')
		return -1;
	memset(&r, 0, sizeof(r));
	if (parse_rec(f, &r) == -1)
		return -1;
	if ((e = pent_get(p, f[0], &found)) == NULL)
		return -1;
	e->r = r;
	return 0;
}

int
profiles_load(struct profiles *p, const char *path, char *err,
    size_t errlen)
{
	FILE *fp;
	char line[2048];
	size_t lineno = 0, len;
	int rc = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&p->mu);
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1 && strcmp(line, PROFILE_MAGIC) != 0)
			rc = -1;
		else if (lineno > 1 && load_line(p, line) == -1)
			rc = -1;
	}
	pthread_mutex_unlock(&p->mu);
	fclose(fp);
	if (rc == -1)
		snprintf(err, errlen, "%s:%zu: not a profile line", path,
		    lineno);
	return rc;
}
