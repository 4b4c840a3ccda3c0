/*
 * pcapstream_fuzz.c - libFuzzer target for compressed replay input: the
 * decompressors (sensor/zin.c: gzip, xz, zstd, or none, chosen by the
 * magic number) under the streaming pcap reader (sensor/pcapstream.c).
 *
 * The input is the file (written to a memfd, opened through its /proc
 * path as -r would).  Every record is read and each of its bytes touched,
 * so ASan sees a read past the buffer (anything else, pcapng, is read
 * whole through the FILE handed to libpcap); the record count is bounded so a
 * tiny file that inflates forever cannot hang the run.  The chunk size
 * (bytes asked of the stream at once) comes from the input's length, so
 * small chunks that split headers are tried too.  One input in four is
 * read again with an allocation failing after a few successes.
 * Seeds: tests/fuzz/pcapstream/; dictionary: tests/fuzz/pcapstream.dict.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "limits.h"
#include "pcapstream.h"
#include "xmalloc.h"
#include "zin.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile uint8_t sink;

/* Not classic pcap: libpcap would read it through this FILE. */
static void
read_cookie(struct pcapstream *ps)
{
	FILE	*f;
	char	 buf[4096];
	size_t	 got, total = 0;

	if ((f = pcapstream_fopen(ps)) == NULL)
		return;
	while (total < (8u << 20) && (got = fread(buf, 1, sizeof(buf), f)) > 0)
		total += got;
	fclose(f);
}

static void
read_all(const char *path, size_t chunk, long fail_after)
{
	struct pcapstream	*ps;
	struct pcapfile_rec	 r;
	struct zin		*z;
	char			 err[256];
	int			 classic, n = 0;
	uint32_t		 i;

	xalloc_fail_after(fail_after);
	if ((z = zin_open(path, NULL, NULL, err, sizeof(err))) == NULL)
		goto out;
	if ((ps = pcapstream_open(z, chunk, &classic, err,
	    sizeof(err))) != NULL) {
		if (classic)
			while (n++ < 20000 && pcapstream_next(ps, &r, err,
			    sizeof(err)) == 1)
				for (i = 0; i < r.caplen; i++)
					sink ^= r.data[i];
		else
			read_cookie(ps);
		(void)pcapstream_offset(ps);
		pcapstream_close(ps);
	}
	(void)zin_failed(z);
	zin_close(z);
out:
	xalloc_fail_after(-1);
}

/*
 * One memfd for the whole run, rewritten per input: zin opens it through
 * its /proc path as -r would (its own file offset), and the memfd_create
 * and close of a file per input are no part of what is tested.
 */
static int
input_fd(const uint8_t *data, size_t len)
{
	static int fd = -1;

	if (fd == -1 && (fd = memfd_create("pcapstream_fuzz", MFD_CLOEXEC)) ==
	    -1)
		return -1;
	if (ftruncate(fd, 0) == -1 || (len > 0 &&
	    pwrite(fd, data, len, 0) != (ssize_t)len))
		return -1;
	return fd;
}

/*
 * The chunk comes from the length: small ones split headers; the replay's
 * own (LIM_REPLAY_BUF, the largest buffer) on one input in eight, as a
 * large buffer costs ASan an mmap and a shadow poisoning per input.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const size_t chunks[] = { 1, 7, 64, 4096, 1, 300,
	    64u << 10, LIM_REPLAY_BUF };
	char	path[64];
	int	fd;

	if ((fd = input_fd(data, len)) == -1)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	read_all(path, chunks[len % 8], -1);
	if ((len & 3) == 1)
		read_all(path, chunks[len % 8], (long)(len >> 2 & 7));
	return 0;
}
