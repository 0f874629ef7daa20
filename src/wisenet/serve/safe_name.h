#pragma once
// File names that arrive in HTTP requests. A request names an image by its bare file name;
// it is never joined to a folder unchecked, so `../x`, `/etc/passwd`, `a/b.png`, `..` and names
// with control characters are refused before any file is touched.
#include <string>

namespace wisenet::serve {

// Whether `name` is a plain file name: non-empty, at most 255 bytes, no '/', '\\', NUL or
// other control characters, not "." or "..", well-formed UTF-8 (names travel in JSON).
bool is_plain_file_name(const std::string& name);

// `dir`/`name` for a plain file name; a wisenet::Error naming the request item otherwise.
std::string join_checked(const std::string& dir, const std::string& name);

}  // namespace wisenet::serve
