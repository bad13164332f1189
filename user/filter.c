// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An attached filter: its pins, opening it, whether it still filters its
 * interface, detaching it, and the walk over every namespace's filters.
 * Attaching and replacing one is in filter_attach.c. See filter.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "err.h"
#include "filter.h"
#include "filter_pins.h"
#include "maps_zone.h"
#include "netns.h"
#include "pins.h"
#include "tc.h"

/* --- the pins of a filter: the one table ---------------------------------- */

#define MAP_PIN(pin, field, map, req, carried)                                 \
	{                                                                      \
		pin, offsetof(struct px_filter, field),                        \
			offsetof(struct portxdp_bpf, maps.map), req, carried   \
	}

/*
 * Every map a filter pins, where its fd goes when opened and which
 * skeleton map it is. required: pinned by every portxdp that ever
 * attached; the others may be missing from an older attach. carried:
 * what the hosts it watches did, which outlives the filter's program
 * (attach --force hands it to the new one; everything else starts again).
 */
const struct filter_map_pin filter_map_pins[] = {
	MAP_PIN(PX_PIN_POLICY, policy_fd, px_policy_outer, true, false),
	MAP_PIN(PX_PIN_COUNTERS, counters_fd, px_counters, true, false),
	MAP_PIN(PX_PIN_TOTALS, totals_fd, px_totals_map, true, false),
	MAP_PIN(PX_PIN_EVENTS, events_fd, px_events, false, false),
	MAP_PIN(PX_PIN_LOG_CTL, log_ctl_fd, data_px_log, false, false),
	MAP_PIN(PX_PIN_ZONES, zones_fd, px_zone_outer, false, false),
	MAP_PIN(PX_PIN_ZONE4, zone4_fd, px_zone4_outer, false, false),
	MAP_PIN(PX_PIN_ZONE6, zone6_fd, px_zone6_outer, false, false),
	MAP_PIN(PX_PIN_ZONE_COUNTS, zone_counts_fd, px_zone_counts, false,
		false),
	MAP_PIN(PX_PIN_FLOWS, flows_fd, px_flows, false, true),
	MAP_PIN(PX_PIN_BANS, bans_fd, px_bans, false, true),
	MAP_PIN(PX_PIN_SCAN, scan_fd, px_scan_map, false, true),
	/* carried, both or neither (an older attach has neither): a slot
	 * holds drops not yet in its ban's count, which a new cache would
	 * lose; the cache stays right only under the generation it was
	 * filled with */
	MAP_PIN(PX_PIN_BAN_CACHE, ban_cache_fd, px_ban_cache, false, true),
	MAP_PIN(PX_PIN_BAN_GEN, ban_gen_fd, data_px_ban_gen, false, true),
};
const unsigned int filter_nmap_pins =
	sizeof(filter_map_pins) / sizeof(filter_map_pins[0]);

int *filter_pin_fd(struct px_filter *f, const struct filter_map_pin *p)
{
	return (int *)((char *)f + p->fd_off);
}

struct bpf_map *filter_pin_map(struct portxdp_bpf *skel,
			       const struct filter_map_pin *p)
{
	return *(struct bpf_map **)((char *)skel + p->map_off);
}

/* --- names ---------------------------------------------------------------- */

bool filter_ifname_ok(const char *verb, const char *ifname)
{
	const char *why = NULL;

	if (!*ifname)
		why = "is empty";
	else if (strnlen(ifname, IF_NAMESIZE) == IF_NAMESIZE)
		why = "is longer than 15 bytes";
	else if (!strcmp(ifname, ".") || !strcmp(ifname, ".."))
		why = "is . or ..";
	for (const char *c = ifname; !why && *c; c++) {
		/* the kernel's isspace() also counts 0xa0 */
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c) ||
		    (unsigned char)*c == 0xa0)
			why = "holds '/', ':' or white space";
	}
	if (!why)
		return true;
	if (verb)
		cli_usage_error(verb,
				"'%s' is not an interface name (it %s): "
				"see 'ip link'",
				ifname, why);
	return false;
}

/* --- permission ---------------------------------------------------------- */

int filter_bpf_permitted(const char *verb)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	int err = -errno;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (err != -EPERM && err != -EACCES)
		return 0; /* something else: the real call will say */
	px_error("'portxdp %s' is not permitted to use BPF here (%s): run it "
		 "as root on the host; in a user namespace (unshare -U, a "
		 "rootless container) root is not enough",
		 verb, strerror(-err));
	return err;
}

/* --- opening ------------------------------------------------------------- */

void filter_init(struct px_filter *f, const char *ifname)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	f->link_fd = f->prog_fd = f->egress_fd = f->egress_prog_fd = -1;
	for (unsigned int i = 0; i < filter_nmap_pins; i++)
		*filter_pin_fd(f, &filter_map_pins[i]) = -1;
}

void filter_zone_maps(const struct px_filter *f, struct px_zone_maps *m)
{
	m->policy = f->policy_fd;
	m->zones = f->zones_fd;
	m->zone4 = f->zone4_fd;
	m->zone6 = f->zone6_fd;
	m->counts = f->zone_counts_fd;
}

void filter_close(struct px_filter *f)
{
	int *fds[] = {&f->link_fd, &f->prog_fd, &f->egress_fd,
		      &f->egress_prog_fd};

	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	for (unsigned int i = 0; i < filter_nmap_pins; i++) {
		int *fd = filter_pin_fd(f, &filter_map_pins[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int filter_open_pin(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

const char *filter_state_name(enum filter_state s)
{
	switch (s) {
	case FILTER_ATTACHED:
		return "attached";
	case FILTER_GONE:
		return "interface gone";
	case FILTER_MOVED:
		return "interface moved";
	default:
		return "broken pins";
	}
}

__u32 filter_prog_id(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.id;
}

/* Whether f's program runs at its hook on ifindex (this namespace): 1,
 * 0, or -errno when the kernel would not say (tc.h). */
static int runs_on(const struct px_filter *f, unsigned int ifindex)
{
	struct xdp_state xs;

	if (f->mode == PX_MODE_TC)
		return tc_runs(ifindex, TC_INGRESS, f->prog_id);
	return !xdp_query(ifindex, &xs) && xs.prog_id == f->prog_id;
}

/* A clsact filter has no link: it runs when IF's portxdp clsact filter
 * is its program, and is gone otherwise (it cannot be followed). */
static void judge_clsact(struct px_filter *f)
{
	f->mode = PX_MODE_TC;
	f->prog_id = filter_prog_id(f->prog_fd);
	f->link_ifindex = f->ifindex;
	f->state = FILTER_GONE;
	if (f->ifindex && f->prog_id &&
	    tc_clsact_prog(f->ifindex, TC_INGRESS) == f->prog_id)
		f->state = FILTER_ATTACHED;
}

/* What the link says, and whether the program on IF here is its program.
 * 0, or -EPERM/-EACCES when the kernel would not say. */
static int filter_judge(struct px_filter *f)
{
	struct xdp_state xs;
	int runs = 0;

	f->ifindex = if_nametoindex(f->ifname);
	if (f->link_fd < 0 && f->clsact && f->prog_fd >= 0) {
		judge_clsact(f);
		return 0;
	}
	if (f->link_fd < 0 || xdp_link_info(f->link_fd, &f->link_ifindex,
					    &f->prog_id, &f->link_id)) {
		f->state = FILTER_BROKEN;
		return 0;
	}
	f->mode = tc_is_tcx_link(f->link_fd) ? PX_MODE_TC : PX_MODE_AUTO;
	if (!f->link_ifindex) {
		f->state = FILTER_GONE;
		return 0;
	}
	f->state = FILTER_MOVED;
	if (f->ifindex && f->ifindex == f->link_ifindex)
		runs = runs_on(f, f->ifindex);
	if (runs < 0)
		return runs;
	if (runs)
		f->state = FILTER_ATTACHED;
	if (runs && f->mode != PX_MODE_TC && !xdp_query(f->ifindex, &xs))
		f->mode = xs.mode;
	return 0;
}

static int not_attached(const char *ifname, bool quiet)
{
	if (quiet)
		return -ENOENT;
	if (!pins_bpffs_mounted())
		px_error("portxdp is not attached to %s: bpffs is not mounted "
			 "here, so nothing is pinned (under 'ip netns exec' "
			 "use 'portxdp --netns NAME' instead); run 'portxdp "
			 "attach %s'",
			 ifname, ifname);
	else if (px_netns_name)
		px_error("portxdp is not attached to %s in network namespace "
			 "'%s': run 'portxdp --netns %s attach %s', or check "
			 "both names",
			 ifname, px_netns_name, px_netns_name, ifname);
	else
		px_error("portxdp is not attached to %s in this network "
			 "namespace: run 'portxdp attach %s' (or add --netns "
			 "NAME)",
			 ifname, ifname);
	return -ENOENT;
}

static int no_permission(const char *ifname, int err, bool quiet)
{
	if (!quiet)
		px_error(
			"cannot read portxdp's pins of %s (%s): run as root in "
			"the host's user namespace (BPF needs CAP_BPF there, "
			"not inside 'unshare -U')",
			ifname, strerror(-err));
	return err;
}

/* Why f does not filter its interface, and what to do. */
static void say_not_filtering(const struct px_filter *f)
{
	char ns[256], ifn[IF_NAMESIZE];

	switch (f->state) {
	case FILTER_GONE:
		if (!f->ifindex)
			px_error("no interface '%s' here: the filter portxdp "
				 "had "
				 "on it is gone with it, only its pins are "
				 "left; run 'portxdp detach --stale' to remove "
				 "them",
				 f->ifname);
		else
			px_error(
				"%s was deleted since portxdp was attached to "
				"it: that filter is gone and only its pins are "
				"left; run 'portxdp detach --stale', then "
				"'portxdp attach %s'",
				f->ifname, f->ifname);
		break;
	case FILTER_MOVED:
		if (!filter_locate(f, ns, sizeof(ns), ifn))
			px_error("%s moved to network namespace %s (as %s) "
				 "since portxdp was attached to it: its filter "
				 "runs there, not here; 'portxdp detach %s' "
				 "removes it",
				 f->ifname, ns, ifn, f->ifname);
		else
			px_error("%s was deleted since portxdp was attached to "
				 "it (or moved away), so nothing filters %s "
				 "here now: run 'portxdp detach %s' to remove "
				 "the leftover pins, then 'portxdp attach %s'",
				 f->ifname, f->ifname, f->ifname, f->ifname);
		break;
	default:
		px_error("the pins of %s in %s have no usable link: run "
			 "'portxdp detach %s', then attach again",
			 f->ifname, f->dir, f->ifname);
	}
}

static int open_pins(struct px_filter *f, bool quiet)
{
	int fd;

	fd = filter_open_pin(f->dir, PX_PIN_LINK);
	if (fd == -EACCES || fd == -EPERM)
		return no_permission(f->ifname, fd, quiet);
	f->link_fd = fd < 0 ? -1 : fd;
	fd = filter_open_pin(f->dir, FILTER_PIN_PROG);
	f->prog_fd = fd < 0 ? -1 : fd;
	if (f->link_fd < 0) {
		fd = filter_open_pin(f->dir, FILTER_PIN_CLSACT);
		f->clsact = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	fd = filter_open_pin(f->dir, FILTER_PIN_EGRESS);
	f->egress_fd = fd < 0 ? -1 : fd;
	fd = filter_open_pin(f->dir, FILTER_PIN_EGRESS_PROG);
	f->egress_prog_fd = fd < 0 ? -1 : fd;
	for (unsigned int i = 0; i < filter_nmap_pins; i++) {
		const struct filter_map_pin *p = &filter_map_pins[i];

		fd = filter_open_pin(f->dir, p->name);
		if (fd < 0 && p->required) {
			if (fd == -EACCES || fd == -EPERM)
				return no_permission(f->ifname, fd, quiet);
			if (!quiet)
				px_error("the pins of %s in %s are incomplete "
					 "or unreadable (%s): run 'portxdp "
					 "detach %s' to remove them, then "
					 "attach again",
					 f->ifname, f->dir, strerror(-fd),
					 f->ifname);
			return -EUCLEAN;
		}
		*filter_pin_fd(f, p) = fd < 0 ? -1 : fd;
	}
	return 0;
}

int filter_open(const char *ifname, struct px_filter *f, unsigned int flags)
{
	bool quiet = flags & FILTER_QUIET;
	struct stat st;
	int err;

	filter_init(f, ifname);
	if (!filter_ifname_ok(NULL, ifname)) {
		if (!quiet)
			px_error("'%s' is not an interface name: see 'ip link'",
				 ifname);
		return -EINVAL;
	}
	err = pins_dir(ifname, f->dir, sizeof(f->dir));
	if (err)
		return err;
	if (stat(f->dir, &st) < 0) {
		err = -errno;
		if (err == -EACCES || err == -EPERM)
			return no_permission(ifname, err, quiet);
		return not_attached(ifname, quiet);
	}
	err = open_pins(f, quiet);
	if (err) {
		filter_close(f);
		return err;
	}
	err = filter_judge(f);
	if (err) {
		filter_close(f);
		return no_permission(ifname, err, quiet);
	}
	if (f->state == FILTER_ATTACHED || (flags & FILTER_ANY))
		return 0;
	if (!quiet)
		say_not_filtering(f);
	filter_close(f);
	return -ENOLINK;
}

int filter_open_entry(const struct filter_entry *e, struct px_filter *f)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	int err;

	filter_init(f, e->ifname);
	snprintf(f->dir, sizeof(f->dir), "%s", e->dir);
	err = open_pins(f, true);
	if (err) {
		filter_close(f);
		return err;
	}
	f->state = e->stale ? FILTER_GONE : FILTER_ATTACHED;
	if (f->link_fd >= 0)
		xdp_link_info(f->link_fd, &f->link_ifindex, &f->prog_id,
			      &f->link_id);
	else if (f->prog_fd >= 0 &&
		 !bpf_obj_get_info_by_fd(f->prog_fd, &info, &len))
		f->prog_id = info.id; /* a clsact filter: its pinned program */
	return 0;
}

/* --- where a moved interface went ---------------------------------------- */

/* In the current namespace: the interface running f's program. */
static bool runs_here(const struct px_filter *f, char *ifname)
{
	return if_indextoname(f->link_ifindex, ifname) &&
	       runs_on(f, f->link_ifindex) > 0;
}

int filter_locate(const struct px_filter *f, char *ns, unsigned long nslen,
		  char *ifname)
{
	int self, fd, found = -ENOENT;
	unsigned long ino = 0;
	struct dirent *de;
	char path[512];
	DIR *d;

	if (f->state != FILTER_MOVED)
		return -ENOENT;
	if (runs_here(f, ifname)) { /* renamed, in this namespace */
		if (px_netns_name)
			snprintf(ns, nslen, "%s", px_netns_name);
		else if (netns_inode(&ino) || !netns_name_of(ino, ns, nslen))
			snprintf(ns, nslen, "this one");
		return 0;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	d = opendir(NETNS_RUN_DIR);
	while (self >= 0 && d && found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!setns(fd, CLONE_NEWNET)) {
			if (runs_here(f, ifname)) {
				snprintf(ns, nslen, "%s", de->d_name);
				found = 0;
			}
			if (setns(self, CLONE_NEWNET))
				abort(); /* never run on in a wrong namespace */
		}
		close(fd);
	}
	if (d)
		closedir(d);
	if (self >= 0)
		close(self);
	return found;
}

/* --- detaching ------------------------------------------------------------ */

int filter_detach(struct px_filter *f)
{
	int err;

	if (f->link_fd >= 0 && f->link_ifindex && bpf_link_detach(f->link_fd)) {
		err = -errno;
		px_error("cannot detach portxdp from %s: %s", f->ifname,
			 strerror(-err));
		return err;
	}
	if (f->clsact && f->state == FILTER_ATTACHED) {
		err = tc_detach_clsact(f->ifname, f->ifindex, TC_INGRESS);
		if (err)
			return err;
	}
	filter_egress_detach(f);
	filter_close(f);
	return pins_remove_dir(f->dir);
}

/* --- every filter of every namespace ------------------------------------- */

int filter_dir_link(const char *dir, __u32 *ifindex, __u32 *link_id)
{
	int fd = filter_open_pin(dir, PX_PIN_LINK), err;

	if (fd < 0)
		return fd;
	err = xdp_link_info(fd, ifindex, NULL, link_id);
	close(fd);
	return err;
}

static bool dir_is_stale(const char *dir)
{
	__u32 ifindex = 0;
	int fd, err = filter_dir_link(dir, &ifindex, NULL);

	if (err == -ENOENT) { /* a clsact filter (no link): cannot tell */
		fd = filter_open_pin(dir, FILTER_PIN_CLSACT);
		if (fd >= 0)
			close(fd);
		return fd < 0; /* or incomplete pins: nothing runs */
	}
	return !err && ifindex == 0; /* cannot tell: keep it */
}

static int walk_ns(const char *nsdir, struct filter_entry *e,
		   int (*fn)(const struct filter_entry *e, void *ctx),
		   void *ctx)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *d = opendir(nsdir);

	while (!ret && d && (de = readdir(d))) {
		/* '.', '..' and the ':' of a half-made folder (filter_attach.c)
		 * are never in an interface's name */
		if (!filter_ifname_ok(NULL, de->d_name))
			continue;
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", nsdir,
				     de->d_name) >= sizeof(dir))
			continue;
		e->ifname = de->d_name;
		e->dir = dir;
		e->stale = dir_is_stale(dir);
		ret = fn(e, ctx);
	}
	if (d)
		closedir(d);
	return ret;
}

int filter_walk(int (*fn)(const struct filter_entry *e, void *ctx), void *ctx)
{
	char nsdir[PATH_MAX], namebuf[256];
	struct filter_entry e;
	unsigned long here = 0;
	struct dirent *de;
	DIR *root;
	int ret = 0;

	netns_inode(&here);
	root = opendir(PX_PIN_ROOT);
	if (!root)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (de = readdir(root))) {
		char *end;

		if (strncmp(de->d_name, "net-", 4))
			continue;
		memset(&e, 0, sizeof(e));
		e.ns_ino = strtoul(de->d_name + 4, &end, 10);
		if (*end)
			continue;
		e.here = e.ns_ino == here;
		e.nsname = netns_name_of(e.ns_ino, namebuf, sizeof(namebuf));
		snprintf(nsdir, sizeof(nsdir), PX_PIN_ROOT "/%s", de->d_name);
		ret = walk_ns(nsdir, &e, fn, ctx);
	}
	closedir(root);
	return ret;
}

int filter_remove_stale(const struct filter_entry *e)
{
	/* Asked again under the caller's lock: it may have changed. */
	if (!dir_is_stale(e->dir))
		return -EBUSY;
	return pins_remove_dir(e->dir);
}
