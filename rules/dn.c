/*
 * dn.c - distinguished names: parse RFC 4514 strings, print, canonicalise.
 *
 * Names compare the way RFC 5280 section 7.1 and OpenSSL's X509_NAME_cmp
 * compare them: every directory string is converted to UTF-8, leading and
 * trailing white space removed, internal runs of white space folded to one
 * space and ASCII lower-cased.  So a PrintableString "Qaznet Trust
 * Network" equals a UTF8String "qaznet  trust network", while the whole
 * DN (every RDN, in order) must agree: C=US,CN=X is not C=KZ,CN=X.
 *
 * RFC 4514 section 3 string form, most specific RDN first:
 *
 *   distinguishedName = [ rdn *( "," rdn ) ]
 *   rdn               = atv *( "+" atv )
 *   atv               = type "=" value
 *   value             = string / "#" hexstring
 *   escapes           = "\" ( special / hexpair )
 *
 * A string that begins with "/" is read as OpenSSL's one-line form
 * ("/C=KZ/CN=Qaznet Trust Network", least specific first).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "rules_int.h"

const int name_attr_nid[NAME_ATTRS] = {
	NID_commonName, NID_organizationName, NID_organizationalUnitName,
	NID_localityName, NID_stateOrProvinceName, NID_countryName
};
const char *const name_attr_key[NAME_ATTRS] = {
	"CN", "O", "OU", "L", "ST", "C"
};

#define DN_MAX_AVAS	64
#define DN_VALUE_MAX	1024

struct ava {
	ASN1_OBJECT	*obj;
	int		 type;		/* MBSTRING_UTF8 or V_ASN1_* */
	unsigned char	 v[DN_VALUE_MAX];
	size_t		 len;
	int		 new_rdn;
};

struct dnp {
	const char	*s;
	size_t		 i;
	char		 sep;		/* RDN separator: ',' or '/' */
	struct ava	*a;
	size_t		 n;
	char		*err;
	size_t		 errlen;
};

static int
dnp_fail(struct dnp *p, const char *msg)
{
	snprintf(p->err, p->errlen, "bad DN at offset %zu: %s", p->i, msg);
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 4514 section 3: attribute type names are case-insensitive. */
static ASN1_OBJECT *
obj_nocase(const char *t)
{
	const char	*sn, *ln;
	int		 nid;

	for (nid = 1; nid < 4096; nid++) {
		sn = OBJ_nid2sn(nid);
		ln = OBJ_nid2ln(nid);
		if ((sn != NULL && strcasecmp(sn, t) == 0) ||
		    (ln != NULL && strcasecmp(ln, t) == 0))
			return OBJ_nid2obj(nid);
	}
	return NULL;
}

static int
dnp_type(struct dnp *p, struct ava *a)
{
	char	 t[128];
	size_t	 n = 0;

	while (p->s[p->i] == ' ')
		p->i++;
	while (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '.' ||
	    p->s[p->i] == '-') {
		if (n + 1 >= sizeof(t))
			return dnp_fail(p, "attribute type too long");
		t[n++] = p->s[p->i++];
	}
	t[n] = '\0';
	while (p->s[p->i] == ' ')
		p->i++;
	if (n == 0 || p->s[p->i] != '=')
		return dnp_fail(p, "expected type=value");
	p->i++;
	if ((a->obj = OBJ_txt2obj(t, 0)) == NULL &&
	    (a->obj = obj_nocase(t)) == NULL)
		return dnp_fail(p, "unknown attribute type");
	return 0;
}

/* "#" hexstring: the BER encoding of the value (RFC 4514 section 2.4). */
static int
dnp_hex(struct dnp *p, struct ava *a)
{
	unsigned char	 der[DN_VALUE_MAX];
	const unsigned char *q = der;
	size_t		 n = 0;
	ASN1_TYPE	*t;
	int		 hi, lo, ok;

	p->i++;
	while ((hi = hexval(p->s[p->i])) >= 0) {
		if ((lo = hexval(p->s[p->i + 1])) < 0)
			return dnp_fail(p, "odd hex string");
		if (n >= sizeof(der))
			return dnp_fail(p, "value too long");
		der[n++] = (unsigned char)(hi << 4 | lo);
		p->i += 2;
	}
	t = d2i_ASN1_TYPE(NULL, &q, (long)n);
	ok = t != NULL && (size_t)(q - der) == n && t->type != V_ASN1_SEQUENCE &&
	    t->type != V_ASN1_SET && t->type != V_ASN1_BOOLEAN &&
	    t->type != V_ASN1_NULL && t->type != V_ASN1_OBJECT &&
	    (size_t)t->value.asn1_string->length <= sizeof(a->v);
	if (ok) {
		a->type = t->type;
		a->len = (size_t)t->value.asn1_string->length;
		memcpy(a->v, t->value.asn1_string->data, a->len);
	}
	ASN1_TYPE_free(t);
	return ok ? 0 : dnp_fail(p, "bad hex value");
}

static int
dnp_is_end(const struct dnp *p, char c)
{
	return c == '\0' || c == p->sep || c == '+' ||
	    (p->sep == ',' && c == ';');
}

static int
dnp_string(struct dnp *p, struct ava *a)
{
	size_t	 keep = 0;	/* length up to the last escaped/non-space */
	int	 c, hi, lo;

	a->type = MBSTRING_UTF8;
	a->len = 0;
	while (!dnp_is_end(p, (c = p->s[p->i]))) {
		if (a->len >= sizeof(a->v))
			return dnp_fail(p, "value too long");
		if (c == '\\') {
			c = p->s[++p->i];
			if ((hi = hexval(c)) >= 0 &&
			    (lo = hexval(p->s[p->i + 1])) >= 0) {
				c = hi << 4 | lo;
				p->i++;
			} else if (c == '\0')
				return dnp_fail(p, "trailing backslash");
			a->v[a->len++] = (unsigned char)c;
			keep = a->len;
		} else {
			if (c == ' ' && a->len == 0) {
				p->i++;
				continue;
			}
			a->v[a->len++] = (unsigned char)c;
			if (c != ' ')
				keep = a->len;
		}
		p->i++;
	}
	a->len = keep;
	return 0;
}

static int
dnp_parse(struct dnp *p)
{
	struct ava	*a;
	int		 new_rdn = 1;

	if (p->s[0] == '/') {
		p->sep = '/';
		p->i = 1;
	} else
		p->sep = ',';
	while (p->s[p->i] != '\0') {
		if (p->n >= DN_MAX_AVAS)
			return dnp_fail(p, "too many attributes");
		a = &p->a[p->n++];
		a->new_rdn = new_rdn;
		if (dnp_type(p, a) == -1)
			return -1;
		if (p->s[p->i] == '#') {
			if (dnp_hex(p, a) == -1)
				return -1;
			while (p->s[p->i] == ' ')
				p->i++;
		} else if (dnp_string(p, a) == -1)
			return -1;
		if (p->s[p->i] == '\0')
			break;
		if (!dnp_is_end(p, p->s[p->i]))
			return dnp_fail(p, "junk after value");
		new_rdn = p->s[p->i] != '+';
		p->i++;
		if (p->s[p->i] == '\0')
			return dnp_fail(p, "empty attribute");
	}
	return 0;
}

/* Add the RDNs to the name, least specific first (RFC 5280 order). */
static int
dn_build(X509_NAME *name, const struct ava *a, size_t n, int reverse)
{
	size_t	 rs[DN_MAX_AVAS], nr = 0, r, k, i, end;
	int	 set;

	for (i = 0; i < n; i++)
		if (a[i].new_rdn)
			rs[nr++] = i;
	for (k = 0; k < nr; k++) {
		r = reverse ? nr - 1 - k : k;
		end = r + 1 < nr ? rs[r + 1] : n;
		/* The RFC 4514 printer reverses every entry, AVAs too. */
		for (i = 0, set = 0; i < end - rs[r]; i++, set = -1) {
			const struct ava *v = &a[reverse ? end - 1 - i :
			    rs[r] + i];

			if (!X509_NAME_add_entry_by_OBJ(name, v->obj, v->type,
			    v->v, (int)v->len, -1, set))
				return -1;
		}
	}
	return 0;
}

static X509_NAME *dn_parse_marked(const char *, char *, size_t);

X509_NAME *
dn_parse(const char *s, char *err, size_t errlen)
{
	X509_NAME	*name;

	ERR_set_mark();
	name = dn_parse_marked(s, err, errlen);
	ERR_pop_to_mark();
	return name;
}

static X509_NAME *
dn_parse_marked(const char *s, char *err, size_t errlen)
{
	struct dnp	 p;
	X509_NAME	*name = NULL;
	size_t		 i;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.err = err;
	p.errlen = errlen;
	if ((p.a = OPENSSL_zalloc(sizeof(*p.a) * DN_MAX_AVAS)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (dnp_parse(&p) == 0) {
		if (p.n == 0)
			snprintf(err, errlen, "empty DN");
		else if ((name = X509_NAME_new()) == NULL ||
		    dn_build(name, p.a, p.n, p.sep == ',') == -1) {
			snprintf(err, errlen, "bad DN: value not allowed "
			    "for its attribute type");
			X509_NAME_free(name);
			name = NULL;
		}
	}
	for (i = 0; i < p.n; i++)
		ASN1_OBJECT_free(p.a[i].obj);
	OPENSSL_free(p.a);
	return name;
}

/* RFC 4514 text (UTF-8, most specific first); -1 if it does not fit. */
int
dn_print(const X509_NAME *name, char *buf, size_t len)
{
	BIO	*b;
	int	 n;

	if (len == 0 || (b = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	n = X509_NAME_print_ex(b, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	if (n >= 0 && (size_t)n < len)
		n = BIO_read(b, buf, n);
	else
		n = -1;
	BIO_free(b);
	if (n < 0) {
		buf[0] = '\0';
		return -1;
	}
	buf[n] = '\0';
	return n;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The per-value canonical form OpenSSL's x509_name_canon() uses. */
int
dn_canon_utf8(const char *in, size_t len, char *out, size_t outlen)
{
	size_t	 i = 0, o = 0;
	int	 space = 0;

	while (len > 0 && is_space((unsigned char)in[len - 1]))
		len--;
	while (i < len && is_space((unsigned char)in[i]))
		i++;
	for (; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (is_space(c)) {
			space = 1;
			continue;
		}
		if (o + 2 >= outlen)
			return -1;
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = (c & 0x80) ? (char)c : (char)tolower(c);
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return (int)o;
}

int
dn_canon_asn1(const ASN1_STRING *s, char *out, size_t outlen)
{
	unsigned char	*u = NULL;
	int		 n, r, t = ASN1_STRING_type(s);

	/* these are UTF-8 already (ASCII subsets or UTF-8 itself) */
	if (t == V_ASN1_UTF8STRING || t == V_ASN1_PRINTABLESTRING ||
	    t == V_ASN1_IA5STRING || t == V_ASN1_VISIBLESTRING)
		return dn_canon_utf8((const char *)ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s), out, outlen);
	if ((n = ASN1_STRING_to_UTF8(&u, s)) < 0)
		return -1;
	r = dn_canon_utf8((const char *)u, (size_t)n, out, outlen);
	OPENSSL_free(u);
	return r;
}

static uint64_t
fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

#define FNV64_INIT	14695981039346656037ull

/* Index key of one attribute: a hash of nid and canonical value. */
int
dn_attr_key(int nid, const char *canon, uint8_t *key, size_t *len)
{
	uint64_t	 h;

	h = fnv64(FNV64_INIT, &nid, sizeof(nid));
	h = fnv64(h, canon, strlen(canon));
	memcpy(key, &h, sizeof(h));
	*len = sizeof(h);
	return 0;
}

/* Types OpenSSL canonicalises (ASN1_MASK_CANON); others compare raw. */
static int
canon_type(int t)
{
	return t == V_ASN1_UTF8STRING || t == V_ASN1_PRINTABLESTRING ||
	    t == V_ASN1_IA5STRING || t == V_ASN1_VISIBLESTRING ||
	    t == V_ASN1_T61STRING || t == V_ASN1_BMPSTRING ||
	    t == V_ASN1_UNIVERSALSTRING;
}

static uint64_t
entry_hash(const X509_NAME_ENTRY *e)
{
	const ASN1_OBJECT	*o = X509_NAME_ENTRY_get_object(e);
	const ASN1_STRING	*v = X509_NAME_ENTRY_get_data(e);
	char			 c[DN_VALUE_MAX];
	uint64_t		 h;
	int			 t = ASN1_STRING_type(v), n;

	h = fnv64(FNV64_INIT, OBJ_get0_data(o), OBJ_length(o));
	if (canon_type(t) && (n = dn_canon_asn1(v, c, sizeof(c))) >= 0)
		return fnv64(h, c, (size_t)n);
	h = fnv64(h, &t, sizeof(t));
	return fnv64(h, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
}

/*
 * Hash of the canonical name: equal under X509_NAME_cmp implies equal
 * hash (entries of one multi-valued RDN are summed: order-free, as the
 * DER SET OF sort makes them).  Candidates are confirmed with dn_equal.
 */
uint64_t
dn_hash(const X509_NAME *name)
{
	uint64_t	 h = FNV64_INIT, rdn = 0;
	int		 i, set = -1;

	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);

		if (X509_NAME_ENTRY_set(e) != set && set != -1) {
			h = fnv64(h, &rdn, sizeof(rdn));
			rdn = 0;
		}
		set = X509_NAME_ENTRY_set(e);
		rdn += entry_hash(e);
	}
	return fnv64(h, &rdn, sizeof(rdn));
}

int
dn_equal(const X509_NAME *a, const X509_NAME *b)
{
	return X509_NAME_cmp(a, b) == 0;
}

static int
attr_present(const struct name_match *m, int k, const X509_NAME *name)
{
	const X509_NAME_ENTRY	*e;
	const ASN1_STRING	*s;
	unsigned char		*u;
	char			 canon[DN_VALUE_MAX];
	int			 i = -1, n, eq;

	while ((i = X509_NAME_get_index_by_NID(name, name_attr_nid[k], i)) >=
	    0) {
		e = X509_NAME_get_entry(name, i);
		s = X509_NAME_ENTRY_get_data(e);
		if (m->icase) {
			if (dn_canon_asn1(s, canon, sizeof(canon)) >= 0 &&
			    strcmp(canon, m->attr_canon[k]) == 0)
				return 1;
			continue;
		}
		u = NULL;
		if ((n = ASN1_STRING_to_UTF8(&u, s)) < 0)
			continue;
		eq = (size_t)n == strlen(m->attr[k]) &&
		    memcmp(u, m->attr[k], (size_t)n) == 0;
		OPENSSL_free(u);
		if (eq)
			return 1;
	}
	return 0;
}

/* 1 if every constraint of an issuer/subject block holds for name. */
int
name_match_eval(const struct name_match *m, const X509_NAME *name)
{
	int	 k;

	if (m->dn != NULL && !dn_equal(m->dn, name))
		return 0;
	for (k = 0; k < NAME_ATTRS; k++)
		if (m->attr[k] != NULL && !attr_present(m, k, name))
			return 0;
	return 1;
}
