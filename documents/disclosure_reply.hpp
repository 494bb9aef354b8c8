#pragma once
// Reply documents for requests under 中华人民共和国政府信息公开条例 (2019, 国务院令第711号):
// the decisions of article 36 (已主动公开, 予以公开, 部分公开, 不予公开, 信息不存在,
// 非本机关负责公开, 不予重复处理, 法律法规另有规定), the 补正 notice of article 30, the third-party
// consultation notice of article 32 and the extension notice of article 33, as templates with
// fields (docs/knowledge.md, "Reply documents"). Every document names the requester, the request's
// date and number, the decision and its ground, and the remedy sentence. Pure: no I/O.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace appealhub::documents {

struct DisclosureForm {
  std::string decision;  // already_public, disclose, partial, refuse, not_exist, not_ours,
                         // repeat, other_law, correction, third_party, extension
  std::string name;      // 已主动公开 …
  std::string article;   // 第三十六条第（一）项 …
  std::vector<std::string> fields;  // the decision's own fields, required
};
// Every form, in the order of the regulation.
const std::vector<DisclosureForm>& disclosure_forms();
// Fields every document has: requester, request_date (YYYY-MM-DD), request_number, requested (what
// was asked for) are required; agency, document_number, reply_date and review_body are optional.
const std::vector<std::string>& common_disclosure_fields();

struct RenderedDocument {
  std::string title;
  std::vector<std::string> paragraphs;  // the text, one paragraph each; text() joins them
  std::vector<std::string> errors;      // field: why (nothing rendered then)
  std::string text() const;
};

// Renders `decision` with `fields` (strings by name); unknown or missing fields are errors.
RenderedDocument render_disclosure(const std::string& decision, const nlohmann::json& fields);

}  // namespace appealhub::documents
