// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Durations: "30s", "10m", "2h", "1d", "1h30m", "1d 2h" in, "1d 2h" out.
 * See duration.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "duration.h"

static const struct {
	char unit;
	unsigned long secs;
} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

#define NUNITS (sizeof(units) / sizeof(units[0]))

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int duration_parse(const char *s, size_t len, unsigned long max,
		   unsigned long *secs)
{
	unsigned long long total = 0, n;
	size_t i = 0, u = 0, start;

	do {
		/* "1d 2h", as duration_format() writes it: one space */
		if (i && s[i] == ' ' && i + 1 < len && is_digit(s[i + 1]))
			i++;
		start = i;
		for (n = 0; i < len && is_digit(s[i]); i++) {
			n = n * 10 + (unsigned long long)(s[i] - '0');
			if (n > 1ULL << 40)
				return -ERANGE;
		}
		if (i == start)
			return -EINVAL;
		if (i == len) {
			if (start) /* "1h30": a unit after each number */
				return -EINVAL;
			total = n; /* a plain number: seconds */
			break;
		}
		/* each unit once, the larger first: "1h30m", not "30m1h" */
		while (u < NUNITS && s[i] != units[u].unit)
			u++;
		if (u == NUNITS)
			return -EINVAL;
		total += n * units[u++].secs;
		i++;
	} while (i < len);
	if (!total || total > max)
		return -ERANGE;
	*secs = (unsigned long)total;
	return 0;
}

const char *duration_format(char *buf, size_t size, unsigned long long secs)
{
	size_t u = 0;
	unsigned long long a, b;

	while (u + 1 < NUNITS && secs < units[u].secs)
		u++;
	a = secs / units[u].secs;
	b = u + 1 < NUNITS ? secs % units[u].secs / units[u + 1].secs : 0;
	if (b)
		snprintf(buf, size, "%llu%c %llu%c", a, units[u].unit, b,
			 units[u + 1].unit);
	else
		snprintf(buf, size, "%llu%c", a, units[u].unit);
	return buf;
}
