/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A strict checker of the Prometheus text exposition format (0.0.4), as
 * node_exporter's textfile collector reads it, so the tests can say "it
 * parses" without a Prometheus at hand. Used by tests/unit/test_stats.c on
 * formatted output and by tests/tools/promcheck.c on the real command's.
 *
 * Stricter than Prometheus where portxdp promises more: every family has
 * HELP and TYPE before its samples, a family's samples are contiguous, no
 * series appears twice, a label appears once per sample, counters end in
 * _total and are never negative or NaN, no timestamps (the textfile
 * collector rejects them), no blank lines, and the text ends in a newline.
 */
#ifndef PX_PROMPARSE_H
#define PX_PROMPARSE_H

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct prom_family {
	char name[128];
	char type[16];
	bool help, has_samples, closed;
};

struct prom_result {
	int line; /* of the first error; 0 when none */
	char msg[160];
	int families;
	int samples;
};

static inline bool prom_name_start(int c, bool colon)
{
	return isalpha(c) || c == '_' || (colon && c == ':');
}

static inline bool prom_name_char(int c, bool colon)
{
	return isalnum(c) || c == '_' || (colon && c == ':');
}

/* Length of a metric (colon true) or label name at s, or 0. */
static inline size_t prom_name_len(const char *s, bool colon)
{
	size_t n = 0;

	if (!prom_name_start((unsigned char)s[0], colon))
		return 0;
	while (prom_name_char((unsigned char)s[n], colon))
		n++;
	return n;
}

static inline int prom_fail(struct prom_result *r, int line, const char *msg,
			    const char *what)
{
	r->line = line;
	snprintf(r->msg, sizeof(r->msg), "%.50s%s%.100s", msg, what ? ": " : "",
		 what ? what : "");
	return -EINVAL;
}

static inline int prom_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline int prom_cmp_label(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Check text (NUL-terminated). 0 when it is valid, -EINVAL with r->line and
 * r->msg saying where and why.
 */
static inline int prom_check(const char *text, struct prom_result *r)
{
	struct prom_family *fams = NULL, *cur = NULL;
	char **series = NULL;
	size_t nfam = 0, nseries = 0, capfam = 0, capser = 0;
	const char *p = text;
	int line = 0, ret = 0;

	memset(r, 0, sizeof(*r));
	if (!*text)
		return prom_fail(r, 0, "empty text", NULL);
	if (text[strlen(text) - 1] != '\n')
		return prom_fail(
			r, 0, "the last line does not end in a newline", NULL);

	while (*p && !ret) {
		const char *eol = strchr(p, '\n');
		size_t len = eol - p;
		char buf[4096];

		line++;
		if (len >= sizeof(buf)) {
			ret = prom_fail(r, line, "line too long", NULL);
			break;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = eol + 1;

		if (!len) {
			ret = prom_fail(r, line, "blank line", NULL);
			break;
		}
		if (buf[0] == '#') {
			char kw[8], name[128];
			const char *q = buf + 1;
			size_t nl;
			struct prom_family *f = NULL;

			if (strncmp(q, " HELP ", 6) && strncmp(q, " TYPE ", 6))
				continue; /* a plain comment */
			memcpy(kw, q + 1, 4);
			kw[4] = '\0';
			q += 6;
			nl = prom_name_len(q, true);
			if (!nl || nl >= sizeof(name) ||
			    (q[nl] != ' ' && q[nl])) {
				ret = prom_fail(r, line,
						"bad metric name after", kw);
				break;
			}
			memcpy(name, q, nl);
			name[nl] = '\0';
			q += nl;
			for (size_t i = 0; i < nfam; i++)
				if (!strcmp(fams[i].name, name))
					f = &fams[i];
			if (f && f->has_samples) {
				ret = prom_fail(
					r, line,
					"HELP/TYPE after the family's samples",
					name);
				break;
			}
			if (!f) {
				if (nfam == capfam) {
					capfam = capfam ? capfam * 2 : 16;
					fams = realloc(fams,
						       capfam * sizeof(*fams));
				}
				f = &fams[nfam++];
				memset(f, 0, sizeof(*f));
				strcpy(f->name, name);
			}
			if (!strcmp(kw, "HELP")) {
				if (f->help) {
					ret = prom_fail(r, line, "second HELP",
							name);
					break;
				}
				f->help = true;
				if (*q != ' ' || !q[1]) {
					ret = prom_fail(r, line,
							"HELP without text",
							name);
					break;
				}
				for (q++; *q; q++)
					if (*q == '\\' && q[1] != '\\' &&
					    q[1] != 'n') {
						ret = prom_fail(
							r, line,
							"bad escape in HELP",
							name);
						break;
					} else if (*q == '\\') {
						q++;
					}
			} else {
				if (f->type[0]) {
					ret = prom_fail(r, line, "second TYPE",
							name);
					break;
				}
				if (*q != ' ' || (strcmp(q + 1, "counter") &&
						  strcmp(q + 1, "gauge") &&
						  strcmp(q + 1, "untyped") &&
						  strcmp(q + 1, "summary") &&
						  strcmp(q + 1, "histogram"))) {
					ret = prom_fail(r, line, "unknown TYPE",
							q);
					break;
				}
				snprintf(f->type, sizeof(f->type), "%s", q + 1);
				if (!strcmp(f->type, "counter") &&
				    (nl < 6 ||
				     strcmp(name + nl - 6, "_total"))) {
					ret = prom_fail(r, line,
							"counter name does not "
							"end in _total",
							name);
					break;
				}
			}
			continue;
		}

		/* a sample: name{labels} value */
		{
			char name[128], key[4096], *labels[64];
			size_t nl = prom_name_len(buf, true), nlab = 0, k;
			const char *q = buf + nl;
			struct prom_family *f = NULL;
			char *end;
			double v;

			if (!nl || nl >= sizeof(name)) {
				ret = prom_fail(r, line, "bad metric name",
						buf);
				break;
			}
			memcpy(name, buf, nl);
			name[nl] = '\0';
			for (size_t i = 0; i < nfam; i++)
				if (!strcmp(fams[i].name, name))
					f = &fams[i];
			if (!f || !f->help || !f->type[0]) {
				ret = prom_fail(
					r, line,
					"sample before its HELP and TYPE",
					name);
				break;
			}
			if (f->closed) {
				ret = prom_fail(
					r, line,
					"family's samples are not contiguous",
					name);
				break;
			}
			if (cur && cur != f)
				cur->closed = true;
			cur = f;
			f->has_samples = true;

			if (*q == '{') {
				q++;
				while (*q != '}') {
					char lab[2048];
					size_t ll = prom_name_len(q, false), o;

					if (!ll ||
					    (q[0] == '_' && q[1] == '_')) {
						ret = prom_fail(
							r, line,
							"bad label name", q);
						break;
					}
					if (q[ll] != '=' || q[ll + 1] != '"') {
						ret = prom_fail(r, line,
								"label without "
								"=\"value\"",
								q);
						break;
					}
					o = ll + 2;
					memcpy(lab, q, o);
					for (q += o; *q != '"'; q++) {
						if (!*q) {
							ret = prom_fail(
								r, line,
								"unterminated "
								"label value",
								NULL);
							break;
						}
						if (*q == '\\') {
							if (q[1] != '\\' &&
							    q[1] != '"' &&
							    q[1] != 'n') {
								ret = prom_fail(
									r, line,
									"bad "
									"escape"
									" in "
									"label "
									"value",
									q);
								break;
							}
							lab[o++] = *q++;
						}
						if (o >= sizeof(lab) - 2) {
							ret = prom_fail(
								r, line,
								"label value "
								"too long",
								NULL);
							break;
						}
						lab[o++] = *q;
					}
					if (ret)
						break;
					lab[o++] = '"';
					lab[o] = '\0';
					if (nlab == 64) {
						ret = prom_fail(
							r, line,
							"too many labels",
							NULL);
						break;
					}
					labels[nlab++] = strdup(lab);
					q++;
					if (*q == ',')
						q++;
					else if (*q != '}') {
						ret = prom_fail(
							r, line,
							"expected , or } after "
							"a label",
							q);
						break;
					}
				}
				if (!ret)
					q++;
			}
			if (!ret && *q != ' ')
				ret = prom_fail(
					r, line,
					"expected a space before the value", q);
			if (!ret) {
				q++;
				errno = 0;
				if (!strcmp(q, "+Inf") || !strcmp(q, "-Inf") ||
				    !strcmp(q, "NaN")) {
					v = !strcmp(q, "NaN") ? NAN
					    : q[0] == '-'     ? -INFINITY
							      : INFINITY;
				} else {
					v = strtod(q, &end);
					if (end == q || errno || *end == ' ')
						ret = prom_fail(
							r, line,
							*end == ' '
								? "timestamps "
								  "are not "
								  "allowed"
								: "bad value",
							q);
					else if (*end)
						ret = prom_fail(
							r, line,
							"junk after the value",
							end);
				}
				if (!ret && !strcmp(f->type, "counter") &&
				    (isnan(v) || v < 0))
					ret = prom_fail(
						r, line,
						"counter is negative or NaN",
						name);
			}
			if (!ret) {
				/* one label once; the series is the name and
				 * its sorted labels */
				qsort(labels, nlab, sizeof(labels[0]),
				      prom_cmp_label);
				k = snprintf(key, sizeof(key), "%s", name);
				for (size_t i = 0; i < nlab; i++) {
					size_t a = strcspn(labels[i], "=");

					if (i &&
					    !strncmp(labels[i], labels[i - 1],
						     a) &&
					    labels[i - 1][a] == '=') {
						ret = prom_fail(
							r, line,
							"label given twice",
							labels[i]);
						break;
					}
					k += snprintf(key + k,
						      k < sizeof(key)
							      ? sizeof(key) - k
							      : 0,
						      "\x1f%s", labels[i]);
				}
			}
			for (size_t i = 0; i < nlab; i++)
				free(labels[i]);
			if (ret)
				break;
			if (nseries == capser) {
				capser = capser ? capser * 2 : 64;
				series = realloc(series,
						 capser * sizeof(*series));
			}
			series[nseries++] = strdup(key);
			r->samples++;
		}
	}

	if (!ret) {
		qsort(series, nseries, sizeof(series[0]), prom_cmp_str);
		for (size_t i = 1; i < nseries; i++)
			if (!strcmp(series[i], series[i - 1])) {
				ret = prom_fail(r, 0, "series appears twice",
						series[i]);
				break;
			}
	}
	for (size_t i = 0; !ret && i < nfam; i++)
		if (!fams[i].help || !fams[i].type[0])
			ret = prom_fail(r, 0, "family without HELP or TYPE",
					fams[i].name);
	r->families = (int)nfam;
	for (size_t i = 0; i < nseries; i++)
		free(series[i]);
	free(series);
	free(fams);
	return ret;
}

#endif
