#include "core/error.h"
#include "parity/kinds.h"
namespace ltx2 {
void parity_rope_apply(ParityRun&) { fail("rope.apply: not implemented yet"); }
void parity_rope_video_freqs(ParityRun&) { fail("rope.video_freqs: not implemented yet"); }
void parity_rope_audio_and_cross_freqs(ParityRun&) { fail("rope.audio_and_cross_freqs: not implemented yet"); }
void parity_rope_video_freqs_bf16_positions(ParityRun&) { fail("rope.video_freqs_bf16_positions: not implemented yet"); }
}  // namespace ltx2
