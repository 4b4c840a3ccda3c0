/*
 * pcapfile_fuzz.c - libFuzzer target for the zero-copy pcap reader: the
 * input is a capture file (written to a memfd, read through the mapping),
 * every record is read and its bytes touched, so ASan sees any read past
 * the mapped window.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapfile *pf;
	struct pcapfile_rec r;
	char path[64], err[256];
	volatile uint8_t sink = 0;
	size_t i, n = 0;
	int fd;

	if ((fd = memfd_create("pcapfile_fuzz", MFD_CLOEXEC)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (pcapfile_open(path, &pf, err, sizeof(err)) == PCAPFILE_OK) {
		while (n++ < 100000 && pcapfile_next(pf, &r, err,
		    sizeof(err)) == 1)
			for (i = 0; i < r.caplen; i++)
				sink ^= r.data[i];
		pcapfile_close(pf);
	}
	close(fd);
	(void)sink;
	return 0;
}
