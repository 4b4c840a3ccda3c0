/*
 * rootwatch - passive TLS certificate chain sensor.  See rootwatch(8).
 */
#include "rwconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include <ndpi/ndpi_main.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "aggregate.h"
#include "app.h"
#include "evidence.h"
#include "capture.h"
#include "classify.h"
#include "config.h"
#include "input.h"
#include "live.h"
#include "log.h"
#include "output.h"
#include "privacy.h"
#include "privsep.h"
#include "progress.h"
#include "summary.h"
#include "workers.h"
#include "sandbox.h"
#include "sink.h"
#include "signals.h"
#include "probe.h"
#include "xmalloc.h"
#include "../rules/rules.h"

#define RW_MAX_FILES	4096
#define RW_DEFAULT_RULES "state-interception.yaml"
/* Debian's publicsuffix package (rootwatch(8) SIGNALS) */
#define RW_PSL_DEFAULT	"/usr/share/publicsuffix/public_suffix_list.dat"

/* Exit codes, rootwatch(8) EXIT STATUS. */
#define EXIT_OK		0
#define EXIT_INPUT	1	/* bad capture; with -T bad config or rules */
#define EXIT_USAGE	2	/* usage, start-up failure */

/* Largest -s: a day, as output.stats-interval. */
#define RW_STATS_MAX	86400

static volatile sig_atomic_t got_stop, got_hup, got_usr1;

struct opts {
	const char	*files[RW_MAX_FILES];
	size_t		 nfiles;
	const char	*cli_rules[CONFIG_MAX_RULES];
	size_t		 ncli_rules;
	const char	*config;
	const char	*output;
	const char	*ifaces[LIM_INTERFACES];	/* -i, repeatable */
	size_t		 nifaces;
	const char	*user;
	const char	*workers;	/* --workers */
	const char	*evidence;
	char		*bpf;
	int		 test_only;
	int		 verbose;
	int		 pem, cert_dedup, privacy, no_rules, sandbox_log;
	int		 no_signals;	/* --no-signals */
	int		 quiet, summary, stats_set;
	int		 format;	/* enum output_format; -1: config's */
	unsigned	 stats_interval;
};

struct runtime {
	struct config	 cfg;
	struct opts	*o;
	struct worker	 w;		/* one worker: this thread's */
	struct pool	*pool;		/* several workers (workers.h) */
	size_t		 nworkers;
	struct output	 out;
	struct live	*live;		/* live capture (live.h) */
	struct priv	 ps;		/* its capture helper (privsep.h) */
	struct capture_counters cap;	/* live: summed at the last stats */
	struct input	*in;		/* replay */
	struct summary	*sum;		/* replay */
	struct progress	 pg;
	struct sandbox	 sb;
	char		*globdirs[SANDBOX_MAX_PATHS];	/* Landlock paths made */
	size_t		 nglobdirs;
	const char	*rule_paths[CONFIG_MAX_RULES];
	size_t		 nrule_paths;
	time_t		 last_stats;
	struct signals	*sig;		/* rootwatch(8) SIGNALS; NULL: off */
	time_t		 last_save;	/* the signals' state file */
	int		 running;	/* pool threads run: write through them */
	int		 started;	/* a capture was opened: stats at exit */
	struct privacy	 priv;		/* privacy mode's key */
	int		 priv_set;
	struct evidence	*ev;		/* evidence: { dir } */
	struct aggregate *agg;		/* privacy: tls_aggregate counts */
	struct probe	*probe;		/* rootwatch(8) PROBE; NULL: off */
};

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		got_stop = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGUSR1:
		got_usr1 = 1;
		break;
	}
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: rootwatch [-qThVv] [-c config] [-i interface] [-o output]\n"
	    "                 [-R rules] [-r path ...] [-s seconds] [-u user]\n"
	    "                 [--pem] [--cert-dedup] [--privacy] [--no-rules]\n"
	    "                 [--summary] [--sandbox-log] [--format eve|ecs]\n"
	    "                 [--workers N|auto] [--evidence dir] [--no-signals]\n"
	    "                 [expression]\n"
	    "  -r PATH        read captures: a file, a directory (recursively),\n"
	    "                 a glob or '-' (stdin); pcap or pcapng, plain or\n"
	    "                 gzip/xz/zstd; merged in packet time order; "
	    "repeatable\n"
	    "  -i IFACE       capture live on IFACE; repeatable\n"
	    "  -c FILE        YAML configuration\n"
	    "  -R FILE        YAML rules; repeatable (default: %s)\n"
	    "  -o FILE        write JSON events to FILE (default: stdout)\n"
	    "  -s SECONDS     stats event interval in live capture (0-86400)\n"
	    "  -u USER        run as USER once capture and output are open\n"
	    "                 (as root, default: rootwatch if it exists)\n"
	    "  -T             check configuration and rules, then exit\n"
	    "  -v             more verbose (with -T: print the loaded rules)\n"
	    "  -q, --quiet    replay: no progress line, no summary on stderr\n"
	    "  --summary      replay: also write a summary event\n"
	    "  -V             print the version and exit\n"
	    "  --pem          add each certificate's PEM\n"
	    "  --cert-dedup   write each certificate in full once, then by "
	    "sha256\n"
	    "  --privacy      no client address, client certificate or\n"
	    "                 per-session record of a session that does not\n"
	    "                 alert (rootwatch(8) PRIVACY)\n"
	    "  --evidence DIR write an evidence bundle per alert beneath DIR\n"
	    "  --format FMT   event format: eve (default) or ecs\n"
	    "  --workers N    worker threads, or auto (one per core); "
	    "default:\n"
	    "                 1 for -r, auto live\n"
	    "  --no-rules     do not load any rules\n"
	    "  --no-signals   no signals (rules only; rootwatch(8) SIGNALS)\n"
	    "  --sandbox-log  let the kernel log system calls off the seccomp\n"
	    "                 list instead of killing the process\n"
	    "  expression     BPF filter, as in tcpdump\n",
	    RW_DEFAULT_RULES);
}

static char *
join_args(int argc, char **argv)
{
	size_t len = 0;
	int i;
	char *s;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len == 0 || (s = xmalloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * A whole decimal number in [0, max]: no sign, no blank, no suffix, no
 * overflow (strtoul takes "-5" and wraps it, "abc" as 0).
 */
static int
parse_uint(const char *opt, const char *s, unsigned long max, unsigned *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (ULONG_MAX - 9) / 10)
			break;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || v > max) {
		log_warnx("%s %s: want a whole number from 0 to %lu", opt, s,
		    max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static void
print_versions(void)
{
	const char *pcap = pcap_lib_version();

	printf("rootwatch %s\n", PACKAGE_VERSION);
	/* "libpcap version 1.10.3 (with TPACKET_V3)" */
	if (strncmp(pcap, "libpcap version ", 16) == 0)
		printf("libpcap %s\n", pcap + 16);
	else
		printf("%s\n", pcap);
	printf("nDPI %s\n", ndpi_revision());
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("libyaml %s\n", yaml_get_version_string());
	printf("libseccomp %s\n", sandbox_seccomp_version());
}

/* --format eve|ecs */
static int
format_arg(const char *s)
{
	if (strcmp(s, "eve") == 0)
		return OUTPUT_EVE;
	if (strcmp(s, "ecs") == 0)
		return OUTPUT_ECS;
	log_warnx("unknown format \"%s\" (eve or ecs)", s);
	return -1;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "pem", no_argument, NULL, 'P' },
		{ "cert-dedup", no_argument, NULL, 'D' },
		{ "privacy", no_argument, NULL, 'p' },
		{ "no-rules", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "summary", no_argument, NULL, 'S' },
		{ "sandbox-log", no_argument, NULL, 'L' },
		{ "no-signals", no_argument, NULL, 'G' },
		{ "format", required_argument, NULL, 'F' },
		{ "workers", required_argument, NULL, 'W' },
		{ "evidence", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:hi:o:qr:R:s:Tu:vV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'i':
			if (o->nifaces == LIM_INTERFACES) {
				log_warnx("too many -i interfaces (max %d)",
				    LIM_INTERFACES);
				return -1;
			}
			o->ifaces[o->nifaces++] = optarg;
			break;
		case 'o': o->output = optarg; break;
		case 'T': o->test_only = 1; break;
		case 'v': o->verbose++; break;
		case 'P': o->pem = 1; break;
		case 'D': o->cert_dedup = 1; break;
		case 'p': o->privacy = 1; break;
		case 'N': o->no_rules = 1; break;
		case 'q': o->quiet = 1; break;
		case 'S': o->summary = 1; break;
		case 'F':
			if ((o->format = format_arg(optarg)) == -1)
				return -1;
			break;
		case 'L': o->sandbox_log = 1; break;
		case 'G': o->no_signals = 1; break;
		case 'W': o->workers = optarg; break;
		case 'E': o->evidence = optarg; break;
		case 'u': o->user = optarg; break;
		case 's':
			if (parse_uint("-s", optarg, RW_STATS_MAX,
			    &o->stats_interval) == -1)
				return -1;
			o->stats_set = 1;
			break;
		case 'r':
			if (o->nfiles == RW_MAX_FILES) {
				log_warnx("too many -r files (max %d)",
				    RW_MAX_FILES);
				return -1;
			}
			o->files[o->nfiles++] = optarg;
			break;
		case 'R':
			if (o->ncli_rules == CONFIG_MAX_RULES) {
				log_warnx("too many -R files (max %d)",
				    CONFIG_MAX_RULES);
				return -1;
			}
			o->cli_rules[o->ncli_rules++] = optarg;
			break;
		case 'V':
			print_versions();
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	o->bpf = join_args(argc - optind, argv + optind);
	return 0;
}

static int
file_exists(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Which rule files to load: -R, else the config's, else the default. */
static void
pick_rules(struct runtime *rt)
{
	static char def[4096];
	struct opts *o = rt->o;
	size_t i;

	rt->nrule_paths = 0;
	if (o->no_rules)
		return;
	for (i = 0; i < o->ncli_rules; i++)
		rt->rule_paths[rt->nrule_paths++] = o->cli_rules[i];
	if (rt->nrule_paths > 0)
		return;
	for (i = 0; i < rt->cfg.nrules; i++)
		rt->rule_paths[rt->nrule_paths++] = rt->cfg.rules[i];
	if (rt->nrule_paths > 0)
		return;
	snprintf(def, sizeof(def), "%s/rules/%s", RW_DATADIR, RW_DEFAULT_RULES);
	if (!file_exists(def))
		snprintf(def, sizeof(def), "%s/rules/%s", RW_SRCDIR,
		    RW_DEFAULT_RULES);
	if (file_exists(def))
		rt->rule_paths[rt->nrule_paths++] = def;
	else
		log_warnx("default rules %s not found: running without rules",
		    RW_DEFAULT_RULES);
}

static struct ruleset *
load_rules(struct runtime *rt, int *failed)
{
	struct rules_error err;
	struct ruleset *rs;

	*failed = 0;
	if (rt->nrule_paths == 0)
		return NULL;
	memset(&err, 0, sizeof(err));
	rs = rules_load(rt->rule_paths, rt->nrule_paths, &err);
	if (rs == NULL) {
		log_warnx("%s", err.msg);
		*failed = 1;
	}
	return rs;
}

/* The workers: the pool's, or the one of this thread. */
static struct worker *const *
rt_workers(struct runtime *rt, size_t *n)
{
	static struct worker *one[1];

	if (rt->pool != NULL)
		return pool_workers(rt->pool, n);
	one[0] = &rt->w;
	*n = 1;
	return one;
}

static size_t
rules_loaded(struct runtime *rt)
{
	struct worker *const *ws;
	size_t n;

	ws = rt_workers(rt, &n);
	return ws[0]->rules != NULL ? rules_count(ws[0]->rules) : 0;
}

static void
reload_rules(struct runtime *rt)
{
	struct ruleset *rs;
	int failed;

	rs = load_rules(rt, &failed);
	/* Between packets: the worker's state is rebound to the new set
	 * (counts carried by rule id) and the old set is freed with its
	 * last reference. */
	if (failed || (rt->pool != NULL ? pool_set_rules(rt->pool, rs) :
	    worker_set_rules(&rt->w, rs)) == -1) {
		log_warnx("rules not reloaded: keeping the %zu loaded rules",
		    rules_loaded(rt));
		rules_unref(rs);
		return;
	}
	log_info("rules reloaded: %zu rules", rs != NULL ? rules_count(rs) : 0);
	if (rt->ev != NULL)
		evidence_set_rules(rt->ev, rt->rule_paths, rt->nrule_paths);
	rules_unref(rs);	/* the worker holds its own reference */
}

/*
 * rootwatch.capture.interfaces: what the kernel saw and dropped on each
 * interface, and the dropped fraction, so that a blind sensor says so in
 * every stats event (not only on stderr).
 */
static void
render_interfaces(struct jbuf *j, void *arg)
{
	struct runtime *rt = arg;

	if (rt->live != NULL)
		live_render(rt->live, j);
	probe_render(rt->probe, j);
}

/* A stats event: packet time from files, wall-clock time live (and
 * for a capture that had no packet, never 1970). */
static void
write_stats(struct runtime *rt, time_t now)
{
	struct stats_extra ex = { &rt->cap, render_interfaces, rt };
	struct worker_counts sum;
	struct worker *const *ws;
	uint64_t ts;
	size_t n;

	if (rt->pool != NULL && rt->running)	/* the reader's packet time */
		ts = rt->in != NULL ? input_stats(rt->in)->last_ts_us : 0;
	else {
		ws = rt_workers(rt, &n);
		worker_counts_sum(ws, n, &sum);
		ts = sum.st.last_ts_us;
	}

	if (rt->live != NULL || ts == 0)
		ts = (uint64_t)now * 1000000;
	if (rt->live != NULL) {
		live_counters(rt->live, &rt->cap);
		log_info("capture: %llu received, %llu dropped by kernel, %llu "
		    "by interface", (unsigned long long)rt->cap.kernel_packets,
		    (unsigned long long)rt->cap.kernel_drops,
		    (unsigned long long)rt->cap.kernel_ifdrops);
	}
	if (rt->pool != NULL && rt->running)
		pool_stats(rt->pool, ts, &ex);
	else {
		ws = rt_workers(rt, &n);
		worker_stats_event(&rt->out, ws, n, ts, &ex);
		output_flush(&rt->out);
	}
}

/*
 * Signals, periodic stats and the replay progress line, between packets
 * (the tick of capture_run and input_run), and while a pipe is idle.
 */
static void
tick(void *arg)
{
	struct runtime *rt = arg;
	time_t now = time(NULL);

	if (got_hup) {
		got_hup = 0;
		progress_clear(&rt->pg);
		reload_rules(rt);
		if (rt->pool != NULL && rt->running)
			pool_reopen(rt->pool);
		else
			output_reopen(&rt->out);
	}
	if (got_usr1 || (rt->live != NULL && rt->cfg.stats_interval > 0 &&
	    now - rt->last_stats >= (time_t)rt->cfg.stats_interval)) {
		got_usr1 = 0;
		rt->last_stats = now;
		progress_clear(&rt->pg);
		write_stats(rt, now);
	}
	if (rt->sig != NULL && signals_save_interval(rt->sig) > 0 &&
	    now - rt->last_save >= (time_t)signals_save_interval(rt->sig)) {
		rt->last_save = now;
		signals_save(rt->sig);
	}
	probe_tick(rt->probe, (uint64_t)now);
	if (rt->in != NULL && rt->pg.fp != NULL)
		progress_update(&rt->pg, input_stats(rt->in),
		    rt->pool != NULL ? pool_alerts(rt->pool) : rt->w.st.alerts);
}

/* A pipe or FIFO that has nothing to read: 1 to stop reading it. */
static int
replay_wait(void *arg)
{
	tick(arg);
	return got_stop != 0;
}

static void
setup_signals(void)
{
	struct sigaction sa;

	/* SA_RESTART: a write to a slow pipe resumes after a signal instead
	 * of failing with EINTR; poll(2), where we wait for input, is never
	 * restarted, so every signal is still seen at once. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The reader's consumer: one worker, in this thread. */
static void
replay_frame(void *arg, const struct input_frame *f)
{
	struct runtime *rt = arg;

	worker_frame(&rt->w, f->dlt, f->data, f->caplen, f->len, f->ts_us);
}

static void
replay_log_hook(void *arg)
{
	progress_clear(arg);
}

/*
 * The files to replay, before the sandbox: directories and globs are
 * expanded with the rights we start with.  -1 on a usage error.
 */
static int
prepare_files(struct runtime *rt)
{
	size_t i;

	if ((rt->in = input_new(rt->cfg.bpf)) == NULL ||
	    (rt->sum = summary_new()) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	for (i = 0; i < rt->o->nfiles; i++)
		if (input_add(rt->in, rt->o->files[i]) == -1)
			return -1;
	input_set_wait(rt->in, replay_wait, rt);
	return 0;
}

/* Replay: 1 when some input was bad. */
static int
run_files(struct runtime *rt)
{
	size_t bad;

	progress_init(&rt->pg, stderr, rt->o->quiet);
	input_set_log_hook(rt->in, replay_log_hook, &rt->pg);
	rt->out.observe = summary_observe;
	rt->out.observe_arg = rt->sum;
	input_scan(rt->in);
	if (rt->pool != NULL) {
		if (pool_start_replay(rt->pool) == -1)
			return -1;
		rt->running = 1;
		bad = input_run(rt->in, pool_frame, rt->pool, &got_stop, tick,
		    rt);
		pool_finish(rt->pool);
		rt->running = 0;
	} else
		bad = input_run(rt->in, replay_frame, rt, &got_stop, tick, rt);
	rt->started = input_stats(rt->in)->files > input_stats(rt->in)->files_bad
	    || input_stats(rt->in)->frames > 0;
	progress_clear(&rt->pg);
	output_flush(&rt->out);
	return bad > 0;
}

/* After the last events: the table on stderr, the summary event. */
static void
replay_summary(struct runtime *rt)
{
	const struct input_stats *is = input_stats(rt->in);
	struct worker *const *ws;
	size_t n;

	ws = rt_workers(rt, &n);
	if (rt->cfg.summary)
		summary_event(rt->sum, ws, n, is, &rt->out);
	if (!rt->o->quiet)
		summary_print(rt->sum, ws, n, is, stderr);
}

/*
 * The interfaces: each -i, else capture.interfaces (each entry's own
 * filter, snap length, ring, promiscuity over the capture's), else
 * capture.interface.  The filter on the command line wins over all.
 */
static size_t
live_opts(struct runtime *rt, struct live_iface_opts *lo)
{
	const struct config_iface *ci;
	struct opts *o = rt->o;
	size_t i, n;

	n = o->nifaces > 0 ? o->nifaces : rt->cfg.nifaces > 0 ?
	    rt->cfg.nifaces : 1;
	for (i = 0; i < n; i++) {
		memset(&lo[i], 0, sizeof(lo[i]));
		lo[i].name = o->nifaces > 0 ? o->ifaces[i] : rt->cfg.interface;
		lo[i].bpf = rt->cfg.bpf;
		lo[i].snaplen = rt->cfg.snaplen ? rt->cfg.snaplen : 65535;
		lo[i].ring_bytes = rt->cfg.buffer_size;
		lo[i].promisc = rt->cfg.promisc;
		if (o->nifaces > 0 || rt->cfg.nifaces == 0)
			continue;
		ci = &rt->cfg.ifaces[i];
		lo[i].name = ci->name;
		if (ci->bpf != NULL && o->bpf == NULL)
			lo[i].bpf = ci->bpf;
		if (ci->snaplen)
			lo[i].snaplen = ci->snaplen;
		if (ci->buffer_size)
			lo[i].ring_bytes = ci->buffer_size;
		if (ci->promisc != -1)
			lo[i].promisc = ci->promisc;
	}
	return n;
}

/* The capture helper keeps CAP_NET_RAW; the sockets come from it. */
static int
open_live(struct runtime *rt)
{
	struct live_iface_opts lo[LIM_INTERFACES];
	size_t n = live_opts(rt, lo);

	if ((rt->live = live_new(&rt->ps, rt->pool, lo, n)) == NULL)
		return -1;
	rt->started = 1;
	return 0;
}

/* Until SIGTERM; 1 when the capture failed for good. */
static int
run_live(struct runtime *rt)
{
	size_t i;
	int rc = 0;

	rt->last_stats = time(NULL);
	if (live_start(rt->live) == -1) {
		live_stop(rt->live);
		pool_finish(rt->pool);
		return 1;
	}
	rt->running = 1;
	for (i = 0; i < live_nifaces(rt->live); i++)
		log_info("capturing on %s, %zu workers", live_name(rt->live, i),
		    rt->nworkers);
	while (!got_stop) {
		tick(rt);
		if (live_tick(rt->live, time(NULL)) == -1) {
			log_warnx("live capture cannot go on: stopping");
			rc = 1;
			break;
		}
		(void)poll(NULL, 0, 200);	/* a signal ends it at once */
	}
	live_stop(rt->live);
	pool_finish(rt->pool);
	rt->running = 0;
	return rc;
}

/* Command line over config file. */
static int
merge_options(struct runtime *rt)
{
	struct opts *o = rt->o;
	char err[4096], *line, *save;

	if (o->config != NULL &&
	    config_load(&rt->cfg, o->config, err, sizeof(err)) == -1) {
		for (line = strtok_r(err, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_warnx("%s", line);	/* every problem, one a line */
		return -1;
	}
	if (o->output != NULL) {
		xfree(rt->cfg.output);
		rt->cfg.output = strcmp(o->output, "-") == 0 ? NULL :
		    xstrdup(o->output);
	}
	if (o->bpf != NULL)
		rt->cfg.bpf = o->bpf;
	if (o->pem)
		rt->cfg.pem = 1;
	if (o->cert_dedup)
		rt->cfg.cert_dedup = 1;
	if (o->privacy)
		rt->cfg.privacy = 1;
	if (o->stats_set)
		rt->cfg.stats_interval = o->stats_interval;
	if (o->summary)
		rt->cfg.summary = 1;
	if (o->no_signals)
		rt->cfg.sig.enabled = 0;
	if (o->user != NULL)
		rt->cfg.user = xstrdup(o->user);
	if (o->evidence != NULL) {
		xfree(rt->cfg.evidence_dir);
		rt->cfg.evidence_dir = xstrdup(o->evidence);
	}
	return 0;
}

/* A filter that does not compile is a usage error: say so before reading. */
static int
check_bpf(const char *bpf)
{
	struct bpf_program prog;
	pcap_t *p;
	int rc = 0;

	if (bpf == NULL || bpf[0] == '\0')
		return 0;
	if ((p = pcap_open_dead(DLT_EN10MB, 65535)) == NULL)
		return 0;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		log_warnx("bad filter \"%s\": %s", bpf, pcap_geterr(p));
		rc = -1;
	} else
		pcap_freecode(&prog);
	pcap_close(p);
	return rc;
}

static int
check_only(struct runtime *rt)
{
	struct ruleset *rs;
	const char *why;
	int failed;

	if (probe_wanted(&rt->cfg.probe, &why) &&
	    probe_check(&rt->cfg.probe) == -1)
		return EXIT_INPUT;
	if (why != NULL)
		log_warnx("%s", why);
	rs = load_rules(rt, &failed);
	if (failed)
		return EXIT_INPUT;
	if (rt->o->verbose && rs != NULL)
		rules_dump(rs, stdout);
	fprintf(stderr, "rootwatch: configuration OK, %zu rules loaded\n",
	    rs != NULL ? rules_count(rs) : 0);
	rules_unref(rs);
	return EXIT_OK;
}

/*
 * A -r argument under Landlock: a file is opened now (one only root may
 * read is still replayed) and allowed by name, a directory is allowed
 * whole, a glob through the directory its pattern starts in.
 */
static void
allow_input(struct runtime *rt, const char *arg)
{
	struct stat st;
	const char *meta;
	char *dir;
	size_t n;

	if (strcmp(arg, "-") == 0)
		return;
	if (stat(arg, &st) == 0 || (meta = strpbrk(arg, "*?[")) == NULL) {
		sandbox_allow_read(&rt->sb, arg, 0);
		sandbox_preopen(arg);
		return;
	}
	for (n = (size_t)(meta - arg); n > 0 && arg[n - 1] != '/'; n--)
		;
	if (rt->nglobdirs == SANDBOX_MAX_PATHS ||
	    (dir = xstrdup(n > 0 ? arg : ".")) == NULL)
		return;
	rt->globdirs[rt->nglobdirs++] = dir;
	if (n > 1)
		dir[n - 1] = '\0';
	else if (n == 1)
		dir[1] = '\0';
	sandbox_allow_read(&rt->sb, dir, 0);
}

/*
 * What the sandboxed process may still touch: the rules files and the
 * PEMs beside them (SIGHUP reload), the configuration, the capture files,
 * and the output's directory (reopen after rotation).
 */
static void
sandbox_paths(struct runtime *rt)
{
	enum sink_type type;
	const char *path;
	size_t i;

	for (i = 0; i < rt->nrule_paths; i++)
		sandbox_allow_read(&rt->sb, rt->rule_paths[i], 1);
	sandbox_allow_read(&rt->sb, rt->o->config, 0);
	for (i = 0; i < rt->o->nfiles; i++)
		allow_input(rt, rt->o->files[i]);
	/* file outputs: their directory (reopen after rotation); a unix
	 * socket's connect(2) is not a file access Landlock rules */
	for (i = 0; i < sinks_count(rt->out.sinks); i++) {
		path = sinks_path(rt->out.sinks, i, &type);
		if (path != NULL && type == SINK_FILE)
			sandbox_allow_write(&rt->sb, path);
	}
	/* sockets (unix, syslog, redis) reconnect after a failure */
	if (sinks_network(rt->out.sinks))
		sandbox_allow_network(&rt->sb);
	if (rt->sig != NULL)
		sandbox_allow_replace(&rt->sb, rt->cfg.sig.state_file);
}

/* Input from a pipe or FIFO: write each event at once, even to a file. */
static int
input_is_stream(const struct opts *o)
{
	struct stat sb;
	size_t i;

	for (i = 0; i < o->nfiles; i++)
		if (strcmp(o->files[i], "-") == 0 ? fstat(0, &sb) == 0 &&
		    !S_ISREG(sb.st_mode) : stat(o->files[i], &sb) == 0 &&
		    !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
			return 1;
	return 0;
}

#ifdef RW_TEST_HOOKS
/* Test builds only (tests/rootwatch-test): a system call off the
 * seccomp list, once the sandbox is in place. */
static void
test_hook(void)
{
	int fd;

	if (getenv("ROOTWATCH_TEST_FORBIDDEN_SYSCALL") == NULL)
		return;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	log_warnx("test hook: socket(2) after the sandbox returned %d", fd);
	if (fd != -1)
		close(fd);
}
#endif

/* Online cores, for workers: auto. */
static size_t
online_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > LIM_WORKERS_MAX ? LIM_WORKERS_MAX : (size_t)n;
}

/*
 * --workers over workers:, "auto" = online cores.  Default: one for
 * replay (the single-thread path, the same speed as before), auto live.
 */
static int
pick_workers(struct runtime *rt)
{
	unsigned v = rt->cfg.workers;

	if (rt->o->workers != NULL) {
		if (strcmp(rt->o->workers, "auto") == 0)
			v = CONFIG_WORKERS_AUTO;
		else if (parse_uint("--workers", rt->o->workers,
		    LIM_WORKERS_MAX, &v) == -1 || v == 0) {
			if (v == 0)
				log_warnx("--workers 0: want 1 to %d or auto",
				    LIM_WORKERS_MAX);
			return -1;
		}
	}
	if (v == 0 && rt->o->nfiles == 0)
		v = CONFIG_WORKERS_AUTO;	/* live: one per core */
	if (v == 0)
		v = 1;
	rt->nworkers = v == CONFIG_WORKERS_AUTO ? online_cores() : v;
	/* The evidence writer and the privacy aggregates are the process's,
	 * not yet per worker: they run on one. */
	if (rt->nworkers > 1 && (rt->cfg.privacy ||
	    rt->cfg.evidence_dir != NULL)) {
		log_warnx("privacy and evidence run one worker in this build: "
		    "--workers %zu not applied", rt->nworkers);
		rt->nworkers = 1;
	}
	return 0;
}

/* Several workers: their threads start with the replay or capture. */
static int
start_pool(struct runtime *rt, const struct output_opts *oo,
    struct ruleset *rs)
{
	struct pool_opts po;

	memset(&po, 0, sizeof(po));
	po.n = rt->nworkers;
	po.lim = &rt->cfg.lim;
	po.oo = oo;
	po.dst = &rt->out;
	po.rules = rs;
	po.live = rt->o->nfiles == 0;
	if (rt->sum != NULL) {
		po.observe = summary_observe;
		po.observe_arg = rt->sum;
	}
	if ((rt->pool = pool_new(&po)) == NULL)
		return -1;
	log_info("%zu workers", rt->nworkers);
	return 0;
}

/* The state directory (privacy.key, signals.state).  The test binary
 * may be pointed elsewhere, so live tests leave the system's alone. */
static const char *
state_dir(void)
{
#ifdef RW_TEST_HOOKS
	const char *d = getenv("ROOTWATCH_TEST_STATEDIR");

	if (d != NULL && *d != '\0')
		return d;
#endif
	return RW_STATEDIR;
}

/*
 * Privacy mode's key, before the sandbox (privacy.h).  Live capture keeps
 * one per installation (privacy.key, default in the state directory);
 * a replay without privacy.key gets a key of its own run, so its
 * pseudonyms and flow ids match nothing outside that run.
 */
static int
open_privacy(struct runtime *rt, struct output_opts *oo)
{
	uint8_t key[PRIVACY_KEY_LEN];
	const char *path = rt->cfg.privacy_key;
	char def[PATH_MAX];
	int rc;

	if (!rt->cfg.privacy)
		return 0;
	if (path == NULL && rt->o->nfiles == 0) {
		snprintf(def, sizeof(def), "%s/privacy.key", state_dir());
		path = def;
		if (mkdir(state_dir(), 0750) == -1 && errno != EEXIST)
			log_warn("%s", state_dir());
	}
	if (path != NULL)
		rc = privacy_key_load(path, key);
	else {
		log_info("privacy: no privacy.key: pseudonyms of this run only");
		rc = privacy_key_random(key);
	}
	if (rc == -1 || privacy_init(&rt->priv, key,
	    rt->cfg.privacy_clients) == -1) {
		OPENSSL_cleanse(key, sizeof(key));
		log_warnx("privacy mode needs its key: not started");
		return -1;
	}
	OPENSSL_cleanse(key, sizeof(key));
	rt->priv_set = 1;
	/* flow_id hashes the client address: keyed with the installation's
	 * key, it cannot be recomputed from a guessed address */
	oo->flow_id_key = privacy_derive64(&rt->priv, "rootwatch flow_id");
	return 0;
}

/* Where the frame being processed comes from, for a bundle's manifest. */
static void
evidence_source(void *arg, char *buf, size_t len)
{
	struct runtime *rt = arg;
	const char *name;
	uint64_t n;

	if (rt->live != NULL)
		snprintf(buf, len, "interface %s", live_name(rt->live, 0));
	else if (rt->in != NULL && input_current(rt->in, &name, &n) == 0)
		snprintf(buf, len, "file %s packet %llu", name,
		    (unsigned long long)n);
	else
		snprintf(buf, len, "replay, reported at the end of the capture");
}

/* The evidence directory: made, scanned and given to the user we switch
 * to before the sandbox, which then allows work beneath it. */
static int
open_evidence(struct runtime *rt)
{
	struct evidence_opts eo;

	if (rt->cfg.evidence_dir == NULL)
		return 0;
	memset(&eo, 0, sizeof(eo));
	eo.dir = rt->cfg.evidence_dir;
	eo.window_us = rt->cfg.evidence_window_us;
	eo.max_bytes = rt->cfg.evidence_max_bytes;
	eo.pv = rt->priv_set ? &rt->priv : NULL;
	eo.drop_clients = rt->cfg.privacy_clients == PRIVACY_CLIENTS_DROP;
	eo.clock = rt->o->nfiles > 0 ? "packet timestamps recorded in the "
	    "capture file" : "packet timestamps from the kernel (libpcap), "
	    "host real-time clock";
	if ((rt->ev = evidence_open(&eo)) == NULL)
		return -1;
	evidence_set_rules(rt->ev, rt->rule_paths, rt->nrule_paths);
	evidence_set_source(rt->ev, evidence_source, rt);
	sandbox_adopt_dir(&rt->sb, evidence_dirfd(rt->ev));
	sandbox_allow_tree(&rt->sb, rt->cfg.evidence_dir);
	return 0;
}

/*
 * -o is the one output (a file, or '-' for stdout); otherwise the
 * configuration's outputs: list, plus output.file; neither is stdout.
 */
static int
open_outputs(struct runtime *rt, const struct output_opts *oo)
{
	struct sink_conf all[CONFIG_MAX_OUTPUTS + 1], *file;
	size_t n = 0;

	if (rt->o->output == NULL) {
		memcpy(all, rt->cfg.outputs, rt->cfg.noutputs * sizeof(all[0]));
		n = rt->cfg.noutputs;
	}
	if (rt->o->output != NULL || rt->cfg.output != NULL || n == 0) {
		file = &all[n++];
		sink_conf_default(file, SINK_FILE);
		file->format = (int)oo->format;
		file->path = rt->cfg.output;	/* borrowed: not freed here */
	}
	return output_open_sinks(&rt->out, all, n, oo);
}

/* The file outputs created at start belong to the user we switch to:
 * log rotation can then reopen them. */
static void
adopt_outputs(struct runtime *rt)
{
	int fds[CONFIG_MAX_OUTPUTS + 1];
	size_t i, n;

	n = sinks_file_fds(rt->out.sinks, fds, sizeof(fds) / sizeof(fds[0]));
	for (i = 0; i < n; i++)
		sandbox_adopt(&rt->sb, fds[i]);
}

/* The shipped file: installed, else the source tree's (make check). */
static const char *
signals_data_path(void)
{
	static char def[4096];

	snprintf(def, sizeof(def), "%s/rules/interception-data.txt",
	    RW_DATADIR);
	if (!file_exists(def))
		snprintf(def, sizeof(def), "%s/rules/interception-data.txt",
		    RW_SRCDIR);
	return def;
}

/*
 * Live capture keeps the signals' profiles across restarts without being
 * told: state_dir()/signals.state, the directory made now (as root) and
 * given to the user we switch to, who replaces the file.  A replay keeps
 * them only in a configured state-file: replaying old or foreign
 * captures must not teach the daemon's profiles.  -1: out of memory.
 */
static int
default_state_file(struct runtime *rt)
{
	char path[PATH_MAX];
	int fd;

	if (rt->cfg.sig.state_file != NULL || rt->o->nfiles > 0)
		return 0;
	if ((mkdir(state_dir(), 0750) == -1 && errno != EEXIST) ||
	    (fd = open(state_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		log_warn("signals: %s: profiles not kept across restarts",
		    state_dir());
		return 0;
	}
	sandbox_adopt_dir(&rt->sb, fd);
	close(fd);
	snprintf(path, sizeof(path), "%s/signals.state", state_dir());
	/* the configuration owns it: in the sandbox's paths and freed */
	return (rt->cfg.sig.state_file = xstrdup(path)) == NULL ? -1 : 0;
}

/* Signals (rootwatch(8) SIGNALS): data, trust stores and the profiles'
 * state file are read here, before the sandbox; every worker shares it. */
static int
start_signals(struct runtime *rt)
{
	struct signals_conf c;
	struct worker *const *ws;
	char err[1024];
	size_t i, n;

	if (!rt->cfg.sig.enabled)
		return 0;
	if (default_state_file(rt) == -1)
		return -1;
	c = rt->cfg.sig;
	if (c.data == NULL)
		c.data = (char *)(uintptr_t)signals_data_path();
	if (c.psl == NULL)
		c.psl = (char *)(uintptr_t)RW_PSL_DEFAULT;
	if ((rt->sig = signals_new(&c, err, sizeof(err))) == NULL) {
		log_warnx("signals: %s", err);
		return -1;
	}
	ws = rt_workers(rt, &n);
	for (i = 0; i < n; i++)
		worker_set_signals(ws[i], rt->sig);
	rt->last_save = time(NULL);
	return 0;
}

/* What the workers share: evidence and aggregates run on one worker
 * (pick_workers): the pool's in live capture, this thread's in replay;
 * the probe's from-wire queue, each with its own sampling. */
static void
attach_workers(struct runtime *rt)
{
	struct worker *const *ws;
	size_t i, nw;

	ws = rt_workers(rt, &nw);
	for (i = 0; i < nw; i++) {
		ws[i]->ev = rt->ev;
		ws[i]->agg = rt->agg;
		ws[i]->wire = probe_wire(rt->probe);
		if (getrandom(&ws[i]->wire_rng, sizeof(ws[i]->wire_rng),
		    GRND_NONBLOCK) != sizeof(ws[i]->wire_rng))
			ws[i]->wire_rng = (uint64_t)time(NULL) + i;
	}
}

/* A probe's chain, judged by the first worker as its own sessions are
 * (between its packet batches). */
static void
judge_probe(void *arg, const struct probe_judge *pj)
{
	struct runtime *rt = arg;
	struct worker *const *ws;
	size_t n;

	if (rt->pool == NULL)
		return;
	ws = pool_workers(rt->pool, &n);
	pool_batch_begin(rt->pool, 0);
	worker_probe(ws[0], pj, pj->ts_us);
	pool_batch_end(rt->pool, 0);
}

/*
 * The active probe (rootwatch(8) PROBE): only live, only with both
 * opt-in keys; its process is forked now, while we are small and have
 * no thread.
 */
static int
start_probe(struct runtime *rt)
{
	const char *why;

	if (!probe_wanted(&rt->cfg.probe, &why)) {
		if (why != NULL)
			log_warnx("%s", why);
		return 0;
	}
	if (rt->o->nfiles > 0) {
		log_info("probe: not run when reading capture files");
		return 0;
	}
	if ((rt->probe = probe_start(&rt->cfg.probe,
	    rt->o->sandbox_log)) == NULL) {
		log_warnx("probe: cannot start");
		return -1;
	}
	probe_set_judge(rt->probe, judge_probe, rt);
	return 0;
}

/* Open everything, then confine.  An exit code, or -1 to go on. */
static int
start(struct runtime *rt)
{
	struct output_opts oo;
	struct ruleset *rs;
	int failed;

	if (sandbox_init(&rt->sb, rt->cfg.user, rt->o->sandbox_log) == -1)
		return EXIT_USAGE;
	/* first, while the process is small: the helper is a fork */
	if (rt->o->nfiles == 0 && priv_start(&rt->ps, rt->sb.switch_user,
	    rt->sb.uid, rt->sb.gid, rt->o->sandbox_log) == -1)
		return EXIT_USAGE;
	if (start_probe(rt) == -1)
		return EXIT_USAGE;
	/* after the forks: nDPI's modules are built in a thread while the
	 * rules, trust stores and outputs load (see classify.h) */
	(void)classify_prepare(rt->nworkers > 1 || rt->o->nfiles == 0 ?
	    rt->nworkers : 1);
	rs = load_rules(rt, &failed);
	if (failed)
		return EXIT_USAGE;
	if (rt->o->nfiles > 0 && prepare_files(rt) == -1) {
		rules_unref(rs);
		return EXIT_USAGE;
	}
	memset(&oo, 0, sizeof(oo));
	oo.pem = rt->cfg.pem;
	oo.cert_dedup = rt->cfg.cert_dedup;
	oo.privacy = rt->cfg.privacy;
	oo.immediate = input_is_stream(rt->o);
	oo.format = rt->o->format >= 0 ? (enum output_format)rt->o->format :
	    OUTPUT_EVE;
	/* live: ids not guessable from outside; replay: the fixed key, so
	 * runs over the same capture give the same ids */
	if (rt->o->nfiles == 0 && getrandom(&oo.flow_id_key,
	    sizeof(oo.flow_id_key), GRND_NONBLOCK) != sizeof(oo.flow_id_key))
		oo.flow_id_key = 0;
	if (open_privacy(rt, &oo) == -1 || open_outputs(rt, &oo) == -1 ||
	    open_evidence(rt) == -1) {
		rules_unref(rs);
		return EXIT_USAGE;
	}
	if (rt->priv_set && rt->cfg.privacy_clients == PRIVACY_CLIENTS_PSEUDONYM)
		rt->out.priv = &rt->priv;
	adopt_outputs(rt);
	/* live: always the pool, whose threads read the fanout members */
	if ((rt->nworkers > 1 || rt->o->nfiles == 0) &&
	    start_pool(rt, &oo, rs) == -1) {
		rules_unref(rs);
		return EXIT_USAGE;
	}
	if (rt->o->nfiles == 0 && open_live(rt) == -1) {
		rules_unref(rs);
		return EXIT_USAGE;
	}
	if (rt->pool == NULL &&
	    worker_init(&rt->w, &rt->cfg.lim, &rt->out, rs) == -1) {
		log_warnx("cannot allocate the flow table (flow.max %u)",
		    rt->cfg.lim.flow_max);
		rules_unref(rs);
		return EXIT_USAGE;
	}
	rules_unref(rs);	/* the worker holds its own reference */
	if (rt->cfg.privacy && (rt->agg = aggregate_new(rt->cfg.aggregate_us,
	    rt->cfg.aggregate_sni)) == NULL)
		return EXIT_USAGE;
	attach_workers(rt);
	if (start_signals(rt) == -1)
		return EXIT_USAGE;
	setup_signals();
	classify_prepare_end();		/* no thread of it under the sandbox */
	sandbox_paths(rt);
	if (sandbox_enter(&rt->sb) == -1)
		return EXIT_USAGE;
	rt->out.sandbox = sandbox_json(&rt->sb);
	if (rt->pool != NULL)
		pool_set_sandbox(rt->pool, rt->out.sandbox);
#ifdef RW_TEST_HOOKS
	test_hook();
#endif
	return -1;
}

static void
report_caps(struct runtime *rt)
{
	struct worker *const *ws;
	size_t i, n;

	ws = rt_workers(rt, &n);
	for (i = 0; i < n; i++)
		worker_report_caps(ws[i]);
}

/* Free everything at exit: sanitizer builds, or RW_FREE_AT_EXIT=1. */
static int
free_at_exit(void)
{
#ifdef DEBUG_VALIDATION
	return 1;
#else
	const char *e = getenv("RW_FREE_AT_EXIT");

	return e != NULL && strcmp(e, "1") == 0;
#endif
}

int
main(int argc, char **argv)
{
	static struct opts o;
	static struct runtime rt;
	int rc;

	log_init("rootwatch", 0, 0);
	o.format = -1;
	if (parse_args(argc, argv, &o) == -1)
		return EXIT_USAGE;
	log_init("rootwatch", o.verbose, 0);
	rt.o = &o;
	config_default(&rt.cfg);
	if (merge_options(&rt) == -1)
		return o.test_only ? EXIT_INPUT : EXIT_USAGE;
	pick_rules(&rt);
	if (check_bpf(rt.cfg.bpf) == -1)
		return o.test_only ? EXIT_INPUT : EXIT_USAGE;
	if (pick_workers(&rt) == -1)
		return o.test_only ? EXIT_INPUT : EXIT_USAGE;
	if (o.test_only)
		return check_only(&rt);
	if (o.nfiles > 0 && o.nifaces > 0) {
		log_warnx("-r and -i together: give one (replay or live)");
		return EXIT_USAGE;
	}
	if (o.nfiles == 0 && o.nifaces == 0 && rt.cfg.nifaces > 0 &&
	    rt.cfg.interface != NULL)
		log_warnx("capture.interface %s not used: capture.interfaces "
		    "lists the interfaces", rt.cfg.interface);
	if (o.nfiles == 0 && o.nifaces == 0 && rt.cfg.interface == NULL &&
	    rt.cfg.nifaces == 0) {
		log_warnx("nothing to read: give -r FILE or -i INTERFACE");
		usage(stderr);
		return EXIT_USAGE;
	}
	rt.ps.fd = -1;
	if ((rc = start(&rt)) != -1) {
		classify_prepare_end();
		return rc;
	}
	if (o.nfiles > 0)
		rc = run_files(&rt);
	else
		rc = run_live(&rt);
	if (rt.pool == NULL)
		worker_flush_flows(&rt.w);
	/* a SIGHUP that came while the last flows were written is still
	 * taken (reload, reopen) before the final stats */
	if (rt.started && got_hup)
		tick(&rt);
	if (rt.started)		/* a start that failed writes no event */
		write_stats(&rt, time(NULL));
	if (rt.in != NULL && rc != -1)
		replay_summary(&rt);
	live_free(rt.live);
	rt.live = NULL;
	signals_save(rt.sig);
	priv_stop(&rt.ps);
	probe_stop(rt.probe);
	report_caps(&rt);
	output_flush(&rt.out);
	/*
	 * A replay's workers have written everything: freeing their
	 * caches, flow tables and nDPI modules one by one is a few ms per
	 * worker of exit time that the kernel does at once.  They stay
	 * reachable from rt (no leak report); sanitizer builds free them,
	 * so that the teardown stays checked.
	 */
	if (rt.in == NULL || free_at_exit()) {
		if (rt.pool != NULL)
			pool_free(rt.pool);
		else
			worker_free(&rt.w);
	}
	aggregate_free(rt.agg);
	evidence_close(rt.ev);
	if (rt.priv_set)
		privacy_free(&rt.priv);
	signals_free(rt.sig);
	output_close(&rt.out);
	input_free(rt.in);
	summary_free(rt.sum);
	while (rt.nglobdirs > 0)
		xfree(rt.globdirs[--rt.nglobdirs]);
	config_free(&rt.cfg);
	return rc ? EXIT_INPUT : EXIT_OK;
}
