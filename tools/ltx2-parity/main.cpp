// ltx2-parity IO_FILE: runs a golden fixture's computation and compares every output.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>

#include "core/error.h"
#include "parity/parity.h"

int main(int argc, char** argv) {
    CLI::App app{"Checks ltx2.cpp against a golden fixture (NAME.io.safetensors) from the official reference.\n"
                 "Prints one line per checked output; exit 0 only if all pass, 1 on a failure,\n"
                 "2 on an unknown kind or unreadable input.",
                 "ltx2-parity"};
    std::string io_path, weights, tokenizer;
    std::optional<double> tol;
    app.add_option("io_file", io_path, "fixture io file (its `kind` metadata picks the computation)")->required();
    app.add_option("--tol", tol, "tolerance on max|err| / max|ref| for every output (default: the golden README's)");
    app.add_option("--weights", weights, "weights file to use instead of the one the fixture names");
    app.add_option("--tokenizer", tokenizer,
                   "tokenizer.json for fixtures that tokenize a prompt (default: the one the fixture names, "
                   "gemma3_tokenizer/tokenizer.json beside the io file)");
    bool list = false;
    app.add_flag("--list-kinds", list, "print the kinds this build can check and exit");
    if (argc > 1 && std::string(argv[1]) == "--list-kinds") {
        for (const auto& k : ltx2::parity_kind_names()) std::printf("%s\n", k.c_str());
        return 0;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (tol && !(*tol >= 0)) {
        std::fprintf(stderr, "error: --tol must be a non-negative number, got %g\n", *tol);
        return 2;
    }
    try {
        ltx2::ParityRun run(io_path, tol, weights);
        run.set_tokenizer_override(tokenizer);
        const std::string kind = run.kind();
        auto fn = ltx2::find_parity_kind(kind);
        if (!fn) {
            std::fprintf(stderr, "error: %s: unknown kind '%s' (known: ", io_path.c_str(), kind.c_str());
            auto names = ltx2::parity_kind_names();
            for (size_t i = 0; i < names.size(); ++i) std::fprintf(stderr, "%s%s", i ? ", " : "", names[i].c_str());
            std::fprintf(stderr, ")\n");
            return 2;
        }
        fn(run);
        for (const auto& c : run.checks())
            std::printf("%-48s max_abs_err %.3e  rel_err %.3e  tol %.1e  %s\n", c.name.c_str(), c.max_abs_err,
                        c.rel_err, c.tolerance, c.pass ? "PASS" : "FAIL");
        if (run.checks().empty()) {
            std::fprintf(stderr, "error: %s: no output was checked\n", io_path.c_str());
            return 1;
        }
        std::size_t failed = 0;
        for (const auto& c : run.checks()) failed += !c.pass;
        std::printf("%s: %zu checked, %zu failed\n", kind.c_str(), run.checks().size(), failed);
        return failed ? 1 : 0;
    } catch (const ltx2::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s: %s\n", io_path.c_str(), e.what());
        return 2;
    }
}
