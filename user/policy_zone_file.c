// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `zone NAME file PATH` (doc/design.md, section 8): a file of one prefix a
 * line, '#' comments, its path relative to the policy's folder. Lists of a
 * million prefixes are common (blocklists), so the file is read whole in
 * one read and parsed in place, with no allocation per line; the one
 * reader (textfile.c) refuses FIFOs, devices, directories and binary
 * files without hanging. Messages name the zone file, its line and
 * column, like the policy's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_state.h"
#include "textfile.h"

/* The path as the policy means it: relative to the policy's folder. */
static char *resolve(const char *policy, const char *p, size_t len)
{
	const char *slash = strrchr(policy, '/');
	size_t dir = slash && p[0] != '/' ? (size_t)(slash - policy) + 1 : 0;
	char *out = malloc(dir + len + 1);

	if (!out)
		return NULL;
	memcpy(out, policy, dir);
	memcpy(out + dir, p, len);
	out[dir + len] = '\0';
	return out;
}

struct zfile {
	struct pstate *st;
	unsigned int zone, file;
	unsigned long host_bits;     /* lines with host bits set */
	unsigned int foreign, lines; /* lines not starting with an address */
	unsigned long added;	     /* prefixes taken from it */
	struct pos first_host_bits;
};

static void one_line(struct zfile *zf, const char *line, size_t len)
{
	struct pstate *st = zf->st;
	char b[SHOWN_LEN], h[96];
	struct px_prefix p;
	unsigned int max;
	struct tok t, more;
	size_t at = 0;
	int r;

	if (!next_tok(line, len, &at, &t))
		return;
	if (memchr(t.s, '%', t.len)) {
		error_at(st, t.col,
			 "write the address without its %IF; a zone holds "
			 "sources on any interface",
			 "zone ids (%%IF) are not allowed in prefixes: '%s'",
			 shown(t.s, t.len, b));
		return;
	}
	r = zone_prefix_parse(t.s, t.len, &p, &max);
	if (r == -EINVAL || r == -ERANGE) {
		if (r == -ERANGE)
			snprintf(h, sizeof(h), "an IPv%u prefix length is 0-%u",
				 p.family, max);
		error_at(st, t.col,
			 r == -ERANGE ? h
				      : "one prefix a line, e.g. "
					"198.51.100.0/24 or 2001:db8::/32",
			 r == -ERANGE ? "prefix length out of range in '%s'"
				      : "invalid prefix '%s'",
			 shown(t.s, t.len, b));
		return;
	}
	if (r == -EDOM && !zf->host_bits++)
		zf->first_host_bits = (struct pos){st->line, t.col};
	if (next_tok(line, len, &at, &more)) {
		error_at(st, more.col, "put one prefix on each line",
			 "unexpected '%s' after the prefix",
			 shown(more.s, more.len, b));
		return;
	}
	zone_add_prefix(st, &p, zf->zone, zf->file, t.col);
	zf->added++;
}

static void parse(struct zfile *zf, const char *text, size_t n)
{
	const char *p = text, *end = text + n;
	size_t lines = 1;

	for (const char *nl = p; (nl = memchr(nl, '\n', (size_t)(end - nl)));
	     nl++)
		lines++;
	zoneset_reserve(zf->st->zs, lines);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		zf->st->line++;
		one_line(zf, p, len);
		p += len + 1;
	}
	if (zf->host_bits)
		warn_at(zf->st, zf->first_host_bits,
			"write network addresses; the bits past the length "
			"are ignored",
			"%lu prefix%s here and below ha%s host bits set",
			zf->host_bits, zf->host_bits > 1 ? "es" : "",
			zf->host_bits > 1 ? "ve" : "s");
}

/* A first word that is no address: the line is not a zone file's. */
static bool not_an_address(const char *s, size_t len)
{
	struct px_prefix pfx;
	unsigned int max;

	const char *pct = memchr(s, '%', len); /* fe80::1%eth0: said apart */

	return zone_prefix_parse(s, pct ? (size_t)(pct - s) : len, &pfx,
				 &max) == -EINVAL;
}

/*
 * Read the zone file; on failure one error at the `file` path's column,
 * with the reader's reason (its "portxdp: error: " cut), not two lines.
 */
static int read_quoted(struct pstate *st, const char *name, const char *zone,
		       unsigned int col, char **text, size_t *n)
{
	char *why = NULL, *fix;
	size_t wlen = 0;
	FILE *f = open_memstream(&why, &wlen);
	int err;

	err = px_text_read_max(name, "zone file",
			       "check the path (it is relative to the "
			       "policy)",
			       PX_ZONE_FILE_MAX, text, n, f ? f : st->err);
	if (f)
		fclose(f);
	if (err && why) {
		const char *r = why;
		size_t l = strlen(r);

		if (!strncmp(r, "portxdp: error: ", 16))
			r += 16;
		while (l && why[l - 1] == '\n')
			why[--l] = '\0';
		/* the reader's fix, after the last ": ", becomes the hint */
		fix = strrchr(r, ':');
		if (fix && fix > r && fix[1] == ' ')
			*fix++ = '\0';
		else
			fix = NULL;
		error_at(st, col, fix ? fix + 1 : "fix the path or the file",
			 "zone '%s': %s", zone, r);
	} else if (err) {
		error_at(st, col, "fix the path or the file",
			 "zone '%s': its file cannot be used", zone);
	}
	free(why);
	return err;
}

void zone_file(struct pstate *st, unsigned int z, const struct tok *path)
{
	struct px_zoneset *zs = st->zs;
	struct zfile zf = {.st = st, .zone = z};
	const char *saved_name = st->name;
	unsigned int saved_line = st->line, errors = st->errors;
	char *text, *name, *abs;
	size_t n;
	int err;

	if (path->len == 1 && path->s[0] == '-') { /* the reader's stdin */
		error_at(
			st, path->col,
			!strcmp(zs->files[0], "<stdin>")
				? "stdin is already the policy: give the zone "
				  "file's path"
				: "give the zone file's path ('./-' for a file "
				  "named '-')",
			"zone '%s': a zone file cannot be '-' (stdin)",
			zs->zone[z].name);
		return;
	}
	if (zs->nfiles == PX_ZONE_FILES_MAX) {
		error_at(st, path->col, "merge the lists into fewer files",
			 "more than %d zone files", PX_ZONE_FILES_MAX);
		return;
	}
	name = resolve(zs->files[0], path->s, path->len);
	if (!name) {
		error_at(st, path->col, NULL, "out of memory");
		return;
	}
	zs->files[++zs->nfiles] = name;
	zf.file = zs->nfiles;
	/* absolute, so that `save` can name it from anywhere */
	abs = realpath(name, NULL);
	snprintf(zs->zone[z].origin, sizeof(zs->zone[z].origin), "file %s",
		 abs ? abs : name);
	free(abs);
	err = read_quoted(st, name, zs->zone[z].name, path->col, &text, &n);
	if (err)
		return;
	st->name = name;
	st->line = 0;
	/* some other file (a key, /etc/shadow): its lines are not echoed */
	if (diag_mostly_foreign(text, n, not_an_address, &zf.foreign,
				&zf.lines))
		error_at(st, 0, "a zone file holds one prefix a line",
			 "this is not a zone file: %u of %u lines do not "
			 "start with an address; its content is not shown",
			 zf.foreign, zf.lines);
	else
		parse(&zf, text, n);
	free(text);
	st->name = saved_name;
	st->line = saved_line;
	if (!zf.added && !zf.foreign && st->errors == errors)
		warn_at(st, (struct pos){st->line, path->col},
			"put its prefixes in it, or drop the zone",
			"zone '%s': its file has no prefixes, so its 'from' "
			"lines apply to nobody",
			zs->zone[z].name);
}
