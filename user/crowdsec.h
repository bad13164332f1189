/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CrowdSec's decision stream in portxdp's terms (doc/design.md, section
 * 10): the body of GET /v1/decisions/stream, {"new": [...], "deleted":
 * [...]}, each decision {"type", "scope", "value", "duration", ...}, read
 * into bans and unbans of struct px_ban_key. A ban decision of scope Ip is
 * one source (an IPv6 address: its /64); of scope Range, every source in
 * it, up to CS_RANGE_KEYS (an IPv4 /24, an IPv6 /56); an IPv6 range of /64
 * or longer is its /64. Other types (captcha) and scopes (Country, AS) are
 * counted as skipped. Pure logic, for the unit tests; the HTTP side is
 * crowdsec_http.c, the verb cmd_crowdsec.c.
 */
#ifndef PX_CROWDSEC_H
#define PX_CROWDSEC_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "portxdp.h"

/* The sources one Range decision may become. */
#define CS_RANGE_KEYS 256

struct cs_change {
	struct px_ban_key src;
	unsigned long secs; /* bans: seconds left, at most 366 days */
	/* bans: "crowdsec:" and the decision's scenario, cut to fit */
	char note[PX_BAN_NOTE_LEN];
};

struct cs_stream {
	struct cs_change *bans, *unbans;
	size_t nbans, nunbans;
	size_t bans_cap, unbans_cap;
	size_t decisions;   /* in "new" and "deleted" together */
	size_t not_ban;	    /* skipped: type is not "ban" (captcha...) */
	size_t other_scope; /* skipped: scope is not Ip or Range */
	size_t wide_range;  /* skipped: a range of more than CS_RANGE_KEYS */
	size_t malformed;   /* skipped: a field missing or unreadable */
	size_t expired;	    /* skipped: a new decision with no time left */
	char example[80];   /* one skipped value, for the message */
};

/*
 * Read a decision stream's body (len bytes, not NUL-terminated). 0, or
 * -EINVAL with why (len bytes) saying what is wrong with it, or -ENOMEM.
 * cs_stream_free() after, whatever it returned.
 */
int cs_stream_parse(const char *body, size_t len, struct cs_stream *out,
		    char *why, size_t whylen);
void cs_stream_free(struct cs_stream *s);

/*
 * A Go duration, as CrowdSec writes them ("3h59m55.75s", "-132.29ms",
 * "1m"), to whole seconds rounded up (a ban never ends early). 0 or
 * -EINVAL.
 */
int cs_duration_parse(const char *s, long long *secs);

/*
 * The sources of a Range value ("198.51.100.0/24", "2001:db8::/56") into
 * keys (room for CS_RANGE_KEYS). The count, -E2BIG when the range holds
 * more, or -EINVAL.
 */
int cs_range_keys(const char *value, struct px_ban_key *keys);

#endif
