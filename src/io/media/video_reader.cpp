// Video frame decoding (see video_reader.h).
#include "io/media/video_reader.h"

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "io/media/ffmpeg_util.h"
#include "io/media/image_io.h"

namespace ltx2 {

using namespace media;

namespace {

// A frame size within what an image may be (image_io.h), checked before anything is decoded.
void check_video_frame_size(const std::string& who, int64_t width, int64_t height) {
    LTX2_CHECK(width >= 1 && height >= 1, "{}: the video stream has no picture size ({}x{})", who, width, height);
    LTX2_CHECK(width <= kMaxImageSide && height <= kMaxImageSide && width * height <= kMaxImagePixels,
               "{}: the video is {}x{} pixels ({:.0f} megapixels per frame), larger than the {} megapixels (sides up "
               "to {}) read here; scale it down first",
               who, width, height, double(width * height) / 1e6, kMaxImagePixels / 1000000, kMaxImageSide);
}

}  // namespace

int64_t for_each_video_frame(const std::string& path, int64_t frame_cap,
                             const std::function<void(const Tensor& rgb)>& on_frame) {
    const std::string who = fmt::format("{}: cannot read video", path);
    InputPtr input = open_input(path, who);
    const int index = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    LTX2_CHECK(index >= 0, "{}: the file has no video stream", who);
    const AVCodecParameters* params = input->streams[index]->codecpar;
    check_video_frame_size(who, params->width, params->height);
    CodecPtr decoder = open_decoder(params->codec_id, params, who);

    RgbConverter convert(who);
    int64_t delivered = 0;
    const auto deliver = [&](AVFrame* frame) {
        LTX2_CHECK(frame->width > 0 && frame->height > 0, "{}: frame {} has no pixels", who, delivered);
        check_video_frame_size(fmt::format("{} (frame {})", who, delivered), frame->width, frame->height);
        Tensor rgb = Tensor::zeros({int64_t(frame->height), int64_t(frame->width), 3}, DType::U8, Device::Cpu);
        convert.to_rgb(frame, rgb.data<uint8_t>());
        on_frame(rgb);
        ++delivered;
        return frame_cap <= 0 || delivered < frame_cap;
    };

    PacketPtr packet = alloc_packet(who);
    for (;;) {
        const int ret = av_read_frame(input.get(), packet.get());
        if (ret == AVERROR_EOF) break;
        av_check(ret, who, "demuxing failed");
        bool more = true;
        if (packet->stream_index == index) more = decode_packet(decoder.get(), packet.get(), deliver, who);
        av_packet_unref(packet.get());
        if (!more) return delivered;
    }
    decode_packet(decoder.get(), nullptr, deliver, who);
    LTX2_CHECK(delivered > 0, "{}: the video stream holds no decodable frame", who);
    return delivered;
}

VideoFileInfo probe_video_header(const std::string& path, const std::string& option) {
    const std::string who = fmt::format("{} {}", option, path);
    InputPtr input = open_input(path, who);
    const int index = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    LTX2_CHECK(index >= 0, "{}: the file has no video stream", who);
    const AVStream* stream = input->streams[index];
    VideoFileInfo info;
    info.width = stream->codecpar->width;
    info.height = stream->codecpar->height;
    check_video_frame_size(who, info.width, info.height);
    info.frames = stream->nb_frames;
    LTX2_CHECK(stream->avg_frame_rate.num > 0 && stream->avg_frame_rate.den > 0,
               "{}: the video stream has no frame rate", who);
    info.fps_num = stream->avg_frame_rate.num;
    info.fps_den = stream->avg_frame_rate.den;
    info.has_audio = av_find_best_stream(input.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0) >= 0;
    return info;
}

VideoFileInfo probe_video(const std::string& path, const std::string& option) {
    VideoFileInfo info = probe_video_header(path, option);
    if (info.frames <= 0) info.frames = for_each_video_frame(path, 0, [](const Tensor&) {});
    return info;
}

Tensor read_video(const std::string& path, int64_t frame_cap) {
    std::vector<Tensor> frames;
    for_each_video_frame(path, frame_cap, [&](const Tensor& rgb) {
        LTX2_CHECK(frames.empty() || rgb.shape() == frames.front().shape(),
                   "{}: frame {} is {}, frame 0 was {}: cannot stack frames of different sizes", path, frames.size(),
                   shape_str(rgb.shape()), shape_str(frames.front().shape()));
        frames.push_back(rgb);
    });
    const Shape one = frames.front().shape();
    Tensor out = Tensor::zeros({int64_t(frames.size()), one[0], one[1], one[2]}, DType::U8, Device::Cpu);
    const size_t bytes = frames.front().nbytes();
    for (size_t i = 0; i < frames.size(); ++i) std::memcpy(out.data<uint8_t>() + i * bytes, frames[i].raw(), bytes);
    return out;
}

}  // namespace ltx2
