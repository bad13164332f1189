// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The policy language of doc/design.md section 3, the one parser behind
 * attach, apply, open/close, diff and check: the tokeniser, the four kinds
 * of line (default, open, close, option; `option replies` is
 * policy_replies.c's) and whole policies. It reads a
 * policy line by line into a private struct px_policy and hands it out
 * only when the whole text had no error, so a bad file can never be half
 * applied. SPECs are policy_spec.c's, messages policy_diag.c's, warnings
 * policy_lint.c's; a new kind of line (zones) gets a file of its own and
 * one branch in parse_line().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_source.h"
#include "policy_state.h"
#include "table.h"
#include "text.h"
#include "textfile.h"

static const char *const keywords[] = {"default", "open",  "close", "option",
				       "zone",	  "block", "ban",   NULL};

/* Other firewalls' words for ours: ufw, iptables, nftables, pf. */
static const struct {
	const char *word, *ours;
} neighbours[] = {
	{"allow", "open"}, {"accept", "open"}, {"permit", "open"},
	{"pass", "open"},  {"deny", "close"},  {"reject", "close"},
	{"drop", "close"},
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next token of line[0..len) from *at; false at the end or a comment. */
bool next_tok(const char *line, size_t len, size_t *at, struct tok *t)
{
	size_t i = *at;

	while (i < len && is_space(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return false;
	t->s = line + i;
	t->col = (unsigned int)i + 1;
	while (i < len && !is_space(line[i]) && line[i] != '#')
		i++;
	t->len = (size_t)(line + i - t->s);
	*at = i;
	return true;
}

bool once_per_policy(struct pstate *st, unsigned int *first, unsigned int col,
		     const char *what)
{
	char h[128];

	if (!*first) {
		*first = st->line;
		return true;
	}
	snprintf(h, sizeof(h),
		 "keep one '%s' line, saying all of it: a second one would "
		 "silently undo the first",
		 what);
	error_at(st, col, h, "'%s' given twice (first on line %u)", what,
		 *first);
	return false;
}

/* Report a token left over after a complete line. */
static void no_more(struct pstate *st, const char *line, size_t len, size_t at,
		    const char *hint)
{
	struct tok t;
	char b[SHOWN_LEN];

	if (next_tok(line, len, &at, &t))
		error_at(st, t.col, hint, "unexpected '%s'",
			 shown(t.s, t.len, b));
}

static void line_default(struct pstate *st, const char *line, size_t len,
			 size_t at, struct tok *kw)
{
	struct tok t;
	char b[SHOWN_LEN];

	if (st->seen_default) {
		error_at(st, kw->col, "keep one default line, at the top",
			 "'default' given twice (first on line %u)",
			 st->default_pos.line);
		return;
	}
	if (st->seen_rule) {
		error_at(st, kw->col,
			 "move it above every open, close and option line",
			 "'default' must come first");
		return;
	}
	st->seen_default = true;
	st->default_pos = (struct pos){st->line, kw->col};
	if (!next_tok(line, len, &at, &t)) {
		error_at(st, kw->col + (unsigned int)kw->len,
			 "write 'default open' or 'default closed'",
			 "'default' needs open or closed");
		return;
	}
	if (word_is(t.s, t.len, "closed")) {
		memset(st->pol.open, 0, sizeof(st->pol.open));
		st->pol.flags &= ~PX_F_PING_OPEN;
		st->default_closed = true;
	} else if (word_is(t.s, t.len, "open")) {
		policy_init(&st->pol);
	} else {
		error_at(st, t.col, "write 'default open' or 'default closed'",
			 "expected open or closed after 'default', not '%s'",
			 shown(t.s, t.len, b));
		return;
	}
	for (int i = 0; i < W_N; i++)
		st->touch[i] = st->default_pos;
	no_more(st, line, len, at, "'default' takes one word: open or closed");
}

static void line_option(struct pstate *st, const char *line, size_t len,
			size_t at, struct tok *kw)
{
	struct tok t;
	char b[SHOWN_LEN];
	unsigned int end;

	st->seen_rule = true;
	if (!next_tok(line, len, &at, &t)) {
		error_at(st, kw->col + (unsigned int)kw->len,
			 "write 'option fragments pass' or 'option fragments "
			 "drop'",
			 "'option' needs a name");
		return;
	}
	if (word_is(t.s, t.len, "replies")) {
		if (once_per_policy(st, &st->replies_line, kw->col,
				    "option replies"))
			line_option_replies(st, line, len, at, &t);
		return;
	}
	if (!word_is(t.s, t.len, "fragments")) {
		error_at(st, t.col,
			 "the options are 'fragments pass|drop' and 'replies "
			 "on|off'",
			 "unknown option '%s'", shown(t.s, t.len, b));
		return;
	}
	if (!once_per_policy(st, &st->fragments_line, kw->col,
			     "option fragments"))
		return;
	end = t.col + (unsigned int)t.len;
	if (!next_tok(line, len, &at, &t)) {
		error_at(st, end, "write 'option fragments pass' or 'drop'",
			 "'option fragments' needs pass or drop");
		return;
	}
	if (word_is(t.s, t.len, "pass")) {
		st->pol.flags &= ~PX_F_FRAG_DROP;
	} else if (word_is(t.s, t.len, "drop")) {
		st->pol.flags |= PX_F_FRAG_DROP;
		lint_fragments_drop(st, kw->col);
	} else {
		error_at(st, t.col, "write 'option fragments pass' or 'drop'",
			 "expected pass or drop, not '%s'",
			 shown(t.s, t.len, b));
		return;
	}
	no_more(st, line, len, at, "'option fragments' takes one word");
}

static void line_rule(struct pstate *st, const char *line, size_t len,
		      size_t at, struct tok *kw, bool open)
{
	size_t from = zone_from_at(line, len, at);
	struct tok t;
	bool any = false;

	if (from) { /* `open|close SPEC... from SRC...`: policy_zone.c */
		zone_rule(st, line, len, at, from, kw, open);
		return;
	}
	st->seen_rule = true;
	while (next_tok(line, len, &at, &t)) {
		any = true;
		parse_spec(st, t.s, t.len, t.col, open);
	}
	if (!any)
		error_at(st, kw->col + (unsigned int)kw->len,
			 open ? "e.g. 'open 22/tcp' or 'open http,https'"
			      : "e.g. 'close 23' or 'close netbios-ns'",
			 "'%s' needs at least one port",
			 open ? "open" : "close");
}

/* A line that starts with no keyword: say which one was probably meant. */
static void unknown_keyword(struct pstate *st, struct tok *kw)
{
	const char *near = NULL, *theirs = NULL;
	char w[NAME_MAX_LEN + 1], b[SHOWN_LEN], h[SHOWN_LEN + 96];

	for (size_t i = 0; i < sizeof(neighbours) / sizeof(neighbours[0]); i++)
		if (word_is(kw->s, kw->len, neighbours[i].word)) {
			theirs = neighbours[i].word;
			near = neighbours[i].ours;
		}
	if (!near && kw->len <= NAME_MAX_LEN) {
		memcpy(w, kw->s, kw->len);
		w[kw->len] = '\0';
		unsigned int best = 3, d;

		for (const char *const *k = keywords; *k; k++)
			if ((d = px_edit_distance(w, *k)) < best) {
				best = d; /* the nearest; the first of a tie */
				near = *k;
			}
	}
	shown(kw->s, kw->len, b);
	if (theirs)
		snprintf(h, sizeof(h),
			 "portxdp says '%s' for what other firewalls call "
			 "'%s', e.g. '%s 22/tcp'",
			 near, theirs, near);
	else if (near)
		snprintf(h, sizeof(h), "did you mean '%s'?", near);
	else
		snprintf(h, sizeof(h),
			 "a line starts with default, open, close, option, "
			 "zone, block or ban; "
			 "e.g. 'open %s'",
			 b);
	error_at(st, kw->col, h, "unknown keyword '%s'", b);
}

static void parse_line(struct pstate *st, const char *line, size_t len)
{
	struct tok kw;
	size_t at = 0;

	if (!next_tok(line, len, &at, &kw))
		return;
	if (word_is(kw.s, kw.len, "default"))
		line_default(st, line, len, at, &kw);
	else if (word_is(kw.s, kw.len, "open"))
		line_rule(st, line, len, at, &kw, true);
	else if (word_is(kw.s, kw.len, "close") ||
		 word_is(kw.s, kw.len, "closed"))
		line_rule(st, line, len, at, &kw, false);
	else if (word_is(kw.s, kw.len, "option"))
		line_option(st, line, len, at, &kw);
	else if (word_is(kw.s, kw.len, "zone"))
		line_zone(st, line, len, at, &kw);
	else if (word_is(kw.s, kw.len, "block"))
		line_block(st, line, len, at, &kw);
	else if (word_is(kw.s, kw.len, "ban"))
		line_ban(st, line, len, at, &kw);
	else
		unknown_keyword(st, &kw);
}

/* --- whole policies ------------------------------------------------------ */

static void state_init(struct pstate *st, const char *name, FILE *err,
		       bool print_warnings)
{
	memset(st, 0, sizeof(*st));
	st->name = name ? name : "<policy>";
	st->err = err ? err : stderr;
	st->print_warnings = print_warnings;
	policy_init(&st->pol);
	lint_watch_init(st);
}

static void report(struct pstate *st, struct policy_report *rep)
{
	rep->errors = st->errors;
	rep->shown_errors = st->shown_errors;
	rep->warnings = st->warnings;
	rep->intended = st->intended;
}

static int finish(struct pstate *st, struct px_policy *out,
		  struct px_zoneset **zs, struct policy_report *rep)
{
	if (!st->errors && !st->seen_default && !st->seen_rule) {
		st->line = 0;
		error_at(st, 0,
			 "write 'default open' to pass everything on purpose, "
			 "or the rules you meant",
			 "the policy has no rules (it is empty or only "
			 "comments): it would open every port");
	}
	if (!st->errors)
		zone_finish(st);
	if (!st->errors)
		ban_finish(st);
	if (!st->errors)
		lint_whole(st, rep);
	report(st, rep);
	if (st->errors)
		return -EINVAL;
	text_copy(st->pol.source, sizeof(st->pol.source), st->name);
	*out = st->pol;
	if (zs) {
		*zs = st->zs;
		st->zs = NULL;
	} else {
		/* a caller that does not install: the base verdicts */
		out->flags &= ~(PX_F_ZONES | PX_F_PING_ZONED | PX_F_BLOCK);
		out->ban.nzones = 0;
	}
	return 0;
}

/* What a parse is asked for besides the text. */
struct parse_opts {
	const char *ifname;	/* `local` reads it; NULL: not read */
	struct px_zoneset **zs; /* the zones go here; NULL: dropped */
	bool warnings;
};

static int parse_text(const char *name, const char *text, size_t size,
		      struct px_policy *out, struct policy_report *rep,
		      FILE *err, const struct parse_opts *o)
{
	struct pstate *st = calloc(1, sizeof(*st));
	const char *p = text, *end = text + size;
	struct policy_report local;
	unsigned int foreign, lines;
	int ret;

	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	if (!st)
		return -ENOMEM;
	state_init(st, name, err, o->warnings);
	st->text = text;
	st->text_size = size;
	st->text_name = st->name;
	st->ifname = o->ifname;
	if (o->zs)
		*o->zs = NULL;
	if (diag_not_a_policy(text, size, &foreign, &lines)) {
		error_at(st, 0,
			 "a policy line starts with default, open, close, "
			 "option, zone, block or ban",
			 "this is not a policy file: %u of %u lines start with "
			 "something no policy line does; its content is not "
			 "shown",
			 foreign, lines);
		report(st, rep);
		free(st);
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		st->line++;
		parse_line(st, p, len);
		p += len + 1;
	}
	ret = finish(st, out, o->zs, rep);
	if (!ret) /* status and --persist notice an edit since */
		out->source_hash = policy_source_hash(text, size);
	zoneset_free(st->zs);
	free(st);
	return ret;
}

int policy_load_text(const char *name, const char *text, struct px_policy *out,
		     struct policy_report *rep, FILE *err)
{
	struct parse_opts o = {0};

	return parse_text(name, text, strlen(text), out, rep, err, &o);
}

int policy_check_text(const char *name, const char *text, struct px_policy *out,
		      struct policy_report *rep, FILE *err)
{
	struct parse_opts o = {.warnings = true};

	return parse_text(name, text, strlen(text), out, rep, err, &o);
}

static int load_file(const char *path, struct px_policy *out,
		     struct policy_report *rep, FILE *err,
		     const struct parse_opts *o)
{
	bool is_stdin = !strcmp(path, "-");
	char *text;
	size_t n;
	int ret;

	ret = px_text_read(path, "policy", "check the path", &text, &n, err);
	if (ret) {
		if (rep) {
			memset(rep, 0, sizeof(*rep));
			rep->errors = rep->shown_errors = ret == -EINVAL;
		}
		return ret;
	}
	ret = parse_text(is_stdin ? "<stdin>" : path, text, n, out, rep, err,
			 o);
	if (!ret && !is_stdin) {
		char *abs = realpath(path, NULL);

		/* status shows where a policy came from, from any folder */
		if (abs)
			text_copy(out->source, sizeof(out->source), abs);
		free(abs);
	}
	free(text);
	return ret;
}

int policy_load_file(const char *path, struct px_policy *out,
		     struct policy_report *rep, FILE *err)
{
	struct parse_opts o = {0};

	return load_file(path, out, rep, err, &o);
}

int policy_check_file(const char *path, struct px_policy *out,
		      struct policy_report *rep, FILE *err)
{
	struct parse_opts o = {.warnings = true};

	return load_file(path, out, rep, err, &o);
}

int policy_load_zoned(const char *path, const char *ifname, bool warnings,
		      struct px_policy *out, struct px_zoneset **zs,
		      struct policy_report *rep, FILE *err)
{
	struct parse_opts o = {
		.ifname = ifname, .zs = zs, .warnings = warnings};

	return load_file(path, out, rep, err, &o);
}

int policy_text_zoned(const char *name, const char *text, const char *ifname,
		      struct px_policy *out, struct px_zoneset **zs,
		      struct policy_report *rep, FILE *err)
{
	struct parse_opts o = {.ifname = ifname, .zs = zs, .warnings = true};

	return parse_text(name, text, strlen(text), out, rep, err, &o);
}

int policy_apply_specs(struct px_policy *pol, bool open, int n,
		       char *const specs[], struct policy_report *rep,
		       FILE *err)
{
	struct pstate *st = calloc(1, sizeof(*st));
	struct policy_report local;
	char arg[SHOWN_LEN + 32], b[SHOWN_LEN];
	int ret = 0;

	if (!st)
		return -ENOMEM;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	state_init(st, "arguments", err, false);
	st->pol = *pol;
	st->seen_default = st->seen_rule = true;
	if (n <= 0) {
		st->arg = open ? "open" : "close";
		error_at(st, 0,
			 open ? "e.g. 'open eth0 22/tcp'"
			      : "e.g. 'close eth0 23'",
			 "no port given");
	}
	for (int i = 0; i < n && !st->stopped; i++) {
		size_t len = strlen(specs[i]);

		snprintf(arg, sizeof(arg), "argument %d ('%s')", i + 1,
			 shown(specs[i], len, b));
		st->arg = arg;
		if (!len)
			error_at(st, 0, "give a port, range, name or class",
				 "empty SPEC");
		else if (strpbrk(specs[i], " \t\r\n"))
			error_at(st, 0,
				 open ? "give each SPEC as an argument of its "
					"own: 'open eth0 80 443', not 'open "
					"eth0 \"80 443\"'"
				      : "give each SPEC as an argument of its "
					"own: 'close eth0 23 25', not 'close "
					"eth0 \"23 25\"'",
				 "a SPEC holds no white space");
		else
			parse_spec(st, specs[i], len, 1, open);
	}
	st->arg = NULL;
	report(st, rep);
	if (st->errors) {
		ret = -EINVAL;
	} else {
		/* base only: the verbs ask policy_session_cut() with zones */
		rep->cuts_ssh = policy_cuts_session(pol, NULL, &st->pol, NULL);
		memcpy(pol->open, st->pol.open, sizeof(pol->open));
		pol->flags = st->pol.flags;
	}
	free(st);
	return ret;
}
