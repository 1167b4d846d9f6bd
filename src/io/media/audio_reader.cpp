// Audio decoding (see audio_reader.h).
#include "io/media/audio_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "io/media/ffmpeg_util.h"

namespace ltx2 {

using namespace media;

namespace {

// Python's round() of a double: to the nearest integer, halves to even.
int64_t round_half_even(double x) { return int64_t(std::nearbyint(x)); }

// One decoded frame's samples, appended per channel as float in [-1, 1].
class SampleCollector {
public:
    explicit SampleCollector(std::string who) : who_(std::move(who)) {}

    void append(const AVFrame* f) {
        const int channels = f->ch_layout.nb_channels;
        LTX2_CHECK(channels >= 1, "{}: a decoded frame has no channels", who_);
        if (planes_.empty()) planes_.resize(size_t(channels));
        LTX2_CHECK(size_t(channels) == planes_.size(), "{}: the channel count changes from {} to {} within the stream",
                   who_, planes_.size(), channels);
        const auto format = AVSampleFormat(f->format);
        const bool planar = av_sample_fmt_is_planar(format) != 0;
        const int64_t n = f->nb_samples;
        for (int c = 0; c < channels; ++c) {
            std::vector<float>& out = planes_[size_t(c)];
            const uint8_t* base = planar ? f->extended_data[c] : f->extended_data[0];
            const int64_t stride = planar ? 1 : channels, offset = planar ? 0 : c;
            for (int64_t i = 0; i < n; ++i) out.push_back(sample(format, base, i * stride + offset));
        }
    }

    size_t samples() const { return planes_.empty() ? 0 : planes_.front().size(); }

    Tensor tensor() const {
        const int64_t C = int64_t(planes_.size()), N = int64_t(samples());
        Tensor out = Tensor::zeros({C, N}, DType::F32, Device::Cpu);
        for (int64_t c = 0; c < C; ++c)
            std::memcpy(out.f32() + c * N, planes_[size_t(c)].data(), size_t(N) * sizeof(float));
        return out;
    }

private:
    template <typename T>
    static T at(const uint8_t* base, int64_t i) {
        T v;
        std::memcpy(&v, base + i * int64_t(sizeof(T)), sizeof(T));
        return v;
    }

    // float32(x) / full scale, as the reference divides the float32 array.
    float sample(AVSampleFormat format, const uint8_t* base, int64_t i) const {
        switch (av_get_packed_sample_fmt(format)) {
            case AV_SAMPLE_FMT_U8:
                return (float(at<uint8_t>(base, i)) - 128.0f) / 128.0f;
            case AV_SAMPLE_FMT_S16:
                return float(at<int16_t>(base, i)) / 32768.0f;
            case AV_SAMPLE_FMT_S32:
                return float(at<int32_t>(base, i)) / 2147483648.0f;
            case AV_SAMPLE_FMT_S64:
                return float(at<int64_t>(base, i)) / 9223372036854775808.0f;
            case AV_SAMPLE_FMT_FLT:
                return at<float>(base, i);
            case AV_SAMPLE_FMT_DBL:
                return float(at<double>(base, i));
            default:
                fail("{}: the decoder delivers samples in an unsupported format ({})", who_,
                     av_get_sample_fmt_name(format) ? av_get_sample_fmt_name(format) : "unknown");
        }
    }

    std::string who_;
    std::vector<std::vector<float>> planes_;
};

double seconds(int64_t ticks, AVRational time_base) {
    return double(ticks * time_base.num) / double(time_base.den);
}

}  // namespace

Tensor trim_decoded_audio(const Tensor& samples, int sample_rate, double first_frame_time, double start_time,
                          std::optional<double> max_duration) {
    LTX2_CHECK(samples.defined() && samples.dim() == 2 && samples.dtype() == DType::F32,
               "audio trim: samples must be F32 [channels, N], got {}",
               samples.defined() ? shape_str(samples.shape()) : std::string("nothing"));
    LTX2_CHECK(sample_rate > 0, "audio trim: sample rate must be positive, got {}", sample_rate);
    const int64_t n = samples.size(1);
    int64_t begin = std::max<int64_t>(round_half_even((start_time - first_frame_time) * sample_rate), 0);
    begin = std::min(begin, n);
    int64_t end = n;
    if (max_duration) end = std::min(n, begin + std::max<int64_t>(round_half_even(*max_duration * sample_rate), 0));
    return samples.slice(1, begin, end).contiguous();
}

DecodedAudio read_audio(const std::string& path, double start_time, std::optional<double> max_duration,
                        const std::string& option) {
    const std::string who = fmt::format("{} {}: cannot read audio", option, path);
    InputPtr input = open_input(path, who);
    int index = -1;
    for (unsigned i = 0; i < input->nb_streams && index < 0; ++i)
        if (input->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) index = int(i);
    LTX2_CHECK(index >= 0, "{}: the file has no audio stream", who);
    const AVStream* stream = input->streams[index];
    const AVCodecParameters* params = stream->codecpar;
    CodecPtr decoder = open_decoder(params->codec_id, params, who);
    const int rate = params->sample_rate;
    LTX2_CHECK(rate > 0, "{}: the audio stream has no sample rate", who);

    const double end_time = max_duration                         ? start_time + *max_duration
                            : stream->duration != AV_NOPTS_VALUE ? seconds(stream->duration, stream->time_base)
                                                                 : std::numeric_limits<double>::infinity();
    SampleCollector collected(who);
    std::optional<double> first_frame_time;
    double decoded_until = 0;  // the end of the last frame seen, for the error message
    const auto take = [&](AVFrame* frame) {
        if (frame->pts == AV_NOPTS_VALUE) return true;
        const double frame_time = seconds(frame->pts, stream->time_base);
        const double frame_end = frame_time + double(frame->nb_samples) / double(frame->sample_rate);
        decoded_until = std::max(decoded_until, frame_end);
        if (frame_end < start_time) return true;
        if (frame_time > end_time) return false;
        if (!first_frame_time) first_frame_time = frame_time;
        collected.append(frame);
        return true;
    };

    PacketPtr packet = alloc_packet(who);
    bool more = true;
    while (more) {
        const int ret = av_read_frame(input.get(), packet.get());
        if (ret == AVERROR_EOF) break;
        av_check(ret, who, "demuxing failed");
        if (packet->stream_index == index) more = decode_packet(decoder.get(), packet.get(), take, who);
        av_packet_unref(packet.get());
    }
    if (more) decode_packet(decoder.get(), nullptr, take, who);

    LTX2_CHECK(collected.samples() > 0, "{}: no audio at --audio-start-time {} s (the audio ends at {:.3f} s)", who,
               start_time, decoded_until);
    DecodedAudio out;
    out.sample_rate = rate;
    out.samples = trim_decoded_audio(collected.tensor(), rate, *first_frame_time, start_time, max_duration);
    LTX2_CHECK(out.samples.size(1) > 0, "{}: no audio at --audio-start-time {} s (the audio ends at {:.3f} s)", who,
               start_time, decoded_until);
    return out;
}

}  // namespace ltx2
