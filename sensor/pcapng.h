/*
 * pcapng.h - the pcapng blocks that carry packets, one whole block at a
 * time, for the streaming reader (pcapstream.c).
 *
 * libpcap 1.10 refuses a pcapng file whose interfaces have different link
 * types ("an interface has a type N different from the type of the first
 * interface"), which is what Wireshark writes when it captures on several
 * interfaces at once, and what mergecap makes of captures from different
 * links.  Here every interface keeps its own link type, snaplen and
 * timestamp resolution, and every record says its link type.
 *
 * The caller cuts blocks (pcapng_block_len() on the first 12 bytes) and
 * hands each whole block to pcapng_block(); nothing here reads past the
 * cursor it is given.
 */
#ifndef ROOTWATCH_PCAPNG_H
#define ROOTWATCH_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "pcapfile.h"
#include "../parsers/cur.h"

#define PCAPNG_SHB		0x0a0d0d0au
#define PCAPNG_HDR_PEEK		12	/* type, length, byte-order magic */

struct pcapng_if {
	int		 dlt;
	uint32_t	 snaplen;
	uint8_t		 tsres;		/* exponent: 10^-n, or 2^-n if bin */
	uint8_t		 tsres_bin;
	int64_t		 tsoff_s;	/* if_tsoffset, seconds */
};

struct pcapng {
	int		 swapped;	/* this section is big-endian */
	int		 in_section;	/* an SHB was seen */
	uint32_t	 nif;
	struct pcapng_if ifs[LIM_PCAPNG_IFACES];
};

/* Do these bytes start a pcapng file (a Section Header Block)? */
int	pcapng_is(struct cur c);

/*
 * Total length of the block at the start of c (at least PCAPNG_HDR_PEEK
 * bytes): 0 and *len, or -1 with a message (a length below 12, not a
 * multiple of 4, or past PCAPNG_BLOCK_MAX).  An SHB sets the byte order
 * of its section here.
 */
int	pcapng_block_len(struct pcapng *ng, struct cur c, uint32_t *len,
	    char *err, size_t errlen);

/*
 * One whole block (as long as pcapng_block_len() said): 1 and *r filled
 * (pointing into the block) for a packet, 0 for any other block, -1 with
 * a message when it is malformed.
 */
int	pcapng_block(struct pcapng *ng, struct cur blk, struct pcapfile_rec *r,
	    char *err, size_t errlen);

#endif
