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

Backend& backend_for(const char* op, std::initializer_list<const Tensor*> tensors) {
    const Tensor* first = nullptr;
    for (const Tensor* t : tensors) {
        if (!t->defined()) continue;
        if (!first) first = t;
        else if (t->device() != first->device())
            fail("{}: its tensors are on different devices ({} and {})", op, device_name(first->device()),
                 device_name(t->device()));
    }
    return backend_for(first ? first->device() : Device::Cpu);
}

}  // namespace ltx2
