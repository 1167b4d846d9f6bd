#include "core/tensor.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/host_access.h"

namespace ltx2 {

std::string shape_str(const Shape& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    if (s.size() == 1) out += ",";
    return out + ")";
}

int64_t shape_numel(const Shape& shape) {
    int64_t n = 1;
    for (auto v : shape) n *= v;
    return n;
}

int Tensor::norm_dim(int d) const {
    int r = d < 0 ? d + ndim_ : d;
    LTX2_CHECK(r >= 0 && r < ndim_, "dimension {} out of range for a {}-D tensor", d, ndim_);
    return r;
}

Tensor Tensor::view_of(std::shared_ptr<Storage> storage, size_t offset, const Shape& shape, DType dtype) {
    LTX2_CHECK(shape.size() <= size_t(kMaxDims), "tensor of {} dimensions exceeds the maximum of {}",
               shape.size(), kMaxDims);
    for (auto v : shape) LTX2_CHECK(v >= 0, "negative dimension in shape {}", shape_str(shape));
    Tensor t;
    t.storage_ = std::move(storage);
    t.offset_ = offset;
    t.dtype_ = dtype;
    t.ndim_ = int(shape.size());
    int64_t stride = 1;
    for (int i = t.ndim_ - 1; i >= 0; --i) {
        t.shape_[i] = shape[i];
        t.strides_[i] = stride;
        stride *= shape[i];
    }
    LTX2_CHECK(offset + size_t(shape_numel(shape)) * dtype_size(dtype) <= t.storage_->size(),
               "view {} of {} bytes at offset {} exceeds storage of {} bytes", shape_str(shape),
               size_t(shape_numel(shape)) * dtype_size(dtype), offset, t.storage_->size());
    return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype) { return zeros(shape, dtype, default_device()); }

Tensor Tensor::empty(const Shape& shape, DType dtype) { return empty(shape, dtype, default_device()); }

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
    auto storage = std::make_shared<OwnedStorage>(size_t(shape_numel(shape)) * dtype_size(dtype), Fill::Zero, device);
    return view_of(std::move(storage), 0, shape, dtype);
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
    auto storage =
        std::make_shared<OwnedStorage>(size_t(shape_numel(shape)) * dtype_size(dtype), Fill::Uninitialised, device);
    return view_of(std::move(storage), 0, shape, dtype);
}

Tensor Tensor::from_f32(const Shape& shape, const std::vector<float>& values) {
    LTX2_CHECK(int64_t(values.size()) == shape_numel(shape), "from_f32: {} values for shape {}", values.size(),
               shape_str(shape));
    Tensor t = empty(shape, DType::F32);
    std::memcpy(t.bytes(), values.data(), values.size() * sizeof(float));
    return t;
}

int64_t Tensor::numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim_; ++i) n *= shape_[i];
    return n;
}

bool Tensor::is_contiguous() const {
    int64_t expected = 1;
    for (int i = ndim_ - 1; i >= 0; --i) {
        if (shape_[i] != 1 && strides_[i] != expected) return false;
        expected *= shape_[i];
    }
    return true;
}

float* Tensor::f32() const {
    LTX2_CHECK(dtype_ == DType::F32, "expected an F32 tensor, got {}", dtype_name(dtype_));
    LTX2_CHECK(is_contiguous(), "expected a contiguous tensor of shape {}", shape_str(shape()));
    return data<float>();
}

uint16_t* Tensor::bf16() const {
    LTX2_CHECK(dtype_ == DType::BF16, "expected a BF16 tensor, got {}", dtype_name(dtype_));
    LTX2_CHECK(is_contiguous(), "expected a contiguous tensor of shape {}", shape_str(shape()));
    return data<uint16_t>();
}

Tensor Tensor::slice(int d, int64_t start, int64_t end) const {
    int r = norm_dim(d);
    LTX2_CHECK(0 <= start && start <= end && end <= shape_[r], "slice [{}, {}) out of range for dimension {} of size {}",
               start, end, r, shape_[r]);
    Tensor t = *this;
    t.offset_ += size_t(start * strides_[r]) * dtype_size(dtype_);
    t.shape_[r] = end - start;
    return t;
}

Tensor Tensor::select(int d, int64_t index) const {
    int r = norm_dim(d);
    Tensor t = slice(r, index, index + 1);
    for (int i = r; i + 1 < t.ndim_; ++i) {
        t.shape_[i] = t.shape_[i + 1];
        t.strides_[i] = t.strides_[i + 1];
    }
    t.ndim_ -= 1;
    return t;
}

Tensor Tensor::permute(std::initializer_list<int> order) const {
    LTX2_CHECK(int(order.size()) == ndim_, "permute with {} indices on a {}-D tensor", order.size(), ndim_);
    Tensor t = *this;
    bool seen[kMaxDims] = {};
    int i = 0;
    for (int o : order) {
        int r = norm_dim(o);
        LTX2_CHECK(!seen[r], "permute repeats dimension {}", r);
        seen[r] = true;
        t.shape_[i] = shape_[r];
        t.strides_[i] = strides_[r];
        ++i;
    }
    return t;
}

Tensor Tensor::transpose(int a, int b) const {
    int ra = norm_dim(a), rb = norm_dim(b);
    Tensor t = *this;
    std::swap(t.shape_[ra], t.shape_[rb]);
    std::swap(t.strides_[ra], t.strides_[rb]);
    return t;
}

Tensor Tensor::reshape(const Shape& shape_in) const {
    Shape shape = shape_in;
    int64_t known = 1;
    int infer = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1) {
            LTX2_CHECK(infer < 0, "reshape to {}: more than one -1", shape_str(shape_in));
            infer = int(i);
        } else {
            known *= shape[i];
        }
    }
    if (infer >= 0) {
        LTX2_CHECK(known > 0 && numel() % known == 0, "cannot reshape {} to {}", shape_str(this->shape()),
                   shape_str(shape_in));
        shape[infer] = numel() / known;
    }
    LTX2_CHECK(shape_numel(shape) == numel(), "cannot reshape {} ({} elements) to {}", shape_str(this->shape()), numel(),
               shape_str(shape_in));
    const Tensor src = contiguous();
    return view_of(src.storage_, src.offset_, shape, dtype_);
}

Tensor Tensor::unsqueeze(int d) const {
    Shape s = shape();
    int r = d < 0 ? d + ndim_ + 1 : d;
    LTX2_CHECK(r >= 0 && r <= ndim_, "unsqueeze({}) on a {}-D tensor", d, ndim_);
    s.insert(s.begin() + r, 1);
    return reshape(s);
}

namespace {
// Calls fn(dst_offset_elems, src_offset_elems) for every innermost row, with row length and strides.
template <class Fn>
void for_each_row(const Tensor& t, Fn&& fn) {
    int nd = t.dim();
    if (nd == 0) {
        fn(int64_t(0), int64_t(0));
        return;
    }
    int64_t rows = t.numel() / std::max<int64_t>(t.size(nd - 1), 1);
    if (t.size(nd - 1) == 0) return;
    std::array<int64_t, Tensor::kMaxDims> idx{};
    for (int64_t r = 0; r < rows; ++r) {
        int64_t src = 0;
        for (int i = 0; i < nd - 1; ++i) src += idx[i] * t.stride(i);
        fn(r * t.size(nd - 1), src);
        for (int i = nd - 2; i >= 0; --i) {
            if (++idx[i] < t.size(i)) break;
            idx[i] = 0;
        }
    }
}
}  // namespace

void Tensor::copy_from(const Tensor& src) {
    LTX2_CHECK(src.shape() == shape(), "copy: shape {} into {}", shape_str(src.shape()), shape_str(shape()));
    LTX2_CHECK(is_contiguous(), "copy destination must be contiguous");
    LTX2_CHECK(storage_->writable(), "copy destination is read-only (a mapped checkpoint)");
    if (numel() == 0) return;
    const size_t in_size = dtype_size(src.dtype_);
    const size_t out_size = dtype_size(dtype_);
    const int nd = src.dim();
    const int64_t row = nd ? src.size(nd - 1) : 1;
    const int64_t inner_stride = nd ? src.stride(nd - 1) : 1;
    std::byte* out = bytes();
    const std::byte* in = src.bytes();
    std::vector<std::byte> gather;
    for_each_row(src, [&](int64_t dst_off, int64_t src_off) {
        const std::byte* row_src = in + size_t(src_off) * in_size;
        if (inner_stride != 1) {
            gather.resize(size_t(row) * in_size);
            for (int64_t j = 0; j < row; ++j)
                std::memcpy(&gather[size_t(j) * in_size], row_src + size_t(j * inner_stride) * in_size, in_size);
            row_src = gather.data();
        }
        convert(row_src, src.dtype_, out + size_t(dst_off) * out_size, dtype_, size_t(row));
    });
}

Tensor Tensor::contiguous() const {
    if (is_contiguous()) return *this;
    return clone();
}

Tensor Tensor::clone() const {
    Tensor t = empty(shape(), dtype_, device());
    t.copy_from(*this);
    return t;
}

Tensor Tensor::to(DType dtype) const {
    if (dtype == dtype_ && is_contiguous()) return *this;
    Tensor t = empty(shape(), dtype, device());
    t.copy_from(*this);
    return t;
}

Tensor Tensor::to_device(Device device) const {
    if (device == this->device() && is_contiguous()) return *this;
    Tensor t = empty(shape(), dtype_, device);
    t.copy_from(*this);
    return t;
}

void Tensor::check_host_access() const {
    if (!op_running())
        fail("a {} tensor {} was read or written by the host outside an op: on this device its data is reachable "
             "only through the op API (src/ops)",
             device_name(storage_->device()), shape_str(shape()));
}

double Tensor::at(std::initializer_list<int64_t> index) const {
    LTX2_CHECK(int(index.size()) == ndim_, "at() with {} indices on a {}-D tensor", index.size(), ndim_);
    int64_t off = 0;
    int i = 0;
    for (auto v : index) {
        LTX2_CHECK(v >= 0 && v < shape_[i], "index {} out of range for dimension {} of size {}", v, i, shape_[i]);
        off += v * strides_[i++];
    }
    double out;
    convert(static_cast<const std::byte*>(raw()) + size_t(off) * dtype_size(dtype_), dtype_, &out, DType::F64, 1);
    return out;
}

std::vector<float> Tensor::to_vector() const {
    Tensor t = to(DType::F32);
    const float* p = t.data<float>();
    return std::vector<float>(p, p + t.numel());
}

}  // namespace ltx2
