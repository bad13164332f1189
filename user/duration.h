/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Durations as people write them and read them: "30s", "10m", "2h", "1d"
 * (a plain number is seconds), for the ban rule's window and length and
 * `ban --for`. The one parser and the one formatter.
 */
#ifndef PX_DURATION_H
#define PX_DURATION_H

#include <stddef.h>

/*
 * s[0..len): digits, then at most one unit of s, m, h or d. 1 to max
 * seconds into *secs. 0, -EINVAL (not a duration), -ERANGE (0 or over
 * max).
 */
int duration_parse(const char *s, size_t len, unsigned long max,
		   unsigned long *secs);

/* "1d 2h", "9m 59s", "42s": at most two units, the larger first. */
const char *duration_format(char *buf, size_t size, unsigned long long secs);

#endif
