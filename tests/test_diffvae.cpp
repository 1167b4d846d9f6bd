// LTX-2.5 DiffVAE decoder: the golden fixture, batch / floor-padding consistency, its
// configuration, refused files and inputs, and the full-size layout.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random_tensor.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/diffvae/decoder.h"
#include "models/diffvae/geometry.h"
#include "ops/views.h"
#include "parity/kinds.h"
#include "test_util.h"

namespace {

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::max_abs_diff;
using ltx2::test::TempDir;
using nlohmann::json;

const std::string kArea = "ltx25/video_vae";
const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/" + kArea;
const std::string kModel = kDir + "/diffvae_decoder.model.safetensors";
const std::string kIo = kDir + "/diffvae_decoder.io.safetensors";
const std::string kManifest = std::string(LTX2_GOLDEN_DIR) + "/ltx25/manifest/diffvae_decoder.json";

json manifest() {
    std::ifstream in(kManifest);
    return json::parse(in);
}

json tiny_config() { return WeightStore::open(kModel, "vae.").config(); }

DiffVaeDecoder tiny_decoder() { return DiffVaeDecoder::load(WeightStore::open(kModel, "vae.")); }

// Items stacked along the batch axis.
Tensor stack(const Tensor& a, const Tensor& b) {
    Shape shape = a.shape();
    shape[0] = 2;
    Tensor out = Tensor::zeros(shape);
    copy_into_view(out.slice(0, 0, 1), a);
    copy_into_view(out.slice(0, 1, 2), b);
    return out;
}

TEST(DiffVaeParity, Decoder) {
    // out.video, six dbg tensors and the noise canvas drawn from the fixture's seed.
    ltx2::test::expect_fixture_passes(kArea, "diffvae_decoder.io.safetensors", parity_ltx25_diffvae_decode, 8);
}

TEST(DiffVaeDecode, BatchItemsDecodeIndependently) {
    const DiffVaeDecoder d = tiny_decoder();
    const auto io = SafetensorsFile::open(kIo);
    const Tensor latent = io->tensor("in.latent"), canvas = io->tensor("in.x_t_init");
    Tensor latent2 = random_uniform_tensor(latent.shape(), DType::F32, 2.f, 11);
    Tensor canvas2 = random_uniform_tensor(canvas.shape(), DType::F32, 1.5f, 12);
    const Tensor both = d.decode(stack(latent, latent2), stack(canvas, canvas2));
    const ParityCheck first = compare_tensors("item 0", both.slice(0, 0, 1), io->tensor("out.video"), 5e-5);
    EXPECT_TRUE(first.pass) << first.rel_err;
    EXPECT_EQ(max_abs_diff(both.slice(0, 1, 2).contiguous(), d.decode(latent2, canvas2)), 0.0);
}

// The production path: bf16 weights in place, bf16 linear products (attention stays float32).
TEST(DiffVaeDecode, Bf16WeightsAgreeWithTheGolden) {
    const DiffVaeDecoder d = DiffVaeDecoder::load(WeightStore::open(kModel, "vae."), DiffVaeWeightPrecision::BF16);
    const auto io = SafetensorsFile::open(kIo);
    const Tensor video = d.decode(io->tensor("in.latent"), io->tensor("in.x_t_init"));
    ltx2::test::expect_bf16_agreement(video, io->tensor("out.video"), "DiffVAE bf16 decode");
}

// A latent under the floor (3, 7, 7) decodes as its edge-padded version, cropped back: frames
// from the start, rows / columns at 32 · (padding before). The small decode draws its canvas
// from a generator, as the reference does (torch.randn of the canvas shape).
TEST(DiffVaeDecode, SmallLatentIsThePaddedDecodeCropped) {
    const DiffVaeDecoder d = tiny_decoder();
    const Tensor small = random_uniform_tensor({1, 128, 2, 3, 6}, DType::F32, 1.5f, 21);
    const Shape canvas_shape = d.noise_canvas_shape(small.shape());
    EXPECT_EQ(canvas_shape, (Shape{1, 3, 17, 224, 224}));
    TorchGenerator gen, same;
    gen.manual_seed(22);
    same.manual_seed(22);
    const Tensor video = d.decode(small, gen);
    const Tensor canvas = same.randn(canvas_shape, DType::F32);
    EXPECT_EQ(video.shape(), (Shape{1, 3, 9, 96, 192}));

    // H 3 -> 7: 2 rows before, 2 after; W 6 -> 7: 0 before, 1 after; T 2 -> 3 by repetition.
    AxisPad h_pad, w_pad;
    Tensor padded = resize_axis(small, 2, 3, AxisResize::RepeatLast);
    padded = resize_axis(padded, 3, 7, AxisResize::Symmetric, &h_pad);
    padded = resize_axis(padded, 4, 7, AxisResize::Symmetric, &w_pad);
    EXPECT_EQ(h_pad.before, 2);
    EXPECT_EQ(w_pad.before, 0);
    const Tensor full = d.decode(padded, canvas);
    EXPECT_EQ(full.shape(), (Shape{1, 3, 17, 224, 224}));
    EXPECT_EQ(max_abs_diff(video, full.slice(2, 0, 9).slice(3, 64, 160).slice(4, 0, 192).contiguous()), 0.0);
}

TEST(DiffVaeDecode, RefusesWrongInputs) {
    const DiffVaeDecoder d = tiny_decoder();
    const Tensor canvas = Tensor::zeros({1, 3, 17, 224, 224});
    expect_error([&] { d.decode(Tensor::zeros({1, 64, 3, 4, 5}), canvas); },
                 {"latent has shape (1, 64, 3, 4, 5)", "expected [B, 128, T, H, W]"});
    expect_error([&] { d.decode(Tensor::zeros({128, 3, 4, 5}), canvas); }, {"latent has shape (128, 3, 4, 5)"});
    expect_error([&] { d.decode(Tensor::zeros({1, 128, 0, 4, 5}), canvas); }, {"every size >= 1"});
    expect_error([&] { d.decode(Tensor::zeros({1, 128, 3, 4, 5}), Tensor::zeros({1, 3, 17, 128, 160})); },
                 {"noise canvas has shape (1, 3, 17, 128, 160)", "expected (1, 3, 17, 224, 224)"});
    expect_error([&] { d.decode(Tensor::zeros({1, 128, 3, 4, 5}, DType::I64), canvas); }, {"dtype"});
}

TEST(DiffVaeConfig, RealSection) {
    const DiffVaeConfig c = parse_diffvae_config(manifest().at("config_metadata"), "ltx-2.5-video-vae-bf16.safetensors");
    EXPECT_EQ(c.stage_channels, (std::vector<int>{2048, 1024, 512, 512, 256}));
    EXPECT_EQ(c.stage_depths, (std::vector<int>{4, 6, 4, 2, 8}));
    EXPECT_EQ(c.head_dim, 64);
    EXPECT_EQ(c.t_emb_dim, 384);
    EXPECT_EQ(c.stage5_channels, 256);
    EXPECT_EQ(c.context_channels(), 256);
    EXPECT_EQ(c.stage5_kernel, (Int3{11, 11, 11}));
    EXPECT_EQ(c.stage_kernels[2], (Int3{3, 5, 5}));
    EXPECT_EQ(c.upsamples[1].stride, (Int3{2, 1, 1}));
    EXPECT_EQ(c.upsamples[2].reduction, 1);
    EXPECT_EQ(c.num_inference_steps, 1);
    EXPECT_DOUBLE_EQ(c.timestep_scale_multiplier, 1000.0);
    EXPECT_EQ(c.model_output_type, "x0");
    EXPECT_EQ(c.mlp_hidden(2048), 8192);
    EXPECT_EQ(diffvae_min_latent_shape(c), (Int3{3, 7, 7}));
    EXPECT_TRUE(is_diffvae_config(manifest().at("config_metadata")));
}

TEST(DiffVaeConfig, RefusesWhatItCannotRun) {
    auto with = [](const std::string& key, const json& v, bool decoder = true) {
        json j = tiny_config();
        (decoder ? j["vae"]["decoder"] : j["vae"])[key] = v;
        return j;
    };
    expect_error([&] { parse_diffvae_config(with("frobnicate", 1, false), "x.safetensors"); },
                 {"x.safetensors", "vae.frobnicate"});
    expect_error([&] { parse_diffvae_config(with("frobnicate", 1), "x.safetensors"); },
                 {"x.safetensors", "vae.decoder.frobnicate"});
    expect_error([&] { parse_diffvae_config(with("_class_name", "CausalVideoAutoencoder", false), "x.safetensors"); },
                 {"x.safetensors", "vae._class_name", "CausalVideoAutoencoder", "CausalDiffusionVAE"});
    expect_error([&] { parse_diffvae_config(with("default_num_inference_steps", 2), "x"); },
                 {"vae.decoder.default_num_inference_steps", "one-step"});
    expect_error([&] { parse_diffvae_config(with("model_output_type", "v", false), "x"); },
                 {"vae.model_output_type", "\"v\"", "one-step"});
    expect_error([&] { parse_diffvae_config(with("head_dim", 12), "x"); }, {"vae.decoder.head_dim", "multiple of 8"});
    expect_error([&] { parse_diffvae_config(with("stage_kernels", json::parse("[[3,7,7],[3,7],[3,5,5],[3,5,5],[11,11,11]]")), "x"); },
                 {"vae.decoder.stage_kernels[1]", "three positive integers"});
    expect_error([&] { parse_diffvae_config(with("upsamples", json::parse("[[[1,2,2],4],[[2,1,1],2],[[2,2,2],1],[[2,2,2],2]]")), "x"); },
                 {"vae.decoder.upsamples[0]", "reduces width 128 by 4", "stage_channels[1] = 64"});
    expect_error([&] { parse_diffvae_config(with("upsamples", json::parse("[[[1,3,2],2],[[2,1,1],2],[[2,2,2],1],[[2,2,2],2]]")), "x"); },
                 {"vae.decoder.upsamples[0][0]", "strides of 1 or 2"});
    expect_error([&] { parse_diffvae_config(with("resampler_kind", "conv"), "x"); }, {"vae.decoder.resampler_kind", "conv"});
    json no_decoder = tiny_config();
    no_decoder["vae"].erase("decoder");
    expect_error([&] { parse_diffvae_config(no_decoder, "x.safetensors"); }, {"x.safetensors", "vae.decoder"});
    // The encoder's settings belong to the encoder; the padding mode is not read by the reference.
    EXPECT_NO_THROW(parse_diffvae_config(with("encoder", json::object({{"blocks", json::array()}}), false), "x"));
    EXPECT_NO_THROW(parse_diffvae_config(with("spatial_padding_mode", "reflect"), "x"));
}

TEST(DiffVaeWeights, UnusedTensorsAreRefusedNamingThem) {
    TempDir dir("ltx2-diffvae");
    const std::string bad = ltx2::test::write_model_variant(kModel, dir, [](auto& tensors, json&) {
        tensors["vae.decoder.frobnicate.weight"] = Tensor::zeros({2});
        tensors["vae.decoder.det_stages.0.9.norm1.weight"] = Tensor::zeros({128});
    });
    expect_error([&] { DiffVaeDecoder::load(WeightStore::open(bad, "vae.")); },
                 {"variant.safetensors", "2 unexpected tensor(s)", "LTX-2.5 DiffVAE decoder", "decoder.frobnicate.weight",
                  "det_stages.0.9.norm1.weight"});
    // The encoder's tensors, extra statistics and the bundled preview head are not the decoder's.
    const std::string ok = ltx2::test::write_model_variant(
        kModel, dir,
        [](auto& tensors, json&) {
            tensors["vae.encoder.conv_in.conv.weight"] = Tensor::zeros({4});
            tensors["vae.decoder.coarse_head.weight"] = Tensor::zeros({4});
            tensors["vae.per_channel_statistics.mean-of-stds"] = Tensor::zeros({128});
        },
        "ok.safetensors");
    EXPECT_NO_THROW(DiffVaeDecoder::load(WeightStore::open(ok, "vae.")));
}

TEST(DiffVaeWeights, RefusesMissingMisshapenAndGatedTensors) {
    TempDir dir("ltx2-diffvae");
    const std::string missing = ltx2::test::write_model_variant(
        kModel, dir, [](auto& tensors, json&) { tensors.erase("vae.decoder.diff_blocks.3.attn.qkv.bias"); },
        "missing.safetensors");
    expect_error([&] { DiffVaeDecoder::load(WeightStore::open(missing, "vae.")); },
                 {"missing.safetensors", "diff_blocks.3.attn.qkv.bias", "missing"});
    const std::string shape = ltx2::test::write_model_variant(
        kModel, dir, [](auto& tensors, json&) { tensors["vae.decoder.conv_in.weight"] = Tensor::zeros({64, 128}); },
        "shape.safetensors");
    expect_error([&] { DiffVaeDecoder::load(WeightStore::open(shape, "vae.")); },
                 {"shape.safetensors", "conv_in.weight", "(64, 128)", "expected (128, 128)"});
    const std::string gated = ltx2::test::write_model_variant(
        kModel, dir, [](auto& tensors, json&) { tensors["vae.decoder.diff_blocks.0.gate_msa"] = Tensor::zeros({16}); },
        "gated.safetensors");
    expect_error([&] { DiffVaeDecoder::load(WeightStore::open(gated, "vae.")); },
                 {"gated.safetensors", "diff_blocks.0.gate_msa", "standalone distilled"});
}

// The real 2.5 layout (from the manifest) as a sparse BF16 file: the decoder uses every tensor.
TEST(DiffVaeWeights, FullSizeManifest) {
    TempDir dir("ltx2-diffvae");
    const json m = manifest();
    const std::vector<TensorEntry> entries = ltx2::test::manifest_entries(m.at("tensors"));
    ASSERT_EQ(entries.size(), 311u);
    const std::string path = dir.file("diffvae.sparse.safetensors");
    write_sparse_safetensors(path, entries, {{"config", m.at("config_metadata").dump()}, {"model_version", "2.5.0"}});
    const WeightStore store = WeightStore::open(path, "vae.");
    const DiffVaeDecoder d = DiffVaeDecoder::load(store, DiffVaeWeightPrecision::BF16);
    EXPECT_TRUE(store.unused_names().empty()) << store.unused_names().front();
    // 121 frames at 768 x 512: latent 16 x 16 x 24, canvas = the output size (above the floor).
    EXPECT_EQ(d.noise_canvas_shape({1, 128, 16, 16, 24}), (Shape{1, 3, 121, 512, 768}));
}

}  // namespace
