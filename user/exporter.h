/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What `portxdp exporter` serves on /metrics: every filter attached in
 * every network namespace, read from its pins, in the Prometheus text
 * format (doc/design.md, section 12). cmd_exporter.c owns the HTTP side
 * and calls exporter_scrape() once per request.
 *
 * The exporter keeps a little state per filter between scrapes, so every
 * series it shows only ever grows and never vanishes while the filter
 * lives (what rate() and increase() need):
 *   - which (protocol, port) pairs have a series of their own: the first
 *     max_ports pairs that had hits, most hits first when several appear
 *     in one scrape; a pair that came after the limit is summed into its
 *     class (well-known 0-1023, registered 1024-49151, dynamic
 *     49152-65535) for good, even if a port with its own series goes
 *     quiet later;
 *   - the counts that are only known as a difference of two readings
 *     (drops of later fragments, passes that are neither port nor ping nor
 *     non-IP), which never go down.
 * The state of a filter is dropped when its pins go away or its program
 * changes (attach again: the counters restart too).
 */
#ifndef PX_EXPORTER_H
#define PX_EXPORTER_H

#include <stdio.h>

/* Default for exporter_new(): (protocol, port) pairs with their own series */
#define EXPORTER_MAX_PORTS_DEFAULT 1024

struct exporter;

/* NULL when out of memory. max_ports: 0 to PX_COUNTER_KEYS. */
struct exporter *exporter_new(unsigned int max_ports);
void exporter_free(struct exporter *ex);

/*
 * Read every attached filter and write the whole exposition to f.
 * A filter that cannot be read is left out of this scrape (and counted
 * in portxdp_exporter_read_errors_total). 0 or -errno (out of memory only).
 */
int exporter_scrape(struct exporter *ex, FILE *f);

#endif
