#include "documents/disclosure_reply.hpp"

#include <regex>
#include <set>

#include "core/text.hpp"

namespace appealhub::documents {
namespace {

constexpr const char* kRegulation = "《中华人民共和国政府信息公开条例》";

std::string chinese_date(const std::string& iso) {
  // YYYY-MM-DD (checked before) → 2026年3月5日
  return iso.substr(0, 4) + "年" + std::to_string(std::stoi(iso.substr(5, 2))) + "月" +
         std::to_string(std::stoi(iso.substr(8, 2))) + "日";
}

bool is_date(const std::string& text) {
  static const std::regex pattern("^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$");
  return std::regex_match(text, pattern);
}

// The paragraphs of each decision, from its fields (all present and checked).
using Fields = std::map<std::string, std::string>;
std::vector<std::string> decision_paragraphs(const std::string& decision, const Fields& f) {
  const auto basis = [](const char* article) {
    return std::string("根据") + kRegulation + article + "的规定，";
  };
  if (decision == "already_public")
    return {"经审查，您申请公开的信息本机关已经主动公开。" + basis("第三十六条第（一）项") +
            "现告知您获取该信息的方式和途径：" + f.at("where") + "。"};
  if (decision == "disclose")
    return {"经审查，您申请公开的信息属于可以公开的政府信息。" + basis("第三十六条第（二）项") +
            "决定予以公开。" + f.at("how") + "。"};
  if (decision == "partial")
    return {"经审查，您申请公开的信息中含有不应当公开的内容，但能够作区分处理。" +
                basis("第三十六条第（二）项、第三十七条") + "决定部分公开。可以公开的部分：" +
                f.at("how") + "。",
            "不予公开的部分：" + f.at("withheld") + "。理由：" + f.at("ground") + "。"};
  if (decision == "refuse")
    return {"经审查，您申请公开的信息依法不予公开。理由：" + f.at("ground") + "。" +
            basis("第三十六条第（三）项") + "决定不予公开。"};
  if (decision == "not_exist")
    return {"经检索，" + f.at("searched") + "，本机关没有您申请公开的信息。" +
            basis("第三十六条第（四）项") + "告知您该政府信息不存在。"};
  if (decision == "not_ours") {
    std::string text = "经审查，您申请公开的信息不属于本机关负责公开。理由：" + f.at("reason") +
                       "。" + basis("第三十六条第（五）项") + "告知您该信息不由本机关负责公开。";
    if (!f.at("body").empty()) {
      text += "负责公开该信息的机关是" + f.at("body") +
              (f.at("body_contact").empty() ? "" : "，联系方式：" + f.at("body_contact")) +
              "，请向其申请。";
    }
    return {text};
  }
  if (decision == "repeat")
    return {"经审查，本机关已就您提出的相同政府信息公开申请作出答复（" + f.at("previous") +
            "），您再次申请公开相同的政府信息。" + basis("第三十六条第（六）项") +
            "本机关不予重复处理。"};
  if (decision == "other_law")
    return {"经审查，您申请公开的信息属于" + f.at("law") +
            "规定的信息，有关法律、行政法规对该信息的获取有特别规定。" +
            basis("第三十六条第（七）项") + "请您依照有关规定办理：" + f.at("how") + "。"};
  if (decision == "correction")
    return {
        "经审查，您的申请内容不明确：" + f.at("unclear") + "。" + basis("第三十条") +
            "请您在收到本告知书之日起" + f.at("period") +
            "内一次性补正上述事项（可以写明所需信息的名称、文号或者便于查询的其他特征性描述）。",
        "答复期限自本机关收到补正的申请之日起计算。您无正当理由逾期不补正的，视为放弃申请，本机关不"
        "再处理该政府信息公开申请。"};
  if (decision == "third_party")
    return {
        "经审查，您申请公开的信息涉及第三方（" + f.at("third_party") +
            "）的合法权益，公开可能损害其合法权益。" + basis("第三十二条") +
            "本机关已书面征求第三方的意见，第三方应当自收到征求意见书之日起15个工作日内提出意见。",
        std::string("根据") + kRegulation +
            "第三十三条第二款的规定，征求第三方意见所需时间不计算在答复期限内。本机关将在收到第三方"
            "意见或者期限届满后依法作出答复。"};
  if (decision == "extension")
    return {"因" + f.at("reason") + "，本机关不能在规定期限内作出答复。" +
            basis("第三十三条第一款") + "经政府信息公开工作机构负责人同意，答复期限延长至" +
            chinese_date(f.at("until")) + "（延长的期限不超过20个工作日）。"};
  return {};
}

}  // namespace

const std::vector<DisclosureForm>& disclosure_forms() {
  static const std::vector<DisclosureForm> forms{
      {"already_public", "已主动公开", "第三十六条第（一）项", {"where"}},
      {"disclose", "予以公开", "第三十六条第（二）项", {"how"}},
      {"partial", "部分公开", "第三十六条第（二）项、第三十七条", {"how", "withheld", "ground"}},
      {"refuse", "不予公开", "第三十六条第（三）项", {"ground"}},
      {"not_exist", "信息不存在", "第三十六条第（四）项", {"searched"}},
      {"not_ours", "非本机关负责公开", "第三十六条第（五）项", {"reason"}},
      {"repeat", "不予重复处理", "第三十六条第（六）项", {"previous"}},
      {"other_law", "法律法规另有规定", "第三十六条第（七）项", {"law", "how"}},
      {"correction", "补正申请告知", "第三十条", {"unclear", "period"}},
      {"third_party", "征求第三方意见告知", "第三十二条、第三十三条第二款", {"third_party"}},
      {"extension", "延期答复告知", "第三十三条第一款", {"reason", "until"}},
  };
  return forms;
}

const std::vector<std::string>& common_disclosure_fields() {
  static const std::vector<std::string> fields{"requester",  "request_date", "request_number",
                                               "requested",  "agency",       "document_number",
                                               "reply_date", "review_body"};
  return fields;
}

std::string RenderedDocument::text() const {
  std::string out;
  for (std::size_t i = 0; i < paragraphs.size(); ++i) out += (i ? "\n" : "") + paragraphs[i];
  return out;
}

RenderedDocument render_disclosure(const std::string& decision, const nlohmann::json& fields) {
  RenderedDocument doc;
  const DisclosureForm* form = nullptr;
  for (const auto& candidate : disclosure_forms()) {
    if (candidate.decision == decision) form = &candidate;
  }
  if (!form) {
    doc.errors.push_back("decision: unknown decision '" + decision + "'");
    return doc;
  }
  if (!fields.is_object()) {
    doc.errors.push_back("fields: must be an object");
    return doc;
  }
  std::set<std::string> known(common_disclosure_fields().begin(), common_disclosure_fields().end());
  known.insert(form->fields.begin(), form->fields.end());
  if (decision == "not_ours") known.insert({"body", "body_contact"});
  Fields f;
  for (const auto& [name, value] : fields.items()) {
    if (!known.contains(name)) {
      doc.errors.push_back("fields." + name + ": not a field of " + decision);
      continue;
    }
    if (!value.is_string()) {
      doc.errors.push_back("fields." + name + ": must be a string");
      continue;
    }
    const auto text = value.get<std::string>();
    const auto length = core::utf8_length(text);
    if (!length || core::has_control_characters(text, false)) {
      doc.errors.push_back("fields." + name + ": must be one line of plain text");
    } else if (*length > 1000) {
      doc.errors.push_back("fields." + name + ": at most 1000 characters");
    } else {
      f[name] = text;
    }
  }
  std::vector<std::string> required{"requester", "request_date", "request_number", "requested",
                                    "reply_date"};
  required.insert(required.end(), form->fields.begin(), form->fields.end());
  for (const auto& name : required) {
    if (f[name].empty()) doc.errors.push_back("fields." + name + ": required");
  }
  for (const char* name : {"request_date", "reply_date", "until"}) {
    if (!f[name].empty() && !is_date(f[name]))
      doc.errors.push_back(std::string("fields.") + name + ": a date YYYY-MM-DD");
  }
  if (!doc.errors.empty()) return doc;
  for (const char* name : {"body", "body_contact", "document_number"}) f.try_emplace(name);
  if (f["agency"].empty()) f["agency"] = "广元市交通运输局";
  if (f["review_body"].empty()) f["review_body"] = "广元市人民政府";

  const bool procedural =
      decision == "correction" || decision == "third_party" || decision == "extension";
  doc.title = decision == "correction"    ? "政府信息公开申请补正告知书"
              : decision == "third_party" ? "政府信息公开征求第三方意见告知书"
              : decision == "extension"   ? "政府信息公开申请延期答复告知书"
                                          : "政府信息公开申请答复书";
  auto& p = doc.paragraphs;
  p.push_back(doc.title);
  if (!f["document_number"].empty()) p.push_back(f["document_number"]);
  p.push_back(f["requester"] + "：");
  p.push_back("本机关于" + chinese_date(f["request_date"]) +
              "收到您提交的政府信息公开申请（申请编号：" + f["request_number"] + "），申请公开“" +
              f["requested"] + "”。" + (procedural ? "" : "现答复如下："));
  for (auto& paragraph : decision_paragraphs(decision, f)) p.push_back(std::move(paragraph));
  p.push_back("如对本" + std::string(procedural ? "告知" : "答复") + "不服，可以自收到本" +
              (procedural ? "告知书" : "答复书") + "之日起六十日内向" + f["review_body"] +
              "申请行政复议，或者自收到之日起六个月内依法向人民法院提起行政诉讼。");
  p.push_back("特此告知。");
  p.push_back(f["agency"]);
  p.push_back(chinese_date(f["reply_date"]));
  return doc;
}

}  // namespace appealhub::documents
