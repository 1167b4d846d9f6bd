// ltx2-fuzz: deterministic mutation fuzzers for the engine's readers of untrusted files
// (--target gguf, safetensors, tokenizer, config, lora, wav, image, hub). From a seed, each
// iteration takes one input (the target's built-in seeds, the files given, a --corpus folder),
// mutates it (mutator.h), writes it and reads everything back as the engine would (the
// target's exercise). Only ltx2::Error may come out; any other exception fails the run (exit
// 1, the input kept beside the work file), and a crash or a sanitizer report ends the process.
// The input being tried is always at the path printed first, so it survives a crash.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <typeinfo>

#include <unistd.h>

#include "fuzz/target.h"

namespace fs = std::filesystem;
using namespace ltx2;
using namespace ltx2::fuzz;

namespace {

const Target* find_target(const std::string& name) {
    for (const Target* t : {&gguf_target(), &safetensors_target(), &tokenizer_target(), &config_target(),
                            &lora_target(), &wav_target(), &image_target(), &hub_target()})
        if (name == t->name) return t;
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Mutation fuzzer for the engine's file readers. Deterministic for a given --target, --seed and\n"
                 "inputs; exit 0 when only ltx2::Error came out, 1 on any other exception.",
                 "ltx2-fuzz"};
    std::string target_name;
    uint64_t seed = 1;
    uint64_t iterations = 10000;
    double seconds = 0;
    std::string corpus, work;
    std::vector<std::string> inputs;
    app.add_option("--target", target_name,
                   "what to fuzz: gguf, safetensors, tokenizer, config, lora, wav, image or hub")
        ->required();
    app.add_option("inputs", inputs, "valid inputs to mutate (the target's built-in ones are always used too)");
    app.add_option("--seed", seed, "random seed");
    app.add_option("--iterations", iterations, "number of mutated inputs to try");
    app.add_option("--seconds", seconds, "stop early after this long (0: no limit)");
    app.add_option("--corpus", corpus, "folder whose files are extra inputs");
    app.add_option("--work-dir", work, "where the input being tried is written (default: a temp folder)");
    CLI11_PARSE(app, argc, argv);

    try {
        const Target* target = find_target(target_name);
        LTX2_CHECK(target != nullptr,
                   "--target {}: unknown (expected gguf, safetensors, tokenizer, config, lora, wav, image or hub)",
                   target_name);
        const std::string program = fmt::format("ltx2-fuzz --target {}", target->name);
        const fs::path dir = work.empty() ? fs::temp_directory_path() /
                                                fmt::format("ltx2-fuzz-{}-{}", target->name, getpid())
                                          : fs::path(work);
        fs::create_directories(dir);
        std::vector<Seed> seeds = target->seeds(dir);
        if (!corpus.empty()) {
            LTX2_CHECK(fs::is_directory(corpus), "--corpus {}: not a folder", corpus);
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(corpus))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());  // directory order is not deterministic
            for (const auto& f : files) inputs.push_back(f.string());
        }
        for (const std::string& in : inputs)
            seeds.push_back(target->analyze ? target->analyze(in, read_file(in), dir) : Seed{in, read_file(in)});

        const std::string path = (dir / (std::string("input") + target->extension)).string();
        std::printf("%s: seed %llu, %llu iterations over %zu inputs; the input being tried is %s\n", program.c_str(),
                    (unsigned long long)seed, (unsigned long long)iterations, seeds.size(), path.c_str());
        std::fflush(stdout);
        uint64_t opened = 0, items = 0;
        // Tries `bytes`; false (with the input kept and reported) when anything but Error escaped.
        auto try_input = [&](const Bytes& bytes, const std::string& what) {
            write_file(path, bytes);
            try {
                const Outcome o = target->exercise(path, dir);
                opened += o.opened;
                items += o.items;
                return true;
            } catch (const std::exception& e) {
                const fs::path kept = dir / fmt::format("failure-seed{}{}", seed, target->extension);
                fs::copy_file(path, kept, fs::copy_options::overwrite_existing);
                std::fprintf(stderr, "FAIL on %s: %s escaped: %s\ninput kept at %s\n", what.c_str(), typeid(e).name(),
                             e.what(), kept.c_str());
                return false;
            }
        };
        for (const Seed& s : seeds)  // as given first: a corpus may hold inputs that once failed
            if (!try_input(s.bytes, "input " + s.name)) return 1;
        Mutator mutator(seed);
        const auto start = std::chrono::steady_clock::now();
        uint64_t done = 0;
        for (; done < iterations; ++done) {
            if (seconds > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > seconds)
                break;
            const Seed& s = seeds[mutator.below(seeds.size())];
            if (!try_input(mutator.mutate(s), fmt::format("iteration {} (a mutation of {})", done, s.name))) return 1;
        }
        std::printf("%s: %llu inputs tried, %llu accepted, %llu items read; only ltx2::Error came out\n",
                    program.c_str(), (unsigned long long)done, (unsigned long long)opened, (unsigned long long)items);
        if (work.empty()) fs::remove_all(dir);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
