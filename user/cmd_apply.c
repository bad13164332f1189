// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp apply IF FILE, open IF SPEC..., close IF SPEC...: change the
 * policy of a running filter from any later invocation, keeping its
 * counters (they are separate maps, untouched here).
 *
 * Why a change is all or nothing, for packets and for the loader:
 *   - everything that can fail without touching the kernel comes first
 *     (parse, interface, pins), so an invalid policy or a vanished
 *     interface leaves the filter as it was;
 *   - the new policy is written whole into a fresh inner map that no
 *     packet can see yet, and then one bpf(BPF_MAP_UPDATE_ELEM) on the
 *     outer ARRAY_OF_MAPS makes it live (maps_install_policy; the reasons
 *     for map-in-map are in include/portxdp.h). The XDP program looks the
 *     inner map up once per packet, so a packet is judged wholly by the old
 *     or wholly by the new policy, for every port, ping and fragments at
 *     once. Writing the live bitmap in place would not give that: a packet
 *     could meet half a memcpy, and a policy written in steps (close all,
 *     then open some) would drop ports open in both policies;
 *   - that update is the only step anyone else can observe, and a syscall
 *     either happens or does not: a loader killed by SIGKILL at any point
 *     leaves the old policy (its half-built inner map dies with its fd) or
 *     the new one, never a mix;
 *   - open/close read the live policy, change it and swap it back under
 *     the pins lock, so two CLI calls at once cannot lose each other's
 *     change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include "apply.h"
#include "bans.h"
#include "cli.h"
#include "confirm.h"
#include "err.h"
#include "filter.h"
#include "maps.h"
#include "maps_zone.h"
#include "pins.h"
#include "policy.h"
#include "policy_source.h"
#include "summary.h"
#include "text.h"
#include "zones_close.h"

/* --confirm SECS, the same for apply, open and close. */
#define CONFIRM_OPT                                                            \
	PX_OPTF("confirm", 'c', "SECS",                                        \
		"undo the change by itself after SECS (60, 5m: at most 1d)\n"  \
		"unless 'portxdp confirm IF' runs first, even when\n"          \
		"this shell or SSH session is gone; another change\n"          \
		"to IF is refused until then",                                 \
		PX_OPT_LONG_ONLY)

static const struct px_opt apply_opts[] = {
	PX_OPT("force", 'f', NULL,
	       "apply even if FILE closes the port of the SSH session\n"
	       "this command runs over (SSH_CONNECTION's server port);\n"
	       "without it apply refuses"),
	CONFIRM_OPT,
	{0},
};

/* --persist, the same for open and close. */
#define PERSIST_OPT                                                            \
	PX_OPTF("persist", 'p', NULL,                                          \
		"also append the change to the policy file IF's live\n"        \
		"policy came from (atomically, after a dated comment),\n"      \
		"so a later apply or a reboot keeps it; refused when\n"        \
		"that file was edited since it was applied",                   \
		PX_OPT_LONG_ONLY)

static const struct px_opt open_opts[] = {
	PERSIST_OPT,
	CONFIRM_OPT,
	{0},
};

static const struct px_opt close_opts[] = {
	PX_OPT("force", 'f', NULL,
	       "close even the port of the SSH session this command\n"
	       "runs over (SSH_CONNECTION's server port); without it\n"
	       "close refuses"),
	PERSIST_OPT,
	CONFIRM_OPT,
	{0},
};

const struct px_cmd px_cmd_apply = {
	.name = "apply",
	.run = cmd_apply,
	.usage = "IF FILE [--force] [--confirm SECS]",
	.summary = "replace IF's live policy atomically",
	.opts = apply_opts,
	.about = "Replace the live policy of the portxdp filter on IF with the "
		 "policy in\n"
		 "FILE, atomically: every packet is judged wholly by the old "
		 "policy or\n"
		 "wholly by the new one, for all ports at once, and the "
		 "per-port\n"
		 "counters keep running. A FILE with errors changes nothing "
		 "(exit 2);\n"
		 "see what would change first with 'portxdp diff IF FILE'.\n",
	.more = "Prints one line: how many ports (tcp and udp counted apart) "
		"were\n"
		"opened and closed. 'portxdp status IF' shows the file and the "
		"time.\n"
		"\n"
		"Exit status: 0 applied, 1 not attached to IF, a change made "
		"with\n"
		"--confirm still waiting, interface gone, no permission or "
		"the\n"
		"kernel refused (nothing changed), 2 bad usage or an invalid "
		"FILE\n"
		"(nothing changed).\n",
};

const struct px_cmd px_cmd_open = {
	.name = "open",
	.run = cmd_open,
	.usage = "IF SPEC... [--persist] [--confirm SECS]",
	.summary = "open ports live",
	.opts = open_opts,
	.about =
		"Open ports in the live policy of the portxdp filter on IF, as "
		"if the\n"
		"line 'open SPEC...' were added to the end of its policy file. "
		"SPEC is\n"
		"as in a policy: 22, 8080/tcp, 137-139/udp, 80,443/tcp, ssh, "
		"ping,\n"
		"well-known, registered, dynamic, ephemeral (see 'portxdp "
		"table').\n"
		"The change is atomic and keeps the counters; 'portxdp status "
		"IF' then\n"
		"shows the policy as \"FILE + open SPEC...\". The policy file "
		"itself is\n"
		"not edited, so a later 'portxdp apply IF FILE' drops the "
		"change,\n"
		"unless --persist also appends it to FILE.\n",
	.more = "Exit status: 0 done, 1 not attached to IF, a change made "
		"with\n"
		"--confirm still waiting, the kernel refused, or --persist "
		"could not\n"
		"keep it in FILE (nothing changed), 2 an invalid SPEC or "
		"--persist\n"
		"with --confirm (nothing changed).\n",
};

const struct px_cmd px_cmd_close = {
	.name = "close",
	.run = cmd_close,
	.usage = "IF SPEC... [--force] [--persist] [--confirm SECS]",
	.summary = "close ports live",
	.opts = close_opts,
	.about =
		"Close ports in the live policy of the portxdp filter on IF, "
		"as if "
		"the\n"
		"line 'close SPEC...' were added to the end of its policy "
		"file. "
		"SPEC is\n"
		"as in a policy: 23, 5000/udp, 6000-6010, 20,21/tcp, telnet, "
		"ping,\n"
		"well-known, registered, dynamic, ephemeral (see 'portxdp "
		"table').\n"
		"The change is atomic and keeps the counters; 'portxdp status "
		"IF' "
		"then\n"
		"shows the policy as \"FILE + close SPEC...\". The policy file "
		"itself\n"
		"is not edited, so a later 'portxdp apply IF FILE' drops the "
		"change,\n"
		"unless --persist also appends it to FILE. Zones keep their "
		"verdicts:\n"
		"close changes the base ports, and warns when a zone's own "
		"'from' line\n"
		"still opens a port it closes (edit that line, then apply).\n",
	.more = "Exit status: 0 done, 1 not attached to IF, a change made "
		"with\n"
		"--confirm still waiting, the kernel refused, or --persist "
		"could not\n"
		"keep it in FILE (nothing changed), 2 an invalid SPEC or "
		"--persist\n"
		"with --confirm (nothing changed).\n",
};

/* Options of the three verbs: --force (apply, close), --persist (open,
 * close), --confirm SECS. */
struct change_opts {
	bool force, persist;
	unsigned int confirm;
};

static int parse_opts(int argc, char **argv, const struct px_cmd *cmd,
		      struct change_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = cli_getopt(argc, argv, cmd)) != -1) {
		switch (c) {
		case 'f':
			o->force = true;
			break;
		case 'p':
			o->persist = true;
			break;
		case 'c':
			if (confirm_parse_secs(argv[0], optarg, &o->confirm))
				return PX_EXIT_USAGE;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	/* the watcher would undo the live change but not the file's */
	if (o->persist && o->confirm)
		return cli_usage_error(argv[0],
				       "--persist and --confirm do not go "
				       "together: make the change with "
				       "--confirm, confirm it, then 'portxdp "
				       "save IF' shows the policy to keep");
	return -1; /* go on */
}

/*
 * Lock and open IF's filter (filter_open_locked: a change never reports
 * success for nothing or lands on the wrong filter), refuse while a
 * --confirm change waits, then read the live policy into *live.
 * Returns the lock fd (>= 0) with *f open, or -1 (printed).
 */
static int open_live(const char *verb, const char *ifname, struct px_filter *f,
		     struct px_policy *live)
{
	int lock, err;

	if (!cli_need_privileges(verb))
		return -1;
	lock = filter_open_locked(ifname, f);
	if (lock < 0)
		return -1;
	if (confirm_refuse_pending(ifname)) {
		filter_close(f);
		goto fail;
	}
	err = maps_read_policy(f->policy_fd, live);
	if (err) {
		px_error("cannot read the live policy of %s (%s): see "
			 "'portxdp status %s'",
			 ifname, strerror(-err), ifname);
		filter_close(f);
		goto fail;
	}
	return lock;
fail:
	pins_unlock(lock);
	return -1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Swap next in and print what changed relative to live: one line, so a
 * script or a person sees the effect without a separate diff.
 */
static int install(const struct px_filter *a, const char *what,
		   const struct px_policy *live, struct px_policy *next,
		   const struct px_zoneset *zs)
{
	const char *ifname = a->ifname;
	struct px_zoneset *lzs = zs ? zoneset_new() : NULL;
	struct px_zone_maps m;
	char change[256];
	double t0;
	int err;

	next->applied_at = 0; /* stamped now by maps_install_policy */
	t0 = now_ms();
	filter_zone_maps(a, &m);
	/* in words before the install renumbers next's zones */
	summary_change(change, sizeof(change), live, next,
		       lzs && !maps_read_zones(&m, live, lzs) ? lzs : NULL, zs);
	zoneset_free(lzs);
	/* a file: its zones; open/close: the live zones on the new base */
	err = zs ? maps_install_zoned(&m, next, zs, true)
		 : maps_install_rebased(&m, next);
	if (err == -EOPNOTSUPP) {
		px_error("the filter on %s was attached by an older portxdp "
			 "(without zones, or with IPv4 zones in a trie): "
			 "nothing changed; attach it again "
			 "('portxdp attach --force %s FILE')",
			 ifname, ifname);
		return PX_EXIT_FAIL;
	}
	if (err) {
		px_error("the kernel refused the new policy for %s (%s): "
			 "nothing changed, the old policy is still live%s",
			 ifname, strerror(-err),
			 err == -ENOMEM || err == -EPERM
				 ? "; check 'ulimit -l' and free memory"
				 : "");
		return PX_EXIT_FAIL;
	}
	px_debug("%s: new policy map built and swapped in %.3f ms", ifname,
		 now_ms() - t0);

	text_line(stdout, "%s: %s: %s", ifname, what, change);
	return PX_EXIT_OK;
}

/* --confirm: the watcher that puts live back unless confirmed. */
static int arm(const struct px_filter *a, const char *what, unsigned int secs,
	       const struct px_policy *live)
{
	struct confirm_change c = {
		.ifname = a->ifname,
		.dir = a->dir,
		.kind = CONFIRM_POLICY,
		.secs = secs,
		.change = what,
		.prev = live,
	};

	return confirm_arm(&c) ? PX_EXIT_FAIL : PX_EXIT_OK;
}

/* Install next; with --confirm also its watcher, with no way out (no
 * signal taken) between the change and the watcher. */
static int install_confirmed(const struct px_filter *a, const char *what,
			     unsigned int confirm, struct px_policy *live,
			     struct px_policy *next,
			     const struct px_zoneset *zs)
{
	sigset_t sigs;
	int ret;

	bans_policy_flag(a, next); /* bans outlive policies */
	if (confirm)
		confirm_hold_signals(&sigs);
	ret = install(a, what, live, next, zs);
	if (!ret && confirm)
		ret = arm(a, what, confirm, live);
	if (confirm)
		confirm_release_signals(&sigs);
	return ret;
}

int cmd_apply(int argc, char **argv)
{
	struct change_opts o;
	int ret;

	ret = parse_opts(argc, argv, &px_cmd_apply, &o);
	if (ret >= 0)
		return ret;
	if (argc - optind != 2)
		return cli_usage_error("apply",
				       "apply needs an interface and a "
				       "policy file");
	return apply_file(argv[optind], argv[optind + 1], o.force, o.confirm,
			  stderr);
}

int apply_file(const char *ifname, const char *file, bool force,
	       unsigned int confirm, FILE *report)
{
	struct px_policy *live = NULL, *next = NULL;
	struct policy_report rep = {0};
	struct px_zoneset *zs = NULL;
	struct px_zone_maps zm;
	struct session_check sc;
	struct px_filter a;
	char what[PATH_MAX + 16];
	int ret = PX_EXIT_FAIL, err, lock = -1;

	if (!filter_ifname_ok("apply", ifname))
		return PX_EXIT_USAGE;

	live = calloc(1, sizeof(*live));
	next = calloc(1, sizeof(*next));
	if (!live || !next)
		goto out;
	/* Parse before touching anything: a bad file changes nothing. */
	err = policy_load_zoned(file, ifname, false, next, &zs, &rep, report);
	if (err) {
		if (err == -EINVAL) {
			ret = PX_EXIT_USAGE;
			px_error(
				"%s has errors: nothing was changed on %s; see "
				"'portxdp check %s'",
				file, ifname, file);
		}
		goto out;
	}

	lock = open_live("apply", ifname, &a, live);
	if (lock < 0)
		goto out;
	/* Refuse only what would cut the session: its port open now, closed
	 * next. */
	filter_zone_maps(&a, &zm);
	sc = (struct session_check){
		.m = &zm, .live = live, .next = next, .zs = zs};
	if (!force && policy_session_cut(&sc, file, ifname))
		goto out_pins;
	/* option replies: the egress program, a table of its size */
	if (filter_replies_fit(&a, next))
		goto out_pins;
	snprintf(what, sizeof(what), "applied %s", file);
	/* a file without zones: the live ones go, and the summary counts
	 * them as diff does (NULL would keep them, as open and close do) */
	if (!zs)
		zs = zoneset_new();
	ret = install_confirmed(&a, what, confirm, live, next, zs);
out_pins:
	filter_close(&a);
	pins_unlock(lock);
out:
	zoneset_free(zs);
	free(live);
	free(next);
	return ret;
}

/*
 * --persist: the change goes into the source file too. The file's new
 * text is ready (beside it) before the live change, and becomes the file
 * only once the kernel took that change; the live policy then names the
 * file alone, with the new text's hash.
 */
static int install_persisted(const struct px_filter *a, const char *verb,
			     const char *change, struct px_policy *live,
			     struct px_policy *next)
{
	struct policy_persist p;
	char what[PX_SOURCE_LEN + 32];
	sigset_t sigs;
	int ret;

	if (policy_persist_prepare(a->ifname, verb, live, change, next, &p))
		return PX_EXIT_FAIL;
	next->source_hash = p.hash;
	snprintf(what, sizeof(what), "%s (kept in the policy file)", change);
	/* no Ctrl-C between the live change and the file's */
	confirm_hold_signals(&sigs);
	ret = install(a, what, live, next, NULL);
	if (ret) {
		policy_persist_abort(&p);
	} else if (policy_persist_commit(&p)) {
		/* the file stayed as it was: so does the live policy */
		if (maps_install_policy(a->policy_fd, live))
			px_error("and the live change could not be undone: "
				 "'portxdp apply %s FILE' puts the file's "
				 "policy back",
				 a->ifname);
		ret = PX_EXIT_FAIL;
	}
	confirm_release_signals(&sigs);
	return ret;
}

static int open_close(int argc, char **argv, bool open)
{
	const char *verb = open ? "open" : "close";
	struct px_policy *live = NULL, *next = NULL;
	struct policy_report rep = {0};
	char change[PX_SOURCE_LEN], still[512] = "";
	struct px_zone_maps zm;
	struct session_check sc;
	struct change_opts o;
	const char *ifname;
	struct px_filter a;
	int ret, err, lock = -1, nspecs;
	size_t len;

	ret = parse_opts(argc, argv, open ? &px_cmd_open : &px_cmd_close, &o);
	if (ret >= 0)
		return ret;
	if (argc - optind < 2)
		return cli_usage_error(verb,
				       "%s needs an interface and at "
				       "least one SPEC, e.g. '%s eth0 %s'",
				       verb, verb, open ? "8080/tcp" : "23");
	ifname = argv[optind];
	nspecs = argc - optind - 1;
	if (!filter_ifname_ok(verb, ifname))
		return PX_EXIT_USAGE;
	for (int i = optind + 1; i < argc; i++)
		if (!strcmp(argv[i], "from"))
			return cli_usage_error(
				verb,
				"'from' is for the policy file: a zone's "
				"ports change there ('%s SPEC from ZONE'), "
				"then 'portxdp apply %s FILE'; live, %s "
				"changes the base ports",
				verb, ifname, verb);

	ret = PX_EXIT_FAIL;
	live = calloc(1, sizeof(*live));
	next = calloc(1, sizeof(*next));
	if (!live || !next)
		goto out;
	/* The SPECs first, on a scratch policy: a typo changes nothing. */
	policy_init(next);
	err = policy_apply_specs(next, open, nspecs, argv + optind + 1, &rep,
				 stderr);
	if (err) {
		if (err == -EINVAL) {
			ret = PX_EXIT_USAGE;
			px_error("nothing was changed on %s; SPEC is as in a "
				 "policy file, see 'portxdp %s --help'",
				 ifname, verb);
		}
		goto out;
	}

	lock = open_live(verb, ifname, &a, live);
	if (lock < 0)
		goto out;
	filter_zone_maps(&a, &zm);
	if (!open) /* next: what the SPECs name, closed */
		zones_close_note(&zm, live, next, ifname, still, sizeof(still));
	*next = *live;
	err = policy_apply_specs(next, open, nspecs, argv + optind + 1, &rep,
				 stderr);
	if (err) /* cannot happen after the check above, but never half */
		goto out_pins;
	sc = (struct session_check){
		.m = &zm, .live = live, .next = next, .rebased = true};
	if (!o.force && policy_session_cut(&sc, "this close", ifname))
		goto out_pins;

	len = (size_t)snprintf(change, sizeof(change), "%s", verb);
	for (int i = 0; i < nspecs && len < sizeof(change); i++)
		len += (size_t)snprintf(change + len, sizeof(change) - len,
					" %s", argv[optind + 1 + i]);
	if (o.persist) {
		ret = install_persisted(&a, verb, change, live, next);
		goto out_pins;
	}
	policy_source_note(next, change);
	ret = install_confirmed(&a, change, o.confirm, live, next, NULL);
out_pins:
	if (!ret && still[0])
		px_warn("%s", still);
	filter_close(&a);
	pins_unlock(lock);
out:
	free(live);
	free(next);
	return ret;
}

int cmd_open(int argc, char **argv)
{
	return open_close(argc, argv, true);
}

int cmd_close(int argc, char **argv)
{
	return open_close(argc, argv, false);
}
