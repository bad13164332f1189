// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pure part of `portxdp stats` (see stats.h): rows from counter
 * readings, rates from two readings, the order, and the three output
 * formats. Nothing here touches a map, a clock or a terminal, so every
 * number the command prints can be checked in tests/unit/test_stats.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy.h"
#include "proto.h"
#include "stats.h"
#include "text.h"

double stats_rate(__u64 cur, __u64 prev, double secs)
{
	/*
	 * Counters only grow while one filter is attached. A smaller reading
	 * means detach and attach in between: the new counters started from
	 * zero within the interval, so cur is what was counted since.
	 */
	__u64 delta = cur >= prev ? cur - prev : cur;

	if (!(secs > 0))
		return 0;
	return (double)delta / secs;
}

size_t stats_collect(const struct px_port_counter *cur,
		     const struct px_port_counter *prev, double secs,
		     const struct px_policy *pol, struct stats_row *rows)
{
	size_t n = 0;

	for (unsigned int key = 0; key < PX_COUNTER_KEYS; key++) {
		const struct px_port_counter *c = &cur[key];
		struct stats_row *r;

		if (!c->dropped && !c->passed)
			continue;
		r = &rows[n++];
		r->proto = key / PX_PORTS;
		r->port = key % PX_PORTS;
		r->open = policy_port_open(pol, r->proto, r->port);
		r->name = NULL;
		r->dropped = c->dropped;
		r->passed = c->passed;
		r->dropped_rate = 0;
		r->passed_rate = 0;
		if (prev) {
			r->dropped_rate =
				stats_rate(c->dropped, prev[key].dropped, secs);
			r->passed_rate =
				stats_rate(c->passed, prev[key].passed, secs);
		}
	}
	return n;
}

void stats_name_rows(struct stats_row *rows, size_t n, stats_name_fn name_of)
{
	for (size_t i = 0; i < n; i++)
		rows[i].name =
			name_of ? name_of(rows[i].proto, rows[i].port) : NULL;
}

static int cmp_tail(const struct stats_row *a, const struct stats_row *b)
{
	__u64 ha = a->dropped + a->passed, hb = b->dropped + b->passed;

	if (ha != hb)
		return ha > hb ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

static int cmp_hits(const void *pa, const void *pb)
{
	return cmp_tail(pa, pb);
}

static int cmp_rate(const void *pa, const void *pb)
{
	const struct stats_row *a = pa, *b = pb;
	double ra = a->dropped_rate + a->passed_rate;
	double rb = b->dropped_rate + b->passed_rate;

	if (ra != rb)
		return ra > rb ? -1 : 1;
	return cmp_tail(a, b);
}

void stats_sort(struct stats_row *rows, size_t n, bool by_rate)
{
	qsort(rows, n, sizeof(*rows), by_rate ? cmp_rate : cmp_hits);
}

void stats_view_rates(struct stats_view *v, const struct px_totals *prev,
		      double secs)
{
	const struct px_totals *t = &v->totals;

	v->rates = true;
	v->interval = secs;
	v->ping_dropped_rate =
		stats_rate(t->ping_dropped, prev->ping_dropped, secs);
	v->ping_passed_rate =
		stats_rate(t->ping_passed, prev->ping_passed, secs);
	v->dropped_rate = stats_rate(t->dropped, prev->dropped, secs);
	v->passed_rate = stats_rate(t->passed, prev->passed, secs);
}

/* --- the table ------------------------------------------------------------ */

#define NAME_MAX_W 20

static int u64_width(__u64 v)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

static int max_i(int a, int b)
{
	return a > b ? a : b;
}

struct widths {
	int port, name, state, dropped, passed, rate;
};

static void print_rate(FILE *f, int w, double r)
{
	fprintf(f, "  %*.1f", w, r);
}

static void table_row(FILE *f, const struct widths *w, const char *port,
		      const char *name, const char *state, __u64 dropped,
		      __u64 passed, const double *rates, const char *eol)
{
	char cut[NAME_MAX_W + 1];

	/* cut on a character, never inside one */
	text_copy(cut, sizeof(cut), name);
	fprintf(f, "%-*s  %-*s  %-*s  %*" PRIu64 "  %*" PRIu64, w->port, port,
		w->name, cut, w->state, state, w->dropped, (uint64_t)dropped,
		w->passed, (uint64_t)passed);
	if (rates) {
		print_rate(f, w->rate, rates[0]);
		print_rate(f, w->rate, rates[1]);
	}
	fputs(eol, f);
}

/* a - b - c, or 0 when the readings (taken one after another) disagree */
static __u64 rest(__u64 a, __u64 b, __u64 c)
{
	return a >= b + c ? a - b - c : 0;
}

static double rest_rate(double a, double b, double c)
{
	return a - b - c > 0 ? a - b - c : 0;
}

/*
 * Below the port rows: the rows left out (with their sums), ping, and
 * "other", what no port or ping counted (malformed, later fragments,
 * non-IP, other ICMP and IP protocols), so the rows add up to the totals.
 */
static void table_tail(FILE *f, const struct stats_view *v,
		       const struct widths *w, const char *eol)
{
	const struct px_totals *t = &v->totals;
	__u64 hid_d = 0, hid_p = 0, all_d = 0, all_p = 0;
	double rd = 0, rp = 0, rates[2];

	for (size_t i = 0; i < v->nrows; i++) {
		const struct stats_row *r = &v->rows[i];

		all_d += r->dropped;
		all_p += r->passed;
		rd += r->dropped_rate;
		rp += r->passed_rate;
		if (i >= v->shown) {
			hid_d += r->dropped;
			hid_p += r->passed;
		}
	}
	if (v->shown < v->nrows)
		fprintf(f,
			"%zu more: %" PRIu64 " dropped, %" PRIu64
			" passed%s%s%s",
			v->nrows - v->shown, (uint64_t)hid_d, (uint64_t)hid_p,
			v->more_hint ? "; " : "",
			v->more_hint ? v->more_hint : "", eol);
	else if (!v->nrows)
		fprintf(f, "(no TCP or UDP port has hits yet)%s", eol);
	rates[0] = v->ping_dropped_rate;
	rates[1] = v->ping_passed_rate;
	table_row(f, w, "ping", "ping", v->ping_open ? "open" : "closed",
		  t->ping_dropped, t->ping_passed, v->rates ? rates : NULL,
		  eol);
	rates[0] = rest_rate(v->dropped_rate, rd, v->ping_dropped_rate);
	rates[1] = rest_rate(v->passed_rate, rp, v->ping_passed_rate);
	table_row(f, w, "other", "no port", "-",
		  rest(t->dropped, all_d, t->ping_dropped),
		  rest(t->passed, all_p, t->ping_passed),
		  v->rates ? rates : NULL, eol);
	fputs(eol, f);
	fprintf(f, "totals: dropped %" PRIu64, (uint64_t)t->dropped);
	if (v->rates)
		fprintf(f, " (%.1f/s)", v->dropped_rate);
	fprintf(f, ", passed %" PRIu64, (uint64_t)t->passed);
	if (v->rates)
		fprintf(f, " (%.1f/s)", v->passed_rate);
	fprintf(f,
		", malformed %" PRIu64 ", fragments %" PRIu64
		", non-IP %" PRIu64 "%s",
		(uint64_t)t->malformed, (uint64_t)t->fragments,
		(uint64_t)t->non_ip, t->banned ? "" : eol);
	if (t->banned) /* doc/design.md, section 10 */
		fprintf(f, ", banned %" PRIu64 "%s", (uint64_t)t->banned, eol);
}

void stats_print_table(FILE *f, const struct stats_view *v, const char *eol)
{
	const struct px_totals *t = &v->totals;
	/* "65535/tcp" is the widest port */
	struct widths w = {.port = 9,
			   .name = 7,
			   .state = 6,
			   .dropped = 7,
			   .passed = 6,
			   .rate = 8};
	char port[16], ifname[TEXT_IFNAME_SAFE];
	double rates[2];

	for (size_t i = 0; i < v->shown; i++) {
		const struct stats_row *r = &v->rows[i];
		int nl = r->name ? (int)strlen(r->name) : 1;

		w.name = max_i(w.name, nl < NAME_MAX_W ? nl : NAME_MAX_W);
		w.dropped = max_i(w.dropped, u64_width(r->dropped));
		w.passed = max_i(w.passed, u64_width(r->passed));
	}
	/* ping and "other" are parts of the totals: never wider */
	w.dropped = max_i(w.dropped, u64_width(t->dropped));
	w.passed = max_i(w.passed, u64_width(t->passed));

	fprintf(f, "portxdp stats %s: %zu port%s with hits",
		text_safe(ifname, sizeof(ifname), v->ifname), v->nrows,
		v->nrows == 1 ? "" : "s");
	if (v->rates)
		fprintf(f, ", rates over the last %.1f s", v->interval);
	fputs(eol, f);
	fprintf(f, "%-*s  %-*s  %-*s  %*s  %*s", w.port, "PORT", w.name, "NAME",
		w.state, "STATE", w.dropped, "DROPPED", w.passed, "PASSED");
	if (v->rates)
		fprintf(f, "  %*s  %*s", w.rate, "DROP/s", w.rate, "PASS/s");
	fputs(eol, f);
	for (size_t i = 0; i < v->shown; i++) {
		const struct stats_row *r = &v->rows[i];

		rates[0] = r->dropped_rate;
		rates[1] = r->passed_rate;
		snprintf(port, sizeof(port), "%u/%s", r->port,
			 px_proto_name(r->proto));
		table_row(f, &w, port, r->name ? r->name : "-",
			  r->open ? "open" : "closed", r->dropped, r->passed,
			  v->rates ? rates : NULL, eol);
	}
	table_tail(f, v, &w, eol);
	for (size_t i = 0; i < v->nzones; i++)
		fprintf(f,
			"zone %s: dropped %" PRIu64 ", passed %" PRIu64
			", blocked %" PRIu64 "%s",
			v->zones[i].name, (uint64_t)v->zones[i].dropped,
			(uint64_t)v->zones[i].passed,
			(uint64_t)v->zones[i].blocked, eol);
}

/* --- JSON ----------------------------------------------------------------- */

/* "zones": the packets each zone's verdicts decided, and its blocks. */
static void json_zones(struct json *j, const struct stats_view *v)
{
	if (!v->nzones)
		return;
	json_key(j, "zones");
	json_arr_open(j);
	for (size_t i = 0; i < v->nzones; i++) {
		json_obj_open(j);
		json_key_str(j, "name", v->zones[i].name);
		json_key_u64(j, "dropped", v->zones[i].dropped);
		json_key_u64(j, "passed", v->zones[i].passed);
		json_key_u64(j, "blocked", v->zones[i].blocked);
		json_obj_close(j);
	}
	json_arr_close(j);
}

void stats_print_json(FILE *f, const struct stats_view *v)
{
	const struct px_totals *t = &v->totals;
	struct json j;

	json_init(&j, f);
	json_obj_open(&j);
	json_key_str(&j, "interface", v->ifname);
	json_key(&j, "ports");
	json_arr_open(&j);
	for (size_t i = 0; i < v->shown; i++) {
		const struct stats_row *r = &v->rows[i];

		json_obj_open(&j);
		json_key_u64(&j, "port", r->port);
		json_key_str(&j, "proto", px_proto_name(r->proto));
		json_key_str(&j, "name", r->name);
		json_key_str(&j, "state", r->open ? "open" : "closed");
		json_key_u64(&j, "dropped", r->dropped);
		json_key_u64(&j, "passed", r->passed);
		if (v->rates) {
			json_key_double(&j, "dropped_rate", r->dropped_rate, 3);
			json_key_double(&j, "passed_rate", r->passed_rate, 3);
		}
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_key(&j, "ping");
	json_obj_open(&j);
	json_key_str(&j, "state", v->ping_open ? "open" : "closed");
	json_key_u64(&j, "dropped", t->ping_dropped);
	json_key_u64(&j, "passed", t->ping_passed);
	if (v->rates) {
		json_key_double(&j, "dropped_rate", v->ping_dropped_rate, 3);
		json_key_double(&j, "passed_rate", v->ping_passed_rate, 3);
	}
	json_obj_close(&j);
	json_key(&j, "totals");
	json_obj_open(&j);
	json_key_u64(&j, "dropped", t->dropped);
	json_key_u64(&j, "passed", t->passed);
	json_key_u64(&j, "malformed", t->malformed);
	json_key_u64(&j, "fragments", t->fragments);
	json_key_u64(&j, "non_ip", t->non_ip);
	json_key_u64(&j, "blocked", t->blocked);
	json_key_u64(&j, "banned", t->banned);
	if (v->rates) {
		json_key_double(&j, "dropped_rate", v->dropped_rate, 3);
		json_key_double(&j, "passed_rate", v->passed_rate, 3);
	}
	json_obj_close(&j);
	json_zones(&j, v);
	if (v->rates) {
		json_key_time(&j, "time", v->time, -1);
		json_key_double(&j, "interval", v->interval, 3);
	}
	if (v->shown < v->nrows)
		json_key_u64(&j, "ports_not_shown", v->nrows - v->shown);
	json_obj_close(&j);
	json_end(&j);
}

/* --- Prometheus ----------------------------------------------------------- */

static void prom_family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

static void prom_iface(FILE *f, const char *name, const struct stats_view *v)
{
	fprintf(f, "%s{interface=\"", name);
	text_prom(f, v->ifname);
	fputc('"', f);
}

static void prom_port_family(FILE *f, const struct stats_view *v, bool drop)
{
	const char *name = drop ? "portxdp_port_dropped_packets_total"
				: "portxdp_port_passed_packets_total";

	prom_family(f, name,
		    drop ? "TCP/UDP packets to this port dropped since attach."
			 : "TCP/UDP packets to this port passed since attach.");
	for (size_t i = 0; i < v->shown; i++) {
		const struct stats_row *r = &v->rows[i];

		prom_iface(f, name, v);
		fprintf(f, ",port=\"%u\",proto=\"%s\",name=\"", r->port,
			px_proto_name(r->proto));
		text_prom(f, r->name);
		fprintf(f, "\",state=\"%s\"} %" PRIu64 "\n",
			r->open ? "open" : "closed",
			(uint64_t)(drop ? r->dropped : r->passed));
	}
}

static void prom_total(FILE *f, const struct stats_view *v, const char *name,
		       const char *help, __u64 val)
{
	prom_family(f, name, help);
	prom_iface(f, name, v);
	fprintf(f, "} %" PRIu64 "\n", (uint64_t)val);
}

static void prom_ping(FILE *f, const struct stats_view *v, const char *name,
		      const char *help, __u64 val)
{
	prom_family(f, name, help);
	prom_iface(f, name, v);
	fprintf(f, ",state=\"%s\"} %" PRIu64 "\n",
		v->ping_open ? "open" : "closed", (uint64_t)val);
}

/* Per zone, by what happened: dropped, passed (its verdicts), blocked. */
static void prom_zones(FILE *f, const struct stats_view *v)
{
	static const char name[] = "portxdp_zone_packets_total";
	static const char *const what[] = {"dropped", "passed", "blocked"};

	if (!v->nzones)
		return;
	prom_family(f, name,
		    "Packets a zone's verdicts decided, or its block dropped.");
	for (size_t i = 0; i < v->nzones; i++)
		for (int k = 0; k < 3; k++) {
			const struct stats_zone *z = &v->zones[i];
			__u64 n = k == 0   ? z->dropped
				  : k == 1 ? z->passed
					   : z->blocked;

			prom_iface(f, name, v);
			fputs(",zone=\"", f);
			text_prom(f, z->name);
			fprintf(f, "\",verdict=\"%s\"} %" PRIu64 "\n", what[k],
				(uint64_t)n);
		}
}

void stats_print_prometheus(FILE *f, const struct stats_view *v)
{
	const struct px_totals *t = &v->totals;

	prom_port_family(f, v, true);
	prom_port_family(f, v, false);
	prom_ping(f, v, "portxdp_ping_dropped_packets_total",
		  "ICMP and ICMPv6 echo requests dropped since attach.",
		  t->ping_dropped);
	prom_ping(f, v, "portxdp_ping_passed_packets_total",
		  "ICMP and ICMPv6 echo requests passed since attach.",
		  t->ping_passed);
	prom_total(f, v, "portxdp_dropped_packets_total",
		   "Packets the filter dropped since attach, for any reason.",
		   t->dropped);
	prom_total(f, v, "portxdp_passed_packets_total",
		   "Packets the filter passed since attach.", t->passed);
	prom_total(f, v, "portxdp_malformed_packets_total",
		   "Packets dropped as malformed since attach (in dropped).",
		   t->malformed);
	prom_total(f, v, "portxdp_fragments_total",
		   "Later IP fragments (no ports) seen since attach.",
		   t->fragments);
	prom_total(f, v, "portxdp_non_ip_packets_total",
		   "Frames neither IPv4 nor IPv6, passed, since attach.",
		   t->non_ip);
	prom_total(f, v, "portxdp_blocked_packets_total",
		   "Packets dropped since attach because a block line names "
		   "the source (in dropped).",
		   t->blocked);
	/* doc/design.md, section 10: the JSON's totals.banned */
	prom_total(f, v, "portxdp_banned_packets_total",
		   "Packets dropped since attach because their source is "
		   "banned (in dropped).",
		   t->banned);
	prom_zones(f, v);
}

/* --- option values -------------------------------------------------------- */

int stats_parse_secs(const char *s, double *out)
{
	char *end;
	double d;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (*end || end == s || isnan(d))
		return -EINVAL;
	if (errno || !isfinite(d) || d < 0.1 || d > 86400)
		return -ERANGE; /* a number, but no interval stats takes */
	*out = d;
	return 0;
}
