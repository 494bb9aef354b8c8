#pragma once
// Guangyuan's districts and counties (docs/domain.md, "Guangyuan"), for 12328's 所属区县
// column, which holds either a name (利州区) or a code (510802).

#include <optional>
#include <string>
#include <string_view>

namespace appealhub::adapters::hotline12328 {

// The 6-digit code of a Guangyuan division given by current name, former name (元坝区 → 510811)
// or code; spaces around the text are ignored. nullopt for anything else (empty included).
std::optional<std::string> guangyuan_division_code(std::string_view name_or_code);

}  // namespace appealhub::adapters::hotline12328
