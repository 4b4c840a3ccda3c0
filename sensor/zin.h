/*
 * zin.h - a capture file as a byte stream, decompressed on the fly.
 *
 * Captures arrive gzip'd (tcpdump -z gzip, mail), xz'd or zstd'd (log
 * archives).  The compression is told by the first bytes, never by the file
 * name (a .pcap may be gzip'd, a .gz may not be).  Decompression streams
 * through two fixed buffers: memory does not grow with the file.  A damaged
 * or truncated compressed stream is an error with the offset of the
 * compressed byte where it was found.
 */
#ifndef ROOTWATCH_ZIN_H
#define ROOTWATCH_ZIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum zin_codec {
	ZIN_NONE,
	ZIN_GZIP,
	ZIN_XZ,
	ZIN_ZSTD,
};

struct zin;

/*
 * Called while a pipe or FIFO has nothing to read (at least once a
 * second, and after a signal): signals and stats are handled there.  A
 * return of 1 stops the read as if the stream had ended (zin_stopped).
 */
typedef int (*zin_wait_fn)(void *arg);

/*
 * Open path ("-" = stdin) and detect the compression.  NULL with a message
 * in err (the system's words for open errors).
 */
struct zin *zin_open(const char *path, zin_wait_fn wait, void *wait_arg,
	    char *err, size_t errlen);
/*
 * Decompress ahead in a thread of its own (regular compressed files: not
 * a pipe, whose wait function must run in the caller's thread).  0, or -1
 * when not done (plain input, a pipe, no memory or thread): zin_read
 * works either way.  Until zin_close, only zin_read, zin_error,
 * zin_failed and zin_raw_offset may be called.
 */
int	zin_pipeline(struct zin *);
/* 1 when a wait function stopped the reading. */
int	zin_stopped(const struct zin *);
/* 1 for a pipe, FIFO or socket (read once, never rewound). */
int	zin_is_stream(const struct zin *);
void	zin_close(struct zin *);

/*
 * Up to n decompressed bytes into dst: the count (> 0), 0 at the clean end
 * of the stream, -1 on a read error or a damaged or truncated compressed
 * stream (zin_error() says what).
 */
ssize_t	zin_read(struct zin *, void *dst, size_t n);
const char *zin_error(const struct zin *);
/* 1 once a read failed (the stream, not the caller, is at fault). */
int	zin_failed(const struct zin *);

enum zin_codec zin_codec(const struct zin *);
const char *zin_codec_name(enum zin_codec);
/* Bytes of the file consumed so far (compressed bytes). */
uint64_t zin_raw_offset(const struct zin *);
/* Size of the file in bytes, 0 when unknown (stdin, a pipe). */
uint64_t zin_raw_size(const struct zin *);

#endif
