// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxfill: put made-up hits on a filter's per-port counters, for the
 * exporter's benchmark and series-bound test, without sending a packet:
 *   pxfill PIN_DIR N
 * gives the first N keys (tcp 0-65535, then udp) dropped = key + 1 and
 * passed = 1, through a writable mmap of the pinned counter map
 * (include/portxdp.h): CPU 0's slots, and for dropped counts past 65535
 * finished wraps with as many started. N up to 131072. Run it on a filter
 * that has seen no traffic on those keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <linux/types.h>

#include "portxdp.h"

int main(int argc, char **argv)
{
	struct px_slice *m;
	__u64 *wd, *begun;
	char path[4096];
	unsigned long n;
	size_t size;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: pxfill PIN_DIR N\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	if (n > PX_COUNTER_KEYS)
		n = PX_COUNTER_KEYS;
	snprintf(path, sizeof(path), "%s/%s", argv[1], PX_PIN_COUNTERS);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "pxfill: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size = (size_t)PX_CTR_ENTRIES(1) * sizeof(*m);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "pxfill: mmap: %s\n", strerror(errno));
		return 1;
	}
	wd = (__u64 *)&m[PX_CTR_WRAPS_DROPPED];
	begun = (__u64 *)&m[PX_CTR_BEGUN];
	for (unsigned long k = 0; k < n; k++) {
		wd[k] += (k + 1) / PX_SLOT_WRAP;
		begun[k] += (k + 1) / PX_SLOT_WRAP;
		m[PX_CTR_FIXED].slot[k].dropped = (k + 1) % PX_SLOT_WRAP;
		m[PX_CTR_FIXED].slot[k].passed = 1;
	}
	munmap(m, size);
	return 0;
}
