/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Messages for people, on stderr, one format for every command:
 *   portxdp: error: WHAT WENT WRONG: WHAT TO DO
 *   portxdp: warning: ...
 * Internal functions return -errno and print their own message where they
 * know the most; only main() turns a result into an exit status.
 */
#ifndef PX_ERR_H
#define PX_ERR_H

#include <stdbool.h>

/* Exit statuses, as doc/design.md section 2 fixes them. */
#define PX_EXIT_OK 0
#define PX_EXIT_FAIL 1	/* an operation failed */
#define PX_EXIT_USAGE 2 /* bad usage or an invalid policy */
#define PX_EXIT_FOUND 3 /* audit found something to report */

extern bool px_verbose;

void px_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void px_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void px_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void px_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* libbpf's messages go through px_debug (shown with -v only). */
void px_setup_libbpf_print(void);

#endif
