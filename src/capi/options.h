#pragma once
// ltx2_options: the settings of command-line options a caller made, in order, each checked when
// it was made (the option exists, its value has the option's type).
#include <vector>

#include "capi/command_line.h"

struct ltx2_options {
    std::vector<ltx2::capi::OptionSetting> settings;
};

namespace ltx2::capi {

// Records option `name` = `value` (NULL: a flag): an item more for the options that collect a list,
// the new value for the others. Throws StatusError (LTX2_ERROR_INVALID_ARGUMENT) naming the option.
void set_option(ltx2_options& options, const char* name, const char* value);

// The settings of `options` that belong `elsewhere`, refused naming the first and the call it
// belongs to.
void refuse_options_of(const ltx2_options& options, OptionPlace elsewhere, const char* call);

// The options given on a parsed command line of the ltx2 program, as the C API's: the model
// options of a context and the parameters of one generation, each as given (an --image given as
// PATH FRAME STRENGTH becomes PATH:FRAME:STRENGTH). The options the C API does not have (the
// progress stream, --help, --version, the subcommands') are left out.
struct GivenOptions {
    ltx2_options models, params;
};
GivenOptions options_given_on(const CLI::App& parsed);

}  // namespace ltx2::capi
