// Nothing overwritten, nothing lost (issue 19): outputs are checked before any work, written
// through unique temps renamed into place, temps are removed on SIGINT/SIGTERM, and the leftovers
// of killed runs are cleaned by the next run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "app/demo_model.h"
#include "io/output_path_checks.h"
#include "io/temp_file.h"
#include "test_util.h"

namespace ltx2 {
namespace {

namespace fs = std::filesystem;
using test::expect_contains;
using test::expect_error;
using test::run_command;
using test::TempDir;

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

void write_through_temp(const std::string& path, const std::string& bytes) {
    TempFile file(path);
    file.write(bytes.data(), bytes.size());
    file.commit();
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The pid of a process that has exited (and was reaped).
pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

std::string temp_of(const std::string& name, pid_t pid, const std::string& random = "0123abcd") {
    return fmt::format(".{}.ltx2-tmp-{}-{}", name, pid, random);
}

// ---- the writers -------------------------------------------------------------------------------

// Two writers of one output each have their own temp: each commit installs exactly its own bytes
// (with the fixed PATH.tmp, the second writer truncated and overwrote the first one's file).
TEST(OutputSafety, TwoWritersOfOneFileNeverShareATemp) {
    TempDir dir;
    const std::string path = dir.file("out.bin");
    TempFile first(path), second(path);
    first.write("first writer", 12);
    second.write("2nd", 3);
    EXPECT_EQ(entries(dir.path).size(), 2u);
    first.commit();
    EXPECT_EQ(read_bytes(path), "first writer");
    second.commit();
    EXPECT_EQ(read_bytes(path), "2nd");
    EXPECT_EQ(entries(dir.path), std::vector<std::string>{"out.bin"});
}

TEST(OutputSafety, AnUncommittedTempIsRemoved) {
    TempDir dir;
    write_bytes(dir.file("out.bin"), "before");
    expect_error(
        [&] {
            TempFile file(dir.file("out.bin"));
            file.write("partial", 7);
            fail("out.bin: the writer failed");
        },
        {"the writer failed"});
    EXPECT_EQ(entries(dir.path), std::vector<std::string>{"out.bin"});
    EXPECT_EQ(read_bytes(dir.file("out.bin")), "before");
}

// rename() replaces a symbolic link or a FIFO itself: the commit refuses them.
TEST(OutputSafety, ACommitNeverReplacesASymlinkOrAFifo) {
    TempDir dir;
    write_bytes(dir.file("real.bin"), "keep");
    fs::create_symlink(dir.file("real.bin"), dir.file("link.bin"));
    expect_error([&] { write_through_temp(dir.file("link.bin"), "new"); }, {"link.bin", "symbolic link", "not replaced"});
    EXPECT_TRUE(fs::is_symlink(dir.file("link.bin")));
    EXPECT_EQ(read_bytes(dir.file("real.bin")), "keep");
    ASSERT_EQ(::mkfifo(dir.file("pipe").c_str(), 0644), 0);
    expect_error([&] { write_through_temp(dir.file("pipe"), "new"); }, {"pipe", "FIFO", "not replaced"});
    EXPECT_TRUE(fs::is_fifo(dir.file("pipe")));
    EXPECT_EQ(entries(dir.path), (std::vector<std::string>{"link.bin", "pipe", "real.bin"}));
}

// ---- leftovers of killed runs ------------------------------------------------------------------

TEST(OutputSafety, TempsOfDeadProcessesAreRemovedByTheNextWriterOthersKept) {
    TempDir dir;
    const pid_t dead = dead_pid();
    const std::vector<std::string> stale = {temp_of("o.mp4", dead), temp_of("frames", dead, "89abcdef")};
    const std::vector<std::string> kept = {
        temp_of("o.mp4", ::getpid()),      // this process: alive
        temp_of("o.mp4", 1),               // init: alive
        "o.mp4.tmp",                       // not our pattern
        temp_of("o.mp4", dead, "0123abcz"),  // not our pattern (random part)
        temp_of("o.mp4", dead, "0123abc"),   // not our pattern (length)
        temp_of("o.mp4", dead).substr(1),    // not our pattern (no leading dot)
        "notes.txt"};
    write_bytes(dir.path / stale[0], "x");
    fs::create_directory(dir.path / stale[1]);
    write_bytes(dir.path / stale[1] / "frame_00000.png", "x");
    for (const auto& name : kept) write_bytes(dir.path / name, "x");

    write_through_temp(dir.file("new.bin"), "new");
    for (const auto& name : stale) EXPECT_FALSE(fs::exists(dir.path / name)) << name;
    for (const auto& name : kept) EXPECT_TRUE(fs::exists(dir.path / name)) << name;
    EXPECT_EQ(read_bytes(dir.file("new.bin")), "new");
}

// The demo model is written into DIR.partial-PID and renamed; a killed write left it forever.
TEST(OutputSafety, KilledDemoModelWritesAreRemovedOnTheNextRun) {
    TempDir dir;
    const fs::path demo = dir.path / "demo";
    fs::create_directories(demo);
    // A complete demo of this version (one of another version would be rewritten).
    write_bytes(demo / "COMPLETE", "ltx2 demo model v" + std::to_string(ltx2::kDemoModelVersion) + "\n");
    const pid_t dead = dead_pid();
    const fs::path stale = dir.path / fmt::format("demo.partial-{}", dead);
    const fs::path running = dir.path / fmt::format("demo.partial-{}", ::getpid());
    const fs::path other = dir.path / fmt::format("other.partial-{}", dead);
    const fs::path not_a_pid = dir.path / "demo.partial-12x";
    for (const fs::path& p : {stale, running, other, not_a_pid}) {
        fs::create_directories(p / "gemma-3-12b-it");
        write_bytes(p / "gemma-3-12b-it" / "config.json", "{}");
    }
    EXPECT_EQ(ensure_demo_model(demo.string(), DemoRelease::Ltx2), demo.string());
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(running));
    EXPECT_TRUE(fs::exists(other));
    EXPECT_TRUE(fs::exists(not_a_pid));
}

// ---- checks before any work --------------------------------------------------------------------

TEST(OutputSafety, OutputPathChecksNameTheOptionAndTheProblem) {
    TempDir dir;
    write_bytes(dir.file("real.mp4"), "keep");
    fs::create_symlink(dir.file("real.mp4"), dir.file("link.mp4"));
    ASSERT_EQ(::mkfifo(dir.file("pipe.mp4").c_str(), 0644), 0);
    fs::create_directory(dir.file("folder.mp4"));
    expect_error([&] { check_output_file_path({"--output", dir.file("link.mp4")}); },
                 {"--output " + dir.file("link.mp4"), "symbolic link"});
    expect_error([&] { check_output_file_path({"--audio-out", dir.file("pipe.mp4")}); },
                 {"--audio-out " + dir.file("pipe.mp4"), "FIFO"});
    expect_error([&] { check_output_file_path({"--output", dir.file("folder.mp4")}); }, {"--output", "folder"});
    expect_error([&] { check_output_file_path({"--output", dir.file("none/o.mp4")}); }, {"none", "does not exist"});
    const std::string long_name = std::string(250, 'a') + ".mp4";  // fits NAME_MAX, its temp name does not
    expect_error([&] { check_output_file_path({"--output", dir.file(long_name)}); },
                 {"--output", "too long", "254 bytes", "at most"});
    check_output_file_path({"--output", dir.file("real.mp4")});  // a regular file is replaced
    check_output_file_path({"--output", dir.file("new.mp4")});

    fs::create_directories(dir.file("frames"));
    check_output_folder_path({"--frames-dir", dir.file("frames")});  // empty
    check_output_folder_path({"--frames-dir", dir.file("new_frames/")});
    write_bytes(dir.file("frames/frame_00099.png"), "old");
    expect_error([&] { check_output_folder_path({"--frames-dir", dir.file("frames")}); },
                 {"--frames-dir " + dir.file("frames"), "not empty", "frame_00099.png", "earlier run"});
    expect_error([&] { check_output_folder_path({"--frames-dir", dir.file("real.mp4")}); }, {"not a folder"});

    fs::create_hard_link(dir.file("real.mp4"), dir.file("hard.mp4"));
    expect_error([&] { check_outputs_spare_inputs({{"--output", dir.file("hard.mp4")}}, {{"--image", dir.file("real.mp4")}}); },
                 {"--output " + dir.file("hard.mp4"), "is the input of --image", "not overwritten"});
    const std::string respelled = (dir.path / "." / "new.mp4").string();
    expect_error(
        [&] { check_outputs_spare_inputs({{"--output", dir.file("new.mp4")}, {"--audio-out", respelled}}, {}); },
        {"--output " + dir.file("new.mp4"), "--audio-out " + respelled, "same file"});
    check_outputs_spare_inputs({{"--output", dir.file("new.mp4")}, {"--audio-out", dir.file("new.wav")}},
                               {{"--image", dir.file("real.mp4")}});
}

// ---- the ltx2 program --------------------------------------------------------------------------

std::string ltx2_demo(const std::string& args) {
    return fmt::format("LTX2_DEMO_DIR={} {} --demo --progress plain --frames 9 {}", LTX2_TEST_DEMO_DIR, LTX2_BIN, args);
}

// Refused with exit 1 naming every fragment, before any model work.
void expect_refused_up_front(const std::string& command, const std::vector<std::string>& fragments) {
    SCOPED_TRACE(command);
    const auto r = run_command(command);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    expect_contains(r.output, fragments);
    EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
}

TEST(OutputSafetyCli, AnOutputThatIsAnInputIsRefusedBeforeAnyWork) {
    TempDir dir;
    write_bytes(dir.file("prompt.txt"), "a cat");
    write_bytes(dir.file("negative.txt"), "blurry");
    expect_refused_up_front(ltx2_demo("--prompt-file " + dir.file("prompt.txt") + " -o " + dir.file("prompt.txt")),
                            {"--output " + dir.file("prompt.txt"), "is the input of --prompt-file"});
    expect_refused_up_front(ltx2_demo("--pipeline one-stage -p cat --negative-prompt-file " + dir.file("negative.txt") +
                                      " --audio-out " + dir.file("negative.txt")),
                            {"--audio-out " + dir.file("negative.txt"), "is the input of --negative-prompt-file"});
    EXPECT_EQ(read_bytes(dir.file("prompt.txt")), "a cat");
    EXPECT_EQ(read_bytes(dir.file("negative.txt")), "blurry");
    // --audio-out onto the MP4 replaced the video with the WAV.
    const std::string respelled = (dir.path / "." / "o.mp4").string();
    expect_refused_up_front(ltx2_demo("-p cat -o " + dir.file("o.mp4") + " --audio-out " + respelled),
                            {"--output " + dir.file("o.mp4"), "--audio-out " + respelled, "same file"});
    expect_refused_up_front(
        ltx2_demo("-p cat --frames-dir " + dir.file("f") + " --audio-out " + dir.file("f")),
        {"--audio-out " + dir.file("f"), "--frames-dir " + dir.file("f"), "same file"});
    EXPECT_EQ(entries(dir.path), (std::vector<std::string>{"negative.txt", "prompt.txt"}));
}

TEST(OutputSafetyCli, AnOutputThatIsNotARegularFileIsRefused) {
    TempDir dir;
    write_bytes(dir.file("real.mp4"), "keep");
    fs::create_symlink(dir.file("real.mp4"), dir.file("link.mp4"));
    ASSERT_EQ(::mkfifo(dir.file("pipe.wav").c_str(), 0644), 0);
    expect_refused_up_front(ltx2_demo("-p cat -o " + dir.file("link.mp4")),
                            {"--output " + dir.file("link.mp4"), "symbolic link"});
    expect_refused_up_front(ltx2_demo("-p cat --audio-out " + dir.file("pipe.wav")),
                            {"--audio-out " + dir.file("pipe.wav"), "FIFO"});
    EXPECT_TRUE(fs::is_symlink(dir.file("link.mp4")));
    EXPECT_TRUE(fs::is_fifo(dir.file("pipe.wav")));
    EXPECT_EQ(read_bytes(dir.file("real.mp4")), "keep");
}

// The name fits, but not with its temp suffix: the write failed only after the whole generation.
TEST(OutputSafetyCli, AnOutputNameTooLongForItsTempIsRefusedUpFront) {
    TempDir dir;
    const std::string name = dir.file(std::string(248, 'a') + ".mp4");
    expect_refused_up_front(ltx2_demo("-p cat -o " + name), {"--output " + name, "too long"});
    EXPECT_TRUE(entries(dir.path).empty());
}

// Another writer's temp (ours of a running process, or anything else) is never touched.
TEST(OutputSafetyCli, AnotherWritersTempIsNeverTouched) {
    TempDir dir;
    const std::vector<std::string> others = {"o.mp4.tmp", temp_of("o.mp4", 1)};
    for (const auto& name : others) write_bytes(dir.path / name, "another writer's");
    const auto r = run_command(ltx2_demo("-p cat -o " + dir.file("o.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_GT(fs::file_size(dir.file("o.mp4")), 1000u);
    for (const auto& name : others) EXPECT_EQ(read_bytes(dir.path / name), "another writer's") << name;
    EXPECT_EQ(entries(dir.path).size(), 3u);
}

TEST(OutputSafetyCli, FramesDirIsWrittenWholeAndAnEarlierRunsFramesAreRefused) {
    TempDir dir;
    fs::create_directories(dir.file("frames"));
    write_bytes(dir.file("frames/frame_00099.png"), "an earlier run's");
    expect_refused_up_front(ltx2_demo("-p cat --frames-dir " + dir.file("frames")),
                            {"--frames-dir " + dir.file("frames"), "not empty", "earlier run"});
    EXPECT_EQ(entries(dir.file("frames")), std::vector<std::string>{"frame_00099.png"});

    fs::create_directories(dir.file("empty"));
    for (const std::string folder : {"new_frames", "empty"}) {
        const auto r = run_command(ltx2_demo("-p cat --frames-dir " + dir.file(folder)));
        ASSERT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(entries(dir.file(folder)).size(), 9u) << folder;
        EXPECT_EQ(entries(dir.file(folder)).front(), "frame_00000.png");
    }
    EXPECT_EQ(entries(dir.path), (std::vector<std::string>{"empty", "frames", "new_frames"}));
}

// ---- signals -----------------------------------------------------------------------------------

// Whether an entry whose name starts with `prefix` exists anywhere under `dir`.
bool has_entry_starting_with(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename().string().starts_with(prefix)) return true;
    return false;
}

// Runs `command` (through sh, exec'ed, so the pid is the program's) with the default action of
// SIGINT and SIGTERM; waits until `temp_prefix` exists under `dir`, sends `signal_number`, and
// returns the wait status (-1 when the temp never appeared).
int signal_mid_write(const std::string& command, const fs::path& dir, const std::string& temp_prefix,
                     int signal_number) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(4);
    while (!has_entry_starting_with(dir, temp_prefix)) {
        if (::waitpid(pid, &status, WNOHANG) == pid || std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, signal_number);
    ::waitpid(pid, &status, 0);
    return status;
}

TEST(OutputSafetyCli, SigtermOrSigintDuringAWriteLeavesNoTemp) {
    struct Case {
        int signal_number;
        std::string output_option, output, paused_at;
    };
    const std::vector<Case> cases = {
        {SIGTERM, "-o", "o.mp4", "o.mp4"},
        {SIGINT, "--audio-out", "a.wav", "a.wav"},
        {SIGTERM, "--frames-dir", "frames", "frame_00004.png"},  // a temp folder holding four frames and a temp
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.output);
        TempDir dir, logs;
        const std::string command =
            fmt::format("exec env LTX2_TEST_PAUSE_AFTER_TEMP={} {} > {} 2>&1", c.paused_at,
                        ltx2_demo(fmt::format("-p cat {} {}", c.output_option, dir.file(c.output))), logs.file("log"));
        const int status = signal_mid_write(command, dir.path, "." + c.paused_at + ".ltx2-tmp-", c.signal_number);
        ASSERT_NE(status, -1) << "the temp never appeared:\n" << read_bytes(logs.file("log"));
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == c.signal_number)
            << "status " << status << "\n" << read_bytes(logs.file("log"));
        EXPECT_TRUE(entries(dir.path).empty()) << fmt::format("{}", fmt::join(entries(dir.path), ", "));
    }
}

// ---- ltx2-quantize -----------------------------------------------------------------------------

TEST(OutputSafetyQuantize, TheOutputMayNotBeTheInputByAnyPath) {
    TempDir dir;
    const std::string in = dir.file("in.safetensors");
    fs::copy_file(std::string(LTX2_GOLDEN_DIR) + "/transformer/av_tiny.model.safetensors", in);
    fs::create_hard_link(in, dir.file("hard.safetensors"));
    const std::string before = read_bytes(in);
    for (const std::string& out : {in, (dir.path / "." / "in.safetensors").string(), dir.file("hard.safetensors")}) {
        SCOPED_TRACE(out);
        const auto r = run_command(fmt::format("{} {} {} --type q8_0", LTX2_QUANTIZE_BIN, in, out));
        EXPECT_EQ(r.exit_code, 1) << r.output;
        expect_contains(r.output, {"output " + out, "is the input of input " + in, "not overwritten"});
    }
    const auto folder = run_command(fmt::format("{} {} {} --type q8_0", LTX2_QUANTIZE_BIN, dir.path.string(),
                                                dir.file("hard.safetensors")));
    EXPECT_EQ(folder.exit_code, 1) << folder.output;
    expect_contains(folder.output, {"output " + dir.file("hard.safetensors"), "not overwritten"});
    EXPECT_EQ(read_bytes(in), before);
    EXPECT_EQ(entries(dir.path), (std::vector<std::string>{"hard.safetensors", "in.safetensors"}));
}

}  // namespace
}  // namespace ltx2
