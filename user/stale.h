/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pins that outlived their filter: a folder under /sys/fs/bpf/portxdp whose
 * bpf_link is no longer attached to any interface, because the interface
 * or its whole network namespace was deleted. `status` lists them;
 * `portxdp detach --stale` removes them, in every namespace at once.
 */
#ifndef PX_STALE_H
#define PX_STALE_H

/*
 * `portxdp detach --stale`: remove every pin folder whose link is attached
 * to nothing (or that has no link pin at all), in any network namespace's
 * folder, under the pins lock. Filters still attached are never touched.
 * Prints one line per folder removed. Returns a PX_EXIT_* status.
 */
int detach_stale(void);

#endif
