/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command interface: one handler per verb, each in its own cmd_VERB.c
 * with its table (struct px_cmd: usage, summary, options, help) at the top.
 * `portxdp --help`, each verb's --help and getopt_long's tables are all
 * generated from those tables; tests/e2e/help.sh holds the man page, the
 * bash completion and the README to them. main() has already handled
 * --netns, -v and entered the namespace; argv[0] is the verb. A handler
 * parses its options with cli_getopt(), prints its own errors (err.h) and
 * returns an exit status (PX_EXIT_OK, PX_EXIT_FAIL, PX_EXIT_USAGE).
 */
#ifndef PX_CLI_H
#define PX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <getopt.h>

/*
 * One option of a verb, the one place its long name, short letter, value
 * name and help line are written: cli_getopt() builds getopt_long's tables
 * from it and cli_help() the option lines of the verb's --help.
 */
struct px_opt {
	const char *name; /* long name: "policy" for --policy */
	const char *arg;  /* the value's name ("FILE"), NULL for a flag */
	const char *help; /* its help; '\n' continues on the next line */
	int val;	  /* what cli_getopt() returns for it; also -VAL */
	unsigned int flags;
};

#define PX_OPT_LONG_ONLY 1U    /* no -VAL, only --name */
#define PX_OPT_OPTIONAL_ARG 2U /* --name[=ARG] */

/* A table row: PX_OPT("policy", 'p', "FILE", "help"); PX_OPTF adds flags. */
#define PX_OPT(name_, val_, arg_, help_)                                       \
	{                                                                      \
		.name = (name_), .val = (val_), .arg = (arg_), .help = (help_) \
	}
#define PX_OPTF(name_, val_, arg_, help_, flags_)                              \
	{                                                                      \
		.name = (name_), .val = (val_), .arg = (arg_),                 \
		.help = (help_), .flags = (flags_)                             \
	}

/*
 * A verb: its line in `portxdp --help`, and its whole --help, which is
 *   usage: portxdp NAME USAGE        ('\n' in usage: one more form)
 *   ABOUT, the option lines generated from OPTS and -h, MORE.
 * A verb with sub-commands (lab) lists them in subs; each sub-command
 * names its parent, and its --help is the parent's.
 */
struct px_cmd {
	const char *name; /* "attach"; "up" for `lab up` */
	int (*run)(int argc, char **argv);
	const char *usage;	   /* "IF [--policy FILE] ..." */
	const char *summary;	   /* one line for `portxdp --help` */
	const struct px_opt *opts; /* ends with {0}; NULL for none */
	const char *about;
	const char *more;
	const struct px_cmd *const *subs; /* ends with NULL */
	const struct px_cmd *parent;
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
int cmd_show(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_bans(int argc, char **argv);
int cmd_ban(int argc, char **argv);
int cmd_unban(int argc, char **argv);
int cmd_crowdsec(int argc, char **argv);

/* Each verb's table, at the top of its cmd_VERB.c. */
extern const struct px_cmd px_cmd_attach, px_cmd_detach, px_cmd_status,
	px_cmd_apply, px_cmd_open, px_cmd_close, px_cmd_diff, px_cmd_check,
	px_cmd_stats, px_cmd_table, px_cmd_lab, px_cmd_log, px_cmd_confirm,
	px_cmd_exporter, px_cmd_audit, px_cmd_suggest, px_cmd_follow,
	px_cmd_show, px_cmd_save, px_cmd_bans, px_cmd_ban, px_cmd_unban,
	px_cmd_crowdsec;

/* --- the command table (commands.c) ------------------------------------ */

/* Every verb, in the order `portxdp --help` lists them; ends with NULL. */
extern const struct px_cmd *const px_cmds[];
/* The global options, taken by main() before or after the verb. */
extern const struct px_opt px_global_opts[];

/*
 * The verb called name: its exact name, else the one verb name starts
 * with. 0 and *cmd set; -ENOENT when none matches; -EEXIST when several
 * do, their names in alphabetical order in names ("stats, status").
 */
int px_cmd_find(const char *name, const struct px_cmd **cmd, char *names,
		size_t len);

/* `portxdp --help`: the usage, every verb and the global options. */
void px_usage(FILE *f);

/* `portxdp help-dump`: each verb and its long options, for the tests. */
void px_help_dump(FILE *f);

/* The name under /var/run/netns given with --netns, or NULL. */
extern const char *px_netns_name;

/*
 * getopt_long over cmd's option table with -h/--help added: returns an
 * option's val (optarg set as getopt_long sets it); on -h it prints the
 * verb's help and returns 'h'; on an unknown option or a missing value it
 * prints the usage line and returns '?'. Handlers do:
 *   case 'h': return PX_EXIT_OK;   case '?': return PX_EXIT_USAGE;
 */
int cli_getopt(int argc, char **argv, const struct px_cmd *cmd);

/* A verb's --help, generated from its table (a sub-command's parent's). */
void cli_help(FILE *f, const struct px_cmd *cmd);

/* The help lines of an option table, in one column. */
void cli_print_opts(FILE *f, const struct px_opt *opts);

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
