#pragma once
// The outputs of a generation, checked before any model work (io/output_path_checks.h): each one
// writable as a new file (or a new or empty folder for --frames-dir), none of them an input the
// request names or a model file it found, and no two of them the same file.
#include "app/generate.h"
#include "app/model_locator.h"

namespace ltx2 {

void check_generation_outputs(const GenerateRequest& request, const app::LocatedModels& models);

}  // namespace ltx2
