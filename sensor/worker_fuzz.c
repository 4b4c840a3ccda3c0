/*
 * worker_fuzz.c - libFuzzer target for the whole per-packet path: decode,
 * flows, reassembly, TLS/DTLS/STARTTLS, certificates, rules, JSON events.
 * The input is a list of frames, each [u16 length, big endian][u8 flags]
 * [frame]: flags bit 0 = link type RAW instead of Ethernet, bits 1-7 add
 * to the packet time (so timeouts and expiry run too).  Every input ends
 * with all flows flushed, so state does not leak between inputs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "xmalloc.h"
#include "../parsers/cur.h"
#include "../rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules_yaml[] =
    "rules:\n"
    "  - id: fuzz-name\n"
    "    name: issuer name\n"
    "    severity: high\n"
    "    category: test\n"
    "    match:\n"
    "      issuer: { CN: Qaznet Trust Network, C: KZ }\n";

static struct worker w;
static struct output out;
static struct limits lim;
static int ready;

static void
setup(void)
{
	struct output_opts oo = { .pem = 1, .cert_dedup = 1 };	/* more code */
	struct rules_error err;
	struct ruleset *rs;

	limits_default(&lim);
	lim.flow_max = 64;		/* eviction happens */
	lim.reasm_memcap = 1u << 20;	/* and the memory cap */
	if (output_open(&out, "/dev/null", &oo) == -1)
		abort();
	rs = rules_load_string("fuzz.yaml", rules_yaml, sizeof(rules_yaml) - 1,
	    &err);
	if (worker_init(&w, &lim, &out, rs) == -1)
		abort();
	rules_unref(rs);	/* the worker holds its own reference */
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t ts = 1500000000ull * 1000000;
	struct cur c, frame;
	uint16_t len;
	uint8_t flags;

	if (!ready)
		setup();
	/* One input in sixteen runs with allocations failing after a few
	 * (count from the input): the worker must count, not crash, and
	 * the following inputs find it whole. */
	if (size > 2 && (data[size - 1] & 15) == 15)
		xalloc_fail_after((long)(data[size - 2] & 63));
	cur_init(&c, data, size);
	while (cur_be16(&c, &len) == 0 && cur_u8(&c, &flags) == 0) {
		if (cur_sub(&c, len < cur_left(&c) ? len : cur_left(&c),
		    &frame) != 0)
			break;
		ts += (uint64_t)(flags >> 1) * 1000003;
		worker_frame(&w, (flags & 1) ? 12 : 1, cur_ptr(&frame),
		    cur_left(&frame), cur_left(&frame), ts);
	}
	worker_flush_flows(&w);
	xalloc_fail_after(-1);
	output_flush(&out);
	return 0;
}
