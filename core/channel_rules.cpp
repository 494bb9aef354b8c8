#include "core/channel_rules.hpp"

namespace appealhub::core {

const ChannelRules& channel_rules(std::string_view channel) {
  // leader-mailbox-api: 5,000 characters, one reply per letter, published when public.
  static const ChannelRules mailbox{5000, false, Replies::one, true};
  // hotline-12328-export: 办理结果 ≤ 2,000; 阶段答复 rows, and 该工单已办结 after a 办结.
  static const ChannelRules hotline{2000, true, Replies::one_final, false};
  // online-petition-api: 3,000 characters, a reply to the message and to each follow-up.
  static const ChannelRules petition{3000, true, Replies::several, false};
  // The operators read the answer out on the phone: any number of calls.
  static const ChannelRules other{5000, true, Replies::several, false};
  if (channel == "mailbox") return mailbox;
  if (channel == "hotline12328") return hotline;
  if (channel == "petition") return petition;
  return other;
}

std::string_view to_string(Replies replies) {
  switch (replies) {
    case Replies::one:
      return "one";
    case Replies::one_final:
      return "one_final";
    case Replies::several:
      return "several";
  }
  return "several";
}

nlohmann::json to_json(const ChannelRules& rules) {
  return {{"max_answer_chars", rules.max_answer_chars},
          {"interim_answers", rules.interim_answers},
          {"replies", std::string(to_string(rules.replies))},
          {"publication", rules.publication}};
}

std::string second_answer_refusal(std::string_view channel) {
  switch (channel_rules(channel).replies) {
    case Replies::one:
      return std::string(channel) +
             " takes one reply per appeal and already has one: an operator calls the citizen back "
             "with this answer";
    case Replies::one_final:
      return std::string(channel) +
             " takes one final answer per appeal and already has one: an operator calls the "
             "citizen back with this answer";
    case Replies::several:
      return {};
  }
  return {};
}

}  // namespace appealhub::core
