#include "core/bytes.hpp"

#include <gtest/gtest.h>

namespace appealhub::core {
namespace {

TEST(Hex, EncodesLowerCaseAndDecodesEitherCase) {
  EXPECT_EQ(hex_encode(std::string("\x00\x7f\x80\xff", 4)), "007f80ff");
  EXPECT_EQ(hex_decode("007F80ff"), std::string("\x00\x7f\x80\xff", 4));
  EXPECT_EQ(hex_decode(""), std::string());
}

TEST(Hex, RefusesOddLengthsAndOtherCharacters) {
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("0g"));
  EXPECT_FALSE(hex_decode(" 0"));
}

TEST(Sha256, StreamedInPiecesEqualsWhole) {
  const std::string text = "12328 工单 export, read in chunks";
  Sha256Stream stream;
  stream.update(text.substr(0, 7));
  stream.update(text.substr(7));
  EXPECT_EQ(stream.hex(), sha256_hex(text));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HmacSha256, MatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace appealhub::core
