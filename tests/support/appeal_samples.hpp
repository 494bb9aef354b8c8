#pragma once
// Realistic appeals for tests and benchmarks: Guangyuan places, plates and complaints, made
// deterministically from an index so that a test can say which ones it expects.

#include <cstdint>
#include <string>

#include "core/event.hpp"

namespace appealhub::testing {

// A valid appeal.received event for appeal number `index` of `channel`.
core::Event sample_appeal_event(std::size_t index, const std::string& channel = "hotline12328");

// The same as wire bytes (appeal.v1 JSON).
std::string sample_appeal_json(std::size_t index, const std::string& channel = "hotline12328");

// An invalid message of one of several kinds (malformed JSON, a bad phone, a bad division, an
// unknown event, a missing field); `expected_field` is the field its error must name.
struct InvalidSample {
  std::string body;
  std::string message_id;
  std::string expected_field;
};
InvalidSample sample_invalid_appeal(std::size_t index, const std::string& channel = "hotline12328");

// A reply.requested for a final answer with `content`, from 广元市交通运输局, answered at
// 2026-11-28 15:02:11 +08:00.
core::Event sample_reply_event(std::int64_t ticket_id, const std::string& channel,
                               const std::string& external_id, const std::string& reply_id,
                               const std::string& content);

}  // namespace appealhub::testing
