/*
 * src.c - one replayed capture file.  See src.h.
 *
 *   path -> plain classic pcap on disk?   -> pcapfile (zero-copy map)
 *        -> zin (detects gzip/xz/zstd)    -> classic pcap? -> pcapstream
 *                                         -> otherwise     -> libpcap over
 *                                            a FILE reading the same stream
 */
#include "src.h"

#include <string.h>

#include "pcapfile.h"
#include "pcapstream.h"
#include "xmalloc.h"
#include "zin.h"
#include "../parsers/decode.h"

/* Bytes asked of a stream at once when only the first packet is wanted. */
#define SRC_SCAN_CHUNK	(64u << 10)

static int
src_fail(struct src *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s", what);
	src_close(s);
	return -1;
}

/* The filter, compiled once for the file's link type. */
static int
setup(struct src *s, int dlt, const char *bpf)
{
	pcap_t *dead;
	char msg[PCAP_ERRBUF_SIZE + 64];
	int rc = 0;

	s->cur.dlt = dlt;
	if (!decode_linktype_supported(dlt)) {
		snprintf(msg, sizeof(msg), "link type %s (%d) is not supported",
		    pcap_datalink_val_to_name(dlt) != NULL ?
		    pcap_datalink_val_to_name(dlt) : "unknown", dlt);
		return src_fail(s, msg);
	}
	if (bpf == NULL || bpf[0] == '\0')
		return 0;
	if ((dead = pcap_open_dead(dlt, 262144)) == NULL)
		return src_fail(s, "out of memory");
	s->bpf = bpf;
	s->prog_dlt = dlt;
	if (pcap_compile(dead, &s->prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(msg, sizeof(msg), "bad filter \"%s\": %s", bpf,
		    pcap_geterr(dead));
		rc = -1;
	} else
		s->has_prog = 1;
	pcap_close(dead);
	return rc == -1 ? src_fail(s, msg) : 0;
}

/* Not classic pcap: libpcap reads the stream (pcapng) or says what it is. */
static int
open_libpcap(struct src *s, const char *bpf)
{
	char err[PCAP_ERRBUF_SIZE], msg[PCAP_ERRBUF_SIZE + 64];
	FILE *fp;

	if ((fp = pcapstream_fopen(s->ps)) == NULL)
		return src_fail(s, "out of memory");
	err[0] = '\0';
	if ((s->p = pcap_fopen_offline(fp, err)) == NULL) {
		fclose(fp);
		snprintf(msg, sizeof(msg), "%s%s%s", s->compressed ?
		    zin_codec_name(zin_codec(s->z)) : "", s->compressed ?
		    "-compressed, " : "", err);
		return src_fail(s, msg);
	}
	s->kind = SRC_PCAP;
	return setup(s, pcap_datalink(s->p), bpf);
}

int
src_open(struct src *s, const char *path, const char *name, const char *bpf,
    int scan, zin_wait_fn wait, void *wait_arg)
{
	char err[200];
	int classic;

	memset(s, 0, sizeof(*s));
	s->name = name;
	err[0] = '\0';
	if (!scan && pcapfile_open(path, &s->pf, err, sizeof(err)) ==
	    PCAPFILE_OK) {
		s->kind = SRC_MAP;
		return setup(s, pcapfile_dlt(s->pf), bpf);
	}
	if ((s->z = zin_open(path, wait, wait_arg, err, sizeof(err))) == NULL)
		return src_fail(s, err);
	s->compressed = zin_codec(s->z) != ZIN_NONE;
	if (!scan)
		(void)zin_pipeline(s->z);	/* else this thread inflates */
	s->ps = pcapstream_open(s->z, scan ? SRC_SCAN_CHUNK : LIM_REPLAY_BUF,
	    &classic, err, sizeof(err));
	if (s->ps == NULL)
		return src_fail(s, err);
	if (!classic)
		return open_libpcap(s, bpf);
	s->kind = SRC_STREAM;
	return setup(s, pcapstream_fmt(s->ps)->dlt, bpf);
}

void
src_unscan(struct src *s)
{
	if (s->ps != NULL)
		pcapstream_set_chunk(s->ps, LIM_REPLAY_BUF);
	if (s->z != NULL)
		(void)zin_pipeline(s->z);	/* stdin from a file */
}

void
src_close(struct src *s)
{
	if (s->p != NULL)
		pcap_close(s->p);	/* its FILE reads the pcapstream */
	s->p = NULL;
	pcapstream_close(s->ps);
	s->ps = NULL;
	zin_close(s->z);
	s->z = NULL;
	pcapfile_close(s->pf);
	s->pf = NULL;
	if (s->has_prog)
		pcap_freecode(&s->prog);
	s->has_prog = 0;
	while (s->nxprog > 0)
		pcap_freecode(&s->xprog[--s->nxprog]);
}

/*
 * The filter for a record of link type dlt: a pcapng file may hold
 * interfaces of several link types, and a BPF program only fits one.
 * NULL, with s->err, when it cannot be compiled for this one.
 */
static struct bpf_program *
src_prog(struct src *s, int dlt)
{
	pcap_t *dead;
	int i, rc;

	if (dlt == s->prog_dlt)
		return &s->prog;
	for (i = 0; i < s->nxprog; i++)
		if (s->xdlt[i] == dlt)
			return &s->xprog[i];
	if (s->nxprog == SRC_XPROGS) {
		snprintf(s->err, sizeof(s->err), "filter: more than %d link "
		    "types in one file", SRC_XPROGS + 1);
		return NULL;
	}
	if ((dead = pcap_open_dead(dlt, 262144)) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return NULL;
	}
	rc = pcap_compile(dead, &s->xprog[s->nxprog], s->bpf, 1,
	    PCAP_NETMASK_UNKNOWN);
	if (rc == -1)
		snprintf(s->err, sizeof(s->err), "filter \"%s\" on link type "
		    "%d: %s", s->bpf, dlt, pcap_geterr(dead));
	pcap_close(dead);
	if (rc == -1)
		return NULL;
	s->xdlt[s->nxprog] = dlt;
	return &s->xprog[s->nxprog++];
}

static int
next_libpcap(struct src *s, struct pcapfile_rec *r)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	rc = pcap_next_ex(s->p, &h, &data);
	if (rc == 1) {
		r->data = data;
		r->caplen = h->caplen;
		r->len = h->len;
		r->ts_us = (uint64_t)h->ts.tv_sec * 1000000 +
		    (uint64_t)h->ts.tv_usec;
		r->dlt = s->cur.dlt;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	/* A stream error shows in libpcap as a short read: say the cause. */
	snprintf(s->err, sizeof(s->err), "%s", zin_failed(s->z) ?
	    zin_error(s->z) : pcap_geterr(s->p));
	return -1;
}

int
src_next(struct src *s)
{
	struct pcapfile_rec r;
	struct pcap_pkthdr h;
	struct bpf_program *prog;
	int rc;

	for (;;) {
		r.win = NULL;
		switch (s->kind) {
		case SRC_MAP:
			rc = pcapfile_next(s->pf, &r, s->err, sizeof(s->err));
			break;
		case SRC_STREAM:
			rc = pcapstream_next(s->ps, &r, s->err, sizeof(s->err));
			break;
		default:
			rc = next_libpcap(s, &r);
			break;
		}
		if (rc != 1)
			return rc;
		s->frames++;
		if (s->has_prog) {
			if ((prog = src_prog(s, r.dlt)) == NULL)
				return -1;
			h.caplen = r.caplen;
			h.len = r.len;
			if (pcap_offline_filter(prog, &h, r.data) == 0)
				continue;
		}
		s->cur.dlt = r.dlt;
		s->cur.data = r.data;
		s->cur.win = r.win;
		s->cur.caplen = r.caplen;
		s->cur.len = r.len;
		s->cur.ts_us = r.ts_us;
		return 1;
	}
}

uint64_t
src_offset(const struct src *s)
{
	switch (s->kind) {
	case SRC_MAP:
		return pcapfile_offset(s->pf);
	case SRC_STREAM:
		return pcapstream_offset(s->ps);
	default:
		return zin_raw_offset(s->z);
	}
}

uint64_t
src_raw_offset(const struct src *s)
{
	return s->kind == SRC_MAP ? pcapfile_offset(s->pf) :
	    zin_raw_offset(s->z);
}
