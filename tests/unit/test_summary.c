// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of user/summary.c: the words attach, apply, open, close and
 * status use for a policy and a change: per protocol, port 0 (always
 * dropped by the filter) never counted as open, opened or closed.
 */
#include <string.h>

#include "check.h"
#include "policy.h"
#include "summary.h"

static void all(struct px_policy *p, bool open)
{
	memset(p, 0, sizeof(*p));
	for (int proto = PX_TCP; proto < PX_NPROTO; proto++)
		for (unsigned int port = 0; port < PX_PORTS; port++)
			policy_set_port(p, proto, port, open);
	if (open)
		p->flags |= PX_F_PING_OPEN;
}

static void test_port_0_is_never_open(void)
{
	struct px_policy p;
	char buf[128];

	all(&p, true);
	ASSERT_EQ(summary_open(&p, PX_TCP), 65535, "default open: 65535");
	summary_policy(buf, sizeof(buf), &p);
	ASSERT_STREQ(buf, "tcp 65535 open, udp 65535 open, ping open",
		     "attach's words");
	all(&p, false);
	policy_set_port(&p, PX_UDP, 53, true);
	summary_policy(buf, sizeof(buf), &p);
	ASSERT_STREQ(buf, "tcp 0 open, udp 1 open, ping closed", "closed");
}

static void test_change_per_protocol(void)
{
	struct px_policy live, next;
	char buf[160];

	all(&live, true);
	all(&next, true);
	policy_set_port(&next, PX_TCP, 23, false);
	policy_set_port(&next, PX_TCP, 0, false); /* not a change anyone sees */
	policy_set_port(&next, PX_UDP, 5000, false);
	policy_set_port(&next, PX_UDP, 5001, false);
	next.flags = PX_F_FRAG_DROP;
	summary_change(buf, sizeof(buf), &live, &next, NULL, NULL);
	ASSERT_STREQ(buf,
		     "tcp 0 opened, 1 closed; udp 0 opened, 2 closed, ping "
		     "closed, later fragments now dropped",
		     "apply's words");
	summary_change(buf, sizeof(buf), &next, &live, NULL, NULL);
	ASSERT_STREQ(buf,
		     "tcp 1 opened, 0 closed; udp 2 opened, 0 closed, ping "
		     "opened, later fragments now pass",
		     "and back");
	summary_change(buf, sizeof(buf), &live, &live, NULL, NULL);
	ASSERT_STREQ(buf, "tcp 0 opened, 0 closed; udp 0 opened, 0 closed",
		     "no change");
}

static void test_class_names(void)
{
	ASSERT_STREQ(summary_class(32768, 60999, 32768, 60999), "ephemeral",
		     "the live ephemeral range");
	ASSERT_STREQ(summary_class(49152, 65535, 49152, 65535), "ephemeral",
		     "ephemeral first when it is the dynamic range too");
	ASSERT_STREQ(summary_class(49152, 65535, 32768, 60999), "dynamic",
		     "dynamic");
	ASSERT_STREQ(summary_class(0, 1023, 32768, 60999), "well-known",
		     "well-known");
	ASSERT_STREQ(summary_class(1024, 49151, 32768, 60999), "registered",
		     "registered");
	ASSERT_TRUE(!summary_class(32768, 60998, 32768, 60999),
		    "a range that is no class");
	ASSERT_TRUE(!summary_class(5, 5, 1, 0), "unknown ephemeral range");
}

int main(void)
{
	RUN(test_port_0_is_never_open);
	RUN(test_change_per_protocol);
	RUN(test_class_names);
	return check_exit();
}
