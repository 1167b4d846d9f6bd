#include "core/sha256.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace ltx2 {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    LTX2_CHECK(ctx_ != nullptr, "SHA-256: cannot allocate a digest context");
    reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::reset() { LTX2_CHECK(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) == 1, "SHA-256: init failed"); }

void Sha256::update(const void* data, size_t bytes) {
    LTX2_CHECK(EVP_DigestUpdate(ctx_, data, bytes) == 1, "SHA-256: update failed");
}

std::string Sha256::hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    LTX2_CHECK(EVP_DigestFinal_ex(ctx_, digest, &length) == 1, "SHA-256: final failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    reset();
    return hex;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 hash;
    hash.update(bytes);
    return hash.hex_digest();
}

}  // namespace ltx2
