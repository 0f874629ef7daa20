#include "wisenet/core/atomic_file.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "wisenet/core/error.h"

namespace wisenet {

namespace fs = std::filesystem;

namespace {

// The writer's PID when `name` is exactly "<prefix><PID>_<N>" (both decimal), else 0.
pid_t temporary_owner(const char* name, const std::string& prefix) {
  if (std::strncmp(name, prefix.c_str(), prefix.size()) != 0) return 0;
  const char* rest = name + prefix.size();
  long pid = 0;
  size_t digits = 0;
  for (; rest[digits] >= '0' && rest[digits] <= '9'; ++digits) {
    if (digits == 9) return 0;  // not a PID
    pid = pid * 10 + (rest[digits] - '0');
  }
  if (digits == 0 || rest[digits] != '_') return 0;
  const char* counter = rest + digits + 1;
  if (*counter == '\0') return 0;
  for (; *counter != '\0'; ++counter) {
    if (*counter < '0' || *counter > '9') return 0;
  }
  return pid > 0 ? static_cast<pid_t>(pid) : 0;
}

bool process_alive(pid_t pid) {
  if (kill(pid, 0) == 0) return true;
  return errno != ESRCH;  // EPERM: it exists, owned by someone else
}

// The temporary files in `folder` (".NAME.tmpPID_N" of any target) of other processes.
std::vector<std::string> temporaries_in(const fs::path& folder) {
  std::vector<std::string> out;
  DIR* dir = opendir(folder.c_str());
  if (dir == nullptr) return out;
  const pid_t self = getpid();
  while (const dirent* entry = readdir(dir)) {
    const char* tmp = std::strstr(entry->d_name, ".tmp");
    if (entry->d_name[0] != '.' || tmp == nullptr) continue;
    // The last ".tmp" ends the prefix (a target's own name may hold ".tmp").
    for (const char* next; (next = std::strstr(tmp + 1, ".tmp")) != nullptr;) tmp = next;
    const std::string prefix(entry->d_name, tmp + 4);
    const pid_t owner = temporary_owner(entry->d_name, prefix);
    if (owner != 0 && owner != self) out.push_back(entry->d_name);
  }
  closedir(dir);
  return out;
}

// Removes the files among `names` (in `folder`) that are temporaries of `prefix` whose writer
// has died; returns how many.
size_t remove_dead_writers(const fs::path& folder, const std::vector<std::string>& names,
                           const std::string& prefix) {
  size_t removed = 0;
  for (const std::string& name : names) {
    const pid_t owner = temporary_owner(name.c_str(), prefix);
    if (owner == 0 || owner == getpid() || process_alive(owner)) continue;
    const std::string stale = (folder / name).string();
    struct stat info;
    if (lstat(stale.c_str(), &info) == 0 && S_ISREG(info.st_mode) && unlink(stale.c_str()) == 0) {
      ++removed;
    }
  }
  return removed;
}

fs::path folder_of(const fs::path& target) {
  return target.parent_path().empty() ? fs::path(".") : target.parent_path();
}

std::string temporary_prefix(const fs::path& target) {
  return "." + target.filename().string() + ".tmp";
}

// Before the first write of `target` in this process: removes its stale temporaries. A
// temporary goes stale only when its writer dies, so once per target and process is enough,
// and a folder is listed once per process (a proposal cache or labels/ holds thousands of
// targets); what a process that dies later leaves is for the next process to remove.
void remove_stale_before_first_write(const fs::path& target) {
  static std::mutex mutex;
  static std::unordered_set<std::string> written;
  static std::unordered_map<std::string, std::vector<std::string>> listed;  // folder -> names
  std::lock_guard<std::mutex> lock(mutex);
  if (!written.insert(target.string()).second) return;
  const fs::path folder = folder_of(target);
  auto it = listed.find(folder.string());
  if (it == listed.end()) it = listed.emplace(folder.string(), temporaries_in(folder)).first;
  remove_dead_writers(folder, it->second, temporary_prefix(target));
}

}  // namespace

size_t remove_stale_temporaries(const std::string& path) {
  const fs::path target(path);
  const fs::path folder = folder_of(target);
  return remove_dead_writers(folder, temporaries_in(folder), temporary_prefix(target));
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const fs::path target(path);
  remove_stale_before_first_write(target);
  // Unique per process and per call, so threads writing the same path never share a temp file.
  static std::atomic<uint64_t> counter{0};
  const fs::path temp =
      target.parent_path() / ("." + target.filename().string() + ".tmp" + std::to_string(getpid()) +
                              "_" + std::to_string(counter.fetch_add(1)));
  FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) {
    throw Error(path, std::string("cannot write: ") + std::strerror(errno));
  }
  const size_t written = std::fwrite(content.data(), 1, content.size(), f);
  const bool flushed = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  const int saved_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (written != content.size() || !flushed || !closed) {
    std::remove(temp.c_str());
    throw Error(path,
                std::string("write failed: ") + std::strerror(saved_errno ? saved_errno : EIO));
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    std::remove(temp.c_str());
    throw Error(path, "cannot rename temporary file into place: " + ec.message());
  }
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such file");
  if (fs::is_directory(path, ec)) throw Error(path, "is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(path, "read failed");
  return ss.str();
}

}  // namespace wisenet
