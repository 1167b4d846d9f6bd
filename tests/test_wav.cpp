// WAV writing / reading (src/io/wav.*) and the pipelines' audio-length rule
// (src/pipelines/audio_length.*).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "io/wav.h"
#include "pipelines/audio_length.h"
#include "test_util.h"

namespace ltx2 {
namespace {

using test::expect_error;
using test::run_command;
using test::TempDir;

std::vector<unsigned char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
uint32_t u32(const std::vector<unsigned char>& b, size_t at) {
    return uint32_t(b[at]) | (uint32_t(b[at + 1]) << 8) | (uint32_t(b[at + 2]) << 16) | (uint32_t(b[at + 3]) << 24);
}
uint16_t u16(const std::vector<unsigned char>& b, size_t at) { return uint16_t(b[at] | (b[at + 1] << 8)); }
std::string tag(const std::vector<unsigned char>& b, size_t at) {
    return std::string(reinterpret_cast<const char*>(b.data() + at), 4);
}

// A deterministic stereo test signal in (-1, 1): two sines.
Tensor test_signal(int64_t channels, int64_t samples) {
    std::vector<float> v(size_t(channels * samples));
    for (int64_t c = 0; c < channels; ++c)
        for (int64_t s = 0; s < samples; ++s)
            v[size_t(c * samples + s)] = 0.9f * float(std::sin(0.01 * double(s) * double(c + 1) + 0.3 * double(c)));
    return Tensor::from_f32({channels, samples}, v);
}

// Only the written file (no PATH.tmp, no PATH) may be in the folder.
void expect_no_files(const TempDir& dir) {
    for (const auto& e : std::filesystem::directory_iterator(dir.path)) ADD_FAILURE() << "left behind: " << e.path();
}

TEST(Wav, HeaderBytesPcm16) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("a.wav");
    // Channel 0: 0, 0.5, -1, 0.99999; channel 1: 1, -0.5, 2 (clamped), -0.99999.
    // Expected int16 = trunc(clamp(x) * 32767) (the pipelines' media_io._write_audio cast):
    // 0, 16383 (16383.5 truncated), -32767, 32766 (32766.67 truncated, not rounded);
    // 32767, -16383, 32767, -32766.
    write_wav(path, Tensor::from_f32({2, 4}, {0.f, 0.5f, -1.f, 0.99999f, 1.f, -0.5f, 2.f, -0.99999f}), 8000,
              WavFormat::Pcm16);
    const auto b = read_bytes(path);
    // 44-byte header + 4 frames x 2 channels x 2 bytes.
    ASSERT_EQ(b.size(), 44u + 16u);
    EXPECT_EQ(tag(b, 0), "RIFF");
    EXPECT_EQ(u32(b, 4), 36u + 16u);  // file size - 8
    EXPECT_EQ(tag(b, 8), "WAVE");
    EXPECT_EQ(tag(b, 12), "fmt ");
    EXPECT_EQ(u32(b, 16), 16u);
    EXPECT_EQ(u16(b, 20), 1u);          // WAVE_FORMAT_PCM
    EXPECT_EQ(u16(b, 22), 2u);          // channels
    EXPECT_EQ(u32(b, 24), 8000u);       // sample rate
    EXPECT_EQ(u32(b, 28), 8000u * 4u);  // byte rate
    EXPECT_EQ(u16(b, 32), 4u);          // block align
    EXPECT_EQ(u16(b, 34), 16u);         // bits
    EXPECT_EQ(tag(b, 36), "data");
    EXPECT_EQ(u32(b, 40), 16u);
    const std::vector<int16_t> expected = {0, 32767, 16383, -16383, -32767, 32767, 32766, -32766};  // interleaved
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(int16_t(u16(b, 44 + 2 * i)), expected[i]) << i;
    EXPECT_EQ(ltx2::test::temps_beside(path), std::vector<std::string>{});
}

TEST(Wav, HeaderBytesFloat32) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("f.wav");
    write_wav(path, Tensor::from_f32({1, 1, 2}, {0.25f, -3.5f}), 24000, WavFormat::Float32);
    const auto b = read_bytes(path);
    // RIFF(12) + fmt(8 + 18) + fact(8 + 4) + data(8 + 2 x 4) = 66 bytes.
    ASSERT_EQ(b.size(), 66u);
    EXPECT_EQ(tag(b, 0), "RIFF");
    EXPECT_EQ(u32(b, 4), 58u);
    EXPECT_EQ(tag(b, 8), "WAVE");
    EXPECT_EQ(tag(b, 12), "fmt ");
    EXPECT_EQ(u32(b, 16), 18u);
    EXPECT_EQ(u16(b, 20), 3u);           // WAVE_FORMAT_IEEE_FLOAT
    EXPECT_EQ(u16(b, 22), 1u);           // channels
    EXPECT_EQ(u32(b, 24), 24000u);       // sample rate
    EXPECT_EQ(u32(b, 28), 24000u * 4u);  // byte rate
    EXPECT_EQ(u16(b, 32), 4u);           // block align
    EXPECT_EQ(u16(b, 34), 32u);          // bits
    EXPECT_EQ(u16(b, 36), 0u);           // cbSize
    EXPECT_EQ(tag(b, 38), "fact");
    EXPECT_EQ(u32(b, 42), 4u);
    EXPECT_EQ(u32(b, 46), 2u);  // samples per channel
    EXPECT_EQ(tag(b, 50), "data");
    EXPECT_EQ(u32(b, 54), 8u);
    float x[2];
    std::memcpy(x, b.data() + 58, 8);
    EXPECT_EQ(x[0], 0.25f);
    EXPECT_EQ(x[1], -3.5f);  // float keeps values outside [-1, 1] unchanged
}

TEST(Wav, RoundTripPcm16) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("rt16.wav");
    const Tensor w = test_signal(2, 1000);
    write_wav(path, w.unsqueeze(0), 24000, WavFormat::Pcm16);
    int rate = 0;
    const Tensor r = read_wav(path, &rate);
    EXPECT_EQ(rate, 24000);
    ASSERT_EQ(r.shape(), (Shape{2, 1000}));
    const auto a = w.to_vector(), b = r.to_vector();
    for (size_t i = 0; i < a.size(); ++i) {
        // Written trunc(x * 32767), read back / 32768: the exact expected value.
        const float expect = float(int16_t(std::trunc(a[i] * 32767.0f))) / 32768.0f;
        ASSERT_EQ(b[i], expect) << i;
        ASSERT_NEAR(b[i], a[i], 2.0 / 32767.0) << i;
    }
}

TEST(Wav, RoundTripFloat32) {
    TempDir dir("ltx2-wav");
    for (int64_t channels : {1, 2}) {
        const std::string path = dir.file("rt32_" + std::to_string(channels) + ".wav");
        const Tensor w = test_signal(channels, 777);
        write_wav(path, w, 16000, WavFormat::Float32);
        int rate = 0;
        const Tensor r = read_wav(path, &rate);
        EXPECT_EQ(rate, 16000);
        ASSERT_EQ(r.shape(), (Shape{channels, 777}));
        EXPECT_EQ(r.to_vector(), w.to_vector());  // bit-exact
    }
}

TEST(Wav, NonContiguousInput) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("t.wav");
    const Tensor w = test_signal(2, 50);
    const Tensor t = w.transpose(0, 1).contiguous().transpose(0, 1);  // [2, 50] view with strides (1, 2)
    ASSERT_FALSE(t.is_contiguous());
    write_wav(path, t, 8000, WavFormat::Float32);
    EXPECT_EQ(read_wav(path).to_vector(), w.to_vector());
}

bool have_tool(const std::string& tool) { return run_command("command -v " + tool).exit_code == 0; }

// An independent decoder reads what we wrote.
TEST(Wav, ReadableBySoxAndFfprobe) {
    // scripts/install-deps.sh installs both; a missing tool is a failed check, not a skip.
    const bool sox = have_tool("sox"), ffprobe = have_tool("ffprobe");
    ASSERT_TRUE(sox) << "sox not installed (scripts/install-deps.sh installs it)";
    ASSERT_TRUE(ffprobe) << "ffprobe not installed (scripts/install-deps.sh installs ffmpeg)";
    TempDir dir("ltx2-wav");
    struct Case {
        WavFormat format;
        const char* codec;
        const char* sox_encoding;
    };
    for (const Case& c : {Case{WavFormat::Pcm16, "pcm_s16le", "Signed Integer PCM"},
                          Case{WavFormat::Float32, "pcm_f32le", "Floating Point PCM"}}) {
        const std::string path = dir.file(std::string(c.codec) + ".wav");
        write_wav(path, test_signal(2, 12000), 24000, c.format);  // 0.5 s of stereo
        if (sox) {
            auto r = run_command("sox --i -r '" + path + "'");
            EXPECT_EQ(r.exit_code, 0) << r.output;
            EXPECT_EQ(r.output, "24000\n");
            r = run_command("sox --i -c '" + path + "'");
            EXPECT_EQ(r.output, "2\n");
            r = run_command("sox --i -s '" + path + "'");
            EXPECT_EQ(r.output, "12000\n");
            r = run_command("sox --i -e '" + path + "'");
            EXPECT_EQ(r.output, std::string(c.sox_encoding) + "\n");
            r = run_command("sox --i -D '" + path + "'");
            EXPECT_EQ(r.output, "0.500000\n");
            // sox decodes every sample without complaint.
            r = run_command("sox -V1 '" + path + "' -n stat");
            EXPECT_EQ(r.exit_code, 0) << r.output;
        }
        if (ffprobe) {
            const auto r = run_command(
                "ffprobe -v error -show_entries stream=codec_name,sample_rate,channels,duration_ts,duration "
                "-of default=noprint_wrappers=1 '" + path + "'");
            EXPECT_EQ(r.exit_code, 0) << r.output;
            EXPECT_NE(r.output.find(std::string("codec_name=") + c.codec + "\n"), std::string::npos) << r.output;
            EXPECT_NE(r.output.find("sample_rate=24000\n"), std::string::npos) << r.output;
            EXPECT_NE(r.output.find("channels=2\n"), std::string::npos) << r.output;
            EXPECT_NE(r.output.find("duration_ts=12000\n"), std::string::npos) << r.output;
            EXPECT_NE(r.output.find("duration=0.500000\n"), std::string::npos) << r.output;
            // ffmpeg decodes the whole stream without errors.
            const auto d = run_command("ffmpeg -v error -i '" + path + "' -f null -");
            EXPECT_EQ(d.exit_code, 0) << d.output;
            EXPECT_EQ(d.output, "");
        }
    }
}

// And we read what an independent encoder wrote.
TEST(Wav, ReadsSoxOutput) {
    ASSERT_TRUE(have_tool("sox")) << "sox not installed (scripts/install-deps.sh installs it)";
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("sox16.wav");
    // 100 samples of a 300 Hz sine at half scale, 16000 Hz, mono, 16-bit.
    auto r = run_command("sox -r 16000 -n -r 16000 -c 1 -b 16 -e signed-integer '" + path + "' synth 100s sine 300 vol 0.5");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    int rate = 0;
    const Tensor t = read_wav(path, &rate);
    EXPECT_EQ(rate, 16000);
    ASSERT_EQ(t.shape(), (Shape{1, 100}));
    const auto bytes = read_bytes(path);
    // Compare with the raw samples at the end of the file (the data chunk is last, 200 bytes).
    const auto v = t.to_vector();
    for (size_t i = 0; i < 100; ++i)
        EXPECT_EQ(v[i], float(int16_t(u16(bytes, bytes.size() - 200 + 2 * i))) / 32768.0f) << i;
}

TEST(Wav, ErrorMissingDirectory) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("no/such/dir/a.wav");
    expect_error([&] { write_wav(path, test_signal(2, 10), 24000, WavFormat::Pcm16); },
                 {path, "cannot create", "No such file or directory"});
    expect_no_files(dir);
}

TEST(Wav, ErrorUnwritablePath) {
    TempDir dir("ltx2-wav");
    // Parent is a regular file: creating PATH.tmp fails even for root.
    {
        std::ofstream(dir.file("plain")) << "x";
    }
    const std::string under_file = dir.file("plain/a.wav");
    expect_error([&] { write_wav(under_file, test_signal(1, 10), 24000, WavFormat::Pcm16); },
                 {under_file, "cannot create", "Not a directory"});
    std::filesystem::remove(dir.file("plain"));
    // PATH is an existing directory: the temp is written, the rename fails, the temp is removed.
    const std::string is_dir = dir.file("adir.wav");
    std::filesystem::create_directory(is_dir);
    expect_error([&] { write_wav(is_dir, test_signal(1, 10), 24000, WavFormat::Float32); },
                 {is_dir, "cannot rename", "Is a directory"});
    EXPECT_EQ(ltx2::test::temps_beside(is_dir), std::vector<std::string>{});
    std::filesystem::remove(is_dir);
    expect_no_files(dir);
    // A read-only folder (only meaningful when not root: root bypasses permissions).
    if (::geteuid() != 0) {
        const std::string ro = dir.file("ro");
        std::filesystem::create_directory(ro);
        std::filesystem::permissions(ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        const std::string path = ro + "/a.wav";
        expect_error([&] { write_wav(path, test_signal(1, 10), 24000, WavFormat::Pcm16); },
                     {path, "cannot create", "Permission denied"});
        EXPECT_TRUE(std::filesystem::is_empty(ro));
        std::filesystem::permissions(ro, std::filesystem::perms::owner_all);
    }
}

TEST(Wav, ErrorBadSampleRate) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("a.wav");
    for (int rate : {0, -24000, 384001, std::numeric_limits<int>::max()})
        expect_error([&] { write_wav(path, test_signal(2, 10), rate, WavFormat::Pcm16); },
                     {path, "unsupported sample rate", std::to_string(rate)});
    expect_no_files(dir);
    write_wav(path, test_signal(2, 10), 384000, WavFormat::Pcm16);  // the upper bound itself is fine
    int rate = 0;
    read_wav(path, &rate);
    EXPECT_EQ(rate, 384000);
}

TEST(Wav, ErrorNonFinite) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("a.wav");
    std::vector<float> v(20, 0.1f);
    v[13] = std::numeric_limits<float>::quiet_NaN();  // channel 1, sample 3
    for (WavFormat f : {WavFormat::Pcm16, WavFormat::Float32})
        expect_error([&] { write_wav(path, Tensor::from_f32({2, 10}, v), 24000, f); },
                     {path, "non-finite sample NaN", "channel 1, sample 3"});
    v[13] = -std::numeric_limits<float>::infinity();
    expect_error([&] { write_wav(path, Tensor::from_f32({2, 10}, v), 24000, WavFormat::Pcm16); },
                 {path, "non-finite sample -inf"});
    expect_no_files(dir);
}

TEST(Wav, ErrorBadShape) {
    TempDir dir("ltx2-wav");
    const std::string path = dir.file("a.wav");
    expect_error([&] { write_wav(path, Tensor(), 24000, WavFormat::Pcm16); }, {path, "empty"});
    expect_error([&] { write_wav(path, Tensor::zeros({2, 0}), 24000, WavFormat::Pcm16); }, {path, "empty", "0 samples"});
    expect_error([&] { write_wav(path, Tensor::zeros({2, 2, 10}), 24000, WavFormat::Pcm16); }, {path, "batch 2"});
    expect_error([&] { write_wav(path, Tensor::zeros({10}), 24000, WavFormat::Pcm16); }, {path, "[channels, samples]"});
    expect_error([&] { write_wav(path, Tensor::zeros({3, 10}), 24000, WavFormat::Pcm16); }, {path, "3 channels"});
    expect_error([&] { write_wav(path, Tensor::zeros({2, 10}).to(DType::BF16), 24000, WavFormat::Pcm16); },
                 {path, "must be F32"});
    expect_no_files(dir);
}

TEST(Wav, ReadErrors) {
    TempDir dir("ltx2-wav");
    const std::string missing = dir.file("missing.wav");
    expect_error([&] { read_wav(missing); }, {missing, "cannot open"});
    const std::string good = dir.file("good.wav");
    write_wav(good, test_signal(2, 10), 24000, WavFormat::Pcm16);
    const auto bytes = read_bytes(good);
    auto write_variant = [&](const std::string& name, std::vector<unsigned char> b) {
        const std::string p = dir.file(name);
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
        return p;
    };
    {
        auto b = bytes;
        b.resize(b.size() - 2);  // truncated data
        const auto p = write_variant("trunc.wav", b);
        expect_error([&] { read_wav(p); }, {p, "truncated", "RIFF size"});
    }
    {
        auto b = bytes;
        b[40] = 0xff;  // data chunk size far past the end
        b[41] = 0xff;
        const auto p = write_variant("bigdata.wav", b);
        expect_error([&] { read_wav(p); }, {p, "chunk 'data'", "past the end"});
    }
    {
        auto b = bytes;
        b[40] = 39;  // 39 bytes (+ pad byte) is not a whole number of 4-byte frames
        const auto p = write_variant("partial.wav", b);
        expect_error([&] { read_wav(p); }, {p, "not a multiple of the block size"});
    }
    {
        auto b = bytes;
        b[20] = 2;  // ADPCM
        const auto p = write_variant("adpcm.wav", b);
        expect_error([&] { read_wav(p); }, {p, "unsupported WAV encoding", "format tag 2"});
    }
    {
        auto b = bytes;
        b[32] = 8;  // block align inconsistent with channels x bytes
        const auto p = write_variant("align.wav", b);
        expect_error([&] { read_wav(p); }, {p, "block align 8"});
    }
    {
        auto b = bytes;
        b[0] = 'X';
        const auto p = write_variant("magic.wav", b);
        expect_error([&] { read_wav(p); }, {p, "not a RIFF/WAVE file"});
    }
    {
        const auto p = write_variant("short.wav", {'R', 'I', 'F', 'F'});
        expect_error([&] { read_wav(p); }, {p, "too short"});
    }
}

// ---- the audio-length rule ---------------------------------------------------------------
// Reference (28c3c73): T = round(num_frames / fps * 16000 / 160 / 4) (Python round, half to even;
// ltx_core/types.py AudioLatentShape.from_duration); mel frames M = max(4T - 3, 1) (causal
// AudioDecoder target_frames in ltx_core/model/audio_vae/audio_vae.py); samples S = M * 240
// (vocoder upsample rates 6*5*2*2*2) at 24000 Hz; the pipelines mux all S samples without
// trimming or padding to num_frames / fps (ltx_pipelines/utils/media_io.py encode_video).

struct LengthCase {
    int64_t frames;
    double fps;
    int64_t latent, mel, samples;
};

TEST(AudioLength, ReferenceRule) {
    const LengthCase cases[] = {
        // 121 / 24 * 25 = 126.0417 -> T 126; M = 504 - 3 = 501; S = 501 * 240 = 120240 (5.01 s;
        // the video lasts 121 / 24 = 5.0417 s = 121000 samples, the audio is not stretched to it).
        {121, 24.0, 126, 501, 120240},
        // 121 / 25 * 25 = 121 -> T 121; M = 484 - 3 = 481; S = 481 * 240 = 115440 (video: 116160).
        {121, 25.0, 121, 481, 115440},
        // 97 / 24 * 25 = 101.0417 -> 101; M = 401; S = 96240.
        {97, 24.0, 101, 401, 96240},
        // 61 / 30 * 25 = 50.833 -> 51; M = 201; S = 48240.
        {61, 30.0, 51, 201, 48240},
        // 121 / 23.976 * 25 = 126.168 -> 126; M = 501; S = 120240.
        {121, 23.976, 126, 501, 120240},
        // 9 / 8 * 25 = 28.125 -> 28; M = 109; S = 26160.
        {9, 8.0, 28, 109, 26160},
        // 1 / 24 * 25 = 1.0417 -> 1; M = max(4 - 3, 1) = 1; S = 240.
        {1, 24.0, 1, 1, 240},
        // Half to even: 1 / 10 * 25 = 2.5 -> 2 (M 5, S 1200); 3 / 10 * 25 = 7.5 -> 8 (M 29, S 6960).
        {1, 10.0, 2, 5, 1200},
        {3, 10.0, 8, 29, 6960},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(fmt::format("{} frames at {} fps", c.frames, c.fps));
        EXPECT_EQ(audio_latent_frames(c.frames, c.fps), c.latent);
        const AudioLength l = audio_length_for_video(c.frames, c.fps);
        EXPECT_EQ(l.latent_frames, c.latent);
        EXPECT_EQ(l.mel_frames, c.mel);
        EXPECT_EQ(l.samples, c.samples);
        EXPECT_EQ(l.sample_rate, 24000);
    }
    EXPECT_DOUBLE_EQ(audio_length_for_video(121, 24.0).seconds(), 120240.0 / 24000.0);
}

TEST(AudioLength, NonCausalVaeAndOtherVocoder) {
    AudioVaeConfig vae;
    vae.causal = false;
    VocoderConfig voc;
    voc.vocoder.upsample_rates = {8, 8, 2, 2};  // 256 samples per mel frame
    voc.vocoder.output_sample_rate = 22050;
    // 121 @ 24: T 126, M = 4 * 126 = 504 (no causal trim), S = 504 * 256 = 129024.
    const AudioLength l = audio_length_for_video(121, 24.0, vae, voc);
    EXPECT_EQ(l.latent_frames, 126);
    EXPECT_EQ(l.mel_frames, 504);
    EXPECT_EQ(l.samples, 129024);
    EXPECT_EQ(l.sample_rate, 22050);
}

TEST(AudioLength, Errors) {
    // 1 / 50 * 25 = 0.5 -> round half to even = 0 latent frames.
    expect_error([] { audio_latent_frames(1, 50.0); }, {"1 frames at 50 fps", "too short"});
    expect_error([] { audio_latent_frames(0, 24.0); }, {"num_frames must be >= 1"});
    expect_error([] { audio_latent_frames(121, 0.0); }, {"fps must be > 0"});
    expect_error([] { audio_latent_frames(121, -24.0); }, {"fps must be > 0"});
}

}  // namespace
}  // namespace ltx2
