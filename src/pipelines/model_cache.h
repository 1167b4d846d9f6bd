#pragma once
// Models kept loaded between generations (`ltx2 serve`), within a byte capacity: a model is
// asked for by a key naming everything its weights depend on (files and their identity,
// precision, fused LoRAs); a later request with the same key gets the same object. Before a load,
// the models used longest ago are dropped until the new one fits next to the rest; a model larger
// than the capacity is loaded and handed out but not kept. Capacity 0 keeps nothing, so every
// request loads and the model is freed when its user drops it (the one-shot CLI).
//
// Sizes are estimates given by the caller (see held_bytes_estimate): bytes the model holds,
// counting file-backed views of a mapped checkpoint as held, since they become resident.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "core/precision.h"

namespace ltx2 {

class WeightStore;

class ModelCache {
public:
    explicit ModelCache(size_t capacity_bytes = 0) : capacity_(capacity_bytes) {}
    ModelCache(const ModelCache&) = delete;
    ModelCache& operator=(const ModelCache&) = delete;

    // The model kept under `key`, or load() (a callable returning std::shared_ptr<const T>);
    // estimate() gives its bytes, asked only when it loads (opening a store costs I/O).
    template <class T, class Estimate, class Load>
    std::shared_ptr<const T> get(const std::string& key, Estimate&& estimate, Load&& load) {
        if (auto kept = find(key, typeid(T))) return std::static_pointer_cast<const T>(kept);
        const size_t bytes = estimate();
        make_room(bytes);
        std::shared_ptr<const T> model = load();
        keep(key, model, bytes, typeid(T));
        return model;
    }

    bool holds(const std::string& key) const;
    // Drops the models used longest ago until `bytes` more fit the capacity (a model still in
    // use elsewhere is freed when that user drops it).
    void make_room(size_t bytes);
    void clear();

    struct Stats {
        uint64_t hits = 0, loads = 0, evictions = 0;
        size_t held_bytes = 0, capacity_bytes = 0;
        std::vector<std::string> held;  // keys, most recently used first
    };
    Stats stats() const;

private:
    struct Entry {
        std::string key;
        std::shared_ptr<const void> model;
        size_t bytes = 0;
        const std::type_info* type = nullptr;
    };
    std::shared_ptr<const void> find(const std::string& key, const std::type_info& type);
    void keep(const std::string& key, std::shared_ptr<const void> model, size_t bytes, const std::type_info& type);
    void drop_until_fits(size_t bytes);  // mutex_ held

    const size_t capacity_;
    mutable std::mutex mutex_;
    std::list<Entry> entries_;  // most recently used first
    size_t held_ = 0;
    uint64_t hits_ = 0, loads_ = 0, evictions_ = 0;
};

// cache->get(key, estimate, load), or load() when there is no cache.
template <class T, class Estimate, class Load>
std::shared_ptr<const T> load_through(ModelCache* cache, const std::string& key, Estimate&& estimate, Load&& load) {
    return cache ? cache->get<T>(key, std::forward<Estimate>(estimate), std::forward<Load>(load))
                 : std::shared_ptr<const T>(load());
}

// Identity of model files for a cache key: each path with its size and modification time (a
// folder: its regular files), so a file replaced on disk is loaded again.
std::string files_identity(const std::vector<std::string>& paths);

// Bytes a model loaded from `store` holds: the tensors under `prefix` as stored plus the copies
// decoded from quantized ones; doubled for a model computing in F32 (BF16 weights widened to
// F32 copies).
size_t held_bytes_estimate(const WeightStore& store, const std::string& prefix,
                           Precision compute = Precision::BF16);

}  // namespace ltx2
