/*
 * ifstats.c - interface drop counters from /proc/net/dev.  See ifstats.h.
 *
 * The file (net/core/net-procfs.c) is two header lines, then one line
 * per device:
 *
 *   "  NAME: rx_bytes rx_packets rx_errs rx_drop rx_fifo ... tx_..."
 *
 * names hold no ':' and no space (dev_valid_name); the fourth receive
 * field is rx_dropped + rx_missed_errors.  Only whole lines are read.
 */
#include "ifstats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Index of the receive "drop" field among the numbers after "NAME:". */
#define NETDEV_DROP_FIELD	3

/* The numbers of one line after its ':', field k into *v. */
static int
line_field(const char *p, const char *end, int k, uint64_t *v)
{
	char num[24];
	size_t n;
	int i;

	for (i = 0; i <= k; i++) {
		while (p < end && *p == ' ')
			p++;
		for (n = 0; p + n < end && p[n] >= '0' && p[n] <= '9'; n++)
			;
		if (n == 0 || n >= sizeof(num))
			return -1;
		if (i == k) {
			memcpy(num, p, n);
			num[n] = '\0';
			errno = 0;
			*v = strtoull(num, NULL, 10);
			return errno == 0 ? 0 : -1;
		}
		p += n;
	}
	return -1;
}

int
ifstats_netdev_drops(const char *text, size_t len, const char *name,
    uint64_t *v)
{
	const char *p = text, *end = text + len, *eol, *colon;
	size_t nlen = strlen(name);

	while (p < end) {
		/* a line the read cut short could end inside a number */
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;
		while (p < eol && *p == ' ')
			p++;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon != NULL && (size_t)(colon - p) == nlen &&
		    memcmp(p, name, nlen) == 0)
			return line_field(colon + 1, eol, NETDEV_DROP_FIELD, v);
		p = eol + 1;
	}
	return -1;
}

void
ifdrops_new_device(struct ifdrops *d)
{
	if (d->have_base && d->last >= d->base)
		d->carried += d->last - d->base;
	d->base = d->last = 0;
	d->have_base = 0;
}

void
ifdrops_update(struct ifdrops *d, uint64_t v)
{
	if (!d->have_base) {
		d->base = d->last = v;
		d->have_base = 1;
		return;
	}
	/* fewer than before: another device by that name, which counts
	 * from 0 (deleted and re-created between two reads) */
	if (v < d->last) {
		ifdrops_new_device(d);
		d->have_base = 1;
	}
	d->last = v;
}

uint64_t
ifdrops_total(const struct ifdrops *d)
{
	return d->carried + (d->have_base ? d->last - d->base : 0);
}
