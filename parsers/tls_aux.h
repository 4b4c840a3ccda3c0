/*
 * tls_aux.h - carriers around the TLS record layer, called by tls.c:
 *   sslv2.c     SSLv2 records (and SSLv2-compatible ClientHello)
 *   dtls.c      DTLS 1.0/1.2 records and handshake fragment reassembly
 *   starttls.c  plaintext prologue of in-protocol upgrades (STARTTLS...)
 */
#ifndef ROOTWATCH_TLS_AUX_H
#define ROOTWATCH_TLS_AUX_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "tls.h"

/*
 * SSLv2 ---------------------------------------------------------------
 * 1 if data (at least 3 bytes) starts like an SSLv2 record carrying a
 * CLIENT-HELLO or SERVER-HELLO.
 */
int	sslv2_detect(const uint8_t *data, size_t len);
/*
 * Parse one SSLv2 record from the stream of dir.  On PARSE_OK *used is the
 * record's size; PARSE_MORE: *used is the total bytes needed.  A
 * SERVER-HELLO's certificate goes to the server chain via tls_chain_add,
 * a CLIENT-HELLO sets client_version (and the JA3 of an SSLv2-compatible
 * hello is not defined: leave ja3 empty).
 */
enum parse_result sslv2_record(struct tls_flow *, int dir,
	    const uint8_t *data, size_t len, size_t *used);

/*
 * DTLS ------------------------------------------------------------------
 * Per-flow DTLS state (handshake fragment reassembly, both directions).
 */
struct dtls_state;
/* The fragment buffers are charged to ctx's memory budget. */
struct dtls_state *dtls_state_new(struct tls_ctx *);
void	dtls_state_free(struct dtls_state *);
/* 1 if the datagram starts with a DTLS record (RFC 7983 demux: 20..63
 * and a DTLS version); STUN (0..3) and others return 0. */
int	dtls_detect(const uint8_t *data, size_t len);
/* All records of one datagram; complete handshake messages are passed to
 * tls_hs_message(..., dtls = 1), others to tls_note_record. */
void	dtls_datagram(struct tls_flow *, struct dtls_state *, int dir,
	    const uint8_t *data, size_t len);

/*
 * STARTTLS and other upgrades --------------------------------------------
 * Follows the plaintext part of a stream until the TLS handshake starts.
 */
/*
 * Not enum parse_result on purpose: a scan never fails to parse (plaintext
 * is not malformed TLS), its outcome is a verdict on the flow: keep
 * scanning, TLS starts here, or this flow will not upgrade.
 */
enum starttls_result {
	STARTTLS_MORE,		/* still plaintext; call again with more */
	STARTTLS_FOUND,		/* TLS handshake starts at *off */
	STARTTLS_NOT_TLS,	/* gave up: scan budget spent, or no upgrade */
};

struct starttls_state;
struct starttls_state *starttls_state_new(void);
void	starttls_state_free(struct starttls_state *);
/*
 * Scan plaintext bytes of dir.  *off is set to the number of bytes that
 * are plaintext and may be discarded (MORE) or to the offset where the
 * TLS record (or SSLv2 hello) begins (FOUND).
 */
enum starttls_result starttls_scan(struct starttls_state *, int dir,
	    const uint8_t *data, size_t len, size_t *off);
/* Protocol recognised in the plaintext ("smtp", "imap", "pop3", "ftp",
 * "xmpp", "ldap", "irc", "postgresql", "mysql", "rdp", "socks", "http",
 * "lmtp", "nntp", "sieve"), or NULL. */
const char *starttls_protocol(const struct starttls_state *);

#endif
