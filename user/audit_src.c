// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Gathering what audit and suggest judge (audit_src.h): the policy, the
 * sockets, the ephemeral range, the counters; each failure one line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_src.h"
#include "cli.h"
#include "err.h"
#include "filter.h"
#include "live_zones.h"
#include "maps.h"
#include "policy.h"

static const char *ns_label(void)
{
	return px_netns_name ? px_netns_name : "of this shell";
}

int audit_src_host(const char *ifname, const char *verb, struct audit_src *s)
{
	int err;

	s->ifindex = cli_ifindex(ifname);
	if (!s->ifindex)
		return PX_EXIT_FAIL;
	if (policy_ephemeral_range(&s->eph_lo, &s->eph_hi))
		s->eph_lo = s->eph_hi = 0;
	err = sockdiag_listening(&s->socks);
	if (err) {
		px_error("cannot read the sockets of network namespace %s "
			 "through the kernel's socket diagnostics (%s): %s "
			 "needs sock_diag with inet_diag, tcp_diag and "
			 "udp_diag (modprobe them)",
			 ns_label(), strerror(-err), verb);
		return PX_EXIT_FAIL;
	}
	if (geteuid())
		px_warn("not root: the processes owning other users' sockets "
			"are not shown");
	return PX_EXIT_OK;
}

static int live_policy(const char *ifname, const char *verb,
		       struct audit_src *s)
{
	struct px_zone_maps zm;
	struct px_filter a;
	int err;

	if (!cli_need_privileges(verb))
		return PX_EXIT_FAIL;
	err = filter_open(ifname, &a, FILTER_QUIET);
	if (err == -ENOENT) {
		px_error("portxdp is not attached to %s and no --policy FILE "
			 "was given: attach it first, or audit a file with "
			 "'portxdp %s %s --policy FILE'",
			 ifname, verb, ifname);
		return PX_EXIT_FAIL;
	}
	if (err) {
		filter_open(ifname, &a, 0); /* says why, and what to do */
		return PX_EXIT_FAIL;
	}
	err = maps_read_policy(a.policy_fd, s->pol);
	filter_zone_maps(&a, &zm);
	if (!err)
		err = live_zones_read(&zm, s->pol, false, &s->zs);
	filter_close(&a);
	if (err) {
		px_error("cannot read the live policy of %s (%s): see "
			 "'portxdp status %s'",
			 ifname, strerror(-err), ifname);
		return PX_EXIT_FAIL;
	}
	snprintf(s->name, sizeof(s->name), "%s", s->pol->source);
	s->lines = policy_lines_live(s->pol, &err);
	if (!s->lines)
		snprintf(s->note, sizeof(s->note),
			 err == -ESTALE
				 ? "its file no longer gives the live policy "
				   "(edited since it was applied?), so no line "
				   "is named; 'portxdp diff %s FILE' shows how "
				   "they differ"
				 : "its file cannot be read, so no line is "
				   "named (%s)",
			 err == -ESTALE ? ifname : strerror(-err));
	return PX_EXIT_OK;
}

int audit_src_open(const char *ifname, const char *file, const char *verb,
		   struct audit_src *s)
{
	struct policy_report rep;
	int err, ret;

	memset(s, 0, sizeof(*s));
	s->pol = calloc(1, sizeof(*s->pol));
	if (!s->pol)
		return PX_EXIT_FAIL;
	if (file) {
		err = policy_load_zoned(file, NULL, false, s->pol, &s->zs, &rep,
					stderr);
		if (err) {
			if (err == -EINVAL)
				px_error("%s has errors: see 'portxdp check "
					 "%s'",
					 file, file);
			audit_src_close(s);
			return err == -EINVAL ? PX_EXIT_USAGE : PX_EXIT_FAIL;
		}
		snprintf(s->name, sizeof(s->name), "%s", file);
		s->lines = policy_lines_file(file, &err);
		if (!s->lines)
			snprintf(s->note, sizeof(s->note),
				 "no line is named (%s)", strerror(-err));
		ret = PX_EXIT_OK;
	} else {
		ret = live_policy(ifname, verb, s);
	}
	if (!ret)
		ret = audit_src_host(ifname, verb, s);
	if (ret)
		audit_src_close(s);
	return ret;
}

int audit_src_counters(const char *ifname, const char *verb,
		       struct audit_src *s)
{
	struct px_filter a;
	int err;

	if (!cli_need_privileges(verb))
		return PX_EXIT_FAIL;
	err = filter_open(ifname, &a, FILTER_QUIET);
	if (err && err != -ENOENT) {
		filter_open(ifname, &a, 0); /* says why, and what to do */
		return PX_EXIT_FAIL;
	}
	if (err) {
		px_error("portxdp is not attached to %s, so there are no "
			 "counters to read: attach it and let traffic pass "
			 "first, or use '--from listening'",
			 ifname);
		return PX_EXIT_FAIL;
	}
	s->counters = calloc(PX_COUNTER_KEYS, sizeof(*s->counters));
	err = s->counters ? maps_read_counters(a.counters_fd, s->counters)
			  : -ENOMEM;
	filter_close(&a);
	if (err) {
		px_error("cannot read the counters of %s (%s): see 'portxdp "
			 "stats %s'",
			 ifname, strerror(-err), ifname);
		return PX_EXIT_FAIL;
	}
	return PX_EXIT_OK;
}

int audit_src_zones(const char *ifname, struct audit_src *s)
{
	struct px_zone_maps zm;
	struct px_filter a;
	int err;

	/* not attached (or not root): no zones to keep */
	if (filter_open(ifname, &a, FILTER_QUIET))
		return PX_EXIT_OK;
	s->pol = calloc(1, sizeof(*s->pol));
	err = s->pol ? maps_read_policy(a.policy_fd, s->pol) : -ENOMEM;
	filter_zone_maps(&a, &zm);
	if (!err)
		err = live_zones_read(&zm, s->pol, true, &s->zs);
	filter_close(&a);
	if (err)
		px_error("cannot read the live zones of %s (%s): see "
			 "'portxdp status %s'",
			 ifname, strerror(-err), ifname);
	return err ? PX_EXIT_FAIL : PX_EXIT_OK;
}

int audit_src_run(const struct audit_src *s, struct audit_result *r)
{
	struct audit_input in = {
		.pol = s->pol,
		.lines = s->lines,
		.socks = s->socks.v,
		.nsocks = s->socks.n,
		.ifindex = s->ifindex,
		.eph_lo = s->eph_lo,
		.eph_hi = s->eph_hi,
		.zs = s->zs,
	};

	if (audit_run(&in, r)) {
		px_error("out of memory");
		return PX_EXIT_FAIL;
	}
	return PX_EXIT_OK;
}

void audit_src_close(struct audit_src *s)
{
	free(s->pol);
	policy_lines_free(s->lines);
	sockdiag_free(&s->socks);
	free(s->counters);
	zoneset_free(s->zs);
	memset(s, 0, sizeof(*s));
}
