#pragma once
// Every computation ltx2-parity can check, one function per golden `kind`.
#include "parity/parity.h"

namespace ltx2 {

void parity_rope_apply(ParityRun& run);                      // rope.apply
void parity_rope_video_freqs(ParityRun& run);                // rope.video_freqs
void parity_rope_audio_and_cross_freqs(ParityRun& run);      // rope.audio_and_cross_freqs
void parity_rope_video_freqs_bf16_positions(ParityRun& run); // rope.video_freqs_bf16_positions
void parity_transformer_x0(ParityRun& run);                  // transformer.x0
void parity_ltx23_transformer_x0(ParityRun& run);            // ltx23.transformer.x0
void parity_rng_torch_cpu_randn(ParityRun& run);             // rng.torch_cpu_randn
void parity_components_noiser(ParityRun& run);               // components.noiser
void parity_components_scheduler(ParityRun& run);            // components.scheduler
void parity_components_distilled_sigmas(ParityRun& run);     // components.distilled_sigmas
void parity_components_timestep_embedding(ParityRun& run);   // components.timestep_embedding
void parity_components_patchifiers(ParityRun& run);          // components.patchifiers
void parity_components_guiders(ParityRun& run);              // components.guiders
void parity_components_diffusion_steps(ParityRun& run);      // components.diffusion_steps
void parity_conditioning_latent_index(ParityRun& run);       // conditioning.latent_index
void parity_conditioning_keyframe(ParityRun& run);           // conditioning.keyframe
void parity_conditioning_reference_video(ParityRun& run);    // conditioning.reference_video
void parity_conditioning_noised_state(ParityRun& run);       // conditioning.noised_state
void parity_lora_fuse(ParityRun& run);                       // lora.fuse
void parity_vocoder_forward(ParityRun& run);                 // vocoder.forward
void parity_upsampler_latent(ParityRun& run);                // upsampler.latent
void parity_upsampler_blur_downsample(ParityRun& run);       // upsampler.blur_downsample
void parity_audio_vae_decode(ParityRun& run);                // audio_vae.decode
void parity_audio_vae_encode(ParityRun& run);                // audio_vae.encode
void parity_video_vae_decode(ParityRun& run);                // video_vae.decode
void parity_video_vae_encode(ParityRun& run);                // video_vae.encode
void parity_video_vae_tiled_decode(ParityRun& run);          // video_vae.tiled_decode
void parity_ltx25_diffvae_decode(ParityRun& run);            // ltx25.diffvae.decode
void parity_ltx25_diffvae_decode_tiled(ParityRun& run);      // ltx25.diffvae.decode_tiled
void parity_gemma3_hidden_states(ParityRun& run);            // gemma3.hidden_states
void parity_gemma3_generate_greedy(ParityRun& run);          // gemma3.generate_greedy
void parity_ltx2_feature_extractor(ParityRun& run);          // ltx2.feature_extractor
void parity_ltx2_embeddings_connector(ParityRun& run);       // ltx2.embeddings_connector
void parity_ltx2_text_e2e(ParityRun& run);                   // ltx2.text_e2e
void parity_ltx23_feature_extractor(ParityRun& run);         // ltx23.feature_extractor
void parity_ltx23_embeddings_connector(ParityRun& run);      // ltx23.embeddings_connector
void parity_ltx23_embeddings_processor(ParityRun& run);      // ltx23.embeddings_processor
void parity_ltx23_text_e2e(ParityRun& run);                  // ltx23.text_e2e
void parity_gguf_dequant(ParityRun& run);                    // gguf.dequant
void parity_pipeline_distilled(ParityRun& run);              // pipeline.distilled
void parity_pipeline_one_stage_cfg(ParityRun& run);          // pipeline.one_stage_cfg
void parity_pipeline_two_stage(ParityRun& run);              // pipeline.two_stage
void parity_pipeline_keyframe_interpolation(ParityRun& run); // pipeline.keyframe_interpolation
void parity_pipeline_ic_lora(ParityRun& run);                // pipeline.ic_lora
void parity_pipeline_a2v(ParityRun& run);                    // pipeline.a2v
void parity_pipeline_retake(ParityRun& run);                 // pipeline.retake
void parity_ltx25_pipeline_distilled(ParityRun& run);        // ltx25.pipeline.distilled
void parity_ltx25_duration_head(ParityRun& run);             // ltx25.duration_head

}  // namespace ltx2
