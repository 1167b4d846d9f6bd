#include "parity/kinds.h"

#include <utility>

namespace ltx2 {

namespace {
constexpr std::pair<std::string_view, ParityKindFn> kKinds[] = {
    {"rope.apply", parity_rope_apply},
    {"rope.video_freqs", parity_rope_video_freqs},
    {"rope.audio_and_cross_freqs", parity_rope_audio_and_cross_freqs},
    {"rope.video_freqs_bf16_positions", parity_rope_video_freqs_bf16_positions},
    {"transformer.x0", parity_transformer_x0},
};
}  // namespace

ParityKindFn find_parity_kind(std::string_view kind) {
    for (const auto& [name, fn] : kKinds)
        if (name == kind) return fn;
    return nullptr;
}

std::vector<std::string> parity_kind_names() {
    std::vector<std::string> out;
    for (const auto& [name, fn] : kKinds) out.emplace_back(name);
    return out;
}

}  // namespace ltx2
