#include "pipelines/model_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "io/file_identity.h"
#include "io/weight_store.h"

namespace ltx2 {

namespace fs = std::filesystem;

bool ModelCache::holds(const std::string& key) const {
    const std::lock_guard lock(mutex_);
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
}

std::shared_ptr<const void> ModelCache::find(const std::string& key, const std::type_info& type) {
    const std::lock_guard lock(mutex_);
    const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
    if (it == entries_.end() || *it->type != type) return nullptr;
    entries_.splice(entries_.begin(), entries_, it);
    ++hits_;
    return it->model;
}

void ModelCache::keep(const std::string& key, std::shared_ptr<const void> model, size_t bytes,
                      const std::type_info& type) {
    const std::lock_guard lock(mutex_);
    ++loads_;
    if (bytes > capacity_) return;
    entries_.remove_if([&](const Entry& e) {  // a key kept meanwhile under another type
        if (e.key != key) return false;
        held_ -= e.bytes;
        return true;
    });
    drop_until_fits(bytes);
    entries_.push_front({key, std::move(model), bytes, &type});
    held_ += bytes;
}

void ModelCache::make_room(size_t bytes) {
    const std::lock_guard lock(mutex_);
    drop_until_fits(bytes);
}

void ModelCache::drop_until_fits(size_t bytes) {
    while (!entries_.empty() && held_ + bytes > capacity_) {
        held_ -= entries_.back().bytes;
        entries_.pop_back();
        ++evictions_;
    }
}

void ModelCache::clear() {
    const std::lock_guard lock(mutex_);
    evictions_ += entries_.size();
    entries_.clear();
    held_ = 0;
}

ModelCache::Stats ModelCache::stats() const {
    const std::lock_guard lock(mutex_);
    Stats s;
    s.hits = hits_;
    s.loads = loads_;
    s.evictions = evictions_;
    s.held_bytes = held_;
    s.capacity_bytes = capacity_;
    for (const Entry& e : entries_) s.held.push_back(e.key);
    return s;
}

std::string files_identity(const std::vector<std::string>& paths) {
    std::string out;
    for (const std::string& path : paths) {
        if (path.empty()) continue;
        std::error_code ec;
        const fs::path absolute = fs::absolute(path, ec);
        if (!fs::is_directory(absolute, ec)) {
            out += file_stat_identity(absolute.string()) + ";";
            continue;
        }
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(absolute, ec))
            if (entry.is_regular_file(ec)) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const fs::path& f : files) out += file_stat_identity(f.string()) + ";";
    }
    return out;
}

size_t held_bytes_estimate(const WeightStore& store, const std::string& prefix, Precision compute) {
    const size_t bytes = store.stored_bytes(prefix) + store.decoded_bytes(prefix);
    return compute == Precision::F32 ? 2 * bytes : bytes;
}

}  // namespace ltx2
