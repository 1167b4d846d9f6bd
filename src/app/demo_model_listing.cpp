// `ltx2 locate --demo`: the files the demo model consists of.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "app/demo_model.h"

namespace ltx2 {

std::string describe_demo_model(const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<std::pair<std::string, uintmax_t>> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code size_ec;
        if (it->is_regular_file(size_ec))
            files.emplace_back(fs::relative(it->path(), dir, size_ec).string(), it->file_size(size_ec));
    }
    std::sort(files.begin(), files.end());
    std::string text = fmt::format("demo model files in {}:\n", dir);
    for (const auto& [name, size] : files) text += fmt::format("  {:<52} {:>10.1f} KiB\n", name, double(size) / 1024.0);
    return text;
}

}  // namespace ltx2
