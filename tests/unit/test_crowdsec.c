// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CrowdSec's decision stream read into bans (user/crowdsec.c): Go
 * durations rounded up, ranges into sources, decisions skipped for a
 * reason, deletions before new ones, and answers that are no stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crowdsec.h"
#include "source.h"

static long long dur(const char *s)
{
	long long v = -999999;

	return cs_duration_parse(s, &v) ? -999999 : v;
}

static void test_go_durations(void)
{
	ASSERT_EQ(dur("1m"), 60, "1m");
	ASSERT_EQ(dur("58.231752087s"), 59, "fractions round up");
	ASSERT_EQ(dur("3h59m55.756182786s"), 14396, "h m s");
	ASSERT_EQ(dur("1h59m59.231749231s"), 7200, "just under 2h");
	ASSERT_EQ(dur("1.5h"), 5400, "fraction of an hour");
	ASSERT_EQ(dur("500ms"), 1, "ms: not m then s");
	ASSERT_EQ(dur("2m500ms"), 121, "m then ms");
	ASSERT_EQ(dur("10us"), 1, "us");
	ASSERT_EQ(dur("10\xc2\xb5s"), 1, "micro sign");
	ASSERT_TRUE(dur("-132.291492ms") <= 0, "negative: expired");
	ASSERT_EQ(dur("0"), 0, "zero");
	ASSERT_EQ(dur("8784h"), 8784LL * 3600, "a leap year");
	ASSERT_EQ(dur(""), -999999, "empty");
	ASSERT_EQ(dur("5"), -999999, "no unit");
	ASSERT_EQ(dur("5d"), -999999, "Go has no days");
	ASSERT_EQ(dur("1h "), -999999, "trailing space");
	ASSERT_EQ(dur(".s"), -999999, "no digits");
	ASSERT_EQ(dur("99999999999999999999h"), -999999, "absurd");
}

static const char *fmt(const struct px_ban_key *k)
{
	static char buf[SOURCE_LEN];

	return source_format(buf, sizeof(buf), k);
}

static void test_ranges(void)
{
	struct px_ban_key k[CS_RANGE_KEYS];

	ASSERT_EQ(cs_range_keys("fe80::7/128", k), 1, "a link-local /128");
	ASSERT_STREQ(fmt(&k[0]), "fe80::7", "is that address alone");
	ASSERT_EQ(cs_range_keys("fe80::/96", k), -E2BIG, "a link-local range");
	ASSERT_EQ(cs_range_keys("198.51.100.4/30", k), 4, "/30");
	ASSERT_STREQ(fmt(&k[0]), "198.51.100.4", "first");
	ASSERT_STREQ(fmt(&k[3]), "198.51.100.7", "last");
	ASSERT_EQ(cs_range_keys("198.51.100.6/30", k), 4, "host bits");
	ASSERT_STREQ(fmt(&k[0]), "198.51.100.4", "host bits masked");
	ASSERT_EQ(cs_range_keys("198.51.100.0/24", k), 256, "/24");
	ASSERT_STREQ(fmt(&k[255]), "198.51.100.255", "/24's last");
	ASSERT_EQ(cs_range_keys("198.51.100.9/32", k), 1, "/32");
	ASSERT_EQ(cs_range_keys("10.0.0.0/23", k), -E2BIG, "/23: too wide");
	ASSERT_EQ(cs_range_keys("0.0.0.0/0", k), -E2BIG, "/0");
	ASSERT_EQ(cs_range_keys("2001:db8:1:2::/64", k), 1, "a /64");
	ASSERT_STREQ(fmt(&k[0]), "2001:db8:1:2::/64", "its key");
	ASSERT_EQ(cs_range_keys("2001:db8:1:2:3::/80", k), 1, "/80: its /64");
	ASSERT_STREQ(fmt(&k[0]), "2001:db8:1:2::/64", "the /80's /64");
	ASSERT_EQ(cs_range_keys("2001:db8:1:ff00::/56", k), 256, "/56");
	ASSERT_STREQ(fmt(&k[255]), "2001:db8:1:ffff::/64", "/56's last");
	ASSERT_EQ(cs_range_keys("2001:db8::/48", k), -E2BIG, "/48");
	/* an IPv4-mapped range is that IPv4 range, not ::/64 */
	ASSERT_EQ(cs_range_keys("::ffff:198.51.100.4/126", k), 4, "mapped /30");
	ASSERT_STREQ(fmt(&k[0]), "198.51.100.4", "mapped first");
	ASSERT_STREQ(fmt(&k[3]), "198.51.100.7", "mapped last");
	ASSERT_EQ(cs_range_keys("::ffff:198.51.100.9/128", k), 1,
		  "mapped /128");
	ASSERT_STREQ(fmt(&k[0]), "198.51.100.9", "is the IPv4 address");
	ASSERT_EQ(cs_range_keys("::ffff:0:0/96", k), -E2BIG, "every IPv4");
	ASSERT_EQ(cs_range_keys("198.51.100.0/33", k), -EINVAL, "/33");
	ASSERT_EQ(cs_range_keys("198.51.100.0", k), -EINVAL, "no length");
	ASSERT_EQ(cs_range_keys("198.51.100.0/", k), -EINVAL, "empty len");
	ASSERT_EQ(cs_range_keys("198.51.100.0/2x", k), -EINVAL, "junk");
	ASSERT_EQ(cs_range_keys("example.com/24", k), -EINVAL, "a name");
}

static int parse(const char *body, struct cs_stream *s, char *why)
{
	return cs_stream_parse(body, strlen(body), s, why, 200);
}

static void test_stream(void)
{
	char why[200] = "";
	struct cs_stream s;
	const char *body =
		"{\"deleted\":[{\"duration\":\"-1s\",\"id\":1,\"scope\":\"Ip\","
		"\"type\":\"ban\",\"value\":\"198.51.100.77\"},"
		"{\"scope\":\"Ip\",\"type\":\"captcha\",\"value\":\"198.51.100."
		"78\"}],"
		"\"new\":[{\"duration\":\"58.2s\",\"scope\":\"Ip\",\"type\":"
		"\"ban\","
		"\"value\":\"198.51.100.77\"},"
		"{\"duration\":\"2h\",\"scope\":\"Range\",\"type\":\"ban\","
		"\"scenario\":\"crowdsecurity/ssh-bf\","
		"\"value\":\"198.51.100.64/31\"},"
		"{\"duration\":\"3m\",\"scope\":\"ip\",\"type\":\"Ban\","
		"\"value\":\"2001:db8:5::7\"},"
		"{\"duration\":\"3m\",\"scope\":\"Country\",\"type\":\"ban\","
		"\"value\":\"FR\"},"
		"{\"duration\":\"3m\",\"scope\":\"Range\",\"type\":\"ban\","
		"\"value\":\"10.0.0.0/8\"},"
		"{\"duration\":\"-3m\",\"scope\":\"Ip\",\"type\":\"ban\","
		"\"value\":\"198.51.100.90\"},"
		"{\"duration\":\"3m\",\"scope\":\"Ip\",\"type\":\"ban\","
		"\"value\":\"not-an-ip\"},"
		"{\"scope\":\"Ip\",\"type\":\"ban\",\"value\":\"198.51.100."
		"91\"},"
		"42]}";

	if (!ASSERT_OK(parse(body, &s, why), why))
		return;
	ASSERT_EQ(s.decisions, 11, "decisions");
	ASSERT_EQ(s.nunbans, 1, "deleted ban: one unban; captcha none");
	ASSERT_STREQ(fmt(&s.unbans[0].src), "198.51.100.77", "unban");
	ASSERT_EQ(s.nbans, 4, "ip + /31 + ipv6");
	ASSERT_STREQ(fmt(&s.bans[0].src), "198.51.100.77", "ban after unban");
	ASSERT_EQ(s.bans[0].secs, 59, "its time, rounded up");
	ASSERT_STREQ(fmt(&s.bans[2].src), "198.51.100.65", "range's second");
	ASSERT_EQ(s.bans[2].secs, 7200, "range's time");
	ASSERT_STREQ(s.bans[2].note, "crowdsec:crowdsecurity/ssh-bf",
		     "the scenario, as the ban's reason");
	ASSERT_STREQ(s.bans[0].note, "crowdsec", "no scenario: crowdsec");
	ASSERT_STREQ(fmt(&s.bans[3].src), "2001:db8:5::/64", "ipv6: the /64");
	ASSERT_EQ(s.not_ban, 1, "captcha");
	ASSERT_EQ(s.other_scope, 1, "Country");
	ASSERT_EQ(s.wide_range, 1, "/8");
	ASSERT_EQ(s.expired, 1, "negative duration");
	ASSERT_EQ(s.malformed, 3, "bad ip, no duration, not an object");
	ASSERT_STREQ(s.example, "captcha", "first skipped, as said");
	cs_stream_free(&s);
}

static void test_empty_and_long(void)
{
	char why[200] = "";
	struct cs_stream s;
	const char *body = "{\"new\":[{\"duration\":\"20000h\",\"scope\":"
			   "\"Ip\",\"type\":\"ban\",\"value\":"
			   "\"198.51.100.1\"}]}";

	ASSERT_OK(parse("{\"deleted\":null,\"new\":null}", &s, why), why);
	ASSERT_EQ(s.nbans + s.nunbans + s.decisions, 0, "nothing");
	cs_stream_free(&s);
	ASSERT_OK(parse(body, &s, why), why);
	if (!ASSERT_EQ(s.nbans, 1, "a ban"))
		return;
	ASSERT_EQ(s.bans[0].secs, PX_BAN_DURATION_MAX, "20000h: 366 days");
	cs_stream_free(&s);
}

static void test_not_a_stream(void)
{
	char why[200];
	struct cs_stream s;

	ASSERT_EQ(parse("<html>404</html>", &s, why), -EINVAL, "html");
	ASSERT_CONTAINS(why, "not JSON (line 1", "says where");
	cs_stream_free(&s);
	ASSERT_EQ(parse("{\"new\":[", &s, why), -EINVAL, "cut short");
	cs_stream_free(&s);
	ASSERT_EQ(parse("{\"message\":\"access forbidden\"}", &s, why), -EINVAL,
		  "no lists");
	ASSERT_CONTAINS(why, "without \"new\" or \"deleted\"", "says so");
	cs_stream_free(&s);
	ASSERT_EQ(parse("{\"new\":{}}", &s, why), -EINVAL, "not a list");
	cs_stream_free(&s);
	ASSERT_EQ(parse("[]", &s, why), -EINVAL, "a list");
	cs_stream_free(&s);
	ASSERT_EQ(parse("", &s, why), -EINVAL, "empty");
	cs_stream_free(&s);
	ASSERT_EQ(parse("{\"new\":[],\"new\":[]}", &s, why), -EINVAL,
		  "duplicate keys");
	cs_stream_free(&s);
}

static void test_huge_list(void)
{
	size_t n = 100000, i, len = 0;
	char why[200] = "", *body = malloc(n * 100 + 64);
	struct cs_stream s;

	if (!ASSERT_TRUE(body != NULL, "malloc"))
		return;
	len += (size_t)sprintf(body, "{\"new\":[");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(
			body + len,
			"%s{\"duration\":\"1h\",\"scope\":\"Ip\","
			"\"type\":\"ban\",\"value\":\"10.%zu.%zu.%zu\"}",
			i ? "," : "", i >> 16, (i >> 8) & 255, i & 255);
	len += (size_t)sprintf(body + len, "]}");
	ASSERT_OK(cs_stream_parse(body, len, &s, why, sizeof(why)), why);
	ASSERT_EQ(s.nbans, n, "every one");
	ASSERT_STREQ(fmt(&s.bans[n - 1].src), "10.1.134.159", "the last");
	cs_stream_free(&s);
	free(body);
}

int main(void)
{
	RUN(test_go_durations);
	RUN(test_ranges);
	RUN(test_stream);
	RUN(test_empty_and_long);
	RUN(test_not_a_stream);
	RUN(test_huge_list);
	return check_exit();
}
