/*
 * outrepair.h - cut a partial last line off an event file before writing
 * to it again.
 */
#ifndef ROOTWATCH_OUTREPAIR_H
#define ROOTWATCH_OUTREPAIR_H

#include <stdio.h>
#include <sys/types.h>

/*
 * fd is an event file (JSON lines) open for reading and appending.  If its
 * last byte is not '\n' (a writer was killed in the middle of a line),
 * truncate it to just after its last '\n' (to empty when it has none), so
 * the next event starts on a line of its own instead of being glued to a
 * fragment.  Returns the number of bytes cut (0: nothing to do), or -1
 * with errno set (not a regular file is not an error: 0).
 */
off_t	output_repair_tail(int fd);

/* output_repair_tail() on fp's descriptor (opened "a+"), logging what
 * it cut (once per open, a warning) or why it could not look. */
void	output_repair_file(FILE *fp, const char *path);

#endif
