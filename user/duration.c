// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Durations: "30s", "10m", "2h", "1d" in, "1d 2h" out. See duration.h.
 */
#include <errno.h>
#include <stdio.h>

#include "duration.h"

static const struct {
	char unit;
	unsigned long secs;
} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

int duration_parse(const char *s, size_t len, unsigned long max,
		   unsigned long *secs)
{
	unsigned long long n = 0, mul = 1;
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9') {
		n = n * 10 + (unsigned long long)(s[i] - '0');
		if (n > 1ULL << 40)
			return -ERANGE;
		i++;
	}
	if (!i || len - i > 1)
		return -EINVAL;
	if (i < len) {
		mul = 0;
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			if (s[i] == units[u].unit)
				mul = units[u].secs;
		if (!mul)
			return -EINVAL;
	}
	n *= mul;
	if (!n || n > max)
		return -ERANGE;
	*secs = (unsigned long)n;
	return 0;
}

const char *duration_format(char *buf, size_t size, unsigned long long secs)
{
	size_t u = 0;
	unsigned long long a, b;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && secs < units[u].secs)
		u++;
	a = secs / units[u].secs;
	b = u + 1 < sizeof(units) / sizeof(units[0])
		    ? secs % units[u].secs / units[u + 1].secs
		    : 0;
	if (b)
		snprintf(buf, size, "%llu%c %llu%c", a, units[u].unit, b,
			 units[u + 1].unit);
	else
		snprintf(buf, size, "%llu%c", a, units[u].unit);
	return buf;
}
