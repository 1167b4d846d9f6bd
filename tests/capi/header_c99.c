/* include/ltx2/ltx2.h compiles as C99 (-std=c99 -pedantic -Werror): the build fails otherwise. */
#include "ltx2/ltx2.h"

int ltx2_header_api_version(void) { return LTX2_API_VERSION; }
