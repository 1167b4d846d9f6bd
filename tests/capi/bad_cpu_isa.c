/* An embedding program with a bad $LTX2_CPU_ISA learns it from ltx2_context_create, as an invalid
 * argument naming the variable, before any model file is looked for or written. */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltx2/ltx2.h"

int main(void) {
    ltx2_options* options = ltx2_options_create();
    ltx2_context* context = NULL;
    ltx2_status status;
    const char* message;
    int ok;

    setenv("LTX2_CPU_ISA", "sse9", 1);
    setenv("LTX2_DEMO_DIR", "/nonexistent/ltx2-bad-cpu-isa-demo", 1);
    if (options == NULL || ltx2_options_set(options, "demo", NULL) != LTX2_OK) {
        fprintf(stderr, "setting up the options failed: %s\n", ltx2_last_error());
        return 1;
    }
    status = ltx2_context_create(options, &context);
    message = ltx2_last_error();
    ok = status == LTX2_ERROR_INVALID_ARGUMENT && context == NULL && strstr(message, "LTX2_CPU_ISA='sse9'") != NULL;
    if (!ok)
        fprintf(stderr, "expected LTX2_ERROR_INVALID_ARGUMENT naming LTX2_CPU_ISA='sse9', got %s: %s\n",
                ltx2_status_name(status), message);
    ltx2_context_free(context);
    ltx2_options_free(options);
    return ok ? 0 : 1;
}
