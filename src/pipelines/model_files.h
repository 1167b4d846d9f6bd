#pragma once
// Which file holds each part of an LTX model, with which configuration, for every layout users
// download:
//   - the official single file (Lightricks/LTX-2, Lightricks/LTX-2.3, Lightricks/LTX-2.3-fp8):
//     every part under its official prefix, `config` + `model_version` metadata;
//   - a transformer file beside it (--transformer: ltx2-quantize GGUF, fp8/bf16 safetensors);
//   - community bundles without the single file: a transformer GGUF of arch "ltxv" (unsloth,
//     QuantStack; `model.diffusion_model.` stripped, text connectors included, no config), a
//     text projection file (`text_embedding_projection.*`), a video VAE file (`vae.` stripped)
//     and an audio VAE file (`audio_vae.*` + `vocoder.*`); Kijai's split safetensors the same
//     with the transformer's prefix kept;
//   - LTX-2.5's files: the video VAE as the DiffVAE file (conv encoder + diffusion decoder) or
//     the conv one, and the duration head in the single file or its own model_patches file.
// Each part takes its configuration from its own file's `config` when it has the part's
// section, else from the single file, else from the release's known configuration. Each part's
// release is read from its metadata or its tensors (gated attention, the V2 text projection,
// the bandwidth-extension vocoder, the 2.3 decoder's blocks); parts of different releases are
// refused, naming every file.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "io/weight_store.h"
#include "models/model_version.h"

namespace ltx2 {

enum class LtxPart { Transformer, VideoConnector, AudioConnector, TextProjection, VideoVae, AudioVae, Vocoder, DurationHead };
const char* ltx_part_title(LtxPart part);  // "transformer", "video text connector", ...
// Every part; the optional ones (the duration head, only in LTX-2.5) are resolved when a file holds them.
const std::vector<LtxPart>& all_ltx_parts();
inline const std::vector<LtxPart> kTextParts = {LtxPart::TextProjection, LtxPart::VideoConnector,
                                                LtxPart::AudioConnector};

// The files as given (empty: not given). The checkpoint may be left out when the other files
// hold every part.
struct LtxFilePaths {
    std::string checkpoint = {};       // the official single file
    std::string transformer = {};      // transformer (and usually the text connectors)
    std::string text_projection = {};  // text_embedding_projection.* (may also hold the connectors)
    std::string video_vae = {};        // vae.* or a VAE-only file
    std::string audio_vae = {};        // audio_vae.* and vocoder.*
    std::string duration_head = {};    // duration_head.* (LTX-2.5's model_patches file)
};

// The command-line options that name each file, for messages.
inline constexpr const char* kTransformerOption = "--transformer";
inline constexpr const char* kTextProjectionOption = "--text-projection";
inline constexpr const char* kVideoVaeOption = "--video-vae";
inline constexpr const char* kAudioVaeOption = "--audio-vae";
inline constexpr const char* kDurationHeadOption = "--duration-head";

class LtxModelFiles {
public:
    // Finds the parts (default: all; an optional part no file holds is left out) and checks that they belong to one release, before
    // anything loads. Errors name the option and file, what was expected and what it holds.
    static LtxModelFiles resolve(const LtxFilePaths& paths, const std::vector<LtxPart>& parts = all_ltx_parts());

    // The part's store: its file under the part's prefix, with the part's configuration (and
    // model_version) set. A new store (mapping) per call.
    WeightStore open(LtxPart part) const;
    const std::string& path(LtxPart part) const;
    bool has(LtxPart part) const;
    // The release of the parts (they agree), with its semantics (of the transformer's config
    // when it was resolved, else the first part's).
    const ModelSemantics& semantics() const { return semantics_; }
    // One line per part: "video VAE: FILE (LTX-2.3, config: built-in LTX-2.3)".
    std::string describe() const;

private:
    struct Part {
        std::string path, option, prefix;
        std::optional<ModelGeneration> generation;  // nullopt: the same in every release
        bool model_version_metadata = false;        // `generation` comes from the file's model_version
        std::shared_ptr<const nlohmann::json> config;
        std::optional<std::string> model_version;
        std::string config_origin;
    };
    std::map<LtxPart, Part> parts_;
    ModelSemantics semantics_;
};

// Fails unless a GGUF store's architecture is an LTX one ("ltx2" from ltx2-quantize, "ltxv" from
// ComfyUI-GGUF and the community quantizations) or absent (stable-diffusion.cpp); safetensors
// stores pass.
void check_ltx_gguf_architecture(const WeightStore& store);

// The release of the main LTX part a file holds (the transformer, else the first part found),
// from its metadata or tensors; nullopt when it holds none or only release-neutral ones.
std::optional<ModelGeneration> ltx_file_generation(const std::string& path);

// For `ltx2 inspect`: which LTX parts a file holds, each with its release and where its
// configuration would come from when used alone, one line per part (empty: none).
std::vector<std::string> describe_ltx_parts(const std::string& path);

}  // namespace ltx2
