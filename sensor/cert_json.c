/*
 * cert_json.c - render a decoded certificate as JSON.  See cert_json.h.
 *
 * Field order and formats are part of the event format (docs and SIEM
 * parsers depend on them): subject, issuer, serial, validity, hashes, key
 * ids, key, signature algorithm, SAN, CA flags, version.  A certificate
 * OpenSSL could not decode is reported by its hashes and the reason.
 */
#include "cert_json.h"

#include <string.h>

#include "xmalloc.h"
#include "../parsers/x509.h"

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

void
cert_json_render(struct jbuf *j, const struct x509_cert *c)
{
	jb_obj_open(j, NULL);
	if (j->oom)		/* no buffer at all: write nothing more */
		return;
	if (c->x != NULL)
		cert_json_body(j, c);
	else {
		jb_hex(j, "sha256", c->sha256, sizeof(c->sha256));
		jb_hex(j, "sha1", c->sha1, sizeof(c->sha1));
		jb_str(j, "parse_error", c->parse_error);
	}
	jb_obj_close(j);
}

const char *
cert_json(struct x509_cache *xc, struct x509_cert *c, size_t *len)
{
	struct jbuf j;
	char *s = NULL;

	if (c->render != NULL) {
		*len = c->render_len;
		return c->render;
	}
	jb_init(&j);
	cert_json_render(&j, c);
	if (!j.oom && (s = xmalloc(j.len + 1)) != NULL) {
		memcpy(s, j.buf, j.len);
		s[j.len] = '\0';
		x509_cache_set_render_free(xc, xfree);
		if (x509_cert_set_render(xc, c, s, j.len) == -1) {
			xfree(s);
			s = NULL;
		}
	}
	*len = s != NULL ? j.len : 0;
	jb_free(&j);
	return s;
}
