/*
 * pcapstream.c - classic pcap and pcapng over a byte stream.  See
 * pcapstream.h; the formats are drawn in pcapfile.c and pcapng.c.
 */
#define _GNU_SOURCE	/* fopencookie */
#include "pcapstream.h"

#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include <pcap/dlt.h>

#include "pcapng.h"
#include "xmalloc.h"
#include "zin.h"

struct pcapstream {
	struct zin	*z;
	uint8_t		*buf;		/* cap bytes */
	size_t		 cap;		/* grows, at most LIM_REPLAY_BUF */
	size_t		 pos;		/* next unread byte */
	size_t		 len;		/* valid bytes */
	uint64_t	 base;		/* stream offset of buf[0] */
	size_t		 chunk;
	int		 eof;
	int		 failed;
	struct pcapfile_fmt fmt;
	struct pcapng	*ng;		/* pcapng: the section's interfaces */
};

/*
 * The buffer is as large as the chunk asked of the stream, or the record
 * being read, whichever is larger (doubling, at least PS_BUF_MIN, at most
 * LIM_REPLAY_BUF, which a record with its header always fits): a file
 * opened only for its first packet (a 64 KiB chunk) holds 64 KiB, not 2 MiB.
 */
#define PS_BUF_MIN	(64u << 10)
_Static_assert(PCAPFILE_REC_HDR_LEN + PCAPFILE_REC_MAX <= LIM_REPLAY_BUF,
    "a record and its header fit the largest buffer");

static int
grow(struct pcapstream *ps, size_t need)
{
	size_t cap = ps->chunk > need ? ps->chunk : need;
	uint8_t *b;

	if (cap < PS_BUF_MIN)
		cap = PS_BUF_MIN;
	if (cap < 2 * ps->cap)
		cap = 2 * ps->cap;
	if (cap > LIM_REPLAY_BUF)
		cap = LIM_REPLAY_BUF;
	if (cap <= ps->cap)
		return 0;
	if ((b = xreallocarray(ps->buf, cap, 1)) == NULL)
		return -1;
	ps->buf = b;
	ps->cap = cap;
	return 0;
}

/*
 * Have at least need bytes at pos: 1, 0 when the stream ends first, -1 on
 * a stream error or no memory (message in err).  The unread tail moves to
 * the front and the buffer may move, so a record pointer handed out before
 * is no longer valid.
 */
static int
fill(struct pcapstream *ps, size_t need, char *err, size_t errlen)
{
	ssize_t n;
	size_t want;

	if (ps->pos > 0 && ps->len - ps->pos < need) {
		memmove(ps->buf, ps->buf + ps->pos, ps->len - ps->pos);
		ps->base += ps->pos;
		ps->len -= ps->pos;
		ps->pos = 0;
	}
	if ((ps->cap < need || ps->cap < ps->chunk) && grow(ps, need) == -1) {
		snprintf(err, errlen, "out of memory");
		ps->failed = 1;
		return -1;
	}
	while (ps->len - ps->pos < need && !ps->eof) {
		want = ps->cap - ps->len;
		if (want > ps->chunk && ps->len + ps->chunk >= need)
			want = ps->chunk;
		n = zin_read(ps->z, ps->buf + ps->len, want);
		if (n == -1) {
			snprintf(err, errlen, "%s", zin_error(ps->z));
			ps->failed = 1;
			return -1;
		}
		if (n == 0)
			ps->eof = 1;
		ps->len += (size_t)n;
	}
	return ps->len - ps->pos >= need;
}

static int
truncated(struct pcapstream *ps, size_t need, const char *what, char *err,
    size_t errlen);

/* pcapng: the next whole block into *blk (valid until the next fill): 1,
 * 0 at the clean end of the stream, -1 with a message. */
static int
ng_block(struct pcapstream *ps, struct cur *blk, char *err, size_t errlen)
{
	struct cur c;
	uint32_t len;
	int rc;

	if ((rc = fill(ps, PCAPNG_HDR_PEEK, err, errlen)) != 1) {
		if (rc == -1)
			return -1;
		return ps->len == ps->pos ? 0 : truncated(ps, PCAPNG_HDR_PEEK,
		    "pcapng block header", err, errlen);
	}
	cur_init(&c, ps->buf + ps->pos, ps->len - ps->pos);
	if (pcapng_block_len(ps->ng, c, &len, err, errlen) != 0)
		return -1;
	if ((rc = fill(ps, len, err, errlen)) != 1)
		return rc == -1 ? -1 : truncated(ps, len, "pcapng block", err,
		    errlen);
	cur_init(blk, ps->buf + ps->pos, len);
	ps->pos += len;
	return 1;
}

/* pcapng: the next packet, other blocks read on the way. */
static int
ng_next(struct pcapstream *ps, struct pcapfile_rec *r, char *err,
    size_t errlen)
{
	struct cur blk;
	int rc;

	for (;;) {
		if ((rc = ng_block(ps, &blk, err, errlen)) != 1)
			return rc;
		if ((rc = pcapng_block(ps->ng, blk, r, err, errlen)) != 0)
			return rc;
	}
}

/*
 * A pcapng stream: read up to its first interface description, whose
 * link type becomes the file's (the BPF filter is compiled for it and
 * the "link type not supported" check made on it, as for classic pcap);
 * every record then says its own interface's link type.
 */
static int
ng_open(struct pcapstream *ps, char *err, size_t errlen)
{
	struct cur blk;
	struct pcapfile_rec r;
	int rc;

	if ((ps->ng = xcalloc(1, sizeof(*ps->ng))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ps->fmt.dlt = DLT_EN10MB;	/* no interface at all: no packet */
	while (ps->ng->nif == 0) {
		if ((rc = ng_block(ps, &blk, err, errlen)) == 0)
			return 0;
		if (rc == -1 || pcapng_block(ps->ng, blk, &r, err,
		    errlen) != 0)
			return -1;	/* a packet here has no interface */
	}
	ps->fmt.dlt = ps->ng->ifs[0].dlt;
	ps->fmt.snaplen = ps->ng->ifs[0].snaplen;
	return 0;
}


struct pcapstream *
pcapstream_open(struct zin *z, size_t chunk, int *classic, char *err,
    size_t errlen)
{
	struct pcapstream *ps;
	struct cur c;

	*classic = 0;
	if ((ps = xcalloc(1, sizeof(*ps))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ps->z = z;
	ps->chunk = chunk;
	switch (fill(ps, PCAPFILE_HDR_LEN, err, errlen)) {
	case -1:
		pcapstream_close(ps);
		return NULL;
	case 0:
		return ps;	/* too short: libpcap says what it is */
	}
	cur_init(&c, ps->buf, ps->len);
	if (pcapfile_header(&c, &ps->fmt) == 0) {
		*classic = 1;
		ps->pos = PCAPFILE_HDR_LEN;
	} else {
		cur_init(&c, ps->buf, ps->len);	/* the header read moved c */
		if (!pcapng_is(c))
			return ps;	/* libpcap's turn */
		if (ng_open(ps, err, errlen) != 0) {
			pcapstream_close(ps);
			return NULL;
		}
		*classic = 1;
	}
	return ps;
}

void
pcapstream_close(struct pcapstream *ps)
{
	if (ps == NULL)
		return;
	xfree(ps->ng);
	xfree(ps->buf);
	xfree(ps);
}

void
pcapstream_set_chunk(struct pcapstream *ps, size_t chunk)
{
	ps->chunk = chunk;
}

const struct pcapfile_fmt *
pcapstream_fmt(const struct pcapstream *ps)
{
	return &ps->fmt;
}

uint64_t
pcapstream_offset(const struct pcapstream *ps)
{
	return ps->base + ps->pos;
}

static int
truncated(struct pcapstream *ps, size_t need, const char *what, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "truncated %s: %zu bytes left, %zu needed", what,
	    ps->len - ps->pos, need);
	return -1;
}

int
pcapstream_next(struct pcapstream *ps, struct pcapfile_rec *r, char *err,
    size_t errlen)
{
	struct cur c;
	uint32_t w[4] = { 0, 0, 0, 0 };
	int rc;

	if (ps->ng != NULL)
		return ng_next(ps, r, err, errlen);
	if (ps->len - ps->pos < PCAPFILE_REC_HDR_LEN) {
		if ((rc = fill(ps, PCAPFILE_REC_HDR_LEN, err, errlen)) != 1) {
			if (rc == -1)
				return -1;
			return ps->len == ps->pos ? 0 : truncated(ps,
			    PCAPFILE_REC_HDR_LEN, "record header", err, errlen);
		}
	}
	cur_init(&c, ps->buf + ps->pos, ps->len - ps->pos);
	if (pcapfile_rec_header(&ps->fmt, &c, w) == -1 ||
	    w[2] > PCAPFILE_REC_MAX) {
		snprintf(err, errlen, "bad record: captured length %u", w[2]);
		return -1;
	}
	if (cur_left(&c) < w[2]) {
		if ((rc = fill(ps, PCAPFILE_REC_HDR_LEN + (size_t)w[2], err,
		    errlen)) != 1)
			return rc == -1 ? -1 : truncated(ps,
			    PCAPFILE_REC_HDR_LEN + (size_t)w[2], "record", err,
			    errlen);
		cur_init(&c, ps->buf + ps->pos + PCAPFILE_REC_HDR_LEN,
		    ps->len - ps->pos - PCAPFILE_REC_HDR_LEN);
	}
	r->data = cur_ptr(&c);
	r->caplen = w[2];
	r->len = w[3] > w[2] ? w[3] : w[2];
	r->ts_us = pcapfile_ts_us(&ps->fmt, w);
	r->dlt = ps->fmt.dlt;
	ps->pos += PCAPFILE_REC_HDR_LEN + (size_t)w[2];
	return 1;
}

/* The cookie FILE: the buffered bytes first, then the stream. */
static ssize_t
cookie_read(void *arg, char *dst, size_t n)
{
	struct pcapstream *ps = arg;
	size_t k;
	ssize_t r;

	if (ps->pos < ps->len) {
		k = ps->len - ps->pos < n ? ps->len - ps->pos : n;
		memcpy(dst, ps->buf + ps->pos, k);
		ps->pos += k;
		return (ssize_t)k;
	}
	if (ps->eof)
		return 0;
	if ((r = zin_read(ps->z, dst, n)) == -1) {
		ps->failed = 1;
		errno = EIO;
	}
	ps->base += r > 0 ? (uint64_t)r : 0;
	return r;
}

static int
cookie_close(void *arg)
{
	(void)arg;
	return 0;
}

FILE *
pcapstream_fopen(struct pcapstream *ps)
{
	cookie_io_functions_t io = { cookie_read, NULL, NULL, cookie_close };

	ps->pos = 0;
	return fopencookie(ps, "rb", io);
}
