/*
 * x509_fuzz.c - libFuzzer target: Certificate message list + X.509.
 *
 * Input: one mode byte, then the bytes.
 *
 *   +------+-----------------------------------------------+
 *   | mode | Certificate message body (or raw DER, bit 1)  |
 *   +------+-----------------------------------------------+
 *
 *   mode bit 0: TLS 1.3 layout (request context, per-entry extensions)
 *   mode bit 1: the rest is one DER certificate, no list
 *   mode bit 7: make allocations fail after (mode >> 2 & 0x1f) succeed
 *
 * Each certificate found goes through x509_cache_get() on a cache that
 * lives across inputs (small, so eviction runs), its fields are checked
 * for consistency, its PEM is rendered, and every reference is put back.
 * (Its JSON is sensor/'s job: sensor/worker_fuzz.c renders it.)
 * Seeds: tests/fuzz/x509/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tls_int.h"
#include "x509.h"
#include "../sensor/limits.h"
#include "../sensor/xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct x509_cache *fuzz_cache;

static void
fuzz_one(const uint8_t *der, size_t len, struct x509_cert **held,
    size_t *nheld)
{
	struct x509_cert *c;
	char *pem;

	if ((c = x509_cache_get(fuzz_cache, der, len)) == NULL)
		return;
	if (c->x == NULL && c->parse_error == NULL)
		__builtin_trap();
	/* a decoded cert has every string field a tls event reports */
	if (c->x != NULL && (c->subject == NULL || c->issuer == NULL ||
	    c->serial == NULL || c->nsan > LIM_X509_SAN_MAX))
		__builtin_trap();
	if ((pem = x509_pem(c)) != NULL)
		xfree(pem);
	held[(*nheld)++] = c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_cert *held[LIM_TLS_CHAIN_MAX + 1];
	struct tls_cert_list list;
	size_t nheld = 0, i;
	uint8_t mode;

	if (size < 1)
		return 0;
	if (fuzz_cache == NULL && (fuzz_cache = x509_cache_new(8)) == NULL)
		return 0;
	mode = data[0];
	if (mode & 0x80)
		xalloc_fail_after((long)((mode >> 2) & 0x1f));
	if (mode & 0x02)
		fuzz_one(data + 1, size - 1, held, &nheld);
	else {
		if (tls_parse_cert_list(data + 1, size - 1, mode & 0x01,
		    &list) == PARSE_OK) {
			for (i = 0; i < list.n; i++)
				fuzz_one(cur_ptr(&list.der[i]),
				    cur_left(&list.der[i]), held, &nheld);
		}
	}
	xalloc_fail_after(-1);
	for (i = 0; i < nheld; i++)
		x509_cert_put(fuzz_cache, held[i]);
	return 0;
}
