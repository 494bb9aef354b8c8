// The 依申请公开 reply documents: every decision form rendered with its fields, the requester,
// the request's date and number and the remedy sentence; missing and unknown fields refused; the
// DOCX holds exactly the document's paragraphs.

#include "documents/disclosure_reply.hpp"

#include <gtest/gtest.h>

#include "documents/docx.hpp"

namespace appealhub::documents {
namespace {

nlohmann::json filled(const DisclosureForm& form) {
  nlohmann::json f{{"requester", "张三"},
                   {"request_date", "2026-11-02"},
                   {"request_number", "GYJT-YSQ-2026-031"},
                   {"requested", "2025年度城区出租车运价调整的批复文件"},
                   {"reply_date", "2026-11-20"},
                   {"document_number", "广交公开〔2026〕31号"}};
  for (const auto& name : form.fields) {
    f[name] = name == "until" ? "2026-12-18" : "字段" + name + "的内容";
  }
  return f;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DisclosureReply, EveryFormNamesTheRequestTheDecisionTheGroundAndTheRemedy) {
  ASSERT_EQ(disclosure_forms().size(), 11u);
  for (const auto& form : disclosure_forms()) {
    const auto doc = render_disclosure(form.decision, filled(form));
    ASSERT_TRUE(doc.errors.empty()) << form.decision << ": " << doc.errors.front();
    const auto text = doc.text();
    EXPECT_EQ(doc.paragraphs.front(), doc.title);
    for (const char* part :
         {"张三：", "2026年11月2日", "GYJT-YSQ-2026-031", "广交公开〔2026〕31号",
          "2025年度城区出租车运价调整的批复文件", "《中华人民共和国政府信息公开条例》",
          "六十日内向广元市人民政府申请行政复议", "六个月内依法向人民法院提起行政诉讼",
          "广元市交通运输局", "2026年11月20日"}) {
      EXPECT_TRUE(has(text, part)) << form.decision << " lacks " << part << ":\n" << text;
    }
    EXPECT_TRUE(has(text, form.article.substr(0, form.article.find("、"))))
        << form.decision << " cites " << form.article << ":\n"
        << text;
    for (const auto& name : form.fields) {
      if (name != "until") {
        EXPECT_TRUE(has(text, "字段" + name + "的内容")) << form.decision << " " << name;
      }
    }
  }
  EXPECT_TRUE(has(render_disclosure("extension", filled(disclosure_forms().back())).text(),
                  "答复期限延长至2026年12月18日"));
  EXPECT_TRUE(
      has(render_disclosure("correction", filled(disclosure_forms()[8])).text(), "视为放弃申请"));
}

TEST(DisclosureReply, NotOursNamesTheBodyWhenKnown) {
  auto f = filled(disclosure_forms()[5]);
  f["body"] = "广元市公安局交通警察支队";
  f["body_contact"] = "0839-0000000";
  const auto text = render_disclosure("not_ours", f).text();
  EXPECT_TRUE(has(text, "负责公开该信息的机关是广元市公安局交通警察支队，联系方式：0839-0000000"))
      << text;
  f.erase("body");
  f.erase("body_contact");
  EXPECT_FALSE(has(render_disclosure("not_ours", f).text(), "负责公开该信息的机关是"));
}

TEST(DisclosureReply, MissingUnknownAndMultiLineFieldsAreRefused) {
  EXPECT_FALSE(render_disclosure("maybe", nlohmann::json::object()).errors.empty());
  auto f = filled(disclosure_forms()[3]);  // refuse
  f.erase("ground");
  f["colour"] = "red";
  f["requester"] = "张三\n李四";
  f["request_date"] = "11月2日";
  const auto doc = render_disclosure("refuse", f);
  std::string all;
  for (const auto& e : doc.errors) all += e + "; ";
  for (const char* field :
       {"fields.ground", "fields.colour", "fields.requester", "fields.request_date"}) {
    EXPECT_TRUE(has(all, field)) << field << " in " << all;
  }
  EXPECT_TRUE(doc.paragraphs.empty());
}

TEST(Docx, HoldsExactlyTheParagraphs) {
  const auto doc = render_disclosure("refuse", filled(disclosure_forms()[3]));
  auto paragraphs = doc.paragraphs;
  paragraphs.push_back("<&> \"quoted\" 'single'");
  const auto bytes = make_docx(doc.title, paragraphs);
  ASSERT_GT(bytes.size(), 500u);
  EXPECT_EQ(bytes.substr(0, 2), "PK") << "a zip";
  EXPECT_EQ(docx_paragraphs(bytes), paragraphs);
  EXPECT_THROW(docx_paragraphs("not a zip"), std::runtime_error);
}

}  // namespace
}  // namespace appealhub::documents
