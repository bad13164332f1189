// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxfill: put made-up hits on a filter's per-port counters, for the
 * exporter's benchmark and series-bound test, without sending a packet:
 *   pxfill PIN_DIR N
 * gives the first N keys (tcp 0-65535, then udp) of CPU 0's slice of the
 * pinned counter map (include/portxdp.h) dropped = key + 1 and passed = 1,
 * through a writable mmap of the map. N up to 131072.
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
	struct px_port_counter *c;
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
	size = PX_COUNTER_KEYS * sizeof(*c);
	c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED) {
		fprintf(stderr, "pxfill: mmap: %s\n", strerror(errno));
		return 1;
	}
	for (unsigned long k = 0; k < n; k++) {
		c[k].dropped = k + 1;
		c[k].passed = 1;
	}
	munmap(c, size);
	return 0;
}
