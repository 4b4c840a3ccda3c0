/*
 * input.c - the replay reader: file list, time order, merge.  See input.h.
 *
 * The merge is a binary heap of the open files keyed by the timestamp of
 * each file's next record (ties: the earlier file in time order).  Files
 * are opened only when their first packet is due, so a week of hourly
 * files holds one file open at a time and overlapping captures hold as
 * many as overlap.  Record pointers stay valid while their file is not
 * advanced: the consumer sees the top record, then the top file moves on.
 */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "limits.h"
#include "log.h"
#include "src.h"
#include "xmalloc.h"

/* Directory levels walked under a -r directory (symlinked directories
 * are not followed, so this only bounds deep trees). */
#define INPUT_DIR_DEPTH	16

enum file_state {
	FILE_PENDING,
	FILE_OPEN,
	FILE_DONE,
	FILE_BAD,
};

struct file_ent {
	char		*path;
	const char	*name;		/* "stdin" or path */
	uint64_t	 size;		/* 0: unknown */
	uint64_t	 first_ts;	/* of the first packet */
	size_t		 arg_order;	/* position in the -r list */
	enum file_state	 state;
	int		 compressed;
	struct src	*s;		/* while open */
};

struct input {
	struct file_ent	*f;
	size_t		 nf, cap;
	size_t		 next;		/* first file not yet opened */
	struct file_ent	**heap;		/* open files, earliest record on top */
	size_t		 nheap;
	const char	*bpf;
	int		 warned_open;
	void		(*log_hook)(void *);
	void		*log_hook_arg;
	zin_wait_fn	 wait;		/* pipes: see zin.h */
	void		*wait_arg;
	uint64_t	 bytes_closed;	/* sizes of the files done */
	struct input_stats st;
};

static void
in_warn(struct input *in)
{
	if (in->log_hook != NULL)
		in->log_hook(in->log_hook_arg);
}

void
input_set_wait(struct input *in, zin_wait_fn fn, void *arg)
{
	in->wait = fn;
	in->wait_arg = arg;
}

void
input_set_log_hook(struct input *in, void (*fn)(void *), void *arg)
{
	in->log_hook = fn;
	in->log_hook_arg = arg;
}

struct input *
input_new(const char *bpf)
{
	struct input *in = xcalloc(1, sizeof(*in));

	if (in != NULL)
		in->bpf = bpf;
	return in;
}

void
input_free(struct input *in)
{
	size_t i;

	if (in == NULL)
		return;
	for (i = 0; i < in->nf; i++) {
		if (in->f[i].s != NULL) {
			src_close(in->f[i].s);
			xfree(in->f[i].s);
		}
		xfree(in->f[i].path);
	}
	xfree(in->f);
	xfree(in->heap);
	xfree(in);
}

static struct file_ent *
add_file(struct input *in, const char *path, uint64_t size)
{
	struct file_ent *fe, *nf;
	size_t ncap;

	if (in->nf == in->cap) {
		ncap = in->cap ? in->cap * 2 : 16;
		if ((nf = xreallocarray(in->f, ncap, sizeof(*nf))) == NULL)
			return NULL;
		in->f = nf;
		in->cap = ncap;
	}
	fe = &in->f[in->nf];
	memset(fe, 0, sizeof(*fe));
	if ((fe->path = xstrdup(path)) == NULL)
		return NULL;
	fe->name = strcmp(path, "-") == 0 ? "stdin" : fe->path;
	fe->size = size;
	fe->arg_order = in->nf++;
	in->st.files++;
	in->st.bytes_total += size;
	return fe;
}

/* A file that cannot be read at all: reported now, counted bad. */
static void
add_bad(struct input *in, const char *path, const char *why)
{
	struct file_ent *fe;

	in_warn(in);
	log_warnx("%s: %s", path, why);
	if ((fe = add_file(in, path, 0)) != NULL) {
		fe->state = FILE_BAD;
		in->st.files_done++;
		in->st.files_bad++;
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct input *, const char *dir, int depth);

/* One directory entry: files are taken, directories walked. */
static void
walk_entry(struct input *in, const char *dir, const char *name, int depth)
{
	char path[4096];
	struct stat sb;

	if (name[0] == '.')	/* ., .., and hidden files (editor, rsync) */
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		add_bad(in, dir, "path too long");
		return;
	}
	if (lstat(path, &sb) == -1) {
		add_bad(in, path, strerror(errno));
		return;
	}
	if (S_ISDIR(sb.st_mode))
		walk(in, path, depth + 1);
	else if (S_ISLNK(sb.st_mode) && stat(path, &sb) == 0 &&
	    S_ISREG(sb.st_mode))
		add_file(in, path, (uint64_t)sb.st_size);
	else if (S_ISREG(sb.st_mode))
		add_file(in, path, (uint64_t)sb.st_size);
}

/* Entries in name order, so that equal first timestamps keep it. */
static void
walk(struct input *in, const char *dir, int depth)
{
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	if (depth > INPUT_DIR_DEPTH) {
		add_bad(in, dir, "directories nested too deep");
		return;
	}
	if ((d = opendir(dir)) == NULL) {
		add_bad(in, dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nn = xreallocarray(names, cap, sizeof(*nn))) == NULL)
				break;
			names = nn;
		}
		if ((names[n] = xstrdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		walk_entry(in, dir, names[i], depth);
		xfree(names[i]);
	}
	xfree(names);
}

static void
add_path(struct input *in, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		add_bad(in, path, strerror(errno));
	else if (S_ISDIR(sb.st_mode))
		walk(in, path, 0);
	else
		add_file(in, path, S_ISREG(sb.st_mode) ?
		    (uint64_t)sb.st_size : 0);
}

int
input_add(struct input *in, const char *arg)
{
	struct stat sb;
	glob_t g;
	size_t i;

	if (strcmp(arg, "-") == 0) {
		if (in->st.stdin_used) {
			in_warn(in);
			log_warnx("-r -: stdin given twice");
			return -1;
		}
		in->st.stdin_used = 1;
		add_file(in, arg, 0);
		return 0;
	}
	/* A quoted pattern (the shell left it): expand it here. */
	if (stat(arg, &sb) == -1 && strpbrk(arg, "*?[") != NULL) {
		if (glob(arg, 0, NULL, &g) != 0) {
			add_bad(in, arg, "no file matches");
			return 0;
		}
		for (i = 0; i < g.gl_pathc; i++)
			add_path(in, g.gl_pathv[i]);
		globfree(&g);
		return 0;
	}
	add_path(in, arg);
	return 0;
}

static void
file_bad(struct input *in, struct file_ent *fe)
{
	if (fe->s != NULL) {
		src_close(fe->s);
		xfree(fe->s);
		fe->s = NULL;
	}
	fe->state = FILE_BAD;
	in->st.files_bad++;
	in->st.files_done++;
}

/* Open fe for reading; on failure it is reported and marked bad. */
static int
file_open(struct input *in, struct file_ent *fe, int scan)
{
	if ((fe->s = xcalloc(1, sizeof(*fe->s))) == NULL) {
		in_warn(in);
		log_warnx("%s: out of memory", fe->name);
		file_bad(in, fe);
		return -1;
	}
	if (src_open(fe->s, fe->path, fe->name, in->bpf, scan, in->wait,
	    in->wait_arg) == -1) {
		in_warn(in);
		log_warnx("%s: cannot read capture: %s", fe->name, fe->s->err);
		file_bad(in, fe);
		return -1;
	}
	fe->compressed = fe->s->compressed;
	return 0;
}

static void
file_close(struct input *in, struct file_ent *fe)
{
	src_close(fe->s);
	xfree(fe->s);
	fe->s = NULL;
	fe->state = FILE_DONE;
	in->st.files_done++;
	in->bytes_closed += fe->size;
}

/* The damaged part of a file: where, after how many packets, what. */
static void
report_damage(struct input *in, struct file_ent *fe)
{
	if (fe->s->z != NULL && zin_stopped(fe->s->z)) {
		/* stopped by a signal while a pipe was idle: not damage */
		file_close(in, fe);
		return;
	}
	in_warn(in);
	log_warnx("%s: offset %llu, after %llu packets: %s", fe->name,
	    (unsigned long long)src_offset(fe->s),
	    (unsigned long long)fe->s->frames, fe->s->err);
	in->bytes_closed += fe->size;
	file_bad(in, fe);
}

/* Read one file's first packet (its place in time); stdin stays open. */
static void
scan_one(struct input *in, struct file_ent *fe)
{
	int rc;

	if (file_open(in, fe, 1) == -1)
		return;
	if (fe->compressed)
		in->st.compressed++;
	rc = src_next(fe->s);
	if (rc == -1) {
		report_damage(in, fe);
		return;
	}
	if (rc == 0) {		/* a header and no packet */
		file_close(in, fe);
		return;
	}
	fe->first_ts = fe->s->cur.ts_us;
	/* stdin, a FIFO: what was read cannot be read again */
	if (strcmp(fe->path, "-") == 0 ||
	    (fe->s->z != NULL && zin_is_stream(fe->s->z))) {
		src_unscan(fe->s);
		fe->state = FILE_OPEN;
		return;
	}
	src_close(fe->s);
	xfree(fe->s);
	fe->s = NULL;
}

/* Pending files first, by first packet time, then by -r order. */
static int
file_cmp(const void *a, const void *b)
{
	const struct file_ent *x = a, *y = b;
	int px = x->state == FILE_DONE || x->state == FILE_BAD;
	int py = y->state == FILE_DONE || y->state == FILE_BAD;

	if (px != py)
		return px - py;
	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return x->arg_order < y->arg_order ? -1 : x->arg_order > y->arg_order;
}

void
input_scan(struct input *in)
{
	size_t i;

	for (i = 0; i < in->nf; i++)
		if (in->f[i].state == FILE_PENDING)
			scan_one(in, &in->f[i]);
	qsort(in->f, in->nf, sizeof(*in->f), file_cmp);
	for (i = 0; i < in->nf; i++)
		in->f[i].arg_order = i;		/* tie-break in the merge */
	in->heap = xcalloc(in->nf > 0 ? in->nf : 1, sizeof(*in->heap));
	if (in->heap == NULL) {
		log_warnx("out of memory for %zu files", in->nf);
		for (i = 0; i < in->nf; i++)
			if (in->f[i].state == FILE_PENDING ||
			    in->f[i].state == FILE_OPEN)
				file_bad(in, &in->f[i]);
	}
}

/* --- the merge ------------------------------------------------------ */

static inline int
before(const struct file_ent *a, const struct file_ent *b)
{
	if (a->s->cur.ts_us != b->s->cur.ts_us)
		return a->s->cur.ts_us < b->s->cur.ts_us;
	return a->arg_order < b->arg_order;
}

static void
sift_down(struct input *in, size_t i)
{
	struct file_ent *x = in->heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= in->nheap)
			break;
		if (c + 1 < in->nheap && before(in->heap[c + 1], in->heap[c]))
			c++;
		if (!before(in->heap[c], x))
			break;
		in->heap[i] = in->heap[c];
		i = c;
	}
	in->heap[i] = x;
}

static void
sift_up(struct input *in, size_t i)
{
	struct file_ent *x = in->heap[i];

	while (i > 0 && before(x, in->heap[(i - 1) / 2])) {
		in->heap[i] = in->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	in->heap[i] = x;
}

static void
heap_pop(struct input *in)
{
	in->heap[0] = in->heap[--in->nheap];
	if (in->nheap > 0)
		sift_down(in, 0);
}

/* Open fe (stdin is open since the scan) at its first packet; push it. */
static void
admit(struct input *in, struct file_ent *fe)
{
	if (fe->state == FILE_PENDING) {
		if (file_open(in, fe, 0) == -1)
			return;
		switch (src_next(fe->s)) {
		case -1:
			report_damage(in, fe);
			return;
		case 0:		/* changed since the scan */
			file_close(in, fe);
			return;
		}
		fe->state = FILE_OPEN;
	}
	in->heap[in->nheap++] = fe;
	sift_up(in, in->nheap - 1);
}

/*
 * Open every file whose first packet is due before the top record.  Past
 * LIM_REPLAY_OPEN open files, wait for one to end (out of time order).
 */
static void
admit_due(struct input *in)
{
	struct file_ent *fe;

	while (in->next < in->nf) {
		fe = &in->f[in->next];
		if (fe->state == FILE_DONE || fe->state == FILE_BAD) {
			in->next++;
			continue;
		}
		if (in->nheap > 0 && fe->first_ts > in->heap[0]->s->cur.ts_us)
			return;
		if (in->nheap >= LIM_REPLAY_OPEN) {
			if (!in->warned_open++) {
				in_warn(in);
				log_warnx("more than %d capture files overlap "
				    "in time: %s waits, its packets may come "
				    "late", LIM_REPLAY_OPEN, fe->name);
			}
			return;
		}
		in->next++;
		admit(in, fe);
	}
}

/* The top file moves to its next record, ends, or is found damaged. */
static int
advance_top(struct input *in)
{
	struct file_ent *fe = in->heap[0];

	switch (src_next(fe->s)) {
	case 1:
		if (in->nheap > 1)
			sift_down(in, 0);
		return 0;
	case 0:
		heap_pop(in);
		file_close(in, fe);
		return 1;
	default:
		heap_pop(in);
		report_damage(in, fe);
		return 1;
	}
}

size_t
input_run(struct input *in, input_consumer fn, void *arg,
    volatile sig_atomic_t *stop, input_tick tick, void *tick_arg)
{
	const struct input_frame *fr;
	uint64_t since = 0;

	if (in->heap == NULL)
		return in->st.files_bad;
	while (!*stop) {
		if (in->next < in->nf)
			admit_due(in);
		if (in->nheap == 0)
			break;
		fr = &in->heap[0]->s->cur;
		if (in->st.frames++ == 0 || fr->ts_us < in->st.first_ts_us)
			in->st.first_ts_us = fr->ts_us;
		if (fr->ts_us > in->st.last_ts_us)
			in->st.last_ts_us = fr->ts_us;
		fn(arg, fr);
		if ((advance_top(in) || ++since >= LIM_FLUSH_PACKETS) &&
		    tick != NULL) {
			since = 0;
			tick(tick_arg);
		}
	}
	return in->st.files_bad;
}

int
input_current(const struct input *in, const char **name, uint64_t *pktno)
{
	if (in->nheap == 0)
		return -1;
	*name = in->heap[0]->name;
	*pktno = in->heap[0]->s->frames;
	return 0;
}

const struct input_stats *
input_stats(struct input *in)
{
	uint64_t open_bytes = 0;
	size_t i;

	for (i = 0; i < in->nheap; i++)
		open_bytes += src_raw_offset(in->heap[i]->s);
	in->st.bytes_done = in->bytes_closed + open_bytes;
	return &in->st;
}
