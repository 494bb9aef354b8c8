#pragma once
// A minimal Office Open XML workbook (XLSX): one sheet of numbers and text, no styles. Numbers
// are written with the digits given, so a cell carries exactly what the API answers.

#include <string>
#include <vector>

namespace appealhub::documents {

struct XlsxCell {
  std::string text;  // empty: no cell
  bool number = false;
};

// The bytes of a .xlsx file with one sheet named `sheet` (at most 31 characters, Excel's limit).
std::string make_xlsx(const std::string& sheet, const std::vector<std::vector<XlsxCell>>& rows);

// The cells of the first sheet as text, row by row (a missing cell is ""): for tests and checks.
std::vector<std::vector<std::string>> xlsx_rows(const std::string& xlsx);

}  // namespace appealhub::documents
