#include "sim/hotline/hotline_files.hpp"

#include <iconv.h>
#include <openssl/evp.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>

namespace appealhub::sim::hotline {
namespace {

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// iconv over a whole text; nullopt on an invalid or incomplete sequence.
std::optional<std::string> convert(std::string_view in, const char* to, const char* from) {
  const iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    throw std::runtime_error(std::string("iconv cannot convert ") + from + " to " + to);
  }
  std::string src(in);
  std::string out;
  char* src_ptr = src.data();
  std::size_t src_left = src.size();
  std::optional<std::string> result;
  while (true) {
    const std::size_t before = out.size();
    const std::size_t room = src_left * 2 + 16;
    out.resize(before + room);
    char* dst = out.data() + before;
    std::size_t dst_left = room;
    const std::size_t rc = iconv(cd, &src_ptr, &src_left, &dst, &dst_left);
    const int err = errno;
    out.resize(before + room - dst_left);
    if (rc != static_cast<std::size_t>(-1)) {
      result = std::move(out);
      break;
    }
    if (err != E2BIG) break;
  }
  iconv_close(cd);
  return result;
}

}  // namespace

std::optional<FileEncoding> parse_file_encoding(std::string_view name) {
  const std::string u = upper(name);
  if (u == "GB18030") return FileEncoding::gb18030;
  if (u == "UTF-8" || u == "UTF8") return FileEncoding::utf8;
  if (u == "UTF-8-BOM" || u == "UTF8-BOM") return FileEncoding::utf8_bom;
  return std::nullopt;
}

std::string marker_encoding_name(FileEncoding encoding) {
  return encoding == FileEncoding::gb18030 ? "GB18030" : "UTF-8";
}

std::string encode_text(std::string_view utf8, FileEncoding encoding) {
  if (encoding == FileEncoding::utf8) return std::string(utf8);
  if (encoding == FileEncoding::utf8_bom) return "\xEF\xBB\xBF" + std::string(utf8);
  auto gb = convert(utf8, "GB18030", "UTF-8");
  if (!gb) throw std::runtime_error("text cannot be written in GB18030");
  return std::move(*gb);
}

std::optional<std::string> decode_text(std::string_view bytes, bool gb18030) {
  if (gb18030) return convert(bytes, "UTF-8", "GB18030");
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  // UTF-8 → UTF-8 through iconv validates the bytes.
  return convert(bytes, "UTF-8", "UTF-8");
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 unavailable");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (std::size_t k = 0; k < f.size(); ++k) {
      const char c = f[k];
      if (c == '"') {
        out += "\"\"";
      } else if (c == '\n' && (k == 0 || f[k - 1] != '\r')) {
        out += "\r\n";  // line breaks in fields are CRLF too, as Excel writes them
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, after_quote = false, any = false;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  auto end_record = [&] {
    end_field();
    if (!(record.size() == 1 && record[0].empty())) records.push_back(std::move(record));
    record.clear();
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        field += c;
      }
      continue;
    }
    any = true;
    if (c == '"' && field.empty() && !after_quote) {
      quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      end_record();
    } else if (c == '\n') {
      end_record();
    } else {
      field += c;
    }
  }
  if (quoted) return std::nullopt;
  if (any || !field.empty() || !record.empty()) end_record();
  return records;
}

std::string marker_text(std::size_t rows, std::string_view encoding, std::string_view sha256) {
  return "rows=" + std::to_string(rows) + "\nencoding=" + std::string(encoding) +
         "\nsha256=" + std::string(sha256) + "\n";
}

MarkerFields parse_marker_text(std::string_view text) {
  MarkerFields m;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string_view line = trim(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, eq));
    const std::string value(trim(line.substr(eq + 1)));
    if (key == "rows") {
      try {
        std::size_t used = 0;
        const auto n = std::stoull(value, &used);
        if (used == value.size()) m.rows = n;
      } catch (const std::exception&) {
      }
    } else if (key == "encoding") {
      m.encoding = value;
    } else if (key == "sha256") {
      m.sha256 = value;
    }
  }
  return m;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path temp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temp.string());
  }
  std::filesystem::rename(temp, path);
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace appealhub::sim::hotline
