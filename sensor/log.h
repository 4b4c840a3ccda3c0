/*
 * log.h - diagnostics.  Every line carries the process name.  fatal() is
 * for start-up and broken invariants only, never for packet content.
 */
#ifndef ROOTWATCH_LOG_H
#define ROOTWATCH_LOG_H

#include <stdarg.h>

void	log_init(const char *progname, int verbose, int use_syslog);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
extern int log_verbose;

#ifdef DEBUG_VALIDATION
#define DEBUG_ASSERT(x)	do { if (!(x)) fatalx("%s:%d: assertion %s failed", \
	__FILE__, __LINE__, #x); } while (0)
#else
#define DEBUG_ASSERT(x)	do { } while (0)
#endif

#endif
