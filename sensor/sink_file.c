/*
 * sink_file.c - JSON lines to a file or standard output.
 *
 * Lines are queued and written in batches with writev(2).  A write that
 * fails (disk full, EIO) or takes only part of the batch leaves the rest
 * in the spool with the offset of a partly written line: the retry
 * finishes that line before anything else, so a line is never glued to
 * the next.  The descriptor stays open across failures (the same file
 * continues); it is replaced only by a reopen (SIGHUP, log rotation).
 */
#include "sink_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outrepair.h"

#include "log.h"
#include "xmalloc.h"

struct file_tx {
	int	fd;		/* -1: not open */
};

/*
 * 0666 and the umask, as fopen(3) "a" did.  At start the file is opened
 * for reading too, so that a partial last line a killed writer left is cut
 * (outrepair.c) before the first event is appended; a reopen after
 * rotation (after the sandbox: Landlock grants writing there, not
 * reading) only appends: the file is new, or was complete.
 */
static int
file_open(const struct sink *s, int at_start)
{
	off_t cut;
	int fd;

	if (s->conf.path == NULL)
		return STDOUT_FILENO;
	fd = open(s->conf.path, (at_start ? O_RDWR : O_WRONLY) | O_APPEND |
	    O_CREAT | O_CLOEXEC, 0666);
	if (fd == -1 || !at_start)
		return fd;
	if ((cut = output_repair_tail(fd)) > 0)
		log_warnx("%s: cut a partial last line (%lld bytes) left by "
		    "an interrupted writer", s->conf.path, (long long)cut);
	else if (cut == -1)
		log_warn("%s: checking the last line", s->conf.path);
	return fd;
}

static int
file_push(struct sink *s, const char *line, size_t len, int kind)
{
	return sink_push_plain(s, line, len, kind, "\n", 1);
}

static int
file_up(struct sink *s)
{
	struct file_tx *t = s->tx;

	if (t->fd == -1 && (t->fd = file_open(s, 0)) == -1)
		return -1;
	return 0;
}

static int
file_drain(struct sink *s)
{
	struct file_tx *t = s->tx;

	return sink_write_stream(s, t->fd, 0);
}

/* A failed write keeps the file open: the same file goes on. */
static size_t
file_down(struct sink *s)
{
	return 0;
}

static void
file_close(struct file_tx *t)
{
	if (t->fd > STDOUT_FILENO)
		close(t->fd);
	t->fd = -1;
}

static int
file_reopen(struct sink *s)
{
	struct file_tx *t = s->tx;
	struct stat sb;
	int fd;

	/* Only a regular file is rotated; a FIFO or device stays open. */
	if (s->conf.path == NULL || t->fd == -1 ||
	    fstat(t->fd, &sb) == -1 || !S_ISREG(sb.st_mode))
		return 0;
	if ((fd = file_open(s, 0)) == -1)
		return -1;
	/* A line cut in the old file stays cut there; the new file gets it
	 * whole. */
	s->sp.off = 0;
	file_close(t);
	t->fd = fd;
	s->st.retries += s->failing;
	return 0;
}

static void
file_free(struct sink *s)
{
	file_close(s->tx);
	xfree(s->tx);
	s->tx = NULL;
}

static const struct sink_ops file_ops = {
	file_push, file_up, file_drain, file_down, file_reopen, file_free,
};

int
sink_file_init(struct sink *s)
{
	struct file_tx *t;

	if (s->conf.path != NULL && strcmp(s->conf.path, "-") == 0) {
		xfree(s->conf.path);
		s->conf.path = NULL;
	}
	if ((t = xcalloc(1, sizeof(*t))) == NULL)
		return -1;
	s->tx = t;
	s->ops = &file_ops;
	if ((t->fd = file_open(s, 1)) == -1) {
		log_warn("%s", s->conf.path);
		xfree(t);
		s->tx = NULL;
		return -1;
	}
	return 0;
}

/* The descriptor of a file output, -1 for stdout or another type. */
int
sink_file_fd(const struct sink *s)
{
	const struct file_tx *t = s->tx;

	if (s->conf.type != SINK_FILE || t == NULL || t->fd <= STDOUT_FILENO)
		return -1;
	return t->fd;
}

/* 1 when the file output is a pipe, FIFO, socket or terminal. */
int
sink_file_streaming(const struct sink *s)
{
	const struct file_tx *t = s->tx;
	struct stat sb;

	if (s->conf.type != SINK_FILE || t == NULL || t->fd == -1)
		return 0;
	return fstat(t->fd, &sb) == -1 || !S_ISREG(sb.st_mode);
}
