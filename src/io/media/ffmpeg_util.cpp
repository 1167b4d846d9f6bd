// FFmpeg glue shared by the media readers and writers (see ffmpeg_util.h).
#include "io/media/ffmpeg_util.h"

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/error.h"
#include "core/regular_file.h"

namespace ltx2::media {

std::string av_error_text(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    if (av_strerror(code, text, sizeof text) < 0) return fmt::format("FFmpeg error {}", code);
    return text;
}

int av_check(int ret, const std::string& who, const char* what) {
    if (ret < 0) fail("{}: {}: {}", who, what, av_error_text(ret));
    return ret;
}

void quiet_ffmpeg_logs() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_ERROR); });
}

InputPtr open_input(const std::string& path, const std::string& who) {
    if (const auto problem = regular_file_problem(path)) fail("{}: {}", who, *problem);
    quiet_ffmpeg_logs();
    AVFormatContext* raw = nullptr;
    const int opened = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (opened < 0) fail("{}: {}", who, av_error_text(opened));
    InputPtr input(raw);
    av_check(avformat_find_stream_info(input.get(), nullptr), who, "cannot read the stream information");
    return input;
}

FramePtr alloc_frame(const std::string& who) {
    FramePtr f(av_frame_alloc());
    LTX2_CHECK(f != nullptr, "{}: out of memory allocating an AVFrame", who);
    return f;
}

PacketPtr alloc_packet(const std::string& who) {
    PacketPtr p(av_packet_alloc());
    LTX2_CHECK(p != nullptr, "{}: out of memory allocating an AVPacket", who);
    return p;
}

CodecPtr open_h264_encoder(const H264Settings& s, const std::string& who) {
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    LTX2_CHECK(codec != nullptr, "{}: this FFmpeg build has no libx264 encoder", who);
    CodecPtr c(avcodec_alloc_context3(codec));
    LTX2_CHECK(c != nullptr, "{}: out of memory allocating the H.264 encoder", who);
    c->width = s.width;
    c->height = s.height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->framerate = s.frame_rate;
    c->time_base = av_inv_q(s.frame_rate);
    c->bit_rate = 0;
    c->bit_rate_tolerance = 128000;
    c->thread_count = 0;
    c->thread_type = FF_THREAD_SLICE;
    if (s.global_header) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (s.tag_colours) {
        c->color_primaries = AVCOL_PRI_BT709;
        c->color_trc = AVCOL_TRC_BT709;
        c->colorspace = AVCOL_SPC_SMPTE170M;
        c->color_range = AVCOL_RANGE_MPEG;
    }
    AVDictionary* options = nullptr;
    av_dict_set(&options, "preset", s.preset.c_str(), 0);
    if (s.crf >= 0) av_dict_set(&options, "crf", fmt::format("{}", s.crf).c_str(), 0);
    if (s.repeatable) av_dict_set(&options, "x264-params", "mbtree=0", 0);
    const int ret = avcodec_open2(c.get(), codec, &options);
    AVDictionaryEntry* unused = av_dict_get(options, "", nullptr, AV_DICT_IGNORE_SUFFIX);
    const std::string unused_key = unused ? unused->key : "";
    av_dict_free(&options);
    if (ret < 0)
        fail("{}: cannot open the libx264 encoder ({}x{}, preset '{}', crf {}): {}", who, s.width, s.height, s.preset,
             s.crf, av_error_text(ret));
    LTX2_CHECK(unused_key.empty(), "{}: libx264 did not accept the option '{}'", who, unused_key);
    return c;
}

CodecPtr open_decoder(AVCodecID id, const AVCodecParameters* params, const std::string& who) {
    const AVCodec* codec = avcodec_find_decoder(id);
    LTX2_CHECK(codec != nullptr, "{}: no decoder for codec '{}' in this FFmpeg build", who, avcodec_get_name(id));
    CodecPtr c(avcodec_alloc_context3(codec));
    LTX2_CHECK(c != nullptr, "{}: out of memory allocating the {} decoder", who, codec->name);
    if (params) av_check(avcodec_parameters_to_context(c.get(), params), who, "cannot set up the decoder");
    c->thread_count = 0;
    c->thread_type = FF_THREAD_SLICE;
    av_check(avcodec_open2(c.get(), codec, nullptr), who, "cannot open the decoder");
    return c;
}

void encode_frame(AVCodecContext* encoder, const AVFrame* frame, const std::function<void(AVPacket*)>& sink,
                  const std::string& who) {
    av_check(avcodec_send_frame(encoder, frame), who, "encoding failed");
    PacketPtr packet = alloc_packet(who);
    for (;;) {
        const int ret = avcodec_receive_packet(encoder, packet.get());
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
        av_check(ret, who, "encoding failed");
        sink(packet.get());
        av_packet_unref(packet.get());
    }
}

bool decode_packet(AVCodecContext* decoder, const AVPacket* packet, const std::function<bool(AVFrame*)>& sink,
                   const std::string& who) {
    av_check(avcodec_send_packet(decoder, packet), who, "decoding failed");
    FramePtr frame = alloc_frame(who);
    for (;;) {
        const int ret = avcodec_receive_frame(decoder, frame.get());
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return true;
        av_check(ret, who, "decoding failed");
        const bool more = sink(frame.get());
        av_frame_unref(frame.get());
        if (!more) return false;
    }
}

SwsContext* RgbConverter::context(int width, int height, AVPixelFormat from, AVPixelFormat to) {
    SwsContext* c = sws_getCachedContext(sws_.release(), width, height, from, width, height, to, SWS_BILINEAR,
                                         nullptr, nullptr, nullptr);
    LTX2_CHECK(c != nullptr, "{}: swscale cannot convert {}x{} {} to {}", who_, width, height,
               av_get_pix_fmt_name(from) ? av_get_pix_fmt_name(from) : "?", av_get_pix_fmt_name(to));
    sws_.reset(c);
    return c;
}

FramePtr RgbConverter::image(AVPixelFormat format, int width, int height) {
    FramePtr frame = alloc_frame(who_);
    frame->format = format;
    frame->width = width;
    frame->height = height;
    av_check(av_frame_get_buffer(frame.get(), 16), who_, "cannot allocate a video frame");
    return frame;
}

FramePtr RgbConverter::to_frame(const uint8_t* rgb, int width, int height, int64_t rgb_stride, AVPixelFormat format) {
    FramePtr packed = image(AV_PIX_FMT_RGB24, width, height);
    for (int y = 0; y < height; ++y)
        std::memcpy(packed->data[0] + int64_t(y) * packed->linesize[0], rgb + y * rgb_stride, size_t(width) * 3);
    FramePtr frame = image(format, width, height);
    sws_scale(context(width, height, AV_PIX_FMT_RGB24, format), packed->data, packed->linesize, 0, height,
              frame->data, frame->linesize);
    return frame;
}

void RgbConverter::to_rgb(const AVFrame* frame, uint8_t* rgb) {
    FramePtr packed = image(AV_PIX_FMT_RGB24, frame->width, frame->height);
    sws_scale(context(frame->width, frame->height, AVPixelFormat(frame->format), AV_PIX_FMT_RGB24), frame->data,
              frame->linesize, 0, frame->height, packed->data, packed->linesize);
    const size_t row = size_t(frame->width) * 3;
    for (int y = 0; y < frame->height; ++y)
        std::memcpy(rgb + y * row, packed->data[0] + int64_t(y) * packed->linesize[0], row);
}

}  // namespace ltx2::media
