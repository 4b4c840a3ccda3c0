/*
 * rules_load.c - read rootwatch-rules(5) files with libyaml.
 *
 * The whole file is loaded as a libyaml document (node tree with marks),
 * then walked against a fixed schema: top level a sequence of rules, or a
 * mapping whose only key is "rules".  The walk never follows the tree
 * deeper than the schema, so aliases cannot make it loop or explode.
 * Every error names the node it is about: "file:line:column: message",
 * 1-based, as libyaml marks give them.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <yaml.h>

#include "rules_int.h"
#include "../sensor/log.h"
#include "../sensor/xmalloc.h"

#define RULES_FILE_MAX	(64u << 20)	/* bytes of one rules file */
#define RULE_ID_MAX	128
#define RULE_TEXT_MAX	8192
#define SYSTEM_BUNDLE	"/etc/ssl/certs/ca-certificates.crt"
#define SYSTEM_DIR	"/etc/ssl/certs"

struct ld {
	const char		*file;
	char			*dir;
	yaml_document_t		*doc;
	struct rules_error	*err;
	struct ruleset		*rs;
};

static const char *const severities[] = {
	"critical", "high", "medium", "low", "info"
};
static const char *const scopes[] = { "any", "leaf", "intermediate", "top" };

/* dir "/" name, xmalloc'd. */
static char *
path_join(const char *dir, const char *name)
{
	size_t	 ld = strlen(dir), ln = strlen(name);
	char	*p;

	if ((p = xmalloc(ld + ln + 2)) == NULL)
		return NULL;
	memcpy(p, dir, ld);
	p[ld] = '/';
	memcpy(p + ld + 1, name, ln + 1);
	return p;
}

static int ld_err(struct ld *, const yaml_node_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
ld_err(struct ld *l, const yaml_node_t *n, const char *fmt, ...)
{
	char	 msg[768];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n != NULL)
		snprintf(l->err->msg, sizeof(l->err->msg), "%s:%zu:%zu: %s",
		    l->file, n->start_mark.line + 1, n->start_mark.column + 1,
		    msg);
	else
		snprintf(l->err->msg, sizeof(l->err->msg), "%s:1:1: %s",
		    l->file, msg);
	return -1;
}

static yaml_node_t *
node(struct ld *l, int i)
{
	return yaml_document_get_node(l->doc, i);
}

/* The scalar's text, or NULL (error set) when n is not a plain string. */
static const char *
scalar(struct ld *l, yaml_node_t *n, const char *what)
{
	const char	*s;

	if (n->type != YAML_SCALAR_NODE) {
		ld_err(l, n, "%s: expected a string", what);
		return NULL;
	}
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		ld_err(l, n, "%s: NUL byte in string", what);
		return NULL;
	}
	if (n->data.scalar.length > RULE_TEXT_MAX) {
		ld_err(l, n, "%s: string too long", what);
		return NULL;
	}
	return s;
}

static int
str_dup(struct ld *l, yaml_node_t *n, const char *what, char **out)
{
	const char	*s;

	if (*out != NULL)
		return ld_err(l, n, "duplicate key '%s'", what);
	if ((s = scalar(l, n, what)) == NULL)
		return -1;
	if ((*out = xstrdup(s)) == NULL)
		return ld_err(l, n, "out of memory");
	return 0;
}

static int
pick(struct ld *l, yaml_node_t *n, const char *what,
    const char *const *names, size_t nnames)
{
	const char	*s;
	size_t		 i;

	if ((s = scalar(l, n, what)) == NULL)
		return -1;
	for (i = 0; i < nnames; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return ld_err(l, n, "bad %s '%s'", what, s);
}

/* Call fn for each item of a sequence (or for a lone scalar). */
static int
each_item(struct ld *l, yaml_node_t *n, const char *what,
    int (*fn)(struct ld *, yaml_node_t *, void *), void *arg)
{
	yaml_node_item_t	*it;
	yaml_node_t		*v;

	if (n->type == YAML_SCALAR_NODE)
		return fn(l, n, arg);
	if (n->type != YAML_SEQUENCE_NODE)
		return ld_err(l, n, "%s: expected a list", what);
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if ((v = node(l, *it)) == NULL)
			return ld_err(l, n, "%s: bad item", what);
		if (fn(l, v, arg) == -1)
			return -1;
	}
	return 0;
}

static int
hexbytes(const char *s, uint8_t *out, size_t max)
{
	size_t	 n = 0;
	int	 hi, lo;

	while (*s != '\0') {
		if (*s == ':' && n > 0) {
			s++;
			continue;
		}
		hi = OPENSSL_hexchar2int((unsigned char)s[0]);
		lo = s[1] != '\0' ? OPENSSL_hexchar2int((unsigned char)s[1]) :
		    -1;
		if (hi < 0 || lo < 0 || n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

struct hexarg {
	struct hexlist	*h;
	const char	*what;
	size_t		 want;	/* exact length, or 0: 1..64 */
};

static int
hex_item(struct ld *l, yaml_node_t *n, void *arg)
{
	struct hexarg	*a = arg;
	struct hexlist	*h = a->h;
	const char	*s;
	uint8_t		 b[64];
	int		 len;
	void		*p;

	if ((s = scalar(l, n, a->what)) == NULL)
		return -1;
	len = hexbytes(s, b, sizeof(b));
	if (len <= 0)
		return ld_err(l, n, "%s: bad hex '%s'", a->what, s);
	if (a->want != 0 && (size_t)len != a->want)
		return ld_err(l, n, "%s: %d bytes, expected %zu", a->what,
		    len, a->want);
	if ((p = xreallocarray(h->v, h->n + 1, sizeof(*h->v))) == NULL)
		return ld_err(l, n, "out of memory");
	h->v = p;
	if ((p = xreallocarray(h->len, h->n + 1, 1)) == NULL)
		return ld_err(l, n, "out of memory");
	h->len = p;
	memcpy(h->v[h->n], b, (size_t)len);
	h->len[h->n++] = (uint8_t)len;
	return 0;
}

static int
hexlist_load(struct ld *l, yaml_node_t *n, const char *what,
    struct hexlist *h, size_t want)
{
	struct hexarg	 a = { h, what, want };

	if (h->n > 0)
		return ld_err(l, n, "duplicate key '%s'", what);
	if (each_item(l, n, what, hex_item, &a) == -1)
		return -1;
	if (h->n == 0)
		return ld_err(l, n, "%s: empty list", what);
	return 0;
}

struct strlist {
	char	***v;
	size_t	*n;
	const char *what;
};

static int
str_item(struct ld *l, yaml_node_t *n, void *arg)
{
	struct strlist	*a = arg;
	const char	*s;
	char		**p;

	if ((s = scalar(l, n, a->what)) == NULL)
		return -1;
	if (*s == '\0')
		return ld_err(l, n, "%s: empty string", a->what);
	if ((p = xreallocarray(*a->v, *a->n + 1, sizeof(*p))) == NULL)
		return ld_err(l, n, "out of memory");
	*a->v = p;
	if ((p[*a->n] = xstrdup(s)) == NULL)
		return ld_err(l, n, "out of memory");
	(*a->n)++;
	return 0;
}

static int
strlist_load(struct ld *l, yaml_node_t *n, const char *what, char ***v,
    size_t *nv)
{
	struct strlist	 a = { v, nv, what };

	if (*nv > 0)
		return ld_err(l, n, "duplicate key '%s'", what);
	return each_item(l, n, what, str_item, &a);
}

/* Certificates left in b after the first one was read. */
static size_t
anchor_more(BIO *b)
{
	X509	*x;
	size_t	 n = 0;

	ERR_set_mark();
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	ERR_pop_to_mark();	/* the read that meets the end fails */
	return n;
}

/* How an anchor value is named in an error: its path, or "inline PEM". */
static const char *
a_name(const char *s)
{
	return strstr(s, "-----BEGIN") != NULL ? "(inline PEM)" : s;
}

/* Read a PEM file (relative to the rules file) or an inline PEM. */
static X509 *
anchor_read(struct ld *l, yaml_node_t *n, const char *s)
{
	BIO	*b;
	X509	*x;
	char	*path = NULL;
	size_t	 more;

	if (strstr(s, "-----BEGIN") != NULL)
		b = BIO_new_mem_buf(s, -1);
	else {
		if (s[0] == '/' || l->dir == NULL)
			path = xstrdup(s);
		else
			path = path_join(l->dir, s);
		if (path == NULL) {
			ld_err(l, n, "out of memory");
			return NULL;
		}
		if ((b = BIO_new_file(path, "r")) == NULL) {
			ld_err(l, n, "anchor '%s': cannot read: %s", s,
			    strerror(errno ? errno : ENOENT));
			xfree(path);
			return NULL;
		}
		xfree(path);
	}
	x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	if (x == NULL)
		ld_err(l, n, "anchor: not a PEM certificate");
	else if ((more = anchor_more(b)) > 0) {
		/* Taking the first silently made the real CA second in a
		 * bundle look like a name-only look-alike (verified: false). */
		ld_err(l, n, "anchor '%s': holds %zu certificates, an anchor "
		    "is one (write one rule per certificate)", a_name(s),
		    more + 1);
		X509_free(x);
		x = NULL;
	}
	BIO_free(b);
	return x;
}

/* SPKI SHA-256 over the whole DER SubjectPublicKeyInfo (as Chromium). */
static int
spki_sha256(X509 *x, uint8_t *out)
{
	unsigned char	*der = NULL;
	int		 n, ok;

	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	ok = n > 0 && EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(),
	    NULL);
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

static int
anchor_derive(struct anchor *a)
{
	const ASN1_OCTET_STRING	*ski;
	unsigned int		 len;

	a->subject = X509_get_subject_name(a->x);
	a->subject_hash = dn_hash(a->subject);
	if ((a->pkey = X509_get0_pubkey(a->x)) == NULL ||
	    !X509_digest(a->x, EVP_sha256(), a->sha256, &len) ||
	    spki_sha256(a->x, a->spki) == -1)
		return -1;
	if ((ski = X509_get0_subject_key_id(a->x)) != NULL &&
	    ski->length > 0 && (size_t)ski->length <= sizeof(a->ski)) {
		a->ski_len = (size_t)ski->length;
		memcpy(a->ski, ski->data, a->ski_len);
	}
	return 0;
}

static int
anchor_load(struct ld *l, yaml_node_t *n, struct rule *r)
{
	const char	*s;
	struct anchor	*a;

	if (r->anchor != NULL)
		return ld_err(l, n, "duplicate key 'anchor'");
	if ((s = scalar(l, n, "anchor")) == NULL)
		return -1;
	if ((a = r->anchor = xcalloc(1, sizeof(*a))) == NULL)
		return ld_err(l, n, "out of memory");
	if (strstr(s, "-----BEGIN") == NULL && (a->path = xstrdup(s)) == NULL)
		return ld_err(l, n, "out of memory");
	if ((a->x = anchor_read(l, n, s)) == NULL)
		return -1;
	if (anchor_derive(a) == -1)
		return ld_err(l, n, "anchor: unusable certificate");
	return 0;
}

static int
name_attr_load(struct ld *l, yaml_node_t *v, struct name_match *m, int k)
{
	char	 c[RULE_TEXT_MAX + 1];

	if (str_dup(l, v, name_attr_key[k], &m->attr[k]) == -1)
		return -1;
	if (dn_canon_utf8(m->attr[k], strlen(m->attr[k]), c, sizeof(c)) <= 0)
		return ld_err(l, v, "%s: empty value", name_attr_key[k]);
	if ((m->attr_canon[k] = xstrdup(c)) == NULL)
		return ld_err(l, v, "out of memory");
	return 0;
}

static int
name_dn_load(struct ld *l, yaml_node_t *v, struct name_match *m)
{
	char		 e[256], text[RULE_TEXT_MAX];
	const char	*s;

	if (m->dn != NULL)
		return ld_err(l, v, "duplicate key 'dn'");
	if ((s = scalar(l, v, "dn")) == NULL)
		return -1;
	if ((m->dn = dn_parse(s, e, sizeof(e))) == NULL)
		return ld_err(l, v, "dn: %s", e);
	if (dn_print(m->dn, text, sizeof(text)) < 0 ||
	    (m->dn_text = xstrdup(text)) == NULL)
		return ld_err(l, v, "dn: cannot print");
	return 0;
}

static int
name_key(struct ld *l, yaml_node_t *kn, yaml_node_t *v, struct name_match *m,
    int *case_seen)
{
	static const char *const cases[] = { "exact", "insensitive" };
	const char	*k;
	int		 i;

	if ((k = scalar(l, kn, "key")) == NULL)
		return -1;
	for (i = 0; i < NAME_ATTRS; i++)
		if (strcmp(k, name_attr_key[i]) == 0)
			return name_attr_load(l, v, m, i);
	if (strcmp(k, "dn") == 0)
		return name_dn_load(l, v, m);
	if (strcmp(k, "case") == 0) {
		if ((*case_seen)++)
			return ld_err(l, kn, "duplicate key 'case'");
		if ((i = pick(l, v, "case", cases, 2)) == -1)
			return -1;
		m->icase = i;
		return 0;
	}
	return ld_err(l, kn, "unknown key '%s'", k);
}

static int
name_load(struct ld *l, yaml_node_t *n, const char *what,
    struct name_match **out)
{
	yaml_node_pair_t	*p;
	struct name_match	*m;
	int			 case_seen = 0, k, any = 0;

	if (*out != NULL)
		return ld_err(l, n, "duplicate key '%s'", what);
	if (n->type != YAML_MAPPING_NODE)
		return ld_err(l, n, "%s: expected a mapping", what);
	if ((m = *out = xcalloc(1, sizeof(*m))) == NULL)
		return ld_err(l, n, "out of memory");
	m->icase = 1;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++)
		if (name_key(l, node(l, p->key), node(l, p->value), m,
		    &case_seen) == -1)
			return -1;
	for (k = 0; k < NAME_ATTRS; k++)
		any |= m->attr[k] != NULL;
	if (!any && m->dn == NULL)
		return ld_err(l, n, "%s: needs dn or an attribute", what);
	return 0;
}

static int
scope_load(struct ld *l, yaml_node_t *v, struct rule *r, int *seen)
{
	int	 i;

	if ((*seen)++)
		return ld_err(l, v, "duplicate key 'scope'");
	if ((i = pick(l, v, "scope", scopes, 4)) == -1)
		return -1;
	r->scope = (enum rule_scope)i;
	return 0;
}

static int
type_load(struct ld *l, yaml_node_t *v, struct rule *r, int *seen)
{
	static const char *const types[] = { "match", "untrusted" };
	int	 i;

	if ((*seen)++)
		return ld_err(l, v, "duplicate key 'type'");
	if ((i = pick(l, v, "type", types, 2)) == -1)
		return -1;
	r->type = (enum rule_type)i;
	return 0;
}

struct seen {
	int	scope, type, sid;
	yaml_node_t *match;
};

static int
match_key(struct ld *l, const char *k, yaml_node_t *v, struct rule *r,
    struct seen *s)
{
	if (strcmp(k, "anchor") == 0)
		return anchor_load(l, v, r);
	if (strcmp(k, "issuer") == 0)
		return name_load(l, v, k, &r->issuer);
	if (strcmp(k, "subject") == 0)
		return name_load(l, v, k, &r->subject);
	if (strcmp(k, "cert_sha256") == 0)
		return hexlist_load(l, v, k, &r->cert_sha256, 32);
	if (strcmp(k, "spki_sha256") == 0)
		return hexlist_load(l, v, k, &r->spki_sha256, 32);
	if (strcmp(k, "ski") == 0)
		return hexlist_load(l, v, k, &r->ski, 0);
	if (strcmp(k, "aki") == 0)
		return hexlist_load(l, v, k, &r->aki, 0);
	if (strcmp(k, "scope") == 0)
		return scope_load(l, v, r, &s->scope);
	if (strcmp(k, "sni") == 0)
		return strlist_load(l, v, k, &r->sni, &r->nsni);
	if (strcmp(k, "type") == 0)
		return type_load(l, v, r, &s->type);
	if (strcmp(k, "trust_store") == 0)
		return str_dup(l, v, k, &r->trust_path);
	return 1;
}

static int
match_load(struct ld *l, yaml_node_t *n, struct rule *r, struct seen *s)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*kn;
	const char		*k;
	int			 rc;

	if (s->match != NULL)
		return ld_err(l, n, "duplicate key 'match'");
	s->match = n;
	if (n->type != YAML_MAPPING_NODE)
		return ld_err(l, n, "match: expected a mapping");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		kn = node(l, p->key);
		if ((k = scalar(l, kn, "key")) == NULL)
			return -1;
		if ((rc = match_key(l, k, node(l, p->value), r, s)) == 1)
			return ld_err(l, kn, "unknown key '%s'", k);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
id_load(struct ld *l, yaml_node_t *v, struct rule *r)
{
	const char	*c;
	size_t		 i;

	if (str_dup(l, v, "id", &r->id) == -1)
		return -1;
	for (c = r->id; *c != '\0'; c++)
		if (!((isascii((unsigned char)*c) && isalnum((unsigned char)*c)) || (c != r->id &&
		    strchr("._-", *c) != NULL)))
			return ld_err(l, v, "id: '%s': letters, digits, "
			    "'.', '_', '-' only", r->id);
	if (*r->id == '\0' || strlen(r->id) > RULE_ID_MAX)
		return ld_err(l, v, "id: bad length");
	for (i = 0; i < l->rs->n; i++)
		if (strcmp(l->rs->r[i]->id, r->id) == 0)
			return ld_err(l, v, "duplicate id '%s'", r->id);
	return 0;
}

static int
severity_load(struct ld *l, yaml_node_t *v, struct rule *r)
{
	int	 i;

	if (r->severity != NULL)
		return ld_err(l, v, "duplicate key 'severity'");
	if ((i = pick(l, v, "severity", severities, 5)) == -1)
		return -1;
	r->level = i + 1;
	if ((r->severity = xstrdup(severities[i])) == NULL)
		return ld_err(l, v, "out of memory");
	return 0;
}

static int
sid_load(struct ld *l, yaml_node_t *v, struct rule *r, struct seen *s)
{
	const char		*str;
	char			*end;
	unsigned long long	 u;

	if (s->sid++)
		return ld_err(l, v, "duplicate key 'sid'");
	if ((str = scalar(l, v, "sid")) == NULL)
		return -1;
	errno = 0;
	u = strtoull(str, &end, 10);
	if (*str < '0' || *str > '9' || *end != '\0' || errno != 0 ||
	    u == 0 || u > UINT32_MAX)
		return ld_err(l, v, "sid: '%s': expected 1..4294967295", str);
	r->sid = (uint32_t)u;
	return 0;
}

static int
rule_key(struct ld *l, const char *k, yaml_node_t *v, struct rule *r,
    struct seen *s)
{
	if (strcmp(k, "id") == 0)
		return id_load(l, v, r);
	if (strcmp(k, "name") == 0)
		return str_dup(l, v, k, &r->name);
	if (strcmp(k, "description") == 0)
		return str_dup(l, v, k, &r->description);
	if (strcmp(k, "severity") == 0)
		return severity_load(l, v, r);
	if (strcmp(k, "category") == 0)
		return str_dup(l, v, k, &r->category);
	if (strcmp(k, "references") == 0)
		return strlist_load(l, v, k, &r->refs, &r->nrefs);
	if (strcmp(k, "sid") == 0)
		return sid_load(l, v, r, s);
	if (strcmp(k, "type") == 0)
		return type_load(l, v, r, &s->type);
	if (strcmp(k, "trust_store") == 0)
		return str_dup(l, v, k, &r->trust_path);
	if (strcmp(k, "match") == 0)
		return match_load(l, v, r, s);
	return 1;
}

/* FNV-1a: the default signature id is a stable hash of the rule id. */
static uint32_t
sid_of(const char *id)
{
	uint32_t	 h = 2166136261u;

	for (; *id != '\0'; id++)
		h = (h ^ (uint8_t)*id) * 16777619u;
	return h != 0 ? h : 1;
}

static int
has_indicator(const struct rule *r)
{
	return r->anchor != NULL || r->issuer != NULL || r->subject != NULL ||
	    r->cert_sha256.n > 0 || r->spki_sha256.n > 0 || r->ski.n > 0 ||
	    r->aki.n > 0;
}

static int rule_trust(struct ld *, yaml_node_t *, struct rule *);

static int
rule_check(struct ld *l, yaml_node_t *n, struct rule *r, struct seen *s)
{
	if (r->id == NULL)
		return ld_err(l, n, "rule without 'id'");
	if (r->name == NULL)
		return ld_err(l, n, "rule '%s': missing 'name'", r->id);
	if (r->severity == NULL)
		return ld_err(l, n, "rule '%s': missing 'severity'", r->id);
	if (!s->sid)
		r->sid = sid_of(r->id);
	if (r->type == RULE_TYPE_UNTRUSTED) {
		if (has_indicator(r) || s->scope)
			return ld_err(l, s->match, "rule '%s': untrusted rules "
			    "take only 'sni' under match", r->id);
		return rule_trust(l, n, r);
	}
	if (r->trust_path != NULL)
		return ld_err(l, n, "rule '%s': trust_store needs "
		    "type: untrusted", r->id);
	if (s->match == NULL)
		return ld_err(l, n, "rule '%s': missing 'match'", r->id);
	if (!has_indicator(r))
		return ld_err(l, s->match, "rule '%s': match needs anchor, "
		    "issuer, subject, cert_sha256, spki_sha256, ski or aki",
		    r->id);
	return 0;
}

static int
rule_add(struct ld *l, yaml_node_t *n, struct rule *r)
{
	struct rule	**p;

	if ((p = xreallocarray(l->rs->r, l->rs->n + 1, sizeof(*p))) == NULL)
		return ld_err(l, n, "out of memory");
	l->rs->r = p;
	r->pos = l->rs->n;
	p[l->rs->n++] = r;
	return 0;
}

static void	rule_free(struct rule *);

static int
rule_load(struct ld *l, yaml_node_t *n)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*kn;
	struct rule		*r;
	struct seen		 s;
	const char		*k;
	int			 rc = 0;

	if (n->type != YAML_MAPPING_NODE)
		return ld_err(l, n, "a rule must be a mapping");
	if ((r = xcalloc(1, sizeof(*r))) == NULL)
		return ld_err(l, n, "out of memory");
	memset(&s, 0, sizeof(s));
	for (p = n->data.mapping.pairs.start; rc == 0 &&
	    p < n->data.mapping.pairs.top; p++) {
		kn = node(l, p->key);
		if ((k = scalar(l, kn, "key")) == NULL)
			rc = -1;
		else if ((rc = rule_key(l, k, node(l, p->value), r, &s)) == 1)
			rc = ld_err(l, kn, "unknown key '%s'", k);
	}
	if (rc == 0)
		rc = rule_check(l, n, r, &s);
	if (rc == 0)
		rc = rule_add(l, n, r);
	if (rc == -1)
		rule_free(r);
	return rc;
}

static int
rules_walk(struct ld *l)
{
	yaml_node_t		*root, *kn, *seq;
	yaml_node_pair_t	*p;
	yaml_node_item_t	*it;
	const char		*k;

	if ((root = yaml_document_get_root_node(l->doc)) == NULL)
		return ld_err(l, NULL, "empty rules file");
	seq = root;
	if (root->type == YAML_MAPPING_NODE) {
		seq = NULL;
		for (p = root->data.mapping.pairs.start;
		    p < root->data.mapping.pairs.top; p++) {
			kn = node(l, p->key);
			if ((k = scalar(l, kn, "key")) == NULL)
				return -1;
			if (strcmp(k, "rules") != 0)
				return ld_err(l, kn, "unknown key '%s'", k);
			if (seq != NULL)
				return ld_err(l, kn, "duplicate key 'rules'");
			seq = node(l, p->value);
		}
		if (seq == NULL)
			return ld_err(l, root, "expected a list of rules");
	}
	if (seq->type != YAML_SEQUENCE_NODE)
		return ld_err(l, seq, "expected a list of rules");
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++)
		if (rule_load(l, node(l, *it)) == -1)
			return -1;
	return 0;
}

static int
yaml_fail(struct ld *l, yaml_parser_t *p)
{
	const char	*what = p->problem != NULL ? p->problem : "YAML error";

	if (p->error == YAML_MEMORY_ERROR)
		what = "out of memory";
	if (p->context != NULL)
		snprintf(l->err->msg, sizeof(l->err->msg),
		    "%s:%zu:%zu: %s %s", l->file, p->problem_mark.line + 1,
		    p->problem_mark.column + 1, what, p->context);
	else
		snprintf(l->err->msg, sizeof(l->err->msg), "%s:%zu:%zu: %s",
		    l->file, p->problem_mark.line + 1,
		    p->problem_mark.column + 1, what);
	return -1;
}

/* Parse one file's text and append its rules to l->rs. */
static int
ld_text(struct ld *l, const char *yaml, size_t len)
{
	yaml_parser_t	 p;
	yaml_document_t	 doc, extra;
	int		 rc;

	if (!yaml_parser_initialize(&p))
		return ld_err(l, NULL, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&p, &doc)) {
		rc = yaml_fail(l, &p);
		yaml_parser_delete(&p);
		return rc;
	}
	l->doc = &doc;
	rc = rules_walk(l);
	if (rc == 0) {
		if (!yaml_parser_load(&p, &extra))
			rc = yaml_fail(l, &p);
		else {
			if (yaml_document_get_root_node(&extra) != NULL)
				rc = ld_err(l, yaml_document_get_root_node(
				    &extra), "only one YAML document allowed");
			yaml_document_delete(&extra);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return rc;
}

static char *
dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*d;

	if (slash == NULL)
		return NULL;
	if (slash == path)
		return xstrdup("/");
	if ((d = xmalloc((size_t)(slash - path) + 1)) == NULL)
		return NULL;
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

/* ---- trust stores for untrusted rules ---------------------------- */

static int
store_load_dir(X509_STORE *st, const char *path)
{
	DIR		*d;
	struct dirent	*e;
	char		*f;
	int		 n = 0;

	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((f = path_join(path, e->d_name)) == NULL)
			break;
		ERR_set_mark();
		n += X509_STORE_load_file(st, f) == 1;
		ERR_pop_to_mark();
		xfree(f);
	}
	closedir(d);
	return n;
}

/* What "the system's trust store" loads: SYSTEM_BUNDLE unless a test
 * says otherwise (rules_system_bundle()). */
static const char *system_bundle = SYSTEM_BUNDLE;

void
rules_system_bundle(const char *path)
{
	system_bundle = path != NULL ? path : SYSTEM_BUNDLE;
}

/*
 * Loaded eagerly (the parser child may not see the file system later).
 * NULL path: Debian's bundle, else the certs directory.
 */
static X509_STORE *
store_load(const char *path)
{
	X509_STORE	*st;
	struct stat	 sb;
	int		 ok;

	if ((st = X509_STORE_new()) == NULL)
		return NULL;
	if (path == NULL) {
		ok = X509_STORE_load_file(st, system_bundle) == 1 ||
		    store_load_dir(st, SYSTEM_DIR) > 0;
	} else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		ok = store_load_dir(st, path) > 0;
	else
		ok = X509_STORE_load_file(st, path) == 1;
	if (!ok) {
		X509_STORE_free(st);
		return NULL;
	}
	return st;
}

struct x509_store_st *
rules_trust_store_load(const char *path)
{
	X509_STORE *st = store_load(path);

	if (st != NULL)
		rules_vcache_attach(st);	/* rules_chain_verify's */
	return st;
}

static int
rule_trust(struct ld *l, yaml_node_t *n, struct rule *r)
{
	struct trust	*t;
	char		*path = NULL;

	if (r->trust_path != NULL) {
		if (r->trust_path[0] == '/' || l->dir == NULL)
			path = xstrdup(r->trust_path);
		else
			path = path_join(l->dir, r->trust_path);
		if (path == NULL)
			return ld_err(l, n, "out of memory");
	}
	for (t = l->rs->trusts; t != NULL; t = t->next)
		if ((t->path == NULL && path == NULL) || (t->path != NULL &&
		    path != NULL && strcmp(t->path, path) == 0))
			break;
	if (t == NULL) {
		if ((t = xcalloc(1, sizeof(*t))) == NULL) {
			xfree(path);
			return ld_err(l, n, "out of memory");
		}
		t->path = path;
		path = NULL;
		t->next = l->rs->trusts;
		l->rs->trusts = t;
		if ((t->store = store_load(t->path)) == NULL)
			return ld_err(l, n, "rule '%s': cannot load trust "
			    "store '%s'", r->id, t->path ? t->path :
			    system_bundle);
	}
	xfree(path);
	r->trust = t;
	return 0;
}

/* ---- ruleset ------------------------------------------------------ */

static int
index_name(struct ruleset *rs, struct rule *r, const struct name_match *m,
    enum rkey dnk, enum rkey attrk)
{
	uint8_t		 key[64];
	size_t		 len, k;
	uint64_t	 h;

	if (m->dn != NULL) {
		h = dn_hash(m->dn);
		memcpy(key, &h, sizeof(h));
		return rindex_add(&rs->idx, dnk, key, sizeof(h), r);
	}
	for (k = 0; k < NAME_ATTRS; k++)
		if (m->attr_canon[k] != NULL)
			break;
	if (dn_attr_key(name_attr_nid[k], m->attr_canon[k], key, &len) == -1)
		return -1;
	return rindex_add(&rs->idx, attrk, key, len, r);
}

static int
index_list(struct ruleset *rs, struct rule *r, const struct hexlist *h,
    enum rkey kind)
{
	size_t	 i;

	for (i = 0; i < h->n; i++)
		if (rindex_add(&rs->idx, kind, h->v[i], h->len[i], r) == -1)
			return -1;
	return 0;
}

static int
index_anchor(struct ruleset *rs, struct rule *r, const struct anchor *a)
{
	uint8_t	 key[sizeof(uint64_t)];

	memcpy(key, &a->subject_hash, sizeof(key));
	if (rindex_add(&rs->idx, RK_SHA256, a->sha256, 32, r) == -1 ||
	    rindex_add(&rs->idx, RK_SPKI, a->spki, 32, r) == -1 ||
	    rindex_add(&rs->idx, RK_ANCHOR_DN, key, sizeof(key), r) == -1)
		return -1;
	if (a->ski_len > 0 && rindex_add(&rs->idx, RK_ANCHOR_KEYID, a->ski,
	    a->ski_len, r) == -1)
		return -1;
	return 0;
}

static int
index_rule(struct ruleset *rs, struct rule *r)
{
	struct rule	**p;

	if (r->type == RULE_TYPE_UNTRUSTED) {
		p = xreallocarray(rs->untrusted, rs->nuntrusted + 1,
		    sizeof(*p));
		if (p == NULL)
			return -1;
		rs->untrusted = p;
		p[rs->nuntrusted++] = r;
		return 0;
	}
	if ((r->anchor != NULL && index_anchor(rs, r, r->anchor) == -1) ||
	    (r->issuer != NULL && index_name(rs, r, r->issuer, RK_ISSUER_DN,
	    RK_ISSUER_ATTR) == -1) ||
	    (r->subject != NULL && index_name(rs, r, r->subject,
	    RK_SUBJECT_DN, RK_SUBJECT_ATTR) == -1) ||
	    index_list(rs, r, &r->cert_sha256, RK_SHA256) == -1 ||
	    index_list(rs, r, &r->spki_sha256, RK_SPKI) == -1 ||
	    index_list(rs, r, &r->ski, RK_SKI) == -1 ||
	    index_list(rs, r, &r->aki, RK_AKI) == -1)
		return -1;
	return 0;
}

/* A problem with the file itself (no line or column in it means
 * anything): "file: reason". */
static int
ld_file_err(struct ld *l, const char *why)
{
	snprintf(l->err->msg, sizeof(l->err->msg), "%s: %s", l->file, why);
	return -1;
}

static int
ld_file(struct ld *l, const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;
	int	 rc;

	l->file = path;
	if ((f = fopen(path, "r")) == NULL)
		return ld_file_err(l, strerror(errno));
	if ((buf = xmalloc(RULES_FILE_MAX)) == NULL) {
		fclose(f);
		return ld_file_err(l, "out of memory");
	}
	n = fread(buf, 1, RULES_FILE_MAX, f);
	rc = ferror(f) ? ld_file_err(l, strerror(errno)) :
	    n == RULES_FILE_MAX ? ld_file_err(l, "file too large") : 0;
	fclose(f);
	if (rc == 0) {
		xfree(l->dir);
		l->dir = dir_of(path);
		rc = ld_text(l, buf, n);
	}
	xfree(buf);
	return rc;
}

static struct ruleset *
ld_finish(struct ld *l, int rc)
{
	size_t	 i;

	xfree(l->dir);
	ERR_clear_error();	/* PEM and DN failures were reported above */
	for (i = 0; rc == 0 && i < l->rs->n; i++)
		if (index_rule(l->rs, l->rs->r[i]) == -1)
			rc = ld_err(l, NULL, "out of memory");
	if (rc == -1 && l->err->msg[0] == '\0')
		ld_err(l, NULL, "out of memory");
	if (rc == 0)
		return l->rs;
	rules_unref(l->rs);
	return NULL;
}

struct ruleset *
rules_load(const char *const *paths, size_t npaths, struct rules_error *err)
{
	struct ld	 l;
	size_t		 i;
	int		 rc = 0;

	memset(&l, 0, sizeof(l));
	memset(err, 0, sizeof(*err));
	l.err = err;
	l.file = npaths > 0 ? paths[0] : "rules";
	if ((l.rs = xcalloc(1, sizeof(*l.rs))) == NULL) {
		ld_err(&l, NULL, "out of memory");
		return NULL;
	}
	l.rs->refs = 1;
	for (i = 0; rc == 0 && i < npaths; i++)
		rc = ld_file(&l, paths[i]);
	return ld_finish(&l, rc);
}

struct ruleset *
rules_load_string(const char *name, const char *yaml, size_t len,
    struct rules_error *err)
{
	struct ld	 l;
	int		 rc;

	memset(&l, 0, sizeof(l));
	memset(err, 0, sizeof(*err));
	l.err = err;
	l.file = name;
	if ((l.rs = xcalloc(1, sizeof(*l.rs))) == NULL) {
		ld_err(&l, NULL, "out of memory");
		return NULL;
	}
	l.rs->refs = 1;
	l.dir = dir_of(name);
	rc = ld_text(&l, yaml, len);
	return ld_finish(&l, rc);
}

static void
name_match_free(struct name_match *m)
{
	int	 k;

	if (m == NULL)
		return;
	X509_NAME_free(m->dn);
	xfree(m->dn_text);
	for (k = 0; k < NAME_ATTRS; k++) {
		xfree(m->attr[k]);
		xfree(m->attr_canon[k]);
	}
	xfree(m);
}

static void
strv_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		xfree(v[i]);
	xfree(v);
}

static void
rule_free(struct rule *r)
{
	if (r->anchor != NULL) {
		X509_free(r->anchor->x);
		xfree(r->anchor->path);
		xfree(r->anchor);
	}
	name_match_free(r->issuer);
	name_match_free(r->subject);
	xfree(r->cert_sha256.v);
	xfree(r->cert_sha256.len);
	xfree(r->spki_sha256.v);
	xfree(r->spki_sha256.len);
	xfree(r->ski.v);
	xfree(r->ski.len);
	xfree(r->aki.v);
	xfree(r->aki.len);
	strv_free(r->refs, r->nrefs);
	strv_free(r->sni, r->nsni);
	xfree(r->id);
	xfree(r->name);
	xfree(r->description);
	xfree(r->severity);
	xfree(r->category);
	xfree(r->trust_path);
	xfree(r);
}

struct ruleset *
rules_ref(struct ruleset *rs)
{
	if (rs != NULL)
		__atomic_add_fetch(&rs->refs, 1, __ATOMIC_RELAXED);
	return rs;
}

/*
 * The last reference frees.  Acquire-release so that a worker dropping
 * the set on another thread sees it whole before freeing it.
 */
void
rules_unref(struct ruleset *rs)
{
	struct trust	*t;
	size_t		 i;

	if (rs == NULL)
		return;
	DEBUG_ASSERT(__atomic_load_n(&rs->refs, __ATOMIC_RELAXED) > 0);
	if (__atomic_sub_fetch(&rs->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	rindex_free(&rs->idx);
	for (i = 0; i < rs->n; i++)
		rule_free(rs->r[i]);
	xfree(rs->r);
	xfree(rs->untrusted);
	while ((t = rs->trusts) != NULL) {
		rs->trusts = t->next;
		X509_STORE_free(t->store);
		xfree(t->path);
		xfree(t);
	}
	xfree(rs);
}

/* ---- canonical dump (rules_dump) ---------------------------------- */

/* YAML double-quoted scalar; control characters as \xHH. */
static void
dq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
dump_kv(FILE *f, const char *ind, const char *k, const char *v)
{
	if (v == NULL)
		return;
	fprintf(f, "%s%s: ", ind, k);
	dq(f, v);
	fputc('\n', f);
}

static void
dump_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void
dump_hexlist(FILE *f, const char *k, const struct hexlist *h)
{
	size_t	 i;

	if (h->n == 0)
		return;
	fprintf(f, "      %s:\n", k);
	for (i = 0; i < h->n; i++) {
		fputs("        - ", f);
		dump_hex(f, h->v[i], h->len[i]);
		fputc('\n', f);
	}
}

static void
dump_strlist(FILE *f, const char *ind, const char *k, char **v, size_t n)
{
	size_t	 i;

	if (n == 0)
		return;
	fprintf(f, "%s%s:\n", ind, k);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s  - ", ind);
		dq(f, v[i]);
		fputc('\n', f);
	}
}

static void
dump_anchor(FILE *f, const struct anchor *a)
{
	char	 dn[2048];
	BIO	*b;
	char	*pem;
	long	 n, i;

	if (a->path != NULL)
		dump_kv(f, "      ", "anchor", a->path);
	else if ((b = BIO_new(BIO_s_mem())) != NULL) {
		fputs("      anchor: |\n", f);
		PEM_write_bio_X509(b, a->x);
		n = BIO_get_mem_data(b, &pem);
		for (i = 0; i < n; i++) {
			if (i == 0 || pem[i - 1] == '\n')
				fputs("        ", f);
			fputc(pem[i], f);
		}
		BIO_free(b);
	}
	dn_print(a->subject, dn, sizeof(dn));
	fprintf(f, "      # subject: %s\n      # sha256: ", dn);
	dump_hex(f, a->sha256, 32);
	fputs("\n      # spki_sha256: ", f);
	dump_hex(f, a->spki, 32);
	fputs("\n      # ski: ", f);
	dump_hex(f, a->ski, a->ski_len);
	fputc('\n', f);
}

static void
dump_name(FILE *f, const char *k, const struct name_match *m)
{
	int	 i;

	if (m == NULL)
		return;
	fprintf(f, "      %s:\n", k);
	if (!m->icase)
		fputs("        case: exact\n", f);
	dump_kv(f, "        ", "dn", m->dn_text);
	for (i = 0; i < NAME_ATTRS; i++)
		dump_kv(f, "        ", name_attr_key[i], m->attr[i]);
}

static void
dump_match(FILE *f, const struct rule *r)
{
	if (r->type == RULE_TYPE_UNTRUSTED && r->nsni == 0)
		return;
	fputs("    match:\n", f);
	if (r->anchor != NULL)
		dump_anchor(f, r->anchor);
	dump_name(f, "issuer", r->issuer);
	dump_name(f, "subject", r->subject);
	dump_hexlist(f, "cert_sha256", &r->cert_sha256);
	dump_hexlist(f, "spki_sha256", &r->spki_sha256);
	dump_hexlist(f, "ski", &r->ski);
	dump_hexlist(f, "aki", &r->aki);
	if (r->scope != SCOPE_ANY)
		fprintf(f, "      scope: %s\n", scopes[r->scope]);
	dump_strlist(f, "      ", "sni", r->sni, r->nsni);
}

void
rules_dump(const struct ruleset *rs, FILE *f)
{
	const struct rule	*r;
	size_t			 i;

	if (rs == NULL || rs->n == 0) {
		fputs("rules: []\n", f);
		return;
	}
	fputs("rules:\n", f);
	for (i = 0; i < rs->n; i++) {
		r = rs->r[i];
		fprintf(f, "  - id: %s\n", r->id);
		dump_kv(f, "    ", "name", r->name);
		dump_kv(f, "    ", "description", r->description);
		fprintf(f, "    severity: %s\n", r->severity);
		dump_kv(f, "    ", "category", r->category);
		fprintf(f, "    sid: %u\n", r->sid);
		dump_strlist(f, "    ", "references", r->refs, r->nrefs);
		if (r->type == RULE_TYPE_UNTRUSTED)
			fputs("    type: untrusted\n", f);
		dump_kv(f, "    ", "trust_store", r->trust_path);
		dump_match(f, r);
	}
}
