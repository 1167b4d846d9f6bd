#pragma once
// Tensors on a device the host cannot address (Device::CheckedCpu stands in for one) may be read
// or written only by a backend while it runs an op: ops/ opens an OpScope around every backend
// call, and Tensor's data accessors throw outside one. The count is process-wide, not per thread,
// because the CPU kernels touch data from their OpenMP threads.
namespace ltx2 {

class OpScope {
public:
    OpScope();
    ~OpScope();
    OpScope(const OpScope&) = delete;
    OpScope& operator=(const OpScope&) = delete;
};

bool op_running();

}  // namespace ltx2
