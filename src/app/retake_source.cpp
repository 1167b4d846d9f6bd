#include "app/retake_source.h"

#include <fmt/format.h>

#include "core/error.h"
#include "io/media/audio_reader.h"
#include "models/video_vae/encode_tiling.h"
#include "models/video_vae/model.h"
#include "pipelines/audio_conditioning.h"
#include "pipelines/audio_length.h"
#include "pipelines/media_preprocess.h"
#include "pipelines/model_loading.h"

namespace ltx2 {

namespace {

std::string source_of(const GenerationParams& p) { return fmt::format("--video-path {}", p.retake.video_path); }

}  // namespace

VideoFileInfo apply_retake_source(PipelineKind kind, GenerationParams& p) {
    check_retake_source_given(kind, p.retake);
    const std::string source = source_of(p);
    const VideoFileInfo info = probe_video(p.retake.video_path, "--video-path");
    if ((info.frames - 1) % 8 != 0)
        fail("{}: the clip has {} frames; retake needs 8k + 1 frames (e.g. 97, 121): use a clip of {} frames", source,
             info.frames, (info.frames - 1) / 8 * 8 + 1);
    if (info.width % 32 != 0 || info.height % 32 != 0)
        fail("{}: the clip is {}x{}; retake needs a width and height that are multiples of 32", source, info.width,
             info.height);
    if (!info.has_audio && !p.retake.regenerate_audio)
        fail("--keep-audio: {} has no audio track to keep (without --keep-audio the retake generates its audio "
             "whole)",
             source);
    p.width = info.width;
    p.height = info.height;
    p.num_frames = info.frames;
    p.frame_rate = info.fps();
    return info;
}

Tensor encode_retake_source_video(const GenerationParams& p, const WeightStore& video_vae) {
    const Tensor pixels = load_video_conditioning(p.retake.video_path, p.height, p.width, p.num_frames);
    LTX2_CHECK(pixels.size(2) == p.num_frames, "{}: decoded {} frames, the stream said {}", source_of(p),
               pixels.size(2), p.num_frames);
    const VideoEncoder encoder = VideoEncoder::load(video_vae);
    return vae_tiling::tiled_encode(pixels, [&](const Tensor& tile) { return encoder.encode(tile); });
}

Tensor encode_retake_source_audio(const GenerationParams& p, const WeightStore& audio_vae, Precision precision) {
    const std::string source = source_of(p);
    const AudioEncoder encoder = load_audio_encoder(audio_vae, precision);
    const DecodedAudio decoded = read_audio(p.retake.video_path, 0.0, double(p.num_frames) / p.frame_rate, "--video-path");
    const Tensor samples = waveform_with_channels(decoded.samples, encoder.config().in_channels, source);
    const Tensor waveform = samples.reshape({1, samples.size(0), samples.size(1)});
    return encode_conditioning_audio(encoder, waveform, decoded.sample_rate,
                                     audio_latent_frames(p.num_frames, p.frame_rate), source, ShortAudio::ZeroPad)
        .latent;
}

}  // namespace ltx2
