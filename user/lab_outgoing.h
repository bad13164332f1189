/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `lab probe --outgoing` (lab_outgoing.c): a flow opened from inside the
 * lab to a port here, and whether its answer came back through the
 * filter, to rehearse `option replies` (doc/design.md, section 9).
 */
#ifndef PX_LAB_OUTGOING_H
#define PX_LAB_OUTGOING_H

#include <stdbool.h>

#include "portxdp.h"

/*
 * Open one flow to port (proto PX_TCP or PX_UDP) of the lab's outer
 * address (IPv6 when v6) from inside the lab, and wait timeout_ms for its
 * answer. "reply-passed", "reply-dropped", or "no-verdict" when the
 * request never left; NULL for another proto.
 */
const char *lab_outgoing(int proto, unsigned int port, bool v6, int timeout_ms);

#endif
