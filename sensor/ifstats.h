/*
 * ifstats.h - an interface's own receive drops (the "ifdrops" of the
 * stats event, rootwatch(8) INTERFACES), continuous across the
 * interface's deletion and re-creation.
 *
 * The counts come from /proc/net/dev, opened once before the sandbox
 * and re-read with pread(2) (procfs regenerates it at offset 0), looked
 * up by name: unlike a file under /sys/class/net/IFACE, which belongs to
 * one device and is dead once it is deleted, it also lists the device
 * that replaces it.  A re-created device counts from 0: what the old one
 * counted is carried over, so the total never goes back.
 */
#ifndef ROOTWATCH_IFSTATS_H
#define ROOTWATCH_IFSTATS_H

#include <stddef.h>
#include <stdint.h>

struct ifdrops {
	uint64_t	carried;	/* counted on devices gone before */
	uint64_t	base;		/* the device's count when we began */
	uint64_t	last;		/* its last count read */
	int		have_base;	/* 0: the next count read is base */
};

/*
 * The "drop" column (rx_dropped + rx_missed_errors) of name's line in
 * /proc/net/dev text.  0 and *v, or -1 when the name is not listed or its
 * line is malformed.
 */
int		ifstats_netdev_drops(const char *text, size_t len,
		    const char *name, uint64_t *v);

/* Before the first count of a device (at start, and once reopened). */
void		ifdrops_new_device(struct ifdrops *);
/* A count read from the current device. */
void		ifdrops_update(struct ifdrops *, uint64_t v);
/* Drops since the first device's base, over every device since. */
uint64_t	ifdrops_total(const struct ifdrops *);

#endif
