// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp suggest IF [--from listening|traffic|both]: print a policy that
 * fits this host (doc/design.md, section 11): `default closed`, then one
 * `open PORT/PROTO` per service listening through IF and/or per port the
 * counters show passing, each commented from the port table and with why
 * it is there. Ports are written as numbers so the policy means the same
 * whatever /etc/services says. `portxdp check` accepts what it prints.
 *
 * Replies to this host's own connections arrive in the ephemeral range;
 * when this host is seen connecting out (connected sockets there, or
 * traffic passed there) `option replies on` (doc/design.md, section 9) is
 * written, which lets only the replies in (apply gives a running filter
 * the egress program they need), not `open ephemeral`, which would let
 * anyone in there; a comment says why either way.
 *
 * Zones (doc/design.md, section 8): when IF's live policy has zones, its
 * zone, from and block lines are kept (live_zones.h), a listener on a port
 * some zone opens is left to them, and a port the table calls "LAN only"
 * is opened from the zone of the interface's own prefixes (`local`) when
 * there is one, not to every source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_src.h"
#include "cli.h"
#include "err.h"
#include "live_zones.h"
#include "policy.h"
#include "table.h"
#include "text.h"

static const struct px_opt opts[] = {
	PX_OPT("from", 'f', "WHAT",
	       "listening (the default): the TCP listeners and bound\n"
	       "UDP sockets reachable through IF (not those on\n"
	       "127.0.0.1 or ::1 only); traffic: the ports the\n"
	       "filter's counters show passing since attach; both"),
	{0},
};

const struct px_cmd px_cmd_suggest = {
	.name = "suggest",
	.run = cmd_suggest,
	.usage = "IF [--from listening|traffic|both]",
	.summary = "print a policy that opens what listens and/or what passed",
	.opts = opts,
	.about = "Print a policy for IF on standard output: 'default closed', "
		 "then an\n"
		 "'open PORT/PROTO' line for each port that should stay "
		 "reachable,\n"
		 "commented with the port table's advice and the reason it is "
		 "open.\n",
	.more = "When this host has connections of its own (their replies "
		"arrive in\n"
		"the ephemeral range), 'option replies on' is written: it "
		"lets only\n"
		"the replies in ('portxdp apply' gives a running filter the "
		"egress\n"
		"program they need), where 'open ephemeral' would let anyone "
		"in.\n"
		"The live policy's zones, from and block lines are kept; a "
		"listener\n"
		"on a port a zone opens is left to it, and a port the table "
		"calls\n"
		"LAN only is opened from the 'local' zone when there is one.\n"
		"Save, check and try it:\n"
		"  portxdp suggest eth0 > eth0.policy && portxdp check "
		"eth0.policy\n"
		"  portxdp apply eth0 eth0.policy --confirm 60\n"
		"\n"
		"Exit status: 0 printed, 1 no such interface, sockets or "
		"counters not\n"
		"readable (traffic needs portxdp attached), 2 bad usage.\n",
};

enum { FROM_LISTENING = 1, FROM_TRAFFIC = 2 };

static void header(const char *ifname, const char *from)
{
	char when[TEXT_TIME_LEN];

	text_time_local(when, sizeof(when), (long long)time(NULL), -1);
	printf("# Suggested by 'portxdp suggest %s --from %s' on %s%s%s.\n"
	       "# It opens only %s and closes\n"
	       "# everything else, ping too. Check it, see what it would "
	       "change, try it:\n"
	       "#   portxdp check FILE && portxdp diff %s FILE\n"
	       "#   portxdp apply %s FILE --confirm 60\n\n"
	       "default closed\n",
	       ifname, from, when, px_netns_name ? ", network namespace " : "",
	       px_netns_name ? px_netns_name : "",
	       !strcmp(from, "listening")
		       ? "what listens through this interface"
	       : !strcmp(from, "traffic") ? "the ports traffic passed through"
					  : "what listens and what traffic "
					    "passed through",
	       ifname, ifname);
}

/* The first exposed, non-client socket on proto/port, or NULL. */
static const struct px_sock *service(const struct audit_src *s, int proto,
				     unsigned int port)
{
	for (int i = 0; i < s->socks.n; i++) {
		const struct px_sock *k = &s->socks.v[i];

		if (k->proto == proto && k->port == port &&
		    audit_exposed(k, s->ifindex) &&
		    !(proto == PX_UDP && port >= s->eph_lo &&
		      port <= s->eph_hi))
			return k;
	}
	return NULL;
}

static unsigned long long passed(const struct audit_src *s, int proto,
				 unsigned int port)
{
	return s->counters ? s->counters[proto * PX_PORTS + port].passed : 0;
}

static bool in_eph(const struct audit_src *s, unsigned int port)
{
	return s->eph_hi && port >= s->eph_lo && port <= s->eph_hi;
}

/* The zone of the interface's own prefixes (`local`), or NULL. */
static const char *lan_zone(const struct audit_src *s)
{
	for (unsigned int z = 1; s->zs && z <= s->zs->nzones; z++)
		if (s->zs->zone[z].name[0] &&
		    (s->zs->zone[z].flags & PX_ZF_LOCAL) &&
		    !(s->zs->zone[z].flags & PX_ZF_BLOCK))
			return s->zs->zone[z].name;
	return NULL;
}

static void one_port(const struct audit_src *s, int proto, unsigned int port,
		     const struct px_sock *k)
{
	const char *name = table_port_name(proto, port);
	const struct table_entry *e = name ? table_find_name(name) : NULL;
	char addr[64];

	printf("\n# %u/%s%s%s", port, px_proto_name(proto), name ? " " : "",
	       name ? name : "");
	if (e && e->advice[0])
		printf(": %s", e->advice);
	printf("\n");
	if (k && k->pid)
		printf("# listening: %s (pid %d) on %s\n", k->comm, k->pid,
		       sockdiag_addr(k, addr, sizeof(addr)));
	else if (k)
		printf("# listening on %s\n",
		       sockdiag_addr(k, addr, sizeof(addr)));
	if (passed(s, proto, port))
		printf("# %llu packets passed since attach\n",
		       passed(s, proto, port));
	if (e && strstr(e->advice, "LAN only") && lan_zone(s)) {
		printf("# LAN only by the port table: opened from zone '%s' "
		       "(the interface's own prefixes)\nopen %u/%s from %s\n",
		       lan_zone(s), port, px_proto_name(proto), lan_zone(s));
		return;
	}
	if (e && strstr(e->advice, "LAN only"))
		printf("# careful: LAN only by the port table, and this line "
		       "opens it to every source\n");
	printf("open %u/%s\n", port, px_proto_name(proto));
}

/* The live zones: their lines, kept as they are. */
static void zones(const struct audit_src *s)
{
	bool literal[PX_ZONE_ENTRIES] = {false};

	if (!s->zs)
		return;
	printf("\n# The zones of the live policy, with their from and block "
	       "lines, kept:\n");
	fflush(stdout);
	if (live_zones_text(s->zs, literal, stdout))
		printf("# (some zone has no prefixes left to write: see "
		       "'portxdp status')\n");
}

/* Whether the live base closes proto/port and some zone opens it. */
static bool zone_opens(const struct audit_src *s, int proto, unsigned int port)
{
	for (unsigned int z = 1; s->zs && z <= s->zs->nzones; z++) {
		const struct px_zone *zn = &s->zs->zone[z];

		if (zn->name[0] && !(zn->flags & PX_ZF_BLOCK) &&
		    !policy_port_open(s->pol, proto, port) &&
		    (zn->open[proto][port / 64] >> (port % 64) & 1))
			return true;
	}
	return false;
}

/* One listener or passing port: its open line, or left to its zones. */
static void port_line(const struct audit_src *s, int proto, unsigned int port,
		      const struct px_sock *k)
{
	if (!zone_opens(s, proto, port)) {
		one_port(s, proto, port, k);
		return;
	}
	printf("\n# %u/%s: open only from some zones by the live policy; "
	       "their from lines\n# above keep it so (not opened to every "
	       "source)\n",
	       port, px_proto_name(proto));
}

static void ephemeral(const struct audit_src *s, unsigned int flows)
{
	unsigned long long eph = 0;

	if (!s->eph_hi)
		return;
	for (int proto = PX_TCP; proto < PX_NPROTO; proto++)
		for (unsigned int p = s->eph_lo; p <= s->eph_hi; p++)
			eph += passed(s, proto, p);
	if (!flows && !eph) {
		printf("\n# No connection of this host's own was seen, so the "
		       "ephemeral range\n# (%u-%u) stays closed. If this host "
		       "connects out (DNS, updates), add\n# 'option replies "
		       "on' (or 'open ephemeral', open to anyone).\n",
		       s->eph_lo, s->eph_hi);
		return;
	}
	printf("\n# The ephemeral range (%u-%u): replies to this host's own "
	       "connections\n# (DNS lookups, updates) arrive there; ",
	       s->eph_lo, s->eph_hi);
	if (flows)
		printf("%u such connection%s open now", flows,
		       flows == 1 ? " is" : "s are");
	if (flows && eph)
		printf(", and ");
	if (eph)
		printf("%llu packets passed there since attach", eph);
	printf(".\n# 'option replies on' lets only the replies in (apply "
	       "gives a running filter\n# the egress program they need); "
	       "'open ephemeral' would let anyone in there.\n"
	       "option replies on\n");
}

static void skipped(const struct audit_src *s)
{
	bool first = true;
	char addr[64];

	for (int i = 0; i < s->socks.n; i++) {
		const struct px_sock *k = &s->socks.v[i];

		if (audit_exposed(k, s->ifindex))
			continue;
		printf("%s# Not opened: %u/%s of %s on %s, %s.\n",
		       first ? "\n" : "", k->port, px_proto_name(k->proto),
		       k->pid ? k->comm : "an unknown process",
		       sockdiag_addr(k, addr, sizeof(addr)),
		       k->loopback ? "loopback only"
				   : "bound to another interface");
		first = false;
	}
	printf("\n# ping stays closed: add 'open ping' to answer it.\n");
}

static int parse_from(const char *arg, int *from)
{
	if (!strcmp(arg, "listening"))
		*from = FROM_LISTENING;
	else if (!strcmp(arg, "traffic"))
		*from = FROM_TRAFFIC;
	else if (!strcmp(arg, "both"))
		*from = FROM_LISTENING | FROM_TRAFFIC;
	else
		return cli_usage_error("suggest",
				       "--from takes listening, traffic or "
				       "both, not '%s'",
				       arg);
	return 0;
}

int cmd_suggest(int argc, char **argv)
{
	const char *ifname, *from_arg = "listening";
	unsigned int flows = 0;
	struct audit_src s;
	int c, ret, from = FROM_LISTENING;

	while ((c = cli_getopt(argc, argv, &px_cmd_suggest)) != -1) {
		if (c != 'f')
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
		from_arg = optarg;
		if (parse_from(optarg, &from))
			return PX_EXIT_USAGE;
	}
	if (optind + 1 != argc)
		return cli_usage_error("suggest",
				       optind >= argc
					       ? "suggest needs an interface"
					       : "suggest takes one interface");
	ifname = argv[optind];
	memset(&s, 0, sizeof(s));
	ret = audit_src_host(ifname, "suggest", &s);
	if (!ret)
		ret = audit_src_zones(ifname, &s);
	if (!ret && (from & FROM_TRAFFIC))
		ret = audit_src_counters(ifname, "suggest", &s);
	if (ret) {
		audit_src_close(&s);
		return ret;
	}
	if (s.eph_hi && sockdiag_flows(s.eph_lo, s.eph_hi, &flows))
		flows = 0;
	header(ifname, from_arg);
	zones(&s);
	for (int proto = PX_TCP; proto < PX_NPROTO; proto++)
		for (unsigned int port = 1; port < PX_PORTS; port++) {
			const struct px_sock *k =
				from & FROM_LISTENING ? service(&s, proto, port)
						      : NULL;

			if (k || (!in_eph(&s, port) && passed(&s, proto, port)))
				port_line(&s, proto, port, k);
		}
	ephemeral(&s, flows);
	skipped(&s);
	audit_src_close(&s);
	return PX_EXIT_OK;
}
