#pragma once
// An error the API answers with: the HTTP status and the body {"error": {"code", "message", "param"}}.
#include <stdexcept>
#include <string>

namespace ltx2::service {

class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string code, const std::string& message, std::string param = "")
        : std::runtime_error(message), status(status), code(std::move(code)), param(std::move(param)) {}
    int status;
    std::string code, param;  // param: the request field concerned, empty when none
};

}  // namespace ltx2::service
