#include "core/device.h"

#include <cstdlib>
#include <string_view>

#include "core/error.h"

namespace ltx2 {

namespace {

Device device_from_environment() {
    const char* v = std::getenv("LTX2_DEVICE");
    if (!v || !*v || std::string_view(v) == "cpu") return Device::Cpu;
    if (std::string_view(v) == "checked-cpu") return Device::CheckedCpu;
    fail("LTX2_DEVICE={}: expected cpu or checked-cpu", v);
}

Device configured_device() {
    static const Device device = device_from_environment();
    return device;
}

thread_local int t_scoped_device = -1;  // a Device while a DeviceScope lives on this thread

}  // namespace

Device default_device() {
    return t_scoped_device >= 0 ? Device(t_scoped_device) : configured_device();
}

DeviceScope::DeviceScope(Device device) : previous_(t_scoped_device) { t_scoped_device = int(device); }

DeviceScope::~DeviceScope() { t_scoped_device = previous_; }

}  // namespace ltx2
