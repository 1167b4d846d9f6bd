// One image through libx264 and back (see h264_round_trip.h).
#include "io/media/h264_round_trip.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "io/media/ffmpeg_util.h"

namespace ltx2 {

using namespace media;

Tensor h264_round_trip(const Tensor& rgb_in, double crf, const std::string& what) {
    const std::string who = fmt::format("{}: H.264 round trip (crf {})", what, crf);
    LTX2_CHECK(rgb_in.defined() && rgb_in.dtype() == DType::U8 && rgb_in.dim() == 3 && rgb_in.size(2) == 3,
               "{}: expected a U8 [H, W, 3] RGB image, got {}", who,
               rgb_in.defined() ? fmt::format("{} {}", dtype_name(rgb_in.dtype()), shape_str(rgb_in.shape()))
                                : std::string("an undefined tensor"));
    LTX2_CHECK(std::isfinite(crf) && crf >= 0 && crf <= 51, "{}: crf must be in [0, 51]", who);
    if (crf == 0) return rgb_in;
    const int64_t height = rgb_in.size(0) / 2 * 2, width = rgb_in.size(1) / 2 * 2;
    LTX2_CHECK(height >= 2 && width >= 2 && height <= 16384 && width <= 16384,
               "{}: image {}x{} (width x height) is too small or too large to encode", who, rgb_in.size(1),
               rgb_in.size(0));
    quiet_ffmpeg_logs();
    const Tensor rgb = rgb_in.contiguous();

    CodecPtr encoder = open_h264_encoder({int(width), int(height), AVRational{1, 1}, crf, "veryfast", false}, who);
    RgbConverter convert(who);
    FramePtr frame = convert.to_frame(rgb.data<uint8_t>(), int(width), int(height), rgb.size(1) * 3,
                                      AV_PIX_FMT_YUV420P);
    frame->pts = 0;
    std::vector<PacketPtr> packets;
    const auto keep = [&](AVPacket* p) {
        packets.emplace_back(av_packet_clone(p));
        LTX2_CHECK(packets.back() != nullptr, "{}: out of memory copying a packet", who);
    };
    encode_frame(encoder.get(), frame.get(), keep, who);
    encode_frame(encoder.get(), nullptr, keep, who);

    CodecPtr decoder = open_decoder(AV_CODEC_ID_H264, nullptr, who);
    Tensor out;
    const auto first_frame = [&](AVFrame* decoded) {
        out = Tensor::zeros({int64_t(decoded->height), int64_t(decoded->width), 3}, DType::U8, Device::Cpu);
        convert.to_rgb(decoded, out.data<uint8_t>());
        return false;
    };
    bool more = true;
    for (const PacketPtr& p : packets)
        if (more) more = decode_packet(decoder.get(), p.get(), first_frame, who);
    if (more) decode_packet(decoder.get(), nullptr, first_frame, who);
    LTX2_CHECK(out.defined(), "{}: the decoder returned no frame", who);
    return out;
}

}  // namespace ltx2
