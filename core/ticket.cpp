#include "core/ticket.hpp"

#include <array>
#include <utility>

namespace appealhub::core {
namespace {

constexpr std::array<std::pair<TicketStatus, std::string_view>, 13> kStatusNames{{
    {TicketStatus::received, "received"},
    {TicketStatus::triage, "triage"},
    {TicketStatus::assigned, "assigned"},
    {TicketStatus::in_progress, "in_progress"},
    {TicketStatus::answered, "answered"},
    {TicketStatus::delivered, "delivered"},
    {TicketStatus::closed, "closed"},
    {TicketStatus::returned, "returned"},
    {TicketStatus::reopened, "reopened"},
    {TicketStatus::withdrawn, "withdrawn"},
    {TicketStatus::reassigned_out, "reassigned_out"},
    {TicketStatus::spam, "spam"},
    {TicketStatus::merged, "merged"},
}};

}  // namespace

std::string_view to_string(TicketStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return {};
}

std::optional<TicketStatus> parse_ticket_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool is_final(TicketStatus status) {
  switch (status) {
    case TicketStatus::withdrawn:
    case TicketStatus::reassigned_out:
    case TicketStatus::spam:
    case TicketStatus::merged:
    case TicketStatus::closed:
      return true;
    default:
      return false;
  }
}

std::optional<TicketStatus> status_after_channel_event(TicketStatus current, std::string_view event,
                                                       bool dissatisfied) {
  if (is_final(current)) return std::nullopt;
  if (event == "appeal.withdrawn") return TicketStatus::withdrawn;
  if (event == "appeal.reassigned") return TicketStatus::reassigned_out;
  // A follow-up after an answer needs an answer of its own.
  if ((event == "appeal.followed_up" || (event == "appeal.rated" && dissatisfied)) &&
      (current == TicketStatus::answered || current == TicketStatus::delivered)) {
    return TicketStatus::reopened;
  }
  return std::nullopt;
}

}  // namespace appealhub::core
