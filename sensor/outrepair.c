/*
 * outrepair.c - see outrepair.h.
 *
 * A process killed with SIGKILL (or a machine that loses power) in the
 * middle of a buffered write leaves the event file ending in a fragment
 * of a JSON object.  A restarted sensor appending to it would glue its
 * first event to the fragment: one line that no reader can parse, and an
 * event lost with it.  Cutting the fragment loses only what was already
 * lost.  The file is scanned backwards from its end in blocks, so a
 * gigabyte file costs one block read when it ends with '\n'.
 */
#include "outrepair.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define REPAIR_BLOCK	4096

/* Offset just after the last '\n' before end, 0 when there is none;
 * -1 on a read error. */
static off_t
last_newline_end(int fd, off_t end)
{
	char	buf[REPAIR_BLOCK];
	off_t	pos = end, start;
	ssize_t	n, i;

	while (pos > 0) {
		start = pos > REPAIR_BLOCK ? pos - REPAIR_BLOCK : 0;
		n = pread(fd, buf, (size_t)(pos - start), start);
		if (n != pos - start)
			return -1;
		for (i = n - 1; i >= 0; i--)
			if (buf[i] == '\n')
				return start + i + 1;
		pos = start;
	}
	return 0;
}

off_t
output_repair_tail(int fd)
{
	struct stat	sb;
	char		last;
	off_t		keep;

	if (fstat(fd, &sb) == -1)
		return -1;
	if (!S_ISREG(sb.st_mode) || sb.st_size == 0)
		return 0;
	if (pread(fd, &last, 1, sb.st_size - 1) != 1)
		return -1;
	if (last == '\n')
		return 0;
	if ((keep = last_newline_end(fd, sb.st_size)) == -1)
		return -1;
	if (ftruncate(fd, keep) == -1)
		return -1;
	return sb.st_size - keep;
}

void
output_repair_file(FILE *fp, const char *path)
{
	off_t cut = output_repair_tail(fileno(fp));

	if (cut > 0)
		log_warnx("%s: cut a partial last line (%lld bytes) left by "
		    "an interrupted writer", path, (long long)cut);
	else if (cut == -1)
		log_warn("%s: checking the last line", path);
}
