// Media I/O: the MP4 writer (src/io/media/mp4_writer.*), PNG frames and image decoding
// (image_io.*), the video reader (video_reader.*), the H.264 image round trip
// (h264_round_trip.*) and the conditioning preprocessing (src/pipelines/media_preprocess.*).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <stb_image_write.h>
#include <sys/resource.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "io/media/h264_round_trip.h"
#include "io/media/image_io.h"
#include "io/media/mp4_writer.h"
#include "io/media/video_reader.h"
#include "io/wav.h"
#include "pipelines/media_preprocess.h"
#include "test_util.h"

namespace ltx2 {
namespace {

namespace fs = std::filesystem;
using test::expect_error;
using test::run_command;
using test::TempDir;

Tensor u8_tensor(const Shape& shape, const std::vector<uint8_t>& values) {
    Tensor t = Tensor::zeros(shape, DType::U8);
    EXPECT_EQ(size_t(t.numel()), values.size());
    std::copy(values.begin(), values.end(), t.data<uint8_t>());
    return t;
}

// F frames of H x W, frame f filled with colour (r + 10 f, g, b).
Tensor solid_frames(int64_t f, int64_t h, int64_t w, uint8_t r, uint8_t g, uint8_t b) {
    Tensor t = Tensor::zeros({f, h, w, 3}, DType::U8);
    uint8_t* p = t.data<uint8_t>();
    for (int64_t i = 0; i < f; ++i)
        for (int64_t k = 0; k < h * w; ++k) {
            uint8_t* px = p + (i * h * w + k) * 3;
            px[0] = uint8_t(r + 10 * i);
            px[1] = g;
            px[2] = b;
        }
    return t;
}

// A smooth test picture: horizontal red ramp, vertical green ramp, constant blue.
Tensor gradient_image(int64_t h, int64_t w) {
    Tensor t = Tensor::zeros({h, w, 3}, DType::U8);
    uint8_t* p = t.data<uint8_t>();
    for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
            uint8_t* px = p + (y * w + x) * 3;
            px[0] = uint8_t(255 * x / std::max<int64_t>(w - 1, 1));
            px[1] = uint8_t(255 * y / std::max<int64_t>(h - 1, 1));
            px[2] = 96;
        }
    return t;
}

// Stereo sine tones: 440 Hz left, 660 Hz right, amplitude 0.5.
Tensor sine_tone(int64_t samples, int rate) {
    std::vector<float> v(size_t(2 * samples));
    for (int64_t i = 0; i < samples; ++i) {
        v[size_t(i)] = 0.5f * float(std::sin(2 * M_PI * 440.0 * double(i) / rate));
        v[size_t(samples + i)] = 0.5f * float(std::sin(2 * M_PI * 660.0 * double(i) / rate));
    }
    return Tensor::from_f32({2, samples}, v);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json ffprobe(const std::string& path) {
    const auto r = run_command("ffprobe -v error -count_frames -show_streams -show_format -of json '" + path + "'");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(r.output);
}

const nlohmann::json& stream_of_type(const nlohmann::json& probe, const std::string& type) {
    for (const auto& s : probe.at("streams"))
        if (s.at("codec_type") == type) return s;
    throw std::runtime_error("no " + type + " stream");
}

double number(const nlohmann::json& j) { return std::stod(j.get<std::string>()); }

std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// ---------------------------------------------------------------------------------------------
// MP4 writer

TEST(Mp4Writer, StreamsFramesRateAudioDurationAndTags) {
    TempDir dir("ltx2-media");
    const std::string path = dir.file("out.mp4");
    const int64_t frames = 17, rate = 24000;
    const int64_t samples = frames * rate / 24;  // exactly the video's 17/24 s
    Mp4Options options;
    options.fps = {24, 1};
    options.metadata = {{"prompt", "a red fox, \"quoted\" & unicode: caf\u00e9"}, {"seed", "10"}};
    write_mp4(path, solid_frames(frames, 64, 96, 30, 120, 200), AudioTrack{sine_tone(samples, int(rate)), int(rate)},
              options);
    EXPECT_EQ(files_in(dir.path), std::vector<std::string>{"out.mp4"});  // no PATH.tmp left

    const auto probe = ffprobe(path);
    ASSERT_EQ(probe.at("streams").size(), 2u);
    const auto& v = stream_of_type(probe, "video");
    EXPECT_EQ(v.at("codec_name"), "h264");
    EXPECT_EQ(v.at("pix_fmt"), "yuv420p");
    EXPECT_EQ(v.at("width"), 96);
    EXPECT_EQ(v.at("height"), 64);
    EXPECT_EQ(v.at("nb_read_frames"), "17");
    EXPECT_EQ(v.at("r_frame_rate"), "24/1");
    EXPECT_EQ(v.at("avg_frame_rate"), "24/1");
    EXPECT_EQ(v.at("duration"), "0.708333");  // 17 / 24
    // Colours tagged as converted: BT.709 primaries and transfer, the BT.601 matrix swscale (and the
    // reference) applies, limited range; untagged, players guess BT.709's matrix for HD sizes.
    EXPECT_EQ(v.value("color_primaries", "untagged"), "bt709");
    EXPECT_EQ(v.value("color_transfer", "untagged"), "bt709");
    EXPECT_EQ(v.value("color_space", "untagged"), "smpte170m");
    EXPECT_EQ(v.value("color_range", "untagged"), "tv");

    const auto& a = stream_of_type(probe, "audio");
    EXPECT_EQ(a.at("codec_name"), "aac");
    EXPECT_EQ(a.at("sample_rate"), "24000");
    EXPECT_EQ(a.at("channels"), 2);
    // The reference's AAC rate: 128 kb/s, the encoder's default for stereo (ffprobe reports the
    // measured average).
    EXPECT_NEAR(number(a.at("bit_rate")), 128000, 20000);
    // The edit list hides the encoder's 1024-sample priming: the audio lasts N / R seconds, here
    // exactly as long as the video.
    EXPECT_EQ(a.at("duration"), "0.708333");  // 17000 / 24000 as ffprobe prints it
    EXPECT_EQ(a.at("duration"), v.at("duration"));

    // Decoded by ffmpeg, the samples line up with the input: ffmpeg skips the priming but keeps
    // the padding of the last AAC frame (it ignores the edit list's end), so N .. N + 1023
    // samples come back. AAC at 128 kb/s: RMS error about 0.01 on these tones; one sample of
    // misalignment would give 0.05.
    const std::string raw = dir.file("audio.f32");
    const auto r = run_command("ffmpeg -v error -i '" + path + "' -f f32le '" + raw + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::vector<float> decoded(size_t(fs::file_size(raw) / sizeof(float)));
    std::ifstream(raw, std::ios::binary).read(reinterpret_cast<char*>(decoded.data()), std::streamsize(decoded.size() * 4));
    const int64_t decoded_samples = int64_t(decoded.size() / 2);
    EXPECT_GE(decoded_samples, samples);
    EXPECT_LT(decoded_samples, samples + 1024);
    const Tensor tone = sine_tone(samples, int(rate));
    double squared = 0;
    for (int64_t i = 1024; i < samples - 1024; ++i)
        for (int64_t c = 0; c < 2; ++c) squared += std::pow(decoded[size_t(2 * i + c)] - tone.at({c, i}), 2);
    EXPECT_LT(std::sqrt(squared / double(2 * (samples - 2048))), 0.02);

    const auto& tags = probe.at("format").at("tags");
    EXPECT_EQ(tags.at("prompt"), "a red fox, \"quoted\" & unicode: caf\u00e9");
    EXPECT_EQ(tags.at("seed"), "10");
}

TEST(Mp4Writer, DecodedColoursMatchTheFrames) {
    TempDir dir("ltx2-media");
    const std::string path = dir.file("solid.mp4");
    write_mp4(path, solid_frames(5, 32, 48, 200, 40, 90), std::nullopt);
    // ffmpeg's own decoder and RGB conversion.
    const std::string raw = dir.file("first.rgb");
    const auto r = run_command("ffmpeg -v error -i '" + path + "' -frames:v 1 -f rawvideo -pix_fmt rgb24 '" + raw + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(raw, std::ios::binary);
    const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ASSERT_EQ(bytes.size(), size_t(32 * 48 * 3));
    for (size_t i = 0; i < bytes.size(); i += 3) {
        ASSERT_NEAR(bytes[i], 200, 3) << i;
        ASSERT_NEAR(bytes[i + 1], 40, 3) << i;
        ASSERT_NEAR(bytes[i + 2], 90, 3) << i;
    }
    // Our reader: every frame back, in order (red steps by 10 per frame).
    const Tensor back = read_video(path);
    ASSERT_EQ(back.shape(), (Shape{5, 32, 48, 3}));
    for (int64_t f = 0; f < 5; ++f) {
        EXPECT_NEAR(back.at({f, 10, 20, 0}), 200 + 10 * f, 3) << f;
        EXPECT_NEAR(back.at({f, 10, 20, 1}), 40, 3) << f;
        EXPECT_NEAR(back.at({f, 10, 20, 2}), 90, 3) << f;
    }
}

TEST(Mp4Writer, RationalAndReferenceFrameRates) {
    EXPECT_EQ(FrameRate::reference(23.976).num, 23);  // the reference's int(fps)
    EXPECT_EQ(FrameRate::reference(23.976).den, 1);
    EXPECT_EQ(FrameRate::reference(25.0).num, 25);
    expect_error([] { FrameRate::reference(0.5); }, {"frame rate 0.5", ">= 1"});
    // The rate meant: NTSC rates as k·1000/1001, others to 1/1000.
    for (const auto& [fps, num, den] : std::vector<std::tuple<double, int, int>>{
             {23.976, 24000, 1001}, {29.97, 30000, 1001}, {59.94, 60000, 1001}, {29.97002997, 30000, 1001},
             {24.0, 24, 1}, {25.0, 25, 1}, {30.0, 30, 1}, {12.5, 25, 2}, {0.5, 1, 2}, {23.5, 47, 2}}) {
        EXPECT_EQ(FrameRate::exact(fps).num, num) << fps;
        EXPECT_EQ(FrameRate::exact(fps).den, den) << fps;
    }
    expect_error([] { FrameRate::exact(0); }, {"frame rate 0", "(0, 1000]"});

    TempDir dir("ltx2-media");
    const std::string path = dir.file("ntsc.mp4");
    Mp4Options options;
    options.fps = {24000, 1001};
    write_mp4(path, solid_frames(9, 16, 16, 10, 20, 30), std::nullopt, options);
    const auto probe = ffprobe(path);
    ASSERT_EQ(probe.at("streams").size(), 1u);
    const auto& v = stream_of_type(probe, "video");
    EXPECT_EQ(v.at("r_frame_rate"), "24000/1001");
    EXPECT_EQ(v.at("nb_read_frames"), "9");
    EXPECT_EQ(v.at("duration"), "0.375375");  // 9 * 1001 / 24000
    // faststart: the index (moov) comes before the media data (mdat).
    const std::string bytes = read_file(path);
    ASSERT_NE(bytes.find("moov"), std::string::npos);
    EXPECT_LT(bytes.find("moov"), bytes.find("mdat"));
}

TEST(Mp4Writer, AudioLongerThanVideoIsKeptWhole) {
    // The pipelines hand over their whole waveform (e.g. 5.01 s of audio for 5.04 s of video);
    // the writer neither trims nor pads it.
    TempDir dir("ltx2-media");
    const std::string path = dir.file("av.mp4");
    write_mp4(path, solid_frames(3, 16, 16, 0, 0, 0), AudioTrack{sine_tone(5000, 16000), 16000});
    const auto probe = ffprobe(path);
    EXPECT_EQ(stream_of_type(probe, "audio").at("duration"), "0.312500");  // 5000 / 16000
    EXPECT_EQ(stream_of_type(probe, "audio").at("sample_rate"), "16000");
}

TEST(Mp4Writer, LowerCrfGivesALargerFile) {
    TempDir dir("ltx2-media");
    Tensor frames = Tensor::zeros({4, 64, 64, 3}, DType::U8);
    for (int64_t f = 0; f < 4; ++f) frames.select(0, f).copy_from(gradient_image(64, 64));
    Mp4Options fine, coarse;
    fine.crf = 5;
    coarse.crf = 45;
    coarse.preset = "ultrafast";
    write_mp4(dir.file("fine.mp4"), frames, std::nullopt, fine);
    write_mp4(dir.file("coarse.mp4"), frames, std::nullopt, coarse);
    EXPECT_GT(fs::file_size(dir.file("fine.mp4")), fs::file_size(dir.file("coarse.mp4")));
    Mp4Options bad;
    bad.preset = "warp-speed";
    expect_error([&] { write_mp4(dir.file("bad.mp4"), frames, std::nullopt, bad); },
                 {"bad.mp4", "libx264", "warp-speed"});
    EXPECT_EQ(test::temps_beside(dir.file("bad.mp4")), std::vector<std::string>{});
}

// The same frames give the same file, however many videos this process wrote before (a server
// writes one per job; the first must not differ from the next).
TEST(Mp4Writer, TheSameFramesGiveTheSameBytesEveryTime) {
    TempDir dir("ltx2-media");
    // Smooth random blobs drifting across the frame, as generated videos look (x264's macroblock
    // tree, which is not repeatable, changed these files from one write to the next).
    const int64_t F = 9, H = 128, W = 192;
    Tensor frames = Tensor::zeros({F, H, W, 3}, DType::U8);
    uint8_t* p = frames.data<uint8_t>();
    uint32_t state = 12345;
    std::vector<float> blobs(8 * 12 * 3);
    for (float& b : blobs) {
        state = state * 1664525u + 1013904223u;
        b = float(state >> 24);
    }
    for (int64_t f = 0; f < F; ++f)
        for (int64_t y = 0; y < H; ++y)
            for (int64_t x = 0; x < W; ++x)
                for (int64_t c = 0; c < 3; ++c) {
                    const int64_t bx = ((x + 3 * f) / 16) % 12, by = (y / 16) % 8;
                    state = state * 1664525u + 1013904223u;
                    p[((f * H + y) * W + x) * 3 + c] = uint8_t(std::min(255.f, blobs[size_t((by * 12 + bx) * 3 + c)] + float(state >> 29)));
                }
    const Tensor audio = sine_tone(F * 1000, 24000);
    std::vector<std::string> files;
    for (int run = 0; run < 6; ++run) {
        const std::string path = dir.file(fmt::format("v{}.mp4", run));
        write_mp4(path, frames, AudioTrack{audio, 24000}, {});
        std::ifstream in(path, std::ios::binary);
        files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    for (int run = 1; run < 6; ++run) EXPECT_TRUE(files[run] == files[0]) << "write " << run;
}

TEST(Mp4Writer, ErrorsNameThePathAndLeaveNothingBehind) {
    TempDir dir("ltx2-media");
    const Tensor good = solid_frames(2, 16, 16, 1, 2, 3);
    const std::string out = dir.file("out.mp4");
    expect_error([&] { write_mp4(dir.file("missing/out.mp4"), good, std::nullopt); },
                 {"missing/out.mp4", "does not exist"});
    {
        std::ofstream(dir.file("file.txt")) << "x";
    }
    expect_error([&] { write_mp4(dir.file("file.txt/out.mp4"), good, std::nullopt); },
                 {"file.txt/out.mp4", "not a folder"});
    fs::create_directory(dir.file("sub.mp4"));
    expect_error([&] { write_mp4(dir.file("sub.mp4"), good, std::nullopt); }, {"sub.mp4", "folder of that name"});
    fs::remove(dir.file("sub.mp4"));
    expect_error([&] { write_mp4(out, solid_frames(2, 15, 16, 1, 2, 3), std::nullopt); },
                 {"out.mp4", "16x15", "even"});
    expect_error([&] { write_mp4(out, solid_frames(2, 16, 9, 1, 2, 3), std::nullopt); }, {"out.mp4", "9x16", "even"});
    expect_error([&] { write_mp4(out, Tensor::zeros({0, 16, 16, 3}, DType::U8), std::nullopt); },
                 {"out.mp4", "no frames"});
    expect_error([&] { write_mp4(out, Tensor(), std::nullopt); }, {"out.mp4", "undefined"});
    expect_error([&] { write_mp4(out, Tensor::zeros({2, 16, 16, 3}), std::nullopt); }, {"out.mp4", "U8", "F32"});
    expect_error([&] { write_mp4(out, Tensor::zeros({2, 16, 16, 4}, DType::U8), std::nullopt); },
                 {"out.mp4", "[F, H, W, 3]", "(2, 16, 16, 4)"});
    expect_error([&] { write_mp4(out, good, AudioTrack{sine_tone(100, 16000).slice(0, 0, 1), 16000}); },
                 {"out.mp4", "stereo", "(1, 100)"});
    expect_error([&] { write_mp4(out, good, AudioTrack{Tensor::zeros({3, 100}), 16000}); },
                 {"out.mp4", "stereo", "(3, 100)"});
    expect_error([&] { write_mp4(out, good, AudioTrack{Tensor::zeros({2, 0}), 16000}); }, {"out.mp4", "empty"});
    expect_error([&] { write_mp4(out, good, AudioTrack{sine_tone(100, 16000), 12345}); },
                 {"out.mp4", "12345 Hz", "not supported by AAC", "24000"});
    Tensor nan_audio = sine_tone(100, 16000);
    nan_audio.f32()[150] = std::nanf("");
    expect_error([&] { write_mp4(out, good, AudioTrack{nan_audio, 16000}); },
                 {"out.mp4", "non-finite", "channel 1, sample 50"});
    Mp4Options zero_rate;
    zero_rate.fps = {0, 1};
    expect_error([&] { write_mp4(out, good, std::nullopt, zero_rate); }, {"out.mp4", "frame rate 0/1"});
    EXPECT_EQ(files_in(dir.path), std::vector<std::string>{"file.txt"});
}

TEST(Mp4Writer, AFailedWriteRemovesTheTempFile) {
    // A file-size limit makes the kernel refuse writes past it (EFBIG), as a full disk would.
    TempDir dir("ltx2-media");
    const std::string path = dir.file("big.mp4");
    Tensor frames = Tensor::zeros({6, 128, 128, 3}, DType::U8);
    uint8_t* p = frames.data<uint8_t>();
    uint32_t state = 12345;
    for (int64_t i = 0; i < frames.numel(); ++i) {  // noise compresses badly: well over 20 kB
        state = state * 1664525u + 1013904223u;
        p[i] = uint8_t(state >> 24);
    }
    Mp4Options lossless;
    lossless.crf = 0;
    rlimit old{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 20000;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    try {
        write_mp4(path, frames, std::nullopt, lossless);
        ADD_FAILURE() << "expected a write error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("big.mp4"), std::string::npos) << m;
        EXPECT_NE(m.find("File too large"), std::string::npos) << m;
    }
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_TRUE(files_in(dir.path).empty());
}

// ---------------------------------------------------------------------------------------------
// PNG frames and image decoding

TEST(ImageIo, PngFramesRoundTripExactly) {
    TempDir dir("ltx2-media");
    Tensor frames = Tensor::zeros({3, 5, 7, 3}, DType::U8);
    for (int64_t f = 0; f < 3; ++f) frames.select(0, f).copy_from(gradient_image(5, 7));
    frames.data<uint8_t>()[2 * 5 * 7 * 3] = 1;  // frame 2 differs in one value
    write_png_frames(dir.path.string(), frames);
    EXPECT_EQ(files_in(dir.path), (std::vector<std::string>{"frame_00000.png", "frame_00001.png", "frame_00002.png"}));
    for (int64_t f = 0; f < 3; ++f) {
        const Tensor back = read_image(dir.file(fmt::format("frame_{:05d}.png", f)));
        ASSERT_EQ(back.shape(), (Shape{5, 7, 3}));
        EXPECT_EQ(back.to_vector(), frames.select(0, f).to_vector()) << f;
    }
    expect_error([&] { write_png_frames(dir.file("nope"), frames); }, {"nope", "does not exist"});
    expect_error([&] { write_png_frames(dir.path.string(), Tensor::zeros({2, 4, 4, 3})); },
                 {"U8 [F, H, W, 3]", "F32"});
    expect_error([&] { write_png(dir.file("nope/x.png"), gradient_image(2, 2)); }, {"nope/x.png", "does not exist"});
}

TEST(ImageIo, DecodesRgbRgbaGrayAndGrayAlphaPng) {
    TempDir dir("ltx2-media");
    // 2 x 2 pixels, written with 4, 1 and 2 channels by stb_image_write.
    const std::vector<uint8_t> rgba = {10, 20, 30, 0, 40, 50, 60, 255, 70, 80, 90, 128, 100, 110, 120, 7};
    ASSERT_TRUE(stbi_write_png(dir.file("rgba.png").c_str(), 2, 2, 4, rgba.data(), 8));
    Tensor t = read_image(dir.file("rgba.png"));
    ASSERT_EQ(t.shape(), (Shape{2, 2, 3}));
    EXPECT_EQ(t.to_vector(), (std::vector<float>{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120}))
        << "alpha dropped, not composited";

    const std::vector<uint8_t> gray = {0, 85, 170, 255};
    ASSERT_TRUE(stbi_write_png(dir.file("gray.png").c_str(), 2, 2, 1, gray.data(), 2));
    t = read_image(dir.file("gray.png"));
    ASSERT_EQ(t.shape(), (Shape{2, 2, 3}));
    EXPECT_EQ(t.to_vector(), (std::vector<float>{0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255}));

    const std::vector<uint8_t> gray_alpha = {9, 0, 99, 255, 199, 50, 255, 1};
    ASSERT_TRUE(stbi_write_png(dir.file("ga.png").c_str(), 2, 2, 2, gray_alpha.data(), 4));
    t = read_image(dir.file("ga.png"));
    EXPECT_EQ(t.to_vector(), (std::vector<float>{9, 9, 9, 99, 99, 99, 199, 199, 199, 255, 255, 255}));

    const Tensor picture = gradient_image(6, 9);
    write_png(dir.file("rgb.png"), picture);
    EXPECT_EQ(read_image(dir.file("rgb.png")).to_vector(), picture.to_vector());
}

TEST(ImageIo, JpegDecodesExactlyAsPil) {
    // tests/golden/media: a JPEG written by Pillow and the bytes PIL decodes it to.
    const std::string dir = std::string(LTX2_GOLDEN_DIR) + "/media/";
    std::ifstream in(dir + "pil_decoded.rgb", std::ios::binary);
    const std::vector<unsigned char> expected{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ASSERT_EQ(expected.size(), size_t(24 * 32 * 3));
    const Tensor t = read_image(dir + "pil_decoded.jpg");
    ASSERT_EQ(t.shape(), (Shape{24, 32, 3}));
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), t.data<uint8_t>()));
}

TEST(ImageIo, DecodesGrayscaleAndStbJpeg) {
    TempDir dir("ltx2-media");
    const Tensor picture = gradient_image(32, 48);
    ASSERT_TRUE(stbi_write_jpg(dir.file("p.jpg").c_str(), 48, 32, 3, picture.data<uint8_t>(), 95));
    const Tensor back = read_image(dir.file("p.jpg"));
    ASSERT_EQ(back.shape(), (Shape{32, 48, 3}));
    const auto a = picture.to_vector(), b = back.to_vector();
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
    EXPECT_LE(worst, 12.0);
    EXPECT_GT(worst, 0.0) << "a JPEG round trip is lossy";

    // One channel: replicated to RGB (the reference's [..., :3] would slice columns instead).
    std::vector<uint8_t> gray(16 * 16);
    for (size_t i = 0; i < gray.size(); ++i) gray[i] = uint8_t(i);
    ASSERT_TRUE(stbi_write_jpg(dir.file("g.jpg").c_str(), 16, 16, 1, gray.data(), 100));
    const Tensor g = read_image(dir.file("g.jpg"));
    ASSERT_EQ(g.shape(), (Shape{16, 16, 3}));
    for (int64_t y = 0; y < 16; ++y)
        for (int64_t x = 0; x < 16; ++x) {
            EXPECT_EQ(g.at({y, x, 0}), g.at({y, x, 1}));
            EXPECT_EQ(g.at({y, x, 0}), g.at({y, x, 2}));
            EXPECT_NEAR(g.at({y, x, 0}), double(16 * y + x), 4);
        }
}

TEST(ImageIo, UnreadableImagesNameThePath) {
    TempDir dir("ltx2-media");
    expect_error([&] { read_image(dir.file("absent.png")); }, {"absent.png", "no such file"});
    expect_error([&] { read_image(dir.path.string()); }, {dir.path.string(), "not a regular file"});
    {
        std::ofstream(dir.file("junk.png"), std::ios::binary) << "this is not an image at all";
    }
    expect_error([&] { read_image(dir.file("junk.png")); }, {"junk.png", "cannot decode image"});
    // A PNG cut in half.
    write_png(dir.file("cut.png"), gradient_image(40, 40));
    fs::resize_file(dir.file("cut.png"), fs::file_size(dir.file("cut.png")) / 2);
    expect_error([&] { read_image(dir.file("cut.png")); }, {"cut.png", "cannot decode image"});
    // A JPEG cut short: PIL refuses it ("image file is truncated"), so do we.
    const Tensor big = gradient_image(64, 64);
    ASSERT_TRUE(stbi_write_jpg(dir.file("cut.jpg").c_str(), 64, 64, 3, big.data<uint8_t>(), 90));
    fs::resize_file(dir.file("cut.jpg"), fs::file_size(dir.file("cut.jpg")) * 3 / 4);  // inside the scan data
    expect_error([&] { read_image(dir.file("cut.jpg")); }, {"cut.jpg", "truncated"});
    // A JPEG header followed by garbage.
    {
        std::ofstream(dir.file("bad.jpg"), std::ios::binary) << std::string("\xFF\xD8\xFF\xE0 nonsense bytes here");
    }
    expect_error([&] { read_image(dir.file("bad.jpg")); }, {"bad.jpg", "cannot decode JPEG"});
    {
        std::ofstream(dir.file("empty.jpg"), std::ios::binary);
    }
    expect_error([&] { read_image(dir.file("empty.jpg")); }, {"empty.jpg", "cannot decode image"});
}

// ---------------------------------------------------------------------------------------------
// H.264 round trip (the reference's image preprocess)

TEST(H264RoundTrip, ChangesTheImageSlightlyAndDeterministically) {
    const Tensor picture = gradient_image(48, 64);
    const Tensor once = h264_round_trip(picture, kDefaultImageCrf, "test image");
    const Tensor again = h264_round_trip(picture, kDefaultImageCrf, "test image");
    ASSERT_EQ(once.shape(), (Shape{48, 64, 3}));
    EXPECT_EQ(once.to_vector(), again.to_vector()) << "same input, same output";
    const auto a = picture.to_vector(), b = once.to_vector();
    double sum = 0, worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        sum += std::fabs(a[i] - b[i]);
        worst = std::max(worst, double(std::fabs(a[i] - b[i])));
    }
    const double mean = sum / double(a.size());
    EXPECT_GT(mean, 0.1) << "crf 33 leaves artefacts";
    EXPECT_LT(mean, 6.0) << "but the picture stays the same";
    EXPECT_LT(worst, 40.0);

    // crf 0 is the reference's "no preprocessing": the image comes back untouched, odd size kept.
    const Tensor odd = gradient_image(5, 7);
    EXPECT_EQ(h264_round_trip(odd, 0, "odd").to_vector(), odd.to_vector());
    // Otherwise odd sizes lose their last row / column, as the reference crops them.
    EXPECT_EQ(h264_round_trip(odd, kDefaultImageCrf, "odd").shape(), (Shape{4, 6, 3}));
    expect_error([&] { h264_round_trip(gradient_image(1, 8), kDefaultImageCrf, "thin.png"); },
                 {"thin.png", "too small"});
    expect_error([&] { h264_round_trip(picture, 60, "p.png"); }, {"p.png", "crf must be in [0, 51]"});
}

// ---------------------------------------------------------------------------------------------
// resize_and_center_crop / normalize / load_*_conditioning

// Pixel (y, x, channel c) of a [1, 3, F, H, W] tensor, frame f.
float px(const Tensor& t, int64_t c, int64_t y, int64_t x, int64_t f = 0) { return float(t.at({0, c, f, y, x})); }

TEST(MediaPreprocess, DownscaleBy2AveragesBlocksAndCropsTheCentre) {
    // 4 x 6 -> 2 x 2: scale = max(2/4, 2/6) = 0.5, resized to 2 x 3, crop left (3 - 2) // 2 = 0.
    // Source index of output o is 2 (o + 0.5) - 0.5 = 2o + 0.5: each output averages a 2 x 2 block.
    std::vector<uint8_t> v;
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x)
            for (int c = 0; c < 3; ++c) v.push_back(uint8_t(10 * (6 * y + x) + c));
    const Tensor out = resize_and_center_crop(u8_tensor({4, 6, 3}, v), 2, 2);
    ASSERT_EQ(out.shape(), (Shape{1, 3, 1, 2, 2}));
    for (int c = 0; c < 3; ++c) {
        EXPECT_EQ(px(out, c, 0, 0), 35 + c);   // mean of 10 * {0, 1, 6, 7}
        EXPECT_EQ(px(out, c, 0, 1), 55 + c);   // 10 * {2, 3, 8, 9}
        EXPECT_EQ(px(out, c, 1, 0), 155 + c);  // 10 * {12, 13, 18, 19}
        EXPECT_EQ(px(out, c, 1, 1), 175 + c);  // 10 * {14, 15, 20, 21}
    }
}

TEST(MediaPreprocess, UpscaleBy2UsesQuarterWeightsAndClampsAtTheBorders) {
    // 2 x 2 -> 4 x 4: source index (o + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25
    // (index 1, no right neighbour): per axis out = [v0, .75 v0 + .25 v1, .25 v0 + .75 v1, v1].
    // Channel 0 holds [[0, 100], [200, 40]]: rows [0, 25, 75, 100] and [200, 160, 80, 40].
    const Tensor out = resize_and_center_crop(u8_tensor({2, 2, 3}, {0, 1, 2, 100, 1, 2, 200, 1, 2, 40, 1, 2}), 4, 4);
    ASSERT_EQ(out.shape(), (Shape{1, 3, 1, 4, 4}));
    const float expected[4][4] = {{0, 25, 75, 100}, {50, 58.75f, 76.25f, 85}, {150, 126.25f, 78.75f, 55}, {200, 160, 80, 40}};
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) {
            EXPECT_EQ(px(out, 0, y, x), expected[y][x]) << y << "," << x;
            EXPECT_EQ(px(out, 1, y, x), 1.0f);
            EXPECT_EQ(px(out, 2, y, x), 2.0f);
        }
}

TEST(MediaPreprocess, NonIntegerScale) {
    // 3 x 3 -> 2 x 2: scale 2/3, resized size ceil(3 * 2/3) = 2; source index 1.5 (o + 0.5) - 0.5 =
    // 0.25, 1.75: weights (.75, .25) on pixels 0, 1 and (.25, .75) on pixels 1, 2.
    const std::vector<uint8_t> ch0 = {0, 40, 80, 120, 160, 200, 240, 8, 16};
    std::vector<uint8_t> v;
    for (uint8_t x : ch0) v.insert(v.end(), {x, 0, 255});
    const Tensor out = resize_and_center_crop(u8_tensor({3, 3, 3}, v), 2, 2);
    EXPECT_EQ(px(out, 0, 0, 0), 40.0f);   // .5625*0 + .1875*40 + .1875*120 + .0625*160
    EXPECT_EQ(px(out, 0, 0, 1), 100.0f);  // .1875*40 + .5625*80 + .0625*160 + .1875*200
    EXPECT_EQ(px(out, 0, 1, 0), 169.0f);  // .1875*120 + .0625*160 + .5625*240 + .1875*8
    EXPECT_EQ(px(out, 0, 1, 1), 58.0f);   // .0625*160 + .1875*200 + .1875*8 + .5625*16
    EXPECT_EQ(px(out, 2, 1, 1), 255.0f);
}

TEST(MediaPreprocess, SameScaleOnlyCropsTheCentre) {
    // 4 x 6 -> 4 x 4: scale max(1, 4/6) = 1, no resampling, columns 1..4 kept.
    std::vector<uint8_t> v;
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x) v.insert(v.end(), {uint8_t(10 * y + x), 7, 9});
    const Tensor out = resize_and_center_crop(u8_tensor({4, 6, 3}, v), 4, 4);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) EXPECT_EQ(px(out, 0, y, x), float(10 * y + x + 1));
}

// Bilinear (align_corners=False) in double, written from the continuous definition: the
// resized image samples the source at ((o + 0.5) * in / out - 0.5), clamped to the edge pixels.
double reference_bilinear(const Tensor& src, int64_t c, double sy, double sx) {
    const int64_t h = src.size(0), w = src.size(1);
    sy = std::clamp(sy, 0.0, double(h - 1));
    sx = std::clamp(sx, 0.0, double(w - 1));
    const int64_t y0 = int64_t(sy), x0 = int64_t(sx);
    const int64_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
    const double fy = sy - double(y0), fx = sx - double(x0);
    const auto v = [&](int64_t y, int64_t x) { return src.at({y, x, c}); };
    return (1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) + fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1));
}

TEST(MediaPreprocess, MatchesTheContinuousBilinearDefinition) {
    // Both torch evaluation orders (resized h + w <= 128 and > 128), up- and downscales, crops.
    struct Case {
        int64_t in_h, in_w, h, w;
    };
    for (const Case k : {Case{37, 53, 32, 32}, Case{37, 53, 96, 64}, Case{120, 90, 64, 96}, Case{7, 11, 48, 80},
                         Case{64, 64, 32, 96}}) {
        Tensor src = Tensor::zeros({k.in_h, k.in_w, 3}, DType::U8);
        uint32_t state = uint32_t(k.in_h * 131 + k.in_w);
        for (int64_t i = 0; i < src.numel(); ++i) {
            state = state * 1664525u + 1013904223u;
            src.data<uint8_t>()[i] = uint8_t(state >> 24);
        }
        const Tensor out = resize_and_center_crop(src, k.h, k.w);
        ASSERT_EQ(out.shape(), (Shape{1, 3, 1, k.h, k.w}));
        const double scale = std::max(double(k.h) / double(k.in_h), double(k.w) / double(k.in_w));
        const int64_t new_h = int64_t(std::ceil(k.in_h * scale)), new_w = int64_t(std::ceil(k.in_w * scale));
        const int64_t top = (new_h - k.h) / 2, left = (new_w - k.w) / 2;
        double worst = 0;
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < k.h; ++y)
                for (int64_t x = 0; x < k.w; ++x) {
                    const double sy = (double(y + top) + 0.5) * double(k.in_h) / double(new_h) - 0.5;
                    const double sx = (double(x + left) + 0.5) * double(k.in_w) / double(new_w) - 0.5;
                    worst = std::max(worst, std::fabs(px(out, c, y, x) - reference_bilinear(src, c, sy, sx)));
                }
        EXPECT_LT(worst, 2e-3) << k.in_h << "x" << k.in_w << " -> " << k.h << "x" << k.w;
    }
}

TEST(MediaPreprocess, NormalizeMapsPixelsToMinusOneOne) {
    const Tensor n = normalize_pixels(Tensor::from_f32({4}, {0, 255, 51, 127}));
    EXPECT_EQ(n.to_vector(), (std::vector<float>{-1.0f, 1.0f, 51.0f / 127.5f - 1.0f, 127.0f / 127.5f - 1.0f}));
    expect_error([] { resize_and_center_crop(Tensor::zeros({4, 4, 3}), 2, 2); }, {"U8", "F32"});
    expect_error([] { resize_and_center_crop(Tensor::zeros({4, 4, 3}, DType::U8), 0, 2); }, {"0x2", "positive"});
}

TEST(MediaPreprocess, LoadImageConditioning) {
    TempDir dir("ltx2-media");
    const Tensor picture = gradient_image(45, 61);  // odd: the round trip crops to 44 x 60
    write_png(dir.file("in.png"), picture);
    // crf 0: decode, resize, normalise only.
    const Tensor plain = load_image_conditioning(dir.file("in.png"), 32, 64, 0);
    ASSERT_EQ(plain.shape(), (Shape{1, 3, 1, 32, 64}));
    EXPECT_EQ(plain.to_vector(), normalize_pixels(resize_and_center_crop(picture, 32, 64)).to_vector());
    // Default: through H.264 first; close to the plain result, not equal, reproducible.
    const Tensor compressed = load_image_conditioning(dir.file("in.png"), 32, 64);
    const Tensor expected = normalize_pixels(
        resize_and_center_crop(h264_round_trip(picture, kDefaultImageCrf, "in.png"), 32, 64));
    EXPECT_EQ(compressed.to_vector(), expected.to_vector());
    const auto a = plain.to_vector(), b = compressed.to_vector();
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) sum += std::fabs(a[i] - b[i]);
    EXPECT_GT(sum / double(a.size()), 1e-4);
    EXPECT_LT(sum / double(a.size()), 0.05);
    for (float x : b) ASSERT_TRUE(x >= -1.0f && x <= 1.0f) << x;
    expect_error([&] { load_image_conditioning(dir.file("none.png"), 32, 32); }, {"none.png", "no such file"});
}

TEST(MediaPreprocess, LoadVideoConditioningReadsUpToTheCap) {
    TempDir dir("ltx2-media");
    const std::string path = dir.file("ref.mp4");
    write_mp4(path, solid_frames(9, 32, 48, 20, 128, 240), AudioTrack{sine_tone(6000, 16000), 16000});
    int64_t seen = 0;
    EXPECT_EQ(for_each_video_frame(path, 4, [&](const Tensor&) { ++seen; }), 4);
    EXPECT_EQ(seen, 4);
    EXPECT_EQ(read_video(path, 0).size(0), 9);
    EXPECT_EQ(read_video(path, 100).size(0), 9);

    const Tensor v = load_video_conditioning(path, 16, 16, 5);
    ASSERT_EQ(v.shape(), (Shape{1, 3, 5, 16, 16}));
    for (int64_t f = 0; f < 5; ++f) {
        EXPECT_NEAR(px(v, 0, 8, 8, f), (20 + 10 * f) / 127.5 - 1, 3 / 127.5) << f;
        EXPECT_NEAR(px(v, 1, 8, 8, f), 128 / 127.5 - 1, 3 / 127.5) << f;
        EXPECT_NEAR(px(v, 2, 8, 8, f), 240 / 127.5 - 1, 3 / 127.5) << f;
    }
    // Each frame is processed like an image (without the H.264 round trip).
    const Tensor frames = read_video(path, 5);
    EXPECT_EQ(v.to_vector(), normalize_pixels(resize_and_center_crop(frames, 16, 16)).to_vector());

    expect_error([&] { read_video(dir.file("absent.mp4")); }, {"absent.mp4", "no such file"});
    {
        std::ofstream(dir.file("junk.mp4"), std::ios::binary) << "definitely not a video";
    }
    expect_error([&] { read_video(dir.file("junk.mp4")); }, {"junk.mp4", "cannot read video"});
    write_wav(dir.file("sound.wav"), sine_tone(800, 16000), 16000, WavFormat::Pcm16);
    expect_error([&] { read_video(dir.file("sound.wav")); }, {"sound.wav", "no video stream"});
}

TEST(VideoReader, FramesLargerThanAnImageAreRefusedFromTheHeader) {
    TempDir dir("ltx2-media");
    // 7 KB of MJPEG whose frames are 33000 pixels wide, beyond kMaxImageSide.
    const std::string wide = dir.file("wide.mkv");
    const auto made = run_command("ffmpeg -v error -f lavfi -i color=c=red:s=33000x16:d=0.08:r=25 -c:v mjpeg '" + wide + "'");
    ASSERT_EQ(made.exit_code, 0) << made.output;
    expect_error([&] { probe_video_header(wide, "--video-conditioning"); },
                 {"--video-conditioning", wide, "33000x16", "scale it down"});
    expect_error([&] { probe_video(wide, "--video-path"); }, {"--video-path", wide, "33000x16"});
    int64_t decoded = 0;
    expect_error([&] { for_each_video_frame(wide, 0, [&](const Tensor&) { ++decoded; }); }, {wide, "33000x16"});
    EXPECT_EQ(decoded, 0);

    // Within the bounds the header alone is read: the frame count only when the container has it.
    const std::string fine = dir.file("fine.mp4");
    write_mp4(fine, solid_frames(3, 16, 32, 1, 2, 3), std::nullopt, {});
    const VideoFileInfo info = probe_video_header(fine, "--video-conditioning");
    EXPECT_EQ(info.width, 32);
    EXPECT_EQ(info.height, 16);
    EXPECT_EQ(info.frames, 3);
}

}  // namespace
}  // namespace ltx2
