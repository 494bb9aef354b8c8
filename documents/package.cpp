#include "documents/package.hpp"

#include <zip.h>

#include <memory>
#include <stdexcept>

namespace appealhub::documents {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string xml_unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const auto end = text.find(';', i);
    const auto entity = text.substr(i + 1, end - i - 1);
    out += entity == "amp"    ? "&"
           : entity == "lt"   ? "<"
           : entity == "gt"   ? ">"
           : entity == "quot" ? "\""
           : entity == "apos" ? "'"
                              : "";
    i = end;
  }
  return out;
}

std::string make_package(const std::vector<std::pair<std::string, std::string>>& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) throw std::runtime_error("package: cannot make a zip buffer");
  zip_source_keep(buffer);  // read back after zip_close
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(buffer, zip_source_free);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) throw std::runtime_error("package: cannot open a zip");
  std::unique_ptr<zip_t, ZipCloser> guard(archive);
  for (const auto& [name, data] : parts) {
    zip_source_t* part = zip_source_buffer(archive, data.data(), data.size(), 0);
    if (!part || zip_file_add(archive, name.c_str(), part, ZIP_FL_ENC_UTF_8) < 0) {
      if (part) zip_source_free(part);
      throw std::runtime_error(std::string("package: cannot add ") + name);
    }
  }
  if (zip_close(guard.release()) < 0) throw std::runtime_error("package: cannot write the zip");
  zip_stat_t stat;
  if (zip_source_stat(buffer, &stat) < 0 || zip_source_open(buffer) < 0) {
    throw std::runtime_error("package: cannot read the zip back");
  }
  std::string out(stat.size, '\0');
  const auto read = zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
    throw std::runtime_error("package: short read of the zip");
  }
  return out;
}

std::string package_part(const std::string& package, const std::string& name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(package.data(), package.size(), 0, &error);
  if (!source) throw std::runtime_error("package: cannot read");
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (!archive) {
    zip_source_free(source);
    throw std::runtime_error("package: not a zip");
  }
  std::unique_ptr<zip_t, ZipCloser> guard(archive);
  zip_stat_t stat;
  zip_file_t* file = zip_fopen(archive, name.c_str(), 0);
  if (!file || zip_stat(archive, name.c_str(), 0, &stat) < 0) {
    if (file) zip_fclose(file);
    throw std::runtime_error("package: no part " + name);
  }
  std::string xml(stat.size, '\0');
  const auto read = zip_fread(file, xml.data(), xml.size());
  zip_fclose(file);
  if (read < 0) throw std::runtime_error("package: cannot read " + name);
  return xml;
}

}  // namespace appealhub::documents
