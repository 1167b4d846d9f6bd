#pragma once
// A strided view of up to 6 dimensions over shared Storage. Views (slice, permute,
// reshape of contiguous data, select) share storage; only contiguous()/to() copy.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"
#include "core/storage.h"

namespace ltx2 {

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape& s);  // "(1, 18, 128)"
int64_t shape_numel(const Shape& s);    // product of the dims (1 for a scalar)

class Tensor {
public:
    static constexpr int kMaxDims = 6;

    Tensor() = default;
    // New owned, zero-filled, contiguous tensor, on default_device() unless a device is named.
    static Tensor zeros(const Shape& shape, DType dtype = DType::F32);
    static Tensor zeros(const Shape& shape, DType dtype, Device device);
    // New owned, contiguous tensor whose values are unspecified: for outputs that are written
    // whole (see poison_uninitialised_memory in core/storage.h).
    static Tensor empty(const Shape& shape, DType dtype = DType::F32);
    static Tensor empty(const Shape& shape, DType dtype, Device device);
    // Contiguous view over existing storage starting at byte `offset`.
    static Tensor view_of(std::shared_ptr<Storage> storage, size_t offset, const Shape& shape, DType dtype);
    // Owned copy of n values, on default_device().
    static Tensor from_f32(const Shape& shape, const std::vector<float>& values);

    bool defined() const { return storage_ != nullptr; }
    DType dtype() const { return dtype_; }
    Device device() const { return storage_ ? storage_->device() : Device::Cpu; }
    int dim() const { return ndim_; }
    int64_t size(int d) const { return shape_[norm_dim(d)]; }
    int64_t stride(int d) const { return strides_[norm_dim(d)]; }  // in elements
    Shape shape() const { return Shape(shape_.begin(), shape_.begin() + ndim_); }
    int64_t numel() const;
    size_t nbytes() const { return size_t(numel()) * dtype_size(dtype_); }
    bool is_contiguous() const;
    const std::shared_ptr<Storage>& storage() const { return storage_; }
    size_t offset_bytes() const { return offset_; }

    // The data, for the host: on a device other than Device::Cpu only while an op runs
    // (core/host_access.h); throws otherwise.
    void* raw() const {
        if (storage_->device() != Device::Cpu) check_host_access();
        return bytes();
    }
    template <class T>
    T* data() const { return reinterpret_cast<T*>(raw()); }
    // Checked typed pointer to contiguous data of the given dtype.
    float* f32() const;
    uint16_t* bf16() const;

    // Views.
    Tensor slice(int d, int64_t start, int64_t end) const;  // [start, end) along d
    Tensor select(int d, int64_t index) const;              // drops dimension d
    Tensor permute(std::initializer_list<int> order) const;
    Tensor transpose(int a, int b) const;
    Tensor reshape(const Shape& shape) const;  // one -1 allowed; copies only if not contiguous
    Tensor unsqueeze(int d) const;

    // Copies.
    Tensor contiguous() const;      // self if already contiguous
    Tensor clone() const;           // always a fresh owned copy
    Tensor to(DType dtype) const;   // converted contiguous copy (self if same dtype and contiguous)
    Tensor to_device(Device device) const;  // contiguous copy on `device` (self if already there and contiguous)
    void copy_from(const Tensor& src);  // same shape; converts dtype; handles strides

    // Element access for tests and small tables (any dtype, any strides).
    double at(std::initializer_list<int64_t> index) const;
    std::vector<float> to_vector() const;  // row-major f32 copy

private:
    int norm_dim(int d) const;
    std::byte* bytes() const { return storage_->data() + offset_; }  // unchecked: copies between devices
    void check_host_access() const;
    std::shared_ptr<Storage> storage_;
    size_t offset_ = 0;
    DType dtype_ = DType::F32;
    int ndim_ = 0;
    std::array<int64_t, kMaxDims> shape_{};
    std::array<int64_t, kMaxDims> strides_{};
};

}  // namespace ltx2
