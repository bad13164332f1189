// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * promcheck [FILE]: check that FILE (or stdin) is valid Prometheus text
 * exposition format under the strict rules of promparse.h, as the e2e
 * tests need for `portxdp stats --prometheus`. Prints "ok: F families,
 * S samples" and exits 0, or "promcheck: LINE: why" and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "promparse.h"

int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
	struct prom_result r;
	char *text = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(argv[1]);
		return 2;
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			text = realloc(text, cap + 1);
			if (!text)
				return 2;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n);
	text[len] = '\0';
	if (strlen(text) != len) {
		fprintf(stderr, "promcheck: NUL byte in the input\n");
		return 1;
	}
	if (prom_check(text, &r)) {
		fprintf(stderr, "promcheck: line %d: %s\n", r.line, r.msg);
		free(text);
		return 1;
	}
	printf("ok: %d families, %d samples\n", r.families, r.samples);
	free(text);
	return 0;
}
