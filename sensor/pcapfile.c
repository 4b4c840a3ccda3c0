/*
 * pcapfile.c - zero-copy classic pcap reader.  See pcapfile.h.
 *
 * File format (the libpcap savefile, draft-ietf-opsawg-pcap):
 *
 *    0                   1                   2                   3
 *   +---------------------------------------------------------------+
 *   |                          Magic Number                         |
 *   +-------------------------------+-------------------------------+
 *   |          Major Version        |         Minor Version         |
 *   +-------------------------------+-------------------------------+
 *   |                           Reserved1                           |
 *   |                           Reserved2                           |
 *   |                            SnapLen                            |
 *   | FCS |f|0 0 0 0 0 0 0 0 0 0 0 0|         LinkType              |
 *   +---------------------------------------------------------------+
 *   then per record:
 *   |                      Timestamp (Seconds)                      |
 *   |            Timestamp (Microseconds or nanoseconds)            |
 *   |                    Captured Packet Length                     |
 *   |                    Original Packet Length                     |
 *   /                          Packet Data                          /
 *
 * All fields are in the byte order of the writer, told by the magic:
 * 0xa1b2c3d4 (microseconds) or 0xa1b23c4d (nanoseconds).
 */
#include "pcapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "../parsers/cur.h"
#include "sandbox.h"
#include "xmalloc.h"

#define PCAP_MAGIC_US		0xa1b2c3d4u
#define PCAP_MAGIC_NS		0xa1b23c4du
#define PCAP_HDR_LEN		PCAPFILE_HDR_LEN
#define PCAP_REC_HDR_LEN	PCAPFILE_REC_HDR_LEN
#define PCAP_REC_MAX		PCAPFILE_REC_MAX
#define LINKTYPE_RAW		101

/*
 * A mapped window: unmapped when its last reference goes.  The reader
 * holds one while the window is current; the replay pool (workers.c)
 * takes its own while workers still read frames in it.
 */
struct pcapfile_win {
	void		*map;
	size_t		 len;
	_Atomic unsigned refs;
};

struct pcapfile {
	int		 fd;
	uint64_t	 size;		/* file size */
	uint64_t	 off;		/* file offset of the next record */
	struct pcapfile_win *win;	/* current window's reference */
	const uint8_t	*map;		/* current window */
	uint64_t	 map_off;	/* file offset of map[0] */
	size_t		 map_len;
	size_t		 page;
	struct pcapfile_fmt fmt;
};

static uint32_t
rd32(const struct pcapfile_fmt *fmt, struct cur *c, int *bad)
{
	uint32_t v = 0;

	if ((fmt->swapped ? cur_be32(c, &v) : cur_le32(c, &v)) == -1)
		*bad = 1;
	return v;
}

void
pcapfile_win_ref(struct pcapfile_win *w)
{
	atomic_fetch_add_explicit(&w->refs, 1, memory_order_relaxed);
}

void
pcapfile_win_unref(struct pcapfile_win *w)
{
	if (atomic_fetch_sub_explicit(&w->refs, 1, memory_order_acq_rel) != 1)
		return;
	munmap(w->map, w->len);
	xfree(w);
}

static void
unmap(struct pcapfile *pf)
{
	if (pf->win != NULL)
		pcapfile_win_unref(pf->win);
	pf->win = NULL;
	pf->map = NULL;
	pf->map_len = 0;
}

/* Map the window that holds [off, off + need). */
static int
window(struct pcapfile *pf, uint64_t off, size_t need)
{
	uint64_t start = off - off % pf->page, len;
	struct pcapfile_win *w;
	void *m;

	unmap(pf);
	if ((w = xcalloc(1, sizeof(*w))) == NULL)
		return -1;
	len = LIM_PCAP_MAP_WINDOW;
	if (len < off - start + need)
		len = off - start + need;
	if (len > pf->size - start)
		len = pf->size - start;
	m = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
	    pf->fd, (off_t)start);
	if (m == MAP_FAILED) {
		xfree(w);
		return -1;
	}
	(void)madvise(m, (size_t)len, MADV_SEQUENTIAL);
	w->map = m;
	w->len = (size_t)len;
	atomic_init(&w->refs, 1);
	pf->win = w;
	pf->map = m;
	pf->map_off = start;
	pf->map_len = (size_t)len;
	return 0;
}

/* A cursor over [off, off + n) of the file, mapping it if needed. */
static int
span(struct pcapfile *pf, uint64_t off, size_t n, struct cur *c)
{
	if (pf->size - off < n)
		return -1;
	if (pf->map == NULL || off < pf->map_off ||
	    off + n > pf->map_off + pf->map_len) {
		if (window(pf, off, n) == -1)
			return -1;
	}
	cur_init(c, pf->map + (off - pf->map_off), n);
	return 0;
}

int
pcapfile_header(struct cur *c, struct pcapfile_fmt *fmt)
{
	uint8_t m[4];
	uint32_t magic, snap, lt;
	uint16_t major;
	int bad = 0;

	if (cur_bytes(c, m, 4) == -1)
		return -1;
	magic = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 |
	    (uint32_t)m[3] << 24;
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS)
		fmt->swapped = 0;
	else if (__builtin_bswap32(magic) == PCAP_MAGIC_US ||
	    __builtin_bswap32(magic) == PCAP_MAGIC_NS) {
		fmt->swapped = 1;
		magic = __builtin_bswap32(magic);
	} else
		return -1;	/* pcapng, modified pcap... */
	fmt->nsec = magic == PCAP_MAGIC_NS;
	if ((fmt->swapped ? cur_be16(c, &major) : cur_le16(c, &major)) == -1 ||
	    cur_skip(c, 2 + 8) == -1)
		return -1;
	snap = rd32(fmt, c, &bad);
	lt = rd32(fmt, c, &bad);
	if (bad || major != 2)
		return -1;
	fmt->snaplen = snap;
	lt &= 0xffff;		/* upper bits: FCS length, not the type */
	fmt->dlt = lt == LINKTYPE_RAW ? DLT_RAW : (int)lt;
	return 0;
}

static enum pcapfile_open
parse_header(struct pcapfile *pf)
{
	struct cur c;

	if (span(pf, 0, PCAP_HDR_LEN, &c) == -1 ||
	    pcapfile_header(&c, &pf->fmt) == -1)
		return PCAPFILE_NOT_MINE;
	pf->off = PCAP_HDR_LEN;
	return PCAPFILE_OK;
}

enum pcapfile_open
pcapfile_open(const char *path, struct pcapfile **out, char *err,
    size_t errlen)
{
	struct pcapfile *pf;
	struct stat sb;
	enum pcapfile_open rc;
	long pg;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return PCAPFILE_NOT_MINE;
	if ((pf = xcalloc(1, sizeof(*pf))) == NULL)
		return PCAPFILE_NOT_MINE;
	pf->fd = sandbox_open_input(path);	/* may predate the sandbox */
	if (pf->fd == -1 || fstat(pf->fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size < PCAP_HDR_LEN) {
		/* let libpcap report it, with its own words */
		if (pf->fd != -1)
			close(pf->fd);
		xfree(pf);
		return PCAPFILE_NOT_MINE;
	}
	pg = sysconf(_SC_PAGESIZE);
	pf->page = pg > 0 ? (size_t)pg : 4096;
	pf->size = (uint64_t)sb.st_size;
	(void)err;
	(void)errlen;
	rc = parse_header(pf);
	if (rc != PCAPFILE_OK) {
		pcapfile_close(pf);
		return rc;
	}
	*out = pf;
	return PCAPFILE_OK;
}

void
pcapfile_close(struct pcapfile *pf)
{
	if (pf == NULL)
		return;
	unmap(pf);
	if (pf->fd != -1)
		close(pf->fd);
	xfree(pf);
}

int
pcapfile_dlt(const struct pcapfile *pf)
{
	return pf->fmt.dlt;
}

uint32_t
pcapfile_snaplen(const struct pcapfile *pf)
{
	return pf->fmt.snaplen;
}

uint64_t
pcapfile_offset(const struct pcapfile *pf)
{
	return pf->off;
}

int
pcapfile_next(struct pcapfile *pf, struct pcapfile_rec *r, char *err,
    size_t errlen)
{
	struct cur c;
	uint32_t w[4] = { 0, 0, 0, 0 };	/* sec, fraction, captured, original */

	if (pf->off == pf->size)
		return 0;
	/* Common case: the whole record is inside the current window. */
	if (pf->map != NULL && pf->off >= pf->map_off &&
	    pf->off - pf->map_off < pf->map_len)
		cur_init(&c, pf->map + (pf->off - pf->map_off),
		    pf->map_len - (size_t)(pf->off - pf->map_off));
	else
		cur_init(&c, NULL, 0);
	if (cur_left(&c) < PCAP_REC_HDR_LEN &&
	    span(pf, pf->off, PCAP_REC_HDR_LEN, &c) == -1) {
		snprintf(err, errlen, "truncated record header: %llu bytes "
		    "left, 16 needed", (unsigned long long)(pf->size - pf->off));
		return -1;
	}
	if (pcapfile_rec_header(&pf->fmt, &c, w) == -1 || w[2] > PCAP_REC_MAX) {
		snprintf(err, errlen, "bad record: captured length %u", w[2]);
		return -1;
	}
	if (cur_left(&c) < w[2] &&
	    span(pf, pf->off + PCAP_REC_HDR_LEN, w[2], &c) == -1) {
		snprintf(err, errlen, "truncated record: %u bytes captured, "
		    "%llu left in the file", w[2], (unsigned long long)
		    (pf->size - pf->off - PCAP_REC_HDR_LEN));
		return -1;
	}
	r->data = cur_ptr(&c);
	r->win = pf->win;
	r->caplen = w[2];
	r->len = w[3] > w[2] ? w[3] : w[2];
	r->ts_us = pcapfile_ts_us(&pf->fmt, w);
	r->dlt = pf->fmt.dlt;
	pf->off += PCAP_REC_HDR_LEN + (uint64_t)w[2];
	/* The next record's header and first bytes are the reader's next
	 * cache misses (a bulk frame is a kilobyte or more): ask for them
	 * while this frame is worked on.  A hint: it never faults. */
	if (pf->off - pf->map_off + 64 <= pf->map_len) {
		__builtin_prefetch(pf->map + (pf->off - pf->map_off));
		__builtin_prefetch(pf->map + (pf->off - pf->map_off) + 64);
	}
	return 1;
}
