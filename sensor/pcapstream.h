/*
 * pcapstream.h - classic pcap read from a byte stream (zin): stdin, pipes
 * and compressed files, where the zero-copy map is not possible.
 *
 * Records are handed out as pointers into one buffer (the chunk asked of
 * the stream or the largest record, at most LIM_REPLAY_BUF), refilled from
 * the stream as it drains: memory does not grow with the file and no
 * record is copied twice.  pcapng is read here too (pcapng.c), each record
 * with its own interface's link type: libpcap refuses files whose
 * interfaces differ in link type.  A stream that is neither (a modified
 * pcap magic...) is handed to libpcap as a FILE that replays the bytes
 * already read, then the rest of the stream.
 */
#ifndef ROOTWATCH_PCAPSTREAM_H
#define ROOTWATCH_PCAPSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcapfile.h"

struct zin;
struct pcapstream;

/*
 * Read the file header from z (which stays the caller's, and must outlive
 * the pcapstream).  chunk: bytes asked of the stream at once (small when
 * only the first packet is wanted).  *classic is set to 1 for classic pcap
 * and pcapng (read here), 0 for anything else.  NULL with a message on a
 * read error or a malformed pcapng header block.
 */
struct pcapstream *pcapstream_open(struct zin *z, size_t chunk, int *classic,
	    char *err, size_t errlen);
void	pcapstream_close(struct pcapstream *);
void	pcapstream_set_chunk(struct pcapstream *, size_t chunk);
const struct pcapfile_fmt *pcapstream_fmt(const struct pcapstream *);

/* As pcapfile_next(): 1 record, 0 clean end, -1 truncated or malformed.
 * r->dlt is the record's link type (pcapng: of its interface). */
int	pcapstream_next(struct pcapstream *, struct pcapfile_rec *r, char *err,
	    size_t errlen);
/* Offset of the next record in the (decompressed) stream. */
uint64_t pcapstream_offset(const struct pcapstream *);

/*
 * Not classic pcap: a FILE for pcap_fopen_offline() that reads the stream
 * from its first byte.  Close it (pcap_close does) before the pcapstream.
 */
FILE	*pcapstream_fopen(struct pcapstream *);

#endif
