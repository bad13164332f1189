/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading and writing the filter's maps (layouts in include/portxdp.h):
 * the live policy, swapped whole; the per-CPU counters, read through one mmap
 * and summed over CPUs with their wraps.
 */
#ifndef PX_MAPS_H
#define PX_MAPS_H

#include <linux/types.h>

#include "portxdp.h"

/* Copy the live policy out of the outer policy map. 0 or -errno. */
int maps_read_policy(int outer_fd, struct px_policy *out);

/*
 * Make pol the live policy atomically: build a new inner map holding the
 * whole policy, then swap it into the outer map's one slot. Stamps
 * applied_at when it is 0. A failure before the swap changes nothing.
 * 0 or -errno (not printed: the caller names the interface).
 */
int maps_install_policy(int outer_fd, struct px_policy *pol);

/*
 * Totals summed over CPUs. The program counts a packet judged by its port
 * in that port's counter only (one add less on the fast path), so the
 * totals' dropped and passed are the totals map's own plus the sums of
 * ports[] (what maps_read_counters() read). With ports NULL they cover
 * only the packets without a port counter. A banned source's drops count
 * in the ban cache ban_cache_fd only (bans_cache_dropped): added to
 * banned and dropped; -1 (a program without the cache) adds none.
 * 0 or -errno.
 */
int maps_read_totals(int totals_fd, int ban_cache_fd,
		     const struct px_port_counter *ports,
		     struct px_totals *out);

/*
 * Every per-port counter summed over CPUs into out[PX_COUNTER_KEYS]
 * (index proto * PX_PORTS + port), through one mmap of the map. 0 or -errno.
 * Counters never go backwards between two calls.
 */
int maps_read_counters(int counters_fd, struct px_port_counter *out);

/*
 * The summing behind maps_read_counters(), on a mapping of the whole counter
 * map with nslices CPU slices (layout and wrap protocol in
 * include/portxdp.h): exact, and never behind an earlier reading. Public
 * so the benchmark can run it on synthetic slices of any CPU count.
 * 0, -ENOMEM, or -EBUSY when a key wrapped during each of many re-reads.
 */
int maps_sum_counters(const void *map, __u32 nslices,
		      struct px_port_counter *out);

/* One counter (key = proto * PX_PORTS + port) summed over CPUs. */
int maps_read_counter(int counters_fd, __u32 key, struct px_port_counter *out);

/*
 * The counter map kept mapped, for readers that read often (the tests,
 * --watch): maps_read_counter(s) without the mmap each time. open: NULL
 * with errno set; read and read_key as maps_read_counters/_counter.
 */
struct maps_counters;
struct maps_counters *maps_counters_open(int counters_fd);
int maps_counters_read(const struct maps_counters *m,
		       struct px_port_counter *out);
int maps_counters_read_key(const struct maps_counters *m, __u32 key,
			   struct px_port_counter *out);
void maps_counters_close(struct maps_counters *m);

/* Number of possible CPUs (per-CPU value count). */
int maps_ncpus(void);

#endif
