#include "adapters/hotline12328/result_file.hpp"

#include <fcntl.h>
#include <iconv.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "adapters/hotline12328/csv_reader.hpp"
#include "core/bytes.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

// China local time of an instant as the 12328 files write it.
struct LocalTime {
  int year, month, day, hour, minute, second;
};

LocalTime china_local(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  const auto local = time_point_cast<seconds>(at) + minutes(core::kChinaOffsetMinutes);
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  return {static_cast<int>(ymd.year()),
          static_cast<int>(unsigned(ymd.month())),
          static_cast<int>(unsigned(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

std::string two(int n) {
  return (n < 10 ? "0" : "") + std::to_string(n);
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out + "\r\n";
}

void write_durably(const std::filesystem::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + path.string() + ": " + strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error("cannot write " + path.string() + ": " + strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  // The rename that follows must never publish a file whose bytes are not on disk yet.
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw std::runtime_error("cannot sync " + path.string());
}

void publish(const std::filesystem::path& dir, const std::string& name, const std::string& bytes) {
  // The pid keeps two senders finishing the same planned file from sharing a temporary file.
  const auto tmp = dir / ("." + name + "." + std::to_string(::getpid()) + ".tmp");
  write_durably(tmp, bytes);
  std::error_code ec;
  std::filesystem::rename(tmp, dir / name, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp.string() + ": " + ec.message());
}

}  // namespace

std::string_view result_type_of(core::ReplyType type) {
  switch (type) {
    case core::ReplyType::final_answer:
      return "办结";
    case core::ReplyType::interim:
      return "阶段答复";
    case core::ReplyType::return_order:
      return "退回";
    case core::ReplyType::extension_request:
      return "延期申请";
  }
  return "";
}

ResultRow result_row(const core::ReplyRequested& r) {
  ResultRow row;
  row.order_id = r.external_id;
  row.result_type = std::string(result_type_of(r.type));
  row.content = r.content;
  row.department = r.department;
  row.handler = r.handler;
  row.phone = r.contact_phone;
  const auto t = china_local(r.answered_at.utc);
  row.answered_at = std::to_string(t.year) + "-" + two(t.month) + "-" + two(t.day) + " " +
                    two(t.hour) + ":" + two(t.minute) + ":" + two(t.second);
  if (r.type == core::ReplyType::return_order) row.return_reason = r.return_reason;
  if (r.type == core::ReplyType::extension_request) {
    row.extension_days = std::to_string(r.extension_days);
  }
  return row;
}

std::string result_file_name(std::string_view unit, std::chrono::system_clock::time_point at,
                             std::uint64_t sequence) {
  const auto t = china_local(at);
  auto seq = std::to_string(sequence);
  if (seq.size() < 6) seq.insert(0, 6 - seq.size(), '0');
  return "12328_" + std::string(unit) + "_RESULT_" + std::to_string(t.year) + two(t.month) +
         two(t.day) + two(t.hour) + two(t.minute) + two(t.second) + "_" + seq + ".csv";
}

std::string receipt_file_name(std::string_view result_name) {
  std::string base(result_name);
  if (base.ends_with(".csv")) base.resize(base.size() - 4);
  return base + ".receipt.csv";
}

std::string encode_from_utf8(std::string_view utf8, Encoding encoding) {
  if (encoding == Encoding::utf8) {
    if (!decode_to_utf8(utf8, Encoding::utf8)) throw std::runtime_error("text is not UTF-8");
    return std::string(utf8);
  }
  const iconv_t cd = iconv_open("GB18030", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    throw std::runtime_error("iconv cannot convert UTF-8 to GB18030 on this system");
  }
  std::string out(utf8.size() * 2 + 16, '\0');  // GB18030 takes at most 4 bytes per code point
  char* in = const_cast<char*>(utf8.data());    // iconv's signature; it does not write there
  std::size_t in_left = utf8.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) {
    throw std::runtime_error("text is not UTF-8 at byte " + std::to_string(utf8.size() - in_left));
  }
  out.resize(out.size() - dst_left);
  return out;
}

ResultFile build_result_file(const std::vector<ResultRow>& rows, Encoding encoding) {
  if (rows.size() > kMaxResultRows) {
    throw std::invalid_argument("a result file holds at most 500 rows, not " +
                                std::to_string(rows.size()));
  }
  std::string text = csv_line({"工单编号", "结果类型", "办理结果", "办理单位", "办理人", "联系电话",
                               "办结时间", "退回原因", "延期天数"});
  for (const auto& r : rows) {
    text += csv_line({r.order_id, r.result_type, r.content, r.department, r.handler, r.phone,
                      r.answered_at, r.return_reason, r.extension_days});
  }
  ResultFile f;
  f.bytes = encode_from_utf8(text, encoding);
  f.marker.rows = rows.size();
  f.marker.encoding = encoding;
  f.marker.sha256 = core::sha256_hex(f.bytes);
  return f;
}

std::string marker_text(const Marker& m) {
  return "rows=" + std::to_string(m.rows) + "\r\nencoding=" + std::string(to_string(m.encoding)) +
         "\r\nsha256=" + m.sha256 + "\r\n";
}

void write_result_file(const std::filesystem::path& dir, const std::string& name,
                       const ResultFile& file) {
  publish(dir, name, file.bytes);
  publish(dir, name + ".ok", marker_text(file.marker));
}

std::optional<std::vector<ReceiptRow>> parse_receipt(std::string_view text, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<std::vector<ReceiptRow>> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (!decode_to_utf8(text, Encoding::utf8)) return fail("the receipt is not UTF-8");
  const auto records = parse_csv(text);
  if (records.empty()) return fail("the receipt is empty");
  const auto columns = ColumnMap::from_header(records.front().fields, error);
  if (!columns) return std::nullopt;
  for (const char* c : {"工单编号", "处理结果", "失败原因"}) {
    if (!columns->has(c)) return fail(std::string("the receipt has no column ") + c);
  }
  std::vector<ReceiptRow> rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i];
    if (!r.error.empty()) return fail("line " + std::to_string(r.line) + ": " + r.error);
    if (r.fields.size() == 1 && r.fields[0].empty()) continue;  // a blank line
    ReceiptRow row;
    row.order_id = std::string(columns->get(r.fields, "工单编号"));
    const auto result = columns->get(r.fields, "处理结果");
    if (result != "成功" && result != "失败") {
      return fail("line " + std::to_string(r.line) + ": 处理结果 '" + std::string(result) +
                  "' is neither 成功 nor 失败");
    }
    row.success = result == "成功";
    row.reason = std::string(columns->get(r.fields, "失败原因"));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace appealhub::adapters::hotline12328
