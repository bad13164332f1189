// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of user/text.c and user/json.c: UTF-8 checks, cutting on a
 * character, the JSON, Prometheus and terminal escapes of hostile names
 * (an interface may be named with any byte but '/', ':' and whitespace),
 * the time formats, and the JSON writer's commas, nesting and value kinds.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "json.h"
#include "text.h"

#define CAPTURE(buf, call)                                                     \
	do {                                                                   \
		size_t len_;                                                   \
		FILE *f = open_memstream(&(buf), &len_);                       \
		call;                                                          \
		fclose(f);                                                     \
	} while (0)

/* Is s (n bytes) valid UTF-8 throughout? */
static bool all_utf8(const char *s, size_t n)
{
	while (n) {
		size_t c = utf8_char_len(s, n);

		if (!c)
			return false;
		s += c;
		n -= c;
	}
	return true;
}

static void test_utf8_char_len(void)
{
	ASSERT_EQ(utf8_char_len("a", 1), 1, "ASCII");
	ASSERT_EQ(utf8_char_len("\xc3\xa9", 2), 2, "é");
	ASSERT_EQ(utf8_char_len("\xe2\x82\xac", 3), 3, "€");
	ASSERT_EQ(utf8_char_len("\xf0\x9f\x98\x80", 4), 4, "emoji");
	ASSERT_EQ(utf8_char_len("\xff", 1), 0, "0xff");
	ASSERT_EQ(utf8_char_len("\x80", 1), 0, "lone continuation");
	ASSERT_EQ(utf8_char_len("\xc0\xaf", 2), 0, "overlong /");
	ASSERT_EQ(utf8_char_len("\xe0\x80\xaf", 3), 0, "overlong 3 bytes");
	ASSERT_EQ(utf8_char_len("\xed\xa0\x80", 3), 0, "surrogate");
	ASSERT_EQ(utf8_char_len("\xf4\x90\x80\x80", 4), 0, "past U+10FFFF");
	ASSERT_EQ(utf8_char_len("\xe2\x82\xac", 2), 0, "cut short by n");
	ASSERT_EQ(utf8_char_len("\xe2\x82x", 3), 0, "bad continuation");
}

static void test_cut_never_splits_a_character(void)
{
	char buf[8];

	/* "aé€" is 1 + 2 + 3 bytes */
	ASSERT_EQ(utf8_cut("a\xc3\xa9\xe2\x82\xac", 6), 6, "fits");
	ASSERT_EQ(utf8_cut("a\xc3\xa9\xe2\x82\xac", 5), 3, "before the €");
	ASSERT_EQ(utf8_cut("a\xc3\xa9\xe2\x82\xac", 2), 1, "before the é");
	ASSERT_EQ(utf8_cut("\xff\xfe", 1), 1, "a stray byte is one");
	text_copy(buf, 6, "abcd\xc3\xa9x");
	ASSERT_STREQ(buf, "abcd", "text_copy cuts before é");
	text_copy(buf, sizeof(buf), "abc");
	ASSERT_STREQ(buf, "abc", "text_copy copies what fits");
}

static void test_json_escapes_to_valid_utf8(void)
{
	const char *name = "x\xff\x1b[31m\"\\\n\xc2\x9b\xc3\xa9";
	char *out = NULL;

	CAPTURE(out, text_json(f, name));
	ASSERT_STREQ(out, "x\\ufffd\\u001b[31m\\\"\\\\\\n\\u009b\xc3\xa9",
		     "0xff as U+FFFD, controls as \\u, é kept");
	ASSERT_TRUE(all_utf8(out, strlen(out)), "valid UTF-8");
	free(out);
	CAPTURE(out, text_json(f, "\xe2\x82"));
	ASSERT_STREQ(out, "\\ufffd\\ufffd", "a cut character, byte by byte");
	free(out);
}

static void test_prometheus_label_escape(void)
{
	char *out = NULL;

	CAPTURE(out, text_prom(f, "a\\b\"c\nd\xff\x01\xc3\xa9"));
	ASSERT_STREQ(out, "a\\\\b\\\"c\\nd\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9",
		     "\\ \" newline escaped; 0xff, 0x01 as U+FFFD");
	ASSERT_TRUE(all_utf8(out, strlen(out)), "valid UTF-8");
	free(out);
}

static void test_text_safe_for_terminals(void)
{
	char buf[TEXT_IFNAME_SAFE], small[7];

	ASSERT_STREQ(text_safe(buf, sizeof(buf), "eth0"), "eth0", "plain");
	ASSERT_STREQ(text_safe(buf, sizeof(buf), "\x1b[2J\xff"),
		     "\\x1b[2J\\xff", "ESC and 0xff as \\xHH");
	ASSERT_STREQ(text_safe(buf, sizeof(buf), "\xc2\x9bk\xc3\xa9"),
		     "\\xc2\\x9bk\xc3\xa9", "C1 CSI escaped, é kept");
	ASSERT_STREQ(text_safe(buf, sizeof(buf), NULL), "-", "NULL");
	/* 15 bytes of 0xff: the widest interface name fits */
	ASSERT_EQ(strlen(text_safe(buf, sizeof(buf),
				   "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
				   "\xff\xff\xff\xff\xff")),
		  60, "IFNAMSIZ of escapes fits");
	ASSERT_STREQ(text_safe(small, 6, "ab\x01z"), "ab",
		     "never half an escape");
	ASSERT_STREQ(text_safe(small, sizeof(small), "abcde\xc3\xa9"), "abcde",
		     "never half a character");
}

static void test_time_formats(void)
{
	char buf[TEXT_TIME_LEN];

	ASSERT_STREQ(text_time_utc(buf, sizeof(buf), 1700000000, -1),
		     "2023-11-14T22:13:20Z", "JSON: UTC with Z");
	ASSERT_STREQ(text_time_utc(buf, sizeof(buf), 1700000000, 7),
		     "2023-11-14T22:13:20.007Z", "with milliseconds");
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ASSERT_STREQ(text_time_local(buf, sizeof(buf), 1700000000, -1),
		     "2023-11-14 23:13:20 +0100", "text: local with its zone");
	ASSERT_STREQ(text_time_local(buf, sizeof(buf), 1700000000, 123),
		     "2023-11-14 23:13:20.123 +0100", "local with ms");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_json_writer(void)
{
	struct json j;
	char *out = NULL;

	CAPTURE(out, {
		json_init(&j, f);
		json_obj_open(&j);
		json_key_str(&j, "interface", "v\xff");
		json_key_str(&j, "name", NULL);
		json_key(&j, "list");
		json_arr_open(&j);
		json_str(&j, "a");
		json_null(&j);
		json_obj_open(&j);
		json_obj_close(&j);
		json_arr_close(&j);
		json_key_u64(&j, "n", 18446744073709551615ULL);
		json_key_i64(&j, "i", -5);
		json_key_bool(&j, "b", true);
		json_key_double(&j, "rate", 2.0 / 3, 3);
		json_key_double(&j, "nan", 0.0 / 0.0, 3);
		json_key_time(&j, "time", 1700000000, -1);
		json_obj_close(&j);
		json_end(&j);
	});
	ASSERT_STREQ(
		out,
		"{\"interface\": \"v\\ufffd\", \"name\": null, \"list\": "
		"[\"a\", null, {}], \"n\": 18446744073709551615, \"i\": -5, "
		"\"b\": true, "
		"\"rate\": 0.667, \"nan\": 0.000, \"time\": "
		"\"2023-11-14T22:13:20Z\"}\n",
		"commas, nesting, every value kind");
	free(out);
	CAPTURE(out, json_error(f, "no \x1b here"));
	ASSERT_STREQ(out, "{\"error\": \"no \\u001b here\"}\n", "json_error");
	free(out);
}

static void test_wrap_fits_the_terminal(void)
{
	char *out = NULL;

	CAPTURE(out, text_wrap(f, "aaa bbb ccc ddd", 4, 4, 11));
	ASSERT_STREQ(out, "aaa bbb ccc ddd\n",
		     "too narrow for 20 columns after the indent: one line");
	free(out);
	CAPTURE(out,
		text_wrap(f, "one two three four five six seven", 2, 2, 24));
	ASSERT_STREQ(out, "one two three four\n  five six seven\n",
		     "no line past 24 columns");
	free(out);
	CAPTURE(out, text_wrap(f, "\xc3\xa9\xc3\xa9 abcdefghijklmnopqrstu", 0,
			       0, 23));
	ASSERT_STREQ(out, "\xc3\xa9\xc3\xa9\nabcdefghijklmnopqrstu\n",
		     "a character is one column");
	free(out);
	CAPTURE(out, text_wrap(f, "a b", 0, 0, 0));
	ASSERT_STREQ(out, "a b\n", "width unknown: one line");
	free(out);
	setenv("COLUMNS", "93", 1);
	ASSERT_EQ(text_columns(-1), 93, "COLUMNS wins");
	setenv("COLUMNS", "x", 1);
	ASSERT_EQ(text_columns(-1), 0, "not a number, no terminal: unknown");
	unsetenv("COLUMNS");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	RUN(test_utf8_char_len);
	RUN(test_cut_never_splits_a_character);
	RUN(test_json_escapes_to_valid_utf8);
	RUN(test_prometheus_label_escape);
	RUN(test_text_safe_for_terminals);
	RUN(test_time_formats);
	RUN(test_json_writer);
	RUN(test_wrap_fits_the_terminal);
	return check_exit();
}
