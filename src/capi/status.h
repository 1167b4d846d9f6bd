#pragma once
// The C API's error boundary: every failure becomes an ltx2_status and the message of the calling
// thread's ltx2_last_error(); no exception crosses into C. What a failure means depends on the
// phase of the call it happens in (reading options, finding model files, checking the request,
// generating), so each phase names the status its errors get.
#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "core/cancellation.h"
#include "core/error.h"
#include "ltx2/ltx2.h"

namespace ltx2::capi {

// A failure whose status is known where it is thrown.
class StatusError : public std::runtime_error {
public:
    StatusError(ltx2_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
    ltx2_status status() const { return status_; }

private:
    ltx2_status status_;
};

// Runs `body`, its ltx2::Error, CLI11 parse errors and system errors (std::filesystem's) becoming
// StatusErrors of `status` (a cancellation, an allocation failure and StatusErrors pass as they are).
template <class Body>
decltype(auto) in_phase(ltx2_status status, Body&& body) {
    try {
        return std::forward<Body>(body)();
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw StatusError(status, e.what());
    } catch (const CLI::ParseError& e) {
        throw StatusError(status, e.what());
    } catch (const std::system_error& e) {
        throw StatusError(status, e.what());
    }
}

// Throws LTX2_ERROR_INVALID_ARGUMENT naming `argument` of `call` when `pointer` is NULL.
void require(const void* pointer, const char* call, const char* argument);

// The status of the exception being handled (call it in a catch block), its message kept as the
// thread's last error.
ltx2_status status_of_current_exception() noexcept;

// Runs `body`; LTX2_OK, or the status of what it threw.
template <class Body>
ltx2_status guarded(Body&& body) noexcept {
    try {
        std::forward<Body>(body)();
        return LTX2_OK;
    } catch (...) {
        return status_of_current_exception();
    }
}

void set_last_error(const std::string& message) noexcept;
const char* last_error() noexcept;

}  // namespace ltx2::capi
