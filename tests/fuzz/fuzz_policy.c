// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the policy parser (user/policy_*.c) and the port-table
 * parser (user/table.c), built with ASan and UBSan by `make fuzz`. Both read
 * files that people edit and that attach/apply run as root, so every input
 * must end in a clean error, never a crash. The first byte picks the
 * parser: most inputs go to the policy language (with check's warnings on,
 * and as open/close arguments), a few to the table format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "policy.h"
#include "table.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Run from the repository root: names resolve against the table. */
	setenv("PORTXDP_DATADIR", "policies", 0);
	unsetenv("SSH_CONNECTION");
	devnull = fopen("/dev/null", "w");
	table_load();
	return 0;
}

/* Split text at whitespace into argv-like SPEC arguments. */
static void as_specs(char *text)
{
	char *args[64], *save = NULL, *t;
	struct px_policy pol;
	int n = 0;

	for (t = strtok_r(text, " \t\n", &save); t && n < 64;
	     t = strtok_r(NULL, " \t\n", &save))
		args[n++] = t;
	policy_init(&pol);
	policy_apply_specs(&pol, n % 2, n, args, NULL, devnull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_report rep;
	struct px_policy *pol;
	char *text;

	if (size > 64 * 1024)
		return 0;
	text = malloc(size + 1);
	pol = malloc(sizeof(*pol));
	if (!text || !pol)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	if (size && data[0] == 'T') {
		/* the table format; put the real table back afterwards */
		if (table_load_text("fuzz.table", text + 1, devnull) == 0) {
			for (int i = 0; i < table_count(); i++)
				table_port_name(PX_TCP,
						table_entry_at(i)->port_lo);
			table_unload();
			table_load();
		}
	} else {
		if (policy_check_text("fuzz.policy", text, pol, &rep,
				      devnull) == 0) {
			struct policy_range r[16];

			if (rep.errors)
				abort(); /* success must mean no errors */
			policy_count_open(pol, PX_TCP);
			policy_diff(pol, pol, r, 16);
			policy_ranges(pol, PX_UDP, true, r, 16);
		} else if (!rep.errors) {
			abort(); /* failure must say why */
		}
		as_specs(text);
	}
	free(pol);
	free(text);
	return 0;
}
