#pragma once
// Helpers shared by the test files: a self-deleting temp folder and error-message checks.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <regex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "parity/kinds.h"
#include "parity/parity.h"

namespace ltx2::test {

// A fresh folder under the system temp dir, removed with everything in it.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag = "ltx2-test") {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path / name).string(); }
};

// The temporary files an interrupted or failed write could leave beside `path`: the writers' own
// temps (".NAME.ltx2-tmp-PID-RANDOM", io/sibling_temp.h) and the fixed "PATH.tmp" of earlier code.
inline std::vector<std::string> temps_beside(const std::string& path) {
    const std::filesystem::path target(path);
    const std::string name = target.filename().string();
    std::vector<std::string> temps;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(target.parent_path(), ec)) {
        const std::string entry = e.path().filename().string();
        if (entry.starts_with("." + name + ".ltx2-tmp-") || entry == name + ".tmp") temps.push_back(entry);
    }
    return temps;
}

// max |a − b| over all elements (INFINITY when a NaN appears in only one); the shapes must match.
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
    EXPECT_EQ(a.shape(), b.shape());
    return compare_tensors("difference", a, b, 0.0).max_abs_err;
}

// `model` (a .safetensors with a JSON `config` metadata entry) rewritten as `out`: metadata
// entries replaced, transformer config keys set (null: removed), tensors dropped and added.
inline void write_edited_model(const std::string& model, const std::string& out,
                               const std::map<std::string, std::string>& meta, const nlohmann::json& config_edits,
                               const std::vector<std::pair<std::string, Tensor>>& add = {},
                               const std::vector<std::string>& drop = {}) {
    auto f = SafetensorsFile::open(model);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries())
        if (std::find(drop.begin(), drop.end(), e.name) == drop.end()) tensors.emplace_back(e.name, f->tensor(e.name));
    for (const auto& a : add) tensors.push_back(a);
    nlohmann::json config = nlohmann::json::parse(*f->metadata_value("config"));
    for (const auto& [key, value] : config_edits.items()) {
        if (value.is_null())
            config["transformer"].erase(key);
        else
            config["transformer"][key] = value;
    }
    std::map<std::string, std::string> metadata{{"config", config.dump()}};
    if (const auto version = f->metadata_value("model_version")) metadata["model_version"] = *version;
    for (const auto& [k, v] : meta) metadata[k] = v;
    write_safetensors(out, tensors, metadata);
}

// Runs fn, which must throw ltx2::Error whose message contains every fragment.
template <class Fn>
void expect_error(Fn&& fn, const std::vector<std::string>& fragments) {
    try {
        fn();
        ADD_FAILURE() << "expected ltx2::Error containing '" << fragments.front() << "', nothing thrown";
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const auto& f : fragments)
            EXPECT_NE(message.find(f), std::string::npos) << "message: " << message << "\nmissing: " << f;
    }
}

// Runs a golden fixture (tests/golden/AREA/FILE) through a parity kind: every check must pass
// and at least `min_checks` must have run.
inline void expect_fixture_passes(const std::string& area, const std::string& file, void (*kind)(ParityRun&),
                                  size_t min_checks) {
    const std::filesystem::path p = std::filesystem::path(LTX2_GOLDEN_DIR) / area / file;
    ASSERT_TRUE(std::filesystem::exists(p)) << p;
    ParityRun run(p.string(), std::nullopt, "");
    kind(run);
    for (const auto& c : run.checks())
        EXPECT_TRUE(c.pass) << file << " " << c.name << " abs " << c.max_abs_err << " rel " << c.rel_err << " tol "
                            << c.tolerance;
    EXPECT_TRUE(run.all_passed()) << file;
    EXPECT_GE(run.checks().size(), min_checks) << file;
}

// Runs a fixture through the parity kind its `kind` metadata names (`expected_kind` when given must
// match): every check must pass. Returns how many `out.` tensors were checked.
inline size_t run_fixture_by_kind(const std::string& io_path, const std::string& expected_kind = "") {
    ParityRun run(io_path, std::nullopt, "");
    if (!expected_kind.empty()) {
        EXPECT_EQ(run.kind(), expected_kind) << io_path;
    }
    ParityKindFn fn = find_parity_kind(run.kind());
    EXPECT_NE(fn, nullptr) << io_path;
    if (!fn) return 0;
    fn(run);
    for (const auto& c : run.checks())
        EXPECT_TRUE(c.pass) << io_path << ": " << c.name << " rel_err " << c.rel_err << " > tol " << c.tolerance;
    EXPECT_TRUE(run.all_passed()) << io_path;
    size_t outputs = 0;
    for (const auto& c : run.checks()) outputs += c.name.rfind("out.", 0) == 0;
    return outputs;
}

// A copy of a model file in `dir` with its tensors and `config` metadata edited (other metadata kept).
using TensorMap = std::map<std::string, Tensor>;
inline std::string write_model_variant(const std::string& model, const TempDir& dir,
                                       const std::function<void(TensorMap&, nlohmann::json&)>& edit,
                                       const std::string& name = "variant.safetensors") {
    const auto file = SafetensorsFile::open(model);
    TensorMap tensors;
    for (const auto& e : file->entries()) tensors[e.name] = file->tensor(e.name);
    std::map<std::string, std::string> metadata = file->metadata();
    nlohmann::json config = nlohmann::json::parse(metadata.at("config"));
    edit(tensors, config);
    metadata["config"] = config.dump();
    const std::string path = dir.file(name);
    write_safetensors(path, std::vector<std::pair<std::string, Tensor>>(tensors.begin(), tensors.end()), metadata);
    return path;
}

// The golden READMEs' bf16 criterion for a bf16-compute result against a float32 golden:
// cosine >= 0.9995 and max |error| <= 5 % of the reference's absmax; with `must_differ`, also
// not bit-identical (else the bf16 arithmetic was not exercised).
inline void expect_bf16_agreement(const Tensor& got, const Tensor& ref, const std::string& what,
                                  bool must_differ = true) {
    const std::vector<float> g = got.to_vector(), r = ref.to_vector();
    ASSERT_EQ(g.size(), r.size()) << what;
    double dot = 0, gg = 0, rr = 0, max_err = 0, absmax = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        dot += double(g[i]) * r[i];
        gg += double(g[i]) * g[i];
        rr += double(r[i]) * r[i];
        max_err = std::max(max_err, std::fabs(double(g[i]) - r[i]));
        absmax = std::max(absmax, std::fabs(double(r[i])));
    }
    EXPECT_GE(dot / std::sqrt(gg * rr), 0.9995) << what;
    EXPECT_LE(max_err, 0.05 * absmax) << what;
    if (must_differ) {
        EXPECT_GT(max_err, 0.0) << what << ": identical to the float32 golden, so bf16 arithmetic was not exercised";
    }
}

// A manifest's tensor list ([{name, shape}, ...]) as BF16 entries, like the release files.
inline std::vector<TensorEntry> manifest_entries(const nlohmann::json& list) {
    std::vector<TensorEntry> entries;
    for (const auto& t : list) {
        TensorEntry e;
        e.name = t.at("name").get<std::string>();
        e.dtype = DType::BF16;
        e.shape = t.at("shape").get<Shape>();
        entries.push_back(e);
    }
    return entries;
}

// A full-size checkpoint from tests/golden/manifest/MANIFEST as a sparse file (real header,
// data a hole): every tensor of its `tensors` list, and of the lists at the given JSON pointers,
// stored as BF16 like the release files; `config` metadata from `config_metadata`.
// Returns the file's path and the number of tensors in it.
inline std::pair<std::string, size_t> write_manifest_checkpoint(const std::string& manifest, const TempDir& dir,
                                                                const std::vector<std::string>& extra_lists = {}) {
    std::ifstream in(std::string(LTX2_GOLDEN_DIR) + "/manifest/" + manifest);
    if (!in) fail("cannot open tests/golden/manifest/{}", manifest);
    const nlohmann::json m = nlohmann::json::parse(in);
    std::vector<TensorEntry> entries;
    auto add = [&](const nlohmann::json& list) {
        for (TensorEntry& e : manifest_entries(list)) entries.push_back(std::move(e));
    };
    add(m.at("tensors"));
    for (const auto& pointer : extra_lists) add(m.at(nlohmann::json::json_pointer(pointer)));
    const nlohmann::json& cfg = m.at("config_metadata");
    const std::string path = dir.file(manifest + ".sparse.safetensors");
    write_sparse_safetensors(path, entries, {{"config", cfg.is_string() ? cfg.get<std::string>() : cfg.dump()}});
    return {path, entries.size()};
}

// Every fragment occurs in `text`.
inline void expect_contains(const std::string& text, const std::vector<std::string>& fragments) {
    for (const auto& f : fragments) EXPECT_NE(text.find(f), std::string::npos) << "missing '" << f << "' in:\n" << text;
}

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs a shell command line, capturing its output and exit status.
inline CommandResult run_command(const std::string& command) {
    CommandResult r;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
    int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// Every output rel_err `ltx2-parity FIXTURE --weights WEIGHTS --tol TOL` printed, by output name.
inline std::map<std::string, double> parity_output_errors(const std::string& fixture, const std::string& weights,
                                                          double tol, int* exit_code) {
    const auto r = run_command(fmt::format("'{}' '{}' --weights '{}' --tol {}", LTX2_PARITY_BIN, fixture, weights, tol));
    *exit_code = r.exit_code;
    std::map<std::string, double> errors;
    const std::regex line(R"((out\.[\w.]+)\s+max_abs_err \S+\s+rel_err (\S+))");
    for (std::sregex_iterator it(r.output.begin(), r.output.end(), line), end; it != end; ++it)
        errors[(*it)[1]] = std::stod((*it)[2]);
    EXPECT_FALSE(errors.empty()) << r.output;
    return errors;
}

}  // namespace ltx2::test
