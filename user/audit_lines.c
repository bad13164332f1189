// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The deciding line of every port (audit_lines.h), by running each line
 * through the policy parser on its own: no second parser to drift from
 * the first.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit_lines.h"
#include "policy.h"
#include "textfile.h"

void policy_lines_free(struct policy_lines *pl)
{
	if (!pl)
		return;
	for (unsigned int i = 0; i < pl->nlines; i++)
		free(pl->text[i]);
	free(pl->text);
	free(pl);
}

/* The line without its comment and surrounding blanks. */
static char *trimmed(const char *s, size_t len)
{
	const char *hash = memchr(s, '#', len);
	char *out;

	if (hash)
		len = (size_t)(hash - s);
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	out = malloc(len + 1);
	if (out) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

static int split(struct policy_lines *pl, const char *text)
{
	const char *p = text;
	unsigned int cap = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (pl->nlines == cap) {
			char **t;

			cap = cap ? cap * 2 : 64;
			t = realloc(pl->text, cap * sizeof(*t));
			if (!t)
				return -ENOMEM;
			pl->text = t;
		}
		pl->text[pl->nlines] = trimmed(p, len);
		if (!pl->text[pl->nlines])
			return -ENOMEM;
		pl->nlines++;
		p += len + (nl ? 1 : 0);
	}
	return pl->nlines > 0xffff ? -EFBIG : 0;
}

/* Mark the ports line k names: open ones of an open line, closed ones of
 * a close line. */
static void name_ports(struct policy_lines *pl, unsigned int k, FILE *null)
{
	const char *t = pl->text[k - 1];
	size_t w = strcspn(t, " \t");
	bool open, all = w == 7 && !strncasecmp(t, "default", 7);
	char *buf;
	struct px_policy *p;

	open = w == 4 && !strncasecmp(t, "open", 4);
	if (!all && !open && !(w == 5 && !strncasecmp(t, "close", 5)) &&
	    !(w == 6 && !strncasecmp(t, "closed", 6)))
		return;
	buf = malloc(strlen(t) + 32);
	p = malloc(sizeof(*p));
	if (!buf || !p)
		goto out;
	sprintf(buf, "%s%s\n", open ? "default closed\n" : "", t);
	if (!all && policy_load_text("line", buf, p, NULL, null))
		goto out; /* a line that means nothing alone names nothing */
	for (int proto = 0; proto < PX_NPROTO; proto++)
		for (unsigned int port = 0; port < PX_PORTS; port++)
			if (all || policy_port_open(p, proto, port) == open)
				pl->line[proto][port] = (__u16)k;
	if (all || !!(p->flags & PX_F_PING_OPEN) == open)
		pl->ping_line = (__u16)k;
out:
	free(buf);
	free(p);
}

struct policy_lines *policy_lines_build(const char *name, const char *text,
					unsigned int file_lines,
					const struct px_policy *expect,
					int *err)
{
	struct policy_lines *pl = calloc(1, sizeof(*pl));
	struct px_policy *whole = NULL;
	FILE *null = fopen("/dev/null", "w");

	*err = -ENOMEM;
	if (!pl || !null)
		goto fail;
	snprintf(pl->name, sizeof(pl->name), "%s", name);
	pl->file_lines = file_lines;
	*err = split(pl, text);
	if (*err)
		goto fail;
	if (expect) {
		whole = malloc(sizeof(*whole));
		*err = !whole ? -ENOMEM
		       : policy_load_text(name, text, whole, NULL, null) ||
				       !policy_same_rules(whole, expect)
			       ? -ESTALE
			       : 0;
		if (*err)
			goto fail;
	}
	for (unsigned int k = 1; k <= pl->nlines; k++)
		name_ports(pl, k, null);
	free(whole);
	fclose(null);
	return pl;
fail:
	free(whole);
	if (null)
		fclose(null);
	policy_lines_free(pl);
	return NULL;
}

/* Through the one reader (textfile.h), as the policy parser reads it. */
static char *read_text(const char *path, int *err)
{
	char *text;
	size_t n;

	*err = px_text_read(path, "policy", "check the path", &text, &n, NULL);
	return *err ? NULL : text;
}

static unsigned int count_lines(const char *text)
{
	unsigned int n = 0;
	const char *p;

	for (p = text; *p; p++)
		n += *p == '\n';
	return n + (p > text && p[-1] != '\n');
}

struct policy_lines *policy_lines_file(const char *path, int *err)
{
	char *text = read_text(path, err);
	struct policy_lines *pl;

	if (!text)
		return NULL;
	pl = policy_lines_build(path, text, count_lines(text), NULL, err);
	free(text);
	return pl;
}

struct policy_lines *policy_lines_live(const struct px_policy *live, int *err)
{
	char src[PX_SOURCE_LEN], *plus, *text, *all;
	const char *change;
	struct policy_lines *pl;
	unsigned int file_lines;
	size_t len;

	snprintf(src, sizeof(src), "%s", live->source);
	plus = strstr(src, " + ");
	if (plus)
		*plus = '\0';
	if (src[0] != '/') {
		*err = -ENOENT;
		return NULL;
	}
	text = read_text(src, err);
	if (!text)
		return NULL;
	file_lines = count_lines(text);
	len = strlen(text);
	all = malloc(len + PX_SOURCE_LEN + 2);
	if (!all) {
		free(text);
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(all, text, len + 1);
	if (len && all[len - 1] != '\n')
		all[len++] = '\n';
	/* the changes, one a line: "open 8080/tcp", "close 23" */
	for (change = plus ? plus + 3 : NULL; change;) {
		const char *next = strstr(change, " + ");
		size_t n = next ? (size_t)(next - change) : strlen(change);

		memcpy(all + len, change, n);
		len += n;
		all[len++] = '\n';
		change = next ? next + 3 : NULL;
	}
	all[len] = '\0';
	pl = policy_lines_build(src, all, file_lines, live, err);
	free(all);
	free(text);
	return pl;
}

const char *policy_lines_where(const struct policy_lines *pl, unsigned int k,
			       char *buf, unsigned long len)
{
	if (!pl)
		snprintf(buf, len, "the live policy");
	else if (!k)
		snprintf(buf, len,
			 "%s: no line names it (a policy starts "
			 "default open)",
			 pl->name);
	else if (k > pl->file_lines)
		snprintf(buf, len, "the live change '%s' (portxdp open/close)",
			 pl->text[k - 1]);
	else
		snprintf(buf, len, "%s:%u '%s'", pl->name, k, pl->text[k - 1]);
	return buf;
}
