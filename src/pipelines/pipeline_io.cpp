#include "pipelines/pipeline_io.h"

namespace ltx2 {

const char* media_kind_name(MediaKind kind) { return kind == MediaKind::Video ? "video" : "image"; }

}  // namespace ltx2
