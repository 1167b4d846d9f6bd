#pragma once
// SHA-256 (OpenSSL's libcrypto), incremental: for verifying multi-gigabyte downloads as they
// arrive.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace ltx2 {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t bytes);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    std::string hex_digest();  // lower-case, 64 characters; starts a new hash afterwards
    void reset();

private:
    evp_md_ctx_st* ctx_;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace ltx2
