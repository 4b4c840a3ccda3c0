/*
 * hash.h - the 64-bit finaliser (MurmurHash3's fmix64 constants) that
 * spreads a keyed word over all bits: flow_id (output.c) and the replay
 * dispatch hash (workers.c).  A base header, like lru.h.
 */
#ifndef ROOTWATCH_HASH_H
#define ROOTWATCH_HASH_H

#include <stdint.h>

static inline uint64_t
hash_fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

#endif
