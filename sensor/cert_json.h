/*
 * cert_json.h - the JSON object of a certificate, as the chain entries of
 * a tls event carry it.
 *
 * parsers/x509.c decodes certificates into struct x509_cert; this is where
 * they become JSON.  cert_json() renders a cached certificate the first
 * time it is asked and keeps the text in the entry's render slot, so a
 * certificate seen a million times is rendered once, like it is parsed
 * once.
 */
#ifndef ROOTWATCH_CERT_JSON_H
#define ROOTWATCH_CERT_JSON_H

#include <stddef.h>

#include "json.h"

struct x509_cache;
struct x509_cert;

/* Append the object ("{...}", no PEM) as a value to j. */
void	cert_json_render(struct jbuf *j, const struct x509_cert *);
/* The object for c, an entry of xc, rendered once and kept with it;
 * NULL when out of memory. */
const char *cert_json(struct x509_cache *xc, struct x509_cert *c,
	    size_t *len);

#endif
