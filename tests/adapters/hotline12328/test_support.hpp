#pragma once
// Helpers shared by the 12328 adapter tests: temporary directories, files, GB18030 text.

#include <iconv.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace appealhub::adapters::hotline12328::testing {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// UTF-8 → GB18030 with iconv, as Excel on Chinese Windows writes it.
inline std::string to_gb18030(std::string_view utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("no iconv GB18030");
  std::string in(utf8);
  std::string out(in.size() * 2 + 16, '\0');
  char* src = in.data();
  std::size_t src_left = in.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  const std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) throw std::runtime_error("iconv failed");
  out.resize(out.size() - dst_left);
  return out;
}

inline std::string marker_for(std::string_view bytes, std::size_t rows,
                              std::string_view encoding = "UTF-8") {
  return "rows=" + std::to_string(rows) + "\r\nencoding=" + std::string(encoding) +
         "\r\nsha256=" + core::sha256_hex(bytes) + "\r\n";
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("h12328-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline constexpr std::string_view kHeader =
    "工单编号,派单类型,受理时间,来电号码,来电人,诉求类型,业务类别,所属区县,事发地点,车牌号,"
    "诉求标题,诉求内容,紧急程度,办理时限,需要回访,关联工单,附件,坐席工号";

}  // namespace appealhub::adapters::hotline12328::testing
