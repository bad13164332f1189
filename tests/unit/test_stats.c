// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of user/stats.c: which ports become rows, their order, rates
 * from two readings, and the exact table, JSON (doc/design.md, section 6) and
 * Prometheus text that `portxdp stats` prints, the latter checked by the
 * strict parser the e2e test uses too (tests/tools/promparse.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "cli.h"
#include "policy.h"
#include "stats.h"
#include "../tools/promparse.h"

static struct px_port_counter *cnt(void)
{
	return calloc(PX_COUNTER_KEYS, sizeof(struct px_port_counter));
}

static struct stats_row *rowbuf(void)
{
	return calloc(PX_COUNTER_KEYS, sizeof(struct stats_row));
}

static void set(struct px_port_counter *c, int proto, unsigned int port,
		__u64 dropped, __u64 passed)
{
	c[proto * PX_PORTS + port].dropped = dropped;
	c[proto * PX_PORTS + port].passed = passed;
}

static const char *stub_name(int proto, unsigned int port)
{
	if (port == 23 && proto == PX_TCP)
		return "telnet";
	if (port == 53)
		return "domain";
	if (port == 9999)
		return "we\"ird\\na\nme";
	return NULL;
}

/* Format into a string the caller frees. */
#define CAPTURE(buf, call)                                                     \
	do {                                                                   \
		size_t len_;                                                   \
		FILE *f = open_memstream(&(buf), &len_);                       \
		call;                                                          \
		fclose(f);                                                     \
	} while (0)

/* Policy: everything closed but 53 (both protocols); ping closed. */
static void closed_policy(struct px_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	policy_set_port(pol, PX_TCP, 53, true);
	policy_set_port(pol, PX_UDP, 53, true);
}

static void test_collect_only_ports_with_hits(void)
{
	struct px_port_counter *c = cnt();
	struct stats_row *rows = rowbuf();
	struct px_policy pol;
	size_t n;

	closed_policy(&pol);
	set(c, PX_TCP, 23, 15, 6);
	set(c, PX_UDP, 53, 0, 120);
	set(c, PX_UDP, 65535, 1, 0);
	set(c, PX_TCP, 0, 2, 0);
	n = stats_collect(c, NULL, 0, &pol, rows);
	ASSERT_EQ(n, 4, "rows");
	/* key order: tcp 0, tcp 23, udp 53, udp 65535 */
	ASSERT_EQ(rows[0].port, 0, "tcp 0 first");
	ASSERT_EQ(rows[1].port, 23, "then 23");
	ASSERT_EQ(rows[1].proto, PX_TCP, "23 is tcp");
	ASSERT_EQ(rows[1].dropped, 15, "23 dropped");
	ASSERT_EQ(rows[1].passed, 6, "23 passed");
	ASSERT_EQ(rows[1].open, false, "23 closed");
	ASSERT_EQ(rows[2].proto, PX_UDP, "53 is udp");
	ASSERT_EQ(rows[2].open, true, "53 open");
	ASSERT_EQ(rows[3].port, 65535, "last port");
	ASSERT_TRUE(rows[1].name == NULL, "no name before stats_name_rows");
	stats_name_rows(rows, n, stub_name);
	ASSERT_STREQ(rows[1].name, "telnet", "name");
	ASSERT_TRUE(rows[0].name == NULL, "unknown name is NULL");
	free(c);
	free(rows);
}

static void test_rates_from_two_readings(void)
{
	struct px_port_counter *prev = cnt(), *cur = cnt();
	struct stats_row *rows = rowbuf();
	struct px_policy pol;
	size_t n;

	closed_policy(&pol);
	set(prev, PX_TCP, 23, 10, 4);
	set(cur, PX_TCP, 23, 30, 5);
	set(cur, PX_UDP, 7, 8, 0); /* new since prev */
	n = stats_collect(cur, prev, 2.0, &pol, rows);
	ASSERT_EQ(n, 2, "rows");
	ASSERT_EQ(rows[0].dropped_rate * 1000, 10000, "23 dropped/s");
	ASSERT_EQ(rows[0].passed_rate * 1000, 500, "23 passed/s");
	ASSERT_EQ(rows[1].dropped_rate * 1000, 4000, "7 dropped/s");
	ASSERT_EQ(stats_rate(5, 10, 1.0) * 1000, 5000,
		  "a counter that went back counts from zero");
	ASSERT_EQ(stats_rate(10, 5, 0), 0, "no time, no rate");
	free(prev);
	free(cur);
	free(rows);
}

static void test_sort_most_hits_first(void)
{
	struct stats_row r[] = {
		{.port = 80, .proto = PX_TCP, .dropped = 1, .passed = 1},
		{.port = 23, .proto = PX_TCP, .dropped = 15, .passed = 6},
		{.port = 53, .proto = PX_UDP, .dropped = 0, .passed = 2},
		{.port = 53, .proto = PX_TCP, .dropped = 2, .passed = 0},
		{.port = 22, .proto = PX_TCP, .dropped = 0, .passed = 2},
	};

	stats_sort(r, 5, false);
	ASSERT_EQ(r[0].port, 23, "most hits first");
	/* four rows with 2 hits: tcp before udp, then by port */
	ASSERT_EQ(r[1].port, 22, "tie: tcp 22");
	ASSERT_EQ(r[2].port, 53, "tie: tcp 53");
	ASSERT_EQ(r[2].proto, PX_TCP, "tie: tcp 53 is tcp");
	ASSERT_EQ(r[3].port, 80, "tie: tcp 80");
	ASSERT_EQ(r[4].proto, PX_UDP, "tie: udp last");
}

static void test_sort_by_rate_for_watch(void)
{
	struct stats_row r[] = {
		{.port = 23, .proto = PX_TCP, .dropped = 1000},
		{.port = 80, .proto = PX_TCP, .dropped = 10, .dropped_rate = 5},
		{.port = 443, .proto = PX_TCP, .passed = 20, .passed_rate = 5},
	};

	stats_sort(r, 3, true);
	ASSERT_EQ(r[0].port, 443, "same rate: more hits first");
	ASSERT_EQ(r[1].port, 80, "then 80");
	ASSERT_EQ(r[2].port, 23, "idle port last despite its hits");
}

static void view_of(struct stats_view *v, struct stats_row *rows, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->ifname = "eth0";
	v->rows = rows;
	v->nrows = n;
	v->shown = n;
	v->more_hint = "--all to see them";
}

/* The example of doc/design.md section 6, byte for byte (on one line). */
static void test_json_is_spec_6(void)
{
	struct stats_row rows[] = {
		{.port = 23,
		 .proto = PX_TCP,
		 .name = "telnet",
		 .dropped = 15,
		 .passed = 6},
		{.port = 40000, .proto = PX_UDP, .open = true, .passed = 1},
	};
	struct stats_view v;
	char *out = NULL;

	view_of(&v, rows, 2);
	v.totals.ping_dropped = 3;
	v.totals.dropped = 18;
	v.totals.passed = 7;
	CAPTURE(out, stats_print_json(f, &v));
	ASSERT_STREQ(out,
		     "{\"interface\": \"eth0\", \"ports\": ["
		     "{\"port\": 23, \"proto\": \"tcp\", \"name\": \"telnet\", "
		     "\"state\": \"closed\", \"dropped\": 15, \"passed\": 6}, "
		     "{\"port\": 40000, \"proto\": \"udp\", \"name\": null, "
		     "\"state\": \"open\", \"dropped\": 0, \"passed\": 1}], "
		     "\"ping\": {\"state\": \"closed\", \"dropped\": 3, "
		     "\"passed\": 0}, "
		     "\"totals\": {\"dropped\": 18, \"passed\": 7, "
		     "\"malformed\": 0, "
		     "\"fragments\": 0, \"non_ip\": 0, \"blocked\": 0, "
		     "\"banned\": 0}}\n",
		     "json");
	free(out);
}

static void test_json_watch_only_adds_keys(void)
{
	struct stats_row rows[] = {
		{.port = 23,
		 .proto = PX_TCP,
		 .name = "telnet",
		 .dropped = 15,
		 .passed = 6,
		 .dropped_rate = 2.5},
	};
	struct px_totals prev = {.dropped = 10, .ping_passed = 1};
	struct stats_view v;
	char *out = NULL;

	view_of(&v, rows, 1);
	v.totals.dropped = 15;
	v.totals.ping_passed = 3;
	v.ping_open = true;
	v.time = 1700000000;
	stats_view_rates(&v, &prev, 2.0);
	CAPTURE(out, stats_print_json(f, &v));
	ASSERT_CONTAINS(out,
			"\"dropped\": 15, \"passed\": 6, "
			"\"dropped_rate\": 2.500, \"passed_rate\": 0.000}",
			"port rates after SPEC keys");
	ASSERT_CONTAINS(out,
			"\"ping\": {\"state\": \"open\", \"dropped\": 0, "
			"\"passed\": 3, \"dropped_rate\": 0.000, "
			"\"passed_rate\": 1.000}",
			"ping rates");
	ASSERT_CONTAINS(out,
			"\"banned\": 0, \"dropped_rate\": 2.500, "
			"\"passed_rate\": 0.000}",
			"totals rates");
	ASSERT_CONTAINS(out,
			"\"time\": \"2023-11-14T22:13:20Z\", \"interval\": "
			"2.000}\n",
			"time and interval");
	ASSERT_EQ(strchr(out, '\n') - out, (long)strlen(out) - 1,
		  "one line per object");
	free(out);
}

static void test_json_top_cut_says_so(void)
{
	struct stats_row rows[3] = {
		{.port = 1, .dropped = 3},
		{.port = 2, .dropped = 2},
		{.port = 3, .dropped = 1},
	};
	struct stats_view v;
	char *out = NULL;

	view_of(&v, rows, 3);
	v.shown = 1;
	CAPTURE(out, stats_print_json(f, &v));
	ASSERT_CONTAINS(out, "\"ports_not_shown\": 2}", "count of cut rows");
	ASSERT_TRUE(!strstr(out, "\"port\": 2"), "port 2 cut");
	free(out);
}

static void test_table(void)
{
	struct stats_row rows[] = {
		{.port = 23,
		 .proto = PX_TCP,
		 .name = "telnet",
		 .dropped = 15,
		 .passed = 6},
		{.port = 53,
		 .proto = PX_UDP,
		 .name = "domain",
		 .open = true,
		 .passed = 120},
		{.port = 7, .proto = PX_UDP, .dropped = 1},
	};
	struct stats_view v;
	char *out = NULL;

	view_of(&v, rows, 3);
	v.shown = 2;
	v.totals.ping_dropped = 3;
	v.totals.dropped = 20; /* 15 + 1 (not shown) + 3 ping + 1 malformed */
	v.totals.passed = 127; /* 6 + 120 + 1 non-IP */
	v.totals.malformed = 1;
	v.totals.non_ip = 1;
	CAPTURE(out, stats_print_table(f, &v, "\n"));
	ASSERT_STREQ(out,
		     "portxdp stats eth0: 3 ports with hits\n"
		     "PORT       NAME     STATE   DROPPED  PASSED\n"
		     "23/tcp     telnet   closed       15       6\n"
		     "53/udp     domain   open          0     120\n"
		     "1 more: 1 dropped, 0 passed; --all to see them\n"
		     "ping       ping     closed        3       0\n"
		     "other      no port  -             1       1\n"
		     "\n"
		     "totals: dropped 20, passed 127, malformed 1, fragments "
		     "0, non-IP 1\n",
		     "rows, the rows left out, ping and other add up to the "
		     "totals");
	free(out);
}

static void test_table_rates_and_empty(void)
{
	struct px_totals prev = {0};
	struct stats_view v;
	char *out = NULL;

	view_of(&v, NULL, 0);
	v.totals.ping_passed = 4;
	v.totals.passed = 4;
	v.ping_open = true;
	stats_view_rates(&v, &prev, 2.0);
	CAPTURE(out, stats_print_table(f, &v, "\033[K\n"));
	ASSERT_CONTAINS(out,
			"0 ports with hits, rates over the last 2.0 s\033[K\n",
			"header");
	ASSERT_CONTAINS(out, "DROP/s    PASS/s\033[K\n", "rate columns");
	ASSERT_CONTAINS(out, "(no TCP or UDP port has hits yet)", "empty");
	ASSERT_CONTAINS(out,
			"ping       ping     open          0       4       "
			"0.0       2.0\033[K\n",
			"ping row with rates");
	ASSERT_CONTAINS(out, "passed 4 (2.0/s)", "totals rate");
	free(out);
}

static void test_prometheus_parses(void)
{
	struct stats_row rows[] = {
		{.port = 23,
		 .proto = PX_TCP,
		 .name = "telnet",
		 .dropped = 15,
		 .passed = 6},
		{.port = 9999,
		 .proto = PX_UDP,
		 .name = "we\"ird\\na\nme",
		 .open = true,
		 .passed = 1},
		{.port = 40000, .proto = PX_UDP, .passed = 1},
	};
	struct prom_result r;
	struct stats_view v;
	char *out = NULL;

	view_of(&v, rows, 3);
	v.ifname = "eth\"0";
	v.totals.ping_dropped = 3;
	v.totals.dropped = 18;
	v.totals.banned = 4;
	CAPTURE(out, stats_print_prometheus(f, &v));
	if (!ASSERT_OK(prom_check(out, &r), "strict parse"))
		printf("  line %d: %s\n%s", r.line, r.msg, out);
	/* 3 ports x 2 + ping 2 + totals 7 (blocked and banned among them) */
	ASSERT_EQ(r.samples, 15, "samples");
	ASSERT_EQ(r.families, 11, "families");
	ASSERT_CONTAINS(out,
			"# TYPE portxdp_port_dropped_packets_total counter\n"
			"portxdp_port_dropped_packets_total{interface="
			"\"eth\\\"0\",port=\"23\",proto=\"tcp\",name="
			"\"telnet\",state=\"closed\"} 15\n",
			"port sample");
	ASSERT_CONTAINS(out, "name=\"we\\\"ird\\\\na\\nme\"", "escaped name");
	ASSERT_CONTAINS(
		out,
		"port=\"40000\",proto=\"udp\",name=\"\",state=\"closed\"} 1\n",
		"unknown name is empty");
	ASSERT_CONTAINS(out,
			"portxdp_ping_dropped_packets_total{interface="
			"\"eth\\\"0\",state=\"closed\"} 3\n",
			"ping");
	ASSERT_CONTAINS(
		out,
		"portxdp_dropped_packets_total{interface=\"eth\\\"0\"} 18\n",
		"totals");
	ASSERT_CONTAINS(out, "portxdp_non_ip_packets_total{", "non-IP");
	ASSERT_CONTAINS(out, "portxdp_fragments_total{", "fragments");
	ASSERT_CONTAINS(out, "portxdp_malformed_packets_total{", "malformed");
	/* the JSON's totals.banned, as node_exporter's textfile sees it */
	ASSERT_CONTAINS(
		out, "portxdp_banned_packets_total{interface=\"eth\\\"0\"} 4\n",
		"banned");
	free(out);
}

/* The checker itself must reject what Prometheus would. */
static void test_prometheus_checker_is_strict(void)
{
	static const char *const bad[] = {
		"x_total 1\n",
		"# HELP x_total h\n# TYPE x_total counter\nx_total 1",
		"# HELP x_total h\n# TYPE x_total counter\nx_total{a=\"1\"} "
		"1\nx_total{a=\"1\"} 2\n",
		"# HELP x_total h\n# TYPE x_total counter\nx_total{a=\"\\t\"} "
		"1\n",
		"# HELP x_total h\n# TYPE x_total counter\nx_total -1\n",
		"# HELP x_total h\n# TYPE x_total counter\nx_total 1 "
		"1700000000\n",
		"# HELP x h\n# TYPE x counter\nx 1\n",
		"# HELP x_total h\n# TYPE x_total "
		"counter\nx_total{a=\"1\",a=\"2\"} 1\n",
		"# HELP x_total h\n# TYPE x_total counter\nx_total{1a=\"1\"} "
		"1\n",
	};
	struct prom_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "bad input %zu", i);
		ASSERT_NEQ(prom_check(bad[i], &r), 0, what);
	}
	ASSERT_OK(prom_check("# HELP x_total h\n# TYPE x_total counter\n"
			     "x_total{a=\"q\\\"\\\\\\n\"} 1\n",
			     &r),
		  "good input");
}

static void test_parse_options(void)
{
	double s = 0;
	unsigned long n = 0;

	ASSERT_OK(stats_parse_secs("2", &s), "2");
	ASSERT_EQ(s * 10, 20, "2 s");
	ASSERT_OK(stats_parse_secs("0.5", &s), "0.5");
	ASSERT_NEQ(stats_parse_secs("0", &s), 0, "0 s");
	ASSERT_NEQ(stats_parse_secs("eth0", &s), 0, "not a number");
	ASSERT_NEQ(stats_parse_secs("nan", &s), 0, "nan");
	ASSERT_NEQ(stats_parse_secs("1e9", &s), 0, "too long");
	/* --top and --count: cli_parse_ulong, shared with log and lab */
	ASSERT_OK(cli_parse_ulong("5", 1, ULONG_MAX, &n), "5");
	ASSERT_EQ(n, 5, "n");
	ASSERT_NEQ(cli_parse_ulong("0", 1, ULONG_MAX, &n), 0, "0");
	ASSERT_NEQ(cli_parse_ulong("-3", 1, ULONG_MAX, &n), 0, "negative");
	ASSERT_NEQ(cli_parse_ulong("3x", 1, ULONG_MAX, &n), 0, "junk");
	ASSERT_NEQ(cli_parse_ulong("", 1, ULONG_MAX, &n), 0, "empty");
	ASSERT_NEQ(cli_parse_ulong("99999999999999999999999", 1, ULONG_MAX, &n),
		   0, "overflow");
	ASSERT_OK(cli_parse_ulong("60000", 10, 60000, &n), "upper bound");
	ASSERT_NEQ(cli_parse_ulong("60001", 10, 60000, &n), 0, "above");
	ASSERT_NEQ(cli_parse_ulong("9", 10, 60000, &n), 0, "below");
}

/* A port scan can give every port hits: the pure part must stay fast. */
static void test_every_port_with_hits(void)
{
	struct px_port_counter *c = cnt();
	struct stats_row *rows = rowbuf();
	struct px_policy pol;
	struct stats_view v;
	struct prom_result r;
	struct timespec t0, t1;
	char *out = NULL;
	size_t n;

	closed_policy(&pol);
	for (unsigned int k = 0; k < PX_COUNTER_KEYS; k++)
		c[k].dropped = k % 1000 + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = stats_collect(c, NULL, 0, &pol, rows);
	stats_sort(rows, n, false);
	view_of(&v, rows, n);
	CAPTURE(out, stats_print_prometheus(f, &v));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_EQ(n, PX_COUNTER_KEYS, "rows");
	ASSERT_EQ(rows[0].dropped, 1000, "most first");
	ASSERT_OK(prom_check(out, &r), "parses");
	ASSERT_EQ(r.samples, 2 * PX_COUNTER_KEYS + 9, "samples");
	printf("  collect+sort+prometheus of %d rows: %.1f ms (sanitizers "
	       "on)\n",
	       PX_COUNTER_KEYS,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(out);
	free(c);
	free(rows);
}

int main(void)
{
	RUN(test_collect_only_ports_with_hits);
	RUN(test_rates_from_two_readings);
	RUN(test_sort_most_hits_first);
	RUN(test_sort_by_rate_for_watch);
	RUN(test_json_is_spec_6);
	RUN(test_json_watch_only_adds_keys);
	RUN(test_json_top_cut_says_so);
	RUN(test_table);
	RUN(test_table_rates_and_empty);
	RUN(test_prometheus_parses);
	RUN(test_prometheus_checker_is_strict);
	RUN(test_parse_options);
	RUN(test_every_port_with_hits);
	return check_exit();
}
