#pragma once
// POST /v1/videos: the request's fields checked and turned into a job, and a job's stored fields
// turned into the GenerateRequest it runs. Fields become the command line's options of the same
// name (width -> --width, video_cfg_guidance_scale -> --video-cfg-guidance-scale, ...) and go
// through the CLI's own parsing and checks (check_generate_request), so a request is valid
// exactly when the same generation from the command line would be. Uploaded files are written
// into the job's folder under fixed names; no path from a request reaches the filesystem.
#include <map>
#include <string>
#include <vector>

#include "app/generate.h"
#include "service/job.h"
#include "service/job_store.h"

namespace ltx2::service {

struct Upload {
    std::string filename, content_type, bytes;
};

// The fields of a POST /v1/videos, as text, and its files.
struct VideoForm {
    std::map<std::string, std::string> fields;
    std::map<std::string, Upload> files;  // input_reference, input_audio, input_video
};

// `value` as a number, or ApiError (400) naming `field`.
double parse_number(const std::string& value, const std::string& field);

// A multipart body's parts as a form: parts with a file name (or a data URL in a file field) are
// files, the others text fields.
VideoForm form_from_parts(const std::vector<std::pair<std::string, Upload>>& parts);

// A JSON body as a form: numbers, booleans and arrays become text; data URLs of the file fields
// become files. Throws ApiError (400) naming the field.
VideoForm form_from_json(const std::string& body);

class VideoRequests {
public:
    struct Settings {
        GenerateRequest models;  // the server's model files, precision and memory budget
        bool demo = false;       // the demo model's small defaults apply
        std::string model_id;    // the `model` the server answers to
        size_t max_prompt_chars = 20000;
        const ModelCache* kept_models = nullptr;  // what the server keeps loaded between jobs
    };
    explicit VideoRequests(Settings settings);

    const std::string& model_id() const { return settings_.model_id; }

    // A new queued job for `form`: its folder holds the uploads; throws ApiError (400) naming the
    // field when the request is not valid (the folder is then removed again).
    Job new_job(const VideoForm& form, const JobStore& store) const;

    // What the job runs: outputs video.mp4, audio.wav and thumbnail.png in its folder.
    GenerateRequest generate_request(const Job& job, const JobStore& store) const;

private:
    Settings settings_;
};

}  // namespace ltx2::service
