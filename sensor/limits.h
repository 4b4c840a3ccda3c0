/*
 * limits.h - every bound rootwatch enforces, in one place.
 *
 * Each default is overridable at run time from the configuration file
 * (rootwatch(8), CONFIGURATION) through struct limits; the macros are only
 * the defaults and the hard ceilings the configuration may not exceed.
 */
#ifndef ROOTWATCH_LIMITS_H
#define ROOTWATCH_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/* Decapsulation layers (VLAN tags, MPLS labels, tunnels) per packet; stops
 * a packet of nested GRE or 802.1Q headers from looping the decoder. */
#define LIM_DECAP_DEPTH		16
/* VLAN ids recorded per packet (outer first) and used in the flow key;
 * three, as Suricata's EVE reports (QinQ plus a customer tag). */
#define LIM_VLAN_IDS		3
/* IP fragment trains held at once, per decoder. */
#define LIM_FRAG_TRAINS		1024
/* Bytes of one reassembled IP datagram (the IPv4/IPv6 maximum). */
#define LIM_FRAG_DGRAM		65535
/* Fragments in one datagram: a train of 8-byte fragments is an attack. */
#define LIM_FRAG_PIECES		64
/* Bytes held in all fragment trains together. */
#define LIM_FRAG_MEMCAP		(8u << 20)
/* Fragment train lifetime, in packet-time microseconds. */
#define LIM_FRAG_TIMEOUT_US	(30ull * 1000000)

/* Flows tracked at once (flow.max); the table is preallocated. */
#define LIM_FLOW_MAX		65536
/* Idle timeout of a flow before its handshake completed (flow.timeout). */
#define LIM_FLOW_TIMEOUT_US	(120ull * 1000000)
/* Idle timeout once established or bypassed (flow.established-timeout). */
#define LIM_FLOW_EST_TIMEOUT_US	(600ull * 1000000)
/* Idle timeout after FIN or RST from both sides (flow.closed-timeout). */
#define LIM_FLOW_CLOSED_TIMEOUT_US (10ull * 1000000)

/* Stream bytes delivered per direction (reassembly.depth). Handshakes
 * only: a TLS consumer may extend it up to LIM_TLS_HS_MAX while a
 * handshake message is in flight. */
#define LIM_REASM_DEPTH		(64u << 10)
/* Bytes held out of order per direction before we declare a gap. */
#define LIM_REASM_OOO_BYTES	(256u << 10)
/* Out-of-order segments held per direction. */
#define LIM_REASM_OOO_SEGS	256
/* Packet time a hole in a stream is held open, with data held beyond it,
 * before it is given up as lost (reassembly.hole-timeout).  An ACK past
 * the hole proves nothing on a mirror port (the directions take
 * different paths); reordering there lasts milliseconds, a capture drop
 * forever. */
#define LIM_REASM_HOLE_TIMEOUT_US (2ull * 1000000)
/* Bytes of reassembly buffers (pending + out of order) over all flows
 * (reassembly.memcap). */
#define LIM_REASM_MEMCAP	(32u << 20)

/* Largest TLS handshake message we reassemble (tls.max-handshake); a
 * 339 KB certificate exists in the wild, 16 MB claims are attacks. */
#define LIM_TLS_HS_MAX		(1u << 20)
/* Bytes of TLS state over all flows: handshake message buffers, DTLS
 * fragments, certificate copies waiting for their event (tls.memcap).  A
 * handshake header may claim 1 MiB in 9 bytes: without a shared budget,
 * many such flows would claim gigabytes. */
#define LIM_TLS_MEMCAP		(32u << 20)
/* Bytes of certificates (DER and rendered JSON) in the X.509 cache. */
#define LIM_X509_CACHE_BYTES	(32u << 20)
/* Certificates kept per chain. */
#define LIM_TLS_CHAIN_MAX	32
/* Values kept per list of one hello (extension types, and for the
 * fingerprints cipher suites, groups, signature algorithms...): a hello
 * may carry 32767 suites, real ones carry under 100. */
#define LIM_TLS_HELLO_VALS	512
/* TLS 1.3 server flight: application_data records counted (the
 * signals' flight size and layout, sensor/signals.c). */
#ifndef LIM_TLS_FLIGHT_RECORDS
#define LIM_TLS_FLIGHT_RECORDS	8
#endif
/* Plaintext bytes scanned for a STARTTLS-style upgrade per direction. */
#define LIM_STARTTLS_SCAN	(16u << 10)
/* Parsed certificates cached by SHA-256 (x509.cache). */
#define LIM_X509_CACHE		8192
/* Chain verdicts cached by the rules matcher (rules.cache); 0 disables. */
#define LIM_RULES_CACHE		4096
/* subjectAltName entries rendered per certificate (hard ceiling, not
 * configurable: the JSON is rendered once per cached certificate); some
 * CDN certificates carry thousands, the rest is flagged san_truncated. */
#define LIM_X509_SAN_MAX	256
/* CRYPTO frame bytes reassembled per QUIC flow to find the ClientHello
 * (quic.crypto-max): hellos run 250 B to 2 KB, post-quantum key shares
 * add 1.2 KB; what lies past the cap is not read (counted). */
#define LIM_QUIC_CRYPTO		(16u << 10)
/* (client, server name) pairs the QUIC-blocked signal remembers per
 * worker (quic.blocked-table); the least recently used goes first. */
#define LIM_QUIC_BLOCKED_TABLE	4096
/* Packet time a client's QUIC attempt waits for any server packet before
 * it counts as unanswered (quic.blocked-reply-timeout). */
#define LIM_QUIC_REPLY_TIMEOUT_US (3ull * 1000000)
/* Window after an unanswered QUIC attempt in which a TCP TLS session of
 * the client to the same name is its fallback (quic.blocked-window). */
#define LIM_QUIC_FALLBACK_US	(10ull * 1000000)
/* The QUIC-blocked alert's signature_id (quic.blocked-signature-id). */
#define LIM_QUIC_BLOCKED_SID	2990101
/* Packets given to nDPI per flow before we stop asking it. */
#define LIM_NDPI_PACKETS	12

/* Bytes of a capture file mapped at once by the zero-copy reader: mapped
 * pages count as resident memory, so the file is walked in windows. */
#define LIM_PCAP_MAP_WINDOW	(2u << 20)
/* Windows of a mapped capture the replay workers may still be reading
 * (zero-copy dispatch, workers.c): the reader waits for one to be free,
 * so at most this many more are mapped. */
#define LIM_AUTOFP_WINDOWS	4

/* Packets between two output flushes in replay. */
#define LIM_FLUSH_PACKETS	4096
/* stdio buffer for reading a capture file (one read(2) per this many bytes). */
#define LIM_PCAP_FILE_BUF	(1024 * 1024)
/* Compressed bytes read at once from a gzip/xz/zstd capture (zin.c). */
#define LIM_REPLAY_INBUF	(256u << 10)
/* Buffers of decompressed bytes a compressed capture's decompression
 * thread fills ahead of the parser (zin.c), and their size: large, so the
 * two threads meet once per buffer, not once per packet. */
#define LIM_ZIN_PIPE_BUFS	4
#define LIM_ZIN_PIPE_BUF	(512u << 10)
/*
 * Memory a compressed capture's decoder may take for its history: the
 * file names the size in its own header, and liblzma would allocate any
 * xz dictionary it is told (up to 4 GiB), zstd any window up to its
 * default of 128 MiB.  xz's memory limit is LIM_ZIN_MEM, zstd's window
 * at most 1 << LIM_ZIN_WINDOW_LOG, both 256 MiB: four times the
 * dictionary of xz -9, twice the window of zstd --ultra -22 and --long.
 * gzip's window is 32 KiB by its format.  A file that asks for more is
 * refused when its header is read, reported and counted bad like a
 * damaged one; the replay goes on.  Files merged by packet time are
 * decoded at the same time, each under its own limit.
 */
#define LIM_ZIN_WINDOW_LOG	28
#define LIM_ZIN_MEM		(1ull << LIM_ZIN_WINDOW_LOG)
/* Decompressed bytes held by the streaming pcap reader: a record must fit
 * (PCAP_REC_MAX, 1 MiB, plus its header), so at least twice that. */
#define LIM_REPLAY_BUF		(2u << 20)
/* Interfaces of one pcapng section (Interface Description Blocks); a
 * packet naming an interface past this is an error. */
#define LIM_PCAPNG_IFACES	256
/* Largest pcapng block: a record (PCAPFILE_REC_MAX) plus its options. */
#define PCAPNG_BLOCK_MAX	((1u << 20) + (64u << 10))
/* Capture files open at once when replayed files overlap in time (each
 * holds a map window or a decompressor): past this, a file waits for one
 * to end and its packets may come out of time order (warned). */
#define LIM_REPLAY_OPEN		64
/* Distinct server names and issuers counted for the replay summary; the
 * rest are counted together as "(other)". */
#define LIM_SUMMARY_KEYS	4096
/* Worker threads at most (--workers, workers:). */
#define LIM_WORKERS_MAX		64
/* Bytes of the ring from the replay reader to each worker (frames are
 * copied in; the reader waits while it is full; a frame over a quarter
 * of it goes by pointer to a heap copy).  Small, so that it stays in the
 * cache the reader and the worker share: with 8 MiB, --workers 2 took
 * 0.74 s on large.pcap, with 1 MiB 0.57 s (--workers 1: 0.50 s). */
#define LIM_AUTOFP_RING		(1u << 20)
/* Bytes of finished event lines waiting for the writer thread: a worker
 * that finds the queue fuller waits (events are never dropped). */
#define LIM_WRITER_QUEUE	(32u << 20)
/* Lines a worker gathers before handing them to the writer at once. */
#define LIM_WRITER_BATCH	(256u << 10)
/* Live interfaces at once (-i repeated, interfaces: list). */
#define LIM_INTERFACES		16
/* Bytes of one block of a live capture ring (TPACKET_V3): the kernel
 * hands over whole blocks; capture.buffer-size is cut into them. */
#define LIM_LIVE_BLOCK		(1u << 20)
/* Seconds between attempts to reopen a lost interface: from 1, doubled
 * after each failure up to this. */
#define LIM_LIVE_BACKOFF_MAX	30
/* Bytes of /proc/net/dev read for the interfaces' own drop counters
 * (about 130 per interface: several hundred interfaces); an interface
 * listed past it keeps its last count. */
#define LIM_NETDEV_BYTES	(64u << 10)

/* Bytes of frames kept per flow for its evidence bundle (handshake
 * packets, evidence.flow-bytes): both directions' reassembly depth plus
 * the frames' headers; a handshake that needs more is kept truncated. */
#define LIM_PKTBUF_FLOW		(160u << 10)
/* Bytes of kept frames over all flows (evidence.memcap): a flood of
 * half-open handshakes costs at most this much. */
#define LIM_PKTBUF_MEMCAP	(8u << 20)
/* Bundles remembered for repeat counting (evidence.window): the same
 * chain from the same server within the window counts, no new bundle. */
#define LIM_EVIDENCE_RECENT	1024
/* Distinct issuers and server names per tls_aggregate period (privacy
 * mode); the rest are counted together as "(other)". */
#define LIM_AGG_KEYS		4096

/* Outputs (sink.c).  Bytes one output may hold queued while its far end is
 * down or slow (outputs[].spool-bytes); past it events are dropped, the
 * oldest non-alerts first, and counted. */
#define LIM_SINK_SPOOL_BYTES	(4u << 20)
/* Queued bytes that make a stream or file output write before the next
 * flush (one write per batch, not per event). */
#define LIM_SINK_BATCH		(64u << 10)
/* Records handed to the kernel in one writev. */
#define LIM_SINK_IOV		64
/* Retry delay after a failure, doubled per failure up to the cap. */
#define LIM_SINK_RETRY_MIN_MS	100
#define LIM_SINK_RETRY_MAX_MS	30000
/* At exit, time given to the outputs to deliver what they still hold. */
#define LIM_SINK_DRAIN_MS	3000
/* Largest datagram (syslog over UDP or a local socket, unix dgram) unless
 * max-size says otherwise: the IPv4 UDP payload ceiling. */
#define LIM_SINK_DGRAM_MAX	65507
/* Redis commands pipelined before their replies come back. */
#define LIM_REDIS_INFLIGHT	1024

struct limits {
	uint32_t	flow_max;
	uint64_t	flow_timeout_us;
	uint64_t	flow_est_timeout_us;
	uint64_t	flow_closed_timeout_us;
	uint32_t	reasm_depth;
	uint32_t	reasm_ooo_bytes;
	uint32_t	reasm_ooo_segs;
	uint64_t	reasm_memcap;
	uint64_t	reasm_hole_timeout_us;
	uint32_t	tls_hs_max;
	uint64_t	tls_memcap;
	uint64_t	x509_cache_bytes;
	uint32_t	frag_trains;
	uint64_t	frag_memcap;
	uint64_t	frag_timeout_us;
	uint32_t	x509_cache;
	uint32_t	rules_cache;
	uint32_t	ndpi_packets;
	uint64_t	pktbuf_flow;
	uint64_t	pktbuf_memcap;
	int		quic;			/* quic.enabled */
	uint32_t	quic_crypto_max;
	int		quic_blocked;		/* quic.blocked */
	uint32_t	quic_blocked_table;
	uint32_t	quic_blocked_sid;
	uint64_t	quic_reply_timeout_us;
	uint64_t	quic_fallback_us;
};

/* Fill *l with the defaults above. */
void limits_default(struct limits *l);

/* The active probe (rootwatch(8) PROBE, sensor/probe.h). */
/* Names probed: probe.targets and the tiers' together. */
#define LIM_PROBE_TARGETS	64
/* Tier lists named in probe.tiers. */
#define LIM_PROBE_TIERS		8
/* Certificates of a probe answer kept; the server may send more. */
#define LIM_PROBE_CERTS		16
/* Bytes of one answer from the probe process (the chain is cut, and said
 * truncated, past it): what the main process reads from a less trusted
 * process is bounded before it is parsed. */
#define LIM_PROBE_MSG		(128u << 10)
/* Names probe.from-wire may add (probe.from-wire-max up to this). */
#define LIM_PROBE_WIRE_NAMES	64
/* Names offered by the workers and not yet taken by the main loop;
 * offers past it are dropped and counted. */
#define LIM_PROBE_WIRE_QUEUE	8
/* Rounds a failing name sits out at most (the backoff doubles to it). */
#define LIM_PROBE_BACKOFF	64
/* Seconds past both timeouts before an unanswered request is given up
 * (the system resolver's own retries). */
#define LIM_PROBE_ANSWER_SLACK	40

#endif /* ROOTWATCH_LIMITS_H */
