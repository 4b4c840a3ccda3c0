/*
 * zin.c - decompressing capture input.  See zin.h.
 *
 * Magic numbers (the first bytes of the file):
 *   gzip  1f 8b                RFC 1952 2.3.1 (ID1 ID2)
 *   xz    fd 37 7a 58 5a 00    xz file format 1.0.4, 2.1.1.1
 *   zstd  28 b5 2f fd          RFC 8878 3.1.1 (little-endian 0xFD2FB528)
 * Concatenated members and frames are one stream, as gzip -d, xz -d and
 * zstd -d read them (a rotated log appended to with `cat a.gz b.gz`).
 */
#include "zin.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <lzma.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "limits.h"
#include "sandbox.h"
#include "xmalloc.h"

/* One buffer of the decompression thread's queue (see zin_pipeline). */
struct zbuf {
	uint8_t		*data;		/* LIM_ZIN_PIPE_BUF bytes */
	size_t		 len;		/* decompressed bytes in it */
	size_t		 pos;		/* the reader's position */
	uint64_t	 raw_off;	/* zin_raw_offset after it */
	int		 last;		/* the stream ends after it */
	int		 failed;	/* ... with an error (z->err) */
};

/* The thread's side and the reader's side of the buffer ring. */
struct zpipe {
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct zbuf	 b[LIM_ZIN_PIPE_BUFS];
	size_t		 filled;	/* buffers filled so far (thread) */
	size_t		 taken;		/* buffers given back (reader) */
	int		 stop;		/* zin_close: end the thread */
	int		 done;		/* the thread filled its last buffer */
	uint64_t	 raw_off;	/* the reader's zin_raw_offset */
};

struct zin {
	int		 fd;
	enum zin_codec	 codec;
	uint8_t		*ibuf;		/* compressed bytes read ahead */
	size_t		 ilen;		/* valid bytes in ibuf */
	size_t		 ipos;		/* next unconsumed byte in ibuf */
	uint64_t	 raw_read;	/* bytes read from fd */
	uint64_t	 raw_size;
	int		 eof;		/* fd returned 0 */
	int		 ended;		/* the last member/frame was complete */
	int		 failed;	/* the reader saw an error */
	int		 cfailed;	/* the decoder hit it (its thread) */
	int		 stream;	/* a pipe, FIFO or socket: poll first */
	int		 stopped;	/* wait() said stop */
	zin_wait_fn	 wait;
	void		*wait_arg;
	z_stream	 zs;
	lzma_stream	 xs;
	ZSTD_DCtx	*zd;
	struct zpipe	*pipe;		/* decompression thread, or NULL */
	char		 err[160];
};

static ssize_t codec_read(struct zin *, uint8_t *, size_t);
static uint64_t raw_offset(const struct zin *);
static void pipe_stop(struct zin *);
static ssize_t pipe_read(struct zin *, uint8_t *, size_t);

static int
zfail(struct zin *z, const char *what)
{
	snprintf(z->err, sizeof(z->err), "%s stream %s at compressed offset "
	    "%llu", zin_codec_name(z->codec), what,
	    (unsigned long long)raw_offset(z));
	z->cfailed = 1;
	return -1;
}

/* A header asked for more memory than LIM_ZIN_MEM: said apart from
 * damage, with what it asked for when the decoder tells. */
static int
zfail_mem(struct zin *z, uint64_t need)
{
	char want[48] = "";

	if (need > LIM_ZIN_MEM)
		snprintf(want, sizeof(want), " (%llu MiB)",
		    (unsigned long long)((need + (1u << 20) - 1) >> 20));
	snprintf(z->err, sizeof(z->err), "%s stream needs more memory%s than "
	    "the limit of %llu MiB at compressed offset %llu",
	    zin_codec_name(z->codec), want,
	    (unsigned long long)(LIM_ZIN_MEM >> 20),
	    (unsigned long long)raw_offset(z));
	z->cfailed = 1;
	return -1;
}

/*
 * Before a read(2) of a pipe: wait in poll(2), which a signal always
 * interrupts (SA_RESTART does not restart it), so that the wait function
 * sees signals at once and every second while the writer is idle.
 * 0: readable (or an error read(2) will report), 1: stopped.
 */
static int
wait_readable(struct zin *z)
{
	struct pollfd pfd;
	int n;

	if (!z->stream || z->wait == NULL)
		return 0;
	for (;;) {
		pfd.fd = z->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, 1000);
		if (n > 0 || (n == -1 && errno != EINTR))
			return 0;
		if (z->wait(z->wait_arg)) {
			z->stopped = 1;
			z->eof = 1;
			return 1;
		}
	}
}

/* Refill ibuf once it is consumed: 1 bytes came, 0 end of file, -1 error. */
static int
refill(struct zin *z)
{
	ssize_t n;

	if (z->ipos < z->ilen)
		return 1;
	if (z->eof || wait_readable(z))
		return 0;
	do
		n = read(z->fd, z->ibuf, LIM_REPLAY_INBUF);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		snprintf(z->err, sizeof(z->err), "read: %s", strerror(errno));
		z->cfailed = 1;
		return -1;
	}
	z->ipos = 0;
	z->ilen = (size_t)n;
	z->raw_read += (uint64_t)n;
	if (n == 0)
		z->eof = 1;
	return n > 0;
}

/* Read until the magic bytes are in (or the file ends). */
static int
read_head(struct zin *z)
{
	ssize_t n;

	while (z->ilen < 6 && !z->eof) {
		if (wait_readable(z))
			return 0;
		n = read(z->fd, z->ibuf + z->ilen, LIM_REPLAY_INBUF - z->ilen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			z->eof = 1;
		z->ilen += (size_t)n;
		z->raw_read += (uint64_t)n;
	}
	return 0;
}

static enum zin_codec
detect(const uint8_t *p, size_t n)
{
	static const uint8_t xz[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
	static const uint8_t zst[4] = { 0x28, 0xb5, 0x2f, 0xfd };

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return ZIN_GZIP;
	if (n >= 6 && memcmp(p, xz, 6) == 0)
		return ZIN_XZ;
	if (n >= 4 && memcmp(p, zst, 4) == 0)
		return ZIN_ZSTD;
	return ZIN_NONE;
}

/* zlib and liblzma allocate through our hook, like everything else. */
static void *
z_alloc(void *opaque, unsigned items, unsigned size)
{
	(void)opaque;
	return xcalloc(items, size);
}

static void
z_free(void *opaque, void *p)
{
	(void)opaque;
	xfree(p);
}

static void *
x_alloc(void *opaque, size_t items, size_t size)
{
	(void)opaque;
	return xcalloc(items, size);
}

static void
x_free(void *opaque, void *p)
{
	(void)opaque;
	xfree(p);
}

static const lzma_allocator xz_allocator = { x_alloc, x_free, NULL };

static int
codec_init(struct zin *z)
{
	switch (z->codec) {
	case ZIN_NONE:
		return 0;
	case ZIN_GZIP:
		z->zs.zalloc = z_alloc;
		z->zs.zfree = z_free;
		/* 16 + MAX_WBITS: gzip wrapper only, largest window. */
		return inflateInit2(&z->zs, 16 + MAX_WBITS) == Z_OK ? 0 : -1;
	case ZIN_XZ:
		z->xs = (lzma_stream)LZMA_STREAM_INIT;
		z->xs.allocator = &xz_allocator;
		return lzma_stream_decoder(&z->xs, LIM_ZIN_MEM,
		    LZMA_CONCATENATED) == LZMA_OK ? 0 : -1;
	case ZIN_ZSTD:
		if ((z->zd = ZSTD_createDCtx()) == NULL)
			return -1;
		return ZSTD_isError(ZSTD_DCtx_setParameter(z->zd,
		    ZSTD_d_windowLogMax, LIM_ZIN_WINDOW_LOG)) ? -1 : 0;
	}
	return -1;
}

struct zin *
zin_open(const char *path, zin_wait_fn wait, void *wait_arg, char *err,
    size_t errlen)
{
	struct zin *z;
	struct stat sb;

	if ((z = xcalloc(1, sizeof(*z))) == NULL ||
	    (z->ibuf = xmalloc(LIM_REPLAY_INBUF)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	z->fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
	    sandbox_open_input(path);	/* may predate the sandbox */
	z->wait = wait;
	z->wait_arg = wait_arg;
	z->stream = z->fd != -1 && fstat(z->fd, &sb) == 0 &&
	    !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
	if (z->fd == -1 || read_head(z) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (fstat(z->fd, &sb) == 0 && S_ISREG(sb.st_mode))
		z->raw_size = (uint64_t)sb.st_size;
	z->codec = detect(z->ibuf, z->ilen);
	if (codec_init(z) == -1) {
		snprintf(err, errlen, "cannot start the %s decoder",
		    zin_codec_name(z->codec));
		goto fail;
	}
	return z;
fail:
	zin_close(z);
	return NULL;
}

void
zin_close(struct zin *z)
{
	if (z == NULL)
		return;
	pipe_stop(z);
	if (z->codec == ZIN_GZIP)
		inflateEnd(&z->zs);
	else if (z->codec == ZIN_XZ)
		lzma_end(&z->xs);
	ZSTD_freeDCtx(z->zd);
	if (z->fd > STDIN_FILENO)
		close(z->fd);
	xfree(z->ibuf);
	xfree(z);
}

static ssize_t
read_plain(struct zin *z, uint8_t *dst, size_t n)
{
	ssize_t r;
	size_t k;

	if (z->ipos < z->ilen) {
		k = z->ilen - z->ipos < n ? z->ilen - z->ipos : n;
		memcpy(dst, z->ibuf + z->ipos, k);
		z->ipos += k;
		return (ssize_t)k;
	}
	if (z->eof || wait_readable(z))
		return 0;
	/* Past the read-ahead: straight into the caller's buffer. */
	do
		r = read(z->fd, dst, n);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		snprintf(z->err, sizeof(z->err), "read: %s", strerror(errno));
		z->cfailed = 1;
		return -1;
	}
	if (r == 0)
		z->eof = 1;
	z->raw_read += (uint64_t)r;
	return r;
}

/*
 * A member ended and bytes follow: another member (`cat a.gz b.gz`), or
 * zero padding (tape blocks), which gzip(1) takes as the end, as we do.
 */
static int
gzip_next_member(struct zin *z)
{
	if (z->ibuf[z->ipos] == 0) {
		z->ipos = z->ilen;
		return 0;
	}
	z->ended = 0;
	return inflateReset(&z->zs) == Z_OK ? 0 : -1;
}

/*
 * inflate is called even without new input: it may hold output (a long
 * match cut by a full buffer) after the last input byte went in.
 */
static ssize_t
read_gzip(struct zin *z, uint8_t *dst, size_t n)
{
	int rc, more;

	z->zs.next_out = dst;
	z->zs.avail_out = (uInt)n;
	for (;;) {
		if ((more = refill(z)) == -1)
			return -1;
		if (z->ended) {
			if (!more || z->zs.avail_out < n)
				return (ssize_t)(n - z->zs.avail_out);
			if (gzip_next_member(z) == -1)
				return zfail(z, "damaged");
			continue;
		}
		z->zs.next_in = z->ibuf + z->ipos;
		z->zs.avail_in = (uInt)(z->ilen - z->ipos);
		rc = inflate(&z->zs, Z_NO_FLUSH);
		z->ipos = z->ilen - z->zs.avail_in;
		if (rc == Z_STREAM_END)
			z->ended = 1;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return zfail(z, "damaged");
		if (z->zs.avail_out < n)
			return (ssize_t)(n - z->zs.avail_out);
		if (!more && !z->ended)
			return zfail(z, "truncated");
	}
}

static ssize_t
read_xz(struct zin *z, uint8_t *dst, size_t n)
{
	lzma_ret rc;
	int more;

	z->xs.next_out = dst;
	z->xs.avail_out = n;
	while (z->xs.avail_out == n && !z->ended) {
		if ((more = refill(z)) == -1)
			return -1;
		z->xs.next_in = z->ibuf + z->ipos;
		z->xs.avail_in = z->ilen - z->ipos;
		rc = lzma_code(&z->xs, more ? LZMA_RUN : LZMA_FINISH);
		z->ipos = z->ilen - z->xs.avail_in;
		if (rc == LZMA_STREAM_END)
			z->ended = 1;
		else if (rc == LZMA_MEMLIMIT_ERROR)
			return zfail_mem(z, lzma_memusage(&z->xs));
		else if (rc == LZMA_BUF_ERROR || (rc == LZMA_OK && !more &&
		    z->xs.avail_out == n))
			return zfail(z, "truncated");
		else if (rc != LZMA_OK)
			return zfail(z, "damaged");
	}
	return (ssize_t)(n - z->xs.avail_out);
}

/* As for gzip: the decoder may hold output after the last input byte. */
static ssize_t
read_zstd(struct zin *z, uint8_t *dst, size_t n)
{
	ZSTD_outBuffer out = { dst, n, 0 };
	ZSTD_inBuffer in;
	size_t rc;
	int more;

	for (;;) {
		if ((more = refill(z)) == -1)
			return -1;
		in.src = z->ibuf + z->ipos;
		in.size = z->ilen - z->ipos;
		in.pos = 0;
		rc = ZSTD_decompressStream(z->zd, &out, &in);
		z->ipos += in.pos;
		if (ZSTD_getErrorCode(rc) ==
		    ZSTD_error_frameParameter_windowTooLarge)
			return zfail_mem(z, 0);
		if (ZSTD_isError(rc)) {
			zfail(z, "damaged");
			snprintf(z->err + strlen(z->err), sizeof(z->err) -
			    strlen(z->err), " (%s)", ZSTD_getErrorName(rc));
			return -1;
		}
		/* 0: a frame is complete and flushed (asked again with
		 * nothing, the decoder hints at the next frame's header) */
		if (out.pos > 0 || in.pos > 0 || more)
			z->ended = rc == 0;
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (!more)
			return z->ended ? 0 : zfail(z, "truncated");
	}
}

ssize_t
zin_read(struct zin *z, void *dst, size_t n)
{
	ssize_t r;

	if (z->failed)
		return -1;
	if (n == 0)
		return 0;
	if (z->pipe != NULL)
		return pipe_read(z, dst, n);
	if ((r = codec_read(z, dst, n)) == -1)
		z->failed = 1;
	return r;
}

static ssize_t
codec_read(struct zin *z, uint8_t *dst, size_t n)
{
	if (z->cfailed)
		return -1;
	if (n > LIM_REPLAY_INBUF * 64)	/* zlib counts in 32 bits */
		n = LIM_REPLAY_INBUF * 64;
	switch (z->codec) {
	case ZIN_NONE:
		return read_plain(z, dst, n);
	case ZIN_GZIP:
		return read_gzip(z, dst, n);
	case ZIN_XZ:
		return read_xz(z, dst, n);
	case ZIN_ZSTD:
		return read_zstd(z, dst, n);
	}
	return -1;
}

const char *
zin_error(const struct zin *z)
{
	return z->err[0] != '\0' ? z->err : "unknown error";
}

int
zin_failed(const struct zin *z)
{
	return z->failed;
}

enum zin_codec
zin_codec(const struct zin *z)
{
	return z->codec;
}

const char *
zin_codec_name(enum zin_codec c)
{
	switch (c) {
	case ZIN_NONE:
		return "plain";
	case ZIN_GZIP:
		return "gzip";
	case ZIN_XZ:
		return "xz";
	case ZIN_ZSTD:
		return "zstd";
	}
	return "?";
}

/* The decoder's position: the thread's own while it runs. */
static uint64_t
raw_offset(const struct zin *z)
{
	return z->raw_read - (z->ilen - z->ipos);
}

uint64_t
zin_raw_offset(const struct zin *z)
{
	uint64_t off;

	if (z->pipe == NULL)
		return raw_offset(z);
	pthread_mutex_lock(&z->pipe->mu);
	off = z->pipe->raw_off;
	pthread_mutex_unlock(&z->pipe->mu);
	return off;
}

uint64_t
zin_raw_size(const struct zin *z)
{
	return z->raw_size;
}

int
zin_stopped(const struct zin *z)
{
	return z->stopped;
}

int
zin_is_stream(const struct zin *z)
{
	return z->stream;
}

/* ---- the decompression thread ---------------------------------------- */

/*
 * A compressed file is decompressed ahead in a thread of its own, into a
 * ring of LIM_ZIN_PIPE_BUFS large buffers, while the replay thread parses
 * what is ready: the replay takes about as long as the slower of the two
 * (gunzip is slower than our parser), not their sum.  Buffer i is the
 * thread's while i >= taken and i < taken + BUFS, the reader's once
 * filled; filled and taken only grow.  A damaged stream ends with a
 * buffer marked failed, after the bytes decoded before the damage, so the
 * packets before it are read as without the thread.
 */

/* Fill one buffer; 1: the stream ended with it (cleanly or not). */
static int
pipe_fill(struct zin *z, struct zbuf *b)
{
	ssize_t n;

	b->len = b->pos = 0;
	b->last = b->failed = 0;
	while (b->len < LIM_ZIN_PIPE_BUF) {
		n = codec_read(z, b->data + b->len, LIM_ZIN_PIPE_BUF - b->len);
		if (n <= 0) {
			b->last = 1;
			b->failed = n < 0;
			break;
		}
		b->len += (size_t)n;
	}
	b->raw_off = raw_offset(z);
	return b->last;
}

static void *
pipe_main(void *arg)
{
	struct zin *z = arg;
	struct zpipe *zp = z->pipe;
	struct zbuf *b;
	int last = 0;

	pthread_mutex_lock(&zp->mu);
	while (!last) {
		while (!zp->stop && zp->filled - zp->taken == LIM_ZIN_PIPE_BUFS)
			pthread_cond_wait(&zp->cv, &zp->mu);
		if (zp->stop)
			break;
		b = &zp->b[zp->filled % LIM_ZIN_PIPE_BUFS];
		pthread_mutex_unlock(&zp->mu);
		last = pipe_fill(z, b);
		pthread_mutex_lock(&zp->mu);
		zp->filled++;
		zp->done = last;
		pthread_cond_broadcast(&zp->cv);
	}
	pthread_mutex_unlock(&zp->mu);
	return NULL;
}

static void
pipe_free(struct zpipe *zp)
{
	size_t i;

	for (i = 0; i < LIM_ZIN_PIPE_BUFS; i++)
		xfree(zp->b[i].data);
	pthread_mutex_destroy(&zp->mu);
	pthread_cond_destroy(&zp->cv);
	xfree(zp);
}

int
zin_pipeline(struct zin *z)
{
	struct zpipe *zp;
	sigset_t all, old;
	size_t i;
	int rc;

	if (z->codec == ZIN_NONE || z->stream || z->pipe != NULL ||
	    z->failed || z->cfailed || (zp = xcalloc(1, sizeof(*zp))) == NULL)
		return -1;
	pthread_mutex_init(&zp->mu, NULL);
	pthread_cond_init(&zp->cv, NULL);
	for (i = 0; i < LIM_ZIN_PIPE_BUFS; i++)
		if ((zp->b[i].data = xmalloc(LIM_ZIN_PIPE_BUF)) == NULL) {
			pipe_free(zp);
			return -1;
		}
	zp->raw_off = raw_offset(z);
	z->pipe = zp;
	/* signals are the main thread's business (its handlers set flags
	 * that the replay loop reads) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&zp->th, NULL, pipe_main, z);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		z->pipe = NULL;
		pipe_free(zp);
		return -1;	/* the caller's thread decompresses */
	}
	return 0;
}

static void
pipe_stop(struct zin *z)
{
	struct zpipe *zp = z->pipe;

	if (zp == NULL)
		return;
	pthread_mutex_lock(&zp->mu);
	zp->stop = 1;
	pthread_cond_broadcast(&zp->cv);
	pthread_mutex_unlock(&zp->mu);
	pthread_join(zp->th, NULL);
	z->pipe = NULL;
	pipe_free(zp);
}

/* The oldest filled buffer, waiting for it; NULL once the last is gone. */
static struct zbuf *
pipe_head(struct zpipe *zp)
{
	struct zbuf *b;

	pthread_mutex_lock(&zp->mu);
	while (zp->taken == zp->filled && !zp->done)
		pthread_cond_wait(&zp->cv, &zp->mu);
	b = zp->taken < zp->filled ? &zp->b[zp->taken % LIM_ZIN_PIPE_BUFS] :
	    NULL;
	if (b != NULL)
		zp->raw_off = b->raw_off;
	pthread_mutex_unlock(&zp->mu);
	return b;
}

static void
pipe_give_back(struct zpipe *zp)
{
	pthread_mutex_lock(&zp->mu);
	zp->taken++;
	pthread_cond_broadcast(&zp->cv);
	pthread_mutex_unlock(&zp->mu);
}

static ssize_t
pipe_read(struct zin *z, uint8_t *dst, size_t n)
{
	struct zpipe *zp = z->pipe;
	struct zbuf *b;
	size_t k;

	for (;;) {
		if ((b = pipe_head(zp)) == NULL)
			return 0;
		if (b->pos < b->len) {
			k = b->len - b->pos < n ? b->len - b->pos : n;
			memcpy(dst, b->data + b->pos, k);
			b->pos += k;
			return (ssize_t)k;
		}
		if (b->failed) {
			z->failed = 1;	/* z->err: written before filled++ */
			return -1;
		}
		if (b->last)
			return 0;
		pipe_give_back(zp);
	}
}
