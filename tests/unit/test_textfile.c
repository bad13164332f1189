// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the one text-file reader (user/textfile.c) and the one
 * port parser (user/proto.c): what a user sees when a policy path names
 * something that is no policy file, and how ports written as text are
 * judged. Files are made in a fresh temporary folder; no system file is
 * read but /dev/zero.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <linux/types.h>

#include "check.h"
#include "portxdp.h"
#include "proto.h"
#include "textfile.h"

#define MSGS_LEN 4096
static char *msgs; /* heap: see test_policy.c */
static char dir[] = "/tmp/pxtextXXXXXX";

static int rd(const char *path, char **text, size_t *len)
{
	FILE *f = fmemopen(msgs, MSGS_LEN, "w");
	int err;

	memset(msgs, 0, MSGS_LEN);
	err = px_text_read(path, "policy", "check the path", text, len, f);
	fclose(f);
	return err;
}

static void put(const char *name, const char *data, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

static void test_regular_file_and_bom(void)
{
	char path[128], *text;
	size_t len;

	put("a.policy",
	    "\xef\xbb\xbf"
	    "open 22\n",
	    11);
	snprintf(path, sizeof(path), "%s/a.policy", dir);
	if (!ASSERT_OK(rd(path, &text, &len), "read"))
		return;
	ASSERT_STREQ(text, "open 22\n", "BOM dropped");
	ASSERT_EQ(len, 8, "length");
	free(text);
}

static void test_not_regular_refused(void)
{
	char path[128], link[128], *text;
	size_t len;

	ASSERT_EQ(rd(dir, &text, &len), -EISDIR, "directory");
	ASSERT_CONTAINS(msgs, "is a directory", "directory said");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	mkfifo(path, 0600);
	ASSERT_EQ(rd(path, &text, &len), -ENOTSUP, "fifo, without hanging");
	ASSERT_CONTAINS(msgs, "it is a FIFO, not a text file", "fifo said");
	ASSERT_CONTAINS(msgs, "'-' for stdin", "fix");
	ASSERT_EQ(rd("/dev/zero", &text, &len), -ENOTSUP, "/dev/zero");
	ASSERT_CONTAINS(msgs, "character device", "device said");
	snprintf(path, sizeof(path), "%s/missing", dir);
	ASSERT_EQ(rd(path, &text, &len), -ENOENT, "missing");
	ASSERT_CONTAINS(msgs, "No such file or directory: check the path",
			"caller's fix");
	ASSERT_EQ(rd("", &text, &len), -ENOENT, "empty path");
	ASSERT_CONTAINS(msgs, "the path of the policy is empty", "said so");
	snprintf(path, sizeof(path), "%s/loop1", dir);
	snprintf(link, sizeof(link), "%s/loop2", dir);
	ASSERT_OK(symlink(link, path) || symlink(path, link), "two links");
	ASSERT_EQ(rd(path, &text, &len), -ELOOP, "a loop of links");
	ASSERT_CONTAINS(msgs, "loop1: it is a loop of symbolic links",
			"said in words");
	ASSERT_CONTAINS(msgs, "point the link at the file", "fix");
}

/* Binary content and secrets behind a symlink: refused, never quoted. */
static void test_binary_and_symlink(void)
{
	char path[128], link[128], *text;
	size_t len;

	put("bin", "open 22\n\0Sekr1t\n", 16);
	snprintf(path, sizeof(path), "%s/bin", dir);
	ASSERT_EQ(rd(path, &text, &len), -EINVAL, "NUL");
	ASSERT_CONTAINS(msgs, "is not a policy: it holds NUL", "said");
	ASSERT_TRUE(!strstr(msgs, "Sekr1t"), "not quoted");
	put("secret", "token:Sekr1t\n", 13);
	snprintf(path, sizeof(path), "%s/secret", dir);
	snprintf(link, sizeof(link), "%s/link.policy", dir);
	ASSERT_OK(symlink(path, link), "symlink");
	/* The reader reads it (a symlink to a file is a file)... */
	ASSERT_OK(rd(link, &text, &len), "symlink followed");
	free(text);
	/* ...and one over 1 MiB is refused. */
	text = calloc(1, PX_TEXT_MAX + 2);
	memset(text, '#', PX_TEXT_MAX + 1);
	put("big", text, PX_TEXT_MAX + 1);
	free(text);
	snprintf(path, sizeof(path), "%s/big", dir);
	ASSERT_EQ(rd(path, &text, &len), -EFBIG, "too big");
	ASSERT_CONTAINS(msgs, "over 1 MiB", "said");
}

static void test_port_parser(void)
{
	unsigned int lo = 0, hi = 0, p = 0;
	struct px_port_error at;

	ASSERT_OK(px_port_parse("65535", 5, &p), "max");
	ASSERT_EQ(p, 65535, "value");
	ASSERT_EQ(px_port_parse("65536", 5, &p), -ERANGE, "over");
	ASSERT_EQ(px_port_parse("", 0, &p), -EINVAL, "empty");
	ASSERT_EQ(px_port_parse("2x", 2, &p), -EINVAL, "not digits");
	ASSERT_OK(px_port_range_parse("137-139", 7, &lo, &hi, NULL), "range");
	ASSERT_TRUE(lo == 137 && hi == 139, "bounds");
	ASSERT_OK(px_port_range_parse("1000:1002", 9, &lo, &hi, NULL), "ufw");
	ASSERT_EQ(px_port_range_parse("1-70000", 7, &lo, &hi, &at), -ERANGE,
		  "upper over");
	ASSERT_TRUE(at.at == 2 && at.len == 5, "points at 70000");
	ASSERT_EQ(px_port_range_parse("137-", 4, &lo, &hi, NULL), -ENODATA,
		  "incomplete");
	ASSERT_EQ(px_port_range_parse("9-1", 3, &lo, &hi, NULL), -EDOM,
		  "reversed");
	ASSERT_EQ(px_port_range_parse("ssh", 3, &lo, &hi, NULL), 1, "a name");
	ASSERT_EQ(px_proto_parse("TCP", 3), PX_TCP, "tcp");
	ASSERT_EQ(px_proto_parse("sctp", 4), -1, "sctp");
	ASSERT_STREQ(px_proto_name(PX_UDP), "udp", "udp name");
	ASSERT_STREQ(px_ipproto_name(58), "icmpv6", "icmpv6 name");
}

int main(void)
{
	char cmd[64];
	int ret;

	msgs = calloc(1, MSGS_LEN);
	if (!msgs || !mkdtemp(dir))
		return 1;
	RUN(test_regular_file_and_bom);
	RUN(test_not_regular_refused);
	RUN(test_binary_and_symlink);
	RUN(test_port_parser);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ret = system(cmd);
	(void)ret;
	free(msgs);
	return check_exit();
}
