// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the counter reader in user/maps.c (maps_sum_counters), on
 * a counter map laid out in memory as include/portxdp.h says, frozen at
 * each step of a wrap as the XDP program makes it (begun += 1, slot = 0,
 * wraps += 1): a reading is exact where the map is consistent, and the
 * half-done states are refused (-EBUSY after the re-reads), never turned
 * into a count that is too low or too high.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "maps.h"

#define NCPU 3
#define KEY (PX_UDP * PX_PORTS + 5353)

static struct px_slice *map;
static struct px_port_counter *out;

static __u64 *entry64(__u32 e, __u32 key)
{
	return (__u64 *)&map[e + key / PX_PORTS] + key % PX_PORTS;
}

static struct px_slot *slot(__u32 cpu, __u32 key)
{
	return &map[PX_CTR_FIXED + cpu].slot[key];
}

static bool setup(void)
{
	free(map);
	free(out);
	map = calloc(PX_CTR_ENTRIES(NCPU), sizeof(*map));
	out = calloc(PX_COUNTER_KEYS, sizeof(*out));
	return ASSERT_TRUE(map && out, "memory");
}

static void test_exact_sum_of_wraps_and_slots(void)
{
	if (!setup())
		return;
	for (__u32 c = 0; c < NCPU; c++) {
		slot(c, KEY)->dropped = 100 + c;
		slot(c, KEY)->passed = PX_SLOT_MAX;
		slot(c, 0)->passed = 1;
	}
	*entry64(PX_CTR_WRAPS_DROPPED, KEY) = 2;
	*entry64(PX_CTR_WRAPS_PASSED, KEY) = 5;
	*entry64(PX_CTR_BEGUN, KEY) = 7;
	ASSERT_OK(maps_sum_counters(map, NCPU, out), "read");
	ASSERT_EQ(out[KEY].dropped, 2ULL * 65536 + 100 + 101 + 102, "dropped");
	ASSERT_EQ(out[KEY].passed, 5ULL * 65536 + 3ULL * 65535, "passed");
	ASSERT_EQ(out[0].passed, NCPU, "tcp 0 passed");
	ASSERT_EQ(out[KEY + 1].dropped + out[KEY + 1].passed, 0, "untouched");
}

/* One packet on CPU 1 wraps KEY's passed slot, step by step. */
static void test_half_done_wrap_is_never_read(void)
{
	__u64 before;

	if (!setup())
		return;
	for (__u32 c = 0; c < NCPU; c++)
		slot(c, KEY)->passed = PX_SLOT_MAX;
	ASSERT_OK(maps_sum_counters(map, NCPU, out), "read before");
	before = out[KEY].passed;
	ASSERT_EQ(before, 3ULL * 65535, "before the wrap");

	/* 1. begun += 1: the slot still holds 65535. */
	*entry64(PX_CTR_BEGUN, KEY) += 1;
	ASSERT_EQ(maps_sum_counters(map, NCPU, out), -EBUSY,
		  "wrap begun, slot not reset: refused");
	/* 2. slot = 0: a plain sum would be 65535 short. */
	slot(1, KEY)->passed = 0;
	ASSERT_EQ(maps_sum_counters(map, NCPU, out), -EBUSY,
		  "slot reset, wraps not added: refused");
	/* 3. wraps += 1: consistent again, one packet more than before. */
	*entry64(PX_CTR_WRAPS_PASSED, KEY) += 1;
	ASSERT_OK(maps_sum_counters(map, NCPU, out), "read after");
	ASSERT_EQ(out[KEY].passed, before + 1, "after the wrap");
}

int main(void)
{
	RUN(test_exact_sum_of_wraps_and_slots);
	RUN(test_half_done_wrap_is_never_read);
	free(map);
	free(out);
	return check_exit();
}
