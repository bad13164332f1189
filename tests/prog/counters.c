// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-port counters across a wrap (include/portxdp.h): 16-bit slots per
 * CPU plus shared wrap counts. Read the way `stats` reads them (user/maps.c)
 * and printed the way `stats --prometheus` prints them (user/stats.c):
 *   - a slot forced to 65535 through the mmap takes one more packet, and
 *     the count is exact (the wrap moved 65536 into the shared part), for
 *     dropped and passed alike, then exact again after 200,000 more;
 *   - while one thread runs packets through wrap after wrap, another
 *     prints Prometheus text over and over: the port's counter never
 *     decreases, and ends exact.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include "px_prog.h"
#include "stats.h"

#define OPEN_UDP 5353
#define CLOSED_TCP 7777

static struct px_policy pol;

/* The whole counter map, writable: the test's own way to force a wrap. */
static struct {
	void *map;
	size_t size;
	__u32 slices;
} raw;

static int raw_map(void)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(px.counters_fd, &info, &len))
		return -errno;
	raw.slices = info.max_entries - PX_CTR_FIXED;
	raw.size = (size_t)info.max_entries * info.value_size;
	raw.map = mmap(NULL, raw.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       px.counters_fd, 0);
	return raw.map == MAP_FAILED ? -errno : 0;
}

static struct px_slot *slot(__u32 cpu, __u32 key)
{
	struct px_slice *s = (struct px_slice *)raw.map + PX_CTR_FIXED + cpu;

	return &s->slot[key];
}

/* Finished wraps of key: entry PX_CTR_WRAPS_{DROPPED,PASSED} + proto. */
static __u64 wraps(__u32 entry, __u32 key)
{
	const struct px_slice *e =
		(const struct px_slice *)raw.map + entry + key / PX_PORTS;

	return ((const __u64 *)e)[key % PX_PORTS];
}

static bool setup(void)
{
	if (!px_ready())
		return false;
	if (!raw.map && !ASSERT_OK(raw_map(), "mmap the counter map"))
		return false;
	pol_init(&pol, false, 0);
	pol_set(&pol, PX_UDP, OPEN_UDP, true);
	return INSTALL(&pol);
}

static int run_n(const struct pkt *p, __u32 repeat, __u32 *ret)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b,
		    .data_size_in = (__u32)p->len, .repeat = repeat);
	int err = bpf_prog_test_run_opts(px.prog_fd, &opts);

	*ret = opts.retval;
	return err ? -errno : 0;
}

/* Every CPU's slot of key at 65535, so the next packet wraps on any CPU. */
static void force_full(__u32 key, bool drop)
{
	for (__u32 c = 0; c < raw.slices; c++) {
		if (drop)
			slot(c, key)->dropped = PX_SLOT_MAX;
		else
			slot(c, key)->passed = PX_SLOT_MAX;
	}
}

static void wrap_one(const char *what, const struct pkt *p, __u32 key,
		     bool drop)
{
	static struct px_port_counter all[PX_COUNTER_KEYS];
	struct px_port_counter c0, c1;
	__u64 base = (__u64)raw.slices * PX_SLOT_MAX;
	__u32 entry = drop ? PX_CTR_WRAPS_DROPPED : PX_CTR_WRAPS_PASSED;
	__u32 ret = 0;
	char m[96];

	force_full(key, drop);
	if (!ASSERT_OK(px_counter(key, &c0), "read counter"))
		return;
	snprintf(m, sizeof(m), "%s: count before the wrap", what);
	ASSERT_EQ(drop ? c0.dropped : c0.passed, base, m);

	if (!ASSERT_OK(run_n(p, 1, &ret), "test run"))
		return;
	ASSERT_EQ(ret, drop ? XDP_DROP : XDP_PASS, "verdict");
	snprintf(m, sizeof(m), "%s: the slot wrapped once", what);
	ASSERT_EQ(wraps(entry, key), 1, m);
	ASSERT_OK(px_counter(key, &c1), "read counter");
	snprintf(m, sizeof(m), "%s: count after the wrap", what);
	ASSERT_EQ(drop ? c1.dropped : c1.passed, base + 1, m);
	snprintf(m, sizeof(m), "%s: the other side did not move", what);
	ASSERT_EQ(drop ? c1.passed : c1.dropped, drop ? c0.passed : c0.dropped,
		  m);

	/* Three more wraps on this CPU, the full read as `stats` does it. */
	if (!ASSERT_OK(run_n(p, 200000, &ret), "test run"))
		return;
	ASSERT_OK(maps_read_counters(px.counters_fd, all), "read counters");
	snprintf(m, sizeof(m), "%s: count after 200,000 more", what);
	ASSERT_EQ(drop ? all[key].dropped : all[key].passed, base + 1 + 200000,
		  m);
	ASSERT_EQ(wraps(entry, key), 4, "wraps after 200,000 more");
}

static void counter_exact_across_a_wrap(void)
{
	cpu_set_t one, all;
	struct pkt p;

	if (!setup())
		return;
	/* On one CPU, so the wraps after the first are known: 3 more. */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_getaffinity(0, sizeof(all), &all);
	sched_setaffinity(0, sizeof(one), &one);
	pkt_udp4(&p, OPEN_UDP);
	wrap_one("udp passed", &p, PX_UDP * PX_PORTS + OPEN_UDP, false);
	pkt_tcp6(&p, CLOSED_TCP);
	wrap_one("tcp dropped", &p, PX_TCP * PX_PORTS + CLOSED_TCP, true);
	sched_setaffinity(0, sizeof(all), &all);
}

/* ---- Prometheus while wraps happen ---------------------------------- */

static volatile int stop;
static unsigned long long sent;

static void *sender(void *arg)
{
	const struct pkt *p = arg;
	__u32 ret;

	while (!stop) {
		if (run_n(p, 65536, &ret))
			break;
		sent += 65536;
	}
	return NULL;
}

/* The passed counter of udp/OPEN_UDP in one `stats --prometheus` text. */
static int prom_read(struct px_port_counter *cur, struct stats_row *rows,
		     unsigned long long *val)
{
	struct stats_view v = {.ifname = "test0"};
	char *text = NULL, *line;
	size_t len = 0;
	FILE *f;
	int err = maps_read_counters(px.counters_fd, cur);

	if (err)
		return err;
	err = maps_read_totals(px.totals_fd, -1, cur, &v.totals);
	if (err)
		return err;
	v.rows = rows;
	v.nrows = v.shown = stats_collect(cur, NULL, 0, &pol, rows);
	f = open_memstream(&text, &len);
	if (!f)
		return -errno;
	stats_print_prometheus(f, &v);
	fclose(f);
	line = strstr(text, "portxdp_port_passed_packets_total{interface="
			    "\"test0\",port=\"5353\",proto=\"udp\"");
	err = line ? 0 : -ENOENT;
	if (line)
		*val = strtoull(strchr(line, '}') + 1, NULL, 10);
	free(text);
	return err;
}

static void prometheus_never_decreases_across_wraps(void)
{
	static struct px_port_counter cur[PX_COUNTER_KEYS];
	static struct stats_row rows[PX_COUNTER_KEYS];
	__u32 key = PX_UDP * PX_PORTS + OPEN_UDP;
	unsigned long long prev = 0, val = 0, reads = 0, back = 0;
	unsigned long long w0;
	struct timespec t0, t;
	pthread_t th;
	struct pkt p;

	if (!setup())
		return;
	pkt_udp4(&p, OPEN_UDP);
	if (!ASSERT_OK(prom_read(cur, rows, &prev), "first reading"))
		return;
	w0 = wraps(PX_CTR_WRAPS_PASSED, key);
	stop = 0;
	if (!ASSERT_OK(pthread_create(&th, NULL, sender, &p), "thread"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (!ASSERT_OK(prom_read(cur, rows, &val), "reading"))
			break;
		reads++;
		if (val < prev && back++ < 5)
			printf("  went back from %llu to %llu\n", prev, val);
		prev = val;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 2);
	stop = 1;
	pthread_join(th, NULL);
	printf("  %llu readings during %llu wraps, %llu went back\n", reads,
	       (unsigned long long)wraps(PX_CTR_WRAPS_PASSED, key) - w0, back);
	ASSERT_EQ(back, 0, "readings that went back");
	ASSERT_TRUE(wraps(PX_CTR_WRAPS_PASSED, key) - w0 >= 10,
		    "at least 10 wraps happened during the readings");
	ASSERT_OK(prom_read(cur, rows, &val), "last reading");
	ASSERT_EQ(val, (__u64)raw.slices * PX_SLOT_MAX + 1 + 200000 + sent,
		  "exact count at the end");
}

int main(void)
{
	px_setup();
	RUN(counter_exact_across_a_wrap);
	RUN(prometheus_never_decreases_across_wraps);
	if (raw.map)
		munmap(raw.map, raw.size);
	px_teardown();
	return check_exit();
}
