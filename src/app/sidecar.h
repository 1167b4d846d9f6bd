#pragma once
// The --sidecar record of a generation, FILE.mp4.json beside the MP4: every parameter (with the
// inputs' paths and identities), the arguments that repeat the run, every model file used
// (path, size, time and a cheap content hash: io/file_identity.h), the engine version and the
// reference it follows, and what was written. Written atomically (io/temp_file.h).
#include <string>

#include "app/generate.h"
#include "app/model_locator.h"
#include "io/media/mp4_writer.h"
#include "models/model_version.h"
#include "pipelines/model_files.h"

namespace ltx2 {

// The sidecar of an MP4 named `output`: "<output>.json".
std::string sidecar_path(const std::string& output);

struct SidecarRecord {
    const GenerateRequest& request;  // completed: the model's defaults applied
    const GenerateRequest& asked;    // as given
    const ModelSemantics& model;
    const app::LocatedModels& models;
    const LtxFilePaths& ltx_paths;
    const GenerateResult& result;
};

void write_sidecar(const std::string& path, const SidecarRecord& record);

}  // namespace ltx2
