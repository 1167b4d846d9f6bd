#pragma once
// Stopping a generation from another thread: the owner calls cancel(), the generation checks the
// token between stages and after every denoising step and throws Cancelled there, so it stops at
// its next step and leaves no output behind (outputs are only renamed into place when complete).
#include <atomic>

#include "core/error.h"

namespace ltx2 {

class Cancelled : public Error {
public:
    Cancelled() : Error("the generation was cancelled") {}
};

class CancellationToken {
public:
    CancellationToken() = default;
    // A token that is also cancelled when `also` is (an owner's token, followed by one of its own).
    explicit CancellationToken(const CancellationToken* also) : also_(also) {}
    CancellationToken(const CancellationToken&) = delete;
    CancellationToken& operator=(const CancellationToken&) = delete;

    void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
    bool cancelled() const {
        return cancelled_.load(std::memory_order_relaxed) || (also_ != nullptr && also_->cancelled());
    }
    void throw_if_cancelled() const {
        if (cancelled()) throw Cancelled();
    }

private:
    std::atomic<bool> cancelled_{false};
    const CancellationToken* also_ = nullptr;
};

}  // namespace ltx2
