#include "kernels/cpu/conv.h"

// oneDNN convolution_forward / deconvolution_forward with format_tag::any for activations and
// weights: on AVX-512 / AMX hosts oneDNN picks brgconv with channels-last activations, which
// measured 2-4x faster than the plain-layout (gemm) path even counting the reorders of the
// input (fused with the f32 -> bf16 rounding) and of the output back to NC[D]HW.
// Primitives are cached by geometry; reordered weights by weight storage (see conv.h).

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "kernels/cpu/channels_last.h"
#include "kernels/cpu/cpu_common.h"

namespace ltx2::cpu {

using dt = dnnl::memory::data_type;
using md = dnnl::memory::desc;
using dims = dnnl::memory::dims;

namespace {

std::string vec_str(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

// A per-dimension parameter: empty -> default, else exactly n entries.
std::vector<int64_t> per_dim(const std::vector<int64_t>& v, int n, int64_t def, const char* fn, const char* name) {
    if (v.empty()) return std::vector<int64_t>(size_t(n), def);
    LTX2_CHECK(int(v.size()) == n, "{}: {} needs {} entries (one per spatial dim), got {} {}", fn, name, n,
               v.size(), vec_str(v));
    return v;
}

struct Aligned {
    void operator()(void* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<void, Aligned>;

constexpr size_t kScratchCap = size_t(256) << 20;

Buffer alloc_buffer(size_t bytes) {
    size_t rounded = (std::max<size_t>(bytes, 1) + 63) & ~size_t(63);
    void* p = std::aligned_alloc(64, rounded);
    LTX2_CHECK(p != nullptr, "conv: out of memory allocating {} bytes", rounded);
    return Buffer(p);
}

// Activation copies in the primitive's layout: the thread's scratch up to kScratchCap bytes
// (reused across calls, no page faults), a per-call buffer (own) beyond.
void* layout_buffer(cpu::ScratchBuffer& kept, size_t bytes, Buffer& own) {
    if (bytes <= kScratchCap) return kept.reserve(bytes);
    own = alloc_buffer(bytes);
    return own.get();
}

// [B, C, *spatial] stored as [B, *spatial, C].
md channels_last_md(const dims& d, dt type) {
    dims strides(d.size());
    strides[1] = 1;
    int64_t s = d[1];
    for (size_t i = d.size(); i-- > 2;) {
        strides[i] = s;
        s *= d[i];
    }
    strides[0] = s;
    return md(d, type, strides);
}

// Plain (row-major) memory descriptor.
md plain_md(const dims& d, dt type) {
    dims strides(d.size());
    int64_t s = 1;
    for (size_t i = d.size(); i-- > 0;) {
        strides[i] = s;
        s *= d[i];
    }
    return md(d, type, strides);
}

// ---- primitive cache ---------------------------------------------------------------------

struct ConvPrim {
    dnnl::primitive prim;
    md src_plain, src_md;  // src_plain: f32 NC[D]HW of the caller; src_md: what the primitive reads
    md wei_plain, wei_md;  // wei_plain: torch layout of the weight
    md dst_plain, dst_md;
    bool src_channels_last = false, dst_channels_last = false;  // src_md / dst_md are [B, spatial, C]
    md bias_md;
    size_t scratch_bytes = 0;
};

std::mutex g_prim_mutex;
std::map<std::vector<int64_t>, std::unique_ptr<ConvPrim>> g_prims;

// Activations: let oneDNN pick (blocked nChw16c-style layouts, reordered on the way in and
// out) unless LTX2_CONV_PLAIN_ACT is set (diagnostic, for measuring the plain-layout path).
bool activations_any() {
    static const bool any = std::getenv("LTX2_CONV_PLAIN_ACT") == nullptr;
    return any;
}

struct Geometry {
    bool transposed = false;
    int nd = 0;
    int64_t B = 0, Cin = 0, Cout = 0, G = 1;
    std::vector<int64_t> in, k, out, s, d, pb, pa;
    dt wdt = dt::f32;
    bool bias = false;
};

// Cached primitive; nullptr when oneDNN has no implementation and may_fail is set (BF16
// convolutions on CPUs without AVX-512), else an Error naming the problem.
const ConvPrim* conv_primitive(const Geometry& g, bool may_fail) {
    std::vector<int64_t> key{g.transposed, g.nd, g.B, g.Cin, g.Cout, g.G, int64_t(g.wdt), g.bias, activations_any()};
    for (const auto* v : {&g.in, &g.k, &g.out, &g.s, &g.d, &g.pb, &g.pa}) key.insert(key.end(), v->begin(), v->end());

    std::lock_guard<std::mutex> lock(g_prim_mutex);
    auto it = g_prims.find(key);
    if (it != g_prims.end()) {
        if (it->second || may_fail) return it->second.get();
    }

    auto p = std::make_unique<ConvPrim>();
    const dt adt = g.wdt;  // activations fed to the primitive: bf16 with bf16 weights
    dims src_d{g.B, g.Cin}, dst_d{g.B, g.Cout};
    src_d.insert(src_d.end(), g.in.begin(), g.in.end());
    dst_d.insert(dst_d.end(), g.out.begin(), g.out.end());
    p->src_plain = plain_md(src_d, dt::f32);
    p->dst_plain = plain_md(dst_d, dt::f32);

    // oneDNN weight dims: [G,] OC/G, IC/G, k...
    const int64_t og = g.Cout / g.G, ig = g.Cin / g.G;
    int64_t K = 1;
    for (auto v : g.k) K *= v;
    dims wd, ws;
    if (g.G > 1) wd.push_back(g.G);
    wd.push_back(og);
    wd.push_back(ig);
    wd.insert(wd.end(), g.k.begin(), g.k.end());
    if (!g.transposed) {
        p->wei_plain = plain_md(wd, g.wdt);  // torch [Cout, Cin/G, k] == [G, OC/G, IC/G, k]
    } else {
        // torch [Cin, Cout/G, k] == [G, IC/G, OC/G, k] in memory.
        if (g.G > 1) ws.push_back(ig * og * K);
        ws.push_back(K);       // OC/G
        ws.push_back(og * K);  // IC/G
        int64_t s = 1;
        std::vector<int64_t> ks(g.k.size());
        for (size_t i = g.k.size(); i-- > 0;) {
            ks[i] = s;
            s *= g.k[i];
        }
        ws.insert(ws.end(), ks.begin(), ks.end());
        p->wei_plain = md(wd, g.wdt, ws);
    }

    const auto tag_any = dnnl::memory::format_tag::any;
    md src_q = activations_any() ? md(src_d, adt, tag_any) : plain_md(src_d, adt);
    md dst_q = activations_any() ? md(dst_d, dt::f32, tag_any) : plain_md(dst_d, dt::f32);
    md wei_q(wd, g.wdt, tag_any);
    if (g.bias) p->bias_md = md({g.Cout}, dt::f32, dnnl::memory::format_tag::a);
    dims strides(g.s.begin(), g.s.end()), dil, pl(g.pb.begin(), g.pb.end()), pr(g.pa.begin(), g.pa.end());
    for (auto v : g.d) dil.push_back(v - 1);  // oneDNN counts the gaps

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    auto& eng = cpu::dnnl_engine();
    const auto pk = dnnl::prop_kind::forward_inference;
    try {
        if (!g.transposed) {
            auto desc = g.bias ? dnnl::convolution_forward::desc(pk, dnnl::algorithm::convolution_direct, src_q, wei_q,
                                                                 p->bias_md, dst_q, strides, dil, pl, pr)
                               : dnnl::convolution_forward::desc(pk, dnnl::algorithm::convolution_direct, src_q, wei_q,
                                                                 dst_q, strides, dil, pl, pr);
            dnnl::convolution_forward::primitive_desc pd(desc, attr, eng);
            p->src_md = pd.src_desc();
            p->wei_md = pd.weights_desc();
            p->dst_md = pd.dst_desc();
            p->scratch_bytes = pd.scratchpad_desc().get_size();
            p->prim = dnnl::convolution_forward(pd);
        } else {
            auto desc = g.bias ? dnnl::deconvolution_forward::desc(pk, dnnl::algorithm::deconvolution_direct, src_q,
                                                                   wei_q, p->bias_md, dst_q, strides, dil, pl, pr)
                               : dnnl::deconvolution_forward::desc(pk, dnnl::algorithm::deconvolution_direct, src_q,
                                                                   wei_q, dst_q, strides, dil, pl, pr);
            dnnl::deconvolution_forward::primitive_desc pd(desc, attr, eng);
            p->src_md = pd.src_desc();
            p->wei_md = pd.weights_desc();
            p->dst_md = pd.dst_desc();
            p->scratch_bytes = pd.scratchpad_desc().get_size();
            p->prim = dnnl::deconvolution_forward(pd);
        }
        p->src_channels_last = p->src_md == channels_last_md(src_d, adt);
        p->dst_channels_last = p->dst_md == channels_last_md(dst_d, dt::f32);
    } catch (const dnnl::error& e) {
        if (may_fail) {
            g_prims[key] = nullptr;
            return nullptr;
        }
        fail("oneDNN {}: no implementation for input {} weight {} output {} ({} weights, groups {}): {}",
             g.transposed ? "deconvolution" : "convolution", vec_str(src_d), vec_str(wd), vec_str(dst_d),
             g.wdt == dt::bf16 ? "bf16" : "f32", g.G, e.what());
    }
    auto* ref = p.get();
    g_prims[key] = std::move(p);
    return ref;
}

// ---- weight cache ------------------------------------------------------------------------

struct WeightEntry {
    std::weak_ptr<Storage> owner;
    md target;
    std::shared_ptr<void> data;
};

std::mutex g_weight_mutex;
std::multimap<std::vector<int64_t>, WeightEntry> g_weights;

std::vector<int64_t> weight_key(const Tensor& w, bool transposed, int64_t groups) {
    std::vector<int64_t> key{int64_t(reinterpret_cast<uintptr_t>(w.storage().get())), int64_t(w.offset_bytes()),
                             int64_t(w.dtype()), transposed, groups};
    for (auto v : w.shape()) key.push_back(v);
    return key;
}

// The weight in the primitive's layout: the caller's memory when that is already it, else a
// cached (or, with cache off, temporary) reordered copy.
std::shared_ptr<void> weights_for(const ConvPrim& p, const Tensor& w, bool transposed, int64_t groups, bool cache) {
    if (p.wei_md == p.wei_plain) return std::shared_ptr<void>(w.raw(), [](void*) {});
    auto make = [&] {
        void* buf = std::aligned_alloc(64, (p.wei_md.get_size() + 63) & ~size_t(63));
        LTX2_CHECK(buf != nullptr, "conv: out of memory reordering weight {}", shape_str(w.shape()));
        std::shared_ptr<void> sp(buf, [](void* q) { std::free(q); });
        cpu::reorder(p.wei_plain, w.raw(), p.wei_md, buf);
        return sp;
    };
    if (!cache) return make();
    auto key = weight_key(w, transposed, groups);
    {
        std::lock_guard<std::mutex> lock(g_weight_mutex);
        auto [b, e] = g_weights.equal_range(key);
        for (auto it = b; it != e; ++it)
            if (it->second.target == p.wei_md && !it->second.owner.expired()) return it->second.data;
    }
    auto data = make();
    std::lock_guard<std::mutex> lock(g_weight_mutex);
    for (auto it = g_weights.begin(); it != g_weights.end();)  // drop entries of freed weights
        it = it->second.owner.expired() ? g_weights.erase(it) : std::next(it);
    g_weights.emplace(std::move(key), WeightEntry{w.storage(), p.wei_md, data});
    return data;
}

// ---- shared driver -----------------------------------------------------------------------

// A weight converted for the call lives only during it: caching its reordered copy would key the
// cache by storage that is freed (and reused) right after.
ConvParams uncached_if_converted(const ConvParams& p, const Tensor& used, const Tensor& stored) {
    ConvParams q = p;
    if (used.dtype() != stored.dtype()) q.cache_weights = false;
    return q;
}

// x [B, C, S] (F32, contiguous) into [B, before + S + after, C] at dst, in the primitive's
// activation type (bf16: rounded), the `before` / `after` rows zero.
void to_channels_last_padded(const Tensor& x, dt type, int64_t B, int64_t C, int64_t S, int64_t before,
                             int64_t after, void* dst) {
    const size_t elem = type == dt::bf16 ? 2 : 4, row = size_t(C) * elem;
    const float* in = x.data<float>();
    for (int64_t b = 0; b < B; ++b) {
        std::byte* out = static_cast<std::byte*>(dst) + size_t(b * (before + S + after)) * row;
        std::memset(out, 0, size_t(before) * row);
        std::byte* body = out + size_t(before) * row;
        if (type == dt::bf16)
            cpu::to_channels_last_bf16(in + b * C * S, 1, C, S, reinterpret_cast<uint16_t*>(body));
        else
            cpu::to_channels_last(in + b * C * S, 1, C, S, reinterpret_cast<float*>(body));
        std::memset(body + size_t(S) * row, 0, size_t(after) * row);
    }
}

void execute(const ConvPrim& prim, void* src, void* weights, void* dst, const float* bias) {
    auto& eng = cpu::dnnl_engine();
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(prim.src_md, eng, src)},
                                               {DNNL_ARG_WEIGHTS, dnnl::memory(prim.wei_md, eng, weights)},
                                               {DNNL_ARG_DST, dnnl::memory(prim.dst_md, eng, dst)}};
    if (bias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(prim.bias_md, eng, const_cast<float*>(bias)));
    if (prim.scratch_bytes) {
        md smd({int64_t(prim.scratch_bytes)}, dt::u8, {1});
        args.emplace(DNNL_ARG_SCRATCHPAD,
                     dnnl::memory(smd, eng, cpu::thread_scratch().primitive.reserve(prim.scratch_bytes)));
    }
    auto& s = cpu::dnnl_stream();
    prim.prim.execute(s, args);
    s.wait();
}

// Long F32 1-D convolutions run as chunks of kChunkOutputs outputs, all of one geometry, over
// the input zero-padded once, channels last: the time oneDNN takes to create a brgconv primitive
// grows with its output length (184 ms for a 24k-sample stage; the first call of the LTX-2.3
// vocoder, which runs in f32 as the reference does, spent 19 of its 53 s creating them), and
// each stage length was another primitive. oneDNN's summation order follows its blocking, which
// follows the length, so chunks change the last bits of some outputs: BF16 convolutions (the
// 19B vocoder and every VAE) stay whole, their outputs unchanged. $LTX2_CONV_WHOLE turns
// chunks off (diagnostic).
constexpr int64_t kChunkOutputs = 2048;

bool run_conv1d_in_chunks(const Geometry& g, const Tensor& x_in, const Tensor& w_in, bool cache_weights,
                          const std::vector<float>& bias32, Tensor& y) {
    static const bool whole = std::getenv("LTX2_CONV_WHOLE") != nullptr;
    if (whole || g.wdt != dt::f32 || g.transposed || g.nd != 1 || g.G != 1 || g.out[0] < 2 * kChunkOutputs)
        return false;
    const int64_t span = g.d[0] * (g.k[0] - 1) + 1, stride = g.s[0], out = g.out[0];
    auto chunk = [&](int64_t outputs) {
        Geometry c = g;
        c.B = 1;
        c.out = {outputs};
        c.in = {(outputs - 1) * stride + span};
        c.pb = {0};
        c.pa = {0};
        return conv_primitive(c, true);
    };
    const int64_t tail = out % kChunkOutputs;
    const ConvPrim* full = chunk(kChunkOutputs);
    const ConvPrim* last = tail ? chunk(tail) : full;
    for (const ConvPrim* c : {full, last})
        if (!c || !c->src_channels_last || !c->dst_channels_last) return false;

    const Tensor x = x_in.contiguous(), w = w_in.contiguous();
    const int64_t padded = g.in[0] + g.pb[0] + g.pa[0];
    const size_t elem = sizeof(float);  // F32 only, see above
    cpu::KernelScratch& scratch = cpu::thread_scratch();
    Buffer src_buf, dst_buf;
    auto* src = static_cast<std::byte*>(layout_buffer(scratch.layout_in, size_t(g.B * padded * g.Cin) * elem, src_buf));
    auto* dst = static_cast<float*>(layout_buffer(scratch.layout_out, size_t(g.B * out * g.Cout) * 4, dst_buf));
    to_channels_last_padded(x, g.wdt, g.B, g.Cin, g.in[0], g.pb[0], g.pa[0], src);
    const bool cache = cache_weights && w.storage() == w_in.storage();
    const std::shared_ptr<void> w_full = weights_for(*full, w, false, 1, cache);
    const std::shared_ptr<void> w_last = last == full ? w_full : weights_for(*last, w, false, 1, cache);
    const float* bias = g.bias ? bias32.data() : nullptr;
    for (int64_t b = 0; b < g.B; ++b)
        for (int64_t o = 0; o < out; o += kChunkOutputs) {
            const bool is_tail = o + kChunkOutputs > out;
            std::byte* chunk_src = src + size_t((b * padded + o * stride) * g.Cin) * elem;
            float* chunk_dst = dst + (b * out + o) * g.Cout;
            execute(is_tail ? *last : *full, chunk_src, (is_tail ? w_last : w_full).get(), chunk_dst, bias);
        }
    cpu::from_channels_last(dst, g.B, g.Cout, out, y.data<float>());
    return true;
}

Tensor run_conv(const char* fn, bool transposed, const Tensor& x_in, const Tensor& weight_in, const Tensor& bias,
                const ConvParams& p, const std::vector<int64_t>& output_padding) {
    LTX2_CHECK(x_in.defined(), "{}: input is undefined", fn);
    LTX2_CHECK(weight_in.defined(), "{}: weight is undefined", fn);
    const int nd = x_in.dim() - 2;
    LTX2_CHECK(nd >= 1 && nd <= 3, "{}: input must be [B, C, *spatial] with 1 to 3 spatial dims, got {}", fn,
               shape_str(x_in.shape()));
    LTX2_CHECK(weight_in.dim() == nd + 2, "{}: weight must have {} dims ([{}, {}, *k]) for input {}, got {}", fn,
               nd + 2, transposed ? "Cin" : "Cout", transposed ? "Cout/groups" : "Cin/groups",
               shape_str(x_in.shape()), shape_str(weight_in.shape()));
    LTX2_CHECK(x_in.dtype() == DType::F32, "{}: input must be F32, got {}", fn, dtype_name(x_in.dtype()));
    LTX2_CHECK(weight_in.dtype() == DType::F32 || weight_in.dtype() == DType::BF16,
               "{}: weight must be F32 or BF16, got {}", fn, dtype_name(weight_in.dtype()));

    Geometry g;
    g.transposed = transposed;
    g.nd = nd;
    g.B = x_in.size(0);
    g.Cin = x_in.size(1);
    g.G = p.groups;
    LTX2_CHECK(g.G >= 1, "{}: groups must be >= 1, got {}", fn, g.G);
    LTX2_CHECK(g.Cin % g.G == 0, "{}: input channels {} not divisible by groups {}", fn, g.Cin, g.G);
    if (!transposed) {
        g.Cout = weight_in.size(0);
        LTX2_CHECK(weight_in.size(1) * g.G == g.Cin,
                   "{}: weight {} expects {} input channels (Cin/groups {} x groups {}), input {} has {}", fn,
                   shape_str(weight_in.shape()), weight_in.size(1) * g.G, weight_in.size(1), g.G,
                   shape_str(x_in.shape()), g.Cin);
        LTX2_CHECK(g.Cout % g.G == 0, "{}: output channels {} (weight {}) not divisible by groups {}", fn, g.Cout,
                   shape_str(weight_in.shape()), g.G);
    } else {
        LTX2_CHECK(weight_in.size(0) == g.Cin, "{}: weight {} expects {} input channels, input {} has {}", fn,
                   shape_str(weight_in.shape()), weight_in.size(0), shape_str(x_in.shape()), g.Cin);
        g.Cout = weight_in.size(1) * g.G;
    }
    g.s = per_dim(p.strides, nd, 1, fn, "strides");
    g.d = per_dim(p.dilations, nd, 1, fn, "dilations");
    g.pb = per_dim(p.pad_before, nd, 0, fn, "pad_before");
    g.pa = per_dim(p.pad_after, nd, 0, fn, "pad_after");
    std::vector<int64_t> op = per_dim(output_padding, nd, 0, fn, "output_padding");
    g.wdt = weight_in.dtype() == DType::BF16 ? dt::bf16 : dt::f32;
    for (int i = 0; i < nd; ++i) {
        const int64_t L = x_in.size(2 + i), k = weight_in.size(2 + i);
        LTX2_CHECK(g.s[i] >= 1 && g.d[i] >= 1, "{}: strides {} and dilations {} must be >= 1", fn, vec_str(g.s),
                   vec_str(g.d));
        LTX2_CHECK(g.pb[i] >= 0 && g.pa[i] >= 0, "{}: padding must be >= 0, got before {} after {}", fn,
                   vec_str(g.pb), vec_str(g.pa));
        LTX2_CHECK(k >= 1 && L >= 1, "{}: empty kernel or input: input {} weight {}", fn, shape_str(x_in.shape()),
                   shape_str(weight_in.shape()));
        const int64_t span = g.d[i] * (k - 1) + 1;
        int64_t out;
        if (!transposed) {
            LTX2_CHECK(L + g.pb[i] + g.pa[i] >= span,
                       "{}: spatial dim {} of input {} padded by {}+{} is shorter than the dilated kernel ({})", fn,
                       i, shape_str(x_in.shape()), g.pb[i], g.pa[i], span);
            out = (L + g.pb[i] + g.pa[i] - span) / g.s[i] + 1;
        } else {
            LTX2_CHECK(op[i] >= 0 && (op[i] < g.s[i] || op[i] < g.d[i]),
                       "{}: output_padding {} must be smaller than stride {} or dilation {}", fn, vec_str(op),
                       vec_str(g.s), vec_str(g.d));
            out = (L - 1) * g.s[i] - g.pb[i] - g.pa[i] + span + op[i];
            LTX2_CHECK(out >= 1, "{}: padding before {} after {} leaves no output for input {} and weight {}", fn,
                       vec_str(g.pb), vec_str(g.pa), shape_str(x_in.shape()), shape_str(weight_in.shape()));
        }
        g.in.push_back(L);
        g.k.push_back(k);
        g.out.push_back(out);
    }
    // oneDNN derives the padding at the end from the sizes; output_padding is extra output there.
    if (transposed)
        for (int i = 0; i < nd; ++i) g.pa[i] -= op[i];

    std::vector<float> bias32;
    if (bias.defined()) {
        LTX2_CHECK(bias.numel() == g.Cout, "{}: bias {} does not match {} output channels", fn,
                   shape_str(bias.shape()), g.Cout);
        bias32 = bias.to_vector();
        g.bias = true;
    }

    Shape out_shape{g.B, g.Cout};
    out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
    Tensor y = Tensor::empty(out_shape, DType::F32);
    if (g.B == 0 || g.Cout == 0) return y;

    if (run_conv1d_in_chunks(g, x_in, weight_in, p.cache_weights, bias32, y)) return y;
    const ConvPrim* prim_ptr = conv_primitive(g, g.wdt == dt::bf16);
    if (!prim_ptr) {
        // No BF16 convolution on this CPU: the same arithmetic (input rounded to bf16, exact
        // products, f32 accumulation) with F32 operands.
        ConvParams q = p;
        q.cache_weights = false;
        return run_conv(fn, transposed, x_in.to(DType::BF16).to(DType::F32), weight_in.to(DType::F32), bias, q,
                        output_padding);
    }
    const ConvPrim& prim = *prim_ptr;
    const Tensor x = x_in.contiguous();
    const Tensor w = weight_in.contiguous();

    Buffer src_buf, dst_buf;
    cpu::KernelScratch& scratch = cpu::thread_scratch();
    void* src = x.raw();
    if (!(prim.src_md == prim.src_plain)) {
        src = layout_buffer(scratch.layout_in, prim.src_md.get_size(), src_buf);
        if (!prim.src_channels_last)
            cpu::reorder(prim.src_plain, x.raw(), prim.src_md, src);  // also rounds to bf16
        else
            to_channels_last_padded(x, g.wdt, g.B, g.Cin, shape_numel(g.in), 0, 0, src);
    }
    void* dst = y.raw();
    const bool dst_plain = prim.dst_md == prim.dst_plain;
    if (!dst_plain) dst = layout_buffer(scratch.layout_out, prim.dst_md.get_size(), dst_buf);
    std::shared_ptr<void> wbuf = weights_for(prim, w, transposed, g.G, p.cache_weights && w.storage() == weight_in.storage());
    execute(prim, src, wbuf.get(), dst, g.bias ? bias32.data() : nullptr);
    if (dst_plain) return y;
    if (prim.dst_channels_last)
        cpu::from_channels_last(static_cast<const float*>(dst), g.B, g.Cout, shape_numel(g.out), y.data<float>());
    else
        cpu::reorder(prim.dst_md, dst, prim.dst_plain, y.raw());
    return y;
}

}  // namespace

Tensor conv_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvParams& p, Precision precision) {
    const Tensor w = cpu::weight_at_precision(weight, precision);
    return run_conv("conv_nd", false, x, w, bias, uncached_if_converted(p, w, weight), {});
}

Tensor conv_transpose_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTransposeParams& p,
                         Precision precision) {
    const Tensor w = cpu::weight_at_precision(weight, precision);
    return run_conv("conv_transpose_nd", true, x, w, bias, uncached_if_converted(p, w, weight), p.output_padding);
}

void clear_conv_weight_cache() {
    std::lock_guard<std::mutex> lock(g_weight_mutex);
    g_weights.clear();
}

size_t conv_weight_cache_size() {
    std::lock_guard<std::mutex> lock(g_weight_mutex);
    size_t n = 0;
    for (auto& [k, e] : g_weights) n += !e.owner.expired();
    return n;
}

// ---- padding -----------------------------------------------------------------------------

Tensor pad_nd(const Tensor& x_in, const std::vector<int64_t>& before, const std::vector<int64_t>& after,
              PadMode mode, float value) {
    LTX2_CHECK(x_in.defined(), "pad_nd: input is undefined");
    const int n = int(before.size());
    LTX2_CHECK(before.size() == after.size(), "pad_nd: before {} and after {} must have the same length",
               vec_str(before), vec_str(after));
    LTX2_CHECK(n >= 1 && n <= 5 && n <= x_in.dim(), "pad_nd: {} padded dims for input {} (need 1 to min(5, {}))", n,
               shape_str(x_in.shape()), x_in.dim());
    LTX2_CHECK(x_in.dtype() == DType::F32 || x_in.dtype() == DType::BF16, "pad_nd: input must be F32 or BF16, got {}",
               dtype_name(x_in.dtype()));
    const char* mode_name = mode == PadMode::Constant ? "constant" : mode == PadMode::Reflect ? "reflect" : "replicate";
    const int lead = x_in.dim() - n;
    Shape out_shape = x_in.shape();
    std::vector<std::vector<int64_t>> maps(static_cast<size_t>(n));  // output index -> input index, -1 = fill
    for (int i = 0; i < n; ++i) {
        const int64_t S = x_in.size(lead + i), b = before[size_t(i)], a = after[size_t(i)];
        if (mode != PadMode::Constant)
            LTX2_CHECK(b >= 0 && a >= 0, "pad_nd: {} padding must be >= 0, got before {} after {}", mode_name,
                       vec_str(before), vec_str(after));
        if (mode == PadMode::Reflect)
            LTX2_CHECK(b < S && a < S,
                       "pad_nd: reflect padding before {} after {} must be smaller than the padded dims of input {} "
                       "(dim {} has size {}, padding {}+{})",
                       vec_str(before), vec_str(after), shape_str(x_in.shape()), lead + i, S, b, a);
        if (mode == PadMode::Replicate)
            LTX2_CHECK(S > 0 || (b == 0 && a == 0), "pad_nd: replicate padding of empty dim {} of input {}", lead + i,
                       shape_str(x_in.shape()));
        const int64_t O = S + b + a;
        LTX2_CHECK(O >= 0, "pad_nd: padding before {} after {} crops dim {} of input {} below zero", vec_str(before),
                   vec_str(after), lead + i, shape_str(x_in.shape()));
        out_shape[size_t(lead + i)] = O;
        auto& m = maps[size_t(i)];
        m.resize(size_t(O));
        for (int64_t o = 0; o < O; ++o) {
            int64_t s = o - b;
            if (s < 0 || s >= S) {
                switch (mode) {
                    case PadMode::Constant: s = -1; break;
                    case PadMode::Reflect: s = s < 0 ? -s : 2 * (S - 1) - s; break;
                    case PadMode::Replicate: s = s < 0 ? 0 : S - 1; break;
                }
            }
            m[size_t(o)] = s;
        }
    }
    Tensor y = Tensor::empty(out_shape, x_in.dtype());
    if (y.numel() == 0) return y;
    const Tensor x = x_in.contiguous();
    const size_t es = dtype_size(x.dtype());
    uint32_t fill_bits = 0;
    if (x.dtype() == DType::F32) std::memcpy(&fill_bits, &value, 4);
    else fill_bits = f32_to_bf16(value);

    // Input / output strides (elements) of the padded dims; rows = all dims but the last.
    std::vector<int64_t> in_size(static_cast<size_t>(n)), out_size(static_cast<size_t>(n)), in_stride(static_cast<size_t>(n));
    int64_t st = 1;
    for (int i = n - 1; i >= 0; --i) {
        in_size[size_t(i)] = x.size(lead + i);
        out_size[size_t(i)] = y.size(lead + i);
        in_stride[size_t(i)] = st;
        st *= in_size[size_t(i)];
    }
    const int64_t in_block = st;  // elements of one leading index in x
    int64_t outer = 1;
    for (int i = 0; i < lead; ++i) outer *= x.size(i);
    int64_t rows_per_outer = 1;
    for (int i = 0; i < n - 1; ++i) rows_per_outer *= out_size[size_t(i)];
    const int64_t rows = outer * rows_per_outer, OL = out_size[size_t(n - 1)];
    const auto& lmap = maps[size_t(n - 1)];
    // The run of the last dim that is a straight copy.
    const int64_t lb = before[size_t(n - 1)], SL = in_size[size_t(n - 1)];
    const int64_t copy_o0 = std::min<int64_t>(OL, std::max<int64_t>(0, lb)), copy_o1 = std::min<int64_t>(OL, lb + SL);

    const auto* src = static_cast<const std::byte*>(x.raw());
    auto* dst = static_cast<std::byte*>(y.raw());
    auto put = [&](std::byte* d, int64_t o, const std::byte* srow) {
        const int64_t s = lmap[size_t(o)];
        if (s < 0) std::memcpy(d + o * es, &fill_bits, es);
        else std::memcpy(d + o * es, srow + s * es, es);
    };
#pragma omp parallel for schedule(static) if (y.numel() >= (1 << 16) && !omp_in_parallel())
    for (int64_t r = 0; r < rows; ++r) {
        int64_t rem = r % rows_per_outer, lead_idx = r / rows_per_outer;
        int64_t off = lead_idx * in_block;
        bool fill = false;
        for (int i = n - 2; i >= 0; --i) {
            int64_t o = rem % out_size[size_t(i)];
            rem /= out_size[size_t(i)];
            int64_t s = maps[size_t(i)][size_t(o)];
            if (s < 0) fill = true;
            else off += s * in_stride[size_t(i)];
        }
        std::byte* drow = dst + size_t(r * OL) * es;
        if (fill) {
            for (int64_t o = 0; o < OL; ++o) std::memcpy(drow + o * es, &fill_bits, es);
            continue;
        }
        const std::byte* srow = src + size_t(off) * es;
        for (int64_t o = 0; o < copy_o0; ++o) put(drow, o, srow);
        if (copy_o1 > copy_o0)
            std::memcpy(drow + copy_o0 * es, srow + (copy_o0 - lb) * es, size_t(copy_o1 - copy_o0) * es);
        for (int64_t o = std::max(copy_o0, copy_o1); o < OL; ++o) put(drow, o, srow);
    }
    return y;
}

}  // namespace ltx2::cpu
