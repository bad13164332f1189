// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of zones in the policy language (user/policy_zone*.c,
 * doc/design.md section 8): zone, from and block lines, a zone's verdicts
 * as the base with its from lines on top wherever they stand, prefixes
 * and their errors at FILE:LINE:COL, the same prefix in two zones, zone
 * files (bad lines, host bits, a FIFO and /dev/zero refused without
 * hanging), `local` without an interface, and the zones limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <linux/types.h>

#include "check.h"
#include "policy.h"
#include "policy_bitmap.h"
#include "policy_zone.h"

static struct px_policy pol;
static struct px_zoneset *zs;
#define MSGS_LEN 8192
static char *msgs;

static int parse(const char *text)
{
	FILE *f = fmemopen(msgs, MSGS_LEN, "w");
	int err;

	memset(msgs, 0, MSGS_LEN);
	zoneset_free(zs);
	zs = NULL;
	err = policy_text_zoned("t.policy", text, NULL, &pol, &zs, NULL, f);
	fclose(f);
	return err;
}

static bool zopen(const char *zone, int proto, unsigned int port)
{
	unsigned int z = zs ? zoneset_find(zs, zone) : 0;

	return z && (zs->zone[z].open[proto][port / 64] >> (port % 64)) & 1;
}

static void test_from_lines_override_the_base_wherever_they_stand(void)
{
	ASSERT_OK(parse("default closed\n"
			"zone office 198.51.100.0/24\n"
			"open 22 from office\n"
			"open 80\n"
			"close 80 from office\n"
			"open 22\n"
			"close 22\n"),
		  "parse");
	ASSERT_TRUE(zopen("office", PX_TCP, 22), "from line wins over base");
	ASSERT_TRUE(!zopen("office", PX_TCP, 80), "close 80 from office");
	ASSERT_TRUE(zopen("office", PX_UDP, 53) == false, "base closed");
	ASSERT_TRUE(policy_port_open(&pol, PX_TCP, 80), "base keeps 80");
	ASSERT_TRUE(pol.flags & PX_F_ZONES, "PX_F_ZONES");
	ASSERT_TRUE((pol.zoned[PX_TCP][0] >> 22) & 1, "22 is zoned");
	ASSERT_TRUE(!((pol.zoned[PX_TCP][0] >> 23) & 1), "23 is not");
}

static void test_no_zones_costs_nothing(void)
{
	ASSERT_OK(parse("default closed\nopen 22\n"), "parse");
	ASSERT_TRUE(zs == NULL, "no zone set");
	ASSERT_EQ(pol.flags & (PX_F_ZONES | PX_F_BLOCK | PX_F_PING_ZONED), 0,
		  "no zone flags");
}

static void test_bad_prefixes_at_line_and_column(void)
{
	ASSERT_EQ(parse("zone a 198.51.100.0/33\n"), -EINVAL, "/33");
	ASSERT_CONTAINS(msgs, "t.policy:1:8: error: prefix length out of range",
			"/33 where");
	ASSERT_CONTAINS(msgs, "0-32", "/33 fix");
	ASSERT_EQ(parse("zone a 2001:db8::/129\n"), -EINVAL, "/129");
	ASSERT_CONTAINS(msgs, "0-128", "/129 fix");
	ASSERT_EQ(parse("zone a 1.2.3\n"), -EINVAL, "bad address");
	ASSERT_CONTAINS(msgs, "t.policy:1:8: error: invalid prefix", "where");
	ASSERT_OK(parse("zone a 198.51.100.1/24\nblock a\n"), "host bits");
	ASSERT_CONTAINS(msgs, "host bits set: it means 198.51.100.0/24",
			"host bits warning");
}

static void test_zone_names(void)
{
	ASSERT_EQ(parse("zone a 10.0.0.0/8\nzone a 11.0.0.0/8\n"), -EINVAL,
		  "twice");
	ASSERT_CONTAINS(msgs, "t.policy:2:6: error: zone 'a' declared twice",
			"duplicate");
	ASSERT_EQ(parse("zone open 10.0.0.0/8\n"), -EINVAL, "keyword");
	ASSERT_EQ(parse("zone office 10.0.0.0/8\nopen 22 from offce\n"),
		  -EINVAL, "unknown");
	ASSERT_CONTAINS(msgs, "t.policy:2:14: error: unknown zone 'offce'",
			"unknown where");
	ASSERT_CONTAINS(msgs, "did you mean 'office'?", "suggestion");
	ASSERT_OK(parse("zone a 10.0.0.0/8\nopen 22\n"), "unused");
	ASSERT_CONTAINS(msgs, "zone 'a' is never used", "unused warning");
}

static void test_same_prefix_in_two_zones(void)
{
	ASSERT_EQ(parse("zone a 10.0.0.0/8\nzone b 10.0.0.0/8\n"
			"open 22 from a b\n"),
		  -EINVAL, "clash");
	ASSERT_CONTAINS(msgs, "prefix 10.0.0.0/8 is in two zones: 'a' and 'b'",
			"names both");
	ASSERT_OK(parse("zone a 10.0.0.0/8 10.0.0.0/8 10.0.0.0/16\n"
			"open 22 from a\n"),
		  "the same zone twice is one prefix");
	ASSERT_EQ(zs->npfx, 2, "merged");
}

static void test_bare_prefixes_and_block(void)
{
	ASSERT_OK(parse("default closed\nclose 5432 from 198.51.100.77\n"
			"block 203.0.113.0/24 2001:db8:9::/48\n"),
		  "parse");
	ASSERT_EQ(zs->nzones, 2, "one zone per bare from, one for blocks");
	ASSERT_TRUE(zoneset_find(zs, "198.51.100.77/32") != 0, "named by it");
	ASSERT_TRUE(pol.flags & PX_F_BLOCK, "PX_F_BLOCK");
	ASSERT_EQ(parse("block\n"), -EINVAL, "block needs a source");
}

static void test_local_without_interface_warns(void)
{
	ASSERT_OK(parse("default closed\nzone lan local\nopen ping from lan\n"),
		  "parse");
	ASSERT_CONTAINS(msgs, "zone 'lan' is local", "warning");
	ASSERT_TRUE(pol.flags & PX_F_PING_ZONED, "ping by zone");
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static void test_zone_files(void)
{
	char dir[] = "/tmp/pxzoneXXXXXX", path[64], fifo[64];
	FILE *f;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/list.txt", dir);
	f = fopen(path, "w");
	fprintf(f, "# x\n198.51.100.0/24\n\n  10.0.0.0/8 # c\nbad\n");
	fclose(f);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	mkfifo(fifo, 0600);
	ASSERT_EQ(parse("zone f file /tmp/none/x.txt\nblock f\n"), -EINVAL,
		  "missing file");
	ASSERT_CONTAINS(msgs, "/tmp/none/x.txt", "names the file");
	ASSERT_EQ(parse("zone f file -\nblock f\n"), -EINVAL, "'-'");
	ASSERT_CONTAINS(msgs,
			"t.policy:1:13: error: zone 'f': a zone file cannot "
			"be '-' (stdin)",
			"'-' is no zone file");
	{
		char text[160];

		snprintf(text, sizeof(text), "zone f file %s\nblock f\n", path);
		ASSERT_EQ(parse(text), -EINVAL, "bad line");
		ASSERT_CONTAINS(msgs, "list.txt:5:1: error: invalid prefix",
				"FILE:LINE:COL");
		snprintf(text, sizeof(text), "zone f file %s\nblock f\n", fifo);
		ASSERT_EQ(parse(text), -EINVAL, "fifo");
		ASSERT_CONTAINS(msgs, "FIFO", "fifo said");
		ASSERT_EQ(count(msgs, "\n"), 2, "one line and a hint");
		ASSERT_TRUE(!strstr(msgs, "stdin"), "no '-' for stdin");
		ASSERT_EQ(parse("zone f file /proc/self/status\nblock f\n"),
			  -EINVAL, "/proc");
		ASSERT_CONTAINS(msgs, "not a regular file", "/proc said");
		ASSERT_TRUE(!strstr(msgs, "MiB"), "no size told");
		f = fopen(path, "w");
		fprintf(f, "fe80::1%%eth0\n");
		fclose(f);
		snprintf(text, sizeof(text), "zone f file %s\nblock f\n", path);
		ASSERT_EQ(parse(text), -EINVAL, "zone id");
		ASSERT_CONTAINS(msgs,
				"list.txt:1:1: error: zone ids (%IF) are "
				"not allowed",
				"zone id said");
		ASSERT_EQ(count(msgs, "\n"), 2, "and nothing more");
		ASSERT_EQ(parse("zone f file /dev/zero\nblock f\n"), -EINVAL,
			  "/dev/zero");
		/* some other file: refused without echoing its lines */
		f = fopen(path, "w");
		fprintf(f, "root:SECRETHASH:20228:0\nkey SECRETKEY\n");
		fclose(f);
		snprintf(text, sizeof(text), "zone f file %s\nblock f\n", path);
		ASSERT_EQ(parse(text), -EINVAL, "not a zone file");
		ASSERT_CONTAINS(msgs, "this is not a zone file: 2 of 2 lines",
				"said");
		ASSERT_TRUE(!strstr(msgs, "SECRET"), "its content not shown");
		/* an empty list opens to nobody: a warning, not silence */
		f = fopen(path, "w");
		fclose(f);
		snprintf(text, sizeof(text), "zone f file %s\nopen 80 from f\n",
			 path);
		ASSERT_EQ(parse(text), 0, "empty zone file");
		ASSERT_CONTAINS(msgs, "its file has no prefixes", "warned");
	}
	unlink(path);
	unlink(fifo);
	rmdir(dir);
}

static void test_zones_limit(void)
{
	char *text = malloc(64 * 1024);
	size_t n = 0;

	for (int i = 0; i <= PX_ZONES_MAX; i++)
		n += (size_t)sprintf(text + n, "open 22 from 10.%d.0.0/16\n",
				     i);
	ASSERT_EQ(parse(text), -EINVAL, "65 zones");
	ASSERT_CONTAINS(msgs, "more than 64 zones", "said");
	free(text);
}

/* One past the maps' size (doc/design.md, section 8): refused by the parse,
 * so `check` says it, at the first prefix over, naming the limit. */
static void test_prefix_limit(void)
{
	char dir[] = "/tmp/pxzoneXXXXXX", path[64], text[160];
	FILE *f;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/big.txt", dir);
	f = fopen(path, "w");
	fprintf(f, "2001:db8::/32\n");
	for (unsigned int i = 0; i <= PX_ZONE_PREFIXES_MAX; i++)
		fprintf(f, "10.%u.%u.%u\n", i >> 16, (i >> 8) & 255, i & 255);
	fclose(f);
	snprintf(text, sizeof(text), "zone big file %s\nblock big\n", path);
	ASSERT_EQ(parse(text), -EINVAL, "one prefix over the limit");
	ASSERT_CONTAINS(msgs,
			"big.txt:2097154:1: error: zone 'big': more than "
			"2097152 IPv4 prefixes, the limit per family",
			"FILE:LINE of the first one over, the limit named");
	ASSERT_TRUE(strstr(msgs, "error:") &&
			    !strstr(strstr(msgs, "error:") + 1, "error:"),
		    "one error, none after it");
	unlink(path);
	rmdir(dir);
}

/* A zone whose declaration was refused is not reported again where it is
 * named: one error, not one per line naming it. */
static void test_no_follow_on_errors(void)
{
	char *text = malloc(64 * 1024);
	size_t n = 0;

	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "zone z%d 10.%d.%d.0/24\n", i,
				     i / 256, i % 256);
	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "open 22 from z%d\n", i);
	n += (size_t)sprintf(text + n, "block 11.0.0.0/8\n");
	ASSERT_EQ(parse(text), -EINVAL, "300 zones");
	ASSERT_CONTAINS(msgs, "t.policy:65:6: error: more than 64 zones",
			"the first zone over");
	ASSERT_EQ(count(msgs, "error:"), 1, "one error");
	ASSERT_EQ(parse("zone Office 10.0.0.0/8\nopen 22 from Office\n"
			"block Office\n"),
		  -EINVAL, "bad name");
	ASSERT_CONTAINS(msgs, "t.policy:1:6: error: invalid zone name 'Office'",
			"said where declared");
	ASSERT_EQ(count(msgs, "error:"), 1, "not again where named");
	ASSERT_EQ(parse("zone a 10.0.0.0/8\nopen 22 from b\n"), -EINVAL,
		  "an undeclared zone still");
	ASSERT_CONTAINS(msgs, "unknown zone 'b'", "is an error");
	free(text);
}

static void test_zone_name_hints(void)
{
	char text[160];

	snprintf(text, sizeof(text), "zone %s 10.0.0.0/8\n",
		 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh");
	ASSERT_EQ(parse(text), -EINVAL, "48 bytes");
	ASSERT_CONTAINS(msgs, "at most 47 bytes", "the length said");
	ASSERT_TRUE(!strstr(msgs, "lowercase letter"), "not the characters");
	ASSERT_EQ(parse("zone ban 10.0.0.0/8\nblock ban\n"), -EINVAL, "ban");
	ASSERT_CONTAINS(msgs, "keyword", "ban is a keyword");
	ASSERT_EQ(parse("zone except 10.0.0.0/8\nblock except\n"), -EINVAL,
		  "except");
	ASSERT_EQ(parse("zone Office 10.0.0.0/8\n"), -EINVAL, "Office");
	ASSERT_CONTAINS(msgs, "lowercase letter", "the characters said");
}

int main(void)
{
	msgs = malloc(MSGS_LEN);
	if (!getenv("PORTXDP_DATADIR"))
		setenv("PORTXDP_DATADIR", "policies", 1);
	RUN(test_from_lines_override_the_base_wherever_they_stand);
	RUN(test_no_zones_costs_nothing);
	RUN(test_bad_prefixes_at_line_and_column);
	RUN(test_zone_names);
	RUN(test_same_prefix_in_two_zones);
	RUN(test_bare_prefixes_and_block);
	RUN(test_local_without_interface_warns);
	RUN(test_zone_files);
	RUN(test_zones_limit);
	RUN(test_prefix_limit);
	RUN(test_no_follow_on_errors);
	RUN(test_zone_name_hints);
	zoneset_free(zs);
	free(msgs);
	return check_exit();
}
