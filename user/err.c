// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Message printing shared by every command; see err.h. */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "err.h"
#include "text.h"

bool px_verbose;

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	/* names in a message are escaped: a one-line message stays one */
	fprintf(stderr, "portxdp: %s", prefix);
	text_vprint(stderr, fmt, ap);
	fputc('\n', stderr);
}

void px_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void px_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void px_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void px_debug(const char *fmt, ...)
{
	va_list ap;

	if (!px_verbose)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!px_verbose && level != LIBBPF_WARN)
		return 0;
	if (!px_verbose)
		return 0; /* libbpf warnings repeat what our own errors say */
	return vfprintf(stderr, fmt, ap);
}

void px_setup_libbpf_print(void)
{
	libbpf_set_print(libbpf_print);
}
