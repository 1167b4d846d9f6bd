// ltx2-quantize IN OUT --type TYPE: an official safetensors checkpoint (the LTX-2 single file, or a
// Gemma 3 folder / *.safetensors.index.json) to a GGUF file whose 2-D `*.weight` matrices are
// quantized to TYPE. LTX-2: tensor names are kept exactly as in the checkpoint; every other tensor
// (norms, biases, convolutions, AdaLN scale_shift tables, rows that are not a whole number of
// blocks) keeps its stored float type (BF16, F16 or F32; other float types become F32). Gemma 3:
// llama.cpp's layout instead (gemma_gguf.h).
// Weights whose blocks have max |x| below about 4e-3 lose precision: ggml's f16 block scales
// go subnormal there (and underflow to zero below about 1e-5).
// --type fp8 instead writes the official LTX-2 fp8 safetensors layout (fp8_checkpoint.h).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "io/gguf_writer.h"
#include "io/live_temps.h"
#include "io/output_path_checks.h"
#include "io/weight_store.h"
#include "fp8_checkpoint.h"
#include "gemma_gguf.h"
#include "quantize_support.h"

namespace fs = std::filesystem;
using namespace ltx2;

namespace {

constexpr TargetType kTargets[] = {{"q8_0", GgmlType::Q8_0, 7},
                                   {"q4_k", GgmlType::Q4_K, 14},
                                   {"q5_k", GgmlType::Q5_K, 16},
                                   {"q6_k", GgmlType::Q6_K, 18}};

const TargetType& target_for(const std::string& option) {
    for (const auto& t : kTargets)
        if (option == t.option) return t;
    fail("--type '{}' is not known: expected q8_0, q4_k, q5_k, q6_k or fp8", option);
}

// The checkpoint file or index inside IN, and the config.json beside it (empty if none).
struct Checkpoint {
    std::string weights;
    std::string config_json;
};

Checkpoint locate_checkpoint(const std::string& in) {
    LTX2_CHECK(fs::exists(in), "{}: no such file or folder (expected a .safetensors file, an index or a folder)", in);
    Checkpoint c;
    fs::path folder;
    if (fs::is_directory(in)) {
        folder = in;
        std::vector<fs::path> indexes, files;
        for (const auto& e : fs::directory_iterator(in)) {
            const std::string name = e.path().filename().string();
            if (name.ends_with(".safetensors.index.json")) indexes.push_back(e.path());
            else if (name.ends_with(".safetensors")) files.push_back(e.path());
        }
        if (indexes.size() == 1) c.weights = indexes.front().string();
        else if (indexes.empty() && files.size() == 1) c.weights = files.front().string();
        else
            fail("{}: expected one *.safetensors.index.json or one *.safetensors file in the folder, found {} and {}",
                 in, indexes.size(), files.size());
    } else {
        c.weights = in;
        folder = fs::path(in).parent_path();
    }
    if (fs::is_directory(in) || c.weights.ends_with(".index.json")) {
        const fs::path cfg = folder / "config.json";
        if (fs::exists(cfg)) c.config_json = cfg.string();
    }
    return c;
}

// The model config: config.json beside a folder checkpoint, else the file's `config` metadata.
std::string read_config(const Checkpoint& c, const WeightStore& store) {
    if (!c.config_json.empty()) {
        std::ifstream f(c.config_json);
        LTX2_CHECK(f.good(), "{}: cannot read", c.config_json);
        try {
            return nlohmann::json::parse(f).dump();
        } catch (const nlohmann::json::exception& e) {
            fail("{}: not valid JSON: {}", c.config_json, e.what());
        }
    }
    try {
        return store.config().dump();
    } catch (const Error&) {
        return "";  // a checkpoint without config metadata: nothing to copy
    }
}

bool is_gemma(const std::string& config, const std::vector<std::string>& names) {
    if (!config.empty()) {
        const auto j = nlohmann::json::parse(config);
        if (j.contains("model_type") && j["model_type"].is_string() &&
            j["model_type"].get<std::string>().starts_with("gemma"))
            return true;
    }
    return std::any_of(names.begin(), names.end(),
                       [](const std::string& n) { return n.find("language_model.") != std::string::npos; });
}

bool stored_as_is(DType d) { return d == DType::BF16 || d == DType::F16 || d == DType::F32; }

GgmlType ggml_float_type(DType d) {
    switch (d) {
        case DType::BF16: return GgmlType::BF16;
        case DType::F16: return GgmlType::F16;
        default: return GgmlType::F32;
    }
}

// GGUF holds at most 4 dims: leading dims of a 5-D/6-D tensor (3-D convolutions) are merged.
Shape gguf_shape(const Shape& s) {
    if (s.size() <= 4) return s;
    Shape out{1};
    for (size_t i = 0; i + 3 < s.size(); ++i) out[0] *= s[i];
    out.insert(out.end(), s.end() - 3, s.end());
    return out;
}

bool is_gguf(const std::string& path) {
    if (path.ends_with(".gguf")) return true;
    std::ifstream f(path, std::ios::binary);
    char magic[4] = {};
    return f.read(magic, 4) && std::memcmp(magic, "GGUF", 4) == 0;
}

// The official fp8 layout exists for the LTX-2 transformer only, from its bf16 single file.
int run_fp8(const std::string& in, const std::string& out) {
    LTX2_CHECK(!is_gguf(in), "{}: --type fp8 converts a bf16 safetensors checkpoint, not a GGUF file", in);
    LTX2_CHECK(!out.ends_with(".gguf"), "{}: --type fp8 writes a safetensors file (name it *.safetensors)", out);
    const Checkpoint ckpt = locate_checkpoint(in);
    const WeightStore store = WeightStore::open(ckpt.weights);
    LTX2_CHECK(!is_gemma(read_config(ckpt, store), store.names()),
               "{}: this is a Gemma checkpoint; --type fp8 writes the LTX-2 transformer's fp8 layout only (use a "
               "GGUF type such as q8_0 for Gemma)",
               in);
    LTX2_CHECK(!ckpt.weights.ends_with(".json"),
               "{}: --type fp8 takes the single-file LTX-2 checkpoint (.safetensors), not a sharded index", in);
    write_fp8_checkpoint(ckpt.weights, out);
    return 0;
}

int run_gguf(const std::string& in, const std::string& out, const TargetType& target) {
    const Checkpoint ckpt = locate_checkpoint(in);
    const WeightStore store = WeightStore::open(ckpt.weights);
    const std::vector<std::string> names = store.names();
    LTX2_CHECK(!names.empty(), "{}: holds no tensors", ckpt.weights);
    const std::string config = read_config(ckpt, store);
    if (is_gemma(config, names)) {
        write_gemma3_gguf(store, ckpt.weights, fs::path(in).filename().string(), target, out);
        return 0;
    }

    GgufWriter writer;
    writer.set_string("general.architecture", "ltx2");
    set_quantized_file_metadata(writer, fs::path(in).filename().string(), target);
    if (!config.empty()) writer.set_string("ltx2.config", config);
    if (const auto version = store.metadata("model_version")) writer.set_string("ltx2.model_version", *version);

    const int64_t block = ggml_type_traits(target.type).block_elems;
    Progress progress(names.size());
    nlohmann::json original_shapes = nlohmann::json::object();
    size_t quantized = 0;
    // Called after a tensor's bytes are written: its pages of the mapping are not needed again.
    auto finished = [&](const std::string& name, size_t bytes_in) {
        progress.done(name, bytes_in);
        store.release(name);
    };
    for (const std::string& name : names) {
        const Tensor t = store.get(name).contiguous();
        LTX2_CHECK(dtype_is_float(t.dtype()), "{}: tensor '{}' has dtype {}, expected a float type", ckpt.weights,
                   name, dtype_name(t.dtype()));
        const Shape shape = t.shape();
        const size_t bytes_in = t.nbytes();
        const bool quantize_it =
            name.ends_with(".weight") && shape.size() == 2 && shape[1] % block == 0 && shape[0] > 0;
        if (quantize_it) {
            ++quantized;
            add_rows_tensor(writer, name, target.type, shape, t, name, nullptr,
                            [&, name, bytes_in] { finished(name, bytes_in); });
            continue;
        }
        const Shape stored = gguf_shape(shape);
        if (stored != shape) original_shapes[name] = shape;
        if (stored_as_is(t.dtype())) {
            writer.add_tensor(name, ggml_float_type(t.dtype()), stored, [&, t, name, bytes_in](std::byte* dst, size_t n) {
                std::memcpy(dst, t.raw(), n);
                finished(name, bytes_in);
            });
        } else {
            writer.add_tensor(name, GgmlType::F32, stored, [&, t, name, bytes_in](std::byte* dst, size_t) {
                convert(t.raw(), t.dtype(), dst, DType::F32, size_t(t.numel()));
                finished(name, bytes_in);
            });
        }
    }
    if (!original_shapes.empty()) writer.set_string("ltx2.original_shapes", original_shapes.dump());
    writer.write(out);
    std::fprintf(stderr, "%s: %zu tensors, %zu quantized to %s\n", out.c_str(), names.size(), quantized,
                 std::string(ggml_type_name(target.type)).c_str());
    return 0;
}

// OUTPUT may be none of the files the checkpoint is read from (IN, or any file in its folder for a
// folder or an index), by any path; checked before any work.
void check_output(const std::string& in, const std::string& out) {
    check_output_file_path({"output", out});
    std::vector<NamedPath> inputs{{"input", in}};
    std::error_code ec;
    if (fs::is_directory(in, ec) || in.ends_with(".index.json")) {
        fs::path folder = fs::is_directory(in, ec) ? fs::path(in) : fs::path(in).parent_path();
        if (folder.empty()) folder = ".";
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
            if (std::error_code kind_ec; it->is_regular_file(kind_ec)) inputs.push_back({"the checkpoint folder's file", it->path().string()});
    }
    check_outputs_spare_inputs({{"output", out}}, inputs);
}

}  // namespace

int main(int argc, char** argv) {
    remove_live_temps_on_signals();
    CLI::App app{"Quantizes an LTX-2 or Gemma 3 safetensors checkpoint to GGUF. 2-D `*.weight` matrices whose rows\n"
                 "are a whole number of blocks (32 values for q8_0, 256 for the K types) are quantized. LTX-2:\n"
                 "other tensors keep their float type, names are those of the checkpoint and its config goes to\n"
                 "the `ltx2.config` key. Gemma 3: llama.cpp's layout (gemma3 metadata from config.json, llama.cpp\n"
                 "names, text model only, norms F32 as 1 + w, matrices of partial blocks F16, tokenizer.json's\n"
                 "vocabulary embedded), readable by llama.cpp and `ltx2 --gemma`.\n"
                 "--type fp8 writes the official LTX-2 fp8 safetensors layout instead:\n"
                 "transformer-block Linear weights as float8_e4m3fn with per-tensor weight_scale (and a\n"
                 "placeholder input_scale of 1), the rest copied. Exit 0 on success, 1 on an error, 2 on bad usage.",
                 "ltx2-quantize"};
    std::string in, out, type;
    app.add_option("input", in, "checkpoint: a .safetensors file, a *.safetensors.index.json or a folder")
        ->required();
    app.add_option("output", out, "GGUF (or, for fp8, .safetensors) file to write (written atomically)")->required();
    app.add_option("--type", type, "q8_0, q4_k, q5_k, q6_k or fp8")->required();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    const TargetType* target = nullptr;
    try {
        if (type != "fp8") target = &target_for(type);
    } catch (const ltx2::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    try {
        check_output(in, out);
        return target ? run_gguf(in, out, *target) : run_fp8(in, out);
    } catch (const ltx2::Error& e) {
        std::fprintf(stderr, "%serror: %s\n", isatty(STDERR_FILENO) ? "\n" : "", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%serror: %s: %s\n", isatty(STDERR_FILENO) ? "\n" : "", in.c_str(), e.what());
        return 1;
    }
}
