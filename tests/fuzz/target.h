#pragma once
// One fuzz target of ltx2-fuzz: the seed inputs it starts from and everything a consumer could
// read from an input file. exercise() lets only ltx2::Error escape from the code under test
// (the driver treats any other exception as a failure).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "fuzz/mutator.h"

namespace ltx2::fuzz {

struct Outcome {
    bool opened = false;  // the input was accepted as a whole
    size_t items = 0;     // tensors, samples, tokens... read from it
};

struct Target {
    const char* name;
    const char* extension;  // of the file the input is written to (".gguf")
    std::vector<Seed> (*seeds)(const std::filesystem::path& work);  // the built-in ones
    // A seed from a file given on the command line (field positions found where it parses).
    Seed (*analyze)(std::string name, Bytes bytes, const std::filesystem::path& work);
    Outcome (*exercise)(const std::string& path, const std::filesystem::path& work);
};

// Runs fn, swallowing ltx2::Error (the expected answer to a malformed input).
template <class Fn>
void allowing_errors(Fn&& fn) {
    try {
        fn();
    } catch (const Error&) {
    }
}

// A safetensors file as a seed: its 8-byte header length a field, its JSON header edited
// structurally (the length kept in step, mostly).
Seed safetensors_seed(std::string name, Bytes bytes, const std::filesystem::path& work = {});

const Target& gguf_target();
const Target& safetensors_target();
const Target& tokenizer_target();
const Target& config_target();
const Target& lora_target();
const Target& wav_target();
const Target& image_target();
const Target& hub_target();

}  // namespace ltx2::fuzz
