#pragma once
// POST /v1/videos: the request's fields checked and turned into a job, and a job's stored fields
// turned into the generation it runs. Fields become the command line's options of the same name
// (width -> width, video_cfg_guidance_scale -> video-cfg-guidance-scale, ...), given to the C
// API's generation on the server's context, which parses and checks them as the command line
// does (check_generate_request), so a request is valid exactly when the same generation from the
// command line would be. Uploaded files are written
// into the job's folder under fixed names; no path from a request reaches the filesystem.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/generate.h"
#include "capi/context.h"
#include "capi/options.h"
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
        // The model options given to the server (model files, precision, threads, memory budget)
        // and the context made of them (open_models, service/server.h): the models kept between
        // jobs; the jobs run on it.
        ltx2_options model_options;
        std::shared_ptr<ltx2_context> context;
        std::string model_id;  // the `model` the server answers to
        size_t max_prompt_chars = 20000;
    };
    explicit VideoRequests(Settings settings);

    const std::string& model_id() const { return settings_.model_id; }

    // A new queued job for `form`: its folder holds the uploads; throws ApiError (400) naming the
    // field when the request is not valid (the folder is then removed again).
    Job new_job(const VideoForm& form, const JobStore& store) const;

    // What the job runs, as the C API's generation options: outputs video.mp4, audio.wav and
    // thumbnail.png in its folder. Throws ApiError (400) naming the field.
    ltx2_options generation_options(const Job& job, const JobStore& store) const;
    // The request those options make on the server's context (checked as the command line checks
    // its options, before anything is loaded). Throws ApiError (400) naming the field.
    GenerateRequest generate_request(const Job& job, const JobStore& store) const;

    ltx2_context& context() const { return *settings_.context; }

private:
    Settings settings_;
};

}  // namespace ltx2::service
