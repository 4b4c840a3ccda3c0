/*
 * tls_names.c - printable names: protocol versions (the strings Suricata
 * writes in EVE tls.version), cipher suites (IANA TLS Cipher Suites
 * registry), missing reasons and anomalies.
 */
#include <stdlib.h>

#include "tls_int.h"

struct tls_cipher_name {
	uint16_t	 id;
	const char	*name;
};

/* IANA "TLS Cipher Suites" registry, sorted by value (bsearch). */
static const struct tls_cipher_name tls_ciphers[] = {
	{ 0x0000, "TLS_NULL_WITH_NULL_NULL" },
	{ 0x0001, "TLS_RSA_WITH_NULL_MD5" },
	{ 0x0002, "TLS_RSA_WITH_NULL_SHA" },
	{ 0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5" },
	{ 0x0004, "TLS_RSA_WITH_RC4_128_MD5" },
	{ 0x0005, "TLS_RSA_WITH_RC4_128_SHA" },
	{ 0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5" },
	{ 0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA" },
	{ 0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0009, "TLS_RSA_WITH_DES_CBC_SHA" },
	{ 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x000b, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x000c, "TLS_DH_DSS_WITH_DES_CBC_SHA" },
	{ 0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA" },
	{ 0x000e, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x000f, "TLS_DH_RSA_WITH_DES_CBC_SHA" },
	{ 0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA" },
	{ 0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA" },
	{ 0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5" },
	{ 0x0018, "TLS_DH_anon_WITH_RC4_128_MD5" },
	{ 0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x001a, "TLS_DH_anon_WITH_DES_CBC_SHA" },
	{ 0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA" },
	{ 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA" },
	{ 0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA" },
	{ 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA" },
	{ 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA" },
	{ 0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA" },
	{ 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA" },
	{ 0x003b, "TLS_RSA_WITH_NULL_SHA256" },
	{ 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256" },
	{ 0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256" },
	{ 0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256" },
	{ 0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256" },
	{ 0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x008a, "TLS_PSK_WITH_RC4_128_SHA" },
	{ 0x008b, "TLS_PSK_WITH_3DES_EDE_CBC_SHA" },
	{ 0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA" },
	{ 0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA" },
	{ 0x0096, "TLS_RSA_WITH_SEED_CBC_SHA" },
	{ 0x009a, "TLS_DHE_RSA_WITH_SEED_CBC_SHA" },
	{ 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256" },
	{ 0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384" },
	{ 0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256" },
	{ 0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384" },
	{ 0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256" },
	{ 0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256" },
	{ 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" },
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },
	{ 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
	{ 0x1304, "TLS_AES_128_CCM_SHA256" },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
	{ 0x5600, "TLS_FALLBACK_SCSV" },
	{ 0xc001, "TLS_ECDH_ECDSA_WITH_NULL_SHA" },
	{ 0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA" },
	{ 0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA" },
	{ 0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA" },
	{ 0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA" },
	{ 0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA" },
	{ 0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
	{ 0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" },
	{ 0xc00b, "TLS_ECDH_RSA_WITH_NULL_SHA" },
	{ 0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA" },
	{ 0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA" },
	{ 0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA" },
	{ 0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xc015, "TLS_ECDH_anon_WITH_NULL_SHA" },
	{ 0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA" },
	{ 0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA" },
	{ 0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA" },
	{ 0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA" },
	{ 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
	{ 0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" },
	{ 0xc025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256" },
	{ 0xc026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384" },
	{ 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" },
	{ 0xc029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0xc02a, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384" },
	{ 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc02e, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA" },
	{ 0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA" },
	{ 0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384" },
	{ 0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384" },
	{ 0xc09c, "TLS_RSA_WITH_AES_128_CCM" },
	{ 0xc09d, "TLS_RSA_WITH_AES_256_CCM" },
	{ 0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM" },
	{ 0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM" },
	{ 0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8" },
	{ 0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8" },
	{ 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" },
	{ 0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM" },
	{ 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" },
	{ 0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8" },
	{ 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256" },
	{ 0xd002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384" },
};

static int
tls_cipher_cmp(const void *key, const void *elem)
{
	uint16_t id = *(const uint16_t *)key;
	const struct tls_cipher_name *e = elem;

	return id < e->id ? -1 : id > e->id;
}

const char *
tls_cipher_name(uint16_t id)
{
	const struct tls_cipher_name *e;

	e = bsearch(&id, tls_ciphers, sizeof(tls_ciphers) /
	    sizeof(tls_ciphers[0]), sizeof(tls_ciphers[0]), tls_cipher_cmp);
	return e != NULL ? e->name : NULL;
}

/* TLS 1.3 draft versions: 0x7fNN is draft-NN; Facebook's 0xfbNN. */
static const char *
tls_draft_name(uint16_t v)
{
	static const char *const drafts[] = {
		"TLS 1.3 draft-16", "TLS 1.3 draft-17", "TLS 1.3 draft-18",
		"TLS 1.3 draft-19", "TLS 1.3 draft-20", "TLS 1.3 draft-21",
		"TLS 1.3 draft-22", "TLS 1.3 draft-23", "TLS 1.3 draft-24",
		"TLS 1.3 draft-25", "TLS 1.3 draft-26", "TLS 1.3 draft-27",
		"TLS 1.3 draft-28",
	};

	switch (v) {
	case 0xfb14: return "TLS 1.3 draft-20-fb";
	case 0xfb15: return "TLS 1.3 draft-21-fb";
	case 0xfb16: return "TLS 1.3 draft-22-fb";
	case 0xfb17: return "TLS 1.3 draft-23-fb";
	case 0xfb1a: return "TLS 1.3 draft-26-fb";
	default: break;
	}
	if (v >= 0x7f10 && v <= 0x7f1c)
		return drafts[v - 0x7f10];
	if (v > 0x7f00 && v < 0x7f10)
		return "TLS 1.3 draft-<16";
	return "unknown";
}

const char *
tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0000: return "UNDETERMINED";
	case 0x0002: case 0x0200: return "SSLv2";
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv1";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	case 0xfeff: return "DTLS 1.0";
	case 0xfefd: return "DTLS 1.2";
	case 0xfefc: return "DTLS 1.3";
	default: return tls_draft_name(v);
	}
}

const char *
tls_anomaly_name(enum tls_anomaly a)
{
	static const char *const names[TLS_ANOM_MAX] = {
		[TLS_ANOM_BAD_RECORD_LEN] = "bad_record_length",
		[TLS_ANOM_ZERO_RECORD] = "zero_length_record",
		[TLS_ANOM_BAD_HS_LEN] = "bad_handshake_length",
		[TLS_ANOM_BAD_CERT_LEN] = "bad_certificate_length",
		[TLS_ANOM_BAD_HELLO] = "bad_hello",
		[TLS_ANOM_BAD_EXTENSION] = "bad_extension",
		[TLS_ANOM_HS_TOO_LARGE] = "handshake_too_large",
		[TLS_ANOM_CHAIN_TOO_LONG] = "chain_too_long",
		[TLS_ANOM_UNEXPECTED_MSG] = "unexpected_message",
		[TLS_ANOM_DTLS_FRAG_BAD] = "dtls_bad_fragment",
		[TLS_ANOM_SSLV2_BAD] = "sslv2_malformed",
	};

	if ((unsigned)a >= TLS_ANOM_MAX)
		return "unknown";
	return names[a];
}
