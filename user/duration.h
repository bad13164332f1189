/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Durations as people write them and read them: "30s", "10m", "2h", "1d",
 * combined ("1h30m", "1d12h", or "1d 12h" as `bans` prints them), a plain
 * number is seconds; for the ban rule's window and length, `ban --for`,
 * the replies idle times and `--confirm`. The one parser and the one
 * formatter (doc/design.md, sections 9 and 10).
 */
#ifndef PX_DURATION_H
#define PX_DURATION_H

#include <stddef.h>

/* The forms duration_parse() takes, for messages. */
#define DURATION_FORMS                                                         \
	"a number with s, m, h or d (30s, 10m, 2h, 1d), combined larger "      \
	"first (1h30m), or plain seconds"

/*
 * s[0..len): a plain number (seconds), or numbers each with a unit of d,
 * h, m or s, each unit at most once and the larger first, one space
 * allowed between them. 1 to max seconds into *secs. 0, -EINVAL (not a
 * duration), -ERANGE (0 or over max).
 */
int duration_parse(const char *s, size_t len, unsigned long max,
		   unsigned long *secs);

/* "1d 2h", "9m 59s", "42s": at most two units, the larger first. */
const char *duration_format(char *buf, size_t size, unsigned long long secs);

#endif
