// ltx2: the command-line program. Generation lands with the pipelines; today it
// validates and describes checkpoints.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/safetensors.h"
#include "ltx2/version.h"

namespace {

// Groups tensor names by their first two dotted components ("model.diffusion_model", "vae.decoder").
std::string component_of(const std::string& name) {
    auto first = name.find('.');
    if (first == std::string::npos) return name;
    auto second = name.find('.', first + 1);
    return second == std::string::npos ? name.substr(0, first) : name.substr(0, second);
}

int inspect(const std::string& path, bool list_tensors) {
    auto file = ltx2::SafetensorsFile::open(path);
    struct Stats {
        size_t tensors = 0;
        uint64_t params = 0;
        std::map<std::string, size_t> dtypes;
    };
    std::map<std::string, Stats> by_component;
    for (const auto& e : file->entries()) {
        auto& s = by_component[component_of(e.name)];
        s.tensors += 1;
        uint64_t n = 1;
        for (auto d : e.shape) n *= uint64_t(d);
        s.params += n;
        s.dtypes[std::string(ltx2::dtype_name(e.dtype))] += 1;
    }
    std::printf("%s: %zu tensors (header valid)\n", path.c_str(), file->entries().size());
    for (const auto& [name, s] : by_component) {
        std::printf("  %-40s %6zu tensors %16llu parameters  ", name.c_str(), s.tensors,
                    static_cast<unsigned long long>(s.params));
        for (const auto& [dt, n] : s.dtypes) std::printf(" %s:%zu", dt.c_str(), n);
        std::printf("\n");
    }
    if (auto config = file->metadata_value("config")) {
        auto json = nlohmann::json::parse(*config, nullptr, false);
        if (json.is_discarded()) {
            std::printf("  config: present but not valid JSON\n");
        } else {
            std::printf("  config sections:");
            for (auto it = json.begin(); it != json.end(); ++it) std::printf(" %s", it.key().c_str());
            std::printf("\n");
        }
    } else {
        std::printf("  no `config` metadata\n");
    }
    if (list_tensors)
        for (const auto& e : file->entries())
            std::printf("%s %s %s\n", e.name.c_str(), std::string(ltx2::dtype_name(e.dtype)).c_str(),
                        ltx2::shape_str(e.shape).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ltx2.cpp: native inference for Lightricks LTX-2 (audio + video diffusion).", "ltx2"};
    app.set_version_flag("--version", "ltx2 " LTX2_VERSION_STRING);
    app.require_subcommand(1);

    std::string path;
    bool list = false;
    auto* cmd = app.add_subcommand("inspect", "validate a .safetensors checkpoint and summarise its contents");
    cmd->add_option("checkpoint", path, "path to a .safetensors file")->required();
    cmd->add_flag("--tensors", list, "also list every tensor with dtype and shape");

    if (argc == 1) {
        std::fprintf(stderr, "%s", app.help().c_str());
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (*cmd) return inspect(path, list);
    } catch (const ltx2::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
