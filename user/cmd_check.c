// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* portxdp check: not built yet (stub until its issue lands). */
#include "cli.h"
#include "err.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	px_error("'portxdp check' is not available in this build yet");
	return PX_EXIT_FAIL;
}
