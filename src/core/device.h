#pragma once
// Where a tensor's memory lives, which decides the backend that computes on it (ops/backend.h).
//
// Cpu: ordinary host memory, computed on by the CPU kernels.
// CheckedCpu: host memory that only an op may touch: reading or writing a tensor's data outside
// an op call throws. Computed on by the CPU kernels too. It stands in for a device whose memory
// the host cannot address, so tests can prove that models reach their data only through the op
// API (the "checked device" test mode).
#include <cstdint>

namespace ltx2 {

enum class Device : uint8_t { Cpu, CheckedCpu };

inline const char* device_name(Device d) { return d == Device::Cpu ? "cpu" : "checked-cpu"; }

// The device of new tensors when none is named (Tensor::zeros / empty / from_f32): Device::Cpu, or
// the one the environment variable LTX2_DEVICE names ("cpu" or "checked-cpu"; read at first use,
// anything else throws). Weights mapped from files stay host memory (Device::Cpu) whatever it is.
// While an op runs, its device (DeviceScope), so that its outputs are created beside its inputs.
Device default_device();

// Makes `device` the default of the calling thread while it lives (ops/backend.h: one op call).
class DeviceScope {
public:
    explicit DeviceScope(Device device);
    ~DeviceScope();
    DeviceScope(const DeviceScope&) = delete;
    DeviceScope& operator=(const DeviceScope&) = delete;

private:
    int previous_;
};

}  // namespace ltx2
