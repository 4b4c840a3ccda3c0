/*
 * tls.h - the TLS application layer of one flow: record layer, handshake
 * messages, certificate lists, SSLv2, DTLS, and the plaintext prologue of
 * STARTTLS-style upgrades.  Wire parsing only: certificates are handed on
 * as DER copies; X.509 decoding is x509.c's job.
 *
 * One struct tls_flow per TCP/UDP flow that may carry TLS.  It is fed the
 * reassembled byte stream of each direction (tls_stream, same contract as
 * reasm_deliver_fn) or datagrams (tls_datagram).  It decides which side is
 * the client from the handshake itself (the ClientHello sender), so flows
 * picked up without a SYN are oriented correctly.
 */
#ifndef ROOTWATCH_TLS_H
#define ROOTWATCH_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "../sensor/limits.h"

/* Why no server chain is visible (the tls event's chain_missing). */
enum tls_missing {
	TLS_MISSING_NONE = 0,		/* chain visible */
	TLS_MISSING_TLS13,		/* TLS 1.3 (or DTLS 1.3): encrypted */
	TLS_MISSING_NO_SERVER_DATA,	/* server never spoke (or not captured) */
	TLS_MISSING_GAP,		/* a capture gap in the server flight */
	TLS_MISSING_DEPTH,		/* reassembly depth / handshake cap */
	TLS_MISSING_TRUNCATED,		/* flow ended mid handshake / snaplen */
	TLS_MISSING_MIDSTREAM,		/* picked up after the handshake */
	TLS_MISSING_MALFORMED,		/* handshake did not parse */
	TLS_MISSING_NOT_TLS,		/* no TLS found */
	TLS_MISSING_RESUMED,		/* abbreviated handshake: no Certificate sent */
	TLS_MISSING_ALERT,		/* handshake aborted by an alert before Certificate */
	TLS_MISSING_NO_CERT,		/* full handshake, ServerHelloDone without
					 * Certificate: anon DH/ECDH, PSK, SRP */
	TLS_MISSING_MEMCAP,		/* a memory budget (tls.memcap, the
					 * reassembly memcap) refused the bytes */
	TLS_MISSING_MAX
};

/* Anomalies (bit numbers): malformation is data, counted and reported. */
enum tls_anomaly {
	TLS_ANOM_BAD_RECORD_LEN,	/* record length > 2^14 + 2048 */
	TLS_ANOM_ZERO_RECORD,		/* zero-length handshake record */
	TLS_ANOM_BAD_HS_LEN,		/* handshake length exceeds its record(s) / cap */
	TLS_ANOM_BAD_CERT_LEN,		/* 24-bit certificate lengths inconsistent */
	TLS_ANOM_BAD_HELLO,		/* malformed ClientHello/ServerHello */
	TLS_ANOM_BAD_EXTENSION,
	TLS_ANOM_HS_TOO_LARGE,		/* handshake message over tls.max-handshake */
	TLS_ANOM_CHAIN_TOO_LONG,	/* more than LIM_TLS_CHAIN_MAX certificates */
	TLS_ANOM_UNEXPECTED_MSG,	/* handshake message out of order */
	TLS_ANOM_DTLS_FRAG_BAD,
	TLS_ANOM_SSLV2_BAD,
	TLS_ANOM_MAX
};

struct tls_cert {
	uint8_t		*der;
	uint32_t	 len;
};

struct tls_chain {
	struct tls_cert	 cert[LIM_TLS_CHAIN_MAX];
	uint8_t		 n;
	uint8_t		 seen;		/* a Certificate message was parsed */
	uint8_t		 truncated;	/* more than LIM_TLS_CHAIN_MAX sent */
};

/*
 * The server's encrypted flight of a TLS 1.3 full handshake (RFC 8446 2:
 * EncryptedExtensions, Certificate, CertificateVerify, Finished), as a
 * passive observer sees it: application_data records of the server
 * between its ServerHello and the client's first application_data record
 * (its Finished).  At most LIM_TLS_FLIGHT_RECORDS records are counted.
 */
struct tls_flight {
	uint32_t	 total;		/* bytes in the records counted */
	uint16_t	 len[LIM_TLS_FLIGHT_RECORDS];
	uint8_t		 n;		/* records counted */
	uint8_t		 done;		/* the client's first record came, or
					 * the cap was reached */
};

/* What the hellos and records say beyond the tls event, for the signals
 * (sensor/signals.c). */
struct tls_facts {
	uint8_t		 offered13;	/* ClientHello supported_versions
					 * lists TLS 1.3 */
	uint8_t		 sentinel;	/* RFC 8446 4.1.3: ServerHello.random
					 * ends in DOWNGRD 01 (2: TLS 1.2) or
					 * DOWNGRD 00 (1: TLS 1.1 or older) */
	uint8_t		 psk;		/* ServerHello pre_shared_key: resumed */
	uint8_t		 hrr;		/* a HelloRetryRequest came first */
	uint8_t		 sct_ext;	/* ServerHello carries SCTs (RFC 6962
					 * 3.3.1, extension 18) */
	uint16_t	 group;		/* ServerHello key_share group */
	uint32_t	 ext_hash;	/* FNV-1a of the ServerHello extension
					 * types in order; 0: none */
	struct tls_flight flight;
};

/* What a tls event reports; filled as the handshake goes. */
struct tls_session {
	uint16_t	 version;	/* negotiated: 0x0304 TLS 1.3, 0x0002 SSLv2,
					   0xfefd DTLS 1.2, 0 unknown */
	uint16_t	 client_version;/* legacy_version of the ClientHello */
	uint16_t	 cipher;
	uint8_t		 cipher_set;
	uint8_t		 dtls;
	uint8_t		 client_hello;	/* seen */
	uint8_t		 server_hello;
	uint8_t		 ocsp_stapled;	/* CertificateStatus seen */
	uint8_t		 resumed;	/* session id echoed, no Certificate */
	uint8_t		 cert_requested;/* CertificateRequest seen */
	char		 sni[256];
	char		 alpn_offered[256];	/* comma-separated */
	char		 alpn[64];	/* ServerHello selected protocol */
	char		*ja3;		/* JA3 string (xmalloc'd) */
	char		 ja3_md5[33];
	char		*ja3s;
	char		 ja3s_md5[33];
	char		 ja4[40];
	const char	*upgrade;	/* "smtp", "imap"... for STARTTLS; NULL */
	struct tls_chain server;
	struct tls_chain client;
	enum tls_missing missing;
	uint32_t	 anomalies;	/* 1u << enum tls_anomaly */
	struct tls_facts facts;
};

/*
 * Why the byte stream of one direction stopped (tls_stream_end).  The
 * caller maps its own reasons (sensor/app.c: enum reasm_reason) to these,
 * so the TLS layer needs nothing from the reassembler.
 */
enum tls_end {
	TLS_END_OK = 0,		/* the stream ended normally (FIN, flow end) */
	TLS_END_DONE,		/* the consumer asked to stop */
	TLS_END_GAP,		/* bytes lost that never came */
	TLS_END_DEPTH,		/* a depth limit stopped the stream */
	TLS_END_MEMCAP,		/* a memory budget refused the bytes */
	TLS_END_ERROR,		/* the stream was given up as malformed */
	TLS_END_MAX
};

/* OpenSSL's EVP_MD, without pulling its headers into every user. */
struct evp_md_st;

/*
 * Everything the TLS layer mutates outside one flow, owned by one worker
 * and reached from each flow (several workers never share one).  The
 * memory budget covers handshake buffers, DTLS fragment buffers and
 * certificate copies of every flow of the worker.
 */
struct tls_ctx {
	const struct limits *lim;
	uint64_t	 mem_cap;	/* limits.tls_memcap */
	uint64_t	 mem_used;
	uint64_t	 mem_peak;
	uint64_t	 mem_hits;	/* requests the cap refused */
	uint64_t	 memcap_refused;/* sessions that ended chain_missing
					 * memcap (a budget refused them) */
	struct evp_md_st *md5;		/* fetched once: OpenSSL 3 fetches */
	struct evp_md_st *sha256;	/* and locks on every EVP_md5() */
};

/* Set up ctx for limits lim (kept by pointer: it must outlive ctx);
 * 0, or -1 when OpenSSL has no MD5/SHA-256 (fingerprints are then left
 * empty, the rest works). */
int	tls_ctx_init(struct tls_ctx *, const struct limits *);
/* Release what tls_ctx_init fetched; every flow must be freed first. */
void	tls_ctx_free(struct tls_ctx *);

struct tls_flow;

struct tls_flow *tls_flow_new(struct tls_ctx *, int is_udp);
void	tls_flow_free(struct tls_flow *);

/*
 * Stream bytes of direction dir (reasm_deliver_fn contract): returns bytes
 * consumed, sets *need.  Never reads outside [data, data + len).
 */
size_t	tls_stream(struct tls_flow *, int dir, const uint8_t *data,
	    size_t len, size_t *need);
/* One UDP datagram of direction dir (DTLS, possibly STUN-multiplexed). */
void	tls_datagram(struct tls_flow *, int dir, const uint8_t *data,
	    size_t len);
/* The stream of dir ended or stopped for reason (flow end, gap, depth). */
void	tls_stream_end(struct tls_flow *, int dir, enum tls_end);

/* Direction of the client (ClientHello sender), -1 while unknown. */
int	tls_client_dir(const struct tls_flow *);
/* 1 once any TLS/SSL/DTLS record was recognised. */
int	tls_is_tls(const struct tls_flow *);
/* 1 once a direction switched to TLS/SSLv2 records (a record header was
 * seen, the record itself may still be incomplete). */
int	tls_started(const struct tls_flow *);
/* 1 when nothing more from direction dir can change the session. */
int	tls_dir_done(const struct tls_flow *, int dir);
/* 1 when the session is complete: report it now and bypass the flow. */
int	tls_done(const struct tls_flow *);
/* 1 once a handshake record (or an SSLv2/DTLS hello, a certificate) was
 * seen.  A flow picked up after its handshake that never shows one (a
 * late retransmitted alert after the closed flow timed out) is no
 * session: the caller reports no tls event for it. */
int	tls_saw_handshake(const struct tls_flow *);
/* 1 when the flow is known not to be TLS (give up, no tls event). */
int	tls_not_tls(const struct tls_flow *);
/* Stream depth of dir (bytes from the start of its stream, record headers
 * included) that the handshake message in flight needs, 0 when none: feed
 * it to reasm_dir_set_depth (capped by the caller). */
uint32_t tls_depth_wanted(const struct tls_flow *, int dir);

/* The session as seen so far; missing is final only after tls_done or
 * tls_finalize. */
const struct tls_session *tls_session(const struct tls_flow *);
/*
 * 1 while a TLS 1.3 full handshake's encrypted server flight is still
 * being counted (tls_session()->facts.flight): the session is final and
 * reported, but the caller keeps feeding both streams until this is 0.
 */
int	tls_flight_pending(const struct tls_flow *);

/* Flow is ending: settle tls_session()->missing. */
void	tls_finalize(struct tls_flow *);

const char *tls_missing_name(enum tls_missing);
const char *tls_anomaly_name(enum tls_anomaly);
/* Suricata's EVE tls.version strings: "SSLv2", "SSLv3", "TLSv1",
 * "TLS 1.1", "TLS 1.2", "TLS 1.3", "TLS 1.3 draft-NN"; "DTLS 1.0",
 * "DTLS 1.2", "DTLS 1.3"; 0 is "UNDETERMINED"; others "unknown". */
const char *tls_version_name(uint16_t);
/* IANA cipher suite name, or NULL when unknown */
const char *tls_cipher_name(uint16_t);

#endif
