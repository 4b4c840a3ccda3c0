/*
 * threads.c - two workers in two threads of one process must write the
 * same events as each alone.
 *
 * app.h promises that everything a worker touches per packet is its own
 * and that the shared rule set is only read, so that live capture can run
 * one worker per core.  This test holds the code to that: it loads one rule
 * set, then two pthreads each build their own struct worker and struct
 * output (a temporary file each) and replay a different list of captures,
 * ROUNDS times, flushing the flows after each capture (as rootwatch -r does
 * at exit).  Then the same two replays run one after the other in the main
 * thread, and each thread's events must equal its single-threaded run byte
 * for byte.  No stats event is written: its per-rule alert totals come from
 * the shared rule set and so are expected to differ.
 *
 * A mismatch proves shared mutable state.  Under ThreadSanitizer
 * (configure --enable-tsan, TSAN_OPTIONS=halt_on_error=1) an unlocked
 * access from both threads fails the test even when the events agree.
 *
 * Usage: threads [ROUNDS]   (default 30: fewer rounds let the rule
 * cache races of the current code slip past TSan now and then).  Exit 0 same, 1 different or
 * error; captures are looked up under RW_SRCDIR or $top_srcdir.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/app.h"
#include "sensor/capture.h"
#include "sensor/log.h"
#include "sensor/output.h"
#include "rules/rules.h"

#define NCAPS	4

/*
 * Both lists alert (the kz-qaznet-2019 rule, so both threads count alerts
 * on the same rule and hit the same verdict cache) and both go on to the
 * busiest TLS captures of tests/corpus, different in each list.
 */
static const char *const caps[2][NCAPS] = {
	{ "tests/scenarios/kz-qaznet-root-sent.pcap",
	  "tests/corpus/pcaps/google-cert-repeat.pcap",
	  "tests/corpus/pcaps/ssl.v3.pcap",
	  "tests/variety/pcaps/bigchain-64k.pcap" },
	{ "tests/scenarios/kz-qaznet-vlan100.pcap",
	  "tests/corpus/pcaps/smtp.pcap",
	  "tests/corpus/pcaps/rdp-to-ssl.pcap",
	  "tests/scenarios/ru-sub-ca-signature.pcap" },
};

struct replay {
	const char *const	*caps;
	struct ruleset		*rules;
	const struct limits	*lim;
	unsigned		 rounds;
	char			 path[4096];	/* the events file */
	int			 rc;		/* 0 ok, -1 failed */
};

static const char *srcdir;

static int
replay_one(struct worker *w, const char *rel)
{
	volatile sig_atomic_t stop = 0;
	struct capture c;
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", srcdir, rel);
	if (capture_open_file(&c, path, NULL) == -1)
		return -1;
	rc = capture_run(&c, w, &stop, NULL, NULL);
	capture_close(&c);
	worker_flush_flows(w);
	return rc;
}

/* One worker, one output: every capture of the list, rounds times. */
static void *
replay_run(void *arg)
{
	struct replay *r = arg;
	struct output_opts oo = { .pem = 1 };	/* --pem: more to render */
	struct output out;
	struct worker w;
	unsigned i, k;

	r->rc = -1;
	if (output_open(&out, r->path, &oo) == -1)
		return NULL;
	if (worker_init(&w, r->lim, &out, r->rules) == -1) {
		output_close(&out);
		return NULL;
	}
	r->rc = 0;
	for (k = 0; k < r->rounds; k++)
		for (i = 0; i < NCAPS; i++)
			if (replay_one(&w, r->caps[i]) == -1)
				r->rc = -1;
	output_flush(&out);
	worker_free(&w);
	output_close(&out);
	return NULL;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, fp) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* Byte-for-byte, and not vacuous: tls and alert events were written. */
static int
same_events(const char *name, const char *threaded, const char *alone)
{
	size_t la = 0, lb = 0, i;
	char *a = slurp(threaded, &la), *b = slurp(alone, &lb);
	int ok = 0;

	if (a == NULL || b == NULL)
		printf("FAIL: %s: cannot read the events\n", name);
	else if (strstr(b, "\"event_type\":\"alert\"") == NULL ||
	    strstr(b, "\"event_type\":\"tls\"") == NULL)
		printf("FAIL: %s: no tls or alert event at all\n", name);
	else if (la != lb || memcmp(a, b, la) != 0) {
		for (i = 0; i < la && i < lb && a[i] == b[i]; i++)
			;
		printf("FAIL: %s: threaded events differ from the "
		    "single-threaded run at byte %zu (%zu vs %zu bytes)\n",
		    name, i, la, lb);
	} else {
		printf("ok: %s: %zu bytes of events identical\n", name, la);
		ok = 1;
	}
	free(a);
	free(b);
	return ok;
}

static int
tmpfile_path(char *buf, size_t len, const char *tag)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(buf, len, "%s/rw-threads-%s.XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp", tag);
	if ((fd = mkstemp(buf)) == -1) {
		perror(buf);
		return -1;
	}
	close(fd);
	return 0;
}

static struct ruleset *
load_rules(void)
{
	char path[4096];
	const char *paths[1] = { path };
	struct rules_error err;
	struct ruleset *rs;

	snprintf(path, sizeof(path), "%s/rules/state-interception.yaml",
	    srcdir);
	memset(&err, 0, sizeof(err));
	if ((rs = rules_load(paths, 1, &err)) == NULL)
		printf("FAIL: rules: %s\n", err.msg);
	return rs;
}

/* r[0..1] threaded, r[2..3] the same lists alone, one after the other. */
static int
run_all(struct replay r[4])
{
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, replay_run, &r[i]) != 0) {
			printf("FAIL: pthread_create\n");
			return -1;
		}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	replay_run(&r[2]);
	replay_run(&r[3]);
	for (i = 0; i < 4; i++)
		if (r[i].rc != 0) {
			printf("FAIL: replay %d could not run\n", i);
			return -1;
		}
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const tags[4] = { "a-mt", "b-mt", "a-st", "b-st" };
	struct replay r[4];
	struct limits lim;
	struct ruleset *rs;
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 30;
	int i, ok = 0;

	log_init("threads", 0, 0);
	srcdir = getenv("top_srcdir") != NULL ? getenv("top_srcdir") :
	    RW_SRCDIR;
	limits_default(&lim);
	if ((rs = load_rules()) == NULL)
		return 1;
	memset(r, 0, sizeof(r));
	for (i = 0; i < 4; i++) {
		r[i].caps = caps[i % 2];
		r[i].rules = rs;
		r[i].lim = &lim;
		r[i].rounds = rounds > 0 ? rounds : 1;
		if (tmpfile_path(r[i].path, sizeof(r[i].path), tags[i]) == -1)
			return 1;
	}
	if (run_all(r) == 0)
		ok = same_events("thread a", r[0].path, r[2].path) +
		    same_events("thread b", r[1].path, r[3].path);
	for (i = 0; i < 4; i++) {
		if (ok == 2)
			unlink(r[i].path);
		else
			printf("# kept %s\n", r[i].path);
	}
	rules_unref(rs);
	printf("%d of 2 threads identical to their single-threaded run\n", ok);
	return ok == 2 ? 0 : 1;
}
