#pragma once
// The configuration of each supported release, for files that carry none (community GGUF and
// split-component files): what the official single file's `config` metadata says, sections
// transformer, vae, audio_vae and vocoder, and the model_version it carries.
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "models/model_version.h"

namespace ltx2 {

const nlohmann::json& release_config(ModelGeneration generation);
std::optional<std::string> release_model_version(ModelGeneration generation);  // nullopt for LTX-2 (19B)

}  // namespace ltx2
