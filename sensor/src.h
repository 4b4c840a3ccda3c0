/*
 * src.h - one capture file being replayed, whatever its format: the
 * zero-copy map (plain classic pcap on disk), the streaming reader (classic
 * pcap from stdin or through a decompressor) or libpcap (pcapng, modified
 * pcap magics), behind one next-record call.  Used by input.c.
 */
#ifndef ROOTWATCH_SRC_H
#define ROOTWATCH_SRC_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "input.h"

struct pcapfile;
struct pcapstream;
struct zin;
#include "zin.h"

enum src_kind {
	SRC_MAP,	/* pcapfile.c */
	SRC_STREAM,	/* pcapstream.c over zin.c */
	SRC_PCAP,	/* libpcap over zin.c */
};

/* Link types with a filter in one pcapng file beyond the first. */
#define SRC_XPROGS	7

struct src {
	enum src_kind		 kind;
	const char		*name;		/* for messages */
	struct pcapfile		*pf;
	struct zin		*z;
	struct pcapstream	*ps;
	pcap_t			*p;
	struct bpf_program	 prog;		/* for cur.dlt at open */
	int			 has_prog;
	int			 prog_dlt;
	/* pcapng interfaces of other link types: the filter compiled for
	 * each, as their first packet comes */
	const char		*bpf;
	struct bpf_program	 xprog[SRC_XPROGS];
	int			 xdlt[SRC_XPROGS];
	int			 nxprog;
	int			 compressed;
	uint64_t		 frames;	/* records read, filtered or not */
	struct input_frame	 cur;		/* the record last read */
	char			 err[400];
};

/*
 * Open path ("-" = stdin).  scan: only the first packet is wanted, so read
 * little and do not map.  0, or -1 with the reason in s->err.
 */
int	src_open(struct src *, const char *path, const char *name,
	    const char *bpf, int scan, zin_wait_fn wait, void *wait_arg);
/* Make a source opened for a scan fit for the whole file (stdin). */
void	src_unscan(struct src *);
void	src_close(struct src *);
/* Next record into s->cur: 1, 0 at the clean end, -1 damaged (s->err). */
int	src_next(struct src *);
/* Offset of the next record (uncompressed stream), for messages. */
uint64_t src_offset(const struct src *);
/* Bytes of the file consumed so far (compressed bytes), for progress. */
uint64_t src_raw_offset(const struct src *);

#endif
