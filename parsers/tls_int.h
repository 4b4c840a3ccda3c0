/*
 * tls_int.h - internal interface between the TLS files:
 *   tls.c        per-flow state, stream dispatch, completion, missing reason
 *   tls_record.c TLS record layer (SSLv3, TLS 1.0-1.3 framing)
 *   tls_hs.c     handshake messages: ClientHello, ServerHello, Certificate,
 *                CertificateStatus, CertificateRequest...
 *   tls_fp.c     JA3 / JA3S / JA4 fingerprints
 *   tls_names.c  version and cipher suite names
 * and the auxiliary carriers in tls_aux.h (sslv2.c, dtls.c, starttls.c).
 */
#ifndef ROOTWATCH_TLS_INT_H
#define ROOTWATCH_TLS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "tls.h"

/* Handshake message types (RFC 8446 4, RFC 5246 7.4, RFC 6347 4.3.2). */
#define TLS_HS_HELLO_REQUEST		0
#define TLS_HS_CLIENT_HELLO		1
#define TLS_HS_SERVER_HELLO		2
#define TLS_HS_HELLO_VERIFY_REQUEST	3
#define TLS_HS_NEW_SESSION_TICKET	4
#define TLS_HS_END_OF_EARLY_DATA	5
#define TLS_HS_ENCRYPTED_EXTENSIONS	8
#define TLS_HS_CERTIFICATE		11
#define TLS_HS_SERVER_KEY_EXCHANGE	12
#define TLS_HS_CERTIFICATE_REQUEST	13
#define TLS_HS_SERVER_HELLO_DONE	14
#define TLS_HS_CERTIFICATE_VERIFY	15
#define TLS_HS_CLIENT_KEY_EXCHANGE	16
#define TLS_HS_FINISHED			20
#define TLS_HS_CERTIFICATE_STATUS	22

/* Record content types. */
#define TLS_CT_CCS		20
#define TLS_CT_ALERT		21
#define TLS_CT_HANDSHAKE	22
#define TLS_CT_APPDATA		23
#define TLS_CT_HEARTBEAT	24

/*
 * One complete handshake message of direction dir (header stripped),
 * from the TLS record layer or from DTLS reassembly (dtls = 1: the
 * ClientHello carries a cookie).  Returns PARSE_OK or PARSE_BAD.
 */
int	tls_hs_message(struct tls_flow *, int dir, uint8_t type,
	    const uint8_t *body, size_t len, int dtls);

/* A non-handshake record was seen in dir (CCS, alert, application data):
 * drives completion and the missing reason. */
void	tls_note_record(struct tls_flow *, int dir, uint8_t content_type,
	    uint16_t record_version);

/* The record layer of dir recognised TLS (sets tls_is_tls). */
void	tls_mark_tls(struct tls_flow *, int dir);

struct tls_session *tls_session_mut(struct tls_flow *);
void	tls_set_anomaly(struct tls_flow *, enum tls_anomaly);
/* The sender of dir is the client (ClientHello seen from it). */
void	tls_set_client_dir(struct tls_flow *, int dir);

/* Append a DER copy to a chain; -1 when full or out of memory. */
int	tls_chain_add(struct tls_chain *, const uint8_t *der, size_t len);
void	tls_chain_clear(struct tls_chain *);

/*
 * Parse a TLS 1.0-1.2 Certificate message body (24-bit list length, then
 * 24-bit length + DER per certificate) into chain.  tls13 = 1 for the
 * TLS 1.3 layout (request context, per-entry extensions).  Returns
 * PARSE_OK or PARSE_BAD (lengths inconsistent); never reads outside body.
 */
int	tls_parse_cert_list(const uint8_t *body, size_t len, int tls13,
	    struct tls_chain *chain);

/* Fingerprints (tls_fp.c), computed from the hello bodies. */
int	tls_fp_client_hello(struct tls_session *, const uint8_t *body,
	    size_t len, int dtls);
int	tls_fp_server_hello(struct tls_session *, const uint8_t *body,
	    size_t len);

#endif
