/*
 * tls_int.h - internal interface between the TLS files:
 *   tls.c        per-worker context, per-flow state, stream dispatch
 *   tls_fsm.c    the session state machine: completion, missing reason
 *   tls_record.c TLS record layer (SSLv3, TLS 1.0-1.3 framing)
 *   tls_hs.c     handshake messages: ClientHello, ServerHello, Certificate,
 *                CertificateStatus, CertificateRequest...
 *   tls_hello.c  the one parse of a ClientHello / ServerHello
 *   tls_fp.c     JA3 / JA3S / JA4 fingerprints
 *   tls_names.c  version and cipher suite names
 * and the auxiliary carriers in tls_aux.h (sslv2.c, dtls.c, starttls.c).
 */
#ifndef ROOTWATCH_TLS_INT_H
#define ROOTWATCH_TLS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cur.h"
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

/*
 * Session states (tls_fsm.c has the diagram).  The states from
 * TLS_ST_DONE on are final: the session is reported as it is.
 */
enum tls_state {
	TLS_ST_IDLE = 0,	/* no TLS recognised yet */
	TLS_ST_RECORDS,		/* TLS records, no hello: picked up mid-session */
	TLS_ST_CLIENT_HELLO,	/* ClientHello seen, no ServerHello */
	TLS_ST_SERVER_HELLO,	/* TLS <= 1.2 ServerHello: Certificate next */
	TLS_ST_HELLO_RETRY,	/* HelloRetryRequest: TLS 1.3 */
	TLS_ST_SERVER_DONE,	/* ServerHelloDone without Certificate */
	TLS_ST_CHAIN,		/* server chain parsed, flight not over yet */
	TLS_ST_MALFORMED,	/* one direction did not parse, other goes on */
	TLS_ST_DEPTH,		/* a message over tls.max-handshake */
	TLS_ST_MEMCAP,		/* a memory budget refused a buffer or copy */
	/* final states */
	TLS_ST_DONE,		/* chain visible */
	TLS_ST_END_TLS13,
	TLS_ST_END_RESUMED,
	TLS_ST_END_ALERT,
	TLS_ST_END_MALFORMED,
	TLS_ST_END_DEPTH,
	TLS_ST_END_MEMCAP,
	TLS_ST_END_GAP,
	TLS_ST_END_NO_CERT,
	TLS_ST_END_MIDSTREAM,
	TLS_ST_END_NO_SERVER_DATA,
	TLS_ST_END_TRUNCATED,
	TLS_ST_END_NOT_TLS,
	TLS_ST_MAX
};

/* What happens to a session; tls_fsm() takes each one. */
enum tls_event {
	TLS_EV_NONE = 0,
	TLS_EV_RECORD,		/* a TLS / SSLv2 / DTLS record recognised */
	TLS_EV_CLIENT_HELLO,
	TLS_EV_SERVER_HELLO,	/* TLS <= 1.2 (or SSLv2, DTLS <= 1.2) */
	TLS_EV_HELLO_RETRY,	/* ServerHello with the HRR random */
	TLS_EV_ENCRYPTED,	/* TLS 1.3 ServerHello: the rest is encrypted */
	TLS_EV_CERTIFICATE,	/* the server's Certificate parsed (and copied) */
	TLS_EV_CLIENT_CERT,	/* the client's Certificate parsed */
	TLS_EV_CERT_REQUEST,	/* CertificateRequest */
	TLS_EV_SERVER_DONE,	/* ServerHelloDone */
	TLS_EV_RESUMED,		/* SSLv2 SERVER-HELLO with session-id-hit */
	TLS_EV_CCS,		/* first ChangeCipherSpec of a direction */
	TLS_EV_ALERT,		/* fatal alert or close_notify */
	TLS_EV_MALFORMED,	/* a record or message of dir did not parse */
	TLS_EV_DEPTH,		/* a Certificate over tls.max-handshake */
	TLS_EV_MEMCAP,		/* a memory budget (or allocator) refused */
	TLS_EV_DIR_DONE,	/* nothing more wanted from dir */
	TLS_EV_STREAM_END,	/* dir's stream ended (tls_dir reason) */
	TLS_EV_FLOW_END,	/* the flow is going: settle the session */
	TLS_EV_MAX
};

/* Per-direction state of the record layer and handshake buffer. */
struct tls_dir {
	uint8_t		 mode;		/* enum tls_mode */
	uint8_t		 ccs;		/* ChangeCipherSpec seen: encrypted after */
	uint8_t		 records;	/* any TLS record seen (saturating) */
	uint8_t		 first_ct;	/* content type of the first record */
	uint8_t		 hs_record;	/* a handshake record was seen */
	uint8_t		 reason;	/* enum tls_end from tls_stream_end */
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
	struct tls_ctx		*ctx;		/* the worker's: budget, digests */
	const struct limits	*lim;
	int			 is_udp;
	int			 client_dir;	/* -1 unknown */
	struct tls_session	 s;
	struct tls_dir		 d[2];
	struct starttls_state	*st;
	struct dtls_state	*dtls;
	uint8_t			 state;		/* enum tls_state */
	uint8_t			 end_event;	/* enum tls_event that made the
						 * state final */
	uint8_t			 plain_first;	/* TLS came after plaintext */
	uint8_t			 shd;		/* ServerHelloDone seen: a
						 * message log, read by tls_fsm */
};

/* The record layer of one direction (tls_record.c): consume whole
 * records from data, set *need; returns bytes consumed. */
size_t	tls_record_stream(struct tls_flow *, int dir, const uint8_t *data,
	    size_t len, size_t *need);
/* 1 if data starts with a plausible TLS record header (5 bytes). */
int	tls_record_detect(const uint8_t *data, size_t len);
/* Release the handshake buffer of one direction. */
void	tls_record_dir_free(struct tls_flow *, struct tls_dir *);
/* Stop direction dir: buffers freed, nothing more parsed. */
void	tls_dir_stop(struct tls_flow *, int dir);
/* A TLS alert record (level, description) in dir, before its CCS. */
void	tls_note_alert(struct tls_flow *, int dir, uint8_t level,
	    uint8_t desc);

/*
 * The session state machine (tls_fsm.c): every session-level fact goes in
 * as an event of direction dir (-1 when none) and is the only way the
 * state changes.
 */
void	tls_fsm(struct tls_flow *, enum tls_event, int dir);
/* 1 once the state is final. */
int	tls_fsm_final(const struct tls_flow *);
const char *tls_state_name(enum tls_state);
const char *tls_event_name(enum tls_event);
/* Server direction, or -1 when no side has been identified. */
int	tls_server_dir(const struct tls_flow *);

/*
 * One complete handshake message of direction dir (header stripped),
 * from the TLS record layer or from DTLS reassembly (dtls = 1: the
 * ClientHello carries a cookie).  Returns PARSE_OK or PARSE_BAD.
 */
enum parse_result tls_hs_message(struct tls_flow *, int dir, uint8_t type,
	    const uint8_t *body, size_t len, int dtls);

/* A non-handshake record was seen in dir (CCS, alert, application data):
 * turned into state machine events. */
void	tls_note_record(struct tls_flow *, int dir, uint8_t content_type,
	    uint16_t record_version);

/* An application_data record of n bytes in dir: counted into the TLS 1.3
 * server flight (struct tls_flight) while that is open. */
void	tls_flight_record(struct tls_flow *, int dir, size_t n);

/* The record layer of dir recognised TLS (sets tls_is_tls). */
void	tls_mark_tls(struct tls_flow *, int dir);

struct tls_session *tls_session_mut(struct tls_flow *);
void	tls_set_anomaly(struct tls_flow *, enum tls_anomaly);
/* The sender of dir is the client (ClientHello seen from it). */
void	tls_set_client_dir(struct tls_flow *, int dir);

/*
 * The worker's TLS memory budget (limits.tls_memcap), shared by every flow
 * of one worker: handshake buffers, DTLS fragment buffers, certificate
 * copies.  tls_mem_take() fails (and counts a cap hit) when n more bytes
 * would pass the cap.
 */
int	tls_mem_take(struct tls_ctx *, size_t n);
void	tls_mem_give(struct tls_ctx *, size_t n);

/* Append a DER copy (len > 0) to a chain with room for it (n below
 * LIM_TLS_CHAIN_MAX); -1 when the budget or the allocator refused. */
int	tls_chain_add(struct tls_ctx *, struct tls_chain *, const uint8_t *der,
	    size_t len);
void	tls_chain_clear(struct tls_ctx *, struct tls_chain *);

/*
 * The certificates of one Certificate message, as slices of its body:
 * what is copied is decided after the whole message parsed, so a copy
 * refused for memory is never mistaken for a malformed list.
 */
struct tls_cert_list {
	struct cur	 der[LIM_TLS_CHAIN_MAX];
	uint8_t		 n;
	uint8_t		 truncated;	/* more than LIM_TLS_CHAIN_MAX */
};

/*
 * Parse a TLS 1.0-1.2 Certificate message body (24-bit list length, then
 * 24-bit length + DER per certificate) into list.  tls13 = 1 for the
 * TLS 1.3 layout (request context, per-entry extensions).  Returns
 * PARSE_OK or PARSE_BAD (lengths inconsistent); never reads outside body.
 */
enum parse_result tls_parse_cert_list(const uint8_t *body, size_t len,
	    int tls13, struct tls_cert_list *list);
/* Copy a parsed list into chain (seen, truncated set); -1 when memory was
 * refused (chain left empty). */
int	tls_chain_copy(struct tls_ctx *, struct tls_chain *,
	    const struct tls_cert_list *);

/* Extension types the hello parser decodes (IANA ExtensionType). */
#define TLS_EXT_SERVER_NAME		0
#define TLS_EXT_SUPPORTED_GROUPS	10
#define TLS_EXT_EC_POINT_FORMATS	11
#define TLS_EXT_SIGNATURE_ALGORITHMS	13
#define TLS_EXT_ALPN			16
#define TLS_EXT_SUPPORTED_VERSIONS	43
#define TLS_EXT_SCT			18
#define TLS_EXT_PRE_SHARED_KEY		41
#define TLS_EXT_KEY_SHARE		51

/* struct tls_hello.seen: decoded extensions present (and well formed). */
#define TLS_HELLO_SNI		0x01
#define TLS_HELLO_GROUPS	0x02
#define TLS_HELLO_POINT_FMTS	0x04
#define TLS_HELLO_SIGALGS	0x08
#define TLS_HELLO_ALPN		0x10
#define TLS_HELLO_VERSIONS	0x20

/*
 * One ClientHello or ServerHello, parsed once by tls_hello_parse(): the
 * session fields (tls_hs.c) and the fingerprints (tls_fp.c) are both
 * computed from it.  The slices point into the message body and are
 * valid only while the caller holds it; every vector in them was checked
 * whole (length prefix, element size), so walking one cannot fail.
 * GREASE values (RFC 8701) are kept: the fingerprints drop them.
 */
struct tls_hello {
	uint16_t	 version;	/* legacy_version */
	uint16_t	 cipher;	/* ServerHello: the suite chosen */
	uint16_t	 selected_version; /* ServerHello supported_versions */
	uint16_t	 key_share_group; /* ServerHello key_share (or HRR
					   selected_group), 0: none */
	uint8_t		 client;	/* 1 ClientHello, 0 ServerHello */
	uint8_t		 draft;		/* ServerHello, TLS 1.3 draft < 22 layout */
	uint8_t		 has_exts;	/* an extension block is present */
	uint8_t		 ext_bad;	/* the block, or an extension we decode,
					 * did not parse: parsing stopped there,
					 * fingerprints are not defined */
	uint8_t		 ext_dup;	/* a decoded extension came twice
					 * (RFC 8446 4.2): the first one counts */
	uint8_t		 seen;		/* TLS_HELLO_* decoded */
	struct cur	 random;	/* 32 bytes */
	struct cur	 session_id;
	struct cur	 ciphers;	/* ClientHello: u16 each */
	struct cur	 sni;		/* first host_name of server_name */
	struct cur	 alpn;		/* ProtocolNameList: u8 length, name */
	struct cur	 groups;	/* u16 each */
	struct cur	 point_formats;	/* u8 each */
	struct cur	 sigalgs;	/* u16 each */
	struct cur	 versions;	/* ClientHello supported_versions, u16 */
	size_t		 n_exts;
	uint16_t	 ext_types[LIM_TLS_HELLO_VALS];	/* in order, as sent */
};

/*
 * RFC 8446 4.1.2 / 4.1.3, RFC 5246 7.4.1, RFC 6347 4.2.1: parse a whole
 * hello body into h (client = 1 for a ClientHello; dtls = 1: it carries a
 * cookie).  PARSE_BAD when the fixed part does not parse; a bad extension
 * block is PARSE_OK with h->ext_bad set.  Never reads outside body.
 */
enum parse_result tls_hello_parse(struct tls_hello *h, const uint8_t *body,
	    size_t len, int client, int dtls);

/* Fingerprints (tls_fp.c) of a parsed hello: JA3 and JA4 (dtls: JA4's
 * "d" prefix; TLS_FP_QUIC: "q", a ClientHello in QUIC Initials) of a
 * ClientHello, JA3S of a ServerHello. */
#define TLS_FP_QUIC	2
void	tls_fp_client_hello(const struct tls_ctx *, struct tls_session *,
	    const struct tls_hello *, int dtls);
void	tls_fp_server_hello(const struct tls_ctx *, struct tls_session *,
	    const struct tls_hello *);

#endif
