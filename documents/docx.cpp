#include "documents/docx.hpp"

#include "documents/package.hpp"

namespace appealhub::documents {
namespace {

// One paragraph: the title centred and bold in 小标宋-like SimHei 二号 (22 pt), the rest in
// FangSong 三号 (16 pt), as official letters are set.
std::string paragraph_xml(const std::string& text, bool title) {
  const char* font = title ? "SimHei" : "FangSong";
  return std::string("<w:p><w:pPr>") + (title ? "<w:jc w:val=\"center\"/>" : "") +
         "</w:pPr><w:r><w:rPr><w:rFonts w:ascii=\"" + font + "\" w:eastAsia=\"" + font +
         "\" w:hAnsi=\"" + font + "\"/>" + (title ? "<w:b/>" : "") + "<w:sz w:val=\"" +
         (title ? "44" : "32") + "\"/></w:rPr><w:t xml:space=\"preserve\">" + xml_escape(text) +
         "</w:t></w:r></w:p>";
}

}  // namespace

std::string make_docx(const std::string& title, const std::vector<std::string>& paragraphs) {
  std::vector<std::pair<std::string, std::string>> parts;
  parts.emplace_back(
      "[Content_Types].xml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
      "<Override PartName=\"/docProps/core.xml\" "
      "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
      "</Types>");
  parts.emplace_back(
      "_rels/.rels",
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/officeDocument\" Target=\"word/document.xml\"/>"
      "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
      "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
      "</Relationships>");
  parts.emplace_back(
      "docProps/core.xml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/"
      "core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>" +
          xml_escape(title) + "</dc:title><dc:creator>appealhub</dc:creator></cp:coreProperties>");
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:body>";
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    body += paragraph_xml(paragraphs[i], i == 0 && paragraphs[i] == title);
  }
  body +=
      "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" "
      "w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
      "</w:sectPr></w:body></w:document>";
  parts.emplace_back("word/document.xml", std::move(body));

  return make_package(parts);
}

std::vector<std::string> docx_paragraphs(const std::string& docx) {
  const auto xml = package_part(docx, "word/document.xml");
  std::vector<std::string> out;
  for (auto p = xml.find("<w:p>"); p != std::string::npos; p = xml.find("<w:p>", p + 1)) {
    const auto end = xml.find("</w:p>", p);
    std::string text;
    for (auto t = xml.find("<w:t", p); t != std::string::npos && t < end;
         t = xml.find("<w:t", t + 1)) {
      const auto open_end = xml.find('>', t);
      if (xml.compare(t, 5, "<w:t>") != 0 && xml.compare(t, 5, "<w:t ") != 0) continue;
      const auto close = xml.find("</w:t>", open_end);
      text += xml_unescape(xml.substr(open_end + 1, close - open_end - 1));
    }
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace appealhub::documents
