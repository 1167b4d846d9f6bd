// Audio-to-video (LTX-2.3 A2VidPipelineTwoStage): the golden fixture, the audio reader (WAV, MP3,
// FLAC, an MP4 without audio), the reference's trimming, the audio-length checks and the
// parameter checks that run before any model loads.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "io/media/audio_reader.h"
#include "io/media/mp4_writer.h"
#include "io/wav.h"
#include "models/audio_vae/config.h"
#include "models/model_version.h"
#include "pipelines/audio_conditioning.h"
#include "pipelines/model_loading.h"
#include "pipelines/pipelines.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::test::expect_error;
using ltx2::test::run_command;
using ltx2::test::TempDir;

namespace ltx2 {

namespace {

const std::string kFixture = std::string(LTX2_GOLDEN_DIR) + "/ltx23_pipelines/a2v/a2v.io.safetensors";

// Stereo tones (440 Hz left, 660 Hz right) of `seconds` at `rate`.
Tensor tone(double seconds, int rate) {
    const int64_t n = std::llround(seconds * rate);
    Tensor t = Tensor::zeros({2, n});
    for (int64_t i = 0; i < n; ++i) {
        t.f32()[i] = float(0.5 * std::sin(2 * M_PI * 440.0 * double(i) / rate));
        t.f32()[n + i] = float(0.3 * std::sin(2 * M_PI * 660.0 * double(i) / rate));
    }
    return t;
}

std::string write_tone_wav(const TempDir& dir, const std::string& name, double seconds = 1.0, int rate = 44100) {
    const std::string path = dir.file(name);
    write_wav(path, tone(seconds, rate), rate, WavFormat::Pcm16);
    return path;
}

// The same audio converted by the ffmpeg program (Debian's, with libmp3lame and flac).
std::string convert(const std::string& wav, const std::string& out) {
    const auto r = run_command("ffmpeg -v error -y -i '" + wav + "' '" + out + "'");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
}

GenerationParams a2v_params() {
    GenerationParams p = default_generation_params(PipelineKind::AudioToVideo);
    p.height = 128;
    p.width = 192;
    p.num_frames = 17;
    p.audio.path = "song.mp3";
    return p;
}

}  // namespace

// The semantics of an LTX-2.3 model (the only release with an a2v pipeline).
ModelSemantics ltx23() { return model_semantics(std::string("2.3.0"), nlohmann::json::object(), "ltx-2.3"); }

TEST(A2vPipeline, GoldenFixturePasses) {
    EXPECT_GE(test::run_fixture_by_kind(kFixture, "pipeline.a2v"), 10u);
}

TEST(A2vPipeline, PlanKeepsTheAudioFixedAndGuidesTheVideoOnly) {
    GenerationParams p = a2v_params();
    p.distilled_loras = {{"distilled.safetensors", 1.0}};
    p.loras = {{"style.safetensors", 0.5}};
    const std::vector<StagePlan> plans = pipeline_plan(PipelineKind::AudioToVideo, p, ltx23());
    ASSERT_EQ(plans.size(), 2u);
    EXPECT_TRUE(plans[0].audio_frozen);
    EXPECT_TRUE(plans[1].audio_frozen);
    ASSERT_TRUE(plans[0].guidance.has_value());
    EXPECT_FALSE(plans[0].guidance->audio_negative_context);
    EXPECT_EQ(plans[0].guidance->audio.cfg_scale, 1.0);
    EXPECT_EQ(plans[0].guidance->audio.stg_scale, 0.0);
    EXPECT_EQ(plans[0].guidance->video.cfg_scale, p.video_guider.cfg_scale);
    EXPECT_EQ(plans[0].height, 64);
    EXPECT_FALSE(plans[1].guidance.has_value());
    EXPECT_EQ(plans[0].transformer.loras, p.loras);
    EXPECT_EQ(plans[1].transformer.loras, (std::vector<LoraSpec>{p.loras[0], p.distilled_loras[0]}));
    // Images: frame 0 replaces the first latent frame, the others are keyframes at their pixel frame.
    p.images = {{"a.png", 0, 1.0}, {"b.png", 16, 0.5}};
    const std::vector<StagePlan> with_images = pipeline_plan(PipelineKind::AudioToVideo, p, ltx23());
    ASSERT_EQ(with_images[0].conditionings.size(), 2u);
    EXPECT_EQ(with_images[0].conditionings[0].kind, ConditioningKind::ReplaceLatent);
    EXPECT_EQ(with_images[0].conditionings[1].kind, ConditioningKind::Keyframe);
    EXPECT_EQ(with_images[0].conditionings[1].frame_idx, 16);
}

TEST(A2vPipeline, StepsThatReuseTheVideoRunNoPassForTheFrozenAudio) {
    const auto io = SafetensorsFile::open(kFixture);
    GenerationParams p = a2v_params();
    p.num_inference_steps = 4;
    p.video_guider.stg_blocks = {1};
    p.video_guider.skip_step = 1;  // steps 1 and 3 reuse the video prediction of the step before
    const StagePlan plan = pipeline_plan(PipelineKind::AudioToVideo, p, ltx23()).front();
    PipelineInputs inputs;
    inputs.text = {io->tensor("in.video_context_positive"), io->tensor("in.audio_context_positive"),
                   io->tensor("in.video_context_negative"), Tensor()};
    inputs.frozen_audio = io->tensor("out.audio.encoded_latent");
    std::map<std::string, Tensor> taps;
    PipelineHooks hooks;
    hooks.tap = [&](const std::string& name, const Tensor& t) { taps[name] = t; };
    const auto model =
        load_transformer(std::string(LTX2_GOLDEN_DIR) + "/ltx23_pipelines/a2v/a2v.model.safetensors", {}, Precision::F32);
    TorchGenerator generator(42);
    const StageResult result = run_stage(plan, *model, inputs, generator, hooks);
    for (const char* step : {"step0", "step2"})
        EXPECT_TRUE(taps.count(std::string("stage1.") + step + ".branch_positive.video_denoised")) << step;
    for (const char* step : {"step1", "step3"})
        EXPECT_FALSE(taps.count(std::string("stage1.") + step + ".branch_positive.video_denoised")) << step;
    EXPECT_EQ(taps.at("stage1.step1.video_denoised").to_vector(), taps.at("stage1.step0.video_denoised").to_vector());
    EXPECT_NE(taps.at("stage1.step2.video_denoised").to_vector(), taps.at("stage1.step0.video_denoised").to_vector());
    EXPECT_EQ(result.audio_latent.to_vector(), inputs.frozen_audio.to_vector());
}

TEST(A2vPipeline, ParameterChecksNameTheOption) {
    GenerationParams p = a2v_params();
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::AudioToVideo, p, ltx23()));
    p.audio.path.clear();
    expect_error([&] { validate_generation_params(PipelineKind::AudioToVideo, p, ltx23()); }, {"--audio-path", "a2v"});
    p = a2v_params();
    p.audio.start_time = -1;
    expect_error([&] { validate_generation_params(PipelineKind::AudioToVideo, p, ltx23()); },
                 {"--audio-start-time -1", ">= 0", "song.mp3"});
    p = a2v_params();
    p.audio.max_duration = -0.5;
    expect_error([&] { validate_generation_params(PipelineKind::AudioToVideo, p, ltx23()); },
                 {"--audio-max-duration -0.5", "> 0", "song.mp3"});
    p.audio.max_duration = 0.0;
    expect_error([&] { validate_generation_params(PipelineKind::AudioToVideo, p, ltx23()); }, {"--audio-max-duration 0"});
    p = a2v_params();
    p.images = {{"a.png", 17, 1.0}};
    expect_error([&] { validate_generation_params(PipelineKind::AudioToVideo, p, ltx23()); },
                 {"--image a.png", "frame index 17", "pixel frame", "0..16"});
    GenerationParams two = default_generation_params(PipelineKind::TwoStage);
    two.audio.path = "song.mp3";
    expect_error([&] { validate_generation_params(PipelineKind::TwoStage, two, ltx23()); },
                 {"--audio-path song.mp3", "only the a2v pipeline"});
    EXPECT_EQ(parse_pipeline_kind("a2v"), PipelineKind::AudioToVideo);
    EXPECT_STREQ(pipeline_name(PipelineKind::AudioToVideo), "a2v");
}

TEST(A2vAudio, TrimRoundsHalfToEvenAsPython) {
    const Tensor samples = tone(1.0, 44100);
    // round(17/24 · 44100) = round(31237.5) = 31238 (even).
    EXPECT_EQ(trim_decoded_audio(samples, 44100, 0.0, 0.0, 17.0 / 24.0).size(1), 31238);
    // Start 0.25 s into frames that begin at 0.2 s: round(0.05 · 44100) = round(2205.0) samples dropped.
    const Tensor cut = trim_decoded_audio(samples, 44100, 0.2, 0.25, 0.1);
    EXPECT_EQ(cut.size(1), 4410);
    EXPECT_EQ(cut.f32()[0], samples.f32()[2205]);
    EXPECT_EQ(trim_decoded_audio(samples, 44100, 0.0, 0.0, std::nullopt).size(1), 44100);
}

TEST(A2vAudio, EncodedLengthAndTooShortAudio) {
    const AudioVaeConfig vae;  // 16 kHz, hop 160, two time downsamples
    // The fixture: 31238 samples at 44.1 kHz → 11334 at 16 kHz → 71 mel frames → 18 latent frames.
    EXPECT_EQ(encoded_audio_latent_frames(31238, 44100, vae), 18);
    EXPECT_EQ(encoded_audio_latent_frames(16000, 16000, vae), 26);
    EXPECT_NO_THROW(check_audio_covers_video(31238, 44100, 18, vae, "--audio-path song.mp3"));
    expect_error([&] { check_audio_covers_video(8000, 16000, 18, vae, "--audio-path song.mp3"); },
                 {"--audio-path song.mp3", "0.500 s", "13 audio latent frames", "needs 18", "--audio-start-time"});
}

TEST(A2vAudio, MonoIsDuplicatedOtherChannelCountsFail) {
    Tensor mono = Tensor::zeros({1, 4});
    for (int i = 0; i < 4; ++i) mono.f32()[i] = float(i);
    const Tensor stereo = waveform_with_channels(mono, 2, "--audio-path m.wav");
    ASSERT_EQ(stereo.shape(), (Shape{2, 4}));
    EXPECT_EQ(stereo.to_vector(), (std::vector<float>{0, 1, 2, 3, 0, 1, 2, 3}));
    expect_error([&] { (void)waveform_with_channels(Tensor::zeros({6, 4}), 2, "--audio-path surround.wav"); },
                 {"--audio-path surround.wav", "6 channels", "takes 2"});
}

TEST(A2vAudio, ReadsWavMp3AndFlacWithTheReferenceWindow) {
    TempDir dir;
    const std::string wav = write_tone_wav(dir, "tone.wav");
    int rate = 0;
    const Tensor pcm = read_wav(wav, &rate);  // PCM16 / 32768, as the reference's s16 conversion

    const DecodedAudio full = read_audio(wav);
    EXPECT_EQ(full.sample_rate, 44100);
    ASSERT_EQ(full.samples.shape(), pcm.shape());
    EXPECT_EQ(full.samples.to_vector(), pcm.to_vector());

    const DecodedAudio window = read_audio(wav, 0.25, 0.5);
    ASSERT_EQ(window.samples.shape(), (Shape{2, 22050}));
    for (int64_t c = 0; c < 2; ++c)
        EXPECT_EQ(window.samples.select(0, c).contiguous().to_vector(),
                  pcm.select(0, c).slice(0, 11025, 11025 + 22050).contiguous().to_vector());

    // Lossless FLAC decodes to the same samples; MP3 to a close copy of the tones.
    const DecodedAudio flac = read_audio(convert(wav, dir.file("tone.flac")));
    EXPECT_EQ(flac.samples.to_vector(), pcm.to_vector());
    // MP3: the decoder drops the encoder delay from the first frame while the later frames keep
    // their timestamps, so the window ends with the last 1152-sample frame starting by 0.5 s, as
    // the reference's PyAV decode does: 20 frames less the 1105-sample delay.
    const DecodedAudio mp3 = read_audio(convert(wav, dir.file("tone.mp3")), 0.0, 0.5);
    EXPECT_EQ(mp3.sample_rate, 44100);
    ASSERT_EQ(mp3.samples.shape(), (Shape{2, 20 * 1152 - 1105}));
    double rms = 0;
    for (float v : mp3.samples.select(0, 0).contiguous().to_vector()) rms += double(v) * v;
    EXPECT_NEAR(std::sqrt(rms / double(mp3.samples.size(1))), 0.5 / std::sqrt(2.0), 0.02);
}

TEST(A2vAudio, ReadErrorsNameTheOptionAndFile) {
    TempDir dir;
    expect_error([&] { (void)read_audio(dir.file("missing.wav")); },
                 {"--audio-path", dir.file("missing.wav"), "no such file"});
    std::ofstream(dir.file("notes.txt")) << "not audio at all";
    expect_error([&] { (void)read_audio(dir.file("notes.txt")); }, {"--audio-path", dir.file("notes.txt"), "cannot read"});
    Tensor frames = Tensor::zeros({2, 32, 32, 3}, DType::U8);
    write_mp4(dir.file("silent.mp4"), frames, std::nullopt);
    expect_error([&] { (void)read_audio(dir.file("silent.mp4")); },
                 {"--audio-path", dir.file("silent.mp4"), "no audio stream"});
    const std::string wav = write_tone_wav(dir, "tone.wav");
    expect_error([&] { (void)read_audio(wav, 5.0); }, {"--audio-path", wav, "--audio-start-time 5", "ends at 1.000"});
}

}  // namespace ltx2
