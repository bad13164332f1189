/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small streaming JSON writer, the one every --json output goes through,
 * so quoting, commas and valid UTF-8 (text.h: a byte that is not UTF-8
 * becomes U+FFFD) are right in one place. Usage:
 *   struct json j; json_init(&j, stdout);
 *   json_obj_open(&j); json_key_str(&j, "interface", "eth0");
 *   json_key(&j, "ports"); json_arr_open(&j); ... json_arr_close(&j);
 *   json_obj_close(&j); json_end(&j);   (json_end prints the newline)
 */
#ifndef PX_JSON_H
#define PX_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no element written yet at this depth */
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s); /* NULL writes null */
void json_null(struct json *j);
void json_key_str(struct json *j, const char *key, const char *s);
/* "key": {"from": from, "to": to} when changed, else "key": null. */
void json_key_change(struct json *j, const char *key, bool changed,
		     const char *from, const char *to);
void json_key_u64(struct json *j, const char *key, uint64_t v);
void json_key_i64(struct json *j, const char *key, int64_t v);
void json_key_bool(struct json *j, const char *key, bool v);
/* A fraction with that many decimals (a rate: 3); NaN or infinity: 0. */
void json_key_double(struct json *j, const char *key, double v, int decimals);
/* Unix seconds as "2026-11-28T20:30:05Z" (UTC; ms >= 0: ".123Z"). */
void json_key_time(struct json *j, const char *key, long long secs, int ms);
void json_end(struct json *j);

/* Print {"error": "..."} for scripts that asked for JSON. */
void json_error(FILE *f, const char *msg);

#endif
