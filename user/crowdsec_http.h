/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The HTTP side of `portxdp crowdsec` (doc/design.md, section 10): the
 * local API's address checked and joined to its decision stream, and one
 * GET of it with the bouncer's key, through libcurl (Debian's libcurl4:
 * HTTP/1.1 and HTTPS, certificates, proxies and timeouts are a well-kept
 * library's job, not hand-written code facing the network). Every failure
 * comes back as one sentence naming what is wrong and what to do.
 */
#ifndef PX_CROWDSEC_HTTP_H
#define PX_CROWDSEC_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest answer read: a startup list of a million decisions fits. */
#define CS_BODY_MAX (256UL << 20)

struct cs_http {
	void *curl;	     /* CURL * */
	void *headers;	     /* struct curl_slist * */
	char url[2048];	     /* API/v1/decisions/stream */
	const char *api;     /* as given, for messages */
	const char *keyfile; /* for messages */
	char *body;	     /* the last answer (NUL-terminated) */
	size_t len, cap;
	bool too_big;
	volatile sig_atomic_t *stop; /* set: the transfer ends */
};

/*
 * Check api (http:// or https://, a host, no query) and key (printable,
 * no spaces); set up h. 0, or with the reason in why -EINVAL (the URL),
 * -EBADMSG (the key) or -ENOMEM.
 */
int cs_http_init(struct cs_http *h, const char *api, const char *key,
		 const char *keyfile, volatile sig_atomic_t *stop, char *why,
		 size_t whylen);

/*
 * GET the stream (?startup=true the first time). 0 with h->body and
 * h->len; -EACCES: the key was refused; -EINTR: *stop was set; other
 * -errno: the API could not be read. why says what to do.
 */
int cs_http_get(struct cs_http *h, bool startup, char *why, size_t whylen);

void cs_http_free(struct cs_http *h);

#endif
