// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxtwostep: a deliberately NON-atomic policy change, the negative control
 * of tests/e2e/atomic.sh. A checker that never fails proves nothing, so
 * the test first shows that its traffic and counters do catch a change
 * made the way a naive loader (or "flush, then add" in two transactions)
 * would make it: the live policy map is rewritten in place, first with
 * every port closed, then with the new policy.
 *   pxtwostep save PIN FILE            copy the live policy (PIN: the pinned
 *                                      outer map) into FILE, raw
 *   pxtwostep run PIN FILE_A FILE_B N  N times, in place: all closed, then
 *                                      A or B in turn
 * It never touches a filter outside the tests' lab.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/types.h>

#include "portxdp.h"

/* The live inner map of a pinned outer map, or -1 (printed). */
static int live_inner(const char *pin)
{
	__u32 key = 0, id;
	int outer = bpf_obj_get(pin), inner;

	if (outer < 0 || bpf_map_lookup_elem(outer, &key, &id)) {
		fprintf(stderr, "pxtwostep: %s: %s\n", pin, strerror(errno));
		return -1;
	}
	inner = bpf_map_get_fd_by_id(id);
	if (inner < 0)
		fprintf(stderr, "pxtwostep: inner map %u: %s\n", id,
			strerror(errno));
	close(outer);
	return inner;
}

static int file_io(const char *path, struct px_policy *p, int write)
{
	FILE *f = fopen(path, write ? "wb" : "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = write ? fwrite(p, sizeof(*p), 1, f) : fread(p, sizeof(*p), 1, f);
	fclose(f);
	if (n != 1) {
		fprintf(stderr, "pxtwostep: %s: short %s\n", path,
			write ? "write" : "read");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct px_policy a, b, none; /* none: every port closed */
	struct timespec gap = {0, 200000}, rest = {0, 2000000};
	__u32 key = 0;
	long n;
	int inner;

	if (argc == 4 && !strcmp(argv[1], "save")) {
		inner = live_inner(argv[2]);
		if (inner < 0 || bpf_map_lookup_elem(inner, &key, &a))
			return 1;
		return file_io(argv[3], &a, 1) ? 1 : 0;
	}
	if (argc != 6 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: pxtwostep save PIN FILE | "
				"pxtwostep run PIN FILE_A FILE_B N\n");
		return 2;
	}
	n = strtol(argv[5], NULL, 10);
	inner = live_inner(argv[2]);
	if (inner < 0 || file_io(argv[3], &a, 0) || file_io(argv[4], &b, 0))
		return 1;
	none.flags = a.flags;
	for (long i = 0; i < n; i++) {
		/* the window a two-step change opens: everything closed */
		if (bpf_map_update_elem(inner, &key, &none, BPF_ANY))
			return 1;
		nanosleep(&gap, NULL);
		if (bpf_map_update_elem(inner, &key, i % 2 ? &a : &b, BPF_ANY))
			return 1;
		nanosleep(&rest, NULL);
	}
	return 0;
}
