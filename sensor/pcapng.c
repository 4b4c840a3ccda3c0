/*
 * pcapng.c - pcapng blocks (draft-ietf-opsawg-pcapng-02).  See pcapng.h.
 *
 * Every block:
 *  +---------------------------------------------------------------+
 *  |                        Block Type (32)                        |
 *  |                    Block Total Length (32)                    |
 *  /                          Block Body                           /
 *  |                    Block Total Length (32)                    |
 *  +---------------------------------------------------------------+
 * in the byte order of its section, which the Section Header Block
 * (0x0a0d0d0a, the same in both orders) gives by its byte-order magic
 * 0x1a2b3c4d.  Bodies read here:
 *  SHB 0x0a0d0d0a  BOM(32) major(16)=1 minor(16) section length(64) opts
 *  IDB 1           link type(16) reserved(16) snaplen(32) options:
 *                  if_tsresol(9) 1 byte: 10^-n, or 2^-n when bit 7 set;
 *                  if_tsoffset(14) 8 bytes, seconds added to every time
 *  EPB 6           interface(32) ts high(32) ts low(32) captured(32)
 *                  original(32) data, padded to 4, options
 *  SPB 3           original(32) data: interface 0, captured =
 *                  min(original, snaplen, what the block holds)
 *  PB 2 (obsolete) interface(16) drops(16) ts high, ts low, captured,
 *                  original, data
 * and every other block (name resolution, statistics, secrets, custom)
 * is skipped.  A new SHB starts a new section: its interfaces are new.
 */
#include "pcapng.h"

#include <stdio.h>
#include <string.h>

#include <pcap/dlt.h>

#define PCAPNG_IDB	1u
#define PCAPNG_PB	2u
#define PCAPNG_SPB	3u
#define PCAPNG_EPB	6u
#define PCAPNG_BOM	0x1a2b3c4du
#define OPT_END		0
#define OPT_TSRESOL	9
#define OPT_TSOFFSET	14
#define LINKTYPE_RAW_	101
#define TSRES_MAX	19	/* 10^19 overflows 64 bits: nonsense */

static int
rd16(const struct pcapng *ng, struct cur *c, uint16_t *v)
{
	return ng->swapped ? cur_be16(c, v) : cur_le16(c, v);
}

static int
rd32(const struct pcapng *ng, struct cur *c, uint32_t *v)
{
	return ng->swapped ? cur_be32(c, v) : cur_le32(c, v);
}

static int
fail(char *err, size_t errlen, const char *what, uint32_t v)
{
	snprintf(err, errlen, "pcapng: %s (%u)", what, v);
	return -1;
}

int
pcapng_is(struct cur c)
{
	uint32_t type;

	return cur_be32(&c, &type) == 0 && type == PCAPNG_SHB;
}

int
pcapng_block_len(struct pcapng *ng, struct cur c, uint32_t *len, char *err,
    size_t errlen)
{
	uint32_t type, bom;
	struct cur b = c;

	if (cur_be32(&c, &type) != 0 || cur_skip(&c, 4) != 0)
		return fail(err, errlen, "short block header", 0);
	if (type == PCAPNG_SHB) {
		if (cur_le32(&c, &bom) != 0)
			return fail(err, errlen, "short section header", 0);
		if (bom != PCAPNG_BOM && __builtin_bswap32(bom) != PCAPNG_BOM)
			return fail(err, errlen, "bad byte-order magic", bom);
		ng->swapped = bom != PCAPNG_BOM;
	} else if (!ng->in_section)
		return fail(err, errlen, "block before the section header",
		    type);
	(void)cur_skip(&b, 4);
	(void)rd32(ng, &b, len);
	if (*len < 12 || *len % 4 != 0 || *len > PCAPNG_BLOCK_MAX)
		return fail(err, errlen, "bad block length", *len);
	return 0;
}

static int
shb(struct pcapng *ng, struct cur *c, char *err, size_t errlen)
{
	uint16_t major;

	if (cur_skip(c, 4) != 0 || rd16(ng, c, &major) != 0)
		return fail(err, errlen, "short section header", 0);
	if (major != 1)
		return fail(err, errlen, "section version", major);
	ng->in_section = 1;
	ng->nif = 0;
	return 0;
}

/* The IDB options we need; the rest are skipped. */
static int
idb_opts(struct pcapng *ng, struct cur *c, struct pcapng_if *i)
{
	uint16_t code, len;
	uint32_t hi, lo;
	uint8_t res;
	struct cur v;

	while (cur_left(c) >= 4) {
		if (rd16(ng, c, &code) != 0 || rd16(ng, c, &len) != 0 ||
		    cur_sub(c, len, &v) != 0 ||
		    cur_skip(c, (4 - (len & 3)) & 3) != 0)
			return -1;
		if (code == OPT_END)
			break;
		if (code == OPT_TSRESOL && cur_u8(&v, &res) == 0) {
			i->tsres_bin = (res & 0x80) != 0;
			i->tsres = res & 0x7f;
			if ((!i->tsres_bin && i->tsres > TSRES_MAX) ||
			    (i->tsres_bin && i->tsres > 63))
				return -1;
		}
		if (code == OPT_TSOFFSET && rd32(ng, &v, &hi) == 0 &&
		    rd32(ng, &v, &lo) == 0)
			i->tsoff_s = (int64_t)((uint64_t)hi << 32 | lo);
	}
	return 0;
}

static int
idb(struct pcapng *ng, struct cur *c, char *err, size_t errlen)
{
	struct pcapng_if *i;
	uint16_t lt;

	if (ng->nif >= LIM_PCAPNG_IFACES)
		return fail(err, errlen, "too many interfaces", ng->nif);
	i = &ng->ifs[ng->nif];
	memset(i, 0, sizeof(*i));
	i->tsres = 6;
	if (rd16(ng, c, &lt) != 0 || cur_skip(c, 2) != 0 ||
	    rd32(ng, c, &i->snaplen) != 0 || idb_opts(ng, c, i) != 0)
		return fail(err, errlen, "bad interface description", ng->nif);
	i->dlt = lt == LINKTYPE_RAW_ ? DLT_RAW : (int)lt;
	ng->nif++;
	return 0;
}

/* Timestamp units of interface i to microseconds since the epoch. */
static uint64_t
ts_us(const struct pcapng_if *i, uint64_t t)
{
	uint64_t p = 1, us;
	unsigned n = i->tsres;

	if (i->tsres_bin) {
		/* below 2^-40 s (a picosecond) nothing is lost for us; the
		 * fraction times 10^6 then fits 64 bits */
		if (n > 40) {
			t >>= n - 40;
			n = 40;
		}
		us = (t >> n) * 1000000 +
		    (((t & ((1ull << n) - 1)) * 1000000) >> n);
	} else if (i->tsres >= 6) {
		for (n = 6; n < i->tsres; n++)
			p *= 10;
		us = t / p;
	} else {
		for (n = i->tsres; n < 6; n++)
			p *= 10;
		us = t * p;
	}
	return us + (uint64_t)i->tsoff_s * 1000000;
}

/* The fields EPB and PB share, after the interface id: ts, lengths. */
static int
pkt(struct pcapng *ng, struct cur *c, uint32_t ifn, struct pcapfile_rec *r,
    char *err, size_t errlen)
{
	uint32_t hi, lo, cap, orig;

	if (ifn >= ng->nif)
		return fail(err, errlen, "packet of an undescribed interface",
		    ifn);
	if (rd32(ng, c, &hi) != 0 || rd32(ng, c, &lo) != 0 ||
	    rd32(ng, c, &cap) != 0 || rd32(ng, c, &orig) != 0 ||
	    cap > PCAPFILE_REC_MAX || cap > cur_left(c))
		return fail(err, errlen, "bad packet block", ifn);
	r->data = cur_ptr(c);
	r->caplen = cap;
	r->len = orig > cap ? orig : cap;
	r->ts_us = ts_us(&ng->ifs[ifn], (uint64_t)hi << 32 | lo);
	r->dlt = ng->ifs[ifn].dlt;
	return 1;
}

static int
spb(struct pcapng *ng, struct cur *c, struct pcapfile_rec *r, char *err,
    size_t errlen)
{
	uint32_t orig, cap;

	if (ng->nif == 0 || rd32(ng, c, &orig) != 0)
		return fail(err, errlen, "bad simple packet block", ng->nif);
	cap = orig;
	if (ng->ifs[0].snaplen != 0 && cap > ng->ifs[0].snaplen)
		cap = ng->ifs[0].snaplen;
	if (cap > cur_left(c))
		cap = (uint32_t)cur_left(c);
	r->data = cur_ptr(c);
	r->caplen = cap;
	r->len = orig > cap ? orig : cap;
	r->ts_us = 0;			/* an SPB has no time */
	r->dlt = ng->ifs[0].dlt;
	return 1;
}

int
pcapng_block(struct pcapng *ng, struct cur blk, struct pcapfile_rec *r,
    char *err, size_t errlen)
{
	uint32_t type, len, ifn;
	uint16_t if16;
	struct cur c;

	if (rd32(ng, &blk, &type) != 0 || rd32(ng, &blk, &len) != 0 ||
	    cur_sub(&blk, cur_left(&blk) >= 4 ? cur_left(&blk) - 4 : 0,
	    &c) != 0)
		return fail(err, errlen, "short block", 0);
	switch (type) {
	case PCAPNG_SHB:
		return shb(ng, &c, err, errlen) == 0 ? 0 : -1;
	case PCAPNG_IDB:
		return idb(ng, &c, err, errlen) == 0 ? 0 : -1;
	case PCAPNG_EPB:
		if (rd32(ng, &c, &ifn) != 0)
			return fail(err, errlen, "short packet block", 0);
		return pkt(ng, &c, ifn, r, err, errlen);
	case PCAPNG_PB:
		if (rd16(ng, &c, &if16) != 0 || cur_skip(&c, 2) != 0)
			return fail(err, errlen, "short packet block", 0);
		return pkt(ng, &c, if16, r, err, errlen);
	case PCAPNG_SPB:
		return spb(ng, &c, r, err, errlen);
	}
	return 0;
}
