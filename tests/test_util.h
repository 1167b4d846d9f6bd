#pragma once
// Helpers shared by the test files: a self-deleting temp folder and error-message checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace ltx2::test {

// A fresh folder under the system temp dir, removed with everything in it.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag = "ltx2-test") {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path / name).string(); }
};

// Runs fn, which must throw ltx2::Error whose message contains every fragment.
template <class Fn>
void expect_error(Fn&& fn, const std::vector<std::string>& fragments) {
    try {
        fn();
        ADD_FAILURE() << "expected ltx2::Error containing '" << fragments.front() << "', nothing thrown";
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const auto& f : fragments)
            EXPECT_NE(message.find(f), std::string::npos) << "message: " << message << "\nmissing: " << f;
    }
}

}  // namespace ltx2::test
