/*
 * ltx2.cpp's C API: LTX-2 audio + video generation embedded in another program.
 *
 * A context holds the model files (and keeps models loaded between its generations); each
 * generation takes its parameters as options and returns a result. Options are the `ltx2`
 * command line's own long options, named without the dashes ("prompt", "frames", "model-dir",
 * ...), parsed and checked exactly as the command line parses and checks them:
 *
 *     ltx2_options* model = ltx2_options_create();
 *     ltx2_options_set(model, "demo", NULL);
 *     ltx2_context* context = NULL;
 *     if (ltx2_context_create(model, &context) != LTX2_OK) fprintf(stderr, "%s\n", ltx2_last_error());
 *
 * Errors: every call that can fail returns an ltx2_status; ltx2_last_error() then gives the
 * message, which names the option or file and what was expected.
 *
 * Threads: the calls on different contexts may run at the same time on different threads. One
 * context runs one ltx2_generate at a time: a second call while one runs returns LTX2_ERROR_BUSY
 * at once (it does not wait). ltx2_cancel may be called from any thread at any time while the
 * context exists. An ltx2_options object may be read by several calls at once (ltx2_generate and
 * ltx2_context_create only read it, during the call), but not changed or freed while one of them
 * reads it. Results are independent objects: any thread may read or free them.
 *
 * Ownership: what a _create or ltx2_generate call hands out, the caller frees with the matching
 * _free call (each accepts NULL). Strings and pointers returned by the accessors belong to the
 * object they were read from and live as long as it does; ltx2_version and ltx2_status_name return
 * static strings. No C++ exception crosses this API.
 *
 * The engine's warnings (e.g. a memory budget that was exceeded) are printed on stderr.
 */
#ifndef LTX2_LTX2_H
#define LTX2_LTX2_H

#include <stdint.h>

/* Bumped when a declaration here changes in a way that existing callers must notice. */
#define LTX2_API_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/* The engine's version, as `ltx2 --version` prints it (LTX2_VERSION_STRING of ltx2/version.h). */
const char* ltx2_version(void);

typedef enum ltx2_status {
    LTX2_OK = 0,
    /* A NULL argument, an unknown option, a value an option does not take, an option given to the
     * wrong call, a bad $LTX2_CPU_ISA (ltx2_context_create), or a generation request that the
     * model files cannot run (sizes, frame count, inputs, outputs): found before any model is
     * loaded. */
    LTX2_ERROR_INVALID_ARGUMENT = 1,
    /* The model files were not found (every place looked at is listed in the message), or the
     * demo model could not be written. */
    LTX2_ERROR_MODEL_FILES = 2,
    /* The generation was cancelled (ltx2_cancel, or the progress callback returned non-zero)
     * before it wrote any output. */
    LTX2_ERROR_CANCELLED = 3,
    /* Memory could not be allocated. */
    LTX2_ERROR_OUT_OF_MEMORY = 4,
    /* The context is running another generation. */
    LTX2_ERROR_BUSY = 5,
    /* The request was valid, but the generation failed while it ran: a model file that does not
     * load (a missing or misshapen tensor), an input that does not decode, an output that cannot
     * be written (disk full, ...). No output was left behind. */
    LTX2_ERROR_GENERATION_FAILED = 6,
    /* A failure the engine does not expect (a bug): please report the message. */
    LTX2_ERROR_INTERNAL = 7
} ltx2_status;

/* "LTX2_OK", "LTX2_ERROR_INVALID_ARGUMENT", ...; "unknown status" for other values. */
const char* ltx2_status_name(ltx2_status status);

/* The message of the last call on this thread that failed ("" when none has): valid until the
 * next failing call on this thread. Successful calls leave it as it is. */
const char* ltx2_last_error(void);

/* ---- options -------------------------------------------------------------------------------- */

typedef struct ltx2_options ltx2_options;

/* An empty set of options; NULL when out of memory. */
ltx2_options* ltx2_options_create(void);

/* Sets the option `name`, a long option of the `ltx2` command line without its dashes ("prompt",
 * "frames", "seed", "width", "image", "lora", "pipeline", "output", "model-dir", "demo", ...; the
 * aliases work too: "num-frames"); `value` is NULL for a flag ("demo", "enhance-prompt", ...).
 * The options that take a list ("image", "lora", "video-conditioning", "distilled-lora",
 * "video-stg-blocks", "audio-stg-blocks") add one item per call; the others replace the value
 * set before. An image is "PATH[:FRAME[:STRENGTH]]", a LoRA "PATH[:STRENGTH]".
 *
 * One option exists only here: "in-memory" (a flag of ltx2_generate): the result holds the
 * decoded frames and audio (ltx2_result_pixels, ltx2_result_audio); the file outputs ("output",
 * "frames-dir", "audio-out", "thumbnail") are then optional. The command line's progress stream ("progress",
 * "progress-fd") is not available: progress comes to the callback of ltx2_generate.
 *
 * An unknown name, or a value the option's type does not take ("width" "abc"), fails at once with
 * LTX2_ERROR_INVALID_ARGUMENT; the other checks of a value ("frames" "10": not 8k + 1) come when
 * the options are used. */
ltx2_status ltx2_options_set(ltx2_options* options, const char* name, const char* value);

void ltx2_options_free(ltx2_options* options);

/* ---- context ---------------------------------------------------------------------------------- */

typedef struct ltx2_context ltx2_context;

/* A context for the model files that `model_options` choose: the options of the command line's
 * "Models" group ("demo", "model-dir", "checkpoint", "gemma", "transformer", "text-projection",
 * "video-vae", "audio-vae", "duration-head", "spatial-upsampler", "spatial-upscale",
 * "distilled-lora", "ic-lora", "checkpoint-precision", "precision", "threads",
 * "memory-budget"); `model_options` may be NULL (the model files are then looked for in
 * $LTX2_MODEL_DIR and the Hugging Face cache, as the command line does). A generation option
 * ("prompt", ...) here fails: it belongs to ltx2_generate.
 *
 * "demo" writes the built-in tiny demo model on first use (into $LTX2_DEMO_DIR when set, else
 * ~/.cache/ltx2). The model files are looked for here, without loading any weights: the call fails
 * with LTX2_ERROR_MODEL_FILES when no pipeline finds all of its files. The memory budget (the
 * "memory-budget" option, else 90% of the memory available now) is fixed here; the models that
 * generations load are kept within it for the next generations, and freed with the context.
 * "threads" applies to the thread that calls ltx2_generate, during the call.
 *
 * On success *out is the new context; on failure it is NULL. */
ltx2_status ltx2_context_create(const ltx2_options* model_options, ltx2_context** out);

/* Frees the context and the models it keeps. Not while an ltx2_generate on it runs. */
void ltx2_context_free(ltx2_context* context);

/* Cancels the ltx2_generate running on `context`, from any thread: it stops at its next check
 * (before each stage, after each denoising step) and returns LTX2_ERROR_CANCELLED without writing
 * any output. Without a running generation it does nothing (the next one is not cancelled); a
 * cancel that comes after the last check (the outputs are being written) has no effect and the
 * generation returns LTX2_OK. */
void ltx2_cancel(ltx2_context* context);

/* ---- generation ------------------------------------------------------------------------------- */

typedef struct ltx2_progress {
    /* The stage that runs: "resolve models", "check decoders", "encode text", "load transformer",
     * "denoise stage1", "upsample x2", "decode video", "decode audio", "write outputs", ...; "done"
     * in the last call. */
    const char* stage;
    /* Within a denoising stage: the step just finished, of `steps`; 0 and 0 elsewhere. */
    int step;
    int steps;
    /* How far the generation has come, 0 to 1, never decreasing; 1 only in the last call, made
     * once the outputs are written. */
    double fraction;
    /* Seconds since the generation started. */
    double elapsed_seconds;
} ltx2_progress;

/* Called on the generating thread when a stage begins, after each denoising step, and once at the
 * end ("done", fraction 1). `progress` and its strings live until the callback returns. Returning
 * non-zero cancels the generation as ltx2_cancel does (the return value of the last call is
 * ignored: the outputs are written by then). */
typedef int (*ltx2_progress_fn)(const ltx2_progress* progress, void* user_data);

typedef struct ltx2_result ltx2_result;

/* One generation with the models of `context`: `params` are the generation options of the command
 * line ("prompt" or "prompt-file", "negative-prompt", "pipeline", "width", "height", "frames",
 * "fps", "steps", "seed", the guidance scales, "image", "lora", "video-conditioning",
 * "audio-path", "video-path", the retake span, "enhance-prompt", the outputs "output",
 * "frames-dir", "audio-out", "thumbnail", "sidecar", "crf", "preset") and "in-memory". With the "demo" model the
 * demo's small defaults apply to what is not given, as with `ltx2 --demo`. A model option here
 * fails: it belongs to ltx2_context_create.
 *
 * Everything that can be checked without loading a model is checked first (LTX2_ERROR_INVALID_ARGUMENT,
 * LTX2_ERROR_MODEL_FILES). Outputs are written under temporary names and renamed into place when
 * complete: a generation that fails or is cancelled leaves none. `progress` may be NULL.
 *
 * On success *out is the result (free it with ltx2_result_free); on failure it is NULL. */
ltx2_status ltx2_generate(ltx2_context* context, const ltx2_options* params, ltx2_progress_fn progress,
                          void* user_data, ltx2_result** out);

void ltx2_result_free(ltx2_result* result);

/* The MP4 written ("output" as given), or "" when none was. */
const char* ltx2_result_output(const ltx2_result* result);
/* The video: frame count, size in pixels, frames per second (a retake's: its source's). */
int64_t ltx2_result_frame_count(const ltx2_result* result);
int64_t ltx2_result_width(const ltx2_result* result);
int64_t ltx2_result_height(const ltx2_result* result);
double ltx2_result_fps(const ltx2_result* result);
/* The audio: samples per channel, samples per second, channels (2: stereo). */
int64_t ltx2_result_audio_sample_count(const ltx2_result* result);
int ltx2_result_audio_sample_rate(const ltx2_result* result);
int ltx2_result_audio_channels(const ltx2_result* result);
/* The model that generated it, e.g. "LTX-2 (19B)". */
const char* ltx2_result_model(const ltx2_result* result);
/* The seed used (the one drawn for "seed" "random": repeating it repeats the generation). */
uint64_t ltx2_result_seed(const ltx2_result* result);
/* With "in-memory": the frames, RGB [frame_count][height][width][3], and the audio, interleaved
 * [audio_sample_count][audio_channels] in [-1, 1]; NULL without "in-memory". */
const uint8_t* ltx2_result_pixels(const ltx2_result* result);
const float* ltx2_result_audio(const ltx2_result* result);

#ifdef __cplusplus
}
#endif

#endif /* LTX2_LTX2_H */
