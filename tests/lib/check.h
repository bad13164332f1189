/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Assertions for C tests (unit and BPF_PROG_TEST_RUN), in the style of the
 * kernel's selftests: ASSERT_* print what was expected and what came, mark
 * the running test failed, and return a bool so a test can stop early:
 *     if (!ASSERT_EQ(err, 0, "load")) return;
 * main() runs each test with RUN(fn); every test prints one line
 * "PASS name" or "FAIL name", which tests/run.sh counts. check_exit()
 * returns non-zero when any test failed.
 */
#ifndef PX_CHECK_H
#define PX_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_skipped;
static bool check_cur_failed, check_cur_skipped;
static const char *check_cur_name;

static inline bool check_report(bool ok, const char *file, int line,
				const char *what, const char *detail)
{
	if (!ok) {
		check_cur_failed = true;
		printf("  %s:%d: %s: %s\n", file, line, what, detail);
	}
	return ok;
}

#define ASSERT_EQ(actual, expected, what)                                      \
	({                                                                     \
		long long a_ = (long long)(actual),                            \
			  e_ = (long long)(expected);                          \
		char d_[128];                                                  \
		snprintf(d_, sizeof(d_), "got %lld, expected %lld", a_, e_);   \
		check_report(a_ == e_, __FILE__, __LINE__, what, d_);          \
	})

#define ASSERT_NEQ(actual, unexpected, what)                                   \
	({                                                                     \
		long long a_ = (long long)(actual),                            \
			  e_ = (long long)(unexpected);                        \
		char d_[128];                                                  \
		snprintf(d_, sizeof(d_), "got %lld, expected anything else",   \
			 a_);                                                  \
		check_report(a_ != e_, __FILE__, __LINE__, what, d_);          \
	})

#define ASSERT_TRUE(cond, what)                                                \
	check_report(!!(cond), __FILE__, __LINE__, what,                       \
		     "expected true: " #cond)

#define ASSERT_OK(err, what) ASSERT_EQ(err, 0, what)

#define ASSERT_STREQ(actual, expected, what)                                   \
	({                                                                     \
		const char *a_ = (actual), *e_ = (expected);                   \
		char d_[512];                                                  \
		snprintf(d_, sizeof(d_), "got \"%s\", expected \"%s\"",        \
			 a_ ? a_ : "(null)", e_ ? e_ : "(null)");              \
		check_report(a_ &&e_ && !strcmp(a_, e_), __FILE__, __LINE__,   \
			     what, d_);                                        \
	})

/* Substring match, for messages. */
#define ASSERT_CONTAINS(haystack, needle, what)                                \
	({                                                                     \
		const char *h_ = (haystack), *n_ = (needle);                   \
		char d_[768];                                                  \
		snprintf(d_, sizeof(d_), "\"%s\" does not contain \"%s\"",     \
			 h_ ? h_ : "(null)", n_);                              \
		check_report(h_ &&strstr(h_, n_), __FILE__, __LINE__, what,    \
			     d_);                                              \
	})

/* Mark the running test skipped, with the reason. */
#define SKIP(reason)                                                           \
	do {                                                                   \
		check_cur_skipped = true;                                      \
		printf("  skipped: %s\n", reason);                             \
	} while (0)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_cur_failed = false;
	check_cur_skipped = false;
	check_cur_name = name;
	fflush(stdout);
	fn();
	if (check_cur_failed) {
		check_failed++;
		printf("FAIL %s\n", name);
	} else if (check_cur_skipped) {
		check_skipped++;
		printf("SKIP %s\n", name);
	} else {
		check_passed++;
		printf("PASS %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) check_run(#fn, fn)

static inline int check_exit(void)
{
	return check_failed ? 1 : 0;
}

#endif
