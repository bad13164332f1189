// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Messages of the policy parser. Every error and warning points at
 * FILE:LINE:COL and carries a hint saying what to write instead, because
 * the people who read them are editing a firewall, often over SSH.
 *
 * Policies are read as root, perhaps through sudo on a path someone else
 * chose, so a message quotes only the token it is about, at most 40 bytes
 * with anything unprintable escaped; and a file that is plainly not a
 * policy (a password file, a key) is refused whole, quoting nothing.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy_state.h"
#include "text.h"

#define SHOWN_BYTES 40

/* Whether line n of the policy itself ends in a `# intended` comment. */
static bool intended(const struct pstate *st, unsigned int n)
{
	const char *p = st->text, *end, *nl, *c;

	if (!p || !n || st->name != st->text_name)
		return false;
	end = p + st->text_size;
	for (; --n && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	c = memchr(p, '#', (size_t)(nl - p));
	if (!c)
		return false;
	for (c++; c < nl && (*c == ' ' || *c == '\t'); c++)
		;
	return nl - c >= 8 && !strncmp(c, "intended", 8) &&
	       (nl - c == 8 || !isalnum((unsigned char)c[8]));
}

static void vdiag(struct pstate *st, bool error, struct pos at,
		  const char *hint, const char *fmt, va_list ap)
{
	const char *kind = error ? "error" : "warning";

	if (!error && intended(st, at.line)) {
		st->intended++; /* meant: neither printed nor failing --strict
				 */
		return;
	}
	if (error)
		st->errors++;
	else
		st->warnings++;
	if (!error && !st->print_warnings)
		return;
	if (error && st->errors > MAX_ERRORS) {
		if (!st->stopped)
			text_line(st->err,
				  "%s: too many errors: the first %d are "
				  "shown, the rest only counted",
				  st->name, MAX_ERRORS);
		st->stopped = true;
		return;
	}
	if (error)
		st->shown_errors++;
	/* the file's name is the user's: escaped like the rest */
	if (st->arg)
		text_print(st->err, "portxdp: %s: %s: ", kind, st->arg);
	else if (at.line)
		text_print(st->err, "%s:%u:%u: %s: ", st->name, at.line, at.col,
			   kind);
	else
		text_print(st->err, "%s: %s: ", st->name, kind);
	text_vprint(st->err, fmt, ap);
	fputc('\n', st->err);
	if (hint)
		text_line(st->err, "  hint: %s", hint);
}

void error_at(struct pstate *st, unsigned int col, const char *hint,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(st, true, (struct pos){st->line, col}, hint, fmt, ap);
	va_end(ap);
}

void warn_at(struct pstate *st, struct pos at, const char *hint,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(st, false, at, hint, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t want;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	want = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (want > n)
		return 0;
	for (size_t i = 1; i < want; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong, surrogates and beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return want;
}

const char *shown(const char *s, size_t len, char buf[SHOWN_LEN])
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = len > SHOWN_BYTES ? SHOWN_BYTES : len, i = 0, o = 0;

	while (i < n) {
		size_t l = u[i] >= 0x80 ? utf8_len(u + i, n - i) : 0;

		if (l) {
			memcpy(buf + o, s + i, l);
			o += l;
			i += l;
		} else if (u[i] < 0x20 || u[i] >= 0x7f || u[i] == '\\') {
			o += (size_t)snprintf(buf + o, SHOWN_LEN - o, "\\x%02x",
					      u[i]);
			i++;
		} else {
			buf[o++] = s[i++];
		}
	}
	if (len > n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

/*
 * A first word no policy line has: longer than any keyword or typo of
 * one, not starting with a letter or digit, or holding bytes that no keyword,
 * port or name holds (':' of a password file, '=' of an environment file,
 * base64 of a key).
 */
static bool foreign_word(const char *s, size_t len)
{
	if (len > 24 || !len || !isalnum((unsigned char)s[0]))
		return true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == ',' ||
		      c == '/' || c == '_'))
			return true;
	}
	return false;
}

bool diag_mostly_foreign(const char *text, size_t size,
			 bool (*foreign_first)(const char *s, size_t len),
			 unsigned int *foreign, unsigned int *lines)
{
	const char *p = text, *end = text + size;

	*foreign = *lines = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct tok t;
		size_t at = 0;

		if (next_tok(p, len, &at, &t)) {
			(*lines)++;
			*foreign += foreign_first(t.s, t.len);
		}
		p += len + 1;
	}
	return *foreign && *foreign * 2 > *lines;
}

bool diag_not_a_policy(const char *text, size_t size, unsigned int *foreign,
		       unsigned int *lines)
{
	return diag_mostly_foreign(text, size, foreign_word, foreign, lines);
}
