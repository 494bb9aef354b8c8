#pragma once
// The appeal.v1 wire form: one JSON object per message,
//   {"schema":"appeal.v1","event":"appeal.received","event_id":"…","occurred_at":"…",
//    "producer":"…","data":{…}}
// described for people in docs/appeal-v1.md and for machines in docs/appeal.v1.schema.json.
//
// decode_event() is strict: it takes a message only when every rule holds (unknown fields are
// refused everywhere except inside channel_meta), and otherwise reports every broken rule it
// found, so that a producer can fix its message in one go. It never throws on bad input.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/event.hpp"
#include "core/validation.hpp"

namespace appealhub::core {

// Messages larger than this are refused without being parsed (an appeal's content is at most
// 20,000 characters, i.e. about 60 KB).
inline constexpr std::size_t kMaxMessageBytes = 1024 * 1024;
// Objects and arrays nested deeper than this are refused (channel_meta included).
inline constexpr int kMaxNestingDepth = 64;

// The message for `event`, compact UTF-8 JSON with members in the documented order; optional
// values that are absent are written as null. Precondition: validate(event) is empty. It never
// throws: a string that is not valid UTF-8 is written with U+FFFD in place of the bad bytes.
std::string encode_event(const Event& event);

// Either the decoded event or the rules the message breaks (never both, never neither).
class DecodeResult {
 public:
  explicit DecodeResult(Event event) : value_(std::move(event)) {}
  // Precondition: `errors` is not empty.
  explicit DecodeResult(std::vector<FieldError> errors) : value_(std::move(errors)) {}

  bool ok() const noexcept { return value_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Preconditions: ok().
  const Event& event() const& { return std::get<Event>(value_); }
  Event event() && { return std::get<Event>(std::move(value_)); }

  // Every broken rule in document order: fields as they appear in the message, then missing
  // fields and rules between fields of the same object. Empty when ok().
  const std::vector<FieldError>& errors() const;

 private:
  std::variant<Event, std::vector<FieldError>> value_;
};

// Reads one message. A message that cannot be read as a whole gives a single error:
// - malformed JSON (which includes bytes that are not UTF-8): "$: malformed JSON at byte 17: …",
//   the byte offset counted from 0 where the parser gave up;
// - more than kMaxMessageBytes, or nesting deeper than kMaxNestingDepth: "$: …";
// - a key repeated in one object: "<path of the key>: duplicate field".
// Otherwise every broken rule is reported, in document order. A decoded event passes validate().
// Cost: about 20 µs for a 1 KiB appeal on one core (parsing, then the event's description).
DecodeResult decode_event(std::string_view json_text);

}  // namespace appealhub::core
