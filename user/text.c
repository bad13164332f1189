// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UTF-8 checks and the three escapes (JSON, Prometheus, people) every
 * printed name goes through; see text.h for which does what.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include "text.h"

size_t utf8_char_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0; /* a continuation byte, C0/C1 (overlong) or F5-FF */
	/* the second byte's range rules out overlongs, surrogates, > 10FFFF */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

size_t utf8_cut(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1), at = 0;

	if (len <= max)
		return len;
	/* walk from the start: a stray byte counts as one character */
	while (at < max) {
		size_t c = utf8_char_len(s + at, len - at);

		if (!c)
			c = 1;
		if (at + c > max)
			break;
		at += c;
	}
	return at;
}

void text_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (!size)
		return;
	n = utf8_cut(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A C0 control, DEL, or (valid UTF-8 for) a C1 control U+0080-U+009F. */
static bool is_control(const unsigned char *s, size_t clen)
{
	if (clen == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return clen == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

void text_json(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = str ? strlen(str) : 0;

	while (left) {
		size_t c = utf8_char_len((const char *)s, left);

		if (!c) {
			fputs("\\ufffd", f);
			c = 1;
		} else if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else if (*s == '\t') {
			fputs("\\t", f);
		} else if (*s == '\r') {
			fputs("\\r", f);
		} else if (is_control(s, c)) {
			fprintf(f, "\\u%04x",
				c == 1 ? *s
				       : (unsigned)((s[0] & 0x1f) << 6 |
						    (s[1] & 0x3f)));
		} else {
			fwrite(s, 1, c, f);
		}
		s += c;
		left -= c;
	}
}

void text_prom(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = str ? strlen(str) : 0;

	while (left) {
		size_t c = utf8_char_len((const char *)s, left);

		if (!c) {
			fputs("\xef\xbf\xbd", f); /* U+FFFD */
			c = 1;
		} else if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else if (is_control(s, c)) {
			fputs("\xef\xbf\xbd", f);
		} else {
			fwrite(s, 1, c, f);
		}
		s += c;
		left -= c;
	}
}

const char *text_safe(char *buf, size_t size, const char *str)
{
	const unsigned char *s;
	size_t left, out = 0;

	if (!size)
		return buf;
	if (!str)
		str = "-";
	s = (const unsigned char *)str;
	left = strlen(str);
	while (left) {
		size_t c = utf8_char_len((const char *)s, left);
		bool esc = !c || is_control(s, c);
		size_t need = esc ? 4 * (c ? c : 1) : c;

		if (out + need >= size)
			break;
		if (esc) {
			c = c ? c : 1;
			for (size_t i = 0; i < c; i++)
				out += snprintf(buf + out, size - out,
						"\\x%02x", s[i]);
		} else {
			memcpy(buf + out, s, c);
			out += c;
		}
		s += c;
		left -= c;
	}
	buf[out] = '\0';
	return buf;
}

void text_vprint(FILE *f, const char *fmt, va_list ap)
{
	char stackbuf[1024], *raw = stackbuf, *safe;
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(stackbuf, sizeof(stackbuf), fmt, ap);
	if (n >= (int)sizeof(stackbuf)) {
		raw = malloc((size_t)n + 1);
		if (raw)
			vsnprintf(raw, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	if (n < 0 || !raw)
		return;
	safe = malloc(4 * (size_t)n + 1);
	if (safe) {
		fputs(text_safe(safe, 4 * (size_t)n + 1, raw), f);
		free(safe);
	}
	if (raw != stackbuf)
		free(raw);
}

void text_print(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vprint(f, fmt, ap);
	va_end(ap);
}

void text_line(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vprint(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static const char *fmt_time(char *buf, size_t size, long long secs, int ms,
			    bool utc)
{
	time_t t = (time_t)secs;
	size_t n;
	struct tm tm;

	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ||
	    !(n = strftime(buf, size,
			   utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S",
			   &tm))) {
		snprintf(buf, size, "%lld", secs);
		return buf;
	}
	if (ms >= 0)
		n += snprintf(buf + n, size - n, ".%03d", ms % 1000);
	if (n < size && utc)
		snprintf(buf + n, size - n, "Z");
	else if (n < size)
		strftime(buf + n, size - n, " %z", &tm);
	return buf;
}

const char *text_time_local(char *buf, size_t size, long long secs, int ms)
{
	return fmt_time(buf, size, secs, ms, false);
}

const char *text_time_utc(char *buf, size_t size, long long secs, int ms)
{
	return fmt_time(buf, size, secs, ms, true);
}

int text_columns(int fd)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long n;

	if (env && *env) {
		n = strtol(env, &end, 10);
		if (!*end && n > 0 && n < 100000)
			return (int)n;
	}
	if (!ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* Columns of the n bytes at s: one per character (a stray byte is one). */
static int text_width(const char *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; w++) {
		size_t c = utf8_char_len(s + i, n - i);

		i += c ? c : 1;
	}
	return w;
}

void text_wrap(FILE *f, const char *s, int col, int indent, int width)
{
	bool wrap = width > 0 && width - indent >= 20;

	while (*s == ' ')
		s++;
	while (*s) {
		size_t len = strcspn(s, " ");
		int w = text_width(s, len);

		if (wrap && col > indent && col + 1 + w > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, len, f);
		col += w;
		s += len;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}
