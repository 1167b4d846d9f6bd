#pragma once
// The pipeline goldens (tests/golden/pipeline, kinds pipeline.*) as pipeline inputs: the
// generation parameters from the io metadata, stand-ins for the other areas' models (saved
// text contexts, encoder answers matched to the fixture's encoder requests, the stored or
// tiny real upsampler) and the fixture's transformer loaded in float32. Tests use these to
// run a fixture with changed inputs (the text cache off, a LoRA dropped).
#include "parity/parity.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

struct PipelineFixture {
    PipelineKind kind;
    GenerationParams params;
    ModelSemantics model;  // of the fixture's transformer
    PipelineInputs inputs;
};

// Metadata values, failing naming the io file and key when absent or of another type.
int64_t meta_int(const ParityRun& run, const std::string& key);
double meta_number(const ParityRun& run, const std::string& key);
MultiModalGuiderParams guider_params(const ParityRun& run, const std::string& key);

// A fresh generator advanced past the stage-1 draws (their shapes are the stored
// in.stage1.video_noise / in.stage1.audio_noise), for running stage 2 from stored inputs.
TorchGenerator generator_after_stage1(const ParityRun& run, uint64_t seed);

// Seed, size and frame rate from the io metadata and, for a guided run, steps and guider parameters.
GenerationParams fixture_generation(const ParityRun& run, bool guided);

PipelineFixture load_pipeline_fixture(const ParityRun& run, PipelineKind kind);

// Runs the fixture's pipeline end to end (and, for the upsampling two-stage fixtures, the
// upsampler and stage 2 again from the stored stage-1 outputs) and compares every out.*,
// dbg.* and noise tensor at the README's tolerances. Returns the end-to-end result.
PipelineResult check_pipeline_fixture(ParityRun& run, const PipelineFixture& fixture, bool cache_text = true);

}  // namespace ltx2
