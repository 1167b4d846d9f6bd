#pragma once
// What a generation was made from, for its record: the parameters (JSON: the --sidecar file, and
// the MP4's `ltx2_parameters` tag), the command-line arguments that repeat it, and the MP4 tags.
// The tags hold parameters only (inputs by file name and content digest; no output paths,
// timings or anything of the machine), so the same request gives the same bytes from the command
// line and the server.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "app/generate.h"
#include "models/model_version.h"

namespace ltx2 {

// "Lightricks/LTX-2@28c3c73" (LTX-2) or "Lightricks/LTX-2@400fd31" (LTX-2.3, LTX-2.5): the
// reference whose semantics the model version selects.
std::string reference_of(const ModelSemantics& model);

// Every parameter that decides the output of the completed request `r` (the model's defaults
// applied): prompts as used, pipeline, seed, sizes, frame rate (value and exact rational), steps
// and guidance (guided pipelines), conditioning inputs, LoRAs, precision, encoder settings.
// `with_paths`: inputs by path (the sidecar); otherwise by file name and content digest.
nlohmann::json generation_parameters_json(const GenerateRequest& r, const std::string& enhanced_prompt,
                                          bool with_paths);

// The options that repeat the generation of `r` (after `asked`, the request as given, for the
// LoRAs the model files supply by default): everything but the model options and the outputs.
std::vector<std::string> reproducing_arguments(const GenerateRequest& r, const GenerateRequest& asked);

// The MP4's tags: prompt, negative_prompt (when used), enhanced_prompt, seed, pipeline, model,
// retake, generator, and ltx2_parameters (generation_parameters_json without paths, compact).
std::vector<std::pair<std::string, std::string>> generation_mp4_tags(const GenerateRequest& r,
                                                                     const ModelSemantics& model,
                                                                     const std::string& enhanced_prompt);

}  // namespace ltx2
