// --target lora: LoRA files (LoraFile) and their fusion into base weights. Seeds: LoRAs of
// two ranks and dtypes over a small base checkpoint written beside the work file, one with
// ComfyUI's `diffusion_model.` prefix and an alpha. Exercise: open, every module, fusion into
// the base in BF16 and F32 (alone, twice, with another strength) and installation into a store.
#include "core/random_tensor.h"
#include "fuzz/target.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "lora/lora.h"

namespace ltx2::fuzz {

namespace {

namespace fs = std::filesystem;

fs::path base_path(const fs::path& work) { return work / "lora-base.safetensors"; }

std::vector<Seed> seeds(const fs::path& work) {
    write_safetensors(base_path(work).string(),
                      {{"model.diffusion_model.transformer_blocks.0.attn1.to_q.weight",
                        random_uniform_tensor({8, 6}, DType::BF16, 1, 1)},
                       {"model.diffusion_model.transformer_blocks.0.attn1.to_k.weight",
                        random_uniform_tensor({4, 6}, DType::F32, 1, 2)},
                       {"model.diffusion_model.transformer_blocks.0.ff.net.0.proj.weight",
                        random_uniform_tensor({6, 4}, DType::BF16, 1, 3)}});
    const fs::path path = work / "seed-lora.safetensors";
    std::vector<Seed> out;
    write_safetensors(path.string(),
                      {{"diffusion_model.transformer_blocks.0.attn1.to_q.lora_A.weight",
                        random_uniform_tensor({2, 6}, DType::BF16, 1, 4)},
                       {"diffusion_model.transformer_blocks.0.attn1.to_q.lora_B.weight",
                        random_uniform_tensor({8, 2}, DType::BF16, 1, 5)},
                       {"diffusion_model.transformer_blocks.0.attn1.to_q.alpha", Tensor::from_f32({}, {2.0f})},
                       {"diffusion_model.transformer_blocks.0.ff.net.0.proj.lora_A.weight",
                        random_uniform_tensor({2, 4}, DType::BF16, 1, 6)},
                       {"diffusion_model.transformer_blocks.0.ff.net.0.proj.lora_B.weight",
                        random_uniform_tensor({6, 2}, DType::BF16, 1, 7)}},
                      {{"format", "pt"}});
    out.push_back(safetensors_seed("builtin-comfy-bf16", read_file(path)));
    write_safetensors(path.string(),
                      {{"transformer_blocks.0.attn1.to_k.lora_A.weight", random_uniform_tensor({3, 6}, DType::F32, 1, 8)},
                       {"transformer_blocks.0.attn1.to_k.lora_B.weight",
                        random_uniform_tensor({4, 3}, DType::F32, 1, 9)}});
    out.push_back(safetensors_seed("builtin-plain-f32", read_file(path)));
    return out;
}

Outcome exercise(const std::string& path, const fs::path& work) {
    Outcome o;
    allowing_errors([&] {
        const auto lora = LoraFile::open(path);
        o.opened = true;
        for (const LoraFile::Module& m : lora->modules()) {
            o.items += lora->find(m.name) == &m;
            (void)m.delta_shape();
        }
        WeightStore base = WeightStore::open(base_path(work).string(), "model.diffusion_model.");
        for (DType target : {DType::BF16, DType::F32})
            allowing_errors([&] { fuse_loras(base, {{lora, 0.5}}, target, true); });
        allowing_errors([&] { fuse_loras(base, {{lora, 1.0}, {lora, -2.0}}, DType::BF16); });
        allowing_errors([&] {
            apply_loras(base, {{lora, 1.0}}, DType::BF16);
            for (const std::string& name : base.names()) base.get(name);
        });
    });
    return o;
}

}  // namespace

const Target& lora_target() {
    static const Target t{"lora", ".safetensors", seeds, safetensors_seed, exercise};
    return t;
}

}  // namespace ltx2::fuzz
