// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the port table (user/table.c): the shipped ports.table holds
 * every row of doc/design.md section 4, the row format's errors name their
 * line, names resolve case-insensitively, /etc/services fills in the rest, and
 * the data folder is found. Run from the repository root.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "check.h"
#include "portxdp.h"
#include "table.h"

#define MSGS_LEN 4096
static char *msgs; /* heap: see test_policy.c */

#define T (1U << PX_TCP)
#define U (1U << PX_UDP)
#define I (1U << PX_PROTO_ICMP)

static void test_spec_rows(void)
{
	static const struct {
		unsigned int port;
		unsigned int protos;
		const char *name;
	} rows[] = {
		{0, I, "ping"},		 {20, T, "ftp-data"},
		{21, T, "ftp"},		 {22, T, "ssh"},
		{23, T, "telnet"},	 {25, T, "smtp"},
		{53, T | U, "domain"},	 {67, U, "bootps"},
		{68, U, "bootpc"},	 {80, T, "http"},
		{110, T, "pop3"},	 {111, T | U, "sunrpc"},
		{137, U, "netbios-ns"},	 {138, U, "netbios-dgm"},
		{139, T, "netbios-ssn"}, {143, T, "imap"},
		{443, T, "https"},	 {445, T, "microsoft-ds"},
		{1521, T, "oracle"},	 {1863, T, "msnp"},
		{5432, T, "postgresql"}, {8080, T, "http-alt"},
	};

	table_unload();
	if (!ASSERT_OK(table_load(), "load"))
		return;
	ASSERT_EQ(table_count(), sizeof(rows) / sizeof(rows[0]), "row count");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct table_entry *e = table_find_name(rows[i].name);

		if (!ASSERT_TRUE(e != NULL, rows[i].name))
			continue;
		ASSERT_EQ(e->port_lo, rows[i].port, rows[i].name);
		ASSERT_EQ(e->port_hi, rows[i].port, rows[i].name);
		ASSERT_EQ(e->protos, rows[i].protos, rows[i].name);
		ASSERT_TRUE(e->advice[0] && e->description[0], rows[i].name);
	}
	ASSERT_CONTAINS(table_find_name("bootps")->advice, "LAN only",
			"advice");
	/* SMB without NetBIOS is as LAN-only as 137-139. */
	ASSERT_CONTAINS(table_find_name("microsoft-ds")->advice, "LAN only",
			"445 advice");
	/* A server needs 21 and its passive range, not inbound 20. */
	ASSERT_CONTAINS(table_find_name("ftp")->advice, "passive range",
			"ftp advice");
	ASSERT_CONTAINS(table_find_name("ftp-data")->advice,
			"Not needed for an FTP server", "ftp-data advice");
}

/* The first /etc/services name a process asks for is a name, not NULL. */
static void test_first_service_name(void)
{
	int ports[2];

	if (!table_services_lookup("mysql", ports) ||
	    !table_services_lookup("ipp", ports)) {
		SKIP("/etc/services lacks mysql or ipp");
		return;
	}
	table_unload(); /* forgets /etc/services too: a fresh process */
	ASSERT_STREQ(table_port_name(PX_TCP, 3306), "mysql", "first 3306");
	ASSERT_STREQ(table_port_name(PX_TCP, 631), "ipp", "then 631");
	table_unload();
	ASSERT_STREQ(table_port_name(PX_TCP, 631), "ipp", "first 631");
	ASSERT_STREQ(table_port_name(PX_TCP, 3306), "mysql", "then 3306");
}

static void test_lookup(void)
{
	ASSERT_TRUE(table_find_name("SSH") != NULL, "case-insensitive");
	ASSERT_TRUE(table_find_name("nosuch") == NULL, "unknown");
	ASSERT_STREQ(table_port_name(PX_TCP, 22), "ssh", "22/tcp");
	ASSERT_STREQ(table_port_name(PX_UDP, 137), "netbios-ns", "137/udp");
	ASSERT_STREQ(table_port_name(PX_PROTO_ICMP, 0), "ping", "ping");
	ASSERT_TRUE(table_port_name(PX_TCP, 0) == NULL, "0/tcp has no name");
	ASSERT_TRUE(table_port_name(PX_UDP, 22) == NULL ||
			    strcmp(table_port_name(PX_UDP, 22), "ssh"),
		    "ssh is tcp only in the table");
}

static void test_services(void)
{
	int ports[2];
	unsigned int found = table_services_lookup("submission", ports);

	if (!found) {
		SKIP("/etc/services lacks submission");
		return;
	}
	ASSERT_TRUE(found & T, "tcp");
	ASSERT_EQ(ports[PX_TCP], 587, "port");
	ASSERT_STREQ(table_port_name(PX_TCP, 587), "submission", "by port");
	ASSERT_EQ(table_services_lookup("SUBMISSION", ports), found, "case");
	ASSERT_EQ(table_services_lookup("no-such-service-x", ports), 0,
		  "unknown");
}

static void test_suggest(void)
{
	static const char *const extra[] = {"ephemeral", NULL};

	ASSERT_STREQ(table_suggest("shh", NULL), "ssh", "shh");
	ASSERT_STREQ(table_suggest("postgres", NULL), "postgresql", "prefix");
	ASSERT_STREQ(table_suggest("ephemral", extra), "ephemeral", "extra");
	ASSERT_TRUE(table_suggest("qqqqqqqqq", NULL) == NULL, "far");
}

static void test_range_names(void)
{
	char buf[128];

	ASSERT_EQ(table_range_names(PX_UDP, 137, 138, buf, sizeof(buf), 4), 2,
		  "two");
	ASSERT_STREQ(buf, "netbios-ns, netbios-dgm", "names");
	ASSERT_EQ(table_range_names(PX_TCP, 20, 23, buf, sizeof(buf), 2), 2,
		  "capped");
	ASSERT_STREQ(buf, "ftp-data, ftp, ...", "ellipsis");
	ASSERT_EQ(table_range_names(PX_TCP, 0, 0, buf, sizeof(buf), 4), 0,
		  "none");
	ASSERT_STREQ(buf, "", "empty");
}

static int load_text(const char *text)
{
	FILE *f = fmemopen(msgs, MSGS_LEN, "w");
	int err;

	memset(msgs, 0, MSGS_LEN);
	err = table_load_text("x.table", text, f);
	fclose(f);
	return err;
}

static void test_format(void)
{
	ASSERT_OK(load_text("# c\n\n22 tcp ssh Advice # kept | Desc\n"
			    "137-139 tcp,UDP smb Share.\n"),
		  "valid");
	ASSERT_EQ(table_count(), 2, "two rows");
	ASSERT_STREQ(table_entry_at(0)->advice, "Advice # kept", "advice");
	ASSERT_STREQ(table_entry_at(0)->description, "Desc", "description");
	ASSERT_EQ(table_entry_at(1)->port_hi, 139, "range");
	ASSERT_EQ(table_entry_at(1)->protos, T | U, "protos");

	ASSERT_EQ(load_text("22 tcp ssh ok\n70000 tcp big x\n"), -EINVAL,
		  "port");
	ASSERT_CONTAINS(msgs, "x.table:2: error: bad port", "line named");
	ASSERT_EQ(table_count(), 2, "old table kept on error");
	ASSERT_EQ(load_text("22 sctp ssh ok\n"), -EINVAL, "proto");
	ASSERT_CONTAINS(msgs, "x.table:1: error: bad protocol", "proto");
	ASSERT_EQ(load_text("22 tcp\n"), -EINVAL, "short");
	ASSERT_CONTAINS(msgs, "expected PORT PROTO NAME", "short");
	ASSERT_EQ(load_text("22 tcp a x\n23 tcp A y\n"), -EINVAL, "dup");
	ASSERT_CONTAINS(msgs, "x.table:2: error: duplicate name", "dup");
	ASSERT_EQ(load_text("9-8 tcp a x\n"), -EINVAL, "reversed");
	ASSERT_EQ(load_text("8 tcp 9a x\n"), -EINVAL, "digit name");
	table_unload();
}

static void test_datadir(void)
{
	/* Small on purpose: check.h's snprintf warns about bigger arrays. */
	char buf[200], old[200];
	const char *env = getenv("PORTXDP_DATADIR");

	snprintf(old, sizeof(old), "%s", env ? env : "");
	ASSERT_OK(px_datadir(buf, sizeof(buf)), "found");
	ASSERT_STREQ(buf, old, "from PORTXDP_DATADIR");
	ASSERT_OK(px_default_policy(buf, sizeof(buf)), "default");
	ASSERT_CONTAINS(buf, "/default.policy", "path");
	setenv("PORTXDP_DATADIR", "/nonexistent", 1);
	ASSERT_EQ(px_datadir(buf, sizeof(buf)), -ENOENT, "wrong dir");
	setenv("PORTXDP_DATADIR", old, 1);
}

int main(void)
{
	msgs = calloc(1, MSGS_LEN);
	if (!msgs)
		return 1;
	setenv("PORTXDP_DATADIR", "policies", 0);
	RUN(test_spec_rows);
	RUN(test_lookup);
	RUN(test_first_service_name);
	RUN(test_services);
	RUN(test_suggest);
	RUN(test_range_names);
	RUN(test_format);
	RUN(test_datadir);
	free(msgs);
	return check_exit();
}
