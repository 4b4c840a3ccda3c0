/*
 * decode_fuzz.c - libFuzzer target for decode_packet().
 *
 * Input: [link type, big-endian 16 bits][frame].  The link type is mapped
 * onto the supported list (so most inputs reach a decoder); one decoder
 * lives across inputs so fragment trains build up, get completed, capped
 * and expired.  Packet time advances with every input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"
#include "../sensor/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern volatile uint8_t decode_fuzz_sink;

/* Sink for the bytes we touch, so the reads are not optimized away. */
volatile uint8_t decode_fuzz_sink;

static const int dlts[] = { 0, 1, 9, 12, 14, 101, 108, 113, 228, 229, 276 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct limits lim;
	static struct decoder d;
	static int init;
	static uint64_t now;
	struct pkt p;
	unsigned sel;
	int dlt;

	if (!init) {
		limits_default(&lim);
		lim.frag_trains = 64;		/* reach the caps quickly */
		lim.frag_memcap = 256u << 10;
		if (decode_init(&d, &lim) != 0)
			abort();
		init = 1;
	}
	if (size < 2)
		return 0;
	sel = (unsigned)data[0] << 8 | data[1];
	dlt = decode_linktype_supported((int)sel) ? (int)sel :
	    dlts[sel % (sizeof(dlts) / sizeof(dlts[0]))];
	now += 1000;
	/* Every 16th input: the fragment store's allocations fail after a
	 * few; the decoder must count and carry on with the next input. */
	if ((now / 1000) % 16 == 5)
		xalloc_fail_after((long)(data[1] & 3));
	/* Every 8th input pretends a 64-byte snaplen cut the frame. */
	if (decode_packet(&d, dlt, data + 2, size - 2,
	    (now / 1000) % 8 == 0 ? size + 64 : size - 2, now, &p) == 1) {
		/* Touch the last byte of each span: ASan checks the bounds. */
		if (p.payload_len > 0)
			decode_fuzz_sink = p.payload[p.payload_len - 1];
		if (p.l3_len > 0)
			decode_fuzz_sink = p.l3[p.l3_len - 1];
		(void)decode_l4_csum_check(&d, &p);
	}
	xalloc_fail_after(-1);
	if ((now / 1000) % 256 == 0)
		decode_expire(&d, now + (now / 1000 % 1024 == 0 ?
		    lim.frag_timeout_us + 1 : 0));
	return 0;
}
