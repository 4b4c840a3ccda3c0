/*
 * probe_sched.c - the probe's schedule.  See probe_sched.h.
 */
#include "probe_sched.h"

#include <string.h>

#include "xmalloc.h"

#define HOUR	3600u

int
probe_sched_init(struct probe_sched *s, size_t n, uint64_t now,
    uint64_t period, uint64_t jitter, unsigned max_per_hour,
    uint64_t (*rnd)(void *), void *rnd_arg)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->period = period;
	s->jitter = jitter;
	s->rnd = rnd;
	s->rnd_arg = rnd_arg;
	s->hour_cap = max_per_hour;
	if ((s->names = xcalloc(n > 0 ? n : 1, sizeof(*s->names))) == NULL ||
	    (s->hour = xcalloc(max_per_hour > 0 ? max_per_hour : 1,
	    sizeof(*s->hour))) == NULL) {
		probe_sched_free(s);
		return -1;
	}
	/* the first round within the jitter: sensors started together
	 * (a fleet rebooted) do not probe together */
	s->next_round = now + (jitter > 0 ? rnd(rnd_arg) % (jitter + 1) : 0);
	return 0;
}

void
probe_sched_free(struct probe_sched *s)
{
	xfree(s->names);
	xfree(s->hour);
	s->names = NULL;
	s->hour = NULL;
}

long
probe_sched_add(struct probe_sched *s)
{
	struct probe_sched_name *v;

	if ((v = xreallocarray(s->names, s->n + 1, sizeof(*v))) == NULL)
		return -1;
	s->names = v;
	memset(&v[s->n], 0, sizeof(v[s->n]));
	return (long)s->n++;
}

/* The last round's failures become backoff; a new round begins. */
static void
sched_new_round(struct probe_sched *s, uint64_t now)
{
	struct probe_sched_name *nm;
	unsigned sit;
	size_t i;

	s->round++;
	for (i = 0; i < s->n; i++) {
		nm = &s->names[i];
		if (nm->tried && !nm->got_chain && i > 0) {
			nm->fails++;
			sit = nm->fails > 7 ? LIM_PROBE_BACKOFF :
			    1u << (nm->fails - 1);
			if (sit > LIM_PROBE_BACKOFF)
				sit = LIM_PROBE_BACKOFF;
			nm->skip_until = s->round + sit;
		} else if (nm->tried)
			nm->fails = 0;
		nm->tried = nm->got_chain = 0;
	}
	s->cursor = 0;
	s->in_round = 1;
	s->next_round = now + s->period +
	    (s->jitter > 0 ? s->rnd(s->rnd_arg) % (s->jitter + 1) : 0);
}

/* Room under the hourly cap at now: 1, and the attempt is counted. */
static int
sched_take_hour(struct probe_sched *s, uint64_t now)
{
	size_t oldest;

	if (s->hour_cap == 0)
		return 0;
	if (s->hour_n == s->hour_cap) {
		oldest = s->hour_head;	/* the ring is full: head is oldest */
		if (s->hour[oldest] + HOUR > now)
			return 0;
		s->hour[oldest] = now;
		s->hour_head = (s->hour_head + 1) % s->hour_cap;
		return 1;
	}
	s->hour[(s->hour_head + s->hour_n) % s->hour_cap] = now;
	s->hour_n++;
	return 1;
}

int
probe_sched_next(struct probe_sched *s, uint64_t now, size_t *name,
    int *tls12)
{
	struct probe_sched_name *nm;
	size_t i;

	if (s->n == 0)
		return 0;
	if (!s->in_round) {
		if (now < s->next_round)
			return 0;
		sched_new_round(s, now);
	}
	while (s->cursor < 2 * s->n) {
		i = s->cursor / 2;
		nm = &s->names[i];
		*name = i;
		*tls12 = (int)(s->cursor % 2);
		s->cursor++;
		if (nm->skip_until > s->round) {
			if (*tls12 == 0)
				nm->c.skipped_backoff++;
			continue;
		}
		if (!sched_take_hour(s, now)) {
			nm->c.skipped_rate++;
			continue;
		}
		nm->tried = 1;
		nm->c.probes++;
		return 1;
	}
	s->in_round = 0;
	return 0;
}

void
probe_sched_done(struct probe_sched *s, size_t name, int chain, int timeout)
{
	struct probe_sched_name *nm;

	if (name >= s->n)
		return;
	nm = &s->names[name];
	if (chain) {
		nm->got_chain = 1;
		nm->c.ok++;
	} else if (timeout)
		nm->c.timeouts++;
	else
		nm->c.failed++;
}
