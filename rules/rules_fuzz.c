/*
 * rules_fuzz.c - libFuzzer target: the rules loader on arbitrary text.
 *
 * Every input must either load (then dump, and free) or be rejected with
 * a "name:line:column: message" error; nothing may crash or leak.  Seeds:
 * tests/fuzz/rules/ (copies of the tests/rules cases).  Anchor paths resolve
 * relative to the current directory.  An untrusted rule without a
 * trust_store loads "the system bundle": here the first two roots of the
 * real one, written once to a memfd (parsing all 140-odd per input took
 * two thirds of the run; the loading code is the same).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "rules.h"
#include "../sensor/xmalloc.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 path[64];
	STACK_OF(X509)	*all;
	X509_STORE	*st;
	FILE		*f;
	int		 fd, i;

	(void)argc;
	(void)argv;
	/* No system bundle: the real (failing) load runs per input. */
	if ((st = rules_trust_store_load(NULL)) == NULL)
		return 0;
	all = X509_STORE_get1_all_certs(st);
	if (all != NULL && (fd = memfd_create("rules_fuzz_bundle", 0)) != -1 &&
	    (f = fdopen(dup(fd), "w")) != NULL) {
		for (i = 0; i < sk_X509_num(all) && i < 2; i++)
			PEM_write_X509(f, sk_X509_value(all, i));
		if (fclose(f) == 0) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			rules_system_bundle(path);
		}
	}
	sk_X509_pop_free(all, X509_free);
	X509_STORE_free(st);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct rules_error	 err;
	struct ruleset		*rs;
	FILE			*devnull;

	/* One input in eight: an allocation fails after a few succeed. */
	if (len > 0 && (data[len - 1] & 7) == 7)
		xalloc_fail_after((long)(data[0] & 31));
	rs = rules_load_string("fuzz.yaml", (const char *)data, len, &err);
	xalloc_fail_after(-1);
	if (rs == NULL) {
		if (strncmp(err.msg, "fuzz.yaml:", 10) != 0)
			__builtin_trap();
		return 0;
	}
	if ((devnull = fopen("/dev/null", "w")) != NULL) {
		rules_dump(rs, devnull);
		fclose(devnull);
	}
	rules_unref(rs);
	return 0;
}
