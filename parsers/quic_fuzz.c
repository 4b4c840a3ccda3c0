/*
 * quic_fuzz.c - libFuzzer target for parsers/quic.c: the input is a
 * sequence of datagrams, each a 2-byte big-endian length with the
 * direction in its top bit, fed to one QUIC flow as a sensor would.
 * One input in eight (last byte & 7 == 7) runs with allocations failing
 * after a few (count from the first byte) once the contexts are up: the
 * flow must give up or go on, never crash or leak.
 * Seeds: client Initials of the QUIC corpus (tests/fuzz/run-all).
 */
#include <stddef.h>
#include <stdint.h>

#include "cur.h"
#include "quic.h"
#include "tls.h"
#include "../sensor/limits.h"
#include "../sensor/xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct limits lim;
	struct tls_ctx tls;
	struct quic_ctx qc;
	struct quic_flow *q;
	struct cur c, d;
	uint16_t hdr;

	limits_default(&lim);
	lim.quic_crypto_max = 4096;	/* reach the cap quickly */
	(void)tls_ctx_init(&tls, &lim);
	if (quic_ctx_init(&qc, &lim, &tls) == -1) {
		tls_ctx_free(&tls);
		return 0;
	}
	if (size > 1 && (data[size - 1] & 7) == 7)
		xalloc_fail_after((long)(data[0] & 31));
	if ((q = quic_flow_new(&qc)) != NULL) {
		cur_init(&c, data, size);
		while (cur_be16(&c, &hdr) == 0 &&
		    cur_sub(&c, hdr & 0x7fff, &d) == 0)
			if (quic_detect(cur_ptr(&d), cur_left(&d)) ||
			    q->n_versions > 0 || (hdr & 0x8000))
				quic_datagram(&qc, q, hdr >> 15, cur_ptr(&d),
				    cur_left(&d));
		quic_flow_free(&qc, q);
	}
	xalloc_fail_after(-1);
	quic_ctx_free(&qc);
	tls_ctx_free(&tls);
	return 0;
}
