/*
 * pcapfile.h - a zero-copy reader for classic pcap files.
 *
 * libpcap reads a savefile with fread into its buffer and copies every
 * record again; on a page-cached file that is most of the cost of a
 * replay.  For regular files in the classic format (usec or nsec, either
 * byte order) we map the file in windows and hand out pointers into the
 * mapping instead.  Everything else (pcapng, stdin, pipes, odd magics,
 * mmap failure) goes through libpcap, which stays the reference.
 *
 * Memory stays flat: the reader maps one window (LIM_PCAP_MAP_WINDOW) at a
 * time, so the mapped file does not show up as resident memory; with
 * worker threads, a few more stay mapped until the workers are past them
 * (LIM_AUTOFP_WINDOWS).
 */
#ifndef ROOTWATCH_PCAPFILE_H
#define ROOTWATCH_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "../parsers/cur.h"

struct pcapfile;
struct pcapfile_win;

struct pcapfile_rec {
	uint64_t	 ts_us;
	const uint8_t	*data;		/* valid until the next call, or
					 * while win is referenced */
	struct pcapfile_win *win;	/* the mapped window data is in
					 * (NULL: other readers' records) */
	uint32_t	 caplen;
	uint32_t	 len;		/* original length on the wire */
	int		 dlt;		/* link type (pcapng: per interface) */
};

/* What the file header says; shared with the streaming reader. */
struct pcapfile_fmt {
	int		 swapped;	/* file byte order != little endian */
	int		 nsec;
	int		 dlt;		/* DLT_ value */
	uint32_t	 snaplen;
};

/* Records larger than this are corrupt (libpcap's own ceiling is 256 KiB
 * for most link types; D-Bus allows 128 MiB, which we do not read). */
#define PCAPFILE_REC_MAX	(1u << 20)
#define PCAPFILE_HDR_LEN	24
#define PCAPFILE_REC_HDR_LEN	16

/*
 * Parse the 24-byte file header: 0 and *fmt filled, -1 when it is not a
 * classic pcap header (pcapng, a modified pcap magic, garbage).
 */
int	pcapfile_header(struct cur *c, struct pcapfile_fmt *fmt);

/* The four record header words (sec, fraction, captured, original). */
static inline int
pcapfile_rec_header(const struct pcapfile_fmt *fmt, struct cur *c,
    uint32_t w[4])
{
	if (fmt->swapped)
		return cur_be32(c, &w[0]) || cur_be32(c, &w[1]) ||
		    cur_be32(c, &w[2]) || cur_be32(c, &w[3]) ? -1 : 0;
	return cur_le32(c, &w[0]) || cur_le32(c, &w[1]) ||
	    cur_le32(c, &w[2]) || cur_le32(c, &w[3]) ? -1 : 0;
}

/* Record header words to microseconds. */
static inline uint64_t
pcapfile_ts_us(const struct pcapfile_fmt *fmt, const uint32_t w[4])
{
	return (uint64_t)w[0] * 1000000 + (fmt->nsec ? w[1] / 1000 : w[1]);
}

enum pcapfile_open {
	PCAPFILE_OK,
	PCAPFILE_NOT_MINE,	/* use libpcap (not an error) */
	PCAPFILE_ERROR,		/* message in err */
};

enum pcapfile_open pcapfile_open(const char *path, struct pcapfile **out,
	    char *err, size_t errlen);
void	pcapfile_close(struct pcapfile *);
/* Link type as a pcap DLT_ value. */
int	pcapfile_dlt(const struct pcapfile *);
uint32_t pcapfile_snaplen(const struct pcapfile *);

/*
 * Next record: 1 and *r filled, 0 at the clean end of the file, -1 on a
 * truncated or malformed record (err says what, at which offset).
 */
int	pcapfile_next(struct pcapfile *, struct pcapfile_rec *r, char *err,
	    size_t errlen);
/*
 * A record's window stays mapped while a reference is held: the replay
 * pool hands workers pointers into it instead of copies (workers.c).
 * Either call may come from any thread; the last unref unmaps it.
 */
void	pcapfile_win_ref(struct pcapfile_win *);
void	pcapfile_win_unref(struct pcapfile_win *);

/* File offset of the next record. */
uint64_t pcapfile_offset(const struct pcapfile *);

#endif
