// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp status [IF]: what is attached where. For each pinned filter in
 * the current network namespace: interface state, mode, program and link
 * ids, where the live policy came from and when, open/closed counts and
 * the totals. Filters pinned from other namespaces are listed by name.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>

#include "cli.h"
#include "confirm.h"
#include "err.h"
#include "json.h"
#include "maps.h"
#include "netns.h"
#include "pins.h"
#include "policy.h"
#include "summary.h"
#include "text.h"
#include "xdp.h"

static const char help[] =
	"usage: portxdp status [IF] [--json]\n"
	"\n"
	"Show what portxdp has attached in this network namespace (or only on\n"
	"IF): the interface's state, XDP mode, program id, where the live\n"
	"policy came from and when, how many ports are open and closed, and "
	"the\n"
	"packet totals since attach. Add --netns NAME for another namespace.\n"
	"\n"
	"  -j, --json   one JSON object: {\"interfaces\": [...], "
	"\"other_namespaces\": [...]}\n"
	"\n"
	"Exit status: 0, or 1 when IF is given and portxdp is not attached to "
	"it.\n";

struct iface_status {
	char ifname[IF_NAMESIZE];
	const char *state;
	struct xdp_state xdp;
	__u32 link_ifindex, prog_id, link_id;
	struct px_policy pol;
	struct px_totals tot;
	bool have_pol, have_tot;
};

static void gather(const char *ifname, struct px_attached *a,
		   struct iface_status *s)
{
	unsigned int now_idx = if_nametoindex(ifname);

	memset(s, 0, sizeof(*s));
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	if (a->link_fd < 0 || xdp_link_info(a->link_fd, &s->link_ifindex,
					    &s->prog_id, &s->link_id))
		s->state = "broken pins";
	else if (!s->link_ifindex)
		s->state = "interface gone";
	else if (now_idx != s->link_ifindex)
		s->state = "interface gone";
	else
		s->state = "attached";
	if (s->link_ifindex && now_idx == s->link_ifindex)
		xdp_query(now_idx, &s->xdp);
	s->have_pol = !maps_read_policy(a->policy_fd, &s->pol);
	s->have_tot = !maps_read_totals(a->totals_fd, &s->tot);
}

static void print_text(const struct iface_status *s)
{
	char when[TEXT_TIME_LEN], name[TEXT_IFNAME_SAFE];
	char src[4 * PX_SOURCE_LEN];

	/* names and paths may hold any byte but '/': escape the controls */
	text_safe(name, sizeof(name), s->ifname);
	printf("%s: %s", name, s->state);
	if (!strcmp(s->state, "attached"))
		printf(", %s mode, program id %u, link id %u",
		       xdp_mode_name(s->xdp.mode), s->prog_id, s->link_id);
	printf("\n");
	if (!strcmp(s->state, "interface gone"))
		printf("  the interface was deleted; 'portxdp detach %s' "
		       "removes "
		       "the leftover pins (or 'portxdp detach --stale' all "
		       "such)\n",
		       name);
	if (s->have_pol) {
		text_time_local(when, sizeof(when),
				(long long)s->pol.applied_at, -1);
		printf("  policy     %s (applied %s)\n",
		       text_safe(src, sizeof(src), s->pol.source), when);
		for (int p = PX_TCP; p < PX_NPROTO; p++) {
			unsigned int open = summary_open(&s->pol, p);

			printf("  %s        %u open, %u closed\n",
			       p == PX_TCP ? "tcp" : "udp", open,
			       PX_PORTS - 1 - open);
		}
		printf("  ping       %s; later fragments %s\n",
		       s->pol.flags & PX_F_PING_OPEN ? "open" : "closed",
		       s->pol.flags & PX_F_FRAG_DROP ? "dropped" : "pass");
	}
	confirm_print_text(s->ifname);
	if (s->have_tot)
		printf("  packets    %llu dropped, %llu passed (malformed "
		       "%llu, "
		       "fragments %llu, non-IP %llu)\n",
		       (unsigned long long)s->tot.dropped,
		       (unsigned long long)s->tot.passed,
		       (unsigned long long)s->tot.malformed,
		       (unsigned long long)s->tot.fragments,
		       (unsigned long long)s->tot.non_ip);
}

static void print_json(struct json *j, const struct iface_status *s)
{
	json_obj_open(j);
	json_key_str(j, "interface", s->ifname);
	json_key_str(j, "state", s->state);
	json_key_str(j, "mode",
		     strcmp(s->state, "attached") ? NULL
						  : xdp_mode_name(s->xdp.mode));
	json_key_u64(j, "prog_id", s->prog_id);
	json_key_u64(j, "link_id", s->link_id);
	if (s->have_pol) {
		json_key(j, "policy");
		json_obj_open(j);
		json_key_str(j, "source", s->pol.source);
		json_key_time(j, "applied_at", (long long)s->pol.applied_at,
			      -1);
		for (int p = PX_TCP; p < PX_NPROTO; p++) {
			unsigned int open = summary_open(&s->pol, p);

			json_key(j, p == PX_TCP ? "tcp" : "udp");
			json_obj_open(j);
			json_key_u64(j, "open", open);
			json_key_u64(j, "closed", PX_PORTS - 1 - open);
			json_obj_close(j);
		}
		json_key_str(j, "ping",
			     s->pol.flags & PX_F_PING_OPEN ? "open" : "closed");
		json_key_str(j, "fragments",
			     s->pol.flags & PX_F_FRAG_DROP ? "drop" : "pass");
		json_obj_close(j);
	}
	confirm_print_json(j, s->ifname);
	if (s->have_tot) {
		json_key(j, "totals");
		json_obj_open(j);
		json_key_u64(j, "dropped", s->tot.dropped);
		json_key_u64(j, "passed", s->tot.passed);
		json_key_u64(j, "malformed", s->tot.malformed);
		json_key_u64(j, "fragments", s->tot.fragments);
		json_key_u64(j, "non_ip", s->tot.non_ip);
		json_obj_close(j);
	}
	json_obj_close(j);
}

/* One interface pinned in another namespace, for people. */
static void other_ns_text(const char *ifname, const char *nsname,
			  const char *path)
{
	char name[TEXT_IFNAME_SAFE], ns[4 * 256], dir[4 * PATH_MAX];

	text_safe(name, sizeof(name), ifname);
	if (nsname) {
		text_safe(ns, sizeof(ns), nsname);
		printf("%s: attached in network namespace %s (see 'portxdp "
		       "--netns %s status')\n",
		       name, ns, ns);
	} else {
		printf("%s: pinned in a network namespace that is gone or "
		       "unnamed (%s/%s); 'portxdp detach --stale' removes pins "
		       "whose filter is gone\n",
		       name, text_safe(dir, sizeof(dir), path), name);
	}
}

/* Interfaces with pins in the other namespaces' folders. */
static void other_namespaces(bool as_json, struct json *j)
{
	char mine[PATH_MAX], path[PATH_MAX + 300], name[256];
	struct dirent *de, *ie;
	DIR *root, *d;

	if (pins_ns_dir(mine, sizeof(mine)))
		return;
	root = opendir(PX_PIN_ROOT);
	if (!root)
		return;
	while ((de = readdir(root))) {
		unsigned long ino;
		const char *nsname;

		if (strncmp(de->d_name, "net-", 4))
			continue;
		snprintf(path, sizeof(path), PX_PIN_ROOT "/%s", de->d_name);
		if (!strcmp(path, mine))
			continue;
		ino = strtoul(de->d_name + 4, NULL, 10);
		nsname = netns_name_of(ino, name, sizeof(name));
		d = opendir(path);
		if (!d)
			continue;
		while ((ie = readdir(d))) {
			if (ie->d_name[0] == '.')
				continue;
			if (as_json) {
				json_obj_open(j);
				json_key_str(j, "netns", nsname);
				json_key_str(j, "interface", ie->d_name);
				json_key_str(j, "pins", path);
				json_obj_close(j);
			} else {
				other_ns_text(ie->d_name, nsname, path);
			}
		}
		closedir(d);
	}
	closedir(root);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{0},
	};
	char nsdir[PATH_MAX];
	struct iface_status s;
	struct px_attached a;
	bool as_json = false;
	const char *only = NULL;
	struct dirent *de;
	struct json j;
	int c, shown = 0;
	DIR *d;

	while ((c = cli_getopt(argc, argv, "j", opts, help)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("status", "status takes at most one "
						 "interface");
	if (optind < argc)
		only = argv[optind];
	if (!cli_need_privileges("status"))
		return PX_EXIT_FAIL;

	if (only) {
		if (pins_open(only, &a, as_json)) {
			if (as_json) {
				char msg[128];

				snprintf(msg, sizeof(msg),
					 "portxdp is not "
					 "attached to %s",
					 only);
				json_error(stdout, msg);
			} else {
				confirm_print_text(only);
			}
			return PX_EXIT_FAIL;
		}
		gather(only, &a, &s);
		pins_close(&a);
		if (as_json) {
			json_init(&j, stdout);
			json_obj_open(&j);
			json_key(&j, "interfaces");
			json_arr_open(&j);
			print_json(&j, &s);
			json_arr_close(&j);
			json_obj_close(&j);
			json_end(&j);
		} else {
			print_text(&s);
		}
		return PX_EXIT_OK;
	}

	if (as_json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_key(&j, "interfaces");
		json_arr_open(&j);
	}
	if (!pins_ns_dir(nsdir, sizeof(nsdir)) && (d = opendir(nsdir))) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (pins_open(de->d_name, &a, true))
				continue;
			gather(de->d_name, &a, &s);
			pins_close(&a);
			if (as_json)
				print_json(&j, &s);
			else
				print_text(&s);
			shown++;
		}
		closedir(d);
	}
	if (as_json) {
		json_arr_close(&j);
		json_key(&j, "other_namespaces");
		json_arr_open(&j);
		other_namespaces(true, &j);
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	} else {
		if (!shown)
			printf("portxdp is not attached to any interface in "
			       "this network namespace\n");
		other_namespaces(false, NULL);
	}
	return PX_EXIT_OK;
}
