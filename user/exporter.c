// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics of `portxdp exporter` (see exporter.h): a walk over every
 * filter's pins, one reading of each, the per-filter state that keeps the
 * series steady, and the exposition text. Label values go through
 * text_prom() (text.h), the one escaper of the Prometheus output.
 *
 * Every packet a filter sees is counted once in dropped or passed
 * (bpf/portxdp.bpf.c, px_record), so the series below partition them:
 * sum by (interface, netns) of portxdp_dropped_packets_total is the
 * filter's total drops, as `portxdp stats IF --json` shows it.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/types.h>

#include "err.h"
#include "exporter.h"
#include "exporter_zones.h"
#include "filter.h"
#include "maps.h"
#include "netns.h"
#include "portxdp.h"
#include "proto.h"
#include "stats.h"
#include "text.h"
#include "xdp.h"

#define NWORDS (PX_COUNTER_KEYS / 64)
#define NCLASS 3

static const char *const class_name[NCLASS] = {"well-known", "registered",
					       "dynamic"};

/* One filter between scrapes. */
struct ex_filter {
	struct ex_filter *next;
	char dir[PATH_MAX];
	char ifname[IF_NAMESIZE];
	char netns[64];
	__u32 prog_id;
	bool seen;	      /* met by this scrape's walk and read */
	__u64 own[NWORDS];    /* pairs with their own series */
	__u64 folded[NWORDS]; /* pairs summed into their class */
	unsigned int nown;
	__u64 frag_dropped, other_passed; /* last shown: never go down */
	struct px_port_counter *cnt;	  /* this scrape's reading */
	struct px_totals tot;
	__u32 flags;
	__u64 applied_at;
	__u64 digest;
	__u64 class_dropped[PX_NPROTO][NCLASS], class_passed[PX_NPROTO][NCLASS];
	bool class_used[PX_NPROTO][NCLASS];
	struct ex_zones *zones; /* per zone name (exporter_zones.c) */
};

struct exporter {
	unsigned int max_ports;
	struct ex_filter *list;
	__u32 *cand; /* scratch: pairs with their first hits */
	__u64 errors;
};

/* One pin folder met by ex_walk(). */
struct ex_entry {
	const struct filter_entry *fe;
	const char *ifname;
	const char *dir;
	const char *netns; /* its name, "root", or "net-INODE" when unnamed */
};

static bool bit(const __u64 *w, __u32 k)
{
	return (w[k / 64] >> (k % 64)) & 1;
}

static void set_bit(__u64 *w, __u32 k)
{
	w[k / 64] |= 1ULL << (k % 64);
}

static int port_class(unsigned int port)
{
	return port < 1024 ? 0 : port < 49152 ? 1 : 2;
}

struct exporter *exporter_new(unsigned int max_ports)
{
	struct exporter *ex = calloc(1, sizeof(*ex));

	if (!ex)
		return NULL;
	ex->cand = calloc(PX_COUNTER_KEYS, sizeof(*ex->cand));
	if (!ex->cand) {
		free(ex);
		return NULL;
	}
	ex->max_ports =
		max_ports > PX_COUNTER_KEYS ? PX_COUNTER_KEYS : max_ports;
	return ex;
}

static void filter_free(struct ex_filter *x)
{
	ex_zones_free(x->zones);
	free(x->cnt);
	free(x);
}

void exporter_free(struct exporter *ex)
{
	if (!ex)
		return;
	while (ex->list) {
		struct ex_filter *x = ex->list;

		ex->list = x->next;
		filter_free(x);
	}
	free(ex->cand);
	free(ex);
}

/* FNV-1a, 64 bits: equal digests, same ports and options. */
static __u64 policy_digest(const struct px_policy *p)
{
	const unsigned char *b = (const unsigned char *)p->open;
	__u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < sizeof(p->open); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	for (int i = 0; i < 4; i++)
		h = (h ^ ((p->flags >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	return h;
}

struct ex_walk_ctx {
	int (*fn)(const struct ex_entry *e, void *ctx);
	void *ctx;
};

static int ex_entry_of(const struct filter_entry *fe, void *ctx)
{
	const struct ex_walk_ctx *w = ctx;
	struct ex_entry e = {.fe = fe, .ifname = fe->ifname, .dir = fe->dir};
	char ns[32];

	snprintf(ns, sizeof(ns), "net-%lu", fe->ns_ino);
	e.netns = fe->nsname ? fe->nsname : ns;
	return w->fn(&e, w->ctx);
}

/*
 * Every filter of every namespace (filter_walk(), which also leaves out
 * what is not a filter's folder). A non-zero return of fn stops it and
 * is returned.
 */
static int ex_walk(int (*fn)(const struct ex_entry *e, void *ctx), void *ctx)
{
	struct ex_walk_ctx w = {.fn = fn, .ctx = ctx};

	return filter_walk(ex_entry_of, &w);
}

static struct ex_filter *state_of(struct exporter *ex, const struct ex_entry *e,
				  __u32 prog_id)
{
	struct ex_filter **pp, *x;

	for (pp = &ex->list; *pp; pp = &(*pp)->next) {
		x = *pp;
		if (strcmp(x->dir, e->dir))
			continue;
		if (x->prog_id == prog_id)
			return x;
		/* attached again: counters and state start over */
		*pp = x->next;
		filter_free(x);
		break;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->cnt = calloc(PX_COUNTER_KEYS, sizeof(*x->cnt));
	if (!x->cnt) {
		free(x);
		return NULL;
	}
	snprintf(x->dir, sizeof(x->dir), "%s", e->dir);
	snprintf(x->ifname, sizeof(x->ifname), "%s", e->ifname);
	snprintf(x->netns, sizeof(x->netns), "%s", e->netns);
	x->prog_id = prog_id;
	x->next = ex->list;
	ex->list = x;
	return x;
}

/*
 * Read one filter (one whose interface is gone is not shown): the policy,
 * the counters, then the totals, whose dropped and passed add those same
 * counters, so the counts derived from both agree.
 */
static int read_filter(struct exporter *ex, const struct ex_entry *e)
{
	struct px_policy *pol = NULL;
	struct ex_filter *x;
	struct px_filter f;
	int err;

	err = filter_open_entry(e->fe, &f);
	if (err)
		return err == -ENOENT ? 0 : err;
	if (f.state != FILTER_ATTACHED) {
		filter_close(&f);
		return 0;
	}
	x = state_of(ex, e, f.prog_id);
	pol = malloc(sizeof(*pol));
	err = !x || !pol ? -ENOMEM : 0;
	if (!err)
		err = maps_read_policy(f.policy_fd, pol);
	if (!err)
		err = maps_read_counters(f.counters_fd, x->cnt);
	if (!err)
		err = maps_read_totals(f.totals_fd, f.ban_cache_fd, x->cnt,
				       &x->tot);
	if (!err)
		err = ex_zones_read(&x->zones, &f, pol);
	if (!err) {
		x->seen = true;
		x->flags = pol->flags;
		x->applied_at = pol->applied_at;
		x->digest = policy_digest(pol);
	}
	free(pol);
	filter_close(&f);
	return err;
}

static int on_entry(const struct ex_entry *e, void *ctx)
{
	struct exporter *ex = ctx;
	int err = read_filter(ex, e);

	if (err == -ENOMEM)
		return err;
	if (err) {
		ex->errors++;
		px_debug("exporter: cannot read the filter in %s: %s", e->dir,
			 strerror(-err));
	}
	return 0;
}

static __u64 hits(const struct px_port_counter *c)
{
	return c->dropped + c->passed;
}

static const struct px_port_counter *sort_cnt;

/* Most hits first, then key order. */
static int by_hits(const void *a, const void *b)
{
	__u32 ka = *(const __u32 *)a, kb = *(const __u32 *)b;
	__u64 ha = hits(&sort_cnt[ka]), hb = hits(&sort_cnt[kb]);

	if (ha != hb)
		return ha > hb ? -1 : 1;
	return ka < kb ? -1 : 1;
}

/*
 * Give the pairs with their first hits a series of their own while there
 * is room, most hits first; the rest go to their class for good. Then sum
 * the classes.
 */
static void assign_series(struct exporter *ex, struct ex_filter *x)
{
	size_t n = 0, room = ex->max_ports - x->nown;

	for (__u32 k = 0; k < PX_COUNTER_KEYS; k++)
		if (hits(&x->cnt[k]) && !bit(x->own, k) && !bit(x->folded, k))
			ex->cand[n++] = k;
	if (n > room) {
		sort_cnt = x->cnt;
		qsort(ex->cand, n, sizeof(*ex->cand), by_hits);
	}
	for (size_t i = 0; i < n; i++) {
		if (i < room) {
			set_bit(x->own, ex->cand[i]);
			x->nown++;
		} else {
			set_bit(x->folded, ex->cand[i]);
		}
	}
	memset(x->class_dropped, 0, sizeof(x->class_dropped));
	memset(x->class_passed, 0, sizeof(x->class_passed));
	for (__u32 w = 0; w < NWORDS; w++) {
		for (__u64 m = x->folded[w]; m; m &= m - 1) {
			__u32 k = w * 64 + __builtin_ctzll(m);
			int p = k / PX_PORTS, c = port_class(k % PX_PORTS);

			x->class_dropped[p][c] += x->cnt[k].dropped;
			x->class_passed[p][c] += x->cnt[k].passed;
			x->class_used[p][c] = true;
		}
	}
}

/*
 * What the totals hold beyond the ports, ping, malformed and non-IP: drops
 * of later fragments, and other passes. Shown as the larger of this
 * reading and the last, so a packet counted between the two reads cannot
 * make a counter go down.
 */
static void derive_rest(struct ex_filter *x)
{
	__u64 pd = 0, pp = 0, d, p;

	for (__u32 k = 0; k < PX_COUNTER_KEYS; k++) {
		pd += x->cnt[k].dropped;
		pp += x->cnt[k].passed;
	}
	d = pd + x->tot.ping_dropped + x->tot.malformed + x->tot.banned +
	    x->tot.blocked;
	p = pp + x->tot.ping_passed + x->tot.non_ip;
	d = x->tot.dropped > d ? x->tot.dropped - d : 0;
	p = x->tot.passed > p ? x->tot.passed - p : 0;
	if (d > x->frag_dropped)
		x->frag_dropped = d;
	if (p > x->other_passed)
		x->other_passed = p;
}

/* --- the exposition ------------------------------------------------------ */

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{interface="...",netns="..." : the caller adds more and the rest. */
static void series(FILE *f, const char *name, const struct ex_filter *x)
{
	fprintf(f, "%s{interface=\"", name);
	text_prom(f, x->ifname);
	fputs("\",netns=\"", f);
	text_prom(f, x->netns);
	fputc('"', f);
}

static void zone_series(FILE *f, const char *name, const void *x)
{
	series(f, name, x);
}

static void port_series(FILE *f, const char *name, const struct ex_filter *x,
			int proto, const char *port, const char *reason,
			__u64 v)
{
	series(f, name, x);
	fprintf(f, ",proto=\"%s\",port=\"%s\"", px_proto_name(proto), port);
	if (reason)
		fprintf(f, ",reason=\"%s\"", reason);
	fprintf(f, "} %" PRIu64 "\n", (uint64_t)v);
}

/* The port part of dropped (drop) or passed: own pairs, then classes. */
static void port_part(FILE *f, const char *name, const struct ex_filter *x,
		      bool drop)
{
	const char *reason = drop ? "closed-port" : NULL;
	char port[8];

	for (__u32 w = 0; w < NWORDS; w++) {
		for (__u64 m = x->own[w]; m; m &= m - 1) {
			__u32 k = w * 64 + __builtin_ctzll(m);
			const struct px_port_counter *c = &x->cnt[k];

			snprintf(port, sizeof(port), "%u", k % PX_PORTS);
			port_series(f, name, x, (int)(k / PX_PORTS), port,
				    reason, drop ? c->dropped : c->passed);
		}
	}
	for (int p = 0; p < PX_NPROTO; p++)
		for (int c = 0; c < NCLASS; c++)
			if (x->class_used[p][c])
				port_series(f, name, x, p, class_name[c],
					    reason,
					    drop ? x->class_dropped[p][c]
						 : x->class_passed[p][c]);
}

static void labelled(FILE *f, const char *name, const struct ex_filter *x,
		     const char *more, __u64 v)
{
	series(f, name, x);
	fprintf(f, "%s} %" PRIu64 "\n", more, (uint64_t)v);
}

static void print_packets(FILE *f, const struct exporter *ex)
{
	const char *d = "portxdp_dropped_packets_total";
	const char *p = "portxdp_passed_packets_total";
	const struct ex_filter *x;

	family(f, d, "counter",
	       "Packets the filter dropped since attach, by reason; a port "
	       "of well-known, registered or dynamic sums the ports past "
	       "the exporter's --max-ports.");
	for (x = ex->list; x; x = x->next) {
		port_part(f, d, x, true);
		labelled(f, d, x, ",proto=\"icmp\",reason=\"ping-closed\"",
			 x->tot.ping_dropped);
		labelled(f, d, x, ",reason=\"malformed\"", x->tot.malformed);
		labelled(f, d, x, ",reason=\"fragment\"", x->frag_dropped);
		labelled(f, d, x, ",reason=\"banned\"", x->tot.banned);
		labelled(f, d, x, ",reason=\"blocked\"", x->tot.blocked);
	}
	family(f, p, "counter",
	       "Packets the filter passed since attach; proto other: later "
	       "fragments, ICMP other than echo requests, other IP "
	       "protocols.");
	for (x = ex->list; x; x = x->next) {
		port_part(f, p, x, false);
		labelled(f, p, x, ",proto=\"icmp\"", x->tot.ping_passed);
		labelled(f, p, x, ",proto=\"non-ip\"", x->tot.non_ip);
		labelled(f, p, x, ",proto=\"other\"", x->other_passed);
	}
	family(f, "portxdp_zone_packets_total", "counter",
	       "Packets a zone's verdicts dropped or passed, or its block "
	       "dropped (already in dropped and passed), by zone name.");
	for (x = ex->list; x; x = x->next)
		ex_zones_print(f, "portxdp_zone_packets_total", x->zones,
			       zone_series, x);
	family(f, "portxdp_fragments_total", "counter",
	       "Later IP fragments (no ports) seen since attach, passed or "
	       "dropped.");
	for (x = ex->list; x; x = x->next)
		labelled(f, "portxdp_fragments_total", x, "", x->tot.fragments);
}

static void print_filters(FILE *f, const struct exporter *ex)
{
	const char *info = "portxdp_filter_info";
	const char *at = "portxdp_policy_applied_timestamp_seconds";
	const struct ex_filter *x;
	char more[96];

	family(f, info, "gauge",
	       "A portxdp filter: its XDP program id and a digest of its live "
	       "policy (ports and options), which changes when the policy "
	       "does.");
	for (x = ex->list; x; x = x->next) {
		snprintf(more, sizeof(more),
			 ",prog_id=\"%u\",policy_digest=\"%016" PRIx64 "\"",
			 x->prog_id, (uint64_t)x->digest);
		labelled(f, info, x, more, 1);
	}
	family(f, "portxdp_ping_open", "gauge",
	       "1 when the live policy lets ICMP echo requests pass.");
	for (x = ex->list; x; x = x->next)
		labelled(f, "portxdp_ping_open", x, "",
			 (x->flags & PX_F_PING_OPEN) ? 1 : 0);
	family(f, at, "gauge", "When the live policy was applied, unix time.");
	for (x = ex->list; x; x = x->next)
		labelled(f, at, x, "", x->applied_at);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int exporter_scrape(struct exporter *ex, FILE *f)
{
	struct ex_filter **pp, *x;
	unsigned int n = 0;
	double t0 = now_s(), secs;
	int err;

	for (x = ex->list; x; x = x->next)
		x->seen = false;
	err = ex_walk(on_entry, ex);
	if (err == -ENOMEM)
		return err;
	if (err) {
		ex->errors++;
		px_debug("exporter: cannot list %s: %s", PX_PIN_ROOT,
			 strerror(-err));
	}
	for (pp = &ex->list; (x = *pp);) {
		if (!x->seen) {
			*pp = x->next;
			filter_free(x);
			continue;
		}
		assign_series(ex, x);
		derive_rest(x);
		n++;
		pp = &x->next;
	}
	secs = now_s() - t0;

	print_packets(f, ex);
	print_filters(f, ex);
	family(f, "portxdp_exporter_filters", "gauge",
	       "Filters attached and read in this scrape.");
	fprintf(f, "portxdp_exporter_filters %u\n", n);
	family(f, "portxdp_exporter_read_errors_total", "counter",
	       "Filters or folders the exporter could not read.");
	fprintf(f, "portxdp_exporter_read_errors_total %" PRIu64 "\n",
		(uint64_t)ex->errors);
	family(f, "portxdp_exporter_read_duration_seconds", "gauge",
	       "Time this scrape spent reading the filters' maps.");
	fprintf(f, "portxdp_exporter_read_duration_seconds %.6f\n", secs);
	return 0;
}
