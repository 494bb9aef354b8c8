#pragma once
// Where in a configuration file something is, for error messages.

#include <cstddef>
#include <string>

namespace appealhub::config {

// "line:column" (both from 1) of a byte offset in text.
inline std::string json_position(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace appealhub::config
