/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Applying a policy file to a running filter: the one code path of
 * `portxdp apply` (cmd_apply.c), shared with `portxdp follow`.
 */
#ifndef PX_APPLY_H
#define PX_APPLY_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Make FILE the live policy of IF's filter atomically, keeping the
 * counters, and print one line saying what changed. A file with errors
 * changes nothing: its errors and warnings go to report, then one line
 * names the file. force: close even this SSH session's port. confirm:
 * seconds before the change undoes itself unless confirmed (0: never).
 * Returns PX_EXIT_OK, PX_EXIT_FAIL or PX_EXIT_USAGE (bad FILE).
 */
int apply_file(const char *ifname, const char *file, bool force,
	       unsigned int confirm, FILE *report);

#endif
