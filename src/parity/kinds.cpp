#include "parity/kinds.h"

#include <utility>

namespace ltx2 {

namespace {
constexpr std::pair<std::string_view, ParityKindFn> kKinds[] = {
    {"rope.apply", parity_rope_apply},
    {"rope.video_freqs", parity_rope_video_freqs},
    {"rope.audio_and_cross_freqs", parity_rope_audio_and_cross_freqs},
    {"rope.video_freqs_bf16_positions", parity_rope_video_freqs_bf16_positions},
    {"transformer.x0", parity_transformer_x0},
    {"ltx23.transformer.x0", parity_ltx23_transformer_x0},
    {"rng.torch_cpu_randn", parity_rng_torch_cpu_randn},
    {"components.noiser", parity_components_noiser},
    {"components.scheduler", parity_components_scheduler},
    {"components.distilled_sigmas", parity_components_distilled_sigmas},
    {"components.timestep_embedding", parity_components_timestep_embedding},
    {"components.patchifiers", parity_components_patchifiers},
    {"components.guiders", parity_components_guiders},
    {"components.diffusion_steps", parity_components_diffusion_steps},
    {"conditioning.latent_index", parity_conditioning_latent_index},
    {"conditioning.keyframe", parity_conditioning_keyframe},
    {"conditioning.reference_video", parity_conditioning_reference_video},
    {"conditioning.noised_state", parity_conditioning_noised_state},
    {"lora.fuse", parity_lora_fuse},
    {"vocoder.forward", parity_vocoder_forward},
    {"upsampler.latent", parity_upsampler_latent},
    {"upsampler.blur_downsample", parity_upsampler_blur_downsample},
    {"audio_vae.decode", parity_audio_vae_decode},
    {"audio_vae.encode", parity_audio_vae_encode},
    {"video_vae.decode", parity_video_vae_decode},
    {"video_vae.encode", parity_video_vae_encode},
    {"video_vae.tiled_decode", parity_video_vae_tiled_decode},
    {"ltx25.diffvae.decode", parity_ltx25_diffvae_decode},
    {"ltx25.diffvae.decode_tiled", parity_ltx25_diffvae_decode_tiled},
    {"gemma3.hidden_states", parity_gemma3_hidden_states},
    {"gemma3.generate_greedy", parity_gemma3_generate_greedy},
    {"ltx2.feature_extractor", parity_ltx2_feature_extractor},
    {"ltx2.embeddings_connector", parity_ltx2_embeddings_connector},
    {"ltx2.text_e2e", parity_ltx2_text_e2e},
    {"ltx23.feature_extractor", parity_ltx23_feature_extractor},
    {"ltx23.embeddings_connector", parity_ltx23_embeddings_connector},
    {"ltx23.embeddings_processor", parity_ltx23_embeddings_processor},
    {"ltx23.text_e2e", parity_ltx23_text_e2e},
    {"gguf.dequant", parity_gguf_dequant},
    {"pipeline.distilled", parity_pipeline_distilled},
    {"pipeline.one_stage_cfg", parity_pipeline_one_stage_cfg},
    {"pipeline.two_stage", parity_pipeline_two_stage},
    {"pipeline.keyframe_interpolation", parity_pipeline_keyframe_interpolation},
    {"pipeline.ic_lora", parity_pipeline_ic_lora},
    {"pipeline.a2v", parity_pipeline_a2v},
    {"pipeline.retake", parity_pipeline_retake},
    {"ltx25.pipeline.distilled", parity_ltx25_pipeline_distilled},
    {"ltx25.duration_head", parity_ltx25_duration_head},
};
}  // namespace

ParityKindFn find_parity_kind(std::string_view kind) {
    for (const auto& [name, fn] : kKinds)
        if (name == kind) return fn;
    return nullptr;
}

std::vector<std::string> parity_kind_names() {
    std::vector<std::string> out;
    for (const auto& [name, fn] : kKinds) out.emplace_back(name);
    return out;
}

}  // namespace ltx2
