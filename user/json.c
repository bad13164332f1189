// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The JSON writer behind every --json output; see json.h. Strings go
 * through text_json(), so the output is valid UTF-8 whatever the bytes.
 */
#include <inttypes.h>
#include <math.h>

#include "json.h"
#include "text.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Comma before every element but the first of its container. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputs(", ", j->f);
	j->first[j->depth] = false;
}

static void open_(struct json *j, char c)
{
	sep(j);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->f);
}

void json_obj_open(struct json *j)
{
	open_(j, '{');
}
void json_obj_close(struct json *j)
{
	close_(j, '}');
}
void json_arr_open(struct json *j)
{
	open_(j, '[');
}
void json_arr_close(struct json *j)
{
	close_(j, ']');
}

static void quoted(FILE *f, const char *s)
{
	fputc('"', f);
	text_json(f, s);
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	sep(j);
	quoted(j->f, key);
	fputs(": ", j->f);
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	sep(j);
	if (s)
		quoted(j->f, s);
	else
		fputs("null", j->f);
}

static void json_u64(struct json *j, uint64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

static void json_double(struct json *j, double v, int decimals)
{
	sep(j);
	/* JSON has no NaN or infinity; a rate is never either but for a bug */
	fprintf(j->f, "%.*f", decimals, isfinite(v) ? v : 0.0);
}

void json_null(struct json *j)
{
	sep(j);
	fputs("null", j->f);
}

void json_key_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_key_change(struct json *j, const char *key, bool changed,
		     const char *from, const char *to)
{
	json_key(j, key);
	if (!changed) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_key_str(j, "from", from);
	json_key_str(j, "to", to);
	json_obj_close(j);
}

void json_key_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_key_double(struct json *j, const char *key, double v, int decimals)
{
	json_key(j, key);
	json_double(j, v, decimals);
}

void json_key_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	sep(j);
	fprintf(j->f, "%" PRId64, v);
}

void json_key_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void json_key_time(struct json *j, const char *key, long long secs, int ms)
{
	char when[TEXT_TIME_LEN];

	json_key_str(j, key, text_time_utc(when, sizeof(when), secs, ms));
}

void json_end(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

void json_error(FILE *f, const char *msg)
{
	struct json j;

	json_init(&j, f);
	json_obj_open(&j);
	json_key_str(&j, "error", msg);
	json_obj_close(&j);
	json_end(&j);
}
