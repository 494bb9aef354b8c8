#pragma once
// Office Open XML packages (DOCX, XLSX): zips of XML parts, written and read with libzip
// (Debian's libzip-dev), and the XML text escaping their parts need.

#include <string>
#include <utility>
#include <vector>

namespace appealhub::documents {

// The bytes of a zip holding `parts` (name, content), in order; throws std::runtime_error when
// the zip cannot be made.
std::string make_package(const std::vector<std::pair<std::string, std::string>>& parts);

// The content of the part `name` of a package; throws std::runtime_error when there is none.
std::string package_part(const std::string& package, const std::string& name);

std::string xml_escape(const std::string& text);
std::string xml_unescape(const std::string& text);

}  // namespace appealhub::documents
