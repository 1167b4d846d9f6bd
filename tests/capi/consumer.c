/* A C program using the C API (include/ltx2/ltx2.h) as an embedding program would: built as C11
 * with -Wall -Wextra -Werror -pedantic, run by ctest as capi/consumer. It makes a context on the
 * demo model (written into a fresh temporary folder through $LTX2_DEMO_DIR), generates with it and
 * checks the results, the progress calls, cancellation, the BUSY answer and the errors. Any failed
 * check is printed; the exit code is 1 when one failed. */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv, nftw */

#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ltx2/ltx2.h"
#include "ltx2/version.h"

static int checks_failed = 0;

#define CHECK(condition, ...)                                                                  \
    do {                                                                                       \
        if (!(condition)) {                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n    ", __FILE__, __LINE__, #condition); \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fprintf(stderr, "\n");                                                             \
            ++checks_failed;                                                                   \
        }                                                                                      \
    } while (0)

/* Checks that `status` is `expected` and that the last error contains each of `parts` (NULL-ended). */
#define CHECK_FAILS(status, expected, ...) check_fails((status), (expected), __LINE__, __VA_ARGS__, (const char*)NULL)

/* A pointer that is not NULL, for the *out arguments a failed call must set to NULL. */
static char not_null_target;
#define NOT_NULL ((void*)&not_null_target)

static void check_fails(ltx2_status status, ltx2_status expected, int line, ...) {
    const char* message = ltx2_last_error();
    va_list parts;
    const char* part;
    if (status != expected) {
        fprintf(stderr, "%s:%d: check failed: status %s, expected %s (last error: %s)\n", __FILE__, line,
                ltx2_status_name(status), ltx2_status_name(expected), message);
        ++checks_failed;
        return;
    }
    va_start(parts, line);
    while ((part = va_arg(parts, const char*)) != NULL) {
        if (strstr(message, part) == NULL) {
            fprintf(stderr, "%s:%d: check failed: the message does not name '%s': %s\n", __FILE__, line, part, message);
            ++checks_failed;
        }
    }
    va_end(parts);
}

typedef struct {
    const char* name;
    const char* value; /* NULL: a flag */
} setting;

/* The options of `settings`, ended by a setting with a NULL name; each must be accepted. */
static ltx2_options* options_of(const setting* settings) {
    ltx2_options* options = ltx2_options_create();
    if (options == NULL) {
        fprintf(stderr, "ltx2_options_create failed: %s\n", ltx2_last_error());
        exit(1);
    }
    for (; settings->name != NULL; ++settings) {
        const ltx2_status status = ltx2_options_set(options, settings->name, settings->value);
        CHECK(status == LTX2_OK, "ltx2_options_set(%s, %s): %s: %s", settings->name,
              settings->value ? settings->value : "NULL", ltx2_status_name(status), ltx2_last_error());
    }
    return options;
}

static int is_file(const char* path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Entries of folder `path` other than . and .. */
static int entry_count(const char* path) {
    DIR* dir = opendir(path);
    struct dirent* entry;
    int count = 0;
    if (dir == NULL) return -1;
    while ((entry = readdir(dir)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) ++count;
    closedir(dir);
    return count;
}

static int remove_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* ---- progress -------------------------------------------------------------------------------- */

typedef struct {
    int calls, steps;
    double last_fraction;
    int fraction_went_down, fraction_out_of_range, stage_missing, rose;
    char last_stage[64];
    int cancel_at_step; /* > 0: ask to cancel after this denoising step */
    /* Set: the first call starts a second generation on the same context, which must be refused. */
    ltx2_context* context;
    const ltx2_options* params;
    int nested_tried;
    ltx2_status nested_status;
    ltx2_result* nested_result;
} progress_record;

static int record_progress(const ltx2_progress* p, void* user_data) {
    progress_record* r = (progress_record*)user_data;
    if (p->stage == NULL || p->stage[0] == '\0') ++r->stage_missing;
    else snprintf(r->last_stage, sizeof r->last_stage, "%s", p->stage);
    if (p->fraction < 0 || p->fraction > 1) ++r->fraction_out_of_range;
    if (r->calls > 0 && p->fraction < r->last_fraction) ++r->fraction_went_down;
    if (r->calls > 0 && p->fraction > r->last_fraction) ++r->rose;
    r->last_fraction = p->fraction;
    ++r->calls;
    if (p->step > 0) {
        ++r->steps;
        if (p->step > p->steps) ++r->fraction_out_of_range;
    }
    if (r->context != NULL && !r->nested_tried) {
        r->nested_tried = 1;
        r->nested_result = (ltx2_result*)NOT_NULL; /* must become NULL */
        r->nested_status = ltx2_generate(r->context, r->params, NULL, NULL, &r->nested_result);
    }
    return r->cancel_at_step > 0 && p->step == r->cancel_at_step;
}

/* ---- the checks ------------------------------------------------------------------------------ */

static void check_version_and_names(void) {
    CHECK(strcmp(ltx2_version(), LTX2_VERSION_STRING) == 0, "ltx2_version() is '%s'", ltx2_version());
    CHECK(LTX2_API_VERSION >= 1, "LTX2_API_VERSION is %d", LTX2_API_VERSION);
    CHECK(strcmp(ltx2_status_name(LTX2_ERROR_BUSY), "LTX2_ERROR_BUSY") == 0, "%s", ltx2_status_name(LTX2_ERROR_BUSY));
    CHECK(strcmp(ltx2_status_name(LTX2_OK), "LTX2_OK") == 0, "%s", ltx2_status_name(LTX2_OK));
    CHECK(strcmp(ltx2_status_name((ltx2_status)99), "unknown status") == 0, "%s", ltx2_status_name((ltx2_status)99));
}

static void check_option_errors(void) {
    ltx2_options* options = ltx2_options_create();
    CHECK_FAILS(ltx2_options_set(options, "fraems", "9"), LTX2_ERROR_INVALID_ARGUMENT, "fraems", "frames");
    CHECK_FAILS(ltx2_options_set(options, "--prompt", "a cat"), LTX2_ERROR_INVALID_ARGUMENT, "--prompt",
                "without dashes");
    CHECK_FAILS(ltx2_options_set(options, "width", "abc"), LTX2_ERROR_INVALID_ARGUMENT, "width", "abc");
    CHECK_FAILS(ltx2_options_set(options, "prompt", NULL), LTX2_ERROR_INVALID_ARGUMENT, "prompt");
    CHECK_FAILS(ltx2_options_set(options, "help", NULL), LTX2_ERROR_INVALID_ARGUMENT, "help");
    CHECK_FAILS(ltx2_options_set(options, "progress", "json"), LTX2_ERROR_INVALID_ARGUMENT, "progress", "callback");
    CHECK_FAILS(ltx2_options_set(options, NULL, "x"), LTX2_ERROR_INVALID_ARGUMENT, "name");
    CHECK_FAILS(ltx2_options_set(NULL, "prompt", "x"), LTX2_ERROR_INVALID_ARGUMENT, "options");
    CHECK(ltx2_options_set(options, "num-frames", "9") == LTX2_OK, "an alias: %s", ltx2_last_error());
    CHECK(ltx2_options_set(options, "seed", "-1") == LTX2_OK, "a value starting with '-': %s", ltx2_last_error());
    ltx2_options_free(options);
    ltx2_options_free(NULL);
}

static void check_context_errors(const char* tmp) {
    const setting generation_option[] = {{"demo", NULL}, {"prompt", "a cat"}, {NULL, NULL}};
    const setting missing_folder[] = {{"model-dir", "/no/such/ltx2-model-dir"}, {NULL, NULL}};
    char missing_demo_parent[512];
    ltx2_options* options;
    ltx2_context* context = (ltx2_context*)NOT_NULL;

    options = options_of(generation_option);
    CHECK_FAILS(ltx2_context_create(options, &context), LTX2_ERROR_INVALID_ARGUMENT, "prompt", "ltx2_generate");
    CHECK(context == NULL, "a failed ltx2_context_create leaves *out NULL");
    ltx2_options_free(options);

    options = options_of(missing_folder);
    CHECK_FAILS(ltx2_context_create(options, &context), LTX2_ERROR_MODEL_FILES, "/no/such/ltx2-model-dir");
    ltx2_options_free(options);

    CHECK_FAILS(ltx2_context_create(NULL, NULL), LTX2_ERROR_INVALID_ARGUMENT, "out");

    /* A demo folder that cannot be written: below a regular file. */
    snprintf(missing_demo_parent, sizeof missing_demo_parent, "%s/a-file", tmp);
    {
        FILE* f = fopen(missing_demo_parent, "w");
        const setting demo[] = {{"demo", NULL}, {NULL, NULL}};
        char demo_dir[600];
        if (f) fclose(f);
        snprintf(demo_dir, sizeof demo_dir, "%s/demo", missing_demo_parent);
        setenv("LTX2_DEMO_DIR", demo_dir, 1);
        options = options_of(demo);
        CHECK_FAILS(ltx2_context_create(options, &context), LTX2_ERROR_MODEL_FILES, "a-file");
        ltx2_options_free(options);
    }
    ltx2_context_free(NULL);
}

static void check_generation(ltx2_context* context, const char* tmp) {
    char output[512];
    setting asked[] = {{"prompt", "a cat plays the piano"}, {"frames", "9"}, {"width", "192"}, {"height", "128"},
                       {"fps", "25"}, {"seed", "3"}, {"output", NULL}, {NULL, NULL}};
    ltx2_options* params;
    ltx2_result* result = NULL;
    progress_record progress;
    ltx2_status status;

    snprintf(output, sizeof output, "%s/cat.mp4", tmp);
    asked[6].value = output;
    params = options_of(asked);
    memset(&progress, 0, sizeof progress);
    ltx2_cancel(context); /* no generation runs: this must not cancel the next one */
    status = ltx2_generate(context, params, record_progress, &progress, &result);
    CHECK(status == LTX2_OK, "ltx2_generate: %s: %s", ltx2_status_name(status), ltx2_last_error());
    if (status == LTX2_OK) {
        CHECK(is_file(output), "%s was not written", output);
        CHECK(strcmp(ltx2_result_output(result), output) == 0, "output '%s'", ltx2_result_output(result));
        CHECK(ltx2_result_frame_count(result) == 9, "frames %lld", (long long)ltx2_result_frame_count(result));
        CHECK(ltx2_result_width(result) == 192, "width %lld", (long long)ltx2_result_width(result));
        CHECK(ltx2_result_height(result) == 128, "height %lld", (long long)ltx2_result_height(result));
        CHECK(fabs(ltx2_result_fps(result) - 25.0) < 1e-9, "fps %g", ltx2_result_fps(result));
        CHECK(ltx2_result_seed(result) == 3, "seed %llu", (unsigned long long)ltx2_result_seed(result));
        CHECK(ltx2_result_audio_sample_rate(result) > 0, "sample rate %d", ltx2_result_audio_sample_rate(result));
        /* The audio lasts as long as the video: 9 frames at 25 fps. */
        CHECK(llabs(ltx2_result_audio_sample_count(result) - (long long)ltx2_result_audio_sample_rate(result) * 9 / 25) <= 1,
              "%lld audio samples at %d Hz for 9 frames at 25 fps", (long long)ltx2_result_audio_sample_count(result),
              ltx2_result_audio_sample_rate(result));
        CHECK(ltx2_result_audio_channels(result) == 2, "channels %d", ltx2_result_audio_channels(result));
        CHECK(strstr(ltx2_result_model(result), "LTX-2") != NULL, "model '%s'", ltx2_result_model(result));
        CHECK(ltx2_result_pixels(result) == NULL && ltx2_result_audio(result) == NULL,
              "no in-memory output without in-memory");
    }
    CHECK(progress.calls > 5, "%d progress calls", progress.calls);
    CHECK(progress.steps > 0, "no denoising step was reported");
    CHECK(progress.fraction_went_down == 0, "the fraction went down %d times", progress.fraction_went_down);
    CHECK(progress.rose > 3, "the fraction rose only %d times", progress.rose);
    CHECK(progress.fraction_out_of_range == 0, "%d fractions or steps out of range", progress.fraction_out_of_range);
    CHECK(progress.stage_missing == 0, "%d calls without a stage", progress.stage_missing);
    CHECK(progress.last_fraction == 1.0, "the last fraction is %g", progress.last_fraction);
    CHECK(strcmp(progress.last_stage, "done") == 0, "the last stage is '%s'", progress.last_stage);
    ltx2_result_free(result);
    ltx2_options_free(params);
}

static void check_in_memory(ltx2_context* context) {
    const setting asked[] = {{"prompt", "waves at night"}, {"frames", "9"}, {"seed", "4"}, {"in-memory", NULL},
                             {NULL, NULL}};
    ltx2_options* params = options_of(asked);
    ltx2_result* result = NULL;
    const ltx2_status status = ltx2_generate(context, params, NULL, NULL, &result);
    CHECK(status == LTX2_OK, "in-memory: %s: %s", ltx2_status_name(status), ltx2_last_error());
    if (status == LTX2_OK) {
        const uint8_t* pixels = ltx2_result_pixels(result);
        const float* audio = ltx2_result_audio(result);
        const long long bytes = (long long)ltx2_result_frame_count(result) * ltx2_result_height(result) *
                                ltx2_result_width(result) * 3;
        const long long samples = (long long)ltx2_result_audio_sample_count(result) * ltx2_result_audio_channels(result);
        long long i, distinct_from_first = 0, non_finite = 0;
        CHECK(strcmp(ltx2_result_output(result), "") == 0, "output '%s'", ltx2_result_output(result));
        CHECK(ltx2_result_frame_count(result) == 9 && ltx2_result_width(result) == 192 && ltx2_result_height(result) == 128,
              "%lld frames %lldx%lld (the demo's default size is 192x128)", (long long)ltx2_result_frame_count(result),
              (long long)ltx2_result_width(result), (long long)ltx2_result_height(result));
        CHECK(pixels != NULL && audio != NULL && samples > 0, "no in-memory frames or audio");
        if (pixels != NULL && audio != NULL) {
            for (i = 0; i < bytes; ++i) distinct_from_first += pixels[i] != pixels[0];
            for (i = 0; i < samples; ++i) non_finite += !isfinite(audio[i]);
            CHECK(distinct_from_first > bytes / 4, "the frames are flat: %lld of %lld bytes differ from the first",
                  distinct_from_first, bytes);
            CHECK(non_finite == 0, "%lld non-finite audio samples", non_finite);
        }
    }
    ltx2_result_free(result);
    ltx2_options_free(params);
}

static void check_cancel_from_callback(ltx2_context* context, const char* tmp) {
    char folder[512], output[600];
    setting asked[] = {{"prompt", "a cat"}, {"frames", "9"}, {"output", NULL}, {NULL, NULL}};
    ltx2_options* params;
    ltx2_result* result = (ltx2_result*)NOT_NULL;
    progress_record progress;

    snprintf(folder, sizeof folder, "%s/cancelled", tmp);
    mkdir(folder, 0755);
    snprintf(output, sizeof output, "%s/cat.mp4", folder);
    asked[2].value = output;
    params = options_of(asked);
    memset(&progress, 0, sizeof progress);
    progress.cancel_at_step = 1;
    CHECK_FAILS(ltx2_generate(context, params, record_progress, &progress, &result), LTX2_ERROR_CANCELLED, "cancelled");
    CHECK(result == NULL, "a cancelled ltx2_generate leaves *out NULL");
    CHECK(progress.steps == 1, "%d steps reported: the generation goes on after the callback cancelled it",
          progress.steps);
    CHECK(entry_count(folder) == 0, "a cancelled generation left %d files in %s", entry_count(folder), folder);
    ltx2_options_free(params);
}

static void check_busy(ltx2_context* context, const char* tmp) {
    char output[512];
    setting asked[] = {{"prompt", "a cat"}, {"frames", "9"}, {"output", NULL}, {NULL, NULL}};
    ltx2_options* params;
    ltx2_result* result = NULL;
    progress_record progress;
    ltx2_status status;

    snprintf(output, sizeof output, "%s/busy.mp4", tmp);
    asked[2].value = output;
    params = options_of(asked);
    memset(&progress, 0, sizeof progress);
    progress.context = context;
    progress.params = params;
    status = ltx2_generate(context, params, record_progress, &progress, &result);
    CHECK(status == LTX2_OK, "the first generation: %s: %s", ltx2_status_name(status), ltx2_last_error());
    CHECK(progress.nested_tried, "the callback was not called");
    CHECK(progress.nested_status == LTX2_ERROR_BUSY, "a second generation on the context while one runs: %s",
          ltx2_status_name(progress.nested_status));
    CHECK(progress.nested_result == NULL, "a refused ltx2_generate leaves *out NULL");
    CHECK(is_file(output), "the first generation did not write %s", output);
    ltx2_result_free(result);
    ltx2_options_free(params);
}

static void check_generation_errors(ltx2_context* context, const char* tmp) {
    char folder[512], output[600];
    setting bad_frames[] = {{"prompt", "a cat"}, {"frames", "abc"}, {"output", NULL}, {NULL, NULL}};
    setting model_option[] = {{"prompt", "a cat"}, {"model-dir", "/models"}, {"output", NULL}, {NULL, NULL}};
    const setting no_prompt[] = {{"frames", "9"}, {"in-memory", NULL}, {NULL, NULL}};
    ltx2_options* params;
    ltx2_result* result = (ltx2_result*)NOT_NULL;

    snprintf(folder, sizeof folder, "%s/errors", tmp);
    mkdir(folder, 0755);
    snprintf(output, sizeof output, "%s/o.mp4", folder);
    bad_frames[2].value = output;
    model_option[2].value = output;

    params = options_of(bad_frames);
    CHECK_FAILS(ltx2_generate(context, params, NULL, NULL, &result), LTX2_ERROR_INVALID_ARGUMENT, "frames", "abc");
    CHECK(result == NULL, "a failed ltx2_generate leaves *out NULL");
    ltx2_options_free(params);

    params = options_of(model_option);
    CHECK_FAILS(ltx2_generate(context, params, NULL, NULL, &result), LTX2_ERROR_INVALID_ARGUMENT, "model-dir",
                "ltx2_context_create");
    ltx2_options_free(params);

    params = options_of(no_prompt);
    CHECK_FAILS(ltx2_generate(context, params, NULL, NULL, &result), LTX2_ERROR_INVALID_ARGUMENT, "prompt");
    CHECK_FAILS(ltx2_generate(NULL, params, NULL, NULL, &result), LTX2_ERROR_INVALID_ARGUMENT, "context");
    CHECK_FAILS(ltx2_generate(context, NULL, NULL, NULL, &result), LTX2_ERROR_INVALID_ARGUMENT, "params");
    CHECK_FAILS(ltx2_generate(context, params, NULL, NULL, NULL), LTX2_ERROR_INVALID_ARGUMENT, "out");
    ltx2_options_free(params);
    CHECK(entry_count(folder) == 0, "failed generations left %d files in %s", entry_count(folder), folder);
}

int main(void) {
    char tmp[] = "/tmp/ltx2-capi-consumer-XXXXXX";
    char demo_dir[600], demo_stamp[700], hf_cache[600];
    const setting demo[] = {{"demo", NULL}, {NULL, NULL}};
    ltx2_options* model_options;
    ltx2_context* context = NULL;
    ltx2_status status;

    if (mkdtemp(tmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    /* No real weights from this machine's Hugging Face cache or $LTX2_MODEL_DIR. */
    snprintf(hf_cache, sizeof hf_cache, "%s/hf-cache", tmp);
    setenv("HF_HUB_CACHE", hf_cache, 1);
    unsetenv("LTX2_MODEL_DIR");

    check_version_and_names();
    check_option_errors();
    check_context_errors(tmp);

    snprintf(demo_dir, sizeof demo_dir, "%s/demo", tmp);
    snprintf(demo_stamp, sizeof demo_stamp, "%s/COMPLETE", demo_dir);
    setenv("LTX2_DEMO_DIR", demo_dir, 1);
    model_options = options_of(demo);
    status = ltx2_context_create(model_options, &context);
    ltx2_options_free(model_options); /* the context keeps what it needs */
    CHECK(status == LTX2_OK, "ltx2_context_create(demo): %s: %s", ltx2_status_name(status), ltx2_last_error());
    CHECK(is_file(demo_stamp), "the demo model was not written into %s", demo_dir);
    if (status == LTX2_OK) {
        check_generation(context, tmp);
        check_in_memory(context);
        check_cancel_from_callback(context, tmp);
        check_busy(context, tmp);
        check_generation_errors(context, tmp);
    }
    ltx2_context_free(context);

    nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (checks_failed > 0) {
        fprintf(stderr, "capi consumer: %d check(s) failed\n", checks_failed);
        return 1;
    }
    printf("capi consumer: every check passed\n");
    return 0;
}
