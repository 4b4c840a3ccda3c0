/*
 * cert_json.c - render a decoded certificate as JSON.  See cert_json.h.
 *
 * Field order and formats are part of the event format (docs and SIEM
 * parsers depend on them).  CERT_RW: subject, issuer, serial, validity,
 * hashes, key ids, key, signature algorithm, SAN, CA flags, version.  A
 * certificate OpenSSL could not decode is reported by its hashes and the
 * reason in every part.
 */
#include "cert_json.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "xmalloc.h"
#include "../parsers/cur.h"
#include "../parsers/x509.h"

/* What a cache entry's render slot holds: each part once rendered. */
struct cert_render {
	char	*part[CERT_PART_MAX];	/* "{...}", NUL-terminated, or NULL */
	size_t	 len[CERT_PART_MAX];
};

static void
cert_json_san(struct jbuf *j, const struct x509_cert *c)
{
	size_t i;

	jb_arr_open(j, "san");
	for (i = 0; i < c->nsan; i++)
		jb_strn(j, NULL, c->san[i].v, c->san[i].len);
	jb_arr_close(j);
	if (c->san_truncated)
		jb_bool(j, "san_truncated", 1);
}

static void
cert_json_time(struct jbuf *j, const char *key, const char *t)
{
	if (t[0] != '\0')
		jb_str(j, key, t);
	else
		jb_null(j, key);
}

static void
cert_json_body(struct jbuf *j, const struct x509_cert *c)
{
	jb_str(j, "subject", c->subject);
	jb_str(j, "issuer", c->issuer);
	jb_str(j, "serial", c->serial);
	cert_json_time(j, "not_before", c->not_before);
	cert_json_time(j, "not_after", c->not_after);
	jb_hex(j, "sha256", c->sha256, sizeof(c->sha256));
	jb_hex(j, "sha1", c->sha1, sizeof(c->sha1));
	jb_hex(j, "spki_sha256", c->spki_sha256, sizeof(c->spki_sha256));
	if (c->ski_len > 0)
		jb_hex(j, "ski", c->ski, c->ski_len);
	if (c->aki_len > 0)
		jb_hex(j, "aki", c->aki, c->aki_len);
	jb_str(j, "key_type", c->key_type);
	if (c->key_bits > 0)
		jb_u64(j, "key_bits", (uint64_t)c->key_bits);
	if (c->curve[0] != '\0')
		jb_str(j, "curve", c->curve);
	jb_str(j, "signature_algorithm", c->sig_alg);
	cert_json_san(j, c);
	jb_bool(j, "is_ca", c->is_ca);
	jb_bool(j, "self_signed", c->self_signed);
	jb_u64(j, "version", c->version);
}

/* "aa:bb:..." (Suricata's fingerprint and serial formats). */
static void
colon_hex(struct jbuf *j, const char *key, const uint8_t *p, size_t n,
    int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[3 * 128];
	size_t i, k = 0;

	for (i = 0; i < n && i < 128; i++) {
		if (i > 0)
			tmp[k++] = ':';
		tmp[k++] = digits[p[i] >> 4];
		tmp[k++] = digits[p[i] & 15];
	}
	jb_strn(j, key, tmp, k);
}

static void
upper_hex(struct jbuf *j, const char *key, const uint8_t *p, size_t n)
{
	char tmp[2 * 64];
	size_t i;

	for (i = 0; i < n && i < 64; i++) {
		tmp[2 * i] = "0123456789ABCDEF"[p[i] >> 4];
		tmp[2 * i + 1] = "0123456789ABCDEF"[p[i] & 15];
	}
	jb_strn(j, key, tmp, 2 * i);
}

/*
 * Suricata writes a name as its RDNs in certificate order, "SN=value"
 * joined by ", " and " + " inside a multi-valued RDN, values as UTF-8
 * without RFC 4514 escaping (its Rust X.509 parser's display form).
 * Attribute types OpenSSL has no short name for are dotted OIDs, values
 * of unknown string types are '#' and hex.
 */
static void
name_eve(struct jbuf *j, const char *key, const X509_NAME *name)
{
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
	    ASN1_STRFLGS_UTF8_CONVERT | ASN1_STRFLGS_DUMP_UNKNOWN |
	    ASN1_STRFLGS_DUMP_DER;
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	if (b == NULL) {
		j->oom = 1;
		return;
	}
	if (X509_NAME_print_ex(b, name, 0, flags) >= 0 &&
	    (n = BIO_get_mem_data(b, &p)) >= 0)
		jb_strn(j, key, p, (size_t)n);
	else
		jb_str(j, key, "");
	BIO_free(b);
}

/* The serial as DER carries it: the INTEGER's content octets, with the
 * leading 00 that keeps a positive number's top bit clear, so it joins
 * with Suricata's tls.serial (8A:07:... is 00:8A:07:... there). */
static void
serial_eve(struct jbuf *j, const X509 *x)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	unsigned char buf[136], *p = buf;
	struct cur c, v;
	uint8_t tag, l0, b;
	size_t len = 0;
	int n;

	/* DER of the INTEGER (OpenSSL has no public call for the content
	 * octets alone), then its tag and length read off: short form, or
	 * long form with one length byte (a serial is at most 20 bytes). */
	n = i2d_ASN1_INTEGER(sn, NULL);
	if (n <= 0 || (size_t)n > sizeof(buf) ||
	    i2d_ASN1_INTEGER(sn, &p) != n)
		return;
	cur_init(&c, buf, (size_t)n);
	if (cur_u8(&c, &tag) == -1 || cur_u8(&c, &l0) == -1)
		return;
	if (l0 < 0x80)
		len = l0;
	else if (l0 == 0x81 && cur_u8(&c, &b) == 0)
		len = b;
	if (tag != V_ASN1_INTEGER || len == 0 || cur_sub(&c, len, &v) == -1)
		return;
	colon_hex(j, "serial", cur_ptr(&v), cur_left(&v), 1);
}

static void
san_array(struct jbuf *j, const char *key, const struct x509_cert *c)
{
	size_t i;

	jb_arr_open(j, key);
	for (i = 0; i < c->nsan; i++)
		jb_strn(j, NULL, c->san[i].v, c->san[i].len);
	jb_arr_close(j);
}

/* Suricata's tls fields of one certificate. */
static void
cert_eve_body(struct jbuf *j, const struct x509_cert *c)
{
	name_eve(j, "subject", X509_get_subject_name(c->x));
	name_eve(j, "issuerdn", X509_get_issuer_name(c->x));
	serial_eve(j, c->x);
	colon_hex(j, "fingerprint", c->sha1, sizeof(c->sha1), 0);
	/* "2014-05-01T00:00:00Z" -> "2014-05-01T00:00:00" */
	if (c->not_before[0] != '\0')
		jb_strn(j, "notbefore", c->not_before, 19);
	if (c->not_after[0] != '\0')
		jb_strn(j, "notafter", c->not_after, 19);
	if (c->nsan > 0)
		san_array(j, "subjectaltname", c);
}

/* ECS x509.subject / x509.issuer: attribute values by type. */
static void
name_ecs(struct jbuf *j, const char *key, const X509_NAME *name,
    const char *dn)
{
	static const struct {
		int		 nid;
		const char	*key;
	} attr[] = {
		{ NID_commonName, "common_name" },
		{ NID_countryName, "country" },
		{ NID_localityName, "locality" },
		{ NID_organizationName, "organization" },
		{ NID_organizationalUnitName, "organizational_unit" },
		{ NID_stateOrProvinceName, "state_or_province" },
	};
	const X509_NAME_ENTRY *e;
	unsigned char *u;
	size_t a;
	int i, n;

	jb_obj_open(j, key);
	jb_str(j, "distinguished_name", dn);
	for (a = 0; a < sizeof(attr) / sizeof(attr[0]); a++) {
		i = -1;
		if (X509_NAME_get_index_by_NID(name, attr[a].nid, -1) < 0)
			continue;
		jb_arr_open(j, attr[a].key);
		while ((i = X509_NAME_get_index_by_NID(name, attr[a].nid,
		    i)) >= 0) {
			e = X509_NAME_get_entry(name, i);
			if ((n = ASN1_STRING_to_UTF8(&u,
			    X509_NAME_ENTRY_get_data(e))) < 0)
				continue;
			jb_strn(j, NULL, (const char *)u, (size_t)n);
			OPENSSL_free(u);
		}
		jb_arr_close(j);
	}
	jb_obj_close(j);
}

static void
cert_ecs_x509(struct jbuf *j, const struct x509_cert *c)
{
	char v[4];

	jb_obj_open(j, "x509");
	snprintf(v, sizeof(v), "%u", c->version);
	jb_str(j, "version_number", v);
	jb_str(j, "serial_number", c->serial[0] == '-' ? c->serial + 1 :
	    c->serial);
	name_ecs(j, "subject", X509_get_subject_name(c->x), c->subject);
	name_ecs(j, "issuer", X509_get_issuer_name(c->x), c->issuer);
	if (c->not_before[0] != '\0')
		jb_str(j, "not_before", c->not_before);
	if (c->not_after[0] != '\0')
		jb_str(j, "not_after", c->not_after);
	jb_str(j, "public_key_algorithm", c->key_type);
	if (c->key_bits > 0)
		jb_u64(j, "public_key_size", (uint64_t)c->key_bits);
	if (c->curve[0] != '\0')
		jb_str(j, "public_key_curve", c->curve);
	jb_str(j, "signature_algorithm", c->sig_alg);
	if (c->nsan > 0)
		san_array(j, "alternative_names", c);
	jb_obj_close(j);
}

static void
cert_ecs_hash(struct jbuf *j, const struct x509_cert *c)
{
	jb_obj_open(j, "hash");
	upper_hex(j, "sha1", c->sha1, sizeof(c->sha1));
	upper_hex(j, "sha256", c->sha256, sizeof(c->sha256));
	jb_obj_close(j);
}

/* ECS tls.server.* (or tls.client.*) of one certificate. */
static void
cert_ecs_body(struct jbuf *j, const struct x509_cert *c)
{
	jb_str(j, "subject", c->subject);
	jb_str(j, "issuer", c->issuer);
	if (c->not_before[0] != '\0')
		jb_str(j, "not_before", c->not_before);
	if (c->not_after[0] != '\0')
		jb_str(j, "not_after", c->not_after);
	cert_ecs_hash(j, c);
	cert_ecs_x509(j, c);
}

void
cert_json_render_part(struct jbuf *j, const struct x509_cert *c,
    enum cert_part part)
{
	jb_obj_open(j, NULL);
	if (j->oom)		/* no buffer at all: write nothing more */
		return;
	if (c->x != NULL && part == CERT_RW)
		cert_json_body(j, c);
	else if (c->x != NULL && part == CERT_EVE)
		cert_eve_body(j, c);
	else if (c->x != NULL)
		cert_ecs_body(j, c);
	else if (part == CERT_RW) {
		jb_hex(j, "sha256", c->sha256, sizeof(c->sha256));
		jb_hex(j, "sha1", c->sha1, sizeof(c->sha1));
		jb_str(j, "parse_error", c->parse_error);
	} else if (part == CERT_EVE)
		colon_hex(j, "fingerprint", c->sha1, sizeof(c->sha1), 0);
	else
		cert_ecs_hash(j, c);
	jb_obj_close(j);
}

void
cert_json_render(struct jbuf *j, const struct x509_cert *c)
{
	cert_json_render_part(j, c, CERT_RW);
}

static void
cert_render_free(void *p)
{
	struct cert_render *r = p;
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < CERT_PART_MAX; i++)
		xfree(r->part[i]);
	xfree(r);
}

/* A copy of the rendered part; NULL when out of memory. */
static char *
render_text(const struct x509_cert *c, enum cert_part part, size_t *len)
{
	struct jbuf j;
	char *s = NULL;

	jb_init(&j);
	cert_json_render_part(&j, c, part);
	if (!j.oom && (s = xmalloc(j.len + 1)) != NULL) {
		memcpy(s, j.buf, j.len);
		s[j.len] = '\0';
		*len = j.len;
	}
	jb_free(&j);
	return s;
}

/*
 * The render slot is replaced, not edited, when a part is added: the
 * cache frees the old slot and accounts the new length.  The parts
 * already rendered move over, so pointers handed out stay valid.
 */
const char *
cert_json_part(struct x509_cache *xc, struct x509_cert *c,
    enum cert_part part, size_t *len)
{
	struct cert_render *old = c->render, *r;
	size_t total = 0;
	int i;

	if (old != NULL && old->part[part] != NULL) {
		*len = old->len[part];
		return old->part[part];
	}
	*len = 0;
	if ((r = xcalloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->part[part] = render_text(c, part, &r->len[part])) == NULL) {
		xfree(r);
		return NULL;
	}
	for (i = 0; old != NULL && i < CERT_PART_MAX; i++)
		if (i != (int)part) {
			r->part[i] = old->part[i];
			r->len[i] = old->len[i];
			old->part[i] = NULL;
		}
	for (i = 0; i < CERT_PART_MAX; i++)
		total += r->len[i];
	x509_cache_set_render_free(xc, cert_render_free);
	if (x509_cert_set_render(xc, c, r, total) == -1) {
		if (old != NULL)	/* give the moved parts back */
			for (i = 0; i < CERT_PART_MAX; i++)
				if (i != (int)part) {
					old->part[i] = r->part[i];
					r->part[i] = NULL;
				}
		cert_render_free(r);
		return NULL;
	}
	*len = r->len[part];
	return r->part[part];
}

const char *
cert_json(struct x509_cache *xc, struct x509_cert *c, size_t *len)
{
	return cert_json_part(xc, c, CERT_RW, len);
}
