/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Strings from outside (interface names, namespace names, file paths) made
 * safe for each place they are printed (doc/design.md, section 6):
 *
 *   JSON         always valid UTF-8: a byte that is not part of a valid
 *                UTF-8 character becomes U+FFFD (written \ufffd), control
 *                characters \u00XX (or \n, \t, ...), " and \ escaped.
 *   Prometheus   label values: \ " and newline escaped as the text format
 *                wants, other control characters and bytes that are not
 *                UTF-8 as U+FFFD (the format has no other escape).
 *   people       (terminal text, errors) control characters and bytes that
 *                are not UTF-8 as \xHH, so a name cannot move the cursor,
 *                recolour the terminal or hide itself.
 *
 * Valid UTF-8 is RFC 3629's: no overlong forms, no surrogates, nothing past
 * U+10FFFF. Cutting a string to fit a buffer never splits a character.
 */
#ifndef PX_TEXT_H
#define PX_TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Bytes in the UTF-8 character at s (1-4), looking at most n bytes; 0 when
 * s does not start a valid character there (or n is 0).
 */
size_t utf8_char_len(const char *s, size_t n);

/* The longest prefix of s, at most max bytes, ending on a character. */
size_t utf8_cut(const char *s, size_t max);

/* snprintf(dst, size, "%s", src), but cut on a character boundary. */
void text_copy(char *dst, size_t size, const char *src);

/* The body of a JSON string (no quotes); NULL writes nothing. */
void text_json(FILE *f, const char *s);

/* A Prometheus label value (no quotes); NULL writes nothing. */
void text_prom(FILE *f, const char *s);

/*
 * s for people into buf (cut, on an escape or character boundary, to
 * size); returns buf. A buffer of 4 * strlen(s) + 1 bytes never cuts.
 * "-" for NULL.
 */
const char *text_safe(char *buf, size_t size, const char *s);

/* Size of a buffer text_safe() never cuts an interface name in. */
#define TEXT_IFNAME_SAFE (4 * 16 + 1)

/* vfprintf(f, fmt, ap), with what it prints made safe as text_safe(). */
void text_vprint(FILE *f, const char *fmt, va_list ap);

/*
 * One line for people: fprintf(f, fmt, ...) made safe as text_safe(), then
 * a newline. Every message that prints a file name, an interface name or
 * anything else from outside goes through it (or text_vprint(), or
 * px_error(), which use it), so a name holding a newline or an escape
 * sequence cannot break the line or drive the terminal.
 */
void text_line(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* text_line() without the newline, for a line printed in parts. */
void text_print(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The one time format of each kind of output (doc/design.md, section 6):
 * for people, local time with its UTC offset, "2026-11-28 21:30:05 +0100";
 * in JSON, UTC, "2026-11-28T20:30:05Z". ms >= 0 adds milliseconds
 * ("21:30:05.123 +0100", "20:30:05.123Z"). Return buf.
 */
#define TEXT_TIME_LEN 40
const char *text_time_local(char *buf, size_t size, long long secs, int ms);
const char *text_time_utc(char *buf, size_t size, long long secs, int ms);

/*
 * Columns of the terminal output goes to: $COLUMNS when set to a number,
 * else the window size of fd (TIOCGWINSZ), else 0 (unknown: a pipe).
 */
int text_columns(int fd);

/*
 * Print s from column col (what the line already holds) with words
 * wrapped so no line passes width columns, continuation lines indented by
 * indent spaces, and a newline at the end. A character counts as one
 * column. width 0, or too narrow to hold 20 columns after indent: one line.
 */
void text_wrap(FILE *f, const char *s, int col, int indent, int width);

#endif
