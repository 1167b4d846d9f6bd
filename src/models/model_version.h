#pragma once
// Which LTX release a checkpoint is, and the reference semantics that follow from it. This is
// the one place where the model version is decided: models, conditioning and pipelines read
// the flags of ModelSemantics, never the version itself.
//
// LTX-2 (19B) files carry no `model_version` and follow Lightricks/LTX-2 @ 28c3c73. LTX-2.3
// files carry "2.3.x" and follow @ 400fd31, which computes differently even for the same
// weights. LTX-2.5 files ("2.5.x") run the same 400fd31 code path with version-gated pipeline
// behaviour (ancestral distilled stage 1, image CRF 18, the Gemma 4 text encoder). Other
// versions are refused at load.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

class WeightStore;

enum class ModelGeneration { Ltx2, Ltx2_3, Ltx2_5 };

struct ModelSemantics {
    ModelGeneration generation = ModelGeneration::Ltx2;
    std::string version;  // as stored ("" when the file has none)

    // The AV cross-attention gate AdaLN of a stream runs on the *other* modality's per-sample
    // sigma (28c3c73: on the stream's own per-token timesteps).
    bool av_gate_from_other_sigma = false;
    // A skipped self-attention (STG) passes the value projection through the gate and to_out
    // (28c3c73: the attention update is dropped).
    bool skipped_attention_passes_value = false;
    // The bf16 pipeline keeps video positions in float32 (28c3c73 casts them to bf16).
    bool bf16_pipeline_video_positions_f32 = false;
    // Conditioning by latent index leaves the noisy latent alone: only the clean latent and the
    // denoise mask change (28c3c73 also writes the clean latent into the noisy one).
    bool latent_index_keeps_noisy_latent = false;
    // GaussianNoiser blends with torch.lerp toward the clean latent (NoiseBlend::Lerp; 28c3c73:
    // NoiseBlend::MaskTimesScale).
    bool noise_blend_lerp = false;
    // A guider's skipped step disables its stream in every guidance pass (28c3c73: the negative
    // pass keeps both streams enabled).
    bool skipped_guidance_step_disables_every_pass = false;
    // The pipelines that replace latent frames by images (all but keyframe interpolation) take an
    // image at frame 0 as the replacement of latent frame 0 and any other as a guiding keyframe
    // at that pixel frame (28c3c73: every image replaces the latent frame its index names).
    bool images_after_frame_0_are_keyframes = false;
    // TI2VidTwoStagesPipeline decodes the stage-1 audio: its refine stage still denoises the audio
    // (the video attends to it) but discards the result (28c3c73: the stage-2 audio is decoded).
    bool two_stage_keeps_stage1_audio = false;

    // The reference pipelines' version-gated defaults (LTX_2_PARAMS / LTX_2_3_PARAMS).
    int default_guided_steps = 40;
    int default_stg_block = 29;
    int default_image_crf = 33;
    // Guided (dev-checkpoint) pipelines refuse a distilled checkpoint of this version.
    bool distilled_checkpoint_only_in_distilled_pipelines = false;
    // The reference has the audio-to-video and retake pipelines for this version (a2vid_two_stage.py
    // and retake.py are new at 400fd31; 28c3c73 has neither).
    bool has_a2v_and_retake_pipelines = false;
    // DistilledPipeline's stage 1 samples with ancestral Euler (eta 1, s_noise 1, its own noise
    // generator seeded seed + 10000) instead of plain Euler (400fd31: model version >= 2.5).
    bool ancestral_distilled_stage1 = false;
    // The text encoder is Gemma 4 (gemma_source_checkpoint names it), which this build does not
    // run yet: a generation stops before any model work.
    bool gemma4_text_encoder = false;
    // The checkpoint predicts a clip's length from the prompt (DurationHead; `--frames auto`).
    bool has_duration_head = false;
    // gemma_source_checkpoint.gemma_version: the fine-tuned text encoder the file was trained with
    // ("" when the file does not say; from 2.4 on the reference requires it).
    std::string gemma_version;

    // The 400fd31 code path of LTX-2.3, which LTX-2.5 shares.
    bool is_ltx23() const { return generation != ModelGeneration::Ltx2; }
    std::string name() const;  // "LTX-2 (19B)" / "LTX-2.3 (model_version 2.3.0)" / "LTX-2.5 (...)"
};

// The numeric components of a version string, as the reference parses them: up to the first
// component that is not a plain integer ("2.3.rc1" → {2, 3}; "" → {}).
std::vector<int> parse_model_version(const std::string& version);

// The semantics of a checkpoint with this `model_version` metadata (nullopt: absent) and
// `config` object. Without a version, 2.3-only transformer flags select LTX-2.3 (files
// repacked without their metadata). Throws naming `source`, the version and the supported ones
// for any other version.
ModelSemantics model_semantics(const std::optional<std::string>& model_version, const nlohmann::json& config,
                               const std::string& source);
// Of a store's file (metadata `model_version`, or `ltx2.model_version` in a GGUF).
ModelSemantics model_semantics(const WeightStore& store);

}  // namespace ltx2
