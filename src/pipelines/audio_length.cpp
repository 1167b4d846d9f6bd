// The audio-length rule of the official pipelines (see audio_length.h for the references).
#include "pipelines/audio_length.h"

#include "core/error.h"
#include "diffusion/patchifiers.h"

namespace ltx2 {

int64_t audio_latent_frames(int64_t num_frames, double fps) {
    LTX2_CHECK(num_frames >= 1, "audio length: num_frames must be >= 1, got {}", num_frames);
    LTX2_CHECK(fps > 0, "audio length: fps must be > 0, got {}", fps);
    const AudioLatentShape s = audio_latent_shape_from_video(1, num_frames, fps);
    LTX2_CHECK(s.frames >= 1, "audio length: {} frames at {} fps is too short for one audio latent frame", num_frames,
               fps);
    return s.frames;
}

AudioLength audio_length_for_video(int64_t num_frames, double fps, const AudioVaeConfig& vae,
                                   const VocoderConfig& vocoder) {
    AudioLength r;
    r.latent_frames = audio_latent_frames(num_frames, fps);
    r.mel_frames = vae.decoded_frames(int(r.latent_frames));
    r.samples = r.mel_frames * int64_t(vocoder.upsample_factor());
    r.sample_rate = vocoder.output_sample_rate();
    return r;
}

}  // namespace ltx2
