// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ban rule in words and compared; see ban_rule.h. */
#include <stdio.h>
#include <string.h>

#include "ban_rule.h"
#include "duration.h"
#include "policy_zone.h"
#include "text.h"

void ban_rule_except(const struct px_ban_rule *r, const struct px_zoneset *zs,
		     struct ban_except *l)
{
	l->n = 0;
	for (__u32 i = 0; i < r->nzones && i < PX_BAN_EXCEPT_MAX; i++) {
		unsigned int z = r->zones[i];

		if (zs && z && z <= zs->nzones)
			text_copy(l->s[l->n++], SOURCE_LEN, zs->zone[z].name);
		else
			snprintf(l->s[l->n++], SOURCE_LEN, "(zone %u)", z);
	}
	for (__u32 i = 0; i < r->nexcept && i < PX_BAN_EXCEPT_MAX; i++)
		prefix_format(l->s[l->n++], SOURCE_LEN, &r->except[i]);
}

const char *ban_rule_text(char *buf, size_t len, const struct px_ban_rule *r,
			  const struct px_zoneset *zs)
{
	struct ban_except l;
	char a[32], b[32];
	size_t n;

	if (!r->ports) {
		snprintf(buf, len, "no ban rule");
		return buf;
	}
	ban_rule_except(r, zs, &l);
	n = (size_t)snprintf(buf, len, "ban after %u ports in %s for %s",
			     r->ports,
			     duration_format(a, sizeof(a), r->window_s),
			     duration_format(b, sizeof(b), r->duration_s));
	for (size_t i = 0; i < l.n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s %s",
				      i ? "" : " except", l.s[i]);
	return buf;
}

/* Every entry of x is one of y's. */
static bool within(const struct ban_except *x, const struct ban_except *y)
{
	for (size_t i = 0; i < x->n; i++) {
		size_t k = 0;

		while (k < y->n && strcmp(x->s[i], y->s[k]))
			k++;
		if (k == y->n)
			return false;
	}
	return true;
}

bool ban_rule_same(const struct px_ban_rule *a, const struct px_zoneset *azs,
		   const struct px_ban_rule *b, const struct px_zoneset *bzs)
{
	struct ban_except la, lb;

	if (a->ports != b->ports)
		return false;
	if (!a->ports)
		return true;
	if (a->window_s != b->window_s || a->duration_s != b->duration_s ||
	    a->nzones != b->nzones || a->nexcept != b->nexcept)
		return false;
	ban_rule_except(a, azs, &la);
	ban_rule_except(b, bzs, &lb);
	return within(&la, &lb) && within(&lb, &la);
}
