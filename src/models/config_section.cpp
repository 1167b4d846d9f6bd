#include "models/config_section.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

using nlohmann::json;

namespace {

bool py_equal(const json& a, const json& b) {
    auto numeric = [](const json& v) { return v.is_number() || v.is_boolean(); };
    auto as_double = [](const json& v) { return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>(); };
    if (numeric(a) && numeric(b)) return as_double(a) == as_double(b);
    return a == b;
}

}  // namespace

ConfigSection ConfigSection::of(const json& config, const std::string& path, const std::string& source,
                                bool required, const std::string& what_it_is) {
    if (!config.is_object()) fail("{}: the `config` metadata is not a JSON object", source);
    const json* node = &config;
    static const json kEmpty = json::object();
    std::string walked;
    size_t start = path.empty() ? 1 : 0;  // "": the config object itself
    while (start <= path.size()) {
        const size_t end = std::min(path.find('.', start), path.size());
        const std::string key = path.substr(start, end - start);
        walked += (walked.empty() ? "" : ".") + key;
        auto it = node->find(key);
        if (it == node->end() || it->is_null()) {
            if (required)
                fail("{}: the `config` metadata has no '{}' object{}", source, walked,
                     what_it_is.empty() ? "" : fmt::format(" (not {}?)", what_it_is));
            node = &kEmpty;
            break;
        }
        if (!it->is_object()) fail("{}: config key '{}' is {}, expected an object", source, walked, it->dump());
        node = &*it;
        start = end + 1;
    }
    return ConfigSection(*node, path, std::make_shared<const std::string>(source));
}

ConfigSection::ConfigSection(const json& section, std::string path, std::shared_ptr<const std::string> source)
    : s_(std::make_shared<const json>(section)), path_(std::move(path)), source_(std::move(source)) {}

ConfigSection ConfigSection::section(const std::string& key, bool required) const {
    const json& v = raw(key);
    if (v.is_null()) {
        if (required) fail("{}: the `config` metadata has no '{}' object", source(), full_key(key));
        return ConfigSection(json::object(), full_key(key), source_);
    }
    if (!v.is_object()) reject(key, v, "an object");
    return ConfigSection(v, full_key(key), source_);
}

bool ConfigSection::has(const std::string& key) const {
    auto it = s_->find(key);
    return it != s_->end() && !it->is_null();
}

const json& ConfigSection::raw(const std::string& key) const {
    read_->insert(key);
    static const json kNull;
    auto it = s_->find(key);
    return it == s_->end() ? kNull : *it;
}

int ConfigSection::integer(const std::string& key, int fallback, int min_value) const {
    const json& v = raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()))
        reject(key, v, "an integer");
    const double d = v.get<double>();
    if (d < min_value || d > 1e9) reject(key, v, fmt::format("an integer >= {}", min_value));
    return int(d);
}

double ConfigSection::number(const std::string& key, double fallback, bool positive) const {
    const json& v = raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_number() || !std::isfinite(v.get<double>())) reject(key, v, "a number");
    const double d = v.get<double>();
    if (positive && !(d > 0)) reject(key, v, "a positive number");
    return d;
}

bool ConfigSection::boolean(const std::string& key, bool fallback) const {
    const json& v = raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_boolean()) reject(key, v, "true or false");
    return v.get<bool>();
}

std::string ConfigSection::string(const std::string& key, const std::string& fallback) const {
    const json& v = raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_string()) reject(key, v, "a string");
    return v.get<std::string>();
}

std::string ConfigSection::choice(const std::string& key, const std::string& fallback,
                                  std::initializer_list<const char*> allowed) const {
    const json& v = raw(key);
    if (v.is_null()) return fallback;
    std::string names;
    for (const char* a : allowed) {
        names += std::string(names.empty() ? "" : ", ") + "\"" + a + "\"";
        if (v.is_string() && v.get<std::string>() == a) return a;
    }
    reject(key, v, "one of " + names);
}

std::vector<double> ConfigSection::numbers(const std::string& key, std::vector<double> fallback, size_t n) const {
    const json& v = raw(key);
    if (v.is_null()) return fallback;
    bool ok = v.is_array() && (n == 0 ? !v.empty() : v.size() == n);
    std::vector<double> out;
    if (ok)
        for (const json& e : v) {
            if (!e.is_number() || !(e.get<double>() > 0)) ok = false;
            else out.push_back(e.get<double>());
        }
    if (!ok) reject(key, v, n == 0 ? "a list of positive numbers" : fmt::format("a list of {} positive numbers", n));
    return out;
}

void ConfigSection::check(const std::string& key, const json& expected, const std::string& why) const {
    const json& actual = raw(key);
    if (!py_equal(actual, expected))
        fail("{}: config key '{}' is {}, expected {} ({})", source(), full_key(key), actual.dump(), expected.dump(),
             why.empty() ? "the only value supported" : why);
}

void ConfigSection::known(std::initializer_list<const char*> keys) const {
    for (const char* k : keys) read_->insert(k);
}

void ConfigSection::known(const std::vector<std::string>& keys) const {
    for (const std::string& k : keys) read_->insert(k);
}

void ConfigSection::reject_unknown() const {
    std::vector<std::string> unknown;
    for (const auto& [key, value] : s_->items())
        if (!read_->count(key)) unknown.push_back(key);
    if (unknown.empty()) return;
    std::string list;
    for (size_t i = 0; i < unknown.size() && i < 5; ++i) list += (i ? ", '" : "'") + full_key(unknown[i]) + "'";
    if (unknown.size() > 5) list += fmt::format(" and {} more", unknown.size() - 5);
    fail("{}: unknown config key{} {}: this build does not know what {} means (a newer model version?), so it "
         "refuses the file rather than misread it",
         source(), unknown.size() > 1 ? "s" : "", list, unknown.size() > 1 ? "they mean" : "it means");
}

void ConfigSection::reject(const std::string& key, const json& value, const std::string& expected) const {
    fail("{}: config key '{}' is {}, expected {}", source(), full_key(key), value.dump(), expected);
}

}  // namespace ltx2
