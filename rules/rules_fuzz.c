/*
 * rules_fuzz.c - libFuzzer target: the rules loader on arbitrary text.
 *
 * Every input must either load (then dump, and free) or be rejected with
 * a "name:line:column: message" error; nothing may crash or leak.  Seeds:
 * tests/fuzz/rules/ (copies of the tests/rules cases).  Anchor paths resolve
 * relative to the current directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "../sensor/xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
