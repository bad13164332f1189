/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ban rule of a policy (doc/design.md, section 10) as people read it
 * and as two policies compare: `bans` shows it, `diff`, `apply` and
 * `save` compare it. The parser is user/policy_ban.c.
 */
#ifndef PX_BAN_RULE_H
#define PX_BAN_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "portxdp.h"
#include "source.h"

struct px_zoneset;

/* The rule's text at most: the words, 32 names or prefixes. */
#define BAN_RULE_TEXT_LEN (96 + 2 * PX_BAN_EXCEPT_MAX * (SOURCE_LEN + 1))

/* What follows `except`: the zones' names, then the prefixes. */
struct ban_except {
	size_t n;
	char s[2 * PX_BAN_EXCEPT_MAX][SOURCE_LEN];
};

/*
 * r's except list; zone names from zs, the zone table r's indices are of
 * (NULL when unread: a zone is then "(zone N)").
 */
void ban_rule_except(const struct px_ban_rule *r, const struct px_zoneset *zs,
		     struct ban_except *l);

/*
 * "ban after 3 ports in 1m for 10m except lan 198.51.100.1/32", or "no
 * ban rule" when r has none. Returns buf.
 */
const char *ban_rule_text(char *buf, size_t len, const struct px_ban_rule *r,
			  const struct px_zoneset *zs);

/*
 * Whether a (zones azs) and b (zones bzs) are the same rule: N, SECS,
 * DURATION and the same except zones (by name) and prefixes, in any
 * order.
 */
bool ban_rule_same(const struct px_ban_rule *a, const struct px_zoneset *azs,
		   const struct px_ban_rule *b, const struct px_zoneset *bzs);

#endif
