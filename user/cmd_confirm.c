// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp confirm IF: keep the change made on IF with --confirm, before
 * its watcher undoes it (confirm.h). The record goes first, under the
 * pins lock, so a watcher waking at the same moment finds nothing to undo;
 * then the watcher is told to end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "confirm.h"
#include "err.h"
#include "pins.h"
#include "text.h"

const struct px_cmd px_cmd_confirm = {
	.name = "confirm",
	.run = cmd_confirm,
	.usage = "IF",
	.summary = "keep a change made with --confirm before it is undone",
	.about = "Keep the change made on IF with --confirm SECS (attach, "
		 "apply, "
		 "open\n"
		 "or close). Without it, the change is undone by itself when "
		 "SECS "
		 "run\n"
		 "out: the previous policy comes back, or, after attach, "
		 "portxdp "
		 "is\n"
		 "detached again; this happens even when the shell or SSH "
		 "session "
		 "that\n"
		 "made the change is gone. 'portxdp status IF' shows what is "
		 "pending\n"
		 "and until when.\n",
	.more = "Exit status: 0 kept, 1 nothing is waiting for confirmation on "
		"IF\n"
		"(or it was already undone), 2 bad usage.\n",
};

static int nothing_pending(const char *ifname, const struct confirm_record *r)
{
	char when[TEXT_TIME_LEN];

	if (r->state == CONFIRM_PENDING) {
		px_error("nothing to confirm on %s: no change made with "
			 "--confirm is waiting (the filter it was made on is "
			 "gone)",
			 ifname);
		return PX_EXIT_FAIL;
	}
	text_time_local(when, sizeof(when), (long long)r->done_at, -1);
	px_error("nothing to confirm on %s: '%s' was not confirmed in time "
		 "and was undone at %s (%s); make the change again",
		 ifname, r->change, when, r->result);
	return PX_EXIT_FAIL;
}

int cmd_confirm(int argc, char **argv)
{
	struct confirm_record *r;
	const char *ifname;
	__u32 id = 0;
	int c, lock, ret = PX_EXIT_FAIL;

	while ((c = cli_getopt(argc, argv, &px_cmd_confirm)) != -1)
		return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
	if (optind + 1 != argc)
		return cli_usage_error("confirm",
				       optind >= argc
					       ? "confirm needs an interface"
					       : "confirm takes one interface");
	ifname = argv[optind];
	if (!cli_need_privileges("confirm"))
		return PX_EXIT_FAIL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return PX_EXIT_FAIL;
	lock = pins_lock();
	if (lock < 0)
		goto out;
	if (confirm_read(ifname, r)) {
		px_error("nothing to confirm on %s: no change made with "
			 "--confirm is waiting; add --confirm SECS to attach, "
			 "apply, open or close to make one",
			 ifname);
		goto out;
	}
	if (r->state != CONFIRM_PENDING || confirm_link_id(r->dir, &id) ||
	    id != r->link_id) {
		ret = nothing_pending(ifname, r);
		confirm_remove(ifname);
		goto out;
	}
	if (confirm_remove(ifname)) {
		px_error("cannot remove the confirmation record of %s under "
			 "%s: the change may still be undone",
			 ifname, CONFIRM_DIR);
		goto out;
	}
	confirm_release_watcher(r);
	text_line(stdout, "%s: kept '%s'", ifname, r->change);
	ret = PX_EXIT_OK;
out:
	pins_unlock(lock);
	free(r);
	return ret;
}
