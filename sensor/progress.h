/*
 * progress.h - one status line for long replays, on a terminal only:
 * files done/total, bytes read/total, packets, rate, time left, alerts.
 * Rate and time left are wall-clock figures about the replay itself;
 * nothing of it goes into the events, which carry packet time.
 */
#ifndef ROOTWATCH_PROGRESS_H
#define ROOTWATCH_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct input_stats;

struct progress {
	FILE		*fp;		/* NULL: disabled */
	uint64_t	 start_ns;
	uint64_t	 last_ns;	/* last redraw */
	int		 drawn;		/* a line is on the screen */
};

/* Enabled when fp is a terminal and not quiet. */
void	progress_init(struct progress *, FILE *fp, int quiet);
/* Redraw if a quarter second passed (cheap to call often). */
void	progress_update(struct progress *, const struct input_stats *,
	    uint64_t alerts);
/* Erase the line (before the summary or a warning is printed). */
void	progress_clear(struct progress *);

#endif
