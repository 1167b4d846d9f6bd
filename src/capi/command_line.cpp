#include "capi/command_line.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "app/option_suggestions.h"
#include "capi/status.h"

namespace ltx2::capi {

namespace {

constexpr const char* kModelsGroup = "Models";  // add_model_file_options and --precision, --threads, --memory-budget

bool is_option_name(const std::string& name) {
    return !name.empty() && std::isalnum(static_cast<unsigned char>(name.front())) &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                      c == '-';
           });
}

std::string unknown_option_message(const CLI::App& app, const std::string& name) {
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options())
        if (!is_progress_stream_option(option->get_name()))
            for (const std::string& long_name : option->get_lnames()) names.push_back(long_name);
    const auto nearest = app::nearest_name(name, names);
    return nearest ? fmt::format("unknown option '{}'; did you mean '{}'?", name, *nearest)
                   : fmt::format("unknown option '{}' (the names are the long options of `ltx2 --help` without their "
                                 "dashes, e.g. 'prompt', 'frames', 'model-dir')",
                                 name);
}

}  // namespace

bool is_progress_stream_option(const std::string& option) { return option == "--progress" || option == "--progress-fd"; }

CommandLine::CommandLine() {
    app.set_help_flag();  // no --help: an option named "help" is unknown
    add_generation_options(app, cli);
    app.add_flag("--in-memory", in_memory,
                 "the C API only: the result holds the decoded frames and audio (the file outputs are optional)")
        ->group("Output");
}

OptionSetting CommandLine::setting(const char* name, const char* value) const {
    if (name == nullptr) throw StatusError(LTX2_ERROR_INVALID_ARGUMENT, "ltx2_options_set: `name` is NULL");
    const std::string given = name;
    if (given.rfind('-', 0) == 0) {
        const size_t first = given.find_first_not_of('-');
        const std::string bare = first == std::string::npos ? "" : given.substr(first);
        throw StatusError(LTX2_ERROR_INVALID_ARGUMENT,
                          fmt::format("option '{}': give the name without dashes ('{}')", given, bare));
    }
    const CLI::Option* option = is_option_name(given) ? app.get_option_no_throw("--" + given) : nullptr;
    if (option == nullptr) throw StatusError(LTX2_ERROR_INVALID_ARGUMENT, unknown_option_message(app, given));
    if (is_progress_stream_option(option->get_name()))
        throw StatusError(LTX2_ERROR_INVALID_ARGUMENT,
                          fmt::format("option '{}': the command line's progress stream (--progress, --progress-fd) is "
                                      "not part of the C API; give ltx2_generate a progress callback",
                                      given));
    OptionSetting setting{given, option->get_name(), std::nullopt};
    if (value != nullptr) setting.value = value;
    return setting;
}

bool CommandLine::collects_list(const std::string& option) const {
    return app.get_option(option)->get_items_expected_max() > 1;
}

OptionPlace CommandLine::place(const std::string& option) const {
    return app.get_option(option)->get_group() == kModelsGroup ? OptionPlace::Context : OptionPlace::Generation;
}

void CommandLine::parse(const std::vector<OptionSetting>& settings) {
    std::vector<std::string> args;
    for (const OptionSetting& s : settings) {
        // --name=VALUE keeps a value that starts with '-' a value; CLI11 reads "--name=" as no value,
        // so an empty one follows as its own argument.
        if (!s.value) {
            args.push_back("--" + s.name);
        } else if (s.value->empty()) {
            args.push_back("--" + s.name);
            args.push_back("");
        } else {
            args.push_back("--" + s.name + "=" + *s.value);
        }
    }
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
    app.parse(args);
}

}  // namespace ltx2::capi
