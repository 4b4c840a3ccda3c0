/*
 * quic.h - the client's first flight of a QUIC connection: version(s),
 * and the ClientHello its Initial packets carry (SNI, ALPN, JA3/JA4), or
 * the plaintext CHLO of Google QUIC.
 *
 * QUIC Initial packets are encrypted with keys anyone can derive from the
 * packet itself (RFC 9001 5.2: the version's salt and the client's first
 * Destination Connection ID), so a passive sensor reads the ClientHello
 * that TLS 1.3 over TCP would show in clear.  Nothing past the Initials
 * is readable (the server's certificates travel under Handshake keys).
 *
 * Versions handled:
 *   IETF QUIC v1 (RFC 9000), v2 (RFC 9369), drafts 22..34, Facebook
 *   mvfst (0xfaceb00x), reserved versions (0x?a?a?a?a, RFC 9000 15:
 *   the salt is unknowable, the known salts are tried), Google T050/T051
 *   (TLS in an Initial with Google's salts), Q050 (CHLO in an Initial
 *   with Google's salt), Q046 and Q043 (plaintext CHLO).
 *
 * One struct quic_flow per UDP flow that looked like QUIC, fed every
 * datagram with its direction; one struct quic_ctx per worker holds the
 * cipher contexts and a scratch buffer (no mutable statics: several
 * workers run at once).
 */
#ifndef ROOTWATCH_QUIC_H
#define ROOTWATCH_QUIC_H

#include <stddef.h>
#include <stdint.h>

#include "../sensor/limits.h"

struct tls_ctx;

/* Client long-header versions kept per flow, in order of change. */
#define QUIC_MAX_VERSIONS	4
/* ClientHello extension types kept per flow for the event. */
#define QUIC_MAX_EXTS		64

/* Anomalies (bit numbers), reported in rootwatch.quic.anomalies. */
enum quic_anomaly {
	QUIC_ANOM_BAD_HEADER,		/* long header does not parse */
	QUIC_ANOM_DECRYPT_FAILED,	/* an Initial no known key opened */
	QUIC_ANOM_BAD_FRAME,		/* a frame in an Initial did not parse */
	QUIC_ANOM_CRYPTO_CAP,		/* CRYPTO data past quic.crypto-max */
	QUIC_ANOM_BAD_HELLO,		/* the ClientHello did not parse */
	QUIC_ANOM_BAD_CHLO,		/* gQUIC CHLO did not parse */
	QUIC_ANOM_MEMCAP,		/* tls.memcap refused the buffer */
	QUIC_ANOM_MAX
};

/* Per worker; summed into the stats event. */
struct quic_stats {
	uint64_t	initials;	/* client Initial packets seen */
	uint64_t	decrypted;	/* of them, opened */
	uint64_t	decrypt_failed;	/* no known key opened them */
	uint64_t	hellos;		/* ClientHellos / CHLOs parsed */
	uint64_t	crypto_cap_hits;/* CRYPTO data beyond quic.crypto-max */
	uint64_t	memcap_refused;	/* buffers tls.memcap refused */
};

struct quic_ctx {
	struct tls_ctx		*tls;	/* memory budget, digests (JA3/JA4) */
	uint32_t		 crypto_max;	/* limits.quic_crypto_max */
	void			*ecb;	/* EVP_CIPHER_CTX: header protection */
	void			*gcm;	/* EVP_CIPHER_CTX: payload */
	uint8_t			*buf;	/* one packet, decrypted in place */
	size_t			 buflen;
	struct quic_stats	 st;
};

struct quic_keys {
	uint8_t		key[16];
	uint8_t		iv[12];
	uint8_t		hp[16];
};

struct quic_flow {
	int8_t		 client_dir;	/* -1 until a client long header */
	uint8_t		 hello_done;	/* ClientHello / CHLO parsed */
	uint8_t		 gquic;		/* Google QUIC CHLO (no TLS) */
	uint8_t		 server_seen;	/* any datagram from the server */
	uint8_t		 server_answer;	/* a server packet other than
					 * Version Negotiation / Retry */
	uint8_t		 n_versions;
	uint8_t		 odcid_len;	/* 0: no key cached */
	uint8_t		 salt_idx;	/* salt that opened the last Initial */
	uint32_t	 versions[QUIC_MAX_VERSIONS];
	uint8_t		 odcid[20];	/* first Initial's DCID: its keys */
	struct quic_keys okeys;
	uint32_t	 initials;
	uint32_t	 decrypted;
	uint32_t	 failed;
	uint32_t	 anomalies;	/* 1u << enum quic_anomaly */
	/* CRYPTO frames: bytes and a bitmap of the offsets filled */
	uint8_t		*crypto;
	uint8_t		*filled;
	size_t		 crypto_cap;	/* allocated */
	size_t		 contig;	/* filled from offset 0 */
	/* what the event reports */
	char		 sni[256];
	char		 alpn[256];	/* comma-separated */
	char		 ua[128];	/* gQUIC UAID */
	char		*ja3;		/* xmalloc'd */
	char		 ja3_md5[33];
	char		 ja4[40];
	char		*cyu;		/* gQUIC CYU string, xmalloc'd */
	char		 cyu_md5[33];
	uint16_t	 n_exts;
	uint16_t	 exts[QUIC_MAX_EXTS];
};

/* 0, or -1 when OpenSSL cannot give the ciphers or memory failed. */
int	quic_ctx_init(struct quic_ctx *, const struct limits *,
	    struct tls_ctx *);
void	quic_ctx_free(struct quic_ctx *);

/*
 * 1 when the datagram starts with a QUIC long header of a version we
 * know (or a reserved one), or a Google QUIC public header with a
 * version: enough to treat the flow as QUIC.  Short headers alone say
 * too little (any UDP payload with 0x40 set would do).
 */
int	quic_detect(const uint8_t *, size_t);

struct quic_flow *quic_flow_new(struct quic_ctx *);
void	quic_flow_free(struct quic_ctx *, struct quic_flow *);
/* One UDP payload of direction dir (0 or 1). */
void	quic_datagram(struct quic_ctx *, struct quic_flow *, int dir,
	    const uint8_t *, size_t);
/* The version as Suricata's EVE quic.version: "Q043".."T051" for Google
 * versions, else lowercase hex without 0x ("1", "ff00001d"). */
void	quic_version_eve(uint32_t, char *, size_t);
/* "0x00000001 (v1)", "0xff00001d (draft-29)", "0x51303530 (gQUIC Q050)",
 * "0x0a0a0a0a (reserved, forces VN)", "0xfaceb002 (mvfst-27)". */
void	quic_version_name(uint32_t, char *, size_t);
const char *quic_anomaly_name(enum quic_anomaly);
/* IANA TLS ExtensionType name, NULL when not in the table. */
const char *quic_ext_name(uint16_t);

#endif
