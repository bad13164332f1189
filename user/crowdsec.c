// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CrowdSec's decision stream read into bans and unbans (crowdsec.h). The
 * JSON is parsed by libjansson (Debian's libjansson4): the stream is the
 * one JSON portxdp reads from another program, and a startup list can hold
 * tens of thousands of decisions. doc/design.md, section 10.
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <jansson.h>

#include "bans.h"
#include "crowdsec.h"
#include "source.h"

/* Units of a Go duration, longest names first where one prefixes another. */
static const struct {
	const char *name;
	double secs;
} units[] = {
	{"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"\xce\xbcs", 1e-6},
	{"ms", 1e-3}, {"s", 1},	    {"m", 60},		 {"h", 3600},
};

/* One number and unit at *s; *s moves past them. */
static int duration_term(const char **s, double *secs)
{
	double v = 0, scale = 1;
	bool digits = false;
	size_t i, n;

	for (; isdigit((unsigned char)**s); (*s)++, digits = true)
		v = v * 10 + (**s - '0');
	if (**s == '.')
		for ((*s)++; isdigit((unsigned char)**s); (*s)++) {
			scale /= 10;
			v += (**s - '0') * scale;
			digits = true;
		}
	if (!digits)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = strlen(units[i].name);
		/* "m" must not take the "m" of "ms" */
		if (!strncmp(*s, units[i].name, n) &&
		    !(n == 1 && **s == 'm' && (*s)[1] == 's')) {
			*s += n;
			*secs = v * units[i].secs;
			return 0;
		}
	}
	return -EINVAL;
}

int cs_duration_parse(const char *s, long long *secs)
{
	double total = 0, t;
	bool neg = false;
	long long whole;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*secs = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		if (duration_term(&s, &t))
			return -EINVAL;
		total += t;
		if (total > 1e12) /* 30,000 years: not a duration */
			return -EINVAL;
	}
	whole = (long long)total;
	if ((double)whole < total)
		whole++;
	*secs = neg ? -whole : whole;
	return 0;
}

static int range_v4(const unsigned char *b, unsigned long len,
		    struct px_ban_key *keys)
{
	__u32 base, a, n, i;

	if (len > 32)
		return -EINVAL;
	if (32 - len > 8)
		return -E2BIG;
	n = 1U << (32 - len);
	memcpy(&a, b, 4);
	base = ntohl(a) & (len ? ~0U << (32 - len) : 0);
	for (i = 0; i < n; i++) {
		memset(&keys[i], 0, sizeof(keys[i]));
		keys[i].family = 4;
		a = htonl(base + i);
		memcpy(keys[i].addr, &a, 4);
	}
	return (int)n;
}

static int range_v6(const unsigned char *b, unsigned long len,
		    struct px_ban_key *keys)
{
	static const unsigned char link_local[8] = {0xfe, 0x80};
	__u64 base, p;
	__u32 n, i;

	if (len > 128)
		return -EINVAL;
	/* in fe80::/64 a source is an address (source.h): a /128 only */
	if (len > 64 && !memcmp(b, link_local, 8)) {
		if (len < 128)
			return -E2BIG;
		memset(&keys[0], 0, sizeof(keys[0]));
		keys[0].family = PX_BAN_LINK_LOCAL;
		memcpy(keys[0].addr, b + 8, 8);
		return 1;
	}
	if (len < 64 && 64 - len > 8)
		return -E2BIG;
	n = len >= 64 ? 1 : 1U << (64 - len);
	memcpy(&p, b, 8);
	base = be64toh(p);
	if (len < 64)
		base &= len ? ~0ULL << (64 - len) : 0;
	for (i = 0; i < n; i++) {
		memset(&keys[i], 0, sizeof(keys[i]));
		keys[i].family = 6;
		p = htobe64(base + i);
		memcpy(keys[i].addr, &p, 8);
	}
	return (int)n;
}

/* ::ffff:0:0/96, IPv4-mapped addresses: IPv4 ranges written as IPv6. */
static const unsigned char v4_mapped[12] = {[10] = 0xff, [11] = 0xff};

int cs_range_keys(const char *value, struct px_ban_key *keys)
{
	const char *slash = strchr(value, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned char b[16];
	unsigned long len = 0;
	const char *p;

	if (!slash || (size_t)(slash - value) >= sizeof(addr) || !slash[1] ||
	    strlen(slash + 1) > 3)
		return -EINVAL;
	for (p = slash + 1; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		len = len * 10 + (unsigned long)(*p - '0');
	}
	memcpy(addr, value, (size_t)(slash - value));
	addr[slash - value] = '\0';
	if (inet_pton(AF_INET, addr, b) == 1)
		return range_v4(b, len, keys);
	if (inet_pton(AF_INET6, addr, b) != 1)
		return -EINVAL;
	if (len <= 128 && !memcmp(b, v4_mapped, 12)) /* as source_parse() */
		return len < 96 ? -E2BIG : range_v4(b + 12, len - 96, keys);
	return range_v6(b, len, keys);
}

/* Append nk keys to *arr of *n entries and room for *cap (bans get secs
 * and the note of the decision d). */
static int push(struct cs_change **arr, size_t *n, size_t *cap,
		const struct px_ban_key *k, int nk, unsigned long secs,
		json_t *d)
{
	const char *scenario =
		d ? json_string_value(json_object_get(d, "scenario")) : NULL;
	char note[PX_BAN_NOTE_LEN] = "";

	struct cs_change *p;
	size_t want = *n + (size_t)nk, c = *cap;

	if (want > c) {
		while (c < want)
			c = c ? c * 2 : 64;
		p = realloc(*arr, c * sizeof(**arr));
		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = c;
	}
	if (d)
		snprintf(note, sizeof(note), "crowdsec%s%s",
			 scenario && *scenario ? ":" : "",
			 scenario ? scenario : "");
	for (int i = 0; i < nk; i++) {
		(*arr)[*n] = (struct cs_change){.src = k[i], .secs = secs};
		bans_note((*arr)[(*n)++].note, note);
	}
	return 0;
}

static void note(struct cs_stream *s, size_t *count, const char *value)
{
	size_t i;

	(*count)++;
	if (s->example[0] || !value)
		return;
	for (i = 0; i < sizeof(s->example) - 1 && value[i]; i++)
		s->example[i] =
			isprint((unsigned char)value[i]) ? value[i] : '?';
	s->example[i] = '\0';
}

static const char *str_of(json_t *d, const char *key)
{
	return json_string_value(json_object_get(d, key));
}

/* A decision's sources into keys: their count, or 0 when skipped. */
static int decision_keys(struct cs_stream *s, json_t *d,
			 struct px_ban_key *keys)
{
	const char *type = str_of(d, "type"), *scope = str_of(d, "scope");
	const char *value = str_of(d, "value"), *why;
	int n;

	if (!type || !scope || !value) {
		note(s, &s->malformed, value ? value : type);
		return 0;
	}
	if (strcasecmp(type, "ban")) {
		note(s, &s->not_ban, type);
		return 0;
	}
	if (!strcasecmp(scope, "ip"))
		n = source_parse(value, keys, &why) ? -EINVAL : 1;
	else if (!strcasecmp(scope, "range"))
		n = cs_range_keys(value, keys);
	else {
		note(s, &s->other_scope, scope);
		return 0;
	}
	if (n == -E2BIG)
		note(s, &s->wide_range, value);
	else if (n < 0)
		note(s, &s->malformed, value);
	return n < 0 ? 0 : n;
}

static int decisions(struct cs_stream *s, json_t *arr, bool new)
{
	struct px_ban_key keys[CS_RANGE_KEYS];
	const char *dur;
	long long secs = 0;
	size_t i;
	json_t *d;
	int n;

	json_array_foreach(arr, i, d)
	{
		s->decisions++;
		n = json_is_object(d) ? decision_keys(s, d, keys) : 0;
		if (!json_is_object(d))
			note(s, &s->malformed, NULL);
		if (!n)
			continue;
		if (!new) {
			if (push(&s->unbans, &s->nunbans, &s->unbans_cap, keys,
				 n, 0, NULL))
				return -ENOMEM;
			continue;
		}
		dur = str_of(d, "duration");
		if (!dur || cs_duration_parse(dur, &secs)) {
			note(s, &s->malformed, dur);
			continue;
		}
		if (secs <= 0) {
			s->expired++;
			continue;
		}
		if (secs > PX_BAN_DURATION_MAX)
			secs = PX_BAN_DURATION_MAX;
		if (push(&s->bans, &s->nbans, &s->bans_cap, keys, n,
			 (unsigned long)secs, d))
			return -ENOMEM;
	}
	return 0;
}

int cs_stream_parse(const char *body, size_t len, struct cs_stream *out,
		    char *why, size_t whylen)
{
	json_t *root, *nw, *del;
	json_error_t e;
	int err = -EINVAL;

	memset(out, 0, sizeof(*out));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		snprintf(why, whylen, "not JSON (line %d, column %d: %s)",
			 e.line, e.column, e.text);
		return -EINVAL;
	}
	nw = json_object_get(root, "new");
	del = json_object_get(root, "deleted");
	if (!json_is_object(root) || (!nw && !del))
		snprintf(why, whylen,
			 "JSON without \"new\" or \"deleted\" decisions");
	else if ((nw && !json_is_array(nw) && !json_is_null(nw)) ||
		 (del && !json_is_array(del) && !json_is_null(del)))
		snprintf(why, whylen, "\"new\" or \"deleted\" is not a list");
	else
		err = 0;
	/* deleted first: a decision deleted and another one made for the same
	 * source in one answer leaves the source banned */
	if (!err && json_is_array(del))
		err = decisions(out, del, false);
	if (!err && json_is_array(nw))
		err = decisions(out, nw, true);
	if (err == -ENOMEM)
		snprintf(why, whylen, "out of memory");
	json_decref(root);
	return err;
}

void cs_stream_free(struct cs_stream *s)
{
	free(s->bans);
	free(s->unbans);
	s->bans = s->unbans = NULL;
	s->nbans = s->nunbans = s->bans_cap = s->unbans_cap = 0;
}
