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
    void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
    void throw_if_cancelled() const {
        if (cancelled()) throw Cancelled();
    }

private:
    std::atomic<bool> cancelled_{false};
};

}  // namespace ltx2
