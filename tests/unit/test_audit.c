// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of audit's pure logic (user/audit.c, user/audit_lines.c):
 * findings from a policy text and a made-up socket list, each naming the
 * line that causes it; loopback and other-interface sockets skipped; UDP
 * clients in the ephemeral range ignored; the live source "FILE + open X"
 * read back; a file edited since apply detected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit.h"
#include "audit_lines.h"
#include "check.h"
#include "policy.h"
#include "table.h"

#define IFINDEX 7

static struct px_policy pol;
static struct policy_lines *pl;
static struct audit_result res;

static struct px_sock sock(int proto, unsigned int port, const char *addr,
			   const char *comm)
{
	struct px_sock s = {.proto = proto, .port = port, .pid = 42};

	s.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(s.family, addr, s.addr);
	s.loopback = !strcmp(addr, "127.0.0.1") || !strcmp(addr, "::1");
	snprintf(s.comm, sizeof(s.comm), "%s", comm);
	return s;
}

/* Parse text, attribute its lines and audit it against socks. */
static bool run(const char *text, const struct px_sock *socks, int n)
{
	struct audit_input in = {.pol = &pol,
				 .socks = socks,
				 .nsocks = n,
				 .ifindex = IFINDEX,
				 .eph_lo = 32768,
				 .eph_hi = 60999};
	int err;

	audit_free(&res);
	policy_lines_free(pl);
	if (!ASSERT_OK(policy_load_text("t.policy", text, &pol, NULL, NULL),
		       "parse"))
		return false;
	pl = policy_lines_build("t.policy", text, 100, &pol, &err);
	if (!ASSERT_TRUE(pl, "lines"))
		return false;
	in.lines = pl;
	return ASSERT_OK(audit_run(&in, &res), "audit");
}

/* The one finding of kind k on proto/port, or NULL. */
static const struct audit_finding *find(enum audit_kind k, int proto,
					unsigned int port)
{
	for (int i = 0; i < res.n; i++)
		if (res.v[i].kind == k && res.v[i].proto == proto &&
		    res.v[i].lo <= port && port <= res.v[i].hi)
			return &res.v[i];
	return NULL;
}

static void test_the_four_cases(void)
{
	struct px_sock s[] = {
		sock(PX_TCP, 22, "::", "sshd"),
		sock(PX_TCP, 5432, "0.0.0.0", "postgres"),
		sock(PX_TCP, 139, "0.0.0.0", "smbd"),
		sock(PX_TCP, 631, "127.0.0.1", "cupsd"),
	};
	const struct audit_finding *f;

	if (!run("default closed\nopen 22/tcp\nopen 8080/tcp\n"
		 "open netbios-ssn\nopen ephemeral\n",
		 s, 4))
		return;
	ASSERT_EQ(res.n, 3, "exactly three findings");
	f = find(AUDIT_CLOSED_LISTENING, PX_TCP, 5432);
	if (ASSERT_TRUE(f, "5432 listening but closed")) {
		ASSERT_EQ(f->line, 1, "caused by 'default closed'");
		ASSERT_STREQ(f->sock->comm, "postgres", "its process");
	}
	f = find(AUDIT_OPEN_UNUSED, PX_TCP, 8080);
	if (ASSERT_TRUE(f, "8080 open, nothing listens")) {
		ASSERT_EQ(f->line, 3, "caused by 'open 8080/tcp'");
		ASSERT_EQ(f->lo, 8080, "one port");
		ASSERT_EQ(f->hi, 8080, "one port");
	}
	f = find(AUDIT_ADVICE, PX_TCP, 139);
	if (ASSERT_TRUE(f, "139 LAN only, open to all")) {
		ASSERT_EQ(f->line, 4, "caused by 'open netbios-ssn'");
		ASSERT_CONTAINS(f->advice, "LAN only", "the table's advice");
	}
	ASSERT_EQ(res.exposed, 3, "exposed sockets");
	ASSERT_EQ(res.skipped, 1, "631 on loopback skipped");
	ASSERT_TRUE(!find(AUDIT_CLOSED_LISTENING, PX_TCP, 631),
		    "loopback listener not reported");
	ASSERT_TRUE(!find(AUDIT_OPEN_UNUSED, PX_TCP, 40000),
		    "ephemeral range aside");
}

static void test_clean_policy_reports_nothing(void)
{
	struct px_sock s[] = {
		sock(PX_TCP, 22, "0.0.0.0", "sshd"),
		sock(PX_TCP, 22, "::", "sshd"),
		sock(PX_UDP, 68, "0.0.0.0", "dhclient"),
		sock(PX_UDP, 45000, "0.0.0.0", "resolver"),
	};

	if (!run("default closed\nopen ssh\nopen bootpc\nopen ephemeral\n", s,
		 4))
		return;
	ASSERT_EQ(res.n, 0, "nothing to report");
	/* bootpc open without a DHCP client is LAN-only advice */
	if (!run("default closed\nopen ssh\nopen bootpc\nopen ephemeral\n", s,
		 2))
		return;
	ASSERT_TRUE(find(AUDIT_ADVICE, PX_UDP, 68), "bootpc without client");
	ASSERT_TRUE(find(AUDIT_OPEN_UNUSED, PX_UDP, 68), "bootpc unused");
}

static void test_table_advice(void)
{
	const struct audit_finding *f;

	if (!run("default closed\nopen telnet\nopen 20/tcp\nopen ping\n", NULL,
		 0))
		return;
	f = find(AUDIT_ADVICE, PX_TCP, 23);
	ASSERT_TRUE(f && f->line == 2, "telnet open, line 2");
	f = find(AUDIT_ADVICE, PX_TCP, 20);
	ASSERT_TRUE(f && f->line == 3, "ftp-data without ftp, line 3");
	f = find(AUDIT_ADVICE, PX_PROTO_ICMP, 0);
	ASSERT_TRUE(f && f->line == 4, "ping answered, line 4");
	if (!run("default closed\nopen 20,21/tcp\n", NULL, 0))
		return;
	ASSERT_TRUE(!find(AUDIT_ADVICE, PX_TCP, 21), "ftp pair is fine");
	/* A server with 21 and without inbound 20 is a working server. */
	if (!run("default closed\nopen 21/tcp\n", NULL, 0))
		return;
	ASSERT_TRUE(!find(AUDIT_ADVICE, PX_TCP, 21), "ftp alone is fine");
}

static void test_lines_last_writer_wins(void)
{
	struct px_sock s[] = {sock(PX_TCP, 80, "0.0.0.0", "nginx"),
			      sock(PX_UDP, 53, "0.0.0.0", "named")};
	const struct audit_finding *f;

	if (!run("# web\ndefault open\nclose well-known\nopen 443/tcp\n"
		 "close 53 # no dns\nopen ephemeral\n",
		 s, 2))
		return;
	f = find(AUDIT_CLOSED_LISTENING, PX_TCP, 80);
	ASSERT_TRUE(f && f->line == 3, "80 closed by 'close well-known'");
	f = find(AUDIT_CLOSED_LISTENING, PX_UDP, 53);
	ASSERT_TRUE(f && f->line == 5, "53 closed by 'close 53', not line 3");
	f = find(AUDIT_OPEN_UNUSED, PX_TCP, 443);
	ASSERT_TRUE(f && f->line == 4 && f->lo == 443 && f->hi == 443,
		    "443 alone, line 4");
	f = find(AUDIT_OPEN_UNUSED, PX_TCP, 2000);
	ASSERT_TRUE(f && f->line == 2 && f->lo == 1024 && f->hi == 32767,
		    "1024-32767 left open by 'default open'");
	ASSERT_STREQ(pl->text[4], "close 53", "line text without comment");
}

static void test_other_interface_skipped(void)
{
	struct px_sock s[] = {sock(PX_TCP, 3306, "0.0.0.0", "mysqld")};

	s[0].ifindex = IFINDEX + 1;
	if (!run("default closed\n", s, 1))
		return;
	ASSERT_EQ(res.n, 0, "bound to another interface: not reported");
	ASSERT_EQ(res.skipped, 1, "counted as skipped");
	s[0].ifindex = IFINDEX;
	if (!run("default closed\n", s, 1))
		return;
	ASSERT_TRUE(find(AUDIT_CLOSED_LISTENING, PX_TCP, 3306),
		    "bound to this interface: reported");
}

static void test_live_source_read_back(void)
{
	char path[] = "/tmp/px-audit-XXXXXX";
	struct px_policy live;
	struct policy_lines *l;
	char where[512];
	int fd = mkstemp(path), err;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!ASSERT_TRUE(f, "temp file"))
		return;
	fputs("default closed\nopen 22/tcp\n", f);
	fclose(f);
	ASSERT_OK(policy_load_file(path, &live, NULL, NULL), "load");
	char *specs[] = {"8080/tcp"};
	ASSERT_OK(policy_apply_specs(&live, true, 1, specs, NULL, NULL),
		  "open 8080/tcp");
	snprintf(live.source, sizeof(live.source), "%s + open 8080/tcp", path);
	l = policy_lines_live(&live, &err);
	if (ASSERT_TRUE(l, "live lines")) {
		ASSERT_EQ(l->line[PX_TCP][8080], 3, "the change is line 3");
		ASSERT_EQ(l->file_lines, 2, "two lines from the file");
		policy_lines_where(l, 3, where, sizeof(where));
		ASSERT_CONTAINS(where, "live change 'open 8080/tcp'", "where");
		policy_lines_where(l, 2, where, sizeof(where));
		ASSERT_CONTAINS(where, ":2 'open 22/tcp'", "where");
		policy_lines_free(l);
	}
	/* the file edited since: no line is named */
	f = fopen(path, "w");
	if (f) {
		fputs("default closed\nopen 23/tcp\n", f);
		fclose(f);
	}
	l = policy_lines_live(&live, &err);
	ASSERT_TRUE(!l && err == -ESTALE, "edited file detected");
	policy_lines_free(l);
	unlink(path);
}

int main(void)
{
	setenv("PORTXDP_DATADIR", "policies", 0);
	RUN(test_the_four_cases);
	RUN(test_clean_policy_reports_nothing);
	RUN(test_table_advice);
	RUN(test_lines_last_writer_wins);
	RUN(test_other_interface_skipped);
	RUN(test_live_source_read_back);
	audit_free(&res);
	policy_lines_free(pl);
	return check_exit();
}
