/*
 * cert_json.h - the JSON of a certificate, in each event format.
 *
 * parsers/x509.c decodes certificates into struct x509_cert; this is where
 * they become JSON.  A cached certificate is rendered the first time a
 * part is asked for and the text is kept in the entry's render slot, so a
 * certificate seen a million times is rendered once, like it is parsed
 * once.  The parts:
 *
 *   CERT_RW   rootwatch's structured object (subject, issuer, serial,
 *             validity, hashes, SPKI/SKI/AKI, key, SAN, CA flags): the
 *             entries of rootwatch.tls.chain
 *   CERT_EVE  the fields Suricata's EVE tls record gives a certificate
 *             (subject, issuerdn, serial, fingerprint, notbefore,
 *             notafter, subjectaltname), as an object to splice into
 *             "tls" or "tls.client"
 *   CERT_ECS  ECS's tls.server.* / tls.client.* certificate fields
 *             (subject, issuer, not_before, not_after, hash.*, x509.*)
 *
 * A part is rendered only when asked for: a sensor that writes no ECS
 * never renders CERT_ECS.
 */
#ifndef ROOTWATCH_CERT_JSON_H
#define ROOTWATCH_CERT_JSON_H

#include <stddef.h>

#include "json.h"

struct x509_cache;
struct x509_cert;

enum cert_part {
	CERT_RW,
	CERT_EVE,
	CERT_ECS,
	CERT_PART_MAX
};

/* Append the part's object ("{...}", no PEM) as a value to j. */
void	cert_json_render(struct jbuf *j, const struct x509_cert *);
void	cert_json_render_part(struct jbuf *j, const struct x509_cert *,
	    enum cert_part);
/* The part for c, an entry of xc, rendered once and kept with it; NULL
 * when out of memory.  cert_json() is cert_json_part(..., CERT_RW, ...). */
const char *cert_json_part(struct x509_cache *xc, struct x509_cert *c,
	    enum cert_part, size_t *len);
const char *cert_json(struct x509_cache *xc, struct x509_cert *c,
	    size_t *len);

#endif
