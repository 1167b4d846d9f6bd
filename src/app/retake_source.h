#pragma once
// The source clip of a retake (--video-path): its size, length and frame rate become the
// generation's, checked as the official script checks them (8k + 1 frames, sides multiples of
// 32) before any model loads; its frames and audio track are then encoded into the latents the
// retake starts from (retake.py: video_latent_from_file, audio_latent_from_file).
#include <optional>

#include "core/tensor.h"
#include "io/media/video_reader.h"
#include "io/weight_store.h"
#include "core/precision.h"
#include "pipelines/generation_params.h"

namespace ltx2 {

// Probes params.retake.video_path (which `kind`, a retake pipeline, needs) and sets params.height / width / num_frames / frame_rate from
// it. Throws naming --video-path for a file that is not a video, a frame count that is not 8k + 1
// (saying which count would be), sides that are not multiples of 32, or --keep-audio on a clip
// without an audio track.
VideoFileInfo apply_retake_source(PipelineKind kind, GenerationParams& params);

// The source's frames as the reference encodes them (video_latent_from_file): the first
// num_frames frames, normalised to [-1, 1], through the video VAE encoder in the reference's
// default tiles (models/video_vae/encode_tiling.h). `video_vae`: the file holding the video VAE.
Tensor encode_retake_source_video(const GenerationParams& params, const WeightStore& video_vae);

// The source's audio track as the audio VAE encodes it: the first num_frames / frame_rate
// seconds, mono duplicated, log-mel, encoder; trimmed to the video's audio latent length or
// zero-padded up to it when the track is shorter (the reference's _conform_latent_length).
// Samples are checked before the encoder loads. `audio_vae`: the file holding the audio VAE.
Tensor encode_retake_source_audio(const GenerationParams& params, const WeightStore& audio_vae, Precision precision);

}  // namespace ltx2
