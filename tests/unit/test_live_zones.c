// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * live_zones.c: the zones of a policy written as zone, from and block
 * lines give the same zones when parsed again (save's promise), a zone
 * with holes in the table (indices kept across versions) included; a
 * zone whose prefixes differ is named; the runs show lists.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live_zones.h"
#include "policy.h"

static struct px_policy pol, back;

static struct px_zoneset *parse(const char *text, struct px_policy *p)
{
	struct px_zoneset *zs = NULL;
	FILE *quiet = fopen("/dev/null", "w");

	if (policy_text_zoned("p", text, NULL, p, &zs, NULL, quiet))
		zs = NULL;
	fclose(quiet);
	return zs;
}

static char *lines(const struct px_zoneset *zs, const bool *literal)
{
	char *text = NULL;
	size_t size;
	FILE *mem = open_memstream(&text, &size);

	fputs("default closed\nopen 22/tcp\n", mem);
	if (live_zones_text(zs, literal, mem))
		fputs("# ERROR\n", mem);
	fclose(mem);
	return text;
}

static const char *const zoned =
	"default closed\nopen 22/tcp\n"
	"zone office 198.51.100.0/24 2001:db8:5::/48\n"
	"zone far 198.51.100.128/25\n"
	"open 8080/tcp 9000-9010 ping from office\n"
	"close 22 from 198.51.100.77\n"
	"open well-known/udp from far\nclose 53/udp from far\n"
	"block far 198.51.100.9\n";

static void test_zones_round_trip(void)
{
	bool literal[PX_ZONE_ENTRIES] = {false}, differs[PX_ZONE_ENTRIES];
	struct px_zoneset *zs = parse(zoned, &pol), *bzs;
	char *text;

	if (!ASSERT_TRUE(zs, "the policy parses"))
		return;
	text = lines(zs, literal);
	ASSERT_CONTAINS(text, "zone office 198.51.100.0/24 2001:db8:5::/48\n",
			"office");
	ASSERT_CONTAINS(text,
			"open 8080/tcp 9000-9010/tcp 9000-9010/udp "
			"ping from office\n",
			"office's from line");
	ASSERT_CONTAINS(text, "close 22/tcp 22/udp from 198.51.100.77/32\n",
			"a bare prefix");
	ASSERT_CONTAINS(text, "open well-known/udp from far\n", "port 0");
	ASSERT_CONTAINS(text, "block far\n", "a blocked zone");
	ASSERT_CONTAINS(text, "block 198.51.100.9/32\n", "a blocked prefix");
	bzs = parse(text, &back);
	memset(differs, 0, sizeof(differs));
	ASSERT_TRUE(bzs && live_zones_same(zs, &pol, bzs, &back, differs),
		    "parsed again: the same zones");
	zoneset_free(bzs);
	free(text);
	zoneset_free(zs);
}

/* The live table keeps indices: a zone at 5 with holes before it. */
static void test_holes_and_differing_prefixes(void)
{
	bool literal[PX_ZONE_ENTRIES] = {false}, differs[PX_ZONE_ENTRIES];
	struct px_zoneset *zs = parse(zoned, &pol), *bzs;
	char *text;

	if (!ASSERT_TRUE(zs, "the policy parses"))
		return;
	zs->zone[5] = zs->zone[1];
	memset(&zs->zone[1], 0, sizeof(zs->zone[1]));
	zs->nzones = 5;
	for (size_t i = 0; i < zs->npfx; i++)
		if (zs->pfx[i].zone == 1)
			zs->pfx[i].zone = 5;
	text = lines(zs, literal);
	bzs = parse(text, &back);
	memset(differs, 0, sizeof(differs));
	ASSERT_TRUE(bzs && live_zones_same(zs, &pol, bzs, &back, differs),
		    "holes: the same zones");
	zoneset_free(bzs);
	/* the live office lost a prefix: only office differs */
	bzs = parse(zoned, &back);
	for (size_t i = 0; i < zs->npfx; i++)
		if (zs->pfx[i].zone == 5 && zs->pfx[i].family == 6)
			zs->pfx[i].len = 64;
	memset(differs, 0, sizeof(differs));
	ASSERT_TRUE(!live_zones_same(zs, &pol, bzs, &back, differs),
		    "a prefix differs");
	ASSERT_TRUE(differs[5] && !differs[2], "office differs, far not");
	zoneset_free(bzs);
	free(text);
	zoneset_free(zs);
}

static void test_runs_differ_from_the_base(void)
{
	struct px_zoneset *zs = parse(zoned, &pol);
	struct zone_run run[8];
	unsigned int n;

	if (!ASSERT_TRUE(zs, "the policy parses"))
		return;
	n = live_zones_runs(&zs->zone[1], &pol, run, 8);
	ASSERT_EQ(n, 3, "office: 8080/tcp, 9000-9010 tcp and udp");
	ASSERT_TRUE(n == 3 && run[0].lo == 8080 && run[0].open &&
			    run[1].lo == 9000 && run[1].hi == 9010 &&
			    run[2].proto == PX_UDP,
		    "the runs");
	n = live_zones_runs(&zs->zone[3], &pol, run, 8);
	ASSERT_EQ(n, 1, "the bare prefix: 22/tcp only (udp is closed)");
	zoneset_free(zs);
}

int main(void)
{
	RUN(test_zones_round_trip);
	RUN(test_holes_and_differing_prefixes);
	RUN(test_runs_differ_from_the_base);
	return check_exit();
}
