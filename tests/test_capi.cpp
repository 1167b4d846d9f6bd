// The C API (include/ltx2/ltx2.h) through its C++ layer (ltx2/ltx2.hpp), on the demo model: the
// same MP4 as the command line, the in-memory output equal to the files, failures as exceptions
// with status and message, and the calls from other threads (BUSY, cancel). tests/capi/consumer.c
// checks the C side itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "io/media/image_io.h"
#include "io/wav.h"
#include "ltx2/ltx2.hpp"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::api::Context;
using ltx2::api::Options;
using ltx2::api::Result;
using ltx2::test::run_command;
using ltx2::test::TempDir;

namespace {

// An environment variable set (or unset: nullopt) for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
        if (const char* before = std::getenv(name)) before_ = before;
        if (value) ::setenv(name, value->c_str(), 1);
        else ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (before_) ::setenv(name_, before_->c_str(), 1);
        else ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> before_;
};

// The demo model of the build tree, shared with the command-line tests.
Context demo_context() {
    const ScopedEnv demo_dir("LTX2_DEMO_DIR", std::string(LTX2_TEST_DEMO_DIR));
    return Context(Options().set("demo"));
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

size_t entry_count(const fs::path& dir) {
    return size_t(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// The status of the ltx2::api::Error `body` throws (LTX2_OK when it throws none), its message in `message`.
template <class Body>
ltx2_status status_of(Body&& body, std::string* message = nullptr) {
    try {
        body();
    } catch (const ltx2::api::Error& e) {
        if (message) *message = e.what();
        return e.status();
    }
    return LTX2_OK;
}

}  // namespace

TEST(Capi, WritesTheSameMp4AsTheCommandLine) {
    TempDir dir;
    const auto cli = run_command(fmt::format("LTX2_DEMO_DIR={} {} --demo --progress none -p 'a red kite' --frames 9 "
                                             "--seed 11 -o {}",
                                             LTX2_TEST_DEMO_DIR, LTX2_BIN, dir.file("cli.mp4")));
    ASSERT_EQ(cli.exit_code, 0) << cli.output;
    Context context = demo_context();
    const Result result = context.generate(
        Options().set("prompt", "a red kite").set("frames", 9).set("seed", 11).set("output", dir.file("api.mp4")));
    EXPECT_EQ(result.output(), dir.file("api.mp4"));
    EXPECT_EQ(result.frame_count(), 9);
    EXPECT_EQ(result.seed(), 11u);
    const std::string from_cli = read_bytes(dir.file("cli.mp4")), from_api = read_bytes(dir.file("api.mp4"));
    EXPECT_GT(from_api.size(), 1000u);
    EXPECT_TRUE(from_api == from_cli) << "the API's MP4 (" << from_api.size() << " bytes) differs from the CLI's ("
                                      << from_cli.size() << " bytes)";
}

TEST(Capi, InMemoryFramesAndAudioAreThoseWrittenToFiles) {
    TempDir dir;
    Context context = demo_context();
    // A later setting of an option replaces the earlier one: 9 frames, not 17.
    const Result result = context.generate(Options()
                                               .set("prompt", "waves at night")
                                               .set("frames", 17)
                                               .set("frames", 9)
                                               .set("seed", 5)
                                               .set("in-memory")
                                               .set("frames-dir", dir.file("frames"))
                                               .set("audio-out", dir.file("audio.wav")));
    ASSERT_EQ(result.frame_count(), 9);
    EXPECT_EQ(result.output(), "");
    ASSERT_NE(result.pixels(), nullptr);
    ASSERT_NE(result.audio(), nullptr);
    const int64_t h = result.height(), w = result.width();
    for (int64_t f = 0; f < result.frame_count(); ++f) {
        const ltx2::Tensor png = ltx2::read_image(dir.file(fmt::format("frames/frame_{:05d}.png", f)));
        ASSERT_EQ(png.shape(), (ltx2::Shape{h, w, 3}));
        const uint8_t* written = png.data<uint8_t>();
        const uint8_t* in_memory = result.pixels() + f * h * w * 3;
        EXPECT_TRUE(std::equal(in_memory, in_memory + h * w * 3, written)) << "frame " << f;
    }
    int rate = 0;
    const ltx2::Tensor wav = ltx2::read_wav(dir.file("audio.wav"), &rate);
    EXPECT_EQ(rate, result.audio_sample_rate());
    ASSERT_EQ(wav.shape(), (ltx2::Shape{2, result.audio_sample_count()}));
    const std::vector<float> planar = wav.to_vector();
    const int64_t n = result.audio_sample_count();
    float worst = 0;
    for (int64_t i = 0; i < n; ++i)
        for (int64_t c = 0; c < 2; ++c) {
            const float in_memory = std::clamp(result.audio()[i * 2 + c], -1.0f, 1.0f);  // the WAV is 16-bit PCM
            worst = std::max(worst, std::fabs(in_memory - planar[size_t(c * n + i)]));
        }
    EXPECT_LE(worst, 2.0f / 32768) << "the in-memory audio is not the WAV's (interleaved left, right)";
}

TEST(Capi, FailuresAreExceptionsWithTheirStatusAndMessage) {
    std::string message;
    EXPECT_EQ(status_of([] { Options().set("fraems", 9); }, &message), LTX2_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(message.find("did you mean 'frames'"), std::string::npos) << message;

    Context context = demo_context();
    TempDir dir;
    EXPECT_EQ(status_of([&] { context.generate(Options().set("prompt", "cat").set("frames", 10).set("in-memory")); },
                        &message),
              LTX2_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(message.find("--num-frames: 10 is not of the form 8k + 1"), std::string::npos) << message;

    // A model option of the context that the generation's pipeline does not take: the command
    // line's own check, which sees the context's options and the generation's together.
    Context upscaling = [] {
        const ScopedEnv demo_dir("LTX2_DEMO_DIR", std::string(LTX2_TEST_DEMO_DIR));
        return Context(Options().set("demo").set("spatial-upscale", "x2"));
    }();
    EXPECT_EQ(status_of(
                  [&] {
                      upscaling.generate(
                          Options().set("prompt", "cat").set("pipeline", "one-stage").set("output", dir.file("o.mp4")));
                  },
                  &message),
              LTX2_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(message.find("--spatial-upscale: the one-stage pipeline does not upsample"), std::string::npos) << message;
    EXPECT_EQ(entry_count(dir.path), 0u);

    const ScopedEnv no_hf_cache("HF_HUB_CACHE", dir.file("no-hf-cache"));
    const ScopedEnv no_model_dir("LTX2_MODEL_DIR", std::nullopt);
    EXPECT_EQ(status_of([] { Context(Options().set("model-dir", "/no/such/models")); }, &message),
              LTX2_ERROR_MODEL_FILES);
    EXPECT_NE(message.find("no pipeline finds all of its model files; --model-dir /no/such/models"),
              std::string::npos)
        << message;
}

TEST(Capi, ASecondGenerationWhileOneRunsIsRefusedAsBusy) {
    TempDir dir;
    Context context = demo_context();
    std::promise<void> started, refused;
    std::future<void> refused_done = refused.get_future();
    bool first_call = true;
    std::thread first([&] {
        const Result r = context.generate(
            Options().set("prompt", "a cat").set("frames", 9).set("output", dir.file("first.mp4")),
            [&](const ltx2_progress&) {
                if (first_call) {
                    first_call = false;
                    started.set_value();
                    refused_done.wait();  // the generation holds the context until the other call was answered
                }
                return true;
            });
        EXPECT_EQ(r.frame_count(), 9);
    });
    started.get_future().wait();
    std::string message;
    EXPECT_EQ(status_of([&] { context.generate(Options().set("prompt", "a dog").set("in-memory")); }, &message),
              LTX2_ERROR_BUSY);
    EXPECT_NE(message.find("one at a time"), std::string::npos) << message;
    refused.set_value();
    first.join();
    EXPECT_TRUE(fs::exists(dir.file("first.mp4")));
}

TEST(Capi, CancelFromAnotherThreadStopsTheGenerationWithoutOutput) {
    TempDir dir;
    Context context = demo_context();
    std::promise<void> stepping, cancelled;
    std::future<void> cancel_done = cancelled.get_future();
    int steps_after_cancel = 0;
    bool cancel_asked = false;
    ltx2_status status = LTX2_OK;
    std::thread generating([&] {
        status = status_of([&] {
            context.generate(Options().set("prompt", "a cat").set("frames", 9).set("output", dir.file("o.mp4")),
                             [&](const ltx2_progress& p) {
                                 if (cancel_asked && p.step > 0) ++steps_after_cancel;
                                 if (p.step == 1 && !cancel_asked) {
                                     cancel_asked = true;
                                     stepping.set_value();
                                     cancel_done.wait();
                                 }
                                 return true;  // the cancel comes from the other thread
                             });
        });
    });
    stepping.get_future().wait();
    context.cancel();
    cancelled.set_value();
    generating.join();
    EXPECT_EQ(status, LTX2_ERROR_CANCELLED);
    EXPECT_EQ(steps_after_cancel, 0) << "the generation went on past its next check";
    EXPECT_EQ(entry_count(dir.path), 0u) << "a cancelled generation left a file";
    // The cancel was for that generation only.
    EXPECT_EQ(context.generate(Options().set("prompt", "a cat").set("frames", 9).set("in-memory")).frame_count(), 9);
}

TEST(Capi, AnExceptionOfTheProgressFunctionCancelsAndComesBack) {
    TempDir dir;
    Context context = demo_context();
    int steps = 0;
    try {
        context.generate(Options().set("prompt", "a cat").set("frames", 9).set("output", dir.file("o.mp4")),
                         [&](const ltx2_progress& p) {
                             if (p.step > 0 && ++steps == 2) throw std::logic_error("the caller's own failure");
                             return true;
                         });
        ADD_FAILURE() << "no exception";
    } catch (const std::logic_error& e) {
        EXPECT_STREQ(e.what(), "the caller's own failure");
    }
    EXPECT_EQ(steps, 2);
    EXPECT_EQ(entry_count(dir.path), 0u);
}
