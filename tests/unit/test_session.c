// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the SSH-session guard with zones (user/policy_live.c):
 * the client of SSH_CONNECTION is judged by its zone in the policy (the
 * longest prefix; an IPv4 client written as ::ffff:a.b.c.d too), a `from`
 * line or a block that shuts it out is a cut, one for other sources is
 * not, and a zone that opens ssh keeps the client in when the base closes.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "policy.h"
#include "policy_zone.h"

static struct px_policy pol;
static struct px_zoneset *zs;

static bool cuts(const char *client, const char *text)
{
	char env[128];
	struct session_check sc = {.next = &pol};
	FILE *null = fopen("/dev/null", "w");
	bool cut;

	zoneset_free(zs);
	zs = NULL;
	snprintf(env, sizeof(env), "%s 50000 198.51.100.2 22", client);
	setenv("SSH_CONNECTION", env, 1);
	if (policy_text_zoned("t.policy", text, NULL, &pol, &zs, NULL, null))
		fprintf(stderr, "  policy did not parse: %s\n", text);
	fclose(null);
	sc.zs = zs;
	cut = policy_session_cut(&sc, NULL, "eth0");
	unsetenv("SSH_CONNECTION");
	return cut;
}

static const char office[] = "default open\n"
			     "zone office 198.51.100.0/24 2001:db8:5::/48\n"
			     "zone desk 198.51.100.7\n"
			     "close 22 from office\n";

static void test_the_clients_zone_decides(void)
{
	ASSERT_TRUE(cuts("198.51.100.9", office), "client in office");
	ASSERT_TRUE(cuts("::ffff:198.51.100.9", office), "v4 on a v6 socket");
	ASSERT_TRUE(cuts("2001:db8:5::1", office), "IPv6 client in office");
	ASSERT_TRUE(!cuts("203.0.113.9", office), "client in no zone");
	ASSERT_TRUE(
		!cuts("198.51.100.7", office),
		"client in desk, longer than office, which follows the base");
	ASSERT_TRUE(!cuts("garbage", office), "unreadable client: the base");
}

static void test_block_and_zone_opens(void)
{
	ASSERT_TRUE(
		cuts("198.51.100.9", "default open\nblock 198.51.100.0/25\n"),
		"client blocked");
	ASSERT_TRUE(!cuts("198.51.100.200",
			  "default open\nblock 198.51.100.0/25\n"),
		    "another source blocked");
	ASSERT_TRUE(!cuts("198.51.100.9", "default closed\n"
					  "zone office 198.51.100.0/24\n"
					  "open ssh from office\n"),
		    "base closed, the client's zone opens ssh");
	ASSERT_TRUE(cuts("198.51.100.9",
			 "default closed\nopen ssh from 10.0.0.1\n"),
		    "base closed, ssh open for another source only");
}

int main(void)
{
	if (!getenv("PORTXDP_DATADIR"))
		setenv("PORTXDP_DATADIR", "policies", 1);
	RUN(test_the_clients_zone_decides);
	RUN(test_block_and_zone_opens);
	zoneset_free(zs);
	return check_exit();
}
