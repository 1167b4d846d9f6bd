#include "app/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <memory>
#include <mutex>

#include "app/strings.h"
#include "ltx2/version.h"

namespace ltx2::app {

void add_response_line(HttpResponse& response, std::string_view line) {
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect or 100-continue)
        response.headers.clear();
        const auto space = line.find(' ');
        response.status = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
        return;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        response.headers[name] = trim_whitespace(line.substr(colon + 1));
    }
}

std::string HttpResponse::header(const std::string& lower_case_name) const {
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
}

namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with the C callbacks; exceptions are parked here and rethrown after the transfer.
struct Transfer {
    HttpResponse response;
    const HttpBodySink* on_body = nullptr;
    std::exception_ptr error;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    add_response_line(t->response, std::string_view(data, size * count));
    return size * count;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    const bool redirect =
        t->response.status >= 300 && t->response.status < 400 && !t->response.header("location").empty();
    if (redirect || t->on_body == nullptr) return bytes;
    try {
        (*t->on_body)(t->response, data, bytes);
    } catch (...) {
        t->error = std::current_exception();
        return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    return bytes;
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

HttpResponse perform(const char* method, const std::string& url, const std::vector<std::string>& request_headers,
                     uint64_t range_start, const HttpBodySink* on_body) {
    global_init();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    LTX2_CHECK(curl != nullptr, "{} {}: cannot initialise libcurl", method, url);
    std::unique_ptr<curl_slist, CurlDeleter> headers;
    for (const auto& h : request_headers) {
        curl_slist* appended = curl_slist_append(headers.get(), h.c_str());
        LTX2_CHECK(appended != nullptr, "{} {}: out of memory for request headers", method, url);
        (void)headers.release();  // the same list, now one longer
        headers.reset(appended);
    }

    Transfer t;
    t.on_body = on_body;
    char error_text[CURL_ERROR_SIZE] = {};
    const std::string range = std::to_string(range_start) + "-";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "ltx2.cpp/" LTX2_VERSION_STRING);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // give up on a transfer stalled for a minute
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    if (std::string_view(method) == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        // Not CURLOPT_RESUME_FROM_LARGE: that rejects a server's 200, which callers handle.
        if (range_start > 0) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
    }

    const CURLcode code = curl_easy_perform(c);
    if (t.error) std::rethrow_exception(t.error);
    if (code != CURLE_OK)
        throw HttpTransferError(
            fmt::format("{} {} failed: {}", method, url, error_text[0] ? error_text : curl_easy_strerror(code)));
    return t.response;
}

}  // namespace

HttpResponse http_head(const std::string& url, const std::vector<std::string>& request_headers) {
    return perform("HEAD", url, request_headers, 0, nullptr);
}

HttpResponse http_get(const std::string& url, const std::vector<std::string>& request_headers, uint64_t range_start,
                      const HttpBodySink& on_body) {
    return perform("GET", url, request_headers, range_start, &on_body);
}

std::string url_escape(std::string_view text, bool keep_slashes) {
    std::string out;
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slashes && c == '/')) {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace ltx2::app
