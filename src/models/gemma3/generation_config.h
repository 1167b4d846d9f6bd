#pragma once
// The sampling settings a Hugging Face model folder ships in generation_config.json (Gemma 3
// instruct: eos_token_id [1, 106], top_k 64, top_p 0.95). Absent keys stay unset; a present key
// of the wrong kind fails naming the file and the key.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ltx2 {

struct GenerationConfig {
    std::vector<int64_t> eos_token_ids;  // eos_token_id: one id or a list
    std::optional<int> top_k;
    std::optional<double> top_p;
    std::optional<double> temperature;
};

// FOLDER/generation_config.json; an empty config when the file does not exist.
GenerationConfig load_generation_config(const std::string& folder);
GenerationConfig parse_generation_config(const std::string& json_text, const std::string& source);

}  // namespace ltx2
