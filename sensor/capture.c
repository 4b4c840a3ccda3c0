/*
 * capture.c - capture files through libpcap or pcapfile.  See capture.h.
 * Live capture reads TPACKET_V3 rings itself (live.c, tpring.c).
 */
#define _GNU_SOURCE	/* fopencookie(3) */

#include "capture.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "log.h"
#include "pcapfile.h"
#include "sandbox.h"
#include "xmalloc.h"
#include "../parsers/decode.h"

static int
set_filter(struct capture *c, const char *bpf)
{
	struct bpf_program prog;

	if (bpf == NULL || bpf[0] == '\0')
		return 0;
	if (pcap_compile(c->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		log_warnx("%s: bad filter \"%s\": %s", c->name, bpf,
		    pcap_geterr(c->p));
		return -1;
	}
	if (pcap_setfilter(c->p, &prog) == -1) {
		log_warnx("%s: cannot set filter: %s", c->name,
		    pcap_geterr(c->p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* Both readers (libpcap's and pcapfile's) set c->dlt, then ask here. */
static int
dlt_supported(struct capture *c)
{
	if (!decode_linktype_supported(c->dlt)) {
		log_warnx("%s: link type %s (%d) is not supported", c->name,
		    pcap_datalink_val_to_name(c->dlt) ?
		    pcap_datalink_val_to_name(c->dlt) : "unknown", c->dlt);
		return -1;
	}
	return 0;
}

static int
check_linktype(struct capture *c)
{
	c->dlt = pcap_datalink(c->p);
	return dlt_supported(c);
}

/*
 * A pipe, FIFO or socket (tcpdump -w - | rootwatch -r -) is read through
 * this stdio cookie: it waits in poll(2), which a signal always
 * interrupts, so SIGTERM stops the replay and SIGHUP or SIGUSR1 are served
 * (through the tick) while no packet arrives, then it reads on.  A bare
 * fread(3) would instead fail with EINTR and end the input.
 */
static ssize_t
stream_read(void *cookie, char *buf, size_t n)
{
	struct capture *c = cookie;
	struct pollfd pfd = { c->in_fd, POLLIN, 0 };
	ssize_t r;

	for (;;) {
		if (c->stop != NULL && *c->stop) {
			errno = EINTR;
			return -1;
		}
		if (c->tick != NULL)
			c->tick(c->tick_arg);
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			return -1;
		if (pfd.revents == 0)
			continue;
		if ((r = read(c->in_fd, buf, n)) >= 0 || errno != EINTR)
			return r;
	}
}

static int
stream_close(void *cookie)
{
	struct capture *c = cookie;

	return c->in_fd > 0 ? close(c->in_fd) : 0;	/* stdin stays */
}

static FILE *
open_stream(struct capture *c, int fd)
{
	cookie_io_functions_t io = { stream_read, NULL, NULL, stream_close };

	c->in_fd = fd;
	return fopencookie(c, "rb", io);
}

/*
 * A file is read through stdio: with its default 4 KiB buffer that is one
 * read(2) per 4 KiB, a third of the time of a bare read loop.  We open it
 * ourselves with a large buffer (set before any I/O, as setvbuf requires);
 * without memory for it, the default buffer.  The descriptor may have
 * been opened before the sandbox (sandbox_open_input).
 */
static pcap_t *
open_file(struct capture *c, const char *path, char *err)
{
	struct stat sb;
	FILE *fp;
	pcap_t *p;
	int fd;

	fd = strcmp(path, "-") == 0 ? 0 : sandbox_open_input(path);
	if (fd == -1 || fstat(fd, &sb) == -1) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		if (fd > 0)
			close(fd);
		return NULL;
	}
	fp = S_ISREG(sb.st_mode) ? fdopen(fd, "rb") : open_stream(c, fd);
	if (fp == NULL) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		if (fd > 0)
			close(fd);
		return NULL;
	}
	if ((c->iobuf = xmalloc(LIM_PCAP_FILE_BUF)) != NULL &&
	    setvbuf(fp, c->iobuf, _IOFBF, LIM_PCAP_FILE_BUF) != 0) {
		xfree(c->iobuf);
		c->iobuf = NULL;
	}
	if ((p = pcap_fopen_offline(fp, err)) == NULL) {
		fclose(fp);
		xfree(c->iobuf);
		c->iobuf = NULL;
	}
	return p;
}

/* The zero-copy reader: compile the filter against its link type. */
static int
open_pcapfile(struct capture *c, const char *bpf)
{
	pcap_t *dead;
	int rc = 0;

	c->dlt = pcapfile_dlt(c->pf);
	if (dlt_supported(c) == -1)
		return -1;
	if (bpf == NULL || bpf[0] == '\0')
		return 0;
	if ((dead = pcap_open_dead(c->dlt, 262144)) == NULL)
		return -1;
	if (pcap_compile(dead, &c->prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		log_warnx("%s: bad filter \"%s\": %s", c->name, bpf,
		    pcap_geterr(dead));
		rc = -1;
	} else
		c->has_prog = 1;
	pcap_close(dead);
	return rc;
}

int
capture_open_file(struct capture *c, const char *path, const char *bpf)
{
	char err[PCAP_ERRBUF_SIZE];

	memset(c, 0, sizeof(*c));
	c->name = strcmp(path, "-") == 0 ? "stdin" : path;
	err[0] = '\0';
	switch (pcapfile_open(path, &c->pf, err, sizeof(err))) {
	case PCAPFILE_OK:
		if (open_pcapfile(c, bpf) == -1) {
			capture_close(c);
			return -1;
		}
		return 0;
	case PCAPFILE_ERROR:
		log_warnx("%s: cannot read capture: %s", c->name, err);
		return -1;
	case PCAPFILE_NOT_MINE:
		break;
	}
	c->p = open_file(c, path, err);
	if (c->p == NULL) {
		log_warnx("%s: cannot read capture: %s", c->name, err);
		return -1;
	}
	if (check_linktype(c) == -1 || set_filter(c, bpf) == -1) {
		capture_close(c);
		return -1;
	}
	return 0;
}

void
capture_close(struct capture *c)
{
	if (c->p != NULL)
		pcap_close(c->p);	/* closes the FILE before its buffer goes */
	c->p = NULL;
	xfree(c->iobuf);
	c->iobuf = NULL;
	pcapfile_close(c->pf);
	c->pf = NULL;
	if (c->has_prog)
		pcap_freecode(&c->prog);
	c->has_prog = 0;
}

static void
read_error(struct capture *c)
{
	FILE *fp = pcap_file(c->p);
	long off = fp != NULL ? ftell(fp) : -1;

	if (off >= 0)
		log_warnx("%s: offset %ld, after %llu packets: %s", c->name,
		    off, (unsigned long long)c->frames, pcap_geterr(c->p));
	else
		log_warnx("%s: after %llu packets: %s", c->name,
		    (unsigned long long)c->frames, pcap_geterr(c->p));
}

/* Replay through the zero-copy reader. */
static int
run_pcapfile(struct capture *c, struct worker *w, volatile sig_atomic_t *stop,
    void (*tick)(void *), void *tick_arg)
{
	struct pcapfile_rec r;
	struct pcap_pkthdr h;
	char err[256];
	uint64_t since_flush = 0;
	int rc;

	while (!*stop) {
		rc = pcapfile_next(c->pf, &r, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc == -1) {
			log_warnx("%s: offset %llu, after %llu packets: %s",
			    c->name, (unsigned long long)pcapfile_offset(c->pf),
			    (unsigned long long)c->frames, err);
			output_flush(w->out);
			return -1;
		}
		c->frames++;
		if (c->has_prog) {
			h.caplen = r.caplen;
			h.len = r.len;
			if (pcap_offline_filter(&c->prog, &h, r.data) == 0)
				continue;
		}
		worker_frame(w, c->dlt, r.data, r.caplen, r.len, r.ts_us);
		if (++since_flush >= LIM_FLUSH_PACKETS) {
			output_flush(w->out);
			since_flush = 0;
			if (tick != NULL)
				tick(tick_arg);
		}
	}
	output_flush(w->out);
	return 0;
}

int
capture_run(struct capture *c, struct worker *w, volatile sig_atomic_t *stop,
    void (*tick)(void *), void *tick_arg)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t since_flush = 0;
	int rc;

	if (c->pf != NULL)
		return run_pcapfile(c, w, stop, tick, tick_arg);
	c->stop = stop;		/* for stream_read */
	c->tick = tick;
	c->tick_arg = tick_arg;
	while (!*stop) {
		rc = pcap_next_ex(c->p, &h, &data);
		if (rc == 1) {
			c->frames++;
			worker_frame(w, c->dlt, data, h->caplen, h->len,
			    (uint64_t)h->ts.tv_sec * 1000000 +
			    (uint64_t)h->ts.tv_usec);
			if (++since_flush >= LIM_FLUSH_PACKETS) {
				output_flush(w->out);
				since_flush = 0;
				if (tick != NULL)
					tick(tick_arg);
			}
		} else if (rc == PCAP_ERROR_BREAK) {
			break;		/* end of file */
		} else if (rc != 0 && *stop) {
			break;		/* SIGTERM while a pipe was read */
		} else if (rc != 0) {
			read_error(c);
			output_flush(w->out);
			return -1;
		}
	}
	output_flush(w->out);
	return 0;
}
