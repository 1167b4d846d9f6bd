#include "capi/status.h"

#include <fmt/format.h>

#include <new>

namespace ltx2::capi {

namespace {

thread_local std::string t_last_error;
// When even the message could not be stored: this text instead.
thread_local const char* t_last_error_fallback = nullptr;

ltx2_status failed(ltx2_status status, const char* message) noexcept {
    set_last_error(message);
    return status;
}

}  // namespace

void set_last_error(const std::string& message) noexcept {
    try {
        t_last_error = message;
        t_last_error_fallback = nullptr;
    } catch (...) {
        t_last_error_fallback = "out of memory (the error message could not be stored)";
    }
}

const char* last_error() noexcept { return t_last_error_fallback ? t_last_error_fallback : t_last_error.c_str(); }

void require(const void* pointer, const char* call, const char* argument) {
    if (pointer == nullptr)
        throw StatusError(LTX2_ERROR_INVALID_ARGUMENT, fmt::format("{}: `{}` is NULL", call, argument));
}

ltx2_status status_of_current_exception() noexcept {
    try {
        throw;
    } catch (const StatusError& e) {
        return failed(e.status(), e.what());
    } catch (const Cancelled& e) {
        return failed(LTX2_ERROR_CANCELLED, e.what());
    } catch (const std::bad_alloc&) {
        return failed(LTX2_ERROR_OUT_OF_MEMORY, "out of memory: an allocation failed (std::bad_alloc)");
    } catch (const std::exception& e) {
        // Every expected failure was given its status where it happened: this one is a bug.
        return failed(LTX2_ERROR_INTERNAL, e.what());
    } catch (...) {
        return failed(LTX2_ERROR_INTERNAL, "an exception that is not a std::exception");
    }
}

}  // namespace ltx2::capi
