#pragma once
// What each channel can take back, from its interface document (docs/channels.md). The gateway
// checks an answer against these before anything is queued, and shows them on the ticket so that
// staff know before they write.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace appealhub::core {

enum class Replies {
  one,        // one reply per appeal, of any kind (mailbox: a second key gets 409 already_replied)
  one_final,  // interim answers, then one final answer (12328: 该工单已办结 after a 办结)
  several,    // any number (petition: a reply per follow-up; operator: every call)
};

struct ChannelRules {
  std::size_t max_answer_chars = 5000;  // longer answers are refused by the channel
  bool interim_answers = true;          // takes an interim answer (阶段答复)
  Replies replies = Replies::several;
  bool publication = false;  // publishes the answer when the citizen allowed it
};

// The rules of `channel`; a channel the hub has no document for (an outside system on the bus)
// gets the operator channel's.
const ChannelRules& channel_rules(std::string_view channel);

std::string_view to_string(Replies replies);

// {"max_answer_chars", "interim_answers", "replies", "publication"}, as the API shows them.
nlohmann::json to_json(const ChannelRules& rules);

// No channel takes a longer answer: the API's request reader refuses more than this outright.
inline constexpr std::size_t kLongestAnswerChars = 20000;  // appeal.v1's reply.requested content

// Why an answer that the channel cannot take again (a redone answer after 重办) goes to the
// operators' callback list instead; empty when the channel takes it.
std::string second_answer_refusal(std::string_view channel);

}  // namespace appealhub::core
