// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of durations (user/duration.c): "30s", "10m", "2h", "1d",
 * combined ("1h30m", "1d 2h") and plain seconds in, within a maximum;
 * anything else refused, and which error (not a duration, or out of
 * range); "1d 2h" out, and read back.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "duration.h"

static int parse(const char *s, unsigned long max, unsigned long *out)
{
	*out = 12345; /* untouched on error */
	return duration_parse(s, strlen(s), max, out);
}

static void test_units_and_plain_seconds(void)
{
	static const struct {
		const char *s;
		unsigned long secs;
	} good[] = {{"30s", 30},       {"10m", 600},
		    {"2h", 7200},      {"1d", 86400},
		    {"45", 45},	       {"1", 1},
		    {"007m", 420},     {"366d", 366 * 86400UL},
		    {"86400", 86400},  {"1h30m", 5400},
		    {"1d12h", 129600}, {"1d 2h", 93600},
		    {"2m30s", 150},    {"1d1h1m1s", 90061},
		    {"0h90m", 5400},   {"365d23h59m60s", 366 * 86400UL}};
	unsigned long v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_OK(parse(good[i].s, 366 * 86400UL, &v), good[i].s);
		ASSERT_EQ(v, good[i].secs, good[i].s);
	}
}

static void test_not_a_duration(void)
{
	static const char *const bad[] = {
		"",	 "s",	   "10x",    "10ms", "-5",    "1.5h",
		" 5",	 "5 ",	   "h1",     "0x10", "+5",    "1h30",
		"30m1h", "1h1h",   "1d  2h", "1d ",  "1h 30", "1D",
		"1w",	 "1h,30m", "1h+30m", "1 h",  "1d\t2h"};
	unsigned long v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(parse(bad[i], 86400, &v), -EINVAL, bad[i]);
		ASSERT_EQ(v, 12345, "untouched");
	}
	/* the length counts: a token is not NUL-terminated */
	ASSERT_EQ(duration_parse("10m", 2, 86400, &v), 0, "\"10\" of 10m");
	ASSERT_EQ(v, 10, "10 seconds");
}

static void test_out_of_range(void)
{
	unsigned long v;

	ASSERT_EQ(parse("0", 86400, &v), -ERANGE, "zero");
	ASSERT_EQ(parse("0s", 86400, &v), -ERANGE, "0s");
	ASSERT_EQ(parse("0d", 86400, &v), -ERANGE, "0d");
	ASSERT_EQ(parse("86401", 86400, &v), -ERANGE, "a second over");
	ASSERT_EQ(parse("2d", 86400, &v), -ERANGE, "2d over a day");
	ASSERT_EQ(parse("367d", 366 * 86400UL, &v), -ERANGE, "367d");
	ASSERT_EQ(parse("99999999999999999999999", 86400, &v), -ERANGE,
		  "digits that overflow");
	ASSERT_EQ(parse("1099511627777d", ~0UL, &v), -ERANGE,
		  "more than 2^40 of a unit: refused before it can wrap");
	ASSERT_EQ(parse("1d1s", 86400, &v), -ERANGE, "a day and a second");
	ASSERT_EQ(parse("0h0m", 86400, &v), -ERANGE, "zero, combined");
	ASSERT_EQ(v, 12345, "untouched");
}

static void test_format(void)
{
	static const struct {
		unsigned long long secs;
		const char *s;
	} f[] = {{0, "0s"},
		 {1, "1s"},
		 {59, "59s"},
		 {60, "1m"},
		 {61, "1m 1s"},
		 {599, "9m 59s"},
		 {3600, "1h"},
		 {3661, "1h 1m"},
		 {86400, "1d"},
		 {90000, "1d 1h"},
		 {366 * 86400ULL, "366d"}};
	char b[32];

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		ASSERT_STREQ(duration_format(b, sizeof(b), f[i].secs), f[i].s,
			     f[i].s);
	/* a short buffer cuts, never overruns */
	ASSERT_STREQ(duration_format(b, 3, 90000), "1d", "cut to 2 bytes");
}

static void test_round_trip(void)
{
	unsigned long v;
	char b[32];

	ASSERT_OK(parse(duration_format(b, sizeof(b), 7200), 86400, &v),
		  "2h back");
	ASSERT_EQ(v, 7200, "2h");
	/* what `bans` prints is input too */
	ASSERT_OK(parse(duration_format(b, sizeof(b), 3660), 86400, &v),
		  "1h 1m back");
	ASSERT_EQ(v, 3660, "1h 1m");
}

int main(void)
{
	RUN(test_units_and_plain_seconds);
	RUN(test_not_a_duration);
	RUN(test_out_of_range);
	RUN(test_format);
	RUN(test_round_trip);
	return check_exit();
}
