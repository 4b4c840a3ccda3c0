/*
 * probe_conf.c - the probe: block's defaults and checks (rootwatch(8)
 * PROBE).  Apart from probe.c so that the configuration loader (and its
 * fuzzer) need no TLS library.
 */
#include "probe.h"

#include <string.h>

void
probe_conf_default(struct probe_conf *pc)
{
	memset(pc, 0, sizeof(*pc));
	strcpy(pc->tiers[0], "kazakh-2019");
	pc->ntiers = 1;
	strcpy(pc->control, "example.com");
	pc->period = 6 * 3600;
	pc->jitter = 1800;
	pc->max_per_hour = 60;
	pc->connect_timeout = 10;
	pc->handshake_timeout = 10;
	pc->port = 443;
	pc->wire_max = 16;
	pc->wire_sample = 100;
}

int
probe_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= PROBE_NAME_LEN || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '.' || s[i] == '_'))
			return 0;
	return 1;
}

int
probe_wanted(const struct probe_conf *pc, const char **why)
{
	*why = NULL;
	if (pc->enabled && pc->ack)
		return 1;
	if (pc->enabled)
		*why = "probe: enabled, but i-understand-the-risks: true is "
		    "missing: the probe stays off (rootwatch(8) PROBE)";
	else if (pc->ack)
		*why = "probe: i-understand-the-risks given, but enabled: "
		    "true is missing: the probe stays off";
	return 0;
}

const char *
probe_outcome_name(enum probe_outcome o)
{
	static const char *const n[PROBE_OUTCOME_MAX] = { "ok",
	    "resolve-failed", "connect-failed", "refused", "timeout",
	    "handshake-failed" };

	return (unsigned)o < PROBE_OUTCOME_MAX ? n[o] : "unknown";
}
