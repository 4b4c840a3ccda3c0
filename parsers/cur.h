/*
 * cur.h - the one way rootwatch reads wire bytes.
 *
 * A cursor is a (pointer, length) pair over bytes we do not trust.  Every
 * read checks the remaining length before it advances and returns 0 on
 * success or -1 when the bytes are not there; on failure the cursor is left
 * unchanged.  Parsers chain reads with || into a single `goto bad` and
 * never do pointer arithmetic on packet data themselves.  Lengths are
 * size_t and are compared as lengths, never as pointers (a pointer past
 * the end of an object is undefined behaviour, a length is not).
 *
 * Multi-byte reads assemble values byte by byte: no unaligned loads (they
 * fault on some ARM cores) and no host byte order assumptions.
 */
#ifndef ROOTWATCH_CUR_H
#define ROOTWATCH_CUR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t	*p;
	size_t		 len;
};

/* Always inlined: each read is a compare and a load or two, and a call
 * would cost more than the read (gcc -O2 stops inlining in big parsers). */
#define CUR_FN	static inline __attribute__((always_inline))

CUR_FN void
cur_init(struct cur *c, const void *p, size_t len)
{
	c->p = p;
	c->len = p != NULL ? len : 0;
}

CUR_FN size_t
cur_left(const struct cur *c)
{
	return c->len;
}

/* Pointer to the unread bytes; valid for cur_left() bytes. */
CUR_FN const uint8_t *
cur_ptr(const struct cur *c)
{
	return c->p;
}

CUR_FN int
cur_skip(struct cur *c, size_t n)
{
	if (c->len < n)
		return -1;
	c->p += n;
	c->len -= n;
	return 0;
}

CUR_FN int
cur_u8(struct cur *c, uint8_t *v)
{
	if (c->len < 1)
		return -1;
	*v = c->p[0];
	c->p += 1;
	c->len -= 1;
	return 0;
}

CUR_FN int
cur_be16(struct cur *c, uint16_t *v)
{
	if (c->len < 2)
		return -1;
	*v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return 0;
}

CUR_FN int
cur_le16(struct cur *c, uint16_t *v)
{
	if (c->len < 2)
		return -1;
	*v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	c->len -= 2;
	return 0;
}

CUR_FN int
cur_be24(struct cur *c, uint32_t *v)
{
	if (c->len < 3)
		return -1;
	*v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	c->p += 3;
	c->len -= 3;
	return 0;
}

CUR_FN int
cur_le24(struct cur *c, uint32_t *v)
{
	if (c->len < 3)
		return -1;
	*v = (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 3;
	c->len -= 3;
	return 0;
}

CUR_FN int
cur_be32(struct cur *c, uint32_t *v)
{
	if (c->len < 4)
		return -1;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->len -= 4;
	return 0;
}

CUR_FN int
cur_le32(struct cur *c, uint32_t *v)
{
	if (c->len < 4)
		return -1;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	c->len -= 4;
	return 0;
}

CUR_FN int
cur_be48(struct cur *c, uint64_t *v)
{
	uint16_t hi;
	uint32_t lo;

	if (c->len < 6)
		return -1;
	(void)cur_be16(c, &hi);
	(void)cur_be32(c, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

CUR_FN int
cur_bytes(struct cur *c, void *dst, size_t n)
{
	if (c->len < n)
		return -1;
	if (n > 0)
		memcpy(dst, c->p, n);
	c->p += n;
	c->len -= n;
	return 0;
}

/* Split the next n bytes off into *sub and advance past them. */
CUR_FN int
cur_sub(struct cur *c, size_t n, struct cur *sub)
{
	if (c->len < n)
		return -1;
	sub->p = c->p;
	sub->len = n;
	c->p += n;
	c->len -= n;
	return 0;
}

/* Read the byte at offset off without advancing. */
CUR_FN int
cur_peek_u8(const struct cur *c, size_t off, uint8_t *v)
{
	if (c->len <= off)
		return -1;
	*v = c->p[off];
	return 0;
}

CUR_FN int
cur_peek_be16(const struct cur *c, size_t off, uint16_t *v)
{
	if (c->len < 2 || c->len - 2 < off)
		return -1;
	*v = (uint16_t)((unsigned)c->p[off] << 8 | c->p[off + 1]);
	return 0;
}

#endif /* ROOTWATCH_CUR_H */
