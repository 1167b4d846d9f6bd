#pragma once
// Output files of the media writers: checked up front, written under a temporary name in the
// same folder (io/sibling_temp.h) and renamed onto the final name only once complete, so a failure
// never leaves a partial file behind.
#include <string>

namespace ltx2::media {

// Throws unless the folder that `path` goes into exists, is a folder and is writable, and
// `path` itself is absent or a regular file (not a folder, symbolic link, FIFO or device). `what` names the kind of output ("MP4", "PNG", ...).
void require_output_location(const std::string& path, const char* what);

// Throws unless `dir` exists and is a writable folder.
void require_output_folder(const std::string& dir, const char* what);


}  // namespace ltx2::media
