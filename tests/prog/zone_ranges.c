// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The IPv4 zone lookup's edges in the program (include/portxdp.h, "IPv4
 * ranges"): prefixes flattened into ranges, a /16 index and a bisection.
 * The whole address space (0.0.0.0/0) and its last address, ranges that
 * end or start at a /16 boundary or run across it, /16s lying in one
 * range, a /16 holding thousands of ranges, and the full table
 * (PX_ZONE_PREFIXES_MAX prefixes, 2^22 + 1 ranges; one more is the
 * parser's error, tests/unit/test_zones.c).
 */
#include <stdlib.h>
#include <unistd.h>

#include "px_prog.h"
#include "maps_zone.h"
#include "policy.h"

static struct px_policy pol;

static void src4(struct pkt *p, __u32 a)
{
	p->b[14 + 12] = (__u8)(a >> 24);
	p->b[14 + 13] = (__u8)(a >> 16);
	p->b[14 + 14] = (__u8)(a >> 8);
	p->b[14 + 15] = (__u8)a;
}

#define IP4(a, b, c, d) ((__u32)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* 1: port 22 passes from a, 2: port 23, 0: neither */
static int which(__u32 a)
{
	struct pkt p;
	int r = 0;

	pkt_tcp4(&p, 22);
	src4(&p, a);
	r |= px_verdict(&p) == XDP_PASS ? 1 : 0;
	pkt_tcp4(&p, 23);
	src4(&p, a);
	r |= px_verdict(&p) == XDP_PASS ? 2 : 0;
	return r;
}

static const char edges[] =
	"default closed\n"
	"zone all 0.0.0.0/0\n"
	"zone top 255.255.255.255/32 10.1.255.255 10.2.0.0\n"
	"zone span 10.3.255.0/24 10.4.0.0/24 10.8.0.0/13\n"
	"zone bottom 0.0.0.0/32\n"
	"open 22 from all span\n"
	"open 23 from top span\n";

static void edges_of_the_space(void)
{
	static const struct {
		__u32 a;
		int want;
		const char *what;
	} c[] = {
		{IP4(0, 0, 0, 0), 0, "0.0.0.0: its /32 inside 0/0"},
		{IP4(0, 0, 0, 1), 1, "0.0.0.1: 0/0"},
		{IP4(255, 255, 255, 255), 2, "255.255.255.255/32"},
		{IP4(255, 255, 255, 254), 1, "255.255.255.254: 0/0"},
		{IP4(10, 1, 255, 254), 1, "before a /16's last address"},
		{IP4(10, 1, 255, 255), 2, "a /16's last address"},
		{IP4(10, 2, 0, 0), 2, "a /16's first address"},
		{IP4(10, 2, 0, 1), 1, "after a /16's first address"},
		{IP4(10, 3, 254, 255), 1, "before a range across a /16"},
		{IP4(10, 3, 255, 0), 3, "a range across a /16, first"},
		{IP4(10, 4, 0, 0), 3, "a range across a /16, inside"},
		{IP4(10, 4, 0, 255), 3, "a range across a /16, last"},
		{IP4(10, 4, 1, 0), 1, "after a range across a /16"},
		{IP4(10, 7, 255, 255), 1, "before /16s in one range"},
		{IP4(10, 8, 0, 0), 3, "/16s in one range, first"},
		{IP4(10, 12, 77, 3), 3, "/16s in one range, inside"},
		{IP4(10, 15, 255, 255), 3, "/16s in one range, last"},
		{IP4(10, 16, 0, 0), 1, "after /16s in one range"},
	};

	if (!px_ready() || !ASSERT_OK(px_install_text(edges, &pol), "install"))
		return;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		ASSERT_EQ(which(c[i].a), c[i].want, c[i].what);
}

/* A zone file of n lines, line i by f(i): its path (static). */
static const char *zone_file(size_t n, void (*f)(size_t, char *, size_t))
{
	static char path[] = "/tmp/pxzr.XXXXXX";
	char line[64];
	FILE *out;
	int fd;

	strcpy(path, "/tmp/pxzr.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || !(out = fdopen(fd, "w")))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		f(i, line, sizeof(line));
		fputs(line, out);
	}
	fclose(out);
	return path;
}

/* 10.9.0.0/16: every third address, zones a and b in turn */
static void dense_line(size_t i, char *b, size_t n)
{
	snprintf(b, n, "10.9.%zu.%zu\n", (3 * i) >> 8, (3 * i) & 255);
}

static int dense_want(__u32 a)
{
	__u32 o = a & 0xffff;

	if ((a >> 16) != IP4(10, 9, 0, 0) >> 16 || o % 3)
		return 0;
	return (o / 3) % 2 ? 2 : 1;
}

static void dense_16(void)
{
	const char *fa;
	char text[512], pa[32], pb[32];
	size_t n = 65536 / 3 + 1;
	FILE *a, *b;
	__u32 addr;
	int bad = 0;

	if (!px_ready())
		return;
	/* one file of every third address, split into two by parity */
	fa = zone_file(n, dense_line);
	if (!ASSERT_TRUE(fa != NULL, "zone file"))
		return;
	snprintf(pa, sizeof(pa), "%s.a", fa);
	snprintf(pb, sizeof(pb), "%s.b", fa);
	a = fopen(pa, "w");
	b = fopen(pb, "w");
	if (a && b) {
		FILE *in = fopen(fa, "r");
		char line[64];

		for (size_t i = 0; in && fgets(line, sizeof(line), in); i++)
			fputs(line, i % 2 ? b : a);
		if (in)
			fclose(in);
	}
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	snprintf(text, sizeof(text),
		 "default closed\nzone a file %s\nzone b file %s\n"
		 "open 22 from a\nopen 23 from b\n",
		 pa, pb);
	if (ASSERT_OK(px_install_text(text, &pol), "install")) {
		/* every address of the /16 and its neighbours' edges */
		for (addr = IP4(10, 8, 255, 250);
		     addr <= IP4(10, 10, 0, 5) && bad < 5; addr++)
			if (which(addr) != dense_want(addr)) {
				ASSERT_EQ(which(addr), dense_want(addr),
					  "an address of the dense /16");
				bad++;
			}
	}
	unlink(fa);
	unlink(pa);
	unlink(pb);
}

/* 16.0.0.0 on: every other address */
static void full_line(size_t i, char *b, size_t n)
{
	__u32 a = IP4(16, 0, 0, 0) + 2 * (__u32)i;

	snprintf(b, n, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
}

static void full_table(void)
{
	char text[256];
	const char *f;
	__u32 last = IP4(16, 0, 0, 0) + 2 * (PX_ZONE_PREFIXES_MAX - 1);

	if (!px_ready())
		return;
	f = zone_file(PX_ZONE_PREFIXES_MAX, full_line);
	if (!ASSERT_TRUE(f != NULL, "zone file"))
		return;
	snprintf(text, sizeof(text),
		 "default closed\nzone full file %s\nopen 22 from full\n", f);
	if (ASSERT_OK(px_install_text(text, &pol), "install the full table")) {
		ASSERT_EQ(which(IP4(16, 0, 0, 0)), 1, "the first prefix");
		ASSERT_EQ(which(IP4(16, 0, 0, 1)), 0, "between prefixes");
		ASSERT_EQ(which(IP4(16, 17, 3, 8)), 1, "a prefix inside");
		ASSERT_EQ(which(IP4(16, 17, 3, 9)), 0, "between, inside");
		ASSERT_EQ(which(last), 1, "the last prefix");
		ASSERT_EQ(which(last + 1), 0, "after the last");
	}
	unlink(f);
}

int main(void)
{
	px_setup();
	RUN_HOOKS(edges_of_the_space);
	RUN_HOOKS(dense_16);
	RUN(full_table);
	px_teardown();
	return check_exit();
}
