#include "service/stop_signals.h"

#include <pthread.h>

namespace ltx2::service {

namespace {
// Sent by the destructor to wake the waiter; not one the waiter answers.
constexpr int kWakeSignal = SIGUSR2;
}  // namespace

StopSignals::StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, kWakeSignal);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

StopSignals::~StopSignals() {
    if (!waiter_.joinable()) return;
    pthread_kill(waiter_.native_handle(), kWakeSignal);
    waiter_.join();
}

void StopSignals::on_stop(std::function<void(int)> on_signal) {
    waiter_ = std::thread([this, on_signal = std::move(on_signal)] {
        int signal = 0;
        sigwait(&signals_, &signal);
        if (signal != kWakeSignal) on_signal(signal);
    });
}

}  // namespace ltx2::service
