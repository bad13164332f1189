// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* portxdp apply/open/close: not built yet (stub until its issue lands). */
#include "cli.h"
#include "err.h"

static int stub(const char *verb)
{
	px_error("'portxdp %s' is not available in this build yet", verb);
	return PX_EXIT_FAIL;
}

int cmd_apply(int argc, char **argv) { (void)argc; return stub(argv[0]); }
int cmd_open(int argc, char **argv) { (void)argc; return stub(argv[0]); }
int cmd_close(int argc, char **argv) { (void)argc; return stub(argv[0]); }
