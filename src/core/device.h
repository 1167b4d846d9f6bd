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
inline constexpr int kDeviceCount = 2;

inline const char* device_name(Device d) { return d == Device::Cpu ? "cpu" : "checked-cpu"; }

}  // namespace ltx2
