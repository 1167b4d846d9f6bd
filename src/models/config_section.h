#pragma once
// One section of a checkpoint's `config` metadata (e.g. `transformer`, `vae`, `vocoder.bwe`),
// read the way every model's configurator reads it: typed values with the reference's
// defaults for absent (or null) keys, fixed-value checks, and a final check that the section
// holds no key the engine does not know, so that a newer file is refused rather than misread.
// Errors name the file and the full key ("FILE: config key 'vae.dims' ...").
#include <initializer_list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

class ConfigSection {
public:
    // `config.<path>` (path "transformer" or "vocoder.bwe"; "" for a file whose config is one
    // flat object, like the upsamplers'). An absent section reads as empty
    // unless `required`, which fails naming `what_it_is` (e.g. "an LTX-2 video VAE checkpoint").
    static ConfigSection of(const nlohmann::json& config, const std::string& path, const std::string& source,
                            bool required = false, const std::string& what_it_is = "");
    // A nested object of this section (`key` marked as read); absent reads as empty.
    ConfigSection section(const std::string& key, bool required = false) const;

    const std::string& source() const { return *source_; }
    const std::string& path() const { return path_; }
    std::string full_key(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

    bool has(const std::string& key) const;  // present and not null (does not mark it read)
    const nlohmann::json& raw(const std::string& key) const;  // marks read; null when absent

    int integer(const std::string& key, int fallback, int min_value = 1) const;
    double number(const std::string& key, double fallback, bool positive = true) const;
    bool boolean(const std::string& key, bool fallback) const;
    std::string string(const std::string& key, const std::string& fallback) const;
    std::string choice(const std::string& key, const std::string& fallback,
                       std::initializer_list<const char*> allowed) const;
    // A list of `n` positive numbers (n = 0: any non-empty length).
    std::vector<double> numbers(const std::string& key, std::vector<double> fallback, size_t n) const;
    // The reference's check_config_value: the key must equal `expected` (absent reads as null;
    // numbers and booleans compare by value, as Python's ==).
    void check(const std::string& key, const nlohmann::json& expected, const std::string& why = "") const;

    // Keys the engine knows but does not need (metadata, settings of other tools, values
    // another component reads): accepted by reject_unknown().
    void known(std::initializer_list<const char*> keys) const;
    void known(const std::vector<std::string>& keys) const;
    // Fails naming the file and the keys no read or known() covered.
    void reject_unknown() const;

    [[noreturn]] void reject(const std::string& key, const nlohmann::json& value, const std::string& expected) const;

private:
    ConfigSection(const nlohmann::json& section, std::string path, std::shared_ptr<const std::string> source);
    std::shared_ptr<const nlohmann::json> s_;
    std::string path_;
    std::shared_ptr<const std::string> source_;
    std::shared_ptr<std::set<std::string>> read_ = std::make_shared<std::set<std::string>>();
};

}  // namespace ltx2
