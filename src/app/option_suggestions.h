#pragma once
// "did you mean --frames?" for a mistyped option: the nearest option name by edit distance.
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ltx2::app {

// The number of single-character insertions, deletions and substitutions turning a into b.
size_t edit_distance(const std::string& a, const std::string& b);

// The name among `names` nearest `unknown` ("--fraems" -> "--frames"), when it is close enough
// to be a typo of it.
std::optional<std::string> nearest_name(const std::string& unknown, const std::vector<std::string>& names);

// One line per argument of argv that looks like an option ("--x", "--x=v") and is none of
// `app`'s or its subcommands': "--fraems: unknown option; did you mean --frames?" (without a
// suggestion when nothing is close).
std::vector<std::string> unknown_option_hints(const CLI::App& app, int argc, const char* const* argv);

}  // namespace ltx2::app
