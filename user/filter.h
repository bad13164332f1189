/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * An attached filter: the one owner of what `portxdp attach IF` leaves
 * behind and every later verb opens. A filter is a pin folder
 * PX_PIN_ROOT/net-INODE/IFNAME/ (pins.h) holding its bpf_link, its program
 * and its maps. This module attaches one (or replaces one without a gap),
 * opens one and says whether it still filters IF, detaches one, and walks
 * over every filter of every network namespace.
 *
 * A filter is identified by what is really attached, not by an ifindex
 * (which is per namespace and reused): it filters IF when the program on
 * the interface named IF here (its XDP program, or one of its tc ingress
 * programs) is the program its link runs. Its link is an XDP or a TCX
 * link; on kernels without TCX a tc filter is a clsact filter, which has
 * no link: its folder then pins the program a second time as "clsact".
 *
 * A map or pin added to the program is added to the table in filter.c
 * and to struct px_filter here, and nowhere else.
 */
#ifndef PX_FILTER_H
#define PX_FILTER_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <linux/types.h>

#include "portxdp.h"
#include "xdp.h"

enum filter_state {
	FILTER_ATTACHED, /* IF here runs the link's program */
	FILTER_GONE,	 /* the link is attached to nothing any more */
	FILTER_MOVED,  /* the link runs, on an interface that is not IF here */
	FILTER_BROKEN, /* pins without a readable link */
};

/* An open filter. Pins that are not there are -1. */
struct px_filter {
	char ifname[IF_NAMESIZE];
	char dir[PATH_MAX];
	int link_fd;
	int prog_fd; /* absent when attached by an older portxdp */
	int policy_fd;
	int counters_fd;
	int totals_fd;
	int events_fd;	/* the drop log's ring buffer */
	int log_ctl_fd; /* the drop log's switch (.data.px_log) */
	int zones_fd, zone4_fd, zone6_fd; /* zone maps by version */
	int zone_counts_fd;
	int flows_fd;	    /* replies: the flow table */
	int egress_fd;	    /* replies: the egress program's TCX link */
	int egress_prog_fd; /* replies: its program, under clsact */
	int bans_fd;	    /* the bans (bpf/bans.h); absent before bans */
	int scan_fd;	    /* the ban rule's scan counts */
	int ban_cache_fd;   /* the bans' per-CPU cache (include/portxdp.h) */
	int ban_gen_fd;	    /* its generation (.data.px_ban_gen) */
	enum filter_state state;
	enum px_xdp_mode mode; /* its hook: native, generic or tc (auto: ?) */
	bool clsact;	       /* tc by a clsact filter: no link */
	__u32 link_id, prog_id, link_ifindex; /* what the link says */
	unsigned int ifindex;		      /* IF in this namespace, or 0 */
};

/* filter_open() flags */
#define FILTER_QUIET (1U << 0) /* print nothing */
#define FILTER_ANY (1U << 1)   /* open it in any state, not only attached */

/*
 * The kernel's rules for an interface name (dev_valid_name): 1 to
 * IFNAMSIZ - 1 bytes, not "." or "..", no '/', ':' or white space. When
 * verb is given, prints the error with the verb's usage hint.
 * Returns true when valid.
 */
bool filter_ifname_ok(const char *verb, const char *ifname);

/*
 * Whether this process may use BPF at all: root inside a user namespace
 * (unshare -U) passes every capability check but the kernel's. 0, or
 * -EPERM/-EACCES with one line saying so.
 */
int filter_bpf_permitted(const char *verb);

/*
 * Open the filter on ifname in the current network namespace. Unless
 * FILTER_ANY, a filter that no longer filters IF is an error naming what
 * happened and the fix ('portxdp detach --stale', 'portxdp attach IF').
 * Returns 0; -ENOENT not attached; -ENOLINK its filter is gone or moved;
 * -EACCES/-EPERM no permission; -EINVAL a bad name; -errno. Printed
 * unless FILTER_QUIET.
 */
int filter_open(const char *ifname, struct px_filter *f, unsigned int flags);
void filter_close(struct px_filter *f);

/* An empty filter, every fd -1: safe to filter_close(). */
void filter_init(struct px_filter *f, const char *ifname);

/* A phrase for f->state: "attached", "interface gone", ... */
const char *filter_state_name(enum filter_state s);

/*
 * For a moved filter: the network namespace (name, "root" or NULL when
 * unnamed) and interface name its link now runs on. 0 or -ENOENT.
 */
int filter_locate(const struct px_filter *f, char *ns, unsigned long nslen,
		  char *ifname);

struct filter_attach_opts {
	const char *ifname;
	const struct px_policy *policy;
	const struct px_zoneset *zones; /* the policy's zones, or NULL */
	enum px_xdp_mode mode;		/* in: asked; out: what is used */
	bool force;  /* replace portxdp or another XDP program already there */
	bool clsact; /* out: tc mode by a clsact filter (no TCX) */
	/* Optional: asked under the lock before anything changes; non-zero
	 * (printed by it) refuses the attach. */
	int (*under_lock)(const char *ifname);
	char dir[PATH_MAX]; /* out: the filter's pin folder */
};

/*
 * Attach portxdp to o->ifname with o->policy and pin it, so it stays
 * after this process exits. A portxdp filter already there is replaced
 * without a gap (o->force): the new program and maps are complete before
 * the link is switched to them. No signal at any point leaves IF without
 * a working filter, or pins whose link is gone. 0 or -errno (printed).
 */
int filter_attach(struct filter_attach_opts *o);

/*
 * Under the lock, before changing ifname's filter: finish or remove what
 * an attach stopped half-way left (see filter_attach.c). 0 or -errno.
 */
int filter_tidy(const char *ifname);

/*
 * What every verb that changes a live filter does first: take the pins
 * lock, filter_tidy(), then filter_open() (which refuses pins whose filter
 * no longer runs on IF here). Returns the lock fd with *f open, or -1
 * (printed, nothing held).
 */
int filter_open_locked(const char *ifname, struct px_filter *f);

/* f's policy and zone maps, for maps_zone.h. */
struct px_zone_maps;
void filter_zone_maps(const struct px_filter *f, struct px_zone_maps *m);

/* Detach f (when its link still runs) and remove its pins. 0 or -errno. */
int filter_detach(struct px_filter *f);

/* Mount bpffs when missing, and refuse a bpffs that dies with this
 * command (as under 'ip netns exec'). 0 or -errno (printed). */
int filter_bpffs_ready(const char *verb, const char *ifname);

/* The replies side of a filter (doc/design.md, section 9), for status. */
struct filter_replies {
	const char *hook; /* the egress hook: "tcx", "clsact" or "none" */
	__u32 size;	  /* the flow table's */
	__u32 egress_prog_id;
	__u64 fill;   /* flows in the table */
	__u64 active; /* of them, not idle past pol's times */
};

/* f's flow table and egress hook, the flows judged active by pol's idle
 * times. 0, or -ENOENT (attached by a portxdp without replies). */
int filter_replies_info(const struct px_filter *f, const struct px_policy *pol,
			struct filter_replies *r);

/*
 * Under the lock, before installing pol on f: when pol has replies on,
 * give f what they need, in place (filter_reload in filter_pins.h): its
 * egress program and a flow table of pol's size, the flows it had
 * copied, every other map (counters, bans, zones, log) kept, the
 * interface filtered all along; f is opened again after. Replies off
 * changes nothing: the egress program, when there, goes on recording,
 * idle. 0, or -errno (printed; nothing changed).
 */
int filter_replies_fit(struct px_filter *f, const struct px_policy *pol);

/* The interface (0: none) and id of the link pinned in the pin folder dir.
 * 0 or -errno (-ENOENT: no link pinned, as for a clsact filter). */
int filter_dir_link(const char *dir, __u32 *ifindex, __u32 *link_id);

/* One pin folder met by filter_walk(). */
struct filter_entry {
	const char *ifname;
	const char *dir;
	const char *nsname; /* name of its network namespace, or NULL */
	unsigned long ns_ino;
	bool here;  /* in the current network namespace */
	bool stale; /* its link is gone: nothing runs */
};

/*
 * Call fn for every pin folder of every network namespace; a non-zero
 * return stops the walk and is returned. 0 when nothing is pinned.
 */
int filter_walk(int (*fn)(const struct filter_entry *e, void *ctx), void *ctx);

/*
 * Open the filter of a walked folder, in whatever namespace it is, without
 * printing: for readers of every filter (the exporter). Its state is
 * FILTER_GONE when the walk found it stale, else FILTER_ATTACHED; prog_id
 * is the program it runs. 0 or -errno.
 */
int filter_open_entry(const struct filter_entry *e, struct px_filter *f);

/* Remove the folder of a stale entry (under the lock). 0 or -errno. */
int filter_remove_stale(const struct filter_entry *e);

#endif
