/*
 * privacy.h - what privacy mode replaces client identifiers with
 * (rootwatch(8) PRIVACY).
 *
 * Client addresses are either dropped from events or replaced by a keyed,
 * prefix-preserving pseudonym in the manner of Crypto-PAn (Xu, Fan,
 * Ammar, Moon, "Prefix-Preserving IP Address Anonymization", 2002): two
 * addresses sharing a k-bit prefix get pseudonyms sharing a k-bit
 * prefix, so subnets stay recognisable and hosts do not.  Bit i of the
 * pseudonym is bit i of the address XOR the first bit of
 * AES-128(key, the address's first i bits followed by a secret pad).
 * MAC addresses get a keyed hash (HMAC-SHA-256), vendor bits included:
 * an OUI narrows a person down to their phone's brand, so it goes too.
 *
 * The key is random per installation, kept in a file of mode 0600 that
 * is created (O_EXCL, getrandom) or read before the sandbox, and never
 * logged.  Without the key, a pseudonym cannot be reversed or recomputed
 * from a guessed address.
 */
#ifndef ROOTWATCH_PRIVACY_H
#define ROOTWATCH_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

/* Key file: 16 bytes AES key, 16 bytes pad, 32 bytes MAC/flow_id key. */
#define PRIVACY_KEY_LEN		64

enum privacy_clients {
	PRIVACY_CLIENTS_DROP,		/* no client address in events */
	PRIVACY_CLIENTS_PSEUDONYM,	/* keyed prefix-preserving pseudonym */
};

struct privacy {
	int		 clients;	/* enum privacy_clients */
	void		*ctx;		/* EVP_CIPHER_CTX, AES-128-ECB */
	uint8_t		 pad[16];
	uint8_t		 mackey[32];
};

/*
 * Read the key from path, or create it (O_EXCL, mode 0600, from
 * getrandom) when it does not exist.  0, or -1 after logging why.
 */
int	privacy_key_load(const char *path, uint8_t key[PRIVACY_KEY_LEN]);
/* A fresh random key (no key file: pseudonyms of this run only). */
int	privacy_key_random(uint8_t key[PRIVACY_KEY_LEN]);

int	privacy_init(struct privacy *, const uint8_t key[PRIVACY_KEY_LEN],
	    int clients);
void	privacy_free(struct privacy *);

/* Pseudonym of an IPv4 (family 4, first 4 bytes) or IPv6 address. */
void	privacy_ip(const struct privacy *, int family, const uint8_t *in,
	    uint8_t *out);
/* Pseudonym of a MAC address: locally administered, unicast. */
void	privacy_mac(const struct privacy *, const uint8_t in[6],
	    uint8_t out[6]);
/* A 64-bit key derived from the installation key (flow_id). */
uint64_t privacy_derive64(const struct privacy *, const char *label);

#endif
