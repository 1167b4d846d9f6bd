#include "models/gemma3/tokenizer_json_reader.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/storage.h"

namespace ltx2 {

namespace {

using nlohmann::json;

class TablesReader final : public nlohmann::json_sax<json> {
public:
    TablesReader(const std::string& path, TokenizerJsonTables& out) : path_(path), out_(out) {}

    bool null() override { return value(nullptr); }
    bool boolean(bool v) override { return value(v); }
    bool number_integer(number_integer_t v) override {
        if (mode_ == Mode::Vocab) fail("{}: model.vocab[\"{}\"] = {}: ids must not be negative", path_, key_, v);
        return value(v);
    }
    bool number_unsigned(number_unsigned_t v) override {
        if (mode_ == Mode::Vocab) {
            out_.vocab.emplace_back(std::move(key_), v);
            return true;
        }
        return value(v);
    }
    bool number_float(number_float_t v, const string_t&) override { return value(v); }
    bool binary(binary_t&) override { return value(nullptr); }  // not produced by JSON text

    bool string(string_t& s) override {
        if (mode_ == Mode::MergePair) {
            LTX2_CHECK(pair_parts_ < 2, "{}: model.merges[{}] has more than two entries", path_, merge_index());
            add_merge_part(s);
            ++pair_parts_;
            return true;
        }
        if (mode_ == Mode::Merges) {  // the older "left right" form
            const size_t space = s.find(' ');
            LTX2_CHECK(space != std::string::npos && s.find(' ', space + 1) == std::string::npos,
                       "{}: model.merges[{}] = \"{}\": expected two tokens separated by one space", path_,
                       merge_index(), s);
            add_merge_part(std::string_view(s).substr(0, space));
            add_merge_part(std::string_view(s).substr(space + 1));
            return true;
        }
        return value(std::move(s));
    }

    bool key(string_t& k) override {
        key_ = std::move(k);
        return true;
    }

    bool start_object(std::size_t) override {
        if (at_model_member("vocab")) {
            mode_ = Mode::Vocab;
            out_.has_vocab = true;
            return true;
        }
        return open(json::object());
    }
    bool end_object() override {
        if (mode_ == Mode::Vocab) {
            mode_ = Mode::Dom;
            return true;
        }
        stack_.pop_back();
        return true;
    }
    bool start_array(std::size_t) override {
        if (mode_ == Mode::Merges) {
            mode_ = Mode::MergePair;
            pair_parts_ = 0;
            return true;
        }
        if (at_model_member("merges")) {
            mode_ = Mode::Merges;
            out_.has_merges = true;
            return true;
        }
        return open(json::array());
    }
    bool end_array() override {
        if (mode_ == Mode::MergePair) {
            LTX2_CHECK(pair_parts_ == 2, "{}: model.merges[{}] has {} entries, expected a pair of token texts", path_,
                       merge_index(), pair_parts_);
            mode_ = Mode::Merges;
            return true;
        }
        if (mode_ == Mode::Merges) {
            mode_ = Mode::Dom;
            return true;
        }
        stack_.pop_back();
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
        fail("{}: not valid JSON (truncated or corrupt?) at byte {}: {}", path_, position, e.what());
    }

private:
    enum class Mode { Dom, Vocab, Merges, MergePair };

    struct Frame {
        json* container;
        std::string name;  // key in the parent object ("" for array elements and the root)
    };

    bool at_model_member(std::string_view member) const {
        return mode_ == Mode::Dom && stack_.size() == 2 && stack_[1].name == "model" && key_ == member;
    }

    size_t merge_index() const { return out_.merge_count() - (mode_ == Mode::MergePair ? pair_parts_ / 2 : 0); }

    void add_merge_part(std::string_view part) {
        LTX2_CHECK(out_.merge_text.size() + part.size() < std::numeric_limits<uint32_t>::max(),
                   "{}: model.merges is larger than 4 GiB", path_);
        out_.merge_starts.push_back(uint32_t(out_.merge_text.size()));
        out_.merge_text.append(part);
    }

    // Stores a value at the current place of the document; returns where it went.
    json* place(json&& v) {
        if (mode_ != Mode::Dom) {
            const std::string where = mode_ == Mode::Vocab ? fmt::format("model.vocab[\"{}\"]", key_)
                                                           : fmt::format("model.merges[{}]", merge_index());
            fail("{}: {} must be {}, got {}", path_, where,
                 mode_ == Mode::Vocab ? "a non-negative integer id" : "a pair of token texts", v.type_name());
        }
        if (stack_.empty()) {
            LTX2_CHECK(v.is_object(), "{}: the top level must be a JSON object, got {}", path_, v.type_name());
            out_.document = std::make_shared<json>(std::move(v));
            return out_.document.get();
        }
        json& parent = *stack_.back().container;
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        json& slot = parent[key_];
        slot = std::move(v);
        return &slot;
    }
    bool value(json&& v) {
        place(std::move(v));
        return true;
    }
    bool open(json&& container) {
        std::string name = !stack_.empty() && stack_.back().container->is_object() ? key_ : std::string();
        json* where = place(std::move(container));
        stack_.push_back({where, std::move(name)});
        return true;
    }

    const std::string& path_;
    TokenizerJsonTables& out_;
    Mode mode_ = Mode::Dom;
    std::vector<Frame> stack_;
    std::string key_;
    int pair_parts_ = 0;
};

}  // namespace

TokenizerJsonTables read_tokenizer_json(const std::string& path) {
    TokenizerJsonTables tables;
    {
        const MappedFile file(path);
        const auto* begin = reinterpret_cast<const char*>(file.data());
        TablesReader reader(path, tables);
        json::sax_parse(begin, begin + file.size(), &reader);
    }
    tables.merge_text.shrink_to_fit();
    return tables;
}

}  // namespace ltx2
