/*
 * privacy_test.c - sensor/privacy.c: Crypto-PAn pseudonyms keep exactly
 * the common prefix (IPv4 and IPv6), depend on the key, MAC pseudonyms
 * are local unicast; the key file is made 0600 and refused when others
 * can read it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sensor/privacy.h"

static uint8_t key1[PRIVACY_KEY_LEN], key2[PRIVACY_KEY_LEN];

static int
common_bits(const uint8_t *a, const uint8_t *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return i;
	return n;
}

/* Random address pairs sharing k bits: the pseudonyms share exactly k. */
static void
prefix_check(int family)
{
	struct privacy pv;
	uint8_t a[16], b[16], pa[16], pb[16];
	int nbits = family == 6 ? 128 : 32, k, t;

	assert_int_equal(privacy_init(&pv, key1, PRIVACY_CLIENTS_PSEUDONYM),
	    0);
	srand(7);
	for (t = 0; t < 200; t++) {
		for (k = 0; k < 16; k++)
			a[k] = b[k] = (uint8_t)rand();
		k = rand() % nbits;
		b[k / 8] ^= (uint8_t)(0x80 >> (k % 8));	/* differ at bit k */
		for (int i = k + 1; i < nbits; i++)
			if (rand() & 1)
				b[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		privacy_ip(&pv, family, a, pa);
		privacy_ip(&pv, family, b, pb);
		assert_int_equal(common_bits(pa, pb, nbits), k);
		assert_int_equal(common_bits(a, b, nbits), k);
	}
	privacy_ip(&pv, family, a, pb);
	assert_memory_equal(pa, pb, (size_t)nbits / 8);	/* deterministic */
	privacy_free(&pv);
}

static void
test_prefix_v4(void **state)
{
	(void)state;
	prefix_check(4);
}

static void
test_prefix_v6(void **state)
{
	(void)state;
	prefix_check(6);
}

static void
test_keyed(void **state)
{
	struct privacy p1, p2;
	const uint8_t a[4] = { 10, 20, 30, 40 }, mac[6] = { 2, 0xaa, 0xbb,
	    0xcc, 0xdd, 1 };
	uint8_t o1[4], o2[4], m1[6], m2[6];

	(void)state;
	assert_int_equal(privacy_init(&p1, key1, 1), 0);
	assert_int_equal(privacy_init(&p2, key2, 1), 0);
	privacy_ip(&p1, 4, a, o1);
	privacy_ip(&p2, 4, a, o2);
	assert_memory_not_equal(o1, o2, 4);
	assert_memory_not_equal(o1, a, 4);
	privacy_mac(&p1, mac, m1);
	privacy_mac(&p2, mac, m2);
	assert_memory_not_equal(m1, m2, 6);
	assert_int_equal(m1[0] & 3, 2);		/* local, unicast */
	assert_int_equal(m2[0] & 3, 2);
	assert_true(privacy_derive64(&p1, "x") != privacy_derive64(&p2, "x"));
	privacy_free(&p1);
	privacy_free(&p2);
}

static void
test_key_file(void **state)
{
	char dir[] = "/tmp/privacy_test.XXXXXX", path[64];
	uint8_t k1[PRIVACY_KEY_LEN], k2[PRIVACY_KEY_LEN];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/privacy.key", dir);
	assert_int_equal(privacy_key_load(path, k1), 0);	/* made */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, PRIVACY_KEY_LEN);
	assert_int_equal(privacy_key_load(path, k2), 0);	/* read */
	assert_memory_equal(k1, k2, PRIVACY_KEY_LEN);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(privacy_key_load(path, k2), -1);	/* refused */
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_v4),
		cmocka_unit_test(test_prefix_v6),
		cmocka_unit_test(test_keyed),
		cmocka_unit_test(test_key_file),
	};

	assert_int_equal(privacy_key_random(key1), 0);
	assert_int_equal(privacy_key_random(key2), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
