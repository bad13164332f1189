// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The policy language of doc/design.md section 3, the one parser behind attach,
 * apply, open/close, diff and check. It reads a policy line by line into a
 * private struct px_policy and hands it out only when the whole text had
 * no error, so a bad file can never be half applied. Every message points
 * at FILE:LINE:COL and carries a hint saying what to write instead, because
 * the people who read them are editing a firewall, often over SSH.
 *
 * `check` additionally prints warnings about policies that are valid but
 * will hurt (FTP half open, replies dropped, the SSH session cut, DHCP
 * broken); the other verbs only count them, and read rep->cuts_ssh.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "text.h"
#include "table.h"

#define MAX_ERRORS 20
#define MAX_POLICY_BYTES (1 << 20)
#define NAME_MAX_LEN 64
#define EPHEMERAL_SYSCTL "/proc/sys/net/ipv4/ip_local_port_range"

#define M_TCP (1U << PX_TCP)
#define M_UDP (1U << PX_UDP)
#define M_BOTH (M_TCP | M_UDP)

/* Ports whose last writer a warning points at. */
enum { W_FTPDATA, W_FTP, W_SSH, W_BOOTPC, W_N };

struct pos {
	unsigned int line, col;
};

struct pstate {
	const char *name; /* what messages call the file */
	const char *arg;  /* "argument N ('SPEC')" for policy_apply_specs */
	FILE *err;
	bool print_warnings;
	bool stopped; /* too many errors */
	unsigned int line;
	unsigned int errors, warnings;
	struct px_policy pol;
	bool seen_default, seen_rule, default_closed;
	struct pos default_pos;
	struct pos touch[W_N];
	unsigned int watch_port[W_N];
	int watch_proto[W_N];
	bool over_ssh;
	int eph_state; /* 0 unread, 1 read, -errno failed */
	unsigned int eph_lo, eph_hi;
};

static const char *const class_words[] = {"well-known", "registered", "dynamic",
					  "ephemeral",	"ping",	      NULL};
static const char *const keywords[] = {"default", "open", "close", "option",
				       NULL};

/* --- bits ------------------------------------------------------------------
 */

void policy_init(struct px_policy *p)
{
	memset(p, 0, sizeof(*p));
	memset(p->open, 0xff, sizeof(p->open));
	p->flags = PX_F_PING_OPEN;
}

unsigned int policy_count_open(const struct px_policy *p, int proto)
{
	unsigned int n = 0;

	for (int w = 0; w < PX_BITMAP_WORDS; w++)
		n += (unsigned int)__builtin_popcountll(p->open[proto][w]);
	return n;
}

/* Set lo..hi of one protocol, whole words at a time where possible. */
static void set_range(struct px_policy *p, int proto, unsigned int lo,
		      unsigned int hi, bool open)
{
	unsigned int port = lo;

	while (port <= hi) {
		if (port % 64 == 0 && port + 63 <= hi) {
			p->open[proto][port / 64] = open ? ~0ULL : 0;
			port += 64;
		} else {
			policy_set_port(p, proto, port, open);
			port++;
		}
	}
}

/* Whether port is selected: changed (a != NULL), or in state want. */
static bool selected(const struct px_policy *a, const struct px_policy *b,
		     int proto, bool want, unsigned int port)
{
	bool st = policy_port_open(b, proto, port);

	return a ? policy_port_open(a, proto, port) != st : st == want;
}

/* The word's selection mask: bit set where the port is selected. */
static __u64 sel_word(const struct px_policy *a, const struct px_policy *b,
		      int proto, bool want, unsigned int w)
{
	if (a)
		return a->open[proto][w] ^ b->open[proto][w];
	return want ? b->open[proto][w] : ~b->open[proto][w];
}

static int ranges(const struct px_policy *a, const struct px_policy *b,
		  int proto, bool want, struct policy_range *out, int max,
		  int n)
{
	unsigned int port = 0;

	while (port < PX_PORTS) {
		bool st;
		unsigned int lo = port;

		/* whole words at a time where nothing is selected */
		if (port % 64 == 0 && !sel_word(a, b, proto, want, port / 64)) {
			port += 64;
			continue;
		}
		if (!selected(a, b, proto, want, port)) {
			port++;
			continue;
		}
		st = policy_port_open(b, proto, port);
		while (port + 1 < PX_PORTS) {
			unsigned int next = port + 1, w = next / 64;
			__u64 same = st ? ~0ULL : 0;

			if (next % 64 == 0 && next + 63 < PX_PORTS &&
			    sel_word(a, b, proto, want, w) == ~0ULL &&
			    b->open[proto][w] == same) {
				port += 64;
				continue;
			}
			if (!selected(a, b, proto, want, next) ||
			    policy_port_open(b, proto, next) != st)
				break;
			port++;
		}
		if (n < max && out)
			out[n] = (struct policy_range){.proto = proto,
						       .lo = lo,
						       .hi = port,
						       .open = st};
		n++;
		port++;
	}
	return n;
}

/* Closed ports of a protocol in lo..hi. */
static unsigned int count_closed(const struct px_policy *p, int proto,
				 unsigned int lo, unsigned int hi)
{
	unsigned int n = 0, port = lo;

	while (port <= hi) {
		if (port % 64 == 0 && port + 63 <= hi) {
			n += 64 - (unsigned int)__builtin_popcountll(
					  p->open[proto][port / 64]);
			port += 64;
		} else {
			n += !policy_port_open(p, proto, port);
			port++;
		}
	}
	return n;
}

int policy_diff(const struct px_policy *from, const struct px_policy *to,
		struct policy_range *out, int max)
{
	int n = ranges(from, to, PX_TCP, false, out, max, 0);

	return ranges(from, to, PX_UDP, false, out, max, n);
}

int policy_ranges(const struct px_policy *p, int proto, bool open,
		  struct policy_range *out, int max)
{
	return ranges(NULL, p, proto, open, out, max, 0);
}

int policy_ephemeral_range(unsigned int *lo, unsigned int *hi)
{
	FILE *f = fopen(EPHEMERAL_SYSCTL, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%u %u", lo, hi);
	fclose(f);
	if (n != 2 || *lo > *hi || *hi > 65535)
		return -EINVAL;
	return 0;
}

/* --- messages ----------------------------------------------------------------
 */

static void vdiag(struct pstate *st, bool error, struct pos at,
		  const char *hint, const char *fmt, va_list ap)
{
	const char *kind = error ? "error" : "warning";

	if (error)
		st->errors++;
	else
		st->warnings++;
	if (!error && !st->print_warnings)
		return;
	if (error && st->errors > MAX_ERRORS) {
		if (!st->stopped)
			fprintf(st->err, "%s: too many errors, stopping\n",
				st->name);
		st->stopped = true;
		return;
	}
	if (st->arg)
		fprintf(st->err, "portxdp: %s: %s: ", kind, st->arg);
	else if (at.line)
		fprintf(st->err, "%s:%u:%u: %s: ", st->name, at.line, at.col,
			kind);
	else
		fprintf(st->err, "%s: %s: ", st->name, kind);
	vfprintf(st->err, fmt, ap);
	fputc('\n', st->err);
	if (hint)
		fprintf(st->err, "  hint: %s\n", hint);
}

__attribute__((format(printf, 4, 5))) static void error_at(struct pstate *st,
							   unsigned int col,
							   const char *hint,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(st, true, (struct pos){st->line, col}, hint, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5))) static void warn_at(struct pstate *st,
							  struct pos at,
							  const char *hint,
							  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(st, false, at, hint, fmt, ap);
	va_end(ap);
}

/* A token for a message: at most 40 bytes, control characters as '?'. */
static const char *shown(const char *s, size_t len, char buf[48])
{
	size_t i, n = len > 40 ? 40 : len;

	for (i = 0; i < n; i++)
		buf[i] =
			(unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (len > n) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

/* --- state changes
 * ------------------------------------------------------------ */

static void touch(struct pstate *st, unsigned int mask, unsigned int lo,
		  unsigned int hi, unsigned int col)
{
	for (int i = 0; i < W_N; i++)
		if ((mask & (1U << st->watch_proto[i])) &&
		    st->watch_port[i] >= lo && st->watch_port[i] <= hi)
			st->touch[i] = (struct pos){st->line, col};
}

static void apply(struct pstate *st, unsigned int mask, unsigned int lo,
		  unsigned int hi, bool open, unsigned int col)
{
	for (int proto = 0; proto < PX_NPROTO; proto++)
		if (mask & (1U << proto))
			set_range(&st->pol, proto, lo, hi, open);
	touch(st, mask, lo, hi, col);
}

static int ephemeral(struct pstate *st)
{
	if (!st->eph_state) {
		int err = policy_ephemeral_range(&st->eph_lo, &st->eph_hi);

		st->eph_state = err ? err : 1;
	}
	return st->eph_state < 0 ? st->eph_state : 0;
}

/* --- SPEC --------------------------------------------------------------------
 */

/*
 * A decimal port at s (len > 0, digits only). Errors point at col.
 * Returns 0 or -1 (reported).
 */
static int number(struct pstate *st, const char *s, size_t len,
		  unsigned int col, unsigned int *out)
{
	unsigned long v = 0;
	char b[48];

	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 65535) {
			error_at(st, col, "ports are 0-65535",
				 "port %s out of range", shown(s, len, b));
			return -1;
		}
	}
	*out = (unsigned int)v;
	return 0;
}

/* PORTS item that starts with a digit: N, LO-HI or LO:HI. */
static int numeric_item(struct pstate *st, const char *s, size_t len,
			unsigned int col, unsigned int *lo, unsigned int *hi)
{
	size_t sep = len;
	char b[48], h[96];

	for (size_t i = 0; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			continue;
		if ((s[i] == '-' || s[i] == ':') && sep == len) {
			sep = i;
			continue;
		}
		return 1; /* not numeric: let the caller judge it */
	}
	if (number(st, s, sep, col, lo))
		return -1;
	if (sep == len) {
		*hi = *lo;
		return 0;
	}
	if (sep + 1 == len) {
		error_at(st, col, "a range is LO-HI, e.g. 137-139",
			 "incomplete range '%s'", shown(s, len, b));
		return -1;
	}
	if (number(st, s + sep + 1, len - sep - 1, col + (unsigned int)sep + 1,
		   hi))
		return -1;
	if (*lo > *hi) {
		snprintf(h, sizeof(h), "write the lower port first: %u-%u", *hi,
			 *lo);
		error_at(st, col, h, "reversed range %s", shown(s, len, b));
		return -1;
	}
	return 0;
}

/*
 * One item of a PORTS list. explicit is the /PROTO mask or 0, pcol the
 * column of the protocol (for ping/tcp).
 */
static void item(struct pstate *st, const char *s, size_t len, unsigned int col,
		 unsigned int explicit, unsigned int pcol, bool open)
{
	unsigned int mask = explicit ? explicit : M_BOTH, lo, hi;
	char name[NAME_MAX_LEN + 1], b[48], h[160];
	const struct table_entry *e;
	int ports[2], r;
	unsigned int found;

	if (isdigit((unsigned char)s[0])) {
		r = numeric_item(st, s, len, col, &lo, &hi);
		if (r < 0)
			return;
		if (r == 0) {
			if (lo == 0 && hi == 0)
				warn_at(st, (struct pos){st->line, col},
					"write 'ping' for ICMP echo requests",
					"port 0 is never a valid TCP or UDP "
					"destination: the filter always drops "
					"it");
			apply(st, mask, lo, hi, open, col);
			return;
		}
	}
	if (word_is(s, len, "ping")) {
		if (explicit) {
			error_at(st, pcol,
				 "write 'ping' alone: it means ICMP and "
				 "ICMPv6 echo requests",
				 "ping takes no protocol");
			return;
		}
		if (open)
			st->pol.flags |= PX_F_PING_OPEN;
		else
			st->pol.flags &= ~PX_F_PING_OPEN;
		return;
	}
	if (word_is(s, len, "well-known")) {
		apply(st, mask, 0, 1023, open, col);
		return;
	}
	if (word_is(s, len, "registered")) {
		apply(st, mask, 1024, 49151, open, col);
		return;
	}
	if (word_is(s, len, "dynamic")) {
		apply(st, mask, 49152, 65535, open, col);
		return;
	}
	if (word_is(s, len, "ephemeral")) {
		int err = ephemeral(st);

		if (err) {
			error_at(st, col,
				 "write the range as numbers, e.g. "
				 "32768-60999",
				 "cannot read net.ipv4.ip_local_port_range "
				 "for 'ephemeral': %s",
				 strerror(-err));
			return;
		}
		apply(st, mask, st->eph_lo, st->eph_hi, open, col);
		return;
	}
	if (len > NAME_MAX_LEN)
		goto invalid;
	memcpy(name, s, len);
	name[len] = '\0';
	e = table_find_name(name);
	if (e) {
		if (!(e->protos & M_BOTH)) { /* the icmp row, renamed */
			item(st, "ping", 4, col, explicit, pcol, open);
			return;
		}
		apply(st, explicit ? explicit : e->protos & M_BOTH, e->port_lo,
		      e->port_hi, open, col);
		return;
	}
	found = table_services_lookup(name, ports);
	if (found) {
		for (int proto = 0; proto < PX_NPROTO; proto++) {
			int port = ports[proto];

			if (explicit && !(explicit & (1U << proto)))
				continue;
			if (!explicit && !(found & (1U << proto)))
				continue;
			if (port < 0) /* only the other protocol lists it */
				port = ports[!proto];
			apply(st, 1U << proto, (unsigned int)port,
			      (unsigned int)port, open, col);
		}
		return;
	}
	if (s[0] == '-' || isdigit((unsigned char)s[0]) || memchr(s, ':', len))
		goto invalid;
	const char *near = table_suggest(name, class_words);

	if (near)
		snprintf(h, sizeof(h),
			 "did you mean '%s'? ('portxdp table' lists the "
			 "names; /etc/services has more)",
			 near);
	else
		snprintf(h, sizeof(h),
			 "use a number, a name from 'portxdp table' or "
			 "/etc/services, or a class: well-known, registered, "
			 "dynamic, ephemeral");
	error_at(st, col, h, "unknown port name '%s'", shown(s, len, b));
	return;
invalid:
	error_at(st, col,
		 "a port is a number 0-65535, a range LO-HI, a name or a "
		 "class (well-known, registered, dynamic, ephemeral)",
		 "invalid port '%s'", shown(s, len, b));
}

/* SPEC: PORTS[/PROTO], PORTS a comma list. */
static void spec(struct pstate *st, const char *s, size_t len, unsigned int col,
		 bool open)
{
	unsigned int explicit = 0, pcol = 0;
	size_t plen = len, a;
	const char *slash = memrchr(s, '/', len);
	char b[48];

	if (slash) {
		size_t at = (size_t)(slash - s);
		const char *p = slash + 1;
		size_t pl = len - at - 1;

		plen = at;
		pcol = col + (unsigned int)at + 1;
		if (!pl) {
			error_at(st, pcol, "expected tcp or udp",
				 "missing protocol after '/'");
			return;
		}
		if (word_is(p, pl, "tcp")) {
			explicit = M_TCP;
		} else if (word_is(p, pl, "udp")) {
			explicit = M_UDP;
		} else {
			error_at(st, pcol,
				 word_is(p, pl, "icmp")
					 ? "expected tcp or udp; for ICMP echo "
					   "write 'ping' alone"
					 : "expected tcp or udp",
				 "unknown protocol '%s'", shown(p, pl, b));
			return;
		}
		if (memchr(s, '/', plen)) {
			error_at(st, col,
				 "write '53/tcp 53/udp', or no protocol for "
				 "both",
				 "only one protocol per SPEC");
			return;
		}
		if (!plen) {
			error_at(st, col, "e.g. '22/tcp'",
				 "missing port before '/'");
			return;
		}
	}
	for (a = 0; a <= plen;) {
		const char *c = memchr(s + a, ',', plen - a);
		size_t b_ = c ? (size_t)(c - s) : plen;

		if (b_ == a)
			error_at(st, col + (unsigned int)a,
				 "remove the extra comma",
				 "empty item in the port list");
		else
			item(st, s + a, b_ - a, col + (unsigned int)a, explicit,
			     pcol, open);
		if (st->stopped)
			return;
		a = b_ + 1;
	}
}

/* --- lines
 * --------------------------------------------------------------------- */

struct tok {
	const char *s;
	size_t len;
	unsigned int col;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next token of line[0..len) from *at; false at the end or a comment. */
static bool next_tok(const char *line, size_t len, size_t *at, struct tok *t)
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

/* Report a token left over after a complete line. */
static void no_more(struct pstate *st, const char *line, size_t len, size_t at,
		    const char *hint)
{
	struct tok t;
	char b[48];

	if (next_tok(line, len, &at, &t))
		error_at(st, t.col, hint, "unexpected '%s'",
			 shown(t.s, t.len, b));
}

static void line_default(struct pstate *st, const char *line, size_t len,
			 size_t at, struct tok *kw)
{
	struct tok t;
	char b[48];

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
	char b[48];

	st->seen_rule = true;
	if (!next_tok(line, len, &at, &t)) {
		error_at(st, kw->col + (unsigned int)kw->len,
			 "write 'option fragments pass' or 'option fragments "
			 "drop'",
			 "'option' needs a name");
		return;
	}
	if (!word_is(t.s, t.len, "fragments")) {
		error_at(st, t.col, "the only option is 'fragments pass|drop'",
			 "unknown option '%s'", shown(t.s, t.len, b));
		return;
	}
	unsigned int end = t.col + (unsigned int)t.len;

	if (!next_tok(line, len, &at, &t)) {
		error_at(st, end, "write 'option fragments pass' or 'drop'",
			 "'option fragments' needs pass or drop");
		return;
	}
	if (word_is(t.s, t.len, "pass")) {
		st->pol.flags &= ~PX_F_FRAG_DROP;
	} else if (word_is(t.s, t.len, "drop")) {
		st->pol.flags |= PX_F_FRAG_DROP;
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
	struct tok t;
	bool any = false;

	st->seen_rule = true;
	while (!st->stopped && next_tok(line, len, &at, &t)) {
		any = true;
		spec(st, t.s, t.len, t.col, open);
	}
	if (!any)
		error_at(st, kw->col + (unsigned int)kw->len,
			 open ? "e.g. 'open 22/tcp' or 'open http,https'"
			      : "e.g. 'close 23' or 'close netbios-ns'",
			 "'%s' needs at least one port",
			 open ? "open" : "close");
}

static void parse_line(struct pstate *st, const char *line, size_t len)
{
	struct tok kw;
	size_t at = 0;
	char b[48], h[160];

	if (!next_tok(line, len, &at, &kw))
		return;
	if (word_is(kw.s, kw.len, "default")) {
		line_default(st, line, len, at, &kw);
	} else if (word_is(kw.s, kw.len, "open")) {
		line_rule(st, line, len, at, &kw, true);
	} else if (word_is(kw.s, kw.len, "close") ||
		   word_is(kw.s, kw.len, "closed")) {
		line_rule(st, line, len, at, &kw, false);
	} else if (word_is(kw.s, kw.len, "option")) {
		line_option(st, line, len, at, &kw);
	} else {
		const char *near = NULL;
		char w[NAME_MAX_LEN + 1];

		if (kw.len <= NAME_MAX_LEN) {
			memcpy(w, kw.s, kw.len);
			w[kw.len] = '\0';
			for (const char *const *k = keywords; *k; k++)
				if (px_edit_distance(w, *k) <= 2)
					near = *k;
		}
		if (near)
			snprintf(h, sizeof(h), "did you mean '%s'?", near);
		else
			snprintf(h, sizeof(h),
				 "a line starts with default, open, close or "
				 "option; e.g. 'open %s'",
				 shown(kw.s, kw.len, b));
		error_at(st, kw.col, h, "unknown keyword '%s'",
			 shown(kw.s, kw.len, b));
	}
}

/* --- whole policies
 * ------------------------------------------------------------ */

static void state_init(struct pstate *st, const char *name, FILE *err,
		       bool print_warnings)
{
	const char *ssh = getenv("SSH_CONNECTION");
	unsigned int cp, sp;
	char ca[64], sa[64];

	memset(st, 0, sizeof(*st));
	st->name = name ? name : "<policy>";
	st->err = err ? err : stderr;
	st->print_warnings = print_warnings;
	policy_init(&st->pol);
	st->watch_port[W_FTPDATA] = 20;
	st->watch_port[W_FTP] = 21;
	st->watch_port[W_SSH] = 22;
	st->watch_port[W_BOOTPC] = 68;
	st->watch_proto[W_BOOTPC] = PX_UDP;
	/* "client-ip client-port server-ip server-port": the port we hold */
	st->over_ssh = ssh && *ssh;
	if (st->over_ssh &&
	    sscanf(ssh, "%63s %u %63s %u", ca, &cp, sa, &sp) == 4 && sp &&
	    sp <= 65535)
		st->watch_port[W_SSH] = sp;
}

static bool pos_after(struct pos a, struct pos b)
{
	return a.line > b.line || (a.line == b.line && a.col > b.col);
}

static void whole_warnings(struct pstate *st, struct policy_report *rep)
{
	const struct px_policy *p = &st->pol;
	bool o20 = policy_port_open(p, PX_TCP, 20);
	bool o21 = policy_port_open(p, PX_TCP, 21);
	unsigned int ssh = st->watch_port[W_SSH];
	struct pos none = {0, 0};
	char h[160];

	if (o20 != o21) {
		struct pos at =
			pos_after(st->touch[W_FTPDATA], st->touch[W_FTP])
				? st->touch[W_FTPDATA]
				: st->touch[W_FTP];

		warn_at(st, at,
			"open or close both: 'open 20,21/tcp' or "
			"'close 20,21/tcp'",
			o20 ? "ftp-data (20/tcp) is open but ftp (21/tcp) is "
			      "closed: FTP will not work"
			    : "ftp (21/tcp) is open but ftp-data (20/tcp) is "
			      "closed: FTP will not work");
	}
	if (ephemeral(st) == 0) {
		unsigned int total = st->eph_hi - st->eph_lo + 1;
		unsigned int closed[PX_NPROTO] = {0};

		for (int proto = 0; proto < PX_NPROTO; proto++)
			closed[proto] =
				count_closed(p, proto, st->eph_lo, st->eph_hi);
		if (closed[PX_TCP] || closed[PX_UDP]) {
			const char *which = closed[PX_TCP] && closed[PX_UDP]
						    ? "tcp and udp"
					    : closed[PX_TCP] ? "tcp"
							     : "udp";
			bool all =
				(!closed[PX_TCP] || closed[PX_TCP] == total) &&
				(!closed[PX_UDP] || closed[PX_UDP] == total);

			warn_at(st, st->default_closed ? st->default_pos : none,
				"add 'open ephemeral'",
				"%s ephemeral range %u-%u is closed for "
				"%s: replies to this host's own outgoing "
				"connections and DNS lookups will be dropped",
				all ? "the" : "part of the", st->eph_lo,
				st->eph_hi, which);
		}
	}
	if (!policy_port_open(p, PX_TCP, ssh) && st->over_ssh) {
		rep->cuts_ssh = true;
		snprintf(h, sizeof(h),
			 "add 'open %u/tcp'; attach and apply refuse this "
			 "policy over SSH without --force",
			 ssh);
		warn_at(st, st->touch[W_SSH], h,
			"ssh (%u/tcp) is closed and this command runs over "
			"SSH (SSH_CONNECTION is set): this session may be cut "
			"off",
			ssh);
	}
	if (!policy_port_open(p, PX_UDP, 68))
		warn_at(st, st->touch[W_BOOTPC],
			"add 'open bootpc' unless the address is static",
			"bootpc (68/udp) is closed: the interface can no "
			"longer renew a DHCP lease");
}

static int finish(struct pstate *st, struct px_policy *out,
		  struct policy_report *rep)
{
	struct policy_report local;

	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	if (!st->errors)
		whole_warnings(st, rep);
	rep->errors = st->errors;
	rep->warnings = st->warnings;
	if (st->errors)
		return -EINVAL;
	text_copy(st->pol.source, sizeof(st->pol.source), st->name);
	*out = st->pol;
	return 0;
}

static int parse_text(const char *name, const char *text, size_t size,
		      struct px_policy *out, struct policy_report *rep,
		      FILE *err, bool warnings)
{
	struct pstate *st = calloc(1, sizeof(*st));
	const char *p = text, *end = text + size;
	int ret;

	if (!st)
		return -ENOMEM;
	state_init(st, name, err, warnings);
	while (p < end && !st->stopped) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		st->line++;
		parse_line(st, p, len);
		p += len + 1;
	}
	ret = finish(st, out, rep);
	free(st);
	return ret;
}

int policy_load_text(const char *name, const char *text, struct px_policy *out,
		     struct policy_report *rep, FILE *err)
{
	return parse_text(name, text, strlen(text), out, rep, err, false);
}

int policy_check_text(const char *name, const char *text, struct px_policy *out,
		      struct policy_report *rep, FILE *err)
{
	return parse_text(name, text, strlen(text), out, rep, err, true);
}

static int load_file(const char *path, struct px_policy *out,
		     struct policy_report *rep, FILE *err, bool warnings)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int ret;

	if (!err)
		err = stderr;
	if (!f) {
		ret = -errno;
		fprintf(err,
			"portxdp: error: cannot read policy %s: %s: check "
			"the path\n",
			path, strerror(-ret));
		return ret;
	}
	text = malloc(MAX_POLICY_BYTES + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, MAX_POLICY_BYTES + 1, f);
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!ret && n > MAX_POLICY_BYTES)
		ret = -EFBIG;
	if (!ret && memchr(text, '\0', n))
		ret = -EINVAL;
	if (ret) {
		fprintf(err,
			"portxdp: error: cannot read policy %s: %s: a policy "
			"is a text file under 1 MiB\n",
			path,
			ret == -EINVAL ? "it holds NUL bytes" : strerror(-ret));
		free(text);
		if (rep) {
			memset(rep, 0, sizeof(*rep));
			rep->errors = 1;
		}
		return ret;
	}
	ret = parse_text(path, text, n, out, rep, err, warnings);
	if (!ret) {
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
	return load_file(path, out, rep, err, false);
}

int policy_check_file(const char *path, struct px_policy *out,
		      struct policy_report *rep, FILE *err)
{
	return load_file(path, out, rep, err, true);
}

int policy_apply_specs(struct px_policy *pol, bool open, int n,
		       char *const specs[], struct policy_report *rep,
		       FILE *err)
{
	struct pstate *st = calloc(1, sizeof(*st));
	struct policy_report local;
	char arg[96], b[48];
	bool ssh_was_open;
	int ret = 0;

	if (!st)
		return -ENOMEM;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	state_init(st, "arguments", err, false);
	st->pol = *pol;
	st->seen_default = st->seen_rule = true;
	ssh_was_open = policy_port_open(pol, PX_TCP, st->watch_port[W_SSH]);
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
		else
			spec(st, specs[i], len, 1, open);
	}
	st->arg = NULL;
	rep->errors = st->errors;
	rep->warnings = st->warnings;
	if (st->errors) {
		ret = -EINVAL;
	} else {
		rep->cuts_ssh = st->over_ssh && ssh_was_open &&
				!policy_port_open(&st->pol, PX_TCP,
						  st->watch_port[W_SSH]);
		memcpy(pol->open, st->pol.open, sizeof(pol->open));
		pol->flags = st->pol.flags;
	}
	free(st);
	return ret;
}
