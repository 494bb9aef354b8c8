#include "core/event.hpp"

#include <array>
#include <type_traits>
#include <utility>

namespace appealhub::core {
namespace {

// In the order of EventBody's alternatives.
constexpr std::array<std::string_view, std::variant_size_v<EventBody>> kEventNames{
    "appeal.received",  "appeal.supplemented", "appeal.followed_up", "appeal.urged",
    "appeal.withdrawn", "appeal.reassigned",   "appeal.rated",       "ticket.routed",
    "reply.requested",  "reply.delivered",     "reply.failed",
};

constexpr std::array<std::pair<Satisfaction, std::string_view>, 3> kSatisfactionNames{{
    {Satisfaction::satisfied, "satisfied"},
    {Satisfaction::mostly_satisfied, "mostly_satisfied"},
    {Satisfaction::dissatisfied, "dissatisfied"},
}};

constexpr std::array<std::pair<std::string_view, Satisfaction>, 3> kSatisfactionChinese{{
    {"满意", Satisfaction::satisfied},
    {"基本满意", Satisfaction::mostly_satisfied},
    {"不满意", Satisfaction::dissatisfied},
}};

constexpr std::array<std::pair<ReplyType, std::string_view>, 4> kReplyTypeNames{{
    {ReplyType::final_answer, "final_answer"},
    {ReplyType::interim, "interim"},
    {ReplyType::return_order, "return_order"},
    {ReplyType::extension_request, "extension_request"},
}};

}  // namespace

std::string_view to_string(Satisfaction rating) {
  for (const auto& [value, name] : kSatisfactionNames) {
    if (value == rating) return name;
  }
  return {};
}

std::optional<Satisfaction> parse_satisfaction(std::string_view text) {
  for (const auto& [value, name] : kSatisfactionNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::optional<Satisfaction> satisfaction_from_chinese(std::string_view text) {
  for (const auto& [word, value] : kSatisfactionChinese) {
    if (word == text) return value;
  }
  return std::nullopt;
}

std::optional<Satisfaction> satisfaction_from_score(int score) {
  if (score >= 4 && score <= 5) return Satisfaction::satisfied;
  if (score >= 1 && score <= 3) return Satisfaction::dissatisfied;
  return std::nullopt;
}

std::string_view to_string(ReplyType type) {
  for (const auto& [value, name] : kReplyTypeNames) {
    if (value == type) return name;
  }
  return {};
}

std::optional<ReplyType> parse_reply_type(std::string_view text) {
  for (const auto& [value, name] : kReplyTypeNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view event_name(const EventBody& body) {
  return kEventNames[body.index()];
}

std::span<const std::string_view> event_names() {
  return kEventNames;
}

std::optional<AppealRef> channel_appeal(const EventBody& body) {
  return std::visit(
      [](const auto& b) -> std::optional<AppealRef> {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, AppealReceived>) {
          return AppealRef{b.appeal.channel, b.appeal.external_id};
        } else if constexpr (std::is_same_v<T, AppealSupplemented> ||
                             std::is_same_v<T, AppealFollowedUp> ||
                             std::is_same_v<T, AppealUrged> || std::is_same_v<T, AppealWithdrawn> ||
                             std::is_same_v<T, AppealReassigned> ||
                             std::is_same_v<T, AppealRated>) {
          return AppealRef{b.channel, b.external_id};
        } else {
          return std::nullopt;
        }
      },
      body);
}

std::string Event::routing_key() const {
  struct RoutingKey {
    std::string operator()(const AppealReceived& e) const { return "intake." + e.appeal.channel; }
    std::string operator()(const AppealSupplemented& e) const { return "intake." + e.channel; }
    std::string operator()(const AppealFollowedUp& e) const { return "intake." + e.channel; }
    std::string operator()(const AppealUrged& e) const { return "intake." + e.channel; }
    std::string operator()(const AppealWithdrawn& e) const { return "intake." + e.channel; }
    std::string operator()(const AppealReassigned& e) const { return "intake." + e.channel; }
    std::string operator()(const AppealRated& e) const { return "intake." + e.channel; }
    std::string operator()(const TicketRouted& e) const { return "dept." + e.department; }
    std::string operator()(const ReplyRequested& e) const { return "reply." + e.channel; }
    std::string operator()(const ReplyDelivered& e) const { return "delivery." + e.channel; }
    std::string operator()(const ReplyFailed& e) const { return "delivery." + e.channel; }
  };
  return std::visit(RoutingKey{}, body);
}

}  // namespace appealhub::core
