/*
 * evidence.c - evidence bundles.  See evidence.h; the manifest's format
 * is in rootwatch-report(1).
 */
#include "rwconfig.h"

#include "evidence.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "flow.h"
#include "log.h"
#include "output.h"
#include "pktbuf.h"
#include "privacy.h"
#include "xmalloc.h"
#include "../parsers/tls.h"
#include "../parsers/x509.h"
#include "../rules/rules.h"

#define EV_NAME_MAX	96
/* A manifest read back for a repeat is at most this long. */
#define EV_MANIFEST_MAX	(1u << 20)

struct ev_recent {
	uint8_t		key[32];	/* server and chain */
	uint64_t	last_us;
	char		name[EV_NAME_MAX];
};

struct ev_bundle {
	char		name[EV_NAME_MAX];
	uint64_t	bytes;
};

struct evidence {
	struct evidence_opts	 o;
	char			*dir;
	int			 dfd;
	struct ev_recent	*recent;	/* LIM_EVIDENCE_RECENT slots */
	size_t			 nrecent;
	struct ev_bundle	*b;		/* oldest first */
	size_t			 nb;
	char			*rules;		/* "sha256\tpath\n" lines */
	evidence_source_fn	 src_fn;
	void			*src_arg;
	struct evidence_stats	 st;
};

/* ---- the bundles already in the directory -------------------------------- */

/* Bytes of the files in bundle directory name. */
static uint64_t
bundle_size(int dfd, const char *name)
{
	struct dirent *de;
	struct stat st;
	uint64_t n = 0;
	DIR *d;
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			n += (uint64_t)st.st_size;
	closedir(d);
	return n;
}

static int
bundle_cmp(const void *x, const void *y)
{
	return strcmp(((const struct ev_bundle *)x)->name,
	    ((const struct ev_bundle *)y)->name);
}

static int
bundle_push(struct evidence *ev, const char *name, uint64_t bytes)
{
	struct ev_bundle *nb;

	if ((nb = xreallocarray(ev->b, ev->nb + 1, sizeof(*nb))) == NULL)
		return -1;
	ev->b = nb;
	snprintf(ev->b[ev->nb].name, EV_NAME_MAX, "%s", name);
	ev->b[ev->nb++].bytes = bytes;
	ev->st.bytes += bytes;
	return 0;
}

/* A bundle's name starts with its time: 8 digits and a 'T'. */
static int
is_bundle_name(const char *s)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[8] == 'T' && strlen(s) < EV_NAME_MAX;
}

static void
scan_dir(struct evidence *ev)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = dup(ev->dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (is_bundle_name(de->d_name))
			bundle_push(ev, de->d_name, bundle_size(ev->dfd,
			    de->d_name));
	closedir(d);
	if (ev->nb > 1)
		qsort(ev->b, ev->nb, sizeof(*ev->b), bundle_cmp);
}

struct evidence *
evidence_open(const struct evidence_opts *o)
{
	struct evidence *ev;

	if (mkdir(o->dir, 0750) == -1 && errno != EEXIST) {
		log_warn("evidence directory %s", o->dir);
		return NULL;
	}
	if ((ev = xcalloc(1, sizeof(*ev))) == NULL ||
	    (ev->dir = xstrdup(o->dir)) == NULL ||
	    (ev->recent = xcalloc(LIM_EVIDENCE_RECENT,
	    sizeof(*ev->recent))) == NULL) {
		evidence_close(ev);
		return NULL;
	}
	ev->o = *o;
	ev->o.dir = ev->dir;
	ev->dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ev->dfd == -1) {
		log_warn("evidence directory %s", o->dir);
		evidence_close(ev);
		return NULL;
	}
	scan_dir(ev);
	return ev;
}

void
evidence_close(struct evidence *ev)
{
	if (ev == NULL)
		return;
	if (ev->dfd > 0)
		close(ev->dfd);
	xfree(ev->dir);
	xfree(ev->recent);
	xfree(ev->b);
	xfree(ev->rules);
	xfree(ev);
}

int
evidence_dirfd(const struct evidence *ev)
{
	return ev->dfd;
}

void
evidence_set_source(struct evidence *ev, evidence_source_fn fn, void *arg)
{
	ev->src_fn = fn;
	ev->src_arg = arg;
}

const struct evidence_stats *
evidence_stats(const struct evidence *ev)
{
	return &ev->st;
}

/* ---- hashes -------------------------------------------------------------- */

static void
sha256_hex(const void *p, size_t n, char hex[65])
{
	uint8_t md[32];
	unsigned int len = 0;
	size_t i;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		memset(md, 0, sizeof(md));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The SHA-256 of a file, read in blocks; -1 if it cannot be read. */
static int
file_sha256(const char *path, char hex[65])
{
	uint8_t buf[16384], md[32];
	unsigned int len = 0;
	EVP_MD_CTX *c;
	ssize_t n;
	int fd, i, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((c = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			EVP_DigestUpdate(c, buf, (size_t)n);
		if (n == 0 && EVP_DigestFinal_ex(c, md, &len) == 1 &&
		    len == 32)
			rc = 0;
	}
	EVP_MD_CTX_free(c);
	close(fd);
	for (i = 0; rc == 0 && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return rc;
}

/* ---- the manifest -------------------------------------------------------- */

/* A value as one line: control bytes, tab and backslash as \xHH (names
 * in certificates are the server's words, not ours). */
static void
man_esc(struct bytes *m, const char *s)
{
	char x[5];

	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\') {
			snprintf(x, sizeof(x), "\\x%02x", c);
			bytes_add(m, x, 4);
		} else
			bytes_add(m, s, 1);
	}
}

/* "key: v1\tv2...\n" from a NULL-terminated list. */
static void
man_line(struct bytes *m, const char *key, const char *const *v)
{
	size_t i;

	bytes_add(m, key, strlen(key));
	bytes_add(m, ": ", 2);
	for (i = 0; v[i] != NULL; i++) {
		if (i > 0)
			bytes_add(m, "\t", 1);
		man_esc(m, v[i]);
	}
	bytes_add(m, "\n", 1);
}

static void
man_kv(struct bytes *m, const char *key, const char *v)
{
	const char *l[2] = { v, NULL };

	man_line(m, key, l);
}

static void
fmt_time(uint64_t us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char s[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		s[0] = '\0';
	snprintf(buf, len, "%s.%06uZ", s, (unsigned)(us % 1000000));
}

static void
man_alerts(struct bytes *m, const struct evidence_alert *a)
{
	const char *l[8];
	char idx[24];
	size_t i, k;

	for (i = 0; i < a->nhits; i++) {
		const struct rule_hit *h = &a->hits[i];
		const struct rule *r = h->rule;

		if (h->index == RULE_INDEX_ISSUER_OF_TOP)
			snprintf(idx, sizeof(idx), "issuer_of_top");
		else
			snprintf(idx, sizeof(idx), "%d", (int)h->index);
		l[0] = rule_id(r);
		l[1] = rule_name(r);
		l[2] = rule_severity(r);
		l[3] = rule_attribution_name(h->attribution);
		l[4] = idx;
		l[5] = h->field;
		l[6] = h->value;
		l[7] = NULL;
		man_line(m, "alert", l);
		l[1] = rule_description(r);
		l[2] = NULL;
		man_line(m, "rule_description", l);
		for (k = 0; k < rule_nreferences(r); k++) {
			l[1] = rule_reference(r, k);
			man_line(m, "reference", l);
		}
	}
}

static void
man_chain(struct bytes *m, const struct tls_report *r)
{
	char idx[24], sha[65], sha1[41];
	const char *l[10];
	size_t i, k;

	for (i = 0; i < r->nchain; i++) {
		const struct x509_cert *c = r->chain[i];

		snprintf(idx, sizeof(idx), "%zu", i);
		for (k = 0; k < 32; k++)
			snprintf(sha + 2 * k, 3, "%02x", c->sha256[k]);
		for (k = 0; k < 20; k++)
			snprintf(sha1 + 2 * k, 3, "%02x", c->sha1[k]);
		l[0] = idx;
		l[1] = sha;
		l[2] = sha1;
		l[3] = c->subject != NULL ? c->subject : "";
		l[4] = c->issuer != NULL ? c->issuer : "";
		l[5] = c->not_before;
		l[6] = c->not_after;
		l[7] = c->serial != NULL ? c->serial : "";
		l[8] = NULL;
		man_line(m, "cert", l);
	}
}

void
evidence_set_rules(struct evidence *ev, const char *const *paths, size_t n)
{
	struct bytes b;
	char hex[65];
	const char *l[3] = { hex, NULL, NULL };
	size_t i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		if (file_sha256(paths[i], hex) == -1)
			snprintf(hex, sizeof(hex), "unreadable");
		l[1] = paths[i];
		man_line(&b, "rules_file", l);
	}
	bytes_add(&b, "", 1);
	if (b.oom) {
		bytes_free(&b);
		return;
	}
	xfree(ev->rules);
	ev->rules = (char *)b.p;
}

static const char *
client_mode(const struct evidence *ev)
{
	if (ev->o.pv == NULL)
		return "as captured";
	return ev->o.drop_clients ? "dropped from events, pseudonymised in "
	    "the pcap" : "pseudonymised";
}

/* Everything above the file lines. */
/* A probe's alert: its rootwatch.probe object, on one line. */
static void
man_probe(struct bytes *m, const struct tls_report *r)
{
	char buf[2048];

	if (r->probe == NULL || r->probe_len >= sizeof(buf))
		return;
	memcpy(buf, r->probe, r->probe_len);
	buf[r->probe_len] = '\0';
	man_kv(m, "probe", buf);
}

static void
man_head(struct evidence *ev, struct bytes *m, const struct evidence_alert *a,
    const char *name)
{
	const struct flow *f = a->f;
	const struct tls_session *s = a->r->s;
	char buf[512], t[40];

	man_kv(m, "rootwatch-evidence", "1");
	man_kv(m, "rootwatch-version", PACKAGE_VERSION);
	man_kv(m, "bundle", name);
	fmt_time(a->ts_us, t, sizeof(t));
	man_kv(m, "first_seen", t);
	man_kv(m, "last_seen", t);
	man_kv(m, "repeats", "0");
	if (inet_ntop(f->key.family == 6 ? AF_INET6 : AF_INET,
	    flow_server_addr(f), buf, sizeof(buf)) == NULL)
		buf[0] = '\0';
	man_kv(m, "server_ip", buf);
	snprintf(buf, sizeof(buf), "%u", flow_server_port(f));
	man_kv(m, "server_port", buf);
	man_kv(m, "sni", s->sni);
	man_kv(m, "tls_version", tls_version_name(s->version));
	man_kv(m, "client", client_mode(ev));
	man_alerts(m, a);
	man_chain(m, a->r);
	buf[0] = '\0';
	if (a->r->probe != NULL)	/* no frames: our own handshake */
		snprintf(buf, sizeof(buf), "active probe (rootwatch(8) "
		    "PROBE): the sensor's own handshake");
	else if (ev->src_fn != NULL)
		ev->src_fn(ev->src_arg, buf, sizeof(buf));
	man_kv(m, "capture", buf);
	man_probe(m, a->r);
	man_kv(m, "clock", ev->o.clock != NULL ? ev->o.clock : "");
	if (ev->rules != NULL)
		bytes_add(m, ev->rules, strlen(ev->rules));
	snprintf(buf, sizeof(buf), "%zu", pktbuf_frames(a->pb));
	man_kv(m, "pcap_frames", buf);
	man_kv(m, "pcap_truncated", pktbuf_truncated(a->pb) ? "yes" : "no");
}

/* ---- writing ------------------------------------------------------------- */

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A new file in the bundle, and its line in the manifest. */
static int
put_file(int bfd, const char *name, const void *p, size_t n,
    struct bytes *man, uint64_t *total)
{
	const char *l[3];
	char hex[65];
	int fd, rc;

	fd = openat(bfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	rc = write_all(fd, p, n);
	if (close(fd) == -1)
		rc = -1;
	if (rc == -1)
		return -1;
	*total += n;
	if (man != NULL) {
		sha256_hex(p, n, hex);
		l[0] = hex;
		l[1] = name;
		l[2] = NULL;
		man_line(man, "file", l);
	}
	return 0;
}

/* The bundle's directory: time and first rule, a number on a clash. */
static int
make_dir(struct evidence *ev, const struct evidence_alert *a, char *name)
{
	char t[32], id[49];
	time_t sec = (time_t)(a->ts_us / 1000000);
	const char *r = rule_id(a->hits[0].rule);
	struct tm tm;
	size_t i;
	int n;

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(t, sizeof(t), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -1;
	/* a rule id is the rules author's: keep it to a safe file name */
	for (i = 0; r[i] != '\0' && i < sizeof(id) - 1; i++)
		id[i] = (r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' &&
		    r[i] <= 'Z') || (r[i] >= '0' && r[i] <= '9') ||
		    r[i] == '.' || r[i] == '-' ? r[i] : '_';
	id[i] = '\0';
	for (n = 1; n < 100; n++) {
		if (n == 1)
			snprintf(name, EV_NAME_MAX, "%s-%s", t, id);
		else
			snprintf(name, EV_NAME_MAX, "%s-%s-%d", t, id, n);
		if (mkdirat(ev->dfd, name, 0750) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int
put_certs(int bfd, const struct tls_report *r, struct bytes *man,
    uint64_t *total)
{
	char fn[32], *pem;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nchain && rc == 0; i++) {
		if ((pem = x509_pem(r->chain[i])) == NULL)
			return -1;
		snprintf(fn, sizeof(fn), "cert-%zu.pem", i);
		rc = put_file(bfd, fn, pem, strlen(pem), man, total);
		xfree(pem);
	}
	return rc;
}

/* Every file of a bundle; the manifest last, with the others' hashes. */
static int
put_bundle(struct evidence *ev, int bfd, const struct evidence_alert *a,
    const char *name, uint64_t *total)
{
	struct bytes man, pcap;
	const uint8_t *client = flow_client_addr(a->f);
	int rc;

	memset(&man, 0, sizeof(man));
	memset(&pcap, 0, sizeof(pcap));
	man_head(ev, &man, a, name);
	pktbuf_pcap(a->pb, &pcap, ev->o.pv, a->f->key.family, client);
	rc = pcap.oom ? -1 : put_file(bfd, "handshake.pcap", pcap.p, pcap.len,
	    &man, total);
	bytes_free(&pcap);
	if (rc == 0)
		rc = put_certs(bfd, a->r, &man, total);
	if (rc == 0)
		rc = put_file(bfd, "alert.json", a->events, a->events_len, &man,
		    total);
	if (rc == 0 && !man.oom)
		rc = put_file(bfd, "manifest.txt", man.p, man.len, NULL,
		    total);
	bytes_free(&man);
	return man.oom ? -1 : rc;
}

/* ---- removing ------------------------------------------------------------ */

static void
remove_bundle(struct evidence *ev, size_t i)
{
	struct dirent *de;
	DIR *d;
	int fd;
	size_t k;

	fd = openat(ev->dfd, ev->b[i].name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC | O_NOFOLLOW);
	if (fd != -1 && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				unlinkat(fd, de->d_name, 0);
		closedir(d);
	} else if (fd != -1)
		close(fd);
	if (unlinkat(ev->dfd, ev->b[i].name, AT_REMOVEDIR) == -1)
		log_warn("evidence: cannot remove %s", ev->b[i].name);
	for (k = 0; k < LIM_EVIDENCE_RECENT; k++)
		if (strcmp(ev->recent[k].name, ev->b[i].name) == 0)
			memset(&ev->recent[k], 0, sizeof(ev->recent[k]));
	ev->st.bytes -= ev->b[i].bytes;
	ev->st.removed++;
	memmove(&ev->b[i], &ev->b[i + 1], (ev->nb - i - 1) * sizeof(*ev->b));
	ev->nb--;
}

/* Oldest first until under max-bytes; the newest bundle always stays. */
static void
enforce_max(struct evidence *ev)
{
	while (ev->o.max_bytes > 0 && ev->st.bytes > ev->o.max_bytes &&
	    ev->nb > 1)
		remove_bundle(ev, 0);
}

/* ---- repeats ------------------------------------------------------------- */

static void
session_key(const struct evidence_alert *a, uint8_t key[32])
{
	const struct flow *f = a->f;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t port[2] = { (uint8_t)(flow_server_port(f) >> 8),
	    (uint8_t)flow_server_port(f) };
	unsigned int n = 0;
	size_t i;

	memset(key, 0, 32);
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return;
	}
	EVP_DigestUpdate(c, &f->key.family, 1);
	EVP_DigestUpdate(c, flow_server_addr(f), 16);
	EVP_DigestUpdate(c, port, 2);
	for (i = 0; i < a->r->nchain; i++)
		EVP_DigestUpdate(c, a->r->chain[i]->sha256, 32);
	EVP_DigestFinal_ex(c, key, &n);
	EVP_MD_CTX_free(c);
}

static struct ev_recent *
recent_find(struct evidence *ev, const uint8_t key[32], uint64_t ts_us)
{
	size_t i;

	for (i = 0; i < LIM_EVIDENCE_RECENT; i++) {
		struct ev_recent *r = &ev->recent[i];

		if (r->name[0] != '\0' && memcmp(r->key, key, 32) == 0 &&
		    ts_us >= r->last_us && ts_us - r->last_us <= ev->o.window_us)
			return r;
	}
	return NULL;
}

static void
recent_add(struct evidence *ev, const uint8_t key[32], uint64_t ts_us,
    const char *name)
{
	struct ev_recent *r = &ev->recent[0];
	size_t i;

	for (i = 0; i < LIM_EVIDENCE_RECENT; i++) {
		if (ev->recent[i].name[0] == '\0') {
			r = &ev->recent[i];
			break;
		}
		if (ev->recent[i].last_us < r->last_us)
			r = &ev->recent[i];
	}
	memcpy(r->key, key, 32);
	r->last_us = ts_us;
	snprintf(r->name, EV_NAME_MAX, "%s", name);
}

static ssize_t
read_small(int dfd, const char *name, char *buf, size_t cap)
{
	ssize_t n, got = 0;
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	while ((size_t)got < cap - 1 &&
	    (n = read(fd, buf + got, cap - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* The manifest with last_seen and repeats brought up to date. */
static void
repeat_text(const char *old, struct bytes *out, const char *last)
{
	const char *p = old, *e;
	unsigned long long rep;
	char line[64];

	for (; *p != '\0'; p = *e == '\n' ? e + 1 : e) {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		if (strncmp(p, "last_seen: ", 11) == 0) {
			snprintf(line, sizeof(line), "last_seen: %s\n", last);
			bytes_add(out, line, strlen(line));
		} else if (strncmp(p, "repeats: ", 9) == 0) {
			rep = strtoull(p + 9, NULL, 10);
			snprintf(line, sizeof(line), "repeats: %llu\n", rep + 1);
			bytes_add(out, line, strlen(line));
		} else {
			bytes_add(out, p, (size_t)(e - p));
			bytes_add(out, "\n", 1);
		}
	}
}

/* Written aside and renamed over: a reader never sees half a manifest. */
static int
count_repeat(struct evidence *ev, struct ev_recent *r, uint64_t ts_us)
{
	struct bytes out;
	char *old, t[40];
	int bfd, fd, rc = -1;

	if ((old = xmalloc(EV_MANIFEST_MAX)) == NULL)
		return -1;
	memset(&out, 0, sizeof(out));
	bfd = openat(ev->dfd, r->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd != -1 && read_small(bfd, "manifest.txt", old,
	    EV_MANIFEST_MAX) > 0) {
		fmt_time(ts_us, t, sizeof(t));
		repeat_text(old, &out, t);
		fd = openat(bfd, "manifest.tmp", O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd != -1 && !out.oom && write_all(fd, out.p, out.len) == 0 &&
		    close(fd) == 0)
			rc = renameat(bfd, "manifest.tmp", bfd, "manifest.txt");
		else if (fd != -1)
			close(fd);
	}
	if (bfd != -1)
		close(bfd);
	bytes_free(&out);
	xfree(old);
	r->last_us = ts_us;
	return rc;
}

void
evidence_alert(struct evidence *ev, const struct evidence_alert *a)
{
	struct ev_recent *r;
	uint8_t key[32];
	char name[EV_NAME_MAX];
	uint64_t total = 0;
	int bfd, rc;

	if (a->nhits == 0)
		return;
	session_key(a, key);
	if ((r = recent_find(ev, key, a->ts_us)) != NULL) {
		if (count_repeat(ev, r, a->ts_us) == -1) {
			ev->st.errors++;
			log_warn("evidence: %s: repeat not counted", r->name);
		} else
			ev->st.repeats++;
		return;
	}
	if (make_dir(ev, a, name) == -1 || (bfd = openat(ev->dfd, name,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		ev->st.errors++;
		log_warn("evidence: cannot make a bundle in %s", ev->dir);
		return;
	}
	rc = put_bundle(ev, bfd, a, name, &total);
	close(bfd);
	if (rc == -1) {
		ev->st.errors++;
		log_warn("evidence: bundle %s incomplete", name);
	}
	ev->st.bundles++;
	bundle_push(ev, name, total);
	recent_add(ev, key, a->ts_us, name);
	enforce_max(ev);
}
