#pragma once
// Predicates for the formatted values of the appeal.v1 format, written by hand (no regular
// expressions: decoding runs for every message on the bus). Each takes the value as it is and
// accepts exactly what the format's JSON Schema pattern of the same field accepts; an empty value
// is never accepted here (fields that may be empty say so in core/validation.hpp).

#include <string_view>

namespace appealhub::core {

// Channel id: `[a-z][a-z0-9_]{1,31}` (hotline12328, mailbox, petition, operator).
bool is_channel_id(std::string_view text);

// Event id: 16 to 128 characters of `A-Z a-z 0-9 . _ : -`.
bool is_event_id(std::string_view text);

// Reply id (the channels' idempotency key): 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
bool is_reply_id(std::string_view text);

// Department code, a word of the routing key dept.<code>: 1 to 64 characters of
// `A-Z a-z 0-9 _ -`.
bool is_department_code(std::string_view text);

// Administrative division code: exactly 6 ASCII digits (510802).
bool is_division_code(std::string_view text);

// A plate as normalize_plate() leaves it: a province character (one of
// 京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼), a letter A-Z, then 5 or 6 of
// [A-Z0-9] (川HT1234, 川HD12345), or 4 or 5 of [A-Z0-9] followed by 挂, 学 or 警 (trailer,
// driving-school and police plates: 川H1234挂).
bool is_normalized_plate(std::string_view text);

// A Chinese phone number as channels give it:
// - mobile: 1, a digit 3-9, 9 more digits (13908391234);
// - masked mobile: 1, a digit 3-9, a digit, ****, 4 digits (139****1234);
// - landline: 0, 2 or 3 digits of area code, an optional `-`, 7 or 8 digits, then optionally
//   `-` and an extension of 1 to 6 digits (0839-3301234, 08393301234, 010-12345678-123).
bool is_phone_number(std::string_view text);

// A plausible e-mail address (not a full RFC 5322 parser): at most 254 characters; a local part of
// 1 to 64 characters of `A-Z a-z 0-9 ! # $ % & ' * + / = ? ^ _ ` { | } ~ . -`, neither starting
// nor ending with `.` nor holding `..`; `@`; a domain of at least two dot-separated labels of 1 to
// 63 characters of `A-Z a-z 0-9 -`, not starting or ending with `-`, the last one with a letter.
bool is_email_address(std::string_view text);

// A masked ID-card number: 1 to 32 characters of `0-9 X x *`, with at least one `*`
// (5108**********1234). A full ID number is refused on purpose: the hub never carries one.
bool is_masked_id_number(std::string_view text);

// An http or https URL: the scheme (any case), `://`, a non-empty host part (up to the first
// `/`, `?` or `#`), and no ASCII spaces or control characters anywhere. Other characters, such as
// unescaped Chinese in a path, are accepted as channels send them. (The format's length limit,
// 2048 characters, is checked with the other text rules.)
bool is_http_url(std::string_view text);

// 64 hex digits, either case.
bool is_sha256_hex(std::string_view text);

}  // namespace appealhub::core
