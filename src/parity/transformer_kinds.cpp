#include "core/error.h"
#include "parity/kinds.h"
namespace ltx2 {
void parity_transformer_x0(ParityRun&) { fail("transformer.x0: not implemented yet"); }
}  // namespace ltx2
