// video_vae.tiled_decode: VideoDecoder.tiled_decode on a golden fixture (reference
// `torch.cat(list(tiled_decode(latent, tiling_config)), dim=2)`): checks the tile split against
// the fixture's `tiles` metadata, the per-axis blend masks (dbg.tile{i}.mask_{t,h,w}), the chunk
// lengths (`chunk_frames`) and the blended video (out.video).
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/video_vae/model.h"
#include "models/video_vae/tiling.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

vae_tiling::TilingConfig tiling_config_from_meta(const ParityRun& run) {
    const nlohmann::json j = run.meta_json("tiling_config");
    if (!j.is_object()) fail("{}: metadata 'tiling_config' is not a JSON object: {}", run.io_path(), j.dump());
    vae_tiling::TilingConfig c;
    try {
        if (j.contains("spatial") && !j.at("spatial").is_null())
            c.spatial = vae_tiling::SpatialTiling{j.at("spatial").at("tile_size_in_pixels").get<int64_t>(),
                                                  j.at("spatial").value("tile_overlap_in_pixels", int64_t(0))};
        if (j.contains("temporal") && !j.at("temporal").is_null())
            c.temporal = vae_tiling::TemporalTiling{j.at("temporal").at("tile_size_in_frames").get<int64_t>(),
                                                    j.at("temporal").value("tile_overlap_in_frames", int64_t(0))};
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata 'tiling_config' {}: {}", run.io_path(), j.dump(), e.what());
    }
    return c;
}

}  // namespace

void parity_video_vae_tiled_decode(ParityRun& run) {
    const Tensor latent = run.input("in.latent");
    const vae_tiling::TilingConfig tiling = tiling_config_from_meta(run);
    const vae_tiling::TilePlan plan = vae_tiling::plan_tiles(latent.shape(), tiling);

    // The split: tiles in reference order (time outermost, then H, then W).
    std::vector<std::array<const vae_tiling::AxisTile*, 3>> tiles;
    for (const auto& t : plan.t)
        for (const auto& h : plan.h)
            for (const auto& w : plan.w) tiles.push_back({&t, &h, &w});
    if (run.has_meta("tiles")) {
        const nlohmann::json ref = run.meta_json("tiles");
        if (!ref.is_array() || ref.size() != tiles.size())
            fail("{}: metadata 'tiles' lists {} tiles, the split has {}", run.io_path(),
                 ref.is_array() ? ref.size() : size_t(0), tiles.size());
        for (size_t i = 0; i < tiles.size(); ++i)
            for (int a = 0; a < 3; ++a) {
                const auto& at = *tiles[i][size_t(a)];
                const std::vector<int64_t> in = ref[i].at("in")[size_t(a)].get<std::vector<int64_t>>();
                const std::vector<int64_t> out = ref[i].at("out")[size_t(a)].get<std::vector<int64_t>>();
                if (in != std::vector<int64_t>{at.in_start, at.in_end} ||
                    out != std::vector<int64_t>{at.out_start, at.out_end})
                    fail("{}: tile {} axis {}: latent [{}, {}) -> output [{}, {}), reference {} -> {}", run.io_path(), i,
                         "THW"[a], at.in_start, at.in_end, at.out_start, at.out_end, ref[i].at("in")[size_t(a)].dump(),
                         ref[i].at("out")[size_t(a)].dump());
            }
    }
    for (size_t i = 0; i < tiles.size(); ++i)
        for (int a = 0; a < 3; ++a) {
            const auto& m = tiles[i][size_t(a)]->mask;
            run.compare_if_present(fmt::format("dbg.tile{}.mask_{}", i, "thw"[a]),
                                   Tensor::from_f32({int64_t(m.size())}, m), 1e-6);
        }

    const WeightStore store = WeightStore::open(run.model_path(), "vae.");
    const VideoDecoder decoder = VideoDecoder::load(store);
    if (decoder.config().timestep_conditioning)
        fail("{}: video_vae.tiled_decode supports unconditioned decoders only (the fixture's decoder is "
             "timestep-conditioned)", run.io_path());

    std::vector<int64_t> chunk_frames;
    Tensor video;
    vae_tiling::tiled_decode_chunks(
        latent, tiling, [&](const Tensor& piece) { return decoder.decode(piece); },
        [&](const Tensor& chunk, int64_t first_frame) {
            if (!video.defined())
                video = Tensor::zeros({chunk.size(0), chunk.size(1), plan.out_frames, plan.out_height, plan.out_width});
            vae_tiling::place_chunk(video, chunk, first_frame);
            chunk_frames.push_back(chunk.size(2));
        });
    if (run.has_meta("chunk_frames")) {
        const std::vector<int64_t> ref = run.meta_json("chunk_frames").get<std::vector<int64_t>>();
        if (ref != chunk_frames)
            fail("{}: chunk lengths {} differ from the reference's {}", run.io_path(),
                 nlohmann::json(chunk_frames).dump(), nlohmann::json(ref).dump());
    }
    run.compare("out.video", video, 2e-5);
}

}  // namespace ltx2
