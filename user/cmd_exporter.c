// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp exporter [--listen ADDR:PORT]: serve /metrics for Prometheus,
 * for every filter in every network namespace (exporter.c), over
 * libmicrohttpd: HTTP parsing, keep-alive and timeouts are a well-kept
 * library's job, not ours. One internal thread answers the requests in
 * turn, so scrapes never run at once and the exporter's state needs no
 * lock; the main thread only waits for SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/types.h>
#include <microhttpd.h>

#include "cli.h"
#include "err.h"
#include "exporter.h"
#include "portxdp.h"

#define EXPORTER_LISTEN_DEFAULT "127.0.0.1:9441"

static const struct px_opt opts[] = {
	PX_OPT("listen", 'l', "ADDR:PORT",
	       "where to listen (default " EXPORTER_LISTEN_DEFAULT ")\n"
	       "ADDR is IPv4, [IPv6], or empty for every\n"
	       "address (':9441'); anyone who can reach it\n"
	       "sees the metrics"),
	PX_OPT("max-ports", 'm', "N",
	       "(protocol, port) pairs with their own series,\n"
	       "per filter (default 1024, 0-131072); ports\n"
	       "past that are summed per class:\n"
	       "port=\"well-known\", \"registered\", \"dynamic\""),
	{0},
};

const struct px_cmd px_cmd_exporter = {
	.name = "exporter",
	.run = cmd_exporter,
	.usage = "[--listen ADDR:PORT] [--max-ports N]",
	.summary = "serve every filter's counters to Prometheus over HTTP",
	.opts = opts,
	.about =
		"Serve the counters of every portxdp filter, in every network\n"
		"namespace, at http://ADDR:PORT/metrics in the Prometheus text "
		"format,\n"
		"until SIGINT or SIGTERM. Reads the pins only: it changes "
		"nothing.\n",
	.more = "Series (labels interface, netns; a filter has at most\n"
		"2 x N + 24 of them, and 3 per zone name):\n"
		"  portxdp_dropped_packets_total{proto,port,reason}  reason: "
		"closed-port,\n"
		"      ping-closed, malformed, fragment, banned, blocked; sum "
		"by\n"
		"      (interface, netns) is every drop\n"
		"  portxdp_passed_packets_total{proto,port}  proto icmp, "
		"non-ip, "
		"other\n"
		"      for what has no port\n"
		"  portxdp_zone_packets_total{zone,verdict}  verdict: "
		"dropped,\n"
		"      passed (by the zone's verdicts), blocked; by zone name\n"
		"  portxdp_fragments_total, portxdp_ping_open,\n"
		"  portxdp_policy_applied_timestamp_seconds,\n"
		"  portxdp_filter_info{prog_id,policy_digest} 1\n"
		"\n"
		"Exit status: 0 stopped by a signal, 1 cannot listen or no "
		"permission,\n"
		"2 bad usage.\n"
		"\n"
		"Example: curl -s http://127.0.0.1:9441/metrics | grep "
		"dropped\n",
};

static const char index_page[] =
	"<html><head><title>portxdp exporter</title></head><body>"
	"<h1>portxdp exporter</h1><p><a href=\"/metrics\">Metrics</a></p>"
	"</body></html>\n";

/*
 * ADDR:PORT, [ADDR6]:PORT or :PORT (every address) into ss. 0 or -EINVAL.
 */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t hlen;

	if (!colon || cli_parse_ulong(colon + 1, 1, 65535, &port))
		return -EINVAL;
	hlen = colon - s;
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1
			       ? 0
			       : -EINVAL;
	}
	if (!hlen) { /* every address: IPv6 and, dual stack, IPv4 */
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		s6->sin6_addr = in6addr_any;
		return 0;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *type, void *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **req)
{
	static const char text[] = "text/plain; charset=utf-8";
	static char not_found[] = "not found: see /metrics\n";
	static char bad_method[] = "only GET and HEAD\n";
	static int first_call;
	struct exporter *ex = cls;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload;
	(void)upload_len;
	if (*req != &first_call) { /* headers only so far: wait for the end */
		*req = &first_call;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text,
			     bad_method, strlen(bad_method),
			     MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (void *)index_page, strlen(index_page),
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, text, not_found,
			     strlen(not_found), MHD_RESPMEM_PERSISTENT);
	f = open_memstream(&buf, &len);
	if (!f)
		return MHD_NO;
	if (exporter_scrape(ex, f) || fclose(f)) {
		free(buf);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK,
		     "text/plain; version=0.0.4; charset=utf-8", buf, len,
		     MHD_RESPMEM_MUST_FREE);
}

static int parse_opts(int argc, char **argv, struct sockaddr_storage *ss,
		      const char **listen, unsigned long *max_ports)
{
	int c;

	while ((c = cli_getopt(argc, argv, &px_cmd_exporter)) != -1) {
		switch (c) {
		case 'l':
			*listen = optarg;
			break;
		case 'm':
			if (cli_parse_ulong(optarg, 0, PX_COUNTER_KEYS,
					    max_ports))
				return cli_usage_error(
					"exporter",
					"--max-ports wants a whole number from "
					"0 to %d, not '%s'",
					PX_COUNTER_KEYS, optarg);
			break;
		case 'h':
			return -1;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("exporter", "no arguments, got '%s'",
				       argv[optind]);
	if (parse_listen(*listen, ss))
		return cli_usage_error(
			"exporter",
			"--listen wants ADDR:PORT, [ADDR6]:PORT "
			"or :PORT, e.g. 127.0.0.1:9441, not '%s'",
			*listen);
	return 0;
}

/* :PORT on a host without IPv6: every IPv4 address instead. */
static struct MHD_Daemon *start_any_v4(unsigned int flags,
				       struct sockaddr_storage *ss, void *cls)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in s4 = {.sin_family = AF_INET,
				 .sin_port = s6->sin6_port,
				 .sin_addr.s_addr = htonl(INADDR_ANY)};

	return MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, cls, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&s4, MHD_OPTION_CONNECTION_LIMIT, 64U,
		MHD_OPTION_CONNECTION_TIMEOUT, 30U, MHD_OPTION_END);
}

int cmd_exporter(int argc, char **argv)
{
	const char *listen = EXPORTER_LISTEN_DEFAULT;
	unsigned long max_ports = EXPORTER_MAX_PORTS_DEFAULT;
	struct MHD_Daemon *d;
	struct sockaddr_storage ss = {0};
	struct exporter *ex;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	sigset_t set;
	int err, sig;
	bool any;

	err = parse_opts(argc, argv, &ss, &listen, &max_ports);
	if (err)
		return err < 0 ? PX_EXIT_OK : err;
	if (!cli_need_privileges("exporter"))
		return PX_EXIT_FAIL;
	ex = exporter_new((unsigned int)max_ports);
	if (!ex) {
		px_error("out of memory starting the exporter");
		return PX_EXIT_FAIL;
	}
	/* Blocked before the thread starts, so it inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	any = *listen == ':';
	d = MHD_start_daemon(
		flags | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
			(any ? MHD_USE_DUAL_STACK : 0),
		0, NULL, NULL, on_request, ex, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 64U,
		MHD_OPTION_CONNECTION_TIMEOUT, 30U, MHD_OPTION_END);
	if (!d && any)
		d = start_any_v4(flags, &ss, ex);
	if (!d) {
		px_error("cannot listen on %s: address in use or not on this "
			 "host? pick another with --listen ADDR:PORT",
			 listen);
		exporter_free(ex);
		return PX_EXIT_FAIL;
	}
	/* ":PORT" is every address: say so with a URL that works here */
	fprintf(stderr, "portxdp: exporter serving http://%s%s/metrics%s\n",
		any ? "localhost" : "", listen,
		any ? " (on every address of this host)" : "");
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	exporter_free(ex);
	return PX_EXIT_OK;
}
