#include "core/validation.hpp"

#include <variant>

#include "core/appeal_v1_fields.hpp"

namespace appealhub::core {

std::string FieldError::to_string() const {
  return field + ": " + rule;
}

std::string to_string(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& error : errors) {
    if (!out.empty()) out += "; ";
    out += error.to_string();
  }
  return out;
}

std::vector<FieldError> validate(const Appeal& appeal) {
  v1::ErrorList errors;
  const v1::FieldPath data;
  v1::check_object(appeal, data.child("appeal"), errors);
  return errors.take();
}

// The envelope by v1::kEnvelopeFields, the body by its event's description.
std::vector<FieldError> validate(const Event& event) {
  v1::ErrorList errors;
  const v1::FieldPath envelope;
  v1::for_each_field(v1::kEnvelopeFields, [&](const auto& f, std::size_t /*index*/) {
    f.kind.check(event.*f.member, envelope.child(f.name), errors);
  });
  std::visit([&](const auto& body) { v1::check_object(body, envelope, errors); }, event.body);
  return errors.take();
}

}  // namespace appealhub::core
