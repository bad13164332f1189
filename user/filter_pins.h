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
/*
 * filter_egress.c, the replies side (doc/design.md, section 9):
 * the flow table's size for pol (PX_REPLY_SIZE_MIN when replies are off);
 * the old table's fd when it has that size (the new program reuses it),
 * else -1; copying an old table's flows into a new one; attaching the
 * egress program (when pol has replies on) with its link pinned in dir;
 * detaching f's egress link.
 */
__u32 filter_flows_wanted(const struct px_policy *pol);
int filter_flows_reusable(int old_flows_fd, const struct px_policy *pol);
void filter_flows_carry(int old_fd, int new_fd);
int filter_egress_attach(struct portxdp_bpf *skel, const struct px_policy *pol,
			 const char *ifname, unsigned int ifindex,
			 const char *dir);
void filter_egress_detach(struct px_filter *f);

/* bpf_obj_get of dir/name: the fd or -errno. */
int filter_open_pin(const char *dir, const char *name);

#endif
