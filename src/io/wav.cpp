// RIFF/WAVE writing and reading (see wav.h).
#include "io/wav.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/regular_file.h"
#include "io/temp_file.h"

namespace ltx2 {

namespace {

constexpr int kMaxSampleRate = 384000;
constexpr uint16_t kTagPcm = 1;
constexpr uint16_t kTagFloat = 3;

void put_u16(std::string& out, uint16_t v) {
    out.push_back(char(v & 0xff));
    out.push_back(char(v >> 8));
}
void put_u32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}
uint16_t get_u16(const unsigned char* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t get_u32(const unsigned char* p) {
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

}  // namespace

// The official pipelines convert float audio to int16 before encoding it
// (packages/ltx-pipelines/src/ltx_pipelines/utils/media_io.py, _write_audio): clip to
// [-1, 1], multiply by 32767 in float32, then cast to int16, which truncates toward zero.
// We match that exactly instead of the other common convention, round(x * 32767).
int16_t to_pcm16(float x) {
    const float c = std::clamp(x, -1.0f, 1.0f);
    const float scaled = c * 32767.0f;
    return int16_t(std::trunc(scaled));
}

void write_wav(const std::string& path, const Tensor& waveform, int sample_rate, WavFormat format) {
    LTX2_CHECK(waveform.defined(), "{}: cannot write WAV: the waveform is empty (undefined tensor)", path);
    LTX2_CHECK(sample_rate > 0 && sample_rate <= kMaxSampleRate,
               "{}: unsupported sample rate {} Hz (must be 1 .. {})", path, sample_rate, kMaxSampleRate);
    LTX2_CHECK(waveform.dtype() == DType::F32, "{}: cannot write WAV: waveform must be F32, got {}", path,
               dtype_name(waveform.dtype()));
    Tensor w = waveform;
    if (w.dim() == 3) {
        LTX2_CHECK(w.size(0) == 1, "{}: cannot write WAV: waveform {} has batch {} (expected 1)", path,
                   shape_str(w.shape()), w.size(0));
        w = w.select(0, 0);
    }
    LTX2_CHECK(w.dim() == 2, "{}: cannot write WAV: waveform must be [channels, samples] or [1, channels, samples], got {}",
               path, shape_str(waveform.shape()));
    const int64_t channels = w.size(0), samples = w.size(1);
    LTX2_CHECK(channels == 1 || channels == 2, "{}: cannot write WAV: {} channels in {} (1 or 2 supported)", path,
               channels, shape_str(waveform.shape()));
    LTX2_CHECK(samples > 0, "{}: cannot write WAV: the waveform is empty ({} samples, shape {})", path, samples,
               shape_str(waveform.shape()));

    const int bytes_per_sample = format == WavFormat::Pcm16 ? 2 : 4;
    const uint64_t data_bytes = uint64_t(channels) * uint64_t(samples) * uint64_t(bytes_per_sample);
    const uint64_t header_bytes = format == WavFormat::Pcm16 ? 44 : 58;
    LTX2_CHECK(header_bytes - 8 + data_bytes <= std::numeric_limits<uint32_t>::max(),
               "{}: cannot write WAV: {} bytes of samples exceed the format's 4 GiB limit", path, data_bytes);

    const std::vector<float> v = w.to_vector();  // row-major [channels, samples]
    for (int64_t c = 0; c < channels; ++c)
        for (int64_t s = 0; s < samples; ++s) {
            const float x = v[size_t(c * samples + s)];
            if (!std::isfinite(x))
                fail("{}: cannot write WAV: non-finite sample {} at channel {}, sample {}", path,
                     std::isnan(x) ? "NaN" : (x > 0 ? "+inf" : "-inf"), c, s);
        }

    std::string out;
    out.reserve(size_t(header_bytes + data_bytes));
    const uint16_t block_align = uint16_t(channels * bytes_per_sample);
    out += "RIFF";
    put_u32(out, uint32_t(header_bytes - 8 + data_bytes));
    out += "WAVE";
    out += "fmt ";
    if (format == WavFormat::Pcm16) {
        put_u32(out, 16);
        put_u16(out, kTagPcm);
    } else {
        put_u32(out, 18);  // non-PCM formats carry cbSize (0 here)
        put_u16(out, kTagFloat);
    }
    put_u16(out, uint16_t(channels));
    put_u32(out, uint32_t(sample_rate));
    put_u32(out, uint32_t(sample_rate) * block_align);
    put_u16(out, block_align);
    put_u16(out, uint16_t(bytes_per_sample * 8));
    if (format == WavFormat::Float32) {
        put_u16(out, 0);  // cbSize
        out += "fact";    // required for non-PCM data: samples per channel
        put_u32(out, 4);
        put_u32(out, uint32_t(samples));
    }
    out += "data";
    put_u32(out, uint32_t(data_bytes));
    for (int64_t s = 0; s < samples; ++s)
        for (int64_t c = 0; c < channels; ++c) {
            const float x = v[size_t(c * samples + s)];
            if (format == WavFormat::Pcm16) {
                put_u16(out, uint16_t(to_pcm16(x)));
            } else {
                uint32_t bits;
                std::memcpy(&bits, &x, 4);
                put_u32(out, bits);
            }
        }
    // Both sample sizes are even, so the data chunk never needs a pad byte.
    TempFile file(path);
    file.write(out.data(), out.size());
    file.commit();
}

Tensor read_wav(const std::string& path, int* sample_rate) {
    const std::string file = read_regular_file(path, "WAV file");
    const std::vector<unsigned char> bytes(file.begin(), file.end());
    const size_t size = bytes.size();
    LTX2_CHECK(size >= 12, "{}: not a WAV file ({} bytes, too short for a RIFF header)", path, size);
    const unsigned char* b = bytes.data();
    LTX2_CHECK(std::memcmp(b, "RIFF", 4) == 0 && std::memcmp(b + 8, "WAVE", 4) == 0,
               "{}: not a RIFF/WAVE file (bad magic)", path);
    const uint64_t riff_end = uint64_t(get_u32(b + 4)) + 8;
    LTX2_CHECK(riff_end <= size, "{}: truncated WAV: RIFF size says {} bytes, file has {}", path, riff_end, size);

    bool have_fmt = false;
    uint16_t tag = 0, channels = 0, block_align = 0, bits = 0;
    uint32_t rate = 0, byte_rate = 0;
    const unsigned char* data = nullptr;
    uint32_t data_size = 0;
    uint64_t pos = 12;
    while (pos + 8 <= riff_end) {
        const unsigned char* h = b + pos;
        const std::string_view id(reinterpret_cast<const char*>(h), 4);
        const uint32_t chunk = get_u32(h + 4);
        LTX2_CHECK(pos + 8 + chunk <= riff_end, "{}: chunk '{}' at offset {} has size {} past the end of the RIFF data ({})",
                   path, id, pos, chunk, riff_end);
        const unsigned char* body = h + 8;
        if (id == "fmt ") {
            LTX2_CHECK(!have_fmt, "{}: more than one 'fmt ' chunk", path);
            LTX2_CHECK(chunk >= 16, "{}: 'fmt ' chunk has size {} (at least 16 expected)", path, chunk);
            tag = get_u16(body);
            channels = get_u16(body + 2);
            rate = get_u32(body + 4);
            byte_rate = get_u32(body + 8);
            block_align = get_u16(body + 12);
            bits = get_u16(body + 14);
            have_fmt = true;
        } else if (id == "data") {
            LTX2_CHECK(have_fmt, "{}: 'data' chunk before the 'fmt ' chunk", path);
            LTX2_CHECK(data == nullptr, "{}: more than one 'data' chunk", path);
            data = body;
            data_size = chunk;
        }
        pos += 8 + uint64_t(chunk) + (chunk & 1);  // chunks are padded to even sizes
    }
    LTX2_CHECK(have_fmt, "{}: no 'fmt ' chunk", path);
    LTX2_CHECK(data != nullptr, "{}: no 'data' chunk", path);
    const bool pcm16 = tag == kTagPcm && bits == 16;
    const bool f32 = tag == kTagFloat && bits == 32;
    LTX2_CHECK(pcm16 || f32, "{}: unsupported WAV encoding (format tag {}, {} bits); only 16-bit PCM and 32-bit float",
               path, tag, bits);
    LTX2_CHECK(channels >= 1, "{}: 'fmt ' chunk declares 0 channels", path);
    LTX2_CHECK(rate > 0 && rate <= uint32_t(kMaxSampleRate), "{}: unsupported sample rate {} Hz", path, rate);
    const uint32_t bps = bits / 8;
    LTX2_CHECK(block_align == channels * bps, "{}: block align {} does not match {} channels x {} bytes", path,
               block_align, channels, bps);
    LTX2_CHECK(byte_rate == uint64_t(rate) * block_align, "{}: byte rate {} does not match {} Hz x {} bytes", path,
               byte_rate, rate, block_align);
    LTX2_CHECK(data_size % block_align == 0, "{}: data chunk size {} is not a multiple of the block size {}", path,
               data_size, block_align);
    const int64_t samples = data_size / block_align;
    LTX2_CHECK(samples > 0, "{}: the data chunk holds no samples", path);

    Tensor out = Tensor::zeros({int64_t(channels), samples}, DType::F32, Device::Cpu);
    float* o = out.f32();
    for (int64_t s = 0; s < samples; ++s)
        for (int64_t c = 0; c < channels; ++c) {
            const unsigned char* p = data + (s * channels + c) * bps;
            float x;
            if (pcm16) {
                x = float(int16_t(get_u16(p))) / 32768.0f;
            } else {
                const uint32_t u = get_u32(p);
                std::memcpy(&x, &u, 4);
            }
            o[c * samples + s] = x;
        }
    if (sample_rate) *sample_rate = int(rate);
    return out;
}

}  // namespace ltx2
