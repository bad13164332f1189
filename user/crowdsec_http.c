// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One GET of CrowdSec's decision stream through libcurl (crowdsec_http.h).
 * doc/design.md, section 10.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "crowdsec_http.h"

#define CS_CONNECT_SECS 5L
#define CS_TRANSFER_SECS 120L

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct cs_http *h = arg;
	size_t len = size * n, cap = h->cap;
	char *p;

	if (h->len + len + 1 > CS_BODY_MAX) {
		h->too_big = true;
		return 0; /* ends the transfer */
	}
	if (h->len + len + 1 > cap) {
		while (cap < h->len + len + 1)
			cap = cap ? cap * 2 : 65536;
		p = realloc(h->body, cap);
		if (!p)
			return 0;
		h->body = p;
		h->cap = cap;
	}
	memcpy(h->body + h->len, data, len);
	h->len += len;
	h->body[h->len] = '\0';
	return len;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
		       curl_off_t d)
{
	const struct cs_http *h = arg;

	(void)a, (void)b, (void)c, (void)d;
	return *h->stop ? 1 : 0;
}

static int check_api(const char *api, char *why, size_t whylen)
{
	size_t n = strlen(api);

	if (strncmp(api, "http://", 7) && strncmp(api, "https://", 8)) {
		snprintf(why, whylen,
			 "--api '%.200s' is not an http:// or https:// URL: "
			 "write the local API's address, e.g. "
			 "http://127.0.0.1:8080/",
			 api);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)api[i]) || api[i] == '?' ||
		    api[i] == '#') {
			snprintf(why, whylen,
				 "--api '%.200s' has a space, a control "
				 "character, a query or a fragment: write only "
				 "the local API's address, e.g. "
				 "http://127.0.0.1:8080/",
				 api);
			return -EINVAL;
		}
	if (api[strncmp(api, "http://", 7) ? 8 : 7] == '\0' ||
	    api[strncmp(api, "http://", 7) ? 8 : 7] == '/' || n > 1900) {
		snprintf(why, whylen,
			 "--api '%.200s' names no host (or is too long): "
			 "write e.g. http://127.0.0.1:8080/",
			 api);
		return -EINVAL;
	}
	return 0;
}

static int check_key(const char *key, const char *keyfile, char *why,
		     size_t whylen)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)key[i])) {
			snprintf(why, whylen,
				 "the key in %s has a space or a control "
				 "character: the file should hold only the key "
				 "'cscli bouncers add NAME -o raw' printed",
				 keyfile);
			return -EINVAL;
		}
	if (!n || n > 512) {
		snprintf(why, whylen,
			 "%s holds %s: write the key 'cscli bouncers add NAME "
			 "-o raw' printed into it",
			 keyfile, n ? "more than 512 characters" : "no key");
		return -EINVAL;
	}
	return 0;
}

int cs_http_init(struct cs_http *h, const char *api, const char *key,
		 const char *keyfile, volatile sig_atomic_t *stop, char *why,
		 size_t whylen)
{
	char hdr[600];
	size_t n;

	memset(h, 0, sizeof(*h));
	h->api = api;
	h->keyfile = keyfile;
	h->stop = stop;
	if (check_api(api, why, whylen))
		return -EINVAL;
	if (check_key(key, keyfile, why, whylen))
		return -EBADMSG;
	n = strlen(api);
	snprintf(h->url, sizeof(h->url), "%.*s/v1/decisions/stream",
		 (int)(api[n - 1] == '/' ? n - 1 : n), api);
	snprintf(hdr, sizeof(hdr), "X-Api-Key: %s", key);
	h->curl = curl_easy_init();
	if (h->curl)
		h->headers = curl_slist_append(NULL, hdr);
	if (h->headers)
		h->headers = curl_slist_append(h->headers,
					       "Accept: application/json");
	if (!h->curl || !h->headers) {
		snprintf(why, whylen, "cannot set up libcurl: out of memory");
		return -ENOMEM;
	}
	explicit_bzero(hdr, sizeof(hdr));
	return 0;
}

static void setup(struct cs_http *h, const char *url, char *err)
{
	CURL *c = h->curl;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "portxdp-crowdsec-bouncer");
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CS_CONNECT_SECS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, CS_TRANSFER_SECS);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

/* A failed transfer in one sentence. */
static int transfer_error(struct cs_http *h, CURLcode rc, const char *err,
			  char *why, size_t whylen)
{
	const char *what = err[0] ? err : curl_easy_strerror(rc);

	if (*h->stop)
		return -EINTR;
	if (h->too_big)
		snprintf(why, whylen,
			 "%s answered more than %lu MiB: is --api a CrowdSec "
			 "local API?",
			 h->api, CS_BODY_MAX >> 20);
	else if (rc == CURLE_COULDNT_CONNECT ||
		 rc == CURLE_COULDNT_RESOLVE_HOST)
		snprintf(
			why, whylen,
			"cannot reach the CrowdSec local API at %s (%s)%s%s%s: "
			"is crowdsec running, and is --api its "
			"api.server.listen_uri?",
			h->api, what,
			px_netns_name ? " from inside network namespace '" : "",
			px_netns_name ? px_netns_name : "",
			px_netns_name ? "' (--netns: a loopback address is "
					"that namespace's)"
				      : "");
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whylen,
			 "the CrowdSec local API at %s did not answer in time "
			 "(%s): is it overloaded, or is --api another server?",
			 h->api, what);
	else
		snprintf(why, whylen,
			 "cannot read the decisions from %s (%s): check --api "
			 "and that crowdsec's local API is up",
			 h->api, what);
	return -EIO;
}

int cs_http_get(struct cs_http *h, bool startup, char *why, size_t whylen)
{
	char url[sizeof(h->url) + 16], err[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s", h->url,
		 startup ? "?startup=true" : "");
	h->len = 0;
	h->too_big = false;
	setup(h, url, err);
	rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK)
		return transfer_error(h, rc, err, why, whylen);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 401 || status == 403) {
		snprintf(why, whylen,
			 "the CrowdSec local API at %s refused the key in %s "
			 "(HTTP %ld): make one with 'cscli bouncers add NAME "
			 "-o raw' and write it there",
			 h->api, h->keyfile, status);
		return -EACCES;
	}
	if (status != 200) {
		snprintf(why, whylen,
			 "%s answered HTTP %ld to %s: is --api the CrowdSec "
			 "local API's address (e.g. http://127.0.0.1:8080/)?",
			 h->api, status, h->url);
		return -EPROTO;
	}
	return 0;
}

void cs_http_free(struct cs_http *h)
{
	curl_slist_free_all(h->headers);
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->body);
	memset(h, 0, sizeof(*h));
}
