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

}  // namespace ltx2::capi
