#pragma once
// Every computation ltx2-parity can check, one function per golden `kind`.
#include "parity/parity.h"

namespace ltx2 {

void parity_rope_apply(ParityRun& run);                      // rope.apply
void parity_rope_video_freqs(ParityRun& run);                // rope.video_freqs
void parity_rope_audio_and_cross_freqs(ParityRun& run);      // rope.audio_and_cross_freqs
void parity_rope_video_freqs_bf16_positions(ParityRun& run); // rope.video_freqs_bf16_positions
void parity_transformer_x0(ParityRun& run);                  // transformer.x0

}  // namespace ltx2
