/*
 * progress.c - the replay status line.  See progress.h.
 *
 * Drawn with a carriage return and "erase to end of line" (ECMA-48 EL,
 * CSI K), which every terminal emulator in use understands; never when
 * stderr is a pipe or a file, so logs and test output stay clean.
 */
#include "progress.h"

#include <time.h>
#include <unistd.h>

#include "input.h"

#define PROGRESS_REDRAW_NS	250000000ull

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
progress_init(struct progress *pg, FILE *fp, int quiet)
{
	pg->fp = !quiet && fp != NULL && isatty(fileno(fp)) ? fp : NULL;
	pg->start_ns = now_ns();
	pg->last_ns = 0;	/* the first update draws */
	pg->drawn = 0;
}

/* 1234567 -> "1.2M" */
static void
human(char *buf, size_t len, double v, const char *unit)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T" };
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, i == 0 ? "%.0f%s%s" : "%.1f%s%s", v, sfx[i], unit);
}

static void
eta(char *buf, size_t len, const struct input_stats *st, double secs)
{
	double left;
	unsigned s;

	if (st->stdin_used || st->bytes_total == 0 || st->bytes_done == 0) {
		snprintf(buf, len, "?");
		return;
	}
	left = secs * (double)(st->bytes_total - (st->bytes_done <
	    st->bytes_total ? st->bytes_done : st->bytes_total)) /
	    (double)st->bytes_done;
	s = left > 359999 ? 359999 : (unsigned)left;
	snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
}

void
progress_update(struct progress *pg, const struct input_stats *st,
    uint64_t alerts)
{
	char rd[16], tot[16], pk[16], rate[16], left[16];
	uint64_t t;
	double secs;

	if (pg->fp == NULL)
		return;
	t = now_ns();
	if (t - pg->last_ns < PROGRESS_REDRAW_NS)
		return;
	pg->last_ns = t;
	secs = (double)(t - pg->start_ns) / 1e9;
	human(rd, sizeof(rd), (double)st->bytes_done, "B");
	human(tot, sizeof(tot), (double)st->bytes_total, "B");
	human(pk, sizeof(pk), (double)st->frames, "");
	human(rate, sizeof(rate), secs > 0 ? (double)st->frames / secs : 0,
	    "");
	eta(left, sizeof(left), st, secs);
	fprintf(pg->fp, "\rrootwatch: files %zu/%zu, %s/%s, %s packets, %s "
	    "pkt/s, %s left, %llu alerts\033[K", st->files_done, st->files,
	    rd, st->stdin_used ? "?" : tot, pk, rate, left,
	    (unsigned long long)alerts);
	fflush(pg->fp);
	pg->drawn = 1;
}

void
progress_clear(struct progress *pg)
{
	if (pg->fp == NULL || !pg->drawn)
		return;
	fputs("\r\033[K", pg->fp);
	fflush(pg->fp);
	pg->drawn = 0;
}
