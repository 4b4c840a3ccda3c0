/*
 * sigdata.h - what the signals compare with that ships with rootwatch:
 * Chromium's known interception and blocked keys, static pins and MITM
 * product issuer patterns (rules/interception-data.txt, made by
 * rules/interception-data.py), and the public suffix list.
 *
 * Loaded once at start, before the sandbox, then read-only: every worker
 * reads it without a lock.
 */
#ifndef ROOTWATCH_SIGDATA_H
#define ROOTWATCH_SIGDATA_H

#include <stddef.h>
#include <stdint.h>

struct sigdata;

/*
 * Load the data file and the public suffix list (psl NULL or unreadable:
 * no name is public, said by the caller).  NULL with err set on a bad
 * data file.
 */
struct sigdata *sigdata_load(const char *data, const char *psl, char *err,
	    size_t errlen);
void	sigdata_free(struct sigdata *);

/* Counts, for the start-up log line. */
void	sigdata_counts(const struct sigdata *, size_t *keys, size_t *pins,
	    size_t *products, size_t *suffixes);
/* When Chromium's pin list was made (unix seconds), 0: unknown. */
uint64_t sigdata_pins_time(const struct sigdata *);

/* The name of a known interception key (SPKI SHA-256), or NULL. */
const char *sigdata_known(const struct sigdata *, const uint8_t *spki);
/* The blocklist section of a key Chromium refuses, or NULL. */
const char *sigdata_blocked(const struct sigdata *, const uint8_t *spki);

/*
 * Static pins of name (lower case): -1 not pinned; 0 the keys satisfy
 * the pinset; 1 they do not (no allowed key, or a bad key), with why
 * filled ("pinset google: none of 6 allowed keys").  *set gets the
 * pinset's name when pinned.
 */
int	sigdata_pin_check(const struct sigdata *, const char *name,
	    const uint8_t (*spki)[32], size_t n, const char **set, char *why,
	    size_t whylen);

/* The MITM product an issuer CN / O names (either NULL), or NULL. */
const char *sigdata_product(const struct sigdata *, const char *cn,
	    const char *o);

/*
 * 1 when name (lower case) lies under a public suffix that the list
 * names explicitly (not its implicit "*" rule) and is not itself one:
 * "www.example.com" yes; "example.com" yes; "com", "host.internal" no.
 */
int	sigdata_public_name(const struct sigdata *, const char *name);

#endif
