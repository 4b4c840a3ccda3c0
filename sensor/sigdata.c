/*
 * sigdata.c - the shipped interception data and the public suffix list
 * (sigdata.h).  Both are files we read at start, not wire data; still,
 * every line is checked and a bad one names its file and line.
 *
 * Keys are kept sorted (SPKI SHA-256 binary) and found by bsearch; pinned
 * domains likewise by name; the ~10k public suffix rules in an open
 * addressing hash set.  Product issuer patterns are POSIX extended
 * regexes, anchored: Chromium matches them whole (RE2 FullMatch).
 */
#include "sigdata.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

struct key_ent {
	uint8_t		 spki[32];
	char		*name;
};

struct keyset {
	struct key_ent	*v;
	size_t		 n;
};

struct pinset {
	char		*name;
	struct keyset	 allowed, bad;
};

struct pin_ent {
	char		*domain;
	int		 sub;		/* include_subdomains */
	size_t		 set;		/* index in pinsets */
};

struct product {
	char		*name;
	regex_t		 cn, o;
	int		 has_cn, has_o;
};

struct sigdata {
	uint64_t	 pins_time;
	struct keyset	 known, blocked;
	struct pinset	*sets;
	size_t		 nsets;
	struct pin_ent	*pins;
	size_t		 npins;
	struct product	*products;
	size_t		 nproducts;
	char		**psl;		/* hash set of rules */
	size_t		 psl_cap, psl_n;
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
parse_spki(const char *s, uint8_t *out)
{
	int i, h, l;

	if (strlen(s) != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		if ((h = hexval(s[2 * i])) < 0 || (l = hexval(s[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

static int
key_add(struct keyset *ks, const char *hex, const char *name)
{
	struct key_ent *p;

	if ((p = xreallocarray(ks->v, ks->n + 1, sizeof(*p))) == NULL)
		return -1;
	ks->v = p;
	if (parse_spki(hex, p[ks->n].spki) == -1)
		return -2;
	if ((p[ks->n].name = xstrdup(name)) == NULL)
		return -1;
	ks->n++;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(((const struct key_ent *)a)->spki,
	    ((const struct key_ent *)b)->spki, 32);
}

static const struct key_ent *
key_find(const struct keyset *ks, const uint8_t *spki)
{
	struct key_ent k;

	if (ks->n == 0)
		return NULL;
	memcpy(k.spki, spki, 32);
	return bsearch(&k, ks->v, ks->n, sizeof(k), key_cmp);
}

static void
keyset_free(struct keyset *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		xfree(ks->v[i].name);
	xfree(ks->v);
	ks->v = NULL;
	ks->n = 0;
}

/* Split line at tabs into at most max fields; the count. */
static size_t
split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static size_t
pinset_index(struct sigdata *d, const char *name, int create)
{
	struct pinset *p;
	size_t i;

	for (i = 0; i < d->nsets; i++)
		if (strcmp(d->sets[i].name, name) == 0)
			return i;
	if (!create ||
	    (p = xreallocarray(d->sets, d->nsets + 1, sizeof(*p))) == NULL)
		return SIZE_MAX;
	d->sets = p;
	memset(&p[d->nsets], 0, sizeof(*p));
	if ((p[d->nsets].name = xstrdup(name)) == NULL)
		return SIZE_MAX;
	return d->nsets++;
}

static int
add_pin(struct sigdata *d, char **f)
{
	struct pin_ent *p;
	size_t set = pinset_index(d, f[3], 0);

	if (set == SIZE_MAX)
		return -2;	/* pinsets come first */
	if ((p = xreallocarray(d->pins, d->npins + 1, sizeof(*p))) == NULL)
		return -1;
	d->pins = p;
	p[d->npins].sub = strcmp(f[2], "1") == 0;
	p[d->npins].set = set;
	if ((p[d->npins].domain = xstrdup(f[1])) == NULL)
		return -1;
	d->npins++;
	return 0;
}

/* Compile an anchored copy of rx; "" means "not part of the match". */
static int
product_rx(regex_t *re, int *has, const char *rx)
{
	char buf[512];

	*has = rx[0] != '\0';
	if (!*has)
		return 0;
	if ((size_t)snprintf(buf, sizeof(buf), "^(%s)$", rx) >= sizeof(buf))
		return -2;
	return regcomp(re, buf, REG_EXTENDED | REG_NOSUB) == 0 ? 0 : -2;
}

static int
add_product(struct sigdata *d, char **f)
{
	struct product *p;
	int r;

	if ((p = xreallocarray(d->products, d->nproducts + 1,
	    sizeof(*p))) == NULL)
		return -1;
	d->products = p;
	p += d->nproducts;
	memset(p, 0, sizeof(*p));
	if ((r = product_rx(&p->cn, &p->has_cn, f[2])) != 0)
		return r;
	if ((r = product_rx(&p->o, &p->has_o, f[3])) != 0) {
		if (p->has_cn)
			regfree(&p->cn);
		return r;
	}
	if ((p->name = xstrdup(f[1])) == NULL) {
		if (p->has_cn)
			regfree(&p->cn);
		if (p->has_o)
			regfree(&p->o);
		return -1;
	}
	d->nproducts++;
	return 0;
}

/* One record of the data file: 0, -1 out of memory, -2 malformed. */
static int
data_line(struct sigdata *d, char *line)
{
	char *f[6];
	size_t n = split_tabs(line, f, 6), set;

	if (strcmp(f[0], "pins-timestamp") == 0 && n == 2) {
		d->pins_time = strtoull(f[1], NULL, 10);
		return 0;
	}
	if (strcmp(f[0], "known") == 0 && n == 3)
		return key_add(&d->known, f[1], f[2]);
	if (strcmp(f[0], "blocked") == 0 && n == 3)
		return key_add(&d->blocked, f[1], f[2]);
	if (strcmp(f[0], "pinset") == 0 && n == 5) {
		if ((set = pinset_index(d, f[1], 1)) == SIZE_MAX)
			return -1;
		if (strcmp(f[2], "allowed") == 0)
			return key_add(&d->sets[set].allowed, f[3], f[4]);
		if (strcmp(f[2], "bad") == 0)
			return key_add(&d->sets[set].bad, f[3], f[4]);
		return -2;
	}
	if (strcmp(f[0], "pin") == 0 && n == 4)
		return add_pin(d, f);
	if (strcmp(f[0], "product") == 0 && n == 4)
		return add_product(d, f);
	return -2;
}

static int
pin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pin_ent *)a)->domain,
	    ((const struct pin_ent *)b)->domain);
}

static void
data_sort(struct sigdata *d)
{
	size_t i;

	if (d->known.n > 0)
		qsort(d->known.v, d->known.n, sizeof(*d->known.v), key_cmp);
	if (d->blocked.n > 0)
		qsort(d->blocked.v, d->blocked.n, sizeof(*d->blocked.v),
		    key_cmp);
	for (i = 0; i < d->nsets; i++) {
		if (d->sets[i].allowed.n > 0)
			qsort(d->sets[i].allowed.v, d->sets[i].allowed.n,
			    sizeof(struct key_ent), key_cmp);
		if (d->sets[i].bad.n > 0)
			qsort(d->sets[i].bad.v, d->sets[i].bad.n,
			    sizeof(struct key_ent), key_cmp);
	}
	if (d->npins > 0)
		qsort(d->pins, d->npins, sizeof(*d->pins), pin_cmp);
}

static int
data_read(struct sigdata *d, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	char line[2048];
	size_t lineno = 0, len;
	int r = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	while (r == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		r = data_line(d, line);
	}
	fclose(fp);
	if (r != 0)
		snprintf(err, errlen, "%s:%zu: %s", path, lineno,
		    r == -1 ? "out of memory" : "malformed record");
	else
		data_sort(d);
	return r == 0 ? 0 : -1;
}

/* ---- public suffix list (publicsuffix.org format) ------------------- */

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

static int
psl_has(const struct sigdata *d, const char *rule)
{
	size_t i;

	if (d->psl_cap == 0)
		return 0;
	for (i = str_hash(rule) & (d->psl_cap - 1); d->psl[i] != NULL;
	    i = (i + 1) & (d->psl_cap - 1))
		if (strcmp(d->psl[i], rule) == 0)
			return 1;
	return 0;
}

static int
psl_add(struct sigdata *d, const char *rule)
{
	size_t i;

	if (psl_has(d, rule))
		return 0;
	if (d->psl_n + 1 > d->psl_cap / 2)
		return -1;	/* sized for the file before reading it */
	for (i = str_hash(rule) & (d->psl_cap - 1); d->psl[i] != NULL;
	    i = (i + 1) & (d->psl_cap - 1))
		;
	if ((d->psl[i] = xstrdup(rule)) == NULL)
		return -1;
	d->psl_n++;
	return 0;
}

/* Lines in fp, read in blocks (a character at a time, with stdio's lock
 * per getc, this was 2 ms of every start-up). */
static size_t
count_lines(FILE *fp)
{
	char buf[65536];
	const char *p, *end;
	size_t n = 0, got;

	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		for (p = buf, end = buf + got;
		    (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			n++;
	rewind(fp);
	return n;
}

/* Rules are the first word of each line; comments start with "//". */
static void
psl_read(struct sigdata *d, const char *path)
{
	FILE *fp;
	char line[512], *e;
	size_t n, cap = 1024;

	if (path == NULL || (fp = fopen(path, "r")) == NULL)
		return;
	n = count_lines(fp);
	while (cap < 2 * n + 2)
		cap *= 2;
	if ((d->psl = xcalloc(cap, sizeof(*d->psl))) == NULL) {
		fclose(fp);
		return;
	}
	d->psl_cap = cap;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '/' || isspace((unsigned char)line[0]))
			continue;
		for (e = line; *e != '\0' && !isspace((unsigned char)*e); e++)
			*e = (char)tolower((unsigned char)*e);
		*e = '\0';
		if (line[0] != '\0' && psl_add(d, line) == -1)
			break;
	}
	fclose(fp);
}

/*
 * publicsuffix.org's algorithm: the longest matching rule wins, an
 * exception rule ("!www.ck") beats the wildcard ("*.ck") and makes the
 * public suffix its parent.  Only explicit rules count.
 */
int
sigdata_public_name(const struct sigdata *d, const char *name)
{
	const char *s, *dot;
	char buf[300];

	if (d == NULL || d->psl_n == 0 || name[0] == '\0' ||
	    strlen(name) > 253)
		return 0;
	for (s = name; s != NULL; s = dot != NULL ? dot + 1 : NULL) {
		dot = strchr(s, '.');
		snprintf(buf, sizeof(buf), "!%s", s);
		if (psl_has(d, buf))
			return 1;	/* suffix is s's parent: name is below */
		if (psl_has(d, s))
			return s != name;
		if (dot != NULL) {
			snprintf(buf, sizeof(buf), "*.%s", dot + 1);
			if (psl_has(d, buf))
				return s != name;
		}
	}
	return 0;
}

/* ---- queries ---------------------------------------------------------- */

struct sigdata *
sigdata_load(const char *data, const char *psl, char *err, size_t errlen)
{
	struct sigdata *d;

	if ((d = xcalloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (data != NULL && data_read(d, data, err, errlen) == -1) {
		sigdata_free(d);
		return NULL;
	}
	psl_read(d, psl);
	return d;
}

void
sigdata_free(struct sigdata *d)
{
	size_t i;

	if (d == NULL)
		return;
	keyset_free(&d->known);
	keyset_free(&d->blocked);
	for (i = 0; i < d->nsets; i++) {
		xfree(d->sets[i].name);
		keyset_free(&d->sets[i].allowed);
		keyset_free(&d->sets[i].bad);
	}
	xfree(d->sets);
	for (i = 0; i < d->npins; i++)
		xfree(d->pins[i].domain);
	xfree(d->pins);
	for (i = 0; i < d->nproducts; i++) {
		if (d->products[i].has_cn)
			regfree(&d->products[i].cn);
		if (d->products[i].has_o)
			regfree(&d->products[i].o);
		xfree(d->products[i].name);
	}
	xfree(d->products);
	for (i = 0; i < d->psl_cap; i++)
		xfree(d->psl[i]);
	xfree(d->psl);
	xfree(d);
}

void
sigdata_counts(const struct sigdata *d, size_t *keys, size_t *pins,
    size_t *products, size_t *suffixes)
{
	*keys = d->known.n + d->blocked.n;
	*pins = d->npins;
	*products = d->nproducts;
	*suffixes = d->psl_n;
}

uint64_t
sigdata_pins_time(const struct sigdata *d)
{
	return d->pins_time;
}

const char *
sigdata_known(const struct sigdata *d, const uint8_t *spki)
{
	const struct key_ent *k = key_find(&d->known, spki);

	return k != NULL ? k->name : NULL;
}

const char *
sigdata_blocked(const struct sigdata *d, const uint8_t *spki)
{
	const struct key_ent *k = key_find(&d->blocked, spki);

	return k != NULL ? k->name : NULL;
}

/* The pin entry for name: itself, or the nearest parent that includes
 * its subdomains (Chromium's lookup). */
static const struct pin_ent *
pin_find(const struct sigdata *d, const char *name)
{
	const struct pin_ent *p;
	struct pin_ent k;
	const char *s;

	for (s = name; s != NULL; s = strchr(s, '.') ? strchr(s, '.') + 1 :
	    NULL) {
		k.domain = (char *)(uintptr_t)s;
		p = d->npins > 0 ? bsearch(&k, d->pins, d->npins, sizeof(k),
		    pin_cmp) : NULL;
		if (p != NULL && (s == name || p->sub))
			return p;
	}
	return NULL;
}

int
sigdata_pin_check(const struct sigdata *d, const char *name,
    const uint8_t (*spki)[32], size_t n, const char **set, char *why,
    size_t whylen)
{
	const struct pin_ent *p = pin_find(d, name);
	const struct pinset *ps;
	const struct key_ent *k;
	size_t i, allowed = 0;

	if (p == NULL)
		return -1;
	ps = &d->sets[p->set];
	*set = ps->name;
	for (i = 0; i < n; i++) {
		if ((k = key_find(&ps->bad, spki[i])) != NULL) {
			snprintf(why, whylen, "pinset %s: forbidden key %s "
			    "(chain position %zu)", ps->name, k->name, i);
			return 1;
		}
		allowed += key_find(&ps->allowed, spki[i]) != NULL;
	}
	if (allowed > 0)
		return 0;
	snprintf(why, whylen, "pinset %s (pinned as %s): none of its %zu "
	    "allowed keys among %zu keys of the chain", ps->name, p->domain,
	    ps->allowed.n, n);
	return 1;
}

const char *
sigdata_product(const struct sigdata *d, const char *cn, const char *o)
{
	const struct product *p;
	size_t i;

	for (i = 0; i < d->nproducts; i++) {
		p = &d->products[i];
		if (p->has_cn && (cn == NULL || regexec(&p->cn, cn, 0, NULL,
		    0) != 0))
			continue;
		if (p->has_o && (o == NULL || regexec(&p->o, o, 0, NULL,
		    0) != 0))
			continue;
		if (p->has_cn || p->has_o)
			return p->name;
	}
	return NULL;
}
