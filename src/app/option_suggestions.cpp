#include "app/option_suggestions.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <numeric>
#include <set>

namespace ltx2::app {

namespace {

// "--name" of every long option of `app` and of its subcommands.
void collect_option_names(const CLI::App& app, std::set<std::string>& names) {
    for (const CLI::Option* option : app.get_options())
        for (const std::string& name : option->get_lnames()) names.insert("--" + name);
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        collect_option_names(*sub, names);
}

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), size_t(0));
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string> nearest_name(const std::string& unknown, const std::vector<std::string>& names) {
    // A third of the name may be wrong, at least two characters (a swap of neighbours counts two).
    const size_t tolerated = std::max<size_t>(2, unknown.size() / 3);
    std::optional<std::string> best;
    size_t best_distance = tolerated + 1;
    for (const std::string& name : names) {
        const size_t d = edit_distance(unknown, name);
        if (d < best_distance) {
            best_distance = d;
            best = name;
        }
    }
    return best;
}

std::vector<std::string> unknown_option_hints(const CLI::App& app, int argc, const char* const* argv) {
    std::set<std::string> known;
    collect_option_names(app, known);
    const std::vector<std::string> names(known.begin(), known.end());
    std::vector<std::string> hints;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") break;  // what follows is a value, whatever it looks like
        if (arg.size() < 3 || arg.rfind("--", 0) != 0) continue;
        const std::string name = arg.substr(0, arg.find('='));
        if (known.count(name)) continue;
        const auto suggestion = nearest_name(name, names);
        hints.push_back(suggestion ? name + ": unknown option; did you mean " + *suggestion + "?"
                                   : name + ": unknown option (ltx2 --help lists them)");
    }
    return hints;
}

}  // namespace ltx2::app
