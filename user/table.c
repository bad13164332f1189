// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The port table (doc/design.md, section 4) and the data-file lookup. The table
 * is a small text file, policies/ports.table, that people edit by hand, so its
 * parser is strict and names the line of every mistake. It is where port
 * names and advice come from; /etc/services, read once into a sorted
 * array, names every other port and resolves every other name, so the
 * policy parser and `diff`/`stats` agree on what a port is called.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/types.h>

#include "portxdp.h"
#include "err.h"
#include "table.h"
#include "text.h"
#include "textfile.h"

#define TABLE_MAX_ROWS 1024
#define TABLE_FILE "ports.table"

static struct table_entry *rows;
static int nrows;
static bool loaded;
static int load_err; /* a failed table_load(), reported once */

/* --- data files -------------------------------------------------------- */

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_datadir(const char *dir)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/" TABLE_FILE, dir) >=
	    sizeof(path))
		return false;
	return is_file(path);
}

int px_datadir(char *buf, unsigned long len)
{
	const char *env = getenv("PORTXDP_DATADIR");
	const char *rel[] = {"../policies", "../share/portxdp"};
	char exe[PATH_MAX], cand[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		/* An explicit choice wins even when it is wrong: say so. */
		if (!is_datadir(env) || strlen(env) >= len)
			return -ENOENT;
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -ENOENT;
	exe[n] = '\0';
	dirname(exe);
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", exe,
				     rel[i]) >= sizeof(cand))
			continue;
		if (is_datadir(cand) && strlen(cand) < len) {
			snprintf(buf, len, "%s", cand);
			return 0;
		}
	}
	return -ENOENT;
}

int px_default_policy(char *buf, unsigned long len)
{
	char dir[PATH_MAX];

	if (px_datadir(dir, sizeof(dir)))
		return -ENOENT;
	if ((unsigned long)snprintf(buf, len, "%s/default.policy", dir) >= len)
		return -ENOENT;
	return is_file(buf) ? 0 : -ENOENT;
}

/* --- the table file ------------------------------------------------------- */

/*
 * One row per line:   PORT[-PORT]  PROTO[,PROTO]  NAME  ADVICE | DESCRIPTION
 * '#' starts a comment only at the start of a line (advice may hold '#').
 */

static void trim(char *s)
{
	char *e = s + strlen(s);
	char *b = s;

	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	while (isspace((unsigned char)*b))
		b++;
	memmove(s, b, strlen(b) + 1);
}

static int parse_row(char *line, struct table_entry *e, const char **why)
{
	char *save = NULL, *port, *proto, *name, *rest, *bar, *p;
	int r;

	memset(e, 0, sizeof(*e));
	port = strtok_r(line, " \t", &save);
	proto = strtok_r(NULL, " \t", &save);
	name = strtok_r(NULL, " \t", &save);
	rest = strtok_r(NULL, "", &save);
	if (!port || !proto || !name || !rest) {
		*why = "expected PORT PROTO NAME ADVICE | DESCRIPTION";
		return -1;
	}
	r = px_port_range_parse(port, strlen(port), &e->port_lo, &e->port_hi,
				NULL);
	if (r == -EDOM) {
		*why = "reversed port range";
		return -1;
	}
	if (r) {
		*why = "bad port: expected 0-65535 or LO-HI";
		return -1;
	}
	for (p = strtok_r(proto, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		int pr = px_proto_parse(p, strlen(p));

		if (pr >= 0)
			e->protos |= 1U << pr;
		else if (!strcasecmp(p, px_proto_name(PX_PROTO_ICMP)))
			e->protos |= 1U << PX_PROTO_ICMP;
		else {
			*why = "bad protocol: expected tcp, udp or icmp";
			return -1;
		}
	}
	if (!e->protos) {
		*why = "no protocol";
		return -1;
	}
	if (strlen(name) >= sizeof(e->name)) {
		*why = "name too long";
		return -1;
	}
	for (p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '.') {
			*why = "bad name: letters, digits, '-', '_' and '.' "
			       "only";
			return -1;
		}
	}
	if (isdigit((unsigned char)name[0])) {
		*why = "a name must not start with a digit";
		return -1;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	bar = strchr(rest, '|');
	if (bar)
		*bar++ = '\0';
	trim(rest);
	if (bar)
		trim(bar);
	if (!*rest) {
		*why = "missing advice";
		return -1;
	}
	if (strlen(rest) >= sizeof(e->advice) ||
	    (bar && strlen(bar) >= sizeof(e->description))) {
		*why = "advice or description too long";
		return -1;
	}
	snprintf(e->advice, sizeof(e->advice), "%s", rest);
	snprintf(e->description, sizeof(e->description), "%s", bar ? bar : "");
	return 0;
}

static void svcs_unload(void);

void table_unload(void)
{
	free(rows);
	rows = NULL;
	nrows = 0;
	loaded = false;
	load_err = 0;
	svcs_unload();
}

int table_load_text(const char *name, const char *text, FILE *err)
{
	struct table_entry *t;
	const char *p = text, *why = NULL;
	unsigned int lineno = 0;
	int n = 0, errors = 0;

	if (!err)
		err = stderr;
	t = calloc(TABLE_MAX_ROWS, sizeof(*t));
	if (!t)
		return -ENOMEM;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, l);

		lineno++;
		p += l + (nl ? 1 : 0);
		if (!line) {
			free(t);
			return -ENOMEM;
		}
		trim(line);
		if (!*line || line[0] == '#') {
			free(line);
			continue;
		}
		if (n == TABLE_MAX_ROWS) {
			why = "too many rows";
		} else if (parse_row(line, &t[n], &why) == 0) {
			for (int i = 0; i < n; i++) {
				if (!strcasecmp(t[i].name, t[n].name)) {
					why = "duplicate name";
					break;
				}
			}
			if (!why) {
				n++;
				free(line);
				continue;
			}
		}
		text_line(err, "%s:%u: error: %s", name, lineno, why);
		why = NULL;
		errors++;
		free(line);
	}
	if (errors) {
		free(t);
		return -EINVAL;
	}
	free(rows);
	rows = t;
	nrows = n;
	loaded = true;
	return 0;
}

int table_load_path(const char *path)
{
	char *text;
	size_t len;
	int err;

	err = px_text_read(path, "port table",
			   "reinstall portxdp or set PORTXDP_DATADIR to its "
			   "policies folder",
			   &text, &len, NULL);
	if (err)
		return err;
	err = table_load_text(path, text, NULL);
	free(text);
	return err;
}

int table_load(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	if (loaded)
		return 0;
	if (load_err)
		return load_err;
	if (px_datadir(dir, sizeof(dir))) {
		px_error("cannot find the port table (%s): set PORTXDP_DATADIR "
			 "to the folder holding it, e.g. the source tree's "
			 "policies/",
			 TABLE_FILE);
		return load_err = -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/" TABLE_FILE, dir);
	load_err = table_load_path(path);
	return load_err;
}

int table_count(void)
{
	return nrows;
}

const struct table_entry *table_entry_at(int i)
{
	return i >= 0 && i < nrows ? &rows[i] : NULL;
}

const struct table_entry *table_find_name(const char *name)
{
	table_load();
	for (int i = 0; i < nrows; i++)
		if (!strcasecmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

/* --- /etc/services -------------------------------------------------------- */

struct svc {
	unsigned short port;
	unsigned char proto;
	bool primary; /* the service's own name, not an alias */
	char *name;
};

static struct svc *svcs;
static size_t nsvcs;
static bool svcs_loaded;

static void svcs_unload(void)
{
	for (size_t i = 0; i < nsvcs; i++)
		free(svcs[i].name);
	free(svcs);
	svcs = NULL;
	nsvcs = 0;
	svcs_loaded = false;
}

static int svc_cmp(const void *a, const void *b)
{
	const struct svc *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto - y->proto;
	if (x->port != y->port)
		return x->port - y->port;
	return y->primary - x->primary; /* primary first */
}

static void svc_add(struct svc **v, size_t *cap, unsigned short port, int proto,
		    bool primary, const char *name)
{
	if (nsvcs == *cap) {
		size_t c = *cap ? *cap * 2 : 512;
		struct svc *n = realloc(*v, c * sizeof(**v));

		if (!n)
			return;
		*v = n;
		*cap = c;
	}
	(*v)[nsvcs].name = strdup(name);
	if (!(*v)[nsvcs].name)
		return;
	(*v)[nsvcs].port = port;
	(*v)[nsvcs].proto = (unsigned char)proto;
	(*v)[nsvcs].primary = primary;
	nsvcs++;
}

/* Read /etc/services (or NSS's idea of it) once, sorted by proto, port. */
static void svcs_load(void)
{
	struct servent *s;
	size_t cap = 0;

	if (svcs_loaded)
		return;
	svcs_loaded = true;
	setservent(0);
	while ((s = getservent())) {
		int proto;

		proto = px_proto_parse(s->s_proto, strlen(s->s_proto));
		if (proto < 0)
			continue;
		svc_add(&svcs, &cap, ntohs((uint16_t)s->s_port), proto, true,
			s->s_name);
		for (char **a = s->s_aliases; a && *a; a++)
			svc_add(&svcs, &cap, ntohs((uint16_t)s->s_port), proto,
				false, *a);
	}
	endservent();
	if (nsvcs)
		qsort(svcs, nsvcs, sizeof(*svcs), svc_cmp);
}

static const char *svc_port_name(int proto, unsigned int port)
{
	size_t lo = 0, hi;

	svcs_load(); /* before reading nsvcs: the first lookup loads it */
	hi = nsvcs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct svc *s = &svcs[mid];

		if (s->proto < proto || (s->proto == proto && s->port < port))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nsvcs && svcs[lo].proto == proto && svcs[lo].port == port &&
	    svcs[lo].primary)
		return svcs[lo].name;
	return NULL;
}

unsigned int table_services_lookup(const char *name, int ports[2])
{
	unsigned int found = 0;

	ports[PX_TCP] = ports[PX_UDP] = -1;
	svcs_load();
	for (size_t i = 0; i < nsvcs; i++) {
		const struct svc *s = &svcs[i];

		if (ports[s->proto] < 0 && !strcasecmp(s->name, name)) {
			ports[s->proto] = s->port;
			found |= 1U << s->proto;
		}
	}
	return found;
}

const char *table_port_name(int proto, unsigned int port)
{
	table_load();
	for (int i = 0; i < nrows; i++) {
		const struct table_entry *e = &rows[i];

		if ((e->protos & (1U << proto)) && port >= e->port_lo &&
		    port <= e->port_hi)
			return e->name;
	}
	if (proto != PX_TCP && proto != PX_UDP)
		return NULL;
	return svc_port_name(proto, port);
}

int table_names_of(int proto, unsigned int lo, unsigned int hi,
		   const char **names, int max)
{
	int n = 0;

	for (unsigned int port = lo; port <= hi && port < PX_PORTS && n < max;
	     port++) {
		names[n] = table_port_name(proto, port);
		if (names[n])
			n++;
	}
	return n;
}

int table_range_names(int proto, unsigned int lo, unsigned int hi, char *buf,
		      unsigned long len, int max)
{
	const char *names[65];
	unsigned long used = 0;
	int n, i;

	if (max < 0 || max > 64)
		max = 64;
	n = table_names_of(proto, lo, hi, names, max + 1);
	if (len)
		buf[0] = '\0';
	for (i = 0; i < n && i < max; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 names[i]);

		if (w < 0 || used + (unsigned long)w >= len) {
			buf[used] = '\0';
			break;
		}
		used += (unsigned long)w;
	}
	if (n > max && i == max && used + 6 < len)
		snprintf(buf + used, len - used, ", ...");
	return i;
}

/* --- suggestions ------------------------------------------------------------
 */

/* Levenshtein distance, case-insensitive, capped for long words. */
unsigned int px_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned int row[64];

	if (la > 63 || lb > 63)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int cost = tolower((unsigned char)a[i - 1]) !=
					    tolower((unsigned char)b[j - 1]);
			unsigned int best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *table_suggest(const char *word, const char *const *extra)
{
	const char *best = NULL;
	unsigned int bestd = 1000, limit;
	size_t l = strlen(word);

	table_load();
	for (int i = 0; i < nrows; i++) {
		unsigned int d = px_edit_distance(word, rows[i].name);

		if (d < bestd) {
			bestd = d;
			best = rows[i].name;
		}
	}
	for (; extra && *extra; extra++) {
		unsigned int d = px_edit_distance(word, *extra);

		if (d < bestd) {
			bestd = d;
			best = *extra;
		}
	}
	/* A typo changes a few letters; a prefix like "postgres" is close. */
	limit = l <= 3 ? 1 : l <= 6 ? 2 : 3;
	if (best && strlen(best) > l && !strncasecmp(best, word, l) && l >= 3)
		return best;
	return bestd <= limit ? best : NULL;
}
