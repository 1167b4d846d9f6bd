#pragma once
// SIGINT and SIGTERM for the long-running commands (`ltx2 serve`, `ltx2 worker`): blocked in every
// thread made after construction and taken by one thread of their own (sigwait), so a signal
// never interrupts a generation; the handler runs on that thread.
#include <csignal>
#include <functional>
#include <thread>

namespace ltx2::service {

class StopSignals {
public:
    StopSignals();   // blocks the signals in this thread (and the threads it makes later)
    ~StopSignals();  // wakes and joins the waiting thread when no signal came
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // Calls `on_signal(signal)` once, on a thread of its own, when SIGINT or SIGTERM arrives.
    void on_stop(std::function<void(int)> on_signal);

private:
    sigset_t signals_;
    std::thread waiter_;
};

}  // namespace ltx2::service
