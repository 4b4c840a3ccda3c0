/*
 * capture.h - capture files (pcap, pcapng, stdin) through libpcap or the
 * zero-copy pcapfile reader, with an optional BPF filter.  Live
 * interfaces: live.h.
 */
#ifndef ROOTWATCH_CAPTURE_H
#define ROOTWATCH_CAPTURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct worker;
struct pcapfile;

struct capture {
	pcap_t		*p;		/* libpcap source, or NULL with pf */
	struct pcapfile	*pf;		/* zero-copy classic pcap file */
	struct bpf_program prog;	/* filter for pf */
	int		 has_prog;
	const char	*name;		/* file name or interface */
	int		 dlt;
	uint64_t	 frames;	/* frames read from this source */
	char		*iobuf;		/* file read buffer (LIM_PCAP_FILE_BUF) */
	/* a pipe, FIFO or socket read through stdio (capture.c) */
	int		 in_fd;
	volatile sig_atomic_t *stop;
	void		(*tick)(void *);
	void		*tick_arg;
};

/* Open a capture file ("-" = stdin).  0, or -1 with a message logged. */
int	capture_open_file(struct capture *, const char *path, const char *bpf);
void	capture_close(struct capture *);

/*
 * Read a file to its end or until *stop, feeding w.  *tick (signals,
 * reload, stats) is called every LIM_FLUSH_PACKETS packets, and at least
 * once a second while a pipe or FIFO is idle.  May be NULL.  A read interrupted
 * by *stop is a clean end (0).
 * Returns 0 at a clean end, -1 on a read error (message logged with the
 * file name and offset).
 */
int	capture_run(struct capture *, struct worker *w,
	    volatile sig_atomic_t *stop, void (*tick)(void *), void *tick_arg);

#endif
