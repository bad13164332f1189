/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the policy parser: the state one parse carries from line to line,
 * shared by the grammar (policy_grammar.c), SPECs (policy_spec.c), messages
 * (policy_diag.c) and lints (policy_lint.c). Not for use outside them; the
 * rest of portxdp sees policy.h.
 */
#ifndef PX_POLICY_STATE_H
#define PX_POLICY_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy.h"
#include "policy_zone.h"

#define MAX_ERRORS 20	/* printed; later ones are only counted */
#define NAME_MAX_LEN 64 /* longest port name looked up */
#define SHOWN_LEN 176	/* a quoted token: 40 bytes, escaped, "..." */

#define M_TCP (1U << PX_TCP)
#define M_UDP (1U << PX_UDP)
#define M_BOTH (M_TCP | M_UDP)

/* Ports whose last writer a warning points at. */
enum { W_FTPDATA, W_FTP, W_SSH, W_BOOTPC, W_EPH, W_N };

struct pos {
	unsigned int line, col;
};

/* A token of a line: where it starts, its length, its 1-based column. */
struct tok {
	const char *s;
	size_t len;
	unsigned int col;
};

struct pstate {
	const char *name; /* what messages call the file */
	const char *arg;  /* "argument N ('SPEC')" for policy_apply_specs */
	FILE *err;
	bool print_warnings;
	bool stopped; /* MAX_ERRORS printed: count the rest silently */
	unsigned int line;
	unsigned int errors, warnings, shown_errors;
	struct px_policy pol;
	bool seen_default, seen_rule, default_closed;
	struct pos default_pos;
	/* lines that may come once: where each came, line 0 until then */
	unsigned int fragments_line, replies_line, ban_line;
	struct pos touch[W_N]; /* last line that changed the port */
	unsigned int watch_lo[W_N], watch_hi[W_N];
	unsigned int watch_mask[W_N]; /* protocols watched */
	bool watch_closing_only[W_N]; /* touched by closes only */
	unsigned int ssh_port;	      /* 0: not over SSH */
	int eph_state;		      /* 0 unread, 1 read, -errno failed */
	unsigned int eph_lo, eph_hi;
	/* zones (policy_zone.c): NULL until the first zone line */
	struct px_zoneset *zs;
	const char *ifname; /* what `local` reads; NULL: not read */
	bool in_zone;	    /* parsing the SPECs of a `from` line */
	struct pos zone_pos[PX_ZONE_ENTRIES]; /* where each was declared */
	bool zone_used[PX_ZONE_ENTRIES];
	bool zone_full; /* the prefix limit was reported */
	/* the policy's text: a warning on a line commented `# intended` is
	 * counted apart, not printed (policy_diag.c) */
	const char *text, *text_name;
	size_t text_size;
	unsigned int intended;
	/* zones whose declaration failed, reported: named later, no error */
	bool zones_over; /* the zones limit was reported */
	unsigned int nbad_zones, hushed;
	char bad_zone[16][PX_ZONE_NAME_LEN + 16];
};

/* policy_diag.c: messages, each counted; errors beyond MAX_ERRORS only so */
__attribute__((format(printf, 4, 5))) void error_at(struct pstate *st,
						    unsigned int col,
						    const char *hint,
						    const char *fmt, ...);
__attribute__((format(printf, 4, 5))) void warn_at(struct pstate *st,
						   struct pos at,
						   const char *hint,
						   const char *fmt, ...);
/* A token for a message: 40 bytes at most, bytes that are not printable
 * UTF-8 as \xNN. */
const char *shown(const char *s, size_t len, char buf[SHOWN_LEN]);
bool word_is(const char *s, size_t len, const char *word);
/*
 * Whether more than half of the lines of text that say something start
 * with a word foreign_first() calls foreign: then it is some other file,
 * whose lines must not be echoed in messages. Counts into *foreign, *lines.
 */
bool diag_mostly_foreign(const char *text, size_t size,
			 bool (*foreign_first)(const char *s, size_t len),
			 unsigned int *foreign, unsigned int *lines);

/*
 * Whether text is plainly no policy (binary aside: the reader refuses
 * that): most of its lines start with something no policy line starts
 * with. *foreign and *lines get the counts. Reported by the caller
 * without quoting a byte of it.
 */
bool diag_not_a_policy(const char *text, size_t size, unsigned int *foreign,
		       unsigned int *lines);

/* policy_grammar.c: the tokeniser */
bool next_tok(const char *line, size_t len, size_t *at, struct tok *t);
/*
 * A kind of line a policy holds once (`option fragments`, `option
 * replies`, `ban`): the first time, remember this line in *first and
 * return true; again, an error at col naming the first line, false.
 */
bool once_per_policy(struct pstate *st, unsigned int *first, unsigned int col,
		     const char *what);

/* policy_replies.c: `option replies ...`, the word replies in *name */
void line_option_replies(struct pstate *st, const char *line, size_t len,
			 size_t at, const struct tok *name);

/* policy_spec.c: one SPEC (PORTS[/PROTO]) opened or closed */
void parse_spec(struct pstate *st, const char *s, size_t len, unsigned int col,
		bool open);
/* Read the ephemeral range once per parse: 0 or -errno. */
int state_ephemeral(struct pstate *st);

/* policy_zone.c: zone and block lines, `open/close ... from` */
void line_zone(struct pstate *st, const char *line, size_t len, size_t at,
	       struct tok *kw);
void line_block(struct pstate *st, const char *line, size_t len, size_t at,
		struct tok *kw);
/* The offset of a `from` token in line after at, or 0. */
size_t zone_from_at(const char *line, size_t len, size_t at);
void zone_rule(struct pstate *st, const char *line, size_t len, size_t at,
	       size_t from, struct tok *kw, bool open);
/* A SRC token that is written as a prefix (a digit first, or a ':'). */
bool zone_is_prefix(const struct tok *t);
/* The index of the zone t names, declared above; else 0, reported as an
 * unknown zone (with a near name, or a hint: what comes where). */
unsigned int zone_named(struct pstate *st, const struct tok *t,
			const char *what);
/* Add p to zone `zone` as written at file's current line, col; over the
 * prefix limit (or out of memory) an error, reported once per parse. */
void zone_add_prefix(struct pstate *st, struct px_prefix *p, unsigned int zone,
		     unsigned int file, unsigned int col);
/* policy_zone_file.c: `zone NAME file PATH`, read into zone z */
void zone_file(struct pstate *st, unsigned int z, const struct tok *path);
/* After the last line: `local`, prefixes in two zones, verdicts, lints. */
void zone_finish(struct pstate *st);
/* policy_ban.c: `ban after N ports in SECS for DURATION [except SRC...]` */
void line_ban(struct pstate *st, const char *line, size_t len, size_t at,
	      struct tok *kw);
/* After zone_finish(): mark the prefixes inside `except` zones. */
void ban_finish(struct pstate *st);

/* policy_lint.c: warnings about valid policies that will hurt */
void lint_watch_init(struct pstate *st);
void lint_touch(struct pstate *st, unsigned int mask, unsigned int lo,
		unsigned int hi, bool open, unsigned int col);
void lint_fragments_drop(struct pstate *st, unsigned int col);
void lint_name_proto(struct pstate *st, const char *name, size_t len,
		     unsigned int col, unsigned int has, unsigned int asked);
void lint_whole(struct pstate *st, struct policy_report *rep);

#endif
