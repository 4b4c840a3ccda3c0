/*
 * privacy.c - client pseudonyms and the installation key.  See privacy.h.
 */
#include "privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"

static int
fill_random(uint8_t *p, size_t n)
{
	ssize_t r;
	size_t got = 0;

	while (got < n) {
		r = getrandom(p + got, n - got, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int
privacy_key_random(uint8_t key[PRIVACY_KEY_LEN])
{
	if (fill_random(key, PRIVACY_KEY_LEN) == -1) {
		log_warn("getrandom");
		return -1;
	}
	return 0;
}

/* The key file does not exist: make it, never over another file. */
static int
key_create(const char *path, uint8_t key[PRIVACY_KEY_LEN])
{
	int fd;

	if (privacy_key_random(key) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		log_warn("privacy key %s", path);
		return -1;
	}
	if (write(fd, key, PRIVACY_KEY_LEN) != PRIVACY_KEY_LEN ||
	    fsync(fd) == -1) {
		log_warn("privacy key %s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	log_info("privacy key created: %s", path);
	return 0;
}

/* An existing key: a regular file of exactly the key's size, readable by
 * its owner only (a key others can read makes pseudonyms reversible). */
static int
key_read(int fd, const char *path, uint8_t key[PRIVACY_KEY_LEN])
{
	struct stat st;
	ssize_t r;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size != PRIVACY_KEY_LEN) {
		log_warnx("privacy key %s: not a %d-byte file", path,
		    PRIVACY_KEY_LEN);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		log_warnx("privacy key %s: readable by others (mode %03o), "
		    "want 0600", path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	r = read(fd, key, PRIVACY_KEY_LEN);
	if (r != PRIVACY_KEY_LEN) {
		log_warn("privacy key %s", path);
		return -1;
	}
	return 0;
}

int
privacy_key_load(const char *path, uint8_t key[PRIVACY_KEY_LEN])
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return key_create(path, key);
	if (fd == -1) {
		log_warn("privacy key %s", path);
		return -1;
	}
	rc = key_read(fd, path, key);
	close(fd);
	return rc;
}

static void
aes_block(const struct privacy *pv, const uint8_t in[16], uint8_t out[16])
{
	int n = 0;

	if (EVP_EncryptUpdate(pv->ctx, out, &n, in, 16) != 1 || n != 16)
		memset(out, 0, 16);	/* cannot happen with ECB, no padding */
}

int
privacy_init(struct privacy *pv, const uint8_t key[PRIVACY_KEY_LEN],
    int clients)
{
	EVP_CIPHER_CTX *ctx;

	memset(pv, 0, sizeof(*pv));
	pv->clients = clients;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	pv->ctx = ctx;
	/* The pad is the key file's second block encrypted, as Crypto-PAn
	 * makes it: the stored bytes never appear in an AES input as is. */
	aes_block(pv, key + 16, pv->pad);
	memcpy(pv->mackey, key + 32, 32);
	return 0;
}

void
privacy_free(struct privacy *pv)
{
	EVP_CIPHER_CTX_free(pv->ctx);
	OPENSSL_cleanse(pv, sizeof(*pv));
}

/*
 * Crypto-PAn over nbits: for bit i, the AES input is the address's first
 * i bits followed by the pad's remaining bits; the output's first bit is
 * XORed into bit i of the address.  The pseudonym of a prefix depends
 * only on that prefix, which is what preserves prefixes.
 */
static void
pan(const struct privacy *pv, const uint8_t *in, uint8_t *out, int nbits)
{
	uint8_t blk[16], enc[16];
	int i, b, nbytes = nbits / 8;

	memset(out, 0, (size_t)nbytes);
	for (i = 0; i < nbits; i++) {
		memcpy(blk, pv->pad, 16);
		for (b = 0; b < i / 8; b++)
			blk[b] = in[b];
		if (i % 8 != 0) {
			uint8_t keep = (uint8_t)(0xff << (8 - i % 8));
			blk[i / 8] = (uint8_t)((in[i / 8] & keep) |
			    (pv->pad[i / 8] & ~keep));
		}
		aes_block(pv, blk, enc);
		out[i / 8] |= (uint8_t)((enc[0] >> 7) << (7 - i % 8));
	}
	for (b = 0; b < nbytes; b++)
		out[b] ^= in[b];
}

void
privacy_ip(const struct privacy *pv, int family, const uint8_t *in,
    uint8_t *out)
{
	uint8_t tmp[16];

	pan(pv, in, tmp, family == 6 ? 128 : 32);
	memcpy(out, tmp, family == 6 ? 16 : 4);
}

void
privacy_mac(const struct privacy *pv, const uint8_t in[6], uint8_t out[6])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (HMAC(EVP_sha256(), pv->mackey, sizeof(pv->mackey), in, 6, md,
	    &n) == NULL || n < 6)
		memset(md, 0, 6);
	memcpy(out, md, 6);
	/* locally administered (0x02), unicast (0x01 clear): never a real
	 * vendor's OUI, never mistaken for a multicast group */
	out[0] = (uint8_t)((out[0] | 0x02) & ~0x01);
}

uint64_t
privacy_derive64(const struct privacy *pv, const char *label)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	uint64_t v = 0;
	int i;

	if (HMAC(EVP_sha256(), pv->mackey, sizeof(pv->mackey),
	    (const unsigned char *)label, strlen(label), md, &n) == NULL ||
	    n < 8)
		return 1;
	for (i = 0; i < 8; i++)
		v = v << 8 | md[i];
	return v != 0 ? v : 1;
}
