/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the filter module (filter.c, filter_attach.c): the table of the
 * maps a filter pins, shared by opening and attaching so that a map is
 * named once. Not for verbs: they use filter.h.
 */
#ifndef PX_FILTER_PINS_H
#define PX_FILTER_PINS_H

#include <stdbool.h>
#include <stddef.h>

#include "filter.h"
#include "portxdp.skel.h"

/* The program, pinned so that a replacement cut short can be finished. */
#define FILTER_PIN_PROG "prog"
/* The program again, in the folder of a tc filter attached by clsact
 * (no link): says so, and where it runs is IF's portxdp clsact filter. */
#define FILTER_PIN_CLSACT "clsact"
/* With replies on (filter_egress.c): the egress program's TCX link, or
 * without TCX the program its clsact filter runs. */
#define FILTER_PIN_EGRESS "egress"
#define FILTER_PIN_EGRESS_PROG "egress_prog"

struct filter_map_pin {
	const char *name; /* its pin in the folder */
	size_t fd_off;	  /* where its fd goes in struct px_filter */
	size_t map_off;	  /* where its map is in struct portxdp_bpf */
	bool required;	  /* pinned by every portxdp that ever attached */
	bool carried;	  /* kept by attach --force (filter.c says why) */
};

extern const struct filter_map_pin filter_map_pins[];
extern const unsigned int filter_nmap_pins;

int *filter_pin_fd(struct px_filter *f, const struct filter_map_pin *p);
struct bpf_map *filter_pin_map(struct portxdp_bpf *skel,
			       const struct filter_map_pin *p);

/* Each kernel feature a filter needs (filter_env.c): 0, or -EOPNOTSUPP
 * with one line naming the missing one and the release it came with. */
int filter_probe_features(void);

/* The id of the program prog_fd, or 0. */
__u32 filter_prog_id(int prog_fd);
/* The max_entries of map fd, or 0. */
__u32 filter_map_size(int fd);

/*
 * filter_carry.c: what a new program takes over from the running filter
 * old. For px_skel_load_flows()'s reuse: hands old's maps to the new
 * object (all, or the carried ones), the flow table only when it has
 * the size flows, and loads only the programs the filter runs. Copying an old
 * table's flows into a new one (nothing when both are one table).
 */
struct filter_reuse {
	const struct px_filter *old; /* its fds, or all -1 */
	bool all;
	__u32 flows;
	bool tc;     /* the programs to load: tc's classifier, else XDP's */
	bool egress; /* and the egress program */
};
int filter_maps_reuse(struct portxdp_bpf *skel, void *ctx);
void filter_flows_carry(int old_fd, int new_fd);

/*
 * filter_egress.c, the replies side (doc/design.md, section 9):
 * the flow table's size for pol (PX_REPLY_SIZE_MIN when replies are off);
 * attaching the egress program (when pol has replies on) with its link
 * pinned in dir; detaching f's egress link.
 */
__u32 filter_flows_wanted(const struct px_policy *pol);
int filter_egress_attach(struct portxdp_bpf *skel, const struct px_policy *pol,
			 const char *ifname, unsigned int ifindex,
			 const char *dir);
void filter_egress_detach(struct px_filter *f);

/*
 * filter_attach.c: under the caller's lock, replace the program of
 * ifname's running filter by a new instance keeping every map (a new
 * flow table of pol's size, the flows copied), with pol's egress
 * program; the live policy is left as it is. Gapless and safe against
 * signals as attach --force is. 0 or -errno (printed).
 */
int filter_reload(const char *ifname, const struct px_policy *pol);

/* filter_tidy.c: IF:new beside dir (a folder no walk takes for a
 * filter: ':' is never in an interface name); switching link_fd from
 * the program with id old_id to prog_fd, only if it still runs that one
 * (0 or -errno). */
void filter_tmp_dir(const char *dir, char *tmp, size_t len);
int filter_link_switch(int link_fd, int prog_fd, __u32 old_id);

/* bpf_obj_get of dir/name: the fd or -errno. */
int filter_open_pin(const char *dir, const char *name);

#endif
