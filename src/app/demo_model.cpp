#include "app/demo_model.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "app/demo_tokenizer.h"
#include "core/error.h"
#include "core/regular_file.h"
#include "core/random_tensor.h"
#include "io/safetensors.h"
#include "io/sibling_temp.h"
#include "io/temp_file.h"
#include "io/weight_store.h"
#include "models/audio_vae/model.h"
#include "models/gemma3/model.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/embeddings_processor.h"
#include "models/transformer/model.h"
#include "models/upsampler/model.h"
#include "models/video_vae/model.h"
#include "models/vocoder/model.h"

namespace ltx2 {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kTextWidth = 32;  // Gemma hidden = context width = caption channels
constexpr int kGemmaLayers = 2;

json transformer_config() {
    return {
        {"_class_name", "AVTransformer3DModel"},
        {"activation_fn", "gelu-approximate"},
        {"attention_type", "default"},
        {"double_self_attention", false},
        {"dropout", 0.0},
        {"norm_num_groups", 32},
        {"num_embeds_ada_norm", 1000},
        {"num_vector_embeds", nullptr},
        {"only_cross_attention", false},
        {"share_ff", false},
        {"upcast_attention", false},
        {"use_linear_projection", false},
        {"attention_bias", true},
        {"attention_head_dim", 32},
        {"num_attention_heads", 2},
        {"audio_attention_head_dim", 16},
        {"audio_num_attention_heads", 2},
        {"cross_attention_dim", 64},
        {"audio_cross_attention_dim", 32},
        {"caption_channels", kTextWidth},
        {"in_channels", 128},
        {"out_channels", 128},
        {"audio_in_channels", 128},
        {"audio_out_channels", 128},
        {"num_layers", 2},
        {"norm_eps", 1e-6},
        {"norm_elementwise_affine", false},
        {"qk_norm", "rms_norm"},
        {"cross_attention_norm", true},
        {"standardization_norm", "rms_norm"},
        {"positional_embedding_type", "rope"},
        {"positional_embedding_theta", 10000.0},
        {"positional_embedding_max_pos", {20, 2048, 2048}},
        {"audio_positional_embedding_max_pos", {20}},
        {"rope_type", "split"},
        {"frequencies_precision", "float64"},
        {"use_middle_indices_grid", true},
        {"timestep_scale_multiplier", 1000},
        {"av_ca_timestep_scale_multiplier", 1000.0},
        {"use_audio_video_cross_attention", true},
        {"av_cross_ada_norm", true},
        // The text stack's settings live in the same section.
        {"use_embeddings_connector", true},
        {"connector_attention_head_dim", 16},
        {"connector_num_attention_heads", 2},
        {"connector_num_layers", 1},
        {"connector_num_learnable_registers", 128},
        {"connector_positional_embedding_max_pos", {4096}},
        {"connector_norm_output", true},
    };
}

// The real VAE's 32x spatial / 8x temporal reduction with 128 latent channels, at small widths:
// the decoder keeps 128 channels (multiplier 1) through its three x2 upsamplings.
json vae_config() {
    const json res = json::array({"res_x", {{"num_layers", 1}, {"inject_noise", false}}});
    const json up = json::array({"compress_all", {{"residual", true}, {"multiplier", 1}}});
    const json down = json::array({"compress_all_res", {{"multiplier", 2}}});
    return {{"_class_name", "CausalVideoAutoencoder"},
            {"dims", 3},
            {"in_channels", 3},
            {"out_channels", 3},
            {"latent_channels", 128},
            {"encoder_blocks", json::array({json::array({"res_x", {{"num_layers", 1}}}), down, down, down})},
            {"decoder_blocks", json::array({res, up, res, up, res, up, res})},
            {"patch_size", 4},
            {"norm_layer", "pixel_norm"},
            {"latent_log_var", "uniform"},
            {"causal_decoder", false},
            {"timestep_conditioning", false},
            {"encoder_spatial_padding_mode", "zeros"},
            {"decoder_spatial_padding_mode", "reflect"}};
}

json audio_vae_config() {
    return {{"model",
             {{"params",
               {{"ddconfig",
                 {{"double_z", true},
                  {"mel_bins", 64},
                  {"z_channels", 8},
                  {"resolution", 256},
                  {"downsample_time", false},
                  {"in_channels", 2},
                  {"out_ch", 2},
                  {"ch", 128},  // must equal z_channels x latent mel bins (the statistics)
                  {"ch_mult", {1, 1, 1}},
                  {"num_res_blocks", 1},
                  {"attn_resolutions", json::array()},
                  {"dropout", 0.0},
                  {"mid_block_add_attention", false},
                  {"norm_type", "pixel"},
                  {"causality_axis", "height"}}},
                {"sampling_rate", 16000}}}}},
            {"preprocessing",
             {{"audio",
               {{"sampling_rate", 16000},
                {"max_wav_value", 32768.0},
                {"duration", 5.12},
                {"stereo", true},
                {"causal_padding", 3}}},
              {"stft", {{"filter_length", 1024}, {"hop_length", 160}, {"win_length", 1024}, {"causal", true}}},
              {"mel", {{"n_mel_channels", 64}, {"mel_fmin", 0}, {"mel_fmax", 8000}}}}}};
}

json vocoder_config() {
    return {{"resblock_kernel_sizes", {3, 7, 11}},
            {"upsample_rates", {6, 5, 2, 2, 2}},
            {"upsample_kernel_sizes", {16, 15, 8, 4, 4}},
            {"resblock_dilation_sizes", json::array({{1, 3, 5}, {1, 3, 5}, {1, 3, 5}})},
            {"upsample_initial_channel", 32},
            {"stereo", true},
            {"resblock", "1"}};
}

// LTX-2.3: the same tiny sizes with every 2.3 flag of the real section.
json transformer_config_ltx23() {
    json t = transformer_config();
    t.update({{"apply_gated_attention", true},
              {"cross_attention_adaln", true},
              {"caption_proj_before_connector", true},
              {"caption_projection_first_linear", false},
              {"caption_projection_second_linear", false},
              {"caption_proj_input_norm", false},
              {"connector_apply_gated_attention", true},
              {"connector_num_attention_heads", 2},
              {"connector_attention_head_dim", 32},  // video context = video width 64
              {"audio_connector_num_attention_heads", 2},
              {"audio_connector_attention_head_dim", 16},  // audio context = audio width 32
              {"connector_num_layers", 2},
              {"connector_learnable_registers_std", 1},
              {"text_encoder_norm_type", "per_token_rms"},
              {"causal_temporal_positioning", true}});
    return t;
}

// The 2.3 conv VAE's block layout (channel-reducing upsamplers, zero padding, no timestep
// conditioning) at 128 channels throughout (every multiplier 1).
json vae_config_ltx23() {
    auto block = [](const char* name, int multiplier) {
        return json::array({name, {{"multiplier", multiplier}}});
    };
    const json res = json::array({"res_x", {{"num_layers", 1}}});
    return {{"_class_name", "CausalVideoAutoencoder"},
            {"dims", 3},
            {"in_channels", 3},
            {"out_channels", 3},
            {"latent_channels", 128},
            {"encoder_blocks", json::array({res, block("compress_space_res", 1), res, block("compress_time_res", 1), res,
                                            block("compress_all_res", 1), res, block("compress_all_res", 1), res})},
            {"decoder_blocks", json::array({res, block("compress_space", 1), res, block("compress_time", 1), res,
                                            block("compress_all", 1), res, block("compress_all", 1), res})},
            {"scaling_factor", 1.0},
            {"norm_layer", "pixel_norm"},
            {"patch_size", 4},
            {"latent_log_var", "uniform"},
            {"use_quant_conv", false},
            {"causal_decoder", false},
            {"timestep_conditioning", false},
            {"normalize_latent_channels", false},
            {"encoder_base_channels", 128},
            {"decoder_base_channels", 128},
            {"spatial_padding_mode", "zeros"}};
}

// BigVGAN-v2 to 16 kHz and the bandwidth extension to 48 kHz, real rates and kernels, narrow.
json vocoder_config_ltx23() {
    json generator = {{"resblock", "AMP1"},
                      {"resblock_kernel_sizes", {3, 7, 11}},
                      {"resblock_dilation_sizes", json::array({{1, 3, 5}, {1, 3, 5}, {1, 3, 5}})},
                      {"stereo", true},
                      {"use_tanh_at_final", false},
                      {"activation", "snakebeta"},
                      {"use_bias_at_final", false}};
    json vocoder = generator;
    vocoder.update({{"upsample_initial_channel", 64},
                    {"upsample_rates", {5, 2, 2, 2, 2, 2}},
                    {"upsample_kernel_sizes", {11, 4, 4, 4, 4, 4}}});
    json bwe = generator;
    bwe.update({{"upsample_initial_channel", 32},
                {"upsample_rates", {6, 5, 2, 2, 2}},
                {"upsample_kernel_sizes", {12, 11, 4, 4, 4}},
                {"apply_final_activation", false},
                {"input_sampling_rate", 16000},
                {"output_sampling_rate", 48000},
                {"hop_length", 80},
                {"n_fft", 512},
                {"win_size", 512},
                {"num_mels", 64}});
    return {{"vocoder", vocoder}, {"bwe", bwe}};
}

json upsampler_config() {
    return {{"_class_name", "LatentUpsampler"},
            {"in_channels", 128},
            {"mid_channels", 32},
            {"num_blocks_per_stage", 1},
            {"dims", 3},
            {"spatial_upsample", true},
            {"temporal_upsample", false},
            {"spatial_scale", 2.0},
            {"rational_resampler", true}};
}

json gemma_config(int64_t vocab_size) {
    return {{"architectures", {"Gemma3ForConditionalGeneration"}},
            {"model_type", "gemma3"},
            {"torch_dtype", "bfloat16"},
            {"text_config",
             {{"model_type", "gemma3_text"},
              {"hidden_size", kTextWidth},
              {"intermediate_size", 64},
              {"num_hidden_layers", kGemmaLayers},
              {"num_attention_heads", 2},
              {"num_key_value_heads", 1},
              {"head_dim", 16},
              {"query_pre_attn_scalar", 16},
              {"sliding_window", 512},
              {"vocab_size", vocab_size},
              {"rope_scaling", {{"factor", 8.0}, {"rope_type", "linear"}}}}}};
}

// The fixed signal-processing buffers a BigVGAN-v2 / BWE vocoder file stores: a 12-tap
// Hann-windowed sinc low-pass for the anti-aliased activations (the release files hold a Kaiser
// window; any proper low-pass serves a random-weight demo), the STFT's windowed Fourier basis and a
// non-negative mel filterbank. Undefined for other names.
Tensor demo_vocoder_buffer(const std::string& name, const Shape& shape) {
    if (name.ends_with(".upsample.filter") || name.ends_with(".downsample.lowpass.filter")) {
        constexpr int kTaps = 12;
        std::vector<float> taps(kTaps);
        double sum = 0;
        for (int i = 0; i < kTaps; ++i) {
            const double t = i - (kTaps - 1) / 2.0, x = 0.5 * t;  // cutoff: a quarter of the sample rate
            const double window = 0.5 - 0.5 * std::cos(2 * M_PI * (i + 0.5) / kTaps);
            taps[size_t(i)] = float(0.5 * (x == 0 ? 1.0 : std::sin(M_PI * x) / (M_PI * x)) * window);
            sum += taps[size_t(i)];
        }
        for (float& v : taps) v = float(v / sum);
        return Tensor::from_f32({1, 1, kTaps}, taps).to(DType::BF16);
    }
    if (name.ends_with("forward_basis") || name.ends_with("inverse_basis")) {
        const int64_t n_fft = shape.at(2), bins = n_fft / 2 + 1;
        std::vector<float> basis(size_t(2 * bins * n_fft));
        for (int64_t k = 0; k < bins; ++k)
            for (int64_t n = 0; n < n_fft; ++n) {
                const double w = 0.5 - 0.5 * std::cos(2 * M_PI * double(n) / double(n_fft));
                const double a = 2 * M_PI * double(k * n) / double(n_fft);
                basis[size_t(k * n_fft + n)] = float(std::cos(a) * w);
                basis[size_t((bins + k) * n_fft + n)] = float(-std::sin(a) * w);
            }
        return Tensor::from_f32(shape, basis).to(DType::BF16);
    }
    if (name.ends_with("mel_basis")) {
        std::vector<float> w = random_uniform_tensor(shape, DType::F32, 0.01f, std::hash<std::string>{}(name) | 1).to_vector();
        for (float& v : w) v = std::fabs(v);
        return Tensor::from_f32(shape, w).to(DType::BF16);
    }
    return {};
}

// Benign deterministic values, seeded by the tensor's name so they do not depend on the order
// the loaders ask in: matrices and kernels uniform ±sqrt(3/fan_in) (unit-variance outputs),
// biases 0, norm scales 1, latent statistics (mean 0, std 1), other vectors small.
Tensor demo_tensor(const std::string& name, const Shape& shape) {
    if (Tensor buffer = demo_vocoder_buffer(name, shape); buffer.defined()) return buffer;
    if (shape.empty()) return {};
    const uint64_t seed = std::hash<std::string>{}(name) | 1;
    auto filled = [&](float v) {
        Tensor t = Tensor::zeros(shape, DType::BF16);
        std::fill(t.data<uint16_t>(), t.data<uint16_t>() + t.numel(), f32_to_bf16(v));
        return t;
    };
    if (name.ends_with("std-of-means")) return filled(1.f);
    if (name.ends_with("mean-of-means") || name.ends_with("bias")) return filled(0.f);
    if (shape.size() >= 2) {
        int64_t fan_in = 1;
        for (size_t d = 1; d < shape.size(); ++d) fan_in *= shape[d];
        return random_uniform_tensor(shape, DType::BF16, float(std::sqrt(3.0 / double(fan_in))), seed);
    }
    if (name.find("norm") != std::string::npos) return filled(1.f);
    return random_uniform_tensor(shape, DType::BF16, 0.02f, seed);
}

WeightStore demo_store(json config) { return WeightStore::synthetic(std::move(config), demo_tensor); }

using Tensors = std::vector<std::pair<std::string, Tensor>>;

void append(Tensors& out, const WeightStore& store, const std::string& prefix) {
    for (auto& [name, t] : store.synthesized()) out.emplace_back(prefix + name, t);
}

// The LTX-2 single-file checkpoint: transformer, text projection + connectors, both VAEs, vocoder.
Tensors ltx_checkpoint_tensors(const json& config, const std::map<std::string, std::string>& metadata,
                               int64_t gemma_features) {
    Tensors out;
    const WeightStore transformer = WeightStore::synthetic(config, demo_tensor, metadata);
    (void)LTXModel::load(transformer);
    append(out, transformer, "model.diffusion_model.");

    const TextEncoderConfig text = parse_text_encoder_config(config, "demo model");
    const WeightStore fe = demo_store(config), video = demo_store(config), audio = demo_store(config);
    EmbeddingsProcessor::create_projection_weights(fe, text, gemma_features);
    (void)EmbeddingsProcessor::load(fe, video, audio, Precision::BF16);
    append(out, fe, kFeatureExtractorPrefix);
    append(out, video, kVideoConnectorPrefix);
    append(out, audio, kAudioConnectorPrefix);

    const WeightStore vae = demo_store(config);
    (void)VideoDecoder::load(vae);
    (void)VideoEncoder::load(vae);
    append(out, vae, "vae.");
    const WeightStore audio_vae = demo_store(config);
    (void)AudioDecoder::load(audio_vae);
    (void)AudioEncoder::load(audio_vae);
    append(out, audio_vae, "audio_vae.");
    const WeightStore vocoder = demo_store(config);
    (void)Vocoder::load(vocoder);
    append(out, vocoder, "vocoder.");
    return out;
}

// A rank-2 LoRA in the official (ComfyUI) key layout on the linear layers of the transformer
// blocks whose module name (after "transformer_blocks.N.") passes `keep`.
Tensors block_lora_tensors(const Tensors& checkpoint, const std::function<bool(const std::string&)>& keep,
                           const std::string& seed_tag) {
    const std::string base = "model.diffusion_model.", blocks = base + "transformer_blocks.";
    Tensors out;
    for (const auto& [name, t] : checkpoint) {
        if (name.rfind(blocks, 0) != 0 || t.dim() != 2 || !name.ends_with(".weight")) continue;
        const std::string module = name.substr(base.size(), name.size() - base.size() - std::string(".weight").size());
        const size_t index_end = module.find('.', std::string("transformer_blocks.").size());
        if (!keep(module.substr(index_end + 1))) continue;
        const int64_t rank = 2;
        out.emplace_back("diffusion_model." + module + ".lora_A.weight",
                         demo_tensor(seed_tag + module + ".lora_A", {rank, t.size(1)}));
        out.emplace_back("diffusion_model." + module + ".lora_B.weight",
                         random_uniform_tensor({t.size(0), rank}, DType::BF16, 0.05f,
                                               std::hash<std::string>{}(seed_tag + module) | 1));
    }
    return out;
}

// The distilled LoRA adapts every linear layer of the blocks.
Tensors distilled_lora_tensors(const Tensors& checkpoint) {
    return block_lora_tensors(checkpoint, [](const std::string&) { return true; }, "");
}

// An IC-LoRA (the control LoRAs of the ic-lora pipeline) adapts the video stream only: its self-
// and text cross-attention and feed-forward layers, not the audio ones.
Tensors ic_lora_tensors(const Tensors& checkpoint) {
    auto video_stream = [](const std::string& module) {
        return module.starts_with("attn1.") || module.starts_with("attn2.") || module.starts_with("ff.");
    };
    return block_lora_tensors(checkpoint, video_stream, "ic-lora.");
}

void write_text(const fs::path& path, const std::string& text) {
    TempFile file(path.string());
    file.write(text.data(), text.size());
    file.commit();
}

// The official file names of each release's demo files.
struct DemoFiles {
    const char* distilled;
    const char* dev;
    const char* distilled_lora;
    const char* spatial_upsampler;
    const char* ic_lora;
    std::map<std::string, std::string> metadata;  // besides `config`
};

DemoFiles demo_files(DemoRelease release) {
    if (release == DemoRelease::Ltx23)
        return {"ltx-2.3-22b-distilled-1.1.safetensors", "ltx-2.3-22b-dev.safetensors",
                "ltx-2.3-22b-distilled-lora-384-1.1.safetensors", "ltx-2.3-spatial-upscaler-x2-1.1.safetensors",
                "ltx-2.3-22b-ic-lora-demo.safetensors", {{"model_version", "2.3.0"}}};
    return {"ltx-2-19b-distilled.safetensors", "ltx-2-19b-dev.safetensors", "ltx-2-19b-distilled-lora-384.safetensors",
            "ltx-2-spatial-upscaler-x2-1.0.safetensors", "ltx-2-19b-ic-lora-demo.safetensors", {}};
}

void write_demo(const fs::path& dir, DemoRelease release) {
    const DemoTokenizer tokenizer = build_demo_tokenizer();
    const json gemma_json = gemma_config(tokenizer.vocab_size);

    const fs::path gemma_dir = dir / "gemma-3-12b-it";
    fs::create_directories(gemma_dir);
    write_text(gemma_dir / "tokenizer.json", tokenizer.json_text);
    write_text(gemma_dir / "config.json", gemma_json.dump(2));
    const Gemma3Config gemma = parse_gemma3_config(gemma_json, "demo Gemma config");
    const WeightStore gemma_store = demo_store(gemma_json);
    (void)Gemma3Model::load(gemma_store, gemma, Precision::BF16);
    Tensors gemma_tensors;
    append(gemma_tensors, gemma_store, "language_model.model.");
    write_safetensors((gemma_dir / "model.safetensors").string(), gemma_tensors, {{"format", "pt"}});

    const bool ltx23 = release == DemoRelease::Ltx23;
    const json config = {{"transformer", ltx23 ? transformer_config_ltx23() : transformer_config()},
                         {"vae", ltx23 ? vae_config_ltx23() : vae_config()},
                         {"audio_vae", audio_vae_config()},
                         {"vocoder", ltx23 ? vocoder_config_ltx23() : vocoder_config()}};
    const DemoFiles files = demo_files(release);
    std::map<std::string, std::string> metadata = files.metadata;
    metadata["config"] = config.dump();
    const Tensors checkpoint =
        ltx_checkpoint_tensors(config, metadata, int64_t(gemma.hidden_size) * (gemma.num_hidden_layers + 1));
    // One checkpoint serves as both the distilled and the dev model of the official names.
    write_safetensors((dir / files.distilled).string(), checkpoint, metadata);
    std::error_code ec;  // a hard link where the file system has them, else a copy
    fs::create_hard_link(dir / files.distilled, dir / files.dev, ec);
    if (ec) fs::copy_file(dir / files.distilled, dir / files.dev);
    write_safetensors((dir / files.distilled_lora).string(), distilled_lora_tensors(checkpoint));
    // The reference is encoded at the stage-1 size itself (the metadata the ic-lora pipeline reads).
    write_safetensors((dir / files.ic_lora).string(), ic_lora_tensors(checkpoint),
                      {{"reference_downscale_factor", "1"}});

    const WeightStore upsampler = demo_store(upsampler_config());
    (void)LatentUpsampler::load(upsampler);
    Tensors upsampler_tensors;
    append(upsampler_tensors, upsampler, "");
    write_safetensors((dir / files.spatial_upsampler).string(), upsampler_tensors,
                      {{"config", upsampler_config().dump()}});
}

// The COMPLETE stamp's text ("" when unreadable).
std::string read_stamp(const fs::path& stamp) {
    try {
        return read_regular_file(stamp.string(), "demo model stamp");
    } catch (const Error&) {
        return {};
    }
}

// Removes the TARGET.partial-PID folders that demo writes killed midway left behind (their process
// is gone); a running writer's folder is kept.
void remove_stale_partials(const fs::path& target, const fs::path& parent) {
    const std::string prefix = target.filename().string() + ".partial-";
    std::error_code ec;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::string pid = name.starts_with(prefix) ? name.substr(prefix.size()) : std::string();
        if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        if (!process_is_gone(pid_t(std::stol(pid)))) continue;
        std::error_code remove_ec;
        fs::remove_all(it->path(), remove_ec);
    }
}

}  // namespace

DemoRelease parse_demo_release(const std::string& name) {
    if (name.empty() || name == "2" || name == "19b" || name == "2.0") return DemoRelease::Ltx2;
    if (name == "2.3") return DemoRelease::Ltx23;
    fail("--demo {}: unknown demo model; expected 19b (LTX-2, the default) or 2.3 (LTX-2.3)", name);
}

std::string default_demo_model_dir(DemoRelease release) {
    const std::string leaf =
        (release == DemoRelease::Ltx23 ? "demo23-v" : "demo-v") + std::to_string(kDemoModelVersion);
    if (const char* d = std::getenv("LTX2_DEMO_DIR"); d && *d)
        return release == DemoRelease::Ltx23 ? std::string(d) + "-2.3" : std::string(d);
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return (fs::path(x) / "ltx2" / leaf).string();
    if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "ltx2" / leaf).string();
    return (fs::temp_directory_path() / "ltx2" / leaf).string();
}

std::string demo_ic_lora_file(DemoRelease release) { return demo_files(release).ic_lora; }

std::string ensure_demo_model(const std::string& dir, DemoRelease release) {
    const fs::path target(dir);
    const fs::path stamp = target / "COMPLETE";
    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    remove_stale_partials(target, parent);
    std::error_code ec;
    // A demo of another version (an older one lacks files this one has) is rewritten.
    const std::string stamp_text = "ltx2 demo model v" + std::to_string(kDemoModelVersion) + "\n";
    auto complete = [&] { return fs::exists(stamp, ec) && read_stamp(stamp) == stamp_text; };
    if (complete()) return dir;
    // Written next to the target and renamed into place, so a crash leaves no half demo.
    fs::create_directories(parent, ec);
    LTX2_CHECK(!ec, "{}: cannot create the demo model folder: {}", parent.string(), ec.message());
    const fs::path tmp = parent / (target.filename().string() + ".partial-" + std::to_string(::getpid()));
    fs::remove_all(tmp, ec);
    try {
        fs::create_directories(tmp);
        write_demo(tmp, release);
        write_text(tmp / "COMPLETE", stamp_text);
        // A complete demo another process finished meanwhile may be in use: never replace it.
        if (!complete()) {
            fs::remove_all(target, ec);  // a stale one: incomplete, or of another version
            fs::rename(tmp, target, ec);
        }
        if (ec && !complete()) fail("{}: cannot move the demo model into place: {}", dir, ec.message());
        fs::remove_all(tmp, ec);  // another process finished first: use its copy
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(tmp, ec);
        fail("{}: cannot write the demo model: {}", dir, e.what());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    return dir;
}

}  // namespace ltx2
