#pragma once
// Crash-safe file writes: a temporary file in the target's folder, flushed, fsynced, renamed.
#include <cstddef>
#include <string>

namespace wisenet {
// Writes `content` to `path` through a temporary file in the same folder
// (".NAME.tmpPID_N"), fflush + fsync and a rename, so a reader never sees a half-written file.
// The first write of a path in a process first removes that target's stale temporaries, as
// remove_stale_temporaries (later writes need not: only a dead writer leaves one; a folder is
// listed once per process, so a folder of thousands of targets costs one listing). Throws
// wisenet::Error naming the path on failure (the temporary file is removed).
void write_file_atomic(const std::string& path, const std::string& content);

// Removes the temporary files of `path` (".NAME.tmpPID_N" beside it) whose writer, process
// PID, is no longer running: what a write cut short by SIGKILL or a power cut leaves. Files of
// this process and of live processes are kept (a live process may be writing them); so is
// anything not named exactly so. PIDs are this machine's: a folder shared with other machines
// should not hold the same target written by several of them at once. Returns how many files
// were removed; errors (an unreadable folder) remove nothing and are not reported.
size_t remove_stale_temporaries(const std::string& path);

// Reads a whole file; throws wisenet::Error naming the path when it cannot be read.
std::string read_file(const std::string& path);
}  // namespace wisenet
