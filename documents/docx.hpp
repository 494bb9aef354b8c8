#pragma once
// A minimal Office Open XML word-processing document (DOCX): a title and paragraphs of text, in
// SimSun for Chinese. A DOCX is a zip of XML parts; libzip (Debian's libzip-dev) writes the zip.

#include <string>
#include <vector>

namespace appealhub::documents {

// The bytes of a .docx file; throws std::runtime_error when the zip cannot be made.
std::string make_docx(const std::string& title, const std::vector<std::string>& paragraphs);

// The text of a DOCX's paragraphs (word/document.xml), one string each: for tests and checks.
std::vector<std::string> docx_paragraphs(const std::string& docx);

}  // namespace appealhub::documents
