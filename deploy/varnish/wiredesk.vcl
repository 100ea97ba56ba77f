vcl 4.1;
# Varnish in front of wiredesk (Debian's varnish 7.x with varnish-modules' xkey).
#
# Caches what wiredesk marks cacheable (Cache-Control / Surrogate-Control), tags each object
# with wiredesk's Surrogate-Key header and drops objects by key when wiredesk POSTs its purge
# (WIREDESK_PURGE_URL=http://127.0.0.1:6081/.edge/purge: any path; method PURGE or POST with
# a Surrogate-Key header) from an address in the `purgers` acl; a purge drops every encoding
# of a page (br, gzip, none), as each object carries the keys. The console, push, WebSub
# callbacks, /metrics and /events are passed straight through. docs/deployment.md explains.

import std;
import xkey;

backend wiredesk {
    .host = "127.0.0.1";
    .port = "8000";  # the address `wiredesk serve --port` listens on: the one line to edit
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 60s;
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    unset req.http.X-Edge-Fetch;  # only this edge says it (vcl_backend_fetch)
    if (req.method == "PURGE" || (req.method == "POST" && req.http.Surrogate-Key)) {
        # A request relayed by a TLS proxy on this host also comes from 127.0.0.1, but its
        # X-Forwarded-For names another address before the one Varnish appended: refused.
        if (client.ip !~ purgers || req.http.X-Forwarded-For ~ ",") {
            return (synth(403, "Purging is allowed from the local address only"));
        }
        if (!req.http.Surrogate-Key) {
            return (synth(400, "A purge names its keys in a Surrogate-Key header"));
        }
        set req.http.X-Purged = xkey.purge(req.http.Surrogate-Key);
        return (synth(200, "Purged"));
    }
    # Server-sent events stream for as long as the reader stays: never buffered or cached.
    if (req.url ~ "^/events(/|\?|$)") {
        return (pipe);
    }
    # Who is asking matters here, or the request changes state: straight to wiredesk.
    if (req.url ~ "^/(console|push|websub|metrics|textsize|api/v1/sources)(/|\?|$)"
            || (req.method != "GET" && req.method != "HEAD") || req.http.Authorization) {
        return (pass);
    }
    # A text size chosen without JavaScript (the form, the textsize cookie) is rendered by
    # wiredesk and answered private: pass it. Every other cookie changes no page: drop it, so
    # one object serves every reader (the size is set on the client, static/textsize.js).
    if (req.http.Cookie ~ "(^|;\s*)textsize=[0234](;|$)") {
        return (pass);
    }
    unset req.http.Cookie;
    # One object per encoding wiredesk sends (it compresses, brotli included, which Varnish
    # cannot): br, gzip or none, so the Vary: Accept-Encoding lookup finds one of three.
    # varnishd.params turns http_gzip_support off, or Varnish would rewrite this header.
    if (req.http.Accept-Encoding ~ "(^|,)\s*br\s*(,|;\s*q=(1|0?\.0*[1-9])|$)") {
        set req.http.Accept-Encoding = "br";
    } elsif (req.http.Accept-Encoding ~ "(^|,)\s*(x-)?gzip\s*(,|;\s*q=(1|0?\.0*[1-9])|$)") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    return (hash);
}

sub vcl_pipe {
    # One request per piped connection, so the next request on it is seen by vcl_recv.
    set bereq.http.Connection = "close";
}

sub vcl_backend_fetch {
    # wiredesk reads its change counter before answering from its own page cache, so a
    # fetch right after a purge never brings back the page the purge dropped.
    set bereq.http.X-Edge-Fetch = "1";
}

sub vcl_backend_response {
    # xkey tags objects from the xkey header: wiredesk names them in Surrogate-Key. Dropped
    # from the object here, not on each delivery: a hit copies fewer headers.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
    }
    # No compression here: wiredesk sends br or gzip itself (web/compress.py), once per
    # page, and Varnish keeps each encoding as its own object (vcl_recv).
    if (beresp.http.Content-Type ~ "^text/event-stream") {
        set beresp.do_stream = true;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # No grace: a story whose licence ended must not be served stale while wiredesk is asked.
    set beresp.grace = 0s;
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;  # remember for two minutes that this URL is not cached
        return (deliver);
    }
}

sub vcl_deliver {
    # The keys are for the edge only (Surrogate-Key was dropped in vcl_backend_response,
    # which every fetch, passed ones too, goes through).
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    if (req.http.X-Purged) {
        set resp.http.X-Purged = req.http.X-Purged;
    }
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason + {"
"};
    return (deliver);
}
