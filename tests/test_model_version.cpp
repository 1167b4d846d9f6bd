// The model-version seam (which reference semantics a checkpoint gets) and the shared config
// section reader every model's configuration goes through.
#include "test_util.h"
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/config_section.h"
#include "models/model_version.h"

using namespace ltx2;
using ltx2::test::expect_error;
using nlohmann::json;

TEST(ModelVersion, ParsesLikeTheReference) {
    EXPECT_EQ(parse_model_version("2.3.0"), (std::vector<int>{2, 3, 0}));
    EXPECT_EQ(parse_model_version("2.3.rc1"), (std::vector<int>{2, 3}));
    EXPECT_EQ(parse_model_version("2.5"), (std::vector<int>{2, 5}));
    EXPECT_TRUE(parse_model_version("").empty());
    EXPECT_TRUE(parse_model_version("x.1").empty());
}

TEST(ModelVersion, NoVersionIsLtx2With28c3c73Semantics) {
    const ModelSemantics s = model_semantics(std::nullopt, json{{"transformer", {{"num_layers", 48}}}}, "f");
    EXPECT_EQ(s.generation, ModelGeneration::Ltx2);
    EXPECT_FALSE(s.av_gate_from_other_sigma);
    EXPECT_FALSE(s.skipped_attention_passes_value);
    EXPECT_FALSE(s.bf16_pipeline_video_positions_f32);
    EXPECT_FALSE(s.latent_index_keeps_noisy_latent);
    EXPECT_EQ(s.default_guided_steps, 40);
    EXPECT_EQ(s.default_stg_block, 29);
}

TEST(ModelVersion, Version23SelectsThe400fd31Semantics) {
    for (const char* v : {"2.3.0", "2.3.1", "2.3.rc1"}) {
        const ModelSemantics s = model_semantics(std::string(v), json::object(), "f");
        EXPECT_TRUE(s.is_ltx23()) << v;
        EXPECT_TRUE(s.av_gate_from_other_sigma);
        EXPECT_TRUE(s.skipped_attention_passes_value);
        EXPECT_TRUE(s.bf16_pipeline_video_positions_f32);
        EXPECT_TRUE(s.latent_index_keeps_noisy_latent);
        EXPECT_EQ(s.default_guided_steps, 30);
        EXPECT_EQ(s.default_stg_block, 28);
        EXPECT_EQ(s.default_image_crf, 33);
        EXPECT_EQ(s.version, v);
    }
}

TEST(ModelVersion, A23ConfigWithoutVersionIsLtx23) {
    for (const char* flag : {"cross_attention_adaln", "caption_proj_before_connector", "apply_gated_attention"}) {
        const json config = {{"transformer", {{flag, true}}}};
        EXPECT_TRUE(model_semantics(std::nullopt, config, "f").is_ltx23()) << flag;
    }
    EXPECT_FALSE(model_semantics(std::nullopt, json{{"transformer", {{"cross_attention_adaln", false}}}}, "f").is_ltx23());
}

TEST(ModelVersion, OtherVersionsAreRefusedNamingThem) {
    for (const char* v : {"2.6.0", "2.4.0", "3.0", "1.0", "beta"})
        expect_error([&] { (void)model_semantics(std::string(v), json::object(), "ltx-3.safetensors"); },
                     {"ltx-3.safetensors", std::string("model_version \"") + v + "\"", "not supported", "2.3", "2.5"});
}

// LTX-2.5 runs the 2.3 code path with its own pipeline behaviour; a 2.5 config without the
// version metadata is recognised by its keyframe embedding.
TEST(ModelVersion, Ltx25SharesThe23CodePathWithItsPipelineFlags) {
    const ModelSemantics s = model_semantics(std::string("2.5.0"), json::object(), "f");
    EXPECT_EQ(s.generation, ModelGeneration::Ltx2_5);
    EXPECT_TRUE(s.is_ltx23());
    EXPECT_TRUE(s.av_gate_from_other_sigma);
    EXPECT_TRUE(s.ancestral_distilled_stage1);
    EXPECT_TRUE(s.gemma4_text_encoder);
    EXPECT_EQ(s.default_image_crf, 18);
    EXPECT_EQ(s.default_guided_steps, 30);
    EXPECT_EQ(s.name(), "LTX-2.5 (model_version 2.5.0)");
    const ModelSemantics s23 = model_semantics(std::string("2.3.0"), json::object(), "f");
    EXPECT_FALSE(s23.ancestral_distilled_stage1);
    EXPECT_EQ(s23.default_image_crf, 33);
    const json config25 = {{"transformer", {{"cross_attention_adaln", true}, {"use_keyframes_abs_pos_embedding", true}}}};
    EXPECT_EQ(model_semantics(std::nullopt, config25, "f").generation, ModelGeneration::Ltx2_5);
}

TEST(ModelVersion, ReadFromTheFileMetadata) {
    ltx2::test::TempDir dir("ltx2-version");
    const std::string path = dir.file("m.safetensors");
    write_safetensors(path, {{"x", Tensor::zeros({1})}},
                      {{"config", json{{"transformer", json::object()}}.dump()}, {"model_version", "2.6.1"}});
    expect_error([&] { (void)model_semantics(WeightStore::open(path)); }, {path, "2.6.1", "not supported"});
    write_safetensors(path, {{"x", Tensor::zeros({1})}}, {{"config", "{}"}, {"model_version", "2.3.0"}});
    EXPECT_TRUE(model_semantics(WeightStore::open(path)).is_ltx23());
    EXPECT_EQ(WeightStore::open(path).metadata("model_version"), "2.3.0");
    EXPECT_FALSE(WeightStore::open(path).metadata("absent").has_value());
}

TEST(ConfigSection, TypedReadsWithDefaults) {
    const json config = {{"vae", {{"dims", 3}, {"eps", 1e-6}, {"flag", true}, {"pad", "zeros"}, {"max", {20, 2048}}}}};
    const ConfigSection s = ConfigSection::of(config, "vae", "f");
    EXPECT_EQ(s.integer("dims", 2), 3);
    EXPECT_EQ(s.integer("absent", 7), 7);
    EXPECT_DOUBLE_EQ(s.number("eps", 1.0), 1e-6);
    EXPECT_TRUE(s.boolean("flag", false));
    EXPECT_EQ(s.choice("pad", "reflect", {"zeros", "reflect"}), "zeros");
    EXPECT_EQ(s.numbers("max", {}, 2), (std::vector<double>{20, 2048}));
    s.reject_unknown();  // every key was read
}

TEST(ConfigSection, UnknownKeysAreRefusedNamingKeyAndFile) {
    const json config = {{"vae", {{"dims", 3}, {"new_trick", 1}, {"_class_name", "X"}}}};
    const ConfigSection s = ConfigSection::of(config, "vae", "ckpt.safetensors");
    (void)s.integer("dims", 3);
    s.known({"_class_name"});
    expect_error([&] { s.reject_unknown(); }, {"ckpt.safetensors", "unknown config key", "'vae.new_trick'"});
}

TEST(ConfigSection, NestedSectionsNameTheirPath) {
    const json config = {{"vocoder", {{"bwe", {{"n_fft", "big"}}}}}};
    const ConfigSection v = ConfigSection::of(config, "vocoder", "f");
    const ConfigSection bwe = v.section("bwe");
    expect_error([&] { (void)bwe.integer("n_fft", 512); }, {"'vocoder.bwe.n_fft'", "\"big\"", "integer"});
    const ConfigSection direct = ConfigSection::of(config, "vocoder.bwe", "f");
    EXPECT_EQ(direct.path(), "vocoder.bwe");
    v.reject_unknown();  // bwe was read as a section
}

TEST(ConfigSection, WrongValuesAndShapesAreClearErrors) {
    const json config = {{"t", {{"n", 2.5}, {"b", 1}, {"c", "spiral"}, {"l", {1, 2, 3}}, {"fixed", 0.1}}}};
    const ConfigSection s = ConfigSection::of(config, "t", "m");
    expect_error([&] { (void)s.integer("n", 1); }, {"'t.n'", "integer"});
    expect_error([&] { (void)s.boolean("b", false); }, {"'t.b'", "true or false"});
    expect_error([&] { (void)s.choice("c", "a", {"a", "b"}); }, {"'t.c'", "\"spiral\"", "\"a\", \"b\""});
    expect_error([&] { (void)s.numbers("l", {}, 2); }, {"'t.l'", "2 positive numbers"});
    expect_error([&] { s.check("fixed", 0.0); }, {"'t.fixed'", "0.1", "expected 0.0"});
    expect_error([&] { (void)ConfigSection::of(json{{"t", 3}}, "t", "m"); }, {"'t'", "expected an object"});
    expect_error([&] { (void)ConfigSection::of(json::object(), "vae", "m", true, "a video VAE checkpoint"); },
                 {"no 'vae' object", "a video VAE checkpoint"});
    expect_error([&] { (void)ConfigSection::of(json::array(), "t", "m"); }, {"m", "not a JSON object"});
}
