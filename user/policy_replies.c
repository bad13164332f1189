// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The policy line `option replies on|off [SIZE] [tcp-idle SECS]
 * [udp-idle SECS]` (doc/design.md, section 9): a packet to a closed port
 * passes when it answers a flow this host opened, while that flow stays
 * active. SIZE is the flow table's (made at attach), the idle times how
 * long a flow stays active after its last outgoing packet. The defaults
 * are set by policy_init(); a later `option replies` line replaces the
 * whole setting, so a line says everything about replies that differs
 * from the defaults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "policy_state.h"

#define NS_PER_S 1000000000ULL

/* A decimal number lo..hi, nothing else; false when it is not one. */
static bool number_in(const struct tok *t, unsigned long lo, unsigned long hi,
		      unsigned long *out)
{
	char buf[16], *end;
	unsigned long v;

	if (!t->len || t->len >= sizeof(buf) ||
	    strspn(t->s, "0123456789") < t->len)
		return false;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	v = strtoul(buf, &end, 10);
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* tcp-idle SECS or udp-idle SECS, its word already in *t. */
static bool idle_arg(struct pstate *st, const char *line, size_t len,
		     size_t *at, struct tok *t, int proto)
{
	unsigned long secs;
	unsigned int end = t->col + (unsigned int)t->len;
	char b[SHOWN_LEN], m[32], h[192];
	int err;

	if (!next_tok(line, len, at, t)) {
		error_at(st, end, "e.g. 'tcp-idle 5m' or 'udp-idle 60'",
			 "'%s-idle' needs a duration",
			 proto == PX_TCP ? "tcp" : "udp");
		return false;
	}
	err = duration_parse(t->s, t->len, PX_REPLY_IDLE_MAX_S, &secs);
	if (err) {
		snprintf(h, sizeof(h),
			 "an idle time is " DURATION_FORMS ", from 1s to %s",
			 duration_format(m, sizeof(m), PX_REPLY_IDLE_MAX_S));
		error_at(st, t->col, h, "idle time '%s' is %s",
			 shown(t->s, t->len, b),
			 err == -ERANGE ? "out of range" : "not a duration");
		return false;
	}
	st->pol.reply_idle_ns[proto] = secs * NS_PER_S;
	return true;
}

/* A flow table size, SIZE; false when it is not one (reported). */
static bool size_arg(struct pstate *st, const struct tok *t)
{
	unsigned long size;
	char b[SHOWN_LEN];

	if (!number_in(t, PX_REPLY_SIZE_MIN, PX_REPLY_SIZE_MAX, &size)) {
		error_at(st, t->col, "the default, 65536, suits most hosts",
			 "flow table size '%s' is not from %u to %u",
			 shown(t->s, t->len, b), PX_REPLY_SIZE_MIN,
			 PX_REPLY_SIZE_MAX);
		return false;
	}
	st->pol.reply_size = (__u32)size;
	return true;
}

/*
 * After `on`: [SIZE] [tcp-idle SECS] [udp-idle SECS], in any order, each
 * once (seen[]: the column of each, 0 until given).
 */
static void replies_on_args(struct pstate *st, const char *line, size_t len,
			    size_t at)
{
	static const char *const what[] = {"SIZE", "tcp-idle", "udp-idle"};
	unsigned int seen[3] = {0};
	struct tok t;
	char b[SHOWN_LEN];
	int k;
	bool ok;

	while (next_tok(line, len, &at, &t)) {
		k = word_is(t.s, t.len, "tcp-idle")	 ? 1
		    : word_is(t.s, t.len, "udp-idle")	 ? 2
		    : strspn(t.s, "0123456789") == t.len ? 0
							 : -1;
		if (k < 0) {
			error_at(st, t.col,
				 "write 'option replies on [SIZE] [tcp-idle "
				 "SECS] [udp-idle SECS]'",
				 "unexpected '%s' after 'option replies on'",
				 shown(t.s, t.len, b));
			return;
		}
		if (seen[k]) {
			error_at(st, t.col, "give each once",
				 "%s given twice in 'option replies' (first "
				 "at column %u)",
				 what[k], seen[k]);
			return;
		}
		seen[k] = t.col;
		ok = k ? idle_arg(st, line, len, &at, &t,
				  k == 1 ? PX_TCP : PX_UDP)
		       : size_arg(st, &t);
		if (!ok)
			return;
	}
}

void line_option_replies(struct pstate *st, const char *line, size_t len,
			 size_t at, const struct tok *name)
{
	struct tok t;
	char b[SHOWN_LEN];

	st->pol.reply_size = PX_REPLY_SIZE_DEFAULT;
	st->pol.reply_idle_ns[PX_TCP] = PX_REPLY_TCP_IDLE_S * NS_PER_S;
	st->pol.reply_idle_ns[PX_UDP] = PX_REPLY_UDP_IDLE_S * NS_PER_S;
	if (!next_tok(line, len, &at, &t)) {
		error_at(st, name->col + (unsigned int)name->len,
			 "write 'option replies on' or 'option replies off'",
			 "'option replies' needs on or off");
		return;
	}
	if (word_is(t.s, t.len, "off")) {
		st->pol.flags &= ~PX_F_REPLIES;
		if (next_tok(line, len, &at, &t))
			error_at(st, t.col,
				 "'option replies off' takes nothing "
				 "more",
				 "unexpected '%s'", shown(t.s, t.len, b));
		return;
	}
	if (!word_is(t.s, t.len, "on")) {
		error_at(st, t.col,
			 "write 'option replies on' or 'option replies off'",
			 "expected on or off, not '%s'", shown(t.s, t.len, b));
		return;
	}
	st->pol.flags |= PX_F_REPLIES;
	replies_on_args(st, line, len, at);
}
