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
#include "tls_aux.h"

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

/* Stream mode of one direction. */
enum tls_mode {
	TLS_MODE_DETECT = 0,	/* nothing decided yet */
	TLS_MODE_PLAIN,		/* plaintext prologue (STARTTLS scan) */
	TLS_MODE_RECORD,	/* TLS records */
	TLS_MODE_SSLV2,		/* SSLv2 records */
	TLS_MODE_DONE,		/* nothing more wanted from this direction */
	TLS_MODE_GAVE_UP	/* not TLS */
};

/* Per-direction state of the record layer and handshake buffer. */
struct tls_dir {
	uint8_t		 mode;		/* enum tls_mode */
	uint8_t		 ccs;		/* ChangeCipherSpec seen: encrypted after */
	uint8_t		 records;	/* any TLS record seen (saturating) */
	uint8_t		 first_ct;	/* content type of the first record */
	uint8_t		 reason;	/* enum reasm_reason from tls_stream_end */
	uint8_t		 ended;		/* tls_stream_end was called */
	uint8_t		 bad;		/* PARSE_BAD in this direction */
	uint8_t		 bytes_seen;	/* tls_stream was given bytes */
	uint8_t		*hs;		/* partial handshake message(s), lazily */
	size_t		 hs_len;
	size_t		 hs_cap;
	size_t		 hs_msg;	/* 4 + length of the message in flight, 0 */
	uint64_t	 consumed;	/* stream bytes consumed so far */
};

struct tls_flow {
	const struct limits	*lim;
	int			 is_udp;
	int			 client_dir;	/* -1 unknown */
	struct tls_session	 s;
	struct tls_dir		 d[2];
	struct starttls_state	*st;
	struct dtls_state	*dtls;
	uint8_t			 is_tls;
	uint8_t			 plain_first;	/* TLS came after plaintext */
	uint8_t			 tls13;		/* TLS 1.3 ServerHello seen */
	uint8_t			 hrr;		/* HelloRetryRequest seen */
	uint8_t			 alert;		/* handshake aborted by alert */
	uint8_t			 bad;		/* malformed handshake */
	uint8_t			 depth;		/* hs cap / depth / memcap / oom */
	uint8_t			 shd;		/* ServerHelloDone seen */
	uint8_t			 finalized;
	uint8_t			 sid_len;	/* ClientHello session id */
	uint8_t			 sid_echo;	/* ServerHello echoed it */
	uint8_t			 sid[32];
};

/* The record layer of one direction (tls_record.c): consume whole
 * records from data, set *need; returns bytes consumed. */
size_t	tls_record_stream(struct tls_flow *, int dir, const uint8_t *data,
	    size_t len, size_t *need);
/* 1 if data starts with a plausible TLS record header (5 bytes). */
int	tls_record_detect(const uint8_t *data, size_t len);
/* Release the handshake buffer of one direction. */
void	tls_record_dir_free(struct tls_dir *);
/* Stop direction dir: buffers freed, nothing more parsed. */
void	tls_dir_stop(struct tls_flow *, int dir);
/* A TLS alert record (level, description) in dir, before its CCS. */
void	tls_note_alert(struct tls_flow *, int dir, uint8_t level,
	    uint8_t desc);

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

/*
 * The TLS memory budget (limits.tls_memcap), shared by every flow of the
 * process: handshake buffers, DTLS fragment buffers, certificate copies.
 * tls_mem_take() fails (and counts a cap hit) when n more bytes would pass
 * the cap.  One worker per process today; with several, these become
 * per-worker budgets.
 */
int	tls_mem_take(size_t n);
void	tls_mem_give(size_t n);

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
