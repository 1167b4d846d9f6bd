// LTX-2.3's text stack: the ltx23/text goldens (feature extractor V2, gated 8-block connectors
// of their own widths, the embeddings processor, prompt → contexts), the config that selects it,
// the bf16 production path, unused-tensor rejection and the staged prompt encoding.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/embeddings_processor.h"
#include "models/text_encoder/feature_extractor_v2.h"
#include "models/text_encoder/padding.h"
#include "parity/kinds.h"
#include "pipelines/text_encoding.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::TempDir;
using nlohmann::json;

namespace {

const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/ltx23/text/";
const std::string kModel = kDir + "ltx23_text_tiny.model.safetensors";
const std::string kGemma = std::string(LTX2_GOLDEN_DIR) + "/text/gemma3_tiny";
const std::string kTokenizer = LTX2_TEST_TOKENIZER_JSON;

json tiny_config() { return json::parse(*SafetensorsFile::open(kModel)->metadata_value("config")); }

// A copy of the tiny model with its tensors and config edited.
using Tensors = ltx2::test::TensorMap;
std::string write_variant(const TempDir& dir, const std::function<void(Tensors&, json&)>& edit) {
    return ltx2::test::write_model_variant(kModel, dir, edit);
}

// The real rows of a left-padded golden io file's hidden states.
struct Fixture {
    std::shared_ptr<SafetensorsFile> file;
    int64_t T = 0, V = 0;
    explicit Fixture(const std::string& name) : file(SafetensorsFile::open(kDir + name)) {
        const Tensor mask = file->tensor("in.attention_mask");
        T = mask.size(-1);
        V = left_padded_real_rows(mask, name);
    }
    Tensor rows(const std::string& name) const { return file->tensor(name).select(0, 0).slice(0, T - V, T); }
    std::vector<Tensor> states() const {
        std::vector<Tensor> s;
        for (int l = 0; file->has("in.hidden_state." + std::to_string(l)); ++l)
            s.push_back(rows("in.hidden_state." + std::to_string(l)));
        return s;
    }
};

}  // namespace

// ---- golden parity (float32, README 4: 1e-5; end to end 2e-5; context mask exact) ------------

TEST(Ltx23TextParity, FeatureExtractorPaddedAndFull) {
    for (const char* f : {"ltx23_feature_extractor.padded.io.safetensors", "ltx23_feature_extractor.full.io.safetensors"})
        test::expect_fixture_passes("ltx23/text", f, parity_ltx23_feature_extractor, 3);
}
// registers, rope cos/sin, block-0 gates, 8 block outputs, hidden states, additive mask.
TEST(Ltx23TextParity, VideoAndAudioConnectors) {
    for (const char* f : {"ltx23_video_connector.io.safetensors", "ltx23_audio_connector.io.safetensors"})
        test::expect_fixture_passes("ltx23/text", f, parity_ltx23_embeddings_connector, 14);
}
TEST(Ltx23TextParity, EmbeddingsProcessor) {
    test::expect_fixture_passes("ltx23/text", "ltx23_embeddings_processor.io.safetensors",
                                parity_ltx23_embeddings_processor, 5);
}
TEST(Ltx23TextParity, EndToEnd) {
    for (const char* name : {"cinematic_long", "special_image_tokens"}) {
        ParityRun run(kDir + "ltx23_text_e2e." + std::string(name) + ".io.safetensors", std::nullopt, "");
        run.set_tokenizer_override(kTokenizer);
        parity_ltx23_text_e2e(run);
        for (const auto& c : run.checks()) EXPECT_TRUE(c.pass) << name << " " << c.name << " rel " << c.rel_err;
        EXPECT_EQ(run.checks().size(), 5u) << name;
    }
}

// A fixture of one version run on the other version's checkpoint is refused, naming both.
TEST(Ltx23TextParity, VersionMismatchIsNamed) {
    ParityRun run(kDir + "ltx23_feature_extractor.padded.io.safetensors", std::nullopt,
                  std::string(LTX2_GOLDEN_DIR) + "/text/ltx2_text_tiny.model.safetensors");
    expect_error([&] { parity_ltx23_feature_extractor(run); }, {"LTX-2.3 (V2)", "selects feature extractor V1"});
}

// ---- config ------------------------------------------------------------------------------------

TEST(Ltx23TextConfig, SelectsV2AndPerStreamWidths) {
    const TextEncoderConfig c = parse_text_encoder_config(tiny_config(), "tiny");
    EXPECT_EQ(c.feature_extractor, FeatureExtractorVersion::V2);
    EXPECT_EQ(c.video_width, 64);
    EXPECT_EQ(c.audio_width, 32);
    EXPECT_EQ(c.video_connector.heads, 2);
    EXPECT_EQ(c.video_connector.head_dim, 32);
    EXPECT_EQ(c.audio_connector.heads, 2);
    EXPECT_EQ(c.audio_connector.head_dim, 16);
    for (const ConnectorConfig& k : {c.video_connector, c.audio_connector}) {
        EXPECT_EQ(k.layers, 8);
        EXPECT_TRUE(k.gated_attention);
        EXPECT_EQ(k.registers, 128);
    }
    EXPECT_EQ(c.audio_connector.rope_spec().dim, 32);

    // Without the audio connector keys the audio connector takes the video connector's shape.
    json same = tiny_config();
    same["transformer"].erase("audio_connector_num_attention_heads");
    same["transformer"].erase("audio_connector_attention_head_dim");
    same["transformer"]["audio_num_attention_heads"] = 2;
    same["transformer"]["audio_attention_head_dim"] = 32;
    const TextEncoderConfig s = parse_text_encoder_config(same, "same");
    EXPECT_EQ(s.audio_connector.width(), 64);
    EXPECT_EQ(s.audio_width, 64);
}

TEST(Ltx23TextConfig, OtherCaptionProjectionSettingsAreRefusedNamingTheKeys) {
    auto with = [](const std::string& key, const json& value) {
        json c = tiny_config();
        if (value.is_null()) c["transformer"].erase(key);
        else c["transformer"][key] = value;
        return c;
    };
    expect_error([&] { parse_text_encoder_config(with("caption_projection_first_linear", true), "m.safetensors"); },
                 {"m.safetensors", "transformer.caption_projection_first_linear' is true (expected false)"});
    expect_error([&] { parse_text_encoder_config(with("caption_proj_before_connector", false), "m"); },
                 {"transformer.caption_proj_before_connector' is false (expected true)"});
    expect_error([&] { parse_text_encoder_config(with("caption_proj_input_norm", nullptr), "m"); },
                 {"partial", "missing", "transformer.caption_proj_input_norm"});
    // The connectors must be as wide as the streams they feed.
    expect_error([&] { parse_text_encoder_config(with("audio_connector_attention_head_dim", 8), "m"); },
                 {"audio_connector_num_attention_heads x audio_connector_attention_head_dim", "2 x 8 = 16",
                  "audio stream width", "is 32"});
    expect_error([&] { parse_text_encoder_config(with("connector_ff_bias", false), "m"); }, {"connector_ff_bias"});
}

// ---- loaders refuse tensors no module reads ------------------------------------------------------

TEST(Ltx23TextWeights, UnusedTensorsAreRefused) {
    {
        TempDir dir;
        const std::string path = write_variant(dir, [](Tensors& t, json&) {
            t["text_embedding_projection.aggregate_embed.weight"] = Tensor::zeros({16, 128});
        });
        expect_error([&] { FeatureExtractorV2::load(WeightStore::open(path, kFeatureExtractorPrefix), Precision::F32); },
                     {"1 unexpected tensor", "feature extractor V2 under 'text_embedding_projection.'", "'aggregate_embed.weight'"});
        expect_error([&] { EmbeddingsProcessor::load(path, Precision::F32); }, {"aggregate_embed.weight"});
    }
    {
        TempDir dir;
        const std::string path = write_variant(dir, [](Tensors& t, json&) {
            t[kAudioConnectorPrefix + std::string("transformer_1d_blocks.8.attn1.to_q.weight")] = Tensor::zeros({32, 32});
        });
        expect_error([&] { EmbeddingsProcessor::load(path, Precision::F32); },
                     {"'transformer_1d_blocks.8.attn1.to_q.weight'", "8 layers"});
    }
    {
        // Gated attention switched off leaves the gate weights unread.
        TempDir dir;
        const std::string path = write_variant(dir, [](Tensors&, json& c) {
            c["transformer"]["connector_apply_gated_attention"] = false;
        });
        expect_error([&] { EmbeddingsProcessor::load(path, Precision::F32); },
                     {"to_gate_logits", "without gated attention"});
    }
    {
        // A projection without its bias, and one sized for another stream width.
        TempDir dir;
        const std::string path = write_variant(dir, [](Tensors& t, json&) {
            t.erase("text_embedding_projection.audio_aggregate_embed.bias");
        });
        expect_error([&] { EmbeddingsProcessor::load(path, Precision::F32); }, {"audio_aggregate_embed.bias"});
        TempDir dir2;
        const std::string wide = write_variant(dir2, [](Tensors&, json& c) {
            c["transformer"]["audio_attention_head_dim"] = 32;
            c["transformer"]["audio_connector_attention_head_dim"] = 32;
        });
        expect_error([&] { EmbeddingsProcessor::load(wide, Precision::F32); },
                     {"audio_aggregate_embed.weight", "projects to 32 features", "audio stream width", "is 64"});
    }
}

// ---- feature extractor V2 ------------------------------------------------------------------------

TEST(Ltx23FeatureExtractor, SlicedProjectionEqualsOneSlice) {
    const Fixture f("ltx23_feature_extractor.padded.io.safetensors");
    FeatureExtractorV2 fe = FeatureExtractorV2::load(WeightStore::open(kModel, kFeatureExtractorPrefix), Precision::F32);
    const StreamFeatures whole = fe.project(f.states());
    for (int64_t slice : {1, 8, 24, 1000}) {
        fe.set_slice_features(slice);
        const StreamFeatures sliced = fe.project(f.states());
        EXPECT_TRUE(compare_tensors("video", sliced.video, whole.video, 1e-6).pass) << slice;
        EXPECT_TRUE(compare_tensors("audio", sliced.audio, whole.audio, 1e-6).pass) << slice;
    }
}

TEST(Ltx23FeatureExtractor, Bf16FollowsTheGoldensWithinTheBf16Criteria) {
    // bf16 production: per-token statistics, rescale and projections in bf16. Criteria as the
    // 19B text goldens' bf16 ones: cosine ≥ 0.9995, max abs error ≤ 5 % of the absmax.
    const FeatureExtractorV2 fe =
        FeatureExtractorV2::load(WeightStore::open(kModel, kFeatureExtractorPrefix), Precision::BF16);
    EXPECT_EQ(fe.video_projection().weight.dtype(), DType::BF16);
    for (const char* name : {"ltx23_feature_extractor.padded.io.safetensors", "ltx23_feature_extractor.full.io.safetensors"}) {
        const Fixture f(name);
        const StreamFeatures got = fe.project(f.states());
        test::expect_bf16_agreement(got.video, f.rows("out.video_features"), std::string(name) + " video");
        test::expect_bf16_agreement(got.audio, f.rows("out.audio_features"), std::string(name) + " audio");
        test::expect_bf16_agreement(fe.normalized_features(f.states()), f.rows("out.normed_concat"),
                                    std::string(name) + " normed");
    }
}

TEST(Ltx23FeatureExtractor, RowsDoNotInfluenceEachOther) {
    // Per-token statistics: the features of a row do not depend on which other rows are real.
    const Fixture f("ltx23_feature_extractor.full.io.safetensors");
    const FeatureExtractorV2 fe =
        FeatureExtractorV2::load(WeightStore::open(kModel, kFeatureExtractorPrefix), Precision::F32);
    const StreamFeatures all = fe.project(f.states());
    std::vector<Tensor> last;
    for (const Tensor& s : f.states()) last.push_back(s.slice(0, f.V - 5, f.V));
    const StreamFeatures part = fe.project(last);
    EXPECT_TRUE(compare_tensors("video", part.video, all.video.slice(0, f.V - 5, f.V).contiguous(), 1e-6).pass);
}

// ---- staged prompt encoding ----------------------------------------------------------------------

TEST(Ltx23TextEncoding, EncodePromptsGivesStreamWidthContexts) {
    const auto io = SafetensorsFile::open(kDir + "ltx23_text_e2e.cinematic_long.io.safetensors");
    TextEncodingOptions options;
    options.precision = Precision::F32;
    const auto encoded = encode_prompts({kGemma, kTokenizer, kModel}, {*io->metadata_value("prompt")}, options);
    ASSERT_EQ(encoded.size(), 1u);
    const EncodedPrompt& e = encoded[0];
    EXPECT_EQ(e.video_context.shape(), (Shape{1, 1024, 64}));
    EXPECT_EQ(e.audio_context.shape(), (Shape{1, 1024, 32}));
    EXPECT_EQ(e.tokens.real_tokens, 177);
    for (const auto& [name, got] : {std::pair{"out.video_context", e.video_context}, std::pair{"out.audio_context", e.audio_context},
                                    std::pair{"dbg.video_features", e.video_features},
                                    std::pair{"dbg.audio_features", e.audio_features}}) {
        const auto check = compare_tensors(name, got, io->tensor(name), 2e-5);
        EXPECT_TRUE(check.pass) << name << " rel " << check.rel_err;
    }
    EXPECT_TRUE(compare_tensors("mask", e.context_mask.to(DType::F32), io->tensor("out.context_mask"), 0.0).pass);

    // bf16 production: the same contexts within the bf16 criteria.
    options.precision = Precision::BF16;
    const auto bf16 = encode_prompts({kGemma, kTokenizer, kModel}, {*io->metadata_value("prompt")}, options);
    test::expect_bf16_agreement(bf16[0].video_context, io->tensor("out.video_context"), "bf16 video context");
    test::expect_bf16_agreement(bf16[0].audio_context, io->tensor("out.audio_context"), "bf16 audio context");
}

TEST(Ltx23TextEncoding, GemmaOfTheWrongWidthIsNamed) {
    Gemma3Config gemma = load_gemma3_config(kGemma);
    gemma.num_hidden_layers = 3;
    expect_error([&] { check_gemma_fits_projection(gemma, "small-gemma", WeightStore::open(kModel, kFeatureExtractorPrefix)); },
                 {"video_aggregate_embed takes 128 features", "small-gemma", "gives 64"});
}
