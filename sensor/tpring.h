/*
 * tpring.h - reading a TPACKET_V3 capture ring (packet_mmap), the socket
 * handed over by the capture helper (privsep.h).
 *
 * The kernel fills fixed-size blocks, each a struct tpacket_block_desc
 * followed by a chain of struct tpacket3_hdr frames, and hands a block to
 * user space by setting TP_STATUS_USER in its status; we give it back
 * with TP_STATUS_KERNEL.  Blocks are handed over in ring order.  One
 * thread reads a ring; libpcap is not involved.
 */
#ifndef ROOTWATCH_TPRING_H
#define ROOTWATCH_TPRING_H

#include <stddef.h>
#include <stdint.h>

struct tpring {
	int		 fd;		/* the packet socket, -1: none */
	uint8_t		*map;
	size_t		 block_size, block_nr;
	size_t		 next;		/* the block to look at next */
	int		 dlt;
	uint8_t		*vbuf;		/* a frame with its VLAN tag put back */
	size_t		 vcap;
	uint64_t	 frames, bad;	/* bad: headers off the block */
};

typedef void (*tpring_frame_fn)(void *arg, int dlt, const uint8_t *data,
    size_t caplen, size_t len, uint64_t ts_us);

/* Map fd's ring (block_nr blocks of block_size).  0, or -1 with errno;
 * fd is the ring's from then on (closed by tpring_close). */
int	tpring_open(struct tpring *, int fd, size_t block_size,
	    size_t block_nr, int dlt, size_t snaplen);
void	tpring_close(struct tpring *);
/* Hand up to max_blocks ready blocks to fn, frame by frame; the number
 * of frames handed.  A frame whose offsets leave its block ends the walk
 * of that block (counted in bad). */
size_t	tpring_read(struct tpring *, size_t max_blocks, tpring_frame_fn fn,
	    void *arg);
/* The socket's counters since the last call (PACKET_STATISTICS reads
 * and resets them): packets (drops included), drops.  0 or -1. */
int	tpring_stats(struct tpring *, uint64_t *packets, uint64_t *drops);

#endif
