#include "documents/docx.hpp"

#include <zip.h>

#include <memory>
#include <stdexcept>

namespace appealhub::documents {
namespace {

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

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

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

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) throw std::runtime_error("docx: cannot make a zip buffer");
  zip_source_keep(buffer);  // read back after zip_close
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(buffer, zip_source_free);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) throw std::runtime_error("docx: cannot open a zip");
  std::unique_ptr<zip_t, ZipCloser> guard(archive);
  for (const auto& [name, data] : parts) {
    zip_source_t* part = zip_source_buffer(archive, data.data(), data.size(), 0);
    if (!part || zip_file_add(archive, name.c_str(), part, ZIP_FL_ENC_UTF_8) < 0) {
      if (part) zip_source_free(part);
      throw std::runtime_error(std::string("docx: cannot add ") + name);
    }
  }
  if (zip_close(guard.release()) < 0) throw std::runtime_error("docx: cannot write the zip");
  zip_stat_t stat;
  if (zip_source_stat(buffer, &stat) < 0 || zip_source_open(buffer) < 0) {
    throw std::runtime_error("docx: cannot read the zip back");
  }
  std::string out(stat.size, '\0');
  const auto read = zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
    throw std::runtime_error("docx: short read of the zip");
  }
  return out;
}

std::vector<std::string> docx_paragraphs(const std::string& docx) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(docx.data(), docx.size(), 0, &error);
  if (!source) throw std::runtime_error("docx: cannot read");
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (!archive) {
    zip_source_free(source);
    throw std::runtime_error("docx: not a zip");
  }
  std::unique_ptr<zip_t, ZipCloser> guard(archive);
  zip_stat_t stat;
  zip_file_t* file = zip_fopen(archive, "word/document.xml", 0);
  if (!file || zip_stat(archive, "word/document.xml", 0, &stat) < 0) {
    if (file) zip_fclose(file);
    throw std::runtime_error("docx: no word/document.xml");
  }
  std::string xml(stat.size, '\0');
  const auto read = zip_fread(file, xml.data(), xml.size());
  zip_fclose(file);
  if (read < 0) throw std::runtime_error("docx: cannot read word/document.xml");
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
