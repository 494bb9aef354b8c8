#include "http/url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace appealhub::http {
namespace {

TEST(HttpUrl, TakesAnHttpUrlApart) {
  const auto u = parse_http_url("http://127.0.0.1:18082/hook/petition?x=1");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 18082);
  EXPECT_EQ(u.path, "/hook/petition");
  EXPECT_EQ(u.target, "/hook/petition?x=1");
  EXPECT_TRUE(u.has_query);
  EXPECT_FALSE(u.has_user_info);
}

TEST(HttpUrl, DefaultsThePortByScheme) {
  EXPECT_EQ(parse_http_url("https://wlwz.example.gov.cn").port, 443);
  EXPECT_EQ(parse_http_url("https://wlwz.example.gov.cn").target, "/");
  EXPECT_EQ(parse_http_url("HTTP://h/").port, 80);
  EXPECT_TRUE(parse_http_url("https://u:p@h/").has_user_info);
}

TEST(HttpUrl, RefusesWhatIsNotAnHttpUrl) {
  for (const char* bad : {"ftp://h/", "h:80/a", "http://", "http://h:0/", "http://h:65536/",
                          "http://h:99999", "http://h:8x/", "http://h/a b", "/relative"}) {
    EXPECT_THROW(parse_http_url(bad), std::invalid_argument) << bad;
  }
}

TEST(Query, DecodesPairsWithPlusAsSpace) {
  const auto q = parse_query("q=%E9%81%93%E8%B7%AF+a&flag&&empty=&x=%2B");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 4u);
  EXPECT_EQ((*q)[0].first, "q");
  EXPECT_EQ((*q)[0].second, "道路 a");
  EXPECT_EQ((*q)[1].second, std::nullopt);
  EXPECT_EQ((*q)[2].second, "");
  EXPECT_EQ((*q)[3].second, "+");
}

TEST(Query, RefusesAMalformedEscape) {
  EXPECT_FALSE(parse_query("q=%"));
  EXPECT_FALSE(parse_query("q=%G1"));
  EXPECT_FALSE(parse_query("q=a b"));
  EXPECT_TRUE(parse_query("q=%25"));
  EXPECT_EQ(parse_query("q=%00")->front().second, std::string(1, '\0'));
}

TEST(PathSegment, DecodesEscapesButNotPlus) {
  EXPECT_EQ(decode_path_segment("a+b%2Fc"), "a+b/c");
  EXPECT_EQ(decode_path_segment("%FF"), "\xFF");
  EXPECT_EQ(decode_path_segment("%F"), std::nullopt);
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("a-._~Z9 /@:%"), "a-._~Z9%20%2F%40%3A%25");
  EXPECT_EQ(decode_path_segment(percent_encode("道路 ?&=")), "道路 ?&=");
}

TEST(UriPassword, IsAddedOnlyWhereThereIsAUserAndNoPassword) {
  EXPECT_EQ(uri_with_password("postgresql://u@h:5432/db", "x"), "postgresql://u:x@h:5432/db");
  EXPECT_EQ(uri_with_password("amqp://u:old@h/", "new"), "amqp://u:old@h/");
  EXPECT_EQ(uri_with_password("amqp://u@h/", ""), "amqp://u@h/");
  EXPECT_EQ(uri_with_password("amqp://h/", "x"), "amqp://h/");
  const auto with = uri_with_password("amqp://u@h/", "p@ss:w/rd%");
  EXPECT_TRUE(uri_has_password(with));
  EXPECT_EQ(with.find("p@ss"), std::string::npos) << with;
  EXPECT_FALSE(uri_has_password("postgresql://appealhub@127.0.0.1:55432/appealhub"));
  EXPECT_TRUE(uri_has_password("amqp://u:secret@h/"));
}

}  // namespace
}  // namespace appealhub::http
