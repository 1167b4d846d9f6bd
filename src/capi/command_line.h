#pragma once
// The options of the C API: the ltx2 command line's own (add_generation_options: the same names,
// parsing and checks) and --in-memory, recorded as settings and parsed into a CLI::App exactly as
// the ltx2 program parses its arguments.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "app/generation_options.h"

namespace ltx2::capi {

struct OptionSetting {
    std::string name;                  // as given, e.g. "num-frames"
    std::string option;                // the option it sets, by its first long name: "--frames"
    std::optional<std::string> value;  // none for a flag
};

// Where an option belongs: the command line's "Models" group chooses the model files of a
// context; the rest are the parameters of one generation.
enum class OptionPlace { Context, Generation };

// The command line's progress stream (--progress, --progress-fd) writes to a file descriptor;
// the API has its callback instead.
bool is_progress_stream_option(const std::string& option);

struct CommandLine {
    CommandLine();
    CommandLine(const CommandLine&) = delete;  // `app` writes into `cli` and `in_memory`
    CommandLine& operator=(const CommandLine&) = delete;

    // The setting of the option `name` (a long option without its dashes) to `value` (NULL: a
    // flag); throws StatusError (LTX2_ERROR_INVALID_ARGUMENT) when there is no such option.
    OptionSetting setting(const char* name, const char* value) const;
    // Whether each setting of `option` adds an item (--image, --lora, ...) instead of replacing.
    bool collects_list(const std::string& option) const;
    OptionPlace place(const std::string& option) const;
    // Parses the settings, in their order, as command-line arguments; throws CLI::ParseError.
    void parse(const std::vector<OptionSetting>& settings);

    CLI::App app;
    GenerationCli cli;
    bool in_memory = false;  // --in-memory: GenerateRequest::decoded_in_result
};

}  // namespace ltx2::capi
