// Specification of core/field_rules.hpp and core/text.hpp: the formats of appeal.v1 values.

#include "core/field_rules.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/text.hpp"

namespace appealhub::core {
namespace {

TEST(Utf8, CountsCodePointsNotBytes) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("出租车拒载"), 5u);
  EXPECT_EQ(utf8_length("é€😀"), 3u);
}

TEST(Utf8, PrefixCutsBeforeASequenceNeverInsideOne) {
  EXPECT_EQ(utf8_prefix("abc", 5), "abc");
  EXPECT_EQ(utf8_prefix("abc", 2), "ab");
  EXPECT_EQ(utf8_prefix("出租车", 3), "出");
  EXPECT_EQ(utf8_prefix("出租车", 5), "出");
  EXPECT_EQ(utf8_prefix("出租车", 2), "");
  EXPECT_EQ(utf8_prefix("a😀", 4), "a");
}

TEST(Utf8, RefusesMalformedSequences) {
  for (const std::string bad : {"\xFF", "\x80", "\xC3", "\xE5\xB7", "\xC0\xAF" /* overlong / */,
                                "\xE0\x80\xAF" /* overlong */, "\xED\xA0\x80" /* surrogate */,
                                "\xF4\x90\x80\x80" /* above U+10FFFF */,
                                "ok\xE5\xB7"
                                "x"}) {
    EXPECT_FALSE(utf8_length(bad)) << bad;
  }
}

TEST(Utf8, ReadsOneSequenceAndTellsIncompleteFromInvalid) {
  using State = Utf8Sequence::State;
  EXPECT_EQ(read_utf8("工", 0).state, State::ok);
  EXPECT_EQ(read_utf8("工", 0).length, 3u);
  EXPECT_EQ(read_utf8("工", 0).code_point, U'工');
  // A well-formed beginning cut by the end of the text may still become a character...
  EXPECT_EQ(read_utf8("\xE5\xB7", 0).state, State::incomplete);
  EXPECT_EQ(read_utf8("\xF0\x9F", 0).state, State::incomplete);
  // ...but not one that can only start an overlong form, a surrogate or a value past U+10FFFF.
  for (const std::string bad :
       {"\x80", "\xC1", "\xE0\x80", "\xED\xA0", "\xF4\x90", "\xF5", "\xE5x"}) {
    EXPECT_EQ(read_utf8(bad, 0).state, State::invalid) << bad;
  }
}

TEST(Utf8, LenientReadingReplacesEachMalformedByte) {
  EXPECT_EQ(decode_utf8("a工\xFF😀"), U"a工\uFFFD😀");
  EXPECT_EQ(decode_utf8("\xE5\xB7x"), U"\uFFFD\uFFFDx");
  std::string out;
  for (const char32_t c : decode_utf8("é€😀 出租车")) append_utf8(out, c);
  EXPECT_EQ(out, "é€😀 出租车");
  EXPECT_EQ(character_length("出租", 0), 3u);
  EXPECT_EQ(character_length("\xFFx", 0), 1u);
}

TEST(Text, FindsControlCharacters) {
  EXPECT_FALSE(has_control_characters("plain 文本", false));
  EXPECT_TRUE(has_control_characters("a\nb", false));
  EXPECT_FALSE(has_control_characters("a\r\n\tb", true));
  EXPECT_TRUE(has_control_characters(std::string("a\0b", 3), true));
  EXPECT_TRUE(has_control_characters("a\x7F", true));
  EXPECT_TRUE(has_control_characters("a\xC2\x85", true));    // U+0085 NEL, a C1 control
  EXPECT_FALSE(has_control_characters("a\xC2\xB7", false));  // U+00B7 middle dot
}

TEST(ChannelId, IsLowerCaseLettersDigitsAndUnderscores) {
  EXPECT_TRUE(is_channel_id("hotline12328"));
  EXPECT_TRUE(is_channel_id("mailbox"));
  EXPECT_TRUE(is_channel_id("district_bureau_2"));
  EXPECT_TRUE(is_channel_id("ab"));
  EXPECT_TRUE(is_channel_id(std::string(32, 'a')));
  EXPECT_FALSE(is_channel_id(std::string(33, 'a')));
  EXPECT_FALSE(is_channel_id("a"));
  EXPECT_FALSE(is_channel_id("Mailbox"));
  EXPECT_FALSE(is_channel_id("12328"));
  EXPECT_FALSE(is_channel_id("mail-box"));
  EXPECT_FALSE(is_channel_id("mail.box"));  // a routing-key word must not hold dots
}

TEST(EventId, Is16To128SafeCharacters) {
  EXPECT_TRUE(is_event_id("ev1-0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(is_event_id("petition:E7781.retry_1"));
  EXPECT_FALSE(is_event_id("short-id"));
  EXPECT_FALSE(is_event_id(std::string(129, 'a')));
  EXPECT_FALSE(is_event_id("ev1 0123456789abcdef"));
  EXPECT_FALSE(is_event_id("ev1/0123456789abcdef"));
}

TEST(ReplyAndDepartmentIds, AreSafeForHeadersAndRoutingKeys) {
  EXPECT_TRUE(is_reply_id("r"));
  EXPECT_TRUE(is_reply_id("rp-1042-1"));
  EXPECT_FALSE(is_reply_id(""));
  EXPECT_FALSE(is_reply_id("rp 1"));
  EXPECT_TRUE(is_department_code("law_enforcement"));
  EXPECT_TRUE(is_department_code("510800-JT"));
  EXPECT_FALSE(is_department_code("law.enforcement"));
  EXPECT_FALSE(is_department_code("dept#"));
  EXPECT_FALSE(is_department_code(""));
}

TEST(DivisionCode, IsSixDigits) {
  EXPECT_TRUE(is_division_code("510802"));
  EXPECT_FALSE(is_division_code("51080"));
  EXPECT_FALSE(is_division_code("5108020"));
  EXPECT_FALSE(is_division_code("51080X"));
}

TEST(Plate, AcceptsNormalizedChinesePlates) {
  EXPECT_TRUE(is_normalized_plate("川HT1234"));  // ordinary, 5 characters after the letter
  EXPECT_TRUE(is_normalized_plate("川H52731"));
  EXPECT_TRUE(is_normalized_plate("川HD12345"));  // new energy, 6
  EXPECT_TRUE(is_normalized_plate("京A12345"));
  EXPECT_TRUE(is_normalized_plate("琼B1234学"));  // driving school
  EXPECT_TRUE(is_normalized_plate("川H1234挂"));  // trailer
  EXPECT_TRUE(is_normalized_plate("川A12345警"));
}

TEST(Plate, RefusesWhatIsNotOne) {
  for (const char* plate : {"川H·T1234", "川ht1234", "川H1234", "川H1234567", "港A12345", "HT12345",
                            "川1T1234", "川HT12挂", "川HT12345挂6", "川HT1234 ", "川", "川H"}) {
    EXPECT_FALSE(is_normalized_plate(plate)) << plate;
  }
}

TEST(Phone, AcceptsMobilesLandlinesAndMaskedMobiles) {
  for (const char* phone :
       {"13908391234", "19912345678", "139****1234", "0839-3301234", "08393301234", "010-12345678",
        "01012345678", "0839-3301234-12", "028-87654321-123456"}) {
    EXPECT_TRUE(is_phone_number(phone)) << phone;
  }
}

TEST(Phone, RefusesAnythingElse) {
  for (const char* phone :
       {"12908391234", "1390839123", "139083912345", "+8613908391234", "139-0839-1234",
        "13****1234", "139****123", "0839-330123", "0839-330123456", "839-3301234", "0839-3301234-",
        "0839-3301234-1234567", "0839--3301234", "电话", "12328"}) {
    EXPECT_FALSE(is_phone_number(phone)) << phone;
  }
}

TEST(Email, AcceptsPlausibleAddresses) {
  for (const char* email :
       {"someone@example.com", "li.ming+appeal@mail.gy.gov.cn", "a@b.cn", "x_y@xn--fiqs8s.cn"}) {
    EXPECT_TRUE(is_email_address(email)) << email;
  }
}

TEST(Email, RefusesImplausibleOnes) {
  for (const char* email :
       {"someone", "@example.com", "someone@", "someone@localhost", "some one@example.com",
        "a@@example.com", ".a@example.com", "a.@example.com", "a..b@example.com", "a@-example.com",
        "a@example..com", "a@example.123", "李@example.com"}) {
    EXPECT_FALSE(is_email_address(email)) << email;
  }
}

TEST(MaskedIdNumber, MustShowAMask) {
  EXPECT_TRUE(is_masked_id_number("5108**********1234"));
  EXPECT_TRUE(is_masked_id_number("5108**********123X"));
  EXPECT_FALSE(is_masked_id_number("510802199001011234"));  // a full ID number is refused
  EXPECT_FALSE(is_masked_id_number("5108-****-1234"));
}

TEST(HttpUrl, AcceptsHttpAndHttpsOnly) {
  EXPECT_TRUE(is_http_url("https://files.12328.example/att/8812.jpg"));
  EXPECT_TRUE(is_http_url("HTTP://127.0.0.1:8080/f?id=1"));
  EXPECT_TRUE(is_http_url("https://www.example.gov.cn/附件/1.jpg"));
  EXPECT_FALSE(is_http_url("ftp://files.example/a.jpg"));
  EXPECT_FALSE(is_http_url("https:///a.jpg"));
  EXPECT_FALSE(is_http_url("https://files.example/a b.jpg"));
  EXPECT_FALSE(is_http_url("files.example/a.jpg"));
}

TEST(Sha256Hex, IsSixtyFourHexDigits) {
  EXPECT_TRUE(is_sha256_hex(std::string(64, 'a')));
  EXPECT_TRUE(is_sha256_hex(std::string(64, 'F')));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'g')));
}

}  // namespace
}  // namespace appealhub::core
