/*
 * json.h - a small, fast JSON writer into a growable buffer.
 *
 * Events are built in a struct jbuf and written in one fwrite.  Keys are
 * trusted literals; string values are escaped (control bytes as \u00XX,
 * invalid UTF-8 as \ufffd so a SIEM never rejects a line).  Commas are
 * handled by the writer: callers just open, add and close.
 */
#ifndef ROOTWATCH_JSON_H
#define ROOTWATCH_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JBUF_DEPTH 16

struct jbuf {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 oom;		/* an allocation failed: output truncated */
	uint8_t		 depth;
	uint8_t		 first[JBUF_DEPTH];	/* no element yet at this depth */
};

void	jb_init(struct jbuf *);
void	jb_free(struct jbuf *);
void	jb_reset(struct jbuf *);

void	jb_obj_open(struct jbuf *, const char *key);	/* key NULL: value */
void	jb_obj_close(struct jbuf *);
void	jb_arr_open(struct jbuf *, const char *key);
void	jb_arr_close(struct jbuf *);

void	jb_str(struct jbuf *, const char *key, const char *s);
void	jb_strn(struct jbuf *, const char *key, const char *s, size_t n);
void	jb_u64(struct jbuf *, const char *key, uint64_t v);
void	jb_i64(struct jbuf *, const char *key, int64_t v);
void	jb_bool(struct jbuf *, const char *key, int v);
void	jb_null(struct jbuf *, const char *key);
/* Lower-case hex of n bytes. */
void	jb_hex(struct jbuf *, const char *key, const uint8_t *p, size_t n);
/* Packet time as ISO 8601 UTC with microseconds: "...T10:00:00.123456+0000"
 * (EVE), or ending in "Z" (jb_time_z, ECS). */
void	jb_time(struct jbuf *, const char *key, uint64_t ts_us);
void	jb_time_z(struct jbuf *, const char *key, uint64_t ts_us);
/* IPv4 (family 4) or IPv6 address in canonical text form. */
void	jb_ip(struct jbuf *, const char *key, int family, const uint8_t *a);
/* Pre-rendered JSON value (an object built earlier), inserted verbatim. */
void	jb_raw(struct jbuf *, const char *key, const char *json, size_t n);

/* Append one raw byte (the newline after an event). */
void	jb_putc(struct jbuf *, char c);

/* Escape s into d (NUL-terminated JSON string body, no quotes). */
void	json_escape(struct jbuf *, const char *s, size_t n);

#endif
