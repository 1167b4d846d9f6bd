#include "ops/backend.h"

#include "core/error.h"

namespace ltx2 {

Backend& backend_for(Device device) {
    switch (device) {
        case Device::Cpu:
        case Device::CheckedCpu: return cpu_backend();
    }
    fail("no backend for device {}", int(device));
}

namespace {
// Host memory is readable by every backend: an op whose tensors are all there runs on the device
// new tensors go to, and so do its outputs.
Device op_device(Device device) { return device == Device::Cpu ? default_device() : device; }
}  // namespace

BackendCall call_backend(Device device, std::source_location caller) {
    const Device d = op_device(device);
    return BackendCall(backend_for(d), d, caller.function_name());
}

BackendCall call_backend(const char* op, std::initializer_list<const Tensor*> tensors, std::source_location caller) {
    const Tensor* first = nullptr;
    for (const Tensor* t : tensors) {
        if (!t->defined() || t->device() == Device::Cpu) continue;
        if (!first) first = t;
        else if (t->device() != first->device())
            fail("{}: its tensors are on different devices ({} and {})", op, device_name(first->device()),
                 device_name(t->device()));
    }
    const Device device = op_device(first ? first->device() : Device::Cpu);
    return BackendCall(backend_for(device), device, caller.function_name());
}

}  // namespace ltx2
