/*
 * config_test.c - sensor/config.c: every key, every error with its exact
 * file:line:column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sensor/config.h"
#include "sensor/xmalloc.h"

static char tmpdir[] = "/tmp/config_test.XXXXXX";
static char path[256];
static char err[512];

/* Write text to a fresh file and return its path. */
static const char *
yfile(const char *text)
{
	static int	n;
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/c%d.yaml", tmpdir, n++);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static int
load(struct config *cf, const char *text)
{
	config_default(cf);
	err[0] = '\0';
	return config_load(cf, yfile(text), err, sizeof(err));
}

/* Expect failure with "PATH:<where>: <msg>". */
static void
expect_err(const char *text, const char *where)
{
	struct config	cf;
	char		want[512];

	assert_int_equal(load(&cf, text), -1);
	snprintf(want, sizeof(want), "%s:%s", path, where);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want prefix \"%s\"", err, want);
	config_free(&cf);
}

static void
test_defaults(void **state)
{
	struct config	cf;

	config_default(&cf);
	assert_int_equal(cf.lim.flow_max, LIM_FLOW_MAX);
	assert_int_equal(cf.lim.reasm_depth, LIM_REASM_DEPTH);
	assert_int_equal(cf.lim.tls_hs_max, LIM_TLS_HS_MAX);
	assert_null(cf.output);
	assert_int_equal(cf.nrules, 0);
	assert_int_equal(cf.privacy, 0);
	assert_int_equal(cf.promisc, 1);
	assert_int_equal(cf.snaplen, 65535);
	config_free(&cf);
}

static const char full[] =
	"# every key\n"
	"flow:\n"
	"  max: 1000\n"
	"  timeout: 30\n"
	"  established-timeout: 300\n"
	"  closed-timeout: 5\n"
	"reassembly: { depth: 128k, memcap: 64M, ooo-bytes: 1M,"
	" ooo-segments: 32 }\n"
	"defrag: { trains: 100, memcap: 2M, timeout: 10 }\n"
	"tls: { max-handshake: 2M }\n"
	"x509: { cache: 500 }\n"
	"ndpi: { packets: 8 }\n"
	"output:\n"
	"  file: /var/log/rootwatch/eve.json\n"
	"  pem: true\n"
	"  cert-dedup: yes\n"
	"  stats-interval: 60\n"
	"rules:\n"
	"  - /a.yaml\n"
	"  - /b.yaml\n"
	"capture: { interface: br0, bpf: \"tcp port 443\", snaplen: 9000,"
	" buffer-size: 1G, promisc: off }\n"
	"privacy: true\n";

static void
test_full(void **state)
{
	struct config	cf;

	if (load(&cf, full) != 0)
		fail_msg("%s", err);
	assert_int_equal(cf.lim.flow_max, 1000);
	assert_true(cf.lim.flow_timeout_us == 30000000ull);
	assert_true(cf.lim.flow_est_timeout_us == 300000000ull);
	assert_true(cf.lim.flow_closed_timeout_us == 5000000ull);
	assert_int_equal(cf.lim.reasm_depth, 128 * 1024);
	assert_true(cf.lim.reasm_memcap == 64ull << 20);
	assert_int_equal(cf.lim.reasm_ooo_bytes, 1 << 20);
	assert_int_equal(cf.lim.reasm_ooo_segs, 32);
	assert_int_equal(cf.lim.frag_trains, 100);
	assert_true(cf.lim.frag_memcap == 2ull << 20);
	assert_true(cf.lim.frag_timeout_us == 10000000ull);
	assert_int_equal(cf.lim.tls_hs_max, 2 << 20);
	assert_int_equal(cf.lim.x509_cache, 500);
	assert_int_equal(cf.lim.ndpi_packets, 8);
	assert_string_equal(cf.output, "/var/log/rootwatch/eve.json");
	assert_int_equal(cf.pem, 1);
	assert_int_equal(cf.cert_dedup, 1);
	assert_int_equal(cf.stats_interval, 60);
	assert_int_equal(cf.nrules, 2);
	assert_string_equal(cf.rules[0], "/a.yaml");
	assert_string_equal(cf.rules[1], "/b.yaml");
	assert_string_equal(cf.interface, "br0");
	assert_string_equal(cf.bpf, "tcp port 443");
	assert_int_equal(cf.snaplen, 9000);
	assert_true(cf.buffer_size == 1u << 30);
	assert_int_equal(cf.promisc, 0);
	assert_int_equal(cf.privacy, 1);
	config_free(&cf);
}

/* Each key alone changes exactly its field. */
static void
test_each_key(void **state)
{
	struct config	cf, def;

	config_default(&def);
	assert_int_equal(load(&cf, "flow: { max: 7 }\n"), 0);
	assert_int_equal(cf.lim.flow_max, 7);
	assert_true(cf.lim.flow_timeout_us == def.lim.flow_timeout_us);
	config_free(&cf);

	assert_int_equal(load(&cf, "reassembly: { depth: 4096 }\n"), 0);
	assert_int_equal(cf.lim.reasm_depth, 4096);
	assert_true(cf.lim.reasm_memcap == def.lim.reasm_memcap);
	config_free(&cf);

	assert_int_equal(load(&cf, "tls: { max-handshake: 64k }\n"), 0);
	assert_int_equal(cf.lim.tls_hs_max, 65536);
	config_free(&cf);

	assert_int_equal(load(&cf, "x509: { cache: 0 }\n"), 0);
	assert_int_equal(cf.lim.x509_cache, 0);
	config_free(&cf);

	assert_int_equal(load(&cf, "output: { file: \"-\" }\n"), 0);
	assert_string_equal(cf.output, "-");
	assert_int_equal(cf.pem, 0);
	config_free(&cf);

	assert_int_equal(load(&cf, "privacy: no\n"), 0);
	assert_int_equal(cf.privacy, 0);
	config_free(&cf);

	assert_int_equal(load(&cf, "privacy: on\n"), 0);
	assert_int_equal(cf.privacy, 1);
	assert_int_equal(cf.privacy_clients, 0);
	config_free(&cf);

	assert_int_equal(load(&cf, "privacy: { enabled: yes, clients: "
	    "pseudonym, key: /k, aggregate-interval: 600, aggregate-sni: "
	    "true }\n"), 0);
	assert_int_equal(cf.privacy, 1);
	assert_int_equal(cf.privacy_clients, 1);
	assert_string_equal(cf.privacy_key, "/k");
	assert_int_equal(cf.aggregate_us, 600ull * 1000000);
	assert_int_equal(cf.aggregate_sni, 1);
	config_free(&cf);

	assert_int_equal(load(&cf, "privacy: { clients: everyone }\n"), -1);
	assert_non_null(strstr(err, ":1:21: clients: expected drop or "
	    "pseudonym"));
	config_free(&cf);

	assert_int_equal(load(&cf, "evidence: { dir: /e, window: 60, "
	    "max-bytes: 1G, flow-bytes: 64k, memcap: 2M }\n"), 0);
	assert_string_equal(cf.evidence_dir, "/e");
	assert_int_equal(cf.evidence_window_us, 60ull * 1000000);
	assert_int_equal(cf.evidence_max_bytes, 1ull << 30);
	assert_int_equal(cf.lim.pktbuf_flow, 64u << 10);
	assert_int_equal(cf.lim.pktbuf_memcap, 2u << 20);
	config_free(&cf);

	assert_int_equal(load(&cf, "capture: { snaplen: 1500 }\n"), 0);
	assert_int_equal(cf.snaplen, 1500);
	assert_null(cf.interface);
	config_free(&cf);

	assert_int_equal(load(&cf, "flow: { timeout: 1 }\n"), 0);
	assert_true(cf.lim.flow_timeout_us == 1000000ull);
	config_free(&cf);

	/* Suffixes: k, M, G in either case. */
	assert_int_equal(load(&cf, "reassembly: { memcap: 1g }\n"), 0);
	assert_true(cf.lim.reasm_memcap == 1ull << 30);
	config_free(&cf);
}

static void
test_empty_file(void **state)
{
	struct config	cf;

	assert_int_equal(load(&cf, ""), 0);
	assert_int_equal(cf.lim.flow_max, LIM_FLOW_MAX);
	config_free(&cf);
	assert_int_equal(load(&cf, "# only a comment\n"), 0);
	config_free(&cf);
}

/* A second load adds on top of the first; rules are replaced. */
static void
test_layering(void **state)
{
	struct config	cf;

	assert_int_equal(load(&cf, "flow: { max: 9 }\nrules: [ /x ]\n"), 0);
	assert_int_equal(config_load(&cf, yfile("rules: [ /y, /z ]\n"), err,
	    sizeof(err)), 0);
	assert_int_equal(cf.lim.flow_max, 9);
	assert_int_equal(cf.nrules, 2);
	assert_string_equal(cf.rules[0], "/y");
	config_free(&cf);
}

/* A failed load leaves the previous configuration untouched. */
static void
test_error_keeps_old(void **state)
{
	struct config	cf;

	assert_int_equal(load(&cf, "flow: { max: 9 }\noutput: {file: a}\n"),
	    0);
	assert_int_equal(config_load(&cf,
	    yfile("flow: { max: 10 }\noutput: { file: b, pem: maybe }\n"),
	    err, sizeof(err)), -1);
	assert_int_equal(cf.lim.flow_max, 9);
	assert_non_null(strstr(cf.output, "/a"));	/* beside the file */
	config_free(&cf);
}

static void
test_unknown_key(void **state)
{
	expect_err("flow:\n  max: 5\n  maxx: 6\n", "3:3: unknown key flow.maxx");
	expect_err("flow: {}\nbogus: 1\n", "2:1: unknown key bogus");
}

static void
test_bad_number(void **state)
{
	expect_err("flow:\n  max: lots\n", "2:8: max: not a number");
	expect_err("flow: { timeout: -5 }\n", "1:18: timeout: not a number");
	expect_err("flow: { max: 99999999999999999999999 }\n",
	    "1:14: max: 99999999999999999999999 out of range");
	expect_err("flow: { max: 0 }\n", "1:14: max: 0 out of range");
}

static void
test_bad_suffix(void **state)
{
	expect_err("reassembly:\n    depth: 64q\n",
	    "2:12: depth: bad suffix in \"64q\"");
	expect_err("reassembly: { depth: 64kb }\n",
	    "1:22: depth: bad suffix");
	/* Times and counts take no suffix. */
	expect_err("flow: { timeout: 2m }\n", "1:18: timeout: bad suffix");
}

static void
test_wrong_type(void **state)
{
	expect_err("flow: 5\n", "1:7: flow: expected a mapping");
	expect_err("flow: { max: [1, 2] }\n", "1:14: max: expected a number");
	expect_err("output: { pem: maybe }\n",
	    "1:16: pem: expected true or false");
	expect_err("output: { pem: [] }\n", "1:16: pem: expected a boolean");
	expect_err("rules: /one.yaml\n", "1:8: rules: expected a list");
	expect_err("rules:\n  - { a: b }\n", "2:5: rules: expected a file name");
	expect_err("- a\n- b\n", "1:1: expected a mapping of sections");
	expect_err("capture: { bpf: { x: 1 } }\n",
	    "1:17: bpf: expected a string");
}

static void
test_broken_yaml(void **state)
{
	/* Unclosed flow mapping: the error is at the end of input. */
	expect_err("flow: { max: 5\n", "2:1: ");
	/* A tab where indentation is expected. */
	expect_err("flow:\n\tmax: 5\n", "2:1: ");
	/* Bad indentation of a mapping value. */
	expect_err("flow:\n  max: 5\n bad: 1\n", "3:2: ");
}

/* Every problem in one run, one line each, in file order (-T). */
static void
test_all_errors(void **state)
{
	struct config	cf;
	char		want[2048];

	assert_int_equal(load(&cf, "flow:\n  max: x\n  timeout: y\n"
	    "bogus: 1\nrules:\n  - { a: b }\n  - /ok.yaml\n"
	    "output: { pem: maybe }\n"), -1);
	snprintf(want, sizeof(want),
	    "%s:2:8: max: not a number: \"x\"\n"
	    "%s:3:12: timeout: not a number: \"y\"\n"
	    "%s:4:1: unknown key bogus\n"
	    "%s:6:5: rules: expected a file name\n"
	    "%s:8:16: pem: expected true or false, not \"maybe\"",
	    path, path, path, path, path);
	assert_string_equal(err, want);
	config_free(&cf);
	/* A tiny buffer: cut, still terminated, still an error. */
	config_default(&cf);
	assert_int_equal(config_load(&cf, yfile("flow: { max: x, timeout: y }"
	    "\n"), err, 8), -1);
	assert_true(strlen(err) < 8);
	config_free(&cf);
}

/* File names resolve against the config file's directory. */
static void
test_paths_relative(void **state)
{
	struct config	cf;
	char		want[300];

	assert_int_equal(load(&cf, "rules: [ a.yaml, /abs.yaml, sub/b.yaml ]\n"
	    "output: { file: eve.json }\n"), 0);
	snprintf(want, sizeof(want), "%s/a.yaml", tmpdir);
	assert_string_equal(cf.rules[0], want);
	assert_string_equal(cf.rules[1], "/abs.yaml");
	snprintf(want, sizeof(want), "%s/sub/b.yaml", tmpdir);
	assert_string_equal(cf.rules[2], want);
	snprintf(want, sizeof(want), "%s/eve.json", tmpdir);
	assert_string_equal(cf.output, want);
	config_free(&cf);
	assert_int_equal(load(&cf, "output: { file: \"-\" }\n"), 0);
	assert_string_equal(cf.output, "-");		/* stdout stays */
	config_free(&cf);
}

/* libyaml's words for the usual slips get a hint beside them. */
static void
test_yaml_hints(void **state)
{
	expect_err("flow:\n\tmax: 5\n", "2:1: ");
	assert_non_null(strstr(err, "hint: a tab in the indentation"));
	expect_err("capture:\n  bpf: - tcp\n", "2:8: ");
	assert_non_null(strstr(err, "hint: a value starting with '- '"));
	expect_err("flow: { max: 5\n", "2:1: ");
	assert_null(strstr(err, "hint"));
}

static void
test_missing_file(void **state)
{
	struct config	cf;
	char		p[128], want[256];

	config_default(&cf);
	snprintf(p, sizeof(p), "%s/nonexistent.yaml", tmpdir);
	assert_int_equal(config_load(&cf, p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", p);
	assert_string_equal(err, want);
	config_free(&cf);
}

static void
test_oom(void **state)
{
	struct config	cf;
	long		i;
	int		ok = 0;

	/* Every allocation failing in turn must fail cleanly (ASan). */
	for (i = 0; i < 20; i++) {
		config_default(&cf);
		xalloc_fail_after(i);
		if (config_load(&cf, yfile(full), err, sizeof(err)) == 0)
			ok++;
		xalloc_fail_after(-1);
		config_free(&cf);
	}
	assert_true(ok > 0);
}

/* The directory is the group's; everything a test reads is its own. */
static int
setup(void **state)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* A test that failed halfway (test_oom) must not leave its allocation
 * failures or its last error for the next one. */
static int
test_setup(void **state)
{
	(void)state;
	xalloc_fail_after(-1);
	path[0] = '\0';
	err[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_outputs(void **state)
{
	struct config cf;
	const struct sink_conf *o;

	assert_int_equal(load(&cf,
	    "outputs:\n"
	    "  - file: { path: /tmp/eve.json, format: ecs }\n"
	    "  - syslog: { server: 127.0.0.1:514, protocol: tcp,\n"
	    "              types: [alert, tls], facility: local3,\n"
	    "              rfc: 3164, spool-bytes: 1M }\n"
	    "  - redis: { server: '[::1]:6379', mode: stream, key: rw }\n"
	    "  - unix: { path: /run/x.sock, type: stream }\n"
	    "  - stdout:\n"), 0);
	assert_int_equal(cf.noutputs, 5);
	o = cf.outputs;
	assert_int_equal(o[0].type, SINK_FILE);
	assert_string_equal(o[0].path, "/tmp/eve.json");
	assert_int_equal(o[0].format, 1);
	assert_int_equal(o[1].type, SINK_SYSLOG);
	assert_string_equal(o[1].server, "127.0.0.1:514");
	assert_int_equal(o[1].stream, 1);
	assert_int_equal(o[1].types, (1u << SINK_EV_ALERT) |
	    (1u << SINK_EV_TLS));
	assert_int_equal(o[1].facility, 19);
	assert_int_equal(o[1].rfc3164, 1);
	assert_int_equal(o[1].spool_bytes, 1 << 20);
	assert_int_equal(o[2].redis_mode, REDIS_STREAM);
	assert_string_equal(o[2].key, "rw");
	assert_int_equal(o[3].stream, 1);
	assert_int_equal(o[4].type, SINK_FILE);
	assert_null(o[4].path);
	assert_int_equal(o[4].spool_bytes, LIM_SINK_SPOOL_BYTES);
	config_free(&cf);
}

static void
test_outputs_errors(void **state)
{
	expect_err("outputs:\n  - kafka: { path: x }\n",
	    "2:5: outputs: unknown value \"kafka\"");
	expect_err("outputs:\n  - file: { format: eve }\n",
	    "2:5: outputs: file: path is required");
	expect_err("outputs:\n  - file: { path: x, mode: list }\n",
	    "2:22: unknown key outputs.file.mode");
	expect_err("outputs:\n  - syslog: { server: collector }\n",
	    "2:23: server: expected host:port");
	expect_err("outputs:\n  - redis: { types: [alert, dns] }\n",
	    "2:29: types: unknown event type \"dns\"");
	expect_err("outputs:\n  - syslog: { protocol: tcp }\n",
	    "2:5: outputs: syslog: protocol needs server");
	expect_err("outputs:\n  - unix: { path: x, spool-bytes: 1k }\n",
	    "2:35: spool-bytes: 1k out of range");
	expect_err("outputs: { file: x }\n",
	    "1:10: outputs: expected a list");
}

/* capture.interfaces: names or mappings; unset fields left to inherit;
 * a later load replaces the list; errors name the line. */
static void
test_interfaces(void **state)
{
	struct config	cf;

	(void)state;
	assert_int_equal(load(&cf, "capture:\n  interfaces:\n    - eth1\n"
	    "    - { name: eth2, bpf: \"port 443\", snaplen: 2048,\n"
	    "        buffer-size: 64M, promisc: false }\n"), 0);
	assert_int_equal(cf.nifaces, 2);
	assert_string_equal(cf.ifaces[0].name, "eth1");
	assert_null(cf.ifaces[0].bpf);
	assert_int_equal(cf.ifaces[0].snaplen, 0);
	assert_int_equal(cf.ifaces[0].promisc, -1);
	assert_string_equal(cf.ifaces[1].name, "eth2");
	assert_string_equal(cf.ifaces[1].bpf, "port 443");
	assert_int_equal(cf.ifaces[1].snaplen, 2048);
	assert_int_equal(cf.ifaces[1].buffer_size, 64u << 20);
	assert_int_equal(cf.ifaces[1].promisc, 0);
	assert_int_equal(config_load(&cf, yfile("capture:\n  interfaces: "
	    "[ eth9 ]\n"), err, sizeof(err)), 0);
	assert_int_equal(cf.nifaces, 1);
	assert_string_equal(cf.ifaces[0].name, "eth9");
	config_free(&cf);
	expect_err("capture:\n  interfaces:\n    - { bpf: x }\n", "3:7: "
	    "capture.interfaces: an interface without a name");
	expect_err("capture:\n  interfaces: eth0\n", "2:15: "
	    "capture.interfaces: expected a list");
	expect_err("capture:\n  interfaces:\n    - { name: a, mtu: 1 }\n",
	    "3:18: unknown key capture.interfaces.mtu");
}

/* probe: off by default; both keys to run; durations; names checked. */
static void
test_probe(void **state)
{
	struct config cf;
	const char *why;

	(void)state;
	config_default(&cf);
	assert_false(probe_wanted(&cf.probe, &why));
	assert_null(why);
	assert_string_equal(cf.probe.control, "example.com");
	assert_int_equal(cf.probe.period, 6 * 3600);
	assert_int_equal(cf.probe.ntiers, 1);
	assert_int_equal(load(&cf, "probe:\n  enabled: true\n"
	    "  targets: [a.example, b.example]\n  tiers: []\n"
	    "  period: 90m\n  jitter: 30\n  control: c.example\n"
	    "  trust-store: ca.pem\n"), 0);
	assert_false(probe_wanted(&cf.probe, &why));
	assert_non_null(strstr(why, "i-understand-the-risks"));
	assert_int_equal(cf.probe.ntargets, 2);
	assert_string_equal(cf.probe.targets[1], "b.example");
	assert_int_equal(cf.probe.ntiers, 0);
	assert_int_equal(cf.probe.period, 5400);
	assert_int_equal(cf.probe.jitter, 30);
	assert_string_equal(cf.probe.control, "c.example");
	assert_non_null(strstr(cf.probe.trust_store, "/ca.pem"));
	config_free(&cf);
	assert_int_equal(load(&cf, "probe:\n  i-understand-the-risks: yes\n"
	    "  enabled: on\n"), 0);
	assert_true(probe_wanted(&cf.probe, &why));
	config_free(&cf);
	expect_err("probe:\n  targets: [\"a b\"]\n", "2:13: probe.targets: "
	    "not a name");
	expect_err("probe:\n  period: 6x\n", "2:11: period: bad suffix");
	expect_err("probe:\n  from-wire-max: 0\n", "2:18: from-wire-max: 0 "
	    "out of range");
	expect_err("probe:\n  frobnicate: 1\n", "2:3: unknown key "
	    "probe.frobnicate");
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, test_setup, test_setup)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_full),
		T(test_each_key),
		T(test_empty_file),
		T(test_layering),
		T(test_error_keeps_old),
		T(test_unknown_key),
		T(test_bad_number),
		T(test_bad_suffix),
		T(test_wrong_type),
		T(test_outputs),
		T(test_outputs_errors),
		T(test_broken_yaml),
		T(test_all_errors),
		T(test_paths_relative),
		T(test_yaml_hints),
		T(test_missing_file),
		T(test_oom),
		T(test_interfaces),
		T(test_probe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
