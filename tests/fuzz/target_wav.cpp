// --target wav: the WAV reader (read_wav). Seeds: PCM16 stereo and float32 mono files as
// write_wav writes them (the float one with its `fact` chunk), with the positions of the RIFF
// size, every chunk size and the `fmt ` fields. Exercise: read_wav, every sample.
#include "core/random_tensor.h"
#include "fuzz/target.h"
#include "io/wav.h"

namespace ltx2::fuzz {

namespace {

namespace fs = std::filesystem;

uint32_t le32(const Bytes& b, size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | uint8_t(b[at + size_t(i)]);
    return v;
}

Seed analyze(std::string name, Bytes bytes, const fs::path&) {
    Seed s{std::move(name), std::move(bytes)};
    if (s.bytes.size() < 12) return s;
    s.fields.push_back({4, 4});  // RIFF size
    for (size_t pos = 12; pos + 8 <= s.bytes.size();) {
        const uint32_t size = le32(s.bytes, pos + 4);
        s.fields.push_back({pos + 4, 4});
        if (s.bytes.compare(pos, 4, "fmt ") == 0 && pos + 24 <= s.bytes.size()) {
            const size_t body = pos + 8;
            s.fields.insert(s.fields.end(), {{body, 2}, {body + 2, 2}, {body + 4, 4}, {body + 8, 4}, {body + 12, 2},
                                             {body + 14, 2}});
            s.groups.push_back({{body + 2, 2}, {body + 8, 4}, {body + 12, 2}, {body + 14, 2}});
        }
        pos += 8 + uint64_t(size) + (size & 1);
    }
    return s;
}

std::vector<Seed> seeds(const fs::path& work) {
    const fs::path path = work / "seed.wav";
    std::vector<Seed> out;
    write_wav(path.string(), random_uniform_tensor({2, 10}, DType::F32, 1, 1), 48000, WavFormat::Pcm16);
    out.push_back(analyze("builtin-pcm16-stereo", read_file(path), work));
    write_wav(path.string(), random_uniform_tensor({1, 7}, DType::F32, 2, 2), 16000, WavFormat::Float32);
    out.push_back(analyze("builtin-float32-mono", read_file(path), work));
    return out;
}

Outcome exercise(const std::string& path, const fs::path&) {
    Outcome o;
    allowing_errors([&] {
        int rate = 0;
        const Tensor t = read_wav(path, &rate);
        o.opened = true;
        float sum = 0;
        for (int64_t i = 0; i < t.numel(); ++i) sum += t.data<float>()[i];
        o.items += size_t(t.numel()) + (sum == 1.0f);
    });
    return o;
}

}  // namespace

const Target& wav_target() {
    static const Target t{"wav", ".wav", seeds, analyze, exercise};
    return t;
}

}  // namespace ltx2::fuzz
