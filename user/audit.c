// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * audit's findings from a policy and a socket list (audit.h). The advice
 * comes from the port table: its rows whose advice says "LAN only", and
 * the telnet, ftp/ftp-data and ping rows.
 *
 * A bound UDP socket in the ephemeral range is taken for a client's (a
 * resolver, an NTP client): it is not a service the policy should open.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "policy.h"
#include "table.h"

const char *audit_kind_name(enum audit_kind k)
{
	switch (k) {
	case AUDIT_CLOSED_LISTENING:
		return "closed_listening";
	case AUDIT_OPEN_UNUSED:
		return "open_unused";
	case AUDIT_ZONE_ONLY:
		return "zone_only";
	default:
		return "advice";
	}
}

bool audit_exposed(const struct px_sock *s, unsigned int ifindex)
{
	return !s->loopback && (!s->ifindex || s->ifindex == ifindex);
}

static int add(struct audit_result *r, const struct audit_finding *f)
{
	if (r->n == r->cap) {
		int cap = r->cap ? r->cap * 2 : 16;
		struct audit_finding *v =
			realloc(r->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *f;
	return 0;
}

void audit_free(struct audit_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static unsigned int line_of(const struct audit_input *in, int proto,
			    unsigned int port)
{
	if (!in->lines)
		return 0;
	return proto == PX_PROTO_ICMP ? in->lines->ping_line
				      : in->lines->line[proto][port];
}

static bool in_eph(const struct audit_input *in, unsigned int port)
{
	return in->eph_hi && port >= in->eph_lo && port <= in->eph_hi;
}

/* The exposed socket listening on proto/port, or NULL. */
static const struct px_sock *listener(const struct audit_input *in, int proto,
				      unsigned int port)
{
	for (int i = 0; i < in->nsocks; i++) {
		const struct px_sock *s = &in->socks[i];

		if (s->proto == proto && s->port == port &&
		    audit_exposed(s, in->ifindex) &&
		    !(proto == PX_UDP && in_eph(in, port)))
			return s;
	}
	return NULL;
}

/* The zones that open proto/port, names into buf; how many. */
static unsigned int zones_opening(const struct audit_input *in, int proto,
				  unsigned int port, char *buf, size_t len)
{
	unsigned int n = 0;
	size_t at = 0;

	for (unsigned int z = 1; in->zs && z <= in->zs->nzones; z++) {
		const struct px_zone *zn = &in->zs->zone[z];

		if (!zn->name[0] || (zn->flags & PX_ZF_BLOCK) ||
		    !(zn->open[proto][port / 64] >> (port % 64) & 1))
			continue;
		if (buf && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
					       n ? ", " : "", zn->name);
		n++;
	}
	return n;
}

/* Listeners the base closes and some zones open: notes, not findings. */
static int zone_only(const struct audit_input *in, struct audit_result *r)
{
	for (int i = 0; i < in->nsocks; i++) {
		const struct px_sock *s = &in->socks[i];
		struct audit_finding f = {.kind = AUDIT_ZONE_ONLY, .sock = s};

		if (listener(in, s->proto, s->port) != s ||
		    policy_port_open(in->pol, s->proto, s->port) ||
		    !zones_opening(in, s->proto, s->port, f.zones,
				   sizeof(f.zones)))
			continue;
		f.proto = s->proto;
		f.lo = f.hi = s->port;
		f.line = line_of(in, s->proto, s->port);
		if (add(r, &f))
			return -ENOMEM;
		r->notes++;
	}
	return 0;
}

static int closed_listening(const struct audit_input *in,
			    struct audit_result *r)
{
	for (int i = 0; i < in->nsocks; i++) {
		const struct px_sock *s = &in->socks[i];
		struct audit_finding f = {.kind = AUDIT_CLOSED_LISTENING};

		if (!audit_exposed(s, in->ifindex)) {
			r->skipped++;
			continue;
		}
		r->exposed++;
		if (listener(in, s->proto, s->port) != s ||
		    policy_port_open(in->pol, s->proto, s->port) ||
		    zones_opening(in, s->proto, s->port, NULL, 0))
			continue; /* a client's, a second socket, or open */
		f.proto = s->proto;
		f.lo = f.hi = s->port;
		f.line = line_of(in, s->proto, s->port);
		/* the first socket with a known owner names the service */
		f.sock = s;
		for (int j = i; j < in->nsocks && !f.sock->pid; j++)
			if (in->socks[j].proto == s->proto &&
			    in->socks[j].port == s->port && in->socks[j].pid)
				f.sock = &in->socks[j];
		if (add(r, &f))
			return -ENOMEM;
	}
	return 0;
}

static bool unused(const struct audit_input *in, int proto, unsigned int port)
{
	return policy_port_open(in->pol, proto, port) && !in_eph(in, port) &&
	       !listener(in, proto, port);
}

static int open_unused(const struct audit_input *in, struct audit_result *r)
{
	for (int proto = PX_TCP; proto < PX_NPROTO; proto++) {
		unsigned int port = 1;

		while (port < PX_PORTS) {
			struct audit_finding f = {.kind = AUDIT_OPEN_UNUSED,
						  .proto = proto};

			if (!unused(in, proto, port)) {
				port++;
				continue;
			}
			f.lo = port;
			f.line = line_of(in, proto, port);
			while (port + 1 < PX_PORTS &&
			       unused(in, proto, port + 1) &&
			       line_of(in, proto, port + 1) == f.line)
				port++;
			f.hi = port++;
			if (add(r, &f))
				return -ENOMEM;
		}
	}
	return 0;
}

static int advise(const struct audit_input *in, struct audit_result *r,
		  int proto, unsigned int port, const char *advice)
{
	struct audit_finding f = {
		.kind = AUDIT_ADVICE, .proto = proto, .lo = port, .hi = port};

	f.line = line_of(in, proto, port);
	snprintf(f.advice, sizeof(f.advice), "%s", advice);
	return add(r, &f);
}

static const char *advice_of(const char *name, const char *fallback)
{
	const struct table_entry *e = table_find_name(name);

	return e && e->advice[0] ? e->advice : fallback;
}

/* Rows whose advice says "LAN only", open to every source. */
static int lan_only(const struct audit_input *in, struct audit_result *r)
{
	int n = table_load() ? 0 : table_count();

	for (int i = 0; i < n; i++) {
		const struct table_entry *e = table_entry_at(i);

		if (!strcasestr(e->advice, "LAN only"))
			continue;
		for (int proto = PX_TCP; proto < PX_NPROTO; proto++) {
			if (!(e->protos & (1U << proto)))
				continue;
			for (unsigned int p = e->port_lo; p <= e->port_hi;
			     p++) {
				if (!policy_port_open(in->pol, proto, p))
					continue;
				/* a DHCP client here needs bootpc open */
				if (proto == PX_UDP && p == 68 &&
				    listener(in, proto, p))
					continue;
				if (advise(in, r, proto, p, e->advice))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

static int advice(const struct audit_input *in, struct audit_result *r)
{
	const struct px_policy *p = in->pol;
	bool o20 = policy_port_open(p, PX_TCP, 20);
	bool o21 = policy_port_open(p, PX_TCP, 21);

	if (lan_only(in, r))
		return -ENOMEM;
	if (policy_port_open(p, PX_TCP, 23) &&
	    advise(in, r, PX_TCP, 23,
		   advice_of("telnet", "Unencrypted remote login: close it "
				       "and use ssh.")))
		return -ENOMEM;
	/* An FTP server needs 21 and its passive range, not inbound 20. */
	if (o20 && !o21 &&
	    advise(in, r, PX_TCP, 20,
		   advice_of("ftp-data", "Not needed for an FTP server: open "
					 "21 and its passive range instead.")))
		return -ENOMEM;
	if ((p->flags & PX_F_PING_OPEN) &&
	    advise(in, r, PX_PROTO_ICMP, 0,
		   advice_of("ping", "Close it if this host should not "
				     "answer ping.")))
		return -ENOMEM;
	return 0;
}

int audit_run(const struct audit_input *in, struct audit_result *out)
{
	memset(out, 0, sizeof(*out));
	if (closed_listening(in, out) || open_unused(in, out) ||
	    advice(in, out) || zone_only(in, out)) {
		audit_free(out);
		return -ENOMEM;
	}
	return 0;
}
