// What the mailbox and petition senders settle without sending (adapters/delivery/reply_sender).
#include "adapters/delivery/reply_sender.hpp"

#include <gtest/gtest.h>

namespace appealhub::adapters::delivery {
namespace {

core::ReplyRequested answer(core::ReplyType type, std::string content) {
  core::ReplyRequested r;
  r.channel = "mailbox";
  r.type = type;
  r.content = std::move(content);
  return r;
}

std::string characters(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += "路";
  return s;
}

TEST(SettledUnsent, AnAnswerWithinTheLimitIsSent) {
  EXPECT_FALSE(
      settled_unsent(answer(core::ReplyType::final_answer, characters(5)), 5, "the mailbox"));
  EXPECT_FALSE(settled_unsent(answer(core::ReplyType::interim, "ok"), 5, "the mailbox"));
}

TEST(SettledUnsent, ALongerAnswerFailsForGoodCountingCharactersNotBytes) {
  const auto a =
      settled_unsent(answer(core::ReplyType::final_answer, characters(6)), 5, "the mailbox");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->outcome, storage::DeliveryAttempt::Outcome::failed);
  EXPECT_EQ(a->code, "too_long");
  EXPECT_EQ(a->reason, "the mailbox takes at most 5 characters; not sent");
}

TEST(SettledUnsent, AReplyTypeTheChannelHasNoRequestForIsNotApplicable) {
  const auto a =
      settled_unsent(answer(core::ReplyType::return_order, characters(6)), 5, "the mailbox");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->outcome, storage::DeliveryAttempt::Outcome::delivered);
  EXPECT_EQ(a->code, "not_applicable");
}

TEST(ExcerptOf, KeepsWholeCharacters) {
  EXPECT_EQ(excerpt_of("出租车", 7), "出租");
}

}  // namespace
}  // namespace appealhub::adapters::delivery
