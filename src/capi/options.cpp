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
