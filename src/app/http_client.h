#pragma once
// A thin libcurl layer: HEAD without following redirects, and a streaming GET that follows
// them, with an optional range start. Response header names are lower-cased.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ltx2::app {

// The connection failed or broke off (curl's message included): worth retrying.
class HttpTransferError : public Error {
public:
    using Error::Error;
};

struct HttpResponse {
    long status = 0;
    std::map<std::string, std::string> headers;                    // of the last response when redirects were followed
    std::string header(const std::string& lower_case_name) const;  // "" when absent
};

// Adds one line of a response head as libcurl hands it over: a status line ("HTTP/1.1 206 ...")
// starts a new response (after a redirect or 100-continue), "Name: value" sets a header (name
// lower-cased, value trimmed); anything else is ignored.
void add_response_line(HttpResponse& response, std::string_view line);

// HEAD url; a redirect is returned as it is, not followed.
HttpResponse http_head(const std::string& url, const std::vector<std::string>& request_headers);

// GET url following redirects, asking for bytes from `range_start` on when it is not 0.
// `on_body` receives the final response's status and headers with every chunk of its body;
// whatever it throws ends the transfer and propagates.
using HttpBodySink = std::function<void(const HttpResponse& head, const char* data, size_t bytes)>;
HttpResponse http_get(const std::string& url, const std::vector<std::string>& request_headers, uint64_t range_start,
                      const HttpBodySink& on_body);

// Percent-encodes everything but unreserved characters (and '/' when kept).
std::string url_escape(std::string_view text, bool keep_slashes);

}  // namespace ltx2::app
