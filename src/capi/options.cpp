#include "capi/options.h"

#include <fmt/format.h>

#include <algorithm>

#include "capi/status.h"

namespace ltx2::capi {

void set_option(ltx2_options& options, const char* name, const char* value) {
    CommandLine command_line;
    OptionSetting setting = command_line.setting(name, value);
    // A value the option's type does not take fails now, with the command line's message.
    in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] { command_line.parse({setting}); });
    if (!command_line.collects_list(setting.option))
        std::erase_if(options.settings, [&](const OptionSetting& s) { return s.option == setting.option; });
    options.settings.push_back(std::move(setting));
}

namespace {

// The values `option` was given, one setting each: none for a flag, the items of an option that
// takes a few (--image) joined by ':' (CLI11 separates the occurrences by an empty result), an
// empty value where one was given ("" as the negative prompt).
std::vector<std::optional<std::string>> values_given(const CLI::Option& option) {
    const std::vector<std::string>& results = option.results();
    if (option.get_expected_max() == 0) return {std::nullopt};
    if (results.empty()) return {option.get_expected_min() == 0 ? std::nullopt : std::optional<std::string>("")};
    std::vector<std::optional<std::string>> values;
    const bool takes_a_few = option.get_expected_max() > 1 && option.get_expected_max() <= 16;
    if (!takes_a_few) {
        for (const std::string& result : results)
            if (!result.empty() || results.size() == 1) values.emplace_back(result);
        return values;
    }
    std::string group;
    for (const std::string& result : results) {
        if (result.empty()) {
            if (!group.empty()) values.emplace_back(group);
            group.clear();
        } else {
            group += (group.empty() ? "" : ":") + result;
        }
    }
    if (!group.empty()) values.emplace_back(group);
    return values;
}

}  // namespace

GivenOptions options_given_on(const CLI::App& parsed) {
    const CommandLine command_line;
    GivenOptions given;
    for (const CLI::Option* option : parsed.get_options()) {
        if (option->count() == 0) continue;
        const std::string& name = option->get_name();  // its first long name, "--frames"
        const CLI::Option* api_option = command_line.app.get_option_no_throw(name);
        if (api_option == nullptr || is_progress_stream_option(name)) continue;
        ltx2_options& into = command_line.place(name) == OptionPlace::Context ? given.models : given.params;
        for (std::optional<std::string>& value : values_given(*option))
            into.settings.push_back(OptionSetting{name.substr(2), name, std::move(value)});
    }
    return given;
}

void refuse_options_of(const ltx2_options& options, OptionPlace elsewhere, const char* call) {
    const CommandLine command_line;
    for (const OptionSetting& s : options.settings) {
        if (command_line.place(s.option) != elsewhere) continue;
        throw StatusError(LTX2_ERROR_INVALID_ARGUMENT,
                          elsewhere == OptionPlace::Context
                              ? fmt::format("option '{}' is a model option (model files, precision, threads, memory "
                                            "budget) of a context: give it to ltx2_context_create, not to {}",
                                            s.name, call)
                              : fmt::format("option '{}' is a parameter of one generation: give it to ltx2_generate, "
                                            "not to {}",
                                            s.name, call));
    }
}

}  // namespace ltx2::capi
