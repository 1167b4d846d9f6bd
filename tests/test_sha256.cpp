// SHA-256 against the NIST FIPS 180-2 example vectors, one-shot and incremental.
#include <gtest/gtest.h>

#include <string>

#include "core/sha256.h"

namespace ltx2 {
namespace {

TEST(Sha256, NistVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalUpdatesMatchOneShot) {
    const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    Sha256 hash;
    for (size_t i = 0; i < text.size(); i += 7) hash.update(text.substr(i, 7));
    EXPECT_EQ(hash.hex_digest(), sha256_hex(text));
    // After a digest the object starts over.
    hash.update("abc");
    EXPECT_EQ(hash.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash.update("garbage");
    hash.reset();
    EXPECT_EQ(hash.hex_digest(), sha256_hex(""));
}

}  // namespace
}  // namespace ltx2
