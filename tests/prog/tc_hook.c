// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tc hook module (user/tc.c) on a live interface: the loopback of a
 * network namespace of this process's own (unshare), so nothing outside
 * it is touched and everything goes when the process exits. Attaching
 * the tc program at ingress and egress through TCX gives a link that
 * tc_runs() sees and that detaches; a link switched to another program
 * (bpf_link_update) runs that one; and the clsact fallback (TCX hidden by
 * PORTXDP_PROBE_MISSING=tcx) attaches, replaces in place and detaches.
 */
#include <sched.h>
#include <net/if.h>

#include "px_prog.h"
#include "tc.h"

static struct portxdp_bpf *other; /* a second load: another program id */

static __u32 id_of(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.id;
}

static bool ns_ready(void)
{
	static int err = 1;

	if (!px_ready())
		return false;
	if (err == 1) {
		err = unshare(CLONE_NEWNET) ? -errno : 0;
		if (!err && system("ip link set lo up"))
			err = -EIO;
		other = px_skel_load();
	}
	return ASSERT_OK(err, "a network namespace of our own") &&
	       ASSERT_TRUE(other != NULL, "load a second program");
}

static void tcx_attach_runs_and_detaches(void)
{
	unsigned int lo;
	__u32 id;
	int link = -1;

	if (!ns_ready())
		return;
	if (!tc_have_tcx()) {
		SKIP("no TCX in this kernel");
		return;
	}
	lo = if_nametoindex("lo");
	id = id_of(px.tc_fd);
	for (int dir = TC_INGRESS; dir <= TC_EGRESS; dir++) {
		if (!ASSERT_OK(tc_attach("lo", lo, dir, px.tc_fd, &link),
			       "tc_attach"))
			return;
		ASSERT_TRUE(link >= 0, "a TCX link");
		ASSERT_TRUE(tc_is_tcx_link(link), "tc_is_tcx_link");
		ASSERT_EQ(tc_runs(lo, dir, id), 1, "runs on its hook");
		ASSERT_EQ(tc_runs(lo, !dir, id), 0, "not on the other hook");
		ASSERT_OK(bpf_link_detach(link), "bpf_link_detach");
		ASSERT_EQ(tc_runs(lo, dir, id), 0, "gone after detach");
		close(link);
	}
}

static void tcx_link_switches_program(void)
{
	LIBBPF_OPTS(bpf_link_update_opts, o, .flags = BPF_F_REPLACE);
	int other_fd, link = -1;
	unsigned int lo;

	if (!ns_ready())
		return;
	if (!tc_have_tcx()) {
		SKIP("no TCX in this kernel");
		return;
	}
	lo = if_nametoindex("lo");
	other_fd = bpf_program__fd(other->progs.portxdp_tc);
	if (!ASSERT_OK(tc_attach("lo", lo, TC_INGRESS, px.tc_fd, &link),
		       "tc_attach"))
		return;
	o.old_prog_fd = px.tc_fd;
	ASSERT_OK(bpf_link_update(link, other_fd, &o), "bpf_link_update");
	ASSERT_EQ(tc_runs(lo, TC_INGRESS, id_of(other_fd)), 1, "new runs");
	ASSERT_EQ(tc_runs(lo, TC_INGRESS, id_of(px.tc_fd)), 0, "old is out");
	close(link); /* not pinned: closing it detaches */
	ASSERT_EQ(tc_runs(lo, TC_INGRESS, id_of(other_fd)), 0, "closed");
}

static void clsact_attach_replace_detach(void)
{
	int other_fd, link = 0;
	unsigned int lo;

	if (!ns_ready())
		return;
	setenv("PORTXDP_PROBE_MISSING", "tcx", 1);
	lo = if_nametoindex("lo");
	other_fd = bpf_program__fd(other->progs.portxdp_tc);
	ASSERT_TRUE(!tc_have_tcx(), "the test hook hides TCX");
	ASSERT_OK(tc_attach("lo", lo, TC_INGRESS, px.tc_fd, &link),
		  "tc_attach by clsact");
	ASSERT_EQ(link, -1, "no link");
	ASSERT_EQ(tc_clsact_prog(lo, TC_INGRESS), id_of(px.tc_fd),
		  "our filter");
	ASSERT_EQ(tc_runs(lo, TC_INGRESS, id_of(px.tc_fd)), 1, "tc_runs");
	ASSERT_OK(tc_attach("lo", lo, TC_INGRESS, other_fd, &link),
		  "replace in place");
	ASSERT_EQ(tc_clsact_prog(lo, TC_INGRESS), id_of(other_fd), "replaced");
	ASSERT_OK(tc_detach_clsact("lo", lo, TC_INGRESS), "detach");
	ASSERT_EQ(tc_clsact_prog(lo, TC_INGRESS), 0, "gone");
	ASSERT_OK(tc_detach_clsact("lo", lo, TC_INGRESS), "detach again");
	unsetenv("PORTXDP_PROBE_MISSING");
}

int main(void)
{
	px_setup();
	RUN(tcx_attach_runs_and_detaches);
	RUN(tcx_link_switches_program);
	RUN(clsact_attach_replace_detach);
	if (other)
		portxdp_bpf__destroy(other);
	px_teardown();
	return check_exit();
}
