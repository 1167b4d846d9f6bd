#pragma once
// LoRA fusion into the transformer weights, as ltx_core.loader.fuse_loras.apply_loras does it
// (Lightricks/LTX-2 @ 28c3c73):
//
//   delta_L = (B_L · strength_L) @ A_L   in the LoRA's dtype: B·s rounded to it, the product
//                                        accumulated in float32 and rounded once
//   delta   = Σ_L delta_L cast to D      (several LoRAs: summed in float32, rounded to D once)
//   fused   = delta + W                  rounded to D (the target dtype, BF16 or F32)
//
// Only weights that some LoRA touches are computed; the others stay zero-copy views of the
// base checkpoint (the model casts nothing: the engine runs on the checkpoint's dtype).
// apply_loras() installs the fused tensors into a WeightStore (override_tensor), so
// LTXModel::load(store) sees fused weights without any model-code change.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/safetensors.h"
#include "io/weight_store.h"

namespace ltx2 {

// One LoRA safetensors file, keys mapped as LTXV_LORA_COMFY_RENAMING_MAP does (every
// `diffusion_model.` removed: `diffusion_model.<module>.lora_A.weight` → `<module>.lora_A.weight`;
// keys without the prefix are taken as they are). Tensors other than lora_A / lora_B weights
// (alphas, …) are ignored, as the reference ignores them.
class LoraFile {
public:
    struct Module {
        std::string name;    // module path, e.g. "transformer_blocks.0.attn1.to_q"
        std::string a_key;   // keys in the file
        std::string b_key;
        Tensor a;            // [rank, in]  zero-copy view
        Tensor b;            // [out, rank] zero-copy view
        int64_t rank = 0;
        Shape delta_shape() const { return {b.size(0), a.size(1)}; }
    };

    // Maps and validates: every lora_A has its lora_B and vice versa, both 2-D, ranks agree,
    // same floating dtype (F32, BF16 or F16). Errors name the file and the key.
    static std::shared_ptr<const LoraFile> open(const std::string& path);

    const std::string& path() const { return file_->path(); }
    const std::vector<Module>& modules() const { return modules_; }  // sorted by name
    const Module* find(const std::string& module) const;

private:
    std::shared_ptr<SafetensorsFile> file_;
    std::vector<Module> modules_;
};

struct LoraWithStrength {
    std::shared_ptr<const LoraFile> lora;
    double strength = 1.0;
};

// Throws unless the strength is finite (the CLI checks its range).
void validate_lora_strength(double strength, const std::string& lora_path);

struct FusedWeights {
    // Store name ("transformer_blocks.0.attn1.to_q.weight") → fused tensor in the target dtype,
    // only for weights that some LoRA touches.
    std::map<std::string, Tensor> fused;
    // Same keys: the summed delta in the target dtype (only when requested).
    std::map<std::string, Tensor> deltas;
    // Per LoRA (in input order): its modules that name no weight of the base (the reference
    // skips them silently; callers may warn).
    std::vector<std::vector<std::string>> unmatched_modules;
};

// Fuses the LoRAs into the base weights of `base` (names as the store serves them, the
// component prefix removed). target: DType::BF16 or DType::F32. Errors: a LoRA none of whose
// modules names a base weight (naming the LoRA file); a delta whose shape differs from the
// base weight's (naming key and both shapes); a non-finite strength.
FusedWeights fuse_loras(const WeightStore& base, const std::vector<LoraWithStrength>& loras, DType target,
                        bool keep_deltas = false);

// fuse_loras, then every fused tensor installed into `store` with override_tensor. Returns
// the number of weights replaced.
size_t apply_loras(WeightStore& store, const std::vector<LoraWithStrength>& loras, DType target);

}  // namespace ltx2
