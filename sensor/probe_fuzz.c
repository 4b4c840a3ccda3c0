/*
 * probe_fuzz.c - libFuzzer target for what the main process does with an
 * answer of the active probe's process (sensor/probe.c), which it trusts
 * no more than packets: the child talked to the servers it probed.
 *
 * The input is one answer, as recv(2) gives it (layout: probe.c).  It is
 * parsed by probe_parse_answer; an answer taken must be the layout
 * exactly (the reason, the count and each certificate where the layout
 * puts them, no byte left over, every field in range), else the target
 * traps.  Then, as probe_answer does for a connection made, the answer is
 * judged: its rootwatch.probe object rendered (probe_render_result) and
 * handed to worker_probe, which turns the chain into certificates
 * (x509_cache_get), writes the tls event, matches a rule and runs the
 * signals on the chain behind a gate.  The answer's own seq picks what
 * the main process would know (name, attempt, round, control; which
 * signal kinds the gate lets through) and, one input in sixteen, makes
 * allocations fail after a few: a judge short of memory must drop, not
 * crash, and the next input finds the worker whole.
 * Seeds: tests/fuzz/probe/ (tests/fuzz/probe_seeds.py); dictionary:
 * tests/fuzz/probe.dict.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "json.h"
#include "probe.h"
#include "signals.h"
#include "xmalloc.h"
#include "../rules/rules.h"

#define PSL	"/usr/share/publicsuffix/public_suffix_list.dat"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The lookalike seeds' issuer: the rule matches, an alert is written. */
static const char rules_yaml[] =
    "rules:\n"
    "  - id: fuzz-name\n"
    "    name: issuer name\n"
    "    severity: high\n"
    "    category: test\n"
    "    match:\n"
    "      issuer: { CN: Qaznet Trust Network, C: KZ }\n";

/* The names a schedule holds; the first is the control. */
static const char *const names[] = {
	"control.test", "www.example.kz", "www.google.com",
	"ams.source.kernel.org"
};

static struct worker w;
static struct output out;
static struct limits lim;
static struct jbuf jb;
static uint32_t gate_mask;
static int ready;

static void
setup(void)
{
	struct output_opts oo = { .pem = 1, .cert_dedup = 1 };
	struct signals_conf sc;
	struct rules_error err;
	struct ruleset *rs;
	struct signals *sg;
	char serr[512];

	limits_default(&lim);
	if (output_open(&out, "/dev/null", &oo) == -1)
		abort();
	rs = rules_load_string("fuzz.yaml", rules_yaml, sizeof(rules_yaml) - 1,
	    &err);
	if (worker_init(&w, &lim, &out, rs) == -1)
		abort();
	rules_unref(rs);
	/* The signals as the daemon runs them: the source tree's data, the
	 * system trust store, no state file (nothing learnt anyway: a
	 * probe's session is not). */
	signals_conf_default(&sc);
	sc.enabled = 1;
	sc.data = (char *)(uintptr_t)RW_SRCDIR "/rules/interception-data.txt";
	sc.psl = access(PSL, R_OK) == 0 ? (char *)(uintptr_t)PSL : NULL;
	if ((sg = signals_new(&sc, serr, sizeof(serr))) == NULL)
		fprintf(stderr, "probe_fuzz: no signals: %s\n", serr);
	worker_set_signals(&w, sg);
	jb_init(&jb);
	ready = 1;
}

static uint32_t
be(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* An answer taken is the layout, exactly. */
static void
check_layout(const uint8_t *d, size_t size, uint32_t seq,
    const struct probe_result *r, const char *reason)
{
	size_t rl, off, i;

	if (size < 53 || seq != be(d, 4) || r->outcome >= PROBE_OUTCOME_MAX ||
	    (r->family != 0 && r->family != 4 && r->family != 6) ||
	    r->nchain > LIM_PROBE_CERTS || (r->truncated & ~1) != 0)
		__builtin_trap();
	rl = d[50];
	if (53 + rl > size || memcmp(reason, d + 51, rl) != 0 ||
	    reason[rl] != '\0' || r->reason != reason ||
	    r->truncated != (d[51 + rl] != 0) || r->nchain != d[52 + rl])
		__builtin_trap();
	off = 53 + rl;
	for (i = 0; i < r->nchain; i++) {
		if (off + 3 > size || r->chain[i].der != d + off + 3 ||
		    r->chain[i].len != be(d + off, 3) || r->chain[i].len == 0 ||
		    r->chain[i].len > size - off - 3)
			__builtin_trap();
		off += 3 + r->chain[i].len;
	}
	if (off != size)
		__builtin_trap();
}

/* probe_judge's gate: what this input's seq lets through. */
static uint32_t
fuzz_gate(void *arg, const struct probe_result *r, uint32_t kinds)
{
	if (arg != r)
		__builtin_trap();
	return kinds & gate_mask;
}

/* rootwatch.probe: one object, every control byte escaped. */
static void
check_json(const struct jbuf *j)
{
	size_t i;

	if (j->oom)
		return;
	if (j->len < 2 || j->buf[0] != '{' || j->buf[j->len - 1] != '}')
		__builtin_trap();
	for (i = 0; i < j->len; i++)
		if ((unsigned char)j->buf[i] < 0x20)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_result r;
	struct probe_judge pj;
	char reason[256];
	uint32_t seq;
	size_t ni;

	if (!ready)
		setup();
	memset(&r, 0, sizeof(r));
	if (probe_parse_answer(data, size, &seq, &r, reason) == -1)
		return 0;
	check_layout(data, size, seq, &r, reason);

	/* What the main process knows of the request, from seq. */
	ni = seq % (sizeof(names) / sizeof(names[0]));
	r.name = names[ni];
	r.is_control = ni == 0;
	r.round = 1 + (seq >> 2 & 7);
	r.attempt = seq & 32 ? 0x0303 : 0x0304;
	r.control = names[0];
	r.control_done = (seq & 64) != 0;
	r.control_valid = r.control_done && (seq & 128) != 0;
	r.control_outcome = (enum probe_outcome)(seq >> 8 & 3);
	gate_mask = seq >> 10 & 0x3ff;
	/* probe_answer judges connections made only */
	if (r.local_port == 0)
		return 0;

	if ((seq >> 24 & 15) == 15)
		xalloc_fail_after((long)(seq >> 16 & 63));
	jb_reset(&jb);
	probe_render_result(&jb, &r);
	check_json(&jb);
	memset(&pj, 0, sizeof(pj));
	pj.pr = &r;
	pj.json = jb.oom ? NULL : jb.buf;
	pj.json_len = jb.len;
	pj.ts_us = 1767225600ull * 1000000;	/* 2026-01-01: certificates'
						   validity stays put */
	pj.gate = fuzz_gate;
	pj.gate_arg = &r;
	worker_probe(&w, &pj, pj.ts_us);
	xalloc_fail_after(-1);
	output_flush(&out);
	return 0;
}
