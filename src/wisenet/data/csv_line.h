#pragma once
// One CSV line into fields (RFC 4180 quoting: "a ""b""" is a "b"; no newline inside a field),
// each field trimmed of surrounding blanks; for the readers of foreign CSV exports.
#include <string>
#include <vector>

namespace wisenet {

// An unterminated quote is a wisenet::Error starting with `where`.
std::vector<std::string> csv_fields(const std::string& line, const std::string& where);

// `text` as one CSV field: quoted (inner quotes doubled) when it holds a comma, quote or newline.
std::string csv_quote(const std::string& text);

}  // namespace wisenet
