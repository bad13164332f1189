// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the policy language (user/policy_*.c): every construct of
 * doc/design.md section 3, every error with its line and column, every warning
 * of `check`, the open/close argument form, the diff computation, and the
 * shipped policies. Run from the repository root (PORTXDP_DATADIR is set
 * to policies/ here when the caller did not).
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
#include "policy_live.h"
#include "table.h"

static struct px_policy pol;
static struct policy_report rep;
#define MSGS_LEN 8192
/* Heap, not an array: check.h's snprintf would warn about its size. */
static char *msgs;

/* Parse text with check's warnings on; messages land in msgs. */
static int parse(const char *text)
{
	FILE *f = fmemopen(msgs, MSGS_LEN, "w");
	int err;

	memset(msgs, 0, MSGS_LEN);
	memset(&pol, 0, sizeof(pol));
	err = policy_check_text("t.policy", text, &pol, &rep, f);
	fclose(f);
	return err;
}

static bool tcp(unsigned int port)
{
	return policy_port_open(&pol, PX_TCP, port);
}

static bool udp(unsigned int port)
{
	return policy_port_open(&pol, PX_UDP, port);
}

/* No rule line at all: refused, not silently "default open". */
static void test_empty_is_refused(void)
{
	const char *empty[] = {"", "# nothing\n\n", "  \n\t# x\n#\n"};
	FILE *f;

	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		ASSERT_EQ(parse(empty[i]), -EINVAL, empty[i]);
		ASSERT_CONTAINS(msgs,
				"t.policy: error: the policy has no rules",
				"message");
		ASSERT_CONTAINS(msgs, "write 'default open'", "hint");
		ASSERT_EQ(rep.errors, 1, "one error");
	}
	f = fmemopen(msgs, MSGS_LEN, "w");
	ASSERT_EQ(policy_load_text("t", "# x\n", &pol, &rep, f), -EINVAL,
		  "load refuses too");
	fclose(f);
}

static void test_default_open_alone(void)
{
	ASSERT_OK(parse("# everything, on purpose\ndefault open\n"), "parse");
	ASSERT_EQ(policy_count_open(&pol, PX_TCP), 65536, "tcp all open");
	ASSERT_EQ(policy_count_open(&pol, PX_UDP), 65536, "udp all open");
	ASSERT_TRUE(pol.flags & PX_F_PING_OPEN, "ping open");
	ASSERT_TRUE(!(pol.flags & PX_F_FRAG_DROP), "fragments pass");
	ASSERT_STREQ(pol.source, "t.policy", "source");
}

static void test_default_closed_closes_ping(void)
{
	ASSERT_OK(parse("default closed\n"), "parse");
	ASSERT_EQ(policy_count_open(&pol, PX_TCP), 0, "tcp closed");
	ASSERT_EQ(policy_count_open(&pol, PX_UDP), 0, "udp closed");
	ASSERT_TRUE(!(pol.flags & PX_F_PING_OPEN), "ping closed");
	ASSERT_OK(parse("default open\nclose 22\n"), "default open");
	ASSERT_EQ(policy_count_open(&pol, PX_TCP), 65535, "one closed");
}

static void test_numbers_ranges_lists(void)
{
	ASSERT_OK(parse("default closed\nopen 22 137-139 1000:1002/udp "
			"80,443/tcp 53,5353\n"),
		  "parse");
	ASSERT_TRUE(tcp(22) && udp(22), "22 both");
	ASSERT_TRUE(tcp(137) && tcp(139) && udp(138), "137-139 both");
	ASSERT_TRUE(!tcp(136) && !tcp(140), "range bounds");
	ASSERT_TRUE(udp(1000) && udp(1002) && !tcp(1001), "ufw range udp");
	ASSERT_TRUE(tcp(80) && tcp(443) && !udp(80) && !udp(443),
		    "proto applies to the whole list");
	ASSERT_TRUE(tcp(53) && udp(5353), "list without proto");
	ASSERT_EQ(policy_count_open(&pol, PX_TCP), 1 + 3 + 2 + 2, "tcp count");
}

static void test_later_lines_override(void)
{
	ASSERT_OK(parse("default closed\nopen 1-100\nclose 50-60/tcp\n"
			"open 55/tcp\n"),
		  "parse");
	ASSERT_TRUE(tcp(49) && !tcp(50) && tcp(55) && !tcp(60) && tcp(61),
		    "tcp overrides");
	ASSERT_TRUE(udp(50) && udp(60), "udp untouched");
}

static void test_names_take_table_protocols(void)
{
	ASSERT_OK(parse("default closed\nopen ssh domain netbios-ns "
			"NETBIOS-SSN Http\n"),
		  "parse");
	ASSERT_TRUE(tcp(22) && !udp(22), "ssh tcp only");
	ASSERT_TRUE(tcp(53) && udp(53), "domain both");
	ASSERT_TRUE(udp(137) && !tcp(137), "netbios-ns udp");
	ASSERT_TRUE(tcp(139) && !udp(139), "netbios-ssn, any case");
	ASSERT_TRUE(tcp(80) && !udp(80), "http, any case");
	ASSERT_OK(parse("default closed\nopen ssh/udp domain/tcp\n"),
		  "explicit proto");
	ASSERT_TRUE(udp(22) && !tcp(22), "ssh/udp");
	ASSERT_TRUE(tcp(53) && !udp(53), "domain/tcp");
}

static void test_names_from_services(void)
{
	int ports[2];

	if (!table_services_lookup("submission", ports)) {
		SKIP("/etc/services has no 'submission'");
		return;
	}
	ASSERT_OK(parse("default closed\nopen submission\n"), "parse");
	ASSERT_TRUE(tcp((unsigned int)ports[PX_TCP]), "submission tcp");
	ASSERT_EQ(
		policy_count_open(&pol, PX_TCP) +
			policy_count_open(&pol, PX_UDP),
		__builtin_popcount(table_services_lookup("submission", ports)),
		"only the protocols services lists");
}

static void test_classes(void)
{
	unsigned int lo, hi;

	ASSERT_OK(parse("default closed\nopen well-known/tcp\n"), "wk");
	ASSERT_EQ(policy_count_open(&pol, PX_TCP), 1024, "well-known");
	ASSERT_TRUE(tcp(0) && tcp(1023) && !tcp(1024), "wk bounds");
	ASSERT_OK(parse("default closed\nopen registered\n"), "reg");
	ASSERT_TRUE(udp(1024) && udp(49151) && !udp(49152) && !udp(1023),
		    "registered");
	ASSERT_OK(parse("default closed\nopen dynamic/udp\n"), "dyn");
	ASSERT_TRUE(udp(49152) && udp(65535) && !udp(49151) && !tcp(50000),
		    "dynamic");
	if (policy_ephemeral_range(&lo, &hi)) {
		SKIP("no ip_local_port_range");
		return;
	}
	ASSERT_OK(parse("default closed\nopen ephemeral\n"), "eph");
	ASSERT_EQ(policy_count_open(&pol, PX_TCP), hi - lo + 1, "eph count");
	ASSERT_TRUE(tcp(lo) && tcp(hi) && udp(lo) && udp(hi), "eph bounds");
	if (lo)
		ASSERT_TRUE(!tcp(lo - 1), "below eph");
}

static void test_ping_and_fragments(void)
{
	ASSERT_OK(parse("close ping\n"), "close ping");
	ASSERT_TRUE(!(pol.flags & PX_F_PING_OPEN), "ping closed");
	ASSERT_EQ(policy_count_open(&pol, PX_TCP), 65536, "ports untouched");
	ASSERT_OK(parse("default closed\nopen ping\n"), "open ping");
	ASSERT_TRUE(pol.flags & PX_F_PING_OPEN, "ping open");
	ASSERT_OK(parse("option fragments drop\n"), "frag drop");
	ASSERT_TRUE(pol.flags & PX_F_FRAG_DROP, "drop");
	ASSERT_OK(parse("option fragments pass\n"), "frag pass");
	ASSERT_TRUE(!(pol.flags & PX_F_FRAG_DROP), "pass");
}

static void test_comments_and_whitespace(void)
{
	ASSERT_OK(parse("  default closed   # start\r\n\topen\t22#ssh\n#x\n"),
		  "parse");
	ASSERT_TRUE(tcp(22), "22 before #");
}

/* One bad line; expect its error text, position and hint. */
static void expect_error(const char *text, const char *where, const char *msg,
			 const char *hint)
{
	struct px_policy before;

	ASSERT_EQ(parse(text), -EINVAL, text);
	ASSERT_TRUE(rep.errors >= 1, "counted");
	ASSERT_CONTAINS(msgs, where, text);
	ASSERT_CONTAINS(msgs, msg, text);
	if (hint)
		ASSERT_CONTAINS(msgs, hint, text);
	memset(&before, 0, sizeof(before));
	ASSERT_TRUE(!memcmp(&pol, &before, sizeof(pol)), "out untouched");
}

static void test_errors(void)
{
	expect_error("close 70000\n",
		     "t.policy:1:7: error:", "port 70000 out of range",
		     "hint: ports are 0-65535");
	expect_error("open 22/sctp\n",
		     "t.policy:1:9: error:", "unknown protocol 'sctp'",
		     "expected tcp or udp");
	expect_error("\nopen shh\n",
		     "t.policy:2:6: error:", "unknown port name 'shh'",
		     "did you mean 'ssh'?");
	expect_error("open htps\n", "t.policy:1:6:", "unknown port name",
		     "did you mean 'https'?");
	expect_error("open zzzqqq\n", "t.policy:1:6:", "unknown port name",
		     "a class: well-known");
	expect_error("open 100-50\n", "t.policy:1:6:", "reversed range 100-50",
		     "50-100");
	expect_error("open 1-70000\n", "t.policy:1:8:", "out of range", NULL);
	expect_error("open 137-\n", "t.policy:1:6:", "incomplete range", NULL);
	expect_error("open 22x\n", "t.policy:1:6:", "invalid port '22x'", NULL);
	expect_error("open 80,,443\n", "t.policy:1:9:", "empty item", NULL);
	expect_error("open 80/\n", "t.policy:1:9:", "missing protocol", NULL);
	expect_error("open /tcp\n", "t.policy:1:6:", "missing port", NULL);
	expect_error("open 53/tcp/udp\n", "t.policy:1:6:", "one protocol",
		     NULL);
	expect_error("open ping/tcp\n",
		     "t.policy:1:11:", "ping takes no protocol", NULL);
	expect_error("open 22/icmp\n", "t.policy:1:9:", "unknown protocol",
		     "'ping'");
	expect_error("open\n", "t.policy:1:5:", "needs at least one port",
		     NULL);
	expect_error("opne 22\n", "t.policy:1:1:", "unknown keyword 'opne'",
		     "did you mean 'open'?");
	expect_error("22\n", "t.policy:1:1:", "unknown keyword", "open 22");
	expect_error("open 22\ndefault closed\n",
		     "t.policy:2:1:", "'default' must come first", NULL);
	expect_error("option fragments drop\ndefault open\n",
		     "t.policy:2:1:", "must come first", NULL);
	expect_error("default open\ndefault closed\n",
		     "t.policy:2:1:", "given twice", NULL);
	expect_error("default\n", "t.policy:1:8:", "needs open or closed",
		     NULL);
	expect_error("default close\n",
		     "t.policy:1:9:", "expected open or closed",
		     "default closed");
	expect_error("default closed now\n",
		     "t.policy:1:16:", "unexpected 'now'", NULL);
	expect_error("option frags drop\n",
		     "t.policy:1:8:", "unknown option 'frags'", NULL);
	expect_error("option fragments\n",
		     "t.policy:1:17:", "needs pass or drop", NULL);
	expect_error("option fragments maybe\n",
		     "t.policy:1:18:", "expected pass or drop", NULL);
	expect_error("default open\nopen 22\n  option fragments drop\n"
		     "option fragments pass\n",
		     "t.policy:4:1: error:",
		     "'option fragments' given twice (first on line 3)",
		     "keep one 'option fragments' line");
	expect_error("default closed\noption replies on 4096\nopen 22\n"
		     "\toption replies off\n",
		     "t.policy:4:2: error:",
		     "'option replies' given twice (first on line 2)",
		     "keep one 'option replies' line");
	expect_error("default closed\noption REPLIES on\noption replies on\n",
		     "t.policy:3:1:", "given twice (first on line 2)", NULL);
}

static void test_errors_all_reported(void)
{
	ASSERT_EQ(parse("close 70000\nopen 22/sctp\nopen 22\n"), -EINVAL,
		  "parse");
	ASSERT_EQ(rep.errors, 2, "both errors");
	ASSERT_CONTAINS(msgs, "t.policy:1:7:", "first");
	ASSERT_CONTAINS(msgs, "t.policy:2:9:", "second");
}

static void test_error_flood_stops(void)
{
	char *text = malloc(100 * 8 + 1);

	text[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(text, "bogus 1\n");
	ASSERT_EQ(parse(text), -EINVAL, "parse");
	ASSERT_CONTAINS(msgs, "too many errors", "stops");
	free(text);
}

/* A warning on a line commented `# intended` is meant: counted apart, not
 * printed, so `check --strict` passes; other warnings stay. */
static void test_intended_warnings(void)
{
	ASSERT_OK(parse("default open\noption fragments drop # intended\n"),
		  "parse");
	ASSERT_EQ(rep.warnings, 0, "no warning");
	ASSERT_EQ(rep.intended, 1, "one intended");
	ASSERT_TRUE(!strstr(msgs, "warning"), "not printed");
	ASSERT_OK(parse("default open\noption fragments drop # intendedly\n"),
		  "parse");
	ASSERT_EQ(rep.warnings, 1, "another word is no mark");
	ASSERT_OK(parse("default open # intended\noption fragments drop\n"),
		  "parse");
	ASSERT_EQ(rep.warnings, 1, "the mark holds for its own line only");
}

static void test_warn_ftp(void)
{
	ASSERT_OK(parse("close 21\n"), "parse");
	ASSERT_CONTAINS(msgs,
			"t.policy:1:7: warning: ftp-data (20/tcp) is "
			"open but ftp (21/tcp) is closed",
			"20 without 21");
	ASSERT_EQ(rep.errors, 0, "no errors");
	ASSERT_CONTAINS(msgs, "no FTP server can be reached", "why");
	/* A server needs 21 and its passive range; inbound 20 is not it. */
	ASSERT_OK(parse("default closed\nopen ephemeral bootpc\nopen ftp\n"),
		  "parse");
	ASSERT_EQ(rep.warnings, 0, "21 without 20 is a working server");
	ASSERT_OK(parse("close 20,21/tcp\n"), "both closed");
	ASSERT_EQ(rep.warnings, 0, "no ftp warning");
}

static void test_warn_ephemeral(void)
{
	unsigned int lo, hi;

	if (policy_ephemeral_range(&lo, &hi)) {
		SKIP("no ip_local_port_range");
		return;
	}
	ASSERT_OK(parse("default closed\nopen bootpc\n"), "parse");
	ASSERT_CONTAINS(msgs, "t.policy:1:1: warning: the ephemeral range",
			"warned at the default line");
	ASSERT_CONTAINS(msgs, "DNS lookups and package updates will fail",
			"why");
	ASSERT_CONTAINS(msgs, "option replies on", "hint");
	ASSERT_CONTAINS(msgs, "open ephemeral", "hint");
	ASSERT_EQ(rep.warnings, 1, "one warning");
	ASSERT_OK(parse("default closed\nopen bootpc ephemeral/tcp\n"),
		  "tcp only");
	ASSERT_CONTAINS(msgs, "closed for udp", "udp named");
	ASSERT_OK(parse("default closed\nopen bootpc ephemeral\n"), "open");
	ASSERT_EQ(rep.warnings, 0, "no warning");
	ASSERT_OK(parse("default closed\nopen bootpc\noption replies on\n"),
		  "replies");
	ASSERT_EQ(rep.warnings, 0, "replies instead of the range: no warning");
	ASSERT_OK(parse("default closed\nopen bootpc\noption replies off\n"),
		  "replies off");
	ASSERT_EQ(rep.warnings, 1, "replies off: the warning");
}

/* option replies: on/off, the size and the idle times, their defaults and
 * their bounds (doc/design.md, section 9). */
static void test_option_replies(void)
{
	ASSERT_OK(parse("default closed\n"), "no option");
	ASSERT_TRUE(!(pol.flags & PX_F_REPLIES), "off by default");
	ASSERT_OK(parse("default closed\noption replies on\n"), "on");
	ASSERT_TRUE(pol.flags & PX_F_REPLIES, "flag set");
	ASSERT_EQ(pol.reply_size, 65536, "default size");
	ASSERT_EQ(pol.reply_idle_ns[PX_TCP], 300000000000ULL, "tcp 300 s");
	ASSERT_EQ(pol.reply_idle_ns[PX_UDP], 60000000000ULL, "udp 60 s");
	ASSERT_OK(parse("default closed\noption replies on udp-idle 2 4096 "
			"tcp-idle 3\n"),
		  "all of it");
	ASSERT_EQ(pol.reply_size, 4096, "size");
	ASSERT_EQ(pol.reply_idle_ns[PX_TCP], 3000000000ULL, "tcp 3 s");
	ASSERT_EQ(pol.reply_idle_ns[PX_UDP], 2000000000ULL, "udp 2 s");
	ASSERT_OK(parse("default closed\noption replies off\n"), "off");
	ASSERT_TRUE(!(pol.flags & PX_F_REPLIES), "flag clear");
	ASSERT_OK(parse("default closed\noption replies on tcp-idle 1d "
			"udp-idle 1h30m\n"),
		  "idle times as durations");
	ASSERT_EQ(pol.reply_idle_ns[PX_TCP], 86400000000000ULL, "tcp 1d");
	ASSERT_EQ(pol.reply_idle_ns[PX_UDP], 5400000000000ULL, "udp 1h30m");
	ASSERT_OK(parse("default closed\noption replies on udp-idle 2m30s\n"),
		  "udp 2m30s");
	ASSERT_EQ(pol.reply_idle_ns[PX_UDP], 150000000000ULL, "150 s");
	ASSERT_EQ(parse("default closed\noption replies\n"), -EINVAL,
		  "needs on or off");
	ASSERT_CONTAINS(msgs, "t.policy:2:15: error: 'option replies' needs on",
			"message");
	ASSERT_EQ(parse("default closed\noption replies on 15\n"), -EINVAL,
		  "size below 16");
	ASSERT_CONTAINS(msgs, "flow table size '15' is not from 16", "message");
	ASSERT_EQ(parse("default closed\noption replies on 16777217\n"),
		  -EINVAL, "size above 2^24");
	ASSERT_EQ(parse("default closed\noption replies on tcp-idle 0\n"),
		  -EINVAL, "idle 0");
	ASSERT_EQ(parse("default closed\noption replies on udp-idle 1d1s\n"),
		  -EINVAL, "idle over a day");
	ASSERT_CONTAINS(msgs,
			"t.policy:2:28: error: idle time '1d1s' is out "
			"of range",
			"message");
	ASSERT_CONTAINS(msgs,
			"combined larger first (1h30m), or plain "
			"seconds, from 1s to 1d",
			"hint names the forms");
	ASSERT_EQ(parse("default closed\noption replies on tcp-idle 5min\n"),
		  -EINVAL, "5min");
	ASSERT_CONTAINS(msgs, "idle time '5min' is not a duration", "message");
	ASSERT_EQ(parse("default closed\noption replies on tcp-idle 9 "
			"tcp-idle 10\n"),
		  -EINVAL, "tcp-idle twice on a line");
	ASSERT_CONTAINS(msgs,
			"t.policy:2:30: error: tcp-idle given twice in "
			"'option replies' (first at column 19)",
			"message");
	ASSERT_EQ(parse("default closed\noption replies on 4096 8192\n"),
		  -EINVAL, "two sizes");
	ASSERT_CONTAINS(msgs, "SIZE given twice", "message");
	ASSERT_EQ(parse("default closed\noption replies off 5\n"), -EINVAL,
		  "off takes nothing");
	ASSERT_EQ(parse("default closed\noption replies yes\n"), -EINVAL,
		  "yes");
	ASSERT_CONTAINS(msgs, "expected on or off, not 'yes'", "message");
}

static void test_warn_ssh(void)
{
	setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22", 1);
	ASSERT_OK(parse("\nclose ssh\n"), "parse");
	ASSERT_TRUE(rep.cuts_ssh, "cuts_ssh");
	ASSERT_CONTAINS(msgs, "t.policy:2:7: warning: ssh (22/tcp) is closed",
			"warning");
	ASSERT_CONTAINS(msgs, "--force", "hint names --force");
	ASSERT_OK(parse("close 22/udp\n"), "udp only");
	ASSERT_TRUE(!rep.cuts_ssh, "22/udp is not ssh");
	/* The session's own port, when sshd listens elsewhere. */
	setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 2222", 1);
	ASSERT_OK(parse("default closed\nopen ssh ephemeral bootpc\n"), "2222");
	ASSERT_TRUE(rep.cuts_ssh, "2222 closed");
	ASSERT_CONTAINS(msgs, "ssh (2222/tcp)", "port named");
	unsetenv("SSH_CONNECTION");
	ASSERT_OK(parse("close ssh\n"), "not over ssh");
	ASSERT_TRUE(!rep.cuts_ssh, "no ssh session");
	ASSERT_EQ(rep.warnings, 0, "no warning");
}

static void test_warn_bootpc(void)
{
	ASSERT_OK(parse("close bootpc\n"), "parse");
	ASSERT_CONTAINS(msgs,
			"t.policy:1:7: warning: bootpc (68/udp) is "
			"closed",
			"warning");
	ASSERT_CONTAINS(msgs, "DHCP lease", "why");
	ASSERT_OK(parse("close 68/tcp\n"), "tcp");
	ASSERT_EQ(rep.warnings, 0, "68/tcp is not bootpc");
}

static void test_warn_port0(void)
{
	ASSERT_OK(parse("close 0\n"), "parse");
	ASSERT_CONTAINS(msgs, "t.policy:1:7: warning: port 0", "warning");
}

static void test_load_prints_no_warnings(void)
{
	FILE *f = fmemopen(msgs, MSGS_LEN, "w");

	memset(msgs, 0, MSGS_LEN);
	ASSERT_OK(policy_load_text("t", "close bootpc\n", &pol, &rep, f),
		  "load");
	fclose(f);
	ASSERT_EQ(rep.warnings, 1, "counted");
	ASSERT_STREQ(msgs, "", "not printed");
}

static void test_file_errors(void)
{
	FILE *f = fmemopen(msgs, MSGS_LEN, "w");

	memset(msgs, 0, MSGS_LEN);
	ASSERT_EQ(policy_load_file("/nonexistent/x.policy", &pol, &rep, f),
		  -ENOENT, "missing file");
	fclose(f);
	ASSERT_CONTAINS(msgs, "/nonexistent/x.policy", "names the file");
}

static void test_apply_specs(void)
{
	struct px_policy p;
	char *ok[] = {"22/tcp", "ping"};
	char *bad[] = {"80", "22/sctp"};
	FILE *f;

	policy_init(&p);
	ASSERT_OK(policy_apply_specs(&p, false, 2, ok, &rep, NULL), "close");
	ASSERT_TRUE(!policy_port_open(&p, PX_TCP, 22), "22 closed");
	ASSERT_TRUE(policy_port_open(&p, PX_UDP, 22), "22/udp open");
	ASSERT_TRUE(!(p.flags & PX_F_PING_OPEN), "ping closed");

	f = fmemopen(msgs, MSGS_LEN, "w");
	memset(msgs, 0, MSGS_LEN);
	ASSERT_EQ(policy_apply_specs(&p, false, 2, bad, &rep, f), -EINVAL,
		  "bad");
	fclose(f);
	ASSERT_TRUE(policy_port_open(&p, PX_TCP, 80), "unchanged on error");
	ASSERT_CONTAINS(msgs, "argument 2", "names the argument");
	ASSERT_CONTAINS(msgs, "unknown protocol 'sctp'", "message");
	{
		char *spaced[] = {"22", "80 443"};

		f = fmemopen(msgs, MSGS_LEN, "w");
		memset(msgs, 0, MSGS_LEN);
		ASSERT_EQ(policy_apply_specs(&p, true, 2, spaced, &rep, f),
			  -EINVAL, "a space inside an argument");
		fclose(f);
		ASSERT_CONTAINS(msgs,
				"argument 2 ('80 443'): a SPEC holds no white "
				"space",
				"message");
		ASSERT_CONTAINS(msgs, "'open eth0 80 443'", "hint");
	}

	setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22", 1);
	policy_init(&p);
	ASSERT_OK(policy_apply_specs(&p, false, 1, ok, &rep, NULL), "close");
	ASSERT_TRUE(rep.cuts_ssh, "cuts ssh");
	unsetenv("SSH_CONNECTION");
}

static void test_diff(void)
{
	struct px_policy a, b;
	struct policy_range r[8];
	int n;

	policy_init(&a);
	policy_init(&b);
	ASSERT_EQ(policy_diff(&a, &b, r, 8), 0, "same");
	policy_set_port(&b, PX_UDP, 137, false);
	policy_set_port(&b, PX_UDP, 138, false);
	policy_set_port(&b, PX_TCP, 23, false);
	policy_set_port(&a, PX_TCP, 80, false);
	policy_set_port(&a, PX_TCP, 65535, false);
	n = policy_diff(&a, &b, r, 8);
	ASSERT_EQ(n, 4, "four ranges");
	ASSERT_TRUE(r[0].proto == PX_TCP && r[0].lo == 23 && r[0].hi == 23 &&
			    !r[0].open,
		    "close 23/tcp");
	ASSERT_TRUE(r[1].proto == PX_TCP && r[1].lo == 80 && r[1].open,
		    "open 80/tcp");
	ASSERT_TRUE(r[2].lo == 65535 && r[2].hi == 65535 && r[2].open,
		    "open 65535/tcp, the last port");
	ASSERT_TRUE(r[3].proto == PX_UDP && r[3].lo == 137 && r[3].hi == 138 &&
			    !r[3].open,
		    "close 137-138/udp");
	ASSERT_EQ(policy_diff(&a, &b, NULL, 0), 4, "count only");
	ASSERT_EQ(policy_diff(&a, &b, r, 1), 4, "truncated count");

	/* whole protocols at once */
	memset(a.open, 0, sizeof(a.open));
	policy_init(&b);
	n = policy_diff(&a, &b, r, 8);
	ASSERT_EQ(n, 2, "one range per protocol");
	ASSERT_TRUE(r[0].lo == 0 && r[0].hi == 65535 && r[0].open &&
			    r[1].proto == PX_UDP && r[1].hi == 65535,
		    "0-65535 both");
	policy_set_port(&b, PX_TCP, 64, false);
	n = policy_diff(&a, &b, r, 8);
	ASSERT_TRUE(n == 3 && r[0].hi == 63 && r[1].lo == 65 &&
			    r[1].hi == 65535,
		    "split at a word boundary");

	/* adjacent opens and closes are separate ranges */
	policy_init(&a);
	policy_init(&b);
	policy_set_port(&a, PX_TCP, 10, false);
	policy_set_port(&b, PX_TCP, 11, false);
	n = policy_diff(&a, &b, r, 8);
	ASSERT_EQ(n, 2, "two ranges");
	ASSERT_TRUE(r[0].lo == 10 && r[0].open && r[1].lo == 11 && !r[1].open,
		    "split by state");
}

static void test_ranges(void)
{
	struct policy_range r[4];

	ASSERT_OK(parse("default closed\nopen 22 80-90/tcp\n"), "parse");
	ASSERT_EQ(policy_ranges(&pol, PX_TCP, true, r, 4), 2, "two");
	ASSERT_TRUE(r[0].lo == 22 && r[0].hi == 22 && r[1].lo == 80 &&
			    r[1].hi == 90,
		    "ranges");
	ASSERT_EQ(policy_ranges(&pol, PX_UDP, false, r, 4), 2, "udp closed");
}

static void test_shipped_policies(void)
{
	const char *files[] = {"default", "web-server", "mail-server",
			       "database", "lockdown"};
	char dir[4096], path[4200];

	if (!ASSERT_OK(px_datadir(dir, sizeof(dir)), "datadir"))
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fmemopen(msgs, MSGS_LEN, "w");

		snprintf(path, sizeof(path), "%s/%s.policy", dir, files[i]);
		memset(msgs, 0, MSGS_LEN);
		ASSERT_OK(policy_check_file(path, &pol, &rep, f), path);
		fclose(f);
		ASSERT_EQ(rep.errors, 0, path);
		if (rep.errors)
			printf("  %s\n", msgs);
	}
}

static void test_default_policy_contents(void)
{
	char path[4200];

	if (!ASSERT_OK(px_default_policy(path, sizeof(path)), "found"))
		return;
	ASSERT_OK(policy_load_file(path, &pol, &rep, NULL), "load");
	ASSERT_TRUE(tcp(22) && tcp(80) && udp(5000), "open by default");
	ASSERT_TRUE(!udp(67) && !udp(137) && !udp(138) && !tcp(139) &&
			    !tcp(445) && !tcp(111) && !udp(111),
		    "LAN-only closed");
	ASSERT_TRUE(udp(68), "DHCP client open");
	ASSERT_TRUE(pol.flags & PX_F_PING_OPEN, "ping open");
}

/* A password file or key is refused whole: not one byte of it quoted. */
static void test_not_a_policy(void)
{
	ASSERT_EQ(parse("root:$y$j9T$Sekr1tHash0:19000:0:99999:7:::\n"
			"daemon:*:19000:0:99999:7:::\n"
			"alice:$6$Sekr1tSalt$Sekr1tHash1:19001:0:99999:7:::\n"),
		  -EINVAL, "shadow-like");
	ASSERT_CONTAINS(msgs, "t.policy: error: this is not a policy file",
			"said what it is");
	ASSERT_CONTAINS(msgs, "3 of 3 lines", "counts");
	ASSERT_TRUE(!strstr(msgs, "Sekr1t") && !strstr(msgs, "root") &&
			    !strstr(msgs, "alice"),
		    "nothing quoted");
	ASSERT_EQ(rep.errors, 1, "one error");
	ASSERT_EQ(parse("-----BEGIN OPENSSH PRIVATE KEY-----\n"
			"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAA"
			"AA\n"
			"-----END OPENSSH PRIVATE KEY-----\n"),
		  -EINVAL, "key");
	ASSERT_TRUE(!strstr(msgs, "b3Bl"), "key not quoted");
	/* One bad line among good ones is a typo, quoted as a token. */
	ASSERT_EQ(parse("default closed\nopen ssh\nopen x:y\n"), -EINVAL,
		  "typo");
	ASSERT_CONTAINS(msgs, "t.policy:3:6: error: invalid port 'x:y'",
			"token quoted");
}

/* Quoted tokens are bounded and escaped. */
static void test_tokens_bounded_escaped(void)
{
	char long_name[200];

	ASSERT_EQ(parse("open ab\x1b[2Jcd\n"), -EINVAL, "escape");
	ASSERT_CONTAINS(msgs, "'ab\\x1b[2Jcd'", "ESC shown as \\x1b");
	ASSERT_TRUE(!strchr(msgs, 0x1b), "no raw ESC");
	ASSERT_EQ(parse("open caf\xc3\xa9,x\xff\n"), -EINVAL, "utf-8");
	ASSERT_CONTAINS(msgs, "'caf\xc3\xa9'", "valid UTF-8 kept");
	ASSERT_CONTAINS(msgs, "'x\\xff'", "invalid byte escaped");
	memset(long_name, 'q', sizeof(long_name));
	memcpy(long_name, "open ", 5);
	long_name[sizeof(long_name) - 2] = '\n';
	long_name[sizeof(long_name) - 1] = '\0';
	ASSERT_EQ(parse(long_name), -EINVAL, "long");
	ASSERT_CONTAINS(msgs, "'qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq...'",
			"40 bytes, then ...");
}

/* Other firewalls' words get ours as the hint. */
static void test_hints_neighbours(void)
{
	static const char *const words[][2] = {
		{"allow 22/tcp\n", "'open'"},
		{"deny 23\n", "'close'"},
		{"reject 23\n", "'close'"},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		ASSERT_EQ(parse(words[i][0]), -EINVAL, words[i][0]);
		ASSERT_CONTAINS(msgs, "t.policy:1:1: error: unknown keyword",
				words[i][0]);
		ASSERT_CONTAINS(msgs, words[i][1], words[i][0]);
	}
	ASSERT_EQ(parse("open 80/tcp,443/tcp\n"), -EINVAL, "per item");
	ASSERT_CONTAINS(msgs, "t.policy:1:6: error: only one protocol per SPEC",
			"error");
	ASSERT_CONTAINS(msgs, "write '80,443/tcp'", "hint");
	ASSERT_EQ(parse("open 80/tcp,53/udp\n"), -EINVAL, "mixed");
	ASSERT_CONTAINS(msgs, "one SPEC per protocol", "mixed hint");
}

static void test_warn_fragments_and_names(void)
{
	ASSERT_OK(parse("default open\noption fragments drop\n"), "parse");
	ASSERT_CONTAINS(msgs, "t.policy:2:1: warning: 'option fragments drop'",
			"warned at the line");
	ASSERT_CONTAINS(msgs, "EDNS", "names what breaks");
	ASSERT_EQ(rep.warnings, 1, "one");
	ASSERT_OK(parse("default open\nopen ssh/udp\n"), "ssh/udp");
	ASSERT_CONTAINS(msgs, "t.policy:2:6: warning: 'ssh' is a tcp service",
			"tcp-only name");
	ASSERT_CONTAINS(msgs, "'ssh/udp' opens or closes a udp port", "why");
	ASSERT_OK(parse("default open\nclose bootpc/tcp\n"), "bootpc/tcp");
	ASSERT_CONTAINS(msgs, "'bootpc' is a udp service", "udp-only name");
	ASSERT_OK(parse("default open\nopen domain/udp ssh/tcp\n"), "fine");
	ASSERT_EQ(rep.warnings, 0, "names with their own protocol");
}

/* Every warning names its line, whole-policy ones included. */
static void test_every_warning_has_a_line(void)
{
	char *line, *save = NULL;

	setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22", 1);
	ASSERT_OK(parse("default open\nclose 40000-40010 bootpc\nclose 21\n"
			"close ssh 0\noption fragments drop\nopen ntp/tcp\n"),
		  "parse");
	unsetenv("SSH_CONNECTION");
	ASSERT_TRUE(rep.warnings >= 5, "warnings");
	for (line = strtok_r(msgs, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int l, c;

		if (!strstr(line, "warning:"))
			continue;
		ASSERT_EQ(sscanf(line, "t.policy:%u:%u: warning:", &l, &c), 2,
			  line);
	}
}

/* After 20 errors the rest are counted, so the summary can say so. */
static void test_error_counts(void)
{
	char *text = malloc(30 * 8 + 1);

	text[0] = '\0';
	for (int i = 0; i < 30; i++)
		strcat(text, "bogus 1\n");
	ASSERT_EQ(parse(text), -EINVAL, "parse");
	ASSERT_EQ(rep.errors, 30, "all counted");
	ASSERT_EQ(rep.shown_errors, 20, "20 shown");
	ASSERT_CONTAINS(msgs, "the first 20 are shown", "said");
	free(text);
}

static void test_ssh_session(void)
{
	struct px_policy live, next;

	unsetenv("SSH_CONNECTION");
	ASSERT_EQ(policy_ssh_port(), 0, "not over ssh");
	setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 2222", 1);
	ASSERT_EQ(policy_ssh_port(), 2222, "server port");
	policy_init(&live);
	policy_init(&next);
	policy_set_port(&next, PX_TCP, 22, false);
	ASSERT_TRUE(!policy_cuts_session(&live, NULL, &next, NULL),
		    "22 is not it");
	policy_set_port(&next, PX_TCP, 2222, false);
	ASSERT_TRUE(policy_cuts_session(&live, NULL, &next, NULL), "2222 is");
	ASSERT_TRUE(policy_cuts_session(NULL, NULL, &next, NULL),
		    "before attach");
	policy_set_port(&live, PX_TCP, 2222, false);
	ASSERT_TRUE(!policy_cuts_session(&live, NULL, &next, NULL),
		    "already closed");
	setenv("SSH_CONNECTION", "garbage", 1);
	ASSERT_EQ(policy_ssh_port(), 22, "unreadable: 22");
	setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 70000", 1);
	ASSERT_EQ(policy_ssh_port(), 22, "out of range: 22");
	unsetenv("SSH_CONNECTION");
}

/* Files: BOM accepted, a directory and a FIFO refused at once. */
static void test_policy_files(void)
{
	char dir[] = "/tmp/pxpolXXXXXX", path[64];
	FILE *f;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/bom.policy", dir);
	f = fopen(path, "w");
	fputs("\xef\xbb\xbf"
	      "default closed\nopen ssh\n",
	      f);
	fclose(f);
	ASSERT_OK(policy_load_file(path, &pol, &rep, NULL), "BOM accepted");
	ASSERT_TRUE(tcp(22) && !tcp(80), "parsed");
	unlink(path);

	f = fmemopen(msgs, MSGS_LEN, "w");
	memset(msgs, 0, MSGS_LEN);
	ASSERT_EQ(policy_load_file(dir, &pol, &rep, f), -EISDIR, "directory");
	fclose(f);
	ASSERT_CONTAINS(msgs, "it is a directory, not a text file", "said");
	ASSERT_CONTAINS(msgs, "name a file inside it", "fix");

	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_OK(mkfifo(path, 0600), "mkfifo");
	f = fmemopen(msgs, MSGS_LEN, "w");
	memset(msgs, 0, MSGS_LEN);
	ASSERT_EQ(policy_check_file(path, &pol, &rep, f), -ENOTSUP, "fifo");
	fclose(f);
	ASSERT_CONTAINS(msgs, "it is a FIFO", "said");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	msgs = calloc(1, MSGS_LEN);
	if (!msgs)
		return 1;
	setenv("PORTXDP_DATADIR", "policies", 0);
	unsetenv("SSH_CONNECTION");
	RUN(test_empty_is_refused);
	RUN(test_default_open_alone);
	RUN(test_default_closed_closes_ping);
	RUN(test_numbers_ranges_lists);
	RUN(test_later_lines_override);
	RUN(test_names_take_table_protocols);
	RUN(test_names_from_services);
	RUN(test_classes);
	RUN(test_ping_and_fragments);
	RUN(test_comments_and_whitespace);
	RUN(test_errors);
	RUN(test_errors_all_reported);
	RUN(test_error_flood_stops);
	RUN(test_intended_warnings);
	RUN(test_warn_ftp);
	RUN(test_warn_ephemeral);
	RUN(test_warn_ssh);
	RUN(test_warn_bootpc);
	RUN(test_warn_port0);
	RUN(test_load_prints_no_warnings);
	RUN(test_file_errors);
	RUN(test_apply_specs);
	RUN(test_diff);
	RUN(test_ranges);
	RUN(test_shipped_policies);
	RUN(test_default_policy_contents);
	RUN(test_not_a_policy);
	RUN(test_tokens_bounded_escaped);
	RUN(test_hints_neighbours);
	RUN(test_warn_fragments_and_names);
	RUN(test_option_replies);
	RUN(test_every_warning_has_a_line);
	RUN(test_error_counts);
	RUN(test_ssh_session);
	RUN(test_policy_files);
	free(msgs);
	return check_exit();
}
