#pragma once
// A small tokenizer.json in the format of Gemma 3's: a, b, c and their merges, "▁" runs, byte
// tokens for "é" only, added tokens <x> and <xy>. Used by the tokenizer tests and fuzz/tokenizer.
#include <nlohmann/json.hpp>

namespace ltx2::test {

inline nlohmann::json small_tokenizer() {
    using nlohmann::json;
    const auto added = [](int id, const char* content, bool special) {
        return json{{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
                    {"rstrip", false}, {"normalized", false}, {"special", special}};
    };
    return json{{"version", "1.0"},
                {"added_tokens",
                 {added(0, "<pad>", true), added(1, "<bos>", true), added(2, "<unk>", true), added(14, "<x>", false),
                  added(15, "<xy>", false)}},
                {"normalizer", {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}},
                {"pre_tokenizer", nullptr},
                {"model",
                 {{"type", "BPE"},
                  {"dropout", nullptr},
                  {"unk_token", "<unk>"},
                  {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr},
                  {"fuse_unk", true},
                  {"byte_fallback", true},
                  {"ignore_merges", false},
                  {"vocab",
                   {{"<pad>", 0},
                    {"<bos>", 1},
                    {"<unk>", 2},
                    {"<0xC3>", 3},
                    {"<0xA9>", 4},
                    {"a", 5},
                    {"b", 6},
                    {"c", 7},
                    {"ab", 8},
                    {"bc", 9},
                    {"abc", 10},
                    {"\u2581", 11},
                    {"\u2581a", 12},
                    {"aa", 13},
                    {"<x>", 14}}},
                  {"merges", json::array({json::array({"b", "c"}), json::array({"a", "b"}), json::array({"a", "bc"}),
                                          json::array({"\u2581", "a"}), json::array({"a", "a"})})}}}};
}

}  // namespace ltx2::test
