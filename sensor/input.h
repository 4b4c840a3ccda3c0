/*
 * input.h - replay: capture files as one time-ordered frame stream.
 *
 * -r arguments are files, directories (their capture files, recursively),
 * glob patterns (expanded here when the shell did not) or "-" (stdin).
 * Each file may be classic pcap or pcapng, plain or gzip/xz/zstd
 * compressed.  Files are ordered by the time of their first packet and
 * merged by packet timestamp, as mergecap does: files that follow one
 * another are read one after the other, files whose time ranges overlap
 * (two taps, two directions) are interleaved, so a flow spanning files is
 * seen as one.  A damaged file is reported (file, offset, packet number);
 * its packets up to the damage count and the replay goes on.
 *
 * The reader hands frames to a consumer callback; the consumer may be the
 * worker itself or the rings feeding worker threads.  The frame's bytes
 * are valid only during the call, unless the consumer takes a reference
 * on its window (win, zero-copy files only).
 */
#ifndef ROOTWATCH_INPUT_H
#define ROOTWATCH_INPUT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "zin.h"

struct input;
struct pcapfile_win;

struct input_frame {
	const uint8_t	*data;
	struct pcapfile_win *win;	/* a mapped file's window that data
					 * is in (pcapfile.h), or NULL */
	uint32_t	 caplen;
	uint32_t	 len;		/* original length on the wire */
	uint64_t	 ts_us;
	int		 dlt;
};

typedef void (*input_consumer)(void *arg, const struct input_frame *);
/* Called every LIM_FLUSH_PACKETS frames and when a file ends. */
typedef void (*input_tick)(void *arg);

struct input_stats {
	size_t		 files;		/* capture files found */
	size_t		 files_done;	/* read to their end, or given up */
	size_t		 files_bad;	/* unreadable, damaged, not a capture */
	size_t		 compressed;	/* of them, gzip/xz/zstd */
	uint64_t	 bytes_total;	/* file sizes (stdin: unknown, 0) */
	uint64_t	 bytes_done;	/* of bytes_total, read so far */
	uint64_t	 frames;	/* frames handed to the consumer */
	uint64_t	 first_ts_us;	/* packet time span (0: no packet) */
	uint64_t	 last_ts_us;
	int		 stdin_used;
};

struct input *input_new(const char *bpf);
void	input_free(struct input *);

/*
 * Add one -r argument.  A path that does not exist (and matches no glob)
 * is reported and counted bad; -1 only for a usage error ("-" twice).
 */
int	input_add(struct input *, const char *arg);

/*
 * Find every file's first packet and put the files in time order.
 * Unreadable files and files that are not captures are reported here.
 */
void	input_scan(struct input *);

/*
 * Merge the files into the consumer until they end or *stop.  Returns the
 * number of bad files (0: every file read to its clean end).
 */
size_t	input_run(struct input *, input_consumer fn, void *arg,
	    volatile sig_atomic_t *stop, input_tick tick, void *tick_arg);

/* Called before the reader logs a warning (to erase a progress line). */
void	input_set_log_hook(struct input *, void (*fn)(void *), void *arg);
/* Called while a pipe or FIFO input is idle (zin.h); 1 stops it. */
void	input_set_wait(struct input *, zin_wait_fn fn, void *arg);

/* During the consumer's call: the frame's file and its record number in
 * that file (1-based, as Wireshark counts).  -1 outside a call. */
int	input_current(const struct input *, const char **name,
	    uint64_t *pktno);

/* Counters; bytes_done is brought up to date by the call. */
const struct input_stats *input_stats(struct input *);

#endif
