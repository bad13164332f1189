/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command table's interface: one handler per verb, each in its own
 * cmd_VERB.c. main() has already handled --netns, -v and entered the
 * namespace; argv[0] is the verb. A handler parses its own options with
 * getopt_long, prints its own errors (err.h) and returns an exit status
 * (PX_EXIT_OK, PX_EXIT_FAIL, PX_EXIT_USAGE).
 */
#ifndef PX_CLI_H
#define PX_CLI_H

#include <stdbool.h>
#include <getopt.h>

struct px_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;   /* "IF [--policy FILE] ..." */
	const char *summary; /* one line for `portxdp --help` */
};

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_close(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_confirm(int argc, char **argv);
int cmd_exporter(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_suggest(int argc, char **argv);
int cmd_follow(int argc, char **argv);

/* The name under /var/run/netns given with --netns, or NULL. */
extern const char *px_netns_name;

/*
 * Shared option handling. cli_getopt() is getopt_long with -h/--help added:
 * on -h it prints the verb's help and returns 'h'; on an unknown option it
 * prints the usage line and returns '?'. Handlers do:
 *   case 'h': return PX_EXIT_OK;   case '?': return PX_EXIT_USAGE;
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts, const char *help);

/* Print "usage: portxdp VERB ..." and a hint to stderr; returns PX_EXIT_USAGE.
 */
int cli_usage_error(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Check that an interface name names an interface in the current network
 * namespace; prints an error naming it and the fix otherwise.
 * Returns the ifindex, or 0.
 */
unsigned int cli_ifindex(const char *ifname);

/*
 * A whole number option value from lo to hi: digits only (no sign, no
 * spaces, no trailing junk), no overflow. 0 or -EINVAL; the caller says
 * what the option wants.
 */
int cli_parse_ulong(const char *s, unsigned long lo, unsigned long hi,
		    unsigned long *out);

/* Root (or CAP_BPF + CAP_NET_ADMIN) check with the standard message. */
bool cli_need_privileges(const char *verb);

#endif
