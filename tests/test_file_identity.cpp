// io/file_identity: which bytes identify a file (whole small files, a large safetensors file's
// header, a large other file's first 4 MiB), checked against sha256 of exactly those bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/sha256.h"
#include "io/file_identity.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::file_content_digest;
using ltx2::file_identity_json;
using ltx2::sha256_hex;
using ltx2::test::TempDir;

namespace {

// `head` followed by zeros up to `size` bytes (a sparse file: large files cost nothing).
void write_sparse(const std::string& path, const std::string& head, uintmax_t size) {
    std::ofstream(path, std::ios::binary) << head;
    fs::resize_file(path, size);
}

std::string safetensors_header(const std::string& json) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((uint64_t(json.size()) >> (8 * i)) & 0xff);
    return out + json;
}

}  // namespace

TEST(FileIdentity, SmallFilesAreHashedWhole) {
    TempDir dir;
    const std::string path = dir.file("prompt.txt");
    std::ofstream(path) << "abc";
    const auto j = file_identity_json(path, "--prompt-file");
    EXPECT_EQ(j["path"], path);
    EXPECT_EQ(j["size"], 3);
    EXPECT_EQ(j["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(j["mtime"].get<std::string>().size(), std::string("2026-12-06T01:43:52.256050154Z").size());
    EXPECT_EQ(file_content_digest(path, "--prompt-file"),
              "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FileIdentity, LargeSafetensorsFilesAreIdentifiedByTheirHeader) {
    TempDir dir;
    const std::string header = safetensors_header(R"({"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})");
    const std::string a = dir.file("a.safetensors"), b = dir.file("b.safetensors");
    write_sparse(a, header, 20u << 20);
    write_sparse(b, header + "different tensor bytes", 20u << 20);
    const auto ja = file_identity_json(a, "--lora");
    EXPECT_EQ(ja["header_sha256"], sha256_hex(header));
    EXPECT_FALSE(ja.contains("sha256"));
    // Tensor bytes beyond the header do not change the identity (the size and time still tell).
    EXPECT_EQ(file_identity_json(b, "--lora")["header_sha256"], sha256_hex(header));
    // Another large file: its first 4 MiB.
    const std::string gguf = dir.file("model.gguf");
    write_sparse(gguf, "GGUF", 20u << 20);
    std::string head(4u << 20, '\0');
    head.replace(0, 4, "GGUF");
    EXPECT_EQ(file_identity_json(gguf, "--transformer")["head_sha256"], sha256_hex(head));
    EXPECT_EQ(file_content_digest(gguf, "--transformer"), "head-sha256:" + sha256_hex(head));
}

TEST(FileIdentity, FoldersListTheirFilesAndMissingFilesAreNamed) {
    TempDir dir;
    std::ofstream(dir.file("b.json")) << "{}";
    std::ofstream(dir.file("a.json")) << "[]";
    const auto j = file_identity_json(dir.path.string(), "--gemma");
    ASSERT_EQ(j["files"].size(), 2u);
    EXPECT_EQ(j["files"][0]["path"], dir.file("a.json"));
    EXPECT_EQ(j["files"][1]["sha256"], sha256_hex("{}"));
    try {
        (void)file_identity_json(dir.file("gone.safetensors"), "--lora");
        ADD_FAILURE() << "no error for a missing file";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("--lora " + dir.file("gone.safetensors") + ": cannot read it"),
                  std::string::npos)
            << e.what();
    }
}
