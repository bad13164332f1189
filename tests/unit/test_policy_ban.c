// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the ban line (user/policy_ban.c, doc/design.md section
 * 10): `ban after N ports in SECS for DURATION [except SRC...]` into the
 * policy's rule and PX_F_BANS; each mistake an error at FILE:LINE:COL with
 * its fix, and nothing of the rule kept; `except` prefixes (IPv6 ones to
 * their /64) and zones (declared above; a nested zone's prefixes marked
 * excepted too); check's warnings: no except (spoofed scans), an IPv6
 * prefix longer than /64 in an except zone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "check.h"
#include "policy.h"
#include "policy_zone.h"

static struct px_policy pol;
static struct px_zoneset *zs;
#define MSGS_LEN 16384
static char *msgs;

static int parse(const char *text)
{
	FILE *f = fmemopen(msgs, MSGS_LEN, "w");
	int err;

	memset(msgs, 0, MSGS_LEN);
	memset(&pol, 0, sizeof(pol));
	zoneset_free(zs);
	zs = NULL;
	err = policy_text_zoned("t.policy", text, NULL, &pol, &zs, NULL, f);
	fclose(f);
	return err;
}

/* "default closed\n" + line: the ban line is line 2. */
static int parse_line(const char *line)
{
	static char text[4096];

	snprintf(text, sizeof(text), "default closed\n%s\n", line);
	return parse(text);
}

static void test_good_rule(void)
{
	ASSERT_OK(parse_line("ban after 10 ports in 60s for 1h except "
			     "198.51.100.0/24 2001:db8:1::/48"),
		  "parse");
	ASSERT_EQ(pol.ban.ports, 10, "N");
	ASSERT_EQ(pol.ban.window_s, 60, "SECS");
	ASSERT_EQ(pol.ban.duration_s, 3600, "DURATION");
	ASSERT_EQ(pol.ban.nexcept, 2, "two prefixes");
	ASSERT_EQ(pol.ban.except[0].len, 24, "first /24");
	ASSERT_EQ(pol.ban.except[1].family, 6, "second IPv6");
	ASSERT_EQ(pol.ban.nzones, 0, "no zone");
	ASSERT_TRUE(pol.flags & PX_F_BANS, "PX_F_BANS");
	ASSERT_TRUE(!strstr(msgs, "without 'except'"), "no spoof warning");
	ASSERT_OK(parse_line("ban after 1 ports in 1 for 600 except ::/0"),
		  "plain seconds, N = 1");
	ASSERT_EQ(pol.ban.window_s, 1, "1 s");
	ASSERT_EQ(pol.ban.duration_s, 600, "600 s");
	ASSERT_OK(parse_line("ban after 32 ports in 1d for 366d except "
			     "198.51.100.9"),
		  "the maxima");
	ASSERT_EQ(pol.ban.except[0].len, 32, "an address is a /32");
	ASSERT_OK(parse_line("ban after 5 ports in 1m30s for 1d12h except "
			     "198.51.100.9"),
		  "combined durations");
	ASSERT_EQ(pol.ban.window_s, 90, "1m30s");
	ASSERT_EQ(pol.ban.duration_s, 129600, "1d12h");
}

static void test_no_rule_no_flag(void)
{
	ASSERT_OK(parse("default closed\nopen 22\n"), "parse");
	ASSERT_EQ(pol.ban.ports, 0, "no rule");
	ASSERT_EQ(pol.flags & PX_F_BANS, 0, "no PX_F_BANS");
}

static void test_ipv6_except_is_its_64(void)
{
	ASSERT_OK(parse_line("ban after 3 ports in 60s for 1h except "
			     "2001:db8:1:2::5"),
		  "parse");
	ASSERT_EQ(pol.ban.except[0].len, 64, "a /128 taken to its /64");
	ASSERT_EQ(pol.ban.except[0].mask[1], 0, "nothing past the /64");
}

/* Each bad line: where the error points, what it says, its hint. */
static void test_errors_at_line_and_column(void)
{
	static const struct {
		const char *line, *where, *what, *hint;
	} bad[] = {
		{"ban", "2:4", "'ban' needs 'after' here", "write 'ban after"},
		{"ban after", "2:10", "'ban' needs N (ports) here", NULL},
		{"ban 10 ports", "2:5", "expected 'after', not '10'", NULL},
		{"ban after 0 ports in 60s for 1h", "2:11",
		 "N (ports): '0' is not in range", "from 1 to 32"},
		{"ban after 33 ports in 60s for 1h", "2:11",
		 "N (ports): '33' is not in range", "holds 32 distinct ports"},
		{"ban after 10s ports in 60s for 1h", "2:11",
		 "N (ports): '10s' is not a number", NULL},
		{"ban after 10 port in 60s for 1h", "2:14",
		 "expected 'ports', not 'port'", NULL},
		{"ban after 10 ports in 2d for 1h", "2:23",
		 "SECS (the window): '2d' is not in range", "at most 1d"},
		{"ban after 10 ports in 0s for 1h", "2:23",
		 "SECS (the window): '0s' is not in range", NULL},
		{"ban after 10 ports in 60s for 367d", "2:31",
		 "DURATION: '367d' is not in range", "at most 366d"},
		{"ban after 10 ports in 60s for 1y", "2:31",
		 "DURATION: '1y' is not a duration",
		 "(30s, 10m, 2h, 1d), combined"},
		{"ban after 10 ports in 60s for 1h30", "2:31",
		 "DURATION: '1h30' is not a duration", "larger first (1h30m)"},
		{"ban after 10 ports in 60s", "2:26", "'ban' needs 'for' here",
		 NULL},
		{"ban after 10 ports in 60s for", "2:30",
		 "'ban' needs DURATION here", NULL},
		{"ban after 10 ports in 60s for 1h foo", "2:34",
		 "expected 'except', not 'foo'", NULL},
		{"ban after 10 ports in 60s for 1h except", "2:40",
		 "'except' needs at least one zone, address or prefix", NULL},
		{"ban after 10 ports in 60s for 1h except 198.51.100.1/24",
		 "2:41", "except: '198.51.100.1/24': it has host bits set",
		 "give zones, addresses or prefixes"},
		{"ban after 10 ports in 60s for 1h except 198.51.100.0/33",
		 "2:41", "an IPv4 prefix is at most /32", NULL},
		{"ban after 10 ports in 60s for 1h except 2001:db8::/129",
		 "2:41", "not a number up to 32 (IPv4) or 128 (IPv6)", NULL},
		{"ban after 10 ports in 60s for 1h except office", "2:41",
		 "unknown zone 'office'", "declare it above this line"},
		{"ban after 10 ports in 60s for 1h except Bad_Name", "2:41",
		 "unknown zone 'Bad_Name'",
		 "after 'except' come zone names (declared above) and "
		 "prefixes"},
		{"ban after 10 ports in 60s for 1h except \x01\x02", "2:41",
		 "unknown zone '\\x01\\x02'", NULL},
	};
	char where[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(parse_line(bad[i].line), -EINVAL, bad[i].line);
		snprintf(where, sizeof(where),
			 "t.policy:%s: error: ", bad[i].where);
		ASSERT_CONTAINS(msgs, where, bad[i].line);
		ASSERT_CONTAINS(msgs, bad[i].what, bad[i].line);
		if (bad[i].hint)
			ASSERT_CONTAINS(msgs, bad[i].hint, bad[i].line);
		ASSERT_EQ(pol.ban.ports, 0, "nothing returned");
	}
}

static void test_one_ban_line(void)
{
	ASSERT_EQ(parse("default closed\n"
			"ban after 10 ports in 60s for 1h except ::/0\n"
			"ban after 5 ports in 60s for 1h except ::/0\n"),
		  -EINVAL, "twice");
	ASSERT_CONTAINS(msgs,
			"t.policy:3:1: error: 'ban' given twice (first on "
			"line 2)",
			"where, and where the first is");
	ASSERT_CONTAINS(msgs, "keep one 'ban' line", "hint");
}

static void test_except_limits(void)
{
	char line[2048];
	size_t at;

	at = (size_t)snprintf(line, sizeof(line),
			      "ban after 3 ports in 60s for 1h except");
	for (int i = 0; i < 17; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at,
				       " 198.51.100.%d", i);
	ASSERT_EQ(parse_line(line), -EINVAL, "17 prefixes");
	ASSERT_CONTAINS(msgs, "more than 16 prefixes after except", "said");

	at = 0;
	for (int i = 0; i < 17; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at,
				       "zone z%d 198.51.100.%d\n", i, i);
	at += (size_t)snprintf(line + at, sizeof(line) - at,
			       "ban after 3 ports in 60s for 1h except");
	for (int i = 0; i < 17; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, " z%d", i);
	snprintf(line + at, sizeof(line) - at, "\n");
	ASSERT_EQ(parse(line), -EINVAL, "17 zones");
	ASSERT_CONTAINS(msgs, "more than 16 zones after except", "said");
}

static bool pfx_except(const char *text)
{
	char b[64];

	for (size_t i = 0; zs && i < zs->npfx; i++)
		if (!strcmp(zone_prefix_str(&zs->pfx[i], b, sizeof(b)), text))
			return zs->pfx[i].except;
	return false;
}

static void test_except_zones(void)
{
	ASSERT_OK(parse("default closed\n"
			"zone office 198.51.100.0/25 2001:db8:5::/48\n"
			"zone lab 198.51.100.64/26 2001:db8:6::/48\n"
			"zone far 198.51.100.128/25\n"
			"open 22 from lab far\n"
			"close 5432 from 198.51.100.77\n"
			"ban after 3 ports in 60s for 1h except office office "
			"198.51.100.250\n"),
		  "parse");
	ASSERT_EQ(pol.ban.nzones, 1, "office, named twice, once");
	ASSERT_EQ(pol.ban.nexcept, 1, "and a prefix");
	ASSERT_EQ(pol.ban.zones[0], zoneset_find(zs, "office"), "its index");
	ASSERT_TRUE(zs->zone[zoneset_find(zs, "office")].flags &
			    PX_ZF_BAN_EXCEPT,
		    "the zone is marked");
	ASSERT_TRUE(pfx_except("198.51.100.0/25"), "office's own prefix");
	ASSERT_TRUE(pfx_except("2001:db8:5::/48"), "office's IPv6 prefix");
	ASSERT_TRUE(pfx_except("198.51.100.64/26"),
		    "lab's prefix, inside office's");
	ASSERT_TRUE(pfx_except("198.51.100.77/32"),
		    "the bare /32 inside office");
	ASSERT_TRUE(!pfx_except("198.51.100.128/25"), "far is outside");
	ASSERT_TRUE(!pfx_except("2001:db8:6::/48"), "lab's IPv6 is outside");
	ASSERT_TRUE(!strstr(msgs, "is never used"), "office is used");
	ASSERT_TRUE(pol.flags & PX_F_BANS, "PX_F_BANS");

	/* a zone that only the ban rule names still makes a zone set */
	ASSERT_OK(parse("default closed\nzone admins 198.51.100.0/24\n"
			"ban after 3 ports in 60s for 1h except admins\n"),
		  "a zone for except only");
	ASSERT_TRUE(zs && zs->nzones == 1, "the zone set");
	ASSERT_TRUE(pfx_except("198.51.100.0/24"), "marked");

	/* a caller that installs no zones gets no zone indexes */
	ASSERT_OK(policy_load_text("t.policy",
				   "default closed\n"
				   "zone admins 198.51.100.0/24\n"
				   "ban after 3 ports in 60s for 1h "
				   "except admins\n",
				   &pol, NULL, NULL),
		  "policy_load_text");
	ASSERT_EQ(pol.ban.nzones, 0, "no zones without their maps");
}

static void test_zone_below_or_misspelt(void)
{
	ASSERT_EQ(parse("default closed\n"
			"ban after 3 ports in 60s for 1h except office\n"
			"zone office 198.51.100.0/24\n"),
		  -EINVAL, "declared below");
	ASSERT_CONTAINS(msgs, "t.policy:2:40: error: unknown zone 'office'",
			"where");
	ASSERT_EQ(parse("default closed\nzone office 198.51.100.0/24\n"
			"ban after 3 ports in 60s for 1h except ofice\n"),
		  -EINVAL, "misspelt");
	ASSERT_CONTAINS(msgs, "t.policy:3:40: error: unknown zone 'ofice'",
			"where");
	ASSERT_CONTAINS(msgs, "did you mean 'office'?", "near name");
}

static void test_warnings(void)
{
	ASSERT_OK(parse_line("ban after 3 ports in 60s for 1h"), "no except");
	ASSERT_CONTAINS(msgs,
			"t.policy:2:1: warning: a ban rule without "
			"'except'",
			"where");
	ASSERT_CONTAINS(msgs, "forged source address", "how a spoof works");
	ASSERT_CONTAINS(msgs, "anyone can get any address banned", "the harm");
	ASSERT_CONTAINS(msgs, "your gateway, resolvers", "the fix");
	ASSERT_OK(parse("default closed\n"
			"zone admin 198.51.100.0/24 2001:db8:9::1 "
			"2001:db8:9::2\n"
			"ban after 3 ports in 60s for 1h except admin\n"),
		  "a /128 in an except zone");
	ASSERT_CONTAINS(msgs,
			"t.policy:2:1: warning: zone 'admin' is in the "
			"ban rule's except, but 2001:db8:9::1/128 is "
			"longer than a /64",
			"the /64 warning");
	ASSERT_CONTAINS(msgs, "except its /64", "its fix");
	ASSERT_TRUE(!strstr(msgs, "2001:db8:9::2/128 is longer"),
		    "once per zone");
}

int main(void)
{
	msgs = malloc(MSGS_LEN);
	if (!getenv("PORTXDP_DATADIR"))
		setenv("PORTXDP_DATADIR", "policies", 1);
	RUN(test_good_rule);
	RUN(test_no_rule_no_flag);
	RUN(test_ipv6_except_is_its_64);
	RUN(test_errors_at_line_and_column);
	RUN(test_one_ban_line);
	RUN(test_except_limits);
	RUN(test_except_zones);
	RUN(test_zone_below_or_misspelt);
	RUN(test_warnings);
	zoneset_free(zs);
	free(msgs);
	return check_exit();
}
