#include "sim/mailbox_site.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

#include "sim/appeal_writer.hpp"

namespace appealhub::sim {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kLettersPrefix = "/api/v1/letters";

struct Letter {
  std::string id;
  std::int64_t seq = 0;  // its latest position in the index
  std::string submitted_at;
  json writer;
  std::string type, subject, content;
  bool is_public = true;
  json attachments = json::array();
  std::string status = "pending";
  std::string reply_key;  // the Idempotency-Key its reply was stored under
  bool published = false;
  std::string rating;  // the latest rating, "" when none
};

json letter_json(const Letter& l, std::int64_t seq) {
  return {{"id", l.id},
          {"seq", seq},
          {"submitted_at", l.submitted_at},
          {"writer", l.writer},
          {"type", l.type},
          {"subject", l.subject},
          {"content", l.content},
          {"public", l.is_public},
          {"attachments", l.attachments},
          {"status", l.status}};
}

Letter letter_from_json(const json& j) {
  Letter l;
  l.id = j.at("id");
  l.seq = j.at("seq");
  l.submitted_at = j.at("submitted_at");
  l.writer = j.at("writer");
  l.type = j.at("type");
  l.subject = j.at("subject");
  l.content = j.at("content");
  l.is_public = j.at("public");
  l.attachments = j.at("attachments");
  l.status = j.at("status");
  l.reply_key = j.value("reply_key", "");
  l.published = j.value("published", false);
  l.rating = j.value("rating", "");
  return l;
}

struct StoredReply {
  std::string letter_id;
  json body;
  std::string reply_id;
  std::string first_at;
  std::int64_t accepted_new = 0;  // must stay 1
  std::int64_t repeated = 0;      // answered 200 to the same key and body
  std::int64_t conflicting = 0;   // the key came back with another letter or body (422)
};

struct Rating {
  std::int64_t seq;
  std::string letter_id, rating, comment, rated_at;
};

struct Pending {
  std::string kind;  // withdraw, spam, rate, change_rating
  std::string letter_id;
};

class MailboxSite final : public Simulation {
 public:
  explicit MailboxSite(const MailboxOptions& options)
      : options_(options),
        writer_(options.seed),
        limiter_(options.rate_limit),
        next_seq_(options.first_seq) {}

  std::string name() const override { return "mailbox"; }

  http::Response error(int status, const std::string& code,
                       const std::string& message) const override {
    return json_response(status, {{"error", code}, {"message", message}});
  }

  Outcome handle(const http::Request& request, Faults& faults) override;
  std::vector<std::string> generate(int count, const json& overrides) override;
  void advance(Clock::time_point now) override;
  json act(const json& action) override;
  json ledger() const override;
  json save_state() const override;
  void load_state(const json& state) override;

 private:
  Outcome answer(int status, const std::string& code, const std::string& message) const {
    return Outcome{error(status, code, message), false, {}};
  }
  Outcome list_letters(const http::Request& request);
  Outcome one_letter(const std::string& id);
  Outcome reply(const std::string& id, const http::Request& request, Faults& faults);
  Outcome list_ratings(const http::Request& request);
  // caller holds mutex_
  void reindex(Letter& letter, const std::string& why);
  void issue(json event);
  void schedule(double low, double high, const std::string& kind, const std::string& id);
  void rate(Letter& letter, bool change);
  void count_answer(const std::string& what) { ++reply_answers_[what]; }

  MailboxOptions options_;
  mutable std::mutex mutex_;
  AppealWriter writer_;
  RateLimiter limiter_;
  std::int64_t next_seq_;
  std::int64_t next_letter_ = 1;
  std::int64_t next_reply_ = 88001;
  std::int64_t next_rating_ = 1;
  std::map<std::string, Letter> letters_;
  std::vector<std::pair<std::int64_t, std::string>> index_;  // (seq, letter id), seq ascending
  std::map<std::string, StoredReply> replies_;               // by Idempotency-Key
  std::vector<Rating> ratings_;
  json events_ = json::array();
  std::map<std::string, std::int64_t> reply_answers_;
  std::multimap<Clock::time_point, Pending> scheduled_;
};

// "limit" absent: 20; otherwise digits in 1..100.
std::optional<int> parse_limit(const http::Request& request) {
  const auto text = request.query_param("limit");
  if (!text) return 20;
  if (text->empty() || text->size() > 4 ||
      !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int limit = std::stoi(*text);
  if (limit < 1 || limit > 100) return std::nullopt;
  return limit;
}

// The opaque cursor is base64url of {"<field>": N}; absent means the start.
std::optional<std::int64_t> parse_cursor(const http::Request& request, const char* field) {
  const auto text = request.query_param("cursor");
  if (!text || text->empty()) return 0;
  const auto decoded = base64url_decode(*text);
  if (!decoded) return std::nullopt;
  const auto j = json::parse(*decoded, nullptr, false);
  if (!j.is_object() || j.size() != 1 || !j.contains(field) || !j[field].is_number_integer()) {
    return std::nullopt;
  }
  return j[field].get<std::int64_t>();
}

std::string make_cursor(const char* field, std::int64_t position) {
  return base64url_encode(json{{field, position}}.dump());
}

// Empty or only spaces (ASCII or the full-width U+3000 that Chinese input methods type).
bool blank(std::string text) {
  for (auto pos = text.find("\xE3\x80\x80"); pos != std::string::npos;
       pos = text.find("\xE3\x80\x80")) {
    text.erase(pos, 3);
  }
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

Outcome MailboxSite::handle(const http::Request& request, Faults& faults) {
  const auto auth = request.header("Authorization");
  if (!auth || auth->rfind("Bearer ", 0) != 0 ||
      !constant_time_equal(auth->substr(7), options_.token)) {
    return answer(401, "unauthorized", "missing or wrong bearer token");
  }
  if (const int wait = limiter_.acquire(options_.token); wait > 0) {
    Outcome out = answer(429, "rate_limited", "10 requests a second per token");
    out.response.set_header("Retry-After", std::to_string(wait));
    return out;
  }
  if (!http::parse_query(request.query())) {
    return answer(400, "invalid_request", "the query string is malformed");
  }
  const std::string path = request.path();
  if (path == kLettersPrefix) {
    if (request.method != "GET") return answer(405, "method_not_allowed", "use GET");
    return list_letters(request);
  }
  if (path == "/api/v1/ratings") {
    if (request.method != "GET") return answer(405, "method_not_allowed", "use GET");
    return list_ratings(request);
  }
  if (path.rfind(kLettersPrefix + "/", 0) == 0) {
    std::string rest = path.substr(kLettersPrefix.size() + 1);
    const auto slash = rest.find('/');
    const std::string id = http::decode_path_segment(rest.substr(0, slash)).value_or("");
    if (slash == std::string::npos) {
      if (request.method != "GET") return answer(405, "method_not_allowed", "use GET");
      return one_letter(id);
    }
    if (rest.substr(slash) == "/reply") {
      if (request.method != "POST") return answer(405, "method_not_allowed", "use POST");
      return reply(id, request, faults);
    }
  }
  return answer(404, "not_found", "no such resource");
}

Outcome MailboxSite::list_letters(const http::Request& request) {
  const auto limit = parse_limit(request);
  if (!limit) return answer(400, "invalid_limit", "limit must be 1..100");
  const auto cursor = parse_cursor(request, "seq");
  if (!cursor) return answer(400, "invalid_cursor", "cursor is not one this website issued");
  std::lock_guard lock(mutex_);
  // The website re-indexes now and then: an earlier letter shows up again after the cursor.
  if (*cursor > 0 && writer_.chance(options_.reindex_fraction)) {
    std::vector<std::string> earlier;
    for (const auto& [seq, id] : index_) {
      if (seq <= *cursor) earlier.push_back(id);
    }
    if (!earlier.empty()) reindex(letters_.at(writer_.pick(earlier)), "re-index");
  }
  auto it =
      std::upper_bound(index_.begin(), index_.end(), *cursor,
                       [](std::int64_t value, const auto& entry) { return value < entry.first; });
  json page = json::array();
  std::int64_t last = *cursor;
  for (; it != index_.end() && static_cast<int>(page.size()) < *limit; ++it) {
    page.push_back(letter_json(letters_.at(it->second), it->first));
    last = it->first;
  }
  json body = {{"letters", page},
               {"next_cursor", make_cursor("seq", last)},
               {"has_more", it != index_.end()}};
  return Outcome{json_response(200, body), false, {}};
}

Outcome MailboxSite::one_letter(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = letters_.find(id);
  if (it == letters_.end()) return answer(404, "not_found", "no such letter");
  return Outcome{json_response(200, letter_json(it->second, it->second.seq)), false, {}};
}

Outcome MailboxSite::reply(const std::string& id, const http::Request& request, Faults& faults) {
  std::lock_guard lock(mutex_);
  const auto key = request.header("Idempotency-Key");
  if (!key || key->empty()) {
    count_answer("400 missing_idempotency_key");
    return answer(400, "missing_idempotency_key", "Idempotency-Key header is required");
  }
  const json body = json::parse(request.body, nullptr, false);
  if (const auto seen = replies_.find(*key); seen != replies_.end()) {
    StoredReply& stored = seen->second;
    if (stored.letter_id == id && !body.is_discarded() && stored.body == body) {
      ++stored.repeated;
      count_answer("200");
      return Outcome{json_response(200, {{"reply_id", stored.reply_id}}), false, {}};
    }
    ++stored.conflicting;
    count_answer("422 invalid");
    return answer(422, "invalid", "Idempotency-Key already used with another letter or body");
  }
  const auto found = letters_.find(id);
  if (found == letters_.end()) {
    count_answer("404 not_found");
    return answer(404, "not_found", "no such letter");
  }
  Letter& letter = found->second;
  if (letter.status == "withdrawn") {
    count_answer("410 withdrawn");
    return answer(410, "withdrawn", "the citizen withdrew this letter");
  }
  if (!letter.reply_key.empty()) {
    count_answer("409 already_replied");
    return answer(409, "already_replied", "this letter has a reply under another key");
  }
  std::string problem;
  if (body.is_discarded() || !body.is_object()) {
    problem = "body is not a JSON object";
  } else if (!body.contains("content") || !body["content"].is_string()) {
    problem = "content must be a string";
  } else if (blank(body["content"].get<std::string>())) {
    problem = "content is empty";
  } else if (utf8_length(body["content"].get<std::string>()) > 5000) {
    problem = "content is over 5000 characters";
  } else if (!body.contains("department") || !body["department"].is_string() ||
             body["department"].get<std::string>().empty()) {
    problem = "department must be a non-empty string";
  } else if (!body.contains("replied_at") || !body["replied_at"].is_string() ||
             !parse_rfc3339_ms(body["replied_at"].get<std::string>())) {
    problem = "replied_at must be an RFC 3339 time";
  } else if (!body.contains("publish") || !body["publish"].is_boolean()) {
    problem = "publish must be true or false";
  } else if (body["publish"].get<bool>() && !letter.is_public) {
    problem = "publish must be false: the writer did not agree to publication";
  }
  if (!problem.empty()) {
    count_answer("422 invalid");
    return answer(422, "invalid", problem);
  }
  StoredReply stored;
  stored.letter_id = id;
  stored.body = body;
  stored.reply_id = "R" + std::to_string(next_reply_++);
  stored.first_at = rfc3339(unix_now());
  stored.accepted_new = 1;
  letter.reply_key = *key;
  letter.status = "replied";
  letter.published = body["publish"].get<bool>();
  if (letter.published && writer_.chance(options_.rating_fraction)) {
    schedule(0.2, 1.0, "rate", id);
  }
  const std::string reply_id = stored.reply_id;
  replies_.emplace(*key, std::move(stored));
  if (faults.drop_after_store()) {
    count_answer("201 stored, connection dropped");
    return Outcome{{}, true, {}};
  }
  count_answer("201");
  return Outcome{json_response(201, {{"reply_id", reply_id}}), false, {}};
}

Outcome MailboxSite::list_ratings(const http::Request& request) {
  const auto limit = parse_limit(request);
  if (!limit) return answer(400, "invalid_limit", "limit must be 1..100");
  const auto cursor = parse_cursor(request, "rating_seq");
  if (!cursor) return answer(400, "invalid_cursor", "cursor is not one this website issued");
  std::lock_guard lock(mutex_);
  auto it = std::upper_bound(ratings_.begin(), ratings_.end(), *cursor,
                             [](std::int64_t value, const Rating& r) { return value < r.seq; });
  json page = json::array();
  std::int64_t last = *cursor;
  for (; it != ratings_.end() && static_cast<int>(page.size()) < *limit; ++it) {
    page.push_back({{"letter_id", it->letter_id},
                    {"rating", it->rating},
                    {"comment", it->comment},
                    {"rated_at", it->rated_at}});
    last = it->seq;
  }
  return Outcome{json_response(200, {{"ratings", page},
                                     {"next_cursor", make_cursor("rating_seq", last)},
                                     {"has_more", it != ratings_.end()}}),
                 false,
                 {}};
}

void MailboxSite::reindex(Letter& letter, const std::string& why) {
  letter.seq = next_seq_++;
  index_.emplace_back(letter.seq, letter.id);
  issue({{"kind", "reindexed"}, {"letter_id", letter.id}, {"seq", letter.seq}, {"why", why}});
}

void MailboxSite::issue(json event) {
  event["at"] = rfc3339(unix_now());
  events_.push_back(std::move(event));
}

void MailboxSite::schedule(double low, double high, const std::string& kind,
                           const std::string& id) {
  const double seconds = options_.life_seconds * (low + (high - low) * writer_.uniform());
  scheduled_.emplace(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(seconds)),
                     Pending{kind, id});
}

std::vector<std::string> MailboxSite::generate(int count, const json& overrides) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    const std::string kind = overrides.contains("type") ? overrides["type"].get<std::string>()
                                                        : writer_.pick(AppealWriter::kinds());
    if (std::find(AppealWriter::kinds().begin(), AppealWriter::kinds().end(), kind) ==
        AppealWriter::kinds().end()) {
      throw ControlError(400, "type must be one of 咨询 投诉 建议 举报 求助 其他");
    }
    const WrittenAppeal appeal = writer_.appeal(kind);
    const std::int64_t now = unix_now();
    Letter letter;
    char number[8];
    std::snprintf(number, sizeof number, "%05d", static_cast<int>(next_letter_++ % 100000));
    const std::string date = rfc3339(now);  // 2026-11-27T…
    letter.id = "L" + date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2) + number;
    letter.submitted_at = date;
    const bool anonymous = writer_.chance(0.1);
    letter.writer = {
        {"name", anonymous ? "匿名" : writer_.person_name()},
        {"phone", anonymous && writer_.chance(0.5) ? "" : writer_.phone()},
        {"email", writer_.chance(0.2) ? "gy" + writer_.hex(6) + "@example.com" : ""},
        {"id_number_masked",
         anonymous ? "" : appeal.division.code.substr(0, 4) + "**********" + writer_.hex(4)}};
    if (!anonymous) {
      // The masked number ends in digits (or X), not hex.
      auto masked = letter.writer["id_number_masked"].get<std::string>();
      masked.replace(masked.size() - 4, 4, std::to_string(writer_.between(1000, 9999)));
      letter.writer["id_number_masked"] = masked;
    }
    letter.type = kind;
    letter.subject = appeal.subject;
    letter.content = appeal.content;
    letter.is_public = overrides.contains("public") ? overrides["public"].get<bool>()
                                                    : !writer_.chance(options_.private_fraction);
    if (writer_.chance(0.3)) {
      const std::string hash = writer_.hex(64);
      letter.attachments.push_back(
          {{"name", "photo" + std::to_string(writer_.between(1, 3)) + ".jpg"},
           {"url", "https://www.example.gov.cn/f/" + hash.substr(0, 4) + ".jpg"},
           {"size", writer_.between(40000, 900000)},
           {"sha256", hash}});
    }
    letter.seq = next_seq_++;
    index_.emplace_back(letter.seq, letter.id);
    ids.push_back(letter.id);
    const double fate = writer_.uniform();
    if (fate < options_.withdraw_fraction) {
      schedule(0.2, 1.0, "withdraw", letter.id);
    } else if (fate < options_.withdraw_fraction + options_.spam_fraction) {
      schedule(0.05, 0.3, "spam", letter.id);
    }
    issue({{"kind", "letter"},
           {"letter_id", letter.id},
           {"seq", letter.seq},
           {"type", letter.type},
           {"public", letter.is_public}});
    letters_.emplace(letter.id, std::move(letter));
  }
  return ids;
}

void MailboxSite::rate(Letter& letter, bool change) {
  static const std::vector<std::string> kRatings = {"满意",     "满意",     "满意",
                                                    "基本满意", "基本满意", "不满意"};
  std::string rating = writer_.pick(kRatings);
  if (change) {
    while (rating == letter.rating) rating = writer_.pick(kRatings);
  }
  Rating r{next_rating_++, letter.id, rating, writer_.rating_comment(rating != "不满意"),
           rfc3339(unix_now())};
  issue({{"kind", change ? "rating_changed" : "rating"},
         {"letter_id", letter.id},
         {"rating_seq", r.seq},
         {"rating", r.rating},
         {"comment", r.comment},
         {"rated_at", r.rated_at},
         {"replaces", letter.rating.empty() ? json() : json(letter.rating)}});
  letter.rating = rating;
  ratings_.push_back(std::move(r));
}

void MailboxSite::advance(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  while (!scheduled_.empty() && scheduled_.begin()->first <= now) {
    const Pending pending = scheduled_.begin()->second;
    scheduled_.erase(scheduled_.begin());
    const auto it = letters_.find(pending.letter_id);
    if (it == letters_.end()) continue;
    Letter& letter = it->second;
    if (pending.kind == "withdraw" && letter.status == "pending") {
      letter.status = "withdrawn";
      issue({{"kind", "withdrawn"}, {"letter_id", letter.id}});
      reindex(letter, "withdrawn");
    } else if (pending.kind == "spam" && letter.status == "pending") {
      letter.status = "spam";
      issue({{"kind", "spam"}, {"letter_id", letter.id}});
      reindex(letter, "spam");
    } else if (pending.kind == "rate" || pending.kind == "change_rating") {
      const bool change = pending.kind == "change_rating";
      rate(letter, change);
      if (!change && writer_.chance(options_.rating_change_fraction)) {
        schedule(0.2, 1.0, "change_rating", letter.id);
      }
    }
  }
}

json MailboxSite::act(const json& action) {
  const std::string what = action.value("action", "");
  const std::string id = action.value("id", "");
  std::lock_guard lock(mutex_);
  const auto it = letters_.find(id);
  if (it == letters_.end()) throw ControlError(404, "no letter " + id);
  Letter& letter = it->second;
  if (what == "withdraw" || what == "spam") {
    if (letter.status != "pending" && letter.status != "spam") {
      throw ControlError(409, "a " + letter.status + " letter cannot be " + what + "ed");
    }
    letter.status = what == "withdraw" ? "withdrawn" : "spam";
    issue({{"kind", letter.status}, {"letter_id", id}});
    reindex(letter, letter.status);
  } else if (what == "reindex") {
    reindex(letter, "re-index");
  } else if (what == "rate") {
    if (!letter.published) throw ControlError(409, "only a published reply can be rated");
    const bool change = !letter.rating.empty();
    rate(letter, change);
    if (action.contains("rating")) {  // the caller chose it: overwrite the random pick
      const std::string chosen = action["rating"];
      if (chosen != "满意" && chosen != "基本满意" && chosen != "不满意") {
        throw ControlError(400, "rating must be 满意, 基本满意 or 不满意");
      }
      ratings_.back().rating = chosen;
      events_.back()["rating"] = chosen;
      letter.rating = chosen;
    }
  } else {
    throw ControlError(400, "action must be withdraw, spam, reindex or rate");
  }
  return letter_json(letter, letter.seq);
}

json MailboxSite::ledger() const {
  std::lock_guard lock(mutex_);
  json letters = json::array();
  std::set<std::string> listed;
  for (const auto& [seq, id] : index_) {
    if (!listed.insert(id).second) continue;  // once, at its first position
    const Letter& l = letters_.at(id);
    letters.push_back({{"id", l.id},
                       {"first_seq", seq},
                       {"seq", l.seq},
                       {"submitted_at", l.submitted_at},
                       {"type", l.type},
                       {"subject", l.subject},
                       {"public", l.is_public},
                       {"status", l.status},
                       {"rating", l.rating}});
  }
  json ratings = json::array();
  for (const auto& r : ratings_) {
    ratings.push_back({{"rating_seq", r.seq},
                       {"letter_id", r.letter_id},
                       {"rating", r.rating},
                       {"comment", r.comment},
                       {"rated_at", r.rated_at}});
  }
  json replies = json::array();
  for (const auto& [key, r] : replies_) {
    replies.push_back({{"idempotency_key", key},
                       {"letter_id", r.letter_id},
                       {"reply_id", r.reply_id},
                       {"body", r.body},
                       {"first_at", r.first_at},
                       {"accepted_new", r.accepted_new},
                       {"repeated", r.repeated},
                       {"conflicting", r.conflicting}});
  }
  json answers = json::object();
  for (const auto& [what, count] : reply_answers_) answers[what] = count;
  return {{"issued", {{"letters", letters}, {"ratings", ratings}, {"events", events_}}},
          {"received", {{"replies", replies}, {"reply_answers", answers}}}};
}

json MailboxSite::save_state() const {
  std::lock_guard lock(mutex_);
  json letters = json::array();
  for (const auto& [id, l] : letters_) {
    json j = letter_json(l, l.seq);
    j["reply_key"] = l.reply_key;
    j["published"] = l.published;
    j["rating"] = l.rating;
    letters.push_back(std::move(j));
  }
  json replies = json::object();
  for (const auto& [key, r] : replies_) {
    replies[key] = {{"letter_id", r.letter_id},       {"body", r.body},
                    {"reply_id", r.reply_id},         {"first_at", r.first_at},
                    {"accepted_new", r.accepted_new}, {"repeated", r.repeated},
                    {"conflicting", r.conflicting}};
  }
  json ratings = json::array();
  for (const auto& r : ratings_) {
    ratings.push_back({r.seq, r.letter_id, r.rating, r.comment, r.rated_at});
  }
  return {{"simulator", "mailbox"},
          {"letters", letters},
          {"index", index_},
          {"replies", replies},
          {"ratings", ratings},
          {"events", events_},
          {"next", {next_seq_, next_letter_, next_reply_, next_rating_}}};
}

void MailboxSite::load_state(const json& state) {
  if (state.value("simulator", "") != "mailbox") {
    throw std::runtime_error("the state file belongs to another simulator");
  }
  std::lock_guard lock(mutex_);
  for (const auto& j : state.at("letters")) {
    Letter l = letter_from_json(j);
    letters_.emplace(l.id, std::move(l));
  }
  index_ = state.at("index").get<std::vector<std::pair<std::int64_t, std::string>>>();
  for (const auto& [key, r] : state.at("replies").items()) {
    replies_[key] =
        StoredReply{r.at("letter_id"),    r.at("body"),     r.at("reply_id"),   r.at("first_at"),
                    r.at("accepted_new"), r.at("repeated"), r.at("conflicting")};
  }
  for (const auto& r : state.at("ratings")) {
    ratings_.push_back(Rating{r.at(0), r.at(1), r.at(2), r.at(3), r.at(4)});
  }
  events_ = state.at("events");
  const auto& next = state.at("next");
  next_seq_ = next.at(0);
  next_letter_ = next.at(1);
  next_reply_ = next.at(2);
  next_rating_ = next.at(3);
}

}  // namespace

std::unique_ptr<Simulation> make_mailbox_simulation(const MailboxOptions& options) {
  return std::make_unique<MailboxSite>(options);
}

}  // namespace appealhub::sim
