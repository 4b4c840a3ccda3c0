/*
 * rootwatch-report - one HTML page and one Markdown file from a directory
 * of evidence bundles (rootwatch(8) EVIDENCE, rootwatch-report(1)).
 *
 * It reads each bundle's manifest.txt (the format rootwatch writes and
 * rootwatch-report(1) describes: "key: value" lines, fields split by tabs,
 * control bytes, tab and backslash as \xHH), checks every file's SHA-256
 * against the manifest, and writes what was intercepted: per server name
 * and root, first and last seen and counts; each rule with its
 * description and references; each bundle's chain.  The HTML page has no
 * external asset and no script: CSS inline, every value escaped.  A
 * manifest is the sensor's output but may be copied around and edited:
 * every value is treated as text from anyone.
 *
 * C rather than Python: it ships in the same Debian package as the
 * sensor with no new runtime dependency (libcrypto is already there).
 */
#include "rwconfig.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define RPT_MANIFEST_MAX	(1u << 20)
#define RPT_FIELDS		10
#define RPT_FILE_MAX		(256u << 20)

struct line {
	char	*key;
	char	*f[RPT_FIELDS];		/* fields, unescaped */
	int	 n;
};

struct bundle {
	char		*name;
	struct line	*l;
	size_t		 nl;
	int		 files_ok;	/* every listed file matches */
	int		 files_bad;
};

struct report {
	struct bundle	*b;
	size_t		 nb;
	const char	*dir;
};

static void *
xrealloc(void *p, size_t n, size_t sz)
{
	void *q;

	if (sz != 0 && n > SIZE_MAX / sz) {
		fprintf(stderr, "rootwatch-report: too large\n");
		exit(1);
	}
	if ((q = realloc(p, n * sz != 0 ? n * sz : 1)) == NULL) {
		fprintf(stderr, "rootwatch-report: out of memory\n");
		exit(1);
	}
	return q;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1, 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One field: \xHH back to its byte; a control byte becomes a space (the
 * report is for reading, not a byte-exact copy). */
static char *
unescape(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1, 1);
	size_t i, k = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (hi = hexval(s[i + 2])) >= 0 && (lo = hexval(s[i + 3])) >= 0) {
			d[k] = (char)(hi << 4 | lo);
			i += 3;
		} else
			d[k] = s[i];
		if ((unsigned char)d[k] < 0x20 || d[k] == 0x7f)
			d[k] = ' ';
		k++;
	}
	d[k] = '\0';
	return d;
}

static void
parse_line(struct bundle *b, const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n), *v, *e, *end = p + n;
	struct line *l;

	if (colon == NULL || colon + 1 >= end || colon[1] != ' ')
		return;
	b->l = xrealloc(b->l, b->nl + 1, sizeof(*b->l));
	l = &b->l[b->nl++];
	memset(l, 0, sizeof(*l));
	l->key = xstrndup(p, (size_t)(colon - p));
	for (v = colon + 2; l->n < RPT_FIELDS; v = e + 1) {
		if ((e = memchr(v, '\t', (size_t)(end - v))) == NULL ||
		    l->n == RPT_FIELDS - 1)
			e = end;
		l->f[l->n++] = unescape(v, (size_t)(e - v));
		if (e == end)
			break;
	}
}

static char *
read_file(const char *path, size_t max, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	if (fp == NULL)
		return NULL;
	buf = xrealloc(NULL, max + 1, 1);
	n = fread(buf, 1, max, fp);
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The first value of key in b ("" if none). */
static const char *
get(const struct bundle *b, const char *key)
{
	size_t i;

	for (i = 0; i < b->nl; i++)
		if (strcmp(b->l[i].key, key) == 0 && b->l[i].n > 0)
			return b->l[i].f[0];
	return "";
}

static const char *
field(const struct line *l, int i)
{
	return i < l->n ? l->f[i] : "";
}

/* The SHA-256 of a bundle file, in hex; -1 if it cannot be read. */
static int
file_sha256(const char *path, char hex[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t len = 0;
	char *data;
	int i;

	if ((data = read_file(path, RPT_FILE_MAX, &len)) == NULL)
		return -1;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		free(data);
		return -1;
	}
	free(data);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* A listed file name must be a plain name inside the bundle. */
static int
plain_name(const char *s)
{
	return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL;
}

static void
verify_files(struct report *r, struct bundle *b)
{
	char path[4096], hex[65];
	size_t i;

	for (i = 0; i < b->nl; i++) {
		const struct line *l = &b->l[i];

		if (strcmp(l->key, "file") != 0 || l->n < 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", r->dir, b->name,
		    l->f[1]);
		if (plain_name(l->f[1]) && file_sha256(path, hex) == 0 &&
		    strcmp(hex, l->f[0]) == 0)
			b->files_ok++;
		else
			b->files_bad++;
	}
}

static int
load_bundle(struct report *r, const char *name)
{
	char path[4096], *text, *p, *e;
	struct bundle *b;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/manifest.txt", r->dir, name);
	if ((text = read_file(path, RPT_MANIFEST_MAX, &len)) == NULL)
		return -1;
	r->b = xrealloc(r->b, r->nb + 1, sizeof(*r->b));
	b = &r->b[r->nb++];
	memset(b, 0, sizeof(*b));
	b->name = xstrndup(name, strlen(name));
	for (p = text; p < text + len; p = e + 1) {
		if ((e = memchr(p, '\n', (size_t)(text + len - p))) == NULL)
			e = text + len;
		parse_line(b, p, (size_t)(e - p));
	}
	free(text);
	verify_files(r, b);
	return 0;
}

static int
bundle_cmp(const void *x, const void *y)
{
	return strcmp(((const struct bundle *)x)->name,
	    ((const struct bundle *)y)->name);
}

static int
load_dir(struct report *r)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(r->dir)) == NULL) {
		fprintf(stderr, "rootwatch-report: %s: %s\n", r->dir,
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			load_bundle(r, de->d_name);
	closedir(d);
	if (r->nb > 1)
		qsort(r->b, r->nb, sizeof(*r->b), bundle_cmp);
	return 0;
}

/* ---- services: per server name and root ---------------------------------- */

struct service {
	const char	*sni;
	const char	*rule;		/* rule id */
	const char	*root;		/* rule name */
	const char	*first;
	const char	*last;
	unsigned long long sessions;
	size_t		 bundles;
};

static struct service *
services(const struct report *r, size_t *n)
{
	struct service *s = NULL;
	size_t i, k, j;

	*n = 0;
	for (i = 0; i < r->nb; i++) {
		const struct bundle *b = &r->b[i];

		for (k = 0; k < b->nl; k++) {
			const struct line *l = &b->l[k];

			if (strcmp(l->key, "alert") != 0)
				continue;
			for (j = 0; j < *n; j++)
				if (strcmp(s[j].sni, get(b, "sni")) == 0 &&
				    strcmp(s[j].rule, field(l, 0)) == 0)
					break;
			if (j == *n) {
				s = xrealloc(s, *n + 1, sizeof(*s));
				memset(&s[j], 0, sizeof(*s));
				s[j].sni = get(b, "sni");
				s[j].rule = field(l, 0);
				s[j].root = field(l, 1);
				s[j].first = get(b, "first_seen");
				(*n)++;
			}
			if (strcmp(get(b, "first_seen"), s[j].first) < 0)
				s[j].first = get(b, "first_seen");
			if (strcmp(get(b, "last_seen"), s[j].last ?
			    s[j].last : "") > 0)
				s[j].last = get(b, "last_seen");
			s[j].sessions += 1 + strtoull(get(b, "repeats"), NULL,
			    10);
			s[j].bundles++;
		}
	}
	return s;
}

/* Rules seen in the bundles, once each: the first alert line naming it. */
static const struct line **
rules_seen(const struct report *r, size_t *n)
{
	const struct line **v = NULL;
	size_t i, k, j;

	*n = 0;
	for (i = 0; i < r->nb; i++)
		for (k = 0; k < r->b[i].nl; k++) {
			const struct line *l = &r->b[i].l[k];

			if (strcmp(l->key, "alert") != 0)
				continue;
			for (j = 0; j < *n; j++)
				if (strcmp(field(v[j], 0), field(l, 0)) == 0)
					break;
			if (j == *n) {
				v = xrealloc(v, *n + 1, sizeof(*v));
				v[(*n)++] = l;
			}
		}
	return v;
}

/* The bundle that first named rule id, for its description/references. */
static const struct bundle *
rule_bundle(const struct report *r, const char *id)
{
	size_t i, k;

	for (i = 0; i < r->nb; i++)
		for (k = 0; k < r->b[i].nl; k++)
			if (strcmp(r->b[i].l[k].key, "alert") == 0 &&
			    strcmp(field(&r->b[i].l[k], 0), id) == 0)
				return &r->b[i];
	return NULL;
}

/* ---- HTML ------------------------------------------------------------------ */

static void
h(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
}

static void
h_cell(FILE *fp, const char *tag, const char *s)
{
	fprintf(fp, "<%s>", tag);
	h(fp, s);
	fprintf(fp, "</%s>", tag);
}

static const char css[] =
    "body{font-family:sans-serif;margin:2em;color:#111;background:#fff}"
    "h1{border-bottom:3px solid #b00;padding-bottom:.2em}"
    "h2{margin-top:1.6em;border-bottom:1px solid #999}"
    "table{border-collapse:collapse;margin:.6em 0;width:100%}"
    "th,td{border:1px solid #aaa;padding:.3em .5em;text-align:left;"
    "vertical-align:top;font-size:.9em}"
    "th{background:#f0e0e0}"
    "code,.fp{font-family:monospace;word-break:break-all}"
    ".bad{color:#fff;background:#b00;padding:0 .3em}"
    ".ok{color:#060}"
    "dt{font-weight:bold;float:left;width:11em;clear:left}"
    "dd{margin-left:12em}";

static void
html_services(FILE *fp, const struct report *r)
{
	struct service *s;
	size_t n, i;

	s = services(r, &n);
	fputs("<h2>Intercepted services</h2>\n<table><tr><th>Server name "
	    "(SNI)</th><th>Root (rule)</th><th>First seen</th><th>Last seen"
	    "</th><th>Sessions</th><th>Bundles</th></tr>\n", fp);
	for (i = 0; i < n; i++) {
		fputs("<tr>", fp);
		h_cell(fp, "td", s[i].sni[0] ? s[i].sni : "(no SNI)");
		fputs("<td>", fp);
		h(fp, s[i].root);
		fputs("<br><code>", fp);
		h(fp, s[i].rule);
		fputs("</code></td>", fp);
		h_cell(fp, "td", s[i].first);
		h_cell(fp, "td", s[i].last ? s[i].last : "");
		fprintf(fp, "<td>%llu</td><td>%zu</td></tr>\n", s[i].sessions,
		    s[i].bundles);
	}
	fputs("</table>\n", fp);
	free(s);
}

static void
html_rules(FILE *fp, const struct report *r)
{
	const struct line **v;
	const struct bundle *b;
	size_t n, i, k;

	v = rules_seen(r, &n);
	fputs("<h2>Rules and their provenance</h2>\n", fp);
	for (i = 0; i < n; i++) {
		fputs("<h3>", fp);
		h(fp, field(v[i], 1));
		fputs(" <code>", fp);
		h(fp, field(v[i], 0));
		fputs("</code></h3>\n<p>Severity: ", fp);
		h(fp, field(v[i], 2));
		fputs("</p>\n", fp);
		b = rule_bundle(r, field(v[i], 0));
		for (k = 0; b != NULL && k < b->nl; k++) {
			const struct line *l = &b->l[k];

			if (strcmp(field(l, 0), field(v[i], 0)) != 0)
				continue;
			if (strcmp(l->key, "rule_description") == 0)
				h_cell(fp, "p", field(l, 1));
			else if (strcmp(l->key, "reference") == 0) {
				fputs("<p>Reference: <code>", fp);
				h(fp, field(l, 1));
				fputs("</code></p>\n", fp);
			}
		}
	}
	free(v);
}

static void
html_kv(FILE *fp, const char *k, const char *v)
{
	h_cell(fp, "dt", k);
	h_cell(fp, "dd", v);
	fputc('\n', fp);
}

static void
html_chain(FILE *fp, const struct bundle *b)
{
	size_t k;

	fputs("<table><tr><th>#</th><th>Subject</th><th>Issuer</th>"
	    "<th>Valid from</th><th>Valid to</th><th>Fingerprints</th></tr>\n",
	    fp);
	for (k = 0; k < b->nl; k++) {
		const struct line *l = &b->l[k];

		if (strcmp(l->key, "cert") != 0)
			continue;
		fputs("<tr>", fp);
		h_cell(fp, "td", field(l, 0));
		h_cell(fp, "td", field(l, 3));
		h_cell(fp, "td", field(l, 4));
		h_cell(fp, "td", field(l, 5));
		h_cell(fp, "td", field(l, 6));
		fputs("<td class=\"fp\">SHA-256 ", fp);
		h(fp, field(l, 1));
		fputs("<br>SHA-1 ", fp);
		h(fp, field(l, 2));
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

static void
html_bundle(FILE *fp, const struct bundle *b)
{
	char buf[512];
	size_t k;

	h_cell(fp, "h3", b->name);
	fputs("<dl>\n", fp);
	snprintf(buf, sizeof(buf), "%s port %s", get(b, "server_ip"),
	    get(b, "server_port"));
	html_kv(fp, "Server", buf);
	html_kv(fp, "Server name", get(b, "sni"));
	html_kv(fp, "First seen", get(b, "first_seen"));
	html_kv(fp, "Last seen", get(b, "last_seen"));
	html_kv(fp, "Repeats", get(b, "repeats"));
	for (k = 0; k < b->nl; k++)
		if (strcmp(b->l[k].key, "alert") == 0) {
			snprintf(buf, sizeof(buf), "%s (%s, %s: %s)",
			    field(&b->l[k], 0), field(&b->l[k], 3),
			    field(&b->l[k], 5), field(&b->l[k], 6));
			html_kv(fp, "Alert", buf);
		}
	html_kv(fp, "Capture", get(b, "capture"));
	html_kv(fp, "Clock", get(b, "clock"));
	html_kv(fp, "Client", get(b, "client"));
	html_kv(fp, "rootwatch", get(b, "rootwatch-version"));
	html_kv(fp, "Rules file SHA-256", get(b, "rules_file"));
	fprintf(fp, "<dt>Files</dt><dd class=\"%s\">%d of %d match the "
	    "manifest's SHA-256</dd>\n</dl>\n", b->files_bad ? "bad" : "ok",
	    b->files_ok, b->files_ok + b->files_bad);
	html_chain(fp, b);
}

static void
write_html(FILE *fp, const struct report *r, const char *when)
{
	size_t i;

	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-"
	    "Policy\" content=\"default-src 'none'; style-src "
	    "'unsafe-inline'\">\n<title>TLS interception report</title>\n"
	    "<style>%s</style></head><body>\n<h1>TLS interception report"
	    "</h1>\n<p>", css);
	fprintf(fp, "%zu evidence bundles from <code>", r->nb);
	h(fp, r->dir);
	fprintf(fp, "</code>; written %s by rootwatch-report %s.</p>\n",
	    when, PACKAGE_VERSION);
	html_services(fp, r);
	html_rules(fp, r);
	fputs("<h2>Evidence bundles</h2>\n", fp);
	for (i = 0; i < r->nb; i++)
		html_bundle(fp, &r->b[i]);
	fputs("</body></html>\n", fp);
}

/* ---- Markdown -------------------------------------------------------------- */

/* CommonMark lets any ASCII punctuation be escaped: escape them all. */
static void
m(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("\\`*_[]<>|~&#", *s) != NULL)
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

static void
md_services(FILE *fp, const struct report *r)
{
	struct service *s;
	size_t n, i;

	s = services(r, &n);
	fputs("## Intercepted services\n\n| Server name (SNI) | Root (rule) | "
	    "First seen | Last seen | Sessions | Bundles |\n|---|---|---|---|"
	    "---|---|\n", fp);
	for (i = 0; i < n; i++) {
		fputs("| ", fp);
		m(fp, s[i].sni[0] ? s[i].sni : "(no SNI)");
		fputs(" | ", fp);
		m(fp, s[i].root);
		fputs(" (", fp);
		m(fp, s[i].rule);
		fputs(") | ", fp);
		m(fp, s[i].first);
		fputs(" | ", fp);
		m(fp, s[i].last ? s[i].last : "");
		fprintf(fp, " | %llu | %zu |\n", s[i].sessions, s[i].bundles);
	}
	free(s);
}

static void
md_rules(FILE *fp, const struct report *r)
{
	const struct line **v;
	const struct bundle *b;
	size_t n, i, k;

	v = rules_seen(r, &n);
	fputs("\n## Rules and their provenance\n", fp);
	for (i = 0; i < n; i++) {
		fputs("\n### ", fp);
		m(fp, field(v[i], 1));
		fputs(" (", fp);
		m(fp, field(v[i], 0));
		fputs(")\n\nSeverity: ", fp);
		m(fp, field(v[i], 2));
		fputs("\n", fp);
		b = rule_bundle(r, field(v[i], 0));
		for (k = 0; b != NULL && k < b->nl; k++) {
			const struct line *l = &b->l[k];

			if (strcmp(field(l, 0), field(v[i], 0)) != 0 ||
			    (strcmp(l->key, "rule_description") != 0 &&
			    strcmp(l->key, "reference") != 0))
				continue;
			fputs(strcmp(l->key, "reference") == 0 ?
			    "\n- Reference: " : "\n", fp);
			m(fp, field(l, 1));
			fputs("\n", fp);
		}
	}
	free(v);
}

static void
md_bundle(FILE *fp, const struct bundle *b)
{
	size_t k;

	fputs("\n### ", fp);
	m(fp, b->name);
	fputs("\n\n- Server: ", fp);
	m(fp, get(b, "server_ip"));
	fputs(" port ", fp);
	m(fp, get(b, "server_port"));
	fputs("\n- Server name: ", fp);
	m(fp, get(b, "sni"));
	fputs("\n- First seen: ", fp);
	m(fp, get(b, "first_seen"));
	fputs("\n- Last seen: ", fp);
	m(fp, get(b, "last_seen"));
	fputs("\n- Repeats: ", fp);
	m(fp, get(b, "repeats"));
	fputs("\n- Capture: ", fp);
	m(fp, get(b, "capture"));
	fprintf(fp, "\n- Files: %d of %d match the manifest's SHA-256\n\n"
	    "| # | Subject | Issuer | Valid from | Valid to | SHA-256 |\n"
	    "|---|---|---|---|---|---|\n", b->files_ok,
	    b->files_ok + b->files_bad);
	for (k = 0; k < b->nl; k++) {
		/* #, subject, issuer, validity, SHA-256 (SHA-1: HTML only) */
		static const int col[] = { 0, 3, 4, 5, 6, 1 };
		const struct line *l = &b->l[k];
		size_t i;

		if (strcmp(l->key, "cert") != 0)
			continue;
		for (i = 0; i < sizeof(col) / sizeof(col[0]); i++) {
			fputs(i == 0 ? "| " : " | ", fp);
			m(fp, field(l, col[i]));
		}
		fputs(" |\n", fp);
	}
}

static void
write_md(FILE *fp, const struct report *r, const char *when)
{
	size_t i;

	fputs("# TLS interception report\n\n", fp);
	fprintf(fp, "%zu evidence bundles from ", r->nb);
	m(fp, r->dir);
	fprintf(fp, "; written %s by rootwatch\\-report %s\\.\n\n", when,
	    PACKAGE_VERSION);
	md_services(fp, r);
	md_rules(fp, r);
	fputs("\n## Evidence bundles\n", fp);
	for (i = 0; i < r->nb; i++)
		md_bundle(fp, &r->b[i]);
}

static int
write_out(const char *prefix, const char *ext, const struct report *r,
    const char *when, void (*fn)(FILE *, const struct report *,
    const char *))
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s.%s", prefix, ext);
	if ((fp = fopen(path, "w")) == NULL) {
		fprintf(stderr, "rootwatch-report: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	fn(fp, r, when);
	if (fclose(fp) == EOF) {
		fprintf(stderr, "rootwatch-report: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	printf("%s\n", path);
	return 0;
}

static void
report_free(struct report *r)
{
	size_t i, k;
	int f;

	for (i = 0; i < r->nb; i++) {
		for (k = 0; k < r->b[i].nl; k++) {
			free(r->b[i].l[k].key);
			for (f = 0; f < r->b[i].l[k].n; f++)
				free(r->b[i].l[k].f[f]);
		}
		free(r->b[i].l);
		free(r->b[i].name);
	}
	free(r->b);
}

static void
usage(void)
{
	fprintf(stderr, "usage: rootwatch-report [-o prefix] evidence-dir\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct report r;
	const char *prefix = "rootwatch-report";
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int ch, bad = 0;

	while ((ch = getopt(argc, argv, "o:")) != -1) {
		if (ch != 'o')
			usage();
		prefix = optarg;
	}
	if (argc - optind != 1)
		usage();
	memset(&r, 0, sizeof(r));
	r.dir = argv[optind];
	if (load_dir(&r) == -1)
		return 1;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "(unknown time)");
	if (write_out(prefix, "html", &r, when, write_html) == -1 ||
	    write_out(prefix, "md", &r, when, write_md) == -1) {
		report_free(&r);
		return 1;
	}
	for (i = 0; i < r.nb; i++)
		if (r.b[i].files_bad > 0) {
			fprintf(stderr, "rootwatch-report: %s: %d files do "
			    "not match the manifest\n", r.b[i].name,
			    r.b[i].files_bad);
			bad = 1;
		}
	report_free(&r);
	return bad;
}
