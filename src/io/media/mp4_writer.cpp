// MP4 (H.264 + AAC) writing (see mp4_writer.h).
#include "io/media/mp4_writer.h"

extern "C" {
#include <libavutil/channel_layout.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "io/media/ffmpeg_util.h"
#include "io/media/output_file.h"
#include "io/sibling_temp.h"
#include "io/wav.h"

namespace ltx2 {

using namespace media;

FrameRate FrameRate::reference(double fps) {
    LTX2_CHECK(std::isfinite(fps) && fps >= 1 && fps < 2147483648.0,
               "frame rate {} cannot be used: the reference truncates it to an integer, which must be >= 1", fps);
    return {int(fps), 1};
}

FrameRate FrameRate::exact(double fps) {
    LTX2_CHECK(std::isfinite(fps) && fps > 0 && fps <= 1000, "frame rate {} cannot be used: expected (0, 1000]", fps);
    const double ntsc = fps * 1001.0 / 1000.0;  // k for the NTSC rate k·1000/1001
    if (std::abs(ntsc - std::round(ntsc)) * 1000.0 / 1001.0 < 1e-3 && std::abs(fps - std::round(fps)) > 1e-3)
        return {int(std::lround(ntsc)) * 1000, 1001};
    const int64_t milli = std::llround(fps * 1000.0);
    const int64_t g = std::gcd(milli, int64_t(1000));
    return {int(milli / g), int(1000 / g)};
}

namespace {

const AVCodec* aac_encoder(const std::string& who) {
    const AVCodec* codec = avcodec_find_encoder_by_name("aac");
    LTX2_CHECK(codec != nullptr, "{}: this FFmpeg build has no native AAC encoder", who);
    return codec;
}

}  // namespace

void check_aac_sample_rate(const std::string& who, int rate) {
    const AVCodec* codec = aac_encoder(who);
    std::string supported;
    for (const int* r = codec->supported_samplerates; r && *r; ++r) {
        if (*r == rate) return;
        supported += fmt::format("{}{}", supported.empty() ? "" : ", ", *r);
    }
    if (!codec->supported_samplerates) return;
    fail("{}: audio sample rate {} Hz is not supported by AAC (supported: {})", who, rate, supported);
}

namespace {

// U8 [F, H, W, 3], F >= 1, even H and W; returned contiguous.
Tensor checked_frames(const std::string& path, const Tensor& frames) {
    LTX2_CHECK(frames.defined(), "{}: cannot write MP4: no frames (undefined tensor)", path);
    LTX2_CHECK(frames.dtype() == DType::U8, "{}: cannot write MP4: frames must be U8 [F, H, W, 3], got {}", path,
               dtype_name(frames.dtype()));
    LTX2_CHECK(frames.dim() == 4 && frames.size(3) == 3, "{}: cannot write MP4: frames must be [F, H, W, 3] RGB, got {}",
               path, shape_str(frames.shape()));
    const int64_t f = frames.size(0), h = frames.size(1), w = frames.size(2);
    LTX2_CHECK(f >= 1, "{}: cannot write MP4: there are no frames (shape {})", path, shape_str(frames.shape()));
    LTX2_CHECK(h >= 2 && w >= 2 && h % 2 == 0 && w % 2 == 0 && h <= 16384 && w <= 16384,
               "{}: cannot write MP4: frame size {}x{} (width x height) must be even and at least 2 for yuv420p H.264",
               path, w, h);
    return frames.contiguous();
}

// Interleaved stereo int16, converted with the WAV writer's (the reference's) rule.
std::vector<int16_t> checked_pcm16(const std::string& path, const AudioTrack& audio) {
    Tensor s = audio.samples;
    LTX2_CHECK(s.defined(), "{}: cannot write MP4: the audio track has no samples (undefined tensor)", path);
    LTX2_CHECK(s.dtype() == DType::F32, "{}: cannot write MP4: audio must be F32, got {}", path, dtype_name(s.dtype()));
    if (s.dim() == 3 && s.size(0) == 1) s = s.select(0, 0);
    LTX2_CHECK(s.dim() == 2 && s.size(0) == 2,
               "{}: cannot write MP4: audio must be stereo [2, samples] or [1, 2, samples], got {}", path,
               shape_str(audio.samples.shape()));
    const int64_t n = s.size(1);
    LTX2_CHECK(n >= 1, "{}: cannot write MP4: the audio track is empty (shape {})", path, shape_str(s.shape()));
    LTX2_CHECK(audio.sample_rate > 0, "{}: cannot write MP4: audio sample rate {} Hz", path, audio.sample_rate);
    check_aac_sample_rate(path + ": cannot write MP4", audio.sample_rate);
    const std::vector<float> v = s.to_vector();
    std::vector<int16_t> pcm(size_t(2 * n));
    for (int64_t c = 0; c < 2; ++c)
        for (int64_t i = 0; i < n; ++i) {
            const float x = v[size_t(c * n + i)];
            LTX2_CHECK(std::isfinite(x), "{}: cannot write MP4: non-finite audio sample {} at channel {}, sample {}",
                       path, x, c, i);
            pcm[size_t(2 * i + c)] = to_pcm16(x);
        }
    return pcm;
}

// One output stream: its encoder and where its packets go in the container.
struct Track {
    CodecPtr encoder;
    AVStream* stream = nullptr;
};

class Mp4Muxer {
public:
    Mp4Muxer(const std::string& path, const std::string& tmp) : who_(fmt::format("{}: cannot write MP4", path)) {
        AVFormatContext* raw = nullptr;
        av_check(avformat_alloc_output_context2(&raw, nullptr, "mp4", tmp.c_str()), who_, "cannot create the muxer");
        out_.reset(raw);
    }

    const std::string& who() const { return who_; }
    bool global_header() const { return out_->oformat->flags & AVFMT_GLOBALHEADER; }

    AVStream* add_stream(const AVCodecContext* encoder) {
        AVStream* st = avformat_new_stream(out_.get(), nullptr);
        LTX2_CHECK(st != nullptr, "{}: out of memory adding a stream", who_);
        st->time_base = encoder->time_base;
        av_check(avcodec_parameters_from_context(st->codecpar, encoder), who_, "cannot set up a stream");
        return st;
    }

    // movie_timescale: the clock of the edit lists that trim the encoders' delays; a multiple of
    // every stream's rate keeps each stream's duration exact (the default, 1000, rounds to ms).
    void open(const std::string& tmp, const std::vector<std::pair<std::string, std::string>>& metadata,
              int64_t movie_timescale) {
        for (const auto& [key, value] : metadata)
            av_check(av_dict_set(&out_->metadata, key.c_str(), value.c_str(), 0), who_, "cannot set a metadata tag");
        const int ret = avio_open(&out_->pb, tmp.c_str(), AVIO_FLAG_WRITE);
        if (ret < 0) fail("{}: cannot create {}: {}", who_, tmp, av_error_text(ret));
        AVDictionary* options = nullptr;
        av_dict_set(&options, "movflags", "use_metadata_tags+faststart", 0);
        av_dict_set_int(&options, "movie_timescale", movie_timescale, 0);
        const int header = avformat_write_header(out_.get(), &options);
        av_dict_free(&options);
        av_check(header, who_, "writing the header failed");
    }

    void write(AVPacket* packet, const Track& track) {
        packet->stream_index = track.stream->index;
        av_packet_rescale_ts(packet, track.encoder->time_base, track.stream->time_base);
        av_check(av_interleaved_write_frame(out_.get(), packet), who_, "writing a packet failed");
    }

    // Trailer and close, each checked: a full disk shows up here at the latest.
    void finish() {
        av_check(av_write_trailer(out_.get()), who_, "writing the trailer failed");
        if (out_->pb->error < 0) av_check(out_->pb->error, who_, "writing failed");
        av_check(avio_closep(&out_->pb), who_, "closing the file failed");
    }

private:
    std::string who_;
    OutputPtr out_;
};

class AudioEncoder {
public:
    AudioEncoder(const std::string& who, std::vector<int16_t> pcm, int sample_rate, bool global_header)
        : who_(who), pcm_(std::move(pcm)), total_(int64_t(pcm_.size() / 2)) {
        const AVCodec* codec = aac_encoder(who);
        track_.encoder.reset(avcodec_alloc_context3(codec));
        AVCodecContext* c = track_.encoder.get();
        LTX2_CHECK(c != nullptr, "{}: out of memory allocating the AAC encoder", who);
        AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;  // non-const: swr_alloc_set_opts2 of FFmpeg 5 takes a plain pointer
        av_check(av_channel_layout_copy(&c->ch_layout, &stereo), who, "cannot set the channel layout");
        c->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
        c->sample_rate = sample_rate;
        c->time_base = {1, sample_rate};
        c->bit_rate = 0;  // as the reference: the encoder then picks 128 kb/s for a stereo pair
        c->bit_rate_tolerance = 32000;
        if (global_header) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        av_check(avcodec_open2(c, codec, nullptr), who, "cannot open the AAC encoder");

        SwrContext* swr = nullptr;
        av_check(swr_alloc_set_opts2(&swr, &c->ch_layout, c->sample_fmt, sample_rate, &stereo, AV_SAMPLE_FMT_S16,
                                     sample_rate, 0, nullptr),
                 who, "cannot set up the audio resampler");
        swr_.reset(swr);
        av_check(swr_init(swr), who, "cannot set up the audio resampler");
    }

    Track& track() { return track_; }

    // Encodes whole encoder frames up to sample `end` (all samples, the last frame short, once
    // `end` reaches the total) and hands the packets to `sink`.
    void encode_until(int64_t end, const std::function<void(AVPacket*)>& sink) {
        AVCodecContext* c = track_.encoder.get();
        const int64_t frame_size = c->frame_size > 0 ? c->frame_size : 1024;
        end = std::min(end, total_);
        while (next_ < end && (next_ + frame_size <= end || end == total_)) {
            const int n = int(std::min(frame_size, total_ - next_));
            FramePtr frame = alloc_frame(who_);
            frame->nb_samples = n;
            frame->format = c->sample_fmt;
            frame->sample_rate = c->sample_rate;
            av_check(av_channel_layout_copy(&frame->ch_layout, &c->ch_layout), who_, "cannot set the channel layout");
            av_check(av_frame_get_buffer(frame.get(), 0), who_, "cannot allocate an audio frame");
            const uint8_t* in[1] = {reinterpret_cast<const uint8_t*>(pcm_.data() + 2 * next_)};
            const int converted = av_check(swr_convert(swr_.get(), frame->data, n, in, n), who_, "resampling failed");
            LTX2_CHECK(converted == n, "{}: the resampler returned {} of {} samples", who_, converted, n);
            frame->pts = next_;
            encode_frame(c, frame.get(), sink, who_);
            next_ += n;
        }
    }

    void flush(const std::function<void(AVPacket*)>& sink) {
        encode_until(total_, sink);
        encode_frame(track_.encoder.get(), nullptr, sink, who_);
    }

private:
    std::string who_;
    std::vector<int16_t> pcm_;
    int64_t total_ = 0, next_ = 0;
    Track track_;
    SwrPtr swr_;
};

}  // namespace

void write_mp4(const std::string& path, const Tensor& frames_in, const std::optional<AudioTrack>& audio,
               const Mp4Options& options) {
    const FrameRate fps = options.fps;
    LTX2_CHECK(fps.num > 0 && fps.den > 0, "{}: cannot write MP4: frame rate {}/{} must be positive", path, fps.num,
               fps.den);
    const Tensor frames = checked_frames(path, frames_in);
    std::vector<int16_t> pcm;
    if (audio) pcm = checked_pcm16(path, *audio);
    require_output_location(path, "MP4");
    quiet_ffmpeg_logs();

    const int64_t count = frames.size(0);
    const int height = int(frames.size(1)), width = int(frames.size(2));
    SiblingTemp tmp(path, TempKind::File);
    tmp.close_file();  // FFmpeg opens it by name
    Mp4Muxer mux(path, tmp.path());
    const std::string& who = mux.who();

    Track video;
    video.encoder = open_h264_encoder(
        {width, height, AVRational{fps.num, fps.den}, options.crf, options.preset, mux.global_header(), true, true},
        who);
    video.stream = mux.add_stream(video.encoder.get());
    video.stream->avg_frame_rate = AVRational{fps.num, fps.den};
    std::optional<AudioEncoder> sound;
    if (audio) {
        sound.emplace(who, std::move(pcm), audio->sample_rate, mux.global_header());
        sound->track().stream = mux.add_stream(sound->track().encoder.get());
    }
    int64_t timescale = std::lcm(int64_t(1000), int64_t(fps.num));  // never coarser than FFmpeg's default, 1000
    if (audio) timescale = std::lcm(timescale, int64_t(audio->sample_rate));
    if (timescale > std::numeric_limits<int32_t>::max()) timescale = 1000;
    mux.open(tmp.path(), options.metadata, timescale);

    const auto video_sink = [&](AVPacket* p) {
        if (p->duration == 0) p->duration = 1;  // one tick of 1/fps: the last frame keeps its length
        mux.write(p, video);
    };
    const auto audio_sink = [&](AVPacket* p) { mux.write(p, sound->track()); };
    RgbConverter convert(who);
    const uint8_t* rgb = frames.data<uint8_t>();
    const int64_t frame_bytes = int64_t(height) * width * 3;
    for (int64_t i = 0; i < count; ++i) {
        FramePtr frame = convert.to_frame(rgb + i * frame_bytes, width, height, int64_t(width) * 3, AV_PIX_FMT_YUV420P);
        frame->pts = i;
        encode_frame(video.encoder.get(), frame.get(), video_sink, who);
        // Audio up to the end of this frame, so the two streams interleave in the file.
        if (sound) sound->encode_until(av_rescale(i + 1, int64_t(audio->sample_rate) * fps.den, fps.num), audio_sink);
    }
    encode_frame(video.encoder.get(), nullptr, video_sink, who);
    if (sound) sound->flush(audio_sink);
    mux.finish();
    tmp.commit();
}

}  // namespace ltx2
