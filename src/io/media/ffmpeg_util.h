#pragma once
// The one place that talks to the FFmpeg libraries directly: owning pointers for their
// objects, error strings, and the encode / decode / pixel-conversion steps that the MP4
// writer, the video reader and the image round trip share. Include only from src/io/media.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ltx2::media {

struct AvFree {
    void operator()(AVFrame* p) const { av_frame_free(&p); }
    void operator()(AVPacket* p) const { av_packet_free(&p); }
    void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
    void operator()(SwsContext* p) const { sws_freeContext(p); }
    void operator()(SwrContext* p) const { swr_free(&p); }
};
using FramePtr = std::unique_ptr<AVFrame, AvFree>;
using PacketPtr = std::unique_ptr<AVPacket, AvFree>;
using CodecPtr = std::unique_ptr<AVCodecContext, AvFree>;
using SwsPtr = std::unique_ptr<SwsContext, AvFree>;
using SwrPtr = std::unique_ptr<SwrContext, AvFree>;

// A demuxer opened on a file (avformat_open_input / avformat_close_input).
struct InputCloser {
    void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
using InputPtr = std::unique_ptr<AVFormatContext, InputCloser>;

// A muxer (avformat_alloc_output_context2) and its file, closed without error checks: only
// the failure path lets this run; success closes the file itself and checks the result.
struct OutputCloser {
    void operator()(AVFormatContext* p) const {
        if (p->pb && !(p->oformat->flags & AVFMT_NOFILE)) avio_closep(&p->pb);
        avformat_free_context(p);
    }
};
using OutputPtr = std::unique_ptr<AVFormatContext, OutputCloser>;

// Opens a media file and reads its stream information; errors "WHO: no such file" or "WHO: <FFmpeg
// error text>".
InputPtr open_input(const std::string& path, const std::string& who);

// av_strerror's text for an FFmpeg error code.
std::string av_error_text(int code);

// Throws ltx2::Error "WHO: WHAT: <FFmpeg error text>" when `ret` is negative; returns it otherwise.
int av_check(int ret, const std::string& who, const char* what);

// Turns FFmpeg's own console logging down to errors (once per process).
void quiet_ffmpeg_logs();

FramePtr alloc_frame(const std::string& who);
PacketPtr alloc_packet(const std::string& who);

// libx264 with the settings the reference's PyAV streams get: yuv420p, bit_rate 0 (so CRF rate
// control), bit_rate_tolerance 128000, thread_count 0 (auto) with slice threading, the given
// crf and preset (crf < 0 leaves libx264's default, 23).
struct H264Settings {
    int width = 0, height = 0;
    AVRational frame_rate{1, 1};  // time base = 1 / frame_rate, one tick per frame
    double crf = -1;
    std::string preset = "medium";
    bool global_header = false;   // SPS/PPS in extradata (MP4) instead of in-band
    // Without x264's macroblock tree, which is not repeatable: the same frames encoded twice in
    // one process gave different files. Off for the image round trip, which follows the
    // reference's encoder settings (one frame, where the tree has nothing to propagate).
    bool repeatable = false;
    // Colour tags in the stream (H.264 VUI, and the container's from it): BT.709 primaries and
    // transfer (the model's RGB is sRGB-like), the BT.601 matrix (SMPTE 170M) that swscale's
    // default conversion, like the reference's PyAV, actually applies, limited range. Untagged,
    // players guess BT.709 for HD sizes and show these pixels with shifted hues.
    bool tag_colours = false;
};
CodecPtr open_h264_encoder(const H264Settings& settings, const std::string& who);

// A decoder for a demuxed stream, or for a bare codec when `params` is null.
CodecPtr open_decoder(AVCodecID codec, const AVCodecParameters* params, const std::string& who);

// Sends `frame` (null: end of stream) to the encoder and hands every packet it returns to `sink`.
void encode_frame(AVCodecContext* encoder, const AVFrame* frame, const std::function<void(AVPacket*)>& sink,
                  const std::string& who);

// Sends `packet` (null: end of stream) to the decoder and hands every frame it returns to `sink`
// until the sink returns false. Returns false when the sink asked to stop.
bool decode_packet(AVCodecContext* decoder, const AVPacket* packet, const std::function<bool(AVFrame*)>& sink,
                   const std::string& who);

// Packed RGB24 <-> planar frames through swscale with PyAV's reformat defaults (SWS_BILINEAR,
// the frame's own colourspace and range, i.e. no colour-matrix override). Same size in and out.
// Both sides go through frames with 16-byte aligned rows, as PyAV allocates them: swscale's
// SIMD paths process whole blocks of pixels and mishandle tightly packed odd-width rows.
class RgbConverter {
public:
    explicit RgbConverter(std::string who) : who_(std::move(who)) {}
    // rgb: height rows of width * 3 bytes (row stride `rgb_stride` bytes).
    FramePtr to_frame(const uint8_t* rgb, int width, int height, int64_t rgb_stride, AVPixelFormat format);
    // Writes frame->height rows of frame->width * 3 bytes to `rgb`, tightly packed.
    void to_rgb(const AVFrame* frame, uint8_t* rgb);

private:
    FramePtr image(AVPixelFormat format, int width, int height);
    SwsContext* context(int width, int height, AVPixelFormat from, AVPixelFormat to);
    std::string who_;
    SwsPtr sws_;
};

}  // namespace ltx2::media
