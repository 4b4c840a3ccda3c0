/*
 * tpring.c - TPACKET_V3 ring reader.  See tpring.h.
 *
 * Block layout (Documentation/networking/packet_mmap.rst, TPACKET_V3):
 *
 *   +--------------------------+ block start
 *   | tpacket_block_desc       | block_status, num_pkts,
 *   |                          | offset_to_first_pkt, blk_len
 *   +--------------------------+ + offset_to_first_pkt
 *   | tpacket3_hdr | pad | mac | tp_next_offset -> next frame,
 *   +--------------------------+ tp_mac: frame data from this header
 *   | tpacket3_hdr ...         |
 *
 * The ring is the kernel's, but every offset is still checked against the
 * block before it is followed: a wrong one must not walk us off the map.
 */
#include "tpring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include "xmalloc.h"

int
tpring_open(struct tpring *r, int fd, size_t block_size, size_t block_nr,
    int dlt, size_t snaplen)
{
	void *m;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	m = mmap(NULL, block_size * block_nr, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		r->map = NULL;
		return -1;
	}
	r->map = m;
	r->block_size = block_size;
	r->block_nr = block_nr;
	r->dlt = dlt;
	r->vcap = snaplen + 4;
	if ((r->vbuf = xmalloc(r->vcap)) == NULL) {
		tpring_close(r);
		r->fd = fd;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
tpring_close(struct tpring *r)
{
	if (r->map != NULL)
		munmap(r->map, r->block_size * r->block_nr);
	r->map = NULL;
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	xfree(r->vbuf);
	r->vbuf = NULL;
}

/*
 * The kernel takes an 802.1Q tag off the frame into tp_vlan_tci; the
 * decoder wants the frame as it was on the wire (the tag is part of the
 * flow key), so the 4 bytes go back after the two MAC addresses.
 */
static const uint8_t *
vlan_restore(struct tpring *r, const struct tpacket3_hdr *h,
    const uint8_t *data, size_t *caplen, size_t *len)
{
	uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ?
	    h->hv1.tp_vlan_tpid : 0x8100;
	uint16_t tci = (uint16_t)h->hv1.tp_vlan_tci;

	if (*caplen < 12 || *caplen + 4 > r->vcap)
		return data;
	memcpy(r->vbuf, data, 12);
	r->vbuf[12] = (uint8_t)(tpid >> 8);
	r->vbuf[13] = (uint8_t)tpid;
	r->vbuf[14] = (uint8_t)(tci >> 8);
	r->vbuf[15] = (uint8_t)tci;
	memcpy(r->vbuf + 16, data + 12, *caplen - 12);
	*caplen += 4;
	*len += 4;
	return r->vbuf;
}

/* One frame at off in block b; the offset of the next, 0 at the end. */
static size_t
frame_at(struct tpring *r, const uint8_t *b, size_t off, tpring_frame_fn fn,
    void *arg)
{
	struct tpacket3_hdr h;
	const uint8_t *data;
	size_t caplen, len;

	if (off > r->block_size || r->block_size - off < sizeof(h)) {
		r->bad++;
		return 0;
	}
	memcpy(&h, b + off, sizeof(h));
	caplen = h.tp_snaplen;
	len = h.tp_len;
	if (h.tp_mac > r->block_size - off ||
	    caplen > r->block_size - off - h.tp_mac) {
		r->bad++;
		return 0;
	}
	data = b + off + h.tp_mac;
	/* VLAN_VALID also for a tag of VID 0 (priority only) */
	if ((h.tp_status & TP_STATUS_VLAN_VALID) && r->dlt == 1 /* EN10MB */)
		data = vlan_restore(r, &h, data, &caplen, &len);
	r->frames++;
	fn(arg, r->dlt, data, caplen, len,
	    (uint64_t)h.tp_sec * 1000000 + h.tp_nsec / 1000);
	return h.tp_next_offset != 0 ? off + h.tp_next_offset : 0;
}

size_t
tpring_read(struct tpring *r, size_t max_blocks, tpring_frame_fn fn,
    void *arg)
{
	struct tpacket_block_desc *bd;
	uint64_t before = r->frames;
	size_t nb, off;
	uint32_t i, npkts;

	for (nb = 0; nb < max_blocks && r->map != NULL; nb++) {
		bd = (struct tpacket_block_desc *)(r->map +
		    r->next * r->block_size);
		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
		    __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		npkts = bd->hdr.bh1.num_pkts;
		off = bd->hdr.bh1.offset_to_first_pkt;
		for (i = 0; i < npkts && off != 0; i++)
			off = frame_at(r, (const uint8_t *)bd, off, fn, arg);
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		r->next = (r->next + 1) % r->block_nr;
	}
	return (size_t)(r->frames - before);
}

int
tpring_stats(struct tpring *r, uint64_t *packets, uint64_t *drops)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	*packets = *drops = 0;
	if (r->fd == -1 ||
	    getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == -1)
		return -1;
	*packets = st.tp_packets;	/* the kernel adds tp_drops in */
	*drops = st.tp_drops;
	return 0;
}
