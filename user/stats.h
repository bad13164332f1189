/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The logic behind `portxdp stats` (doc/design.md, section 6), kept free of
 * maps, clocks and terminals so the unit tests can drive it with made-up
 * numbers: turning one or two readings of the per-port counters into rows,
 * rates and an order, and printing them as a table, as JSON or in the
 * Prometheus text format. cmd_stats.c reads the maps and the clock and calls
 * these.
 */
#ifndef PX_STATS_H
#define PX_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

#include "portxdp.h"

/* One (protocol, port) with hits. */
struct stats_row {
	unsigned int port;
	int proto;	  /* PX_TCP or PX_UDP */
	bool open;	  /* state in the live policy */
	const char *name; /* table or /etc/services name; NULL when unknown */
	__u64 dropped, passed;
	double dropped_rate, passed_rate; /* per second; valid with rates */
};

/*
 * Rows for every (protocol, port) of cur[PX_COUNTER_KEYS] with any hits,
 * in key order, into rows[PX_COUNTER_KEYS]. With prev (an earlier reading
 * secs seconds before) each row gets its rates from the difference of the
 * two readings; a counter that went backwards (the filter was attached
 * again in between) counts from zero. pol gives each port's state.
 * Names are left NULL: see stats_name_rows(). Returns the number of rows.
 */
size_t stats_collect(const struct px_port_counter *cur,
		     const struct px_port_counter *prev, double secs,
		     const struct px_policy *pol, struct stats_row *rows);

/* A port's name: table_port_name() in the CLI, a stub in the tests. */
typedef const char *(*stats_name_fn)(int proto, unsigned int port);

/*
 * Name the first n rows. Done after sorting and cutting to --top, because a
 * name may come from a scan of /etc/services: only the rows shown pay.
 */
void stats_name_rows(struct stats_row *rows, size_t n, stats_name_fn name_of);

/* The rate of a counter between two readings secs apart (see above). */
double stats_rate(__u64 cur, __u64 prev, double secs);

/*
 * Most hits first: by dropped + passed, or, with by_rate, by the sum of the
 * rates first and the hits after that (what `--watch` shows). Ties go by
 * protocol (tcp first), then port, so the order is stable between frames.
 */
void stats_sort(struct stats_row *rows, size_t n, bool by_rate);

/* Everything one frame of output shows. */
/* One zone's counts (doc/design.md, section 8). */
struct stats_zone {
	char name[PX_ZONE_NAME_LEN];
	__u64 dropped, passed, blocked;
};

struct stats_view {
	const char *ifname;
	const struct stats_zone *zones; /* the live policy's, or NULL */
	size_t nzones;
	const struct stats_row *rows;
	size_t nrows; /* rows with hits */
	size_t shown; /* rows to show (the first `shown` of rows) */
	struct px_totals totals;
	bool ping_open;
	bool rates;	 /* the *_rate fields below and in rows are valid */
	double interval; /* seconds between the two readings */
	double ping_dropped_rate, ping_passed_rate;
	double dropped_rate, passed_rate; /* of the totals */
	long long time;	       /* unix seconds of the reading, for --watch */
	const char *more_hint; /* after "N more; ", e.g. "--all to see them" */
};

/* Fill the ping and totals rates of v from two readings of the totals. */
void stats_view_rates(struct stats_view *v, const struct px_totals *prev,
		      double secs);

/*
 * The table for people: a header, one line per shown row, "N more; HINT"
 * when rows were left out, the ping row, then the totals. eol ends every
 * line ("\n", or "\033[K\n" to clear what an earlier frame left on a
 * terminal).
 */
void stats_print_table(FILE *f, const struct stats_view *v, const char *eol);

/*
 * doc/design.md section 6 JSON, one object on one line. With v->rates it adds
 * "time", "interval" and *_rate keys; section 6's keys stay as they are.
 */
void stats_print_json(FILE *f, const struct stats_view *v);

/* The Prometheus text exposition format (version 0.0.4). */
void stats_print_prometheus(FILE *f, const struct stats_view *v);

/*
 * Parse a --watch argument: 0.1 to 86400 seconds ("2", "0.5"). 0, -EINVAL
 * (not a number) or -ERANGE (a number out of that range, "0.05").
 * (Whole numbers, --top and --count: cli_parse_ulong.)
 */
int stats_parse_secs(const char *s, double *out);

#endif
