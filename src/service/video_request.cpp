#include "service/video_request.h"

#include <CLI/CLI.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "app/generation_options.h"
#include "capi/generation.h"
#include "capi/status.h"
#include "core/error.h"
#include "io/media/image_io.h"
#include "service/api_error.h"

namespace ltx2::service {

namespace fs = std::filesystem;

namespace {

// Fields that are the command line's options of the same name.
const std::map<std::string, std::string> kValueOptions = {
    {"prompt", "--prompt"},
    {"negative_prompt", "--negative-prompt"},
    {"pipeline", "--pipeline"},
    {"width", "--width"},
    {"height", "--height"},
    {"num_frames", "--num-frames"},
    {"fps", "--fps"},
    {"seed", "--seed"},
    {"steps", "--steps"},
    {"video_cfg_guidance_scale", "--video-cfg-guidance-scale"},
    {"video_stg_guidance_scale", "--video-stg-guidance-scale"},
    {"video_rescale_scale", "--video-rescale-scale"},
    {"video_modality_scale", "--video-modality-scale"},
    {"audio_cfg_guidance_scale", "--audio-cfg-guidance-scale"},
    {"audio_stg_guidance_scale", "--audio-stg-guidance-scale"},
    {"audio_rescale_scale", "--audio-rescale-scale"},
    {"audio_modality_scale", "--audio-modality-scale"},
    {"audio_start_time", "--audio-start-time"},
    {"audio_max_duration", "--audio-max-duration"},
    {"start_time", "--start-time"},
    {"end_time", "--end-time"},
    {"enhance_max_tokens", "--enhance-max-tokens"},
};
const std::map<std::string, std::string> kFlagOptions = {{"enhance_prompt", "--enhance-prompt"},
                                                         {"enhance_greedy", "--enhance-greedy"},
                                                         {"keep_video", "--keep-video"},
                                                         {"keep_audio", "--keep-audio"}};
const std::map<std::string, std::string> kListOptions = {{"video_stg_blocks", "--video-stg-blocks"},
                                                         {"audio_stg_blocks", "--audio-stg-blocks"}};
// Uploads, and the option that takes the stored file.
const std::map<std::string, std::string> kFileOptions = {
    {"input_reference", "--image"}, {"input_audio", "--audio-path"}, {"input_video", "--video-path"}};
// The other fields: OpenAI's model / size / seconds, and the image's frame and strength.
const std::vector<std::string> kOtherFields = {"model", "size", "seconds", "image_frame", "image_strength"};

// The field an option of a message concerns ("--width" -> "width"); empty when it is none.
std::string field_of_option(const std::string& option) {
    static const std::map<std::string, std::string> aliases = {{"--frames", "num_frames"},
                                                               {"--frame-rate", "fps"},
                                                               {"--num-inference-steps", "steps"},
                                                               {"--a2v-guidance-scale", "video_modality_scale"}};
    if (const auto it = aliases.find(option); it != aliases.end()) return it->second;
    for (const auto* table : {&kValueOptions, &kFlagOptions, &kListOptions, &kFileOptions})
        for (const auto& [field, name] : *table)
            if (name == option) return field;
    return "";
}

// A message of the CLI's checks in the API's words: options become field names, the job's folder
// disappears from paths; the first field named is the error's param.
ApiError invalid_request(std::string message, const fs::path& folder) {
    for (std::string prefix = folder.string() + "/"; message.find(prefix) != std::string::npos;)
        message.erase(message.find(prefix), prefix.size());
    static const std::regex option("--[a-z0-9]+(-[a-z0-9]+)*");
    std::string out, param;
    auto begin = std::sregex_iterator(message.begin(), message.end(), option);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const std::string field = field_of_option(it->str());
        out += message.substr(last, size_t(it->position()) - last) + (field.empty() ? it->str() : field);
        last = size_t(it->position() + it->length());
        if (param.empty()) param = field;
    }
    out += message.substr(last);
    return ApiError(400, "invalid_value", out, param);
}

bool parse_bool(const std::string& value, const std::string& field) {
    if (value == "true" || value == "1") return true;
    if (value == "false" || value == "0") return false;
    throw ApiError(400, "invalid_value", fmt::format("{}: expected true or false, got '{}'", field, value), field);
}


std::string json_value_text(const nlohmann::json& v, const std::string& field) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
    if (v.is_number_float()) return fmt::format("{}", v.get<double>());
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) {
            if (!e.is_number() && !e.is_string())
                throw ApiError(400, "invalid_value", field + ": expected a list of numbers", field);
            out += (out.empty() ? "" : ",") + json_value_text(e, field);
        }
        return out;
    }
    throw ApiError(400, "invalid_value", field + ": expected a string, number, boolean or list", field);
}

std::string base64_decode(const std::string& text, const std::string& field) {
    std::string clean;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
    if (clean.size() % 4 != 0) throw ApiError(400, "invalid_value", field + ": the data URL's base64 is malformed", field);
    std::string out(clean.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(clean.data()), int(clean.size()));
    if (n < 0) throw ApiError(400, "invalid_value", field + ": the data URL's base64 is malformed", field);
    const size_t padding = clean.empty() ? 0 : size_t(clean.end()[-1] == '=') + size_t(clean.end()[-2] == '=');
    out.resize(size_t(n) - padding);
    return out;
}

// "data:<type>;base64,<bytes>" as an upload.
Upload upload_from_data_url(const std::string& url, const std::string& field) {
    static const std::regex data_url(R"(^data:([a-zA-Z0-9.+/-]*)(;[^,]*)?;base64,)");
    std::smatch m;
    if (!std::regex_search(url, m, data_url))
        throw ApiError(400, "invalid_value",
                       field + ": expected a file upload (multipart) or a data URL (data:<type>;base64,...); the "
                               "server fetches no URLs",
                       field);
    return {"", m[1].str(), base64_decode(url.substr(size_t(m.length(0))), field)};
}

// The stored file's name: the field and an extension from the upload's name or type (FFmpeg and
// the image decoder look at the bytes, the extension only helps people).
std::string stored_file_name(const std::string& field, const Upload& upload) {
    static const std::regex safe_extension(R"(\.([a-zA-Z0-9]{1,5})$)");
    std::smatch m;
    if (std::regex_search(upload.filename, m, safe_extension)) {
        std::string ext = m[1].str();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        return field + "." + ext;
    }
    const size_t slash = upload.content_type.find('/');
    std::string subtype = slash == std::string::npos ? "" : upload.content_type.substr(slash + 1);
    if (!std::regex_match(subtype, std::regex("[a-z0-9]{1,5}"))) subtype = "bin";
    return field + "." + subtype;
}

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out) fail("{}: cannot write the uploaded file", path.string());
}

}  // namespace

VideoForm form_from_json(const std::string& body) {
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) throw ApiError(400, "invalid_json", "the body is not a JSON object");
    VideoForm form;
    for (const auto& [name, value] : j.items()) {
        if (value.is_null()) continue;
        if (kFileOptions.count(name)) {
            if (!value.is_string())
                throw ApiError(400, "invalid_value", name + ": expected a data URL (data:<type>;base64,...)", name);
            form.files[name] = upload_from_data_url(value.get<std::string>(), name);
        } else {
            form.fields[name] = json_value_text(value, name);
        }
    }
    return form;
}

double parse_number(const std::string& value, const std::string& field) {
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != value.size() || !std::isfinite(v))
        throw ApiError(400, "invalid_value", fmt::format("{}: expected a number, got '{}'", field, value), field);
    return v;
}

VideoForm form_from_parts(const std::vector<std::pair<std::string, Upload>>& parts) {
    VideoForm form;
    for (const auto& [name, part] : parts) {
        if (kFileOptions.count(name) && part.filename.empty() && part.bytes.rfind("data:", 0) == 0)
            form.files[name] = upload_from_data_url(part.bytes, name);
        else if (kFileOptions.count(name) || !part.filename.empty())
            form.files[name] = part;
        else
            form.fields[name] = part.bytes;
    }
    return form;
}

VideoRequests::VideoRequests(Settings settings) : settings_(std::move(settings)) {}

Job VideoRequests::new_job(const VideoForm& form, const JobStore& store) const {
    for (const auto& [name, value] : form.fields) {
        const bool known = kValueOptions.count(name) || kFlagOptions.count(name) || kListOptions.count(name) ||
                           std::find(kOtherFields.begin(), kOtherFields.end(), name) != kOtherFields.end();
        if (!known) throw ApiError(400, "unknown_parameter", fmt::format("{}: not a field of this API", name), name);
        if (kFileOptions.count(name))
            throw ApiError(400, "invalid_value", name + ": expected a file upload or a data URL", name);
    }
    for (const auto& [name, upload] : form.files)
        if (!kFileOptions.count(name))
            throw ApiError(400, "unknown_parameter", fmt::format("{}: not a file field of this API", name), name);
    const auto prompt = form.fields.find("prompt");
    if (prompt == form.fields.end()) throw ApiError(400, "missing_field", "prompt: a prompt is required", "prompt");
    if (prompt->second.size() > settings_.max_prompt_chars)
        throw ApiError(400, "invalid_value",
                       fmt::format("prompt: {} bytes, more than the {} this server takes", prompt->second.size(),
                                   settings_.max_prompt_chars),
                       "prompt");
    if (const auto n = form.fields.find("negative_prompt");
        n != form.fields.end() && n->second.size() > settings_.max_prompt_chars)
        throw ApiError(400, "invalid_value",
                       fmt::format("negative_prompt: more than the {} bytes this server takes", settings_.max_prompt_chars),
                       "negative_prompt");
    if (const auto m = form.fields.find("model"); m != form.fields.end() && m->second != settings_.model_id)
        throw ApiError(400, "model_not_found",
                       fmt::format("model: '{}' is not served here; this server serves '{}'", m->second,
                                   settings_.model_id),
                       "model");

    Job job;
    job.id = new_job_id();
    job.model = settings_.model_id;
    job.created_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    job.request = form.fields;
    job.request.erase("model");
    store.create_folder(job.id);
    try {
        for (const auto& [name, upload] : form.files) {
            const std::string file = stored_file_name(name, upload);
            write_file(store.folder(job.id) / file, upload.bytes);
            job.request[name] = file;
        }
        GenerateRequest r = generate_request(job, store);
        // A random seed is drawn once: the job runs with the seed it reports.
        if (r.seed_drawn) job.request["seed"] = std::to_string(r.params.seed);
        try {
            check_generate_request(r);
        } catch (const Error& e) {
            throw invalid_request(e.what(), store.folder(job.id));
        }
        // The CLI reads images only when it generates; here a bad upload is refused at once.
        if (form.files.count("input_reference")) try {
                (void)read_image((store.folder(job.id) / job.request.at("input_reference")).string());
            } catch (const Error& e) {
                throw ApiError(400, "invalid_value", invalid_request(e.what(), store.folder(job.id)).what(),
                               "input_reference");
            }
        job.prompt = r.prompt;
        job.size = fmt::format("{}x{}", r.params.width, r.params.height);
        job.seconds = double(r.params.num_frames) / r.params.frame_rate;
        job.seed = r.params.seed;
        return job;
    } catch (...) {
        store.remove(job.id);
        throw;
    }
}

ltx2_options VideoRequests::generation_options(const Job& job, const JobStore& store) const {
    const fs::path folder = store.folder(job.id);
    const auto& fields = job.request;
    auto has = [&](const char* name) { return fields.count(name) > 0; };
    ltx2_options options;
    auto add = [&](const std::string& option, const std::optional<std::string>& value) {
        try {
            capi::set_option(options, option.c_str() + 2, value ? value->c_str() : nullptr);
        } catch (const capi::StatusError& e) {
            throw invalid_request(e.what(), folder);  // the command line's message for a value of the wrong type
        }
    };
    for (const auto& [name, value] : fields) {
        if (const auto it = kValueOptions.find(name); it != kValueOptions.end()) add(it->second, value);
        if (const auto it = kFlagOptions.find(name); it != kFlagOptions.end() && parse_bool(value, name))
            add(it->second, std::nullopt);
        if (const auto it = kListOptions.find(name); it != kListOptions.end()) {
            std::stringstream items(value);
            for (std::string item; std::getline(items, item, ',');) add(it->second, item);
        }
        if (const auto it = kFileOptions.find(name); it != kFileOptions.end() && name != "input_reference")
            add(it->second, (folder / value).string());
    }
    if (has("input_reference")) {
        const std::string frame = has("image_frame") ? fields.at("image_frame") : "0";
        const std::string strength = has("image_strength") ? fields.at("image_strength") : "1";
        parse_number(frame, "image_frame");
        parse_number(strength, "image_strength");
        add("--image", fmt::format("{}:{}:{}", (folder / fields.at("input_reference")).string(), frame, strength));
    } else {
        for (const char* name : {"image_frame", "image_strength"})
            if (has(name)) throw ApiError(400, "invalid_value", fmt::format("{}: only with input_reference", name), name);
    }
    if (has("size")) {
        static const std::regex size_pattern(R"(^([0-9]{1,5})x([0-9]{1,5})$)");
        std::smatch m;
        const std::string& size = fields.at("size");
        if (!std::regex_match(size, m, size_pattern))
            throw ApiError(400, "invalid_value", fmt::format("size: expected WIDTHxHEIGHT (e.g. 768x512), got '{}'", size),
                           "size");
        if (has("width") || has("height"))
            throw ApiError(400, "invalid_value", "size: give size or width and height, not both", "size");
        add("--width", m[1].str());
        add("--height", m[2].str());
    }
    if (has("seconds")) {
        if (has("num_frames"))
            throw ApiError(400, "invalid_value", "seconds: give seconds or num_frames, not both", "seconds");
        const double seconds = parse_number(fields.at("seconds"), "seconds");
        const double fps = has("fps") ? parse_number(fields.at("fps"), "fps") : GenerationParams{}.frame_rate;
        if (!(seconds > 0 && seconds <= 3600))
            throw ApiError(400, "invalid_value", fmt::format("seconds: expected a duration in (0, 3600], got {}", seconds),
                           "seconds");
        add("--num-frames", std::to_string(8 * std::llround(seconds * fps / 8) + 1));  // frame counts are 8k + 1
    }
    add("--output", (folder / kVideoFile).string());
    add("--audio-out", (folder / kAudioFile).string());
    add("--thumbnail", (folder / kThumbnailFile).string());
    return options;
}

GenerateRequest VideoRequests::generate_request(const Job& job, const JobStore& store) const {
    const ltx2_options options = generation_options(job, store);
    try {
        return capi::request_for(*settings_.context, options);
    } catch (const CLI::ParseError& e) {
        throw invalid_request(e.what(), store.folder(job.id));
    } catch (const Error& e) {
        throw invalid_request(e.what(), store.folder(job.id));
    } catch (const capi::StatusError& e) {
        throw invalid_request(e.what(), store.folder(job.id));
    }
}

}  // namespace ltx2::service
