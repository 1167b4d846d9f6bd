// Golden-parity kinds of latent conditioning (ltx_core.conditioning.types and the pipelines'
// create_noised_state). The target shape, fps and every item come from the fixture's metadata:
// `items` (JSON list of constructor arguments) or the recorded Python call text.
#include <algorithm>
#include <cctype>
#include <optional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "diffusion/conditioning.h"
#include "diffusion/patchifiers.h"
#include "core/torch_rng.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

constexpr double kExact = 0.0;
constexpr double kPositionTol = 1e-7;  // positions carry time ÷ fps

using json = nlohmann::json;
using Args = std::map<std::string, std::string>;  // parameter name -> value text

std::string trim(const std::string& s) {
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return s.substr(a, b - a);
}

// The constructor parameters of each item type, in positional order.
const std::vector<std::string>& item_params(const std::string& type) {
    static const std::map<std::string, std::vector<std::string>> params = {
        {"VideoConditionByLatentIndex", {"latent", "strength", "latent_idx"}},
        {"VideoConditionByKeyframeIndex", {"keyframes", "frame_idx", "strength"}},
        {"VideoConditionByReferenceLatent", {"latent", "downscale_factor", "strength"}},
    };
    auto it = params.find(type);
    LTX2_CHECK(it != params.end(), "conditioning: unknown item type '{}'", type);
    return it->second;
}

// Every `Type(args)` of a known item type in a recorded Python call, in order of appearance,
// with positional arguments named after the constructor's parameters.
std::vector<std::pair<std::string, Args>> parse_item_calls(const std::string& text, const std::string& ctx) {
    static const char* kTypes[] = {"VideoConditionByLatentIndex", "VideoConditionByKeyframeIndex",
                                   "VideoConditionByReferenceLatent"};
    std::vector<std::pair<size_t, std::string>> found;
    for (const char* t : kTypes) {
        const std::string pat = std::string(t) + "(";
        for (size_t p = text.find(pat); p != std::string::npos; p = text.find(pat, p + 1)) found.emplace_back(p, t);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::pair<std::string, Args>> out;
    for (const auto& [pos, type] : found) {
        size_t i = pos + type.size() + 1;
        int depth = 0;
        std::vector<std::string> parts(1);
        for (; i < text.size(); ++i) {
            const char ch = text[i];
            if (ch == '(' || ch == '[') ++depth;
            if (ch == ')' || ch == ']') {
                if (depth == 0) break;
                --depth;
            }
            if (ch == ',' && depth == 0)
                parts.emplace_back();
            else
                parts.back() += ch;
        }
        LTX2_CHECK(i < text.size(), "{}: unterminated call {}(...) in the metadata", ctx, type);
        const auto& names = item_params(type);
        Args args;
        size_t positional = 0;
        for (const std::string& raw : parts) {
            const std::string a = trim(raw);
            if (a.empty()) continue;
            const size_t eq = a.find('=');
            if (eq != std::string::npos) {
                args[trim(a.substr(0, eq))] = trim(a.substr(eq + 1));
            } else {
                LTX2_CHECK(positional < names.size(), "{}: too many arguments in {}(...)", ctx, type);
                args[names[positional++]] = a;
            }
        }
        out.emplace_back(type, std::move(args));
    }
    return out;
}

// A JSON list of {parameter: value} objects (the `items` metadata) as Args.
Args json_args(const json& j) {
    Args a;
    for (auto it = j.begin(); it != j.end(); ++it)
        a[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    return a;
}

const std::string& arg(const Args& a, const std::string& key, const std::string& type, const std::string& ctx) {
    auto it = a.find(key);
    LTX2_CHECK(it != a.end(), "{}: {} item without '{}'", ctx, type, key);
    return it->second;
}

double arg_double(const Args& a, const std::string& key, double def, const std::string& type, const std::string& ctx) {
    auto it = a.find(key);
    if (it == a.end()) return def;
    try {
        return std::stod(it->second);
    } catch (const std::exception&) {
        fail("{}: {} argument {}='{}' is not a number", ctx, type, key, it->second);
    }
}

int64_t arg_int(const Args& a, const std::string& key, const std::string& type, const std::string& ctx) {
    const std::string& v = arg(a, key, type, ctx);
    try {
        size_t used = 0;
        const int64_t r = std::stoll(v, &used);
        LTX2_CHECK(used == v.size(), "{}: {} argument {}='{}' is not an integer", ctx, type, key, v);
        return r;
    } catch (const Error&) {
        throw;
    } catch (const std::exception&) {
        fail("{}: {} argument {}='{}' is not an integer", ctx, type, key, v);
    }
}

VideoConditioning make_item(const ParityRun& run, const std::string& type, const Args& a) {
    const std::string ctx = run.io_path();
    if (type == "VideoConditionByLatentIndex") {
        VideoConditionByLatentIndex it;
        it.latent = run.input(arg(a, "latent", type, ctx));
        arg(a, "strength", type, ctx);  // required by the constructor
        it.strength = arg_double(a, "strength", 1.0, type, ctx);
        it.latent_idx = arg_int(a, "latent_idx", type, ctx);
        return it;
    }
    if (type == "VideoConditionByKeyframeIndex") {
        VideoConditionByKeyframeIndex it;
        it.keyframes = run.input(arg(a, "keyframes", type, ctx));
        it.frame_idx = arg_int(a, "frame_idx", type, ctx);
        arg(a, "strength", type, ctx);  // required by the constructor
        it.strength = arg_double(a, "strength", 1.0, type, ctx);
        return it;
    }
    VideoConditionByReferenceLatent it;
    it.latent = run.input(arg(a, "latent", type, ctx));
    it.downscale_factor = a.count("downscale_factor") ? arg_int(a, "downscale_factor", type, ctx) : 1;
    it.strength = arg_double(a, "strength", 1.0, type, ctx);
    return it;
}

// VideoLatentTools(VideoLatentPatchifier(1), latent shape, fps) from `pixel_shape` (fps, and the
// latent shape when `latent_shape` is absent; channels then from `channels_from`).
VideoLatentTools tools_from_meta(const ParityRun& run, const Tensor* channels_from = nullptr) {
    const json px = run.meta_json("pixel_shape");
    VideoLatentTools tools;
    tools.patchifier = VideoLatentPatchifier(1);
    tools.fps = px.at("fps").get<double>();
    if (run.has_meta("latent_shape")) {
        tools.target_shape = VideoLatentShape::from_shape(run.meta_json("latent_shape").get<Shape>());
    } else {
        LTX2_CHECK(channels_from && channels_from->dim() == 5, "{}: no latent_shape metadata and no latent to take "
                   "the channel count from", run.io_path());
        tools.target_shape =
            video_latent_shape_from_pixels(px.at("batch").get<int64_t>(), px.at("frames").get<int64_t>(),
                                           px.at("height").get<int64_t>(), px.at("width").get<int64_t>(),
                                           channels_from->size(1));
    }
    return tools;
}

void compare_state(ParityRun& run, const std::string& prefix, const LatentState& s, bool required = true) {
    auto cmp = [&](const std::string& n, const Tensor& t, double tol) {
        if (required)
            run.compare(prefix + n, t, tol);
        else
            run.compare_if_present(prefix + n, t, tol);
    };
    cmp("latent", s.latent, kExact);
    cmp("clean_latent", s.clean_latent, kExact);
    cmp("denoise_mask", s.denoise_mask, kExact);
    cmp("positions", s.positions, kPositionTol);
}

// The base state from in.initial_latent, checked against in.state.* when stored.
LatentState base_state(ParityRun& run, const VideoLatentTools& tools) {
    LatentState st = tools.create_initial_state(run.input("in.initial_latent"));
    compare_state(run, "in.state.", st, false);
    return st;
}

std::vector<VideoConditioning> items_from_meta(const ParityRun& run) {
    std::vector<VideoConditioning> items;
    const json list = run.meta_json("items");
    LTX2_CHECK(list.is_array() && !list.empty(), "{}: metadata 'items' must be a non-empty list", run.io_path());
    const std::string type = run.kind() == "conditioning.keyframe" ? "VideoConditionByKeyframeIndex"
                                                                   : "VideoConditionByLatentIndex";
    for (const json& j : list) items.push_back(make_item(run, type, json_args(j)));
    return items;
}

}  // namespace

// ---- conditioning.latent_index --------------------------------------------------------------

void parity_conditioning_latent_index(ParityRun& run) {
    const VideoLatentTools tools = tools_from_meta(run);
    const LatentState st = state_with_conditionings(base_state(run, tools), items_from_meta(run), tools);
    compare_state(run, "out.state.", st);
}

// ---- conditioning.keyframe ------------------------------------------------------------------

void parity_conditioning_keyframe(ParityRun& run) {
    const VideoLatentTools tools = tools_from_meta(run);
    const LatentState st = state_with_conditionings(base_state(run, tools), items_from_meta(run), tools);
    compare_state(run, "out.state.", st);
    const LatentState cleared = tools.clear_conditioning(st);
    compare_state(run, "out.cleared.", cleared);
    const LatentState un = tools.unpatchify(cleared);
    run.compare("out.unpatchified.latent", un.latent, kExact);
    run.compare("out.unpatchified.denoise_mask", un.denoise_mask, kExact);
    run.compare_if_present("out.unpatchified.clean_latent", un.clean_latent, kExact);
}

// ---- conditioning.reference_video -----------------------------------------------------------

void parity_conditioning_reference_video(ParityRun& run) {
    const std::string ctx = run.io_path();
    const VideoLatentTools tools = tools_from_meta(run);
    const LatentState base = base_state(run, tools);
    const json calls = run.meta_json("calls");
    LTX2_CHECK(calls.is_object() && !calls.empty(), "{}: metadata 'calls' must be a non-empty object", ctx);
    for (auto it = calls.begin(); it != calls.end(); ++it) {
        const auto parsed = parse_item_calls(it.value().get<std::string>(), ctx);
        LTX2_CHECK(!parsed.empty(), "{}: call '{}' names no conditioning item", ctx, it.key());
        std::vector<VideoConditioning> items;
        for (const auto& [type, args] : parsed) items.push_back(make_item(run, type, args));
        compare_state(run, "out." + it.key() + ".", state_with_conditionings(base, items, tools));
    }
}

// ---- conditioning.noised_state --------------------------------------------------------------

void parity_conditioning_noised_state(ParityRun& run) {
    const std::string ctx = run.io_path();
    const std::string call = run.meta("call");
    std::vector<VideoConditioning> items;
    const Tensor* first_latent = nullptr;
    Tensor first;
    for (const auto& [type, args] : parse_item_calls(call, ctx)) {
        items.push_back(make_item(run, type, args));
        if (!first_latent) {
            first = run.input(args.count("latent") ? args.at("latent") : args.at("keyframes"));
            first_latent = &first;
        }
    }
    LTX2_CHECK(!items.empty(), "{}: the call names no conditioning item", ctx);
    const VideoLatentTools tools = tools_from_meta(run, first_latent);
    std::optional<Tensor> initial;
    if (run.has("in.initial_latent")) initial = run.input("in.initial_latent");
    TorchGenerator gen(std::stoull(run.meta("seed")));
    const double noise_scale = run.has_meta("noise_scale") ? std::stod(run.meta("noise_scale")) : 1.0;
    Tensor noise;
    const LatentState st = create_noised_state(tools, items, gen, noise_scale, initial, &noise);
    run.compare_if_present("dbg.noise", noise, kExact);
    compare_state(run, "out.state.", st);
}

}  // namespace ltx2
