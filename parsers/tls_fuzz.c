/*
 * tls_fuzz.c - libFuzzer target for the TLS stream layer.
 *
 * The input is a sequence of deliveries:
 *
 *   +---------+------------------+-------------------+
 *   | ctl (1) | length (2, BE)   | bytes (length)    |
 *   +---------+------------------+-------------------+
 *
 * ctl bit 0 is the direction; bit 7 set ends that direction's stream
 * with reason (ctl >> 4) & 7 instead of delivering.  The bytes go to a
 * model of the reassembler that keeps what tls_stream did not consume
 * and honours *need exactly as sensor/reasm.c does.  A short last
 * delivery takes what is left.  Then the flow is finalized.
 * Seeds: tests/fuzz/tls/ (client and server flights of real captures).
 * The first ctl byte with bits 1-3 set makes allocations fail after the
 * count in the low nibble of the last input byte.
 */
#include <stdint.h>
#include <string.h>

#include "cur.h"
#include "../sensor/limits.h"
#include "tls_int.h"
#include "../sensor/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct tls_fuzz_dir {
	uint8_t	*pend;
	size_t	 len;
	size_t	 need;
	int	 stopped;
};

/* Append and deliver when the consumer's need is met. */
static void
tls_fuzz_deliver(struct tls_flow *tf, struct tls_fuzz_dir *d, int dir,
    const uint8_t *data, size_t n)
{
	uint8_t *p;
	size_t used, need = 0;

	if (d->stopped || n == 0)
		return;
	if ((p = xreallocarray(d->pend, d->len + n, 1)) == NULL)
		return;
	d->pend = p;
	memcpy(d->pend + d->len, data, n);
	d->len += n;
	if (d->len < d->need)
		return;
	used = tls_stream(tf, dir, d->pend, d->len, &need);
	if (used > d->len)
		__builtin_trap();
	memmove(d->pend, d->pend + used, d->len - used);
	d->len -= used;
	d->need = need;
	if (tls_dir_done(tf, dir) || tls_done(tf) || tls_not_tls(tf))
		d->stopped = 1;
}

/* Run one input; returns the flow (finalized) for the caller to read. */
static struct tls_flow *
tls_fuzz_run(const uint8_t *data, size_t size, struct tls_ctx *ctx)
{
	struct tls_fuzz_dir d[2];
	struct tls_flow *tf;
	struct cur c, chunk;
	uint8_t ctl;
	uint16_t n;
	int dir;

	memset(d, 0, sizeof(d));
	if ((tf = tls_flow_new(ctx, 0)) == NULL)
		return NULL;
	cur_init(&c, data, size);
	while (cur_u8(&c, &ctl) == 0 && cur_be16(&c, &n) == 0) {
		if (cur_sub(&c, n, &chunk) == -1)
			(void)cur_sub(&c, cur_left(&c), &chunk);
		dir = ctl & 1;
		if (ctl & 0x80) {
			tls_stream_end(tf, dir,
			    (enum tls_end)(((ctl >> 4) & 7) % TLS_END_MAX));
			d[dir].stopped = 1;
			continue;
		}
		tls_fuzz_deliver(tf, &d[dir], dir, cur_ptr(&chunk),
		    cur_left(&chunk));
	}
	tls_stream_end(tf, 0, TLS_END_OK);
	tls_stream_end(tf, 1, TLS_END_OK);
	tls_finalize(tf);
	xfree(d[0].pend);
	xfree(d[1].pend);
	return tf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct limits lim;
	static struct tls_ctx ctx;
	static int init;
	const struct tls_session *s;
	struct tls_flow *tf;

	if (!init) {
		limits_default(&lim);
		lim.tls_hs_max = 1u << 18;
		(void)tls_ctx_init(&ctx, &lim);
		init = 1;
	}
	/* a small budget now and then: refusals must read as memcap */
	ctx.mem_cap = size > 0 && (data[0] & 0x40) ? 4096 + 64 * size :
	    lim.tls_memcap;
	/* ctl bits 1-3 of the first delivery all set: an allocation fails
	 * after a few (the count from the input) succeed */
	if (size > 1 && (data[0] & 0x0e) == 0x0e)
		xalloc_fail_after((long)(data[size - 1] & 15));
	tf = tls_fuzz_run(data, size, &ctx);
	xalloc_fail_after(-1);
	if (tf == NULL)
		return 0;
	s = tls_session(tf);
	/* names must exist for whatever was parsed; settled after finalize */
	if (tls_missing_name(s->missing) == NULL ||
	    tls_version_name(s->version) == NULL || !tls_fsm_final(tf))
		__builtin_trap();
	tls_flow_free(tf);
	if (ctx.mem_used != 0)		/* every byte given back */
		__builtin_trap();
	return 0;
}
