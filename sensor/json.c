/*
 * json.c - JSON writer.  See json.h.
 */
#include "json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "xmalloc.h"

void
jb_init(struct jbuf *j)
{
	memset(j, 0, sizeof(*j));
	j->first[0] = 1;
}

void
jb_free(struct jbuf *j)
{
	xfree(j->buf);
	memset(j, 0, sizeof(*j));
}

void
jb_reset(struct jbuf *j)
{
	j->len = 0;
	j->depth = 0;
	j->oom = 0;
	j->first[0] = 1;
}

static int
jb_grow(struct jbuf *j, size_t n)
{
	size_t ncap;
	char *nb;

	if (j->cap - j->len >= n)
		return 0;
	if (j->oom)
		return -1;
	ncap = j->cap ? j->cap : 1024;
	while (ncap - j->len < n) {
		if (ncap > ((size_t)1 << 30)) {
			j->oom = 1;
			return -1;
		}
		ncap *= 2;
	}
	nb = xreallocarray(j->buf, ncap, 1);
	if (nb == NULL) {
		j->oom = 1;
		return -1;
	}
	j->buf = nb;
	j->cap = ncap;
	return 0;
}

/* Room is checked inline; jb_grow() only runs when the buffer is full. */
static inline void
put(struct jbuf *j, const char *s, size_t n)
{
	if (n == 0 || (j->cap - j->len < n && jb_grow(j, n) == -1))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static inline void
putc1(struct jbuf *j, char c)
{
	if (j->cap == j->len && jb_grow(j, 1) == -1)
		return;
	j->buf[j->len++] = c;
}

void
jb_putc(struct jbuf *j, char c)
{
	putc1(j, c);
}

/* Comma if needed, then "key": when a key is given. */
static void
jb_key(struct jbuf *j, const char *key)
{
	if (!j->first[j->depth])
		putc1(j, ',');
	j->first[j->depth] = 0;
	if (key != NULL) {
		putc1(j, '"');
		put(j, key, strlen(key));
		put(j, "\":", 2);
	}
}

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF */
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

void
json_escape(struct jbuf *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0, k;
	char esc[6];

	while (i < n) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		put(j, (const char *)s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
			i++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n': put(j, "\\n", 2); break;
			case '\r': put(j, "\\r", 2); break;
			case '\t': put(j, "\\t", 2); break;
			default:
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				put(j, esc, 6);
			}
			i++;
		} else if ((k = utf8_len(s + i, n - i)) > 0) {
			put(j, (const char *)s + i, k);
			i += k;
		} else {
			put(j, "\\ufffd", 6);
			i++;
		}
	}
	put(j, (const char *)s + i - run, run);
}

void
jb_obj_open(struct jbuf *j, const char *key)
{
	if (j->depth > 0 || j->len > 0)
		jb_key(j, key);
	putc1(j, '{');
	if (j->depth + 1 < JBUF_DEPTH)
		j->depth++;
	j->first[j->depth] = 1;
}

void
jb_obj_close(struct jbuf *j)
{
	putc1(j, '}');
	if (j->depth > 0)
		j->depth--;
}

void
jb_arr_open(struct jbuf *j, const char *key)
{
	jb_key(j, key);
	putc1(j, '[');
	if (j->depth + 1 < JBUF_DEPTH)
		j->depth++;
	j->first[j->depth] = 1;
}

void
jb_arr_close(struct jbuf *j)
{
	putc1(j, ']');
	if (j->depth > 0)
		j->depth--;
}

void
jb_strn(struct jbuf *j, const char *key, const char *s, size_t n)
{
	jb_key(j, key);
	putc1(j, '"');
	json_escape(j, s, n);
	putc1(j, '"');
}

void
jb_str(struct jbuf *j, const char *key, const char *s)
{
	if (s == NULL) {
		jb_null(j, key);
		return;
	}
	jb_strn(j, key, s, strlen(s));
}

void
jb_u64(struct jbuf *j, const char *key, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	jb_key(j, key);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put(j, tmp + i, sizeof(tmp) - i);
}

void
jb_i64(struct jbuf *j, const char *key, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);

	jb_key(j, key);
	put(j, tmp, (size_t)n);
}

void
jb_bool(struct jbuf *j, const char *key, int v)
{
	jb_key(j, key);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void
jb_null(struct jbuf *j, const char *key)
{
	jb_key(j, key);
	put(j, "null", 4);
}

void
jb_hex(struct jbuf *j, const char *key, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	jb_key(j, key);
	putc1(j, '"');
	if (jb_grow(j, 2 * n + 1) == 0) {
		for (i = 0; i < n; i++) {
			j->buf[j->len++] = hex[p[i] >> 4];
			j->buf[j->len++] = hex[p[i] & 15];
		}
	}
	putc1(j, '"');
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *
put_digits(char *p, unsigned v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/*
 * Packet time as "YYYY-MM-DDTHH:MM:SS.uuuuuu" plus a zone suffix.  Every
 * event has one, so it is formatted by hand (gmtime_r + snprintf cost
 * ~1,500 instructions).
 */
static void
put_time(struct jbuf *j, const char *key, uint64_t ts_us, const char *zone,
    size_t zlen)
{
	char tmp[40], *p = tmp;
	uint64_t secs = ts_us / 1000000;
	unsigned m, d, sod = (unsigned)(secs % 86400);
	int y;

	civil_from_days((int64_t)(secs / 86400), &y, &m, &d);
	if (y > 9999)
		y = 9999;
	*p++ = '"';
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	*p++ = '.';
	p = put_digits(p, (unsigned)(ts_us % 1000000), 6);
	memcpy(p, zone, zlen);
	p += zlen;
	*p++ = '"';
	jb_key(j, key);
	put(j, tmp, (size_t)(p - tmp));
}

/* EVE's form: a numeric offset (Suricata's schema rejects "Z"). */
void
jb_time(struct jbuf *j, const char *key, uint64_t ts_us)
{
	put_time(j, key, ts_us, "+0000", 5);
}

/* ECS's (Elasticsearch's canonical UTC form). */
void
jb_time_z(struct jbuf *j, const char *key, uint64_t ts_us)
{
	put_time(j, key, ts_us, "Z", 1);
}

void
jb_ip(struct jbuf *j, const char *key, int family, const uint8_t *a)
{
	char tmp[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, tmp,
	    sizeof(tmp)) == NULL)
		tmp[0] = '\0';
	jb_str(j, key, tmp);
}

void
jb_raw(struct jbuf *j, const char *key, const char *json, size_t n)
{
	jb_key(j, key);
	put(j, json, n);
}
