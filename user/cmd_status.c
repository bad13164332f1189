// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp status [IF]: what is attached where. For each pinned filter in
 * the current network namespace: interface state, mode, program and link
 * ids, where the live policy came from and when, open/closed counts and
 * the totals. Filters pinned from other namespaces are listed by name.
 */
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
#include "filter.h"
#include "maps.h"
#include "maps_zone.h"
#include "policy.h"
#include "policy_source.h"
#include "proto.h"
#include "summary.h"
#include "text.h"
#include "xdp.h"

static const struct px_opt opts[] = {
	PX_OPT("json", 'j', NULL,
	       "one JSON object: {\"interfaces\": [...],\n"
	       "\"other_namespaces\": [...]}"),
	{0},
};

const struct px_cmd px_cmd_status = {
	.name = "status",
	.run = cmd_status,
	.usage = "[IF] [--json]",
	.summary = "what is attached where",
	.opts = opts,
	.about = "Show what portxdp has attached in this network namespace (or "
		 "only on\n"
		 "IF): the interface's state, mode and hook (XDP, or tc by "
		 "TCX or\n"
		 "clsact), program id, where the live policy came from and "
		 "when, how\n"
		 "many ports are open and closed, and the packet totals since "
		 "attach. Add --netns NAME for another "
		 "namespace.\n",
	.more = "Exit status: 0, or 1 when IF is given and portxdp is not "
		"attached to it.\n",
};

struct iface_status {
	char ifname[IF_NAMESIZE];
	const char *state;
	enum filter_state fstate;
	enum px_xdp_mode mode;
	bool clsact;
	__u32 prog_id, link_id;
	char moved_ns[256], moved_if[IF_NAMESIZE]; /* where it went */
	struct px_policy pol;
	struct policy_source src; /* the live policy against its file */
	struct px_totals tot;
	struct filter_replies rep;
	struct px_zoneset *zs; /* the live zones, or NULL */
	bool have_pol, have_tot, have_rep, moved_found;
};

/* Where the filter hooks in: "xdp", "tcx" (tc ingress by a link) or
 * "clsact" (tc ingress, kernels without TCX). */
static const char *hook_name(const struct iface_status *s)
{
	if (s->mode != PX_MODE_TC)
		return "xdp";
	return s->clsact ? "clsact" : "tcx";
}

static void gather(struct px_filter *f, struct iface_status *s)
{
	struct px_port_counter *ports;
	struct px_zone_maps zm;

	memset(s, 0, sizeof(*s));
	snprintf(s->ifname, sizeof(s->ifname), "%s", f->ifname);
	s->fstate = f->state;
	s->state = filter_state_name(f->state);
	s->prog_id = f->prog_id;
	s->link_id = f->link_id;
	s->mode = f->mode;
	s->clsact = f->clsact;
	s->moved_found = !filter_locate(f, s->moved_ns, sizeof(s->moved_ns),
					s->moved_if);
	s->have_pol = !maps_read_policy(f->policy_fd, &s->pol);
	if (s->have_pol)
		policy_source_check(&s->pol, &s->src);
	s->zs = s->have_pol ? zoneset_new() : NULL;
	filter_zone_maps(f, &zm);
	if (s->zs && maps_read_zones(&zm, &s->pol, s->zs)) {
		zoneset_free(s->zs);
		s->zs = NULL;
	}
	s->have_tot = false;
	ports = calloc(PX_COUNTER_KEYS, sizeof(*ports));
	if (ports && !maps_read_counters(f->counters_fd, ports))
		s->have_tot = !maps_read_totals(f->totals_fd, f->ban_cache_fd,
						ports, &s->tot);
	free(ports);
	s->have_rep = s->have_pol && !filter_replies_info(f, &s->pol, &s->rep);
}

/* Replies: what the policy says, and the flow table and egress hook. */
static void print_replies_text(const struct iface_status *s)
{
	char what[96];

	if (!s->have_pol ||
	    (!(s->pol.flags & PX_F_REPLIES) && !strcmp(s->rep.hook, "none")))
		return;
	summary_replies(what, sizeof(what), &s->pol);
	printf("  replies    %s\n", what);
	if (s->have_rep)
		printf("  flows      %llu of %u in the table (%llu active); "
		       "egress hook %s%s\n",
		       (unsigned long long)s->rep.fill, s->rep.size,
		       (unsigned long long)s->rep.active, s->rep.hook,
		       s->pol.flags & PX_F_REPLIES
			       ? ""
			       : " (recording, unused while replies are off)");
}

static void print_replies_json(struct json *j, const struct iface_status *s)
{
	bool on = s->pol.flags & PX_F_REPLIES;

	json_key(j, "replies");
	json_obj_open(j);
	json_key_bool(j, "on", on);
	json_key_u64(j, "tcp_idle_s", s->pol.reply_idle_ns[PX_TCP] / PX_NSEC);
	json_key_u64(j, "udp_idle_s", s->pol.reply_idle_ns[PX_UDP] / PX_NSEC);
	if (s->have_rep) {
		json_key_str(j, "egress_hook", s->rep.hook);
		json_key_u64(j, "egress_prog_id", s->rep.egress_prog_id);
		json_key_u64(j, "flows", s->rep.fill);
		json_key_u64(j, "active", s->rep.active);
		json_key_u64(j, "size", s->rep.size);
	}
	json_obj_close(j);
}

/* When the live policy is not what its file gives, and how to keep it. */
static void print_source(const struct iface_status *s, const char *name)
{
	char file[4 * PATH_MAX], changes[4 * PX_SOURCE_LEN];
	const struct policy_source *src = &s->src;

	text_safe(file, sizeof(file), src->file);
	text_safe(changes, sizeof(changes), src->changes);
	if (src->err && src->file[0])
		printf("  source     %s cannot be read now (%s): 'portxdp save "
		       "%s' prints the live policy\n",
		       file, strerror(-src->err), name);
	else if (src->edited)
		printf("  source     %s was edited since it was applied%s: "
		       "'portxdp diff %s %s' shows what applying it would "
		       "change\n",
		       file, src->differs ? "" : " (same rules)", name, file);
	else if (src->differs)
		printf("  source     the live policy differs from %s by the "
		       "live changes (%s), which the next apply drops: keep "
		       "them with 'portxdp save %s' into the file, and the "
		       "next ones with open/close --persist\n",
		       file, changes, name);
}

/* One line a zone: its name, where its prefixes came from, how many. */
static void print_zones(const struct iface_status *s)
{
	char origin[4 * PX_ZONE_ORIGIN_LEN];

	for (unsigned int z = 1; s->zs && z <= s->zs->nzones; z++) {
		const struct px_zone *zn = &s->zs->zone[z];

		if (!zn->name[0]) /* a hole (maps_zone.h) */
			continue;
		printf("  zone       %s: %u IPv4 and %u IPv6 prefixes%s%s%s\n",
		       zn->name, zn->prefixes4, zn->prefixes6,
		       zn->origin[0] ? ", " : "",
		       text_safe(origin, sizeof(origin), zn->origin),
		       zn->flags & PX_ZF_BLOCK ? "; blocked" : "");
	}
}

static void print_text(const struct iface_status *s)
{
	char when[TEXT_TIME_LEN], name[TEXT_IFNAME_SAFE];
	char moved_if[TEXT_IFNAME_SAFE], moved_ns[4 * 256];
	char src[4 * PX_SOURCE_LEN], reps[40];

	/* names and paths may hold any byte but '/': escape the controls */
	text_safe(name, sizeof(name), s->ifname);
	printf("%s: %s", name, s->state);
	if (!strcmp(s->state, "attached"))
		printf(", %s mode (%s), program id %u, link id %u",
		       xdp_mode_name(s->mode), hook_name(s), s->prog_id,
		       s->link_id);
	printf("\n");
	if (s->fstate == FILTER_GONE)
		printf("  the interface was deleted; 'portxdp detach %s' "
		       "removes "
		       "the leftover pins (or 'portxdp detach --stale' all "
		       "such)\n",
		       name);
	else if (s->fstate == FILTER_MOVED && s->moved_found)
		printf("  the filter now runs on %s in network namespace %s "
		       "(the interface moved there); nothing filters %s "
		       "here: 'portxdp detach %s' removes it\n",
		       text_safe(moved_if, sizeof(moved_if), s->moved_if),
		       text_safe(moved_ns, sizeof(moved_ns), s->moved_ns), name,
		       name);
	else if (s->fstate == FILTER_MOVED)
		printf("  %s here is not the interface portxdp was attached "
		       "to (that one moved to another namespace, or this one "
		       "replaced it); 'portxdp detach %s' removes the pins\n",
		       name, name);
	if (s->have_pol) {
		text_time_local(when, sizeof(when),
				(long long)s->pol.applied_at, -1);
		printf("  policy     %s (applied %s)\n",
		       text_safe(src, sizeof(src), s->pol.source), when);
		for (int p = PX_TCP; p < PX_NPROTO; p++) {
			unsigned int open = summary_open(&s->pol, p);

			printf("  %s        %u open, %u closed\n",
			       px_proto_name(p), open, PX_PORTS - 1 - open);
		}
		printf("  ping       %s; later fragments %s\n",
		       s->pol.flags & PX_F_PING_OPEN ? "open" : "closed",
		       s->pol.flags & PX_F_FRAG_DROP ? "dropped" : "pass");
		print_source(s, name);
		print_zones(s);
	}
	print_replies_text(s);
	confirm_print_text(s->ifname);
	if (!s->have_tot)
		return;
	reps[0] = '\0';
	if (s->tot.replies || (s->pol.flags & PX_F_REPLIES))
		snprintf(reps, sizeof(reps), ", replies %llu",
			 (unsigned long long)s->tot.replies);
	printf("  packets    %llu dropped, %llu passed (malformed %llu, "
	       "fragments %llu, non-IP %llu%s)\n",
	       (unsigned long long)s->tot.dropped,
	       (unsigned long long)s->tot.passed,
	       (unsigned long long)s->tot.malformed,
	       (unsigned long long)s->tot.fragments,
	       (unsigned long long)s->tot.non_ip, reps);
	if (s->tot.blocked)
		printf("  blocked    %llu (in dropped)\n",
		       (unsigned long long)s->tot.blocked);
	if (s->tot.banned) /* doc/design.md, section 10 */
		printf("  banned     %llu packets dropped from banned "
		       "sources; see 'portxdp bans %s'\n",
		       (unsigned long long)s->tot.banned, s->ifname);
}

/* "source_file": {path, live_changes, edited, differs, error}, or null
 * when the policy came from no file. */
static void json_source(struct json *j, const struct policy_source *src)
{
	json_key(j, "source_file");
	if (!src->file[0]) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_key_str(j, "path", src->file);
	json_key_str(j, "live_changes", src->changes[0] ? src->changes : NULL);
	json_key_bool(j, "edited", src->edited);
	json_key_bool(j, "differs", src->differs);
	json_key_str(j, "error", src->err ? strerror(-src->err) : NULL);
	json_obj_close(j);
}

/* "zones": [{name, origin, prefixes4, prefixes6, blocked}], when any. */
static void json_zones(struct json *j, const struct iface_status *s)
{
	if (!s->zs)
		return;
	json_key(j, "zones");
	json_arr_open(j);
	for (unsigned int z = 1; z <= s->zs->nzones; z++) {
		const struct px_zone *zn = &s->zs->zone[z];

		if (!zn->name[0]) /* a hole (maps_zone.h) */
			continue;
		json_obj_open(j);
		json_key_str(j, "name", zn->name);
		json_key_str(j, "origin", zn->origin[0] ? zn->origin : NULL);
		json_key_u64(j, "prefixes4", zn->prefixes4);
		json_key_u64(j, "prefixes6", zn->prefixes6);
		json_key_bool(j, "blocked", zn->flags & PX_ZF_BLOCK);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void print_json(struct json *j, const struct iface_status *s)
{
	json_obj_open(j);
	json_key_str(j, "interface", s->ifname);
	json_key_str(j, "state", s->state);
	json_key_str(j, "mode",
		     strcmp(s->state, "attached") ? NULL
						  : xdp_mode_name(s->mode));
	json_key_str(j, "hook",
		     strcmp(s->state, "attached") ? NULL : hook_name(s));
	json_key_u64(j, "prog_id", s->prog_id);
	json_key_u64(j, "link_id", s->link_id);
	if (s->moved_found) {
		json_key(j, "moved_to");
		json_obj_open(j);
		json_key_str(j, "netns", s->moved_ns);
		json_key_str(j, "interface", s->moved_if);
		json_obj_close(j);
	}
	if (s->have_pol) {
		json_key(j, "policy");
		json_obj_open(j);
		json_key_str(j, "source", s->pol.source);
		json_key_time(j, "applied_at", (long long)s->pol.applied_at,
			      -1);
		for (int p = PX_TCP; p < PX_NPROTO; p++) {
			unsigned int open = summary_open(&s->pol, p);

			json_key(j, px_proto_name(p));
			json_obj_open(j);
			json_key_u64(j, "open", open);
			json_key_u64(j, "closed", PX_PORTS - 1 - open);
			json_obj_close(j);
		}
		json_key_str(j, "ping",
			     s->pol.flags & PX_F_PING_OPEN ? "open" : "closed");
		json_key_str(j, "fragments",
			     s->pol.flags & PX_F_FRAG_DROP ? "drop" : "pass");
		json_source(j, &s->src);
		json_zones(j, s);
		json_obj_close(j);
		print_replies_json(j, s);
	}
	confirm_print_json(j, s->ifname);
	if (s->have_tot) {
		json_key(j, "totals");
		json_obj_open(j);
		json_key_u64(j, "dropped", s->tot.dropped);
		json_key_u64(j, "passed", s->tot.passed);
		json_key_u64(j, "malformed", s->tot.malformed);
		json_key_u64(j, "banned", s->tot.banned);
		json_key_u64(j, "fragments", s->tot.fragments);
		json_key_u64(j, "non_ip", s->tot.non_ip);
		json_key_u64(j, "replies", s->tot.replies);
		json_key_u64(j, "blocked", s->tot.blocked);
		json_obj_close(j);
	}
	json_obj_close(j);
}

struct status_walk {
	bool json;
	struct json *j;
	bool here; /* this pass lists the current namespace's filters */
	int shown;
};

static int show_here(const struct filter_entry *e, struct status_walk *w)
{
	struct iface_status s;
	struct px_filter f;

	if (filter_open(e->ifname, &f, FILTER_ANY | FILTER_QUIET))
		return 0;
	gather(&f, &s);
	filter_close(&f);
	if (w->json)
		print_json(w->j, &s);
	else
		print_text(&s);
	zoneset_free(s.zs);
	w->shown++;
	return 0;
}

/* A filter pinned from another namespace, under that namespace's name. */
static int show_entry(const struct filter_entry *e, void *ctx)
{
	struct status_walk *w = ctx;
	char path[PATH_MAX], name[TEXT_IFNAME_SAFE], ns[4 * 256];
	char dir[4 * PATH_MAX];

	if (e->here != w->here)
		return 0;
	if (e->here)
		return show_here(e, w);
	snprintf(path, sizeof(path), "%s", e->dir);
	*strrchr(path, '/') = '\0';
	if (w->json) {
		json_obj_open(w->j);
		json_key_str(w->j, "netns", e->stale ? NULL : e->nsname);
		json_key_str(w->j, "interface", e->ifname);
		json_key_str(w->j, "state",
			     e->stale ? "interface gone" : "attached");
		json_key_str(w->j, "pins", path);
		json_obj_close(w->j);
		return 0;
	}
	/* names and paths may hold any byte but '/': escape the controls */
	text_safe(name, sizeof(name), e->ifname);
	text_safe(dir, sizeof(dir), path);
	if (!e->stale && e->nsname) {
		text_safe(ns, sizeof(ns), e->nsname);
		printf("%s: attached in network namespace %s "
		       "(see 'portxdp --netns %s status')\n",
		       name, ns, ns);
	} else if (!e->stale) {
		printf("%s: attached in an unnamed network namespace "
		       "(%s/%s)\n",
		       name, dir, name);
	} else {
		/* Its namespace's inode may have been reused by a new one: a
		 * gone filter belongs to no living namespace. */
		printf("%s: pinned in a network namespace that is gone or "
		       "unnamed (%s/%s); 'portxdp detach --stale' removes pins "
		       "whose filter is gone\n",
		       name, dir, name);
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct status_walk w = {0};
	struct iface_status s;
	struct px_filter f;
	bool as_json = false;
	const char *only = NULL;
	struct json j;
	int c, err;

	while ((c = cli_getopt(argc, argv, &px_cmd_status)) != -1) {
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
	if (only && !filter_ifname_ok("status", only))
		return PX_EXIT_USAGE;
	if (!cli_need_privileges("status") || filter_bpf_permitted("status"))
		return PX_EXIT_FAIL;

	if (only) {
		err = filter_open(only, &f,
				  FILTER_ANY | (as_json ? FILTER_QUIET : 0));
		if (err) {
			if (as_json) {
				char msg[128];

				snprintf(msg, sizeof(msg),
					 err == -ENOENT
						 ? "portxdp is not "
						   "attached to %s"
						 : "cannot read the pins "
						   "of %s",
					 only);
				json_error(stdout, msg);
			} else {
				confirm_print_text(only);
			}
			return PX_EXIT_FAIL;
		}
		gather(&f, &s);
		filter_close(&f);
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

	w.json = as_json;
	w.j = &j;
	if (as_json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_key(&j, "interfaces");
		json_arr_open(&j);
	}
	w.here = true;
	filter_walk(show_entry, &w);
	if (as_json) {
		json_arr_close(&j);
		json_key(&j, "other_namespaces");
		json_arr_open(&j);
	} else if (!w.shown) {
		printf("portxdp is not attached to any interface in "
		       "this network namespace\n");
	}
	w.here = false;
	filter_walk(show_entry, &w);
	if (as_json) {
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	}
	return PX_EXIT_OK;
}
