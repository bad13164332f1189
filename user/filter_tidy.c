// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Finishing or removing what an attach (or apply's reload) stopped
 * half-way left (filter_attach.c says how a replacement goes), under the
 * lock, before the next change of that interface's filter. After it, what
 * runs on IF is what IF's pin folder names: the link runs the folder's
 * program, and the egress program that feeds the flow table is the one
 * the folder pins, so the table the classifier reads is the table the
 * recorder writes (doc/design.md, section 9).
 *
 *   - IF:new with a link and no IF: a first attach stopped just before
 *     its rename: finished (renamed).
 *   - IF:new beside IF: a replacement stopped before or after the folders
 *     traded places. IF's link is first switched to IF's program when it
 *     still runs the old one (the folders traded, the link not yet), and
 *     only then is IF:new removed: until that switch the old program
 *     reads the old flow table, which the old egress link, pinned in
 *     IF:new, still feeds. Should the kernel refuse the switch, the
 *     folders trade back first.
 *   - Without TCX the hooks are clsact filters, which have no link and so
 *     do not die with the command that made them: a filter the folder
 *     does not name is put back to the one it names, or removed when no
 *     folder names one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "err.h"
#include "filter.h"
#include "filter_pins.h"
#include "pins.h"
#include "tc.h"

void filter_tmp_dir(const char *dir, char *tmp, size_t len)
{
	snprintf(tmp, len, "%s:new", dir);
}

int filter_link_switch(int link_fd, int prog_fd, __u32 old_id)
{
	LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE);
	int old_fd = bpf_prog_get_fd_by_id(old_id), err;

	if (old_fd < 0)
		return -errno;
	opts.old_prog_fd = old_fd;
	err = bpf_link_update(link_fd, prog_fd, &opts) ? -errno : 0;
	close(old_fd);
	return err;
}

/* Does dir's link run dir's program (switched to it when not)? A folder
 * without a live link, or a clsact one, counts as yes. */
static bool roll_forward(const char *dir)
{
	int link_fd = filter_open_pin(dir, PX_PIN_LINK);
	int prog_fd = filter_open_pin(dir, FILTER_PIN_PROG);
	__u32 ifindex = 0, running = 0, pinned;
	bool ok = true;

	if (link_fd >= 0 && prog_fd >= 0 &&
	    !xdp_link_info(link_fd, &ifindex, &running, NULL) && ifindex) {
		pinned = filter_prog_id(prog_fd);
		if (pinned && pinned != running) {
			ok = !filter_link_switch(link_fd, prog_fd, running);
			if (ok)
				px_debug("%s: finished a replacement cut "
					 "short",
					 dir);
		}
	}
	if (link_fd >= 0)
		close(link_fd);
	if (prog_fd >= 0)
		close(prog_fd);
	return ok;
}

/* What a stopped attach left in tmp, beside dir or instead of it. */
static void tidy_tmp(const char *ifname, const char *dir, const char *tmp)
{
	int fd = filter_open_pin(tmp, PX_PIN_LINK);
	bool have_dir = !access(dir, F_OK);

	if (fd >= 0)
		close(fd);
	if (fd >= 0 && !have_dir && !rename(tmp, dir)) {
		px_debug("%s: finished an attach cut short", ifname);
		return;
	}
	if (have_dir && !roll_forward(dir) &&
	    !renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE))
		px_debug("%s: undid a replacement cut short", ifname);
	pins_remove_dir(tmp);
}

/* The clsact filter at hook d runs the program pinned as dir/name, or,
 * with none pinned, nothing of portxdp's. */
static void clsact_match(const char *ifname, unsigned int ifindex,
			 enum tc_dir d, const char *dir, const char *name)
{
	__u32 running = tc_clsact_prog(ifindex, d), pinned;
	int fd = filter_open_pin(dir, name), link = -1;

	pinned = fd >= 0 ? filter_prog_id(fd) : 0;
	if (running && !pinned) {
		px_debug("%s: removing a clsact filter no pin names", ifname);
		tc_detach_clsact(ifname, ifindex, d);
	} else if (running && running != pinned &&
		   !tc_attach(ifname, ifindex, d, fd, &link)) {
		px_debug("%s: put back the clsact filter its pins name",
			 ifname);
	}
	if (fd >= 0)
		close(fd);
}

int filter_tidy(const char *ifname)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 8];
	unsigned int ifindex;
	int err;

	err = pins_dir(ifname, dir, sizeof(dir));
	if (err)
		return err;
	filter_tmp_dir(dir, tmp, sizeof(tmp));
	if (!access(tmp, F_OK))
		tidy_tmp(ifname, dir, tmp);
	roll_forward(dir);
	ifindex = if_nametoindex(ifname);
	if (!ifindex || tc_have_tcx())
		return 0; /* links: nothing outlives its command unpinned */
	clsact_match(ifname, ifindex, TC_INGRESS, dir, FILTER_PIN_CLSACT);
	clsact_match(ifname, ifindex, TC_EGRESS, dir, FILTER_PIN_EGRESS_PROG);
	return 0;
}
