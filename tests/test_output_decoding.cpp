// The last step of a generation: the decode tiling chosen for the memory budget, and the audio
// fitted to the video's duration.
#include <gtest/gtest.h>

#include "core/error.h"
#include "pipelines/output_decoding.h"

using namespace ltx2;

TEST(OutputDecoding, AudioIsTrimmedOrPaddedToTheVideosDuration) {
    std::vector<float> v(2 * 100);
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(i + 1);
    const Tensor wave = Tensor::from_f32({2, 100}, v);
    // 2 frames at 24 fps of 1200 Hz audio: exactly 100 samples.
    EXPECT_EQ(fit_to_video(wave, 2, {24, 1}, 1200).to_vector(), v);
    // 1 frame: the first 50 samples of each channel.
    const Tensor trimmed = fit_to_video(wave, 1, {24, 1}, 1200);
    ASSERT_EQ(trimmed.shape(), (Shape{2, 50}));
    EXPECT_EQ(trimmed.at({0, 49}), 50.0);
    EXPECT_EQ(trimmed.at({1, 0}), 101.0);
    // 3 frames at 30000/1001 fps: round(3 · 1001 · 1200 / 30000) = 120 samples, the last 20 silent.
    const Tensor padded = fit_to_video(wave, 3, {30000, 1001}, 1200);
    ASSERT_EQ(padded.shape(), (Shape{2, 120}));
    EXPECT_EQ(padded.at({1, 99}), 200.0);
    EXPECT_EQ(padded.at({0, 100}), 0.0);
    EXPECT_EQ(padded.at({1, 119}), 0.0);
}

TEST(OutputDecoding, TheDecodeTilingShrinksOnlyWhenTheBudgetNeedsIt) {
    const Shape latent{1, 128, 16, 16, 24};  // 121 frames at 768×512
    const double need = video_decode_bytes(latent);
    EXPECT_GT(need, 0);
    const double GiB = 1024.0 * 1024 * 1024;
    const VideoDecodeTiling roomy = video_decode_tiling(latent, 4 * GiB, 0);
    EXPECT_FALSE(roomy.reduced);
    EXPECT_EQ(roomy.tiling.str(), vae_tiling::TilingConfig::reference_default().str());
    // The same budget with 2.5 GiB resident: the reference's tiles no longer fit beside it.
    ASSERT_GT(2.5 * GiB + need, 4 * GiB);
    const VideoDecodeTiling tight = video_decode_tiling(latent, 4 * GiB, 2.5 * GiB);
    EXPECT_TRUE(tight.reduced);
    EXPECT_NE(tight.tiling.str(), roomy.tiling.str());
    EXPECT_THROW((void)video_decode_tiling(latent, 1e3, 0), Error);
}
