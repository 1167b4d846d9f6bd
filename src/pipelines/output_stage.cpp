#include "pipelines/output_stage.h"

#include "core/memory_stats.h"
#include "pipelines/model_loading.h"
#include "pipelines/output_decoding.h"

namespace ltx2 {

DecodedOutputs decode_outputs(const PipelineResult& latents, FrameRate fps, const Tensor& input_audio,
                              int input_sample_rate, const OutputStage& stage) {
    DecodedOutputs out;
    stage.begin("decode video", shape_str(latents.video_latent.shape()));
    if (stage.cache) stage.cache->make_room(size_t(video_decode_bytes(latents.video_latent.shape())));
    {
        const auto decoder = load_ltx_model_through<VideoDecoder>(
            stage.cache, *stage.ltx, *stage.paths, "video-decoder", LtxPart::VideoVae, "decoder.",
            [](const WeightStore& vae) { return VideoDecoder::load(vae); });
        const VideoDecodeTiling decode =
            video_decode_tiling(latents.video_latent.shape(), stage.budget_bytes, double(current_rss_bytes()));
        if (decode.reduced) stage.note("video decode tiling for the memory budget: " + decode.tiling.str());
        out.frames = decode_video_frames(*decoder, latents.video_latent, decode.tiling);
    }
    stage.end();

    const int64_t frames = out.frames.size(0);
    if (input_audio.defined()) {  // the input audio itself, as the reference returns it
        out.audio_sample_rate = input_sample_rate;
        out.waveform = fit_to_video(input_audio, frames, fps, input_sample_rate);
        return out;
    }
    stage.begin("decode audio", shape_str(latents.audio_latent.shape()));
    const auto decoder = load_ltx_model_through<AudioDecoder>(
        stage.cache, *stage.ltx, *stage.paths, "audio-decoder", LtxPart::AudioVae, "decoder.",
        [](const WeightStore& audio_vae) { return AudioDecoder::load(audio_vae); });
    const auto vocoder = load_ltx_model_through<Vocoder>(stage.cache, *stage.ltx, *stage.paths, "vocoder",
                                                         LtxPart::Vocoder, "",
                                                         [](const WeightStore& store) { return Vocoder::load(store); });
    out.audio_sample_rate = vocoder->output_sample_rate();
    out.waveform = fit_to_video(decode_audio_waveform(*decoder, *vocoder, latents.audio_latent), frames, fps,
                                out.audio_sample_rate);
    stage.end();
    return out;
}

}  // namespace ltx2
