/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Random zone layouts for the differential test (doc/design.md, sections 8
 * and 10), seeded like tests/ref/packets.h: layout e of seed s is always
 * the same. A layout is a policy text, as a user writes it, and what it
 * means to the reference classifier (tests/ref/reference.h), written
 * side by side from the same choices and never from each other:
 *   - the base: gen_policy()'s bitmaps as `open LO-HI/PROTO` runs under
 *     `default closed`, ping and fragments as lines;
 *   - named zones with nested and sibling prefixes of any length (/0 too),
 *     IPv4 and IPv6, around a few anchors; bare prefixes in `from` lines
 *     (zones of their own, reused sometimes); `block` of whole zones and
 *     of bare prefixes; `from` lines for ports, ranges and ping, open and
 *     close, interleaved with the base's lines in any order;
 *   - sometimes `ban after N ports in SECS for 30d [except ...]`, and bans
 *     made by hand (some already over);
 *   - the sources packets come from: inside each prefix, just beside it
 *     (its last network bit flipped), the anchors, a few random ones.
 */
#ifndef PX_LAYOUTS_H
#define PX_LAYOUTS_H

#include <arpa/inet.h>
#include <stdarg.h>

#include "packets.h"
#include "reference.h"

/* Whether the parser knows `except ZONE` (the test asks it once). */
static bool lay_except_zones;

#define LAYOUT_TEXT_MAX 65536
#define LAYOUT_MANUAL_MAX 4
#define LAYOUT_ANCHORS 2

struct gen_layout {
	struct ref_zoneset zones;
	struct ref_ban_rule rule;
	struct {
		struct ref_ban_key key;
		bool over; /* made with no time left */
	} manual[LAYOUT_MANUAL_MAX];
	unsigned int nmanual;
	char text[LAYOUT_TEXT_MAX];
	size_t len;
};

/* Lines waiting to be interleaved: the base's and the zones'. */
#define LAYOUT_LINES 160
#define LAYOUT_LINE 512

struct lay_lines {
	char line[LAYOUT_LINES][LAYOUT_LINE];
	unsigned int n;
};

static inline void lay_add(struct lay_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void lay_add(struct lay_lines *l, const char *fmt, ...)
{
	va_list ap;

	if (l->n == LAYOUT_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(l->line[l->n++], LAYOUT_LINE, fmt, ap);
	va_end(ap);
}

static inline void lay_put(struct gen_layout *g, const char *s)
{
	size_t n = strlen(s);

	if (g->len + n + 2 > LAYOUT_TEXT_MAX) {
		fprintf(stderr, "layout text overflow\n");
		abort();
	}
	memcpy(g->text + g->len, s, n);
	g->len += n;
	g->text[g->len++] = '\n';
	g->text[g->len] = '\0';
}

static inline const char *lay_pfx_str(const struct ref_prefix *p, char *buf,
				      size_t n)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, n, "%s/%u", a, p->len);
	return buf;
}

static inline void lay_mask(struct ref_prefix *p)
{
	unsigned int bits = p->family == 4 ? 32 : 128;

	for (unsigned int i = p->len; i < bits; i++)
		p->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	if (p->family == 4)
		memset(p->addr + 4, 0, 12);
}

/* A prefix around one of the anchors: nested in the others mostly, a
 * sibling when one of its network bits is flipped. */
static inline void lay_prefix(struct gen_rng *r,
			      const uint8_t anchor[LAYOUT_ANCHORS][16],
			      int family, struct ref_prefix *p)
{
	unsigned int bits = family == 4 ? 32 : 128, n = gen_below(r, 100);

	memset(p, 0, sizeof(*p));
	p->family = family;
	if (n < 3)
		p->len = 0;
	else if (n < 12)
		p->len = 1 + gen_below(r, bits / 2);
	else if (n < 45)
		p->len = family == 4 ? 16 + gen_below(r, 9)
				     : 32 + gen_below(r, 33);
	else
		p->len = family == 4 ? 24 + gen_below(r, 9)
				     : 64 + gen_below(r, 65);
	memcpy(p->addr, anchor[gen_below(r, LAYOUT_ANCHORS)], bits / 8);
	if (p->len && gen_pct(r, 35)) {
		unsigned int b = gen_below(r, p->len);

		p->addr[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
	}
	lay_mask(p);
}

static inline bool lay_pfx_same(const struct ref_prefix *a,
				const struct ref_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, 16);
}

/* A new prefix of some zone, not one any zone has (that is an error);
 * false when the draws kept meeting taken ones. */
static inline bool lay_new_prefix(struct gen_rng *r, struct gen_layout *g,
				  const uint8_t a4[LAYOUT_ANCHORS][16],
				  const uint8_t a6[LAYOUT_ANCHORS][16],
				  struct ref_prefix *p)
{
	for (int tries = 0; tries < 8; tries++) {
		bool v4 = gen_pct(r, 55), taken = false;

		lay_prefix(r, v4 ? a4 : a6, v4 ? 4 : 6, p);
		for (unsigned int i = 0; i < g->zones.npfx && !taken; i++)
			taken = lay_pfx_same(&g->zones.pfx[i], p);
		if (!taken)
			return true;
	}
	return false;
}

/* Sources: one inside p, and one just beside it. */
static inline void lay_sources(struct gen_rng *r, struct gen_policy *gp,
			       const struct ref_prefix *p)
{
	unsigned int bits = p->family == 4 ? 32 : 128;
	uint8_t a[16];

	for (int k = 0; k < 2; k++) {
		gen_random_bytes(r, a, 16);
		for (unsigned int i = 0; i < p->len; i++) {
			uint8_t m = (uint8_t)(0x80u >> (i % 8));

			a[i / 8] = (uint8_t)((a[i / 8] & ~m) |
					     (p->addr[i / 8] & m));
		}
		if (k == 1) {
			if (!p->len || gen_pct(r, 30))
				return;
			a[(p->len - 1) / 8] ^=
				(uint8_t)(0x80u >> ((p->len - 1) % 8));
		}
		if (bits == 32 && gp->nsrc4 < GEN_SRCS)
			memcpy(gp->src4[gp->nsrc4++], a, 4);
		else if (bits == 128 && gp->nsrc6 < GEN_SRCS)
			memcpy(gp->src6[gp->nsrc6++], a, 16);
	}
}

/* The base policy of gp as lines: default closed, its open runs, ping
 * and fragments. */
static inline void lay_base(const struct gen_policy *gp, struct lay_lines *l)
{
	static const char *const proto[] = {"tcp", "udp"};

	for (int pr = 0; pr < PX_NPROTO; pr++) {
		unsigned int lo = 0;
		bool in = false;

		for (unsigned int port = 0; port <= PX_PORTS; port++) {
			bool open = port < PX_PORTS &&
				    ref_port_open(&gp->pol, pr, port);

			if (open && !in)
				lo = port;
			else if (!open && in && lo == port - 1)
				lay_add(l, "open %u/%s", lo, proto[pr]);
			else if (!open && in)
				lay_add(l, "open %u-%u/%s", lo, port - 1,
					proto[pr]);
			in = open;
		}
	}
	lay_add(l, "%s ping",
		gp->pol.flags & PX_F_PING_OPEN ? "open" : "close");
	lay_add(l, "option fragments %s",
		gp->pol.flags & PX_F_FRAG_DROP ? "drop" : "pass");
}

/* One SPEC of a from line, its rules for zone z into the reference. */
static inline void lay_spec(struct gen_rng *r, const struct gen_policy *gp,
			    char *spec, size_t n, struct ref_rule *rule,
			    unsigned int *nrule)
{
	unsigned int kind = gen_below(r, 100), lo, hi, pr = gen_below(r, 3);
	static const char *const proto[] = {"/tcp", "/udp", ""};

	if (kind < 15) {
		snprintf(spec, n, "ping");
		rule[(*nrule)++] = (struct ref_rule){.proto = REF_ECHO};
		return;
	}
	lo = gp->aim[gen_below(r, GEN_AIM)];
	hi = lo;
	if (kind < 40) {
		lo = lo > 40 ? lo - gen_below(r, 40) : 0;
		hi = lo + gen_below(r, 300);
		hi = hi < PX_PORTS ? hi : PX_PORTS - 1;
		snprintf(spec, n, "%u-%u%s", lo, hi, proto[pr]);
	} else {
		snprintf(spec, n, "%u%s", lo, proto[pr]);
	}
	for (int p = PX_TCP; p <= PX_UDP; p++)
		if (pr == 2 || (int)pr == p)
			rule[(*nrule)++] = (struct ref_rule){
				.proto = p, .lo = lo, .hi = hi};
}

/* The `from` and `block` lines, and the zones they make. nnamed zones
 * exist already (1..nnamed). */
static inline void lay_from_lines(struct gen_rng *r, struct gen_layout *g,
				  struct gen_policy *gp, unsigned int nnamed,
				  const uint8_t a4[LAYOUT_ANCHORS][16],
				  const uint8_t a6[LAYOUT_ANCHORS][16],
				  struct lay_lines *l)
{
	struct ref_zoneset *zs = &g->zones;
	unsigned int nlines = gen_below(r, 9), blocked = 0;
	char buf[LAYOUT_LINE], s[64];

	for (unsigned int i = 0; i < nlines; i++) {
		struct ref_rule rule[8];
		unsigned int nrule = 0, nspec = 1 + gen_below(r, 3), nsrc;
		unsigned int made = 0;
		bool open = gen_pct(r, 50);
		size_t at;

		at = (size_t)snprintf(buf, sizeof(buf), "%s",
				      open ? "open" : "close");
		for (unsigned int k = 0; k < nspec; k++) {
			lay_spec(r, gp, s, sizeof(s), rule, &nrule);
			at += (size_t)snprintf(buf + at, sizeof(buf) - at,
					       " %s", s);
		}
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, " from");
		nsrc = 1 + gen_below(r, 2);
		for (unsigned int k = 0; k < nsrc; k++) {
			unsigned int z = 0, n = gen_below(r, 100);
			struct ref_prefix p;

			if (n < 70 || zs->npfx >= REF_PREFIXES_MAX - 1) {
				z = 1 + gen_below(r, nnamed);
				snprintf(s, sizeof(s), "z%u", z);
			} else if (n < 80) {
				/* a bare prefix used before: its zone */
				for (unsigned int j = 0; j < zs->npfx && !z;
				     j++)
					if (zs->pfx[j].zone > nnamed &&
					    !zs->block[zs->pfx[j].zone])
						z = zs->pfx[j].zone;
				if (!z)
					continue;
				for (unsigned int j = 0; j < zs->npfx; j++)
					if (zs->pfx[j].zone == z)
						lay_pfx_str(&zs->pfx[j], s,
							    sizeof(s));
			} else {
				if (!lay_new_prefix(r, g, a4, a6, &p))
					continue;
				z = p.zone = ++zs->nzones;
				zs->pfx[zs->npfx++] = p;
				lay_sources(r, gp, &p);
				lay_pfx_str(&p, s, sizeof(s));
			}
			at += (size_t)snprintf(buf + at, sizeof(buf) - at,
					       " %s", s);
			made++;
			for (unsigned int j = 0; j < nrule; j++) {
				if (zs->nrules == REF_RULES_MAX)
					break;
				zs->rule[zs->nrules] = rule[j];
				zs->rule[zs->nrules].zone = z;
				zs->rule[zs->nrules++].open = open;
			}
		}
		if (made) /* else no source made it, and no rule either */
			lay_add(l, "%s", buf);
	}
	/* block: whole named zones, bare prefixes into "(blocked)" */
	for (unsigned int z = 1; z <= nnamed; z++)
		if (gen_pct(r, 12)) {
			zs->block[z] = true;
			lay_add(l, "block z%u", z);
		}
	if (gen_pct(r, 40)) {
		unsigned int n = 1 + gen_below(r, 3), at;
		struct ref_prefix p;

		at = (unsigned int)snprintf(buf, sizeof(buf), "block");
		for (unsigned int k = 0; k < n; k++) {
			if (zs->npfx >= REF_PREFIXES_MAX ||
			    !lay_new_prefix(r, g, a4, a6, &p))
				continue;
			if (!blocked) {
				blocked = ++zs->nzones;
				zs->block[blocked] = true;
			}
			p.zone = blocked;
			zs->pfx[zs->npfx++] = p;
			lay_sources(r, gp, &p);
			at += (unsigned int)snprintf(
				buf + at, sizeof(buf) - at, " %s",
				lay_pfx_str(&p, s, sizeof(s)));
		}
		if (blocked)
			lay_add(l, "%s", buf);
	}
}

/* The ban rule (half the layouts) and bans made by hand. */
static inline void lay_bans(struct gen_rng *r, struct gen_layout *g,
			    struct gen_policy *gp, unsigned int nnamed,
			    const uint8_t a4[LAYOUT_ANCHORS][16],
			    const uint8_t a6[LAYOUT_ANCHORS][16])
{
	struct ref_ban_rule *b = &g->rule;

	memset(b, 0, sizeof(*b));
	if (gen_pct(r, 50)) {
		b->ports = gen_pct(r, 75) ? 1 + gen_below(r, 5)
					  : 1 + gen_below(r, PX_BAN_PORTS_MAX);
		b->window_s = 86400; /* the test may shorten it */
		b->duration_s = 30 * 86400;
		b->nexcept = gen_pct(r, 60) ? gen_below(r, 4) : 0;
		for (unsigned int i = 0; i < b->nexcept; i++) {
			bool v4 = gen_pct(r, 50);

			lay_prefix(r, v4 ? a4 : a6, v4 ? 4 : 6, &b->except[i]);
			lay_sources(r, gp, &b->except[i]);
		}
		/* `except ZONE`: named zones, declared above the ban line */
		b->nzones = lay_except_zones && gen_pct(r, 50)
				    ? 1 + gen_below(r, 2)
				    : 0;
		for (unsigned int i = 0; i < b->nzones; i++)
			b->zone[i] = 1 + gen_below(r, nnamed);
	}
	g->nmanual = gen_below(r, LAYOUT_MANUAL_MAX + 1);
	for (unsigned int i = 0; i < g->nmanual; i++) {
		bool v4 = gp->nsrc4 && (!gp->nsrc6 || gen_pct(r, 50));

		if (!gp->nsrc4 && !gp->nsrc6) {
			g->nmanual = i;
			break;
		}
		ref_ban_key_of(&g->manual[i].key, v4 ? 4 : 6,
			       v4 ? gp->src4[gen_below(r, gp->nsrc4)]
				  : gp->src6[gen_below(r, gp->nsrc6)]);
		g->manual[i].over = gen_pct(r, 25);
	}
}

/* The ban line as text (after the test settled the window). */
static inline void lay_ban_line(const struct ref_ban_rule *b, char *buf,
				size_t n)
{
	size_t at;
	char s[64];

	at = (size_t)snprintf(buf, n, "ban after %u ports in %u for 30d",
			      b->ports, b->window_s);
	for (unsigned int i = 0; i < b->nexcept && at < n; i++)
		at += (size_t)snprintf(
			buf + at, n - at, "%s %s", i ? "" : " except",
			lay_pfx_str(&b->except[i], s, sizeof(s)));
	for (unsigned int i = 0; i < b->nzones && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s z%u",
				       i || b->nexcept ? "" : " except",
				       b->zone[i]);
}

/*
 * Layout epoch of seed over gp (its base from gen_policy(), sources added
 * to it): the zones and ban rule into g, the text without its ban line,
 * which lay_finish() adds once the test has settled the window.
 */
static inline void gen_layout(struct gen_layout *g, struct gen_policy *gp,
			      uint64_t seed, uint64_t epoch)
{
	uint8_t a4[LAYOUT_ANCHORS][16], a6[LAYOUT_ANCHORS][16];
	static struct lay_lines base, zones;
	struct ref_zoneset *zs = &g->zones;
	unsigned int nnamed, ib = 0, iz = 0;
	struct gen_rng r;
	char buf[LAYOUT_LINE], s[64];

	gen_seed(&r, seed, 3, epoch);
	memset(zs, 0, sizeof(*zs));
	g->len = 0;
	g->text[0] = '\0';
	base.n = zones.n = 0;
	gp->nsrc4 = gp->nsrc6 = 0;
	for (int i = 0; i < LAYOUT_ANCHORS; i++) {
		gen_random_bytes(&r, a4[i], 16);
		gen_random_bytes(&r, a6[i], 16);
		if (gen_pct(&r, 60))
			memcpy(a4[i], (uint8_t[]){198, 51, 100}, 3);
		if (gen_pct(&r, 60))
			memcpy(a6[i], (uint8_t[]){0x20, 0x01, 0x0d, 0xb8}, 4);
		else if (gen_pct(&r, 30)) /* link-local: bans per address */
			memcpy(a6[i], (uint8_t[]){0xfe, 0x80, 0, 0, 0, 0, 0, 0},
			       8);
		memcpy(gp->src4[gp->nsrc4++], a4[i], 4);
		memcpy(gp->src6[gp->nsrc6++], a6[i], 16);
	}
	lay_put(g, "default closed");
	nnamed = 1 + gen_below(&r, 5);
	for (unsigned int z = 1; z <= nnamed; z++) {
		unsigned int n = 1 + gen_below(&r, 4), made = 0;
		size_t at = (size_t)snprintf(buf, sizeof(buf), "zone z%u", z);
		struct ref_prefix p;

		zs->nzones = z;
		for (unsigned int k = 0; k < n; k++) {
			if (!lay_new_prefix(&r, g, a4, a6, &p))
				continue;
			p.zone = z;
			zs->pfx[zs->npfx++] = p;
			lay_sources(&r, gp, &p);
			at += (size_t)snprintf(buf + at, sizeof(buf) - at,
					       " %s",
					       lay_pfx_str(&p, s, sizeof(s)));
			made++;
		}
		if (!made) { /* every draw was taken: one of its own */
			memset(&p, 0, sizeof(p));
			p.family = 4;
			p.len = 32;
			memcpy(p.addr, (uint8_t[]){203, 0, 113, (uint8_t)z}, 4);
			p.zone = z;
			zs->pfx[zs->npfx++] = p;
			snprintf(buf + at, sizeof(buf) - at, " %s",
				 lay_pfx_str(&p, s, sizeof(s)));
		}
		lay_put(g, buf);
	}
	lay_from_lines(&r, g, gp, nnamed, a4, a6, &zones);
	lay_base(gp, &base);
	/* the base's lines and the zones' in any order, each in its own */
	while (ib < base.n || iz < zones.n) {
		bool from_base =
			iz == zones.n || (ib < base.n && gen_pct(&r, 70));

		lay_put(g, from_base ? base.line[ib++] : zones.line[iz++]);
	}
	lay_bans(&r, g, gp, nnamed, a4, a6);
}

/* The ban line, once the rule's window is settled. */
static inline void lay_finish(struct gen_layout *g)
{
	char buf[LAYOUT_LINE];

	if (!g->rule.ports)
		return;
	lay_ban_line(&g->rule, buf, sizeof(buf));
	lay_put(g, buf);
}

#endif /* PX_LAYOUTS_H */
