/*
 * rules_dump - test driver for tests/rules.sh: load one rules file and
 * print its canonical dump (rules_dump), or the loader's error line.
 * Exit 0 on success, 1 on a load error.
 */
#include <stdio.h>

#include "rules.h"

int
main(int argc, char *argv[])
{
	struct rules_error	 err;
	struct ruleset		*rs;
	const char		*paths[1];

	if (argc != 2) {
		fprintf(stderr, "usage: rules_dump file\n");
		return 2;
	}
	paths[0] = argv[1];
	if ((rs = rules_load(paths, 1, &err)) == NULL) {
		printf("%s\n", err.msg);
		return 1;
	}
	rules_dump(rs, stdout);
	rules_unref(rs);
	return 0;
}
