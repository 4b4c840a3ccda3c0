/*
 * rootwatch - passive TLS certificate chain sensor.  See rootwatch(8).
 */
#include "rwconfig.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "capture.h"
#include "config.h"
#include "input.h"
#include "log.h"
#include "output.h"
#include "progress.h"
#include "summary.h"
#include "xmalloc.h"
#include "../rules/rules.h"

#define RW_MAX_FILES	4096
#define RW_DEFAULT_RULES "state-interception.yaml"

/* Exit codes, rootwatch(8) EXIT STATUS. */
#define EXIT_OK		0
#define EXIT_INPUT	1	/* unreadable capture, bad config or rules */
#define EXIT_USAGE	2	/* usage, start-up failure */

static volatile sig_atomic_t got_stop, got_hup, got_usr1;

struct opts {
	const char	*files[RW_MAX_FILES];
	size_t		 nfiles;
	const char	*cli_rules[CONFIG_MAX_RULES];
	size_t		 ncli_rules;
	const char	*config;
	const char	*output;
	const char	*interface;
	char		*bpf;
	int		 test_only;
	int		 verbose;
	int		 pem, cert_dedup, privacy, no_rules;
	int		 quiet, summary;
	unsigned	 stats_interval;
};

struct runtime {
	struct config	 cfg;
	struct opts	*o;
	struct worker	 w;
	struct output	 out;
	struct capture	*live;
	struct input	*in;		/* replay */
	struct summary	*sum;		/* replay */
	struct progress	 pg;
	const char	*rule_paths[CONFIG_MAX_RULES];
	size_t		 nrule_paths;
	time_t		 last_stats;
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
	    "                 [-R rules] [-r file ...] [-s seconds] [--pem]\n"
	    "                 [--cert-dedup] [--privacy] [--no-rules] "
	    "[--summary]\n"
	    "                 [expression]\n"
	    "  -r PATH        read captures: a file, a directory (recursively),\n"
	    "                 a glob or '-' (stdin); pcap or pcapng, plain or\n"
	    "                 gzip/xz/zstd; merged in packet time order; "
	    "repeatable\n"
	    "  -i IFACE       capture live on IFACE\n"
	    "  -c FILE        YAML configuration\n"
	    "  -R FILE        YAML rules; repeatable (default: %s)\n"
	    "  -o FILE        write JSON events to FILE (default: stdout)\n"
	    "  -s SECONDS     stats event interval in live capture\n"
	    "  -T             check configuration and rules, then exit\n"
	    "  -v             more verbose (with -T: print the loaded rules)\n"
	    "  -q, --quiet    replay: no progress line, no summary on stderr\n"
	    "  --summary      replay: also write a summary event\n"
	    "  -V             print the version and exit\n"
	    "  --pem          add each certificate's PEM\n"
	    "  --cert-dedup   write each certificate in full once, then by "
	    "sha256\n"
	    "  --privacy      never write client addresses\n"
	    "  --no-rules     do not load any rules\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:hi:o:qr:R:s:TvV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'i': o->interface = optarg; break;
		case 'o': o->output = optarg; break;
		case 'T': o->test_only = 1; break;
		case 'v': o->verbose++; break;
		case 'P': o->pem = 1; break;
		case 'D': o->cert_dedup = 1; break;
		case 'p': o->privacy = 1; break;
		case 'N': o->no_rules = 1; break;
		case 'q': o->quiet = 1; break;
		case 'S': o->summary = 1; break;
		case 's': o->stats_interval = (unsigned)strtoul(optarg, NULL, 10);
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
			printf("rootwatch %s\n", PACKAGE_VERSION);
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

static void
reload_rules(struct runtime *rt)
{
	struct ruleset *rs;
	int failed;

	rs = load_rules(rt, &failed);
	/* Between packets: the worker's state is rebound to the new set
	 * (counts carried by rule id) and the old set is freed with its
	 * last reference. */
	if (failed || worker_set_rules(&rt->w, rs) == -1) {
		log_warnx("rules not reloaded: keeping the %zu loaded rules",
		    rt->w.rules != NULL ? rules_count(rt->w.rules) : 0);
		rules_unref(rs);
		return;
	}
	log_info("rules reloaded: %zu rules", rs != NULL ? rules_count(rs) : 0);
	rules_unref(rs);	/* the worker holds its own reference */
}

static void
live_tick(void *arg)
{
	struct runtime *rt = arg;
	time_t now = time(NULL);
	struct pcap_stat ps;

	if (got_hup) {
		got_hup = 0;
		reload_rules(rt);
		output_reopen(&rt->out);
	}
	if (got_usr1 || (rt->cfg.stats_interval > 0 &&
	    now - rt->last_stats >= (time_t)rt->cfg.stats_interval)) {
		got_usr1 = 0;
		rt->last_stats = now;
		if (rt->live != NULL && pcap_stats(rt->live->p, &ps) == 0)
			log_info("%s: %u received, %u dropped by kernel, %u by "
			    "interface", rt->live->name, ps.ps_recv, ps.ps_drop,
			    ps.ps_ifdrop);
		worker_stats(&rt->w, (uint64_t)now * 1000000);
		output_flush(&rt->out);
	}
}

static void
setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
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
replay_tick(void *arg)
{
	struct runtime *rt = arg;

	output_flush(&rt->out);
	if (got_hup) {
		got_hup = 0;
		progress_clear(&rt->pg);
		reload_rules(rt);
	}
	if (rt->pg.fp != NULL)
		progress_update(&rt->pg, input_stats(rt->in), rt->w.st.alerts);
}

static void
replay_log_hook(void *arg)
{
	progress_clear(arg);
}

/* Replay: 1 when some input was bad, -1 on a usage error. */
static int
run_files(struct runtime *rt)
{
	size_t i, bad;

	if ((rt->in = input_new(rt->cfg.bpf)) == NULL ||
	    (rt->sum = summary_new()) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	for (i = 0; i < rt->o->nfiles; i++)
		if (input_add(rt->in, rt->o->files[i]) == -1)
			return -1;
	progress_init(&rt->pg, stderr, rt->o->quiet);
	input_set_log_hook(rt->in, replay_log_hook, &rt->pg);
	rt->out.observe = summary_observe;
	rt->out.observe_arg = rt->sum;
	input_scan(rt->in);
	bad = input_run(rt->in, replay_frame, rt, &got_stop, replay_tick, rt);
	progress_clear(&rt->pg);
	output_flush(&rt->out);
	return bad > 0;
}

/* After the last events: the table on stderr, the summary event. */
static void
replay_summary(struct runtime *rt)
{
	const struct input_stats *is = input_stats(rt->in);

	if (rt->cfg.summary)
		summary_event(rt->sum, &rt->w, is, &rt->out);
	if (!rt->o->quiet)
		summary_print(rt->sum, &rt->w, is, stderr);
}

static int
run_live(struct runtime *rt)
{
	struct capture c;
	struct capture_live_opts lo;
	int rc;

	lo.snaplen = rt->cfg.snaplen;
	lo.buffer_size = rt->cfg.buffer_size;
	lo.promisc = rt->cfg.promisc;
	if (capture_open_live(&c, rt->cfg.interface, &lo, rt->cfg.bpf) == -1)
		return -1;
	rt->live = &c;
	rt->last_stats = time(NULL);
	log_info("capturing on %s", c.name);
	rc = capture_run(&c, &rt->w, &got_stop, live_tick, rt);
	rt->live = NULL;
	capture_close(&c);
	return rc == -1 ? 1 : 0;
}

/* Command line over config file. */
static int
merge_options(struct runtime *rt)
{
	struct opts *o = rt->o;
	char err[1024];

	if (o->config != NULL &&
	    config_load(&rt->cfg, o->config, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	if (o->output != NULL) {
		xfree(rt->cfg.output);
		rt->cfg.output = strcmp(o->output, "-") == 0 ? NULL :
		    xstrdup(o->output);
	}
	if (o->interface != NULL)
		rt->cfg.interface = xstrdup(o->interface);
	if (o->bpf != NULL)
		rt->cfg.bpf = o->bpf;
	if (o->pem)
		rt->cfg.pem = 1;
	if (o->cert_dedup)
		rt->cfg.cert_dedup = 1;
	if (o->privacy)
		rt->cfg.privacy = 1;
	if (o->stats_interval)
		rt->cfg.stats_interval = o->stats_interval;
	if (o->summary)
		rt->cfg.summary = 1;
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
	int failed;

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
		file->format = OUTPUT_EVE;
		file->path = rt->cfg.output;	/* borrowed: not freed here */
	}
	return output_open_sinks(&rt->out, all, n, oo);
}

int
main(int argc, char **argv)
{
	static struct opts o;
	static struct runtime rt;
	struct output_opts oo;
	struct ruleset *rs;
	int failed, rc;

	log_init("rootwatch", 0, 0);
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
	if (o.test_only)
		return check_only(&rt);
	if (o.nfiles == 0 && rt.cfg.interface == NULL) {
		log_warnx("nothing to read: give -r FILE or -i INTERFACE");
		usage(stderr);
		return EXIT_USAGE;
	}
	rs = load_rules(&rt, &failed);
	if (failed)
		return EXIT_INPUT;
	memset(&oo, 0, sizeof(oo));
	oo.pem = rt.cfg.pem;
	oo.cert_dedup = rt.cfg.cert_dedup;
	oo.privacy = rt.cfg.privacy;
	if (open_outputs(&rt, &oo) == -1)
		return EXIT_USAGE;
	if (worker_init(&rt.w, &rt.cfg.lim, &rt.out, rs) == -1) {
		log_warnx("cannot allocate the flow table (flow.max %u)",
		    rt.cfg.lim.flow_max);
		rules_unref(rs);
		return EXIT_USAGE;
	}
	rules_unref(rs);	/* the worker holds its own reference */
	setup_signals();
	if (o.nfiles > 0)
		rc = run_files(&rt);
	else
		rc = run_live(&rt) == -1 ? -1 : 0;
	worker_flush_flows(&rt.w);
	worker_stats(&rt.w, rt.w.st.last_ts_us);
	if (rt.in != NULL && rc != -1)
		replay_summary(&rt);
	worker_report_caps(&rt.w);
	output_flush(&rt.out);
	worker_free(&rt.w);
	output_close(&rt.out);
	input_free(rt.in);
	summary_free(rt.sum);
	config_free(&rt.cfg);
	if (rc == -1)
		return EXIT_USAGE;
	return rc ? EXIT_INPUT : EXIT_OK;
}
