#pragma once
// Memory behind tensors: owned (64-byte aligned heap) or a read-only file mapping, on a device.
#include <cstddef>
#include <memory>
#include <string>

#include "core/device.h"

namespace ltx2 {

class Storage {
public:
    virtual ~Storage() = default;
    std::byte* data() const { return data_; }
    size_t size() const { return size_; }
    virtual bool writable() const { return true; }
    Device device() const { return device_; }

protected:
    std::byte* data_ = nullptr;
    size_t size_ = 0;
    Device device_ = Device::Cpu;
};

enum class Fill { Zero, Uninitialised };

// Whether uninitialised memory is filled with 0xFF bytes (NaN in F32, BF16 and F16), so that an
// op reading output it never wrote shows up as NaN in the golden tests. Set by the environment
// variable LTX2_POISON_UNINITIALISED=1 (read once); the test suite sets it.
bool poison_uninitialised_memory();

class OwnedStorage final : public Storage {
public:
    explicit OwnedStorage(size_t bytes, Fill fill = Fill::Zero, Device device = Device::Cpu);
    ~OwnedStorage() override;
    OwnedStorage(const OwnedStorage&) = delete;
    OwnedStorage& operator=(const OwnedStorage&) = delete;
};

// A whole file mapped read-only. Tensors loaded from checkpoints are views into it.
class MappedFile final : public Storage {
public:
    explicit MappedFile(const std::string& path);  // throws Error naming the path
    ~MappedFile() override;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    bool writable() const override { return false; }
    const std::string& path() const { return path_; }
    // Residency hints for a byte range (rounded out to pages): about to be used / done with.
    void will_need(size_t offset, size_t bytes) const;
    void dont_need(size_t offset, size_t bytes) const;

private:
    std::string path_;
};

}  // namespace ltx2
