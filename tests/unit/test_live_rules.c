// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of user/live_rules.c: the rows `show` prints (runs of one
 * verdict and one deciding line, the default's ports left out) and the
 * policy file `save` prints, which must give the policy back exactly,
 * port 0's bit and ping included, for any policy.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live_rules.h"
#include "policy.h"

static struct px_policy pol, back;

/* save's text for p, parsed back into back; the text in *out (free it). */
static int round_trip(const struct px_policy *p, char **out)
{
	size_t size;
	FILE *mem = open_memstream(out, &size);
	int err;

	if (!mem)
		return -1;
	err = live_rules_policy_text(p, NULL, NULL, "# test\n", 32768, 60999,
				     mem);
	fclose(mem);
	if (err)
		return err;
	err = policy_load_text("saved", *out, &back, NULL, NULL);
	return err ? err : policy_same_rules(&back, p) ? 0 : 1;
}

static void test_save_names_as_comments_and_merges_protocols(void)
{
	char *text = NULL;

	ASSERT_OK(policy_load_text("p",
				   "default closed\nopen 22/tcp\nopen 53\n"
				   "open 32768-60999\nopen ping\n",
				   &pol, NULL, NULL),
		  "the policy");
	ASSERT_OK(round_trip(&pol, &text), "gives the policy back");
	ASSERT_CONTAINS(text, "default closed\n", "the default");
	ASSERT_CONTAINS(text, "open 53 ", "53 once, for both protocols");
	ASSERT_TRUE(!strstr(text, "53/udp"), "not again per protocol");
	ASSERT_CONTAINS(text, "open 32768-60999", "the range as numbers");
	ASSERT_CONTAINS(text, "# ephemeral", "its class as a comment");
	ASSERT_CONTAINS(text, "open ping\n", "ping");
	free(text);
}

static void test_save_port_0_and_fragments(void)
{
	char *text = NULL;

	/* port 0 closed in a default-open policy: only a class reaches it */
	ASSERT_OK(policy_load_text("p",
				   "default open\nclose well-known/udp\n"
				   "open 1-1023/udp\nclose ping\n"
				   "option fragments drop\n",
				   &pol, NULL, NULL),
		  "the policy");
	ASSERT_OK(round_trip(&pol, &text), "gives port 0's bit back");
	ASSERT_CONTAINS(text, "close ping\n", "ping");
	ASSERT_CONTAINS(text, "option fragments drop\n", "fragments");
	free(text);
}

static void test_save_gives_back_random_policies(void)
{
	char *text = NULL;
	int bad = 0;

	srand(20);
	for (int i = 0; i < 40 && !bad; i++) {
		policy_init(&pol);
		pol.flags = (unsigned int)rand() & 3;
		for (int r = rand() % 60; r > 0; r--) {
			unsigned int lo = (unsigned int)rand() % PX_PORTS;
			unsigned int hi = lo + (unsigned int)rand() % 3000;

			policy_set_range(&pol, rand() % 2, lo,
					 hi < PX_PORTS ? hi : PX_PORTS - 1,
					 rand() % 2);
		}
		bad = round_trip(&pol, &text);
		free(text);
		text = NULL;
	}
	ASSERT_OK(bad, "every saved policy parses back to itself");
}

static void test_rows_name_their_line(void)
{
	const char *t = "# web\ndefault closed\nopen ssh\nopen 80,443/tcp\n"
			"close 443/tcp\nopen 8080/tcp\n";
	struct policy_lines *pl;
	struct live_rules lr;
	int err;

	ASSERT_OK(policy_load_text("web", t, &pol, NULL, NULL), "the policy");
	pl = policy_lines_build("web", t, 5, &pol, &err);
	ASSERT_TRUE(pl, "its lines");
	if (!pl)
		return;
	ASSERT_OK(live_rules_build(&pol, pl, 0, &lr), "the rows");
	ASSERT_EQ(lr.default_line, 2, "the default's line");
	ASSERT_TRUE(!lr.default_open, "default closed");
	/* 22 (line 3), 80 (line 4), 443 closed by line 5, 8080 (line 6,
	 * after the file's 5 lines: a live change) */
	ASSERT_EQ(lr.nrows, 4, "four rows");
	if (lr.nrows == 4) {
		ASSERT_EQ(lr.rows[0].lo, 22, "ssh");
		ASSERT_EQ(lr.rows[0].line, 3, "ssh's line");
		ASSERT_EQ(lr.rows[2].lo, 443, "443");
		ASSERT_TRUE(!lr.rows[2].open, "closed again");
		ASSERT_EQ(lr.rows[2].line, 5, "by line 5");
		ASSERT_EQ(lr.rows[3].line, 6, "8080's line");
		ASSERT_TRUE(lr.rows[3].line > lr.lines->file_lines,
			    "8080 is a live change");
	}
	live_rules_free(&lr);
}

static void test_class_of_a_row(void)
{
	struct rule_row r = {PX_TCP, 1, 1023, true, 0};
	char buf[64];

	ASSERT_STREQ(live_rules_name(&r, 32768, 60999, 3, buf, sizeof(buf)),
		     "well-known", "1-1023 is well-known: port 0 is no row");
	r.lo = 32768;
	r.hi = 60999;
	ASSERT_STREQ(live_rules_name(&r, 32768, 60999, 3, buf, sizeof(buf)),
		     "ephemeral", "the ephemeral range");
}

int main(void)
{
	RUN(test_save_names_as_comments_and_merges_protocols);
	RUN(test_save_port_0_and_fragments);
	RUN(test_save_gives_back_random_policies);
	RUN(test_rows_name_their_line);
	RUN(test_class_of_a_row);
	return check_exit();
}
