// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of ban sources and prefixes (user/source.c): an IPv4
 * address (or /32) and an IPv6 address or /64 as a source, ranges refused
 * with the reason; prefixes with host bits refused; membership; printing.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "source.h"

static void test_ipv4_source(void)
{
	struct px_ban_key k;
	const char *why = NULL;
	char b[SOURCE_LEN];

	ASSERT_OK(source_parse("198.51.100.7", &k, &why), "address");
	ASSERT_EQ(k.family, 4, "family");
	ASSERT_TRUE(!memcmp(k.addr, (__u8[]){198, 51, 100, 7, 0, 0, 0, 0}, 8),
		    "address bytes, the rest zero");
	ASSERT_STREQ(source_format(b, sizeof(b), &k), "198.51.100.7", "print");
	ASSERT_OK(source_parse("198.51.100.7/32", &k, &why), "/32");
	ASSERT_EQ(source_parse("198.51.100.0/24", &k, &why), -EINVAL, "/24");
	ASSERT_CONTAINS(why,
			"a ban is on one IPv4 address (a /32), not a range",
			"why /24");
	ASSERT_EQ(source_parse("198.51.100.7/33", &k, &why), -EINVAL, "/33");
	ASSERT_CONTAINS(why, "an IPv4 prefix is at most /32", "why /33");
}

static void test_ipv6_source_is_its_64(void)
{
	struct px_ban_key k, k2;
	const char *why = NULL;
	char b[SOURCE_LEN];

	ASSERT_OK(source_parse("2001:db8:1:2::5", &k, &why), "address");
	ASSERT_EQ(k.family, 6, "family");
	ASSERT_STREQ(source_format(b, sizeof(b), &k), "2001:db8:1:2::/64",
		     "printed as its /64");
	ASSERT_OK(source_parse("2001:db8:1:2:ffff:ffff:ffff:ffff", &k2, &why),
		  "another address of the /64");
	ASSERT_TRUE(!memcmp(&k, &k2, sizeof(k)), "the same source");
	ASSERT_OK(source_parse("2001:db8:1:2::/64", &k2, &why), "/64");
	ASSERT_TRUE(!memcmp(&k, &k2, sizeof(k)), "the /64 itself");
	ASSERT_OK(source_parse("2001:db8:1:2::5/128", &k2, &why), "/128");
	ASSERT_EQ(source_parse("2001:db8::/48", &k, &why), -EINVAL, "/48");
	ASSERT_CONTAINS(why, "an IPv6 ban is on a /64", "why /48");
	ASSERT_EQ(source_parse("2001:db8::/96", &k, &why), -EINVAL, "/96");
	ASSERT_EQ(source_parse("2001:db8::/129", &k, &why), -EINVAL, "/129");
	ASSERT_CONTAINS(why, "not a number up to 32 (IPv4) or 128 (IPv6)",
			"why /129");
}

/* fe80::/64 holds every host of a link: a link-local source is its
 * address, keyed by its interface ID as the program keys it. */
static void test_link_local_source_is_its_address(void)
{
	struct px_ban_key k, k2;
	struct px_ban_prefix p;
	const char *why = NULL;
	char b[SOURCE_LEN];

	ASSERT_OK(source_parse("fe80::1:2", &k, &why), "address");
	ASSERT_EQ(k.family, PX_BAN_LINK_LOCAL, "family");
	ASSERT_TRUE(!memcmp(k.addr, (__u8[]){0, 0, 0, 0, 0, 1, 0, 2}, 8),
		    "its interface ID");
	ASSERT_STREQ(source_format(b, sizeof(b), &k), "fe80::1:2",
		     "printed whole");
	ASSERT_OK(source_parse("fe80::1:3", &k2, &why), "a neighbour");
	ASSERT_TRUE(memcmp(&k, &k2, sizeof(k)), "another source");
	ASSERT_OK(source_parse("fe80::1:2/128", &k2, &why), "/128");
	ASSERT_TRUE(!memcmp(&k, &k2, sizeof(k)), "the same source");
	ASSERT_EQ(source_parse("fe80::/64", &k2, &why), -EINVAL, "the link");
	ASSERT_CONTAINS(why, "a link-local source is banned by its address",
			"why fe80::/64");
	ASSERT_OK(prefix_parse("fe80::", 6, &p, &why), "prefix fe80::");
	p.len = 64; /* as the parser keeps an except prefix: at most /64 */
	memset(p.mask, 0, sizeof(p.mask));
	memset(p.mask, 0xff, 8);
	ASSERT_TRUE(prefix_has(&p, &k), "fe80::/64 holds fe80::1:2");
	ASSERT_OK(source_parse("fe80:0:0:1::5", &k2, &why), "not fe80::/64");
	ASSERT_EQ(k2.family, 6, "fe80:0:0:1::/64 is an ordinary /64");
}

/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d on the wire: its /32, not
 * ::/64 (which would ban nothing it names and lift unrelated bans). */
static void test_ipv4_mapped_is_ipv4(void)
{
	struct px_ban_key k, k4;
	const char *why = NULL;
	char b[SOURCE_LEN];

	ASSERT_OK(source_parse("::ffff:198.51.100.254", &k, &why), "mapped");
	ASSERT_OK(source_parse("198.51.100.254", &k4, &why), "IPv4");
	ASSERT_TRUE(!memcmp(&k, &k4, sizeof(k)), "the IPv4 source");
	ASSERT_STREQ(source_format(b, sizeof(b), &k), "198.51.100.254",
		     "printed as IPv4");
	ASSERT_OK(source_parse("::FFFF:c633:64fe/128", &k, &why), "a /128");
	ASSERT_TRUE(!memcmp(&k, &k4, sizeof(k)), "the /128 too");
	ASSERT_EQ(source_parse("::ffff:198.51.100.0/120", &k, &why), -EINVAL,
		  "a mapped range");
	ASSERT_CONTAINS(why, "IPv4 address (a /32), not a range", "why");
	ASSERT_OK(source_parse("::198.51.100.254", &k, &why), "compatible");
	ASSERT_EQ(k.family, 6, "an ordinary IPv6 /64 (deprecated form)");
}

/* The refusal of a range names the fix with the range given. */
static void test_range_says_block(void)
{
	struct px_ban_key k;
	const char *why = NULL;

	ASSERT_EQ(source_parse("198.51.100.0/24", &k, &why), -EINVAL, "v4");
	ASSERT_CONTAINS(why, "add the line 'block 198.51.100.0/24'", "v4 fix");
	ASSERT_EQ(source_parse("2001:db8::/48", &k, &why), -EINVAL, "v6");
	ASSERT_CONTAINS(why, "'block 2001:db8::/48'", "v6 fix");
}

static void test_not_a_source(void)
{
	static const char *const bad[] = {"",
					  "nonsense",
					  "198.51.100",
					  "198.51.100.256",
					  "198.51.100.7/",
					  "198.51.100.7/x",
					  "198.51.100.7/-1",
					  "198.51.100.7/24x",
					  "::g",
					  "198.51.100.7 ",
					  "2001:db8::1%eth0",
					  "eth0"};
	char longest[200];
	struct px_ban_key k;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ASSERT_EQ(source_parse(bad[i], &k, &why), -EINVAL, bad[i]);
		ASSERT_TRUE(why && *why, "a reason");
	}
	memset(longest, '1', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	ASSERT_EQ(source_parse(longest, &k, &why), -EINVAL, "199 bytes");
	ASSERT_STREQ(why, "not an IPv4 or IPv6 address", "why");
}

static void test_prefixes(void)
{
	struct px_ban_prefix p;
	struct px_ban_key in, out;
	const char *why = NULL;
	char b[SOURCE_LEN];

	ASSERT_OK(prefix_parse("198.51.100.0/24", 15, &p, &why), "v4 /24");
	ASSERT_EQ(p.len, 24, "len");
	ASSERT_STREQ(prefix_format(b, sizeof(b), &p), "198.51.100.0/24",
		     "print");
	source_parse("198.51.100.200", &in, &why);
	source_parse("198.51.101.1", &out, &why);
	ASSERT_TRUE(prefix_has(&p, &in), "inside");
	ASSERT_TRUE(!prefix_has(&p, &out), "outside");
	source_parse("2001:db8::1", &out, &why);
	ASSERT_TRUE(!prefix_has(&p, &out), "another family");
	ASSERT_OK(prefix_parse("198.51.100.9", 12, &p, &why), "no length");
	ASSERT_EQ(p.len, 32, "an address is a /32");
	ASSERT_OK(prefix_parse("0.0.0.0/0", 9, &p, &why), "/0");
	ASSERT_TRUE(prefix_has(&p, &in), "/0 holds every IPv4 source");
	ASSERT_OK(prefix_parse("2001:db8::/32", 13, &p, &why), "v6 /32");
	source_parse("2001:db8:ffff::1", &in, &why);
	ASSERT_TRUE(prefix_has(&p, &in), "v6 inside");
	ASSERT_OK(prefix_parse("2001:db8::", 10, &p, &why), "v6 no length");
	ASSERT_EQ(p.len, 128, "a /128");
	ASSERT_EQ(prefix_parse("198.51.100.1/24", 15, &p, &why), -EINVAL,
		  "host bits");
	ASSERT_CONTAINS(why, "host bits set", "why");
	ASSERT_EQ(prefix_parse("2001:db8::1/64", 14, &p, &why), -EINVAL,
		  "v6 host bits");
	/* the token's length counts, not a NUL */
	ASSERT_OK(prefix_parse("198.51.100.0/24 trailing", 15, &p, &why),
		  "a token inside a line");
	ASSERT_EQ(prefix_parse("198.51.100.0/24 trailing", 16, &p, &why),
		  -EINVAL, "with the space");
}

int main(void)
{
	RUN(test_ipv4_source);
	RUN(test_ipv6_source_is_its_64);
	RUN(test_link_local_source_is_its_address);
	RUN(test_ipv4_mapped_is_ipv4);
	RUN(test_range_says_block);
	RUN(test_not_a_source);
	RUN(test_prefixes);
	return check_exit();
}
