/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Source addresses as bans know them (doc/design.md, section 10): an IPv4
 * address, an IPv6 /64, or a link-local IPv6 address whole (struct
 * px_ban_key, include/portxdp.h), and prefixes (struct px_ban_prefix).
 * The one parser and printer of both.
 */
#ifndef PX_SOURCE_H
#define PX_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "portxdp.h"

/* "198.51.100.7/32" or "2001:db8:1:2::/64": the longest form. */
#define SOURCE_LEN 64

/*
 * A source: an IPv4 address (or a /32), an IPv6 address (its /64 is the
 * source) or an IPv6 /64; a link-local address (fe80::/64) is its own
 * source, as the program keys it. 0, or -EINVAL with *why saying what is
 * wrong.
 */
int source_parse(const char *s, struct px_ban_key *out, const char **why);

/* "198.51.100.7", "2001:db8:1:2::/64", "fe80::1". */
const char *source_format(char *buf, size_t size, const struct px_ban_key *k);

/*
 * A prefix: ADDRESS[/LEN], IPv4 or IPv6 (no LEN: the one address). Host
 * bits set are an error (*why says which prefix was meant). s[0..len).
 * 0 or -EINVAL.
 */
int prefix_parse(const char *s, size_t len, struct px_ban_prefix *out,
		 const char **why);

/* Whether k is inside p. */
bool prefix_has(const struct px_ban_prefix *p, const struct px_ban_key *k);

const char *prefix_format(char *buf, size_t size,
			  const struct px_ban_prefix *p);

#endif
