// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp audit IF [--policy FILE] [--json]: the live policy of IF (or
 * FILE) against the TCP and UDP sockets listening in IF's network
 * namespace and the port table's advice (audit.h). Exit 0 when there is
 * nothing to report, 3 when there is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_src.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "policy.h"
#include "table.h"
#include "text.h"

static const struct px_opt opts[] = {
	PX_OPT("policy", 'p', "FILE",
	       "audit FILE instead of the live policy (IF need\n"
	       "not have portxdp attached)"),
	PX_OPT("json", 'j', NULL,
	       "one JSON object: {\"interface\", \"policy\",\n"
	       "\"sockets\": [...], \"findings\": [...]}"),
	{0},
};

const struct px_cmd px_cmd_audit = {
	.name = "audit",
	.run = cmd_audit,
	.usage = "IF [--policy FILE] [--json]",
	.summary = "the policy against what listens here and the port table's "
		   "advice",
	.opts = opts,
	.about =
		"Hold the live policy of IF (or FILE) against what listens on "
		"this\n"
		"host: the TCP listeners and bound UDP sockets of IF's "
		"network\n"
		"namespace, read from the kernel's socket diagnostics, with "
		"the\n"
		"process owning each where /proc shows it. Reports:\n"
		"  listening but closed     a service nobody outside can "
		"reach\n"
		"  open but nothing listens exposure for nothing (the "
		"ephemeral range\n"
		"                           aside)\n"
		"  the port table's advice  a LAN-only port open to every "
		"source,\n"
		"                           telnet open, ftp without ftp-data, "
		"ping\n"
		"Each finding names the policy line that causes it. Sockets "
		"bound to\n"
		"127.0.0.1 or ::1 only (or to another interface) cannot be "
		"reached\n"
		"through IF: they are listed as skipped.\n",
	.more = "A listener on a port only some zones open is a note, not a "
		"finding.\n"
		"Exit status: 0 nothing to report, 3 something to report, 1 no "
		"filter\n"
		"on IF and no --policy, or the sockets cannot be read, 2 bad "
		"usage or\n"
		"an invalid FILE.\n",
};

static const char *port_text(const struct audit_finding *f, char *buf,
			     size_t len)
{
	const char *name = f->lo == f->hi && f->proto != PX_PROTO_ICMP
				   ? table_port_name(f->proto, f->lo)
				   : NULL;

	if (f->proto == PX_PROTO_ICMP)
		snprintf(buf, len, "ping");
	else if (f->lo == f->hi)
		snprintf(buf, len, "%u/%s%s%s%s", f->lo,
			 px_proto_name(f->proto), name ? " (" : "",
			 name ? name : "", name ? ")" : "");
	else
		snprintf(buf, len, "%u-%u/%s (%u ports)", f->lo, f->hi,
			 px_proto_name(f->proto), f->hi - f->lo + 1);
	return buf;
}

static const char *owner(const struct px_sock *s, char *buf, size_t len)
{
	char addr[64];

	if (!s) {
		snprintf(buf, len, "an unknown process");
		return buf;
	}
	sockdiag_addr(s, addr, sizeof(addr));
	if (s->pid)
		snprintf(buf, len, "%s, pid %d, on %s", s->comm, s->pid, addr);
	else
		snprintf(buf, len, "an unknown process on %s", addr);
	return buf;
}

/* One finding as one sentence. */
static const char *message(const struct audit_src *src,
			   const struct audit_finding *f, char *buf, size_t len)
{
	char port[96], where[PATH_MAX + 320], who[128];

	port_text(f, port, sizeof(port));
	policy_lines_where(src->lines, f->line, where, sizeof(where));
	switch (f->kind) {
	case AUDIT_CLOSED_LISTENING:
		snprintf(buf, len,
			 "%s: listening (%s) but closed by %s: nobody "
			 "outside can reach it",
			 port, owner(f->sock, who, sizeof(who)), where);
		break;
	case AUDIT_OPEN_UNUSED:
		snprintf(buf, len, "%s: open by %s, but nothing listens", port,
			 where);
		break;
	case AUDIT_ZONE_ONLY:
		snprintf(buf, len,
			 "%s: listening (%s), open only from zone%s %s; closed "
			 "to every other source by %s",
			 port, owner(f->sock, who, sizeof(who)),
			 strchr(f->zones, ',') ? "s" : "", f->zones, where);
		break;
	default:
		snprintf(
			buf, len, "%s: %s by %s; the port table says: %s", port,
			f->proto == PX_PROTO_ICMP	? "answered"
			: strstr(f->advice, "LAN only") ? "open to every source"
							: "open",
			where, f->advice);
	}
	return buf;
}

static void print_text(const char *ifname, const struct audit_src *src,
		       const struct audit_result *r)
{
	static const char *const heads[] = {
		"", "Listening but closed:", "Open but nothing listens:",
		"Against the port table's advice:",
		"Open from some zones only (notes, not findings):"};
	char msg[PATH_MAX + 800], who[128];
	enum audit_kind last = 0;

	text_line(stdout,
		  "%s: policy %s; %d socket%s listening through %s, %d "
		  "skipped",
		  ifname, src->name, r->exposed, r->exposed == 1 ? "" : "s",
		  ifname, r->skipped);
	if (src->note[0])
		text_line(stdout, "  note: %s", src->note);
	for (int i = 0; i < src->socks.n; i++) {
		const struct px_sock *s = &src->socks.v[i];

		if (!audit_exposed(s, src->ifindex))
			printf("  skipped %u/%s: %s, %s\n", s->port,
			       px_proto_name(s->proto),
			       owner(s, who, sizeof(who)),
			       s->loopback ? "loopback only, not reachable "
					     "through this interface"
					   : "bound to another interface");
	}
	for (int i = 0; i < r->n; i++) {
		if (r->v[i].kind != last) {
			last = r->v[i].kind;
			printf("%s\n", heads[last]);
		}
		text_line(stdout, "  %s",
			  message(src, &r->v[i], msg, sizeof(msg)));
	}
	if (r->n > r->notes)
		printf("%d finding%s\n", r->n - r->notes,
		       r->n - r->notes == 1 ? "" : "s");
	else
		printf("nothing to report\n");
}

static void json_sock(struct json *j, const struct audit_src *src,
		      const struct px_sock *s)
{
	char addr[64];

	json_obj_open(j);
	json_key_str(j, "proto", px_proto_name(s->proto));
	json_key_u64(j, "port", s->port);
	json_key_str(j, "address", sockdiag_addr(s, addr, sizeof(addr)));
	json_key_str(j, "process", s->pid ? s->comm : NULL);
	json_key_i64(j, "pid", s->pid);
	json_key_bool(j, "exposed", audit_exposed(s, src->ifindex));
	json_obj_close(j);
}

static void print_json(const char *ifname, const struct audit_src *src,
		       const struct audit_result *r)
{
	char msg[PATH_MAX + 800];
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j);
	json_key_str(&j, "interface", ifname);
	json_key_str(&j, "policy", src->name);
	json_key_bool(&j, "lines_known", src->lines != NULL);
	json_key(&j, "sockets");
	json_arr_open(&j);
	for (int i = 0; i < src->socks.n; i++)
		json_sock(&j, src, &src->socks.v[i]);
	json_arr_close(&j);
	json_key(&j, "findings");
	json_arr_open(&j);
	for (int i = 0; i < r->n; i++) {
		const struct audit_finding *f = &r->v[i];
		bool line = src->lines && f->line;

		json_obj_open(&j);
		json_key_str(&j, "kind", audit_kind_name(f->kind));
		json_key_str(&j, "proto", px_proto_name(f->proto));
		json_key_u64(&j, "port", f->lo);
		json_key_u64(&j, "port_hi", f->hi);
		json_key_u64(&j, "line", line ? f->line : 0);
		json_key_str(&j, "rule",
			     line ? src->lines->text[f->line - 1] : NULL);
		json_key_bool(&j, "live_change",
			      line && f->line > src->lines->file_lines);
		if (f->sock) {
			json_key(&j, "socket");
			json_sock(&j, src, f->sock);
		}
		if (f->kind == AUDIT_ZONE_ONLY)
			json_key_str(&j, "zones", f->zones);
		json_key_str(&j, "message", message(src, f, msg, sizeof(msg)));
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
}

int cmd_audit(int argc, char **argv)
{
	const char *file = NULL;
	struct audit_result r;
	struct audit_src src;
	bool as_json = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, &px_cmd_audit)) != -1) {
		if (c == 'p')
			file = optarg;
		else if (c == 'j')
			as_json = true;
		else
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
	}
	if (optind + 1 != argc)
		return cli_usage_error(
			"audit", optind >= argc ? "audit needs an interface"
						: "audit takes one interface");
	ret = audit_src_open(argv[optind], file, "audit", &src);
	if (ret)
		return ret;
	ret = audit_src_run(&src, &r);
	if (!ret) {
		if (as_json)
			print_json(argv[optind], &src, &r);
		else
			print_text(argv[optind], &src, &r);
		ret = r.n > r.notes ? PX_EXIT_FOUND : PX_EXIT_OK;
		audit_free(&r);
	}
	audit_src_close(&src);
	return ret;
}
