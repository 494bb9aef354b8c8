#pragma once
// What an adapter can tell from a citizen's own words when the channel does not say it: the
// Guangyuan district or county, the kind of appeal, the business category. Each guess is taken
// only when it is clear (exactly one candidate matches); otherwise nullopt, and the appeal goes
// to the dispatch desk's judgement with `other` or an empty division.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/appeal.hpp"

namespace appealhub::adapters {

// The 6-digit code of the one Guangyuan district or county named in `text` (利州区 or 利州,
// 昭化区/元坝区, 朝天区, 旺苍, 青川, 剑阁, 苍溪; 朝天 alone is too common a word). nullopt when
// none or several are named.
std::optional<std::string> division_from_text(std::string_view text);

// True for a Guangyuan district or county code (510802 … 510824).
bool is_guangyuan_division(std::string_view code);

// The one kind whose words appear in `text` (投诉, 举报, 咨询/请问, 建议, 求助, 表扬/感谢,
// 依申请公开); nullopt when none or several.
std::optional<core::AppealKind> kind_from_text(std::string_view text);

// The one business category whose words appear in `text` (出租车/打表 → taxi, 网约车 →
// ride_hailing, 公交 → bus, 班车/客运 → road_passenger, 货车/货运 → road_freight, 维修 →
// vehicle_repair, 驾校 → driver_training, 路政/超限 → road_administration, 路面/坑洼/养护 →
// road_maintenance, 渡口/码头/船 → waterway, 施工/工程 → construction); nullopt when none or
// several.
std::optional<std::string> category_from_text(std::string_view text);

// Decodes the HTML character references a website stores in plain text: &amp; &lt; &gt; &quot;
// &apos; &#39; &nbsp; and numeric ones (&#NNNN; &#xHHHH;). Anything else stays as it is.
std::string decode_html_entities(std::string_view text);

// The first `n` code points of UTF-8 `text` on one line (line breaks and tabs become spaces,
// spaces around trimmed): a title for an appeal that has none.
std::string first_characters(std::string_view text, std::size_t n);

}  // namespace appealhub::adapters
