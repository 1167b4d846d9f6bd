#include "lora/lora.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/finite_check.h"
#include "ops/lora_fusion.h"

namespace ltx2 {

namespace {

constexpr std::string_view kSuffixA = ".lora_A.weight";
constexpr std::string_view kSuffixB = ".lora_B.weight";

// LTXV_LORA_COMFY_RENAMING_MAP: every occurrence of "diffusion_model." removed.
std::string map_lora_key(std::string key) {
    static const std::string kPrefix = "diffusion_model.";
    for (size_t pos = key.find(kPrefix); pos != std::string::npos; pos = key.find(kPrefix, pos))
        key.erase(pos, kPrefix.size());
    return key;
}

bool is_lora_dtype(DType t) { return t == DType::F32 || t == DType::BF16 || t == DType::F16; }

}  // namespace

std::shared_ptr<const LoraFile> LoraFile::open(const std::string& path) {
    auto lora = std::make_shared<LoraFile>();
    lora->file_ = SafetensorsFile::open(path);

    struct Keys {
        std::string a, b;
    };
    std::map<std::string, Keys> keys;  // module → file keys
    for (const auto& e : lora->file_->entries()) {
        const std::string mapped = map_lora_key(e.name);
        const bool is_a = mapped.ends_with(kSuffixA), is_b = mapped.ends_with(kSuffixB);
        if (!is_a && !is_b) continue;
        const std::string module = mapped.substr(0, mapped.size() - kSuffixA.size());
        std::string& slot = is_a ? keys[module].a : keys[module].b;
        LTX2_CHECK(slot.empty(), "{}: LoRA keys '{}' and '{}' both map to '{}'", path, slot, e.name, mapped);
        slot = e.name;
    }

    for (const auto& [module, k] : keys) {
        if (k.b.empty())
            fail("{}: LoRA tensor '{}' has no partner: expected '{}' in the same file", path, k.a,
                 k.a.substr(0, k.a.size() - kSuffixA.size()) + std::string(kSuffixB));
        if (k.a.empty())
            fail("{}: LoRA tensor '{}' has no partner: expected '{}' in the same file", path, k.b,
                 k.b.substr(0, k.b.size() - kSuffixB.size()) + std::string(kSuffixA));
        Module m;
        m.name = module;
        m.a_key = k.a;
        m.b_key = k.b;
        m.a = lora->file_->tensor(k.a);
        m.b = lora->file_->tensor(k.b);
        for (const auto* t : {&m.a, &m.b}) {
            const std::string& key = t == &m.a ? k.a : k.b;
            LTX2_CHECK(is_lora_dtype(t->dtype()), "{}: LoRA tensor '{}' has dtype {}, expected F32, BF16 or F16", path,
                       key, dtype_name(t->dtype()));
            LTX2_CHECK(t->dim() == 2, "{}: LoRA tensor '{}' has shape {}, expected 2-D", path, key,
                       shape_str(t->shape()));
            require_finite_weight(*t, path, key);
        }
        LTX2_CHECK(m.a.dtype() == m.b.dtype(), "{}: LoRA tensors '{}' ({}) and '{}' ({}) differ in dtype", path, k.a,
                   dtype_name(m.a.dtype()), k.b, dtype_name(m.b.dtype()));
        LTX2_CHECK(m.a.size(0) == m.b.size(1),
                   "{}: LoRA rank mismatch for '{}': '{}' has shape {} (rank {}), '{}' has shape {} (rank {})", path,
                   module, k.a, shape_str(m.a.shape()), m.a.size(0), k.b, shape_str(m.b.shape()), m.b.size(1));
        m.rank = m.a.size(0);
        lora->modules_.push_back(std::move(m));
    }
    return lora;
}

const LoraFile::Module* LoraFile::find(const std::string& module) const {
    auto it = std::lower_bound(modules_.begin(), modules_.end(), module,
                               [](const Module& m, const std::string& n) { return m.name < n; });
    return it != modules_.end() && it->name == module ? &*it : nullptr;
}

void validate_lora_strength(double strength, const std::string& lora_path) {
    LTX2_CHECK(std::isfinite(strength), "{}: LoRA strength {} is not a finite number", lora_path, strength);
}

FusedWeights fuse_loras(const WeightStore& base, const std::vector<LoraWithStrength>& loras, DType target,
                        bool keep_deltas) {
    LTX2_CHECK(target == DType::BF16 || target == DType::F32, "fuse_loras: target dtype {} is not BF16 or F32",
               dtype_name(target));
    FusedWeights result;
    result.unmatched_modules.resize(loras.size());

    // weight name → (lora index, module) in LoRA order.
    std::map<std::string, std::vector<std::pair<size_t, const LoraFile::Module*>>> touched;
    for (size_t li = 0; li < loras.size(); ++li) {
        const auto& l = loras[li];
        LTX2_CHECK(l.lora != nullptr, "fuse_loras: LoRA {} is not loaded", li);
        validate_lora_strength(l.strength, l.lora->path());
        size_t matched = 0;
        for (const auto& m : l.lora->modules()) {
            const std::string weight = m.name + ".weight";
            if (!base.has(weight)) {
                result.unmatched_modules[li].push_back(m.name);
                continue;
            }
            ++matched;
            touched[weight].emplace_back(li, &m);
        }
        if (matched == 0) {
            std::string example = l.lora->modules().empty() ? std::string("(none)") : l.lora->modules().front().a_key;
            fail("{}: no LoRA module of this file matches a weight of {} ({} lora_A/lora_B pairs; first key '{}'; "
                 "expected keys 'diffusion_model.<module>.lora_A.weight' with <module>.weight a model weight)",
                 l.lora->path(), base.describe(), l.lora->modules().size(), example);
        }
    }

    for (const auto& [name, contributions] : touched) {
        const Tensor w = base.get(name);
        // Shapes first, so no work is wasted on a mismatching file.
        for (const auto& [li, m] : contributions)
            LTX2_CHECK(w.shape() == m->delta_shape(),
                       "{}: LoRA module '{}' gives a delta of shape {} (lora_B {} · lora_A {}), but weight '{}' of {} "
                       "has shape {}",
                       loras[li].lora->path(), m->name, shape_str(m->delta_shape()), shape_str(m->b.shape()),
                       shape_str(m->a.shape()), name, base.describe(), shape_str(w.shape()));

        // Σ delta_L cast to D, summed in float32, rounded to D once.
        Tensor delta = Tensor::zeros(w.shape());
        for (const auto& [li, m] : contributions)
            add_rounded_inplace(delta, lora_delta(m->a, m->b, loras[li].strength), target);
        Tensor fused = Tensor::empty(w.shape(), target);
        Tensor delta_t = keep_deltas ? Tensor::empty(w.shape(), target) : Tensor();
        fuse_lora_delta(w, delta, fused, delta_t);
        result.fused.emplace(name, std::move(fused));
        if (keep_deltas) result.deltas.emplace(name, std::move(delta_t));
    }
    return result;
}

size_t apply_loras(WeightStore& store, const std::vector<LoraWithStrength>& loras, DType target) {
    FusedWeights f = fuse_loras(store, loras, target);
    for (auto& [name, t] : f.fused) store.override_tensor(name, std::move(t));
    return f.fused.size();
}

}  // namespace ltx2
