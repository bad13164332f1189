// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp stats IF: per-port hit counts (doc/design.md, section 6) as a table,
 * JSON or Prometheus text, once or every few seconds with --watch. This file
 * reads the pinned maps, the clocks and the terminal; everything it prints is
 * computed by the pure functions in stats.c. A rate is always the difference
 * of two real readings divided by the time between them, so --watch shows
 * no rates until its second reading.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "maps.h"
#include "maps_zone.h"
#include "filter.h"
#include "policy.h"
#include "stats.h"
#include "table.h"
#include "text.h"

#define STATS_DEFAULT_TOP 20
#define STATS_DEFAULT_SECS 1.0

static const struct px_opt opts[] = {
	PX_OPT("top", 'n', "N",
	       "show the N ports with most hits (default 20 in\n"
	       "the table; --json and --prometheus list every\n"
	       "port with hits unless --top is given)"),
	PX_OPT("all", 'a', NULL, "show every port with hits"),
	PX_OPTF("watch", 'w', "SECS",
		"read again every SECS seconds (default 1, at\n"
		"least 0.1) and show each port's rate per second\n"
		"between the last two readings, sorted by rate;\n"
		"`--watch 5` works too. On a terminal the table\n"
		"is redrawn in place until Ctrl-C; otherwise one\n"
		"timestamped block per interval, for a log",
		PX_OPT_OPTIONAL_ARG),
	PX_OPT("count", 'c', "N", "with --watch, stop after N intervals"),
	PX_OPT("json", 'j', NULL,
	       "one JSON object (doc/design.md, section 6); with\n"
	       "--watch one per line per interval, adding time,\n"
	       "interval and *_rate keys"),
	PX_OPT("prometheus", 'p', NULL,
	       "Prometheus text format, for node_exporter's\n"
	       "textfile collector: write to a temporary file\n"
	       "and rename it into the collector's folder"),
	{0},
};

const struct px_cmd px_cmd_stats = {
	.name = "stats",
	.run = cmd_stats,
	.usage = "IF [--top N | --all] [--watch [SECS] [--count N]] "
		 "[--json | --prometheus]",
	.summary = "per-port hit counts",
	.opts = opts,
	.about = "Packets dropped and passed per TCP/UDP port on IF since "
		 "attach, most\n"
		 "hits first, with each port's name and its state in the live "
		 "policy;\n"
		 "then the ping row, 'other' (what no port or ping counted: "
		 "malformed,\n"
		 "later fragments, non-IP, other ICMP and IP protocols, drops "
		 "of blocked\n"
		 "and banned sources), and the totals, which the rows add up "
		 "to (banned:\n"
		 "drops of banned sources, shown once there are some). "
		 "Counters survive\n"
		 "apply/open/close and restart at attach. Only ports with at "
		 "least one\n"
		 "hit are listed. Names come from the port table, then "
		 "/etc/services\n"
		 "('-' when neither knows the port; null in JSON, an empty "
		 "label in\n"
		 "Prometheus).\n",
	.more = "Examples:\n"
		"  portxdp stats eth0\n"
		"  portxdp stats eth0 --watch 2 --top 10\n"
		"  portxdp stats eth0 --json | jq '.ports[] | "
		"select(.state==\"closed\")'\n"
		"  portxdp stats eth0 --prometheus > "
		"/var/lib/node_exporter/portxdp.prom.$$ &&\n"
		"    mv /var/lib/node_exporter/portxdp.prom.$$ "
		"/var/lib/node_exporter/portxdp.prom\n",
};

enum stats_format { FMT_TABLE, FMT_JSON, FMT_PROM };

struct stats_opts {
	const char *ifname;
	enum stats_format fmt;
	bool watch, all, top_given;
	unsigned long top, count;
	double secs;
};

/* One reading of the three maps. */
struct reading {
	struct px_port_counter *counters;
	struct px_totals totals;
	struct px_policy policy;
	struct stats_zone zones[PX_ZONES_MAX];
	size_t nzones;
	double mono;	/* CLOCK_MONOTONIC seconds */
	long long real; /* unix seconds */
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What is wrong with a --watch value, in words. */
static int watch_secs_error(const char *arg)
{
	double d;

	if (stats_parse_secs(arg, &d) == -ERANGE)
		return cli_usage_error(
			"stats",
			"--watch %s is out of range: the interval is 0.1 to "
			"86400 seconds (shorter would measure the reading more "
			"than the traffic)",
			arg);
	return cli_usage_error("stats",
			       "--watch wants seconds between 0.1 and 86400, "
			       "not '%s'",
			       arg);
}

static int parse_opts(int argc, char **argv, struct stats_opts *o)
{
	bool json = false, prom = false, count_given = false;
	int c;

	o->secs = STATS_DEFAULT_SECS;
	o->top = STATS_DEFAULT_TOP;
	while ((c = cli_getopt(argc, argv, &px_cmd_stats)) != -1) {
		switch (c) {
		case 'n':
			if (cli_parse_ulong(optarg, 1, ULONG_MAX, &o->top))
				return cli_usage_error(
					"stats",
					"--top wants a whole number of ports "
					">= 1, not '%s'",
					optarg);
			o->top_given = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'w':
			o->watch = true;
			/* `--watch 2`: take the next word when it is a number
			 */
			if (!optarg && optind < argc &&
			    stats_parse_secs(argv[optind], &o->secs) != -EINVAL)
				optarg = argv[optind++];
			if (optarg && stats_parse_secs(optarg, &o->secs))
				return watch_secs_error(optarg);
			break;
		case 'c':
			if (cli_parse_ulong(optarg, 1, ULONG_MAX, &o->count))
				return cli_usage_error(
					"stats",
					"--count wants a whole number of "
					"intervals >= 1, not '%s'",
					optarg);
			count_given = true;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			prom = true;
			break;
		case 'h':
			return -1;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (json && prom)
		return cli_usage_error(
			"stats",
			"--json and --prometheus exclude each other: pick one");
	if (o->all && o->top_given)
		return cli_usage_error(
			"stats",
			"--top and --all exclude each other: pick one");
	if (prom && o->watch)
		return cli_usage_error(
			"stats",
			"--prometheus prints one reading, not --watch: let "
			"node_exporter (or a timer) run it");
	if (count_given && !o->watch)
		return cli_usage_error("stats", "--count goes with --watch");
	if (optind >= argc)
		return cli_usage_error(
			"stats", "which interface? e.g. 'portxdp stats eth0'");
	if (optind + 1 < argc)
		return cli_usage_error("stats",
				       "one interface only, got '%s' too",
				       argv[optind + 1]);
	o->ifname = argv[optind];
	o->fmt = json ? FMT_JSON : prom ? FMT_PROM : FMT_TABLE;
	return 0;
}

/* The live zones' names and counts; none when the policy has none. */
static void read_zones(const struct px_filter *a, struct reading *r)
{
	struct px_zone_count *n = calloc(PX_ZONE_ENTRIES, sizeof(*n));
	struct px_zoneset *zs = zoneset_new();
	struct px_zone_maps m;

	r->nzones = 0;
	filter_zone_maps(a, &m);
	if (zs && n && !maps_read_zones(&m, &r->policy, zs) &&
	    !maps_read_zone_counts(m.counts, n))
		for (unsigned int z = 1; z <= zs->nzones; z++) {
			struct stats_zone *o;

			if (!zs->zone[z].name[0]) /* a hole (maps_zone.h) */
				continue;
			o = &r->zones[r->nzones++];

			text_copy(o->name, sizeof(o->name), zs->zone[z].name);
			o->dropped = n[z].dropped;
			o->passed = n[z].passed;
			o->blocked = n[z].blocked;
		}
	zoneset_free(zs);
	free(n);
}

static int read_all(const struct px_filter *a, struct reading *r)
{
	struct timespec rt;
	double t0;
	int err;

	err = maps_read_policy(a->policy_fd, &r->policy);
	if (err) {
		px_error("cannot read the live policy of %s: %s: is the filter "
			 "still attached? see 'portxdp status'",
			 a->ifname, strerror(-err));
		return err;
	}
	t0 = now_mono();
	err = maps_read_counters(a->counters_fd, r->counters);
	if (err) {
		px_error("cannot read the port counters of %s: %s: is the "
			 "filter still attached? see 'portxdp status'",
			 a->ifname, strerror(-err));
		return err;
	}
	r->mono = now_mono();
	px_debug("read %d counters on %d CPUs in %.3f ms", PX_COUNTER_KEYS,
		 maps_ncpus(), (r->mono - t0) * 1e3);
	err = maps_read_totals(a->totals_fd, a->ban_cache_fd, r->counters,
			       &r->totals);
	if (err) {
		px_error("cannot read the totals of %s: %s: is the filter "
			 "still attached? see 'portxdp status'",
			 a->ifname, strerror(-err));
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	r->real = rt.tv_sec;
	read_zones(a, r);
	return 0;
}

/* Rows a terminal of this height can show under the header and above the
 * ping row and totals, so a redraw never scrolls. 0 when unknown. */
static size_t tty_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row == 0)
		return 0;
	return ws.ws_row > 8 ? ws.ws_row - 7 : 1;
}

/*
 * Build the view of cur (with rates against prev when given) and print it.
 * tty: redraw in place; otherwise a block or a line per call.
 */
static int show(const struct stats_opts *o, const struct reading *cur,
		const struct reading *prev, struct stats_row *rows, bool tty)
{
	struct stats_view v = {.ifname = o->ifname};
	double secs = prev ? cur->mono - prev->mono : 0;
	size_t limit = o->all ? (size_t)-1 : o->top;
	FILE *f = stdout;
	char *buf = NULL;
	size_t len = 0;

	if (!o->top_given && o->fmt != FMT_TABLE)
		limit = (size_t)-1;
	v.nrows = stats_collect(cur->counters, prev ? prev->counters : NULL,
				secs, &cur->policy, rows);
	stats_sort(rows, v.nrows, prev != NULL);
	v.rows = rows;
	v.totals = cur->totals;
	v.zones = cur->zones;
	v.nzones = cur->nzones;
	v.ping_open = cur->policy.flags & PX_F_PING_OPEN;
	v.time = cur->real;
	v.more_hint = o->all ? NULL : "--all to see them";
	if (prev)
		stats_view_rates(&v, &prev->totals, secs);
	if (tty) {
		size_t fit = tty_rows();

		if (fit && fit < limit) {
			limit = fit;
			v.more_hint = "a taller terminal shows more";
		}
	}
	v.shown = v.nrows < limit ? v.nrows : limit;
	stats_name_rows(rows, v.shown, table_port_name);

	if (tty) {
		/* one write per frame, so the redraw does not flicker */
		f = open_memstream(&buf, &len);
		if (!f)
			return -errno;
		fputs("\033[H", f);
	} else if (o->watch && o->fmt == FMT_TABLE) {
		char stamp[TEXT_TIME_LEN];

		printf("--- %s\n",
		       text_time_local(stamp, sizeof(stamp), cur->real, -1));
	}

	switch (o->fmt) {
	case FMT_JSON:
		stats_print_json(f, &v);
		break;
	case FMT_PROM:
		stats_print_prometheus(f, &v);
		break;
	default:
		stats_print_table(f, &v, tty ? "\033[K\n" : "\n");
		if (o->watch && !tty)
			fputc('\n', f);
	}

	if (tty) {
		if (!prev)
			fputs("(rates after the next reading)\033[K\n", f);
		fputs("\033[J", f);
		fclose(f);
		fwrite(buf, 1, len, stdout);
		free(buf);
	}
	fflush(stdout);
	return ferror(stdout) ? -EIO : 0;
}

/*
 * Sleep until deadline (CLOCK_MONOTONIC seconds) or SIGINT/SIGTERM. The
 * signals stay blocked except inside ppoll(), so one that comes just
 * before the wait still ends it at once.
 */
static void wait_until(double deadline, const sigset_t *unblocked)
{
	while (!stop_requested) {
		double left = deadline - now_mono();
		struct timespec ts;

		if (left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		ppoll(NULL, 0, &ts, unblocked);
	}
}

static int watch(const struct stats_opts *o, const struct px_filter *a,
		 struct reading *r0, struct reading *r1, struct stats_row *rows)
{
	bool tty = o->fmt == FMT_TABLE && isatty(STDOUT_FILENO);
	struct sigaction sa = {.sa_handler = on_stop};
	struct reading *prev = r0, *cur = r1, *tmp;
	sigset_t block, old;
	unsigned long n = 0;
	double next;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/*
	 * Readings start on a fixed grid (start + k * SECS), so the time a
	 * reading takes does not stretch every interval.
	 */
	next = now_mono() + o->secs;
	err = read_all(a, prev);
	if (err)
		goto out;
	if (tty) {
		/* hide the cursor and start from a clean screen */
		fputs("\033[?25l\033[H\033[2J", stdout);
		err = show(o, prev, NULL, rows, tty);
		if (err)
			goto out;
	}
	while (!stop_requested && (!o->count || n < o->count)) {
		wait_until(next, &old);
		if (stop_requested)
			break;
		next += o->secs;
		if (next < now_mono()) /* fell behind: no burst to catch up */
			next = now_mono() + o->secs;
		err = read_all(a, cur);
		if (err)
			break;
		err = show(o, cur, prev, rows, tty);
		if (err)
			break;
		n++;
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
out:
	if (tty) {
		fputs("\033[?25h", stdout);
		fflush(stdout);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_opts o = {0};
	struct px_filter a;
	struct reading r[2] = {0};
	struct stats_row *rows = NULL;
	int ret = PX_EXIT_FAIL, err;

	err = parse_opts(argc, argv, &o);
	if (err)
		return err < 0 ? PX_EXIT_OK : err;
	if (!filter_ifname_ok("stats", o.ifname))
		return PX_EXIT_USAGE;
	if (!cli_need_privileges("stats"))
		return PX_EXIT_FAIL;
	if (filter_open(o.ifname, &a, 0))
		return PX_EXIT_FAIL;

	r[0].counters = calloc(PX_COUNTER_KEYS, sizeof(struct px_port_counter));
	r[1].counters = calloc(PX_COUNTER_KEYS, sizeof(struct px_port_counter));
	rows = calloc(PX_COUNTER_KEYS, sizeof(*rows));
	if (!r[0].counters || !r[1].counters || !rows) {
		px_error("out of memory reading the counters of %s", o.ifname);
		goto out;
	}
	/* names come from the table; without it, /etc/services alone */
	if (table_load())
		px_debug("no port table: names from /etc/services only");

	if (o.watch)
		err = watch(&o, &a, &r[0], &r[1], rows);
	else if (!(err = read_all(&a, &r[0])))
		err = show(&o, &r[0], NULL, rows, false);
	if (err == -EIO)
		px_error("cannot write the statistics: %s", strerror(errno));
	if (!err)
		ret = PX_EXIT_OK;
out:
	free(rows);
	free(r[0].counters);
	free(r[1].counters);
	filter_close(&a);
	return ret;
}
