// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctrbench: what the per-port counters cost as the CPU count grows, for
 * `make bench` (tests/bench/counters.sh). For each CPU count it builds
 * synthetic slices in memory, filled with made-up counts, and times one
 * full read: the summing code `stats` runs on its mmap of the map
 * (maps_sum_counters() in user/maps.c, linked from the build), beside the
 * summing of the layout before it (kept here only, for comparison: one
 * __u64 dropped/passed pair per key per CPU), and the whole of what
 * `stats --json` does with a reading (rows, sort, JSON to /dev/null) on
 * top of the new summing. It prints a markdown table of
 * memory per CPU count and the median read time (this thread's CPU time);
 * the two readings must give the same numbers.
 *
 *   ctrbench [-r RUNS] [NCPU...]      (default: 5 runs; 2 16 64 256)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#include "portxdp.h"
#include "maps.h"
#include "stats.h"

#define MIB (1024.0 * 1024.0)

/* The old layout: 16 bytes per key per CPU, one slice per CPU. */
struct old_counter {
	__u64 dropped;
	__u64 passed;
};

/* The old summing code of maps_read_counters(), as it was. */
static void old_sum(const struct old_counter *all, __u32 slices,
		    struct px_port_counter *out)
{
	memcpy(out, all, sizeof(*out) * PX_COUNTER_KEYS);
	for (__u32 c = 1; c < slices; c++) {
		const struct old_counter *s = all + (size_t)c * PX_COUNTER_KEYS;

		for (__u32 k = 0; k < PX_COUNTER_KEYS; k++) {
			out[k].dropped += s[k].dropped;
			out[k].passed += s[k].passed;
		}
	}
}

/* This thread's CPU time: a busy, shared machine does not inflate it. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Made-up counts, the same in both layouts: every 16th key has hits. */
static void fill(void *map, struct old_counter *old, __u32 ncpu)
{
	struct px_slice *s = (struct px_slice *)map + PX_CTR_FIXED;
	__u64 *wd = (__u64 *)((struct px_slice *)map + PX_CTR_WRAPS_DROPPED);
	__u64 *begun = (__u64 *)((struct px_slice *)map + PX_CTR_BEGUN);
	__u32 seed = 1;

	for (__u32 c = 0; c < ncpu; c++) {
		for (__u32 k = 0; k < PX_COUNTER_KEYS; k += 16) {
			seed = seed * 1103515245 + 12345;
			s[c].slot[k].dropped = (seed >> 8) & 0xffff;
			s[c].slot[k].passed = (seed >> 16) & 0x3ff;
			old[(size_t)c * PX_COUNTER_KEYS + k].dropped =
				s[c].slot[k].dropped;
			old[(size_t)c * PX_COUNTER_KEYS + k].passed =
				s[c].slot[k].passed;
		}
	}
	/* Some wraps done, as begun says: a consistent map. */
	for (__u32 k = 0; k < PX_COUNTER_KEYS; k += 7) {
		wd[k] = 3;
		begun[k] = 3;
		old[k].dropped += 3ULL * PX_SLOT_WRAP;
	}
}

/* What `stats IF --json` does with the map: read, rows, sort, print. */
static void json(const void *map, __u32 ncpu, struct px_port_counter *cur,
		 struct stats_row *rows, const struct px_policy *pol, FILE *f)
{
	struct stats_view v = {.ifname = "eth0"};

	if (maps_sum_counters(map, ncpu, cur))
		return;
	v.nrows = stats_collect(cur, NULL, 0, pol, rows);
	stats_sort(rows, v.nrows, false);
	v.rows = rows;
	v.shown = v.nrows;
	stats_print_json(f, &v);
	fflush(f);
}

static int bench(__u32 ncpu, int runs, bool print)
{
	size_t new_size =
		(size_t)PX_CTR_ENTRIES(ncpu) * sizeof(struct px_slice);
	size_t old_size =
		(size_t)ncpu * PX_COUNTER_KEYS * sizeof(struct old_counter);
	struct px_port_counter *a = calloc(PX_COUNTER_KEYS, sizeof(*a));
	struct px_port_counter *b = calloc(PX_COUNTER_KEYS, sizeof(*b));
	void *map = calloc(1, new_size);
	struct old_counter *old = calloc(1, old_size);
	struct stats_row *rows = calloc(PX_COUNTER_KEYS, sizeof(*rows));
	static struct px_policy pol;
	double tn[64], to[64], tj[64], t;
	FILE *null = fopen("/dev/null", "w");
	int err = 0;

	if (!a || !b || !map || !old || !rows || !null) {
		fprintf(stderr, "ctrbench: %u CPUs: out of memory\n", ncpu);
		err = -ENOMEM;
		goto out;
	}
	fill(map, old, ncpu);
	maps_sum_counters(map, ncpu, a); /* warm: first-touch page faults */
	old_sum(old, ncpu, b);
	for (int r = 0; r < runs; r++) {
		t = now();
		err = maps_sum_counters(map, ncpu, a);
		tn[r] = (now() - t) * 1e3;
		t = now();
		old_sum(old, ncpu, b);
		to[r] = (now() - t) * 1e3;
		t = now();
		json(map, ncpu, a, rows, &pol, null);
		tj[r] = (now() - t) * 1e3;
		if (err || memcmp(a, b, sizeof(*a) * PX_COUNTER_KEYS)) {
			fprintf(stderr,
				"ctrbench: %u CPUs: the layouts disagree\n",
				ncpu);
			err = err ? err : -EINVAL;
			goto out;
		}
	}
	if (print)
		printf("| %u | %.1f MiB | %.1f MiB | %.1f MiB | %.2f ms | %.2f "
		       "ms | "
		       "%.2f ms |\n",
		       ncpu, new_size / MIB, old_size / MIB, ncpu * 0.5,
		       median(tn, runs), median(to, runs), median(tj, runs));
out:
	if (null)
		fclose(null);
	free(rows);
	free(a);
	free(b);
	free(map);
	free(old);
	return err;
}

int main(int argc, char **argv)
{
	static const __u32 dflt[] = {2, 16, 64, 256};
	int runs = 5, c, err = 0;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r') {
			fprintf(stderr, "usage: %s [-r RUNS] [NCPU...]\n",
				argv[0]);
			return 2;
		}
		runs = atoi(optarg);
		if (runs < 1 || runs > 64)
			runs = 5;
	}
	/* The process's first rounds run slower (allocator, page cache):
	 * one unprinted round first. */
	bench(2, 3, false);
	printf("| CPUs | counter memory | before (2 MiB/CPU) | xdp-filter "
	       "(512 KiB/CPU) | one full read (sum) | before | read + "
	       "`stats --json` work, 8192 ports with hits |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|\n");
	if (optind == argc)
		for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
			err |= bench(dflt[i], runs, true);
	for (int i = optind; i < argc; i++)
		err |= bench((__u32)strtoul(argv[i], NULL, 10), runs, true);
	return err ? 1 : 0;
}
