/*
 * profile.h - the per-name server profiles the signals learn
 * (rootwatch(8) SIGNALS): for each server name, what its servers chose
 * (version, cipher, key share group, extension list), the size and
 * record count of the encrypted TLS 1.3 server flight, and the keys that
 * issued its certificates, over a count of sessions and a span of packet
 * time.
 *
 * One table for the whole process, shared by the workers: the same name
 * reaches every worker (flows are spread by address), and a profile
 * learned in pieces per worker would become stable four times later and
 * disagree with itself.  A mutex guards it; it is taken once per
 * reported TLS session, never per packet (the session's packets were
 * reassembled and parsed without it), and held for one hash lookup and
 * a copy.  The table is bounded (least recently used name out) and saved
 * to a state file with an atomic replace (write a temporary file, fsync,
 * rename), at the save interval and at exit.
 */
#ifndef ROOTWATCH_PROFILE_H
#define ROOTWATCH_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#define PROFILE_VALS	4	/* distinct ciphers, groups, extension lists */
#define PROFILE_ISSUERS	8	/* distinct issuing keys */
#define PROFILE_MANY	0xff	/* a set that overflowed: any value fits */

/* What a name's servers have shown (copied out under the lock). */
struct profile_rec {
	uint64_t	 first_us, last_us;	/* packet time */
	uint32_t	 sessions;
	uint32_t	 flights;	/* TLS 1.3 flights measured */
	uint32_t	 versions;	/* bit per version: 1 << (minor & 7) of
					 * 0x03NN; bit 8 anything else */
	uint16_t	 ciphers[PROFILE_VALS];
	uint16_t	 groups[PROFILE_VALS];
	uint32_t	 exts[PROFILE_VALS];
	uint8_t		 nciphers, ngroups, nexts;	/* or PROFILE_MANY */
	uint8_t		 nissuers;
	uint8_t		 rec_min, rec_max;	/* flight records */
	uint32_t	 flight_min, flight_max;	/* flight bytes */
	uint64_t	 issuers[PROFILE_ISSUERS];
};

/* One session as the profile takes it. */
struct profile_obs {
	uint64_t	 ts_us;
	uint16_t	 version, cipher, group;
	uint32_t	 exts;
	int		 has_hello;	/* a ServerHello was seen */
	int		 has_flight;	/* a whole TLS 1.3 flight counted */
	uint32_t	 flight;
	uint8_t		 records;
	int		 has_issuer;
	uint64_t	 issuer;
};

struct profiles;

struct profiles *profiles_new(size_t max_names);
void	profiles_free(struct profiles *);
/*
 * Copy name's profile as it was into *before (0 when found, -1 when the
 * name is new), then learn obs.  One lock, one lookup.
 */
int	profiles_observe(struct profiles *, const char *name,
	    const struct profile_obs *obs, struct profile_rec *before);
/* Load a state file (missing: 0, empty table); -1 and err when it is
 * unreadable or malformed (the table keeps what parsed before). */
int	profiles_load(struct profiles *, const char *path, char *err,
	    size_t errlen);
/* Write the table to path atomically; 0 or -1 (logged).  Skipped (0)
 * when nothing changed since the last save. */
int	profiles_save(struct profiles *, const char *path);
size_t	profiles_count(struct profiles *);
uint64_t profiles_evictions(struct profiles *);

/* Set membership in a learned list (PROFILE_MANY: always). */
int	profile_has16(const uint16_t *v, uint8_t n, uint16_t x);
int	profile_has32(const uint32_t *v, uint8_t n, uint32_t x);
int	profile_has64(const uint64_t *v, uint8_t n, uint64_t x);

#endif
