// A thin C++ layer over the C API of ltx2/ltx2.h (header only): handles that free themselves,
// failures as exceptions carrying the status and message, progress as a std::function. The rules
// of ltx2.h hold (threads, what is checked when).
//
//     ltx2::api::Context context(ltx2::api::Options().set("demo"));
//     ltx2::api::Result video = context.generate(
//         ltx2::api::Options().set("prompt", "a cat").set("frames", "9").set("output", "cat.mp4"));
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "ltx2/ltx2.h"

namespace ltx2::api {

class Error : public std::runtime_error {
public:
    Error(ltx2_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
    ltx2_status status() const { return status_; }

private:
    ltx2_status status_;
};

// Throws Error with ltx2_last_error() unless `status` is LTX2_OK.
inline void check(ltx2_status status) {
    if (status != LTX2_OK) throw Error(status, ltx2_last_error());
}

class Options {
public:
    Options() : handle_(ltx2_options_create(), &ltx2_options_free) {
        if (!handle_) throw Error(LTX2_ERROR_OUT_OF_MEMORY, ltx2_last_error());
    }
    // A flag.
    Options& set(const std::string& name) {
        check(ltx2_options_set(handle_.get(), name.c_str(), nullptr));
        return *this;
    }
    Options& set(const std::string& name, const std::string& value) {
        check(ltx2_options_set(handle_.get(), name.c_str(), value.c_str()));
        return *this;
    }
    template <class Number, class = std::enable_if_t<std::is_arithmetic_v<Number>>>
    Options& set(const std::string& name, Number value) {
        return set(name, std::to_string(value));
    }
    const ltx2_options* get() const { return handle_.get(); }

private:
    std::unique_ptr<ltx2_options, void (*)(ltx2_options*)> handle_;
};

class Result {
public:
    explicit Result(ltx2_result* result) : handle_(result, &ltx2_result_free) {}

    std::string output() const { return ltx2_result_output(get()); }
    int64_t frame_count() const { return ltx2_result_frame_count(get()); }
    int64_t width() const { return ltx2_result_width(get()); }
    int64_t height() const { return ltx2_result_height(get()); }
    double fps() const { return ltx2_result_fps(get()); }
    int64_t audio_sample_count() const { return ltx2_result_audio_sample_count(get()); }
    int audio_sample_rate() const { return ltx2_result_audio_sample_rate(get()); }
    int audio_channels() const { return ltx2_result_audio_channels(get()); }
    std::string model() const { return ltx2_result_model(get()); }
    uint64_t seed() const { return ltx2_result_seed(get()); }
    // With "in-memory": frame_count * height * width * 3 bytes, and audio_sample_count * audio_channels floats.
    const uint8_t* pixels() const { return ltx2_result_pixels(get()); }
    const float* audio() const { return ltx2_result_audio(get()); }
    const ltx2_result* get() const { return handle_.get(); }

private:
    std::unique_ptr<ltx2_result, void (*)(ltx2_result*)> handle_;
};

// Returns false to cancel the generation.
using ProgressFunction = std::function<bool(const ltx2_progress&)>;

class Context {
public:
    explicit Context(const Options& model_options) : handle_(nullptr, &ltx2_context_free) {
        ltx2_context* context = nullptr;
        check(ltx2_context_create(model_options.get(), &context));
        handle_.reset(context);
    }

    // An exception thrown by `progress` cancels the generation and is thrown again from here (also
    // when it came from the last call, after the outputs were written).
    Result generate(const Options& params, const ProgressFunction& progress = {}) {
        struct Call {
            const ProgressFunction& progress;
            std::exception_ptr thrown;
        } call{progress, nullptr};
        const ltx2_progress_fn trampoline = [](const ltx2_progress* p, void* user_data) -> int {
            Call& c = *static_cast<Call*>(user_data);
            try {
                return c.progress(*p) ? 0 : 1;
            } catch (...) {
                c.thrown = std::current_exception();
                return 1;
            }
        };
        ltx2_result* result = nullptr;
        const ltx2_status status =
            ltx2_generate(handle_.get(), params.get(), progress ? trampoline : nullptr, &call, &result);
        if (call.thrown) {
            ltx2_result_free(result);
            std::rethrow_exception(call.thrown);
        }
        check(status);
        return Result(result);
    }

    // From any thread, while generate() runs on another.
    void cancel() { ltx2_cancel(handle_.get()); }
    ltx2_context* get() const { return handle_.get(); }

private:
    std::unique_ptr<ltx2_context, void (*)(ltx2_context*)> handle_;
};

}  // namespace ltx2::api
