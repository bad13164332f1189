// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Attaching a filter, and replacing one without a gap (see filter.h).
 *
 * The new program and its maps are loaded, filled and pinned in a folder
 * of their own, IF:new (':' is never in an interface name, so no walk
 * takes it for a filter), before anything that runs is touched. Then:
 *   - no filter there: the link is made, pinned in IF:new, and IF:new is
 *     renamed to IF, one rename(2);
 *   - portxdp there: its link is pinned in IF:new too, the two folders
 *     trade places (renameat2 RENAME_EXCHANGE, one step), and the link is
 *     switched to the new program (bpf_link_update): the interface runs
 *     the old program until that one syscall and the new one after it.
 * A command stopped at any point (even by SIGKILL) leaves either the old
 * filter or the new one running, and its pins in IF. What it may leave
 * behind, an IF:new folder or a folder whose program the link does not
 * run yet, is finished or removed by the next command that takes the
 * lock (filter_tidy.c). SIGINT, SIGTERM and SIGHUP wait until the pins are
 * whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bans.h"
#include "cli.h"
#include "err.h"
#include "filter.h"
#include "filter_pins.h"
#include "hook.h"
#include "maps.h"
#include "maps_zone.h"
#include "pins.h"
#include "skel.h"
#include "tc.h"

/*
 * The test hook PORTXDP_TEST_KILL=STEP: SIGKILL at that step of an
 * attach or replacement, for tests/e2e/reload.sh to see what each
 * leaves behind.
 */
static void step(const char *name)
{
	const char *kill_at = getenv("PORTXDP_TEST_KILL");

	if (kill_at && !strcmp(kill_at, name))
		raise(SIGKILL);
}

int filter_open_locked(const char *ifname, struct px_filter *f)
{
	int lock = pins_lock();

	if (lock < 0)
		return -1;
	filter_tidy(ifname);
	if (filter_open(ifname, f, 0)) {
		pins_unlock(lock);
		return -1;
	}
	return lock;
}

/* --- what is there now ---------------------------------------------------- */

struct attach_ctx {
	struct filter_attach_opts *o;
	unsigned int ifindex;
	char dir[PATH_MAX], tmp[PATH_MAX + 8];
	struct px_filter old;	  /* portxdp there now (replace) */
	bool replace;		  /* old runs: switch its link */
	struct xdp_state foreign; /* another program there now */
	bool auto_chose;	  /* o->mode is what --mode auto chose */
	bool keep;		  /* filter_reload: every map stays */
	struct portxdp_bpf *skel;
};

static int refuse_existing(struct attach_ctx *c)
{
	const char *ifname = c->o->ifname;

	if (c->old.state == FILTER_MOVED) {
		px_error("the pins of %s here belong to a filter that now runs "
			 "on another interface (%s moved away): run 'portxdp "
			 "detach %s' first",
			 ifname, ifname, ifname);
		return -EBUSY;
	}
	if (c->old.state != FILTER_ATTACHED) {
		px_info("%s: removing stale pins of an earlier portxdp (its "
			"interface was deleted)",
			ifname);
		filter_close(&c->old);
		return pins_remove_dir(c->dir);
	}
	if (!c->o->force) {
		px_error("portxdp is already attached to %s: change its policy "
			 "with 'portxdp apply %s FILE', or use --force to load "
			 "it afresh",
			 ifname, ifname);
		return -EEXIST;
	}
	px_info("%s: replacing the portxdp already attached", ifname);
	c->replace = true;
	return 0;
}

static int examine(struct attach_ctx *c)
{
	const char *ifname = c->o->ifname;
	char name[64];
	int err;

	err = filter_open(ifname, &c->old, FILTER_ANY | FILTER_QUIET);
	if (!err) {
		err = refuse_existing(c);
		if (err || c->replace)
			return err;
	} else if (err == -EUCLEAN) {
		px_info("%s: removing incomplete pins in %s", ifname, c->dir);
		err = pins_remove_dir(c->dir);
		if (err)
			return err;
	} else if (err != -ENOENT) {
		return filter_open(ifname, &c->old, FILTER_ANY); /* says why */
	}
	/* Asked for, the tc hook runs beside whatever XDP has; chosen by
	 * auto, another XDP program there is refused as before. */
	if (c->o->mode == PX_MODE_TC && !c->auto_chose)
		return 0;
	err = xdp_query(c->ifindex, &c->foreign);
	if (err) {
		px_error("cannot query XDP on %s: %s", ifname, strerror(-err));
		return err;
	}
	if (!c->foreign.prog_id)
		return 0;
	xdp_prog_name(c->foreign.prog_id, name, sizeof(name));
	if (!c->o->force) {
		px_error("%s already has an XDP program (id %u, '%s'): remove "
			 "it first, or use --force to replace it",
			 ifname, c->foreign.prog_id, name);
		return -EEXIST;
	}
	px_info("%s: replacing XDP program id %u ('%s')", ifname,
		c->foreign.prog_id, name);
	return 0;
}

/* --- the new filter ------------------------------------------------------- */

/* The program for the hook asked. */
static struct bpf_program *new_prog(struct attach_ctx *c)
{
	return c->o->mode == PX_MODE_TC ? c->skel->progs.portxdp_tc
					: c->skel->progs.portxdp;
}

static int pin_new(struct attach_ctx *c)
{
	char path[PATH_MAX + 40];
	int err;

	pins_remove_dir(c->tmp); /* what an earlier attempt left */
	err = pins_make_dir(c->tmp);
	if (err)
		return err;
	for (unsigned int i = 0; i < filter_nmap_pins; i++) {
		const struct filter_map_pin *p = &filter_map_pins[i];

		snprintf(path, sizeof(path), "%s/%s", c->tmp, p->name);
		err = bpf_map__pin(filter_pin_map(c->skel, p), path);
		if (err)
			goto fail;
	}
	snprintf(path, sizeof(path), "%s/" FILTER_PIN_PROG, c->tmp);
	err = bpf_program__pin(new_prog(c), path);
	if (!err)
		return 0;
fail:
	px_error("cannot pin %s: %s", path, strerror(-err));
	return err;
}

/* The link in IF:new; no link (clsact): the program as its marker. */
static int pin_link(struct attach_ctx *c, int link_fd)
{
	char path[PATH_MAX + 40];
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", c->tmp,
		 link_fd >= 0 ? PX_PIN_LINK : FILTER_PIN_CLSACT);
	if (link_fd >= 0 ? bpf_obj_pin(link_fd, path)
			 : bpf_obj_pin(bpf_program__fd(new_prog(c)), path)) {
		err = -errno;
		px_error("cannot pin %s: %s", path, strerror(-err));
	}
	return err;
}

/* Attach the new program at the hook asked: *link_fd, or -1 (clsact). */
static int hook_attach(struct attach_ctx *c, int *link_fd)
{
	int prog_fd = bpf_program__fd(new_prog(c)), fd;

	if (c->o->mode == PX_MODE_TC) {
		fd = tc_attach(c->o->ifname, c->ifindex, TC_INGRESS, prog_fd,
			       link_fd);
		c->o->clsact = !fd && *link_fd < 0;
		return fd;
	}
	fd = xdp_attach(prog_fd, c->o->ifname, c->ifindex, &c->o->mode);
	*link_fd = fd;
	return fd < 0 ? fd : 0;
}

static int attach_new(struct attach_ctx *c, bool overlap);

/* portxdp there: the folders trade places, then the link switches. */
static int swap_in(struct attach_ctx *c)
{
	int prog_fd = bpf_program__fd(new_prog(c));
	char path[PATH_MAX + 40];
	int err = pin_link(c, c->old.link_fd);

	if (err)
		return err;
	if (renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->dir, RENAME_EXCHANGE)) {
		err = -errno;
		if (err == -EINVAL) { /* a bpffs without RENAME_EXCHANGE */
			snprintf(path, sizeof(path), "%s/" PX_PIN_LINK, c->tmp);
			unlink(path);
			px_info("%s: this kernel cannot swap pin folders; the "
				"interface passes everything for a moment",
				c->o->ifname);
			return attach_new(c, false);
		}
		px_error("cannot swap the pins of %s (%s): the old filter "
			 "still runs",
			 c->o->ifname, strerror(-err));
		return err;
	}
	step("swapped");
	err = filter_link_switch(c->old.link_fd, prog_fd, c->old.prog_id);
	if (err) {
		renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->dir, RENAME_EXCHANGE);
		px_error("the kernel refused to switch %s to the new program "
			 "(%s): the old filter still runs",
			 c->o->ifname, strerror(-err));
		return err;
	}
	return 0; /* c->tmp now holds the old pins: removed by the caller */
}

/*
 * portxdp there, on another hook than the one asked (XDP and tc, or a
 * clsact filter): the new one is attached beside it, the folders trade
 * places, and only then is the old one detached. For a moment a packet
 * passes both, which the stricter of the two policies decides; never
 * neither. A clsact filter replaced in place (same handle) is not
 * detached after. -EINVAL: this bpffs cannot swap folders; nothing
 * changed but the new attachment, which goes with IF:new.
 */
static int attach_beside(struct attach_ctx *c)
{
	int link_fd, err;

	err = hook_attach(c, &link_fd);
	if (err)
		return err;
	step("beside");
	err = pin_link(c, link_fd);
	if (!err &&
	    renameat2(AT_FDCWD, c->tmp, AT_FDCWD, c->dir, RENAME_EXCHANGE)) {
		err = -errno;
		if (err != -EINVAL)
			px_error("cannot swap the pins of %s (%s): the old "
				 "filter still runs",
				 c->o->ifname, strerror(-err));
	}
	if (link_fd >= 0)
		close(link_fd); /* pinned now; or it detaches here */
	if (err)
		return err;
	if (c->old.link_fd >= 0 && bpf_link_detach(c->old.link_fd))
		px_warn("%s: cannot detach the old filter (%s): it runs on "
			"beside the new one",
			c->o->ifname, strerror(errno));
	else if (c->old.clsact && !c->o->clsact)
		tc_detach_clsact(c->o->ifname, c->ifindex, TC_INGRESS);
	if (!c->keep) /* apply's reload: the same hook, nothing to say */
		px_info("%s: %s mode%s replaced by %s mode%s without a gap",
			c->o->ifname, xdp_mode_name(c->old.mode),
			c->old.clsact ? " (clsact)" : "",
			xdp_mode_name(c->o->mode),
			c->o->clsact ? " (clsact)" : "");
	return 0; /* c->tmp now holds the old pins: removed by the caller */
}

/* Can the old filter and the new one run at once? Not two XDP programs. */
static bool can_overlap(struct attach_ctx *c)
{
	return c->old.mode == PX_MODE_TC || c->o->mode == PX_MODE_TC;
}

/* Nothing of ours there (or no gapless way): link, pin, one rename. */
static int attach_new(struct attach_ctx *c, bool overlap)
{
	int link_fd, err;

	if (c->replace && overlap && can_overlap(c)) {
		err = attach_beside(c);
		if (err != -EINVAL)
			return err;
		pins_remove_dir(c->tmp); /* the new attachment goes */
		err = pin_new(c);
		if (err)
			return err;
	}
	if (c->replace) { /* another XDP mode, or no folder swap */
		if (c->o->mode != PX_MODE_AUTO)
			px_info("%s: moving to %s mode; the interface passes "
				"everything for a moment",
				c->o->ifname, xdp_mode_name(c->o->mode));
		err = filter_detach(&c->old);
		if (err)
			return err;
	}
	if (c->foreign.prog_id) {
		err = xdp_detach_foreign(c->o->ifname, c->ifindex, &c->foreign);
		if (err)
			return err;
	}
	err = hook_attach(c, &link_fd);
	if (err)
		return err;
	err = pin_link(c, link_fd);
	if (!err && rename(c->tmp, c->dir)) {
		err = -errno;
		px_error("cannot move the pins of %s into place: %s",
			 c->o->ifname, strerror(-err));
	}
	if (link_fd >= 0)
		close(link_fd); /* the pin holds it now, or it detaches here */
	return err;
}

/* The new object, with the old filter's maps when it replaces one: all
 * of them (keep), or those --force carries, and when those cannot be
 * carried (an older layout) without them. */
static int load_skel(struct attach_ctx *c)
{
	struct px_filter none;
	int err;
	struct filter_reuse r = {
		.old = &c->old,
		.all = c->keep,
		.flows = filter_flows_wanted(c->o->policy),
		.tc = c->o->mode == PX_MODE_TC,
		.egress = c->o->policy->flags & PX_F_REPLIES,
	};

	filter_init(&none, c->o->ifname);
	if (!c->replace)
		r.old = &none;
	c->skel = px_skel_load_flows(r.flows, filter_maps_reuse, &r);
	if (!c->skel && c->replace && !c->keep) {
		r.old = &none;
		c->skel = px_skel_load_flows(r.flows, filter_maps_reuse, &r);
		if (c->skel)
			px_warn("%s: the old filter's bans and flows could not "
				"be carried over: they start again",
				c->o->ifname);
	}
	if (c->skel)
		return 0;
	err = -errno;
	px_error("the kernel refused to load the XDP program (%s): rerun with "
		 "-v for the verifier's log",
		 strerror(-err));
	return err;
}

static int load_new(struct attach_ctx *c)
{
	struct px_policy *pol = (struct px_policy *)c->o->policy;
	struct px_zone_maps m;
	int err = load_skel(c);

	/* an older portxdp's ban cache, not carried: its drops are */
	if (!err && c->replace &&
	    bans_cache_carry(c->old.ban_cache_fd,
			     bpf_map__fd(c->skel->maps.px_ban_cache)))
		px_warn("%s: the drops the old ban cache held are not carried "
			"over",
			c->o->ifname);
	if (err || c->keep) /* keep: the live policy stays */
		return err;
	/* counters start again, the ban cache's too (include/portxdp.h) */
	if (c->replace) {
		err = bans_totals_start(
			bpf_map__fd(c->skel->maps.px_ban_cache),
			bpf_map__fd(c->skel->maps.px_totals_map));
		if (err) {
			px_error("cannot start the new totals of %s: %s",
				 c->o->ifname, strerror(-err));
			return err;
		}
	}
	/* bans carried: the new policy checks them (bans.h) */
	if (bans_any(bpf_map__fd(c->skel->maps.px_bans)))
		pol->flags |= PX_F_BANS;
	m.policy = bpf_map__fd(c->skel->maps.px_policy_outer);
	m.zones = bpf_map__fd(c->skel->maps.px_zone_outer);
	m.zone4 = bpf_map__fd(c->skel->maps.px_zone4_outer);
	m.zone6 = bpf_map__fd(c->skel->maps.px_zone6_outer);
	m.counts = bpf_map__fd(c->skel->maps.px_zone_counts);
	err = maps_install_zoned(&m, pol, c->o->zones, true);
	if (err)
		px_error("cannot install the policy: %s", strerror(-err));
	return err;
}

/*
 * With another mode asked than the one running, the link cannot switch:
 * a TCX link switches to the tc program, an XDP link to the XDP program
 * in its own mode. A clsact filter has no link to switch.
 */
static bool same_mode(struct attach_ctx *c)
{
	struct xdp_state st;

	if (c->old.mode == PX_MODE_TC || c->o->mode == PX_MODE_TC)
		return c->old.mode == c->o->mode && !c->old.clsact;
	if (xdp_query(c->ifindex, &st))
		return false;
	if (c->o->mode != PX_MODE_AUTO && c->o->mode != st.mode)
		return false;
	c->o->mode = st.mode;
	return true;
}

/*
 * --mode auto: the hook that costs IF's traffic least (hook.h); said in
 * one line when it is tc, as XDP was what auto meant before.
 */
static void resolve_auto(struct attach_ctx *c)
{
	char why[128];

	if (c->o->mode != PX_MODE_AUTO)
		return;
	c->o->mode = hook_auto(c->o->ifname, why, sizeof(why));
	c->auto_chose = true;
	if (c->o->mode == PX_MODE_TC)
		px_info("%s: %s: tc mode, which costs its traffic least "
			"(native XDP there copies every packet; --mode native "
			"or generic to force XDP)",
			c->o->ifname, why);
	else
		px_debug("%s: %s: XDP, native where the driver has it",
			 c->o->ifname, why);
}

/* The new pins, the recorder, the flows carried, the switch: SIGINT,
 * SIGTERM and SIGHUP wait until the pins are whole. */
static int install_new(struct attach_ctx *c)
{
	sigset_t block, old;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	err = pin_new(c);
	step("pinned");
	if (!err) /* replies: the recorder first, then the table carried */
		err = filter_egress_attach(c->skel, c->o->policy, c->o->ifname,
					   c->ifindex, c->tmp);
	step("egress");
	if (!err && c->replace)
		filter_flows_carry(c->old.flows_fd,
				   bpf_map__fd(c->skel->maps.px_flows));
	step("carried");
	if (!err)
		err = c->replace && same_mode(c) ? swap_in(c)
						 : attach_new(c, true);
	step("switched");
	pins_remove_dir(c->tmp); /* the old pins, or a failed attempt's */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

static int attach_locked(struct attach_ctx *c)
{
	int err;

	resolve_auto(c);
	err = filter_tidy(c->o->ifname);
	if (!err && c->o->under_lock)
		err = c->o->under_lock(c->o->ifname) ? -EBUSY : 0;
	if (!err)
		err = examine(c);
	if (!err)
		err = load_new(c);
	return err ? err : install_new(c);
}

static struct attach_ctx *ctx_new(struct filter_attach_opts *o)
{
	struct attach_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->o = o;
	filter_init(&c->old, o->ifname);
	return c;
}

static void ctx_free(struct attach_ctx *c)
{
	filter_close(&c->old);
	portxdp_bpf__destroy(c->skel);
	free(c);
}

int filter_reload(const char *ifname, const struct px_policy *pol)
{
	struct filter_attach_opts o = {
		.ifname = ifname, .policy = pol, .force = true};
	struct attach_ctx *c = ctx_new(&o);
	int err;

	if (!c)
		return -ENOMEM;
	c->keep = c->replace = true;
	err = pins_dir(ifname, c->dir, sizeof(c->dir));
	if (!err)
		err = filter_open(ifname, &c->old, 0);
	if (!err) {
		filter_tmp_dir(c->dir, c->tmp, sizeof(c->tmp));
		c->ifindex = c->old.ifindex;
		o.mode = c->old.mode; /* the same hook, the same mode */
		err = load_new(c);
	}
	if (!err)
		err = install_new(c);
	ctx_free(c);
	return err;
}

int filter_attach(struct filter_attach_opts *o)
{
	struct attach_ctx *c = ctx_new(o);
	int lock, err;

	if (!c)
		return -ENOMEM;
	err = -ENODEV;
	c->ifindex = cli_ifindex(o->ifname);
	if (c->ifindex)
		err = filter_bpf_permitted("attach");
	if (!err)
		err = filter_probe_features();
	if (!err)
		err = filter_bpffs_ready("attach", o->ifname);
	if (!err)
		err = pins_dir(o->ifname, c->dir, sizeof(c->dir));
	if (err)
		goto out;
	filter_tmp_dir(c->dir, c->tmp, sizeof(c->tmp));
	snprintf(o->dir, sizeof(o->dir), "%s", c->dir);
	lock = pins_lock();
	if (lock < 0) {
		err = lock;
		goto out;
	}
	err = attach_locked(c);
	pins_unlock(lock);
out:
	ctx_free(c);
	return err;
}
