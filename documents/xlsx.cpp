#include "documents/xlsx.hpp"

#include "documents/package.hpp"

namespace appealhub::documents {
namespace {

constexpr const char* kXmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

// A column's letters: 0 → A, 25 → Z, 26 → AA.
std::string column_name(std::size_t i) {
  std::string out;
  for (++i; i > 0; i = (i - 1) / 26) out.insert(out.begin(), static_cast<char>('A' + (i - 1) % 26));
  return out;
}

std::size_t column_index(const std::string& reference) {
  std::size_t i = 0;
  for (const char c : reference) {
    if (c < 'A' || c > 'Z') break;
    i = i * 26 + static_cast<std::size_t>(c - 'A' + 1);
  }
  return i - 1;
}

// The text between `open`'s end and `close` from `from`, or "" when absent before `end`.
std::string between(const std::string& xml, const std::string& open, const std::string& close,
                    std::size_t from, std::size_t end) {
  const auto start = xml.find(open, from);
  if (start == std::string::npos || start >= end) return "";
  const auto content = xml.find('>', start) + 1;
  return xml_unescape(xml.substr(content, xml.find(close, content) - content));
}

// XML 1.0 has no place for control characters other than tab and line ends: they are dropped.
std::string xml_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += c;
  }
  return xml_escape(out);
}

}  // namespace

std::string make_xlsx(const std::string& sheet, const std::vector<std::vector<XlsxCell>>& rows) {
  std::string data = std::string(kXmlHead) + "<worksheet xmlns=\"" + kMain + "\"><sheetData>";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto row = std::to_string(r + 1);
    data += "<row r=\"" + row + "\">";
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const auto& cell = rows[r][c];
      if (cell.text.empty()) continue;
      const auto reference = column_name(c) + row;
      data += cell.number
                  ? "<c r=\"" + reference + "\"><v>" + cell.text + "</v></c>"
                  : "<c r=\"" + reference + "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" +
                        xml_text(cell.text) + "</t></is></c>";
    }
    data += "</row>";
  }
  data += "</sheetData></worksheet>";
  return make_package({
      {"[Content_Types].xml",
       std::string(kXmlHead) +
           "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
           "<Default Extension=\"rels\" "
           "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
           "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
           "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
           "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
           "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/"
           "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
           "</Types>"},
      {"_rels/.rels",
       std::string(kXmlHead) +
           "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
           "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
           "relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
      {"xl/workbook.xml",
       std::string(kXmlHead) + "<workbook xmlns=\"" + kMain +
           "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
           "<sheets><sheet name=\"" +
           xml_escape(sheet) + "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       std::string(kXmlHead) +
           "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
           "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
           "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
      {"xl/worksheets/sheet1.xml", data},
  });
}

std::vector<std::vector<std::string>> xlsx_rows(const std::string& xlsx) {
  const auto xml = package_part(xlsx, "xl/worksheets/sheet1.xml");
  std::vector<std::vector<std::string>> out;
  for (auto r = xml.find("<row "); r != std::string::npos; r = xml.find("<row ", r + 1)) {
    const auto row_end = xml.find("</row>", r);
    std::vector<std::string> cells;
    for (auto c = xml.find("<c ", r); c != std::string::npos && c < row_end;
         c = xml.find("<c ", c + 1)) {
      const auto ref = xml.find("r=\"", c) + 3;
      const auto column = column_index(xml.substr(ref, xml.find('"', ref) - ref));
      const auto cell_end = xml.find("</c>", c);
      auto text = between(xml, "<v>", "</v>", c, cell_end);
      if (text.empty()) text = between(xml, "<t", "</t>", c, cell_end);
      if (cells.size() <= column) cells.resize(column + 1);
      cells[column] = std::move(text);
    }
    out.push_back(std::move(cells));
  }
  return out;
}

}  // namespace appealhub::documents
