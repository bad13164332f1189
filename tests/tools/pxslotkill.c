// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxslotkill: kill a process the moment an ARRAY_OF_MAPS it is writing
 * changes, for tests/e2e/atomic.sh's SIGKILL test with zones. An apply
 * puts its new zone maps in the free slot of the pinned outer maps, then
 * swaps the base policy (include/portxdp.h, "Zones"); killed right after
 * the first slot changes, it dies between its maps and its swap, the one
 * moment where a packet could see two versions if the swap were not
 * atomic. A shell loop over bpftool is too slow for that window.
 *   pxslotkill PIN PID     polls PIN's two slots (the inner maps' ids)
 * until one changes or PID is gone, then sends PID SIGKILL. Prints
 * "changed" or "gone". Waits at most 30 s. On the policy's outer map
 * (one slot) it kills right after the swap of the base policy.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>

static void slots(int fd, __u32 id[2])
{
	for (__u32 k = 0; k < 2; k++)
		if (bpf_map_lookup_elem(fd, &k, &id[k]))
			id[k] = 0;
}

int main(int argc, char **argv)
{
	__u32 was[2], now[2];
	struct timespec t0, t;
	pid_t pid;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: pxslotkill PIN PID\n");
		return 2;
	}
	pid = (pid_t)strtol(argv[2], NULL, 10);
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || pid <= 0) {
		fprintf(stderr, "pxslotkill: cannot open %s\n", argv[1]);
		return 2;
	}
	slots(fd, was);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		slots(fd, now);
		if (now[0] != was[0] || now[1] != was[1]) {
			kill(pid, SIGKILL);
			printf("changed\n");
			return 0;
		}
		if (kill(pid, 0) && errno == ESRCH) {
			printf("gone\n");
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 30) {
			kill(pid, SIGKILL);
			printf("timeout\n");
			return 1;
		}
	}
}
