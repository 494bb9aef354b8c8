#pragma once
// The rules of the appeal.v1 format, for values built in code: an adapter checks its Appeal (or a
// whole Event) before publishing it, and learns exactly which field is wrong and why. The decoder
// (core/codec.hpp) applies the same rules to messages and words broken rules the same way.
//
// Field paths are dotted from the event's `data` object ("appeal.citizen.phone",
// "appeal.attachments[2].url", "rating"); envelope fields are "event_id", "occurred_at", …; "$"
// is the message as a whole. Rules are short predicates, e.g. "not a phone number", "must not be
// empty", "must be at most 200 characters", "unknown field"; docs/appeal-v1.md lists them all.
//
// Lengths count Unicode code points. Every string must be valid UTF-8; single-line texts refuse
// control characters, multi-line ones (content, comments, reasons) allow tab, CR and LF.

#include <string>
#include <vector>

#include "core/appeal.hpp"
#include "core/event.hpp"

namespace appealhub::core {

struct FieldError {
  std::string field;  // dotted path, "$" for the whole message
  std::string rule;   // the rule the value breaks

  // "appeal.citizen.phone: not a phone number"
  std::string to_string() const;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// Every rule `appeal` breaks (empty when none), with paths under "appeal.", in the order of
// Appeal's members; at most one error per field.
std::vector<FieldError> validate(const Appeal& appeal);

// Every rule `event` breaks: envelope and body, paths as decode_event() reports them.
std::vector<FieldError> validate(const Event& event);

// All errors as one line for logs and dead-letter reasons: "a: r1; b: r2".
std::string to_string(const std::vector<FieldError>& errors);

}  // namespace appealhub::core
